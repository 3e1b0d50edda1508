import Execution
import Vectors

/// One row of a block run: a (case, executor, thread count) triple, or a vector that failed to load.
/// This is what `lockstep blocks --json` prints (one object per line) and what reports consume; hashes are
/// `0x` hex strings, times nanoseconds.
public struct BlockRunResult: Codable, Sendable, Equatable {
    /// The vector's name (its path relative to the directory argument).
    public var name: String
    /// The fork the block ran under (`Cancun`); empty for a load error.
    public var fork: String
    /// `serial` or `blockstm`; empty for a load error.
    public var executor: String
    /// Worker threads (1 for serial, 0 for a load error).
    public var threads: Int
    /// What the runner decided: passed, failed (the problems), error (the vector did not load, the tool gave no
    /// outcome) or skipped (an unsupported fork). `pass` and `error` mirror it for readers of the JSON lines.
    public var status: RunStatus {
        didSet { pass = status.isPassed; error = status.reason }
    }
    /// Whether `status` is `passed`.
    public private(set) var pass: Bool
    public var stateRoot: String?
    public var receiptsRoot: String?
    public var logsHash: String?
    public var gasUsed: UInt64?
    /// Transactions the executor rejected, with its reasons.
    public var rejected: [RejectedTransaction]?
    /// Whether everything equals the serial run (roots, gas, rejected list, receipts, full post-state);
    /// nil for the serial row itself and when nothing ran.
    public var matchesSerial: Bool?
    /// Whether the fields the vector's `expected` states match; nil when it has none.
    public var matchesExpected: Bool?
    /// `status`'s reason (every problem, `; `-separated, or why nothing ran); nil when the row passed.
    public private(set) var error: String?
    /// Where this executor first departed from the serial run; nil when it did not.
    public var divergence: BlockDivergence?
    public var timing: BlockTiming?
    public var metrics: BlockRunMetrics?
    /// The block's size and dependency structure, from the serial run.
    public var block: BlockStatistics?
    /// The stress re-runs (`--stress N`) of a parallel executor; nil when none were asked for.
    public var stress: BlockStressSummary?

    public init(name: String, fork: String, executor: String, threads: Int, status: RunStatus, stateRoot: String? = nil,
                receiptsRoot: String? = nil, logsHash: String? = nil, gasUsed: UInt64? = nil,
                rejected: [RejectedTransaction]? = nil, matchesSerial: Bool? = nil, matchesExpected: Bool? = nil,
                divergence: BlockDivergence? = nil, timing: BlockTiming? = nil,
                metrics: BlockRunMetrics? = nil, block: BlockStatistics? = nil, stress: BlockStressSummary? = nil) {
        self.name = name; self.fork = fork; self.executor = executor; self.threads = threads; self.status = status
        self.pass = status.isPassed; self.error = status.reason
        self.stateRoot = stateRoot; self.receiptsRoot = receiptsRoot; self.logsHash = logsHash; self.gasUsed = gasUsed
        self.rejected = rejected; self.matchesSerial = matchesSerial; self.matchesExpected = matchesExpected
        self.divergence = divergence; self.timing = timing; self.metrics = metrics
        self.block = block; self.stress = stress
    }
}

/// Wall time of one executor on one block: the median of `runs` timed runs after one warm-up run, timed in rounds
/// interleaved with the serial executor's (`Timing.interleavedRounds`: serial, then each executor under test).
public struct BlockTiming: Codable, Sendable, Equatable {
    public var runs: Int
    public var medianNanoseconds: UInt64
    public var minNanoseconds: UInt64
    public var maxNanoseconds: UInt64
    /// The median of the rounds' ratios serial time / this time (`Timing.pairedRatio`; 1 for the serial row); nil when
    /// serial was not timed.
    public var speedup: Double?
    /// Every timed run, in round order (nanoseconds).
    public var samples: [UInt64]?
    /// The serial executor's runs of the same rounds, in round order (nil for the serial row itself): `samples[r]`
    /// and `serialSamples[r]` ran back to back.
    public var serialSamples: [UInt64]?

    public init(runs: Int, medianNanoseconds: UInt64, minNanoseconds: UInt64, maxNanoseconds: UInt64, speedup: Double? = nil,
                samples: [UInt64]? = nil, serialSamples: [UInt64]? = nil) {
        self.runs = runs; self.medianNanoseconds = medianNanoseconds; self.minNanoseconds = minNanoseconds
        self.maxNanoseconds = maxNanoseconds; self.speedup = speedup; self.samples = samples; self.serialSamples = serialSamples
    }
}

/// The executor's own counters (`ExecutionMetrics`) from the warm-up run.
public struct BlockRunMetrics: Codable, Sendable, Equatable {
    public var executions: Int
    public var reExecutions: Int
    public var validations: Int
    public var failedValidations: Int
    public var blockedReads: Int
    /// True when a parallel executor chose to run the block serially.
    public var ranSerially: Bool
    /// Why Block-STM's adaptive policy ran the block (or its rest) serially: rule, probe, hot run, limit.
    public var serialReason: SerialReason?
    /// The transactions the adaptive policy ran serially before deciding (nil: none).
    public var probedTransactions: Int?
    /// What the serial probe saw and predicted when it decided.
    public var probe: ProbeEstimate?
    /// Where the parallel run's time went and its most contended locations (Block-STM); nil for other executors.
    public var profile: BlockProfile?

    public init(_ m: ExecutionMetrics) {
        executions = m.executions; reExecutions = m.reExecutions; validations = m.validations
        failedValidations = m.failedValidations; blockedReads = m.blockedReads; ranSerially = m.ranSerially
        serialReason = m.serialReason; probedTransactions = m.probedTransactions > 0 ? m.probedTransactions : nil
        probe = m.probe
        profile = m.profile
    }
}

/// Size and dependency structure of a block, from the serial run's access sets (see `DependencyGraph`).
public struct BlockStatistics: Codable, Sendable, Equatable {
    public var transactions: Int
    /// Transactions included (not rejected).
    public var included: Int
    /// Gas used by the block.
    public var gas: UInt64
    /// Share of transactions that read a location a lower transaction wrote.
    public var conflictRate: Double
    /// Read-after-write dependency edges.
    public var dependencies: Int
    /// The heaviest dependency chain by gas used, and its share bound: gas / critical-path gas.
    public var criticalPathGas: UInt64
    /// The heaviest dependency chain by measured serial time per transaction (from the median serial run).
    public var criticalPathNanoseconds: UInt64
    /// Summed serial time of the transactions (the critical path's counterpart).
    public var totalTransactionNanoseconds: UInt64
    /// min(threads of this row, gas / critical-path gas).
    public var idealSpeedupGas: Double
    /// min(threads of this row, total time / critical-path time).
    public var idealSpeedupTime: Double

    public init(transactions: Int, included: Int, gas: UInt64, conflictRate: Double, dependencies: Int,
                criticalPathGas: UInt64, criticalPathNanoseconds: UInt64, totalTransactionNanoseconds: UInt64,
                idealSpeedupGas: Double, idealSpeedupTime: Double) {
        self.transactions = transactions; self.included = included; self.gas = gas; self.conflictRate = conflictRate
        self.dependencies = dependencies; self.criticalPathGas = criticalPathGas
        self.criticalPathNanoseconds = criticalPathNanoseconds; self.totalTransactionNanoseconds = totalTransactionNanoseconds
        self.idealSpeedupGas = idealSpeedupGas; self.idealSpeedupTime = idealSpeedupTime
    }
}

/// How an executor's outcome differs from the serial one.
public struct BlockDivergence: Codable, Sendable, Equatable {
    /// The outcome fields that differ: `stateRoot`, `receiptsRoot`, `logsHash`, `logsBloom`, `gasUsed`,
    /// `blobGasUsed`, `rejected`, `receipts`, `postState`.
    public var fields: [String]
    /// The first transaction whose result (included or rejected, receipt) differs; nil when every transaction's
    /// result agrees and only the state does not.
    public var firstTransaction: Int?
    /// What that transaction got from each executor.
    public var transactionDetail: String?
    /// Differing account fields and storage slots, sorted by address then field; at most `stateDiffLimit` entries.
    public var stateDiff: [StateDifference]
    /// Differences left out of `stateDiff`.
    public var stateDiffOmitted: Int
    /// The first transaction whose EIP-3155 traces differ, diffed, with the command that reproduces it; nil until
    /// the runner re-runs the divergent block with tracing (it does only on a mismatch).
    public var traceDiff: TransactionTraceDiff?

    public init(fields: [String], firstTransaction: Int? = nil, transactionDetail: String? = nil,
                stateDiff: [StateDifference] = [], stateDiffOmitted: Int = 0, traceDiff: TransactionTraceDiff? = nil) {
        self.fields = fields; self.firstTransaction = firstTransaction; self.transactionDetail = transactionDetail
        self.stateDiff = stateDiff; self.stateDiffOmitted = stateDiffOmitted; self.traceDiff = traceDiff
    }
}

/// One account field or storage slot whose post-state value differs between two executors.
public struct StateDifference: Codable, Sendable, Equatable {
    public var address: String
    /// `exists`, `nonce`, `balance`, `codeHash` or `storage`.
    public var field: String
    /// The slot, for `storage`.
    public var slot: String?
    /// The serial executor's value (`absent` for a missing account).
    public var serial: String
    /// The executor under test's value.
    public var actual: String

    public init(address: String, field: String, slot: String? = nil, serial: String, actual: String) {
        self.address = address; self.field = field; self.slot = slot; self.serial = serial; self.actual = actual
    }
}

/// Stress re-runs of a parallel executor: run k uses `StressOptions(seed: baseSeed + k)`.
public struct BlockStressSummary: Codable, Sendable, Equatable {
    public var runs: Int
    public var baseSeed: UInt64
    /// Seeds whose run differed from the serial one.
    public var failedSeeds: [UInt64]

    public init(runs: Int, baseSeed: UInt64, failedSeeds: [UInt64] = []) {
        self.runs = runs; self.baseSeed = baseSeed; self.failedSeeds = failedSeeds
    }
}

/// Totals over block results: `N passed, M failed`, the last line of `lockstep blocks`.
public struct BlockRunSummary: Sendable, Equatable, CustomStringConvertible {
    public var passed = 0
    public var failed = 0

    public init(_ results: [BlockRunResult]) {
        for r in results { if r.pass { passed += 1 } else { failed += 1 } }
    }

    public var description: String { "\(passed) passed, \(failed) failed" }
}
