/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast generator whose output is fixed by its seed on every
/// platform and compiler (integer arithmetic only). The workload generator, the reports' bootstrap and seeded tests
/// draw from it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in `0..<bound` (Lemire's multiply-high reduction without rejection: the bias is below bound / 2^64).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.below needs a positive bound")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}
