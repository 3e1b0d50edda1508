// The optimal ate pairing on BN254 for the EIP-197 pairing check.
//
// e(P, Q) = f^((p^12 - 1)/r) with f = f_{6x+2,Q}(P) * l_{[6x+2]Q, pi(Q)}(P) * l_{[6x+2]Q + pi(Q), -pi^2(Q)}(P)
// (Vercauteren 2010, "Optimal pairings"), x = 0x44e992b44a6909f1. For a product of pairings the Miller
// loops run side by side: one Fp12 squaring per step serves every pair, and the final
// exponentiation is done once on the product.
//
// Lines are evaluated with the homogeneous-coordinate formulas of Costello-Lange-Naehrig 2010 and
// Aranha et al. 2010 ("Faster explicit formulas for computing pairings over ordinary curves"),
// scaled by Fp2 factors, which the final exponentiation removes (they lie in a proper subfield).
// On the D-type twist, Q' = (x, y) maps to (x w^2, y w^3), so a line through twist points evaluated at
// P = (xP, yP) has the sparse shape a + b w + c w^3 with a proportional to yP and b to xP.

/// A validated, non-trivial pairing input: P in G1 and Q in G2, affine, neither at infinity.
struct PairingInput: Sendable {
    var px: Fp
    var py: Fp
    var qx: Fp2
    var qy: Fp2
}

/// The Miller loop and the pairing check.
enum Pairing {
    /// A twist point in homogeneous projective coordinates (x = X/Z, y = Y/Z).
    struct Homogeneous {
        var x: Fp2
        var y: Fp2
        var z: Fp2
    }

    /// 6x + 2 in signed binary (NAF): bit i of `pos` (`neg`) set means digit +1 (-1). The top digit
    /// (bit 65) is +1 and is consumed by starting from T = Q.
    @inline(__always) static var loopPos: (UInt64, UInt64) { (0x2002_0042_0080_4028, 0x2) }
    @inline(__always) static var loopNeg: (UInt64, UInt64) { (0x8288_9008_420a_0480, 0x0) }

    /// T <- 2T, returning the tangent line at T evaluated at P:
    /// (-2YZ yP) + (3X^2 xP) w + (3b'Z^2 - Y^2) w^3. The new point is scaled by 4 relative to
    /// Aranha et al.'s formula to avoid halvings: X3 = 2XY(Y^2 - 9b'Z^2), Y3 = (Y^2 + 9b'Z^2)^2 - 108 b'^2 Z^4,
    /// Z3 = 8Y^3 Z.
    static func doublingStep(_ t: inout Homogeneous, _ px: Fp, _ py: Fp) -> (Fp2, Fp2, Fp2) {
        let b = t.y.squared
        let c = t.z.squared
        let e = c * Curve.threeBTwist
        let f = e.doubled + e
        let h = (t.y + t.z).squared - b - c
        let j = t.x.squared
        let e2 = e.squared
        let la = (-h).scaled(by: py)
        let lb = (j.doubled + j).scaled(by: px)
        let lc = e - b
        let x3 = (t.x * t.y).doubled * (b - f)
        let y3 = (b + f).squared - (e2.doubled + e2).doubled.doubled
        let z3 = (b * h).doubled.doubled
        t = Homogeneous(x: x3, y: y3, z: z3)
        return (la, lb, lc)
    }

    /// T <- T + Q for affine Q, returning the line through T and Q evaluated at P:
    /// (lambda yP) - (theta xP) w + (theta xQ - lambda yQ) w^3, theta = Y - yQ Z, lambda = X - xQ Z.
    static func additionStep(_ t: inout Homogeneous, _ qx: Fp2, _ qy: Fp2, _ px: Fp, _ py: Fp) -> (Fp2, Fp2, Fp2) {
        let theta = t.y - qy * t.z
        let lambda = t.x - qx * t.z
        let c = theta.squared
        let d = lambda.squared
        let e = lambda * d
        let f = t.z * c
        let g = t.x * d
        let h = e + f - g.doubled
        let x3 = lambda * h
        let y3 = theta * (g - h) - t.y * e
        let z3 = t.z * e
        let la = lambda.scaled(by: py)
        let lb = (-theta).scaled(by: px)
        let lc = theta * qx - lambda * qy
        t = Homogeneous(x: x3, y: y3, z: z3)
        return (la, lb, lc)
    }

    /// The product of the Miller-loop values f_{6x+2,Q}(P) (with the two Frobenius lines) over all pairs.
    static func millerLoop(_ pairs: [PairingInput]) -> Fp12 {
        var f = Fp12.one
        if pairs.isEmpty { return f }
        var ts = pairs.map { Homogeneous(x: $0.qx, y: $0.qy, z: .one) }
        let n = pairs.count
        let (pos0, pos1) = loopPos
        let (neg0, neg1) = loopNeg
        var bit = 64
        ts.withUnsafeMutableBufferPointer { tp in
            pairs.withUnsafeBufferPointer { pp in
                while bit >= 0 {
                    if bit != 64 { f = f.squared }  // f = 1 before the first step
                    let pos = bit >= 64 ? (pos1 >> UInt64(bit - 64)) & 1 : (pos0 >> UInt64(bit)) & 1
                    let neg = bit >= 64 ? (neg1 >> UInt64(bit - 64)) & 1 : (neg0 >> UInt64(bit)) & 1
                    for i in 0..<n {
                        let pr = pp[i]
                        let (a, b, c) = doublingStep(&tp[i], pr.px, pr.py)
                        f = f.mulByLine(a, b, c)
                        if pos == 1 {
                            let (a2, b2, c2) = additionStep(&tp[i], pr.qx, pr.qy, pr.px, pr.py)
                            f = f.mulByLine(a2, b2, c2)
                        } else if neg == 1 {
                            let (a2, b2, c2) = additionStep(&tp[i], pr.qx, -pr.qy, pr.px, pr.py)
                            f = f.mulByLine(a2, b2, c2)
                        }
                    }
                    bit -= 1
                }
                for i in 0..<n {
                    let pr = pp[i]
                    // Q1 = pi(Q), and -Q2 = -pi^2(Q) = (x xi^((p^2-1)/3), y) since xi^((p^2-1)/2) = -1.
                    let q1x = pr.qx.conjugate * Frob.g1_2
                    let q1y = pr.qy.conjugate * Frob.g1_3
                    let q2x = pr.qx.scaled(by: Frob.g2_2)
                    let q2y = pr.qy
                    let (a, b, c) = additionStep(&tp[i], q1x, q1y, pr.px, pr.py)
                    f = f.mulByLine(a, b, c)
                    let (a2, b2, c2) = additionStep(&tp[i], q2x, q2y, pr.px, pr.py)
                    f = f.mulByLine(a2, b2, c2)
                }
            }
        }
        return f
    }

    /// True when the product of e(P_i, Q_i) is 1 in GT. An empty list gives true (EIP-197).
    static func productIsOne(_ pairs: [PairingInput]) -> Bool {
        if pairs.isEmpty { return true }
        return millerLoop(pairs).finalExponentiation().isOne
    }
}
