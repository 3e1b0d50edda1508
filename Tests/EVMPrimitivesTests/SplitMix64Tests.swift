import EVMPrimitives
import XCTest

final class SplitMix64Tests: XCTestCase {
    /// java.util.SplittableRandom's outputs for seed 0 (Steele, Lea and Flood's generator).
    func testKnownAnswers() {
        var r = SplitMix64(seed: 0)
        XCTAssertEqual([r.next(), r.next(), r.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    /// below(n) is the high word of next() * n: in range, and the same draw as the multiply written out.
    func testBelowIsTheHighWordOfTheProduct() {
        var a = SplitMix64(seed: 99), b = SplitMix64(seed: 99)
        for n in [1, 2, 3, 10, 1000, Int.max] {
            let draw = a.below(n)
            XCTAssertEqual(draw, Int((UInt128(b.next()) * UInt128(n)) >> 64))
            XCTAssertTrue((0..<n).contains(draw))
        }
    }
}
