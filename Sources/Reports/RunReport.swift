import Foundation
import Execution

/// Everything one `lockstep run` found: the one versioned model. `results.json` is this type encoded; the
/// Markdown, HTML and JUnit files and the console summary are all rendered from it, and the gate reads it back
/// as a baseline.
public struct RunReport: Codable, Sendable, Equatable {
    /// Bumped whenever a field changes meaning or is removed (adding an optional field does not bump it).
    /// 2: times are the medians of rounds interleaved with serial (were the fastest runs), every round's samples are
    /// kept, speedups and throughputs carry bootstrap intervals, and the gate judges noise floors instead of a
    /// percentage (`GateDecision.settings`; `maxSlowdownPercent` is gone). Version 1 files still load: their figures
    /// have no samples, and the gate says so instead of gating them.
    public static let currentSchemaVersion = 2

    public var schemaVersion: Int
    /// `<UTC date>-<time>` plus the shard when sharded, e.g. `20250102-030405` or `20250102-030405-shard1of4`.
    public var runID: String
    public var environment: RunEnvironment
    /// Sorted by `CaseResult.sortKey`, so that a merged sharded run lists its cases exactly as an unsharded one.
    public var cases: [CaseResult]
    /// Sorted by suite and name.
    public var workloads: [WorkloadPerformance]
    /// The pass/fail decision and its reasons; nil only before `Gate.evaluate` has run.
    public var gate: GateDecision?
    /// The speedups of the runs kept under the same report root (`ReportStore.history`), oldest first, this run
    /// last: the history chart. Nil when not gathered.
    public var history: [HistoryRun]?

    public init(schemaVersion: Int = RunReport.currentSchemaVersion, runID: String, environment: RunEnvironment,
                cases: [CaseResult], workloads: [WorkloadPerformance], gate: GateDecision? = nil) {
        self.schemaVersion = schemaVersion; self.runID = runID; self.environment = environment
        self.cases = cases; self.workloads = workloads; self.gate = gate
    }

    /// Puts cases and workloads in their canonical order.
    public mutating func sort() {
        cases.sort { $0.sortKey < $1.sortKey }
        workloads.sort { ($0.suite, $0.name) < ($1.suite, $1.name) }
    }

    /// Counts per (suite, executor), in the order of first appearance in the sorted cases.
    public var tallies: [SuiteTally] {
        var order: [String] = []
        var byKey: [String: SuiteTally] = [:]
        for c in cases {
            let key = c.suite + "\u{0}" + c.executor
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = SuiteTally(suite: c.suite, executor: c.executor)
            }
            byKey[key]?.add(c.status)
        }
        return order.compactMap { byKey[$0] }
    }

    /// Counts over every case.
    public var totals: SuiteTally {
        var t = SuiteTally(suite: "all", executor: "all")
        for c in cases { t.add(c.status) }
        return t
    }

    /// Cases that failed or could not run, in order.
    public var problems: [CaseResult] { cases.filter { $0.status == .fail || $0.status == .error } }
}

/// Where, when and how a run happened: what a reader needs to judge or reproduce its numbers.
public struct RunEnvironment: Codable, Sendable, Equatable {
    /// Logical processors the process could use.
    public var cores: Int
    /// `model name` from /proc/cpuinfo, or "unknown".
    public var cpuModel: String
    /// `git rev-parse HEAD` of the checkout, or "unknown".
    public var commit: String
    /// Seed of every generated workload and of the order of mixed blocks.
    public var seed: UInt64
    /// ISO 8601, UTC.
    public var date: String
    /// The command line that produced the run (for a merge: the merge command).
    public var command: String
    /// Thread counts the parallel executors ran with.
    public var threads: [Int]
    public var executors: [String]
    /// Timed rounds per workload (each runs serial and every executor and thread count once), after one untimed
    /// warm-up run; the median is reported. With `minimumTimedSeconds`, the least number of them.
    public var repetitions: Int
    /// Workloads faster than this got more rounds, up to ten times `repetitions`: as many as took about this long per
    /// executor; nil (reports from before) or 0: every workload got `repetitions` rounds.
    public var minimumTimedSeconds: Double?
    /// At most this many times `repetitions` rounds (`minimumTimedSeconds`).
    public static let maximumRoundsFactor = 10
    /// The shards this report covers (one for a shard's own run, all of them after a merge); nil when unsharded.
    public var shards: [Shard]?
    /// Build configuration of the binary (`release` or `debug`): debug timings are not comparable.
    public var build: String
    /// How the intervals of this run's figures were resampled; nil in reports from before intervals.
    public var bootstrap: BootstrapSettings?
    /// The memory allocator the process ran with (`mimalloc 2.0.9`, `glibc malloc`): it moves every timing, serial and
    /// parallel alike; nil in reports from before it was recorded.
    public var allocator: String?
    /// The cross-core round trip (`CrossCoreLatency`) at the start and at the end of the run: every hand-off between two
    /// threads costs about half of it, so the parallel executors' ratios move with it where the serial time does not;
    /// nil with one processor, where it could not be measured, in a merge of several shards' reports (each measured its
    /// own machine), or in reports from before it was recorded.
    public var crossCoreRoundTrip: CrossCoreRoundTrip?

    /// Two `CrossCoreLatency` measurements between the same two processors.
    public struct CrossCoreRoundTrip: Codable, Sendable, Equatable {
        public var processors: [Int]
        public var startNanoseconds: Double
        /// Nil where the measurement after the run failed.
        public var endNanoseconds: Double?

        public init(processors: [Int], startNanoseconds: Double, endNanoseconds: Double? = nil) {
            self.processors = processors; self.startNanoseconds = startNanoseconds; self.endNanoseconds = endNanoseconds
        }

        /// The lowest and highest of the measurements.
        public var range: ClosedRange<Double> {
            let end = endNanoseconds ?? startNanoseconds
            return min(startNanoseconds, end)...max(startNanoseconds, end)
        }

        /// Whether the start and the end differ by more than `CrossCoreLatency.placementFactor`: the placement changed
        /// during the run.
        public var changedDuringRun: Bool { CrossCoreLatency.spansPlacements(range) }

        /// Why parallel figures measured under `self` and under `other` (the baseline) do not compare, as `58-77 ns in the
        /// baseline, 450-452 ns in this run` (their measurements together span more than
        /// `CrossCoreLatency.placementFactor`), or nil when they do.
        public func placementDifference(from other: CrossCoreRoundTrip) -> String? {
            let a = range, b = other.range
            guard CrossCoreLatency.spansPlacements(min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)) else {
                return nil
            }
            return "\(other.span) in the baseline, \(span) in this run"
        }

        /// `58 ns` or `58-451 ns`.
        var span: String {
            let lo = Int(range.lowerBound.rounded()), hi = Int(range.upperBound.rounded())
            return lo == hi ? "\(lo) ns" : "\(lo)-\(hi) ns"
        }

        /// `392 ns at the start, 447 ns at the end (processors 0 and 1)`, and where the two span two placements
        /// (`changedDuringRun`), `; the placement changed during the run`.
        public var description: String {
            func ns(_ x: Double) -> String { "\(Int(x.rounded())) ns" }
            let between = processors.map(String.init).joined(separator: " and ")
            return ns(startNanoseconds) + " at the start" + (endNanoseconds.map { ", " + ns($0) + " at the end" } ?? "")
                + " (processors \(between))" + (changedDuringRun ? "; the placement changed during the run" : "")
        }
    }

    public init(cores: Int, cpuModel: String, commit: String, seed: UInt64, date: String, command: String,
                threads: [Int], executors: [String], repetitions: Int, shards: [Shard]? = nil, build: String) {
        self.cores = cores; self.cpuModel = cpuModel; self.commit = commit; self.seed = seed; self.date = date
        self.command = command; self.threads = threads; self.executors = executors; self.repetitions = repetitions
        self.shards = shards; self.build = build
    }

    /// `cores x cpuModel`: two runs whose machines differ here do not compare absolute throughput.
    public var machine: String { "\(cores) x \(cpuModel)" }
}

/// The verdict on one case.
public enum CaseStatus: String, Codable, Sendable, Equatable, CaseIterable {
    /// Ran, and every check held.
    case pass
    /// Ran, and a check failed (a root, gas, receipts, or a mismatch between executors).
    case fail
    /// Could not run: bad input (malformed vector, missing field) or an executor crash reported as an error.
    case error
    /// Deliberately not run (unsupported fork, skip list), with the reason.
    case skip
}

/// One case under one executor and thread count: what the correctness section lists.
public struct CaseResult: Codable, Sendable, Equatable {
    /// `statetest`, `blocks` or `generated`, optionally `:<source>`: what the report groups counts by.
    public var suite: String
    /// The case's name within its suite (a state test's `file:test:fork:dIgJvK`, a block's name).
    public var name: String
    /// `serial` for the reference, the parallel executor's name otherwise.
    public var executor: String
    /// Worker threads; 1 for serial executors.
    public var threads: Int
    public var fork: String
    public var status: CaseStatus
    /// Why it failed, errored or was skipped; nil when it passed.
    public var message: String?
    /// What the vector expects, or for a comparison between executors the serial executor's outcome.
    public var expected: OutcomeSummary?
    public var actual: OutcomeSummary?
    /// Where this executor first parted from the serial one; nil when they agree or no comparison ran.
    public var divergence: Divergence?
    /// A shell command that runs this case alone.
    public var reproduce: String?

    public init(suite: String, name: String, executor: String, threads: Int = 1, fork: String, status: CaseStatus,
                message: String? = nil, expected: OutcomeSummary? = nil, actual: OutcomeSummary? = nil,
                divergence: Divergence? = nil, reproduce: String? = nil) {
        self.suite = suite; self.name = name; self.executor = executor; self.threads = threads; self.fork = fork
        self.status = status; self.message = message; self.expected = expected; self.actual = actual
        self.divergence = divergence; self.reproduce = reproduce
    }

    /// Identifies the case across runs (what the gate matches a baseline's cases by).
    public var id: String { "\(suite) | \(name) | \(executor) | \(threads)" }

    /// Canonical order: suite, name, executor (serial first), threads.
    public var sortKey: SortKey { SortKey(suite: suite, name: name, executorRank: executor == "serial" ? 0 : 1,
                                          executor: executor, threads: threads) }

    /// The comparable parts of `sortKey`.
    public struct SortKey: Comparable, Sendable {
        var suite: String, name: String, executorRank: Int, executor: String, threads: Int
        public static func < (l: SortKey, r: SortKey) -> Bool {
            (l.suite, l.name, l.executorRank, l.executor, l.threads) < (r.suite, r.name, r.executorRank, r.executor, r.threads)
        }
    }
}

/// Roots, gas and receipts of an outcome, as hex strings; fields a vector does not state stay nil.
public struct OutcomeSummary: Codable, Sendable, Equatable {
    public var stateRoot: String?
    public var receiptsRoot: String?
    public var logsHash: String?
    public var gasUsed: UInt64?
    /// Per included transaction, in block order.
    public var receipts: [ReceiptSummary]?
    /// Indexes and reasons of transactions left out of the block.
    public var rejected: [RejectedSummary]?

    public init(stateRoot: String? = nil, receiptsRoot: String? = nil, logsHash: String? = nil, gasUsed: UInt64? = nil,
                receipts: [ReceiptSummary]? = nil, rejected: [RejectedSummary]? = nil) {
        self.stateRoot = stateRoot; self.receiptsRoot = receiptsRoot; self.logsHash = logsHash; self.gasUsed = gasUsed
        self.receipts = receipts; self.rejected = rejected
    }
}

/// One receipt, reduced to what tells two executions apart at a glance.
public struct ReceiptSummary: Codable, Sendable, Equatable {
    /// The transaction's index in the block (rejected transactions keep their index, so gaps are possible).
    public var index: Int
    public var success: Bool
    public var gasUsed: UInt64
    public var cumulativeGasUsed: UInt64
    public var logs: Int

    public init(index: Int, success: Bool, gasUsed: UInt64, cumulativeGasUsed: UInt64, logs: Int) {
        self.index = index; self.success = success; self.gasUsed = gasUsed
        self.cumulativeGasUsed = cumulativeGasUsed; self.logs = logs
    }
}

/// A transaction the executor did not include.
public struct RejectedSummary: Codable, Sendable, Equatable {
    public var index: Int
    public var error: String
    public init(index: Int, error: String) { self.index = index; self.error = error }
}

/// The first place where an executor's outcome leaves the serial executor's.
public struct Divergence: Codable, Sendable, Equatable {
    /// The executor compared against (`serial`).
    public var reference: String
    /// Index of the first transaction whose receipt or inclusion differs; nil when every receipt agrees and only the
    /// post-state differs.
    public var firstTransaction: Int?
    /// What differs in that transaction (`status 1 vs 0`, `gas 21000 vs 23000`, ...).
    public var transactionDetail: String?
    /// The outcome fields that differ (`stateRoot`, `receiptsRoot`, `logsHash`, `gasUsed`, `rejected`, `receipts`,
    /// `postState`, ...).
    public var fields: [String]
    /// Every account field and storage slot that differs, sorted by address then field (at most a limit).
    public var stateDiff: [StateDiffEntry]
    /// Differing entries left out of `stateDiff`.
    public var stateDiffOmitted: Int
    /// The first transaction whose EIP-3155 traces differ between the two executors, diffed, and the one-line command
    /// that writes both traces and diffs them; nil when no traces were taken.
    public var traceDiff: TransactionTraceDiff?

    public init(reference: String, firstTransaction: Int?, transactionDetail: String?, fields: [String] = [],
                stateDiff: [StateDiffEntry], stateDiffOmitted: Int = 0, traceDiff: TransactionTraceDiff? = nil) {
        self.reference = reference; self.firstTransaction = firstTransaction; self.transactionDetail = transactionDetail
        self.fields = fields; self.stateDiff = stateDiff; self.stateDiffOmitted = stateDiffOmitted
        self.traceDiff = traceDiff
    }
}

/// One differing state location: both values, `absent` where the account does not exist on that side.
public struct StateDiffEntry: Codable, Sendable, Equatable {
    public var address: String
    /// `exists`, `nonce`, `balance`, `codeHash` or `storage[<slot>]`.
    public var field: String
    /// The reference (serial) executor's value.
    public var expected: String
    public var actual: String

    public init(address: String, field: String, expected: String, actual: String) {
        self.address = address; self.field = field; self.expected = expected; self.actual = actual
    }
}

/// Pass, fail, error and skip counts of one suite under one executor.
public struct SuiteTally: Codable, Sendable, Equatable {
    public var suite: String
    public var executor: String
    public var pass = 0
    public var fail = 0
    public var error = 0
    public var skip = 0

    public init(suite: String, executor: String) { self.suite = suite; self.executor = executor }

    public mutating func add(_ status: CaseStatus) {
        switch status {
        case .pass: pass += 1
        case .fail: fail += 1
        case .error: error += 1
        case .skip: skip += 1
        }
    }

    public var total: Int { pass + fail + error + skip }
    /// `N passed, M failed, E errors, K skipped`.
    public var line: String { "\(pass) passed, \(fail) failed, \(error) errors, \(skip) skipped" }
}

/// Timing and parallelism of one block workload: the performance section's row group.
public struct WorkloadPerformance: Codable, Sendable, Equatable {
    public var suite: String
    public var name: String
    public var transactions: Int
    public var gasUsed: UInt64
    /// Share of transactions that touch the workload's hot state (a generator knob); nil when the workload does not
    /// state one.
    public var hotRatio: Double?
    /// Share of transactions that read a location an earlier transaction of the block wrote (serial read/write
    /// sets): the measured counterpart of `hotRatio`.
    public var dependentShare: Double
    /// Serial execution time (median of the timed rounds), seconds.
    public var serialSeconds: Double
    /// Summed per-transaction serial time on the heaviest read-after-write chain, seconds.
    public var criticalPathSeconds: Double
    /// Total per-transaction time / critical-path time: the speedup no thread count can beat (before capping by
    /// threads).
    public var parallelismBound: Double
    /// The same bound with gas as the work measure (deterministic, but blind to what gas does not price); nil when
    /// not measured.
    public var parallelismBoundGas: Double?
    public var serialMgasPerSecond: Double
    /// One entry per (parallel executor, thread count).
    public var runs: [ParallelRun]
    /// Every timed serial run, seconds, in round order; nil in reports from before samples were kept.
    public var serialSamples: [Double]?
    /// Bootstrap interval of `serialMgasPerSecond`.
    public var serialMgasInterval: ConfidenceInterval?
    /// Where the time of each parallel executor went, and which locations it contended on; nil when not profiled.
    public var profiles: [ExecutionProfile]?

    public init(suite: String, name: String, transactions: Int, gasUsed: UInt64, hotRatio: Double?,
                dependentShare: Double, serialSeconds: Double, criticalPathSeconds: Double, parallelismBound: Double,
                parallelismBoundGas: Double? = nil, serialMgasPerSecond: Double, runs: [ParallelRun]) {
        self.suite = suite; self.name = name; self.transactions = transactions; self.gasUsed = gasUsed
        self.hotRatio = hotRatio; self.dependentShare = dependentShare; self.serialSeconds = serialSeconds
        self.criticalPathSeconds = criticalPathSeconds; self.parallelismBound = parallelismBound
        self.parallelismBoundGas = parallelismBoundGas; self.serialMgasPerSecond = serialMgasPerSecond; self.runs = runs
    }

    /// Identifies the workload across runs.
    public var id: String { "\(suite) | \(name)" }
}

/// One parallel executor at one thread count on one workload.
public struct ParallelRun: Codable, Sendable, Equatable {
    public var executor: String
    public var threads: Int
    /// Median of the timed rounds, seconds.
    public var seconds: Double
    /// The median of the rounds' ratios serialSamples[r] / samples[r] (`Bootstrap.pairedRatio`).
    public var speedup: Double
    /// min(threads, parallelismBound): the critical-path bound at this thread count.
    public var idealSpeedup: Double
    /// speedup / idealSpeedup.
    public var efficiency: Double
    /// Re-executions (incarnations beyond the first) per transaction.
    public var reExecutionsPerTransaction: Double
    /// Failed validations / validations; 0 when nothing was validated.
    public var abortRate: Double
    public var mgasPerSecond: Double
    /// True when the executor chose to run this block serially.
    public var ranSerially: Bool
    /// Every timed run, seconds, in round order; nil in reports from before samples were kept.
    public var samples: [Double]?
    /// The serial runs of the same rounds (`serialSamples[r]` and `samples[r]` ran back to back), seconds.
    public var serialSamples: [Double]?
    /// Bootstrap intervals (`RunEnvironment.bootstrap`) of `speedup` (rounds resampled in pairs) and `mgasPerSecond`.
    public var speedupInterval: ConfidenceInterval?
    public var mgasInterval: ConfidenceInterval?

    public init(executor: String, threads: Int, seconds: Double, speedup: Double, idealSpeedup: Double,
                efficiency: Double, reExecutionsPerTransaction: Double, abortRate: Double, mgasPerSecond: Double,
                ranSerially: Bool) {
        self.executor = executor; self.threads = threads; self.seconds = seconds; self.speedup = speedup
        self.idealSpeedup = idealSpeedup; self.efficiency = efficiency
        self.reExecutionsPerTransaction = reExecutionsPerTransaction; self.abortRate = abortRate
        self.mgasPerSecond = mgasPerSecond; self.ranSerially = ranSerially
    }
}

/// The gate's verdict: passed, and every reason it gave.
public struct GateDecision: Codable, Sendable, Equatable {
    public var passed: Bool
    /// The baseline's run ID and path; nil when the run was not compared with one.
    public var baseline: String?
    /// Noise floors, interval width and resampling the performance figures were judged with; nil in version 1 files.
    public var settings: GateSettings?
    /// Failing reasons first, then notes; empty when there is nothing to say.
    public var findings: [GateFinding]
    /// How many baseline cases and performance figures were compared.
    public var comparedCases: Int
    public var comparedFigures: Int

    public init(passed: Bool, baseline: String?, settings: GateSettings? = nil, findings: [GateFinding],
                comparedCases: Int, comparedFigures: Int) {
        self.passed = passed; self.baseline = baseline; self.settings = settings
        self.findings = findings; self.comparedCases = comparedCases; self.comparedFigures = comparedFigures
    }

    /// `PASS` or `FAIL` and the number of failing reasons.
    public var headline: String {
        let failing = findings.filter(\.fails).count
        return passed ? "PASS" : "FAIL (\(failing) reason\(failing == 1 ? "" : "s"))"
    }
}

/// One reason of the gate: a failure or a note.
public struct GateFinding: Codable, Sendable, Equatable {
    /// What kind of finding this is.
    public enum Kind: String, Codable, Sendable, Equatable {
        /// Cases that fail or error in this run.
        case failures
        /// A case that passed in the baseline and fails now.
        case correctnessRegression
        /// A speedup whose change's interval lies wholly below minus its noise floor.
        case speedupRegression
        /// A throughput (Mgas/s) whose change's interval lies wholly below minus its floor, same machine only.
        case throughputRegression
        /// The run's total serial wall clock, whose change's interval lies wholly above its floor, same machine only.
        case wallClockRegression
        /// A figure whose change's interval is wider than the gate's limit: neither pass nor fail.
        case notMeasurable
        /// Information that does not fail the run.
        case note
    }

    public var kind: Kind
    /// The case or workload it concerns.
    public var subject: String
    public var detail: String
    public var baselineValue: Double?
    public var currentValue: Double?
    /// The change's bootstrap interval, percent of the baseline's value (`current / baseline - 1`).
    public var changeInterval: ConfidenceInterval?

    public init(kind: Kind, subject: String, detail: String, baselineValue: Double? = nil, currentValue: Double? = nil,
                changeInterval: ConfidenceInterval? = nil) {
        self.kind = kind; self.subject = subject; self.detail = detail
        self.baselineValue = baselineValue; self.currentValue = currentValue; self.changeInterval = changeInterval
    }

    public var fails: Bool { kind != .note && kind != .notMeasurable }

    /// `FAIL`, `not measurable` or `note`.
    public var label: String { fails ? "FAIL" : kind == .notMeasurable ? "not measurable" : "note" }

    /// One line: `FAIL kind: subject: detail`, `not measurable: subject: detail` or `note: subject: detail`.
    public var line: String { fails ? "\(label) \(kind.rawValue): \(subject): \(detail)" : "\(label): \(subject): \(detail)" }
}
