/// Why RLP input was rejected; offsets are byte positions in the decoded input.
public enum RLPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// There was no byte at all where an item was expected.
    case emptyInput
    /// The item at `offset` declares `needed` bytes (prefix included) but only `available` remain
    /// in the input or the enclosing list.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A one-byte string below 0x80 was written with a 0x81 prefix; it must be the byte itself.
    case nonCanonicalSingleByte(offset: Int, byte: UInt8)
    /// A long-form prefix (0xb8..0xbf, 0xf8..0xff) was used for a payload shorter than 56 bytes.
    case nonCanonicalLongLength(offset: Int, length: Int)
    /// A long-form length starts with a zero byte.
    case leadingZeroInLength(offset: Int)
    /// A long-form length does not fit in a machine integer.
    case lengthOverflow(offset: Int)
    /// Bytes remain after the top-level item.
    case trailingBytes(offset: Int, count: Int)
    /// Lists nest deeper than the decoder allows (guards the stack against hostile input).
    case tooDeep(offset: Int, limit: Int)
    /// A typed accessor wanted a byte string.
    case expectedBytes(got: String)
    /// A scalar had leading zero bytes.
    case integerLeadingZero
    /// A scalar is longer than the target integer.
    case integerTooLarge(bytes: Int, max: Int)

    public var description: String {
        switch self {
        case .emptyInput:
            return "RLP: empty input, expected an item"
        case .truncated(let o, let n, let a):
            return "RLP: item at offset \(o) needs \(n) bytes but only \(a) remain"
        case .nonCanonicalSingleByte(let o, let b):
            return "RLP: non-canonical string at offset \(o): single byte 0x\(String(b, radix: 16)) below 0x80 must not have a 0x81 prefix"
        case .nonCanonicalLongLength(let o, let l):
            return "RLP: non-canonical long-form length \(l) at offset \(o); lengths below 56 use the short form"
        case .leadingZeroInLength(let o):
            return "RLP: long-form length at offset \(o) has a leading zero byte"
        case .lengthOverflow(let o):
            return "RLP: long-form length at offset \(o) overflows"
        case .trailingBytes(let o, let c):
            return "RLP: \(c) trailing bytes after the item, starting at offset \(o)"
        case .tooDeep(let o, let l):
            return "RLP: lists nested deeper than \(l) at offset \(o)"
        case .expectedBytes(let got):
            return "RLP: expected a byte string, got \(got)"
        case .integerLeadingZero:
            return "RLP: integer has a leading zero byte"
        case .integerTooLarge(let b, let m):
            return "RLP: integer of \(b) bytes exceeds \(m) bytes"
        }
    }
}
