#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock every timing in Lockstep reads: the executors' phase profiles (Block-STM's and BAL's time split)
/// read it at phase boundaries, and the harness's one timing loop (`Timing` in Harness, which interleaves rounds
/// and takes medians) times whole blocks with it.
public enum Stopwatch {
    /// What a sample measures: elapsed wall-clock time (every timing loop's default), or the calling thread's CPU
    /// time (`bench evm --clock cpu`: time the host's other processes take from the thread does not count).
    public enum Clock: Sendable, Equatable {
        case wall
        case threadCPU
    }

    /// Monotonic wall time, nanoseconds.
    @inline(__always)
    public static func now() -> UInt64 { now(.wall) }

    /// `clock`'s reading, nanoseconds (monotonic wall time, or the calling thread's CPU time).
    @inline(__always)
    public static func now(_ clock: Clock) -> UInt64 {
        var t = timespec()
        clock_gettime(clock == .wall ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }

    /// `body`'s result and its wall time in nanoseconds.
    @inline(__always)
    public static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, nanoseconds: UInt64) {
        let start = now()
        let result = try body()
        return (result, now() &- start)
    }
}
