// The BLS12-381 base field F_p, p = 0x1a0111ea...ffffaaab (381 bits).
// Elements are kept in Montgomery form (a·2^384 mod p) in six 64-bit limbs, little-endian,
// always fully reduced (< p), so limb equality is field equality.

/// 64x64 -> 128-bit multiply-accumulate: a·b + c + d never overflows 128 bits.
@inline(__always)
func mulAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (hi: UInt64, lo: UInt64) {
    let t = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
    return (UInt64(truncatingIfNeeded: t >> 64), UInt64(truncatingIfNeeded: t))
}

/// Add with carry in and carry out (carry is 0 or 1).
@inline(__always)
func addCarry(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (sum: UInt64, carry: UInt64) {
    let t = UInt128(a) &+ UInt128(b) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t >> 64))
}

/// Subtract with borrow in and borrow out (borrow is 0 or 1).
@inline(__always)
func subBorrow(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (diff: UInt64, borrow: UInt64) {
    let t = UInt128(a) &- UInt128(b) &- UInt128(borrow)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t >> 64) & 1)
}

/// An element of the BLS12-381 base field F_p in Montgomery form.
struct Fp: Equatable, Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64, l5: UInt64

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64, _ l5: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3; self.l4 = l4; self.l5 = l5
    }

    // The modulus p, little-endian limbs.
    static let p0: UInt64 = 0xb9fe_ffff_ffff_aaab
    static let p1: UInt64 = 0x1eab_fffe_b153_ffff
    static let p2: UInt64 = 0x6730_d2a0_f6b0_f624
    static let p3: UInt64 = 0x6477_4b84_f385_12bf
    static let p4: UInt64 = 0x4b1b_a7b6_434b_acd7
    static let p5: UInt64 = 0x1a01_11ea_397f_e69a
    /// -p^-1 mod 2^64, the Montgomery reduction factor.
    static let inv: UInt64 = 0x89f3_fffc_fffc_fffd

    static let zero = Fp(0, 0, 0, 0, 0, 0)
    /// 1 in Montgomery form: 2^384 mod p.
    static let one = Fp(0x7609_0000_0002_fffd, 0xebf4_000b_c40c_0002, 0x5f48_9857_53c7_58ba,
                        0x77ce_5853_7052_5745, 0x5c07_1a97_a256_ec6d, 0x15f6_5ec3_fa80_e493)
    /// 2^768 mod p, to move a canonical integer into Montgomery form.
    static let r2 = Fp(0xf4df_1f34_1c34_1746, 0x0a76_e6a6_09d1_04f1, 0x8de5_476c_4c95_b6d5,
                       0x67eb_88a9_939d_83c0, 0x9a79_3e85_b519_952d, 0x1198_8fe5_92ca_e3aa)

    /// Reduces a value known to be below 2p into [0, p). Branch-free: which branch a data-dependent
    /// comparison takes is unpredictable, and a mispredict costs more than the selection.
    @inline(__always)
    init(reducing t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64, _ t4: UInt64, _ t5: UInt64) {
        var b: UInt64 = 0
        let s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64, s4: UInt64, s5: UInt64
        (s0, b) = subBorrow(t0, Fp.p0, 0)
        (s1, b) = subBorrow(t1, Fp.p1, b)
        (s2, b) = subBorrow(t2, Fp.p2, b)
        (s3, b) = subBorrow(t3, Fp.p3, b)
        (s4, b) = subBorrow(t4, Fp.p4, b)
        (s5, b) = subBorrow(t5, Fp.p5, b)
        // keep = all ones when t < p (the subtraction borrowed).
        let keep = 0 &- b
        self.init((t0 & keep) | (s0 & ~keep), (t1 & keep) | (s1 & ~keep), (t2 & keep) | (s2 & ~keep),
                  (t3 & keep) | (s3 & ~keep), (t4 & keep) | (s4 & ~keep), (t5 & keep) | (s5 & ~keep))
    }

    @inline(__always)
    var isZero: Bool { (l0 | l1 | l2 | l3 | l4 | l5) == 0 }

    @inline(__always)
    static func + (a: Fp, b: Fp) -> Fp {
        // a, b < p < 2^381, so the sum fits in six limbs with no carry out.
        var c: UInt64 = 0
        let t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64
        (t0, c) = addCarry(a.l0, b.l0, 0)
        (t1, c) = addCarry(a.l1, b.l1, c)
        (t2, c) = addCarry(a.l2, b.l2, c)
        (t3, c) = addCarry(a.l3, b.l3, c)
        (t4, c) = addCarry(a.l4, b.l4, c)
        (t5, _) = addCarry(a.l5, b.l5, c)
        return Fp(reducing: t0, t1, t2, t3, t4, t5)
    }

    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        var br: UInt64 = 0
        var t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64
        (t0, br) = subBorrow(a.l0, b.l0, 0)
        (t1, br) = subBorrow(a.l1, b.l1, br)
        (t2, br) = subBorrow(a.l2, b.l2, br)
        (t3, br) = subBorrow(a.l3, b.l3, br)
        (t4, br) = subBorrow(a.l4, b.l4, br)
        (t5, br) = subBorrow(a.l5, b.l5, br)
        // Went below zero: add p back (the final carry cancels the borrow). Masked, not branched.
        let m = 0 &- br
        var c: UInt64 = 0
        (t0, c) = addCarry(t0, Fp.p0 & m, 0)
        (t1, c) = addCarry(t1, Fp.p1 & m, c)
        (t2, c) = addCarry(t2, Fp.p2 & m, c)
        (t3, c) = addCarry(t3, Fp.p3 & m, c)
        (t4, c) = addCarry(t4, Fp.p4 & m, c)
        (t5, _) = addCarry(t5, Fp.p5 & m, c)
        return Fp(t0, t1, t2, t3, t4, t5)
    }

    @inline(__always)
    static prefix func - (a: Fp) -> Fp { Fp.zero - a }

    @inline(__always)
    static func += (a: inout Fp, b: Fp) { a = a + b }
    @inline(__always)
    static func -= (a: inout Fp, b: Fp) { a = a - b }
    @inline(__always)
    static func *= (a: inout Fp, b: Fp) { a = a * b }

    @inline(__always)
    func doubled() -> Fp { self + self }

    @inline(__always)
    func squared() -> Fp { self * self }

    /// Montgomery product a·b·2^-384 mod p (CIOS with the no-carry shortcut: p's top limb is below 2^62,
    /// so the running total never needs a seventh limb).
    static func * (a: Fp, b: Fp) -> Fp {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0
        var A: UInt64 = 0, C: UInt64 = 0, m: UInt64 = 0
        // word 0 of b
        (A, t0) = mulAdd(a.l0, b.l0, 0, 0)
        m = t0 &* Fp.inv
        C = mulAdd(m, Fp.p0, t0, 0).hi
        (A, t1) = mulAdd(a.l1, b.l0, 0, A)
        (C, t0) = mulAdd(m, Fp.p1, t1, C)
        (A, t2) = mulAdd(a.l2, b.l0, 0, A)
        (C, t1) = mulAdd(m, Fp.p2, t2, C)
        (A, t3) = mulAdd(a.l3, b.l0, 0, A)
        (C, t2) = mulAdd(m, Fp.p3, t3, C)
        (A, t4) = mulAdd(a.l4, b.l0, 0, A)
        (C, t3) = mulAdd(m, Fp.p4, t4, C)
        (A, t5) = mulAdd(a.l5, b.l0, 0, A)
        (C, t4) = mulAdd(m, Fp.p5, t5, C)
        t5 = C &+ A
        // word 1 of b
        (A, t0) = mulAdd(a.l0, b.l1, t0, 0)
        m = t0 &* Fp.inv
        C = mulAdd(m, Fp.p0, t0, 0).hi
        (A, t1) = mulAdd(a.l1, b.l1, t1, A)
        (C, t0) = mulAdd(m, Fp.p1, t1, C)
        (A, t2) = mulAdd(a.l2, b.l1, t2, A)
        (C, t1) = mulAdd(m, Fp.p2, t2, C)
        (A, t3) = mulAdd(a.l3, b.l1, t3, A)
        (C, t2) = mulAdd(m, Fp.p3, t3, C)
        (A, t4) = mulAdd(a.l4, b.l1, t4, A)
        (C, t3) = mulAdd(m, Fp.p4, t4, C)
        (A, t5) = mulAdd(a.l5, b.l1, t5, A)
        (C, t4) = mulAdd(m, Fp.p5, t5, C)
        t5 = C &+ A
        // word 2 of b
        (A, t0) = mulAdd(a.l0, b.l2, t0, 0)
        m = t0 &* Fp.inv
        C = mulAdd(m, Fp.p0, t0, 0).hi
        (A, t1) = mulAdd(a.l1, b.l2, t1, A)
        (C, t0) = mulAdd(m, Fp.p1, t1, C)
        (A, t2) = mulAdd(a.l2, b.l2, t2, A)
        (C, t1) = mulAdd(m, Fp.p2, t2, C)
        (A, t3) = mulAdd(a.l3, b.l2, t3, A)
        (C, t2) = mulAdd(m, Fp.p3, t3, C)
        (A, t4) = mulAdd(a.l4, b.l2, t4, A)
        (C, t3) = mulAdd(m, Fp.p4, t4, C)
        (A, t5) = mulAdd(a.l5, b.l2, t5, A)
        (C, t4) = mulAdd(m, Fp.p5, t5, C)
        t5 = C &+ A
        // word 3 of b
        (A, t0) = mulAdd(a.l0, b.l3, t0, 0)
        m = t0 &* Fp.inv
        C = mulAdd(m, Fp.p0, t0, 0).hi
        (A, t1) = mulAdd(a.l1, b.l3, t1, A)
        (C, t0) = mulAdd(m, Fp.p1, t1, C)
        (A, t2) = mulAdd(a.l2, b.l3, t2, A)
        (C, t1) = mulAdd(m, Fp.p2, t2, C)
        (A, t3) = mulAdd(a.l3, b.l3, t3, A)
        (C, t2) = mulAdd(m, Fp.p3, t3, C)
        (A, t4) = mulAdd(a.l4, b.l3, t4, A)
        (C, t3) = mulAdd(m, Fp.p4, t4, C)
        (A, t5) = mulAdd(a.l5, b.l3, t5, A)
        (C, t4) = mulAdd(m, Fp.p5, t5, C)
        t5 = C &+ A
        // word 4 of b
        (A, t0) = mulAdd(a.l0, b.l4, t0, 0)
        m = t0 &* Fp.inv
        C = mulAdd(m, Fp.p0, t0, 0).hi
        (A, t1) = mulAdd(a.l1, b.l4, t1, A)
        (C, t0) = mulAdd(m, Fp.p1, t1, C)
        (A, t2) = mulAdd(a.l2, b.l4, t2, A)
        (C, t1) = mulAdd(m, Fp.p2, t2, C)
        (A, t3) = mulAdd(a.l3, b.l4, t3, A)
        (C, t2) = mulAdd(m, Fp.p3, t3, C)
        (A, t4) = mulAdd(a.l4, b.l4, t4, A)
        (C, t3) = mulAdd(m, Fp.p4, t4, C)
        (A, t5) = mulAdd(a.l5, b.l4, t5, A)
        (C, t4) = mulAdd(m, Fp.p5, t5, C)
        t5 = C &+ A
        // word 5 of b
        (A, t0) = mulAdd(a.l0, b.l5, t0, 0)
        m = t0 &* Fp.inv
        C = mulAdd(m, Fp.p0, t0, 0).hi
        (A, t1) = mulAdd(a.l1, b.l5, t1, A)
        (C, t0) = mulAdd(m, Fp.p1, t1, C)
        (A, t2) = mulAdd(a.l2, b.l5, t2, A)
        (C, t1) = mulAdd(m, Fp.p2, t2, C)
        (A, t3) = mulAdd(a.l3, b.l5, t3, A)
        (C, t2) = mulAdd(m, Fp.p3, t3, C)
        (A, t4) = mulAdd(a.l4, b.l5, t4, A)
        (C, t3) = mulAdd(m, Fp.p4, t4, C)
        (A, t5) = mulAdd(a.l5, b.l5, t5, A)
        (C, t4) = mulAdd(m, Fp.p5, t5, C)
        t5 = C &+ A
        return Fp(reducing: t0, t1, t2, t3, t4, t5)
    }

    /// self^e for an exponent given as little-endian limbs: fixed 4-bit windows (not constant time:
    /// every input here is public).
    func pow(_ e: [UInt64]) -> Fp {
        var table = [Fp](repeating: .one, count: 16)
        for i in 1..<16 { table[i] = table[i - 1] * self }
        var result = Fp.one
        var started = false
        for limb in e.reversed() {
            var shift = 60
            while shift >= 0 {
                if started {
                    result = result.squared(); result = result.squared()
                    result = result.squared(); result = result.squared()
                }
                let nibble = Int((limb >> UInt64(shift)) & 0xf)
                if nibble != 0 {
                    result = result * table[nibble]
                    started = true
                }
                shift -= 4
            }
        }
        return result
    }

    /// p - 2: a^(p-2) = a^-1 by Fermat's little theorem.
    static let pMinus2: [UInt64] = [0xb9fe_ffff_ffff_aaa9, 0x1eab_fffe_b153_ffff, 0x6730_d2a0_f6b0_f624,
                                    0x6477_4b84_f385_12bf, 0x4b1b_a7b6_434b_acd7, 0x1a01_11ea_397f_e69a]
    /// (p + 1) / 4: since p ≡ 3 (mod 4), a^((p+1)/4) is a square root of a whenever one exists.
    static let pPlus1Over4: [UInt64] = [0xee7f_bfff_ffff_eaab, 0x07aa_ffff_ac54_ffff, 0xd9cc_34a8_3dac_3d89,
                                        0xd91d_d2e1_3ce1_44af, 0x92c6_e9ed_90d2_eb35, 0x0680_447a_8e5f_f9a6]
    /// (p - 1) / 2, the largest "non-negative" value in the ZCash lexicographic sign rule.
    static let pMinus1Over2 = Fp(raw: 0xdcff_7fff_ffff_d555, 0x0f55_ffff_58a9_ffff, 0xb398_6950_7b58_7b12,
                                 0xb23b_a5c2_79c2_895f, 0x258d_d3db_21a5_d66b, 0x0d00_88f5_1cbf_f34d)

    /// The inverse (zero maps to zero), by Fermat: a^(p-2). About four times slower than `inverse()`; kept as
    /// the reference the tests check the binary method against.
    func inverseByFermat() -> Fp { pow(Fp.pMinus2) }

    /// 2^(3·384) mod p: multiplying the plain inverse of the Montgomery representative a·R by R^3 (a Montgomery
    /// product, so divided by R once) gives a^-1·R, the Montgomery form of a^-1.
    static let r3 = Fp(0xed48_ac6b_d94c_a1e0, 0x315f_831e_03a7_adf8, 0x9a53_352a_615e_29dd,
                       0x34c0_4e5e_921e_1761, 0x2512_d435_6572_4728, 0x0aa6_3460_9175_5d4d)

    /// The inverse (zero maps to zero), by the binary extended Euclidean algorithm on the raw limbs (not constant
    /// time: every input here is public). Invariant: x1·A = u and x2·A = v (mod p) for A the raw representative.
    func inverse() -> Fp {
        if isZero { return .zero }
        var u = self
        var v = Fp(raw: Fp.p0, Fp.p1, Fp.p2, Fp.p3, Fp.p4, Fp.p5)
        var x1 = Fp(raw: 1, 0, 0, 0, 0, 0)
        var x2 = Fp.zero
        while !u.isRawOne && !v.isRawOne {
            while u.l0 & 1 == 0 { u = u.rawHalved; x1 = x1.halvedModP }
            while v.l0 & 1 == 0 { v = v.rawHalved; x2 = x2.halvedModP }
            if Fp.rawGreaterThan(v, u) {
                v = v.rawMinus(u); x2 = x2 - x1
            } else {
                u = u.rawMinus(v); x1 = x1 - x2
            }
        }
        return (u.isRawOne ? x1 : x2) * Fp.r3
    }

    @inline(__always)
    var isRawOne: Bool { l0 == 1 && (l1 | l2 | l3 | l4 | l5) == 0 }

    /// The raw integer shifted right by one bit.
    @inline(__always)
    var rawHalved: Fp {
        Fp(raw: l0 >> 1 | l1 << 63, l1 >> 1 | l2 << 63, l2 >> 1 | l3 << 63, l3 >> 1 | l4 << 63, l4 >> 1 | l5 << 63, l5 >> 1)
    }

    /// x/2 mod p for x < p: x/2 when x is even, (x + p)/2 otherwise (below 2^382, so no seventh limb).
    @inline(__always)
    var halvedModP: Fp {
        if l0 & 1 == 0 { return rawHalved }
        var c: UInt64 = 0
        let t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64
        (t0, c) = addCarry(l0, Fp.p0, 0)
        (t1, c) = addCarry(l1, Fp.p1, c)
        (t2, c) = addCarry(l2, Fp.p2, c)
        (t3, c) = addCarry(l3, Fp.p3, c)
        (t4, c) = addCarry(l4, Fp.p4, c)
        (t5, _) = addCarry(l5, Fp.p5, c)
        return Fp(raw: t0, t1, t2, t3, t4, t5).rawHalved
    }

    /// The raw difference self - b for self >= b.
    @inline(__always)
    func rawMinus(_ b: Fp) -> Fp {
        var br: UInt64 = 0
        let t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64, t4: UInt64, t5: UInt64
        (t0, br) = subBorrow(l0, b.l0, 0)
        (t1, br) = subBorrow(l1, b.l1, br)
        (t2, br) = subBorrow(l2, b.l2, br)
        (t3, br) = subBorrow(l3, b.l3, br)
        (t4, br) = subBorrow(l4, b.l4, br)
        (t5, _) = subBorrow(l5, b.l5, br)
        return Fp(raw: t0, t1, t2, t3, t4, t5)
    }

    /// A square root if one exists.
    func squareRoot() -> Fp? {
        let s = pow(Fp.pPlus1Over4)
        return s.squared() == self ? s : nil
    }

    /// Limbs taken as they are (no Montgomery conversion); used for plain integers such as (p-1)/2.
    init(raw l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64, _ l5: UInt64) {
        self.init(l0, l1, l2, l3, l4, l5)
    }

    /// Converts out of Montgomery form: the canonical integer as limbs in an Fp container.
    var canonical: Fp { self * Fp(1, 0, 0, 0, 0, 0) }

    /// Lexicographic comparison of two raw limb sets.
    static func rawGreaterThan(_ a: Fp, _ b: Fp) -> Bool {
        if a.l5 != b.l5 { return a.l5 > b.l5 }
        if a.l4 != b.l4 { return a.l4 > b.l4 }
        if a.l3 != b.l3 { return a.l3 > b.l3 }
        if a.l2 != b.l2 { return a.l2 > b.l2 }
        if a.l1 != b.l1 { return a.l1 > b.l1 }
        return a.l0 > b.l0
    }

    /// ZCash "lexicographically largest": the canonical value exceeds (p-1)/2.
    var isLexicographicallyLargest: Bool { Fp.rawGreaterThan(canonical, Fp.pMinus1Over2) }

    /// Parses 48 big-endian bytes (after the caller has cleared any flag bits);
    /// nil when the integer is not below p.
    init?(bigEndian b: ArraySlice<UInt8>) {
        precondition(b.count == 48, "Fp(bigEndian:) needs 48 bytes")
        // Limb k (little-endian) is bytes [40 - 8k, 48 - 8k) of the big-endian input. No allocation.
        @inline(__always) func limb(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            let start = b.startIndex + 40 - 8 * k
            for i in start..<(start + 8) { v = (v << 8) | UInt64(b[i]) }
            return v
        }
        let raw = Fp(raw: limb(0), limb(1), limb(2), limb(3), limb(4), limb(5))
        // Canonical form is required: reject p itself and anything above it.
        let pMinus1 = Fp(raw: Fp.p0 - 1, Fp.p1, Fp.p2, Fp.p3, Fp.p4, Fp.p5)
        if Fp.rawGreaterThan(raw, pMinus1) { return nil }
        self = raw * Fp.r2
    }

    /// Appends the canonical value as 48 big-endian bytes (no temporary array).
    func appendBigEndian(to out: inout [UInt8]) {
        let c = canonical
        for k in stride(from: 5, through: 0, by: -1) {
            let limb: UInt64
            switch k {
            case 5: limb = c.l5
            case 4: limb = c.l4
            case 3: limb = c.l3
            case 2: limb = c.l2
            case 1: limb = c.l1
            default: limb = c.l0
            }
            for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(s))) }
        }
    }

    /// The canonical value as 48 big-endian bytes.
    var bigEndianBytes: [UInt8] {
        let c = canonical
        var out = [UInt8]()
        out.reserveCapacity(48)
        for limb in [c.l5, c.l4, c.l3, c.l2, c.l1, c.l0] {
            for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(s))) }
        }
        return out
    }
}
