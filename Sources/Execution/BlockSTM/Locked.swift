import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a `Mutex` (Synchronization) that also reports the lock to ThreadSanitizer.
///
/// Why the reporting: on Linux, `Mutex` parks and wakes threads with raw futex calls made from the
/// standard library, which is not built with TSan instrumentation, so TSan sees no ordering between
/// two critical sections and reports every protected access as a race. When the TSan runtime is
/// loaded, every acquisition and release is announced with its public annotations
/// (`__tsan_acquire` / `__tsan_release`); otherwise this costs one predictable branch.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    @inline(__always)
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        mutex.withLock { value -> R in
            let token = UnsafeMutableRawPointer(Unmanaged.passUnretained(self).toOpaque())
            SanitizerHooks.acquire(token)
            defer { SanitizerHooks.release(token) }
            return body(&value)
        }
    }
}

/// A fixed number of values, each behind its own `Mutex`, in one allocation: the per-transaction state of
/// a Block-STM run. One allocation instead of one object per transaction makes setting up and tearing
/// down a block's slots cheap. Each slot starts on a cache line of its own (its size rounded up to 64
/// bytes): neighbouring transactions run on different workers at the same time, and slots sharing a line
/// would move it between their cores at every lock. Announces every lock to ThreadSanitizer as `Locked`
/// does.
final class LockedSlots<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutableRawPointer
    /// Bytes from one slot to the next: the slot's size rounded up to a cache line.
    private let stride: Int
    let count: Int
    /// Deinitializes every slot; made where `Value` is known (the initializer is specialized, the deinit of a
    /// generic class is not: there every slot cost a metadata lookup and a value-witness call, about 70 µs
    /// for a 200-transaction block's slots, on the calling thread after the run). Nil when there is nothing
    /// to deinitialize.
    private let destroy: (@Sendable (UnsafeMutableRawPointer, Int, Int) -> Void)?

    init(count: Int, _ initial: (Int) -> Value) {
        self.count = count
        let line = 64  // bytes in a cache line
        stride = (MemoryLayout<Mutex<Value>>.stride + line - 1) / line * line
        slots = .allocate(byteCount: max(1, count) * stride, alignment: max(line, MemoryLayout<Mutex<Value>>.alignment))
        for i in 0..<count {
            (slots + i * stride).bindMemory(to: Mutex<Value>.self, capacity: 1).initialize(to: Mutex(initial(i)))
        }
        destroy = _isPOD(Value.self) ? nil : Self.destroySlots
    }

    private static func destroySlots(_ slots: UnsafeMutableRawPointer, _ count: Int, _ stride: Int) {
        for i in 0..<count { (slots + i * stride).assumingMemoryBound(to: Mutex<Value>.self).deinitialize(count: 1) }
    }

    deinit {
        destroy?(slots, count, stride)
        slots.deallocate()
    }

    @inline(__always) private func slot(_ i: Int) -> UnsafeMutablePointer<Mutex<Value>> {
        (slots + i * stride).assumingMemoryBound(to: Mutex<Value>.self)
    }

    @inline(__always)
    func withLock<R: Sendable>(_ i: Int, _ body: (inout Value) -> R) -> R {
        precondition(i >= 0 && i < count, "slot \(i) out of 0..<\(count)")
        let slot = slot(i)
        return slot.pointee.withLock { value -> R in
            let token = UnsafeMutableRawPointer(slot)
            SanitizerHooks.acquire(token)
            defer { SanitizerHooks.release(token) }
            return body(&value)
        }
    }
}

/// A few atomic integers, each on a cache line of its own: counters that every worker updates (the
/// scheduler's indices) would otherwise share a line, and each update would take it from the cores
/// reading the others (the `done` flag every idle worker polls).
final class AtomicLines: @unchecked Sendable {  // atomics in memory owned by this object
    private let lines: UnsafeMutableRawPointer
    private let count: Int
    private static let line = 64  // bytes in a cache line

    init(count: Int) {
        self.count = count
        lines = .allocate(byteCount: max(1, count) * Self.line, alignment: Self.line)
        for i in 0..<count { (lines + i * Self.line).bindMemory(to: Atomic<Int>.self, capacity: 1).initialize(to: Atomic(0)) }
    }

    deinit {
        for i in 0..<count { self[i].deinitialize(count: 1) }
        lines.deallocate()
    }

    /// The `i`-th atomic (use its `pointee`).
    @inline(__always) subscript(_ i: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        (lines + i * Self.line).assumingMemoryBound(to: Atomic<Int>.self)
    }
}

/// ThreadSanitizer's annotation entry points, found at run time (nil when TSan is not loaded).
enum SanitizerHooks {
    typealias Annotation = @convention(c) (UnsafeMutableRawPointer?) -> Void

    struct Hooks: @unchecked Sendable {  // C function pointers, set once before any use
        var acquire: Annotation?
        var release: Annotation?
    }

    static let hooks: Hooks = {
        #if canImport(Glibc) || canImport(Darwin)
        let handle = dlopen(nil, RTLD_NOW)
        func find(_ name: String) -> Annotation? {
            guard let symbol = dlsym(handle, name) else { return nil }
            return unsafeBitCast(symbol, to: Annotation.self)
        }
        return Hooks(acquire: find("__tsan_acquire"), release: find("__tsan_release"))
        #else
        return Hooks()
        #endif
    }()

    @inline(__always) static func acquire(_ address: UnsafeMutableRawPointer) {
        if let f = hooks.acquire { f(address) }
    }

    @inline(__always) static func release(_ address: UnsafeMutableRawPointer) {
        if let f = hooks.release { f(address) }
    }
}
