import XCTest
@testable import BLS12381

/// Deterministic SplitMix64, so every run checks the same elements.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func fp() -> Fp {
        // Top limb kept below p's so the value is canonical; then into Montgomery form.
        let raw = Fp(raw: next(), next(), next(), next(), next(), next() % 0x1a01_11ea_397f_e699)
        return raw * Fp.r2
    }
    mutating func fp2() -> Fp2 { Fp2(fp(), fp()) }
    mutating func fp6() -> Fp6 { Fp6(fp2(), fp2(), fp2()) }
    mutating func fp12() -> Fp12 { Fp12(fp6(), fp6()) }
    mutating func scalar() -> Scalar {
        Scalar(l0: next(), l1: next(), l2: next(), l3: next() % 0x73ed_a753_299d_7d48)
    }
}

extension Fp12 {
    func pow(_ e: [UInt64]) -> Fp12 {
        var r = Fp12.one
        for limb in e.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                r = r.squared()
                if (limb >> UInt64(bit)) & 1 == 1 { r = r * self }
            }
        }
        return r
    }
}

let pLimbs: [UInt64] = [Fp.p0, Fp.p1, Fp.p2, Fp.p3, Fp.p4, Fp.p5]

final class ArithmeticTests: XCTestCase {
    /// Known answer: the G1 generator's coordinates as in the BLS12-381 standard (IETF draft-irtf-cfrg-pairing-friendly-curves).
    func testGeneratorCoordinates() {
        let g = G1Affine.generator
        XCTAssertEqual(hexString(g.x.bigEndianBytes),
                       "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb")
        XCTAssertEqual(hexString(g.y.bigEndianBytes),
                       "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1")
        XCTAssertTrue(g.isOnCurve)
        XCTAssertTrue(g.isInSubgroup)
        // The G2 generator decoded from its compressed form must give the standard y.
        let q = KZGSetup.g2Generator
        XCTAssertEqual(hexString(q.y.c0.bigEndianBytes),
                       "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801")
        XCTAssertEqual(hexString(q.y.c1.bigEndianBytes),
                       "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be")
    }

    func testFieldLaws() {
        var rng = SplitMix64(state: 1)
        for _ in 0..<50 {
            let a = rng.fp(), b = rng.fp(), c = rng.fp()
            XCTAssertEqual(a * (b + c), a * b + a * c)
            XCTAssertEqual((a - b) + b, a)
            XCTAssertEqual(a * a.inverse(), a.isZero ? .zero : .one)
            if let s = a.squared().squareRoot() { XCTAssertTrue(s == a || s == -a) } else { XCTFail("square has no root") }
            let x = rng.fp2(), y = rng.fp2()
            XCTAssertEqual(x * x.inverse(), .one)
            XCTAssertEqual(x.squared(), x * x)
            if let s = x.squared().squareRoot() { XCTAssertTrue(s == x || s == -x) } else { XCTFail("F_p2 square has no root") }
            XCTAssertEqual((x * y).mulByNonResidue(), x * (y * Fp2(.one, .one)))
            let f = rng.fp6(), g = rng.fp6()
            XCTAssertEqual(f.squared(), f * f)
            XCTAssertEqual(f * f.inverse(), .one)
            XCTAssertEqual(f.mulBy01(g.c0, g.c1), f * Fp6(g.c0, g.c1, .zero))
            XCTAssertEqual(f.mulBy1(c), f * Fp6(.zero, Fp2(c, .zero), .zero))
            XCTAssertEqual(f.mulByV(), f * Fp6(.zero, .one, .zero))
        }
        // Montgomery edge: p - 1 squared is 1.
        let minusOne = -Fp.one
        XCTAssertEqual(minusOne * minusOne, .one)
        // Canonical parsing rejects p and accepts p - 1.
        var pBytes = [UInt8]()
        for limb in pLimbs.reversed() { for s in stride(from: 56, through: 0, by: -8) { pBytes.append(UInt8(truncatingIfNeeded: limb >> UInt64(s))) } }
        XCTAssertNil(Fp(bigEndian: pBytes[...]))
        var pm1 = pBytes; pm1[47] -= 1
        XCTAssertEqual(Fp(bigEndian: pm1[...]), minusOne)
    }

    func testFp12Operations() {
        var rng = SplitMix64(state: 2)
        for _ in 0..<3 {
            let f = rng.fp12(), g = rng.fp12()
            XCTAssertEqual(f.squared(), f * f)
            XCTAssertEqual(f * f.inverse(), .one)
            XCTAssertEqual(f.frobenius(), f.pow(pLimbs), "Frobenius constants must match x -> x^p")
            XCTAssertEqual((f * g).frobenius(), f.frobenius() * g.frobenius())
            let l0 = rng.fp2(), l1 = rng.fp2(), l4 = rng.fp()
            let line = Fp12(Fp6(l0, l1, .zero), Fp6(.zero, Fp2(l4, .zero), .zero))
            XCTAssertEqual(f.mulByLine(l0, l1, l4), f * line)
            // After the easy part the element is in the cyclotomic subgroup.
            var u = f.conjugate() * f.inverse()
            u = u.frobenius().frobenius() * u
            XCTAssertEqual(u.cyclotomicSquared(), u.squared())
            XCTAssertEqual(u.conjugate(), u.inverse())
        }
    }

    /// Scott's endomorphism test must agree with the definition ([r]P = O) on curve points in and out of G1.
    func testSubgroupCheckAgreesWithOrder() {
        var rng = SplitMix64(state: 3)
        var x = Fp.one
        var outside = 0
        for _ in 0..<40 {
            x = x + Fp.one
            guard let y = (x.squared() * x + G1Affine.b).squareRoot() else { continue }
            let p = G1Affine(x: x, y: y, isInfinity: false)
            let byOrder = p.multiplied(by: Scalar.r).isInfinity
            XCTAssertEqual(p.isInSubgroup, byOrder)
            if !byOrder { outside += 1 }
        }
        XCTAssertGreaterThan(outside, 5)
        for _ in 0..<5 {
            let p = G1Affine.generator.multiplied(by: rng.scalar()).toAffine()
            XCTAssertTrue(p.isOnCurve)
            XCTAssertTrue(p.isInSubgroup)
            XCTAssertTrue(p.multiplied(by: Scalar.r).isInfinity)
        }
    }

    func testScalarMultiplicationIsConsistent() {
        var rng = SplitMix64(state: 4)
        let a = rng.scalar()
        let g = G1Affine.generator
        // [a]G + [a]G == [2a]G via doubling of the result.
        let p = g.multiplied(by: a)
        XCTAssertEqual(p.adding(p).toAffine(), p.doubled().toAffine())
        XCTAssertEqual(p.adding(p.toAffine()).toAffine(), p.doubled().toAffine())
        XCTAssertTrue(p.adding(p.negated).isInfinity)
        // [x^2] via mulByAbsX twice equals the generic multiplication by x^2.
        let x2 = UInt128(BLSParameter.absX) * UInt128(BLSParameter.absX)
        let s = Scalar(l0: UInt64(truncatingIfNeeded: x2), l1: UInt64(truncatingIfNeeded: x2 >> 64), l2: 0, l3: 0)
        XCTAssertEqual(G1Jacobian(g).mulByAbsX().mulByAbsX().toAffine(), g.multiplied(by: s).toAffine())
    }

    /// The GLV-style product and the fixed-base table must agree with plain double-and-add.
    func testFastScalarMultiplicationMatchesDoubleAndAdd() {
        var rng = SplitMix64(state: 5)
        let g = G1Affine.generator
        let pi = g.multiplied(by: rng.scalar()).toAffine()
        let rMinus1 = Scalar(l0: Scalar.r.l0 - 1, l1: Scalar.r.l1, l2: Scalar.r.l2, l3: Scalar.r.l3)
        var scalars = [Scalar(l0: 0, l1: 0, l2: 0, l3: 0), Scalar(l0: 1, l1: 0, l2: 0, l3: 0), rMinus1,
                       Scalar(l0: 0, l1: 0, l2: 1, l3: 0), Scalar(l0: ~0, l1: ~0, l2: 0, l3: 0)]
        for _ in 0..<6 { scalars.append(rng.scalar()) }
        for k in scalars {
            let expected = pi.multiplied(by: k).toAffine()
            XCTAssertEqual(pi.multipliedInG1(by: k).toAffine(), expected)
            XCTAssertEqual(G1GeneratorTable.shared.multiply(k).toAffine(), g.multiplied(by: k).toAffine())
        }
        // wNAF digits reconstruct the scalar.
        let v: UInt128 = 0xac45_a401_0001_a402_0000_0001_0000_0000 - 12345
        var back: UInt128 = 0
        for d in wnaf4(v).reversed() { back = back << 1; back = d >= 0 ? back + UInt128(d) : back - UInt128(-Int(d)) }
        XCTAssertEqual(back, v)
    }

    func testTauG2IsInG2() {
        let t = KZGSetup.tauG2
        XCTAssertTrue(t.isOnCurve)
        var rBytes = [UInt8]()
        for limb in [Scalar.r.l3, Scalar.r.l2, Scalar.r.l1, Scalar.r.l0] {
            for s in stride(from: 56, through: 0, by: -8) { rBytes.append(UInt8(truncatingIfNeeded: limb >> UInt64(s))) }
        }
        XCTAssertTrue(t.multiplied(byBigEndian: rBytes).isInfinity)
        XCTAssertTrue(KZGSetup.g2Generator.multiplied(byBigEndian: rBytes).isInfinity)
    }

    /// Bilinearity and non-degeneracy of the pairing: e([a]P, Q) e(P, -[a]Q) = 1, e(P, Q) != 1.
    func testPairingBilinearity() {
        let g1 = G1Affine.generator, g2 = KZGSetup.g2Generator
        XCTAssertNotEqual(Pairing.finalExponentiation(Pairing.millerLoop([(g1, G2Prepared(g2))])), .one)
        let aBytes: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed]
        var a = Scalar(l0: 0, l1: 0, l2: 0, l3: 0)
        for b in aBytes { a = Scalar(l0: a.l0 << 8 | UInt64(b), l1: a.l1 << 8 | a.l0 >> 56, l2: 0, l3: 0) }
        let ag1 = g1.multiplied(by: a).toAffine()
        let ag2 = g2.multiplied(byBigEndian: aBytes)
        XCTAssertTrue(Pairing.productIsOne([(ag1, G2Prepared(g2)), (g1, G2Prepared(ag2.negated))]))
        XCTAssertFalse(Pairing.productIsOne([(ag1, G2Prepared(g2)), (g1, G2Prepared(ag2))]))
        // Infinity contributes 1.
        XCTAssertTrue(Pairing.productIsOne([(.infinity, G2Prepared(g2)), (g1, G2Prepared(.infinity))]))
    }
}

extension G1Affine: CustomStringConvertible {
    public var description: String { isInfinity ? "O" : "(\(hexString(x.bigEndianBytes)), \(hexString(y.bigEndianBytes)))" }
}
