#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A fixed set of OS threads (with `WorkerThreads.stackSize` stacks) that run one job after another:
/// `run` hands every thread the same closure and returns when all have finished it; `forEach` splits
/// a count of independent tasks among them. A parallel block executor borrows one gang for the whole
/// block (execution, commit, roots) from a process-wide pool (`checkout`/`checkin`), so that threads
/// start once per process rather than once per block or phase: a fresh thread can take milliseconds to
/// get a core on a loaded machine, which is a large part of a block that takes ten.
///
/// Hand-offs are fast in both directions: an idle worker first polls for the next job for a short while
/// (yielding its core now and then, so that the thread doing the serial step between two jobs keeps
/// it), then sleeps on a condition variable; the caller sleeps until the last worker wakes it. Sleeping and waking use pthreads, which ThreadSanitizer understands; the job itself is
/// published under the mutex, and the counters are atomics.
public final class WorkerGang: @unchecked Sendable {
    // `job`, `sleepers`, `stopping` and `threads` are guarded by `mutex` (a pthread mutex at a stable
    // address); `generation` and `unfinished` are atomics, changed as the comments at their uses say.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when a new job (or stop) is published.
    private let jobPosted: UnsafeMutablePointer<pthread_cond_t>
    /// Signalled when the last worker finishes a job.
    private let jobDone: UnsafeMutablePointer<pthread_cond_t>
    private let generation = Atomic<Int>(0)
    private let unfinished = Atomic<Int>(0)
    private let stopFlag = Atomic<Bool>(false)
    private var job: (@Sendable (Int) -> Void)?
    private var sleepers = 0
    private var callerSleeping = false
    private var threads: [pthread_t] = []

    /// The number of threads.
    public let count: Int

    /// How long an idle worker polls for the next job before it sleeps.
    static let pollNanoseconds: UInt64 = 300_000

    /// Starts `threads` threads (at least one).
    public init(threads requested: Int) {
        mutex = .allocate(capacity: 1)
        jobPosted = .allocate(capacity: 1)
        jobDone = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(jobPosted, nil)
        pthread_cond_init(jobDone, nil)
        var started: [pthread_t] = []
        let wanted = max(1, requested)
        var failed = 0
        count = wanted
        for i in 0..<wanted {
            if let tid = WorkerThreads.start({ [self] in loop(i) }) { started.append(tid) } else { failed += 1 }
        }
        Self.pin(started)
        pthread_mutex_lock(mutex)
        threads = started
        pthread_mutex_unlock(mutex)
        // A gang short of threads would wait for them forever in `run`: fail loudly instead.
        precondition(failed == 0, "could not start \(failed) of \(wanted) worker threads")
    }

    /// Gives each thread its own processor when there are enough of them (Linux). Otherwise the scheduler
    /// may queue a woken worker behind a busy sibling for a whole time slice (milliseconds) while another
    /// processor goes idle, because a processor that was busy until just now skips idle balancing.
    private static func pin(_ threads: [pthread_t]) {
        #if os(Linux)
        // Looked up at run time: Glibc's Swift module leaves out these GNU extensions.
        typealias GetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32
        typealias SetAffinity = @convention(c) (pthread_t, Int, UnsafeRawPointer?) -> Int32
        guard threads.count > 1, let handle = dlopen(nil, RTLD_NOW),
              let get = dlsym(handle, "sched_getaffinity"), let set = dlsym(handle, "pthread_setaffinity_np") else { return }
        let getAffinity = unsafeBitCast(get, to: GetAffinity.self)
        let setAffinity = unsafeBitCast(set, to: SetAffinity.self)
        let setSize = 128  // bytes: 1024 processors, glibc's cpu_set_t
        var allowed = [UInt8](repeating: 0, count: setSize)
        guard allowed.withUnsafeMutableBytes({ getAffinity(0, setSize, $0.baseAddress) }) == 0 else { return }
        var cpus: [Int] = []
        for byte in 0..<setSize where allowed[byte] != 0 {
            for bit in 0..<8 where allowed[byte] & (1 << bit) != 0 { cpus.append(byte * 8 + bit) }
        }
        guard threads.count <= cpus.count else { return }
        for (i, thread) in threads.enumerated() {
            var one = [UInt8](repeating: 0, count: setSize)
            one[cpus[i] / 8] |= UInt8(1 << (cpus[i] % 8))
            _ = one.withUnsafeBytes { setAffinity(thread, setSize, $0.baseAddress) }
        }
        #endif
    }

    deinit {
        // The threads hold the gang until `stop()` ends them, so by now none is left.
        pthread_cond_destroy(jobPosted)
        pthread_cond_destroy(jobDone)
        pthread_mutex_destroy(mutex)
        jobPosted.deallocate()
        jobDone.deallocate()
        mutex.deallocate()
    }

    // MARK: the pool

    private static let idle = Mutex<[Int: [WorkerGang]]>([:])
    /// Idle gangs kept per thread count; more are stopped on check-in.
    static let keptPerCount = 1

    /// A gang of `threads` threads from the process-wide pool (started if none is idle). Give it back
    /// with `checkin` when done; a gang is used by one caller at a time.
    public static func checkout(threads: Int) -> WorkerGang {
        let wanted = max(1, threads)
        if let gang = idle.withLock({ $0[wanted]?.popLast() }) { return gang }
        return WorkerGang(threads: wanted)
    }

    /// Returns a gang taken with `checkout` to the pool.
    public static func checkin(_ gang: WorkerGang) {
        let kept = idle.withLock { pool -> Bool in
            guard pool[gang.count, default: []].count < keptPerCount else { return false }
            pool[gang.count, default: []].append(gang)
            return true
        }
        if !kept { gang.stop() }
    }

    // MARK: jobs

    /// Runs `body(threadIndex)` once on every thread and waits until all have returned.
    public func run(_ body: @escaping @Sendable (Int) -> Void) {
        pthread_mutex_lock(mutex)
        precondition(!stopFlag.load(ordering: .relaxed), "WorkerGang.run after stop")
        job = body
        unfinished.store(count, ordering: .sequentiallyConsistent)
        // Publish: a polling worker sees the new generation; a sleeping one is woken. A worker decides
        // to sleep under the mutex after re-checking the generation, so no wake-up is lost.
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if sleepers > 0 { pthread_cond_broadcast(jobPosted) }
        pthread_mutex_unlock(mutex)

        // The caller sleeps at once rather than poll: a polling caller holds a core that a worker being
        // woken may be queued behind for a whole scheduler slice.
        pthread_mutex_lock(mutex)
        callerSleeping = true
        while unfinished.load(ordering: .sequentiallyConsistent) != 0 { pthread_cond_wait(jobDone, mutex) }
        callerSleeping = false
        pthread_mutex_unlock(mutex)
        // Every worker took `job` under the mutex before running it; drop the reference here.
        pthread_mutex_lock(mutex)
        job = nil
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body(i)` for every i in 0..<tasks, spread over the threads (each takes the next task
    /// until none are left), and waits for all.
    public func forEach(_ tasks: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard tasks > 0 else { return }
        runStages([Stage(prepare: { tasks }, task: body)])
    }

    /// One stage of `runStages`.
    public struct Stage: Sendable {
        /// Runs on one thread, after every thread has finished the previous stage (the first stage's, on
        /// the first thread to arrive, before any task): returns the stage's task count, or nil to end
        /// the job here.
        public var prepare: @Sendable () -> Int?
        /// Task `i` (of those `prepare` counted), on any thread.
        public var task: @Sendable (_ i: Int) -> Void
        public init(prepare: @escaping @Sendable () -> Int?, task: @escaping @Sendable (_ i: Int) -> Void) {
            self.prepare = prepare; self.task = task
        }
    }

    /// Runs `stages` back to back as one job: each stage's tasks are spread over the threads, and between
    /// two stages the last thread to finish runs the next stage's `prepare` while the others wait for it
    /// at a barrier. So the serial steps between stages cost no hand-off to and from the calling thread
    /// (which sleeps through the whole job). Returns the number of stages whose tasks ran (fewer than
    /// `stages.count` when a `prepare` returned nil).
    @discardableResult
    public func runStages(_ stages: [Stage]) -> Int {
        guard !stages.isEmpty else { return 0 }
        let barrier = StageBarrier(threads: count)
        run { _ in barrier.work(stages) }
        return barrier.completed
    }

    /// Ends the threads and waits for them. A gang that is not returned to the pool must be stopped: its
    /// threads keep it alive until then. Idempotent.
    public func stop() {
        pthread_mutex_lock(mutex)
        stopFlag.store(true, ordering: .sequentiallyConsistent)
        let joining = threads
        threads = []
        pthread_cond_broadcast(jobPosted)
        pthread_mutex_unlock(mutex)
        for t in joining { pthread_join(t, nil) }
    }

    /// Polls `done` for up to `pollNanoseconds`, yielding the core between polls; true once it held.
    @inline(__always) private static func poll(_ done: () -> Bool) -> Bool {
        if done() { return true }
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var polls = 0
        while true {
            for _ in 0..<32 {
                if done() { return true }
            }
            sched_yield()
            polls += 1
            if polls & 7 == 0 {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                let elapsed = (now.tv_sec - start.tv_sec) * 1_000_000_000 + (now.tv_nsec - start.tv_nsec)
                if elapsed >= Int(pollNanoseconds) { return done() }
            }
        }
    }

    private func loop(_ index: Int) {
        var seen = 0
        while true {
            let posted = Self.poll { generation.load(ordering: .sequentiallyConsistent) != seen || stopFlag.load(ordering: .relaxed) }
            pthread_mutex_lock(mutex)
            if !posted {
                sleepers += 1
                while generation.load(ordering: .sequentiallyConsistent) == seen && !stopFlag.load(ordering: .relaxed) {
                    pthread_cond_wait(jobPosted, mutex)
                }
                sleepers -= 1
            }
            if stopFlag.load(ordering: .relaxed) {
                pthread_mutex_unlock(mutex)
                return
            }
            seen = generation.load(ordering: .sequentiallyConsistent)
            let body = job!
            pthread_mutex_unlock(mutex)
            body(index)
            // The last one out wakes the caller if it went to sleep (it re-checks under the mutex).
            if unfinished.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
                pthread_mutex_lock(mutex)
                if callerSleeping { pthread_cond_broadcast(jobDone) }
                pthread_mutex_unlock(mutex)
            }
        }
    }
}

/// The shared state of one `runStages` job. `taskCount` and `completed` are plain fields written only by
/// the thread that prepares a stage, before it publishes the stage with a sequentially consistent store
/// that the others load before reading them.
private final class StageBarrier: @unchecked Sendable {
    let threads: Int
    /// The stage being worked on; `ended` once the job is over.
    let stage = Atomic<Int>(-1)
    let nextTask = Atomic<Int>(0)
    let arrived = Atomic<Int>(0)
    let started = Atomic<Int>(0)
    var taskCount = 0
    var completed = 0
    static let ended = Int.max

    init(threads: Int) { self.threads = threads }

    func work(_ stages: [WorkerGang.Stage]) {
        // The first thread in prepares stage 0; the others wait for it like at any other barrier.
        var current = -1
        if started.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue == 1 {
            advance(from: -1, stages)
        }
        while true {
            current = waitForStage(after: current)
            if current == Self.ended { return }
            while true {
                let i = nextTask.wrappingAdd(1, ordering: .sequentiallyConsistent).oldValue
                if i >= taskCount { break }
                stages[current].task(i)
            }
            if arrived.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue == threads {
                advance(from: current, stages)
            }
        }
    }

    /// Run by the last thread to arrive: resets the barrier and publishes the next stage (or the end).
    private func advance(from current: Int, _ stages: [WorkerGang.Stage]) {
        if current >= 0 {
            completed = current + 1
            arrived.store(0, ordering: .sequentiallyConsistent)
        }
        let next = current + 1
        guard next < stages.count, let n = stages[next].prepare() else {
            stage.store(Self.ended, ordering: .sequentiallyConsistent)
            return
        }
        taskCount = n
        nextTask.store(0, ordering: .sequentiallyConsistent)
        stage.store(next, ordering: .sequentiallyConsistent)
    }

    /// Waits until the published stage differs from `current`: polls, yielding the core now and then (there
    /// may be more threads than cores), and after a few milliseconds also naps.
    private func waitForStage(after current: Int) -> Int {
        var polls = 0
        while true {
            let s = stage.load(ordering: .sequentiallyConsistent)
            if s != current { return s }
            polls += 1
            if polls & 31 == 0 { sched_yield() }
            if polls > 200_000 { usleep(50) }
        }
    }
}
