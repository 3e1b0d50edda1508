// The reciprocal division steps inside UInt256's Algorithm D, checked one by one against UInt128 and
// BigUInt on divisor and dividend limbs chosen to hit their rarely taken correction branches.
// Internal API, so debug builds only (release builds are not compiled for testing).
#if DEBUG
import BigInt
@testable import EVMPrimitives
import XCTest

final class DivisionStepTests: XCTestCase {
    /// Normalised divisor limbs (top bit set) at the edges, plus random ones.
    private func normalisedLimbs(_ g: inout ValueGenerator, random: Int) -> [UInt64] {
        var d: [UInt64] = [1 << 63, (1 << 63) + 1, .max, .max - 1, 0xFFFF_FFFF_0000_0000, 0x8000_0000_FFFF_FFFF]
        for _ in 0..<random { d.append(g.rng.next() | (1 << 63)) }
        return d
    }

    private func anyLimbs(_ g: inout ValueGenerator, random: Int) -> [UInt64] {
        edgeLimbs + (0..<random).map { _ in g.rng.next() }
    }

    func testDivRem2by1() {
        var g = ValueGenerator(salt: 200)
        for d in normalisedLimbs(&g, random: 20) {
            let v = UInt256._reciprocal2by1(d)
            // The reciprocal's definition: floor((2^128 - 1) / d) - 2^64.
            XCTAssertEqual(UInt128(v), UInt128.max / UInt128(d) - (UInt128(1) << 64), "reciprocal of \(d)")
            for u1 in [0, d - 1, d >> 1] + (0..<10).map({ _ in g.rng.next() % d }) {
                for u0 in anyLimbs(&g, random: 5) {
                    let n = UInt128(u1) << 64 | UInt128(u0)
                    let (q, r) = UInt256._divRem2by1(u1, u0, d, v)
                    XCTAssertEqual(UInt128(q), n / UInt128(d), "\(u1):\(u0) / \(d)")
                    XCTAssertEqual(UInt128(r), n % UInt128(d), "\(u1):\(u0) % \(d)")
                }
            }
        }
    }

    func testQuotient3by2() {
        var g = ValueGenerator(salt: 201)
        let d1s = normalisedLimbs(&g, random: 6)
        for d1 in d1s {
            for d0 in anyLimbs(&g, random: 3) {
                let v = UInt256._reciprocal3by2(d1, d0)
                let d = BigUInt(d1) << 64 | BigUInt(d0)
                let expectedV = ((BigUInt(1) << 192) - 1) / d - (BigUInt(1) << 64)
                XCTAssertEqual(BigUInt(v), expectedV, "3-by-2 reciprocal of \(d1):\(d0)")
                // (u2, u1) must stay below (d1, d0): take the top just below, and random ones.
                var tops: [(UInt64, UInt64)] = [(d1, d0 &- 1), (d1 - 1, .max), (0, 0), (d1 >> 1, d0)]
                if d0 == 0 { tops[0] = (d1 - 1, .max) }
                for _ in 0..<6 { tops.append((g.rng.next() % d1, g.rng.next())) }
                for (u2, u1) in tops {
                    for u0 in anyLimbs(&g, random: 3) {
                        let n = BigUInt(u2) << 128 | BigUInt(u1) << 64 | BigUInt(u0)
                        let q = UInt256._quotient3by2(u2, u1, u0, d1, d0, v)
                        XCTAssertEqual(BigUInt(q), n / d, "\(u2):\(u1):\(u0) / \(d1):\(d0)")
                    }
                }
            }
        }
    }
}
#endif
