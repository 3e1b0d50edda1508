// G2 arithmetic for the EIP-2537 precompiles: Jacobian coordinates over F_p2, the psi endomorphism, the
// subgroup test, scalar multiplication and cofactor clearing.

/// A G2 point in Jacobian coordinates (X/Z^2, Y/Z^3) over F_p2; Z = 0 is the point at infinity. Its arithmetic
/// (doubling, additions, [|x|]P, to affine) is `JacobianPoint`'s formulas, inlined here.
struct G2Jacobian: Sendable {
    var x: Fp2
    var y: Fp2
    var z: Fp2

    static let infinity = G2Jacobian(x: .one, y: .one, z: .zero)

    init(x: Fp2, y: Fp2, z: Fp2) { self.x = x; self.y = y; self.z = z }

    func doubled() -> G2Jacobian { jacobianDoubled() }
    func adding(_ q: G2Affine) -> G2Jacobian { jacobianAdding(affine: q) }
    func adding(_ q: G2Jacobian) -> G2Jacobian { jacobianAdding(q) }
    func mulByAbsX() -> G2Jacobian { jacobianMulByAbsX() }
    func toAffine() -> G2Affine { jacobianToAffine() }

    /// psi = (twist ∘ Frobenius ∘ untwist): (conj(X)·psiX, conj(Y)·psiY, conj(Z)) in Jacobian coordinates
    /// (conjugation is a field automorphism, so it commutes with the division by Z^2 and Z^3).
    /// On G2, psi acts as multiplication by the BLS parameter x.
    var psi: G2Jacobian {
        G2Jacobian(x: x.conjugate() * MapConstants.psiX, y: y.conjugate() * MapConstants.psiY, z: z.conjugate())
    }

    /// [x]P = -[|x|]P (x < 0).
    func mulByX() -> G2Jacobian { mulByAbsX().negated }

    /// Equality of the points the two represent (cross-multiplied, no inversion).
    func isEqual(to q: G2Jacobian) -> Bool {
        if isInfinity || q.isInfinity { return isInfinity && q.isInfinity }
        let z1z1 = z.squared(), z2z2 = q.z.squared()
        return x * z2z2 == q.x * z1z1 && y * z2z2 * q.z == q.y * z1z1 * z
    }

    /// Clears the cofactor: [h_eff]P with h_eff of RFC 9380 section 8.8.2, computed with the endomorphism as in
    /// RFC 9380 appendix G.3 (Budroni-Pintore): [x^2 - x - 1]P + [x - 1]psi(P) + psi^2([2]P).
    func clearingCofactor() -> G2Jacobian {
        let t1 = mulByX()                       // [x]P
        var t2 = psi                            // psi(P)
        var t3 = doubled().psi.psi              // psi^2(2P)
        t3 = t3.adding(t2.negated)              // psi^2(2P) - psi(P)
        t2 = t1.adding(t2)                      // [x]P + psi(P)
        t2 = t2.mulByX()                        // [x^2]P + [x]psi(P)
        t3 = t3.adding(t2)
        t3 = t3.adding(t1.negated)
        return t3.adding(negated)
    }
}

extension G2Affine {
    /// Subgroup membership (Scott 2021, section 5): P is in G2 iff psi(P) = [x]P.
    var isInSubgroup: Bool {
        if isInfinity { return true }
        let p = G2Jacobian(self)
        return p.psi.isEqual(to: p.mulByX())
    }

    /// [k]P for P in G2 (the caller has checked membership) and k < r, GLS-style: k is written in base |x|,
    /// k = a0 + a1·|x| + a2·|x|^2 + a3·|x|^3 (each digit below 2^64, as k < r < |x|^4), and [|x|]P = -psi(P) on
    /// G2, so [k]P = [a0]P + [a1](-psi P) + [a2](psi^2 P) + [a3](-psi^3 P): four 64-bit chains share 64 doublings.
    func multipliedInG2(by k: Scalar) -> G2Jacobian {
        if isInfinity || k.isZero { return .infinity }
        // Base-|x| digits by long division of the 256-bit k by the 64-bit |x|.
        var limbs = (k.l3, k.l2, k.l1, k.l0)
        var digits = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        func divide(_ n: inout (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
            let d = BLSParameter.absX
            var rem: UInt64 = 0
            (n.0, rem) = d.dividingFullWidth((rem, n.0))
            (n.1, rem) = d.dividingFullWidth((rem, n.1))
            (n.2, rem) = d.dividingFullWidth((rem, n.2))
            (n.3, rem) = d.dividingFullWidth((rem, n.3))
            return rem
        }
        digits.0 = divide(&limbs)
        digits.1 = divide(&limbs)
        digits.2 = divide(&limbs)
        digits.3 = limbs.3  // k / |x|^3 < 2^64; the higher limbs are zero
        let p0 = G2Jacobian(self)
        let p1 = p0.psi.negated
        let p2 = p1.psi.negated
        let p3 = p2.psi.negated
        // Affine copies make every addition a mixed one (one batched inversion).
        let bases = batchToAffine([p0, p1, p2, p3])
        // All 15 subset sums, so each bit position costs one addition (Straus/Shamir).
        var sums = [G2Jacobian](repeating: .infinity, count: 16)
        for mask in 1..<16 {
            let low = mask & -mask
            let i = low.trailingZeroBitCount
            sums[mask] = sums[mask ^ low].adding(bases[i])
        }
        let table = batchToAffine(sums)
        var acc = G2Jacobian.infinity
        let top = 64 - (digits.0 | digits.1 | digits.2 | digits.3).leadingZeroBitCount
        var bit = top - 1
        while bit >= 0 {
            acc = acc.doubled()
            let s = UInt64(bit)
            let mask = Int((digits.0 >> s) & 1) | Int((digits.1 >> s) & 1) << 1
                | Int((digits.2 >> s) & 1) << 2 | Int((digits.3 >> s) & 1) << 3
            if mask != 0 { acc = acc.adding(table[mask]) }
            bit -= 1
        }
        return acc
    }
}

/// Inverts every element of `values` in place with one field inversion; zeros stay zero.
func batchInvert(_ values: inout [Fp2]) {
    var prefix = [Fp2](repeating: .one, count: values.count)
    var acc = Fp2.one
    for i in values.indices {
        prefix[i] = acc
        if !values[i].isZero { acc = acc * values[i] }
    }
    var inv = acc.inverse()
    for i in stride(from: values.count - 1, through: 0, by: -1) where !values[i].isZero {
        let v = values[i]
        values[i] = inv * prefix[i]
        inv = inv * v
    }
}
