import BigInt
import EVMPrimitives
import Foundation
import XCTest

/// Every UInt256 operation against BigInt on seeded random operands (see Oracle.swift for the seed).
final class UInt256PropertyTests: XCTestCase {
    /// Runs `check` on `iterations` generated pairs; `check` returns a failure message or nil.
    private func forAll(salt: UInt64, _ name: String, count: Int = iterations,
                        _ check: (inout ValueGenerator) -> String?) {
        var gen = ValueGenerator(salt: salt)
        var failures = 0
        for i in 0..<count {
            if let message = check(&gen) {
                XCTFail("\(name) case \(i): \(message)")
                failures += 1
                if failures >= 5 { return }
            }
        }
    }

    private func hex(_ x: UInt256) -> String { x.hexString }

    func testAddSubtract() {
        forAll(salt: 1, "add/sub") { g in
            let a = g.value(), b = g.value()
            let sum = big(a) + big(b)
            let (s, o) = a.addingReportingOverflow(b)
            if s != word(sum) || o != (sum >= two256) { return "add \(hex(a)) \(hex(b)) gave \(hex(s)) \(o)" }
            if a &+ b != word(sum) { return "&+ \(hex(a)) \(hex(b))" }
            let diff = BigInt(big(a)) - BigInt(big(b))
            let (d, u) = a.subtractingReportingOverflow(b)
            if d != word(diff) || u != (diff < 0) { return "sub \(hex(a)) \(hex(b)) gave \(hex(d)) \(u)" }
            if a &- b != word(diff) { return "&- \(hex(a)) \(hex(b))" }
            var x = a
            x &+= b
            x &-= b
            if x != a { return "&+= then &-= \(hex(a)) \(hex(b))" }
            if a.negated != word(-BigInt(big(a))) { return "negated \(hex(a))" }
            return nil
        }
    }

    func testMultiply() {
        forAll(salt: 2, "mul") { g in
            let a = g.value(), b = g.value()
            let p = big(a) * big(b)
            let (high, low) = a.multipliedFullWidth(by: b)
            if big(high) != p >> 256 || big(low) != p % two256 {
                return "full width \(hex(a)) * \(hex(b)) gave \(hex(high)) \(hex(low))"
            }
            if a &* b != word(p) { return "&* \(hex(a)) \(hex(b)) gave \(hex(a &* b))" }
            let (v, o) = a.multipliedReportingOverflow(by: b)
            if v != word(p) || o != (p >= two256) { return "reporting overflow \(hex(a)) \(hex(b))" }
            var x = a
            x &*= b
            if x != word(p) { return "&*= \(hex(a)) \(hex(b))" }
            return nil
        }
    }

    /// Divisors shaped like the dividend (same length, near multiples, top limb patterns) reach
    /// Knuth's quotient-correction and add-back steps far more often than independent values.
    private func divisor(for a: UInt256, _ g: inout ValueGenerator) -> UInt256 {
        switch g.int(6) {
        case 0: return a >> g.int(200)
        case 1: return (a >> g.int(130)) &+ UInt256(UInt64(g.int(3)))
        case 2:
            var d = g.value()
            d.w3 = 0
            if g.int(2) == 0 { d.w2 = edgeLimbs[g.int(edgeLimbs.count)] }
            return d
        default: return g.value()
        }
    }

    func testQuotientAndRemainder() {
        forAll(salt: 3, "divmod", count: iterations * 2) { g in
            let a = g.value()
            let d = divisor(for: a, &g)
            if d.isZero {
                if a.evmDiv(d) != .zero || a.evmMod(d) != .zero { return "DIV/MOD by zero of \(hex(a))" }
                return nil
            }
            let (q, r) = a.quotientAndRemainder(dividingBy: d)
            let (bq, br) = big(a).quotientAndRemainder(dividingBy: big(d))
            if big(q) != bq || big(r) != br { return "\(hex(a)) / \(hex(d)) gave \(hex(q)) rem \(hex(r))" }
            if a.evmDiv(d) != q || a.evmMod(d) != r { return "evmDiv/evmMod \(hex(a)) \(hex(d))" }
            return nil
        }
    }

    func testKnuthAddBackVector() {
        // Hacker's Delight's divmnu add-back case, lifted from 32-bit to 64-bit limbs:
        // u = (2^63 - 1, 2^63, 0, 0), v = (2^63, 0, 1) in big-endian limbs; qhat overshoots by one.
        let u = UInt256(w0: 0, w1: 0, w2: 1 << 63, w3: (1 << 63) - 1)
        let v = UInt256(w0: 1, w1: 0, w2: 1 << 63, w3: 0)
        let (q, r) = u.quotientAndRemainder(dividingBy: v)
        XCTAssertEqual(q, UInt256(w0: .max - 1, w1: 0, w2: 0, w3: 0))
        XCTAssertEqual(r, UInt256(w0: 2, w1: .max, w2: (1 << 63) - 1, w3: 0))
        let (bq, br) = big(u).quotientAndRemainder(dividingBy: big(v))
        XCTAssertEqual(big(q), bq)
        XCTAssertEqual(big(r), br)
    }

    func testSignedDivision() {
        forAll(salt: 4, "sdiv/smod") { g in
            let a = g.value(), b = g.value()
            let sa = signedBig(a), sb = signedBig(b)
            let expectedDiv: UInt256
            let expectedMod: UInt256
            if sb == 0 {
                expectedDiv = .zero
                expectedMod = .zero
            } else {
                // Yellow Paper: SDIV = sgn(a/b) * floor(|a / b|), SMOD = sgn(a) * (|a| mod |b|).
                let q = sa.magnitude / sb.magnitude
                let negQ = (sa < 0) != (sb < 0)
                expectedDiv = word(negQ ? -BigInt(q) : BigInt(q))
                let r = sa.magnitude % sb.magnitude
                expectedMod = word(sa < 0 ? -BigInt(r) : BigInt(r))
            }
            if a.evmSDiv(b) != expectedDiv { return "SDIV \(hex(a)) \(hex(b)) gave \(hex(a.evmSDiv(b)))" }
            if a.evmSMod(b) != expectedMod { return "SMOD \(hex(a)) \(hex(b)) gave \(hex(a.evmSMod(b)))" }
            return nil
        }
    }

    func testAddMod() {
        forAll(salt: 5, "addmod") { g in
            let a = g.value(), b = g.value()
            let m = g.int(3) == 0 ? divisor(for: a, &g) : g.value()
            let expected = m.isZero ? UInt256.zero : word((big(a) + big(b)) % big(m))
            let got = a.addMod(b, m)
            return got == expected ? nil : "ADDMOD \(hex(a)) \(hex(b)) \(hex(m)) gave \(hex(got)), want \(hex(expected))"
        }
    }

    func testMulMod() {
        forAll(salt: 6, "mulmod") { g in
            let a = g.value(), b = g.value()
            let m = g.int(3) == 0 ? divisor(for: a, &g) : g.value()
            let expected = m.isZero ? UInt256.zero : word((big(a) * big(b)) % big(m))
            let got = a.mulMod(b, m)
            return got == expected ? nil : "MULMOD \(hex(a)) \(hex(b)) \(hex(m)) gave \(hex(got)), want \(hex(expected))"
        }
    }

    /// self^e mod 2^256 by square-and-multiply in BigUInt, truncating to the low four words.
    private func bigExp(_ a: UInt256, _ e: UInt256) -> BigUInt {
        func low256(_ x: BigUInt) -> BigUInt { BigUInt(words: x.words.prefix(4)) }
        var result = BigUInt(1), base = big(a), rest = big(e)
        while !rest.isZero {
            if rest[bitAt: 0] { result = low256(result * base) }
            rest >>= 1
            if !rest.isZero { base = low256(base * base) }
        }
        return result
    }

    func testExp() {
        forAll(salt: 7, "exp", count: iterations / 2) { g in
            let a = g.value()
            let e: UInt256
            switch g.int(10) {
            case 0..<4: e = UInt256(UInt64(g.int(300)))
            case 4..<7: e = UInt256(g.rng.next()) >> g.int(64)
            default: e = g.value()
            }
            let expected = word(bigExp(a, e))
            let got = a.exp(e)
            return got == expected ? nil : "EXP \(hex(a)) ^ \(hex(e)) gave \(hex(got)), want \(hex(expected))"
        }
    }

    func testExpAgainstModularPower() {
        // BigUInt's own modular power is slow in debug builds: fewer cases, full-width exponents.
        forAll(salt: 14, "exp/power", count: 60) { g in
            let a = g.value(), e = g.random()
            let expected = word(big(a).power(big(e), modulus: two256))
            let got = a.exp(e)
            return got == expected ? nil : "EXP \(hex(a)) ^ \(hex(e)) gave \(hex(got)), want \(hex(expected))"
        }
    }

    func testSignExtend() {
        forAll(salt: 8, "signextend") { g in
            let b = g.int(4) == 0 ? g.amount() : UInt256(UInt64(g.int(34)))
            let x = g.value()
            var expected = x
            if b < UInt256(31) {
                let bits = 8 * (Int(b.w0) + 1)
                let low = big(x) % (BigUInt(1) << bits)
                expected = low >= (BigUInt(1) << (bits - 1)) ? word(two256 - (BigUInt(1) << bits) + low) : word(low)
            }
            let got = b.signExtend(x)
            return got == expected ? nil : "SIGNEXTEND \(hex(b)) \(hex(x)) gave \(hex(got)), want \(hex(expected))"
        }
    }

    func testByte() {
        forAll(salt: 9, "byte") { g in
            let i = g.int(4) == 0 ? g.amount() : UInt256(UInt64(g.int(34)))
            let x = g.value()
            let expected = i < UInt256(32) ? word((big(x) >> (8 * (31 - Int(i.w0)))) % 256) : .zero
            let got = i.byte(x)
            return got == expected ? nil : "BYTE \(hex(i)) \(hex(x)) gave \(hex(got)), want \(hex(expected))"
        }
    }

    func testShifts() {
        forAll(salt: 10, "shifts") { g in
            let s = g.amount(), v = g.value()
            let small = s < UInt256(256)
            let n = small ? Int(s.w0) : 0
            let shl = small ? word(big(v) << n) : .zero
            let shr = small ? word(big(v) >> n) : .zero
            let sv = signedBig(v)
            let sar: UInt256
            if !small {
                sar = sv < 0 ? .max : .zero
            } else if sv >= 0 {
                sar = word(sv.magnitude >> n)
            } else {
                // floor(sv / 2^n) for negative sv = -ceil(|sv| / 2^n).
                let c = (sv.magnitude + (BigUInt(1) << n) - 1) >> n
                sar = word(-BigInt(c))
            }
            if s.shl(v) != shl { return "SHL \(hex(s)) \(hex(v)) gave \(hex(s.shl(v)))" }
            if s.shr(v) != shr { return "SHR \(hex(s)) \(hex(v)) gave \(hex(s.shr(v)))" }
            if s.sar(v) != sar { return "SAR \(hex(s)) \(hex(v)) gave \(hex(s.sar(v)))" }
            if small {
                if v << n != shl || v >> n != shr { return "<< >> by \(n) of \(hex(v))" }
                var x = v
                x <<= n
                var y = v
                y >>= n
                if x != shl || y != shr { return "<<= >>= by \(n) of \(hex(v))" }
                if v << -n != shr || v >> -n != shl { return "negative Int shift by \(n) of \(hex(v))" }
            } else if s.w0 < 100_000 && (s.w1 | s.w2 | s.w3) == 0 {
                if v << Int(s.w0) != .zero || v >> Int(s.w0) != .zero { return "Int shift by \(s.w0)" }
            }
            return nil
        }
    }

    func testComparisonsAndBitwise() {
        forAll(salt: 11, "compare/bitwise") { g in
            let a = g.value(), b = g.int(8) == 0 ? a : g.value()
            if (a < b) != (big(a) < big(b)) { return "< \(hex(a)) \(hex(b))" }
            if (a > b) != (big(a) > big(b)) || (a <= b) != (big(a) <= big(b)) { return "> <= \(hex(a)) \(hex(b))" }
            if (a == b) != (big(a) == big(b)) { return "== \(hex(a)) \(hex(b))" }
            if a.signedLessThan(b) != (signedBig(a) < signedBig(b)) { return "SLT \(hex(a)) \(hex(b))" }
            if a.isNegative != (signedBig(a) < 0) { return "isNegative \(hex(a))" }
            if a & b != word(big(a) & big(b)) { return "& \(hex(a)) \(hex(b))" }
            if a | b != word(big(a) | big(b)) { return "| \(hex(a)) \(hex(b))" }
            if a ^ b != word(big(a) ^ big(b)) { return "^ \(hex(a)) \(hex(b))" }
            if ~a != word(two256 - 1 - big(a)) { return "~ \(hex(a))" }
            var x = a
            x &= b
            var y = a
            y |= b
            var z = a
            z ^= b
            if x != a & b || y != a | b || z != a ^ b { return "compound bitwise \(hex(a)) \(hex(b))" }
            return nil
        }
    }

    func testBitCounts() {
        forAll(salt: 12, "bit counts") { g in
            let a = g.value()
            let width = big(a).bitWidth // for BigUInt this is the significant bit count
            if a.significantBits != width { return "significantBits \(hex(a)) = \(a.significantBits), want \(width)" }
            if a.leadingZeroBitCount != 256 - width { return "leadingZeroBitCount \(hex(a))" }
            let tz = a.isZero ? 256 : big(a).trailingZeroBitCount
            if a.trailingZeroBitCount != tz { return "trailingZeroBitCount \(hex(a)) = \(a.trailingZeroBitCount), want \(tz)" }
            if a.byteCount != (width + 7) / 8 { return "byteCount \(hex(a))" }
            let fits = big(a) <= BigUInt(UInt64.max)
            if (a.u64 != nil) != fits || (fits && a.u64 != UInt64(big(a))) { return "u64 \(hex(a))" }
            return nil
        }
    }

    func testConversions() {
        forAll(salt: 13, "conversions") { g in
            let a = g.value()
            // Bytes: BigUInt.serialize() is the minimal big-endian form.
            let minimal = Array(big(a).serialize())
            if a.minimalBigEndianBytes != minimal { return "minimalBigEndianBytes \(hex(a))" }
            let full = [UInt8](repeating: 0, count: 32 - minimal.count) + minimal
            if a.bigEndianBytes != full { return "bigEndianBytes \(hex(a))" }
            if UInt256(bigEndianBytes: minimal) != a || UInt256(bigEndianBytes: full) != a { return "init(bigEndianBytes:) \(hex(a))" }
            if UInt256(bigEndianBytes: full.lazy.map { $0 }) != a { return "init(bigEndianBytes:) non-contiguous \(hex(a))" }
            var stored = [UInt8](repeating: 0xAA, count: 34)
            stored.withUnsafeMutableBytes { a.storeBigEndian(to: $0.baseAddress! + 1) }
            if Array(stored[1..<33]) != full || stored[0] != 0xAA || stored[33] != 0xAA { return "storeBigEndian \(hex(a))" }
            let fromRaw = stored.withUnsafeBytes { UInt256(bigEndian: UnsafeRawBufferPointer(rebasing: $0[1..<33])) }
            if fromRaw != a { return "init(bigEndian:) \(hex(a))" }
            // Text.
            let hexDigits = String(big(a), radix: 16)
            if a.hexString != "0x" + hexDigits { return "hexString \(hex(a)), want 0x\(hexDigits)" }
            if (try? UInt256(hex: "0x" + hexDigits.uppercased())) != a { return "init(hex:) \(hexDigits)" }
            if (try? UInt256(hex: String(repeating: "0", count: 64 - hexDigits.count) + hexDigits)) != a { return "init(hex:) padded \(hexDigits)" }
            let decimal = String(big(a))
            if a.description != decimal { return "description \(a.description), want \(decimal)" }
            if UInt256(decimal: decimal) != a { return "init(decimal:) \(decimal)" }
            return nil
        }
    }
}
