/// Escaping for every string that reaches a report from a vector (names, messages, errors): a test name such as
/// `<script>` must print as text in every format.
public enum Escape {
    /// HTML text and attribute values (double- or single-quoted): `& < > " '` become entities, and characters XML
    /// forbids are replaced, so the page also parses as XHTML.
    public static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if isXMLChar(scalar) { out.unicodeScalars.append(scalar) } else { out += "\u{FFFD}" }
            }
        }
        return out
    }

    /// XML 1.0 text and attribute values: as `html`, and tab, line feed and carriage return as character references
    /// so that attribute values keep them (an attribute's raw newline is normalised to a space by parsers).
    public static func xml(_ s: String, attribute: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            default:
                if isXMLChar(scalar) { out.unicodeScalars.append(scalar) } else { out += "\u{FFFD}" }
            }
        }
        return out
    }

    /// Characters XML 1.0 allows (section 2.2): tab, LF, CR, and everything from U+0020 except U+FFFE and U+FFFF.
    /// Swift strings hold no lone surrogates, so those need no check.
    static func isXMLChar(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// Markdown inline text (a table cell, a heading, a list item): HTML's `& < >` as entities (Markdown passes raw
    /// HTML through), Markdown's inline punctuation backslash-escaped, line breaks as spaces.
    public static func markdown(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~", "#", "!": out += "\\" + String(scalar)
            case "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A fenced Markdown code block whose fence is longer than any run of backticks in `code`, so the content cannot
    /// close it early; inside, Markdown shows everything literally.
    public static func markdownCodeBlock(_ code: String, language: String = "") -> String {
        var longest = 0
        var run = 0
        for ch in code {
            if ch == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        let clean = String(String.UnicodeScalarView(code.unicodeScalars.map {
            ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F ? "\u{FFFD}" : $0
        }))
        return fence + language + "\n" + clean + "\n" + fence
    }
}
