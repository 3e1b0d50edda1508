// Conversions between UInt256 and big-endian bytes (the EVM's memory, calldata and storage layout),
// hex strings (the JSON vectors) and decimal strings.

extension UInt256 {
    /// From raw memory holding up to 32 big-endian bytes; fewer bytes are the value itself
    /// (as if left-padded with zeros), as PUSHn and CALLDATALOAD read them.
    @inlinable @inline(__always)
    public init(bigEndian p: UnsafeRawBufferPointer) {
        // 32 bytes (PUSH32, MLOAD, CALLDATALOAD inside the data): four unaligned big-endian loads, no copy.
        if p.count == 32, let base = p.baseAddress {
            self.init(w0: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
                      w1: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                      w2: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                      w3: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
            return
        }
        self.init(bigEndianPadded: p)
    }

    /// Fewer than 32 bytes (or 32 without a base address): right-aligned into a zeroed block.
    @usableFromInline
    init(bigEndianPadded p: UnsafeRawBufferPointer) {
        let n = p.count
        precondition(n <= 32, "UInt256 holds at most 32 bytes, got \(n)")
        // Copy right-aligned into a zeroed 32-byte block, then load four big-endian words.
        var block: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &block) { dst in
            UnsafeMutableRawBufferPointer(rebasing: dst[(32 - n)...]).copyMemory(from: p)
        }
        self.init(w0: UInt64(bigEndian: block.3), w1: UInt64(bigEndian: block.2),
                  w2: UInt64(bigEndian: block.1), w3: UInt64(bigEndian: block.0))
    }

    /// From up to 32 big-endian bytes; fewer bytes are the value itself (left-padded).
    @inlinable
    public init<C: Collection>(bigEndianBytes bytes: C) where C.Element == UInt8 {
        if let v = bytes.withContiguousStorageIfAvailable({ UInt256(bigEndian: UnsafeRawBufferPointer($0)) }) {
            self = v
            return
        }
        precondition(bytes.count <= 32, "UInt256 holds at most 32 bytes, got \(bytes.count)")
        var v = UInt256.zero
        for byte in bytes {
            v = UInt256(w0: (v.w0 &<< 8) | UInt64(byte), w1: (v.w1 &<< 8) | (v.w0 &>> 56),
                        w2: (v.w2 &<< 8) | (v.w1 &>> 56), w3: (v.w3 &<< 8) | (v.w2 &>> 56))
        }
        self = v
    }

    /// Writes exactly 32 big-endian bytes at `p` (no alignment needed), as MSTORE does.
    @inlinable @inline(__always)
    public func storeBigEndian(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: w3.bigEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: w2.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: w1.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: w0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// Exactly 32 big-endian bytes.
    @inlinable public var bigEndianBytes: [UInt8] {
        let block = (w3.bigEndian, w2.bigEndian, w1.bigEndian, w0.bigEndian)
        return withUnsafeBytes(of: block) { Array($0) }
    }

    /// Big-endian bytes without leading zero bytes (RLP's integer encoding); zero gives [].
    @inlinable public var minimalBigEndianBytes: [UInt8] {
        let block = (w3.bigEndian, w2.bigEndian, w1.bigEndian, w0.bigEndian)
        let skip = 32 &- byteCount
        return withUnsafeBytes(of: block) { Array($0[skip...]) }
    }

    /// "0x" and the lowercase hex digits without leading zeros; zero is "0x0" (the JSON-RPC quantity form).
    @inlinable public var hexString: String {
        let digits = Swift.max(1, (significantBits &+ 3) >> 2)
        return String(unsafeUninitializedCapacity: digits &+ 2) { out in
            out[0] = 0x30 // "0"
            out[1] = 0x78 // "x"
            var k = 0
            while k < digits {
                let nibbleIndex = digits &- 1 &- k // from the most significant
                let word: UInt64
                switch nibbleIndex >> 4 {
                case 0: word = w0
                case 1: word = w1
                case 2: word = w2
                default: word = w3
                }
                let nibble = UInt8(truncatingIfNeeded: word &>> UInt64(truncatingIfNeeded: (nibbleIndex & 15) &* 4)) & 0xf
                out[2 &+ k] = nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble // '0'...'9', 'a'...'f'
                k += 1
            }
            return digits &+ 2
        }
    }

    /// The value of one ASCII hex digit, or nil.
    @inlinable @inline(__always)
    static func _hexDigitValue(_ c: UInt8) -> UInt64? {
        switch c {
        case 0x30...0x39: return UInt64(c &- 0x30)
        case 0x61...0x66: return UInt64(c &- 0x61 &+ 10)
        case 0x41...0x46: return UInt64(c &- 0x41 &+ 10)
        default: return nil
        }
    }

    /// From hex, "0x"-prefixed or bare; "0x" alone is zero and an odd digit count is fine.
    /// Throws `HexError.tooLong` past 32 bytes (64 digits) and `.invalidCharacter` for a non-hex digit.
    @inlinable
    public init(hex: String) throws(HexError) {
        let utf8 = hex.utf8
        var index = utf8.startIndex
        var digitCount = utf8.count
        if digitCount >= 2 {
            let second = utf8.index(after: index)
            if utf8[index] == 0x30 && (utf8[second] == 0x78 || utf8[second] == 0x58) {
                index = utf8.index(after: second)
                digitCount -= 2
            }
        }
        let byteLength = (digitCount + 1) / 2
        if byteLength > 32 { throw HexError.tooLong(max: 32, got: byteLength, hex) }
        var v = UInt256.zero
        while index != utf8.endIndex {
            guard let d = UInt256._hexDigitValue(utf8[index]) else { throw HexError.invalidCharacter(hex) }
            v = UInt256(w0: (v.w0 &<< 4) | d, w1: (v.w1 &<< 4) | (v.w0 &>> 60),
                        w2: (v.w2 &<< 4) | (v.w1 &>> 60), w3: (v.w3 &<< 4) | (v.w2 &>> 60))
            index = utf8.index(after: index)
        }
        self = v
    }

    /// From decimal digits only (no sign, no separators); nil when empty, not decimal, or >= 2^256.
    @inlinable
    public init?(decimal: String) {
        var v = UInt256.zero
        var sawDigit = false
        for c in decimal.utf8 {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (p, carry) = v._multipliedAdding(10, UInt64(c &- 0x30))
            guard carry == 0 else { return nil }
            v = p
            sawDigit = true
        }
        guard sawDigit else { return nil }
        self = v
    }

    /// Decimal digits: chunks of 19 digits by short division by 10^19, written right to left.
    @inlinable var decimalString: String {
        if (w1 | w2 | w3) == 0 { return String(w0) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 80) { buf -> String in
            var pos = 80
            var v = self
            while true {
                let (q, chunk) = v._quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
                var c = chunk
                if q.isZero {
                    repeat { pos -= 1; buf[pos] = 0x30 &+ UInt8(truncatingIfNeeded: c % 10); c /= 10 } while c != 0
                    break
                }
                for _ in 0..<19 { pos -= 1; buf[pos] = 0x30 &+ UInt8(truncatingIfNeeded: c % 10); c /= 10 }
                v = q
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buf[pos...]), as: UTF8.self)
        }
    }
}
