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

    /// The stack overloads (Address, Hash32, UInt256, the CREATE2 preimage) hash exactly the bytes the array forms
    /// would: `address.bytes`, `hash.bytes`, `word.bigEndianBytes`, `0xff ++ sender ++ salt ++ initCodeHash`.
    func testStackOverloadsEqualHashingTheBytes() {
        var seed: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed ^ (seed >> 29)
        }
        var words: [UInt256] = [.zero, .one, .max, UInt256(w0: 0, w1: 0, w2: 0, w3: 1 << 63)]
        for _ in 0..<60 { words.append(UInt256(w0: next(), w1: next(), w2: next(), w3: next())) }
        for w in words {
            XCTAssertEqual(Keccak256.hash(w), Keccak256.hash(w.bigEndianBytes), "\(w)")
            let h = Hash32(w0: w.w3, w1: w.w2, w2: w.w1, w3: w.w0)
            XCTAssertEqual(Keccak256.hash(h), Keccak256.hash(h.bytes))
            let address = Address(truncating: w)
            XCTAssertEqual(Keccak256.hash(address), Keccak256.hash(address.bytes))
            let salt = UInt256(w0: w.w2, w1: w.w0, w2: w.w3, w3: w.w1)
            let preimage = [0xff] + address.bytes + salt.bigEndianBytes + h.bytes
            XCTAssertEqual(preimage.count, 85)
            XCTAssertEqual(Keccak256.create2Address(sender: address, salt: salt, initCodeHash: h),
                           Address(Keccak256.hash(preimage).bytes[12...]))
        }
    }

    /// EIP-1014's examples 0, 1 and 5.
    func testCreate2AddressEIP1014Examples() throws {
        func create2(_ sender: String, _ salt: String, _ initCode: [UInt8]) throws -> Address {
            Keccak256.create2Address(sender: try Address(hex: sender),
                                     salt: UInt256(bigEndianBytes: try Hash32(hex: salt).bytes),
                                     initCodeHash: Keccak256.hash(initCode))
        }
        let zeroSalt = "0x0000000000000000000000000000000000000000000000000000000000000000"
        XCTAssertEqual(try create2("0x0000000000000000000000000000000000000000", zeroSalt, [0x00]),
                       try Address(hex: "0x4d1a2e2bb4f88f0250f26ffff098b0b30b26bf38"))
        XCTAssertEqual(try create2("0xdeadbeef00000000000000000000000000000000", zeroSalt, [0x00]),
                       try Address(hex: "0xb928f69bb1d91cd65274e3c79d8986362984fda3"))
        XCTAssertEqual(try create2("0x00000000000000000000000000000000deadbeef",
                                   "0x00000000000000000000000000000000000000000000000000000000cafebabe",
                                   Array(repeating: [0xde, 0xad, 0xbe, 0xef], count: 11).flatMap { $0 }),
                       try Address(hex: "0x1d8bfdc5d46dc4f61d6b6115972536ebe6a8854c"))
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

    /// Lengths on both sides of lane (8 bytes) and block (136 bytes) boundaries, one and two blocks, and a
    /// long input. Message byte i = i mod 256. Expected values from pycryptodome's Keccak-256
    /// (`Crypto.Hash.keccak.new(digest_bits=256, data=m).hexdigest()`).
    func testKnownAnswersAcrossLaneAndBlockBoundaries() {
        let expected = [
            0: "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
            1: "0xbc36789e7a1e281436464229828f817d6612f7b477d66591ff96a9e064bcc98a",
            31: "0x3e50547cf72e8583ee91462f9d99fe624f53282f78e1a5ec2347b1d0123d0d9b",
            32: "0x8ae1aa597fa146ebd3aa2ceddf360668dea5e526567e92b0321816a4e895bd2d",
            33: "0xf08683775f4a25dfef721c487073fb77026d45ac57e423424290e47af9fd2835",
            135: "0xcbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62",
            136: "0x7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e",
            137: "0xac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db",
            271: "0x7c974895b2a88303ff2dc6b58f438ceb0b298cac91099ac0539cc0f477506191",
            272: "0xfdf2ec49e749960d3c8521a0219af8d03e30e2b3bf19bd16150ee0eaf133d66e",
            1000: "0xaca79e4146e30eb1c733f6d6060d72471c36ea4e01ebf45d7f4916249c2bbd82",
        ]
        for (n, digest) in expected.sorted(by: { $0.key < $1.key }) {
            let message = (0..<n).map { UInt8(truncatingIfNeeded: $0) }
            XCTAssertEqual(hex(message), digest, "length \(n)")
            // The same bytes at an odd address, so every lane load is unaligned.
            let shifted = [0xAA] + message
            shifted.withUnsafeBytes { raw in
                XCTAssertEqual(Keccak256.hash(UnsafeRawBufferPointer(rebasing: raw[1...])).description, digest,
                               "length \(n), unaligned")
            }
        }
    }

    /// Every length from 0 to 300 against a byte-at-a-time sponge written from the specification (its own
    /// Keccak-f over a 5x5 array with the round constants generated by the LFSR), so that the unrolled
    /// permutation and the in-place padding are checked at every partial-lane length.
    func testEveryLengthAgainstReferenceSponge() {
        for n in 0...300 {
            let message = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            XCTAssertEqual(Keccak256.hash(message).bytes, ReferenceKeccak.hash(message), "length \(n)")
        }
    }

    func testAddressAndHashOverloadsHashTheirBytes() {
        let address = Address(a: 0x0102_0304_0506_0708, b: 0x090A_0B0C_0D0E_0F10, c: 0x1112_1314)
        XCTAssertEqual(Keccak256.hash(address), Keccak256.hash(address.bytes))
        XCTAssertEqual(Keccak256.hash(Address.zero), Keccak256.hash([UInt8](repeating: 0, count: 20)))
        let word = Hash32(w0: 0xF1E2_D3C4_B5A6_9788, w1: 0x7766_5544_3322_1100, w2: 0x0123_4567_89AB_CDEF,
                          w3: 0xFEDC_BA98_7654_3210)
        XCTAssertEqual(Keccak256.hash(word), Keccak256.hash(word.bytes))
        XCTAssertEqual(Keccak256.hash(Hash32.zero), Keccak256.hash([UInt8](repeating: 0, count: 32)))
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

/// Keccak-256 straight from the specification: the state as a 5x5 array of lanes A[x][y], the five steps
/// as written in the Keccak reference (section 1.2), round constants from the LFSR rc(t), and the sponge
/// absorbing one byte at a time. Slow and independent of `Keccak256`.
enum ReferenceKeccak {
    /// rc(t): the LFSR with R[i] as bit i, starting from R = 1; each step shifts R up one bit and folds
    /// bit 8 back into bits 0, 4, 5 and 6.
    static func rc(_ t: Int) -> Bool {
        if t % 255 == 0 { return true }
        var r: UInt16 = 0x01
        for _ in 1...(t % 255) {
            r <<= 1
            if r & 0x100 != 0 { r ^= 0x171 }
        }
        return r & 0x01 != 0
    }

    static func rot(_ v: UInt64, _ n: Int) -> UInt64 { n % 64 == 0 ? v : (v << UInt64(n % 64)) | (v >> UInt64(64 - n % 64)) }

    static func f(_ a: inout [[UInt64]]) {
        for round in 0..<24 {
            var c = [UInt64](repeating: 0, count: 5)
            for x in 0..<5 { c[x] = a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rot(c[(x + 1) % 5], 1)
                for y in 0..<5 { a[x][y] ^= d }
            }
            // rho and pi: lane (x, y) rotated by (t + 1)(t + 2) / 2, where t is its step on the walk
            // (x, y) -> (y, 2x + 3y) from (1, 0), lands at (y, 2x + 3y); lane (0, 0) stays.
            var p = [[UInt64]](repeating: [UInt64](repeating: 0, count: 5), count: 5)
            p[0][0] = a[0][0]
            var (x, y) = (1, 0)
            for t in 0..<24 {
                p[y][(2 * x + 3 * y) % 5] = rot(a[x][y], (t + 1) * (t + 2) / 2)
                (x, y) = (y, (2 * x + 3 * y) % 5)
            }
            for x in 0..<5 {
                for y in 0..<5 { a[x][y] = p[x][y] ^ (~p[(x + 1) % 5][y] & p[(x + 2) % 5][y]) }
            }
            var constant: UInt64 = 0
            for j in 0...6 where rc(j + 7 * round) { constant |= 1 << UInt64((1 << j) - 1) }
            a[0][0] ^= constant
        }
    }

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var a = [[UInt64]](repeating: [UInt64](repeating: 0, count: 5), count: 5)
        var padded = message + [0x01]
        while padded.count % 136 != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        for blockStart in stride(from: 0, to: padded.count, by: 136) {
            for i in 0..<136 {
                let lane = i / 8
                a[lane % 5][lane / 5] ^= UInt64(padded[blockStart + i]) << UInt64(8 * (i % 8))
            }
            f(&a)
        }
        var out: [UInt8] = []
        for i in 0..<32 {
            let lane = i / 8
            out.append(UInt8(truncatingIfNeeded: a[lane % 5][lane / 5] >> UInt64(8 * (i % 8))))
        }
        return out
    }
}
