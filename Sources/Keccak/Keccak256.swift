import EVMPrimitives

/// Keccak-256 as Ethereum uses it (the Keccak submission's padding `0x01 ... 0x80`, not FIPS 202
/// SHA3-256's `0x06`): the hash behind addresses, `KECCAK256`, storage keys and every trie node.
public enum Keccak256 {
    /// Rate of Keccak-256 in bytes: 1600 - 2 * 256 bits of capacity = 1088 bits.
    public static let rate = 136

    /// keccak256 of the empty string, `0xc5d2...a470` (the code hash of an account without code).
    public static let emptyHash = Hash32(w0: 0xc5d2_4601_86f7_233c, w1: 0x927e_7db2_dcc7_03c0,
                                         w2: 0xe500_b653_ca82_273b, w3: 0x7bfa_d804_5d85_a470)

    /// Hashes a byte array.
    public static func hash(_ bytes: [UInt8]) -> Hash32 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Hashes a contiguous byte slice.
    public static func hash(_ bytes: ArraySlice<UInt8>) -> Hash32 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Hashes raw memory (e.g. a region of EVM memory) without copying it.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> Hash32 {
        // 25 state words followed by 17 words for the padded last block; on the stack, no heap.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25 + 17) { scratch -> Hash32 in
            guard let state = scratch.baseAddress else { return .zero }
            state.initialize(repeating: 0, count: 25 + 17)
            var offset = 0
            let count = buffer.count
            if let base = buffer.baseAddress {
                while count - offset >= rate {
                    absorb(state, base + offset)
                    permute(state)
                    offset += rate
                }
            }
            // Last block: the remaining bytes, then the multi-rate padding 0x01 ... 0x80 (the two
            // may share one byte, 0x81, when 135 bytes remain).
            let block = state + 25
            let tail = UnsafeMutableRawPointer(block)
            if let base = buffer.baseAddress, count > offset {
                tail.copyMemory(from: base + offset, byteCount: count - offset)
            }
            tail.storeBytes(of: 0x01, toByteOffset: count - offset, as: UInt8.self)
            let last = tail.load(fromByteOffset: rate - 1, as: UInt8.self)
            tail.storeBytes(of: last | 0x80, toByteOffset: rate - 1, as: UInt8.self)
            absorb(state, UnsafeRawPointer(tail))
            permute(state)
            // The digest is the first 32 bytes of the state, each lane little-endian; Hash32 keeps
            // big-endian words, so each lane is byte-swapped.
            return Hash32(w0: state[0].byteSwapped, w1: state[1].byteSwapped,
                          w2: state[2].byteSwapped, w3: state[3].byteSwapped)
        }
    }

    /// XORs one 136-byte block (17 little-endian lanes) into the state.
    @inline(__always)
    static func absorb(_ state: UnsafeMutablePointer<UInt64>, _ block: UnsafeRawPointer) {
        for i in 0..<17 {
            state[i] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
        }
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &<< n) | (x &>> (64 &- n))
    }

    // Round constants RC[i] (Keccak reference, section 1.2: derived from an LFSR).
    static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]

    /// Keccak-f[1600]: 24 rounds of theta, rho, pi, chi, iota over the 25 lanes, kept in locals
    /// (lane (x, y) is `a[x + 5y]`), unrolled within a round so nothing touches memory. Lanes 1, 2, 8, 12, 17
    /// and 20 are complemented on the way in and out (see chi).
    static func permute(_ state: UnsafeMutablePointer<UInt64>) {
        var a0 = state[0], a1 = ~state[1], a2 = ~state[2], a3 = state[3], a4 = state[4]
        var a5 = state[5], a6 = state[6], a7 = state[7], a8 = ~state[8], a9 = state[9]
        var a10 = state[10], a11 = state[11], a12 = ~state[12], a13 = state[13], a14 = state[14]
        var a15 = state[15], a16 = state[16], a17 = ~state[17], a18 = state[18], a19 = state[19]
        var a20 = ~state[20], a21 = state[21], a22 = state[22], a23 = state[23], a24 = state[24]
        let roundConstants = Keccak256.roundConstants  // one retain, not a lazy-global check per round
        for round in 0..<24 {
            let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
            let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
            let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
            let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
            let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            let b0 = a0 ^ d0
            let b10 = rotl(a1 ^ d1, 1)
            let b20 = rotl(a2 ^ d2, 62)
            let b5 = rotl(a3 ^ d3, 28)
            let b15 = rotl(a4 ^ d4, 27)
            let b16 = rotl(a5 ^ d0, 36)
            let b1 = rotl(a6 ^ d1, 44)
            let b11 = rotl(a7 ^ d2, 6)
            let b21 = rotl(a8 ^ d3, 55)
            let b6 = rotl(a9 ^ d4, 20)
            let b7 = rotl(a10 ^ d0, 3)
            let b17 = rotl(a11 ^ d1, 10)
            let b2 = rotl(a12 ^ d2, 43)
            let b12 = rotl(a13 ^ d3, 25)
            let b22 = rotl(a14 ^ d4, 39)
            let b23 = rotl(a15 ^ d0, 41)
            let b8 = rotl(a16 ^ d1, 45)
            let b18 = rotl(a17 ^ d2, 15)
            let b3 = rotl(a18 ^ d3, 21)
            let b13 = rotl(a19 ^ d4, 8)
            let b14 = rotl(a20 ^ d0, 18)
            let b24 = rotl(a21 ^ d1, 2)
            let b9 = rotl(a22 ^ d2, 61)
            let b19 = rotl(a23 ^ d3, 56)
            let b4 = rotl(a24 ^ d4, 14)
            // chi with lanes 1, 2, 8, 12, 17 and 20 held complemented (the "lane complementing" transform of
            // the Keccak implementation overview, section 2.2): one NOT per plane instead of five.
            a0 = b0 ^ (b1 | b2)
            a1 = b1 ^ (~b2 | b3)
            a2 = b2 ^ (b3 & b4)
            a3 = b3 ^ (b4 | b0)
            a4 = b4 ^ (b0 & b1)
            a5 = b5 ^ (b6 | b7)
            a6 = b6 ^ (b7 & b8)
            a7 = b7 ^ (b8 | ~b9)
            a8 = b8 ^ (b9 | b5)
            a9 = b9 ^ (b5 & b6)
            let n13 = ~b13
            a10 = b10 ^ (b11 | b12)
            a11 = b11 ^ (b12 & b13)
            a12 = b12 ^ (n13 & b14)
            a13 = n13 ^ (b14 | b10)
            a14 = b14 ^ (b10 & b11)
            let n18 = ~b18
            a15 = b15 ^ (b16 & b17)
            a16 = b16 ^ (b17 | b18)
            a17 = b17 ^ (n18 | b19)
            a18 = n18 ^ (b19 & b15)
            a19 = b19 ^ (b15 | b16)
            let n21 = ~b21
            a20 = b20 ^ (n21 & b22)
            a21 = n21 ^ (b22 | b23)
            a22 = b22 ^ (b23 & b24)
            a23 = b23 ^ (b24 | b20)
            a24 = b24 ^ (b20 & b21)
            a0 ^= roundConstants[round]
        }
        state[0] = a0; state[1] = ~a1; state[2] = ~a2; state[3] = a3; state[4] = a4
        state[5] = a5; state[6] = a6; state[7] = a7; state[8] = ~a8; state[9] = a9
        state[10] = a10; state[11] = a11; state[12] = ~a12; state[13] = a13; state[14] = a14
        state[15] = a15; state[16] = a16; state[17] = ~a17; state[18] = a18; state[19] = a19
        state[20] = ~a20; state[21] = a21; state[22] = a22; state[23] = a23; state[24] = a24
    }
}
