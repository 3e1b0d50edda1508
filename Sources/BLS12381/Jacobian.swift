// Jacobian point arithmetic on a = 0 short Weierstrass curves, written once for G1 (over F_p) and G2 (over F_p2).
// The formulas are always inlined into each group's own methods (`G1Jacobian.doubled` calls `jacobianDoubled`, ...),
// so each is compiled for its own field in every build, as the two hand-written copies were (callgrind: g1add, g2add,
// the MSMs and the maps within 0.6% of their instruction counts). Left as generic methods, debug builds (not
// whole-module) called them unspecialised, and the release build's g1msm of 128 pairs timed 3-4% slower.

/// The field operations the point arithmetic needs: F_p for G1, F_p2 for G2.
protocol CurveField: Equatable, Sendable {
    static var zero: Self { get }
    static var one: Self { get }
    var isZero: Bool { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    func doubled() -> Self
    func squared() -> Self
    func inverse() -> Self
}

extension Fp: CurveField {}
extension Fp2: CurveField {}

/// A point in affine coordinates (infinity flagged separately): `G1Affine`, `G2Affine`.
protocol AffinePoint: Sendable {
    associatedtype Field: CurveField
    var x: Field { get }
    var y: Field { get }
    var isInfinity: Bool { get }
    static var infinity: Self { get }
    init(x: Field, y: Field, isInfinity: Bool)
}

extension G1Affine: AffinePoint {}
extension G2Affine: AffinePoint {}

/// A point in Jacobian coordinates (X/Z^2, Y/Z^3), Z = 0 the point at infinity: `G1Jacobian`, `G2Jacobian`.
/// What the bucket method (`MSM`) and the scalar multiplications need.
protocol JacobianPoint: Sendable {
    associatedtype Affine: AffinePoint
    var x: Affine.Field { get }
    var y: Affine.Field { get }
    var z: Affine.Field { get }
    /// (1, 1, 0).
    static var infinity: Self { get }
    init(x: Affine.Field, y: Affine.Field, z: Affine.Field)
    func doubled() -> Self
    func adding(_ q: Affine) -> Self
    func adding(_ q: Self) -> Self
}

extension G1Jacobian: JacobianPoint { typealias Affine = G1Affine }
extension G2Jacobian: JacobianPoint { typealias Affine = G2Affine }

extension JacobianPoint {
    init(_ p: Affine) {
        self = p.isInfinity ? .infinity : Self(x: p.x, y: p.y, z: .one)
    }

    var isInfinity: Bool { z.isZero }

    /// Doubling for a = 0 ("dbl-2009-l", Explicit-Formulas Database): 2M + 5S.
    @inline(__always)
    func jacobianDoubled() -> Self {
        if isInfinity { return self }
        let a = x.squared()
        let b = y.squared()
        let c = b.squared()
        let d = ((x + b).squared() - a - c).doubled()
        let e = a.doubled() + a
        let f = e.squared()
        let x3 = f - d.doubled()
        let c8 = c.doubled().doubled().doubled()
        let y3 = e * (d - x3) - c8
        let z3 = (y * z).doubled()
        return Self(x: x3, y: y3, z: z3)
    }

    /// Mixed addition with an affine point ("madd-2007-bl"): 7M + 4S, with the special cases.
    @inline(__always)
    func jacobianAdding(affine q: Affine) -> Self {
        if q.isInfinity { return self }
        if isInfinity { return Self(q) }
        let z1z1 = z.squared()
        let u2 = q.x * z1z1
        let s2 = q.y * z * z1z1
        let h = u2 - x
        let rr = (s2 - y).doubled()
        if h.isZero {
            return rr.isZero ? doubled() : .infinity
        }
        let hh = h.squared()
        let i = hh.doubled().doubled()
        let j = h * i
        let v = x * i
        let x3 = rr.squared() - j - v.doubled()
        let y3 = rr * (v - x3) - (y * j).doubled()
        let z3 = (z + h).squared() - z1z1 - hh
        return Self(x: x3, y: y3, z: z3)
    }

    /// General addition ("add-2007-bl"): 11M + 5S, with the special cases.
    @inline(__always)
    func jacobianAdding(_ q: Self) -> Self {
        if q.isInfinity { return self }
        if isInfinity { return q }
        let z1z1 = z.squared()
        let z2z2 = q.z.squared()
        let u1 = x * z2z2
        let u2 = q.x * z1z1
        let s1 = y * q.z * z2z2
        let s2 = q.y * z * z1z1
        let h = u2 - u1
        let rr = (s2 - s1).doubled()
        if h.isZero {
            return rr.isZero ? doubled() : .infinity
        }
        let i = h.doubled().squared()
        let j = h * i
        let v = u1 * i
        let x3 = rr.squared() - j - v.doubled()
        let y3 = rr * (v - x3) - (s1 * j).doubled()
        let z3 = ((z + q.z).squared() - z1z1 - z2z2) * h
        return Self(x: x3, y: y3, z: z3)
    }

    var negated: Self { Self(x: x, y: -y, z: z) }

    /// [|x|]P for the BLS parameter |x| = 0xd201000000010000 (bits 63, 62, 60, 57, 48, 16).
    @inline(__always)
    func jacobianMulByAbsX() -> Self {
        var acc = self
        var bit = 62
        while bit >= 0 {
            acc = acc.doubled()
            if (BLSParameter.absX >> UInt64(bit)) & 1 == 1 { acc = acc.adding(self) }
            bit -= 1
        }
        return acc
    }

    @inline(__always)
    func jacobianToAffine() -> Affine {
        if isInfinity { return .infinity }
        let zi = z.inverse()
        let zi2 = zi.squared()
        return Affine(x: x * zi2, y: y * zi2 * zi, isInfinity: false)
    }
}

/// Converts many Jacobian points to affine with a single field inversion (Montgomery's trick).
func batchToAffine<P: JacobianPoint>(_ points: [P]) -> [P.Affine] {
    var prefix = [P.Affine.Field](repeating: .one, count: points.count)
    var acc = P.Affine.Field.one
    for (i, p) in points.enumerated() {
        prefix[i] = acc
        if !p.isInfinity { acc = acc * p.z }
    }
    var inv = acc.inverse()
    var out = [P.Affine](repeating: .infinity, count: points.count)
    for i in stride(from: points.count - 1, through: 0, by: -1) {
        let p = points[i]
        if p.isInfinity { continue }
        let zi = inv * prefix[i]   // 1/z_i
        inv = inv * p.z
        let zi2 = zi.squared()
        out[i] = P.Affine(x: p.x * zi2, y: p.y * zi2 * zi, isInfinity: false)
    }
    return out
}
