// Optimal ate pairing on BLS12-381: e(P, Q) = f_{x,Q}(P)^((p^12 - 1)/r), x = -0xd201000000010000.
//
// Lines. For Q' = (x', y') on the twist, the untwisting map to E(F_p12) is (x' w^-2, y' w^-3)
// (w^6 = xi = 1 + u). A line through twist points with twist slope lambda, evaluated at P = (xP, yP)
// and multiplied by w^3 (an element of the subfield F_p4, wiped out by the final exponentiation), is
//     yP·w^3 - lambda·xP·w^2 + (lambda·x_T - y_T),
// so only the slots c0.c0, c0.c1 and c1.c1 of an F_p12 element are non-zero (`Fp12.mulByLine`).

/// One precomputed Miller-loop line: value at P is (a) + (negLambda·xP)·w^2 + yP·w^3.
struct LineCoefficients: Sendable {
    var a: Fp2          // lambda·x_T - y_T
    var negLambda: Fp2  // -lambda
}

/// The Miller-loop lines of a fixed G2 point, in loop order (a doubling line per bit of |x| below the
/// top one, followed by an addition line where the bit is set): 63 + 5 = 68 lines.
struct G2Prepared: Sendable {
    let lines: [LineCoefficients]
    let isInfinity: Bool

    /// The points T before each line are found in Jacobian coordinates and made affine together, and the
    /// lines' denominators (2·y_T for a tangent, x_Q - x_T for a chord) are inverted together: two field
    /// inversions per point instead of one per line.
    init(_ q: G2Affine) {
        isInfinity = q.isInfinity
        if q.isInfinity { lines = []; return }
        var points = [G2Jacobian]()
        var isChord = [Bool]()
        points.reserveCapacity(68)
        isChord.reserveCapacity(68)
        var t = G2Jacobian(q)
        var bit = 62
        while bit >= 0 {
            points.append(t); isChord.append(false)
            t = t.doubled()
            if (BLSParameter.absX >> UInt64(bit)) & 1 == 1 {
                // T = [k]Q with 1 < k < |x| < r, so T != ±Q and the chord is defined.
                points.append(t); isChord.append(true)
                t = t.adding(q)
            }
            bit -= 1
        }
        let affine = batchToAffine(points)
        // T is never of order 2 (r is odd), so 2·y_T != 0.
        var denominators = [Fp2](repeating: .zero, count: affine.count)
        for i in affine.indices {
            denominators[i] = isChord[i] ? q.x - affine[i].x : affine[i].y.doubled()
        }
        batchInvert(&denominators)
        var out = [LineCoefficients]()
        out.reserveCapacity(affine.count)
        for i in affine.indices {
            let tp = affine[i]
            let lambda: Fp2
            if isChord[i] {
                lambda = (q.y - tp.y) * denominators[i]
            } else {
                let x2 = tp.x.squared()
                lambda = (x2 + x2 + x2) * denominators[i]
            }
            out.append(LineCoefficients(a: lambda * tp.x - tp.y, negLambda: -lambda))
        }
        lines = out
    }
}

/// Pairing computations.
enum Pairing {
    /// prod_i f_{|x|, Q_i}(P_i), conjugated because x < 0. Pairs with an infinite point contribute 1.
    static func millerLoop(_ pairs: [(G1Affine, G2Prepared)]) -> Fp12 {
        let active = pairs.filter { !$0.0.isInfinity && !$0.1.isInfinity }
        var f = Fp12.one
        if active.isEmpty { return f }
        var k = 0
        var bit = 62
        while bit >= 0 {
            if bit != 62 { f = f.squared() }
            for (p, q) in active {
                let l = q.lines[k]
                f = f.mulByLine(l.a, l.negLambda * p.x, p.y)
            }
            k += 1
            if (BLSParameter.absX >> UInt64(bit)) & 1 == 1 {
                for (p, q) in active {
                    let l = q.lines[k]
                    f = f.mulByLine(l.a, l.negLambda * p.x, p.y)
                }
                k += 1
            }
            bit -= 1
        }
        return f.conjugate()
    }

    /// f^|x| for f in the cyclotomic subgroup.
    static func cyclotomicExpAbsX(_ f: Fp12) -> Fp12 {
        var acc = f
        var bit = 62
        while bit >= 0 {
            acc = acc.cyclotomicSquared()
            if (BLSParameter.absX >> UInt64(bit)) & 1 == 1 { acc = acc * f }
            bit -= 1
        }
        return acc
    }

    /// f^x = conj(f^|x|) (x < 0; conjugation inverts in the cyclotomic subgroup).
    static func cyclotomicExpX(_ f: Fp12) -> Fp12 { cyclotomicExpAbsX(f).conjugate() }

    /// f^(3(p^12 - 1)/r). The easy part is (p^6 - 1)(p^2 + 1); the hard part uses
    /// 3(p^4 - p^2 + 1)/r = (x - 1)^2 (x + p)(x^2 + p^2 - 1) + 3 (Hayashida, Hayasaka, Teruya 2020).
    /// The extra cube does not change whether the result is 1 (gcd(3, r) = 1).
    static func finalExponentiation(_ f0: Fp12) -> Fp12 {
        // Easy part.
        var f = f0.conjugate() * f0.inverse()
        f = f.frobenius().frobenius() * f
        // Hard part.
        var a = cyclotomicExpX(f) * f.conjugate()          // f^(x-1)
        a = cyclotomicExpX(a) * a.conjugate()              // f^((x-1)^2)
        let b = cyclotomicExpX(a) * a.frobenius()          // ·^(x+p)
        let c = cyclotomicExpX(cyclotomicExpX(b)) * b.frobenius().frobenius() * b.conjugate()  // ·^(x^2+p^2-1)
        return c * f.cyclotomicSquared() * f               // · f^3
    }

    /// Whether prod_i e(P_i, Q_i) = 1.
    static func productIsOne(_ pairs: [(G1Affine, G2Prepared)]) -> Bool {
        finalExponentiation(millerLoop(pairs)) == .one
    }
}
