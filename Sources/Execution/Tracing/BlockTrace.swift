import Synchronization
import EVMPrimitives
import EVMInterpreter

/// The interpreter's trace options and tracer, for modules that see only `Execution`.
public typealias TraceOptions = EVMInterpreter.TraceOptions
public typealias EIP3155Tracer = EVMInterpreter.EIP3155Tracer

/// Collects the EIP-3155 traces of a block's transactions from any executor: each execution of transaction `i`
/// records into its own `EIP3155Tracer` (`tracer()`), and `record` keeps the last one per transaction, so a
/// re-execution (a new Block-STM incarnation, a serial finish) replaces what an earlier one recorded and the
/// trace left is the final incarnation's. Executors hold one only when tracing is on (`trace` is nil
/// otherwise: the untraced interpreter loop runs).
///
/// An incarnation that ends in a blocked read is not recorded (it is re-run); Block-STM records an incarnation
/// before it reports its execution finished, and the next incarnation of the same transaction starts only after
/// that, so the last record is the final incarnation's.
public final class BlockTrace: Sendable {
    public let options: TraceOptions
    /// `Locked`, not a bare `Mutex`: Block-STM's workers record concurrently, and ThreadSanitizer (the parallel
    /// tests run under it) sees a bare `Mutex`'s futex hand-over on Linux as no ordering at all.
    private let traces = Locked<[Int: [String]]>([:])

    public init(options: TraceOptions = TraceOptions()) { self.options = options }

    /// A tracer for one execution of one transaction.
    public func tracer() -> EIP3155Tracer { EIP3155Tracer(options: options) }

    /// Keeps `tracer`'s lines as transaction `index`'s trace, replacing any earlier one; a tracer without lines
    /// (the transaction was rejected) removes it.
    public func record(_ index: Int, _ tracer: EIP3155Tracer?) {
        guard let tracer else { return }
        let lines = tracer.lines
        traces.withLock { if lines.isEmpty { $0[index] = nil } else { $0[index] = lines } }
    }

    /// Transaction `index`'s trace (its step lines and the summary line), or nil when it has none.
    public func lines(_ index: Int) -> [String]? { traces.withLock { $0[index] } }

    /// The traces of the transactions the block included (every traced one that `rejected` does not list: a
    /// transaction the block rejected after running it, for its blob gas, has no trace), by index.
    public func included(rejected: [RejectedTransaction]) -> [(index: Int, lines: [String])] {
        let skip = Set(rejected.map(\.index))
        return traces.withLock { t in t.keys.sorted().filter { !skip.contains($0) }.map { ($0, t[$0]!) } }
    }
}

extension TraceOptions {
    /// The defaults (stack and return data, no memory), for modules that see only `Execution`.
    public static var defaults: TraceOptions { TraceOptions() }

    /// Options from modules that see only `Execution`.
    public static func with(memory: Bool, stack: Bool, returnData: Bool) -> TraceOptions {
        TraceOptions(memory: memory, stack: stack, returnData: returnData)
    }
}
