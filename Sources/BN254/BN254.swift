// Byte-level entry points for the alt_bn128 precompiles: 0x06 ECADD and 0x07 ECMUL (EIP-196) and
// 0x08 ECPAIRING (EIP-197). Gas (EIP-1108) is the caller's business; these functions only compute
// the output or say why the input is invalid (in which case the precompile fails and consumes all gas).

/// Why an alt_bn128 precompile input is invalid (EIP-196/EIP-197).
public enum BN254Error: Error, Equatable, CustomStringConvertible {
    /// A coordinate is not below the field modulus p.
    case coordinateNotInField
    /// A G1 point is not on y^2 = x^3 + 3, or a G2 point is not on the twist y^2 = x^3 + 3/(9+u).
    case pointNotOnCurve
    /// A G2 point is on the twist but not in its order-r subgroup.
    case g2NotInSubgroup
    /// The pairing input length (the associated value) is not a multiple of 192 bytes.
    case invalidInputLength(Int)

    public var description: String {
        switch self {
        case .coordinateNotInField:
            return "coordinate not in field: expected a value below p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"
        case .pointNotOnCurve:
            return "point not on curve: expected y^2 = x^3 + 3 (G1) or y^2 = x^3 + 3/(9+u) (G2), or the all-zero point at infinity"
        case .g2NotInSubgroup:
            return "G2 point not in the order-r subgroup"
        case .invalidInputLength(let n):
            return "invalid pairing input length: expected a multiple of 192 bytes, got \(n)"
        }
    }
}

/// The alt_bn128 (BN254) precompile operations of EIP-196 and EIP-197, on raw call data.
public enum BN254 {
    /// EIP-196 ECADD: input is right-padded with zeros to 128 bytes (longer input: extra bytes ignored); returns 64 bytes.
    public static func add(_ input: [UInt8]) -> Result<[UInt8], BN254Error> {
        let buf = padded(input, to: 128)
        return buf.withUnsafeBytes { raw -> Result<[UInt8], BN254Error> in
            let a: G1
            let b: G1
            switch readG1(raw, at: 0) {
            case .success(let p): a = p
            case .failure(let e): return .failure(e)
            }
            switch readG1(raw, at: 64) {
            case .success(let p): b = p
            case .failure(let e): return .failure(e)
            }
            return .success(encode(a.adding(b)))
        }
    }

    /// EIP-196 ECMUL: input right-padded to 96 bytes; returns 64 bytes.
    public static func mul(_ input: [UInt8]) -> Result<[UInt8], BN254Error> {
        let buf = padded(input, to: 96)
        return buf.withUnsafeBytes { raw -> Result<[UInt8], BN254Error> in
            let a: G1
            switch readG1(raw, at: 0) {
            case .success(let p): a = p
            case .failure(let e): return .failure(e)
            }
            // The scalar is any 256-bit big-endian integer; it is not required to be below r.
            let k = (word(raw, 64 + 24), word(raw, 64 + 16), word(raw, 64 + 8), word(raw, 64))
            return .success(encode(G1Scalar.multiply(a, by: k)))
        }
    }

    /// EIP-197 pairing check: input length must be a multiple of 192 (else invalidInputLength); empty input -> true. Returns true when the product of pairings is 1.
    public static func pairingCheck(_ input: [UInt8]) -> Result<Bool, BN254Error> {
        guard input.count % 192 == 0 else { return .failure(.invalidInputLength(input.count)) }
        let count = input.count / 192
        var pairs: [PairingInput] = []
        pairs.reserveCapacity(count)
        let failure: BN254Error? = input.withUnsafeBytes { raw -> BN254Error? in
            for i in 0..<count {
                let base = i * 192
                let g1: (Fp, Fp)?
                switch readG1Affine(raw, at: base) {
                case .success(let p): g1 = p
                case .failure(let e): return e
                }
                let g2: (Fp2, Fp2)?
                switch readG2Affine(raw, at: base + 64) {
                case .success(let q): g2 = q
                case .failure(let e): return e
                }
                // A pair with either point at infinity contributes e(P, Q) = 1.
                if let (px, py) = g1, let (qx, qy) = g2 {
                    pairs.append(PairingInput(px: px, py: py, qx: qx, qy: qy))
                }
            }
            return nil
        }
        if let failure { return .failure(failure) }
        return .success(Pairing.productIsOne(pairs))
    }

    // MARK: encoding

    /// The input cut or right-padded with zeros to exactly `size` bytes (EIP-196 input rule).
    static func padded(_ input: [UInt8], to size: Int) -> [UInt8] {
        if input.count == size { return input }
        if input.count > size { return Array(input[0..<size]) }
        return input + [UInt8](repeating: 0, count: size - input.count)
    }

    /// The big-endian 64-bit word at `offset`.
    @inline(__always)
    static func word(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<8 { w = (w << 8) | UInt64(raw[offset + k]) }
        return w
    }

    /// Reads one 32-byte field element, rejecting values >= p.
    @inline(__always)
    static func readFp(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Fp? {
        Fp(bigEndian: raw, at: offset)
    }

    /// Reads a G1 point (x, y): both coordinates below p, then (0, 0) is infinity (nil), else it must
    /// satisfy y^2 = x^3 + 3 (EIP-196). G1 has cofactor 1, so no subgroup check is needed.
    static func readG1Affine(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Result<(Fp, Fp)?, BN254Error> {
        guard let x = readFp(raw, at: offset), let y = readFp(raw, at: offset + 32) else {
            return .failure(.coordinateNotInField)
        }
        if x.isZero && y.isZero { return .success(nil) }
        guard Curve.isOnG1(x, y) else { return .failure(.pointNotOnCurve) }
        return .success((x, y))
    }

    /// Reads a G1 point as a Jacobian point (infinity for (0, 0)).
    static func readG1(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Result<G1, BN254Error> {
        readG1Affine(raw, at: offset).map { p in
            guard let (x, y) = p else { return G1.infinity }
            return G1(affineX: x, affineY: y)
        }
    }

    /// Reads a G2 point encoded as (x_imag, x_real, y_imag, y_real) (EIP-197): all four below p, then
    /// all-zero is infinity (nil), else it must be on the twist and in the order-r subgroup.
    static func readG2Affine(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Result<(Fp2, Fp2)?, BN254Error> {
        guard let xi = readFp(raw, at: offset), let xr = readFp(raw, at: offset + 32),
              let yi = readFp(raw, at: offset + 64), let yr = readFp(raw, at: offset + 96) else {
            return .failure(.coordinateNotInField)
        }
        let x = Fp2(xr, xi)
        let y = Fp2(yr, yi)
        if x.isZero && y.isZero { return .success(nil) }
        guard Curve.isOnTwist(x, y) else { return .failure(.pointNotOnCurve) }
        guard Curve.isInG2Subgroup(x, y) else { return .failure(.g2NotInSubgroup) }
        return .success((x, y))
    }

    /// 64 bytes x || y, big-endian; the point at infinity is 64 zero bytes.
    static func encode(_ p: G1) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        if let (x, y) = p.affine {
            x.write(to: &out, at: 0)
            y.write(to: &out, at: 32)
        }
        return out
    }
}

/// Scalar multiplication on G1.
enum G1Scalar {
    /// [k]P for any 256-bit k (little-endian limbs).
    static func multiply(_ p: G1, by k: (UInt64, UInt64, UInt64, UInt64)) -> G1 {
        if p.isInfinity || (k.0 | k.1 | k.2 | k.3) == 0 { return .infinity }
        return p.multiplied(by: k)
    }
}
