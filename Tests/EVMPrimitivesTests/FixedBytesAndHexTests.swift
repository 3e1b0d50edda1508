import BigInt
import EVMPrimitives
import Foundation
import XCTest

final class HexTests: XCTestCase {
    func testDecode() throws {
        XCTAssertEqual(try Hex.decode("0x"), [])
        XCTAssertEqual(try Hex.decode(""), [])
        XCTAssertEqual(try Hex.decode("0x00ff10"), [0x00, 0xff, 0x10])
        XCTAssertEqual(try Hex.decode("00FF10"), [0x00, 0xff, 0x10])
        XCTAssertEqual(try Hex.decode("0XaBc"), [0x0a, 0xbc]) // odd count: left-padded
        XCTAssertEqual(try Hex.decode("0x1"), [0x01])
    }

    func testDecodeErrors() {
        XCTAssertThrowsError(try Hex.decode("0xzz")) { XCTAssertEqual($0 as? HexError, .invalidCharacter("0xzz")) }
        XCTAssertThrowsError(try Hex.decode("0x0g")) { XCTAssertEqual($0 as? HexError, .invalidCharacter("0x0g")) }
        XCTAssertThrowsError(try Hex.decode("0xg")) { XCTAssertEqual($0 as? HexError, .invalidCharacter("0xg")) }
        XCTAssertThrowsError(try Hex.decode("0x12 ")) // a trailing space is not hex
        XCTAssertThrowsError(try Hex.decode("0x1234", exactly: 3)) {
            XCTAssertEqual($0 as? HexError, .wrongLength(expected: 3, got: 2, "0x1234"))
        }
        XCTAssertEqual(try Hex.decode("0x123456", exactly: 3), [0x12, 0x34, 0x56])
        // The messages say what was expected and what was got.
        XCTAssertEqual(HexError.wrongLength(expected: 20, got: 2, "0x1234").description,
                       "expected 20 bytes of hex, got 2 in \"0x1234\"")
        let long = "0x" + String(repeating: "a", count: 100)
        XCTAssertTrue(HexError.invalidCharacter(long).description.hasSuffix("...\""))
    }

    func testEncode() {
        XCTAssertEqual(Hex.encode([UInt8]()), "0x")
        XCTAssertEqual(Hex.encode([0x00, 0xab, 0xff]), "0x00abff")
        XCTAssertEqual(Hex.encode([0x00, 0xab, 0xff], prefix: false), "00abff")
        var gen = ValueGenerator(salt: 100)
        for _ in 0..<500 {
            let bytes = (0..<gen.int(40)).map { _ in UInt8(truncatingIfNeeded: gen.rng.next()) }
            XCTAssertEqual(try Hex.decode(Hex.encode(bytes)), bytes)
        }
    }
}

final class AddressTests: XCTestCase {
    let hex = "0x0123456789abcdef0123456789abcdeffedcba98"

    func testParseAndPrint() throws {
        let a = try Address(hex: hex)
        XCTAssertEqual(a.description, hex)
        XCTAssertEqual(a.bytes, try Hex.decode(hex))
        XCTAssertEqual(a.a, 0x0123_4567_89ab_cdef)
        XCTAssertEqual(a.b, 0x0123_4567_89ab_cdef)
        XCTAssertEqual(a.c, 0xfedc_ba98)
        XCTAssertEqual(Address(a.bytes), a)
        XCTAssertEqual(try Address(hex: hex.uppercased().replacingOccurrences(of: "0X", with: "0x")), a)
        XCTAssertEqual(Address.zero.description, "0x" + String(repeating: "0", count: 40))
        XCTAssertThrowsError(try Address(hex: "0x1234")) {
            XCTAssertEqual($0 as? HexError, .wrongLength(expected: 20, got: 2, "0x1234"))
        }
    }

    func testWordRoundTrip() throws {
        let a = try Address(hex: hex)
        XCTAssertEqual(a.word, try UInt256(hex: hex))
        XCTAssertEqual(Address(truncating: a.word), a)
        // Truncation drops the top 12 bytes, as the EVM does for CALL's address operand.
        let dirty = try UInt256(hex: "0xffffffffffffffffffffffff" + hex.dropFirst(2))
        XCTAssertEqual(Address(truncating: dirty), a)
        XCTAssertEqual(Address(truncating: .max).description, "0x" + String(repeating: "f", count: 40))

        var gen = ValueGenerator(salt: 101)
        for _ in 0..<2000 {
            let v = gen.value()
            let addr = Address(truncating: v)
            XCTAssertEqual(addr.word, word(big(v) % (BigUInt(1) << 160)))
            XCTAssertEqual(addr.bytes, Array(v.bigEndianBytes[12...]))
            XCTAssertEqual(Address(truncating: addr.word), addr)
        }
    }

    func testOrderIsByteOrder() {
        var gen = ValueGenerator(salt: 102)
        for _ in 0..<1000 {
            let x = Address(truncating: gen.value()), y = Address(truncating: gen.value())
            XCTAssertEqual(x < y, x.bytes.lexicographicallyPrecedes(y.bytes))
            XCTAssertEqual(x == y, x.bytes == y.bytes)
        }
    }
}

final class Hash32Tests: XCTestCase {
    let hex = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" // keccak256("")

    func testParseAndPrint() throws {
        let h = try Hash32(hex: hex)
        XCTAssertEqual(h.description, hex)
        XCTAssertEqual(h.bytes, try Hex.decode(hex))
        XCTAssertEqual(h.w0, 0xc5d2_4601_86f7_233c)
        XCTAssertEqual(h.w3, 0x7bfa_d804_5d85_a470)
        XCTAssertEqual(Hash32(h.bytes), h)
        XCTAssertThrowsError(try Hash32(hex: "0x" + String(repeating: "00", count: 31))) {
            XCTAssertEqual($0 as? HexError, .wrongLength(expected: 32, got: 31, "0x" + String(repeating: "00", count: 31)))
        }
    }

    func testWordRoundTrip() throws {
        let h = try Hash32(hex: hex)
        XCTAssertEqual(h.word, try UInt256(hex: hex))
        XCTAssertEqual(Hash32(h.word), h)
        var gen = ValueGenerator(salt: 103)
        for _ in 0..<2000 {
            let v = gen.value()
            let hv = Hash32(v)
            XCTAssertEqual(hv.word, v)
            XCTAssertEqual(hv.bytes, v.bigEndianBytes)
            XCTAssertEqual(Hash32(v.bigEndianBytes), hv)
        }
    }

    func testOrderIsByteOrder() {
        var gen = ValueGenerator(salt: 104)
        for _ in 0..<1000 {
            let x = Hash32(gen.value()), y = Hash32(gen.value())
            XCTAssertEqual(x < y, x.bytes.lexicographicallyPrecedes(y.bytes))
        }
    }
}

final class ForkTests: XCTestCase {
    func testNames() {
        for fork in Fork.allCases { XCTAssertEqual(Fork(name: fork.name), fork) }
        XCTAssertEqual(Fork(name: "Merge"), .paris)
        XCTAssertEqual(Fork(name: "cancun"), .cancun)
        XCTAssertNil(Fork(name: "Atlantis"))
        XCTAssertTrue(Fork.shanghai < .cancun)
        XCTAssertTrue(Fork.cancun.isSupported)
    }
}
