/// A growable buffer of elements that one worker refills for each incarnation it runs: emptying it deinitializes the
/// elements and keeps the memory. An array's `removeAll(keepingCapacity:)` costs 130-260 instructions a call here (the
/// generic `replaceSubrange`), several times per transaction.
///
/// Owned by one thread at a time; the elements it hands out (`elements`) are valid until its next change.
final class ReusableBuffer<Element> {
    private var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always) func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    private func grow() {
        let larger = capacity * 2
        let moved = UnsafeMutablePointer<Element>.allocate(capacity: larger)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    /// Deinitializes the elements, keeping the memory.
    @inline(__always) func removeAll() {
        // One element at a time, moved out and dropped: the destroy is the element type's own, where
        // `deinitialize(count:)` calls the runtime's generic `swift_arrayDestroy` (about 120 instructions a call).
        for i in 0..<count { _ = (base + i).move() }
        count = 0
    }

    /// Moves every element to `destination` (uninitialized, room for `count`), leaving the buffer empty: no copy,
    /// and nothing left to destroy.
    @inline(__always) func moveAll(to destination: UnsafeMutablePointer<Element>) {
        destination.moveInitialize(from: base, count: count)
        count = 0
    }

    /// Moves element `i` out. The caller must move out every element the same way and then call `forgetMoved()`.
    @inline(__always) func move(_ i: Int) -> Element { (base + i).move() }

    /// Empties the buffer after `move` took every element out (nothing is destroyed).
    @inline(__always) func forgetMoved() { count = 0 }

    /// The elements, valid until the buffer next changes.
    @inline(__always) var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always) subscript(_ i: Int) -> Element { base[i] }
}
