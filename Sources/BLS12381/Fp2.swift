// F_p2 = F_p[u] / (u^2 + 1). The sextic twist of BLS12-381 is over F_p2 with xi = 1 + u.

/// An element c0 + c1·u of the quadratic extension F_p2.
struct Fp2: Equatable, Sendable {
    var c0: Fp
    var c1: Fp

    init(_ c0: Fp, _ c1: Fp) { self.c0 = c0; self.c1 = c1 }

    static let zero = Fp2(.zero, .zero)
    static let one = Fp2(.one, .zero)

    var isZero: Bool { c0.isZero && c1.isZero }

    static func + (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 + b.c0, a.c1 + b.c1) }
    static func - (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 - b.c0, a.c1 - b.c1) }
    static prefix func - (a: Fp2) -> Fp2 { Fp2(-a.c0, -a.c1) }
    static func += (a: inout Fp2, b: Fp2) { a = a + b }
    static func -= (a: inout Fp2, b: Fp2) { a = a - b }

    /// Karatsuba: 3 base-field multiplications.
    static func * (a: Fp2, b: Fp2) -> Fp2 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let t2 = (a.c0 + a.c1) * (b.c0 + b.c1)
        return Fp2(t0 - t1, t2 - t0 - t1)
    }

    static func * (a: Fp2, b: Fp) -> Fp2 { Fp2(a.c0 * b, a.c1 * b) }

    /// (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u: 2 multiplications.
    func squared() -> Fp2 {
        let t = c0 * c1
        return Fp2((c0 + c1) * (c0 - c1), t + t)
    }

    func doubled() -> Fp2 { self + self }

    /// Multiplication by xi = 1 + u: (a0 - a1) + (a0 + a1) u.
    func mulByNonResidue() -> Fp2 { Fp2(c0 - c1, c0 + c1) }

    /// The p-power Frobenius, which on F_p2 is conjugation.
    func conjugate() -> Fp2 { Fp2(c0, -c1) }

    func inverse() -> Fp2 {
        // 1/(a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2)
        let n = (c0.squared() + c1.squared()).inverse()
        return Fp2(c0 * n, -(c1 * n))
    }

    /// A square root if one exists. Uses the norm: for x = x0 + x1 u with x^2 = a,
    /// x0^2 = (a0 ± sqrt(a0^2 + a1^2)) / 2 and x1 = a1 / (2 x0).
    func squareRoot() -> Fp2? {
        if c1.isZero {
            // -1 is a non-residue mod p (p ≡ 3 mod 4), so exactly one of a0, -a0 is a square (or a0 = 0).
            if let s = c0.squareRoot() { return Fp2(s, .zero) }
            if let s = (-c0).squareRoot() { return Fp2(.zero, s) }
            return nil
        }
        guard let s = (c0.squared() + c1.squared()).squareRoot() else { return nil }
        let halfInv = Fp.one.doubled().inverse()
        var x0: Fp
        if let r = ((c0 + s) * halfInv).squareRoot() {
            x0 = r
        } else if let r = ((c0 - s) * halfInv).squareRoot() {
            x0 = r
        } else {
            return nil
        }
        if x0.isZero { return nil }
        let x1 = c1 * x0.doubled().inverse()
        let x = Fp2(x0, x1)
        return x.squared() == self ? x : nil
    }

    /// ZCash sign rule for F_p2: compare c1 first, fall back to c0 when c1 is zero.
    var isLexicographicallyLargest: Bool {
        c1.isZero ? c0.isLexicographicallyLargest : c1.isLexicographicallyLargest
    }
}
