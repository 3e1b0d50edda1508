#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A fixed set of participants that run one job after another: the calling thread and `count - 1` OS
/// threads (with `WorkerThreads.stackSize` stacks; the caller's stack must be as deep, as it is wherever a
/// serial executor runs). `run` hands every participant the same closure (the caller takes index 0) and
/// returns when all have finished it; `forEach` splits a count of independent tasks among them. A gang of
/// one is the caller alone: no thread, no hand-off. A parallel block executor borrows one gang for the whole
/// block (execution, commit, roots) from a process-wide pool (`checkout`/`checkin`), so that threads
/// start once per process rather than once per block or phase: a fresh thread can take milliseconds to
/// get a core on a loaded machine, which is a large part of a block that takes ten.
///
/// Hand-offs are fast in both directions: an idle worker first polls for the next job for a short while
/// (yielding its core now and then, so that the thread doing the serial step between two jobs keeps
/// it), then sleeps on a condition variable. The caller works as participant 0 rather than sleeping
/// through the job (so a job costs one wake-up fewer in each direction: measured by `lockstep bench
/// blockstm --calibrate`), then polls for the other participants and sleeps only if they are late.
/// Sleeping and waking use pthreads, which ThreadSanitizer understands; the job itself is published under
/// the mutex, and the counters are atomics.
///
/// `runStages` does not wait for threads at all: the caller starts the first stage alone, and a thread
/// joins the stage in progress when it wakes (one that wakes after the job is over skips it). So a
/// thread that a busy machine does not schedule for milliseconds costs nothing but its share of the
/// work, and a job never waits for a wake-up before it starts.
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
    /// Whether every thread must run `job` (`run`), and which generation posted it.
    private var jobIsMandatory = false
    private var jobGeneration = 0
    private var sleepers = 0
    private var callerSleeping = false
    private var threads: [pthread_t] = []

    /// The number of participants (the caller and `count - 1` threads).
    public let count: Int

    /// How long an idle worker polls for the next job before it sleeps.
    static let pollNanoseconds: UInt64 = 300_000

    /// A gang of `threads` participants (at least one): starts `threads - 1` threads.
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
        for i in 1..<wanted {
            if let tid = WorkerThreads.start({ [self] in loop(i) }) { started.append(tid) } else { failed += 1 }
        }
        Self.pin(started)
        pthread_mutex_lock(mutex)
        threads = started
        pthread_mutex_unlock(mutex)
        // A gang short of threads would wait for them forever in `run`: fail loudly instead.
        precondition(failed == 0, "could not start \(failed) of \(wanted) worker threads")
    }

    /// Gives each thread its own processor when there are enough of them for the threads and the caller
    /// (Linux): the threads take the second, third, ... allowed processors, the caller (not pinned) is left
    /// the first. Otherwise the scheduler may queue a woken worker behind a busy sibling for a whole time
    /// slice (milliseconds) while another processor goes idle, because a processor that was busy until just
    /// now skips idle balancing.
    private static func pin(_ threads: [pthread_t]) {
        let cpus = Affinity.allowedProcessors()
        guard !threads.isEmpty, threads.count + 1 <= cpus.count else { return }
        for (i, thread) in threads.enumerated() { Affinity.pin(thread, to: cpus[i + 1]) }
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

    /// Runs `body(participant)` once for every participant (0 on the calling thread) and waits until all
    /// have returned.
    public func run(_ body: @escaping @Sendable (Int) -> Void) {
        precondition(!stopFlag.load(ordering: .relaxed), "WorkerGang.run after stop")
        guard count > 1 else {
            body(0)
            return
        }
        unfinished.store(count - 1, ordering: .sequentiallyConsistent)
        post(body, mandatory: true)
        body(0)
        // The others usually finish with the caller (a job's stages end for all at once): poll for them a
        // short while, then sleep until the last one wakes the caller.
        if !Self.poll({ unfinished.load(ordering: .sequentiallyConsistent) == 0 }) {
            pthread_mutex_lock(mutex)
            callerSleeping = true
            while unfinished.load(ordering: .sequentiallyConsistent) != 0 { pthread_cond_wait(jobDone, mutex) }
            callerSleeping = false
            pthread_mutex_unlock(mutex)
        }
        // Every worker took `job` under the mutex before running it; drop the reference here.
        pthread_mutex_lock(mutex)
        job = nil
        pthread_mutex_unlock(mutex)
    }

    /// Publishes `body` to the threads: a polling one sees the new generation, a sleeping one is woken (a
    /// thread decides to sleep under the mutex after re-checking the generation, so no wake-up is lost).
    /// Returns the generation.
    @discardableResult
    private func post(_ body: @escaping @Sendable (Int) -> Void, mandatory: Bool) -> Int {
        pthread_mutex_lock(mutex)
        job = body
        jobIsMandatory = mandatory
        let g = generation.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        jobGeneration = g
        if sleepers > 0 { pthread_cond_broadcast(jobPosted) }
        pthread_mutex_unlock(mutex)
        return g
    }

    /// Wakes the sleeping threads ahead of a job the caller is about to post after some serial work of its
    /// own (a block's set-up), so that they poll when it comes and join it at once instead of a wake-up
    /// later. A woken thread finds no job, does the allocator's deferred work (`IdleCollection`), polls for
    /// `pollNanoseconds` and sleeps again if none comes. Costs a futex wake while a thread sleeps, nothing while all
    /// poll.
    public func wake() {
        guard count > 1 else { return }
        pthread_mutex_lock(mutex)
        if sleepers > 0 {
            job = nil
            jobIsMandatory = false
            jobGeneration = generation.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
            pthread_cond_broadcast(jobPosted)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Drops an optional job that generation `g` posted, unless a later one replaced it: a thread that
    /// wakes after this skips it.
    private func retract(_ g: Int) {
        pthread_mutex_lock(mutex)
        if jobGeneration == g { job = nil }
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body(i)` for every i in 0..<tasks, spread over the participants (each takes the next task
    /// until none are left), and waits for all.
    public func forEach(_ tasks: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard tasks > 0 else { return }
        runStages([Stage(prepare: { tasks }, task: body)])
    }

    /// One stage of `runStages`.
    public struct Stage: Sendable {
        /// Runs on one participant, after every participant has finished the previous stage (the first
        /// stage's on the caller, before any task): returns the stage's task count, or nil to end the job
        /// here.
        public var prepare: @Sendable () -> Int?
        /// Task `i` (of those `prepare` counted), on any thread.
        public var task: @Sendable (_ i: Int) -> Void
        public init(prepare: @escaping @Sendable () -> Int?, task: @escaping @Sendable (_ i: Int) -> Void) {
            self.prepare = prepare; self.task = task
        }
    }

    /// Runs `stages` back to back as one job: each stage's tasks are spread over the participants that
    /// have joined, and between two stages the last of them to finish runs the next stage's `prepare`
    /// while the others wait for it at a barrier. So the serial steps between stages cost no hand-off
    /// between threads. The caller prepares the first stage and starts on it at once; the threads join
    /// when they wake, at the stage then in progress, and the job ends without waiting for one that has
    /// not joined (it skips the job when it wakes). Returns the number of stages whose tasks ran (fewer
    /// than `stages.count` when a `prepare` returned nil).
    @discardableResult
    public func runStages(_ stages: [Stage]) -> Int {
        precondition(!stopFlag.load(ordering: .relaxed), "WorkerGang.runStages after stop")
        guard !stages.isEmpty else { return 0 }
        let barrier = StageBarrier(stages)
        guard barrier.open() else { return barrier.completed }
        if count == 1 {
            barrier.work(from: 0)
            return barrier.completed
        }
        let g = post({ _ in barrier.join() }, mandatory: false)
        barrier.work(from: 0)
        // Every participant that joined has arrived at the end (and touches nothing but the barrier, which
        // its closure holds); one that has not joined will find the job over or gone.
        retract(g)
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

    /// Polls `done` for up to `pollNanoseconds`, yielding the core between polls; true once it held. `collecting`: an
    /// idle worker's poll, which also does the allocator's deferred work every `collectNanoseconds` (`IdleCollection`).
    @inline(__always) private static func poll(collecting: Bool = false, _ done: () -> Bool) -> Bool {
        if done() { return true }
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        var polls = 0
        var collected = 0
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
                if collecting && elapsed >= collected + Int(collectNanoseconds) {
                    collected = elapsed
                    IdleCollection.run()
                }
                if elapsed >= Int(pollNanoseconds) { return done() }
            }
        }
    }

    /// How often a polling idle worker collects (`IdleCollection`): the caller frees the workers' blocks (a block end's
    /// commits, a run's receipts) in the first few hundred microseconds after a job.
    static let collectNanoseconds: UInt64 = 50_000

    private func loop(_ index: Int) {
        var seen = 0
        while true {
            let posted = Self.poll(collecting: IdleCollection.isActive) {
                generation.load(ordering: .sequentiallyConsistent) != seen || stopFlag.load(ordering: .relaxed)
            }
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
            let current = job, mandatory = jobIsMandatory
            pthread_mutex_unlock(mutex)
            // Woken ahead of a job (`wake`), or an optional job (`runStages`) that ended before this thread woke: no
            // work, so do the allocator's deferred work now rather than in the next job (`IdleCollection`).
            guard let body = current else {
                IdleCollection.run()
                continue
            }
            body(index)
            // The last one out of a mandatory job wakes the caller if it went to sleep (it re-checks under
            // the mutex).
            if mandatory && unfinished.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
                pthread_mutex_lock(mutex)
                if callerSleeping { pthread_cond_broadcast(jobDone) }
                pthread_mutex_unlock(mutex)
            }
        }
    }
}

/// The shared state of one `runStages` job: the stage in progress and how many participants have joined
/// it and arrived at its end, in one atomic word (so that a participant joins a stage only while it is in
/// progress, never while the last one to arrive is preparing the next), and the stage's task counter.
/// `taskCount` and `completed` are plain fields written only by the participant that prepares a stage,
/// before it publishes the stage with a sequentially consistent store that the others load (or exchange)
/// before reading them.
private final class StageBarrier: @unchecked Sendable {
    let stages: [WorkerGang.Stage]
    /// `stage << 32 | joined << 16 | arrived`; `arrived == joined` while a stage is being prepared.
    let state = Atomic<Int>(0)
    let nextTask = Atomic<Int>(0)
    var taskCount = 0
    var completed = 0
    /// The stage field once the job is over.
    static let ended = 0x7fff_ffff

    init(_ stages: [WorkerGang.Stage]) { self.stages = stages }

    @inline(__always) static func pack(stage: Int, joined: Int, arrived: Int) -> Int { stage << 32 | joined << 16 | arrived }
    @inline(__always) static func stage(_ w: Int) -> Int { w >> 32 }
    @inline(__always) static func joined(_ w: Int) -> Int { (w >> 16) & 0xffff }
    @inline(__always) static func arrived(_ w: Int) -> Int { w & 0xffff }

    /// The caller, before anyone else can join: prepares stage 0 with itself joined. False when the job
    /// ended at once (the first `prepare` returned nil).
    func open() -> Bool {
        advance(from: -1, joined: 1)
        return Self.stage(state.load(ordering: .sequentiallyConsistent)) != Self.ended
    }

    /// A thread joins the stage in progress and works to the end of the job; returns at once when the job
    /// is over.
    func join() {
        var w = state.load(ordering: .sequentiallyConsistent)
        while true {
            if Self.stage(w) == Self.ended { return }
            if Self.arrived(w) == Self.joined(w) {
                // The next stage is being prepared: join it once it is published.
                sched_yield()
                w = state.load(ordering: .sequentiallyConsistent)
                continue
            }
            let (exchanged, original) = state.compareExchange(expected: w, desired: w + (1 << 16),
                                                              ordering: .sequentiallyConsistent)
            if exchanged { break }
            w = original
        }
        work(from: Self.stage(w))
    }

    /// Takes tasks of stage `start` and of every later one until the job ends (the caller has joined
    /// stage 0 by `open`).
    func work(from start: Int) {
        var current = start
        while true {
            while true {
                let i = nextTask.wrappingAdd(1, ordering: .sequentiallyConsistent).oldValue
                if i >= taskCount { break }
                stages[current].task(i)
            }
            let w = state.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
            if Self.arrived(w) == Self.joined(w) { advance(from: current, joined: Self.joined(w)) }
            current = waitForStage(after: current)
            if current == Self.ended { return }
        }
    }

    /// Run by the last participant to arrive (or by `open`): publishes the next stage (or the end), with
    /// none arrived. No one joins meanwhile (`arrived == joined`).
    private func advance(from current: Int, joined: Int) {
        if current >= 0 { completed = current + 1 }
        let next = current + 1
        guard next < stages.count, let n = stages[next].prepare() else {
            state.store(Self.pack(stage: Self.ended, joined: joined, arrived: 0), ordering: .sequentiallyConsistent)
            return
        }
        taskCount = n
        nextTask.store(0, ordering: .sequentiallyConsistent)
        state.store(Self.pack(stage: next, joined: joined, arrived: 0), ordering: .sequentiallyConsistent)
    }

    /// Waits until the published stage differs from `current`: polls, yielding the core now and then (there
    /// may be more threads than cores), and after a few milliseconds also naps.
    private func waitForStage(after current: Int) -> Int {
        var polls = 0
        while true {
            let s = Self.stage(state.load(ordering: .sequentiallyConsistent))
            if s != current { return s }
            polls += 1
            if polls & 31 == 0 { sched_yield() }
            if polls > 200_000 { usleep(50) }
        }
    }
}

/// What an idle worker does for the allocator: where the process runs on mimalloc (the `lockstep` binary links it;
/// README, "The allocator"), `mi_collect(false)` on the worker's own heap, which takes back the blocks other threads
/// freed into it and retires its empty pages. A parallel block hands what its workers allocated (results, commits,
/// receipts) to the caller and the block end, which free much of it on another thread; mimalloc queues such a block on
/// its page's list of blocks freed by other threads, and the owner walks that list (a cache miss a block) in its next
/// allocation from the page. Without this, that walk fell in the worker's first transaction of the next block: 88-102
/// us for a transaction that otherwise takes 9-14 us (BAL on the dependent counter, 2 threads, median of 31 runs;
/// `perf`: 40% of the worker's samples in that transaction at that one load). The idle worker collects every
/// `collectNanoseconds` while it polls after a job, and when it is woken ahead of one (`wake`); the first transaction
/// then took 57-75 us.
/// A no-op under any other allocator (the test binaries, a sanitizer build).
enum IdleCollection {
    typealias Collect = @convention(c) (Bool) -> Void

    struct Hook: @unchecked Sendable {  // a C function pointer, set once before any use
        var collect: Collect?
    }

    /// `mi_collect`, where `malloc` is mimalloc's (`Mimalloc.symbol`).
    static let hook = Hook.resolve()

    /// Whether idle workers collect (the process runs on mimalloc).
    static var isActive: Bool { hook.collect != nil }

    /// The calling thread's collection (not forced: nothing is handed back to the OS beyond what mimalloc's own
    /// delays allow).
    @inline(__always) static func run() { hook.collect?(false) }
}

extension IdleCollection.Hook {
    /// Looks the hook up in this process now (`Mimalloc.symbol`).
    static func resolve() -> Self {
        guard let collect = Mimalloc.symbol("mi_collect") else { return Self() }
        return Self(collect: unsafeBitCast(collect, to: IdleCollection.Collect.self))
    }
}
