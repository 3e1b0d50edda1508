import BLS12381
import EVMPrimitives

/// One line of the precompile benchmark: the median time of one call and the gas it charges.
public struct PrecompileBenchmarkRow: Sendable, Equatable {
    public let name: String
    public let gas: UInt64
    public let medianMicroseconds: Double
    /// Gas charged per microsecond of work: a precompile priced as ecrecover is (3000 gas) runs about as fast
    /// as ecrecover per gas; a much larger number means the gas schedule overcharges it, a smaller one undercharges.
    public let gasPerMicrosecond: Double

    public init(name: String, gas: UInt64, medianMicroseconds: Double, gasPerMicrosecond: Double) {
        self.name = name
        self.gas = gas
        self.medianMicroseconds = medianMicroseconds
        self.gasPerMicrosecond = gasPerMicrosecond
    }
}

/// Times every precompile on a representative valid input, under the rules of the fork that has it (Cancun for
/// 0x01-0x0a, Prague for the BLS12-381 precompiles, Osaka for P256VERIFY and the EIP-7883 modexp).
public enum PrecompileBenchmark {
    /// A benchmark case: a precompile address and its input.
    struct Case {
        let name: String
        let address: UInt32
        let input: [UInt8]
        var fork: Fork = .cancun
    }

    /// Runs `iterations` timed repetitions per case after a warm-up, and reports the median per call.
    /// A repetition times a batch of calls long enough (about 200 µs) for the clock's resolution not to matter.
    /// A case whose call fails (so its output is not meaningful) is reported with gas 0 and "[failed]" in its name.
    public static func run(iterations: Int) -> [PrecompileBenchmarkRow] {
        let repetitions = max(1, iterations)
        let clock = ContinuousClock()
        var sink = 0
        var rows: [PrecompileBenchmarkRow] = []
        for c in cases() {
            let address = Address(a: 0, b: 0, c: c.address)
            func call() -> PrecompileResult {
                Precompiles.run(address, input: c.input, gasLimit: 30_000_000, fork: c.fork)
            }
            let first = call()
            var gas: UInt64 = 0
            var name = c.name
            if case .success(let used, let output) = first {
                gas = used
                sink &+= output.count
            } else {
                name += " [failed]"
            }

            // Warm-up, and calibration of the batch size from the warm-up time.
            var batch = 1
            let warmupStart = clock.now
            for _ in 0..<max(3, repetitions / 10) { sink &+= outputCount(call()) }
            let warmupSeconds = seconds(clock.now - warmupStart) / Double(max(3, repetitions / 10))
            if warmupSeconds > 0 { batch = max(1, min(100_000, Int(200e-6 / warmupSeconds))) }

            var samples: [Double] = []
            samples.reserveCapacity(repetitions)
            for _ in 0..<repetitions {
                let start = clock.now
                for _ in 0..<batch { sink &+= outputCount(call()) }
                samples.append(seconds(clock.now - start) * 1e6 / Double(batch))
            }
            samples.sort()
            let median = samples.count % 2 == 1
                ? samples[samples.count / 2]
                : (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
            rows.append(PrecompileBenchmarkRow(
                name: name, gas: gas, medianMicroseconds: median,
                gasPerMicrosecond: median > 0 ? Double(gas) / median : 0))
        }
        // Keeps the optimiser from discarding the calls; never true in practice.
        if sink == Int.min { rows.append(PrecompileBenchmarkRow(name: "sink", gas: 0, medianMicroseconds: 0, gasPerMicrosecond: 0)) }
        return rows
    }

    static func outputCount(_ result: PrecompileResult) -> Int {
        if case .success(_, let output) = result { return output.count }
        return -1
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, attoseconds) = d.components
        return Double(s) + Double(attoseconds) * 1e-18
    }

    static func hex(_ s: String) -> [UInt8] { (try? Hex.decode(s)) ?? [] }

    static func word(_ v: UInt64) -> [UInt8] { PrecompileGas.word(v) }

    /// The inputs: valid calls taken from ethereum/tests and the EIPs, so every case does its full work.
    static func cases() -> [Case] {
        let kib = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        // 2^256 - 2^32 - 977 is the secp256k1 field prime p; 3^(p-2) mod p is EIP-198's first example.
        let p = hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
        let pMinus2 = hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2d")
        let small = word(32) + word(32) + word(32) + word(3) + pMinus2 + p
        // A 2048-bit odd modulus and base from a fixed pattern; exponents 65537 (RSA verify) and a full 256 bytes.
        let modulus = (0..<256).map { i -> UInt8 in i == 0 ? 0xC3 : (i == 255 ? 0x4B : UInt8(truncatingIfNeeded: i &* 37 &+ 11)) }
        let base = (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 91 &+ 5) }
        let fullExponent = (0..<256).map { i -> UInt8 in i == 0 ? 0xE5 : UInt8(truncatingIfNeeded: i &* 53 &+ 17) }
        let rsaVerify = word(256) + word(3) + word(256) + base + [0x01, 0x00, 0x01] + modulus
        let rsaFull = word(256) + word(256) + word(256) + base + fullExponent + modulus
        // bn254: G1 generator (1, 2) and 2G.
        let g1 = word(1) + word(2)
        let twoG1 = hex("030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd315ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4")
        return [
            Case(name: "ecrecover", address: 0x01, input: hex(
                "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c000000000000000000000000000000000000000000000000000000000000001c"
                + "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75feeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549")),
            Case(name: "sha256 1 KiB", address: 0x02, input: kib),
            Case(name: "ripemd160 1 KiB", address: 0x03, input: kib),
            Case(name: "identity 1 KiB", address: 0x04, input: kib),
            Case(name: "modexp 32-byte (EIP-198 case 1)", address: 0x05, input: small),
            Case(name: "modexp 256-byte, e = 65537", address: 0x05, input: rsaVerify),
            Case(name: "modexp 256-byte, 256-byte exponent", address: 0x05, input: rsaFull),
            Case(name: "bn254 add", address: 0x06, input: g1 + twoG1),
            Case(name: "bn254 mul", address: 0x07, input: twoG1 + hex("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000")),
            Case(name: "bn254 pairing, 2 pairs", address: 0x08, input: hex(
                "0000000000000000000000000000000000000000000000000000000000000001"
                + "0000000000000000000000000000000000000000000000000000000000000002"
                + "203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad7927dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9"
                + "195e8aa5b7827463722b8c153931579d3505566b4edf48d498e185f0509de15204bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e"
                + "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd31a76dae6d3272396d0cbe61fced2bc532edac647851e3ac53ce1cc9c7e645a83"
                + "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
                + "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa")),
            Case(name: "blake2f 12 rounds", address: 0x09, input: hex(
                "0000000c48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
                + "6162630000000000000000000000000000000000000000000000000000000000" + String(repeating: "0", count: 192)
                + "0300000000000000000000000000000001")),
            Case(name: "point evaluation", address: 0x0a, input: hex(
                "01ad7666ef9d8f53b5adf54f029b13b6f171b1d0bd346a2ede315d3e243484ef"
                + "0000000000000000000000000000000000000000000000000000000000000000"
                + "73e66878b46ae3705eb6a46a89213de7d3686828bfce5c19400fffff00100001"
                + "93efc82d2017e9c57834a1246463e64774e56183bb247c8fc9dd98c56817e878d97b05f5c8d900acf1fbbbca6f146556"
                + "b82ded761997f2c6f1bb3db1e1dada2ef06d936551667c82f659b75f99d2da2068b81340823ee4e829a93c9fbed7810d")),
            Case(name: "modexp 256-byte, e = 65537 (Osaka)", address: 0x05, input: rsaVerify, fork: .osaka),
            Case(name: "modexp 256-byte, 256-byte exponent (Osaka)", address: 0x05, input: rsaFull, fork: .osaka),
        ] + blsCases() + [
            // A valid signature from Tests/PrecompilesTests/PrecompileVectors+P256.swift (p256-valid-0).
            Case(name: "p256verify", address: 0x100, input: hex(
                "8dd2d11a27b31b210e1baac70f67e4485f55fa2f9501c19a96b98b6a18d412df800abe1187808dcde27375212202b142cf7c5a10555dfee19b6f6b84083536c6"
                + "47f3abfec6f967971b1486e6cb8d0a7b7ed88010eb043aa196147180197cff9e11bf91be6bdddf3c56060709be040a8dc8669cb115e1f33193bb938589bf7f6c"
                + "e884181658665acdff6bff411a17ef5438ec7aff98b08e431d99e38b50e2140a"), fork: .osaka),
        ]
    }

    /// EIP-2537 inputs. Points in the subgroups come from the map precompiles themselves (map_fp_to_g1 of small
    /// field elements), negations from an MSM by r - 1, so every input is valid and does the full work.
    static func blsCases() -> [Case] {
        func fp(_ v: UInt8) -> [UInt8] { [UInt8](repeating: 0, count: 63) + [v] }
        func g1(_ i: UInt8) -> [UInt8] { EIP2537.mapFpToG1(fp(i)) ?? [] }
        func g2(_ i: UInt8) -> [UInt8] { EIP2537.mapFp2ToG2(fp(i) + fp(i &+ 1)) ?? [] }
        // Scalars: a fixed 256-bit pattern (not reduced: MSM takes any 32-byte scalar), and r - 1.
        func scalar(_ i: UInt8) -> [UInt8] { (0..<32).map { UInt8(truncatingIfNeeded: Int($0) &* 29 &+ Int(i) &* 71 &+ 13) } }
        let rMinus1 = hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000")
        let (p, q) = (g1(1), g2(1))
        let negP = EIP2537.g1MSM(p + rMinus1) ?? []
        let msm1 = (1...128).flatMap { g1(UInt8($0)) + scalar(UInt8($0)) }
        let msm2 = (1...128).flatMap { g2(UInt8($0)) + scalar(UInt8($0)) }
        return [
            Case(name: "bls12 g1add", address: 0x0b, input: p + g1(2), fork: .prague),
            Case(name: "bls12 g1msm, 1 pair", address: 0x0c, input: Array(msm1[0..<160]), fork: .prague),
            Case(name: "bls12 g1msm, 128 pairs", address: 0x0c, input: msm1, fork: .prague),
            Case(name: "bls12 g2add", address: 0x0d, input: q + g2(2), fork: .prague),
            Case(name: "bls12 g2msm, 1 pair", address: 0x0e, input: Array(msm2[0..<288]), fork: .prague),
            Case(name: "bls12 g2msm, 128 pairs", address: 0x0e, input: msm2, fork: .prague),
            Case(name: "bls12 pairing, 1 pair", address: 0x0f, input: p + q, fork: .prague),
            Case(name: "bls12 pairing, 2 pairs", address: 0x0f, input: p + q + negP + q, fork: .prague),
            Case(name: "bls12 map fp to g1", address: 0x10, input: fp(7), fork: .prague),
            Case(name: "bls12 map fp2 to g2", address: 0x11, input: fp(7) + fp(9), fork: .prague),
        ]
    }
}
