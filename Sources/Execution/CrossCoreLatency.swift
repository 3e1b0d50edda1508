#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What handing a cache line from one processor to another and back costs on this machine: two threads, pinned to
/// the first two processors the process may use, pass a counter back and forth, and the median round trip is
/// reported.
///
/// Every parallel executor pays it at each hand-off between threads (a transaction's result read by the in-order
/// stage, a reference count touched on both sides, a stage barrier), so its ratios to serial move with it while the
/// serial time does not. On a host whose two virtual processors the hypervisor places sometimes in one cache domain
/// and sometimes in two (this project's AMD EPYC host: 55-77 ns, then 360-490 ns, within minutes), the same binary's
/// BAL executor ran the dependent counter block at 1.58-1.63x one moment and 1.19-1.31x the next (README, "Cross-core
/// latency"). `lockstep bench blockstm`, `blocks --repeat` and every run report print it, so that two sets of ratios
/// are compared only where they were measured on comparable placements.
public enum CrossCoreLatency {
    /// Round trips further apart than this factor come from different placements of the two processors (on the AMD host
    /// of the README's "Cross-core latency", 55-77 ns in one cache domain and 360-490 ns across two): the parallel
    /// ratios of blocks of cheap transactions measured under them do not compare.
    public static let placementFactor = 2.0

    /// Whether round trips spanning `range` (nanoseconds) come from more than one placement (`placementFactor`).
    public static func spansPlacements(_ range: ClosedRange<Double>) -> Bool {
        range.lowerBound > 0 ? range.upperBound / range.lowerBound > placementFactor : range.upperBound > 0
    }

    /// `; the placement changed during the <what>` where `before` and `after` span two placements, else empty: for the
    /// line that prints `after`.
    public static func changeNote(_ before: Measurement, _ after: Measurement, during what: String) -> String {
        let a = before.nanoseconds, b = after.nanoseconds
        return spansPlacements(min(a, b)...max(a, b)) ? "; the placement changed during the \(what)" : ""
    }

    /// One measurement: the median round trip over `trials`, between processors `first` and `second`.
    public struct Measurement: Sendable, Equatable {
        public var nanoseconds: Double
        public var first: Int
        public var second: Int

        /// `392 ns (processors 0 and 1)`.
        public var description: String {
            "\(Int(nanoseconds.rounded())) ns (processors \(first) and \(second))"
        }
    }

    /// The shared counter and the stop flag, each on its own cache line.
    private final class Line: @unchecked Sendable {  // atomics only
        let counter = Atomic<Int>(0)
        let padding: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
        let stop = Atomic<Bool>(false)
    }

    /// Measures `trials` runs of `exchanges` round trips each, after a short warm-up; nil with fewer than two
    /// usable processors, where the threads cannot be started or pinned, or where a round trip takes over a
    /// `timeoutNanoseconds` (a processor taken away for that long: no figure rather than a wrong one).
    public static func measure(exchanges: Int = 20_000, trials: Int = 3,
                               timeoutNanoseconds: UInt64 = 1_000_000_000) -> Measurement? {
        let cpus = Affinity.allowedProcessors()
        guard cpus.count >= 2, exchanges > 0, trials > 0 else { return nil }
        let line = Line()
        let warmUp = min(exchanges, 1_000)
        let total = warmUp + trials * exchanges
        let times = Mutex<[Double]?>(nil)
        let first = cpus[0], second = cpus[1]
        // The echoing thread: waits for each odd value and answers with the next even one. Each thread pins itself; one
        // that cannot stops both.
        guard let echo = WorkerThreads.start({
            guard Affinity.pin(pthread_self(), to: second) else { return line.stop.store(true, ordering: .relaxed) }
            for i in 0..<total {
                guard wait(line, until: 2 * i + 1, timeout: timeoutNanoseconds) else { return }
                line.counter.store(2 * i + 2, ordering: .releasing)
            }
        }) else { return nil }
        guard let caller = WorkerThreads.start({
            guard Affinity.pin(pthread_self(), to: first) else { return line.stop.store(true, ordering: .relaxed) }
            var next = 0
            func exchange(_ count: Int) -> Bool {
                for _ in 0..<count {
                    line.counter.store(2 * next + 1, ordering: .releasing)
                    guard wait(line, until: 2 * next + 2, timeout: timeoutNanoseconds) else { return false }
                    next += 1
                }
                return true
            }
            guard exchange(warmUp) else { return }
            var samples: [Double] = []
            for _ in 0..<trials {
                let start = Stopwatch.now()
                guard exchange(exchanges) else { return }
                samples.append(Double(Stopwatch.now() &- start) / Double(exchanges))
            }
            times.withLock { $0 = samples }
        }) else {
            line.stop.store(true, ordering: .relaxed)
            pthread_join(echo, nil)
            return nil
        }
        pthread_join(caller, nil)
        line.stop.store(true, ordering: .relaxed)
        pthread_join(echo, nil)
        guard let samples = times.withLock({ $0 }), !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return Measurement(nanoseconds: sorted[sorted.count / 2], first: first, second: second)
    }

    /// Spins until the counter reads `value`; false when the other side stopped or `timeout` passed first.
    private static func wait(_ line: Line, until value: Int, timeout: UInt64) -> Bool {
        var spins = 0
        var deadline: UInt64 = 0
        while line.counter.load(ordering: .acquiring) != value {
            spins += 1
            if spins & 1023 == 0 {
                if line.stop.load(ordering: .relaxed) { return false }
                let now = Stopwatch.now()
                if deadline == 0 { deadline = now &+ timeout } else if now > deadline {
                    line.stop.store(true, ordering: .relaxed)
                    return false
                }
            }
        }
        return true
    }
}
