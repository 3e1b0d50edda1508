/// Hex encoding and decoding of byte strings, with errors that say what was wrong.
public enum HexError: Error, Equatable, CustomStringConvertible {
    case invalidCharacter(String)
    case wrongLength(expected: Int, got: Int, String)
    case tooLong(max: Int, got: Int, String)

    public var description: String {
        switch self {
        case .invalidCharacter(let s): return "invalid hex string \(Hex.preview(s))"
        case .wrongLength(let e, let g, let s): return "expected \(e) bytes of hex, got \(g) in \(Hex.preview(s))"
        case .tooLong(let m, let g, let s): return "hex value of \(g) bytes exceeds \(m) bytes: \(Hex.preview(s))"
        }
    }
}

public enum Hex {
    @usableFromInline static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func preview(_ s: String) -> String {
        s.count > 80 ? "\"\(s.prefix(77))...\"" : "\"\(s)\""
    }

    @inline(__always) static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c &- 0x30
        case 0x61...0x66: return c &- 0x61 &+ 10
        case 0x41...0x46: return c &- 0x41 &+ 10
        default: return nil
        }
    }

    /// Decodes `0x`-prefixed (or bare) hex. An odd number of digits is read as if left-padded with a zero.
    public static func decode(_ string: String) throws(HexError) -> [UInt8] {
        var s = string
        // String.withUTF8 rethrows untyped errors, so the typed error travels out in a Result.
        return try s.withUTF8 { buf in Result { () throws(HexError) -> [UInt8] in
            var start = 0
            if buf.count >= 2 && buf[0] == 0x30 && (buf[1] == 0x78 || buf[1] == 0x58) { start = 2 }
            let n = buf.count - start
            var out = [UInt8](repeating: 0, count: (n + 1) / 2)
            var i = start
            var o = 0
            if n % 2 == 1 {
                guard let v = nibble(buf[i]) else { throw .invalidCharacter(string) }
                out[0] = v; i += 1; o = 1
            }
            while i < buf.count {
                guard let hi = nibble(buf[i]), let lo = nibble(buf[i + 1]) else { throw .invalidCharacter(string) }
                out[o] = hi << 4 | lo
                i += 2; o += 1
            }
            return out
        } }.get()
    }

    /// Decodes hex that must hold exactly `count` bytes.
    public static func decode(_ string: String, exactly count: Int) throws(HexError) -> [UInt8] {
        let bytes = try decode(string)
        guard bytes.count == count else { throw .wrongLength(expected: count, got: bytes.count, string) }
        return bytes
    }

    /// `0x`-prefixed lowercase hex.
    public static func encode<C: Collection>(_ bytes: C, prefix: Bool = true) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2 + 2)
        if prefix { out.append(0x30); out.append(0x78) }
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
