/// A key that appears twice in one JSON object.
public struct DuplicateJSONKey: Sendable, Equatable, CustomStringConvertible {
    /// The key (as echoed: escaped and cut, see `Echo`).
    public var key: String
    /// The path of the object holding it (`pre.0x1234`, `txs[3]`; empty for the top level).
    public var path: String
    /// The byte offset of its second appearance.
    public var offset: Int

    public var description: String {
        "duplicate key \"\(key)\" in \(path.isEmpty ? "the top-level object" : path) (second at byte \(offset))"
    }
}

/// JSON parsers (Foundation's among them) keep the last of two equal keys in an object and say nothing; vectors must
/// not depend on that. `JSONKeys.firstDuplicate` finds such a key by one scan over the text, without recursion (so
/// any nesting depth is safe) and without building the values. Keys are compared after decoding their escapes, as a
/// parser would. Text that is not JSON gives some answer without failing; callers parse it first.
public enum JSONKeys {
    public static func firstDuplicate(in bytes: [UInt8]) -> DuplicateJSONKey? {
        bytes.withUnsafeBufferPointer { scan($0) }
    }

    private struct Level {
        var isObject: Bool
        var expectingKey: Bool
        /// The key of the value being read (objects), as a byte range of the input.
        var key: Range<Int>
        /// The index of the element being read (arrays).
        var index: Int
    }

    private static func scan(_ b: UnsafeBufferPointer<UInt8>) -> DuplicateJSONKey? {
        var levels: [Level] = []
        // One key set per object nesting depth, reused from object to object.
        var keySets: [Set<[UInt8]>] = []
        var objectDepth = 0
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            switch c {
            case UInt8(ascii: "{"):
                levels.append(Level(isObject: true, expectingKey: true, key: 0..<0, index: 0))
                if objectDepth == keySets.count { keySets.append([]) } else { keySets[objectDepth].removeAll(keepingCapacity: true) }
                objectDepth += 1
            case UInt8(ascii: "["):
                levels.append(Level(isObject: false, expectingKey: false, key: 0..<0, index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let last = levels.popLast(), last.isObject { objectDepth -= 1 }
            case UInt8(ascii: ","):
                if !levels.isEmpty {
                    if levels[levels.count - 1].isObject { levels[levels.count - 1].expectingKey = true }
                    else { levels[levels.count - 1].index += 1 }
                }
            case UInt8(ascii: "\""):
                var j = i + 1
                var escaped = false
                while j < n && b[j] != UInt8(ascii: "\"") {
                    if b[j] == UInt8(ascii: "\\") { escaped = true; j += 1 }
                    j += 1
                }
                let range = (i + 1)..<min(j, n)
                if let top = levels.last, top.isObject, top.expectingKey {
                    levels[levels.count - 1].expectingKey = false
                    levels[levels.count - 1].key = range
                    let key = escaped ? unescape(b, range) : Array(b[range])
                    if !keySets[objectDepth - 1].insert(key).inserted {
                        levels.removeLast()
                        return DuplicateJSONKey(key: Echo.clip(String(decoding: key, as: UTF8.self)),
                                                path: path(levels, b), offset: i)
                    }
                }
                i = j
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// The key path of the value being read at each level.
    private static func path(_ levels: [Level], _ b: UnsafeBufferPointer<UInt8>) -> String {
        var out = ""
        for level in levels {
            if level.isObject {
                let key = Echo.clip(String(decoding: b[level.key], as: UTF8.self))
                out += out.isEmpty ? key : "." + key
            } else {
                out += "[\(level.index)]"
            }
        }
        return out
    }

    /// The bytes a JSON string's escapes stand for (`\n`, `\"`, `\u00e9`, surrogate pairs); bad escapes are kept raw.
    static func unescape(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            if !raw.isEmpty { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw = [] }
        }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= range.upperBound else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = b[k]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x61...0x66: d = c - 0x61 + 10
                case 0x41...0x46: d = c - 0x41 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        var i = range.lowerBound
        while i < range.upperBound {
            let c = b[i]
            guard c == UInt8(ascii: "\\"), i + 1 < range.upperBound else { raw.append(c); i += 1; continue }
            let e = b[i + 1]
            let simple: UInt8? = switch e {
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): e
            default: nil
            }
            if let simple { raw.append(simple); i += 2; continue }
            if e == UInt8(ascii: "u"), var v = hex4(i + 2) {
                i += 6
                if (0xD800...0xDBFF).contains(v), i + 1 < range.upperBound, b[i] == UInt8(ascii: "\\"),
                   b[i + 1] == UInt8(ascii: "u"), let low = hex4(i + 2), (0xDC00...0xDFFF).contains(low) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                flush()
                scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                continue
            }
            raw.append(c)
            i += 1
        }
        flush()
        return Array(String(scalars).utf8)
    }
}
