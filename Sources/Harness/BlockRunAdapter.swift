import EVMPrimitives
import Execution
import Reports
import Vectors
import Workloads

/// The executors `lockstep run` and its report name: the built-in executors (`BlockRunner.Executor`, the one
/// vocabulary every command uses), with Block-STM under each policy (`blockstm` adaptive, as shipped;
/// `blockstm-forced` always parallel, the name `--policy parallel` gives its rows).
public enum ExecutorChoice: String, Codable, Sendable, CaseIterable {
    /// `SerialExecutor`: the reference; always run.
    case serial
    /// `BlockSTMExecutor` as shipped: serial where Block-STM cannot win, decided before and while running.
    case blockstm
    /// `BlockSTMExecutor` that always runs Block-STM to the end, to measure and check the algorithm itself.
    case blockstmForced = "blockstm-forced"
    /// `BALExecutor`, from the list a serial run derives.
    case bal
    /// `PartitionBoundExecutor`, the no-coordination yardstick: only on blocks without dependencies.
    case bound = "partition-bound"

    public var isParallel: Bool { self != .serial }

    /// The runner's executor for this choice.
    public var runnerExecutor: BlockRunner.Executor {
        switch self {
        case .serial: .serial
        case .blockstm, .blockstmForced: .blockstm
        case .bal: .bal
        case .bound: .bound
        }
    }

    /// Block-STM's policy for this choice (nil where it has none).
    var policy: BlockSTMExecutor.ParallelPolicy? {
        switch self {
        case .blockstm: return .adaptive
        case .blockstmForced: return .alwaysParallel
        default: return nil
        }
    }

    /// The choice `--executor NAME --policy POLICY` stands for (`blockstm` under `parallel` is `blockstm-forced`).
    public static func from(_ executor: BlockRunner.Executor, policy: BlockSTMExecutor.ParallelPolicy) -> ExecutorChoice {
        switch executor {
        case .serial: .serial
        case .blockstm: policy == .adaptive ? .blockstm : .blockstmForced
        case .bal: .bal
        case .bound: .bound
        }
    }
}

/// A block workload of a run: a generated block (held in memory) or a block-vector file (loaded when it runs).
public enum WorkloadSource: Sendable {
    case generated(BlockVector)
    case file(VectorSource)
    /// A real mainnet block of `../shared/vectors/mainnet` (the default suite's `mainnet` suite).
    case mainnet(VectorSource)

    /// `generated`, `blocks` or `mainnet`.
    public var suite: String {
        switch self {
        case .generated: return GeneratedWorkloads.suite
        case .file: return "blocks"
        case .mainnet: return "mainnet"
        }
    }

    public var name: String {
        switch self {
        case .generated(let v): return v.name
        case .file(let s), .mainnet(let s): return s.name
        }
    }
}

/// Turns `BlockRunner`'s rows (one per executor and thread count of one block) into report cases and the block's
/// performance figures.
public enum BlockRunAdapter {
    /// The cases of one block, and its performance when the serial run was timed. `executorName` renames a row's
    /// executor (Block-STM run always-parallel reports as `blockstm-forced`); `expected` is the vector's expected
    /// result, for the expected side of a failure; `reproduce(executor, threads)` gives the command for one case.
    public static func adapt(rows: [BlockRunResult], suite: String, hotRatio: Double?, expected: ExpectedBlockResult?,
                             executorName: (BlockRunResult) -> String = { $0.executor },
                             bootstrap: BootstrapSettings = BootstrapSettings(seed: RunPlan.defaultSeed),
                             reproduce: (String, Int) -> String) -> (cases: [CaseResult], performance: WorkloadPerformance?) {
        let serial = rows.first { $0.executor == BlockRunner.Executor.serial.rawValue }
        var cases: [CaseResult] = []
        for row in rows {
            let name = row.executor.isEmpty ? ExecutorChoice.serial.rawValue : executorName(row)
            cases.append(caseResult(row, suite: suite, executor: name, serial: serial, expected: expected,
                                    reproduce: reproduce(name, max(1, row.threads))))
        }
        return (cases, performance(rows: rows, suite: suite, hotRatio: hotRatio, executorName: executorName, bootstrap: bootstrap))
    }

    /// One row as a case, with the status its runner decided (`RunStatus.caseStatus`) and its reason as the message.
    public static func caseResult(_ row: BlockRunResult, suite: String, executor: String, serial: BlockRunResult?,
                                  expected: ExpectedBlockResult?, reproduce: String?) -> CaseResult {
        let status = row.status.caseStatus
        var c = CaseResult(suite: suite, name: row.name, executor: executor, threads: max(1, row.threads), fork: row.fork,
                           status: status, message: row.status.reason, reproduce: reproduce)
        if row.stateRoot != nil {
            c.actual = OutcomeSummary(stateRoot: row.stateRoot, receiptsRoot: row.receiptsRoot, logsHash: row.logsHash,
                                      gasUsed: row.gasUsed,
                                      rejected: status == .fail ? row.rejected?.map { RejectedSummary(index: $0.index, error: $0.error) } : nil)
        }
        guard status == .fail else { return c }
        if row.matchesSerial == false, let serial {
            // Against the reference executor: its outcome is the expected side.
            c.expected = OutcomeSummary(stateRoot: serial.stateRoot, receiptsRoot: serial.receiptsRoot, logsHash: serial.logsHash,
                                        gasUsed: serial.gasUsed,
                                        rejected: serial.rejected?.map { RejectedSummary(index: $0.index, error: $0.error) })
        } else if let e = expected {
            c.expected = OutcomeSummary(stateRoot: e.stateRoot?.description, receiptsRoot: e.receiptsRoot?.description,
                                        logsHash: e.logsHash?.description, gasUsed: e.gasUsed,
                                        rejected: e.rejected?.map { RejectedSummary(index: $0.index, error: $0.error) })
        }
        if let d = row.divergence {
            c.divergence = Divergence(
                reference: ExecutorChoice.serial.rawValue, firstTransaction: d.firstTransaction,
                transactionDetail: d.transactionDetail, fields: d.fields,
                stateDiff: d.stateDiff.map { s in
                    StateDiffEntry(address: s.address, field: s.slot.map { "storage[\($0)]" } ?? s.field,
                                   expected: s.serial, actual: s.actual)
                },
                stateDiffOmitted: d.stateDiffOmitted, traceDiff: d.traceDiff)
        }
        return c
    }

    /// The block's figures from its timed rows: nil when the serial run was not timed (nothing ran, or no timing).
    /// Times are medians of the timed rounds and speedups the medians of the rounds' ratios (serial and the executor
    /// ran back to back in each round: `Bootstrap.pairedRatio`), each with its bootstrap interval: the minimum would be steadier on a
    /// loaded machine, but a median has an interval a later run can be judged against (`Gate`).
    public static func performance(rows: [BlockRunResult], suite: String, hotRatio: Double?,
                                   executorName: (BlockRunResult) -> String = { $0.executor },
                                   bootstrap: BootstrapSettings = BootstrapSettings(seed: RunPlan.defaultSeed)) -> WorkloadPerformance? {
        guard let serial = rows.first(where: { $0.executor == BlockRunner.Executor.serial.rawValue }),
              let timing = serial.timing, let stats = serial.block else { return nil }
        let gas = serial.gasUsed ?? stats.gas
        let serialSeconds = Double(timing.medianNanoseconds) / 1e9
        let serialSamples = timing.samples.map { $0.map { Double($0) / 1e9 } }
        let id = "\(suite) | \(serial.name)"
        func mgas(_ seconds: Double) -> Double { seconds > 0 ? Double(gas) / 1e6 / seconds : 0 }
        func mgasInterval(_ samples: [Double]?, _ stream: String) -> ConfidenceInterval? {
            samples.flatMap { Bootstrap.reciprocalOfMedian($0, scale: Double(gas) / 1e6, settings: bootstrap, stream: stream) }
        }
        func ratio(_ a: UInt64, _ b: UInt64) -> Double { b == 0 ? 1 : max(1, Double(a) / Double(b)) }
        var runs: [ParallelRun] = []
        var profiles: [ExecutionProfile] = []
        for row in rows where row.executor != BlockRunner.Executor.serial.rawValue && !row.executor.isEmpty {
            guard let t = row.timing else { continue }
            let seconds = Double(t.medianNanoseconds) / 1e9
            let samples = t.samples.map { $0.map { Double($0) / 1e9 } }
            let pairedSerial = t.serialSamples.map { $0.map { Double($0) / 1e9 } }
            // Over this row's own rounds when it has them (its serial runs may belong to another runner's rounds).
            let speedup: Double
            if let samples, let pairedSerial, !samples.isEmpty {
                speedup = Bootstrap.pairedRatio(pairedSerial, samples)
            } else {
                speedup = seconds > 0 ? serialSeconds / seconds : 0
            }
            let name = "\(executorName(row)) x\(row.threads)"
            let ideal = row.block?.idealSpeedupTime ?? 1
            let m = row.metrics
            runs.append(ParallelRun(
                executor: executorName(row), threads: row.threads, seconds: seconds, speedup: speedup, idealSpeedup: ideal,
                efficiency: ideal > 0 ? speedup / ideal : 0,
                reExecutionsPerTransaction: stats.transactions > 0 ? Double(m?.reExecutions ?? 0) / Double(stats.transactions) : 0,
                abortRate: (m?.validations ?? 0) > 0 ? Double(m?.failedValidations ?? 0) / Double(m?.validations ?? 1) : 0,
                mgasPerSecond: mgas(seconds), ranSerially: m?.ranSerially ?? false))
            runs[runs.count - 1].samples = samples
            runs[runs.count - 1].serialSamples = pairedSerial
            if let samples, let pairedSerial {
                runs[runs.count - 1].speedupInterval = Bootstrap.pairedRatioInterval(pairedSerial, samples, settings: bootstrap,
                                                                                     stream: "speedup|\(id)|\(name)")
            }
            runs[runs.count - 1].mgasInterval = mgasInterval(samples, "mgas|\(id)|\(name)")
            if let p = m?.profile { profiles.append(ExecutionProfile(executorName(row), threads: row.threads, p)) }
        }
        var out = WorkloadPerformance(
            suite: suite, name: serial.name, transactions: stats.transactions, gasUsed: gas, hotRatio: hotRatio,
            dependentShare: stats.conflictRate, serialSeconds: serialSeconds,
            criticalPathSeconds: Double(stats.criticalPathNanoseconds) / 1e9,
            parallelismBound: ratio(stats.totalTransactionNanoseconds, stats.criticalPathNanoseconds),
            parallelismBoundGas: ratio(stats.gas, stats.criticalPathGas),
            serialMgasPerSecond: mgas(serialSeconds), runs: runs)
        out.serialSamples = serialSamples
        out.profiles = profiles.isEmpty ? nil : profiles
        out.serialMgasInterval = mgasInterval(serialSamples, "mgas|\(id)|serial")
        return out
    }
}

extension ExecutionProfile {
    /// The report's form of an executor's `BlockProfile`.
    public init(_ executor: String, threads: Int, _ p: BlockProfile) {
        self.init(executor: executor, threads: threads, phases: [
            PhaseTime(phase: "execution", seconds: Double(p.executionNanoseconds) / 1e9),
            PhaseTime(phase: "re-execution", seconds: Double(p.reExecutionNanoseconds) / 1e9),
            PhaseTime(phase: "validation", seconds: Double(p.validationNanoseconds) / 1e9),
            PhaseTime(phase: "commit", seconds: Double(p.commitNanoseconds) / 1e9),
            PhaseTime(phase: "roots", seconds: Double(p.rootsNanoseconds) / 1e9),
        ], contended: p.contended.map {
            ContendedLocation(location: $0.location, failedValidations: $0.failedValidations, blockedReads: $0.blockedReads)
        })
    }
}
