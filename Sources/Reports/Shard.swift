/// One of `count` deterministic slices of a run (`--shard K/N`, K counted from 0 as Kubernetes'
/// `JOB_COMPLETION_INDEX` is).
///
/// A unit of work (a vector file, whose cases are loaded together, or a generated workload, whose executors and
/// thread counts are timed together) belongs to the shard `fnv1a64(kind:name) mod count`. The hash is of the name
/// only, so every shard decides alike without talking to the others, and adding a case moves no other case.
public struct Shard: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// `index` in 0..<count; anything else is a `ShardError`.
    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1 else { throw ShardError(text: "\(index)/\(count)", reason: "the shard count must be at least 1") }
        guard index >= 0 && index < count else {
            throw ShardError(text: "\(index)/\(count)", reason: "the shard index must be in 0..<\(count) (counted from 0)")
        }
        self.index = index; self.count = count
    }

    /// Parses `K/N`.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError(text: text, reason: "expected K/N with whole numbers, for example 0/4")
        }
        try self.init(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether this shard runs the unit with this name.
    public func owns(_ unit: String) -> Bool { Int(Shard.hash(unit) % UInt64(count)) == index }

    /// 64-bit FNV-1a over the UTF-8 bytes: stable across processes, platforms and Swift versions (unlike `Hasher`).
    public static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }
}

/// A `--shard` value that is not `K/N` with 0 <= K < N.
public struct ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "shard \"\(text)\": \(reason)" }
}
