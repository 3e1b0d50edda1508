// The operations of the EIP-2537 precompiles (0x0b-0x11) on their byte encodings. Gas is the caller's
// (Sources/Precompiles/BLS12381Precompiles.swift); every function here returns nil for invalid input.
//
// Encoding (EIP-2537 "Fine points and encoding"): a base-field element is 64 bytes big-endian, the top 16 bytes
// zero and the value below p; F_p2 is c0 then c1; a G1 point is x then y (128 bytes), a G2 point 256 bytes; the
// point at infinity is all zeros. A decoded point must be on its curve; MSM and pairing also require it in the
// order-r subgroup, addition does not. A scalar is 32 bytes big-endian, any value (not reduced).

/// A scalar of up to 256 bits reduced modulo r.
extension Scalar {
    /// The 32 big-endian bytes at `offset` as an integer reduced mod r (2^256 < 3r: at most two subtractions).
    init(reducing input: [UInt8], at offset: Int) {
        // Big-endian word k (0 = most significant) of the 32 bytes.
        func word(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v = (v << 8) | UInt64(input[offset + k * 8 + i]) }
            return v
        }
        var s = Scalar(l0: word(3), l1: word(2), l2: word(1), l3: word(0))
        while !s.isLess(than: .r) {
            var b: UInt64 = 0
            (s.l0, b) = subBorrow(s.l0, Scalar.r.l0, 0)
            (s.l1, b) = subBorrow(s.l1, Scalar.r.l1, b)
            (s.l2, b) = subBorrow(s.l2, Scalar.r.l2, b)
            (s.l3, _) = subBorrow(s.l3, Scalar.r.l3, b)
        }
        self = s
    }
}

/// The EIP-2537 operations. Input lengths are checked here as well as by the caller.
public enum EIP2537 {
    public static let g1PointLength = 128
    public static let g2PointLength = 256
    public static let g1MSMPairLength = 160
    public static let g2MSMPairLength = 288
    public static let pairingPairLength = 384

    // MARK: Decoding and encoding

    /// A 64-byte padded field element: the top 16 bytes zero and the value below p.
    static func decodeFp(_ input: [UInt8], at offset: Int) -> Fp? {
        for i in offset..<(offset + 16) where input[i] != 0 { return nil }
        return Fp(bigEndian: input[(offset + 16)..<(offset + 64)])
    }

    static func decodeFp2(_ input: [UInt8], at offset: Int) -> Fp2? {
        guard let c0 = decodeFp(input, at: offset), let c1 = decodeFp(input, at: offset + 64) else { return nil }
        return Fp2(c0, c1)
    }

    /// A G1 point on the curve (all zeros: infinity); nil when a coordinate is malformed or the point is off the curve.
    static func decodeG1(_ input: [UInt8], at offset: Int) -> G1Affine? {
        guard let x = decodeFp(input, at: offset), let y = decodeFp(input, at: offset + 64) else { return nil }
        if x.isZero && y.isZero { return .infinity }
        let p = G1Affine(x: x, y: y, isInfinity: false)
        return p.isOnCurve ? p : nil
    }

    static func decodeG2(_ input: [UInt8], at offset: Int) -> G2Affine? {
        guard let x = decodeFp2(input, at: offset), let y = decodeFp2(input, at: offset + 128) else { return nil }
        if x.isZero && y.isZero { return .infinity }
        let p = G2Affine(x: x, y: y, isInfinity: false)
        return p.isOnCurve ? p : nil
    }

    static func appendFp(_ v: Fp, to out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(0, count: 16))
        v.appendBigEndian(to: &out)
    }

    static func encode(_ p: G1Affine) -> [UInt8] {
        if p.isInfinity { return [UInt8](repeating: 0, count: g1PointLength) }
        var out = [UInt8]()
        out.reserveCapacity(g1PointLength)
        appendFp(p.x, to: &out)
        appendFp(p.y, to: &out)
        return out
    }

    static func encode(_ p: G2Affine) -> [UInt8] {
        if p.isInfinity { return [UInt8](repeating: 0, count: g2PointLength) }
        var out = [UInt8]()
        out.reserveCapacity(g2PointLength)
        appendFp(p.x.c0, to: &out)
        appendFp(p.x.c1, to: &out)
        appendFp(p.y.c0, to: &out)
        appendFp(p.y.c1, to: &out)
        return out
    }

    // MARK: Operations

    /// BLS12_G1ADD: two G1 points (on the curve, no subgroup check) -> their sum.
    public static func g1Add(_ input: [UInt8]) -> [UInt8]? {
        guard input.count == 2 * g1PointLength,
              let a = decodeG1(input, at: 0), let b = decodeG1(input, at: g1PointLength) else { return nil }
        return encode(G1Jacobian(a).adding(b).toAffine())
    }

    /// BLS12_G2ADD: two G2 points (on the curve, no subgroup check) -> their sum.
    public static func g2Add(_ input: [UInt8]) -> [UInt8]? {
        guard input.count == 2 * g2PointLength,
              let a = decodeG2(input, at: 0), let b = decodeG2(input, at: g2PointLength) else { return nil }
        return encode(G2Jacobian(a).adding(b).toAffine())
    }

    /// From this many pairs on, MSM uses Pippenger's bucket method; below, one GLV/GLS product per pair.
    static let pippengerThreshold = 32

    /// BLS12_G1MSM: k >= 1 pairs (G1 point in the subgroup, 32-byte scalar) -> sum of [scalar]point.
    public static func g1MSM(_ input: [UInt8]) -> [UInt8]? {
        guard !input.isEmpty, input.count % g1MSMPairLength == 0 else { return nil }
        let k = input.count / g1MSMPairLength
        var points = [G1Affine](), scalars = [Scalar]()
        points.reserveCapacity(k); scalars.reserveCapacity(k)
        var offset = 0
        while offset < input.count {
            guard let p = decodeG1(input, at: offset), p.isInSubgroup else { return nil }
            points.append(p)
            scalars.append(Scalar(reducing: input, at: offset + g1PointLength))
            offset += g1MSMPairLength
        }
        if k >= pippengerThreshold { return encode(MSM.pippenger(points, scalars, as: G1Jacobian.self).toAffine()) }
        var acc = G1Jacobian.infinity
        for i in 0..<k { acc = acc.adding(points[i].multipliedInG1(by: scalars[i])) }
        return encode(acc.toAffine())
    }

    /// BLS12_G2MSM: k >= 1 pairs (G2 point in the subgroup, 32-byte scalar) -> sum of [scalar]point.
    public static func g2MSM(_ input: [UInt8]) -> [UInt8]? {
        guard !input.isEmpty, input.count % g2MSMPairLength == 0 else { return nil }
        let k = input.count / g2MSMPairLength
        var points = [G2Affine](), scalars = [Scalar]()
        points.reserveCapacity(k); scalars.reserveCapacity(k)
        var offset = 0
        while offset < input.count {
            guard let p = decodeG2(input, at: offset), p.isInSubgroup else { return nil }
            points.append(p)
            scalars.append(Scalar(reducing: input, at: offset + g2PointLength))
            offset += g2MSMPairLength
        }
        if k >= pippengerThreshold { return encode(MSM.pippenger(points, scalars, as: G2Jacobian.self).toAffine()) }
        var acc = G2Jacobian.infinity
        for i in 0..<k { acc = acc.adding(points[i].multipliedInG2(by: scalars[i])) }
        return encode(acc.toAffine())
    }

    /// BLS12_PAIRING_CHECK: k >= 1 pairs (G1, G2), both in their subgroups -> whether prod e(P_i, Q_i) = 1.
    /// A pair with a point at infinity contributes 1 (after its other point has been validated).
    public static func pairingCheck(_ input: [UInt8]) -> Bool? {
        guard !input.isEmpty, input.count % pairingPairLength == 0 else { return nil }
        var pairs = [(G1Affine, G2Prepared)]()
        pairs.reserveCapacity(input.count / pairingPairLength)
        var offset = 0
        while offset < input.count {
            guard let p = decodeG1(input, at: offset), p.isInSubgroup,
                  let q = decodeG2(input, at: offset + g1PointLength), q.isInSubgroup else { return nil }
            if !p.isInfinity && !q.isInfinity { pairs.append((p, G2Prepared(q))) }
            offset += pairingPairLength
        }
        return Pairing.productIsOne(pairs)
    }

    /// BLS12_MAP_FP_TO_G1: one 64-byte field element -> its image in G1 (RFC 9380 map_to_curve + clear_cofactor).
    public static func mapFpToG1(_ input: [UInt8]) -> [UInt8]? {
        guard input.count == 64, let u = decodeFp(input, at: 0) else { return nil }
        return encode(MapToCurve.mapToG1(u))
    }

    /// BLS12_MAP_FP2_TO_G2: one 128-byte F_p2 element -> its image in G2.
    public static func mapFp2ToG2(_ input: [UInt8]) -> [UInt8]? {
        guard input.count == 128, let u = decodeFp2(input, at: 0) else { return nil }
        return encode(MapToCurve.mapToG2(u))
    }
}
