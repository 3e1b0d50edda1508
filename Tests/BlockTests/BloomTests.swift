import EVMInterpreter
import EVMPrimitives
import Execution
import Keccak
import XCTest

final class BloomTests: XCTestCase {
    /// The filter as the Yellow Paper (4.3.1) defines it, from byte arrays: for each of the first three
    /// big-endian 16-bit pairs of keccak256(data), bit (pair mod 2048) counted from the filter's end.
    static func referenceBloom(_ items: [[UInt8]]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 256)
        for data in items {
            let h = Keccak256.hash(data).bytes
            for i in stride(from: 0, to: 6, by: 2) {
                let bit = (Int(h[i]) << 8 | Int(h[i + 1])) & 2047
                bytes[255 - bit / 8] |= 1 << UInt8(bit % 8)
            }
        }
        return bytes
    }

    func testLogAddEqualsAddingTheAddressAndTopicBytes() {
        var rng = SplitMix64(seed: 0xB100)
        for topicCount in 0...4 {
            for _ in 0..<20 {
                let address = Address(a: rng.next(), b: rng.next(), c: UInt32(truncatingIfNeeded: rng.next()))
                let topics = (0..<topicCount).map { _ in Hash32(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next()) }
                let log = Log(address: address, topics: topics, data: [1, 2, 3])
                var fromLog = Bloom()
                fromLog.add(log)
                var fromBytes = Bloom()
                fromBytes.add(address.bytes)
                for t in topics { fromBytes.add(t.bytes) }
                XCTAssertEqual(fromLog, fromBytes)
                XCTAssertEqual(fromLog.bytes, Self.referenceBloom([address.bytes] + topics.map(\.bytes)))
                var typed = Bloom()
                typed.add(address)
                for t in topics { typed.add(t) }
                XCTAssertEqual(typed, fromBytes)
            }
        }
    }

    /// A known filter: address 0x0000...0001 sets the bits of keccak256(19 zero bytes and 0x01).
    func testKnownAddressBits() {
        var bloom = Bloom()
        bloom.add(Address(a: 0, b: 0, c: 1))
        XCTAssertEqual(bloom.bytes, Self.referenceBloom([[UInt8](repeating: 0, count: 19) + [1]]))
        // keccak256 of those bytes starts 0x1468_2880_5631 (pycryptodome): bits 0x1468 & 2047 = 1128,
        // 0x2880 & 2047 = 128 and 0x5631 & 2047 = 1585.
        var expected = [UInt8](repeating: 0, count: 256)
        for bit in [128, 1128, 1585] { expected[255 - bit / 8] |= 1 << UInt8(bit % 8) }
        XCTAssertEqual(bloom.bytes, expected)
    }
}
