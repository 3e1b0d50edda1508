import EVMPrimitives

/// EVM memory: a byte buffer that grows in 32-byte words. Buffers are pooled per call depth and reused,
/// so a frame allocates only when it needs more memory than any earlier frame at its depth.
@usableFromInline final class Memory {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    /// Current size in bytes (a multiple of 32).
    @usableFromInline var size: Int = 0
    /// Gas already paid for the current size.
    @usableFromInline var cost: Int64 = 0

    init() {
        capacity = 4096
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 32)
    }

    deinit { base.deallocate() }

    @inlinable func reset() { size = 0; cost = 0 }

    /// Grows to at least `end` bytes (rounded up to a word), zero-filling. The caller has charged the gas.
    @inlinable func grow(to end: Int) {
        let newSize = (end + 31) & ~31
        guard newSize > size else { return }
        if newSize > capacity {
            var newCapacity = capacity * 2
            while newCapacity < newSize { newCapacity *= 2 }
            let nb = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 32)
            nb.copyMemory(from: base, byteCount: size)
            base.deallocate()
            base = nb
            capacity = newCapacity
        }
        (base + size).initializeMemory(as: UInt8.self, repeating: 0, count: newSize - size)
        size = newSize
    }

    /// Gas for memory of `words` words: 3 per word plus words^2 / 512 (Yellow Paper C_mem).
    @inlinable static func cost(words: Int64) -> Int64 { 3 &* words &+ (words &* words) / 512 }

    @inlinable func load(_ offset: Int) -> UInt256 {
        UInt256(bigEndian: UnsafeRawBufferPointer(start: base + offset, count: 32))
    }

    @inlinable func store(_ offset: Int, _ value: UInt256) { value.storeBigEndian(to: base + offset) }

    @inlinable func store8(_ offset: Int, _ value: UInt8) { base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self) }

    @inlinable func bytes(_ offset: Int, _ count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base + offset, count: count))
    }

    /// Copies `count` bytes from `source` starting at `sourceOffset`, zero-padding past its end.
    @inlinable func copy(to offset: Int, from source: UnsafeRawBufferPointer, sourceOffset: UInt256, count: Int) {
        guard count > 0 else { return }
        var available = 0
        var start = 0
        if let so = sourceOffset.u64, so < UInt64(source.count) {
            start = Int(so)
            available = min(count, source.count - start)
        }
        if available > 0, let src = source.baseAddress {
            (base + offset).copyMemory(from: src + start, byteCount: available)
        }
        if available < count {
            (base + offset + available).initializeMemory(as: UInt8.self, repeating: 0, count: count - available)
        }
    }
}
