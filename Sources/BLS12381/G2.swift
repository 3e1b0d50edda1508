// The group G2: points of the sextic (M-type) twist E'(F_p2): y^2 = x^3 + 4(1 + u) in the order-r subgroup.
// Only two fixed G2 points are ever used here (the generator and [tau]G2 of the KZG setup), so
// G2 arithmetic is affine and runs once, when their Miller-loop lines are precomputed.

/// A G2 point in affine coordinates over F_p2.
struct G2Affine: Equatable, Sendable {
    var x: Fp2
    var y: Fp2
    var isInfinity: Bool

    static let infinity = G2Affine(x: .zero, y: .zero, isInfinity: true)

    /// b' = 4(1 + u).
    static let b = Fp2(G1Affine.b, G1Affine.b)

    var isOnCurve: Bool { isInfinity || y.squared() == x.squared() * x + G2Affine.b }

    var negated: G2Affine { isInfinity ? self : G2Affine(x: x, y: -y, isInfinity: false) }

    func doubled() -> G2Affine {
        if isInfinity || y.isZero { return .infinity }
        let x2 = x.squared()
        let lambda = (x2 + x2 + x2) * y.doubled().inverse()
        let x3 = lambda.squared() - x.doubled()
        return G2Affine(x: x3, y: lambda * (x - x3) - y, isInfinity: false)
    }

    func adding(_ q: G2Affine) -> G2Affine {
        if isInfinity { return q }
        if q.isInfinity { return self }
        if x == q.x { return y == q.y ? doubled() : .infinity }
        let lambda = (q.y - y) * (q.x - x).inverse()
        let x3 = lambda.squared() - x - q.x
        return G2Affine(x: x3, y: lambda * (x - x3) - y, isInfinity: false)
    }

    /// [k]P by double-and-add on big-endian scalar bytes; slow (affine), for setup checks and tests only.
    func multiplied(byBigEndian k: [UInt8]) -> G2Affine {
        var acc = G2Affine.infinity
        for byte in k {
            for s in stride(from: 7, through: 0, by: -1) {
                acc = acc.doubled()
                if (byte >> UInt8(s)) & 1 == 1 { acc = acc.adding(self) }
            }
        }
        return acc
    }

    /// Decodes a 96-byte ZCash-compressed G2 point (x.c1 with the three flag bits, then x.c0).
    /// Used only for built-in constants; checks the curve equation but not the subgroup.
    init?(compressed b: [UInt8]) {
        guard b.count == 96, b[0] & 0x80 != 0 else { return nil }
        if b[0] & 0x40 != 0 {
            guard b[0] == 0xc0, b[1...].allSatisfy({ $0 == 0 }) else { return nil }
            self = .infinity
            return
        }
        var hi = Array(b[0..<48])
        hi[0] &= 0x1f
        guard let x1 = Fp(bigEndian: hi[...]), let x0 = Fp(bigEndian: b[48..<96]) else { return nil }
        let x = Fp2(x0, x1)
        guard var y = (x.squared() * x + G2Affine.b).squareRoot() else { return nil }
        if y.isLexicographicallyLargest != (b[0] & 0x20 != 0) { y = -y }
        self = G2Affine(x: x, y: y, isInfinity: false)
    }

    init(x: Fp2, y: Fp2, isInfinity: Bool) {
        self.x = x; self.y = y; self.isInfinity = isInfinity
    }
}

/// Parses a hex string of a built-in constant (no input from outside the module reaches this).
func bytesFromHex(_ s: String) -> [UInt8] {
    var out = [UInt8]()
    var it = s.utf8.makeIterator()
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return 0
        }
    }
    while let h = it.next(), let l = it.next() { out.append(nibble(h) << 4 | nibble(l)) }
    return out
}

/// The fixed G2 points of the EIP-4844 KZG setup.
enum KZGSetup {
    /// KZG_SETUP_G2[0], the G2 generator, compressed (first G2 line of the ceremony's trusted_setup.txt).
    static let g2GeneratorHex =
        "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
        + "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"

    /// KZG_SETUP_G2[1] = [tau]G2 from the Ethereum KZG ceremony, compressed: KZG_SETUP_G2_MONOMIAL_1 in
    /// ethereum/execution-specs src/ethereum/crypto/kzg.py (g2_monomial[1] of the mainnet
    /// trusted_setup_4096.json; line 4100 of c-kzg-4844's src/trusted_setup.txt). Older pre-ceremony
    /// test setups carry other values (0x99aca9fb..., 0xaee6272b...); those fail the go-kzg-4844
    /// "correct_proof" vectors in ethereum/tests, which this value passes.
    static let tauG2Hex =
        "b5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72"
        + "185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2"

    static func decode(_ hex: String) -> G2Affine {
        guard let p = G2Affine(compressed: bytesFromHex(hex)), p.isOnCurve else {
            fatalError("BLS12381: built-in G2 constant does not decode; the source file is corrupt")
        }
        return p
    }

    static let g2Generator = decode(g2GeneratorHex)
    static let tauG2 = decode(tauG2Hex)

    /// Lines for -G2 and [tau]G2, computed once on first use.
    static let negG2Lines = G2Prepared(g2Generator.negated)
    static let tauG2Lines = G2Prepared(tauG2)
}
