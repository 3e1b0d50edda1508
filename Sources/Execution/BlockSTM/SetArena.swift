/// Append-only storage for the read or write sets one worker records during a run: the sets are copied into chunks
/// that stay put until the run's memory is freed, so that recording an incarnation allocates nothing (a set of its
/// own per incarnation was a `malloc` on the worker and a `free` on whichever thread released the memory).
///
/// Only its worker stores; other threads read a stored set through the pointer published under the transaction's
/// lock (`MVMemory.TxSets`): a stored range is never written again until `free`, which runs once no worker records
/// or reads (after the run, or at the memory's deinit). An aborted incarnation's sets are left in place, unused.
final class SetArena<Element>: @unchecked Sendable {
    /// The chunks filled before the current one.
    private var chunks: [(start: UnsafeMutablePointer<Element>, used: Int)] = []
    /// The chunk being filled, its elements stored and its room: plain fields, so that a store does not write
    /// through the array of chunks (its uniqueness check and bounds check).
    private var current: UnsafeMutablePointer<Element>?
    private var used = 0
    private var capacity = 0
    private var chunkSize: Int
    /// Elements per chunk at most: larger blocks would go to `mmap` (and its page faults) in every run.
    private static var maxChunk: Int { max(64, (96 << 10) / max(1, MemoryLayout<Element>.stride)) }

    /// `expected`: about how many elements the worker will store in the run (the first chunk's size, bounded).
    init(expected: Int) {
        chunkSize = min(Self.maxChunk, max(64, expected))
    }

    deinit { free() }

    /// A copy of `elements` that lives until `free`.
    func store(_ elements: UnsafeBufferPointer<Element>) -> UnsafeBufferPointer<Element> {
        let count = elements.count
        guard count > 0, let source = elements.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        let at = reserve(count)
        at.initialize(from: source, count: count)
        return UnsafeBufferPointer(start: at, count: count)
    }

    /// `buffer`'s elements moved here (the buffer is left empty), living until `free`: no copy of each element and no
    /// destroy of the original (for a type with references, the copy went through the runtime's generic
    /// `swift_arrayInitWithCopy`).
    func store(moving buffer: ReusableBuffer<Element>) -> UnsafeBufferPointer<Element> {
        let count = buffer.count
        guard count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        let at = reserve(count)
        buffer.moveAll(to: at)
        return UnsafeBufferPointer(start: at, count: count)
    }

    /// `count` elements made in place by `initialize` (which must initialize all of them), living until `free`.
    func store(count: Int, _ initialize: (UnsafeMutablePointer<Element>) -> Void) -> UnsafeBufferPointer<Element> {
        guard count > 0 else { return UnsafeBufferPointer(start: nil, count: 0) }
        let at = reserve(count)
        initialize(at)
        return UnsafeBufferPointer(start: at, count: count)
    }

    /// Room for `count` (> 0) elements, uninitialized, counted as stored.
    @inline(__always) private func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity - used {
            // The current chunk's rest is left unused.
            if let current { chunks.append((current, used)) }
            let size = max(count, chunkSize)
            chunkSize = min(Self.maxChunk, chunkSize * 2)
            current = .allocate(capacity: size)
            used = 0
            capacity = size
        }
        let at = current.unsafelyUnwrapped + used
        used += count
        return at
    }

    /// Deinitializes and frees every chunk: no set stored here may be read afterwards.
    func free() {
        for chunk in chunks {
            chunk.start.deinitialize(count: chunk.used)
            chunk.start.deallocate()
        }
        chunks.removeAll()
        if let current {
            current.deinitialize(count: used)
            current.deallocate()
        }
        current = nil
        used = 0
        capacity = 0
    }
}
