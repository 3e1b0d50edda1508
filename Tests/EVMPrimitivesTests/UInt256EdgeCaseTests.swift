import EVMPrimitives
import XCTest

/// Hand-written known answers from the Yellow Paper (appendix H) and EIP-145, independent of any oracle.
final class UInt256EdgeCaseTests: XCTestCase {
    private func h(_ s: String) -> UInt256 {
        do { return try UInt256(hex: s) } catch { XCTFail("bad test hex \(s): \(error)"); return .zero }
    }

    private let minusOne = UInt256.max
    private let minSigned = UInt256.one << 255 // -2^255
    private let maxSigned = (UInt256.one << 255) &- .one // 2^255 - 1

    func testArithmeticWraps() {
        XCTAssertEqual(UInt256.max &+ .one, .zero)
        XCTAssertEqual(UInt256.zero &- .one, .max)
        XCTAssertEqual(UInt256.max &* .max, .one) // (-1) * (-1)
        XCTAssertEqual(minSigned &* UInt256(2), .zero)
        XCTAssertTrue(UInt256.max.addingReportingOverflow(.one).overflow)
        XCTAssertFalse(UInt256.max.addingReportingOverflow(.zero).overflow)
        XCTAssertTrue(UInt256.zero.subtractingReportingOverflow(.one).overflow)
        let (high, low) = UInt256.max.multipliedFullWidth(by: .max) // (2^256-1)^2 = 2^512 - 2^257 + 1
        XCTAssertEqual(high, UInt256.max &- .one)
        XCTAssertEqual(low, .one)
        XCTAssertEqual(UInt256.zero.negated, .zero)
        XCTAssertEqual(minSigned.negated, minSigned)
        XCTAssertEqual(UInt256(5).negated, h("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffb"))
        // Carries crossing every word boundary.
        XCTAssertEqual(h("0xffffffffffffffffffffffffffffffffffffffffffffffff") &+ .one,
                       h("0x1000000000000000000000000000000000000000000000000"))
        XCTAssertEqual(h("0x10000000000000000") &* h("0x10000000000000000"), h("0x100000000000000000000000000000000"))
    }

    func testDivisionYellowPaper() {
        XCTAssertEqual(UInt256(10).evmDiv(.zero), .zero) // DIV by zero is 0
        XCTAssertEqual(UInt256(10).evmMod(.zero), .zero)
        XCTAssertEqual(UInt256(10).evmDiv(UInt256(3)), UInt256(3))
        XCTAssertEqual(UInt256(10).evmMod(UInt256(3)), UInt256(1))
        XCTAssertEqual(UInt256.max.evmDiv(.max), .one)
        XCTAssertEqual(UInt256.max.evmMod(UInt256(1) << 128), h("0xffffffffffffffffffffffffffffffff"))
        // SDIV: the one overflowing case, -2^255 / -1 = -2^255.
        XCTAssertEqual(minSigned.evmSDiv(minusOne), minSigned)
        XCTAssertEqual(minSigned.evmSDiv(.zero), .zero)
        XCTAssertEqual(UInt256(10).negated.evmSDiv(UInt256(3)), UInt256(3).negated) // truncates toward zero
        XCTAssertEqual(UInt256(10).evmSDiv(UInt256(3).negated), UInt256(3).negated)
        XCTAssertEqual(UInt256(10).negated.evmSDiv(UInt256(3).negated), UInt256(3))
        XCTAssertEqual(minusOne.evmSDiv(UInt256(2)), .zero) // SDIV(-1, 2) = 0 (EIP-145 rationale)
        XCTAssertEqual(maxSigned.evmSDiv(minusOne), minSigned &+ .one)
        // SMOD takes the dividend's sign.
        XCTAssertEqual(UInt256(10).negated.evmSMod(UInt256(3)), UInt256(1).negated)
        XCTAssertEqual(UInt256(10).evmSMod(UInt256(3).negated), UInt256(1))
        XCTAssertEqual(UInt256(10).negated.evmSMod(UInt256(3).negated), UInt256(1).negated)
        XCTAssertEqual(minSigned.evmSMod(minusOne), .zero)
        XCTAssertEqual(UInt256(7).evmSMod(.zero), .zero)
        XCTAssertEqual(minSigned.evmSMod(UInt256(3)), h("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe")) // -2^255 mod 3 = -2
    }

    func testAddModMulMod() {
        XCTAssertEqual(UInt256(10).addMod(UInt256(10), UInt256(8)), UInt256(4))
        XCTAssertEqual(UInt256(10).addMod(UInt256(10), .zero), .zero)
        XCTAssertEqual(UInt256(10).mulMod(UInt256(10), .zero), .zero)
        XCTAssertEqual(UInt256(10).mulMod(UInt256(10), UInt256(8)), UInt256(4))
        // The sum needs 257 bits: (2^256 - 1) + 1 = 2^256 = 1 mod (2^256 - 1).
        XCTAssertEqual(UInt256.max.addMod(.one, .max), .one)
        // 2 * (2^256 - 1) mod (2^256 - 2) = 2^257 - 2 - (2^256 - 2)*2 = 2.
        XCTAssertEqual(UInt256.max.addMod(.max, UInt256.max &- .one), UInt256(2))
        XCTAssertEqual(UInt256.max.addMod(.max, UInt256(2)), .zero)
        XCTAssertEqual(UInt256.max.addMod(UInt256(2), UInt256(10)), UInt256(7)) // 2^256+1 mod 10, 2^256 = 6 mod 10
        // The product needs 512 bits.
        XCTAssertEqual(UInt256.max.mulMod(.max, .max), .zero)
        XCTAssertEqual(UInt256.max.mulMod(.max, UInt256(12)), UInt256(9)) // 2^256 - 1 = 3 mod 12
        XCTAssertEqual(UInt256.max.mulMod(UInt256.max, UInt256.max &- .one), .one) // (-1 mod m)... (1)^2
        // secp256k1's p: (p - 1)^2 mod p = 1.
        let p = h("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
        XCTAssertEqual((p &- .one).mulMod(p &- .one, p), .one)
        XCTAssertEqual((p &- .one).addMod(UInt256(2), p), .one)
    }

    func testExp() {
        XCTAssertEqual(UInt256.zero.exp(.zero), .one) // 0^0 = 1 in the EVM
        XCTAssertEqual(UInt256.zero.exp(UInt256(5)), .zero)
        XCTAssertEqual(UInt256(2).exp(UInt256(255)), minSigned)
        XCTAssertEqual(UInt256(2).exp(UInt256(256)), .zero)
        XCTAssertEqual(UInt256(2).exp(.max), .zero)
        XCTAssertEqual(UInt256(3).exp(UInt256(5)), UInt256(243))
        XCTAssertEqual(minusOne.exp(.max), minusOne) // (-1)^odd
        XCTAssertEqual(minusOne.exp(UInt256.max &- .one), .one)
        XCTAssertEqual(UInt256(10).exp(UInt256(18)), UInt256(1_000_000_000_000_000_000))
        XCTAssertEqual(UInt256(10).exp(UInt256(77)).description, "1" + String(repeating: "0", count: 77))
        // 3^160 (about 2^253.6), computed independently with Python integers.
        XCTAssertEqual(UInt256(3).exp(UInt256(160)).description,
                       "21847450052839212624230656502990235142567050104912751880812823948662932355201")
    }

    func testSignExtend() {
        XCTAssertEqual(UInt256.zero.signExtend(UInt256(0xff)), .max)
        XCTAssertEqual(UInt256.zero.signExtend(UInt256(0x7f)), UInt256(0x7f))
        XCTAssertEqual(UInt256.zero.signExtend(UInt256(0x1280)), h("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80"))
        XCTAssertEqual(UInt256.one.signExtend(UInt256(0x8000)), h("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8000"))
        XCTAssertEqual(UInt256.one.signExtend(UInt256(0xab7fff)), UInt256(0x7fff))
        XCTAssertEqual(UInt256(30).signExtend(h("0x0080" + String(repeating: "00", count: 30))), h("0xff80" + String(repeating: "00", count: 30)))
        XCTAssertEqual(UInt256(31).signExtend(minSigned), minSigned) // b >= 31: unchanged
        XCTAssertEqual(UInt256(32).signExtend(UInt256(0xff)), UInt256(0xff))
        XCTAssertEqual(UInt256.max.signExtend(UInt256(0xff)), UInt256(0xff))
        XCTAssertEqual((UInt256.one << 64).signExtend(UInt256(0xff)), UInt256(0xff)) // huge b, low word 0
    }

    func testByte() {
        let x = h("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
        for i in 0..<32 { XCTAssertEqual(UInt256(i).byte(x), UInt256(UInt64(i + 1)), "BYTE \(i)") }
        XCTAssertEqual(UInt256(32).byte(x), .zero)
        XCTAssertEqual(UInt256.max.byte(x), .zero)
        XCTAssertEqual((UInt256.one << 64).byte(x), .zero) // huge index whose low word is 0
        XCTAssertEqual(UInt256.zero.byte(minSigned), UInt256(0x80))
        XCTAssertEqual(UInt256(31).byte(UInt256(0xff)), UInt256(0xff))
    }

    /// EIP-145's test cases, in its order (shift, value, expected).
    func testShiftsEIP145() {
        let one = "0x0000000000000000000000000000000000000000000000000000000000000001"
        let high = "0x8000000000000000000000000000000000000000000000000000000000000000"
        let ones = "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        let zero = "0x0000000000000000000000000000000000000000000000000000000000000000"
        let top7f = "0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        let shl: [(String, String, String)] = [
            ("0x00", one, one), ("0x01", one, "0x02"), ("0xff", one, high), ("0x0100", one, zero), ("0x0101", one, zero),
            ("0x00", ones, ones), ("0x01", ones, "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"),
            ("0xff", ones, high), ("0x0100", ones, zero), ("0x01", zero, zero),
            ("0x01", top7f, "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"),
        ]
        let shr: [(String, String, String)] = [
            ("0x00", one, one), ("0x01", one, zero), ("0x01", high, "0x4000000000000000000000000000000000000000000000000000000000000000"),
            ("0xff", high, one), ("0x0100", high, zero), ("0x0101", high, zero), ("0x00", ones, ones),
            ("0x01", ones, top7f), ("0xff", ones, one), ("0x0100", ones, zero), ("0x01", zero, zero),
        ]
        let sar: [(String, String, String)] = [
            ("0x00", one, one), ("0x01", one, zero), ("0x01", high, "0xc000000000000000000000000000000000000000000000000000000000000000"),
            ("0xff", high, ones), ("0x0100", high, ones), ("0x0101", high, ones), ("0x00", ones, ones),
            ("0x01", ones, ones), ("0xff", ones, ones), ("0x0100", ones, ones), ("0x01", zero, zero),
            ("0xfe", "0x4000000000000000000000000000000000000000000000000000000000000000", one),
            ("0xf8", top7f, "0x7f"), ("0xfe", top7f, one), ("0xff", top7f, zero), ("0x0100", top7f, zero),
        ]
        for (i, c) in shl.enumerated() { XCTAssertEqual(h(c.0).shl(h(c.1)), h(c.2), "SHL case \(i + 1)") }
        for (i, c) in shr.enumerated() { XCTAssertEqual(h(c.0).shr(h(c.1)), h(c.2), "SHR case \(i + 1)") }
        for (i, c) in sar.enumerated() { XCTAssertEqual(h(c.0).sar(h(c.1)), h(c.2), "SAR case \(i + 1)") }
        // A shift amount whose low word is small but whose high words are not is still >= 256.
        let huge = UInt256(w0: 1, w1: 0, w2: 0, w3: 1)
        XCTAssertEqual(huge.shl(.one), .zero)
        XCTAssertEqual(huge.shr(.max), .zero)
        XCTAssertEqual(huge.sar(.max), .max)
        XCTAssertEqual(huge.sar(maxSigned), .zero)
    }

    func testIntShifts() {
        XCTAssertEqual(UInt256.one << 0, .one)
        XCTAssertEqual(UInt256.one << 64, UInt256(w0: 0, w1: 1, w2: 0, w3: 0))
        XCTAssertEqual(UInt256.one << 255, minSigned)
        XCTAssertEqual(UInt256.one << 256, .zero)
        XCTAssertEqual(UInt256.max >> 255, .one)
        XCTAssertEqual(UInt256.max >> 256, .zero)
        XCTAssertEqual(UInt256.max >> Int.max, .zero)
        XCTAssertEqual(UInt256.max << Int.min, .zero)
        XCTAssertEqual(UInt256(w0: 0, w1: 0, w2: 0, w3: 0x8000_0000_0000_0001) >> 191,
                       UInt256(w0: 2, w1: 1, w2: 0, w3: 0))
    }

    func testComparisons() {
        XCTAssertTrue(UInt256.zero < .one)
        XCTAssertTrue(UInt256(w0: .max, w1: .max, w2: .max, w3: 0) < UInt256(w0: 0, w1: 0, w2: 0, w3: 1))
        XCTAssertFalse(UInt256.max < .max)
        // SLT: -1 < 0 < 1, -2^255 is the least value and 2^255 - 1 the greatest.
        XCTAssertTrue(minusOne.signedLessThan(.zero))
        XCTAssertFalse(UInt256.zero.signedLessThan(minusOne))
        XCTAssertTrue(minSigned.signedLessThan(maxSigned))
        XCTAssertTrue(minSigned.signedLessThan(minusOne))
        XCTAssertFalse(maxSigned.signedLessThan(minSigned))
        XCTAssertFalse(minusOne.signedLessThan(minusOne))
        XCTAssertTrue(minSigned.isNegative)
        XCTAssertFalse(maxSigned.isNegative)
    }

    func testBitCounts() {
        XCTAssertEqual(UInt256.zero.leadingZeroBitCount, 256)
        XCTAssertEqual(UInt256.zero.trailingZeroBitCount, 256)
        XCTAssertEqual(UInt256.zero.significantBits, 0)
        XCTAssertEqual(UInt256.zero.byteCount, 0)
        XCTAssertEqual(UInt256.one.byteCount, 1)
        XCTAssertEqual(UInt256(256).byteCount, 2)
        XCTAssertEqual(UInt256.max.byteCount, 32)
        XCTAssertEqual(minSigned.leadingZeroBitCount, 0)
        XCTAssertEqual(minSigned.trailingZeroBitCount, 255)
        XCTAssertEqual((UInt256.one << 100).significantBits, 101)
    }

    func testLiteralsAndInit() {
        let a: UInt256 = 42
        XCTAssertEqual(a, UInt256(w0: 42, w1: 0, w2: 0, w3: 0))
        XCTAssertEqual(UInt256(Int(7)), UInt256(7 as UInt64))
        XCTAssertEqual(UInt256(Int.max).u64, UInt64(Int.max))
        XCTAssertNil((UInt256.one << 64).u64)
        XCTAssertEqual(UInt256.max.u64, nil)
        XCTAssertEqual(UInt256(UInt64.max).u64, .max)
    }

    func testTextForms() throws {
        XCTAssertEqual(UInt256.zero.hexString, "0x0")
        XCTAssertEqual(UInt256(15).hexString, "0xf")
        XCTAssertEqual(UInt256(0x1234).hexString, "0x1234")
        XCTAssertEqual(UInt256.max.hexString, "0x" + String(repeating: "f", count: 64))
        XCTAssertEqual((UInt256.one << 64).hexString, "0x10000000000000000")
        XCTAssertEqual(UInt256.zero.description, "0")
        XCTAssertEqual(UInt256.max.description, "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        XCTAssertEqual(minSigned.description, "57896044618658097711785492504343953926634992332820282019728792003956564819968")
        XCTAssertEqual(UInt256(w0: 0, w1: 1, w2: 0, w3: 0).description, "18446744073709551616")
        XCTAssertEqual(UInt256(10).exp(UInt256(19)).description, "10000000000000000000") // one 10^19 chunk
        XCTAssertEqual(UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639935"), .max)
        XCTAssertNil(UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936")) // 2^256
        XCTAssertNil(UInt256(decimal: "1157920892373161954235709850086879078532699846656405640394575840079131296399350"))
        XCTAssertNil(UInt256(decimal: ""))
        XCTAssertNil(UInt256(decimal: "-1"))
        XCTAssertNil(UInt256(decimal: "12a"))
        XCTAssertNil(UInt256(decimal: "0x10"))
        XCTAssertEqual(UInt256(decimal: "000123"), UInt256(123))

        XCTAssertEqual(try UInt256(hex: "0x"), .zero)
        XCTAssertEqual(try UInt256(hex: ""), .zero)
        XCTAssertEqual(try UInt256(hex: "0x0"), .zero)
        XCTAssertEqual(try UInt256(hex: "0xabc"), UInt256(0xabc)) // odd digit count
        XCTAssertEqual(try UInt256(hex: "0XABC"), UInt256(0xabc))
        XCTAssertEqual(try UInt256(hex: "ff"), UInt256(0xff))
        XCTAssertEqual(try UInt256(hex: "0x" + String(repeating: "f", count: 64)), .max)
        XCTAssertEqual(try UInt256(hex: "0x" + String(repeating: "0", count: 63) + "1"), .one)
        XCTAssertThrowsError(try UInt256(hex: "0x1" + String(repeating: "0", count: 64))) { error in
            XCTAssertEqual(error as? HexError, .tooLong(max: 32, got: 33, "0x1" + String(repeating: "0", count: 64)))
        }
        XCTAssertThrowsError(try UInt256(hex: "0xg1")) { error in
            XCTAssertEqual(error as? HexError, .invalidCharacter("0xg1"))
        }
        XCTAssertThrowsError(try UInt256(hex: "0x 1"))
        XCTAssertThrowsError(try UInt256(hex: "x1"))
    }

    func testBytes() {
        XCTAssertEqual(UInt256.zero.minimalBigEndianBytes, [])
        XCTAssertEqual(UInt256(0x0100).minimalBigEndianBytes, [0x01, 0x00])
        XCTAssertEqual(UInt256.zero.bigEndianBytes, [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(UInt256.one.bigEndianBytes, [UInt8](repeating: 0, count: 31) + [1])
        XCTAssertEqual(minSigned.bigEndianBytes, [0x80] + [UInt8](repeating: 0, count: 31))
        XCTAssertEqual(UInt256(bigEndianBytes: [UInt8]()), .zero)
        XCTAssertEqual(UInt256(bigEndianBytes: [0x12, 0x34]), UInt256(0x1234))
        XCTAssertEqual(UInt256(bigEndianBytes: [UInt8](repeating: 0xff, count: 32)), .max)
        XCTAssertEqual(UInt256(bigEndianBytes: ([0x01] + [UInt8](repeating: 0, count: 8))[1...]), .zero) // a slice
        let bytes: [UInt8] = Array(1...32)
        let v = UInt256(bigEndianBytes: bytes)
        XCTAssertEqual(v.w3, 0x0102_0304_0506_0708)
        XCTAssertEqual(v.w0, 0x191a_1b1c_1d1e_1f20)
        XCTAssertEqual(bytes.withUnsafeBytes { UInt256(bigEndian: UnsafeRawBufferPointer(rebasing: $0[0..<3])) }, UInt256(0x010203))
        XCTAssertEqual(bytes.withUnsafeBytes { UInt256(bigEndian: UnsafeRawBufferPointer(rebasing: $0[0..<0])) }, .zero)
    }
}
