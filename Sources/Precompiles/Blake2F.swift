#if arch(x86_64)
import CBlake2F
#endif

/// 0x09 BLAKE2b compression function F (EIP-152): input is exactly 213 bytes,
/// `rounds (4, big-endian) | h (64) | m (128) | t (16) | f (1)`, with h, m, t little-endian 64-bit words
/// and f 0 or 1. Gas is one per round. Output is the new h (64 bytes, little-endian words).
enum Blake2F {
    static let inputLength = 213

    static func run(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard input.count == inputLength else { return .failure }
        let rounds = UInt32(input[0]) << 24 | UInt32(input[1]) << 16 | UInt32(input[2]) << 8 | UInt32(input[3])
        let cost = UInt64(rounds)
        guard cost <= gasLimit else { return .failure }
        let finalFlag = input[212]
        guard finalFlag <= 1 else { return .failure }

        var h = [UInt64](repeating: 0, count: 8)
        var m = [UInt64](repeating: 0, count: 16)
        for i in 0..<8 { h[i] = littleEndianWord(input, at: 4 + 8 * i) }
        for i in 0..<16 { m[i] = littleEndianWord(input, at: 68 + 8 * i) }
        let t0 = littleEndianWord(input, at: 196)
        let t1 = littleEndianWord(input, at: 204)
        Blake2b.compress(rounds: rounds, h: &h, m: m, t0: t0, t1: t1, isFinal: finalFlag == 1)

        var output = [UInt8](repeating: 0, count: 64)
        for i in 0..<8 {
            for j in 0..<8 { output[8 * i + j] = UInt8(truncatingIfNeeded: h[i] >> (8 * UInt64(j))) }
        }
        return .success(gasUsed: cost, output: output)
    }

    @inline(__always)
    static func littleEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var w: UInt64 = 0
        for j in 0..<8 { w |= UInt64(bytes[offset + j]) << (8 * UInt64(j)) }
        return w
    }
}

/// The BLAKE2b compression function F with a caller-chosen number of rounds (RFC 7693 section 3.2;
/// EIP-152 exposes the round count, which BLAKE2b itself fixes at 12).
enum Blake2b {
    static let iv: [UInt64] = [
        0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1,
        0x510E_527F_ADE6_82D1, 0x9B05_688C_2B3E_6C1F, 0x1F83_D9AB_FB41_BD6B, 0x5BE0_CD19_137E_2179,
    ]

    /// Message word permutations; round i uses row i mod 10 (RFC 7693 section 2.7).
    static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    /// `sigma` row after row, read through one pointer in the round loop.
    static let sigmaFlat: [UInt8] = sigma.flatMap { $0.map { UInt8($0) } }

    @inline(__always)
    static func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 { (x >> n) | (x << (64 - n)) }

    /// Mixes two message words into four state words (RFC 7693 section 3.1, rotations 32, 24, 16, 63).
    @inline(__always)
    static func mix(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64, _ x: UInt64, _ y: UInt64) {
        a = a &+ b &+ x
        d = rotr(d ^ a, 32)
        c = c &+ d
        b = rotr(b ^ c, 24)
        a = a &+ b &+ y
        d = rotr(d ^ a, 16)
        c = c &+ d
        b = rotr(b ^ c, 63)
    }

    /// The implementations of F: the Swift loop below, which runs everywhere, and vector code in CBlake2F for
    /// x86-64 CPUs with AVX2 or AVX-512 (2^32 - 1 rounds, ethereum/tests' CALLBlake2f_MaxRounds: 12.5 ns a round
    /// in Swift, 7.5 ns with AVX-512 on this project's machine).
    enum Implementation: CaseIterable, Sendable {
        case portable, avx2, avx512
    }

    /// Whether this CPU (and its operating system) runs `implementation`.
    static func isSupported(_ implementation: Implementation) -> Bool {
        switch implementation {
        case .portable: return true
        case .avx2: return cpuLevel >= 1
        case .avx512: return cpuLevel >= 2
        }
    }

    /// 2: AVX-512F and AVX-512VL, 1: AVX2, 0: neither (read once).
    #if arch(x86_64)
    static let cpuLevel = Int(lockstep_blake2f_cpu_level())
    #else
    static let cpuLevel = 0
    #endif

    /// The fastest implementation this CPU runs.
    static let fastest: Implementation = isSupported(.avx512) ? .avx512 : isSupported(.avx2) ? .avx2 : .portable

    /// Compresses one 128-byte block `m` into the state `h` (8 words) with offset counter (t0, t1), with
    /// `implementation`, which this CPU must support.
    static func compress(rounds: UInt32, h: inout [UInt64], m: [UInt64], t0: UInt64, t1: UInt64, isFinal: Bool,
                         using implementation: Implementation = fastest) {
        precondition(h.count == 8 && m.count == 16, "Blake2b.compress takes 8 state words and 16 message words")
        precondition(isSupported(implementation), "Blake2b.compress: this CPU lacks \(implementation)")
        #if arch(x86_64)
        if implementation != .portable {
            let final: Int32 = isFinal ? 1 : 0
            h.withUnsafeMutableBufferPointer { h in
                m.withUnsafeBufferPointer { m in
                    if implementation == .avx512 {
                        lockstep_blake2f_avx512(rounds, h.baseAddress, m.baseAddress, t0, t1, final)
                    } else {
                        lockstep_blake2f_avx2(rounds, h.baseAddress, m.baseAddress, t0, t1, final)
                    }
                }
            }
            return
        }
        #endif
        portableCompress(rounds: rounds, h: &h, m: m, t0: t0, t1: t1, isFinal: isFinal)
    }

    /// The portable F. The working vector lives in sixteen locals so that the optimiser keeps it in registers.
    static func portableCompress(rounds: UInt32, h: inout [UInt64], m: [UInt64], t0: UInt64, t1: UInt64, isFinal: Bool) {
        var v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7]
        var v8 = iv[0], v9 = iv[1], v10 = iv[2], v11 = iv[3]
        var v12 = iv[4] ^ t0, v13 = iv[5] ^ t1, v14 = isFinal ? ~iv[6] : iv[6], v15 = iv[7]
        m.withUnsafeBufferPointer { m in
            sigmaFlat.withUnsafeBufferPointer { sigma in
                guard let m = m.baseAddress, let sigma = sigma.baseAddress else { return }
                var round: UInt32 = 0
                var row = 0
                while round < rounds {
                    let s = sigma + 16 * row
                    mix(&v0, &v4, &v8, &v12, m[Int(s[0])], m[Int(s[1])])
                    mix(&v1, &v5, &v9, &v13, m[Int(s[2])], m[Int(s[3])])
                    mix(&v2, &v6, &v10, &v14, m[Int(s[4])], m[Int(s[5])])
                    mix(&v3, &v7, &v11, &v15, m[Int(s[6])], m[Int(s[7])])
                    mix(&v0, &v5, &v10, &v15, m[Int(s[8])], m[Int(s[9])])
                    mix(&v1, &v6, &v11, &v12, m[Int(s[10])], m[Int(s[11])])
                    mix(&v2, &v7, &v8, &v13, m[Int(s[12])], m[Int(s[13])])
                    mix(&v3, &v4, &v9, &v14, m[Int(s[14])], m[Int(s[15])])
                    round += 1
                    row = row == 9 ? 0 : row + 1
                }
            }
        }
        h[0] ^= v0 ^ v8
        h[1] ^= v1 ^ v9
        h[2] ^= v2 ^ v10
        h[3] ^= v3 ^ v11
        h[4] ^= v4 ^ v12
        h[5] ^= v5 ^ v13
        h[6] ^= v6 ^ v14
        h[7] ^= v7 ^ v15
    }
}
