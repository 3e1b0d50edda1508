// The group G1: points of E(F_p): y^2 = x^3 + 4 in the subgroup of prime order r.

/// A G1 point in affine coordinates (infinity flagged separately).
struct G1Affine: Equatable, Sendable {
    var x: Fp
    var y: Fp
    var isInfinity: Bool

    static let infinity = G1Affine(x: .zero, y: .zero, isInfinity: true)

    /// The standard generator (x = 0x17f1d3a7..., y = 0x08b3f481...), Montgomery form.
    static let generator = G1Affine(
        x: Fp(0x5cb3_8790_fd53_0c16, 0x7817_fc67_9976_fff5, 0x154f_95c7_143b_a1c1,
              0xf0ae_6acd_f3d0_e747, 0xedce_6ecc_21db_f440, 0x1201_7741_9e0b_fb75),
        y: Fp(0xbaac_93d5_0ce7_2271, 0x8c22_631a_7918_fd8e, 0xdd59_5f13_5707_25ce,
              0x51ac_5829_5040_5194, 0x0e1c_8c3f_ad00_59c0, 0x0bbc_3efc_5008_a26a),
        isInfinity: false)

    /// b = 4 in Montgomery form.
    static let b: Fp = Fp.one.doubled().doubled()

    var negated: G1Affine { isInfinity ? self : G1Affine(x: x, y: -y, isInfinity: false) }

    var isOnCurve: Bool { isInfinity || y.squared() == x.squared() * x + G1Affine.b }

    /// beta, a primitive cube root of unity in F_p chosen so that sigma(x, y) = (beta·x, y)
    /// acts on G1 as multiplication by -x^2 (x the BLS parameter).
    static let beta = Fp(0x30f1_361b_798a_64e8, 0xf3b8_ddab_7ece_5a2a, 0x16a8_ca3a_c615_77f7,
                         0xc26a_2ff8_74fd_029b, 0x3636_b766_6070_1c6e, 0x051b_a4ab_241b_6160)

    /// Subgroup membership (Scott, "A note on group membership tests for G1, G2 and GT on BLS
    /// pairing-friendly curves", 2021, section 4): P is in G1 iff sigma(P) = -[x^2]P.
    /// Costs two multiplications by the 64-bit |x| instead of one by the 255-bit r.
    var isInSubgroup: Bool {
        if isInfinity { return true }
        let q = G1Jacobian(self).mulByAbsX().mulByAbsX()  // [x^2]P
        // Compare [x^2]P with -sigma(P) = (beta·x, -y) without leaving Jacobian coordinates.
        if q.isInfinity { return false }
        let z2 = q.z.squared()
        return q.x == x * G1Affine.beta * z2 && q.y == -(y * z2 * q.z)
    }
}

/// A G1 point in Jacobian coordinates (X/Z^2, Y/Z^3); Z = 0 is the point at infinity. Its arithmetic (doubling,
/// additions, [|x|]P, to affine) is `JacobianPoint`'s formulas, inlined here.
struct G1Jacobian: Sendable {
    var x: Fp
    var y: Fp
    var z: Fp

    static let infinity = G1Jacobian(x: .one, y: .one, z: .zero)

    init(x: Fp, y: Fp, z: Fp) { self.x = x; self.y = y; self.z = z }

    func doubled() -> G1Jacobian { jacobianDoubled() }
    func adding(_ q: G1Affine) -> G1Jacobian { jacobianAdding(affine: q) }
    func adding(_ q: G1Jacobian) -> G1Jacobian { jacobianAdding(q) }
    func mulByAbsX() -> G1Jacobian { jacobianMulByAbsX() }
    func toAffine() -> G1Affine { jacobianToAffine() }
}

/// The BLS12-381 curve parameter x = -0xd201000000010000 (negative).
enum BLSParameter {
    static let absX: UInt64 = 0xd201_0000_0001_0000
}

/// A scalar in [0, r) as four little-endian 64-bit limbs.
struct Scalar: Equatable, Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    /// r = 0x73eda753...00000001, the order of G1, G2 and GT.
    static let r = Scalar(l0: 0xffff_ffff_0000_0001, l1: 0x53bd_a402_fffe_5bfe,
                          l2: 0x3339_d808_09a1_d805, l3: 0x73ed_a753_299d_7d48)

    init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    /// Parses 32 big-endian bytes; nil unless the value is below r (bls_field_to_bls_scalar / bytes_to_bls_field).
    init?(bigEndian b: [UInt8]) {
        guard b.count == 32 else { return nil }
        var w = [UInt64](repeating: 0, count: 4)
        for k in 0..<4 {
            var v: UInt64 = 0
            for i in 0..<8 { v = (v << 8) | UInt64(b[(3 - k) * 8 + i]) }
            w[k] = v
        }
        let s = Scalar(l0: w[0], l1: w[1], l2: w[2], l3: w[3])
        guard s.isLess(than: .r) else { return nil }
        self = s
    }

    func isLess(than o: Scalar) -> Bool {
        if l3 != o.l3 { return l3 < o.l3 }
        if l2 != o.l2 { return l2 < o.l2 }
        if l1 != o.l1 { return l1 < o.l1 }
        return l0 < o.l0
    }

    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    func bit(_ i: Int) -> Bool {
        let limb: UInt64
        switch i >> 6 {
        case 0: limb = l0
        case 1: limb = l1
        case 2: limb = l2
        default: limb = l3
        }
        return (limb >> UInt64(i & 63)) & 1 == 1
    }

    /// Number of significant bits.
    var bitWidth: Int {
        if l3 != 0 { return 256 - l3.leadingZeroBitCount }
        if l2 != 0 { return 192 - l2.leadingZeroBitCount }
        if l1 != 0 { return 128 - l1.leadingZeroBitCount }
        return 64 - l0.leadingZeroBitCount
    }
}

extension G1Affine {
    /// [k]P by left-to-right double-and-add (inputs are public, so no constant-time ladder is needed).
    func multiplied(by k: Scalar) -> G1Jacobian {
        var acc = G1Jacobian.infinity
        if isInfinity { return acc }
        var i = k.bitWidth - 1
        while i >= 0 {
            acc = acc.doubled()
            if k.bit(i) { acc = acc.adding(self) }
            i -= 1
        }
        return acc
    }
}
