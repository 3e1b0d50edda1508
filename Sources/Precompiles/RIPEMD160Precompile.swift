/// 0x03 RIPEMD-160 (Yellow Paper appendix E): the 20-byte digest left-padded to 32 bytes;
/// 600 gas plus 120 per 32-byte word.
enum RIPEMD160Precompile {
    static func gas(inputLength: Int) -> UInt64 {
        PrecompileGas.linear(base: 600, perWord: 120, length: inputLength)
    }

    static func run(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        let cost = gas(inputLength: input.count)
        guard cost <= gasLimit else { return .failure }
        var output = [UInt8](repeating: 0, count: 12)
        output.append(contentsOf: RIPEMD160.hash(input))
        return .success(gasUsed: cost, output: output)
    }
}

/// RIPEMD-160 (Dobbertin, Bosselaers, Preneel, 1996), written out from the published algorithm:
/// two parallel lines of five 16-step rounds over little-endian 32-bit words, MD4-style padding.
enum RIPEMD160 {
    /// Message word read at each step, left line then right line.
    static let wordLeft: [UInt8] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8,
        3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12,
        1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2,
        4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
    ]
    static let wordRight: [UInt8] = [
        5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12,
        6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2,
        15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13,
        8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14,
        12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
    ]
    /// Left-rotation amount at each step.
    static let shiftLeft: [UInt8] = [
        11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8,
        7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12,
        11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5,
        11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12,
        9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
    ]
    static let shiftRight: [UInt8] = [
        8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6,
        9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11,
        9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5,
        15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8,
        8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
    ]
    static let constantLeft: [UInt32] = [0x0000_0000, 0x5A82_7999, 0x6ED9_EBA1, 0x8F1B_BCDC, 0xA953_FD4E]
    static let constantRight: [UInt32] = [0x50A2_8BE6, 0x5C4D_D124, 0x6D70_3EF3, 0x7A6D_76E9, 0x0000_0000]

    /// The five boolean functions; the left line uses them in order 0...4, the right line in reverse.
    @inline(__always)
    static func f(_ round: Int, _ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 {
        switch round {
        case 0: return x ^ y ^ z
        case 1: return (x & y) | (~x & z)
        case 2: return (x | ~y) ^ z
        case 3: return (x & z) | (y & ~z)
        default: return x ^ (y | ~z)
        }
    }

    @inline(__always)
    static func rotl(_ x: UInt32, _ n: UInt8) -> UInt32 { (x << UInt32(n)) | (x >> UInt32(32 - n)) }

    /// The step tables in one array (word indices left and right, then rotations left and right, 80 each),
    /// so the compression loop reads them through a single pointer without bounds checks.
    static let steps: [UInt8] = wordLeft + wordRight + shiftLeft + shiftRight

    /// The 20-byte RIPEMD-160 digest of `message`.
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        // Padding: 0x80, zeros to 56 mod 64, then the bit length as a little-endian 64-bit number.
        var tail = [UInt8](message[(message.count / 64 * 64)...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bitLength = UInt64(message.count) &* 8
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }

        steps.withUnsafeBufferPointer { table in
            guard let table = table.baseAddress else { return }
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { x in
                guard let x = x.baseAddress else { return }
                message.withUnsafeBufferPointer { m in
                    var offset = 0
                    while offset + 64 <= m.count, let base = m.baseAddress {
                        compress(&h, base + offset, x, table)
                        offset += 64
                    }
                }
                tail.withUnsafeBufferPointer { t in
                    var offset = 0
                    while offset < t.count, let base = t.baseAddress {
                        compress(&h, base + offset, x, table)
                        offset += 64
                    }
                }
            }
        }

        var out = [UInt8]()
        out.reserveCapacity(20)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(i)))) }
        }
        return out
    }

    /// Compresses one 64-byte block into the chaining value `h`; `x` is scratch for the 16 message words.
    @inline(__always)
    static func compress(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32), _ block: UnsafePointer<UInt8>,
                         _ x: UnsafeMutablePointer<UInt32>, _ table: UnsafePointer<UInt8>) {
        for i in 0..<16 {
            let p = block + 4 * i
            x[i] = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
        }
        var (al, bl, cl, dl, el) = h
        var (ar, br, cr, dr, er) = h
        for round in 0..<5 {
            let kl = constantLeft[round], kr = constantRight[round]
            for j in (16 * round)..<(16 * round + 16) {
                var t = rotl(al &+ f(round, bl, cl, dl) &+ x[Int(table[j])] &+ kl, table[160 + j]) &+ el
                al = el; el = dl; dl = rotl(cl, 10); cl = bl; bl = t
                t = rotl(ar &+ f(4 - round, br, cr, dr) &+ x[Int(table[80 + j])] &+ kr, table[240 + j]) &+ er
                ar = er; er = dr; dr = rotl(cr, 10); cr = br; br = t
            }
        }
        let t = h.1 &+ cl &+ dr
        h.1 = h.2 &+ dl &+ er
        h.2 = h.3 &+ el &+ ar
        h.3 = h.4 &+ al &+ br
        h.4 = h.0 &+ bl &+ cr
        h.0 = t
    }
}
