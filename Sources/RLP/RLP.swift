/// Recursive Length Prefix encoding and strict decoding (Yellow Paper, appendix B).
public enum RLP {
    /// `rlp([])`, the empty list: the uncles list of every post-merge block, an empty access list.
    public static let emptyListEncoding: [UInt8] = [0xc0]

    /// `rlp("")`, the empty string: zero as a scalar, an absent `to` address.
    public static let emptyStringEncoding: [UInt8] = [0x80]

    /// Nesting limit of `decode`; Ethereum structures nest a few levels, so this only stops
    /// hostile input from exhausting the stack.
    public static let maxDepth = 1024

    /// Encodes one item.
    public static func encode(_ item: RLPItem) -> [UInt8] {
        var w = RLPWriter()
        w.appendItem(item)
        return w.bytes
    }

    /// The minimal big-endian bytes of an integer (empty for zero), as RLP scalars are stored.
    public static func minimalBigEndian(_ value: UInt64) -> [UInt8] {
        let n = (64 - value.leadingZeroBitCount + 7) / 8
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n { out[i] = UInt8(truncatingIfNeeded: value >> (8 * (n - 1 - i))) }
        return out
    }

    /// Decodes exactly one item that must span the whole input, in canonical form only: a single
    /// byte below 0x80 is never prefixed, the long form is used only for 56 bytes or more, long-form
    /// lengths have no leading zeros, and every list's items fill it exactly.
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> RLPItem {
        guard !bytes.isEmpty else { throw .emptyInput }
        var pos = 0
        let item = try decodeItem(bytes, &pos, end: bytes.count, depth: 0)
        if pos != bytes.count { throw .trailingBytes(offset: pos, count: bytes.count - pos) }
        return item
    }

    /// Where an item's payload lies, read from its prefix.
    public struct Header: Equatable, Sendable {
        /// Whether the item is a list.
        public var isList: Bool
        /// Offset of the first payload byte.
        public var payloadStart: Int
        /// Payload length in bytes.
        public var payloadLength: Int
        /// Offset just past the item.
        public var end: Int { payloadStart + payloadLength }
    }

    /// Reads the prefix of the item at `offset`, checking canonical form and that the item fits
    /// before `end` (the end of the input or of the enclosing list).
    public static func header(_ b: [UInt8], at offset: Int, end: Int) throws(RLPError) -> Header {
        guard offset < end else { throw .truncated(offset: offset, needed: 1, available: 0) }
        let p = b[offset]
        let available = end - offset
        switch p {
        case 0x00...0x7f:
            return Header(isList: false, payloadStart: offset, payloadLength: 1)
        case 0x80...0xb7, 0xc0...0xf7:
            let isList = p >= 0xc0
            let len = Int(p - (isList ? 0xc0 : 0x80))
            guard len + 1 <= available else { throw .truncated(offset: offset, needed: len + 1, available: available) }
            if !isList && len == 1 && b[offset + 1] < 0x80 {
                throw .nonCanonicalSingleByte(offset: offset, byte: b[offset + 1])
            }
            return Header(isList: isList, payloadStart: offset + 1, payloadLength: len)
        default:
            let isList = p >= 0xf8
            let lenOfLen = Int(p - (isList ? 0xf7 : 0xb7))
            guard lenOfLen + 1 <= available else {
                throw .truncated(offset: offset, needed: lenOfLen + 1, available: available)
            }
            if b[offset + 1] == 0 { throw .leadingZeroInLength(offset: offset) }
            var len: UInt64 = 0
            for i in 0..<lenOfLen { len = len << 8 | UInt64(b[offset + 1 + i]) }
            guard len <= UInt64(Int.max) else { throw .lengthOverflow(offset: offset) }
            let length = Int(len)
            if length < 56 { throw .nonCanonicalLongLength(offset: offset, length: length) }
            let headerLength = 1 + lenOfLen
            guard length <= available - headerLength else {
                let (needed, overflow) = headerLength.addingReportingOverflow(length)
                throw .truncated(offset: offset, needed: overflow ? Int.max : needed, available: available)
            }
            return Header(isList: isList, payloadStart: offset + headerLength, payloadLength: length)
        }
    }

    static func decodeItem(_ b: [UInt8], _ pos: inout Int, end: Int, depth: Int) throws(RLPError) -> RLPItem {
        let h = try header(b, at: pos, end: end)
        if !h.isList {
            pos = h.end
            return .bytes(Array(b[h.payloadStart..<h.end]))
        }
        guard depth < maxDepth else { throw .tooDeep(offset: pos, limit: maxDepth) }
        var items: [RLPItem] = []
        var p = h.payloadStart
        while p < h.end {
            items.append(try decodeItem(b, &p, end: h.end, depth: depth + 1))
        }
        pos = h.end
        return .list(items)
    }
}
