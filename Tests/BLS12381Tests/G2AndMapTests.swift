import XCTest
@testable import BLS12381

/// G2 Jacobian arithmetic, the psi endomorphism, subgroup checks, GLS multiplication, cofactor clearing and the
/// batched line precomputation, each against a slow definition (affine formulas, [r]P = O, [h_eff]P).
final class G2AndMapTests: XCTestCase {
    static let rBytes: [UInt8] = {
        var out = [UInt8]()
        for limb in [Scalar.r.l3, Scalar.r.l2, Scalar.r.l1, Scalar.r.l0] {
            for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(s))) }
        }
        return out
    }()

    func bigEndian(_ k: Scalar) -> [UInt8] {
        var out = [UInt8]()
        for limb in [k.l3, k.l2, k.l1, k.l0] {
            for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: limb >> UInt64(s))) }
        }
        return out
    }

    /// Curve points of E2 found from x = seed, seed + 1, ...: almost all outside G2 (the cofactor is huge).
    func curvePoints(_ count: Int, seed: UInt64) -> [G2Affine] {
        var rng = SplitMix64(state: seed)
        var out = [G2Affine]()
        while out.count < count {
            let x = rng.fp2()
            if let y = (x.squared() * x + G2Affine.b).squareRoot() { out.append(G2Affine(x: x, y: y, isInfinity: false)) }
        }
        return out
    }

    /// The binary-GCD inverse agrees with Fermat's a^(p-2) and inverts, including at the edges (1, -1, 2, p-1).
    func testBinaryInverseMatchesFermat() {
        var rng = SplitMix64(state: 20)
        var values = [Fp.one, -Fp.one, Fp.one.doubled(), Fp(raw: Fp.p0 - 1, Fp.p1, Fp.p2, Fp.p3, Fp.p4, Fp.p5) * Fp.r2,
                      Fp(raw: 1, 0, 0, 0, 0, 0), Fp(raw: Fp.p0 - 1, Fp.p1, Fp.p2, Fp.p3, Fp.p4, Fp.p5)]
        for _ in 0..<200 { values.append(rng.fp()) }
        for a in values {
            XCTAssertEqual(a.inverse(), a.inverseByFermat())
            XCTAssertEqual(a * a.inverse(), .one)
        }
        XCTAssertEqual(Fp.zero.inverse(), .zero)
    }

    func testJacobianMatchesAffine() {
        var rng = SplitMix64(state: 21)
        let g = KZGSetup.g2Generator
        let p = g.multiplied(byBigEndian: bigEndian(rng.scalar()))
        let q = g.multiplied(byBigEndian: bigEndian(rng.scalar()))
        let pj = G2Jacobian(p), qj = G2Jacobian(q)
        XCTAssertEqual(pj.doubled().toAffine(), p.doubled())
        XCTAssertEqual(pj.adding(q).toAffine(), p.adding(q))
        XCTAssertEqual(pj.doubled().adding(qj.doubled()).toAffine(), p.doubled().adding(q.doubled()))
        XCTAssertEqual(pj.adding(p).toAffine(), p.doubled())           // mixed addition of equal points
        XCTAssertEqual(pj.adding(pj).toAffine(), p.doubled())          // general addition of equal points
        XCTAssertTrue(pj.adding(p.negated).isInfinity)
        XCTAssertTrue(pj.adding(pj.negated).isInfinity)
        XCTAssertEqual(G2Jacobian.infinity.adding(p).toAffine(), p)
        XCTAssertEqual(pj.adding(G2Jacobian.infinity).toAffine(), p)
    }

    /// psi acts as [x] on G2, and the psi test agrees with [r]P = O on and off the subgroup.
    func testPsiAndSubgroupCheck() {
        let g = KZGSetup.g2Generator
        XCTAssertTrue(G2Jacobian(g).psi.isEqual(to: G2Jacobian(g).mulByX()))
        XCTAssertTrue(g.isInSubgroup)
        XCTAssertTrue(KZGSetup.tauG2.isInSubgroup)
        XCTAssertTrue(G2Affine.infinity.isInSubgroup)
        var outside = 0
        for p in curvePoints(6, seed: 22) {
            XCTAssertTrue(p.isOnCurve)
            let byOrder = p.multiplied(byBigEndian: Self.rBytes).isInfinity
            XCTAssertEqual(p.isInSubgroup, byOrder)
            if !byOrder { outside += 1 }
        }
        XCTAssertEqual(outside, 6)
    }

    func testGLSMultiplicationMatchesDoubleAndAdd() {
        var rng = SplitMix64(state: 23)
        let p = KZGSetup.g2Generator.multiplied(byBigEndian: bigEndian(rng.scalar()))
        let rMinus1 = Scalar(l0: Scalar.r.l0 - 1, l1: Scalar.r.l1, l2: Scalar.r.l2, l3: Scalar.r.l3)
        var scalars = [Scalar(l0: 0, l1: 0, l2: 0, l3: 0), Scalar(l0: 1, l1: 0, l2: 0, l3: 0), rMinus1,
                       Scalar(l0: BLSParameter.absX, l1: 0, l2: 0, l3: 0), Scalar(l0: ~0, l1: ~0, l2: ~0, l3: 0)]
        for _ in 0..<4 { scalars.append(rng.scalar()) }
        for k in scalars {
            XCTAssertEqual(p.multipliedInG2(by: k).toAffine(), p.multiplied(byBigEndian: bigEndian(k)), "k = \(bigEndian(k))")
        }
    }

    /// Reduction of 256-bit MSM scalars: 2^256 - 1 = 2r + (2^256 - 1 - 2r).
    func testScalarReduction() {
        let max = [UInt8](repeating: 0xff, count: 32)
        let s = Scalar(reducing: max, at: 0)
        XCTAssertTrue(s.isLess(than: .r))
        let p = KZGSetup.g2Generator
        XCTAssertEqual(p.multipliedInG2(by: s).toAffine(), p.multiplied(byBigEndian: max))
        XCTAssertTrue(Scalar(reducing: Self.rBytes, at: 0).isZero)
    }

    /// The endomorphism-based cofactor clearing equals [h_eff]P (RFC 9380 section 8.8.2) off the subgroup.
    func testG2CofactorClearingMatchesHEff() {
        let hEff = bytesFromHex(
            "0bc69f08f2ee75b3584c6a0ea91b352888e2a8e9145ad7689986ff031508ffe1329c2f178731db956d82bf015d1212b02ec0ec69d7477c1ae954cbc06689f6a359894c0adebbf6b4e8020005aaa95551")
        for p in curvePoints(2, seed: 24) {
            let cleared = G2Jacobian(p).clearingCofactor().toAffine()
            XCTAssertEqual(cleared, p.multiplied(byBigEndian: hEff))
            XCTAssertTrue(cleared.isInSubgroup)
        }
    }

    /// G1 cofactor clearing [1 - x]P and map outputs land in G1; map outputs of G2 land in G2.
    func testMapsLandInTheSubgroups() {
        var rng = SplitMix64(state: 25)
        for _ in 0..<4 {
            let p1 = MapToCurve.mapToG1(rng.fp())
            XCTAssertTrue(p1.isOnCurve)
            XCTAssertTrue(p1.isInSubgroup)
            let p2 = MapToCurve.mapToG2(rng.fp2())
            XCTAssertTrue(p2.isOnCurve)
            XCTAssertTrue(p2.isInSubgroup)
        }
        // SSWU output is on the isogenous curve E1': y^2 = x^3 + A'x + B'.
        let (x, y) = MapToCurve.sswuG1(rng.fp())
        XCTAssertEqual(y.squared(), (x.squared() + MapConstants.g1A) * x + MapConstants.g1B)
        let (x2, y2) = MapToCurve.sswuG2(rng.fp2())
        XCTAssertEqual(y2.squared(), (x2.squared() + MapConstants.g2A) * x2 + MapConstants.g2B)
    }

    /// The batched line precomputation gives the lines of the per-step affine definition.
    func testPreparedLinesMatchAffineDefinition() {
        var rng = SplitMix64(state: 26)
        let q = KZGSetup.g2Generator.multiplied(byBigEndian: bigEndian(rng.scalar()))
        var expected = [LineCoefficients]()
        var t = q
        var bit = 62
        while bit >= 0 {
            let x2 = t.x.squared()
            var lambda = (x2 + x2 + x2) * t.y.doubled().inverse()
            expected.append(LineCoefficients(a: lambda * t.x - t.y, negLambda: -lambda))
            t = t.doubled()
            if (BLSParameter.absX >> UInt64(bit)) & 1 == 1 {
                lambda = (q.y - t.y) * (q.x - t.x).inverse()
                expected.append(LineCoefficients(a: lambda * t.x - t.y, negLambda: -lambda))
                t = t.adding(q)
            }
            bit -= 1
        }
        let got = G2Prepared(q).lines
        XCTAssertEqual(got.count, 68)
        XCTAssertEqual(got.count, expected.count)
        for (a, b) in zip(got, expected) {
            XCTAssertEqual(a.a, b.a)
            XCTAssertEqual(a.negLambda, b.negLambda)
        }
    }
}

/// Pippenger's bucket method against the sum of single products, across window widths and scalar edges.
final class MSMTests: XCTestCase {
    func testScalarWindowsReassemble() {
        var rng = SplitMix64(state: 30)
        for width in [2, 3, 5, 7, 11, 14] {
            let k = rng.scalar()
            var limbs = [UInt64](repeating: 0, count: 5)
            var start = 0
            while start < 256 {
                let d = UInt64(k.window(start, width))
                limbs[start >> 6] |= d << UInt64(start & 63)
                if (start & 63) + width > 64 { limbs[(start >> 6) + 1] |= d >> UInt64(64 - (start & 63)) }
                start += width
            }
            XCTAssertEqual(Array(limbs[0..<4]), [k.l0, k.l1, k.l2, k.l3], "width \(width)")
        }
    }

    func testPippengerMatchesSumOfProducts() {
        var rng = SplitMix64(state: 31)
        let rMinus1 = Scalar(l0: Scalar.r.l0 - 1, l1: Scalar.r.l1, l2: Scalar.r.l2, l3: Scalar.r.l3)
        for count in [2, 5, 33, 70] {
            var p1 = [G1Affine](), p2 = [G2Affine](), ks = [Scalar]()
            for i in 0..<count {
                p1.append(MapToCurve.mapToG1(rng.fp()))
                p2.append(i == 3 ? .infinity : MapToCurve.mapToG2(rng.fp2()))
                ks.append(i == 0 ? rMinus1 : i == 1 ? Scalar(l0: 0, l1: 0, l2: 0, l3: 0) : rng.scalar())
            }
            var e1 = G1Jacobian.infinity, e2 = G2Jacobian.infinity
            for i in 0..<count {
                e1 = e1.adding(p1[i].multipliedInG1(by: ks[i]))
                e2 = e2.adding(p2[i].multipliedInG2(by: ks[i]))
            }
            XCTAssertEqual(MSM.pippenger(p1, ks, as: G1Jacobian.self).toAffine(), e1.toAffine(), "G1, \(count) pairs")
            XCTAssertEqual(MSM.pippenger(p2, ks, as: G2Jacobian.self).toAffine(), e2.toAffine(), "G2, \(count) pairs")
        }
    }
}
