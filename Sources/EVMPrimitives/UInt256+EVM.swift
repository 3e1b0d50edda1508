// EVM opcode semantics that are not plain arithmetic (Yellow Paper, appendix H; EIP-145 for shifts).
// In each, `self` is the first stack operand (the top of the stack) and the argument the second.

extension UInt256 {
    /// The value as a shift or index amount when it is below `limit` (<= 2^63), else nil.
    @inlinable @inline(__always)
    func _smallAmount(below limit: UInt64) -> Int? {
        (w1 | w2 | w3) == 0 && w0 < limit ? Int(truncatingIfNeeded: w0) : nil
    }

    /// EXP: self^e mod 2^256, by square-and-multiply over the exponent's bits.
    @inlinable
    public func exp(_ e: UInt256) -> UInt256 {
        let bits = e.significantBits
        if bits == 0 { return .one }
        // 2^e is a shift: a common case (Solidity computes masks and scale factors this way).
        if (w1 | w2 | w3) == 0 && w0 == 2 {
            return UInt256.one << (bits > 9 ? 256 : Int(truncatingIfNeeded: e.w0))
        }
        var result = UInt256.one
        var base = self
        var i = 0
        while true {
            if e._bit(i) { result = result &* base }
            i += 1
            if i == bits { break }
            base = base &* base
        }
        return result
    }

    /// SIGNEXTEND(b = self, x): copies bit 8b+7 of x into every higher bit; x unchanged when b >= 31.
    @inlinable
    public func signExtend(_ x: UInt256) -> UInt256 {
        guard let b = _smallAmount(below: 31) else { return x }
        let signBit = b &* 8 &+ 7
        let lowMask = UInt256.max._shiftedRight(255 &- signBit) // bits 0...signBit
        return x._bit(signBit) ? x | ~lowMask : x & lowMask
    }

    /// BYTE(i = self, x): byte i of x counting from the most significant (0), 0 when i >= 32.
    @inlinable
    public func byte(_ x: UInt256) -> UInt256 {
        guard let i = _smallAmount(below: 32) else { return .zero }
        let word: UInt64
        switch i >> 3 {
        case 0: word = x.w3
        case 1: word = x.w2
        case 2: word = x.w1
        default: word = x.w0
        }
        return UInt256((word &>> UInt64(truncatingIfNeeded: 56 &- 8 &* (i & 7))) & 0xff)
    }

    /// SHL(shift = self, value): value << shift, 0 when shift >= 256 (EIP-145).
    @inlinable
    public func shl(_ value: UInt256) -> UInt256 {
        guard let s = _smallAmount(below: 256) else { return .zero }
        return value._shiftedLeft(s)
    }

    /// SHR(shift = self, value): logical value >> shift, 0 when shift >= 256 (EIP-145).
    @inlinable
    public func shr(_ value: UInt256) -> UInt256 {
        guard let s = _smallAmount(below: 256) else { return .zero }
        return value._shiftedRight(s)
    }

    /// SAR(shift = self, value): arithmetic shift, floor(value / 2^shift) in two's complement;
    /// for shift >= 256 it is -1 for a negative value and 0 otherwise (EIP-145).
    @inlinable
    public func sar(_ value: UInt256) -> UInt256 {
        let negative = value.isNegative
        guard let s = _smallAmount(below: 256) else { return negative ? .max : .zero }
        // For negative x, floor(x / 2^s) = ~(~x >> s): the complement turns sign fill into zero fill.
        return negative ? ~((~value)._shiftedRight(s)) : value._shiftedRight(s)
    }

    /// SLT: self < b with both read as two's complement.
    @inlinable @inline(__always)
    public func signedLessThan(_ b: UInt256) -> Bool {
        // Flipping the sign bit maps [-2^255, 2^255) onto [0, 2^256) in order.
        let flip: UInt64 = 1 << 63
        return UInt256(w0: w0, w1: w1, w2: w2, w3: w3 ^ flip) < UInt256(w0: b.w0, w1: b.w1, w2: b.w2, w3: b.w3 ^ flip)
    }
}
