import Dispatch
import Foundation
import Synchronization
import EVMPrimitives
import EVMState
import Execution
import Keccak
import Vectors

/// The outcome of one case, or of one part of a file that failed to load: what `--json` prints and reports list.
public struct StateTestResult: RunStatusResult, Sendable, Equatable {
    public var name: String
    /// The fork name as the vector spells it; empty for a load error above the fork level.
    public var fork: String
    /// What the runner decided: passed, failed (mismatches, an unexpected rejection), error (a load error: nothing
    /// ran) or skipped (the skip list names it).
    public var status: RunStatus
    /// The post-state root the executor produced; nil when nothing ran.
    public var stateRoot: Hash32?
    public var logsHash: Hash32?

    public init(name: String, fork: String, status: RunStatus, stateRoot: Hash32? = nil, logsHash: Hash32? = nil) {
        self.name = name; self.fork = fork; self.status = status; self.stateRoot = stateRoot; self.logsHash = logsHash
    }
}

/// Totals over a list of state-test results.
public typealias StateTestSummary = RunSummary

/// Selects, runs and judges state-test cases with `StateTestExecutor`, loading and running files in parallel.
public struct StateTestRunner: Sendable {
    /// Only cases whose name matches (searched anywhere in the name).
    public var filter: NamePattern?
    /// Only cases of this fork: compared as a `Fork` when the name is known (so `Merge` selects `Paris`), else by
    /// name, ignoring case.
    public var fork: String?
    public var skipList: SkipList
    /// Worker threads; the default is one per processor.
    public var threads: Int
    /// The executor each case runs with (`.blockstm`: as a one-transaction block, see `BlockRunner.runStateTestAsBlock`).
    public var executor: StateTestExecutorKind = .serial

    public init(filter: NamePattern? = nil, fork: String? = nil, skipList: SkipList = SkipList(),
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.filter = filter; self.fork = fork; self.skipList = skipList; self.threads = max(1, threads)
    }

    /// keccak256(rlp([])): the logs hash of a transaction without logs.
    public static let emptyLogsHash = Keccak256.hash([0xc0])

    // MARK: - Selection

    /// Whether the filters select a case (or a load error) with this name and fork (nil: fork not known).
    public func selects(name: String, fork forkName: String?) -> Bool {
        if let filter, !filter.matches(name) { return false }
        if let wanted = fork, let forkName {
            if let wantedFork = Fork(name: wanted) {
                if Fork(name: forkName) != wantedFork { return false }
            } else if wanted.lowercased() != forkName.lowercased() {
                return false
            }
        }
        return true
    }

    // MARK: - Running

    /// Where a result came from: a selected load error of its file, or a selected case.
    public enum Origin: Sendable {
        case loadError(LoadError)
        case testCase(StateTestCase)
    }

    /// Loads and runs every source, `threads` files at a time. Results come back in source order, and within a
    /// file in the loader's order (test, fork, post entry), so output does not depend on scheduling.
    /// `progress` is called after each file with (files done, files in all, failures so far), from worker threads.
    public func run(sources: [VectorSource],
                    progress: (@Sendable (_ done: Int, _ total: Int, _ failed: Int) -> Void)? = nil) -> [StateTestResult] {
        let tally = Mutex((done: 0, failed: 0))
        return run(sources: sources, fileDone: { failures in
            let now = tally.withLock { t in
                t.done += 1; t.failed += failures
                return t
            }
            progress?(now.done, sources.count, now.failed)
        }, { _, result, _ in result })
    }

    /// The one state-test file loop (`lockstep statetest` and `lockstep run` both use it): loads and runs every
    /// source on `threads` worker threads, and gives each result with its file and origin to `transform`. Results
    /// come back in source order, and within a file in the loader's order, whatever the scheduling. `fileDone` is
    /// called after each file with its number of failures (failed or in error), from worker threads.
    ///
    /// A worker loads a file and runs its cases; an idle worker takes the next unrun case of a file already loaded
    /// before it loads another, so a file of a few long cases (six of 30 s each in the legacy suite) is shared
    /// instead of running on one thread while the others wait.
    public func run<T: Sendable>(sources: [VectorSource], fileDone: (@Sendable (_ failures: Int) -> Void)? = nil,
                                 _ transform: @escaping @Sendable (VectorSource, StateTestResult, Origin) -> T) -> [T] {
        let count = sources.count
        guard count > 0 else { return [] }
        // Largest files first, so that one big file does not run alone at the end.
        let sizes = sources.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? 0 }
        let order = sources.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        let slots = Mutex([[T]](repeating: [], count: count))
        let nextFile = Atomic<Int>(0)
        let loading = Atomic<Int>(0)
        // Loaded files with cases no worker has taken yet, oldest first, each with its next untaken item.
        let open = Mutex<[(file: OpenStateTestFile<T>, next: Int)]>([])
        @Sendable func finish(_ file: OpenStateTestFile<T>) {
            slots.withLock { $0[file.index] = file.takeResults() }
            fileDone?(file.failures.load(ordering: .relaxed))
        }
        // Worker threads with stacks large enough for 1024 nested call frames (Dispatch's are 512 KiB).
        WorkerThreads.run(count: threads) { _ in
            while true {
                let claimed: (OpenStateTestFile<T>, Int)? = open.withLock { list in
                    guard !list.isEmpty else { return nil }
                    let item = (list[0].file, list[0].next)
                    list[0].next += 1
                    if list[0].next == list[0].file.items.count { list.removeFirst() }
                    return item
                }
                if let (file, j) = claimed {
                    let origin = file.items[j], result = result(of: origin)
                    if result.isFailure { file.failures.wrappingAdd(1, ordering: .relaxed) }
                    if file.store(transform(file.source, result, origin), at: j) { finish(file) }
                    continue
                }
                // Counted as loading before it takes a file, so that a worker with nothing to take waits for the
                // cases of files still being loaded instead of leaving them to their loaders.
                loading.wrappingAdd(1, ordering: .sequentiallyConsistent)
                let k = nextFile.wrappingAdd(1, ordering: .relaxed).oldValue
                guard k < count else {
                    loading.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                    // Every file is taken. Leave once none is being loaded and no case is left untaken (a file joins
                    // `open` before its loader stops counting as loading); until then, wait and look again.
                    if loading.load(ordering: .sequentiallyConsistent) == 0 && open.withLock({ $0.isEmpty }) { return }
                    usleep(200)
                    continue
                }
                defer { loading.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
                let i = order[k]
                let items = selected(in: StateTestLoader.load(sources[i]))
                let file = OpenStateTestFile<T>(index: i, source: sources[i], items: items)
                if items.isEmpty { finish(file) } else { open.withLock { $0.append((file, 0)) } }
            }
        }
        return slots.withLock { $0.flatMap { $0 } }
    }

    /// Runs the selected cases of a loaded file; its load errors become results in error (unless filtered out).
    public func run(file: StateTestFile) -> [StateTestResult] { run(file: file) { result, _ in result } }

    /// `run(file:)`, each result with its origin through `transform`, in the loader's order: load errors, then cases.
    public func run<T>(file: StateTestFile, _ transform: (StateTestResult, Origin) -> T) -> [T] {
        selected(in: file).map { transform(result(of: $0), $0) }
    }

    /// A file's selected load errors and cases, in the loader's order: load errors, then cases.
    func selected(in file: StateTestFile) -> [Origin] {
        file.errors.filter { $0.test == nil || selects(name: $0.name, fork: $0.fork) }.map(Origin.loadError)
            + file.cases.filter { selects(name: $0.name, fork: $0.forkName) }.map(Origin.testCase)
    }

    /// A load error's result (in error: nothing ran), or a case's, run.
    func result(of origin: Origin) -> StateTestResult {
        switch origin {
        case .loadError(let error):
            return StateTestResult(name: error.name, fork: error.fork ?? "", status: .error(error.reason))
        case .testCase(let c):
            return run(c)
        }
    }

    /// Runs one case (every fork's transaction rules are implemented), unless the skip list names it.
    public func run(_ c: StateTestCase) -> StateTestResult {
        if let reason = skipList.reason(for: c.name) {
            return StateTestResult(name: c.name, fork: c.forkName, status: .skipped(reason))
        }
        let outcome: StateTestOutcome
        if let why = c.unrepresentable {
            // A transaction that cannot be encoded is invalid: nothing is applied.
            outcome = StateTestOutcome(stateRoot: (StateTestExecutor.rejectedPostState(c.pre, env: c.env, fork: c.fork) ?? c.pre).stateRoot(),
                                       logsHash: StateTestRunner.emptyLogsHash, rejection: why)
        } else if executor != .serial {
            outcome = BlockRunner.runStateTestAsBlock(c, executor: executor)
        } else {
            outcome = StateTestExecutor.run(pre: c.pre, env: c.env, tx: c.tx, fork: c.fork)
        }
        var result = StateTestRunner.judge(c, outcome)
        if executor != .serial, !result.pass, c.unrepresentable == nil,
           StateTestRunner.judge(c, StateTestExecutor.run(pre: c.pre, env: c.env, tx: c.tx, fork: c.fork)).pass {
            // A mismatch between executors: serial passes the case. Traced only now, so a passing run costs nothing.
            let trace = BlockRunner.stateTestTraceDiff(c, executor: executor)
            result.status = result.status.failing("serial passes; " + trace.summaryLine)
        }
        return result
    }

    /// Compares an outcome with the case's expectations. A valid transaction passes when it was included and both
    /// roots match; an invalid one (`expectException`) when it was rejected and the state root matches (it must
    /// be the pre-state root, since nothing is applied).
    public static func judge(_ c: StateTestCase, _ outcome: StateTestOutcome) -> StateTestResult {
        var problems: [String] = []
        if let expected = c.expectException {
            if outcome.rejection == nil { problems.append("expected exception \(expected), but the transaction was included") }
        } else if let rejection = outcome.rejection {
            problems.append("transaction rejected: \(rejection)")
        }
        if outcome.stateRoot != c.expectedStateRoot {
            problems.append("state root \(outcome.stateRoot), expected \(c.expectedStateRoot)")
        }
        if c.expectException == nil && outcome.logsHash != c.expectedLogsHash {
            problems.append("logs hash \(outcome.logsHash), expected \(c.expectedLogsHash)")
        }
        return StateTestResult(name: c.name, fork: c.forkName, status: .judged(problems), stateRoot: outcome.stateRoot,
                               logsHash: outcome.logsHash)
    }
}

/// One loaded file of `StateTestRunner.run(sources:)`: its selected load errors and cases in the loader's order, and
/// their results as the workers that took them store them.
private final class OpenStateTestFile<T: Sendable>: Sendable {
    let index: Int
    let source: VectorSource
    let items: [StateTestRunner.Origin]
    let failures = Atomic<Int>(0)
    private let results: Mutex<(values: [T?], stored: Int)>

    init(index: Int, source: VectorSource, items: [StateTestRunner.Origin]) {
        self.index = index; self.source = source; self.items = items
        results = Mutex((values: [T?](repeating: nil, count: items.count), stored: 0))
    }

    /// Stores item `j`'s result; true for the call that stores the last one.
    func store(_ value: T, at j: Int) -> Bool {
        results.withLock { r in
            r.values[j] = value; r.stored += 1
            return r.stored == r.values.count
        }
    }

    /// The results in item order (every item stored).
    func takeResults() -> [T] {
        results.withLock { r in r.values.map { $0! } }
    }
}
