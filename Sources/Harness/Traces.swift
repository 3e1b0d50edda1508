import Foundation
import Synchronization
import EVMPrimitives
import EVMState
import Execution
import Keccak
import Vectors

/// One transaction's EIP-3155 trace as one executor ran it: its step lines and the summary line, JSONL.
public struct TransactionTrace: Sendable, Equatable {
    /// The transaction's index in the vector's list (what reports and `BlockDivergence` name).
    public var index: Int
    /// Its hash, when known (a transaction that carries its signature; the external tool's file name).
    public var hash: Hash32?
    public var lines: [String]

    public init(index: Int, hash: Hash32?, lines: [String]) { self.index = index; self.hash = hash; self.lines = lines }

    /// `trace-<index>-<hash>.jsonl`, the name geth's and the Python spec's `t8n --trace` give it (the hash `0x`
    /// when unknown).
    public var fileName: String { "trace-\(index)-\(hash.map { "\($0)" } ?? "0x").jsonl" }

    /// The lines joined, each ending in a newline.
    public var text: String { lines.map { $0 + "\n" }.joined() }
}

/// Why a trace could not be made.
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// EIP-3155 traces of block vectors and state tests from any executor (`ExecutorSpec`): the built-in ones record
/// through `BlockTrace` (Block-STM: each transaction's final incarnation, under the always-parallel policy so that
/// the parallel algorithm is what is traced; BAL: from the list a serial run derives), an external t8n tool writes
/// them with `--trace` (its `trace-<i>-<hash>.jsonl` files).
///
/// Only included transactions have traces: a rejected one runs no code.
public enum Traces {
    /// The built-in executor `kind` recording into `trace` (Block-STM always parallel, BAL from a derived list);
    /// nil for the partition bound, which records nothing.
    private static func tracingExecutor(_ kind: BlockRunner.Executor, threads: Int, trace: BlockTrace) -> (any BlockExecutor)? {
        switch kind {
        case .serial: return SerialExecutor(recordsAccess: false, trace: trace)
        case .blockstm:
            var e = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
            e.trace = trace
            return e
        case .bal: return BALExecutor.Deriving(threads: threads, trace: trace)
        case .bound: return nil
        }
    }

    /// Every included transaction's trace of `vector` under `executor`, by index.
    public static func traces(_ vector: BlockVector, executor: ExecutorSpec, threads: Int = 2,
                              options: TraceOptions = .defaults) -> Result<[TransactionTrace], TraceError> {
        switch executor {
        case .external(let tool):
            return tool.traces(vector).mapError { TraceError($0.description) }
        case .builtIn(let kind):
            let trace = BlockTrace(options: options)
            guard let chosen = tracingExecutor(kind, threads: threads, trace: trace) else {
                return .failure(TraceError("the partition bound is a yardstick and has no traces (use serial, blockstm, bal or t8n:COMMAND)"))
            }
            guard vector.fork.isSupported else { return .failure(TraceError("fork \(vector.fork.name) is not supported")) }
            let outcome = onEVMThread { chosen.execute(pre: vector.pre, env: vector.env, transactions: vector.transactions, fork: vector.fork) }
            return .success(trace.included(rejected: outcome.rejected).map { k, lines in
                TransactionTrace(index: vector.vectorIndex(ofRead: k), hash: hash(vector, k), lines: lines)
            })
        }
    }

    /// Transaction `index`'s trace (the vector's index) under `executor`: JSONL lines, steps then the summary.
    public static func trace(_ vector: BlockVector, transaction index: Int, executor: ExecutorSpec, threads: Int = 2,
                             options: TraceOptions = .defaults) -> Result<[String], TraceError> {
        guard index >= 0, index < vector.transactionCount else {
            return .failure(TraceError("\(vector.name): no transaction \(index) (the block has \(vector.transactionCount))"))
        }
        return traces(vector, executor: executor, threads: threads, options: options).flatMap { all in
            guard let t = all.first(where: { $0.index == index }) else {
                return .failure(TraceError("\(vector.name): transaction \(index) was rejected under \(executor.name): it has no trace"))
            }
            return .success(t.lines)
        }
    }

    /// A state-test case's trace under `executor`, run as a one-transaction block (`stateTestBlock`); the summary
    /// line carries the post-state root when a built-in executor ran it.
    public static func trace(_ c: StateTestCase, executor: ExecutorSpec, threads: Int = 2,
                             options: TraceOptions = .defaults) -> Result<[String], TraceError> {
        traces(c, executor: executor, threads: threads, options: options).flatMap { t in
            guard let t else { return .failure(TraceError("\(c.name): the transaction was rejected: it has no trace")) }
            return .success(t.lines)
        }
    }

    /// A state-test case's trace, or nil when the transaction was rejected.
    public static func traces(_ c: StateTestCase, executor: ExecutorSpec, threads: Int = 2,
                              options: TraceOptions = .defaults) -> Result<TransactionTrace?, TraceError> {
        if let reason = c.unrepresentable { return .failure(TraceError("\(c.name): \(reason)")) }
        let block = stateTestBlock(c)
        if case .builtIn = executor {
            // The post-state root into the summary line, as `evm statetest --trace` prints it.
            let trace = BlockTrace(options: options)
            var kind = BlockRunner.Executor.serial
            if case .builtIn(let k) = executor { kind = k }
            guard let chosen = tracingExecutor(kind, threads: threads, trace: trace) else {
                return .failure(TraceError("the partition bound is a yardstick and has no traces"))
            }
            let outcome = onEVMThread { chosen.execute(pre: block.pre, env: block.env, transactions: block.transactions, fork: block.fork) }
            guard var lines = trace.included(rejected: outcome.rejected).first?.lines else { return .success(nil) }
            if let last = lines.last, last.hasPrefix("{") {
                lines[lines.count - 1] = "{\"stateRoot\":\"\(outcome.stateRoot)\"," + last.dropFirst()
            }
            return .success(TransactionTrace(index: 0, hash: hash(block, 0), lines: lines))
        }
        return traces(block, executor: executor, threads: threads, options: options).map { $0.first }
    }

    /// A state-test case as the one-transaction block `runStateTestAsBlock` runs (its environment, its pre-state,
    /// its transaction with the signature its bytes carry).
    public static func stateTestBlock(_ c: StateTestCase) -> BlockVector {
        var v = BlockVector(name: c.name, path: c.file, fork: c.fork, pre: c.pre, env: BlockRunner.stateTestEnvironment(c),
                            transactions: [c.tx])
        if let decoded = try? TransactionCodec.decode(c.txBytes, fork: c.fork) { v.signatures = [decoded.signature] }
        return v
    }

    /// The hash of the vector's read transaction `k`, when it carries its signature.
    static func hash(_ v: BlockVector, _ k: Int) -> Hash32? {
        guard k < v.signatures.count, let s = v.signatures[k] else { return nil }
        return TransactionCodec.hash(v.transactions[k], signature: s)
    }

    /// Runs `body` on a thread whose stack holds 1024 nested call frames (as `BlockRunner.run`).
    static func onEVMThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = Mutex<T?>(nil)
        WorkerThreads.run(count: 1) { _ in
            let r = body()
            box.withLock { $0 = r }
        }
        return box.withLock { $0! }
    }
}

extension ExternalT8nExecutor {
    /// Runs the tool with `--trace` and reads the `trace-<i>-<hash>.jsonl` files it writes (`i` its index in the
    /// transactions it was given: the vector's read ones).
    public func traces(_ vector: BlockVector, signedWith keys: [Address: [UInt8]]? = nil) -> Result<[TransactionTrace], ExternalT8nError> {
        let found = Mutex<[TransactionTrace]>([])
        let run = invoke(vector, keys: keys, extra: ["--trace"]) { dir in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            var out: [TransactionTrace] = []
            for name in names where name.hasPrefix("trace-") && name.hasSuffix(".jsonl") {
                let parts = name.dropFirst("trace-".count).dropLast(".jsonl".count).split(separator: "-", maxSplits: 1)
                guard parts.count == 2, let k = Int(parts[0]), k >= 0, k < vector.transactions.count,
                      let data = FileManager.default.contents(atPath: dir + "/" + name) else { continue }
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
                out.append(TransactionTrace(index: vector.vectorIndex(ofRead: k), hash: try? Hash32(hex: String(parts[1])),
                                            lines: lines))
            }
            let sorted = out.sorted { $0.index < $1.index }
            found.withLock { $0 = sorted }
        }
        return run.map { _ in found.withLock { $0 } }
    }
}

extension Traces {
    /// Writes each trace as `dir/<fileName>` (creating `dir`), after removing the trace files an earlier run left
    /// there.
    public static func write(_ traces: [TransactionTrace], to dir: String) throws(TraceError) {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw TraceError("cannot create \(dir): \(error.localizedDescription)")
        }
        for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix("trace-") && name.hasSuffix(".jsonl") {
            try? fm.removeItem(atPath: dir + "/" + name)
        }
        for t in traces {
            let path = dir + "/" + t.fileName
            do { try Data(t.text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw TraceError("cannot write \(path): \(error.localizedDescription)")
            }
        }
    }
}
