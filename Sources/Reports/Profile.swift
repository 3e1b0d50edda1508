/// Where one parallel executor's time went on one block, and which state locations it contended on (from the
/// executor's per-worker counters of its warm-up run; see `BlockProfile` in `Execution`).
public struct ExecutionProfile: Codable, Sendable, Equatable {
    public var executor: String
    public var threads: Int
    /// Seconds summed over workers, per phase: `execution` (first incarnations), `reExecution` (later incarnations),
    /// `validation`, `commit`, `roots`, and `serial` (work run on the serial path: the adaptive policy's fallback).
    public var phases: [PhaseTime]
    /// The most contended locations, most first (ties by location), at most `ExecutionProfile.topLocations`.
    public var contended: [ContendedLocation]

    /// How many contended locations a profile keeps.
    public static let topLocations = 10

    public init(executor: String, threads: Int, phases: [PhaseTime], contended: [ContendedLocation]) {
        self.executor = executor; self.threads = threads; self.phases = phases; self.contended = contended
    }

    /// Summed seconds of all phases.
    public var total: Double { phases.reduce(0) { $0 + $1.seconds } }
}

/// One phase's time.
public struct PhaseTime: Codable, Sendable, Equatable {
    public var phase: String
    public var seconds: Double
    public init(phase: String, seconds: Double) { self.phase = phase; self.seconds = seconds }
}

/// One account field or storage slot and how often it made work wasted or wait.
public struct ContendedLocation: Codable, Sendable, Equatable {
    /// `0x<address> balance|nonce|code|storage[0x<slot>]`.
    public var location: String
    /// Validations that failed on this location (the transaction re-executes).
    public var failedValidations: Int
    /// Reads that found an ESTIMATE here (the transaction waited on a lower one).
    public var blockedReads: Int

    public init(location: String, failedValidations: Int, blockedReads: Int) {
        self.location = location; self.failedValidations = failedValidations; self.blockedReads = blockedReads
    }

    public var total: Int { failedValidations + blockedReads }
}

/// One run's speedups, for the history chart.
public struct HistoryRun: Codable, Sendable, Equatable {
    public var runID: String
    public var date: String
    /// Commit of the checkout that ran it.
    public var commit: String
    /// Every parallel figure at that run's highest thread count, sorted by workload, executor.
    public var speedups: [HistorySpeedup]

    public init(runID: String, date: String, commit: String, speedups: [HistorySpeedup]) {
        self.runID = runID; self.date = date; self.commit = commit; self.speedups = speedups
    }

    /// The entry of `report`: its speedups at its highest thread count.
    public init(_ report: RunReport) {
        let top = report.environment.threads.max() ?? 1
        var out: [HistorySpeedup] = []
        for w in report.workloads {
            for run in w.runs where run.threads == top {
                out.append(HistorySpeedup(workload: w.id, executor: run.executor, threads: run.threads, speedup: run.speedup))
            }
        }
        out.sort { ($0.workload, $0.executor) < ($1.workload, $1.executor) }
        self.init(runID: report.runID, date: report.environment.date, commit: report.environment.commit, speedups: out)
    }
}

/// One speedup of a past run.
public struct HistorySpeedup: Codable, Sendable, Equatable {
    /// `WorkloadPerformance.id` (`suite | name`).
    public var workload: String
    public var executor: String
    public var threads: Int
    public var speedup: Double

    public init(workload: String, executor: String, threads: Int, speedup: Double) {
        self.workload = workload; self.executor = executor; self.threads = threads; self.speedup = speedup
    }
}
