#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on OS threads with stacks large enough for the interpreter, which recurses once per call
/// frame (up to depth 1024). Dispatch's worker threads have 512 KiB stacks, too small for that.
public enum WorkerThreads {
    /// Stack size for every thread that executes EVM code: 1024 nested frames with room to spare.
    public static let stackSize = 512 << 20

    private final class Job: @unchecked Sendable {
        // Written before pthread_create and only read by the one thread it is handed to.
        let index: Int
        let body: @Sendable (Int) -> Void
        init(index: Int, body: @escaping @Sendable (Int) -> Void) { self.index = index; self.body = body }
    }

    /// Runs `body(i)` for i in 0..<count, each on its own thread, and waits for all of them.
    /// With count 1 the body still runs on a new thread, so the calling thread's stack size never matters.
    public static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        precondition(count > 0, "thread count must be positive")
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, stackSize)
        var threads: [pthread_t] = []
        threads.reserveCapacity(count)
        for i in 0..<count {
            let job = Unmanaged.passRetained(Job(index: i, body: body)).toOpaque()
            var tid = pthread_t()
            let rc = pthread_create(&tid, &attr, { raw in
                guard let raw else { return nil }
                let job = Unmanaged<Job>.fromOpaque(raw).takeRetainedValue()
                job.body(job.index)
                return nil
            }, job)
            if rc != 0 {
                // Could not start a thread: run this share inline rather than lose it.
                let j = Unmanaged<Job>.fromOpaque(job).takeRetainedValue()
                j.body(j.index)
                continue
            }
            threads.append(tid)
        }
        for t in threads { pthread_join(t, nil) }
    }
}
