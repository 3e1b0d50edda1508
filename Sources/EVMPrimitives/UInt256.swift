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

    public static let zero = UInt256(w0: 0, w1: 0, w2: 0, w3: 0)
    public static let one = UInt256(w0: 1, w1: 0, w2: 0, w3: 0)
    public static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)

    @inlinable public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }
}
