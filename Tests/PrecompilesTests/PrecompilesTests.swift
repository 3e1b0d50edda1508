import EVMPrimitives
import Synchronization
import XCTest
@testable import Precompiles

/// Behaviour that the generated vectors do not pin down on their own: the fork table, published digests,
/// gas arithmetic at the extremes, and the rules of each precompile named in its EIP.
final class PrecompilesTests: XCTestCase {
    func address(_ n: UInt32) -> Address { Address(a: 0, b: 0, c: n) }
    func bytes(_ hex: String) -> [UInt8] { PrecompileVectors.bytes(hex) }
    func word(_ v: UInt64) -> [UInt8] { PrecompileGas.word(v) }

    // MARK: - Table

    func testAddressesPerFork() {
        XCTAssertEqual(Precompiles.addresses(for: .frontier), (1...4).map(address))
        XCTAssertEqual(Precompiles.addresses(for: .byzantium), (1...8).map(address))
        XCTAssertEqual(Precompiles.addresses(for: .petersburg), (1...8).map(address))
        XCTAssertEqual(Precompiles.addresses(for: .istanbul), (1...9).map(address))
        XCTAssertEqual(Precompiles.addresses(for: .shanghai), (1...9).map(address))
        XCTAssertEqual(Precompiles.addresses(for: .cancun), (1...10).map(address))
        XCTAssertEqual(Precompiles.addresses(for: .prague), (1...0x11).map(address))
        XCTAssertEqual(Precompiles.addresses(for: .osaka), (1...0x11).map(address) + [address(0x100)])
    }

    /// EIP-2537 (Prague) adds 0x0b-0x11; EIP-7951 (Osaka) adds 0x100 and nothing in between.
    func testPragueAndOsakaPrecompiles() {
        for n: UInt32 in 0x0b...0x11 {
            XCTAssertFalse(Precompiles.isPrecompile(address(n), fork: .cancun))
            XCTAssertTrue(Precompiles.isPrecompile(address(n), fork: .prague))
            XCTAssertTrue(Precompiles.isPrecompile(address(n), fork: .osaka))
        }
        XCTAssertFalse(Precompiles.isPrecompile(address(0x12), fork: .osaka))
        XCTAssertFalse(Precompiles.isPrecompile(address(0xff), fork: .osaka))
        XCTAssertFalse(Precompiles.isPrecompile(address(0x101), fork: .osaka))
        XCTAssertFalse(Precompiles.isPrecompile(address(0x100), fork: .prague))
        XCTAssertTrue(Precompiles.isPrecompile(address(0x100), fork: .osaka))
        XCTAssertFalse(Precompiles.isPrecompile(Address(a: 0, b: 1, c: 0x100), fork: .osaka))
        // Before its fork the address is an ordinary (empty) account: run() refuses it.
        XCTAssertEqual(Precompiles.run(address(0x100), input: [], gasLimit: 10_000, fork: .prague), .failure)
        XCTAssertEqual(Precompiles.run(address(0x0b), input: [UInt8](repeating: 0, count: 256), gasLimit: 10_000, fork: .cancun), .failure)
        XCTAssertEqual(Precompiles.run(address(0x0b), input: [UInt8](repeating: 0, count: 256), gasLimit: 10_000, fork: .prague),
                       .success(gasUsed: 375, output: [UInt8](repeating: 0, count: 128)))
    }

    // MARK: - BLS12-381 (EIP-2537)

    /// The MSM gas formula at the table's ends: k·base·discount(k)/1000, the last entry for k > 128.
    func testBLSMSMGas() {
        let g1 = BLS12381Precompiles.self
        XCTAssertEqual(g1.g1Discount.count, 128)
        XCTAssertEqual(g1.g2Discount.count, 128)
        XCTAssertEqual(g1.gas(0x0c, inputLength: 160), 12_000)
        XCTAssertEqual(g1.gas(0x0c, inputLength: 2 * 160), 2 * 12_000 * 949 / 1000)
        XCTAssertEqual(g1.gas(0x0c, inputLength: 128 * 160), 128 * 12_000 * 519 / 1000)
        XCTAssertEqual(g1.gas(0x0c, inputLength: 1000 * 160), 1000 * 12_000 * 519 / 1000)
        XCTAssertEqual(g1.gas(0x0e, inputLength: 288), 22_500)
        XCTAssertEqual(g1.gas(0x0e, inputLength: 2 * 288), 2 * 22_500)
        XCTAssertEqual(g1.gas(0x0e, inputLength: 3 * 288), 3 * 22_500 * 923 / 1000)
        XCTAssertEqual(g1.gas(0x0e, inputLength: 129 * 288), 129 * 22_500 * 524 / 1000)
        XCTAssertEqual(g1.gas(0x0f, inputLength: 384), 70_300)
        XCTAssertEqual(g1.gas(0x0f, inputLength: 2 * 384), 102_900)
        for (a, n) in [(0x0b, 255), (0x0c, 0), (0x0c, 161), (0x0d, 257), (0x0e, 287), (0x0f, 0), (0x0f, 385), (0x10, 63), (0x11, 129)] {
            XCTAssertNil(g1.gas(UInt32(a), inputLength: n), "0x\(String(a, radix: 16)) with \(n) bytes")
        }
    }

    // MARK: - P256VERIFY (EIP-7951)

    /// Gas is charged for every call that can pay it, valid or not; a limit below 6900 fails the call.
    func testP256VerifyGas() {
        XCTAssertEqual(Precompiles.run(address(0x100), input: [], gasLimit: 6900, fork: .osaka), .success(gasUsed: 6900, output: []))
        XCTAssertEqual(Precompiles.run(address(0x100), input: [], gasLimit: 6899, fork: .osaka), .failure)
        let garbage = [UInt8](repeating: 0xff, count: 160)
        XCTAssertEqual(Precompiles.run(address(0x100), input: garbage, gasLimit: 1_000_000, fork: .osaka),
                       .success(gasUsed: 6900, output: []))
    }

    func testIsPrecompile() {
        XCTAssertFalse(Precompiles.isPrecompile(.zero, fork: .cancun))
        for n: UInt32 in 1...10 { XCTAssertTrue(Precompiles.isPrecompile(address(n), fork: .cancun)) }
        XCTAssertFalse(Precompiles.isPrecompile(address(11), fork: .cancun))
        XCTAssertFalse(Precompiles.isPrecompile(address(10), fork: .shanghai))
        XCTAssertFalse(Precompiles.isPrecompile(address(9), fork: .petersburg))
        XCTAssertFalse(Precompiles.isPrecompile(address(5), fork: .homestead))
        // Same low bytes, but a non-zero high byte: an ordinary account.
        XCTAssertFalse(Precompiles.isPrecompile(Address(a: 1 << 56, b: 0, c: 1), fork: .cancun))
        XCTAssertFalse(Precompiles.isPrecompile(Address(a: 0, b: 1, c: 1), fork: .cancun))
        XCTAssertEqual(Precompiles.run(address(11), input: [], gasLimit: 1_000_000, fork: .cancun), .failure)
        XCTAssertEqual(Precompiles.run(address(10), input: [], gasLimit: 1_000_000, fork: .shanghai), .failure)
    }

    // MARK: - Hashes

    func testRIPEMD160PublishedDigests() {
        // From the RIPEMD-160 authors' page (Bosselaers), "test vectors".
        let cases: [(String, String)] = [
            ("", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
            ("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
            ("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
            ("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
            ("abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "b0e20b6e3116640286ed3a87a5713079b21f5189"),
            (String(repeating: "1234567890", count: 8), "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
        ]
        for (message, digest) in cases {
            XCTAssertEqual(RIPEMD160.hash(Array(message.utf8)), bytes(digest), message)
        }
        XCTAssertEqual(RIPEMD160.hash([UInt8](repeating: 0x61, count: 1_000_000)), bytes("52783243c1697bdbe16d37f97f68f08325dc1528"))
    }

    func testHashOutputsAndGas() {
        let abc = Array("abc".utf8)
        XCTAssertEqual(Precompiles.run(address(2), input: abc, gasLimit: 72, fork: .cancun),
                       .success(gasUsed: 72, output: bytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")))
        XCTAssertEqual(Precompiles.run(address(3), input: abc, gasLimit: 720, fork: .cancun),
                       .success(gasUsed: 720, output: [UInt8](repeating: 0, count: 12) + bytes("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")))
        XCTAssertEqual(Precompiles.run(address(4), input: abc, gasLimit: 18, fork: .cancun), .success(gasUsed: 18, output: abc))
        // Empty input costs the base only.
        XCTAssertEqual(Precompiles.run(address(4), input: [], gasLimit: 15, fork: .cancun), .success(gasUsed: 15, output: []))
        XCTAssertEqual(Precompiles.run(address(2), input: [], gasLimit: 59, fork: .cancun), .failure)
        // 33 bytes are two words.
        XCTAssertEqual(PrecompileGas.linear(base: 600, perWord: 120, length: 33), 840)
        XCTAssertEqual(PrecompileGas.linear(base: 1, perWord: .max, length: 64), .max)
    }

    // MARK: - ecrecover

    static let signed = "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
        + "000000000000000000000000000000000000000000000000000000000000001c"
        + "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
        + "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
    static let signer = "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b"

    func testECRecoverRealSignature() {
        // The ethereum/tests CallEcrecover0 signature, made by the tests' well-known sender key.
        XCTAssertEqual(Precompiles.run(address(1), input: bytes(Self.signed), gasLimit: 3000, fork: .cancun),
                       .success(gasUsed: 3000, output: bytes(Self.signer)))
        XCTAssertEqual(Precompiles.run(address(1), input: bytes(Self.signed), gasLimit: 2999, fork: .cancun), .failure)
    }

    func testECRecoverAcceptsHighAndLowS() {
        // The CallEcrecover0 signature has s > n/2, which EIP-2 forbids for transactions but ecrecover accepts;
        // (r, n - s) with the other parity is the same signature with low s.
        var input = bytes(Self.signed)
        XCTAssertGreaterThan(input[96], 0x7F)
        let n = ECRecover.groupOrder
        var borrow = 0
        var s = Array(input[96..<128])
        for i in stride(from: 31, through: 0, by: -1) {
            let d = Int(n[i]) - Int(s[i]) - borrow
            s[i] = UInt8((d + 256) % 256)
            borrow = d < 0 ? 1 : 0
        }
        input.replaceSubrange(96..<128, with: s)
        input[63] = 27
        XCTAssertLessThan(s[0], 0x80)
        XCTAssertEqual(Precompiles.run(address(1), input: input, gasLimit: 3000, fork: .cancun),
                       .success(gasUsed: 3000, output: bytes(Self.signer)))
    }

    func testECRecoverInvalidGivesEmptyOutputAndChargesGas() {
        var badV = bytes(Self.signed)
        badV[63] = 29
        var vHighBits = bytes(Self.signed)
        vHighBits[32] = 1
        var rZero = bytes(Self.signed)
        rZero.replaceSubrange(64..<96, with: [UInt8](repeating: 0, count: 32))
        var sOrder = bytes(Self.signed)
        sOrder.replaceSubrange(96..<128, with: ECRecover.groupOrder)
        for input in [badV, vHighBits, rZero, sOrder, [], [UInt8](repeating: 0, count: 128)] {
            XCTAssertEqual(Precompiles.run(address(1), input: input, gasLimit: 100_000, fork: .cancun),
                           .success(gasUsed: 3000, output: []))
        }
    }

    func testECRecoverConcurrentCallsShareTheContext() {
        let input = bytes(Self.signed)
        let expected = PrecompileResult.success(gasUsed: 3000, output: bytes(Self.signer))
        let matches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            let ok = Precompiles.run(Address(a: 0, b: 0, c: 1), input: input, gasLimit: 3000, fork: .cancun) == expected
            if ok { matches.withLock { $0 += 1 } }
        }
        XCTAssertEqual(matches.withLock { $0 }, 64)
    }

    // MARK: - modexp

    func modexp(_ b: UInt64, _ e: UInt64, _ m: UInt64, _ tail: [UInt8] = []) -> [UInt8] {
        word(b) + word(e) + word(m) + tail
    }

    func testModExpEIP198Examples() {
        // EIP-198 example 1: 3^(p-1) mod p = 1 (Fermat) for the secp256k1 field prime p.
        let p = bytes("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
        let pMinus1 = bytes("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e")
        let one = modexp(1, 32, 32, [3] + pMinus1 + p)
        XCTAssertEqual(Precompiles.run(address(5), input: one, gasLimit: 1_000_000, fork: .cancun),
                       .success(gasUsed: 1360, output: bytes("0000000000000000000000000000000000000000000000000000000000000001")))
        // EIP-198 example 2: an empty base reads as zero: 0^(p-1) mod p = 0.
        let two = modexp(0, 32, 32, pMinus1 + p)
        XCTAssertEqual(Precompiles.run(address(5), input: two, gasLimit: 1_000_000, fork: .cancun),
                       .success(gasUsed: 1360, output: [UInt8](repeating: 0, count: 32)))
    }

    func testModExpZeroModulusAndZeroLengths() {
        XCTAssertEqual(Precompiles.run(address(5), input: modexp(1, 1, 3, [7, 9, 0, 0, 0]), gasLimit: 200, fork: .cancun),
                       .success(gasUsed: 200, output: [0, 0, 0]))
        XCTAssertEqual(Precompiles.run(address(5), input: modexp(0, 0, 0), gasLimit: 200, fork: .cancun),
                       .success(gasUsed: 200, output: []))
        XCTAssertEqual(Precompiles.run(address(5), input: [], gasLimit: 200, fork: .cancun), .success(gasUsed: 200, output: []))
        XCTAssertEqual(Precompiles.run(address(5), input: [], gasLimit: 199, fork: .cancun), .failure)
        // Mlen = 0 gives empty output even with a base and exponent.
        XCTAssertEqual(Precompiles.run(address(5), input: modexp(2, 1, 0, [5, 5, 3]), gasLimit: 200, fork: .cancun),
                       .success(gasUsed: 200, output: []))
        // Byzantium charged nothing for empty lengths (EIP-198's formula has no minimum).
        XCTAssertEqual(Precompiles.run(address(5), input: [], gasLimit: 0, fork: .byzantium), .success(gasUsed: 0, output: []))
    }

    func testModExpHugeDeclaredLengthsFailByGasWithoutCrashing() {
        let max256 = [UInt8](repeating: 0xFF, count: 32)
        let hugeBase = max256 + word(1) + word(1) + [2, 3, 5]
        let hugeModulus = word(1) + word(1) + max256 + [2, 3, 5]
        let hugeExponent = word(1) + max256 + word(1) + [2, 3, 5]
        for input in [hugeBase, hugeModulus, hugeExponent] {
            for fork in [Fork.byzantium, .berlin, .cancun] {
                XCTAssertEqual(Precompiles.run(address(5), input: input, gasLimit: .max, fork: fork), .failure)
            }
        }
        // With Blen = Mlen = 0 a huge exponent length costs the minimum and returns nothing (EIP-2565).
        let hugeExponentOnly = word(0) + max256 + word(0)
        XCTAssertEqual(Precompiles.run(address(5), input: hugeExponentOnly, gasLimit: 200, fork: .cancun),
                       .success(gasUsed: 200, output: []))
        // Mlen = 2^40: (2^37)^2 / 3 > 2^64, beyond any UInt64 gas limit.
        XCTAssertEqual(ModExp.gasEIP2565(ModExp.Header(modexp(1, 1, 1 << 40))), (UInt128(1) << 74) / 3)
        XCTAssertEqual(Precompiles.run(address(5), input: modexp(1, 1, 1 << 40, [2, 3, 5]), gasLimit: .max, fork: .cancun), .failure)
        // Mlen = 2^33 costs 2^60 / 3 gas: payable only by an absurd gas limit, where the defensive length bound
        // answers failure instead of allocating 8 GiB.
        XCTAssertEqual(ModExp.gasEIP2565(ModExp.Header(modexp(1, 1, 1 << 33))), (UInt128(1) << 60) / 3)
        XCTAssertEqual(Precompiles.run(address(5), input: modexp(1, 1, 1 << 33, [2, 3, 5]), gasLimit: .max, fork: .cancun), .failure)
        // Lengths past 2^64 are priced exactly: under EIP-198, Elen = 2^64 with a 1-byte modulus costs
        // 8 * (2^64 - 32) / 20 gas, which is below UInt64.max.
        let twoTo64 = [UInt8](repeating: 0, count: 23) + [1] + [UInt8](repeating: 0, count: 8)
        let header = ModExp.Header(word(0) + twoTo64 + word(1))
        XCTAssertEqual(header.exponentLength, UInt128(1) << 64)
        XCTAssertEqual(ModExp.gasEIP198(header), 8 * ((UInt128(1) << 64) - 32) / 20)
        XCTAssertEqual(ModExp.gasEIP2565(header), 8 * ((UInt128(1) << 64) - 32) / 3)
        XCTAssertEqual(ModExp.Header(max256 + word(1) + word(1)).baseLength, .max)
    }

    /// EIP-7823 (Osaka): a declared length above 1024 fails the call, whatever the gas; Prague accepts it.
    func testModExpOsakaLengthBounds() {
        for lengths in [(1025, 1, 1), (1, 1025, 1), (1, 1, 1025), (0, 0, 1025), (1025, 0, 0)] {
            let input = modexp(UInt64(lengths.0), UInt64(lengths.1), UInt64(lengths.2))
            XCTAssertEqual(Precompiles.run(address(5), input: input, gasLimit: .max, fork: .osaka), .failure, "\(lengths)")
            if case .failure = Precompiles.run(address(5), input: input, gasLimit: .max, fork: .prague) {
                XCTFail("Prague has no length bound: \(lengths)")
            }
        }
        // 1024 is allowed: 1024-byte modulus, 1-byte base and exponent.
        let ok = modexp(1, 1, 1024, [2, 3] + [UInt8](repeating: 0, count: 1023) + [7])
        XCTAssertEqual(Precompiles.run(address(5), input: ok, gasLimit: .max, fork: .osaka),
                       .success(gasUsed: 32_768, output: [UInt8](repeating: 0, count: 1023) + [1]))
        // A length word above 2^64 is over the bound too (no wrap-around).
        var huge = modexp(1, 1, 1)
        huge[0] = 1
        XCTAssertEqual(Precompiles.run(address(5), input: huge, gasLimit: .max, fork: .osaka), .failure)
    }

    /// EIP-7883 (Osaka) next to EIP-2565 (Prague): minimum 500 (was 200), complexity 16 up to 32 bytes and
    /// 2·words^2 above (was words^2 / 3 overall), 16 iterations per exponent byte past 32 (was 8).
    func testModExpOsakaGasFormula() {
        func gas(_ b: UInt64, _ e: UInt64, _ m: UInt64, _ tail: [UInt8], _ fork: Fork) -> UInt64? {
            if case .success(let g, _) = Precompiles.run(address(5), input: modexp(b, e, m, tail), gasLimit: .max, fork: fork) { return g }
            return nil
        }
        // 1-byte operands, exponent 1: Prague 200, Osaka 500.
        XCTAssertEqual(gas(1, 1, 1, [2, 1, 5], .prague), 200)
        XCTAssertEqual(gas(1, 1, 1, [2, 1, 5], .osaka), 500)
        // 32-byte operands, 32-byte exponent 0xff..ff: iterations 255; Osaka 16·255 = 4080, Prague 16·255/3 = 1360.
        let ff = [UInt8](repeating: 0xff, count: 32), one32 = [UInt8](repeating: 0, count: 31) + [1]
        XCTAssertEqual(gas(32, 32, 32, one32 + ff + ff, .osaka), 4080)
        XCTAssertEqual(gas(32, 32, 32, one32 + ff + ff, .prague), 1360)
        // 33-byte modulus: words 5, Osaka 2·25 = 50 per iteration; exponent 2^255: 255 iterations -> 12750.
        let e = [0x80] + [UInt8](repeating: 0, count: 31)
        let m33 = [UInt8](repeating: 0xff, count: 33)
        XCTAssertEqual(gas(1, 32, 33, [2] + e + m33, .osaka), 50 * 255)
        XCTAssertEqual(gas(1, 32, 33, [2] + e + m33, .prague), 25 * 255 / 3)
        // 40-byte exponent with head 1: Osaka 16·8 + 0 = 128 iterations, complexity 16 -> 2048; Prague 8·8 = 64 -> 200.
        let e40 = [UInt8](repeating: 0, count: 31) + [1] + [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(gas(1, 40, 1, [2] + e40 + [7], .osaka), 2048)
        XCTAssertEqual(gas(1, 40, 1, [2] + e40 + [7], .prague), 200)
        // Large (declared only) 1024-byte operands and exponent: 2·128^2·(16·992 + 0) fits easily.
        XCTAssertEqual(ModExp.gasEIP7883(ModExp.Header(modexp(1024, 1024, 1024))), 2 * 128 * 128 * 16 * 992)
    }

    func testModExpEIP2565GasFormula() {
        // 64-byte modulus, 32-byte exponent 2^255: words = 8, iterations = 255, 64 * 255 / 3 = 5440.
        let e = [0x80] + [UInt8](repeating: 0, count: 31)
        let h = ModExp.Header(modexp(64, 32, 64, [UInt8](repeating: 1, count: 64) + e))
        XCTAssertEqual(ModExp.gasEIP2565(h), 5440)
        // A 40-byte exponent whose head is zero: 8 * (40 - 32) = 64 iterations, 1 * 64 / 3 -> minimum 200.
        let h2 = ModExp.Header(modexp(1, 40, 1, [3] + [UInt8](repeating: 0, count: 39) + [7]))
        XCTAssertEqual(ModExp.iterationCount(h2), 64)
        XCTAssertEqual(ModExp.gasEIP2565(h2), 200)
        // The head is the exponent's first 32 bytes, not its last: for 0xFF followed by 32 zero bytes,
        // 8 * (33 - 32) + (256 - 1) = 263 (the last 32 bytes would have given 8).
        let h3 = ModExp.Header(modexp(1, 33, 1, [3, 0xFF] + [UInt8](repeating: 0, count: 32) + [7]))
        XCTAssertEqual(ModExp.iterationCount(h3), 8 + 255)
    }

    // MARK: - blake2f

    static let eip152Vector5 = "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
        + "6162630000000000000000000000000000000000000000000000000000000000" + String(repeating: "0", count: 192)
        + "0300000000000000000000000000000001"

    func testBlake2FEIP152Vector5AndInvalidInput() {
        let input = bytes(Self.eip152Vector5)
        XCTAssertEqual(input.count, 213)
        XCTAssertEqual(Precompiles.run(address(9), input: input, gasLimit: 12, fork: .cancun), .success(
            gasUsed: 12,
            output: bytes("ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")))
        XCTAssertEqual(Precompiles.run(address(9), input: input, gasLimit: 11, fork: .cancun), .failure)
        XCTAssertEqual(Precompiles.run(address(9), input: Array(input.dropLast()), gasLimit: 100, fork: .cancun), .failure)
        XCTAssertEqual(Precompiles.run(address(9), input: input + [0], gasLimit: 100, fork: .cancun), .failure)
        var badFlag = input
        badFlag[212] = 2
        XCTAssertEqual(Precompiles.run(address(9), input: badFlag, gasLimit: 100, fork: .cancun), .failure)
        // Istanbul introduced it.
        XCTAssertEqual(Precompiles.run(address(9), input: input, gasLimit: 100, fork: .petersburg), .failure)
    }

    /// EIP-152 test vector 8 (2^32 - 1 rounds): too slow for every run (minutes); set LOCKSTEP_SLOW_TESTS=1.
    func testBlake2FEIP152Vector8() throws {
        var input = bytes(Self.eip152Vector5)
        input.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(Precompiles.run(address(9), input: input, gasLimit: 0xFFFF_FFFE, fork: .cancun), .failure)
        try XCTSkipUnless(ProcessInfo.processInfo.environment["LOCKSTEP_SLOW_TESTS"] == "1", "set LOCKSTEP_SLOW_TESTS=1")
        XCTAssertEqual(Precompiles.run(address(9), input: input, gasLimit: 0xFFFF_FFFF, fork: .cancun), .success(
            gasUsed: 0xFFFF_FFFF,
            output: bytes("fc59093aafa9ab43daae0e914c57635c5402d8e3d2130eb9b3cc181de7f0ecf9b22bf99a7815ce16419e200e01846e6b5df8cc7703041bbceb571de6631d2615")))
    }

    // MARK: - bn254 gas by fork

    func testBN254GasByFork() {
        XCTAssertEqual(BN254Add.gas(fork: .byzantium), 500)
        XCTAssertEqual(BN254Add.gas(fork: .istanbul), 150)
        XCTAssertEqual(BN254Mul.gas(fork: .petersburg), 40_000)
        XCTAssertEqual(BN254Mul.gas(fork: .cancun), 6000)
        XCTAssertEqual(BN254Pairing.gas(pairs: 2, fork: .byzantium), 260_000)
        XCTAssertEqual(BN254Pairing.gas(pairs: 2, fork: .cancun), 113_000)
        XCTAssertEqual(BN254Pairing.gas(pairs: Int.max, fork: .cancun), .max)
    }

    // MARK: - point evaluation

    /// ethereum/tests Pyspecs/cancun/eip4844_blobs external vector: a real commitment and proof.
    static let pointEvaluationInput = "01ad7666ef9d8f53b5adf54f029b13b6f171b1d0bd346a2ede315d3e243484ef"
        + "0000000000000000000000000000000000000000000000000000000000000000"
        + "73e66878b46ae3705eb6a46a89213de7d3686828bfce5c19400fffff00100001"
        + "93efc82d2017e9c57834a1246463e64774e56183bb247c8fc9dd98c56817e878d97b05f5c8d900acf1fbbbca6f146556"
        + "b82ded761997f2c6f1bb3db1e1dada2ef06d936551667c82f659b75f99d2da2068b81340823ee4e829a93c9fbed7810d"

    func testPointEvaluationRules() {
        let input = bytes(Self.pointEvaluationInput)
        let output = word(4096) + bytes("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")
        XCTAssertEqual(PointEvaluation.successOutput, output)
        XCTAssertEqual(Precompiles.run(address(10), input: input, gasLimit: 50_000, fork: .cancun),
                       .success(gasUsed: 50_000, output: output))
        XCTAssertEqual(Precompiles.run(address(10), input: input, gasLimit: 49_999, fork: .cancun), .failure)
        XCTAssertEqual(Precompiles.run(address(10), input: Array(input.dropLast()), gasLimit: 100_000, fork: .cancun), .failure)
        XCTAssertEqual(Precompiles.run(address(10), input: input + [0], gasLimit: 100_000, fork: .cancun), .failure)
        var wrongVersion = input
        wrongVersion[0] = 0x02
        XCTAssertEqual(Precompiles.run(address(10), input: wrongVersion, gasLimit: 100_000, fork: .cancun), .failure)
        var wrongHash = input
        wrongHash[31] ^= 1
        XCTAssertEqual(Precompiles.run(address(10), input: wrongHash, gasLimit: 100_000, fork: .cancun), .failure)
        var wrongY = input
        wrongY[95] ^= 1
        XCTAssertEqual(Precompiles.run(address(10), input: wrongY, gasLimit: 100_000, fork: .cancun), .failure)
        XCTAssertFalse(PointEvaluation.isCanonicalFieldElement(PointEvaluation.blsModulus))
        XCTAssertTrue(PointEvaluation.isCanonicalFieldElement(bytes("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000")))
    }

    // MARK: - benchmark

    func testBenchmarkCoversEveryPrecompile() {
        let cases = PrecompileBenchmark.cases()
        XCTAssertEqual(Set(cases.map(\.address)), Set(1...0x11).union([0x100]))
        // Every input is valid, so the benchmark times real work rather than an early rejection.
        for c in cases {
            let result = Precompiles.run(Address(a: 0, b: 0, c: c.address), input: c.input, gasLimit: 30_000_000, fork: c.fork)
            guard case .success(_, let output) = result else { return XCTFail("\(c.name) failed") }
            XCTAssertFalse(output.isEmpty, c.name)
        }
        // The two-pair BLS pairing case is e(P, Q)·e(-P, Q) = 1: the check succeeds (output 1), the one-pair one fails.
        let pairing = cases.filter { $0.address == 0x0f }.map {
            Precompiles.run(Address(a: 0, b: 0, c: 0x0f), input: $0.input, gasLimit: 30_000_000, fork: .prague)
        }
        XCTAssertEqual(pairing, [.success(gasUsed: 70_300, output: word(0)), .success(gasUsed: 102_900, output: word(1))])
    }
}
