/// An unsigned 256-bit integer: four 64-bit words, least significant first, no heap.
/// Arithmetic wraps modulo 2^256 as the EVM's does; signed operations read the value as two's complement.
@frozen public struct UInt256: Hashable, Sendable {
    public var w0: UInt64
    public var w1: UInt64
    public var w2: UInt64
    public var w3: UInt64

    @inlinable @inline(__always)
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    @inlinable @inline(__always)
    public init(_ value: UInt64) { self.init(w0: value, w1: 0, w2: 0, w3: 0) }

    // Computed and inlinable, not `static let`: a global constant of another module is read through a call
    // to its addressor (a once-check) on every use, here in the interpreter's hottest cases.
    @inlinable public static var zero: UInt256 { UInt256(w0: 0, w1: 0, w2: 0, w3: 0) }
    @inlinable public static var one: UInt256 { UInt256(w0: 1, w1: 0, w2: 0, w3: 0) }
    @inlinable public static var max: UInt256 { UInt256(w0: .max, w1: .max, w2: .max, w3: .max) }

    @inlinable public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }
}

extension UInt256 {
    /// A non-negative `Int`; traps on a negative value, which has no unsigned meaning.
    @inlinable @inline(__always)
    public init(_ value: Int) {
        precondition(value >= 0, "UInt256(Int) needs a non-negative value, got \(value)")
        self.init(w0: UInt64(value), w1: 0, w2: 0, w3: 0)
    }

    /// The value if it fits in 64 bits, else nil (EVM code uses this to bound offsets and sizes).
    @inlinable public var u64: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }

    /// True when bit 255 is set: the value is negative read as two's complement.
    @inlinable public var isNegative: Bool { (w3 >> 63) != 0 }

    /// The number of zero bits above the most significant one bit (256 for zero).
    @inlinable public var leadingZeroBitCount: Int {
        if w3 != 0 { return w3.leadingZeroBitCount }
        if w2 != 0 { return 64 + w2.leadingZeroBitCount }
        if w1 != 0 { return 128 + w1.leadingZeroBitCount }
        return 192 + w0.leadingZeroBitCount
    }

    /// The number of zero bits below the least significant one bit (256 for zero).
    @inlinable public var trailingZeroBitCount: Int {
        if w0 != 0 { return w0.trailingZeroBitCount }
        if w1 != 0 { return 64 + w1.trailingZeroBitCount }
        if w2 != 0 { return 128 + w2.trailingZeroBitCount }
        return 192 + w3.trailingZeroBitCount
    }

    /// The bit length: 256 minus the leading zero bits (0 for zero).
    @inlinable public var significantBits: Int { 256 &- leadingZeroBitCount }

    /// The number of significant bytes, as EXP's gas counts the exponent (0 for zero).
    @inlinable public var byteCount: Int { (significantBits &+ 7) >> 3 }

    /// Bit `i` (0 is the least significant), for `i` in 0..<256.
    @inlinable @inline(__always)
    func _bit(_ i: Int) -> Bool {
        let word: UInt64
        switch i >> 6 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return (word &>> UInt64(truncatingIfNeeded: i & 63)) & 1 != 0
    }
}

extension UInt256: Comparable {
    @inlinable @inline(__always)
    public static func < (l: UInt256, r: UInt256) -> Bool {
        // l < r exactly when l - r borrows out of the top word: a branch-free chain of subtractions.
        var (_, b) = l.w0.subtractingReportingOverflow(r.w0)
        (_, b) = UInt256._sbb(l.w1, r.w1, b)
        (_, b) = UInt256._sbb(l.w2, r.w2, b)
        (_, b) = UInt256._sbb(l.w3, r.w3, b)
        return b
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    public typealias IntegerLiteralType = UInt64

    @inlinable @inline(__always)
    public init(integerLiteral value: UInt64) { self.init(w0: value, w1: 0, w2: 0, w3: 0) }
}

extension UInt256: CustomStringConvertible {
    /// Decimal digits, as the vectors and reports print quantities.
    @inlinable public var description: String { decimalString }
}
