// Short-Weierstrass points y^2 = x^3 + b in Jacobian coordinates (x = X/Z^2, y = Y/Z^3), generic
// over the coordinate field so G1 (over Fp) and the G2 twist (over Fp2) share one implementation.
// Formulas from the Explicit-Formulas Database for a = 0 (dbl-2009-l, add-2007-bl, madd-2007-bl).

/// The field operations the curve arithmetic needs; Fp and Fp2 conform.
protocol CurveField: Equatable, Sendable {
    static var zero: Self { get }
    static var one: Self { get }
    var isZero: Bool { get }
    var squared: Self { get }
    var doubled: Self { get }
    var inverse: Self { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
}

extension Fp: CurveField {}
extension Fp2: CurveField {}

/// A point in Jacobian coordinates; Z = 0 is the point at infinity.
struct Jacobian<F: CurveField>: Sendable {
    var x: F
    var y: F
    var z: F

    @inline(__always)
    init(x: F, y: F, z: F) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// Lifts an affine point (never the point at infinity).
    @inline(__always)
    init(affineX: F, affineY: F) {
        self.init(x: affineX, y: affineY, z: .one)
    }

    @inline(__always) static var infinity: Jacobian { Jacobian(x: .one, y: .one, z: .zero) }

    @inline(__always)
    var isInfinity: Bool { z.isZero }

    @inline(__always)
    var negated: Jacobian { Jacobian(x: x, y: -y, z: z) }

    /// dbl-2009-l (a = 0): 2M + 5S.
    var doubled: Jacobian {
        if isInfinity { return self }
        let a = x.squared
        let b = y.squared
        let c = b.squared
        let d = ((x + b).squared - a - c).doubled
        let e = a.doubled + a
        let f = e.squared
        let x3 = f - d.doubled
        let c8 = c.doubled.doubled.doubled
        let y3 = e * (d - x3) - c8
        let z3 = (y * z).doubled
        return Jacobian(x: x3, y: y3, z: z3)
    }

    /// General addition (add-2007-bl), falling back to doubling for equal inputs.
    func adding(_ q: Jacobian) -> Jacobian {
        if isInfinity { return q }
        if q.isInfinity { return self }
        let z1z1 = z.squared
        let z2z2 = q.z.squared
        let u1 = x * z2z2
        let u2 = q.x * z1z1
        let s1 = y * q.z * z2z2
        let s2 = q.y * z * z1z1
        let h = u2 - u1
        let rr = (s2 - s1).doubled
        if h.isZero {
            return rr.isZero ? doubled : .infinity
        }
        let i = h.doubled.squared
        let j = h * i
        let v = u1 * i
        let x3 = rr.squared - j - v.doubled
        let y3 = rr * (v - x3) - (s1 * j).doubled
        let z3 = ((z + q.z).squared - z1z1 - z2z2) * h
        return Jacobian(x: x3, y: y3, z: z3)
    }

    /// Mixed addition with an affine point (madd-2007-bl), falling back to doubling for equal inputs.
    func adding(affineX qx: F, affineY qy: F) -> Jacobian {
        if isInfinity { return Jacobian(affineX: qx, affineY: qy) }
        let z1z1 = z.squared
        let u2 = qx * z1z1
        let s2 = qy * z * z1z1
        let h = u2 - x
        let rr = (s2 - y).doubled
        if h.isZero {
            return rr.isZero ? doubled : .infinity
        }
        let hh = h.squared
        let i = hh.doubled.doubled
        let j = h * i
        let v = x * i
        let x3 = rr.squared - j - v.doubled
        let y3 = rr * (v - x3) - (y * j).doubled
        let z3 = (z + h).squared - z1z1 - hh
        return Jacobian(x: x3, y: y3, z: z3)
    }

    /// Affine coordinates, or nil for the point at infinity.
    var affine: (x: F, y: F)? {
        if isInfinity { return nil }
        let zi = z.inverse
        let zi2 = zi.squared
        return (x * zi2, y * zi2 * zi)
    }

    /// Projective equality: X1 Z2^2 = X2 Z1^2 and Y1 Z2^3 = Y2 Z1^3.
    func isEqual(to q: Jacobian) -> Bool {
        if isInfinity || q.isInfinity { return isInfinity && q.isInfinity }
        let z1z1 = z.squared
        let z2z2 = q.z.squared
        guard x * z2z2 == q.x * z1z1 else { return false }
        return y * z2z2 * q.z == q.y * z1z1 * z
    }

    /// [k]P for a 256-bit scalar given as little-endian limbs, with a fixed 4-bit window.
    func multiplied(by k: (UInt64, UInt64, UInt64, UInt64)) -> Jacobian {
        // table[i] = [i]P, i = 0...15.
        var table = [Jacobian](repeating: .infinity, count: 16)
        table[1] = self
        for i in 2..<16 { table[i] = (i & 1 == 0) ? table[i / 2].doubled : table[i - 1].adding(self) }
        var acc = Jacobian.infinity
        for limbIndex in stride(from: 3, through: 0, by: -1) {
            let w = limbIndex == 3 ? k.3 : limbIndex == 2 ? k.2 : limbIndex == 1 ? k.1 : k.0
            var shift = 60
            while shift >= 0 {
                acc = acc.doubled.doubled.doubled.doubled
                let nibble = Int((w >> UInt64(shift)) & 0xf)
                if nibble != 0 { acc = acc.adding(table[nibble]) }
                shift -= 4
            }
        }
        return acc
    }
}
