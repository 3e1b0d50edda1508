#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A fixed set of OS threads (with `WorkerThreads.stackSize` stacks) that run one job after another:
/// `run` hands every thread the same closure and returns when all have finished it; `forEach` splits
/// a count of independent tasks among them. A block's parallel executor keeps one gang for the whole
/// block (execution, commit, roots), so that threads start once rather than once per phase.
///
/// Between jobs the threads sleep on a condition variable (pthreads, which ThreadSanitizer
/// understands). The calling thread only waits; it never runs a job, so a job may use deep stacks.
public final class WorkerGang: @unchecked Sendable {
    // All mutable fields below are guarded by `mutex` (a pthread mutex at a stable address).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var generation = 0
    private var job: (@Sendable (Int) -> Void)?
    private var unfinished = 0
    private var stopping = false
    private var threads: [pthread_t] = []

    /// The number of threads.
    public let count: Int

    private final class Start: @unchecked Sendable {
        let gang: WorkerGang
        let index: Int
        init(gang: WorkerGang, index: Int) { self.gang = gang; self.index = index }
    }

    /// Starts `threads` threads (at least one).
    public init(threads requested: Int) {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, WorkerThreads.stackSize)
        var started: [pthread_t] = []
        let wanted = max(1, requested)
        var failed = 0
        count = wanted
        for i in 0..<wanted {
            let start = Unmanaged.passRetained(Start(gang: self, index: i)).toOpaque()
            var tid = pthread_t()
            let rc = pthread_create(&tid, &attr, { raw in
                guard let raw else { return nil }
                let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
                start.gang.loop(start.index)
                return nil
            }, start)
            if rc != 0 {
                Unmanaged<Start>.fromOpaque(start).release()
                failed += 1
                continue
            }
            started.append(tid)
        }
        pthread_mutex_lock(mutex)
        threads = started
        pthread_mutex_unlock(mutex)
        // A gang short of threads would wait for them forever in `run`: fail loudly instead.
        precondition(failed == 0, "could not start \(failed) of \(wanted) worker threads")
    }

    deinit {
        // The threads hold the gang until `stop()` ends them, so by now none is left.
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body(threadIndex)` once on every thread and waits until all have returned.
    public func run(_ body: @escaping @Sendable (Int) -> Void) {
        pthread_mutex_lock(mutex)
        precondition(!stopping, "WorkerGang.run after stop")
        job = body
        unfinished = count
        generation &+= 1
        pthread_cond_broadcast(condition)
        while unfinished > 0 { pthread_cond_wait(condition, mutex) }
        job = nil
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body(i)` for every i in 0..<tasks, spread over the threads (each takes the next task
    /// until none are left), and waits for all.
    public func forEach(_ tasks: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard tasks > 0 else { return }
        let next = TaskCounter()
        run { _ in
            while true {
                let i = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= tasks { return }
                body(i)
            }
        }
    }

    /// Ends the threads and waits for them. Every gang must be stopped: its threads keep it alive until
    /// then. Idempotent.
    public func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        let joining = threads
        threads = []
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
        for t in joining { pthread_join(t, nil) }
    }

    private func loop(_ index: Int) {
        var seen = 0
        while true {
            pthread_mutex_lock(mutex)
            while generation == seen && !stopping { pthread_cond_wait(condition, mutex) }
            if stopping {
                pthread_mutex_unlock(mutex)
                return
            }
            seen = generation
            let body = job!
            pthread_mutex_unlock(mutex)
            body(index)
            pthread_mutex_lock(mutex)
            unfinished -= 1
            if unfinished == 0 { pthread_cond_broadcast(condition) }
            pthread_mutex_unlock(mutex)
        }
    }
}

/// A shared task counter for `WorkerGang.forEach`.
private final class TaskCounter: Sendable {
    let value = Atomic<Int>(0)
}
