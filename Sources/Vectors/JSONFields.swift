import Foundation
import EVMPrimitives
import VectorIO

/// Why one field of a vector could not be read; the loader adds the file and test around it.
public struct FieldError: Error {
    public var reason: String
    /// The error makes one transaction invalid (its signature, its chain) rather than the vector unreadable: a block
    /// vector lists that transaction as rejected, as t8n tools do.
    var rejectsTransaction: Bool
    init(_ reason: String, rejectsTransaction: Bool = false) { self.reason = reason; self.rejectsTransaction = rejectsTransaction }
}

/// A JSON object being read, with the key path that led to it, so that every error says where it is.
struct JSONFields {
    let object: [String: Any]
    let path: String

    init(_ value: Any, path: String) throws(FieldError) {
        guard let object = value as? [String: Any] else {
            throw FieldError("\(path.isEmpty ? "value" : path): expected an object, got \(JSONFields.kind(of: value))")
        }
        self.object = object
        self.path = path
    }

    /// The path of `key` in this object; the key as echoed (see `Echo`), so that a hostile key cannot flood a message.
    func at(_ key: String) -> String {
        let key = Echo.clip(key)
        return path.isEmpty ? key : "\(path).\(key)"
    }

    /// True when the key is present and not null.
    func has(_ key: String) -> Bool {
        guard let v = object[key] else { return false }
        return !JSONFields.isNull(v)
    }

    func value(_ key: String) throws(FieldError) -> Any {
        guard let v = object[key], !JSONFields.isNull(v) else { throw FieldError("missing field \(at(key))") }
        return v
    }

    func string(_ key: String) throws(FieldError) -> String {
        try JSONFields.string(try value(key), at: at(key))
    }

    func optionalString(_ key: String) throws(FieldError) -> String? {
        has(key) ? try string(key) : nil
    }

    func object(_ key: String) throws(FieldError) -> JSONFields {
        try JSONFields(try value(key), path: at(key))
    }

    func array(_ key: String) throws(FieldError) -> [Any] {
        let v = try value(key)
        guard let a = v as? [Any] else { throw FieldError("\(at(key)): expected an array, got \(JSONFields.kind(of: v))") }
        return a
    }

    /// A non-negative integer written as a JSON number (the post entries' indexes).
    func index(_ key: String) throws(FieldError) -> Int {
        let v = try value(key)
        // Foundation hands JSON numbers over as NSNumber; `as? Int` takes integral ones only.
        if !(v is String), let i = v as? Int, i >= 0 { return i }
        throw FieldError("\(at(key)): expected a non-negative integer, got \(JSONFields.kind(of: v))")
    }

    // Typed readers: each wraps the hex error with the field's path.

    func address(_ key: String) throws(FieldError) -> Address {
        try HexField.address(try string(key), at: at(key))
    }

    func hash(_ key: String) throws(FieldError) -> Hash32 {
        try HexField.hash(try string(key), at: at(key))
    }

    func u256(_ key: String) throws(FieldError) -> UInt256 {
        try HexField.u256(try string(key), at: at(key))
    }

    func u64(_ key: String) throws(FieldError) -> UInt64 {
        try HexField.u64(try string(key), at: at(key))
    }

    func bytes(_ key: String) throws(FieldError) -> [UInt8] {
        try HexField.bytes(try string(key), at: at(key))
    }

    /// JSON null. Compared by type: `v is NSNull` would first bridge a Swift dictionary or array to Foundation
    /// (a copy of the whole subtree) just to answer no.
    static func isNull(_ v: Any) -> Bool {
        ObjectIdentifier(type(of: v)) == ObjectIdentifier(NSNull.self)
    }

    static func string(_ v: Any, at path: String) throws(FieldError) -> String {
        guard let s = v as? String else { throw FieldError("\(path): expected a string, got \(kind(of: v))") }
        return s
    }

    /// A short name of a JSON value's type, for error messages.
    static func kind(of v: Any) -> String {
        switch v {
        case is NSNull: "null"
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case let n as NSNumber: "the number \(n)"
        default: "\(type(of: v))"
        }
    }
}

/// Hex fields of state tests, read with the field's path in every error.
enum HexField {
    /// retesteth writes numbers that do not fit 256 bits as `0x:bigint 0x...`.
    static func stripBigintMarker(_ s: String) -> String {
        s.hasPrefix("0x:bigint ") ? String(s.dropFirst(10)) : s
    }

    static func address(_ s: String, at path: String) throws(FieldError) -> Address {
        Address(try fixed(s, count: 20, at: path))
    }

    static func hash(_ s: String, at path: String) throws(FieldError) -> Hash32 {
        Hash32(try fixed(s, count: 32, at: path))
    }

    /// A byte string: an even number of hex digits (an odd count would leave a nibble's place a guess).
    static func bytes(_ s: String, at path: String) throws(FieldError) -> [UInt8] {
        try checkEvenDigits(s, at: path)
        do { return try Hex.decode(s) } catch { throw FieldError("\(path): \(describe(error))") }
    }

    /// Exactly `count` bytes: `2 * count` hex digits.
    static func fixed(_ s: String, count: Int, at path: String) throws(FieldError) -> [UInt8] {
        try checkEvenDigits(s, at: path)
        do { return try Hex.decode(s, exactly: count) } catch { throw FieldError("\(path): \(describe(error))") }
    }

    static func checkEvenDigits(_ s: String, at path: String) throws(FieldError) {
        let digits = digitCount(s)
        guard digits % 2 == 0 else {
            throw FieldError("\(path): odd number of hex digits (\(digits)) in \(quoted(s)), expected whole bytes")
        }
    }

    /// Hex digits after an optional `0x`.
    static func digitCount(_ s: String) -> Int {
        let u = s.utf8
        var n = u.count
        if n >= 2, u.first == UInt8(ascii: "0"), let x = u.dropFirst().first, x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            n -= 2
        }
        return n
    }

    /// A value as echoed in a message: quoted, escaped and cut (see `Echo`).
    static func quoted(_ s: String) -> String { "\"\(Echo.clip(s))\"" }

    /// A hex error, with the offending text as echoed.
    static func describe(_ e: HexError) -> String {
        switch e {
        case .invalidCharacter(let s): "invalid hex string \(quoted(s))"
        case .wrongLength(let want, let got, let s): "expected \(want) bytes of hex, got \(got) in \(quoted(s))"
        case .tooLong(let max, let got, let s): "hex value of \(got) bytes exceeds \(max) bytes: \(quoted(s))"
        }
    }

    /// A number of at most 256 bits; leading zeros and an odd digit count are accepted.
    static func u256(_ s: String, at path: String) throws(FieldError) -> UInt256 {
        guard let v = try u256OrOverflow(s, at: path) else {
            throw FieldError("\(path): expected a number of at most 256 bits, got \(quoted(s))")
        }
        return v
    }

    /// A number of at most 64 bits (nonces, gas, block numbers, timestamps).
    static func u64(_ s: String, at path: String) throws(FieldError) -> UInt64 {
        guard let v = try u64OrOverflow(s, at: path) else {
            throw FieldError("\(path): expected a number of at most 64 bits, got \(quoted(s))")
        }
        return v
    }

    /// A number of at most 256 bits, or nil when the hex is well formed but the number is wider.
    static func u256OrOverflow(_ s: String, at path: String) throws(FieldError) -> UInt256? {
        let stripped = stripBigintMarker(s)
        do throws(HexError) {
            return try UInt256(hex: stripped)
        } catch {
            // Tell "too wide" apart from "not hex": only the first can describe an (invalid) transaction.
            // Extra leading zeros are harmless, so a long string of a small number is read as that number.
            guard let bytes = try? Hex.decode(stripped) else { throw FieldError("\(path): \(describe(error))") }
            let significant = bytes.drop(while: { $0 == 0 })
            return significant.count > 32 ? nil : UInt256(bigEndianBytes: Array(significant))
        }
    }

    /// A number of at most 64 bits, or nil when the hex is well formed but the number is wider.
    static func u64OrOverflow(_ s: String, at path: String) throws(FieldError) -> UInt64? {
        guard let v = try u256OrOverflow(s, at: path) else { return nil }
        return v.u64
    }
}
