// map_to_curve for BLS12-381 (RFC 9380 sections 6.6.2, 6.6.3, 8.8.1, 8.8.2): the simplified SWU map onto a
// curve isogenous to E1 (11-isogeny) or E2 (3-isogeny), then the isogeny and cofactor clearing. These are
// EIP-2537's MAP_FP_TO_G1 and MAP_FP2_TO_G2 (hash_to_curve without hashing to the field). Inputs are public,
// so the maps are not constant time.

extension Fp {
    /// sgn0 (RFC 9380 section 4.1): the parity of the canonical value.
    var sgn0: Bool { canonical.l0 & 1 == 1 }
}

extension Fp2 {
    /// sgn0 for F_p2 (RFC 9380 section 4.1): sgn0(c0), or sgn0(c1) when c0 is zero.
    var sgn0: Bool {
        let a = c0.canonical
        if (a.l0 | a.l1 | a.l2 | a.l3 | a.l4 | a.l5) != 0 { return a.l0 & 1 == 1 }
        return c1.sgn0
    }
}

/// Horner evaluation of a polynomial given by ascending coefficients.
@inline(__always)
private func horner(_ coefficients: [Fp], _ x: Fp) -> Fp {
    var acc = coefficients[coefficients.count - 1]
    var i = coefficients.count - 2
    while i >= 0 { acc = acc * x + coefficients[i]; i -= 1 }
    return acc
}

@inline(__always)
private func horner(_ coefficients: [Fp2], _ x: Fp2) -> Fp2 {
    var acc = coefficients[coefficients.count - 1]
    var i = coefficients.count - 2
    while i >= 0 { acc = acc * x + coefficients[i]; i -= 1 }
    return acc
}

enum MapToCurve {
    /// Simplified SWU for E1': returns an affine point (x, y) on y^2 = x^3 + A'x + B'.
    static func sswuG1(_ u: Fp) -> (x: Fp, y: Fp) {
        let a = MapConstants.g1A, b = MapConstants.g1B, z = MapConstants.g1Z
        let zu2 = z * u.squared()
        let tv1 = (zu2.squared() + zu2).inverse()   // inv0: 0 -> 0
        let x1 = tv1.isZero ? b * (z * a).inverse() : (-b * a.inverse()) * (Fp.one + tv1)
        let gx1 = (x1.squared() + a) * x1 + b
        var x: Fp, y: Fp
        if let s = gx1.squareRoot() {
            x = x1; y = s
        } else {
            x = zu2 * x1
            let gx2 = (x.squared() + a) * x + b
            // gx2 = Z^3 u^6 gx1 is a square when gx1 is not (Z is a non-square).
            guard let s = gx2.squareRoot() else { fatalError("BLS12381: SSWU found neither gx1 nor gx2 square") }
            y = s
        }
        if u.sgn0 != y.sgn0 { y = -y }
        return (x, y)
    }

    static func sswuG2(_ u: Fp2) -> (x: Fp2, y: Fp2) {
        let a = MapConstants.g2A, b = MapConstants.g2B, z = MapConstants.g2Z
        let zu2 = z * u.squared()
        let den = zu2.squared() + zu2
        let tv1 = den.isZero ? Fp2.zero : den.inverse()
        let x1 = tv1.isZero ? b * (z * a).inverse() : (-b * a.inverse()) * (Fp2.one + tv1)
        let gx1 = (x1.squared() + a) * x1 + b
        var x: Fp2, y: Fp2
        if let s = gx1.squareRoot() {
            x = x1; y = s
        } else {
            x = zu2 * x1
            let gx2 = (x.squared() + a) * x + b
            guard let s = gx2.squareRoot() else { fatalError("BLS12381: SSWU found neither gx1 nor gx2 square") }
            y = s
        }
        if u.sgn0 != y.sgn0 { y = -y }
        return (x, y)
    }

    /// The 11-isogeny E1' -> E1 in Jacobian coordinates (no inversion; a vanishing denominator gives infinity):
    /// x = Nx/Dx, y = y'·Ny/Dy, so with Z = Dx·Dy: X = Nx·Dx·Dy^2, Y = y'·Ny·Dy^2·Dx^3.
    static func isogenyG1(_ x: Fp, _ y: Fp) -> G1Jacobian {
        let nx = horner(MapConstants.g1XNum, x), dx = horner(MapConstants.g1XDen, x)
        let ny = horner(MapConstants.g1YNum, x), dy = horner(MapConstants.g1YDen, x)
        let dy2 = dy.squared()
        let dx3 = dx.squared() * dx
        return G1Jacobian(x: nx * dx * dy2, y: y * ny * dy2 * dx3, z: dx * dy)
    }

    static func isogenyG2(_ x: Fp2, _ y: Fp2) -> G2Jacobian {
        let nx = horner(MapConstants.g2XNum, x), dx = horner(MapConstants.g2XDen, x)
        let ny = horner(MapConstants.g2YNum, x), dy = horner(MapConstants.g2YDen, x)
        let dy2 = dy.squared()
        let dx3 = dx.squared() * dx
        return G2Jacobian(x: nx * dx * dy2, y: y * ny * dy2 * dx3, z: dx * dy)
    }

    /// map_to_curve then clear_cofactor for G1: [1 - x]P = P + [|x|]P (h_eff of RFC 9380 section 8.8.1).
    static func mapToG1(_ u: Fp) -> G1Affine {
        let (x, y) = sswuG1(u)
        let p = isogenyG1(x, y)
        return p.mulByAbsX().adding(p).toAffine()
    }

    /// map_to_curve then clear_cofactor for G2.
    static func mapToG2(_ u: Fp2) -> G2Affine {
        let (x, y) = sswuG2(u)
        return isogenyG2(x, y).clearingCofactor().toAffine()
    }
}
