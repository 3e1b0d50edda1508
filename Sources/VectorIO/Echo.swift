/// Text from input files (paths, JSON keys, values, test names) as it may be echoed in messages, names and reports:
/// control characters (C0, DEL, C1) and the Unicode bidirectional overrides escaped as `\u{..}`, and text longer than
/// the limit cut, with its full length in bytes shown (`0xaaaa...[200000002 bytes]`). Text that is short and printable
/// ASCII comes back unchanged without copying.
public enum Echo {
    /// The default limit for keys and values.
    public static let valueLimit = 100
    /// The default limit for paths and names.
    public static let pathLimit = 300

    /// `s` as it may be echoed: escaped and cut to about `limit` bytes.
    public static func clip(_ s: String, limit: Int = valueLimit) -> String {
        var plain = true
        var count = 0
        for b in s.utf8 {
            count += 1
            if b < 0x20 || b >= 0x7f { plain = false }
        }
        if plain && count <= limit { return s }
        var out = ""
        var used = 0
        var cut = false
        for scalar in s.unicodeScalars {
            let piece = isHostile(scalar) ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            if used + piece.utf8.count > limit {
                cut = true
                break
            }
            out += piece
            used += piece.utf8.count
        }
        if cut { out += "...[\(count) bytes]" }
        return out
    }

    /// A path or name as it may be echoed.
    public static func path(_ s: String) -> String { clip(s, limit: pathLimit) }

    /// Characters that must not reach a terminal or a report raw: C0 controls, DEL, C1 controls, line and
    /// paragraph separators, and the bidirectional embeddings, overrides and isolates (they reorder what follows).
    static func isHostile(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
            return true
        default:
            return false
        }
    }
}
