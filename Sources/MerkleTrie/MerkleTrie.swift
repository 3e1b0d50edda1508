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
        if pairs.isEmpty { return emptyRoot }
        // Stable sort of indices by key (ties by position, so the last duplicate sorts last).
        var order = Array(pairs.indices)
        order.sort { i, j in
            let c = compareBytes(pairs[i].key, pairs[j].key)
            return c != 0 ? c < 0 : i < j
        }
        // Keep the last of each run of equal keys, and only if its value is non-empty.
        var kept: [Int] = []
        kept.reserveCapacity(order.count)
        var n = 0
        while n < order.count {
            var last = n
            while last + 1 < order.count && pairs[order[last + 1]].key == pairs[order[n]].key { last += 1 }
            if !pairs[order[last]].value.isEmpty { kept.append(order[last]) }
            n = last + 1
        }
        if kept.isEmpty { return emptyRoot }
        var builder = SortedTrieBuilder(pairs: pairs, order: kept)
        return builder.rootHash()
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
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            var w = RLPWriter()
            w.appendUInt(UInt64(i))
            pairs.append((key: w.bytes, value: v))
        }
        return root(of: pairs)
    }

    /// Lexicographic byte order (a prefix sorts first), which is also nibble order.
    static func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let n = Swift.min(a.count, b.count)
        var i = 0
        while i < n {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
            i += 1
        }
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
        let length = out.bytes.count - start
        if length < 32 && !isRoot { return }
        let h = out.bytes.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        out.bytes.removeSubrange(start...)
        out.appendHash(h)
    }
}
