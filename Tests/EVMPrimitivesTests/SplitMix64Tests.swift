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

    /// `mix` is the generator's output function: `next()` is `mix` of the advanced state.
    func testMixIsTheOutputFunction() {
        var r = SplitMix64(seed: 7)
        XCTAssertEqual(r.next(), SplitMix64.mix(7 &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// `Address.tableHash` reaches the low bits from every word of the address: addresses that differ in one byte of
    /// `a`, of `b` or of `c` spread over 256 slots (a table indexes by the low bits).
    func testAddressTableHashSpreadsEveryWord() {
        for make in [{ (i: Int) in Address(a: UInt64(i) << 56, b: 0, c: 0) }, { (i: Int) in Address(a: 0, b: UInt64(i) << 56, c: 0) },
                     { (i: Int) in Address(a: 0, b: 0, c: UInt32(i) << 24) }] {
            XCTAssertGreaterThan(Set((0..<256).map { make($0).tableHash & 255 }).count, 140)
        }
        XCTAssertNotEqual(Address(a: 1, b: 0, c: 0).tableHash, Address(a: 0, b: 1, c: 0).tableHash)
    }
}
