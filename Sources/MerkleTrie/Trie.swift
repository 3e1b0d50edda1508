import EVMPrimitives
import Keccak
import RLP

/// An in-memory Modified Merkle Patricia Trie (Yellow Paper, appendix D) that is updated key by
/// key, for tests that replay inserts and deletes in order; `MerkleTrie.root(of:)` is the fast path.
public struct Trie: Sendable {
    /// A trie node; paths are nibble arrays (values 0...15).
    indirect enum Node: Sendable {
        case empty
        case leaf(path: [UInt8], value: [UInt8])
        case ext(path: [UInt8], child: Node)
        case branch(children: [Node], value: [UInt8]?)
    }

    var root: Node = .empty

    public init() {}

    /// Sets `key` to `value`; an empty value deletes the key (a trie never stores empty values).
    public mutating func insert(key: [UInt8], value: [UInt8]) {
        if value.isEmpty {
            delete(key: key)
            return
        }
        root = Trie.insert(root, Trie.nibbles(key)[...], value)
    }

    /// Removes `key` if present, collapsing nodes so the trie stays in canonical form.
    public mutating func delete(key: [UInt8]) {
        root = Trie.delete(root, Trie.nibbles(key)[...])
    }

    /// The value stored under `key`, or nil.
    public func get(key: [UInt8]) -> [UInt8]? {
        var node = root
        var path = Trie.nibbles(key)[...]
        while true {
            switch node {
            case .empty:
                return nil
            case .leaf(let p, let v):
                return path.elementsEqual(p) ? v : nil
            case .ext(let p, let child):
                guard path.starts(with: p) else { return nil }
                path = path.dropFirst(p.count)
                node = child
            case .branch(let children, let v):
                guard let n = path.first else { return v }
                path = path.dropFirst()
                node = children[Int(n)]
            }
        }
    }

    /// All keys with their values, in ascending byte order.
    public var entries: [(key: [UInt8], value: [UInt8])] {
        var out: [(key: [UInt8], value: [UInt8])] = []
        Trie.collect(root, prefix: [], into: &out)
        return out
    }

    /// The smallest key strictly greater than `key`, or nil.
    public func successor(of key: [UInt8]) -> [UInt8]? {
        entries.first { MerkleTrie.compareBytes($0.key, key) > 0 }?.key
    }

    /// The largest key strictly smaller than `key`, or nil.
    public func predecessor(of key: [UInt8]) -> [UInt8]? {
        entries.last { MerkleTrie.compareBytes($0.key, key) < 0 }?.key
    }

    /// keccak256 of the root node's RLP; `MerkleTrie.emptyRoot` when empty.
    public var rootHash: Hash32 {
        if case .empty = root { return MerkleTrie.emptyRoot }
        var w = RLPWriter()
        Trie.appendReference(root, to: &w, isRoot: true)
        return w.bytes.withUnsafeBytes { Hash32(UnsafeRawBufferPointer(rebasing: $0[1..<33])) }
    }

    // MARK: - Updates

    static func nibbles(_ key: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(key.count * 2)
        for b in key {
            out.append(b >> 4)
            out.append(b & 0x0f)
        }
        return out
    }

    static func commonPrefix(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        var n = 0
        var i = a.startIndex, j = b.startIndex
        while i < a.endIndex && j < b.endIndex && a[i] == b[j] {
            n += 1; i += 1; j += 1
        }
        return n
    }

    static func emptyChildren() -> [Node] { [Node](repeating: .empty, count: 16) }

    static func insert(_ node: Node, _ path: ArraySlice<UInt8>, _ value: [UInt8]) -> Node {
        switch node {
        case .empty:
            return .leaf(path: Array(path), value: value)

        case .leaf(let p, let v):
            if path.elementsEqual(p) { return .leaf(path: p, value: value) }
            // Split into a branch at the first differing nibble, under an extension for the shared part.
            let c = commonPrefix(p[...], path)
            var branch = Node.branch(children: emptyChildren(), value: nil)
            branch = insert(branch, p[c...], v)
            branch = insert(branch, path.dropFirst(c), value)
            return c > 0 ? .ext(path: Array(p[..<c]), child: branch) : branch

        case .ext(let p, let child):
            let c = commonPrefix(p[...], path)
            if c == p.count {
                return .ext(path: p, child: insert(child, path.dropFirst(c), value))
            }
            // The new key leaves the extension at nibble c: a branch there holds the rest of the
            // extension (shortened, or the child itself when one nibble was left) and the new key.
            var children = emptyChildren()
            let rest = Array(p[(c + 1)...])
            children[Int(p[c])] = rest.isEmpty ? child : .ext(path: rest, child: child)
            let branch = insert(.branch(children: children, value: nil), path.dropFirst(c), value)
            return c > 0 ? .ext(path: Array(p[..<c]), child: branch) : branch

        case .branch(var children, let v):
            guard let n = path.first else { return .branch(children: children, value: value) }
            children[Int(n)] = insert(children[Int(n)], path.dropFirst(), value)
            return .branch(children: children, value: v)
        }
    }

    static func delete(_ node: Node, _ path: ArraySlice<UInt8>) -> Node {
        switch node {
        case .empty:
            return .empty
        case .leaf(let p, _):
            return path.elementsEqual(p) ? .empty : node
        case .ext(let p, let child):
            guard path.starts(with: p) else { return node }
            return joinPath(p, delete(child, path.dropFirst(p.count)))
        case .branch(var children, var v):
            if let n = path.first {
                children[Int(n)] = delete(children[Int(n)], path.dropFirst())
            } else {
                v = nil
            }
            // A branch must keep at least two of its 17 slots; otherwise it collapses.
            var only = -1
            var used = 0
            for (i, c) in children.enumerated() {
                if case .empty = c { continue }
                used += 1
                only = i
            }
            if used == 0 {
                guard let v else { return .empty }
                return .leaf(path: [], value: v)
            }
            if used == 1 && v == nil {
                return joinPath([UInt8(only)], children[only])
            }
            return .branch(children: children, value: v)
        }
    }

    /// `prefix` followed by `node`, merged so no extension points at a leaf or another extension.
    static func joinPath(_ prefix: [UInt8], _ node: Node) -> Node {
        switch node {
        case .empty: return .empty
        case .leaf(let p, let v): return .leaf(path: prefix + p, value: v)
        case .ext(let p, let c): return .ext(path: prefix + p, child: c)
        case .branch: return .ext(path: prefix, child: node)
        }
    }

    static func collect(_ node: Node, prefix: [UInt8], into out: inout [(key: [UInt8], value: [UInt8])]) {
        func key(_ nibbles: [UInt8]) -> [UInt8] {
            stride(from: 0, to: nibbles.count - 1, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
        }
        switch node {
        case .empty:
            return
        case .leaf(let p, let v):
            out.append((key: key(prefix + p), value: v))
        case .ext(let p, let c):
            collect(c, prefix: prefix + p, into: &out)
        case .branch(let children, let v):
            // The value of a branch belongs to its own (shorter) key, which sorts before its children.
            if let v { out.append((key: key(prefix), value: v)) }
            for (i, c) in children.enumerated() { collect(c, prefix: prefix + [UInt8(i)], into: &out) }
        }
    }

    // MARK: - Encoding

    /// Appends the node's reference: its RLP if shorter than 32 bytes, else the hash of it.
    static func appendReference(_ node: Node, to w: inout RLPWriter, isRoot: Bool) {
        let start = w.bytes.count
        switch node {
        case .empty:
            w.bytes.append(0x80)
            return
        case .leaf(let p, let v):
            let mark = w.beginList()
            appendHexPrefix(p, leaf: true, to: &w)
            w.appendBytes(v)
            w.endList(mark)
        case .ext(let p, let c):
            let mark = w.beginList()
            appendHexPrefix(p, leaf: false, to: &w)
            appendReference(c, to: &w, isRoot: false)
            w.endList(mark)
        case .branch(let children, let v):
            let mark = w.beginList()
            for c in children { appendReference(c, to: &w, isRoot: false) }
            if let v { w.appendBytes(v) } else { w.bytes.append(0x80) }
            w.endList(mark)
        }
        if w.bytes.count - start < 32 && !isRoot { return }
        let h = w.bytes.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        w.bytes.removeSubrange(start...)
        w.appendHash(h)
    }

    /// Hex-prefix encoding (Yellow Paper, appendix C) of a nibble path, as an RLP string.
    static func appendHexPrefix(_ nibbles: [UInt8], leaf: Bool, to w: inout RLPWriter) {
        let flag: UInt8 = leaf ? 2 : 0
        var bytes: [UInt8] = []
        var i = 0
        if nibbles.count & 1 == 1 {
            bytes.append((flag + 1) << 4 | nibbles[0])
            i = 1
        } else {
            bytes.append(flag << 4)
        }
        while i < nibbles.count {
            bytes.append(nibbles[i] << 4 | nibbles[i + 1])
            i += 2
        }
        w.appendBytes(bytes)
    }
}
