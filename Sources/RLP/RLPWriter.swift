import EVMPrimitives

/// Append-only RLP encoder into one byte array, for hot paths (accounts, receipts, trie nodes):
/// items are written in place and a list's prefix is fixed up when the list ends.
@frozen public struct RLPWriter {
    /// The encoding written so far.
    public var bytes: [UInt8]

    @inlinable public init() { bytes = [] }

    @inlinable public init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes a string prefix (`base` 0x80) or list prefix (`base` 0xc0) for a payload of `length` bytes.
    @inlinable public mutating func appendHeader(length: Int, base: UInt8) {
        if length < 56 {
            bytes.append(base + UInt8(truncatingIfNeeded: length))
        } else {
            let n = (Int.bitWidth - length.leadingZeroBitCount + 7) / 8
            bytes.append(base + 55 + UInt8(truncatingIfNeeded: n))
            for i in stride(from: n - 1, through: 0, by: -1) {
                bytes.append(UInt8(truncatingIfNeeded: length >> (8 * i)))
            }
        }
    }

    /// A byte-string item: a single byte below 0x80 stands for itself, otherwise prefix and bytes.
    @inlinable public mutating func appendBytes(_ b: some Collection<UInt8>) {
        let count = b.count
        if count == 1, let only = b.first, only < 0x80 {
            bytes.append(only)
            return
        }
        appendHeader(length: count, base: 0x80)
        bytes.append(contentsOf: b)
    }

    /// An unsigned scalar: minimal big-endian bytes, zero as the empty string 0x80.
    @inlinable public mutating func appendUInt(_ v: UInt64) {
        if v < 0x80 {
            bytes.append(v == 0 ? 0x80 : UInt8(truncatingIfNeeded: v))
            return
        }
        let n = (64 - v.leadingZeroBitCount + 7) / 8
        bytes.append(0x80 + UInt8(truncatingIfNeeded: n))
        for i in stride(from: n - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i)))
        }
    }

    /// A 256-bit unsigned scalar (balances, storage values): minimal big-endian bytes.
    @inlinable public mutating func appendUInt256(_ v: UInt256) {
        if v.w3 == 0 && v.w2 == 0 && v.w1 == 0 {
            appendUInt(v.w0)
            return
        }
        // Prefix, the significant bytes of the top non-zero word, then the lower words in full.
        let top = v.w3 != 0 ? 3 : (v.w2 != 0 ? 2 : 1)
        let topWord = top == 3 ? v.w3 : (top == 2 ? v.w2 : v.w1)
        let topBytes = (64 - topWord.leadingZeroBitCount + 7) / 8
        bytes.append(0x80 + UInt8(truncatingIfNeeded: topBytes + 8 * top))
        for i in stride(from: topBytes - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: topWord >> (8 * i)))
        }
        if top >= 3 { appendWord(v.w2) }
        if top >= 2 { appendWord(v.w1) }
        appendWord(v.w0)
    }

    /// Eight big-endian bytes, no prefix.
    @inlinable mutating func appendWord(_ w: UInt64) {
        for i in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: w >> UInt64(i))) }
    }

    /// A 32-byte hash as a string item (0xa0 and the bytes).
    @inlinable public mutating func appendHash(_ h: Hash32) {
        bytes.append(0xa0)
        appendWord(h.w0); appendWord(h.w1); appendWord(h.w2); appendWord(h.w3)
    }

    /// A 20-byte address as a string item (0x94 and the bytes).
    @inlinable public mutating func appendAddress(_ a: Address) {
        bytes.append(0x94)
        appendWord(a.a)
        appendWord(a.b)
        for i in stride(from: 3, through: 0, by: -1) { bytes.append(UInt8(truncatingIfNeeded: a.c >> (8 * i))) }
    }

    /// An item that is already RLP-encoded (a nested receipt, an inlined trie node).
    @inlinable public mutating func appendRaw(_ encoded: some Collection<UInt8>) {
        bytes.append(contentsOf: encoded)
    }

    /// Starts a list; pass the returned mark to `endList` after appending its items.
    @inlinable public mutating func beginList() -> Int {
        bytes.append(0xc0)
        return bytes.count
    }

    /// Ends the list begun at `mark`, writing its length prefix (the one-byte placeholder is widened
    /// in place when the payload is 56 bytes or more).
    @inlinable public mutating func endList(_ mark: Int) {
        let length = bytes.count - mark
        if length < 56 {
            bytes[mark - 1] = 0xc0 + UInt8(truncatingIfNeeded: length)
            return
        }
        let n = (Int.bitWidth - length.leadingZeroBitCount + 7) / 8
        bytes[mark - 1] = 0xf7 + UInt8(truncatingIfNeeded: n)
        bytes.insert(contentsOf: repeatElement(0, count: n), at: mark)
        for i in 0..<n {
            bytes[mark + i] = UInt8(truncatingIfNeeded: length >> (8 * (n - 1 - i)))
        }
    }

    /// A list whose items `body` appends.
    @inlinable public mutating func appendList(_ body: (inout RLPWriter) -> Void) {
        let mark = beginList()
        body(&self)
        endList(mark)
    }

    /// Any item, recursively.
    public mutating func appendItem(_ item: RLPItem) {
        switch item {
        case .bytes(let b):
            appendBytes(b)
        case .list(let items):
            let mark = beginList()
            for i in items { appendItem(i) }
            endList(mark)
        }
    }
}
