import EVMPrimitives
import Keccak
import XCTest

final class KeccakTests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String { Keccak256.hash(bytes).description }

    func testEmpty() {
        XCTAssertEqual(hex([]), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        XCTAssertEqual(Keccak256.emptyHash, Keccak256.hash([]))
    }

    func testAbc() {
        XCTAssertEqual(hex(Array("abc".utf8)), "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    func testMillionA() {
        // One million 'a' (the long message of the Keccak known-answer set).
        XCTAssertEqual(hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "0xfadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96")
    }

    /// Lengths around the 136-byte rate: 135 puts both padding bits in one byte (0x81), 136 needs a
    /// whole extra padding block, 137 spills one byte into the second block. Message byte i = i.
    /// Expected values from a separate reference-style sponge that reproduces hashlib's SHA3-256
    /// when given SHA-3's 0x06 domain byte.
    func testLengthsAroundRate() {
        let expected = [
            135: "0xcbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62",
            136: "0x7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e",
            137: "0xac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db",
        ]
        for (n, digest) in expected {
            XCTAssertEqual(hex((0..<n).map { UInt8(truncatingIfNeeded: $0) }), digest, "length \(n)")
        }
    }

    func testRawBufferAndSliceAgree() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let whole = Keccak256.hash(Array(bytes[5..<290]))
        XCTAssertEqual(Keccak256.hash(bytes[5..<290]), whole)
        bytes.withUnsafeBytes { raw in
            XCTAssertEqual(Keccak256.hash(UnsafeRawBufferPointer(rebasing: raw[5..<290])), whole)
        }
    }
}
