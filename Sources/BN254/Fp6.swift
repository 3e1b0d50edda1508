// Fp6 = Fp2[v] / (v^3 - xi), xi = 9 + u: the middle layer of the pairing tower
// Fp12 = Fp6[w] / (w^2 - v).

/// An element c0 + c1 v + c2 v^2 of the cubic extension over Fp2, v^3 = 9 + u.
struct Fp6: Equatable, Sendable {
    var c0: Fp2
    var c1: Fp2
    var c2: Fp2

    @inline(__always)
    init(_ c0: Fp2, _ c1: Fp2, _ c2: Fp2) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
    }

    @inline(__always) static var zero: Fp6 { Fp6(.zero, .zero, .zero) }
    @inline(__always) static var one: Fp6 { Fp6(.one, .zero, .zero) }

    @inline(__always)
    var isZero: Bool { c0.isZero && c1.isZero && c2.isZero }

    @inline(__always)
    static func + (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inline(__always)
    static func - (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    @inline(__always)
    static prefix func - (a: Fp6) -> Fp6 { Fp6(-a.c0, -a.c1, -a.c2) }

    @inline(__always)
    var doubled: Fp6 { Fp6(c0.doubled, c1.doubled, c2.doubled) }

    /// Product with v: (c0, c1, c2) v = (xi c2, c0, c1).
    @inline(__always)
    var timesV: Fp6 { Fp6(c2.timesXi, c0, c1) }

    /// Karatsuba-style product: six Fp2 products.
    static func * (a: Fp6, b: Fp6) -> Fp6 {
        let v0 = a.c0 * b.c0
        let v1 = a.c1 * b.c1
        let v2 = a.c2 * b.c2
        let t0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - v1 - v2).timesXi + v0
        let t1 = (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1 + v2.timesXi
        let t2 = (a.c0 + a.c2) * (b.c0 + b.c2) - v0 - v2 + v1
        return Fp6(t0, t1, t2)
    }

    /// Chung-Hasan SQR2: three Fp2 squarings and two Fp2 products.
    var squared: Fp6 {
        let s0 = c0.squared
        let s1 = (c0 * c1).doubled
        let s2 = (c0 - c1 + c2).squared
        let s3 = (c1 * c2).doubled
        let s4 = c2.squared
        return Fp6(s0 + s3.timesXi, s1 + s4.timesXi, s1 + s2 + s3 - s0 - s4)
    }

    /// Product with an Fp2 scalar.
    func scaled(by k: Fp2) -> Fp6 { Fp6(c0 * k, c1 * k, c2 * k) }

    /// Product with a sparse element b0 + b1 v (the shape of a line's w-part): five Fp2 products.
    func mulBy01(_ b0: Fp2, _ b1: Fp2) -> Fp6 {
        let v0 = c0 * b0
        let v1 = c1 * b1
        let t0 = (c2 * b1).timesXi + v0
        let t1 = (c0 + c1) * (b0 + b1) - v0 - v1
        let t2 = c2 * b0 + v1
        return Fp6(t0, t1, t2)
    }

    /// Multiplicative inverse; zero maps to zero.
    var inverse: Fp6 {
        let t0 = c0.squared - (c1 * c2).timesXi
        let t1 = c2.squared.timesXi - c0 * c1
        let t2 = c1.squared - c0 * c2
        let det = c0 * t0 + (c2 * t1 + c1 * t2).timesXi
        let d = det.inverse
        return Fp6(t0 * d, t1 * d, t2 * d)
    }
}
