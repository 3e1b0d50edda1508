/// Hash values for the fixed-size keys of every state table (`UInt256`, `Address`, `Hash32`) without SipHash.
///
/// `Set` and `Dictionary` ask a key for `_rawHashValue(seed:)` (a `Hashable` requirement whose default feeds
/// `hash(into:)` to a SipHash-1-3 `Hasher`: about 100 instructions for an address, most of them in the
/// finalisation). These keys are a few machine words, so a folded 64x64->128 multiply per pair of words
/// (wyhash's mixing step) spreads every input bit over the low bits the tables index by, in a handful of
/// instructions (the constants are wyhash's). The table's per-instance seed enters the first multiply. `hash(into:)` stays as declared,
/// so a type that hashes one of these as a field still gets the same equality-consistent hash.
@inlinable @inline(__always)
func foldedMultiply(_ x: UInt64, _ y: UInt64) -> UInt64 {
    let (hi, lo) = x.multipliedFullWidth(by: y)
    return hi ^ lo
}

extension UInt256 {
    /// The four words folded to 64 bits with `seed`.
    @inlinable @inline(__always)
    public func foldedHash(seed: UInt64) -> UInt64 {
        let x = foldedMultiply(w0 ^ seed ^ 0xa076_1d64_78bd_642f, w1 ^ 0xe703_7ed1_a0b4_28db)
        let y = foldedMultiply(w2 ^ seed ^ 0x8ebc_6af0_9c88_c6e3, w3 ^ 0x5899_65cc_7537_4cc3)
        return foldedMultiply(x ^ 0xe703_7ed1_a0b4_28db, y ^ 0xa076_1d64_78bd_642f)
    }

    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: foldedHash(seed: UInt64(truncatingIfNeeded: seed)))
    }
}

extension Address {
    /// The three words folded to 64 bits with `seed`.
    @inlinable @inline(__always)
    public func foldedHash(seed: UInt64) -> UInt64 {
        let x = foldedMultiply(a ^ seed ^ 0xa076_1d64_78bd_642f, b ^ 0xe703_7ed1_a0b4_28db)
        return foldedMultiply(x ^ UInt64(c) ^ 0x8ebc_6af0_9c88_c6e3, 0x5899_65cc_7537_4cc3)
    }

    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: foldedHash(seed: UInt64(truncatingIfNeeded: seed)))
    }
}

extension Hash32 {
    @inlinable
    public func _rawHashValue(seed: Int) -> Int {
        let s = UInt64(truncatingIfNeeded: seed)
        let x = foldedMultiply(w0 ^ s ^ 0xa076_1d64_78bd_642f, w1 ^ 0xe703_7ed1_a0b4_28db)
        let y = foldedMultiply(w2 ^ s ^ 0x8ebc_6af0_9c88_c6e3, w3 ^ 0x5899_65cc_7537_4cc3)
        return Int(truncatingIfNeeded: foldedMultiply(x ^ 0xe703_7ed1_a0b4_28db, y ^ 0xa076_1d64_78bd_642f))
    }
}
