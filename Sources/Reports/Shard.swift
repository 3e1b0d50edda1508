/// One of `count` deterministic slices of a run (`--shard K/N`, K counted from 0 as Kubernetes'
/// `JOB_COMPLETION_INDEX` is), as a report records it. Which units of work a shard runs is the harness's
/// decision (`Shard.owns` in `Sources/Harness/Shard+Selection.swift`).
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
}

/// A `--shard` value that is not `K/N` with 0 <= K < N.
public struct ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "shard \"\(text)\": \(reason)" }
}
