import XCTest
@testable import BN254

/// Hex helpers for the vectors.
enum Hex {
    static func bytes(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count / 2)
        var it = s.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: fatalError("bad hex digit \(c)")
            }
        }
        while let hi = it.next(), let lo = it.next() { out.append(nibble(hi) << 4 | nibble(lo)) }
        return out
    }

    static func string(_ b: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(b.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
    }
}

/// EIP-196 / EIP-197 known answers (from an independent oracle) and every invalid-input rule.
final class BN254PrecompileTests: XCTestCase {
    func testECAddKnownAnswers() {
        for v in Vectors.ecadd {
            let got = BN254.add(Hex.bytes(v.input)).map(Hex.string)
            XCTAssertEqual(got, v.expected, v.name)
        }
    }

    func testECMulKnownAnswers() {
        for v in Vectors.ecmul {
            let got = BN254.mul(Hex.bytes(v.input)).map(Hex.string)
            XCTAssertEqual(got, v.expected, v.name)
        }
    }

    func testPairingKnownAnswers() {
        for v in Vectors.pairing {
            XCTAssertEqual(BN254.pairingCheck(Hex.bytes(v.input)), v.expected, v.name)
        }
    }

    /// Hand-written from EIP-196: 2G for G = (1, 2), the widely published doubling of the generator.
    func testGeneratorDoublingByHand() {
        let g = Hex.bytes(String(repeating: "0", count: 63) + "1" + String(repeating: "0", count: 63) + "2")
        let twoG = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
            + "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
        XCTAssertEqual(BN254.add(g + g).map(Hex.string), .success(twoG))
        XCTAssertEqual(BN254.mul(g + [UInt8](repeating: 0, count: 31) + [2]).map(Hex.string), .success(twoG))
        // G + (-G) = O, with -G = (1, p - 2).
        let minusG = Hex.bytes(String(repeating: "0", count: 63) + "1"
            + "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45")
        XCTAssertEqual(BN254.add(g + minusG), .success([UInt8](repeating: 0, count: 64)))
        // [r]G = O.
        let r = Hex.bytes("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001")
        XCTAssertEqual(BN254.mul(g + r), .success([UInt8](repeating: 0, count: 64)))
    }

    /// EIP-197: the empty input is valid and yields true; lengths are checked before anything else.
    func testPairingLengthRule() {
        XCTAssertEqual(BN254.pairingCheck([]), .success(true))
        XCTAssertEqual(BN254.pairingCheck([UInt8](repeating: 0, count: 192 * 3)), .success(true))
        for n in [1, 64, 128, 191, 193, 383, 385] {
            XCTAssertEqual(BN254.pairingCheck([UInt8](repeating: 0xff, count: n)), .failure(.invalidInputLength(n)))
        }
    }

    /// Each coordinate slot, set to p, is rejected even when the rest would be the point at infinity.
    func testEveryCoordinateSlotRejectsP() {
        let p = Hex.bytes("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47")
        for slot in 0..<6 {
            var input = [UInt8](repeating: 0, count: 192)
            input.replaceSubrange(slot * 32..<(slot + 1) * 32, with: p)
            XCTAssertEqual(BN254.pairingCheck(input), .failure(.coordinateNotInField), "pairing slot \(slot)")
        }
        for slot in 0..<4 {
            var input = [UInt8](repeating: 0, count: 128)
            input.replaceSubrange(slot * 32..<(slot + 1) * 32, with: p)
            XCTAssertEqual(BN254.add(input), .failure(.coordinateNotInField), "ecadd slot \(slot)")
        }
        for slot in 0..<2 {
            var input = [UInt8](repeating: 0, count: 96)
            input.replaceSubrange(slot * 32..<(slot + 1) * 32, with: p)
            XCTAssertEqual(BN254.mul(input), .failure(.coordinateNotInField), "ecmul slot \(slot)")
        }
    }

    func testErrorDescriptionsSayWhatWasExpected() {
        XCTAssertEqual(BN254Error.invalidInputLength(191).description,
                       "invalid pairing input length: expected a multiple of 192 bytes, got 191")
        XCTAssertTrue(BN254Error.coordinateNotInField.description.contains("below p"))
    }
}

/// Internal arithmetic checked against definitions (exponentiation by p, by the hard-part exponent, [r]Q).
final class BN254ArithmeticTests: XCTestCase {
    /// A deterministic pseudo-random field element (splitmix64), reduced below p by clearing the top bits.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func fp() -> Fp { Fp(next(), next(), next(), next() & 0x0fff_ffff_ffff_ffff) * Fp.r2 }
        mutating func fp2() -> Fp2 { Fp2(fp(), fp()) }
        mutating func fp6() -> Fp6 { Fp6(fp2(), fp2(), fp2()) }
        mutating func fp12() -> Fp12 { Fp12(fp6(), fp6()) }
    }

    /// f^e for a big-endian hex exponent, by plain square-and-multiply.
    func power(_ f: Fp12, hex: String) -> Fp12 {
        var r = Fp12.one
        for c in hex.utf8 {
            let d = c <= 57 ? c - 48 : c - 87
            for bit in stride(from: 3, through: 0, by: -1) {
                r = r.squared
                if (d >> UInt8(bit)) & 1 == 1 { r = r * f }
            }
        }
        return r
    }

    static let pHex = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"

    func testFpBasics() {
        var rng = Rng(state: 1)
        for _ in 0..<50 {
            let a = rng.fp(), b = rng.fp(), c = rng.fp()
            XCTAssertEqual(a * (b + c), a * b + a * c)
            XCTAssertEqual((a - b) + b, a)
            XCTAssertEqual(a + (-a), .zero)
            XCTAssertEqual(a * a.inverse, a.isZero ? .zero : .one)
        }
        // p - 1 squared is 1.
        var bytes = Hex.bytes("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46")
        let minusOne = bytes.withUnsafeBytes { Fp(bigEndian: $0, at: 0) }
        XCTAssertEqual(minusOne, -Fp.one)
        XCTAssertEqual(minusOne.map { $0 * $0 }, .one)
        bytes = Hex.bytes(Self.pHex)
        XCTAssertNil(bytes.withUnsafeBytes { Fp(bigEndian: $0, at: 0) })
        var out = [UInt8](repeating: 0, count: 32)
        Fp(fromPlain: 3).write(to: &out, at: 0)
        XCTAssertEqual(out, [UInt8](repeating: 0, count: 31) + [3])
        XCTAssertEqual(Fp.three, Fp(fromPlain: 3))
    }

    /// The lazy-reduction Fp2 product and the binary-Euclid inverse agree with the plain definitions,
    /// including at the extremes (p - 1 everywhere maximises the unreduced intermediates).
    func testLazyFp2ProductAndInverseEdgeCases() {
        var rng = Rng(state: 7)
        let minusOne = -Fp.one
        let maxLimbs = Fp(Fp.p0 - 1, Fp.p1, Fp.p2, Fp.p3)  // p - 1 as a Montgomery representation
        var values: [Fp] = [.zero, .one, minusOne, maxLimbs, Fp(1, 0, 0, 0), Fp.one.doubled]
        for _ in 0..<20 { values.append(rng.fp()) }
        for a in values {
            if !a.isZero { XCTAssertEqual(a * a.inverse, .one) }
            for b in values.prefix(8) {
                XCTAssertEqual(Fp.redc(Fp.mulWide(a, b)), a * b)
            }
        }
        for i in 0..<values.count {
            for j in 0..<6 {
                let x = Fp2(values[i], values[(i + j) % values.count])
                let y = Fp2(values[(i + 2 * j + 1) % values.count], values[j])
                let expected = Fp2(x.c0 * y.c0 - x.c1 * y.c1, x.c0 * y.c1 + x.c1 * y.c0)
                XCTAssertEqual(x * y, expected)
            }
        }
        XCTAssertEqual(Fp.one.inverse, .one)
        XCTAssertEqual(minusOne.inverse, minusOne)
        XCTAssertEqual(Fp.zero.inverse, .zero)
    }

    func testTowerInversesAndSquares() {
        var rng = Rng(state: 2)
        for _ in 0..<5 {
            let a2 = rng.fp2(), a6 = rng.fp6(), a12 = rng.fp12()
            XCTAssertEqual(a2 * a2.inverse, .one)
            XCTAssertEqual(a2.squared, a2 * a2)
            XCTAssertEqual(a6 * a6.inverse, .one)
            XCTAssertEqual(a6.squared, a6 * a6)
            XCTAssertEqual(a12 * a12.inverse, .one)
            XCTAssertEqual(a12.squared, a12 * a12)
            // xi = 9 + u.
            XCTAssertEqual(a2.timesXi, a2 * Fp2(Fp(fromPlain: 9), .one))
        }
    }

    func testSparseLineProduct() {
        var rng = Rng(state: 3)
        let f = rng.fp12()
        let a = rng.fp2(), b = rng.fp2(), c = rng.fp2()
        let line = Fp12(Fp6(a, .zero, .zero), Fp6(b, c, .zero))
        XCTAssertEqual(f.mulByLine(a, b, c), f * line)
    }

    func testFrobeniusMatchesPowerOfP() {
        var rng = Rng(state: 4)
        let f = rng.fp12()
        let fp = power(f, hex: Self.pHex)
        XCTAssertEqual(f.frobenius, fp)
        XCTAssertEqual(f.frobenius2, fp.frobenius)
        XCTAssertEqual(f.frobenius3, fp.frobenius.frobenius)
    }

    func testCyclotomicSquaringAndFinalExponentiation() {
        var rng = Rng(state: 5)
        let f = rng.fp12()
        // Easy part puts f into the cyclotomic subgroup.
        var g = f.conjugate * f.inverse
        g = g.frobenius2 * g
        XCTAssertEqual(g.cyclotomicSquared, g.squared)
        XCTAssertEqual(g.cyclotomicPowX(), power(g, hex: "44e992b44a6909f1"))
        // Hard part exponent (p^4 - p^2 + 1) / r.
        let hard = "1baaa710b0759ad331ec15183177faf6c0eb522d5b122784e529a5861876f6b3b1b1355d189227d79581e16f3fd90c66"
            + "b887d56d5095f23aaa441e3954bcf8adcc7b44c87cdbacff1154e7e1da014fd5abf5cc4f49c36d4e81bb482ccdf42b1"
        XCTAssertEqual(f.finalExponentiation(), power(g, hex: hard))
    }

    /// The pairing is bilinear and non-degenerate: e(aP, bQ) = e(P, Q)^(ab).
    func testBilinearity() {
        let g1 = G1(affineX: .one, affineY: Fp(fromPlain: 2))
        let q = g2Generator()
        let a: (UInt64, UInt64, UInt64, UInt64) = (0x1234_5678_9abc_def1, 7, 0, 0)
        let b: (UInt64, UInt64, UInt64, UInt64) = (0xfedc_ba98_7654_3211, 0, 3, 0)
        func e(_ p: G1, _ q: G2) -> Fp12 {
            guard let (px, py) = p.affine, let (qx, qy) = q.affine else { return .one }
            return Pairing.millerLoop([PairingInput(px: px, py: py, qx: qx, qy: qy)]).finalExponentiation()
        }
        let base = e(g1, q)
        XCTAssertFalse(base.isOne)
        let lhs = e(g1.multiplied(by: a), q.multiplied(by: b))
        let ab = e(g1.multiplied(by: a).multiplied(by: b), q)
        XCTAssertEqual(lhs, ab)
        XCTAssertEqual(e(g1, q.multiplied(by: a).multiplied(by: b)), ab)
        // e(P, Q)^r = 1.
        XCTAssertTrue(power(base, hex: "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001").isOne)
    }

    func g2Generator() -> G2 {
        let bytes = Hex.bytes("198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
            + "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
            + "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
            + "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")
        let q = bytes.withUnsafeBytes { BN254.readG2Affine($0, at: 0) }
        guard case .success(let pt?) = q else {
            XCTFail("generator rejected")
            return .infinity
        }
        return G2(affineX: pt.0, affineY: pt.1)
    }

    /// The endomorphism subgroup test agrees with [r]Q == O on points in and out of G2.
    func testG2SubgroupCheckAgreesWithOrderR() {
        let r: (UInt64, UInt64, UInt64, UInt64) = (0x43e1_f593_f000_0001, 0x2833_e848_79b9_7091,
                                                    0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)
        var points: [(G2, Bool)] = []
        let g = g2Generator()
        points.append((g, true))
        points.append((g.multiplied(by: (0xdead_beef, 0x1234, 0, 0x0fff)), true))
        for v in Vectors.pairing where v.name.contains("not in subgroup") {
            let bytes = Hex.bytes(v.input)
            for i in 0..<(bytes.count / 192) {
                let chunk = Array(bytes[(i * 192 + 64)..<(i * 192 + 192)])
                let x = chunk.withUnsafeBytes { (Fp(bigEndian: $0, at: 0), Fp(bigEndian: $0, at: 32)) }
                let y = chunk.withUnsafeBytes { (Fp(bigEndian: $0, at: 64), Fp(bigEndian: $0, at: 96)) }
                guard let xi = x.0, let xr = x.1, let yi = y.0, let yr = y.1 else { continue }
                let qx = Fp2(xr, xi), qy = Fp2(yr, yi)
                if Curve.isOnTwist(qx, qy) { points.append((G2(affineX: qx, affineY: qy), false)) }
            }
        }
        XCTAssertGreaterThanOrEqual(points.count, 6)
        for (pt, expected) in points {
            guard let (x, y) = pt.affine else { continue }
            XCTAssertTrue(Curve.isOnTwist(x, y))
            XCTAssertEqual(pt.multiplied(by: r).isInfinity, expected)
            XCTAssertEqual(Curve.isInG2Subgroup(x, y), expected)
        }
    }

    /// The homogeneous-coordinate Miller-loop steps move T like ordinary point arithmetic.
    func testMillerLoopStepsTrackPointArithmetic() {
        let g = g2Generator()
        guard let (qx, qy) = g.affine else { return XCTFail("no generator") }
        var t = Pairing.Homogeneous(x: qx, y: qy, z: .one)
        _ = Pairing.doublingStep(&t, .one, .one)
        let zi = t.z.inverse
        XCTAssertTrue(G2(affineX: t.x * zi, affineY: t.y * zi).isEqual(to: g.doubled))
        _ = Pairing.additionStep(&t, qx, qy, .one, .one)
        let zi2 = t.z.inverse
        XCTAssertTrue(G2(affineX: t.x * zi2, affineY: t.y * zi2).isEqual(to: g.doubled.adding(g)))
    }
}
