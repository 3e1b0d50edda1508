import EVMPrimitives
import Keccak
import Vectors

/// The generator's only source of randomness: SplitMix64, fully fixed by its seed.
///
/// Every draw is integer arithmetic (no `pow`, no `log`), so a seed gives the same block, byte for byte, on
/// every platform and compiler.
struct GeneratorRandom {
    private var base: SplitMix64

    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }

    /// Uniform in `0..<bound` (the bias is below 2^-40 for the bounds used here).
    mutating func below(_ bound: Int) -> Int { base.below(bound) }

    /// Uniform in `range` (closed).
    mutating func between(_ lower: UInt64, _ upper: UInt64) -> UInt64 {
        precondition(lower <= upper, "GeneratorRandom.between needs lower <= upper")
        let span = upper - lower
        return span == .max ? next() : lower + next().multipliedFullWidth(by: span + 1).high
    }

    /// True with probability `percent` / 100.
    mutating func percent(_ percent: Int) -> Bool { below(100) < percent }

    /// A 32-byte word of random bits.
    mutating func word() -> UInt256 { UInt256(w0: next(), w1: next(), w2: next(), w3: next()) }

    /// The first `count` elements of a uniformly shuffled `0..<n` (a partial Fisher-Yates).
    mutating func sample(_ count: Int, of n: Int) -> [Int] {
        var items = Array(0..<n)
        let k = min(count, n)
        for i in 0..<k {
            let j = i + below(n - i)
            items.swapAt(i, j)
        }
        return Array(items.prefix(k))
    }

    /// A stable 64-bit hash of a name (FNV-1a), to give each workload its own stream for the same seed.
    static func hash(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}

/// A Zipf(s = 1) sampler over `0..<n`: item k is drawn with weight 1/(k+1), so item 0 is the hottest.
/// Weights are integers (2^40 / (k+1)) so the table is identical everywhere.
struct ZipfTable {
    private let cumulative: [UInt64]

    init(count n: Int) {
        var total: UInt64 = 0
        var c: [UInt64] = []
        c.reserveCapacity(max(n, 1))
        for k in 0..<max(n, 1) {
            total += (1 << 40) / UInt64(k + 1)
            c.append(total)
        }
        cumulative = c
    }

    func draw(_ rng: inout GeneratorRandom) -> Int {
        guard let total = cumulative.last else { return 0 }
        let r = rng.next().multipliedFullWidth(by: total).high
        // First index whose cumulative weight exceeds r (binary search).
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > r { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
