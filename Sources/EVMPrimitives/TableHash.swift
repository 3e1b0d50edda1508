/// The one word-mixing step of the project's hand-built hash tables and shards (`SerialRule`'s chain tables,
/// `IndexedAccessList`'s indexes, the commit's shards, Block-STM's lock stripes): SplitMix64's output function, so
/// that every input bit reaches every output bit (a multiply alone carries high bits only upwards, and addresses
/// that differ only in their first bytes, as generated ones do, all fell into one slot).
extension SplitMix64 {
    @inlinable @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Address {
    /// The address's 160 bits folded into one word, not yet mixed: a key of several parts (a storage slot's address
    /// and key) folds the others in before `SplitMix64.mix`. The multiplies keep equal words in `a` and `b` from
    /// cancelling.
    @inlinable @inline(__always)
    public var folded: UInt64 { a ^ (b &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(c) &* 0xC2B2_AE3D_27D4_EB4F) }

    /// A 64-bit hash for open-addressing tables and shards (not `Hasher`: no seed, no SipHash rounds).
    @inlinable @inline(__always)
    public var tableHash: UInt64 { SplitMix64.mix(folded) }
}

extension UInt64 {
    /// Rotated left by `n` bits (0 < n < 64).
    @inlinable @inline(__always)
    public func rotated(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
