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
    /// For `IncrementalTrie`: the reference of each node below the root met so far, by the nibbles above it (a node
    /// at `depth` holds exactly the keys that share their first `depth` nibbles), taken instead of building the node
    /// again and filled with every node built. Nil: none kept.
    var memo: [TriePrefix: NodeReference]? = nil
    /// Whether the nodes built go into `memo` (not for a last root).
    var fillsMemo = true

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
            // Leaves are not kept: only a node of two keys or more lies no deeper than the prefix its keys share, which
            // is what lets an update find every kept node that holds its key (`IncrementalTrie.update`).
            if memo != nil && hi - lo > 1 {
                let prefix = TriePrefix(key(lo), depth: depth)
                if let reference = memo![prefix] {
                    reference.append(to: &out.bytes)
                    return
                }
                let start = out.bytes.count
                build(lo, hi, depth: depth, isRoot: false)
                if fillsMemo { memo![prefix] = NodeReference(out.bytes[start...]) }
                return
            }
        }
        build(lo, hi, depth: depth, isRoot: isRoot)
    }

    /// `node`'s work: builds the node holding sorted entries `lo..<hi` below nibble `depth` and appends its reference.
    mutating func build(_ lo: Int, _ hi: Int, depth: Int, isRoot: Bool) {
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
            if memo != nil {
                // Most children are kept (`IncrementalTrie`): find each one's end by bisection, not by walking its keys.
                var top = hi
                while j < top {
                    let mid = (j + top) / 2
                    if nibble(key(mid), depth) <= n { j = mid + 1 } else { top = mid }
                }
            } else {
                while j < hi && nibble(key(j), depth) == n { j += 1 }
            }
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

/// The first `depth` nibbles of a 32-byte key (the rest zeroed), with `depth`: `IncrementalTrie`'s name for a node.
struct TriePrefix: Hashable {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64
    var depth: Int

    init(_ key: [UInt8], depth: Int) {
        self.init(words: TriePrefix.words(key), depth: depth)
    }

    /// The prefix of the key whose big-endian words are `words` (`words(_:)`).
    init(words w: (UInt64, UInt64, UInt64, UInt64), depth: Int) {
        // Keep the top `depth` nibbles (4 bits each) of the 256-bit key.
        func masked(_ x: UInt64, _ word: Int) -> UInt64 {
            let bits = depth * 4 - word * 64
            if bits >= 64 { return x }
            if bits <= 0 { return 0 }
            return x & ~(UInt64.max >> UInt64(bits))
        }
        w0 = masked(w.0, 0); w1 = masked(w.1, 1); w2 = masked(w.2, 2); w3 = masked(w.3, 3)
        self.depth = depth
    }

    /// How many leading nibbles two keys (as `words(_:)`) share.
    static func sharedNibbles(_ a: (UInt64, UInt64, UInt64, UInt64), _ b: (UInt64, UInt64, UInt64, UInt64)) -> Int {
        if a.0 != b.0 { return (a.0 ^ b.0).leadingZeroBitCount / 4 }
        if a.1 != b.1 { return 16 + (a.1 ^ b.1).leadingZeroBitCount / 4 }
        if a.2 != b.2 { return 32 + (a.2 ^ b.2).leadingZeroBitCount / 4 }
        if a.3 != b.3 { return 48 + (a.3 ^ b.3).leadingZeroBitCount / 4 }
        return 64
    }

    /// A 32-byte key as four big-endian words.
    static func words(_ key: [UInt8]) -> (UInt64, UInt64, UInt64, UInt64) {
        precondition(key.count == 32, "IncrementalTrie keys are 32 bytes")
        return key.withUnsafeBufferPointer { k in
            func word(_ i: Int) -> UInt64 {
                var x: UInt64 = 0
                for j in 0..<8 { x = x << 8 | UInt64(k[i * 8 + j]) }
                return x
            }
            return (word(0), word(1), word(2), word(3))
        }
    }
}

/// A node's reference as its parent holds it, without an allocation of its own: an inline node (under 32 bytes) or the
/// RLP string of its hash (33 bytes).
struct NodeReference {
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    private let count: Int

    init(_ bytes: ArraySlice<UInt8>) {
        precondition(bytes.count <= 40, "a node reference is at most 33 bytes")
        count = bytes.count
        withUnsafeMutableBytes(of: &storage) { raw in
            bytes.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
    }

    func append(to out: inout [UInt8]) {
        withUnsafeBytes(of: storage) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }
}

/// A trie of 32-byte keys (a secure trie's hashed keys: the state trie's, a storage trie's) whose root is computed
/// again after a few updates at the cost of the nodes on the changed keys' paths: every node of two keys or more
/// built is kept by the nibbles above it (`TriePrefix`), and an update forgets only the kept nodes above its key. For a root after each of a
/// block's transactions before Byzantium (the receipts' intermediate state roots): building the whole trie each time
/// cost thousands of hashes a transaction on a mainnet block's state. `root` equals `MerkleTrie.root(of:)` over the
/// same pairs.
public struct IncrementalTrie {
    /// Sorted by key, distinct, values non-empty.
    private var pairs: [(key: [UInt8], value: [UInt8])]
    private var memo: [TriePrefix: NodeReference] = [:]

    /// The trie of `pairs` (32-byte keys; duplicates and empty values resolve as in `MerkleTrie.root(of:)`).
    public init(_ pairs: [(key: [UInt8], value: [UInt8])]) {
        self.pairs = MerkleTrie.sortedDistinct(pairs).map { pairs[$0] }
        for p in self.pairs { precondition(p.key.count == 32, "IncrementalTrie keys are 32 bytes") }
    }

    public var count: Int { pairs.count }

    /// Sets `key` to `value`; an empty value removes the key.
    public mutating func update(_ key: [UInt8], _ value: [UInt8]) {
        precondition(key.count == 32, "IncrementalTrie keys are 32 bytes")
        // The first index whose key is not below `key`.
        var lo = 0, hi = pairs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if MerkleTrie.compareBytes(pairs[mid].key, key) < 0 { lo = mid + 1 } else { hi = mid }
        }
        let present = lo < pairs.count && pairs[lo].key == key
        // The kept nodes that hold the key (nodes of two keys or more: leaves are not kept) lie no deeper than the
        // longest prefix it shares with a neighbour in key order (another key of the node is one; the nearest in order
        // shares at least as much): only those, before and after the update, can change.
        let words = TriePrefix.words(key)
        var shared = 0
        if lo > 0 { shared = Swift.max(shared, TriePrefix.sharedNibbles(words, TriePrefix.words(pairs[lo - 1].key))) }
        let next = present ? lo + 1 : lo
        if next < pairs.count { shared = Swift.max(shared, TriePrefix.sharedNibbles(words, TriePrefix.words(pairs[next].key))) }
        if value.isEmpty {
            guard present else { return }
            pairs.remove(at: lo)
        } else if present {
            if pairs[lo].value == value { return }
            pairs[lo].value = value
        } else {
            pairs.insert((key, value), at: lo)
        }
        // No other node changed (their keys and values are the same).
        var depth = 1
        while depth <= shared {
            memo[TriePrefix(words: words, depth: depth)] = nil
            depth += 1
        }
    }

    /// `update(pair.key, pair.value)`.
    public mutating func update(_ pair: (key: [UInt8], value: [UInt8])) { update(pair.key, pair.value) }

    /// The root hash. `keepingNodes`: false where no root follows (the nodes kept so far are used, no new one kept).
    public mutating func root(keepingNodes: Bool = true) -> Hash32 {
        if pairs.isEmpty { return MerkleTrie.emptyRoot }
        var builder = SortedTrieBuilder(pairs: pairs, order: Array(0..<pairs.count))
        if keepingNodes || !memo.isEmpty {
            // About one node below the root per key and a branch per few keys: the first root fills it without growing.
            if memo.isEmpty { memo.reserveCapacity(pairs.count * 3 / 2) }
            builder.memo = memo
            builder.fillsMemo = keepingNodes
            memo = [:]  // the builder's copy unique: filled in place
        }
        let h = builder.rootHash()
        if let kept = builder.memo { memo = kept }
        return h
    }
}
