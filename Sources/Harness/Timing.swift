import Execution
import Reports

/// The harness's one timing loop: every command that times blocks (`lockstep run`, `blocks`, `bench blockstm`,
/// `bench evm`) measures with it, so they all report the same statistic from the same kind of samples.
///
/// Configurations are timed in interleaved rounds, after the caller's warm-up: round r runs configuration 0, 1, ...,
/// n-1 once each, in that order in even rounds and in reverse order in odd ones, so that whatever the machine does
/// slowly over time (other processes, frequency scaling, thermal limits) falls on every configuration of a round alike,
/// a ratio of two configurations' samples of the same round sees the same machine, and no configuration always runs
/// first (after the previous round's last, whose freed memory and caches it would inherit). A speedup is the median of
/// the rounds' ratios (`pairedRatio`). Every sample is kept (not only the fastest or the median), so that a later
/// run can resample them (`Bootstrap` in `Reports`). The clock itself is `Stopwatch` (in Execution, which the
/// executors' phase profiles read too).
public enum Timing {
    public typealias Clock = Stopwatch.Clock

    /// Monotonic wall time, nanoseconds.
    @inline(__always)
    public static func now() -> UInt64 { Stopwatch.now() }

    /// `clock`'s reading, nanoseconds.
    @inline(__always)
    public static func now(_ clock: Clock) -> UInt64 { Stopwatch.now(clock) }

    /// `body`'s result and its wall time in nanoseconds.
    @inline(__always)
    public static func measure<T>(_ body: () throws -> T) rethrows -> (result: T, nanoseconds: UInt64) {
        try Stopwatch.measure(body)
    }

    /// `rounds` interleaved rounds of `configurations` configurations: `run(c, r)` runs configuration c in round r
    /// once and is timed; `samples[c][r]` is that run's wall time in nanoseconds. Even rounds run the configurations
    /// in order, odd rounds in reverse order.
    public static func interleavedRounds(rounds: Int, configurations: Int,
                                         _ run: (_ configuration: Int, _ round: Int) -> Void) -> [[UInt64]] {
        var samples = [[UInt64]](repeating: [], count: configurations)
        for c in 0..<configurations { samples[c].reserveCapacity(max(0, rounds)) }
        for r in 0..<max(0, rounds) {
            for k in 0..<configurations {
                let c = r % 2 == 0 ? k : configurations - 1 - k
                let start = now()
                run(c, r)
                samples[c].append(now() &- start)
            }
        }
        return samples
    }

    /// The speedup of `denominator`'s configuration over `numerator`'s, both timed in the same rounds: the median of
    /// the rounds' ratios `numerator[r] / denominator[r]` (`Bootstrap.pairedRatio`); 0 without rounds.
    public static func pairedRatio(_ numerator: [UInt64], _ denominator: [UInt64]) -> Double {
        guard !numerator.isEmpty, numerator.count == denominator.count else { return 0 }
        return Bootstrap.pairedRatio(numerator.map { Double($0) }, denominator.map { Double(max(1, $0)) })
    }

    /// The median (the mean of the two middle values for an even count, rounded down); 0 for no values.
    public static func median(_ values: [UInt64]) -> UInt64 {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        if s.count % 2 == 1 { return s[s.count / 2] }
        let a = s[s.count / 2 - 1], b = s[s.count / 2]
        return a / 2 + b / 2 + (a % 2 + b % 2) / 2
    }
}
