import EVMPrimitives

/// A two-sided confidence interval of a statistic.
public struct ConfidenceInterval: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) { self.lower = lower; self.upper = upper }

    public var width: Double { upper - lower }
}

/// How intervals were resampled: what a reader needs to reproduce them exactly.
public struct BootstrapSettings: Codable, Sendable, Equatable {
    /// Seed of the resampling (SplitMix64; each figure draws from its own stream, `seed` mixed with the figure's name).
    public var seed: UInt64
    /// Resamples per interval.
    public var resamples: Int
    /// Coverage of the interval (0.95: the 2.5th and 97.5th percentiles).
    public var confidence: Double

    public static let defaultResamples = 2000

    public init(seed: UInt64, resamples: Int = BootstrapSettings.defaultResamples, confidence: Double = 0.95) {
        self.seed = seed; self.resamples = max(1, resamples); self.confidence = confidence
    }
}

/// Percentile bootstrap confidence intervals over timed rounds (Efron and Tibshirani, *An Introduction to the
/// Bootstrap*, ch. 13). A resample draws the rounds' indices with replacement, so a ratio of two configurations
/// timed in the same rounds (serial and parallel) keeps each round's pair together; two runs (a baseline and this
/// one) are resampled independently. Deterministic: the same settings, stream name and samples give the same
/// interval.
public enum Bootstrap {
    /// A SplitMix64 stream per figure: `seed` mixed with the stream's name.
    struct Generator {
        var base: SplitMix64
        init(seed: UInt64, stream: String) { base = SplitMix64(seed: seed ^ FNV1a64.hash(stream)) }
        mutating func next() -> UInt64 { base.next() }
        /// Uniform in 0..<n (the bias for n of a few thousand is below 2^-50).
        mutating func index(_ n: Int) -> Int { base.below(n) }
    }

    /// The percentile interval of `statistic` over resamples of `rounds` rounds: `statistic(indices)` gets the drawn
    /// round indices (with repetitions). Nil when there are no rounds or the statistic is not finite.
    public static func interval(rounds: Int, settings: BootstrapSettings, stream: String,
                                statistic: ([Int]) -> Double) -> ConfidenceInterval? {
        guard rounds > 0 else { return nil }
        var g = Generator(seed: settings.seed, stream: stream)
        var values: [Double] = []
        values.reserveCapacity(settings.resamples)
        var indices = [Int](repeating: 0, count: rounds)
        for _ in 0..<settings.resamples {
            for i in 0..<rounds { indices[i] = g.index(rounds) }
            values.append(statistic(indices))
        }
        return percentiles(values, confidence: settings.confidence)
    }

    /// The same for a statistic of two independent runs of `roundsA` and `roundsB` rounds.
    public static func interval(roundsA: Int, roundsB: Int, settings: BootstrapSettings, stream: String,
                                statistic: ([Int], [Int]) -> Double) -> ConfidenceInterval? {
        guard roundsA > 0, roundsB > 0 else { return nil }
        var g = Generator(seed: settings.seed, stream: stream)
        var values: [Double] = []
        values.reserveCapacity(settings.resamples)
        var a = [Int](repeating: 0, count: roundsA), b = [Int](repeating: 0, count: roundsB)
        for _ in 0..<settings.resamples {
            for i in 0..<roundsA { a[i] = g.index(roundsA) }
            for i in 0..<roundsB { b[i] = g.index(roundsB) }
            values.append(statistic(a, b))
        }
        return percentiles(values, confidence: settings.confidence)
    }

    /// The (1 - confidence) / 2 and (1 + confidence) / 2 quantiles (nearest rank); nil when any value is not finite.
    static func percentiles(_ values: [Double], confidence: Double) -> ConfidenceInterval? {
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else { return nil }
        let s = values.sorted()
        func rank(_ q: Double) -> Double { s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.down))))] }
        return ConfidenceInterval(lower: rank((1 - confidence) / 2), upper: rank((1 + confidence) / 2))
    }

    /// The median of `samples` at `indices` (all of them when nil).
    public static func median(_ samples: [Double], at indices: [Int]? = nil) -> Double {
        var v = indices.map { $0.map { samples[$0] } } ?? samples
        guard !v.isEmpty else { return .nan }
        v.sort()
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }

    /// The speedup estimate of two configurations timed in the same rounds: the median over the rounds (those at
    /// `indices`, all when nil) of each round's ratio `numerator[r] / denominator[r]`. A round's two runs saw the same
    /// machine, so the per-round ratio cancels what drifts between rounds (another process, the frequency); the
    /// median of those ratios is steadier than a ratio of the two medians, whose rounds may be different ones: timing
    /// the serial executor against itself in one `lockstep blocks --repeat 11` run over Vectors/blocks, the ratio of
    /// medians put 3 of 69 blocks under 0.95x (worst 0.879x), the median of the rounds' ratios none (worst 0.963x).
    public static func pairedRatio(_ numerator: [Double], _ denominator: [Double], at indices: [Int]? = nil) -> Double {
        guard numerator.count == denominator.count else { return .nan }
        var ratios: [Double] = []
        if let indices {
            ratios.reserveCapacity(indices.count)
            for i in indices { ratios.append(numerator[i] / denominator[i]) }
        } else {
            ratios.reserveCapacity(numerator.count)
            for i in numerator.indices { ratios.append(numerator[i] / denominator[i]) }
        }
        return median(ratios)
    }

    /// Interval of `pairedRatio(numerator, denominator)`, the rounds resampled (each round's pair stays together).
    public static func pairedRatioInterval(_ numerator: [Double], _ denominator: [Double], settings: BootstrapSettings,
                                           stream: String) -> ConfidenceInterval? {
        guard numerator.count == denominator.count else { return nil }
        return interval(rounds: numerator.count, settings: settings, stream: stream) { i in
            pairedRatio(numerator, denominator, at: i)
        }
    }

    /// Interval of `scale / median(samples)` (a throughput from times).
    public static func reciprocalOfMedian(_ samples: [Double], scale: Double, settings: BootstrapSettings,
                                          stream: String) -> ConfidenceInterval? {
        interval(rounds: samples.count, settings: settings, stream: stream) { i in scale / median(samples, at: i) }
    }
}
