// F_p6 = F_p2[v] / (v^3 - xi), xi = 1 + u.

/// An element c0 + c1·v + c2·v^2 of the cubic extension F_p6.
struct Fp6: Equatable, Sendable {
    var c0: Fp2
    var c1: Fp2
    var c2: Fp2

    init(_ c0: Fp2, _ c1: Fp2, _ c2: Fp2) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }

    static let zero = Fp6(.zero, .zero, .zero)
    static let one = Fp6(.one, .zero, .zero)

    static func + (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    static func - (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    static prefix func - (a: Fp6) -> Fp6 { Fp6(-a.c0, -a.c1, -a.c2) }

    /// Karatsuba-style product, 6 F_p2 multiplications (Devegili, O hEigeartaigh, Scott, Dahab 2006).
    static func * (a: Fp6, b: Fp6) -> Fp6 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let t2 = a.c2 * b.c2
        let c0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mulByNonResidue() + t0
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mulByNonResidue()
        let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1
        return Fp6(c0, c1, c2)
    }

    /// Chung-Hasan SQR2: 2 multiplications and 3 squarings in F_p2.
    func squared() -> Fp6 {
        let s0 = c0.squared()
        let ab = c0 * c1
        let s1 = ab + ab
        let s2 = (c0 - c1 + c2).squared()
        let bc = c1 * c2
        let s3 = bc + bc
        let s4 = c2.squared()
        return Fp6(s3.mulByNonResidue() + s0, s4.mulByNonResidue() + s1, s1 + s2 + s3 - s0 - s4)
    }

    /// Multiplication by v: (c0, c1, c2)·v = (xi·c2, c0, c1).
    func mulByV() -> Fp6 { Fp6(c2.mulByNonResidue(), c0, c1) }

    /// Product with the sparse element b0 + b1·v (5 F_p2 multiplications).
    func mulBy01(_ b0: Fp2, _ b1: Fp2) -> Fp6 {
        let t0 = c0 * b0
        let t1 = c1 * b1
        let r0 = (c2 * b1).mulByNonResidue() + t0
        let r1 = (c0 + c1) * (b0 + b1) - t0 - t1
        let r2 = c2 * b0 + t1
        return Fp6(r0, r1, r2)
    }

    /// Product with the sparse element b1·v where b1 lies in F_p (6 F_p multiplications).
    func mulBy1(_ b1: Fp) -> Fp6 {
        Fp6((c2 * b1).mulByNonResidue(), c0 * b1, c1 * b1)
    }

    func inverse() -> Fp6 {
        let a = c0.squared() - (c1 * c2).mulByNonResidue()
        let b = c2.squared().mulByNonResidue() - c0 * c1
        let c = c1.squared() - c0 * c2
        let f = c0 * a + (c2 * b + c1 * c).mulByNonResidue()
        let fi = f.inverse()
        return Fp6(a * fi, b * fi, c * fi)
    }
}
