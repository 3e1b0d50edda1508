// The BN254 (alt_bn128) base field Fp, p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47,
// as used by the EIP-196/EIP-197 precompiles.
//
// Elements are kept in Montgomery form (a * 2^256 mod p) in four 64-bit limbs, little-endian.
// The field and curve types are internal (the public surface is the byte API in BN254.swift), so
// @frozen/@inlinable do not apply; whole-module optimisation inlines and specialises them. Only the
// small limb-level operations are forced inline: forcing the Fp2/Fp6/Fp12 products inline as well
// made release builds take many minutes for no measurable speed-up.

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

    // Constants are computed properties returning literals, so hot code never goes through a
    // lazily initialised global.

    /// The modulus p in plain (non-Montgomery) limbs.
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

    /// Subtracts p once when the value is at least p; inputs are below 2p. Branch-free, and written
    /// as "subtract p, add it back under a mask" rather than a select: LLVM turns selects in loops into
    /// branches, which mispredict half the time on field data.
    @inline(__always)
    static func reduceOnce(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64) -> Fp {
        var c: UInt64 = 1
        let s0 = adc(a0, ~p0, &c)
        let s1 = adc(a1, ~p1, &c)
        let s2 = adc(a2, ~p2, &c)
        let s3 = adc(a3, ~p3, &c)
        let mask = c &- 1  // all ones when a < p (the subtraction borrowed)
        var k: UInt64 = 0
        let t0 = adc(s0, p0 & mask, &k)
        let t1 = adc(s1, p1 & mask, &k)
        let t2 = adc(s2, p2 & mask, &k)
        let t3 = s3 &+ (p3 & mask) &+ k
        return Fp(t0, t1, t2, t3)
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

    /// a - b, adding p back when it borrows. Branch-free (a data-dependent branch here mispredicts
    /// half the time): a + ~b + 1 leaves carry 0 exactly on a borrow, which becomes an all-ones mask.
    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        var c: UInt64 = 1
        let s0 = adc(a.l0, ~b.l0, &c)
        let s1 = adc(a.l1, ~b.l1, &c)
        let s2 = adc(a.l2, ~b.l2, &c)
        let s3 = adc(a.l3, ~b.l3, &c)
        let mask = c &- 1
        var k: UInt64 = 0
        let t0 = adc(s0, p0 & mask, &k)
        let t1 = adc(s1, p1 & mask, &k)
        let t2 = adc(s2, p2 & mask, &k)
        let t3 = adc(s3, p3 & mask, &k)
        return Fp(t0, t1, t2, t3)
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

    /// Multiplicative inverse (zero maps to zero) by the binary extended Euclidean algorithm on the
    /// plain value x = a*2^256 of the limbs, giving x^-1; a Montgomery product with 2^768 then yields
    /// (a^-1)*2^256. Variable time, which is fine for public precompile inputs; it is about twice as
    /// fast as Fermat's a^(p-2) and is used for affine outputs and once per final exponentiation.
    var inverse: Fp {
        if isZero { return .zero }
        var u = self
        var v = Fp(Fp.p0, Fp.p1, Fp.p2, Fp.p3)
        var x1 = Fp(1, 0, 0, 0)
        var x2 = Fp.zero
        let one = Fp(1, 0, 0, 0)
        while u != one && v != one {
            while u.l0 & 1 == 0 {
                u = u.shiftedRight
                x1 = x1.halvedPlain
            }
            while v.l0 & 1 == 0 {
                v = v.shiftedRight
                x2 = x2.halvedPlain
            }
            if u.isAtLeast(v) {
                u = u.minusNoReduce(v)
                x1 = x1 - x2
            } else {
                v = v.minusNoReduce(u)
                x2 = x2 - x1
            }
        }
        let r = u == one ? x1 : x2
        // 2^768 mod p.
        return r * Fp(0xb1cd_6daf_da15_30df, 0x62f2_10e6_a728_3db6, 0xef7f_0b0c_0ada_0afb, 0x20fd_6e90_2d59_2544)
    }

    /// The limbs shifted right by one bit.
    @inline(__always)
    var shiftedRight: Fp {
        Fp((l0 >> 1) | (l1 << 63), (l1 >> 1) | (l2 << 63), (l2 >> 1) | (l3 << 63), l3 >> 1)
    }

    /// x/2 mod p for a value below p: (x + p)/2 when x is odd (x + p < 2^255 cannot overflow).
    @inline(__always)
    var halvedPlain: Fp {
        if l0 & 1 == 0 { return shiftedRight }
        var c: UInt64 = 0
        let s0 = adc(l0, Fp.p0, &c)
        let s1 = adc(l1, Fp.p1, &c)
        let s2 = adc(l2, Fp.p2, &c)
        let s3 = adc(l3, Fp.p3, &c)
        return Fp(s0, s1, s2, s3).shiftedRight
    }

    /// Integer comparison of the limbs.
    @inline(__always)
    func isAtLeast(_ b: Fp) -> Bool {
        if l3 != b.l3 { return l3 > b.l3 }
        if l2 != b.l2 { return l2 > b.l2 }
        if l1 != b.l1 { return l1 > b.l1 }
        return l0 >= b.l0
    }

    /// Integer difference of the limbs; the caller guarantees self >= b.
    @inline(__always)
    func minusNoReduce(_ b: Fp) -> Fp {
        var c: UInt64 = 1
        let s0 = adc(l0, ~b.l0, &c)
        let s1 = adc(l1, ~b.l1, &c)
        let s2 = adc(l2, ~b.l2, &c)
        let s3 = adc(l3, ~b.l3, &c)
        return Fp(s0, s1, s2, s3)
    }

    // MARK: unreduced (lazy) products, for Fp2 multiplication

    /// Integer sum of the limbs without reduction; both below p, so the sum is below 2^255.
    @inline(__always)
    func plusNoReduce(_ b: Fp) -> Fp {
        var c: UInt64 = 0
        let s0 = adc(l0, b.l0, &c)
        let s1 = adc(l1, b.l1, &c)
        let s2 = adc(l2, b.l2, &c)
        let s3 = l3 &+ b.l3 &+ c
        return Fp(s0, s1, s2, s3)
    }

    /// The full 512-bit product of the limbs (schoolbook).
    @inline(__always)
    static func mulWide(_ a: Fp, _ b: Fp) -> Wide {
        var r = Wide()
        var c: UInt64
        (c, r.w0) = mac(0, a.l0, b.l0, 0)
        (c, r.w1) = mac(0, a.l1, b.l0, c)
        (c, r.w2) = mac(0, a.l2, b.l0, c)
        (r.w4, r.w3) = mac(0, a.l3, b.l0, c)
        (c, r.w1) = mac(r.w1, a.l0, b.l1, 0)
        (c, r.w2) = mac(r.w2, a.l1, b.l1, c)
        (c, r.w3) = mac(r.w3, a.l2, b.l1, c)
        (r.w5, r.w4) = mac(r.w4, a.l3, b.l1, c)
        (c, r.w2) = mac(r.w2, a.l0, b.l2, 0)
        (c, r.w3) = mac(r.w3, a.l1, b.l2, c)
        (c, r.w4) = mac(r.w4, a.l2, b.l2, c)
        (r.w6, r.w5) = mac(r.w5, a.l3, b.l2, c)
        (c, r.w3) = mac(r.w3, a.l0, b.l3, 0)
        (c, r.w4) = mac(r.w4, a.l1, b.l3, c)
        (c, r.w5) = mac(r.w5, a.l2, b.l3, c)
        (r.w7, r.w6) = mac(r.w6, a.l3, b.l3, c)
        return r
    }

    /// Montgomery reduction t * 2^-256 mod p of a 512-bit t < p * 2^256 (the result before the final
    /// subtraction is then below 2p).
    @inline(__always)
    static func redc(_ t: Wide) -> Fp {
        let t0 = t.w0
        var t1 = t.w1, t2 = t.w2, t3 = t.w3, t4 = t.w4, t5 = t.w5, t6 = t.w6, t7 = t.w7
        // Row i adds m_i * p * 2^(64 i), which clears limb i; `hi` carries the overflow of limb i+4
        // into the next row.
        var c: UInt64, hi: UInt64 = 0, m: UInt64
        m = t0 &* inv
        (c, _) = mac(t0, m, p0, 0)
        (c, t1) = mac(t1, m, p1, c)
        (c, t2) = mac(t2, m, p2, c)
        (c, t3) = mac(t3, m, p3, c)
        t4 = adc(t4, c, &hi)
        m = t1 &* inv
        (c, _) = mac(t1, m, p0, 0)
        (c, t2) = mac(t2, m, p1, c)
        (c, t3) = mac(t3, m, p2, c)
        (c, t4) = mac(t4, m, p3, c)
        t5 = adc(t5, c, &hi)
        m = t2 &* inv
        (c, _) = mac(t2, m, p0, 0)
        (c, t3) = mac(t3, m, p1, c)
        (c, t4) = mac(t4, m, p2, c)
        (c, t5) = mac(t5, m, p3, c)
        t6 = adc(t6, c, &hi)
        m = t3 &* inv
        (c, _) = mac(t3, m, p0, 0)
        (c, t4) = mac(t4, m, p1, c)
        (c, t5) = mac(t5, m, p2, c)
        (c, t6) = mac(t6, m, p3, c)
        t7 = t7 &+ c &+ hi  // the result is below 2p < 2^255, so nothing carries out
        return reduceOnce(t4, t5, t6, t7)
    }
}

/// A 512-bit unreduced product, eight little-endian limbs.
struct Wide {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
    var w4: UInt64 = 0, w5: UInt64 = 0, w6: UInt64 = 0, w7: UInt64 = 0

    /// self - b as integers; the caller guarantees no underflow.
    @inline(__always)
    func minus(_ b: Wide) -> Wide {
        var c: UInt64 = 1
        var r = Wide()
        r.w0 = adc(w0, ~b.w0, &c)
        r.w1 = adc(w1, ~b.w1, &c)
        r.w2 = adc(w2, ~b.w2, &c)
        r.w3 = adc(w3, ~b.w3, &c)
        r.w4 = adc(w4, ~b.w4, &c)
        r.w5 = adc(w5, ~b.w5, &c)
        r.w6 = adc(w6, ~b.w6, &c)
        r.w7 = adc(w7, ~b.w7, &c)
        return r
    }

    /// self - b, plus p * 2^256 when that is negative, so the result lies in [0, p * 2^256) for
    /// self, b < p * 2^256 (branch-free).
    @inline(__always)
    func minusModP256(_ b: Wide) -> Wide {
        var c: UInt64 = 1
        var r = Wide()
        r.w0 = adc(w0, ~b.w0, &c)
        r.w1 = adc(w1, ~b.w1, &c)
        r.w2 = adc(w2, ~b.w2, &c)
        r.w3 = adc(w3, ~b.w3, &c)
        r.w4 = adc(w4, ~b.w4, &c)
        r.w5 = adc(w5, ~b.w5, &c)
        r.w6 = adc(w6, ~b.w6, &c)
        r.w7 = adc(w7, ~b.w7, &c)
        let mask = c &- 1
        var k: UInt64 = 0
        r.w4 = adc(r.w4, Fp.p0 & mask, &k)
        r.w5 = adc(r.w5, Fp.p1 & mask, &k)
        r.w6 = adc(r.w6, Fp.p2 & mask, &k)
        r.w7 = adc(r.w7, Fp.p3 & mask, &k)
        return r
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
