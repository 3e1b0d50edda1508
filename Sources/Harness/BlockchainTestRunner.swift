import Foundation
import Synchronization
import EVMPrimitives
import EVMState
import Execution
import Keccak
import Vectors

/// The outcome of one blockchain test (or of a file that failed to load).
public struct BlockchainTestResult: RunStatusResult, Sendable, Equatable {
    /// `<file>:<test>`, or the file for a load error.
    public var name: String
    public var network: String
    /// What the runner decided: passed, failed (the problems), error (the file did not load) or skipped (a fork
    /// of its schedule is not supported).
    public var status: RunStatus
    /// Blocks imported (valid) and rejected.
    public var imported: Int = 0
    public var rejected: Int = 0
    /// The executors every block ran with: `serial`, `blockstm x2`, ...
    public var executors: [String] = []
    /// The head the chain ended at (the hash of the last block imported on the `lastblockhash` chain).
    public var lastBlockHash: Hash32?

    public init(name: String, network: String, status: RunStatus) {
        self.name = name; self.network = network; self.status = status
    }

    /// One JSON object: name, network, pass, imported, rejected, executors, lastBlockHash, error (or skipped, reason).
    public var jsonLine: String {
        if let reason = skipReason {
            return "{\"name\":\(BlockJSON.quote(name)),\"network\":\(BlockJSON.quote(network)),\"skipped\":true,\"reason\":\(BlockJSON.quote(reason))}"
        }
        var s = "{\"name\":\(BlockJSON.quote(name)),\"network\":\(BlockJSON.quote(network)),\"pass\":\(pass)"
        s += ",\"imported\":\(imported),\"rejected\":\(rejected)"
        s += ",\"executors\":[\(executors.map { BlockJSON.quote($0) }.joined(separator: ","))]"
        if let h = lastBlockHash { s += ",\"lastBlockHash\":\(BlockJSON.quote(h.description))" }
        if let error { s += ",\"error\":\(BlockJSON.quote(error))" }
        return s + "}"
    }
}

/// Imports the blocks of blockchain tests: decodes each block, validates its header against its parent, executes
/// it with the serial executor and with every parallel executor asked for (each must equal serial bit for bit),
/// checks the outcome against the header, and keeps the block when all of that holds. A block the vector marks
/// with `expectException` must be rejected, and the chain goes on from its parent; a valid block that is rejected
/// fails the test. At the end the head must be `lastblockhash` and its state `postState` (or `postStateHash`).
/// Proof-of-work seals are not checked.
public struct BlockchainTestRunner: Sendable {
    public var filter: NamePattern?
    /// Block-STM thread counts to run next to serial (empty: serial only).
    public var blockSTMThreads: [Int]
    /// Files run at the same time.
    public var threads: Int
    /// The chain id the tests' transactions are signed for.
    public var chainId: UInt64 = 1
    /// Where to write every executed block's EIP-3155 traces (`--trace`): `<dir>/<test>/block-<i>/<executor>/
    /// trace-<txindex>-<txhash>.jsonl`, serial and each Block-STM thread count (its final incarnations); nil: none.
    public var traceDirectory: String?

    public init(filter: NamePattern? = nil, blockSTMThreads: [Int] = [2],
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.filter = filter; self.blockSTMThreads = blockSTMThreads; self.threads = max(1, threads)
    }

    /// The executors' names as results list them.
    public var executorNames: [String] { ["serial"] + blockSTMThreads.map { "blockstm x\($0)" } }

    /// Loads and runs every source, `threads` files at a time; results in source order, tests sorted by name.
    public func run(sources: [VectorSource]) -> [BlockchainTestResult] {
        let count = sources.count
        guard count > 0 else { return [] }
        let slots = Mutex([[BlockchainTestResult]](repeating: [], count: count))
        let next = Atomic<Int>(0)
        WorkerThreads.run(count: min(threads, count)) { _ in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < count else { return }
                let results: [BlockchainTestResult]
                do throws(LoadError) {
                    let cases = try BlockchainTestLoader.load(sources[i])
                    results = cases.filter { filter?.matches($0.name) ?? true }.map { run($0) }
                } catch {
                    results = filter?.matches(error.name) ?? true
                        ? [BlockchainTestResult(name: error.name, network: "", status: .error(error.reason))] : []
                }
                slots.withLock { $0[i] = results }
            }
        }
        return slots.withLock { $0.flatMap { $0 } }
    }

    /// A block on a chain: its header, the state after it and its fork.
    struct ChainBlock {
        var header: BlockHeader
        var state: InMemoryState
        var fork: Fork
    }

    /// Runs one test (on the calling thread, which needs a stack for 1024 call frames; see `WorkerThreads`).
    public func run(_ t: BlockchainTestCase) -> BlockchainTestResult {
        // Judged below, once every check has run.
        var result = BlockchainTestResult(name: t.name, network: t.network, status: .error("not run"))
        result.executors = executorNames
        // Every fork the test runs under must be executable.
        for (fork, _) in t.schedule.forks where !fork.isSupported {
            result.status = .skipped("fork \(fork.name) not supported")
            return result
        }
        let genesis: DecodedBlock
        do { genesis = try DecodedBlock.decode(t.genesisRLP, schedule: t.schedule) } catch {
            result.status = .failed("genesis block: \(error)")
            return result
        }
        if let h = t.genesisHash, h != genesis.hash {
            result.status = .failed("genesis hash \(genesis.hash), the vector says \(h)")
            return result
        }
        let preRoot = t.pre.stateRoot()
        if preRoot != genesis.header.stateRoot {
            result.status = .failed("pre-state root \(preRoot), the genesis header says \(genesis.header.stateRoot)")
            return result
        }
        var chain: [Hash32: ChainBlock] = [
            genesis.hash: ChainBlock(header: genesis.header, state: t.pre,
                                     fork: t.schedule.fork(number: genesis.header.number, timestamp: genesis.header.timestamp))]
        var problems: [String] = []
        for (i, block) in t.blocks.enumerated() {
            let verdict = importBlock(block.rlp, schedule: t.schedule, into: &chain, executorProblems: &problems, index: i,
                                      test: t.name)
            switch (verdict, block.expectException) {
            case (.imported(let hash), nil):
                result.imported += 1
                if let want = block.expectedHash, want != hash {
                    problems.append("block \(i): hash \(hash), the vector says \(want)")
                }
            case (.imported, let expected?):
                problems.append("block \(i): expected to be rejected (\(expected)) but was imported")
            case (.rejected(let why), nil):
                problems.append("block \(i): valid block rejected: \(why)")
            case (.rejected, _?):
                result.rejected += 1
            }
        }
        if let head = chain[t.lastBlockHash] {
            result.lastBlockHash = t.lastBlockHash
            if let post = t.postState, post != head.state {
                let diff = BlockRunner.stateDiff(post, head.state)
                let shown = diff.prefix(5).map { d in
                    "\(d.address) \(d.field)\(d.slot.map { "[\($0)]" } ?? ""): expected \(d.serial), got \(d.actual)"
                }
                problems.append("post-state differs in \(diff.count) fields: \(shown.joined(separator: "; "))")
            }
            if let root = t.postStateHash, root != head.header.stateRoot {
                problems.append("post-state root \(head.header.stateRoot), expected \(root)")
            }
        } else {
            problems.append("lastblockhash \(t.lastBlockHash) is not a block of the imported chain")
        }
        result.status = .judged(problems)
        return result
    }

    enum Verdict {
        case imported(Hash32)
        case rejected(String)
    }

    /// Decodes, validates and executes one block; adds it to `chain` when valid. A parallel executor that differs
    /// from serial is a problem of the executor (added to `executorProblems`), not a reason to reject the block.
    func importBlock(_ rlp: [UInt8], schedule: ForkSchedule, into chain: inout [Hash32: ChainBlock],
                     executorProblems: inout [String], index: Int, test: String = "") -> Verdict {
        let block: DecodedBlock
        do { block = try DecodedBlock.decode(rlp, schedule: schedule) } catch { return .rejected(error.reason) }
        guard let parent = chain[block.header.parentHash] else {
            return .rejected("unknown parent \(block.header.parentHash)")
        }
        let h = block.header
        let fork = schedule.fork(number: h.number, timestamp: h.timestamp)
        do {
            try BlockHeaderValidation.validate(block, fork: fork, parent: parent.header, parentFork: parent.fork,
                                               ancestors: ancestorHashes(of: h.parentHash, in: chain, count: 7))
        } catch {
            return .rejected(error.reason)
        }
        let env = BlockHeaderValidation.environment(block, fork: fork, hashes: blockHashes(from: h.parentHash, in: chain),
                                                    chainId: chainId)
        // With --trace, each executor's traces of the block's transactions.
        func traced() -> BlockTrace? { traceDirectory == nil ? nil : BlockTrace() }
        func write(_ trace: BlockTrace?, _ outcome: BlockOutcome, _ executor: String) {
            guard let trace, let dir = traceDirectory else { return }
            let traces = trace.included(rejected: outcome.rejected).map { i, lines in
                TransactionTrace(index: i, hash: Keccak256.hash(block.transactionEncodings[i]), lines: lines)
            }
            try? Traces.write(traces, to: "\(dir)/\(BlockRunner.fileName(test))/block-\(index)/\(executor)")
        }
        let serialTrace = traced()
        let serial = SerialExecutor(recordsAccess: false, trace: serialTrace).execute(pre: parent.state, env: env,
                                                                                      transactions: block.transactions, fork: fork)
        write(serialTrace, serial, "serial")
        for threads in blockSTMThreads {
            var executor = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
            executor.trace = traced()
            let outcome = executor.execute(pre: parent.state, env: env, transactions: block.transactions, fork: fork)
            write(executor.trace, outcome, "blockstm-x\(threads)")
            if let d = BlockRunner.divergence(outcome, from: serial, transactions: block.transactions.count) {
                var text = "block \(index): blockstm x\(threads) differs from serial in \(d.fields.joined(separator: ", "))"
                if let i = d.firstTransaction { text += " (first at transaction \(i))" }
                let trace = BlockRunner.traceDiff(pre: parent.state, env: env, transactions: block.transactions, fork: fork,
                                                  executor: "blockstm x\(threads)") { trace in
                    var e = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
                    e.trace = trace
                    return e
                }
                executorProblems.append(text + "; " + trace.summaryLine)
            }
        }
        let problems = BlockHeaderValidation.outcomeProblems(serial, header: h, fork: fork)
        guard problems.isEmpty else { return .rejected(problems.joined(separator: "; ")) }
        chain[block.hash] = ChainBlock(header: h, state: serial.postState, fork: fork)
        return .imported(block.hash)
    }

    /// The hashes of the 256 blocks before the one whose parent is `parentHash`, by number (for BLOCKHASH).
    func blockHashes(from parentHash: Hash32, in chain: [Hash32: ChainBlock]) -> [UInt64: Hash32] {
        var out: [UInt64: Hash32] = [:]
        var hash = parentHash
        for _ in 0..<256 {
            guard let b = chain[hash] else { break }
            out[b.header.number] = hash
            if b.header.number == 0 { break }
            hash = b.header.parentHash
        }
        return out
    }

    /// The hashes of the block `hash` and of its `count - 1` nearest ancestors.
    func ancestorHashes(of hash: Hash32, in chain: [Hash32: ChainBlock], count: Int) -> Set<Hash32> {
        var out = Set<Hash32>()
        var h = hash
        for _ in 0..<count {
            guard let b = chain[h] else { break }
            out.insert(h)
            h = b.header.parentHash
        }
        return out
    }
}

/// Totals over blockchain-test results: `N passed, M failed, K skipped`.
public typealias BlockchainTestSummary = RunSummary
