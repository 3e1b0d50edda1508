/// One RLP item (Yellow Paper, appendix B): a byte string or a list of items.
public indirect enum RLPItem: Equatable, Sendable {
    case bytes([UInt8])
    case list([RLPItem])

    /// An unsigned integer as RLP stores it: big-endian, no leading zero bytes, zero as the empty string.
    public static func uint(_ value: UInt64) -> RLPItem {
        .bytes(RLP.minimalBigEndian(value))
    }

    /// The byte string, or nil for a list.
    public var bytesValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The list elements, or nil for a byte string.
    public var listValue: [RLPItem]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// Reads the item as a canonical unsigned integer of at most 8 bytes (no leading zeros,
    /// as the Yellow Paper's scalar encoding requires).
    public func uint64() throws(RLPError) -> UInt64 {
        guard case .bytes(let b) = self else { throw .expectedBytes(got: "a list") }
        guard b.count <= 8 else { throw .integerTooLarge(bytes: b.count, max: 8) }
        if let first = b.first, first == 0 { throw .integerLeadingZero }
        var v: UInt64 = 0
        for byte in b { v = v << 8 | UInt64(byte) }
        return v
    }
}
