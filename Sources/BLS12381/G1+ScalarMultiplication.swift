// Faster G1 scalar multiplication for the two products in a KZG check: [y]G1 (fixed base) and [z]proof.

/// Fixed-base table for G1's generator: 64 four-bit windows, entry [i][d - 1] = [d·16^i]G (affine),
/// so [k]G costs at most 64 mixed additions and no doublings. Built once (about 1000 additions).
struct G1GeneratorTable: Sendable {
    let points: [G1Affine]

    static let shared = G1GeneratorTable()

    init() {
        var jac = [G1Jacobian]()
        jac.reserveCapacity(64 * 15)
        var base = G1Jacobian(G1Affine.generator)
        for _ in 0..<64 {
            var acc = base
            jac.append(acc)
            for _ in 2...15 {
                acc = acc.adding(base)
                jac.append(acc)
            }
            base = acc.adding(base)
        }
        points = batchToAffine(jac)
    }

    func multiply(_ k: Scalar) -> G1Jacobian {
        var acc = G1Jacobian.infinity
        for (limbIndex, limb) in [k.l0, k.l1, k.l2, k.l3].enumerated() {
            for nibble in 0..<16 {
                let d = Int((limb >> UInt64(nibble * 4)) & 0xf)
                if d != 0 { acc = acc.adding(points[(limbIndex * 16 + nibble) * 15 + d - 1]) }
            }
        }
        return acc
    }
}

/// Width-4 non-adjacent form: odd digits in [-7, 7], least significant first.
func wnaf4(_ k: UInt128) -> [Int8] {
    var digits = [Int8]()
    digits.reserveCapacity(130)
    var k = k
    while k != 0 {
        if k & 1 == 1 {
            var d = Int(k & 0xf)
            if d >= 8 { d -= 16 }
            if d > 0 { k -= UInt128(d) } else { k += UInt128(-d) }
            digits.append(Int8(d))
        } else {
            digits.append(0)
        }
        k >>= 1
    }
    return digits
}

extension G1Jacobian {
    /// -sigma(P) = (beta·X, -Y, Z), which is [x^2]P on G1 (see `G1Affine.isInSubgroup`).
    var minusSigma: G1Jacobian { G1Jacobian(x: x * G1Affine.beta, y: -y, z: z) }
}

extension G1Affine {
    /// [k]P for P in G1 (the caller has checked membership), GLV-style: with x^2 ≈ 2^127 and r ≈ x^4,
    /// k = q·x^2 + m with q, m < 2^128, and [x^2]P = -sigma(P) is one field multiplication away,
    /// so [k]P = [m]P + [q](-sigma(P)): two interleaved 128-bit wNAF chains share 128 doublings.
    func multipliedInG1(by k: Scalar) -> G1Jacobian {
        if isInfinity || k.isZero { return .infinity }
        let x2 = UInt128(BLSParameter.absX) * UInt128(BLSParameter.absX)
        let high = UInt128(k.l3) << 64 | UInt128(k.l2)
        let low = UInt128(k.l1) << 64 | UInt128(k.l0)
        // high < x^2 because k < r < x^2 · 2^128, so the quotient fits in 128 bits.
        let (q, m) = x2.dividingFullWidth((high: high, low: low))
        let dm = wnaf4(m), dq = wnaf4(q)
        // Odd multiples P, 3P, 5P, 7P and their images under -sigma.
        let p1 = G1Jacobian(self)
        let p2 = p1.doubled()
        let p3 = p2.adding(self)
        let p5 = p3.adding(p2)
        let p7 = p5.adding(p2)
        let table = [p1, p3, p5, p7]
        let tableS = table.map { $0.minusSigma }
        var acc = G1Jacobian.infinity
        var i = max(dm.count, dq.count) - 1
        while i >= 0 {
            acc = acc.doubled()
            if i < dm.count, dm[i] != 0 {
                let d = Int(dm[i])
                acc = acc.adding(d > 0 ? table[d >> 1] : table[(-d) >> 1].negated)
            }
            if i < dq.count, dq[i] != 0 {
                let d = Int(dq[i])
                acc = acc.adding(d > 0 ? tableS[d >> 1] : tableS[(-d) >> 1].negated)
            }
            i -= 1
        }
        return acc
    }
}
