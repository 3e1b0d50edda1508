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
        // The 25 state words on the stack, no heap.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { scratch -> Hash32 in
            guard let state = scratch.baseAddress else { return .zero }
            state.initialize(repeating: 0, count: 25)
            let count = buffer.count
            var offset = 0
            // The last block's partial lane holds the remaining bytes and then the first padding byte
            // 0x01; with no bytes left it is lane 0 holding just 0x01.
            var partialLane = 0
            var partial: UInt64 = 0x01
            if let base = buffer.baseAddress {
                while count - offset >= rate {
                    absorb(state, base + offset)
                    permute(state)
                    offset += rate
                }
                // Last block, read in place: the whole lanes of the remaining 0...135 bytes, then the
                // partial one byte by byte (no zeroed copy of the block).
                let tail = base + offset
                let remaining = count - offset
                partialLane = remaining &>> 3
                for i in 0..<partialLane {
                    state[i] ^= UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: 8 &* i, as: UInt64.self))
                }
                let bytes = remaining & 7
                var lane: UInt64 = 0
                for j in 0..<bytes {
                    lane |= UInt64(tail.load(fromByteOffset: 8 &* partialLane &+ j, as: UInt8.self)) &<< UInt64(8 &* j)
                }
                partial = lane | (0x01 &<< UInt64(8 &* bytes))
            }
            // The multi-rate padding 0x01 ... 0x80: the two share one byte, 0x81, when 135 bytes remain
            // (the partial lane is then lane 16, the last of the rate).
            state[partialLane] ^= partial
            state[rate / 8 - 1] ^= 0x8000_0000_0000_0000
            permute(state)
            // The digest is the first 32 bytes of the state, each lane little-endian; Hash32 keeps
            // big-endian words, so each lane is byte-swapped.
            return Hash32(w0: state[0].byteSwapped, w1: state[1].byteSwapped,
                          w2: state[2].byteSwapped, w3: state[3].byteSwapped)
        }
    }

    /// Hashes an address's 20 bytes (big-endian, as `Address.bytes`) from a stack copy: no array.
    public static func hash(_ address: Address) -> Hash32 {
        var words = (address.a.bigEndian, address.b.bigEndian, address.c.bigEndian)
        return withUnsafeBytes(of: &words) { hash(UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
    }

    /// Hashes a 32-byte hash or word's bytes (big-endian, as `Hash32.bytes`) from a stack copy: no array.
    public static func hash(_ word: Hash32) -> Hash32 {
        var words = (word.w0.bigEndian, word.w1.bigEndian, word.w2.bigEndian, word.w3.bigEndian)
        return withUnsafeBytes(of: &words) { hash(UnsafeRawBufferPointer(rebasing: $0[0..<32])) }
    }

    /// Hashes a 256-bit word's 32 big-endian bytes (as `UInt256.bigEndianBytes`, e.g. a storage slot) from a
    /// stack copy: no array.
    public static func hash(_ word: UInt256) -> Hash32 {
        var words = (word.w3.bigEndian, word.w2.bigEndian, word.w1.bigEndian, word.w0.bigEndian)
        return withUnsafeBytes(of: &words) { hash(UnsafeRawBufferPointer(rebasing: $0[0..<32])) }
    }

    /// The CREATE2 address (EIP-1014): the low 20 bytes of keccak(0xff ++ sender ++ salt ++ initCodeHash), the
    /// 85-byte preimage built on the stack.
    public static func create2Address(sender: Address, salt: UInt256, initCodeHash: Hash32) -> Address {
        // 0xff at byte 7 so that the sender starts on a lane boundary (byte 8 of 96); bytes 7..<92 are hashed.
        var words = (UInt64(0xff).bigEndian, sender.a.bigEndian, sender.b.bigEndian,
                     (UInt64(sender.c) << 32 | salt.w3 >> 32).bigEndian,
                     (salt.w3 << 32 | salt.w2 >> 32).bigEndian, (salt.w2 << 32 | salt.w1 >> 32).bigEndian,
                     (salt.w1 << 32 | salt.w0 >> 32).bigEndian,
                     (salt.w0 << 32 | initCodeHash.w0 >> 32).bigEndian,
                     (initCodeHash.w0 << 32 | initCodeHash.w1 >> 32).bigEndian,
                     (initCodeHash.w1 << 32 | initCodeHash.w2 >> 32).bigEndian,
                     (initCodeHash.w2 << 32 | initCodeHash.w3 >> 32).bigEndian,
                     (initCodeHash.w3 << 32).bigEndian)
        let h = withUnsafeBytes(of: &words) { hash(UnsafeRawBufferPointer(rebasing: $0[7..<92])) }
        return Address(truncating: h.word)
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
    /// (lane (x, y) is `a[x + 5y]`). Each loop iteration runs two rounds: the first from the lanes `a`
    /// into a second set `e`, the second from `e` back into `a` (the two alternating lane sets of the
    /// Keccak team's portable 64-bit code). Within a round, theta's column parities `c` and their
    /// effects `d` come first, then `t` = each lane with its `d` applied, then plane by plane (five
    /// output lanes of the same y) the five rotated, moved lanes `b` (rho and pi) and chi on them.
    /// Lanes 1, 2, 8, 12, 17 and 20 are held complemented (the "lane complementing" transform of the
    /// Keccak implementation overview, section 2.2): chi then needs one NOT per plane instead of five.
    ///
    /// 25 lanes do not fit in x86-64's registers, so what costs is the compiler's spilling, and that
    /// depends on the statements' order: this form takes 5,428 instructions a call (callgrind, x86-64
    /// release build), the one-round loop before it 5,848; carrying theta's parities from chi into
    /// the next round (5,475), applying `d` inside each rho (5,493) or unrolling four rounds (more)
    /// measured worse.
    static func permute(_ state: UnsafeMutablePointer<UInt64>) {
        var a0 = state[0], a1 = ~state[1], a2 = ~state[2], a3 = state[3], a4 = state[4]
        var a5 = state[5], a6 = state[6], a7 = state[7], a8 = ~state[8], a9 = state[9]
        var a10 = state[10], a11 = state[11], a12 = ~state[12], a13 = state[13], a14 = state[14]
        var a15 = state[15], a16 = state[16], a17 = ~state[17], a18 = state[18], a19 = state[19]
        var a20 = ~state[20], a21 = state[21], a22 = state[22], a23 = state[23], a24 = state[24]
        var e0: UInt64 = 0, e1: UInt64 = 0, e2: UInt64 = 0, e3: UInt64 = 0, e4: UInt64 = 0
        var e5: UInt64 = 0, e6: UInt64 = 0, e7: UInt64 = 0, e8: UInt64 = 0, e9: UInt64 = 0
        var e10: UInt64 = 0, e11: UInt64 = 0, e12: UInt64 = 0, e13: UInt64 = 0, e14: UInt64 = 0
        var e15: UInt64 = 0, e16: UInt64 = 0, e17: UInt64 = 0, e18: UInt64 = 0, e19: UInt64 = 0
        var e20: UInt64 = 0, e21: UInt64 = 0, e22: UInt64 = 0, e23: UInt64 = 0, e24: UInt64 = 0
        var round = 0
        repeat {
            do {  // Round `round`: a -> e.
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
                let t0 = a0 ^ d0
                let t1 = a1 ^ d1
                let t2 = a2 ^ d2
                let t3 = a3 ^ d3
                let t4 = a4 ^ d4
                let t5 = a5 ^ d0
                let t6 = a6 ^ d1
                let t7 = a7 ^ d2
                let t8 = a8 ^ d3
                let t9 = a9 ^ d4
                let t10 = a10 ^ d0
                let t11 = a11 ^ d1
                let t12 = a12 ^ d2
                let t13 = a13 ^ d3
                let t14 = a14 ^ d4
                let t15 = a15 ^ d0
                let t16 = a16 ^ d1
                let t17 = a17 ^ d2
                let t18 = a18 ^ d3
                let t19 = a19 ^ d4
                let t20 = a20 ^ d0
                let t21 = a21 ^ d1
                let t22 = a22 ^ d2
                let t23 = a23 ^ d3
                let t24 = a24 ^ d4
                let b0 = t0
                let b1 = rotl(t6, 44)
                let b2 = rotl(t12, 43)
                let b3 = rotl(t18, 21)
                let b4 = rotl(t24, 14)
                e0 = b0 ^ (b1 | b2)
                e1 = b1 ^ (~b2 | b3)
                e2 = b2 ^ (b3 & b4)
                e3 = b3 ^ (b4 | b0)
                e4 = b4 ^ (b0 & b1)
                let b5 = rotl(t3, 28)
                let b6 = rotl(t9, 20)
                let b7 = rotl(t10, 3)
                let b8 = rotl(t16, 45)
                let b9 = rotl(t22, 61)
                e5 = b5 ^ (b6 | b7)
                e6 = b6 ^ (b7 & b8)
                e7 = b7 ^ (b8 | ~b9)
                e8 = b8 ^ (b9 | b5)
                e9 = b9 ^ (b5 & b6)
                let b10 = rotl(t1, 1)
                let b11 = rotl(t7, 6)
                let b12 = rotl(t13, 25)
                let b13 = rotl(t19, 8)
                let b14 = rotl(t20, 18)
                let n10 = ~b13
                e10 = b10 ^ (b11 | b12)
                e11 = b11 ^ (b12 & b13)
                e12 = b12 ^ (n10 & b14)
                e13 = n10 ^ (b14 | b10)
                e14 = b14 ^ (b10 & b11)
                let b15 = rotl(t4, 27)
                let b16 = rotl(t5, 36)
                let b17 = rotl(t11, 10)
                let b18 = rotl(t17, 15)
                let b19 = rotl(t23, 56)
                let n15 = ~b18
                e15 = b15 ^ (b16 & b17)
                e16 = b16 ^ (b17 | b18)
                e17 = b17 ^ (n15 | b19)
                e18 = n15 ^ (b19 & b15)
                e19 = b19 ^ (b15 | b16)
                let b20 = rotl(t2, 62)
                let b21 = rotl(t8, 55)
                let b22 = rotl(t14, 39)
                let b23 = rotl(t15, 41)
                let b24 = rotl(t21, 2)
                let n20 = ~b21
                e20 = b20 ^ (n20 & b22)
                e21 = n20 ^ (b22 | b23)
                e22 = b22 ^ (b23 & b24)
                e23 = b23 ^ (b24 | b20)
                e24 = b24 ^ (b20 & b21)
                e0 ^= Keccak256.roundConstants[round]
            }
            do {  // Round `round + 1`: e -> a.
                let c0 = e0 ^ e5 ^ e10 ^ e15 ^ e20
                let c1 = e1 ^ e6 ^ e11 ^ e16 ^ e21
                let c2 = e2 ^ e7 ^ e12 ^ e17 ^ e22
                let c3 = e3 ^ e8 ^ e13 ^ e18 ^ e23
                let c4 = e4 ^ e9 ^ e14 ^ e19 ^ e24
                let d0 = c4 ^ rotl(c1, 1)
                let d1 = c0 ^ rotl(c2, 1)
                let d2 = c1 ^ rotl(c3, 1)
                let d3 = c2 ^ rotl(c4, 1)
                let d4 = c3 ^ rotl(c0, 1)
                let t0 = e0 ^ d0
                let t1 = e1 ^ d1
                let t2 = e2 ^ d2
                let t3 = e3 ^ d3
                let t4 = e4 ^ d4
                let t5 = e5 ^ d0
                let t6 = e6 ^ d1
                let t7 = e7 ^ d2
                let t8 = e8 ^ d3
                let t9 = e9 ^ d4
                let t10 = e10 ^ d0
                let t11 = e11 ^ d1
                let t12 = e12 ^ d2
                let t13 = e13 ^ d3
                let t14 = e14 ^ d4
                let t15 = e15 ^ d0
                let t16 = e16 ^ d1
                let t17 = e17 ^ d2
                let t18 = e18 ^ d3
                let t19 = e19 ^ d4
                let t20 = e20 ^ d0
                let t21 = e21 ^ d1
                let t22 = e22 ^ d2
                let t23 = e23 ^ d3
                let t24 = e24 ^ d4
                let b0 = t0
                let b1 = rotl(t6, 44)
                let b2 = rotl(t12, 43)
                let b3 = rotl(t18, 21)
                let b4 = rotl(t24, 14)
                a0 = b0 ^ (b1 | b2)
                a1 = b1 ^ (~b2 | b3)
                a2 = b2 ^ (b3 & b4)
                a3 = b3 ^ (b4 | b0)
                a4 = b4 ^ (b0 & b1)
                let b5 = rotl(t3, 28)
                let b6 = rotl(t9, 20)
                let b7 = rotl(t10, 3)
                let b8 = rotl(t16, 45)
                let b9 = rotl(t22, 61)
                a5 = b5 ^ (b6 | b7)
                a6 = b6 ^ (b7 & b8)
                a7 = b7 ^ (b8 | ~b9)
                a8 = b8 ^ (b9 | b5)
                a9 = b9 ^ (b5 & b6)
                let b10 = rotl(t1, 1)
                let b11 = rotl(t7, 6)
                let b12 = rotl(t13, 25)
                let b13 = rotl(t19, 8)
                let b14 = rotl(t20, 18)
                let n10 = ~b13
                a10 = b10 ^ (b11 | b12)
                a11 = b11 ^ (b12 & b13)
                a12 = b12 ^ (n10 & b14)
                a13 = n10 ^ (b14 | b10)
                a14 = b14 ^ (b10 & b11)
                let b15 = rotl(t4, 27)
                let b16 = rotl(t5, 36)
                let b17 = rotl(t11, 10)
                let b18 = rotl(t17, 15)
                let b19 = rotl(t23, 56)
                let n15 = ~b18
                a15 = b15 ^ (b16 & b17)
                a16 = b16 ^ (b17 | b18)
                a17 = b17 ^ (n15 | b19)
                a18 = n15 ^ (b19 & b15)
                a19 = b19 ^ (b15 | b16)
                let b20 = rotl(t2, 62)
                let b21 = rotl(t8, 55)
                let b22 = rotl(t14, 39)
                let b23 = rotl(t15, 41)
                let b24 = rotl(t21, 2)
                let n20 = ~b21
                a20 = b20 ^ (n20 & b22)
                a21 = n20 ^ (b22 | b23)
                a22 = b22 ^ (b23 & b24)
                a23 = b23 ^ (b24 | b20)
                a24 = b24 ^ (b20 & b21)
                a0 ^= Keccak256.roundConstants[round + 1]
            }
            round += 2
        } while round < 24
        state[0] = a0; state[1] = ~a1; state[2] = ~a2; state[3] = a3; state[4] = a4
        state[5] = a5; state[6] = a6; state[7] = a7; state[8] = ~a8; state[9] = a9
        state[10] = a10; state[11] = a11; state[12] = ~a12; state[13] = a13; state[14] = a14
        state[15] = a15; state[16] = a16; state[17] = ~a17; state[18] = a18; state[19] = a19
        state[20] = ~a20; state[21] = a21; state[22] = a22; state[23] = a23; state[24] = a24
    }
}
