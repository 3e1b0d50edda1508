// Bitwise operators and shifts. The EVM forms (SHL, SHR, SAR of EIP-145; BYTE; SIGNEXTEND; SLT) live in
// UInt256+EVM.swift and are built on these.

extension UInt256 {
    @inlinable @inline(__always)
    public static prefix func ~ (a: UInt256) -> UInt256 {
        UInt256(w0: ~a.w0, w1: ~a.w1, w2: ~a.w2, w3: ~a.w3)
    }

    @inlinable @inline(__always)
    public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 & b.w0, w1: a.w1 & b.w1, w2: a.w2 & b.w2, w3: a.w3 & b.w3)
    }

    @inlinable @inline(__always)
    public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 | b.w0, w1: a.w1 | b.w1, w2: a.w2 | b.w2, w3: a.w3 | b.w3)
    }

    @inlinable @inline(__always)
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 ^ b.w0, w1: a.w1 ^ b.w1, w2: a.w2 ^ b.w2, w3: a.w3 ^ b.w3)
    }

    @inlinable @inline(__always)
    public static func &= (a: inout UInt256, b: UInt256) { a = a & b }

    @inlinable @inline(__always)
    public static func |= (a: inout UInt256, b: UInt256) { a = a | b }

    @inlinable @inline(__always)
    public static func ^= (a: inout UInt256, b: UInt256) { a = a ^ b }

    /// self << s for s in 0..<256: a whole-word move, then a bit shift that carries across words.
    @inlinable @inline(__always)
    func _shiftedLeft(_ s: Int) -> UInt256 {
        let a0: UInt64, a1: UInt64, a2: UInt64, a3: UInt64
        switch s >> 6 {
        case 0: (a0, a1, a2, a3) = (w0, w1, w2, w3)
        case 1: (a0, a1, a2, a3) = (0, w0, w1, w2)
        case 2: (a0, a1, a2, a3) = (0, 0, w0, w1)
        default: (a0, a1, a2, a3) = (0, 0, 0, w0)
        }
        let b = UInt64(truncatingIfNeeded: s & 63)
        if b == 0 { return UInt256(w0: a0, w1: a1, w2: a2, w3: a3) }
        let rb = 64 &- b
        return UInt256(w0: a0 &<< b,
                       w1: (a1 &<< b) | (a0 &>> rb),
                       w2: (a2 &<< b) | (a1 &>> rb),
                       w3: (a3 &<< b) | (a2 &>> rb))
    }

    /// self >> s (logical) for s in 0..<256.
    @inlinable @inline(__always)
    func _shiftedRight(_ s: Int) -> UInt256 {
        let a0: UInt64, a1: UInt64, a2: UInt64, a3: UInt64
        switch s >> 6 {
        case 0: (a0, a1, a2, a3) = (w0, w1, w2, w3)
        case 1: (a0, a1, a2, a3) = (w1, w2, w3, 0)
        case 2: (a0, a1, a2, a3) = (w2, w3, 0, 0)
        default: (a0, a1, a2, a3) = (w3, 0, 0, 0)
        }
        let b = UInt64(truncatingIfNeeded: s & 63)
        if b == 0 { return UInt256(w0: a0, w1: a1, w2: a2, w3: a3) }
        let rb = 64 &- b
        return UInt256(w0: (a0 &>> b) | (a1 &<< rb),
                       w1: (a1 &>> b) | (a2 &<< rb),
                       w2: (a2 &>> b) | (a3 &<< rb),
                       w3: a3 &>> b)
    }

    /// Shift left by an `Int`: 256 or more gives 0; a negative amount shifts right, as the standard
    /// library's smart shifts do.
    @inlinable @inline(__always)
    public static func << (a: UInt256, s: Int) -> UInt256 {
        if s < 0 { return s <= -256 ? .zero : a._shiftedRight(0 &- s) }
        return s >= 256 ? .zero : a._shiftedLeft(s)
    }

    /// Logical shift right by an `Int`: 256 or more gives 0; a negative amount shifts left.
    @inlinable @inline(__always)
    public static func >> (a: UInt256, s: Int) -> UInt256 {
        if s < 0 { return s <= -256 ? .zero : a._shiftedLeft(0 &- s) }
        return s >= 256 ? .zero : a._shiftedRight(s)
    }

    @inlinable @inline(__always)
    public static func <<= (a: inout UInt256, s: Int) { a = a << s }

    @inlinable @inline(__always)
    public static func >>= (a: inout UInt256, s: Int) { a = a >> s }
}
