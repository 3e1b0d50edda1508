import Foundation
import Synchronization
import EVMPrimitives
import EVMState
import Execution
import Reports
import Vectors

/// Runs block vectors through the serial executor and the executors under test, and checks each against the
/// serial run (bit for bit: roots, gas, rejected list, receipts, full post-state) and against the vector's
/// expected values (only the fields it states). One `BlockRunResult` per (case, executor, thread count).
public struct BlockRunner: Sendable {
    /// The built-in executors, by the names every command's `--executor` takes and reports show (with
    /// `t8n:COMMAND`, `ExecutorSpec`): the serial reference, Block-STM, the block-access-list executor, and
    /// the no-coordination partition bound (a yardstick, run only on blocks without dependencies).
    public enum Executor: String, Sendable, CaseIterable, Codable {
        case serial, blockstm, bal
        case bound = "partition-bound"
    }

    /// Where the BAL executor's list comes from.
    public enum BALSource: Sendable, Equatable {
        /// From a serial run of the block (`BlockAccessListBuilder`).
        case derive
        /// From a JSON file (`BlockAccessList`'s form), or a directory holding `<vector>.json` per vector
        /// (what `balOutput` writes).
        case file(String)
    }

    /// Executors to report on; the serial run happens anyway, as the reference.
    public var executors: [Executor]
    /// Thread counts for the parallel executors, in order (duplicates are run once).
    public var threads: [Int]
    /// Timed runs after the warm-up run, per (case, executor, threads); 0 reports no timing. With
    /// `minimumTimedNanoseconds`, the least number of them.
    public var repeats: Int
    /// Short blocks get more timed rounds: as many as take about this long per configuration (from the block's warm
    /// serial run), between `repeats` and `maximumRoundsFactor * repeats`; 0 (the default): exactly `repeats`. A block
    /// of 0.2 ms timed in 5 rounds gives a median of 5 ratios, each of two runs of 0.2 ms a scheduler tick can double.
    public var minimumTimedNanoseconds: UInt64 = 0
    /// At most this many times `repeats` rounds (`minimumTimedNanoseconds`).
    public static let maximumRoundsFactor = RunEnvironment.maximumRoundsFactor
    /// Extra runs of each parallel execution with seeded perturbation (`StressOptions`); 0 for none.
    public var stressRuns: Int
    /// Run k of the stress runs uses seed `seed + k`.
    public var seed: UInt64
    /// Block-STM's and the BAL executor's choice between parallel and serial; `.alwaysParallel` tests the parallel algorithms.
    public var policy: BlockSTMExecutor.ParallelPolicy
    /// The BAL executor's list.
    public var balSource: BALSource = .derive
    /// A directory to write every block's access list to, as `<vector>.json`.
    public var balOutput: String?
    /// Test-only: an executor run in place of Block-STM (`Substitute`); nil in every real run.
    @_spi(Testing) public var substitute: Substitute?

    /// The timed rounds of a block whose warm serial run took `serialNanoseconds` (`minimumTimedNanoseconds`).
    public static func rounds(repeats: Int, minimumTimedNanoseconds: UInt64, serialNanoseconds: UInt64) -> Int {
        guard repeats > 0, minimumTimedNanoseconds > 0 else { return repeats }
        let wanted = minimumTimedNanoseconds / max(1, serialNanoseconds) + 1
        return Int(min(UInt64(repeats * maximumRoundsFactor), max(UInt64(repeats), wanted)))
    }

    /// Most state differences listed per divergence.
    public static let stateDiffLimit = 100

    public init(executors: [Executor] = [.serial, .blockstm], threads: [Int] = [ProcessInfo.processInfo.activeProcessorCount],
                repeats: Int = 0, stressRuns: Int = 0, seed: UInt64 = 0,
                policy: BlockSTMExecutor.ParallelPolicy = .alwaysParallel) {
        self.executors = executors; self.threads = threads; self.repeats = max(0, repeats)
        self.stressRuns = max(0, stressRuns); self.seed = seed; self.policy = policy
    }

    // MARK: - Running

    /// Loads and runs each source in order (one at a time, so that timings do not disturb each other); a vector
    /// that fails to load gives one failed row naming the file and the reason. `each` sees every row as it is made.
    public func run(sources: [VectorSource], each: ((BlockRunResult) -> Void)? = nil) -> [BlockRunResult] {
        var out: [BlockRunResult] = []
        for source in sources {
            let rows: [BlockRunResult]
            switch BlockVectorIO.load(source) {
            case .success(let vector): rows = run(vector)
            case .failure(let error): rows = [BlockRunner.loadFailure(error, name: source.name)]
            }
            for r in rows { each?(r) }
            out += rows
        }
        return out
    }

    /// The row for a vector that could not be loaded.
    public static func loadFailure(_ error: LoadError, name: String) -> BlockRunResult {
        BlockRunResult(name: name, fork: "", executor: "", threads: 0, status: .error(error.description))
    }

    /// Runs one vector. The executors run on a thread whose stack holds 1024 nested call frames.
    public func run(_ vector: BlockVector) -> [BlockRunResult] {
        let box = Mutex<[BlockRunResult]>([])
        WorkerThreads.run(count: 1) { _ in
            let rows = self.runOnCurrentThread(vector)
            box.withLock { $0 = rows }
        }
        return box.withLock { $0 }
    }

    /// The (executor, threads) rows asked for, in output order.
    var plan: [(Executor, Int)] {
        var out: [(Executor, Int)] = []
        if executors.contains(.serial) { out.append((.serial, 1)) }
        for e in [Executor.blockstm, .bal, .bound] where executors.contains(e) {
            var seen = Set<Int>()
            for t in threads where seen.insert(t).inserted { out.append((e, t)) }
        }
        return out
    }

    private func runOnCurrentThread(_ v: BlockVector) -> [BlockRunResult] {
        let forkName = v.fork.name
        guard v.fork.isSupported else {
            return plan.map { BlockRunResult(name: v.name, fork: forkName, executor: $0.0.rawValue, threads: $0.1,
                                             status: .skipped("fork \(forkName) is not supported")) }
        }
        let serial = SerialExecutor()
        // `executed` is over the transactions that were read; `reference` over the vector's whole list (with the ones
        // rejected on loading), which is what every check compares.
        let executed = serial.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
        let reference = v.completing(executed)
        // Timed (below, in rounds interleaved with every executor under test): the serial executor doing only what
        // the block needs (no access sets, no per-transaction clock), the baseline every speedup is over. One more
        // instrumented run, warm, gives the per-transaction times that weigh the critical path.
        let timedSerial = SerialExecutor(recordsAccess: false)
        let warm = repeats > 0 ? serial.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) : executed
        let weights = warm.transactionNanoseconds
        // The faster of the two serial runs sizes the rounds: one run the host stalled must not cost the block its rounds.
        let rounds = BlockRunner.rounds(repeats: repeats, minimumTimedNanoseconds: minimumTimedNanoseconds,
                                        serialNanoseconds: min(executed.metrics.wallTimeNanoseconds, warm.metrics.wallTimeNanoseconds))
        // Configuration 0 of the timed rounds is serial; each parallel row adds one, with the index of its row.
        var timed: [(row: Int?, executor: any BlockExecutor)] = [(nil, timedSerial)]
        let graph = DependencyGraph(outcome: executed, coinbase: v.env.coinbase)
        let byGas = graph.criticalPath(weights: executed.transactionGas)
        let byTime = graph.criticalPath(weights: weights)
        func statistics(threads: Int) -> BlockStatistics {
            BlockStatistics(transactions: v.transactions.count, included: reference.receipts.count,
                            gas: reference.gasUsed, conflictRate: graph.conflictRate, dependencies: graph.edgeCount,
                            criticalPathGas: byGas.weight, criticalPathNanoseconds: byTime.weight,
                            totalTransactionNanoseconds: byTime.total,
                            idealSpeedupGas: byGas.idealSpeedup(threads: threads),
                            idealSpeedupTime: byTime.idealSpeedup(threads: threads))
        }

        // The block's access list: derived from a serial run or read from a file, once per vector.
        var list: Result<BlockAccessList, BALLoadError>?
        func accessList() -> Result<BlockAccessList, BALLoadError> {
            if let list { return list }
            let loaded = BlockRunner.accessList(balSource, v)
            list = loaded
            return loaded
        }
        if let dir = balOutput, case .success(let l) = accessList() {
            let url = URL(fileURLWithPath: dir).appendingPathComponent(BlockRunner.fileName(v.name) + ".json")
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? l.jsonData().write(to: url)
        }

        var rows: [BlockRunResult] = []
        for (executor, threads) in plan {
            // The partition bound is only valid (and only run) where nothing depends on anything.
            if executor == .bound && graph.edgeCount != 0 { continue }
            var problems: [String] = []
            let rowName = executor == .blockstm ? substitute?.name ?? executor.rawValue : executor.rawValue
            // Judged below, once every check has run; never appended before.
            var row = BlockRunResult(name: v.name, fork: forkName, executor: rowName, threads: threads, status: .error("not run"))
            let outcome: BlockOutcome
            switch executor {
            case .serial:
                outcome = reference
                timed[0].row = rows.count
            case .blockstm, .bal, .bound:
                let policy = self.policy
                // A derived list is the serial run's own: the adaptive policy's serial path need not check it.
                let derived = balSource == .derive
                var bal: BlockAccessList?
                if executor == .bal {
                    switch accessList() {
                    case .success(let l): bal = l
                    case .failure(let e): problems.append(e.description)
                    }
                }
                // One BAL executor for the timed runs and the checked ones (an empty list where it could not be had).
                let makeBAL = { (stress: StressOptions?) in
                    BALExecutor(threads: threads, list: bal ?? BlockAccessList(), stress: stress, policy: policy,
                                listIsDerived: derived)
                }
                let make: (StressOptions?) -> any BlockExecutor = { stress in
                    switch executor {
                    case .bal: makeBAL(stress)
                    case .bound: PartitionBoundExecutor(threads: threads)
                    default: substitute?.make(nil) ?? BlockSTMExecutor(threads: threads, stress: stress, policy: policy)
                    }
                }
                // The BAL executor is checked through `run`, which names the list's first wrong entry.
                let checked: (StressOptions?) -> Result<BlockOutcome, BALMismatch> = { stress in
                    if executor == .bal, bal != nil {
                        return makeBAL(stress).run(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                    }
                    return .success(make(stress).execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork))
                }
                let parallel = make(nil)
                let ran: BlockOutcome
                switch checked(nil) {
                case .success(let o): ran = o
                case .failure(let m):
                    problems.append(m.description)
                    ran = parallel.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                }
                outcome = v.completing(ran)
                var divergence = BlockRunner.divergence(outcome, from: reference, transactions: v.transactionCount)
                divergence?.traceDiff = traceDiff(v, executor: executor, name: rowName, threads: threads, list: bal, stress: nil)
                row.matchesSerial = divergence == nil
                row.divergence = divergence
                if let d = divergence {
                    var text = "differs from serial in \(d.fields.joined(separator: ", "))"
                    if let i = d.firstTransaction { text += "; first at transaction \(i)" }
                    problems.append(text)
                }
                timed.append((rows.count, parallel))
                if stressRuns > 0 && executor != .bound {
                    var summary = BlockStressSummary(runs: stressRuns, baseSeed: seed)
                    for k in 0..<stressRuns {
                        let s = seed &+ UInt64(k)
                        guard case .success(let ran) = checked(StressOptions(seed: s)) else {
                            summary.failedSeeds.append(s)
                            continue
                        }
                        let o = v.completing(ran)
                        if var d = BlockRunner.divergence(o, from: reference, transactions: v.transactionCount) {
                            summary.failedSeeds.append(s)
                            if row.divergence == nil {
                                d.traceDiff = traceDiff(v, executor: executor, name: rowName, threads: threads, list: bal,
                                                        stress: StressOptions(seed: s))
                                row.divergence = d
                            }
                        }
                    }
                    if !summary.failedSeeds.isEmpty {
                        let seeds = summary.failedSeeds.prefix(5).map(String.init).joined(separator: ", ")
                        problems.append("\(summary.failedSeeds.count) of \(stressRuns) stress runs differ from serial (seeds \(seeds)\(summary.failedSeeds.count > 5 ? ", ..." : ""))")
                    }
                    row.stress = summary
                }
            }
            problems += row.record(outcome, expected: v.expected)
            row.metrics = BlockRunMetrics(outcome.metrics)
            row.block = statistics(threads: threads)
            row.status = .judged(problems)
            rows.append(row)
        }
        guard rounds > 0 else { return rows }
        // The timed rounds: serial and every executor under test, `rounds` times (`Timing.interleavedRounds`).
        var diverged = [Int?](repeating: nil, count: timed.count)
        let samples = Timing.interleavedRounds(rounds: rounds, configurations: timed.count) { c, r in
            let o = timed[c].executor.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
            if diverged[c] == nil && (o.stateRoot != executed.stateRoot || o.receiptsRoot != executed.receiptsRoot
                                      || o.gasUsed != executed.gasUsed || o.rejected != executed.rejected) {
                diverged[c] = r
            }
        }
        for (c, t) in timed.enumerated() {
            guard let i = t.row else { continue }
            let median = Timing.median(samples[c])
            rows[i].timing = BlockTiming(runs: samples[c].count, medianNanoseconds: median,
                                         minNanoseconds: samples[c].min() ?? 0, maxNanoseconds: samples[c].max() ?? 0,
                                         speedup: c == 0 ? 1 : Timing.pairedRatio(samples[0], samples[c]),
                                         samples: samples[c], serialSamples: c == 0 ? nil : samples[0])
            if let r = diverged[c] {
                let text = "timed run \(r + 1) of \(rounds) gave a different result (state root, receipts root or gas)"
                rows[i].status = rows[i].status.failing(text)
            }
        }
        return rows
    }

    /// Why a vector's access list could not be had.
    public struct BALLoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The vector's access list from `source`.
    static func accessList(_ source: BALSource, _ v: BlockVector) -> Result<BlockAccessList, BALLoadError> {
        switch source {
        case .derive:
            return .success(BlockAccessListBuilder.derive(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork))
        case .file(let path):
            var isDirectory: ObjCBool = false
            var file = path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                file = URL(fileURLWithPath: path).appendingPathComponent(fileName(v.name) + ".json").path
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                return .failure(BALLoadError(description: "block access list: cannot read \(file)"))
            }
            do { return .success(try BlockAccessList.decode(json: data)) } catch {
                return .failure(BALLoadError(description: "\(file): \(error)"))
            }
        }
    }

    /// A vector name as a file name: anything but letters, digits, `.`, `-` and `_` becomes `_`.
    public static func fileName(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
    }

    // MARK: - Checks

    /// The fields of `expected` that the outcome does not match, each saying what was expected and what was got.
    /// Rejected transactions are compared by index only: clients word their reasons differently.
    public static func expectationProblems(_ o: BlockOutcome, _ e: ExpectedBlockResult) -> [String] {
        var problems: [String] = []
        if let x = e.stateRoot, x != o.stateRoot { problems.append("state root \(o.stateRoot), expected \(x)") }
        if let x = e.receiptsRoot, x != o.receiptsRoot { problems.append("receipts root \(o.receiptsRoot), expected \(x)") }
        if let x = e.logsHash, x != o.logsHash { problems.append("logs hash \(o.logsHash), expected \(x)") }
        if let x = e.gasUsed, x != o.gasUsed { problems.append("gas used \(o.gasUsed), expected \(x)") }
        if let x = e.logsBloom, x != o.logsBloom { problems.append("logs bloom differs from the expected one") }
        if let x = e.requestsHash, x != o.requestsHash {
            problems.append("requests hash \(o.requestsHash?.description ?? "none"), expected \(x)")
        }
        if let invalid = o.invalidBlock { problems.append("invalid block: \(invalid.message)") }
        if let x = e.rejected {
            let want = x.map(\.index), got = o.rejected.map(\.index)
            if want != got { problems.append("rejected transactions \(got), expected \(want)") }
        }
        return problems
    }

    /// How `outcome` differs from the serial `reference`; nil when it equals it bit for bit.
    public static func divergence(_ outcome: BlockOutcome, from reference: BlockOutcome, transactions: Int) -> BlockDivergence? {
        var fields: [String] = []
        if outcome.stateRoot != reference.stateRoot { fields.append("stateRoot") }
        if outcome.receiptsRoot != reference.receiptsRoot { fields.append("receiptsRoot") }
        if outcome.logsHash != reference.logsHash { fields.append("logsHash") }
        if outcome.logsBloom != reference.logsBloom { fields.append("logsBloom") }
        if outcome.gasUsed != reference.gasUsed { fields.append("gasUsed") }
        if outcome.blobGasUsed != reference.blobGasUsed { fields.append("blobGasUsed") }
        if outcome.rejected != reference.rejected { fields.append("rejected") }
        if outcome.requests != reference.requests { fields.append("requests") }
        if outcome.invalidBlock != reference.invalidBlock { fields.append("invalidBlock") }
        if outcome.receipts != reference.receipts { fields.append("receipts") }
        let stateDiffers = outcome.postState != reference.postState
        if stateDiffers { fields.append("postState") }
        guard !fields.isEmpty else { return nil }

        var d = BlockDivergence(fields: fields)
        let mine = perTransaction(outcome, count: transactions)
        let theirs = perTransaction(reference, count: transactions)
        for i in 0..<transactions where mine[i] != theirs[i] {
            d.firstTransaction = i
            d.transactionDetail = "serial: \(theirs[i].summary); this executor: \(mine[i].summary)"
            break
        }
        if stateDiffers {
            let diff = stateDiff(reference.postState, outcome.postState)
            d.stateDiff = Array(diff.prefix(stateDiffLimit))
            d.stateDiffOmitted = max(0, diff.count - stateDiffLimit)
        }
        return d
    }

    /// One transaction's result within a block outcome.
    enum TransactionOutcome: Equatable {
        case included(Receipt)
        case rejected(String)
        case missing

        var summary: String {
            switch self {
            case .included(let r):
                "included, \(r.success ? "success" : "failure"), gas \(r.gasUsed), cumulative \(r.cumulativeGasUsed), \(r.logs.count) logs"
            case .rejected(let e): "rejected (\(e))"
            case .missing: "no result"
            }
        }
    }

    /// Each transaction's receipt or rejection, by block index (receipts are listed for included ones only).
    static func perTransaction(_ o: BlockOutcome, count: Int) -> [TransactionOutcome] {
        var rejected: [Int: String] = [:]
        for r in o.rejected { rejected[r.index] = r.error }
        var receipts = o.receipts.makeIterator()
        return (0..<count).map { i in
            if let e = rejected[i] { return .rejected(e) }
            return receipts.next().map { .included($0) } ?? .missing
        }
    }

    /// Every account field and storage slot whose value differs, sorted by address, then field, then slot.
    public static func stateDiff(_ serial: InMemoryState, _ actual: InMemoryState) -> [StateDifference] {
        var out: [StateDifference] = []
        let addresses = Set(serial.accounts.keys).union(actual.accounts.keys).sorted()
        for address in addresses {
            let a = address.description
            let s = serial.accounts[address], x = actual.accounts[address]
            guard let s, let x else {
                out.append(StateDifference(address: a, field: "exists", serial: s == nil ? "absent" : "present",
                                           actual: x == nil ? "absent" : "present"))
                continue
            }
            if s.info.nonce != x.info.nonce {
                out.append(StateDifference(address: a, field: "nonce", serial: String(s.info.nonce), actual: String(x.info.nonce)))
            }
            if s.info.balance != x.info.balance {
                out.append(StateDifference(address: a, field: "balance", serial: s.info.balance.hexString, actual: x.info.balance.hexString))
            }
            if s.info.codeHash != x.info.codeHash {
                out.append(StateDifference(address: a, field: "codeHash", serial: s.info.code.hash.description,
                                           actual: x.info.code.hash.description))
            }
            for key in Set(s.storage.keys).union(x.storage.keys).sorted() {
                let sv = s.storage[key] ?? .zero, xv = x.storage[key] ?? .zero
                if sv != xv {
                    out.append(StateDifference(address: a, field: "storage", slot: key.hexString, serial: sv.hexString, actual: xv.hexString))
                }
            }
        }
        return out
    }
}

extension BlockRunResult {
    /// Records `outcome`'s roots, gas and rejected transactions in the row and, when the vector states an `expected`
    /// result, whether the outcome matches it (`matchesExpected`); returns the mismatches (none without one).
    mutating func record(_ outcome: BlockOutcome, expected: ExpectedBlockResult?) -> [String] {
        var mismatches: [String] = []
        if let expected {
            mismatches = BlockRunner.expectationProblems(outcome, expected)
            matchesExpected = mismatches.isEmpty
        }
        stateRoot = outcome.stateRoot.description
        receiptsRoot = outcome.receiptsRoot.description
        logsHash = outcome.logsHash.description
        gasUsed = outcome.gasUsed
        rejected = outcome.rejected
        return mismatches
    }
}
