import Foundation
import Synchronization
import EVMPrimitives
import Execution
import Reports
import Vectors
import Workloads

/// What one `lockstep run` runs: vector files, block workloads, executors, thread counts, and the run's knobs.
public struct RunPlan: Sendable {
    /// State-test files (each a unit of sharding: its cases load together).
    public var stateTestSources: [VectorSource]
    /// Block vectors and generated blocks (each a unit of sharding: its executors are timed together).
    public var workloads: [WorkloadSource]
    /// Always includes `serial` (the reference), first.
    public var executors: [ExecutorChoice]
    public var threads: [Int]
    /// Timed runs per (block, executor, threads), after one untimed warm-up run; short blocks get more
    /// (`minimumTimedMilliseconds`).
    public var repetitions: Int
    /// Blocks faster than this get more timed rounds, up to `RunEnvironment.maximumRoundsFactor` times `repetitions`: as many as take about this
    /// long per configuration (`BlockRunner.minimumTimedNanoseconds`); 0: exactly `repetitions`.
    public var minimumTimedMilliseconds = RunPlan.defaultMinimumTimedMilliseconds
    public var seed: UInt64
    /// Extra runs of each parallel execution under seeded scheduling perturbation (`StressOptions`); 0 for none.
    public var stressRuns: Int
    /// Only cases (state tests) and workloads whose name matches.
    public var filter: NamePattern?
    public var skipList: SkipList
    /// Mainnet blocks (`WorkloadSource.mainnet`) skipped by file name, with the reason (`Vectors/mainnet-skip.txt`).
    public var mainnetSkipList = SkipList()
    public var shard: Shard?
    /// Threads that run state-test files side by side (block workloads run one at a time, for clean timings).
    public var stateTestThreads: Int
    /// Builds the one-line command that reproduces a case: (workload, executor, threads) -> command.
    public var reproduceWorkload: @Sendable (WorkloadSource, String, Int) -> String

    public init(stateTestSources: [VectorSource] = [], workloads: [WorkloadSource] = [],
                executors: [ExecutorChoice] = [.serial, .blockstm], threads: [Int] = RunPlan.defaultThreads(),
                repetitions: Int = RunPlan.defaultRepetitions, seed: UInt64 = RunPlan.defaultSeed, stressRuns: Int = 0, filter: NamePattern? = nil,
                skipList: SkipList = SkipList(), shard: Shard? = nil,
                stateTestThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
                reproduceWorkload: @escaping @Sendable (WorkloadSource, String, Int) -> String = Reproduce.workload) {
        self.stateTestSources = stateTestSources; self.workloads = workloads
        self.executors = [.serial] + executors.filter { $0 != .serial }
        self.threads = threads; self.repetitions = max(1, repetitions); self.seed = seed
        self.stressRuns = max(0, stressRuns); self.filter = filter
        self.skipList = skipList; self.shard = shard; self.stateTestThreads = max(1, stateTestThreads)
        self.reproduceWorkload = reproduceWorkload
    }

    /// `minimumTimedMilliseconds` in nanoseconds.
    var minimumTimedNanoseconds: UInt64 { UInt64(max(0, minimumTimedMilliseconds) * 1e6) }

    /// The default seed of generated workloads.
    public static let defaultSeed: UInt64 = 20_240_601

    /// Timed runs per (block, executor, threads) by default.
    public static let defaultRepetitions = 5
    /// Timed time per configuration that short blocks are given more rounds to reach, by default: with 5 rounds
    /// the default suite's blocks of 0.1-1 ms put Block-STM's serially run blocks anywhere in 0.9-1.05x of serial
    /// (`BlockRunner.minimumTimedNanoseconds`). It adds about 3 s of timed runs to the default suite's 11.
    public static let defaultMinimumTimedMilliseconds = 20.0

    /// Powers of two from 2 below the core count, and the core count: 2 on two cores; 2, 4, 8 on eight; 1 on one.
    /// One thread is left out: serial is the one-thread point of every speedup (and Block-STM's adaptive policy runs a
    /// one-thread block serially anyway); ask for `--threads 1,...` to measure Block-STM's own one-thread overhead.
    public static func defaultThreads(cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Int] {
        guard cores > 1 else { return [1] }
        var out: [Int] = []
        var t = 2
        while t < cores { out.append(t); t *= 2 }
        out.append(cores)
        return out
    }

    /// The state-test files this shard runs.
    public var ownedSources: [VectorSource] {
        stateTestSources.filter { shard?.owns("statetest:" + $0.name) ?? true }
    }

    /// The workloads this shard runs (after the filter).
    public var ownedWorkloads: [WorkloadSource] {
        workloads.filter { w in
            (shard?.owns(w.suite + ":" + w.name) ?? true) && (filter?.matches(w.name) ?? true)
        }
    }
}

/// Progress of a run: units (vector files, workloads) done out of all, and failing cases so far.
public struct RunProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    public var failures: Int
    public init(done: Int, total: Int, failures: Int) { self.done = done; self.total = total; self.failures = failures }
}

/// Runs a plan and builds its `RunReport` (gate not yet applied).
public enum SuiteRunner {
    /// State tests first (files side by side on `stateTestThreads` threads), then each workload alone so that its
    /// timings see an idle process. `progress` is called after every unit, from worker threads.
    public static func run(_ plan: RunPlan, environment: RunEnvironment, runID: String,
                           progress: (@Sendable (RunProgress) -> Void)? = nil) -> RunReport {
        let sources = plan.ownedSources
        let workloads = plan.ownedWorkloads
        let total = sources.count + workloads.count
        let tally = Mutex((done: 0, failures: 0))
        let report = { @Sendable (failures: Int) in
            let now = tally.withLock { t in
                t.done += 1; t.failures += failures
                return RunProgress(done: t.done, total: total, failures: t.failures)
            }
            progress?(now)
        }

        var cases = runStateTests(sources, plan: plan, onFile: report)
        var performance: [WorkloadPerformance] = []
        // One block at a time, so that its timings see an otherwise idle process.
        for w in workloads {
            let r = runWorkload(w, plan: plan)
            cases += r.cases
            if let p = r.performance { performance.append(p) }
            report(r.cases.filter { $0.status == .fail || $0.status == .error }.count)
        }
        var out = RunReport(runID: runID, environment: environment, cases: cases, workloads: performance)
        out.sort()
        return out
    }

    /// Runs one block under the plan's executors with `BlockRunner` (serial as the reference, each parallel executor at
    /// each thread count, `repetitions` timed runs) and adapts its rows. A block file that does not load is one
    /// `error` case.
    static func runWorkload(_ w: WorkloadSource, plan: RunPlan) -> (cases: [CaseResult], performance: WorkloadPerformance?) {
        if case .mainnet(let source) = w, let reason = plan.mainnetSkipList.reason(for: source.name) {
            let serial = CaseResult(suite: w.suite, name: source.name, executor: ExecutorChoice.serial.rawValue, fork: "",
                                    status: .skip, message: reason)
            let parallel = plan.executors.filter(\.isParallel).flatMap { e in
                plan.threads.map { t in
                    CaseResult(suite: w.suite, name: source.name, executor: e.rawValue, threads: t, fork: "", status: .skip, message: reason)
                }
            }
            return ([serial] + parallel, nil)
        }
        let vector: BlockVector
        switch w {
        case .generated(let v):
            vector = v
        case .file(let source), .mainnet(let source):
            switch BlockVectorIO.load(source) {
            case .success(let v): vector = v
            case .failure(let error):
                let row = BlockRunner.loadFailure(error, name: source.name)
                return BlockRunAdapter.adapt(rows: [row], suite: w.suite, hotRatio: nil, expected: nil,
                                             reproduce: { e, t in plan.reproduceWorkload(w, e, t) })
            }
        }
        var rows: [BlockRunResult] = []
        let parallel = plan.executors.filter(\.isParallel)
        if parallel.isEmpty {
            var runner = BlockRunner(executors: [.serial], threads: [], repeats: plan.repetitions, seed: plan.seed)
            runner.minimumTimedNanoseconds = plan.minimumTimedNanoseconds
            rows = runner.run(vector)
        }
        for (k, choice) in parallel.enumerated() {
            // The serial row comes with the first parallel executor; later ones add their Block-STM rows only (each
            // still compared with its own serial reference run).
            var runner = BlockRunner(executors: k == 0 ? [.serial, choice.runnerExecutor] : [choice.runnerExecutor],
                                     threads: plan.threads, repeats: plan.repetitions, stressRuns: plan.stressRuns,
                                     seed: plan.seed, policy: choice.policy ?? .adaptive)
            runner.minimumTimedNanoseconds = plan.minimumTimedNanoseconds
            for var row in runner.run(vector) {
                if row.executor == choice.runnerExecutor.rawValue { row.executor = choice.rawValue }
                rows.append(row)
            }
        }
        let hot = GeneratedWorkloads.hotRatio(vector)
        return BlockRunAdapter.adapt(rows: rows, suite: w.suite, hotRatio: hot, expected: vector.expected,
                                     bootstrap: BootstrapSettings(seed: plan.seed),
                                     reproduce: { e, t in plan.reproduceWorkload(w, e, t) })
    }

    /// Loads and runs state-test files (`StateTestRunner`'s file loop); results keep each case's expected values
    /// for the report, and the command that reproduces it.
    static func runStateTests(_ sources: [VectorSource], plan: RunPlan,
                              onFile: @escaping @Sendable (Int) -> Void) -> [CaseResult] {
        let runner = StateTestRunner(filter: plan.filter, skipList: plan.skipList, threads: plan.stateTestThreads)
        return runner.run(sources: sources, fileDone: onFile) { source, r, origin in
            switch origin {
            case .loadError(let e):
                CaseResult(stateTest: r, reproduce: Reproduce.stateTest(path: source.path, test: e.test, fork: e.fork,
                                                                        indexes: e.indexes))
            case .testCase(let c):
                CaseResult(stateTest: r, case: c, reproduce: Reproduce.stateTest(path: source.path, test: c.test,
                                                                                 fork: c.forkName, indexes: c.indexes.description))
            }
        }
    }
}

/// One-line shell commands that reproduce a case alone.
public enum Reproduce {
    /// `lockstep statetest --filter ':<test>:<fork>:<indexes>$' '<file>'`: the file given alone names its cases by
    /// its last path component, so the pattern matches from the test name on.
    public static func stateTest(path: String, test: String?, fork: String?, indexes: String?) -> String {
        var command = "lockstep statetest"
        if let test {
            var tail = ":" + test
            if let fork { tail += ":" + fork }
            if let indexes { tail += ":" + indexes }
            let anchor = (fork != nil && indexes != nil) ? "$" : ""
            command += " --filter " + quote(NSRegularExpression.escapedPattern(for: tail) + anchor)
        }
        return command + " " + quote(path)
    }

    /// `lockstep run --filter '^name$' --executor E --threads T` for a generated block (with the default seed and size),
    /// `lockstep run PATH --executor E --threads T` for a block file.
    @Sendable public static func workload(_ w: WorkloadSource, executor: String, threads: Int) -> String {
        switch w {
        case .generated(let v):
            return "lockstep run --filter \(quote(exactPattern(v.name))) --executor \(executor) --threads \(threads)"
        case .file(let s), .mainnet(let s):
            return "lockstep run \(quote(s.path)) --executor \(executor) --threads \(threads)"
        }
    }

    /// A regular expression that matches exactly `name`.
    public static func exactPattern(_ name: String) -> String {
        "^" + NSRegularExpression.escapedPattern(for: name) + "$"
    }

    /// POSIX shell single quoting: safe for any string, including quotes and newlines.
    public static func quote(_ s: String) -> String {
        if !s.isEmpty, s.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_./:=,@%+".unicodeScalars.contains($0) }) {
            return s
        }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
