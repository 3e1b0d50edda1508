// KZG proof verification for the EIP-4844 point-evaluation precompile (address 0x0a).
// Follows the consensus specs, deneb/polynomial-commitments.md: verify_kzg_proof,
// bytes_to_kzg_commitment / bytes_to_kzg_proof (validate_kzg_g1), bytes_to_bls_field,
// with ZCash compressed point serialization for G1.

/// Why KZG inputs were rejected before any pairing was computed.
public enum KZGError: Error, Equatable, CustomStringConvertible {
    /// commitment/proof not 48 bytes, or z/y not 32 bytes.
    case invalidLength
    /// z or y is not below the scalar field modulus r (bls_field_to_bls_scalar).
    case scalarNotCanonical
    /// A 48-byte G1 encoding that is malformed: flags, x >= p, or x not on the curve.
    case invalidCompressedPoint(String)
    /// A point on the curve but outside the order-r subgroup G1.
    case pointNotInSubgroup

    public var description: String {
        switch self {
        case .invalidLength:
            return "KZG input has the wrong length: expected 48-byte commitment and proof, 32-byte z and y"
        case .scalarNotCanonical:
            return "KZG scalar is not canonical: expected a value below the BLS12-381 scalar modulus r"
        case .invalidCompressedPoint(let why):
            return "invalid compressed G1 point: \(why)"
        case .pointNotInSubgroup:
            return "G1 point is on the curve but not in the prime-order subgroup"
        }
    }
}

extension G1Affine {
    /// Decodes a 48-byte ZCash-compressed G1 point and checks it is in G1 (validate_kzg_g1):
    /// bit 7 of byte 0 = compressed (required), bit 6 = infinity, bit 5 = sign of y.
    static func decodeCompressed(_ b: [UInt8]) -> Result<G1Affine, KZGError> {
        guard b.count == 48 else { return .failure(.invalidLength) }
        let flags = b[0]
        guard flags & 0x80 != 0 else {
            return .failure(.invalidCompressedPoint("compression flag not set (uncompressed encodings are not accepted)"))
        }
        if flags & 0x40 != 0 {
            // G1_POINT_AT_INFINITY = 0xc0 followed by 47 zero bytes is the only valid infinity encoding.
            guard flags == 0xc0, b[1...].allSatisfy({ $0 == 0 }) else {
                return .failure(.invalidCompressedPoint(
                    "infinity flag set, expected 0xc0 followed by zeros, got first byte 0x\(String(flags, radix: 16)) and a non-zero remainder or sign bit"))
            }
            return .success(.infinity)
        }
        var xb = b
        xb[0] &= 0x1f
        guard let x = Fp(bigEndian: xb[...]) else {
            return .failure(.invalidCompressedPoint("x coordinate is not below the field modulus p"))
        }
        guard var y = (x.squared() * x + G1Affine.b).squareRoot() else {
            return .failure(.invalidCompressedPoint("x^3 + 4 is not a square: the point is not on the curve"))
        }
        if y.isLexicographicallyLargest != (flags & 0x20 != 0) { y = -y }
        let p = G1Affine(x: x, y: y, isInfinity: false)
        guard p.isInSubgroup else { return .failure(.pointNotInSubgroup) }
        return .success(p)
    }
}

/// KZG commitment opening verification (EIP-4844).
public enum KZG {
    /// verify_kzg_proof from the EIP-4844 consensus spec: checks e(C - [y]G1, G2) == e(proof, [tau]G2 - [z]G2).
    /// commitment and proof: 48-byte compressed G1; z, y: 32-byte big-endian scalars that must be < the BLS12-381 scalar field modulus r.
    public static func verifyProof(commitment: [UInt8], z: [UInt8], y: [UInt8], proof: [UInt8]) -> Result<Bool, KZGError> {
        guard commitment.count == 48, proof.count == 48, z.count == 32, y.count == 32 else {
            return .failure(.invalidLength)
        }
        // Same order as the spec's argument evaluation: commitment, z, y, proof.
        let c: G1Affine
        switch G1Affine.decodeCompressed(commitment) {
        case .success(let v): c = v
        case .failure(let e): return .failure(e)
        }
        guard let zs = Scalar(bigEndian: z), let ys = Scalar(bigEndian: y) else {
            return .failure(.scalarNotCanonical)
        }
        let pi: G1Affine
        switch G1Affine.decodeCompressed(proof) {
        case .success(let v): pi = v
        case .failure(let e): return .failure(e)
        }
        return .success(verifyDecoded(commitment: c, z: zs, y: ys, proof: pi))
    }

    /// e(C - [y]G1, G2) = e(pi, [tau - z]G2) rewritten with all scalars on the G1 side so that both
    /// G2 points are fixed and their lines precomputed:
    ///     e(C - [y]G1 + [z]pi, -G2) · e(pi, [tau]G2) = 1.
    static func verifyDecoded(commitment c: G1Affine, z: Scalar, y: Scalar, proof pi: G1Affine) -> Bool {
        var lhs = G1Jacobian(c)
        lhs = lhs.adding(G1GeneratorTable.shared.multiply(y).negated)
        lhs = lhs.adding(pi.multipliedInG1(by: z))
        let p1 = lhs.toAffine()
        return Pairing.productIsOne([(p1, KZGSetup.negG2Lines), (pi, KZGSetup.tauG2Lines)])
    }
}
