import EVMPrimitives
import Foundation
import RLP
import XCTest

final class RLPTests: XCTestCase {
    /// The item a test's "in" field describes: strings are their bytes, "#123" a big integer,
    /// JSON numbers integers, arrays lists.
    func item(_ json: Any) throws -> RLPItem {
        if let s = json as? String {
            if s.hasPrefix("#") { return .bytes(decimalBytes(s.dropFirst())) }
            return .bytes(Array(s.utf8))
        }
        if let list = json as? [Any] { return .list(try list.map(item)) }
        if let n = json as? NSNumber { return .uint(n.uint64Value) }
        throw VectorError("unexpected JSON value \(json)")
    }

    struct VectorError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// ethereum/tests RLPTests: valid cases encode to "out" and decode back; "INVALID" cases must
    /// be rejected by the decoder; "VALID" cases must decode and re-encode to the same bytes.
    func testEthereumVectors() throws {
        var valid = 0, invalid = 0, roundTrip = 0
        for path in try SharedVectors.files("RLPTests") {
            var cases = 0
            for (name, value) in try SharedVectors.json(path) {
                guard let test = value as? [String: Any], let outHex = test["out"] as? String, let input = test["in"] else {
                    XCTFail("\(path) \(name): missing in/out"); continue
                }
                let out = try Hex.decode(outHex)
                cases += 1
                if let s = input as? String, s == "INVALID" {
                    XCTAssertThrowsError(try RLP.decode(out), "\(name) must be rejected")
                    invalid += 1
                } else if let s = input as? String, s == "VALID" {
                    let decoded = try RLP.decode(out)
                    XCTAssertEqual(RLP.encode(decoded), out, name)
                    roundTrip += 1
                } else {
                    let expected = try item(input)
                    XCTAssertEqual(RLP.encode(expected), out, "\(name) encode")
                    XCTAssertEqual(try RLP.decode(out), expected, "\(name) decode")
                    var w = RLPWriter()
                    w.appendItem(expected)
                    XCTAssertEqual(w.bytes, out, "\(name) writer")
                    valid += 1
                }
            }
            XCTAssertGreaterThan(cases, 0, "\(path) yielded no cases")
        }
        print("RLPTests: \(valid) encode+decode, \(invalid) invalid rejected, \(roundTrip) round trips")
        XCTAssertGreaterThan(valid, 0)
        XCTAssertGreaterThan(invalid, 0)
    }

    func testWriterScalars() {
        func enc(_ body: (inout RLPWriter) -> Void) -> [UInt8] {
            var w = RLPWriter()
            body(&w)
            return w.bytes
        }
        XCTAssertEqual(enc { $0.appendUInt(0) }, [0x80])
        XCTAssertEqual(enc { $0.appendUInt(0x7f) }, [0x7f])
        XCTAssertEqual(enc { $0.appendUInt(0x80) }, [0x81, 0x80])
        XCTAssertEqual(enc { $0.appendUInt(0x0400) }, [0x82, 0x04, 0x00])
        XCTAssertEqual(enc { $0.appendUInt(.max) }, [0x88] + [UInt8](repeating: 0xff, count: 8))
        XCTAssertEqual(enc { $0.appendUInt256(UInt256(w0: 5, w1: 0, w2: 0, w3: 0)) }, [0x05])
        XCTAssertEqual(enc { $0.appendUInt256(UInt256(w0: 0, w1: 1, w2: 0, w3: 0)) },
                       [0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(enc { $0.appendUInt256(UInt256(w0: 0x1122, w1: 0, w2: 0, w3: 0x0100)) },
                       [0x9a, 0x01, 0x00] + [UInt8](repeating: 0, count: 16) + [0, 0, 0, 0, 0, 0, 0x11, 0x22])
        XCTAssertEqual(enc { $0.appendBytes([UInt8]()) }, [0x80])
        XCTAssertEqual(enc { $0.appendBytes([0x00]) }, [0x00])
        XCTAssertEqual(enc { $0.appendBytes([0x80]) }, [0x81, 0x80])
        XCTAssertEqual(enc { $0.appendHash(Hash32(w0: 1, w1: 2, w2: 3, w3: 4)) }, [0xa0] + Hash32(w0: 1, w1: 2, w2: 3, w3: 4).bytes)
        let a = Address(a: 0x0102030405060708, b: 0x090a0b0c0d0e0f10, c: 0x11121314)
        XCTAssertEqual(enc { $0.appendAddress(a) }, [0x94] + a.bytes)
        XCTAssertEqual(enc { w in w.appendList { _ in } }, RLP.emptyListEncoding)
    }

    /// Lists crossing the 55/56-byte boundary, where the prefix widens in place.
    func testWriterListLengths() throws {
        for n in [0, 1, 54, 55, 56, 57, 255, 256, 70_000] {
            var w = RLPWriter()
            w.appendRaw([0xaa])  // something before the list, so its offset is not zero
            w.appendList { l in
                l.appendList { inner in
                    for _ in 0..<n { inner.appendUInt(1) }
                }
                l.appendUInt(0x1234)
            }
            let expectedItem = RLPItem.list([.list(Array(repeating: .uint(1), count: n)), .uint(0x1234)])
            XCTAssertEqual(Array(w.bytes.dropFirst()), RLP.encode(expectedItem), "n = \(n)")
            XCTAssertEqual(try RLP.decode(Array(w.bytes.dropFirst())), expectedItem, "n = \(n)")
        }
    }

    func testErrorsSayWhatAndWhere() {
        XCTAssertThrowsError(try RLP.decode([0xc2, 0x01, 0x02, 0x03])) { error in
            XCTAssertEqual(error as? RLPError, .trailingBytes(offset: 3, count: 1))
            XCTAssertTrue("\(error)".contains("offset 3"))
        }
        XCTAssertThrowsError(try RLP.decode([0xc3, 0x82, 0x01])) { error in
            XCTAssertEqual(error as? RLPError, .truncated(offset: 0, needed: 4, available: 3))
        }
        XCTAssertThrowsError(try RLP.decode([0xc2, 0x82, 0x01, 0x02])) { error in
            // The string at offset 1 claims 3 bytes but its list holds only 2 more.
            XCTAssertEqual(error as? RLPError, .truncated(offset: 1, needed: 3, available: 2))
        }
        XCTAssertThrowsError(try RLP.decode([0x81, 0x05])) { error in
            XCTAssertEqual(error as? RLPError, .nonCanonicalSingleByte(offset: 0, byte: 5))
        }
        var deep = RLPItem.list([])
        for _ in 0..<2000 { deep = .list([deep]) }
        XCTAssertThrowsError(try RLP.decode(RLP.encode(deep))) { error in
            guard case .tooDeep = error as? RLPError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try RLPItem.bytes([0x01, 0x00]).uint64(), 256)
        XCTAssertThrowsError(try RLPItem.bytes([0x00, 0x01]).uint64())
        XCTAssertThrowsError(try RLPItem.list([]).uint64())
    }
}
