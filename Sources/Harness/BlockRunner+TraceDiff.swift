import Foundation
import EVMPrimitives
import EVMState
import Execution
import Vectors

// Issue 15: on a mismatch between executors, the block is run again with EIP-3155 tracing under the reference
// (serial) and the executor that diverged, and the first transaction whose traces differ is diffed into the
// divergence (`BlockDivergence.traceDiff`). Only a divergent block is traced, so a green run costs nothing.

extension BlockRunner {
    /// Test-only (issue 15's planted divergence): an executor that runs in place of Block-STM, under its own name,
    /// through every check, the divergence and its trace diff. `make` gets the trace to record into (nil: untraced).
    @_spi(Testing) public struct Substitute: Sendable {
        public var name: String
        public var make: @Sendable (BlockTrace?) -> any BlockExecutor
        public init(name: String, make: @escaping @Sendable (BlockTrace?) -> any BlockExecutor) {
            self.name = name; self.make = make
        }
    }

    /// `executor` at `threads` as this runner ran it (policy, list, stress seed), recording every transaction's trace
    /// into `trace`; nil for the partition bound, a yardstick that records none.
    func traced(_ executor: Executor, threads: Int, list: BlockAccessList?, stress: StressOptions?,
                trace: BlockTrace) -> (any BlockExecutor)? {
        switch executor {
        case .serial:
            return SerialExecutor(recordsAccess: false, trace: trace)
        case .blockstm:
            if let substitute { return substitute.make(trace) }
            var e = BlockSTMExecutor(threads: threads, stress: stress, policy: policy)
            e.trace = trace
            return e
        case .bal:
            var e = BALExecutor(threads: threads, list: list ?? BlockAccessList(), stress: stress, policy: policy)
            e.trace = trace
            return e
        case .bound:
            return nil
        }
    }

    /// Runs `v` traced under serial and under `executor` (`stress`: the perturbation of the run that diverged) and
    /// diffs the first transaction whose traces differ, with the command that reproduces both traces.
    func traceDiff(_ v: BlockVector, executor: Executor, name: String, threads: Int, list: BlockAccessList?,
                   stress: StressOptions?) -> TransactionTraceDiff {
        var out = BlockRunner.traceDiff(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork,
                                        executor: executor == .serial ? name : "\(name) x\(threads)") { trace in
            traced(executor, threads: threads, list: list, stress: stress, trace: trace)
        }
        // Trace indexes count the transactions that were read; the report counts the vector's whole list.
        out.transaction = out.transaction.map(v.vectorIndex(ofRead:))
        // A test's executor and the partition bound (no traces): no command to give.
        if executor == .bound || (executor == .blockstm && substitute != nil) { return out }
        out.command = BlockRunner.traceCommand(v, executor: executor, threads: threads)
        if let stress, out.command != nil {
            out.note = (out.note.map { $0 + "; " } ?? "") + "the command traces without the perturbation of stress seed \(stress.seed)"
        }
        return out
    }

    /// One shell line that writes serial's and `executor`'s traces of `v` with `lockstep t8n --trace` (one
    /// `trace-<index>-<hash>.jsonl` per included transaction, into `/tmp/lockstep-trace/<vector>/<executor>`) and
    /// diffs the two directories with `lockstep trace diff`; nil for a vector without a file (a generated block).
    /// A directory vector's files are given by name, a JSON file's through stdin (zstd-decompressed first).
    public static func traceCommand(_ v: BlockVector, executor: Executor, threads: Int) -> String? {
        traceCommand(v, tool: "lockstep t8n", options: "--executor \(executor.rawValue) --threads \(threads)",
                     directory: "\(executor.rawValue)-x\(threads)")
    }

    /// The same for a t8n tool run as `command`, its traces in `<vector>/t8n`.
    public static func traceCommand(_ v: BlockVector, external: ExternalT8nExecutor) -> String? {
        traceCommand(v, tool: external.command, options: nil, directory: "t8n")
    }

    static func traceCommand(_ v: BlockVector, tool: String, options: String?, directory: String) -> String? {
        guard !v.path.isEmpty else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: v.path, isDirectory: &isDirectory) else { return nil }
        let q = shellWord
        let base = "/tmp/lockstep-trace/" + fileName(v.name)
        func run(_ tool: String, _ options: String?, _ dir: String) -> String {
            var input: String, feed = ""
            if isDirectory.boolValue {
                let p = URL(fileURLWithPath: v.path)
                input = ["alloc", "env", "txs"].map { "--input.\($0) \(q(p.appendingPathComponent("\($0).json").path))" }
                    .joined(separator: " ")
            } else {
                input = "--input.alloc stdin --input.env stdin --input.txs stdin"
                feed = v.path.hasSuffix(".zst") ? "zstd -dc \(q(v.path)) | " : ""
                if feed.isEmpty { input += " < \(q(v.path))" }
            }
            var line = feed + "\(tool) \(input) --state.fork \(q(v.fork.name)) --state.chainid \(v.env.chainId)"
            if let options { line += " " + options }
            return line + " --trace --output.basedir \(q(dir)) --output.result result.json --output.alloc alloc.json"
        }
        let a = base + "/serial", b = base + "/" + directory
        return "mkdir -p \(q(a)) \(q(b)) && \(run("lockstep t8n", nil, a)) && \(run(tool, options, b)) "
            + "&& lockstep trace diff \(q(a)) \(q(b))"
    }

    /// Serial's traces of `v` against an external t8n tool's (run with `--trace`): the first transaction whose traces
    /// differ, and the command that writes both and diffs them.
    public static func externalTraceDiff(_ v: BlockVector, tool: ExternalT8nExecutor) -> TransactionTraceDiff {
        var out = TransactionTraceDiff(transaction: nil, reference: Executor.serial.rawValue, executor: tool.name)
        out.command = traceCommand(v, external: tool)
        let serial: [TransactionTrace]
        switch Traces.traces(v, executor: .builtIn(.serial)) {
        case .success(let t): serial = t
        case .failure(let e):
            out.note = "serial traces: \(e)"
            return out
        }
        let theirs: [TransactionTrace]
        switch tool.traces(v) {
        case .success(let t): theirs = t
        case .failure(let e):
            out.note = "\(tool.name) --trace: \(e.message)"
            return out
        }
        let a = Dictionary(serial.map { ($0.index, $0.lines) }, uniquingKeysWith: { x, _ in x })
        let b = Dictionary(theirs.map { ($0.index, $0.lines) }, uniquingKeysWith: { x, _ in x })
        var diff = TransactionTraceDiff.first(reference: out.reference, executor: out.executor,
                                              transactions: v.transactionCount, a: { a[$0] }, b: { b[$0] })
        diff.command = out.command
        return diff
    }

    /// Runs a block traced under serial and under the executor `make` gives (nil: it records no traces), and diffs
    /// the first transaction whose traces differ (indexes into `transactions`). `label` names that executor.
    public static func traceDiff(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork,
                                 executor label: String,
                                 make: (BlockTrace) -> (any BlockExecutor)?) -> TransactionTraceDiff {
        let reference = BlockTrace(), under = BlockTrace()
        guard let tested = make(under) else {
            return TransactionTraceDiff(transaction: nil, reference: Executor.serial.rawValue, executor: label,
                                        note: "\(label) records no traces")
        }
        _ = SerialExecutor(recordsAccess: false, trace: reference).execute(pre: pre, env: env, transactions: transactions, fork: fork)
        _ = tested.execute(pre: pre, env: env, transactions: transactions, fork: fork)
        return TransactionTraceDiff.first(reference: Executor.serial.rawValue, executor: label,
                                          transactions: transactions.count,
                                          a: { reference.lines($0) }, b: { under.lines($0) })
    }

    /// A state-test case run as a one-transaction block (`runStateTestAsBlock`) traced under serial and `executor`:
    /// their trace diff, for `statetest --executor` when the executor fails a case that serial passes.
    public static func stateTestTraceDiff(_ c: StateTestCase, executor: Executor, threads: Int = 2) -> TransactionTraceDiff {
        let env = stateTestEnvironment(c)
        return traceDiff(pre: c.pre, env: env, transactions: [c.tx], fork: c.fork, executor: "\(executor.rawValue) x\(threads)") { trace in
            switch executor {
            case .serial: return SerialExecutor(recordsAccess: false, trace: trace)
            case .blockstm:
                var e = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
                e.trace = trace
                return e
            case .bal:
                var e = BALExecutor(threads: threads, list: BlockAccessListBuilder.derive(pre: c.pre, env: env, transactions: [c.tx],
                                                                                          fork: c.fork),
                                    policy: .alwaysParallel)
                e.trace = trace
                return e
            case .bound: return nil
            }
        }
    }

    /// `s` as one shell word: as it is when it holds only safe characters, else single-quoted.
    static func shellWord(_ s: String) -> String {
        if !s.isEmpty, s.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_./:=,@%+".unicodeScalars.contains($0)) }) {
            return s
        }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
