// The BN254 (alt_bn128) base field Fp, p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47,
// as used by the EIP-196/EIP-197 precompiles.
//
// Elements are kept in Montgomery form (a * 2^256 mod p) in four 64-bit limbs, little-endian.
// Everything here is internal to the module and compiled with whole-module optimisation, so
// the compiler inlines and specialises freely; the public surface is the byte API in BN254.swift.

/// An element of the BN254 base field in Montgomery form, four little-endian 64-bit limbs.
struct Fp: Equatable, Sendable {
    var l0: UInt64
    var l1: UInt64
    var l2: UInt64
    var l3: UInt64

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }

    // MARK: constants

    /// The modulus p in plain (non-Montgomery) limbs.
    // Constants are computed properties returning literals, so hot code never goes through a
    // lazily initialised global.
    @inline(__always) static var p0: UInt64 { 0x3c20_8c16_d87c_fd47 }
    @inline(__always) static var p1: UInt64 { 0x9781_6a91_6871_ca8d }
    @inline(__always) static var p2: UInt64 { 0xb850_45b6_8181_585d }
    @inline(__always) static var p3: UInt64 { 0x3064_4e72_e131_a029 }
    /// -p^-1 mod 2^64, the Montgomery reduction constant.
    @inline(__always) static var inv: UInt64 { 0x87d2_0782_e486_6389 }

    @inline(__always) static var zero: Fp { Fp(0, 0, 0, 0) }
    /// 1 in Montgomery form (2^256 mod p).
    @inline(__always) static var one: Fp {
        Fp(0xd35d_438d_c58f_0d9d, 0x0a78_eb28_f5c7_0b3d, 0x666e_a36f_7879_462c, 0x0e0a_77c1_9a07_df2f)
    }
    /// 2^512 mod p, used to enter Montgomery form.
    @inline(__always) static var r2: Fp {
        Fp(0xf32c_fc5b_538a_fa89, 0xb5e7_1911_d445_01fb, 0x47ab_1eff_0a41_7ff6, 0x06d8_9f71_cab8_351f)
    }
    /// The curve coefficient b = 3 of y^2 = x^3 + 3 (EIP-196), Montgomery form.
    @inline(__always) static var three: Fp {
        Fp(0x7a17_caa9_50ad_28d7, 0x1f6a_c17a_e155_21b9, 0x334b_ea4e_696b_d284, 0x2a1f_6744_ce17_9d8e)
    }

    // MARK: conversions

    /// Builds an element from a small plain integer (not Montgomery form).
    init(fromPlain v: UInt64) {
        self = Fp(v, 0, 0, 0) * Fp.r2
    }

    /// Parses 32 big-endian bytes at `offset`; nil when the value is not below p (EIP-196: such a coordinate is invalid).
    init?(bigEndian bytes: UnsafeRawBufferPointer, at offset: Int) {
        @inline(__always) func word(_ i: Int) -> UInt64 {
            var w: UInt64 = 0
            for k in 0..<8 { w = (w << 8) | UInt64(bytes[offset + i * 8 + k]) }
            return w
        }
        let a = Fp(word(3), word(2), word(1), word(0))
        guard a.isBelowModulus else { return nil }
        self = a * Fp.r2
    }

    /// True when these limbs, read as a plain integer, are below p.
    @inline(__always)
    var isBelowModulus: Bool {
        if l3 != Fp.p3 { return l3 < Fp.p3 }
        if l2 != Fp.p2 { return l2 < Fp.p2 }
        if l1 != Fp.p1 { return l1 < Fp.p1 }
        return l0 < Fp.p0
    }

    /// The plain (non-Montgomery) value.
    @inline(__always)
    var plain: Fp { self * Fp(1, 0, 0, 0) }

    /// Writes the plain value as 32 big-endian bytes.
    func write(to out: inout [UInt8], at offset: Int) {
        let v = plain
        for i in 0..<4 {
            let w = i == 0 ? v.l3 : i == 1 ? v.l2 : i == 2 ? v.l1 : v.l0
            for k in 0..<8 { out[offset + i * 8 + k] = UInt8(truncatingIfNeeded: w >> (56 - 8 * UInt64(k))) }
        }
    }

    @inline(__always)
    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    // MARK: arithmetic

    /// Subtracts p once when the value is at least p; inputs are below 2p.
    @inline(__always)
    static func reduceOnce(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64) -> Fp {
        var b: UInt64 = 0
        let s0 = sbb(a0, p0, &b)
        let s1 = sbb(a1, p1, &b)
        let s2 = sbb(a2, p2, &b)
        let s3 = sbb(a3, p3, &b)
        return b == 0 ? Fp(s0, s1, s2, s3) : Fp(a0, a1, a2, a3)
    }

    @inline(__always)
    static func + (a: Fp, b: Fp) -> Fp {
        // Both are below p < 2^254, so the sum fits in 256 bits without a carry out.
        var c: UInt64 = 0
        let s0 = adc(a.l0, b.l0, &c)
        let s1 = adc(a.l1, b.l1, &c)
        let s2 = adc(a.l2, b.l2, &c)
        let s3 = adc(a.l3, b.l3, &c)
        return reduceOnce(s0, s1, s2, s3)
    }

    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        var br: UInt64 = 0
        var s0 = sbb(a.l0, b.l0, &br)
        var s1 = sbb(a.l1, b.l1, &br)
        var s2 = sbb(a.l2, b.l2, &br)
        var s3 = sbb(a.l3, b.l3, &br)
        if br != 0 {
            var c: UInt64 = 0
            s0 = adc(s0, p0, &c)
            s1 = adc(s1, p1, &c)
            s2 = adc(s2, p2, &c)
            s3 = adc(s3, p3, &c)
        }
        return Fp(s0, s1, s2, s3)
    }

    @inline(__always)
    static prefix func - (a: Fp) -> Fp {
        a.isZero ? a : Fp.zero - a
    }

    @inline(__always)
    static func += (a: inout Fp, b: Fp) { a = a + b }
    @inline(__always)
    static func -= (a: inout Fp, b: Fp) { a = a - b }
    @inline(__always)
    static func *= (a: inout Fp, b: Fp) { a = a * b }

    @inline(__always)
    var doubled: Fp { self + self }

    /// Montgomery product a * b * 2^-256 mod p (CIOS). Because p's top limb is below 2^62, the
    /// intermediate never needs a fifth limb (the "no-carry" variant of CIOS).
    @inline(__always)
    static func * (a: Fp, b: Fp) -> Fp {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
        step(&t0, &t1, &t2, &t3, a, b.l0)
        step(&t0, &t1, &t2, &t3, a, b.l1)
        step(&t0, &t1, &t2, &t3, a, b.l2)
        step(&t0, &t1, &t2, &t3, a, b.l3)
        return reduceOnce(t0, t1, t2, t3)
    }

    /// One outer iteration of CIOS: t = (t + a * bi + m * p) / 2^64.
    @inline(__always)
    static func step(_ t0: inout UInt64, _ t1: inout UInt64, _ t2: inout UInt64, _ t3: inout UInt64, _ a: Fp, _ bi: UInt64) {
        var hiA: UInt64, hiC: UInt64
        (hiA, t0) = mac(t0, a.l0, bi, 0)
        let m = t0 &* inv
        (hiC, _) = mac(t0, m, p0, 0)
        (hiA, t1) = mac(t1, a.l1, bi, hiA)
        (hiC, t0) = mac(t1, m, p1, hiC)
        (hiA, t2) = mac(t2, a.l2, bi, hiA)
        (hiC, t1) = mac(t2, m, p2, hiC)
        (hiA, t3) = mac(t3, a.l3, bi, hiA)
        (hiC, t2) = mac(t3, m, p3, hiC)
        t3 = hiC &+ hiA
    }

    @inline(__always)
    var squared: Fp { self * self }

    /// Raises to a power given as four little-endian limbs (plain integer), left to right.
    func power(_ e: (UInt64, UInt64, UInt64, UInt64)) -> Fp {
        var result = Fp.one
        for i in 0..<4 {
            let w = i == 0 ? e.3 : i == 1 ? e.2 : i == 2 ? e.1 : e.0
            var bit = 63
            while bit >= 0 {
                result = result.squared
                if (w >> UInt64(bit)) & 1 == 1 { result = result * self }
                bit -= 1
            }
        }
        return result
    }

    /// Multiplicative inverse by Fermat (a^(p-2)); the inverse of zero is zero. Used only a few
    /// times per precompile call (affine conversion, final exponentiation), so speed is secondary.
    var inverse: Fp {
        power((Fp.p0 &- 2, Fp.p1, Fp.p2, Fp.p3))
    }
}

// MARK: limb helpers

/// a + b*c + carry as (high, low); cannot overflow 128 bits.
@inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(b) &* UInt128(c) &+ UInt128(a) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t &>> 64), UInt64(truncatingIfNeeded: t))
}

/// a + b + carry, updating carry (0 or 1).
@inline(__always)
func adc(_ a: UInt64, _ b: UInt64, _ carry: inout UInt64) -> UInt64 {
    let t = UInt128(a) &+ UInt128(b) &+ UInt128(carry)
    carry = UInt64(truncatingIfNeeded: t &>> 64)
    return UInt64(truncatingIfNeeded: t)
}

/// a - b - borrow, updating borrow (0 or 1).
@inline(__always)
func sbb(_ a: UInt64, _ b: UInt64, _ borrow: inout UInt64) -> UInt64 {
    let t = UInt128(a) &- UInt128(b) &- UInt128(borrow)
    borrow = UInt64(truncatingIfNeeded: t &>> 127)
    return UInt64(truncatingIfNeeded: t)
}
