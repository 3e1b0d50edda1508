// Fp2 = Fp[u] / (u^2 + 1): the field of the G2 coordinates (EIP-197 encodes an element as
// (imaginary, real), i.e. (c1, c0)).

/// An element c0 + c1*u of the quadratic extension, u^2 = -1.
struct Fp2: Equatable, Sendable {
    var c0: Fp
    var c1: Fp

    @inline(__always)
    init(_ c0: Fp, _ c1: Fp) {
        self.c0 = c0
        self.c1 = c1
    }

    @inline(__always) static var zero: Fp2 { Fp2(.zero, .zero) }
    @inline(__always) static var one: Fp2 { Fp2(.one, .zero) }

    @inline(__always)
    var isZero: Bool { c0.isZero && c1.isZero }

    @inline(__always)
    static func + (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 + b.c0, a.c1 + b.c1) }
    @inline(__always)
    static func - (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 - b.c0, a.c1 - b.c1) }
    @inline(__always)
    static prefix func - (a: Fp2) -> Fp2 { Fp2(-a.c0, -a.c1) }
    @inline(__always)
    static func += (a: inout Fp2, b: Fp2) { a = a + b }
    @inline(__always)
    static func -= (a: inout Fp2, b: Fp2) { a = a - b }
    static func *= (a: inout Fp2, b: Fp2) { a = a * b }

    @inline(__always)
    var doubled: Fp2 { Fp2(c0.doubled, c1.doubled) }

    /// Karatsuba with lazy reduction: three 512-bit products and two Montgomery reductions
    /// (c0 = a0 b0 - a1 b1, c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1, each reduced once).
    static func * (a: Fp2, b: Fp2) -> Fp2 {
        let v0 = Fp.mulWide(a.c0, b.c0)
        let v1 = Fp.mulWide(a.c1, b.c1)
        let s = Fp.mulWide(a.c0.plusNoReduce(a.c1), b.c0.plusNoReduce(b.c1))  // < 4p^2
        let r0 = Fp.redc(v0.minusModP256(v1))
        let r1 = Fp.redc(s.minus(v0).minus(v1))  // a0 b1 + a1 b0 < 2p^2
        return Fp2(r0, r1)
    }

    /// Product with a base-field scalar.
    @inline(__always)
    func scaled(by k: Fp) -> Fp2 { Fp2(c0 * k, c1 * k) }

    /// (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u: two base-field products.
    var squared: Fp2 {
        let m = c0 * c1
        return Fp2((c0 + c1) * (c0 - c1), m.doubled)
    }

    /// Complex conjugate, which is also the p-power Frobenius (p = 3 mod 4).
    @inline(__always)
    var conjugate: Fp2 { Fp2(c0, -c1) }

    /// Product with the sextic non-residue xi = 9 + u that defines Fp6 and the twist:
    /// (c0 + c1 u)(9 + u) = (9 c0 - c1) + (c0 + 9 c1) u, additions only.
    @inline(__always)
    var timesXi: Fp2 {
        let a8 = c0.doubled.doubled.doubled
        let b8 = c1.doubled.doubled.doubled
        return Fp2(a8 + c0 - c1, b8 + c1 + c0)
    }

    /// Multiplicative inverse; zero maps to zero.
    var inverse: Fp2 {
        let n = (c0.squared + c1.squared).inverse
        return Fp2(c0 * n, -(c1 * n))
    }
}
