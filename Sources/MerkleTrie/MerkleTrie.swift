#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EVMPrimitives
import Keccak
import RLP

/// Roots of the Modified Merkle Patricia Trie (Yellow Paper, appendix D) computed in one pass
/// over key-sorted pairs: no node objects, every node is encoded straight into one buffer.
public enum MerkleTrie {
    /// Root of the empty trie, keccak256(rlp("")) = `0x56e8...b421`.
    public static let emptyRoot = Hash32(w0: 0x56e8_1f17_1bcc_55a6, w1: 0xff83_45e6_92c0_f86e,
                                         w2: 0x5b48_e01b_996c_adc0, w3: 0x0162_2fb5_e363_b421)

    /// Root of the trie holding `pairs`. Order does not matter; when a key repeats the later pair
    /// wins, and an empty value means the key is absent (as a trie cannot store an empty value).
    public static func root(of pairs: [(key: [UInt8], value: [UInt8])]) -> Hash32 {
        let kept = sortedDistinct(pairs)
        if kept.isEmpty { return emptyRoot }
        var builder = SortedTrieBuilder(pairs: pairs, order: kept)
        return builder.rootHash()
    }

    /// Indices of the pairs a trie keeps, sorted by key: the last of each run of equal keys, and only
    /// if its value is non-empty.
    static func sortedDistinct(_ pairs: [(key: [UInt8], value: [UInt8])]) -> [Int] {
        if pairs.isEmpty { return [] }
        // Sort by the first eight key bytes (big-endian, zero-padded), which decides almost every
        // comparison without touching the arrays; ties fall back to the whole keys, then to position
        // (stable: the last duplicate sorts last).
        var order: [(prefix: UInt64, index: Int)] = []
        order.reserveCapacity(pairs.count)
        for (i, p) in pairs.enumerated() {
            var prefix: UInt64 = 0
            p.key.withUnsafeBufferPointer { k in
                for j in 0..<8 { prefix = prefix << 8 | (j < k.count ? UInt64(k[j]) : 0) }
            }
            order.append((prefix, i))
        }
        order.sort { x, y in
            if x.prefix != y.prefix { return x.prefix < y.prefix }
            let c = compareBytes(pairs[x.index].key, pairs[y.index].key)
            return c != 0 ? c < 0 : x.index < y.index
        }
        // Keep the last of each run of equal keys, and only if its value is non-empty.
        var kept: [Int] = []
        kept.reserveCapacity(order.count)
        var n = 0
        while n < order.count {
            var last = n
            while last + 1 < order.count && order[last + 1].prefix == order[n].prefix
                    && pairs[order[last + 1].index].key == pairs[order[n].index].key { last += 1 }
            if !pairs[order[last].index].value.isEmpty { kept.append(order[last].index) }
            n = last + 1
        }
        return kept
    }

    /// Root of the "secure" trie: each key replaced by its keccak256 first, as the state trie
    /// (keys are addresses) and storage tries (keys are 32-byte slots) do.
    public static func secureRoot(of pairs: [(key: [UInt8], value: [UInt8])]) -> Hash32 {
        // Duplicates and empty values resolve as in `root(of:)`: equal keys hash equally.
        root(of: pairs.map { (key: Keccak256.hash($0.key).bytes, value: $0.value) })
    }

    /// Root of a list trie: the value at position i is stored under key rlp(i), as the transactions,
    /// receipts and withdrawals roots of a block header are built.
    public static func orderedRoot(_ values: [[UInt8]]) -> Hash32 {
        root(of: orderedPairs(values))
    }

    /// The pairs of a list trie: (rlp(i), value i).
    public static func orderedPairs(_ values: [[UInt8]]) -> [(key: [UInt8], value: [UInt8])] {
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            var w = RLPWriter()
            w.appendUInt(UInt64(i))
            pairs.append((key: w.bytes, value: v))
        }
        return pairs
    }

    /// Lexicographic byte order (a prefix sorts first), which is also nibble order.
    static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let n = Swift.min(a.count, b.count)
        let c = a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y -> Int32 in
                n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
            }
        }
        if c != 0 { return c < 0 ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}

/// Nibble `i` of a byte string: the high half of byte i/2 for even i, the low half for odd i.
@inline(__always) func nibble(_ key: [UInt8], _ i: Int) -> UInt8 {
    let b = key[i >> 1]
    return (i & 1) == 0 ? b >> 4 : b & 0x0f
}

/// Builds the trie over pairs whose keys are sorted, distinct and with non-empty values.
///
/// A range of sorted keys that share nibbles `depth..<d` with `d > depth` is an extension node;
/// a range that diverges at `depth` (or where one key ends there) is a branch node whose children
/// are the sub-ranges with the same nibble at `depth`; a single key is a leaf. Each node is written
/// into `out` where its parent's list is being built: inline when its RLP is shorter than 32
/// bytes, otherwise replaced by its keccak256 (Yellow Paper, appendix D, the function c).
struct SortedTrieBuilder {
    let pairs: [(key: [UInt8], value: [UInt8])]
    let order: [Int]
    var out = RLPWriter(capacity: 1024)
    /// Planning a parallel build: nodes of at most this many entries (below the root) become tasks
    /// and are not descended into; nothing is hashed. Zero when not planning.
    var planGrain = 0
    /// The tasks found while planning: (lo, hi, depth) of each subtree, in the order they are met.
    var plannedTasks: [(lo: Int, hi: Int, depth: Int)] = []
    /// For the final pass of a parallel build: the reference of each planned subtree, by its `lo`.
    var precomputed: [Int: (hi: Int, reference: [UInt8])] = [:]

    init(pairs: [(key: [UInt8], value: [UInt8])], order: [Int]) {
        self.pairs = pairs
        self.order = order
    }

    mutating func rootHash() -> Hash32 {
        node(0, order.count, depth: 0, isRoot: true)
        // The root is always referenced by hash, even when its RLP is shorter than 32 bytes.
        return out.bytes.withUnsafeBytes { Hash32(UnsafeRawBufferPointer(rebasing: $0[1..<33])) }
    }

    @inline(__always) func key(_ i: Int) -> [UInt8] { pairs[order[i]].key }

    /// Appends the reference to the node holding sorted entries `lo..<hi`, below nibble `depth`.
    mutating func node(_ lo: Int, _ hi: Int, depth: Int, isRoot: Bool) {
        if !isRoot {
            if planGrain > 0 && hi - lo <= planGrain {
                plannedTasks.append((lo, hi, depth))
                return
            }
            if let p = precomputed[lo], p.hi == hi {
                out.bytes.append(contentsOf: p.reference)
                return
            }
        }
        let first = key(lo)
        let start = out.bytes.count
        if hi - lo == 1 {
            let mark = out.beginList()
            appendHexPrefix(first, from: depth, to: first.count * 2, leaf: true)
            out.appendBytes(pairs[order[lo]].value)
            out.endList(mark)
            finish(start, isRoot: isRoot)
            return
        }
        // Sorted keys: the prefix shared by the whole range is the one shared by its ends.
        let last = key(hi - 1)
        let limit = Swift.min(first.count, last.count) * 2
        var shared = depth
        while shared < limit && nibble(first, shared) == nibble(last, shared) { shared += 1 }
        if shared == depth {
            branch(lo, hi, depth: depth, isRoot: isRoot)
            return
        }
        let mark = out.beginList()
        appendHexPrefix(first, from: depth, to: shared, leaf: false)
        branch(lo, hi, depth: shared, isRoot: false)
        out.endList(mark)
        finish(start, isRoot: isRoot)
    }

    /// Appends a branch node for entries `lo..<hi` that diverge at nibble `depth`, by reference.
    mutating func branch(_ lo: Int, _ hi: Int, depth: Int, isRoot: Bool) {
        let start = out.bytes.count
        let mark = out.beginList()
        var i = lo
        // Only the first key (the shortest, since keys are sorted) can end at this branch.
        var value: Int? = nil
        if key(lo).count * 2 == depth {
            value = order[lo]
            i += 1
        }
        for n in UInt8(0)..<16 {
            var j = i
            while j < hi && nibble(key(j), depth) == n { j += 1 }
            if j > i {
                node(i, j, depth: depth + 1, isRoot: false)
            } else {
                out.bytes.append(0x80)
            }
            i = j
        }
        if let v = value { out.appendBytes(pairs[v].value) } else { out.bytes.append(0x80) }
        out.endList(mark)
        finish(start, isRoot: isRoot)
    }

    /// Hex-prefix encoding (Yellow Paper, appendix C) of nibbles `from..<to` of `key`, as an RLP string.
    mutating func appendHexPrefix(_ key: [UInt8], from: Int, to: Int, leaf: Bool) {
        let count = to - from
        let flag: UInt8 = leaf ? 2 : 0
        // The first byte holds the flags and, for an odd count, the first nibble.
        let length = 1 + count / 2
        var i = from
        let firstByte: UInt8
        if count & 1 == 1 {
            firstByte = (flag + 1) << 4 | nibble(key, i)
            i += 1
        } else {
            firstByte = flag << 4
        }
        if length == 1 {
            out.bytes.append(firstByte)  // always below 0x80, so it encodes as itself
            return
        }
        out.appendHeader(length: length, base: 0x80)
        out.bytes.append(firstByte)
        if i & 1 == 0 {
            out.bytes.append(contentsOf: key[(i >> 1)..<(to >> 1)])
        } else {
            while i < to {
                out.bytes.append(nibble(key, i) << 4 | nibble(key, i + 1))
                i += 2
            }
        }
    }

    /// Turns the node just written at `start` into its reference: kept inline if shorter than
    /// 32 bytes, else replaced by the RLP string of its keccak256.
    mutating func finish(_ start: Int, isRoot: Bool) {
        if planGrain > 0 {
            // Planning: only the shape matters; keep the buffer small.
            out.bytes.removeSubrange(start...)
            return
        }
        let length = out.bytes.count - start
        if length < 32 && !isRoot { return }
        let h = out.bytes.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        out.bytes.removeSubrange(start...)
        out.appendHash(h)
    }
}

/// A trie root computed in pieces that can run on different threads: `init` sorts the pairs and
/// splits the trie into independent subtrees (`taskCount` of them); `reference(ofTask:)` builds one
/// subtree and may be called from any thread; `root(references:)` assembles the nodes above them.
/// The result equals `MerkleTrie.root(of:)` for the same pairs.
public struct ParallelTrieRoot: Sendable {
    private let pairs: [(key: [UInt8], value: [UInt8])]
    private let order: [Int]
    private let tasks: [(lo: Int, hi: Int, depth: Int)]

    /// `grain`: the largest subtree (in entries) that is one task; smaller means more, finer tasks.
    public init(pairs: [(key: [UInt8], value: [UInt8])], grain: Int) {
        self.pairs = pairs
        order = MerkleTrie.sortedDistinct(pairs)
        guard order.count > 1 else {
            tasks = []
            return
        }
        var planner = SortedTrieBuilder(pairs: pairs, order: order)
        planner.planGrain = Swift.max(1, grain)
        planner.node(0, order.count, depth: 0, isRoot: true)
        tasks = planner.plannedTasks
    }

    /// The number of independent subtrees.
    public var taskCount: Int { tasks.count }

    /// The reference (inline node or hash) of subtree `task`, as its parent will hold it.
    public func reference(ofTask task: Int) -> [UInt8] {
        let t = tasks[task]
        var builder = SortedTrieBuilder(pairs: pairs, order: order)
        builder.node(t.lo, t.hi, depth: t.depth, isRoot: false)
        return builder.out.bytes
    }

    /// The root, given every task's reference (index i holding task i's).
    public func root(references: [[UInt8]]) -> Hash32 {
        precondition(references.count == tasks.count, "one reference per task")
        if order.isEmpty { return MerkleTrie.emptyRoot }
        var builder = SortedTrieBuilder(pairs: pairs, order: order)
        for (t, r) in zip(tasks, references) { builder.precomputed[t.lo] = (t.hi, r) }
        return builder.rootHash()
    }
}
