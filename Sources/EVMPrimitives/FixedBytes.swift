/// A 20-byte Ethereum address, stored inline (no heap).
@frozen public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    // Big-endian: a = bytes 0..<8, b = bytes 8..<16, c = bytes 16..<20.
    public var a: UInt64
    public var b: UInt64
    public var c: UInt32

    @inlinable public init(a: UInt64, b: UInt64, c: UInt32) { self.a = a; self.b = b; self.c = c }

    public static let zero = Address(a: 0, b: 0, c: 0)

    /// From exactly 20 big-endian bytes.
    @inlinable public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 20, "Address needs 20 bytes")
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        var i = 0
        for byte in bytes {
            if i < 8 { a = a << 8 | UInt64(byte) } else if i < 16 { b = b << 8 | UInt64(byte) } else { c = c << 8 | UInt32(byte) }
            i += 1
        }
        self.init(a: a, b: b, c: c)
    }

    /// The low 20 bytes of a 256-bit word (as the EVM truncates stack values to addresses).
    @inlinable public init(truncating v: UInt256) {
        // The address is bytes 12..<32 of the big-endian word; w2 holds bytes 8..<16, w1 16..<24, w0 24..<32.
        self.init(a: (v.w2 << 32) | (v.w1 >> 32), b: (v.w1 << 32) | (v.w0 >> 32), c: UInt32(truncatingIfNeeded: v.w0))
    }

    public init(hex: String) throws(HexError) {
        self.init(try Hex.decode(hex, exactly: 20))
    }

    /// As a 256-bit word (zero-extended).
    @inlinable public var word: UInt256 {
        UInt256(w0: (b << 32) | UInt64(c), w1: (a << 32) | (b >> 32), w2: a >> 32, w3: 0)
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: a >> (56 - 8 * i)) }
        for i in 0..<8 { out[8 + i] = UInt8(truncatingIfNeeded: b >> (56 - 8 * i)) }
        for i in 0..<4 { out[16 + i] = UInt8(truncatingIfNeeded: c >> (24 - 8 * i)) }
        return out
    }

    @inlinable public static func < (l: Address, r: Address) -> Bool {
        (l.a, l.b, l.c) < (r.a, r.b, r.c)
    }

    public var description: String { Hex.encode(bytes) }
}

/// A 32-byte hash (Keccak-256 output, storage keys as bytes, block hashes), stored inline.
@frozen public struct Hash32: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Big-endian words: w0 holds bytes 0..<8.
    public var w0, w1, w2, w3: UInt64

    @inlinable public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public static let zero = Hash32(w0: 0, w1: 0, w2: 0, w3: 0)

    @inlinable public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 32, "Hash32 needs 32 bytes")
        var w = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var i = 0
        for byte in bytes {
            switch i >> 3 {
            case 0: w.0 = w.0 << 8 | UInt64(byte)
            case 1: w.1 = w.1 << 8 | UInt64(byte)
            case 2: w.2 = w.2 << 8 | UInt64(byte)
            default: w.3 = w.3 << 8 | UInt64(byte)
            }
            i += 1
        }
        self.init(w0: w.0, w1: w.1, w2: w.2, w3: w.3)
    }

    public init(hex: String) throws(HexError) {
        self.init(try Hex.decode(hex, exactly: 32))
    }

    /// The hash read as a big-endian 256-bit number.
    @inlinable public init(_ word: UInt256) {
        self.init(w0: word.w3, w1: word.w2, w2: word.w1, w3: word.w0)
    }

    @inlinable public var word: UInt256 { UInt256(w0: w3, w1: w2, w2: w1, w3: w0) }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for (j, w) in [w0, w1, w2, w3].enumerated() {
            for i in 0..<8 { out[j * 8 + i] = UInt8(truncatingIfNeeded: w >> (56 - 8 * i)) }
        }
        return out
    }

    @inlinable public static func < (l: Hash32, r: Hash32) -> Bool {
        (l.w0, l.w1, l.w2, l.w3) < (r.w0, r.w1, r.w2, r.w3)
    }

    public var description: String { Hex.encode(bytes) }
}
