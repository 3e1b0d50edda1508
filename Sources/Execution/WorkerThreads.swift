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

    /// A thread's body, handed to the new thread through `pthread_create`'s argument.
    private final class Body: @unchecked Sendable {
        // Written before pthread_create and only read by the one thread it is handed to.
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Starts one thread with the EVM stack size running `body`; nil (and `body` not run) when the
    /// system could not start it. The thread is joinable: the caller joins it.
    public static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, stackSize)
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, &attr, { raw in
            guard let raw else { return nil }
            Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            return nil
        }
        return tid
    }

    /// Runs `body(i)` for i in 0..<count, each on its own thread, and waits for all of them.
    /// With count 1 the body still runs on a new thread, so the calling thread's stack size never matters.
    public static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        precondition(count > 0, "thread count must be positive")
        var threads: [pthread_t] = []
        threads.reserveCapacity(count)
        for i in 0..<count {
            if let tid = start({ body(i) }) {
                threads.append(tid)
            } else {
                // Could not start a thread: run this share inline rather than lose it.
                body(i)
            }
        }
        for t in threads { pthread_join(t, nil) }
    }
}
