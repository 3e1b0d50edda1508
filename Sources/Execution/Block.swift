import EVMPrimitives
import EVMState
import EVMInterpreter
import Keccak
import RLP
import MerkleTrie

/// An EIP-2718 typed receipt.
public struct Receipt: Sendable, Equatable {
    public var type: TransactionType
    public var success: Bool
    public var cumulativeGasUsed: UInt64
    public var gasUsed: UInt64
    public var logs: [Log]
    public var bloom: Bloom
    public var contractAddress: Address?
    /// Before Byzantium (EIP-658), the state root after the transaction, which the receipt carries instead of
    /// the status; nil from Byzantium on.
    public var postStateRoot: Hash32?

    public init(type: TransactionType, success: Bool, cumulativeGasUsed: UInt64, gasUsed: UInt64, logs: [Log],
                bloom: Bloom, contractAddress: Address?, postStateRoot: Hash32? = nil) {
        self.type = type; self.success = success; self.cumulativeGasUsed = cumulativeGasUsed; self.gasUsed = gasUsed
        self.logs = logs; self.bloom = bloom; self.contractAddress = contractAddress; self.postStateRoot = postStateRoot
    }

    /// The consensus encoding: rlp([status, cumulativeGas, bloom, logs]) (before Byzantium
    /// rlp([postStateRoot, cumulativeGas, bloom, logs])), prefixed by the type byte for typed receipts.
    public var encoded: [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            if let root = postStateRoot { w.appendHash(root) } else { w.appendUInt(success ? 1 : 0) }
            w.appendUInt(cumulativeGasUsed)
            w.appendBytes(bloom.bytes)
            w.appendRaw(Array(LogEncoding.rlp(logs)))
        }
        return type == .legacy ? w.bytes : [type.rawValue] + w.bytes
    }
}

/// A 2048-bit log bloom filter (Yellow Paper 4.3.1).
public struct Bloom: Sendable, Equatable {
    public var bytes: [UInt8]

    public init() { bytes = [UInt8](repeating: 0, count: 256) }

    public mutating func add(_ data: [UInt8]) {
        set(Keccak256.hash(data))
    }

    /// Adds an address (its 20 bytes), hashed without building a byte array.
    public mutating func add(_ address: Address) {
        set(Keccak256.hash(address))
    }

    /// Adds a topic (its 32 bytes), hashed without building a byte array.
    public mutating func add(_ topic: Hash32) {
        set(Keccak256.hash(topic))
    }

    public mutating func add(_ log: Log) {
        add(log.address)
        for t in log.topics { add(t) }
    }

    /// Sets the three bits a hash selects: each of its first three big-endian 16-bit pairs (bytes 0-1,
    /// 2-3, 4-5: the top 48 bits of `w0`), taken mod 2048, is a bit index counted from the filter's end.
    private mutating func set(_ h: Hash32) {
        setBit(Int(truncatingIfNeeded: h.w0 &>> 48) & 2047)
        setBit(Int(truncatingIfNeeded: h.w0 &>> 32) & 2047)
        setBit(Int(truncatingIfNeeded: h.w0 &>> 16) & 2047)
    }

    @inline(__always)
    private mutating func setBit(_ bit: Int) {
        bytes[255 - bit / 8] |= 1 << UInt8(bit % 8)
    }

    public mutating func formUnion(_ other: Bloom) {
        bytes.withUnsafeMutableBytes { mine in
            other.bytes.withUnsafeBytes { theirs in
                for i in stride(from: 0, to: Swift.min(mine.count, theirs.count) & ~7, by: 8) {
                    let w = mine.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        | theirs.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    mine.storeBytes(of: w, toByteOffset: i, as: UInt64.self)
                }
            }
        }
    }
}

/// A transaction that could not be included, with its index in the block and the reason (as t8n reports it).
public struct RejectedTransaction: Sendable, Equatable, Codable {
    public var index: Int
    public var error: String
    public init(index: Int, error: String) { self.index = index; self.error = error }
}

/// Counters every executor reports.
public struct ExecutionMetrics: Sendable, Equatable {
    public var threads: Int = 1
    public var wallTimeNanoseconds: UInt64 = 0
    public var executions: Int = 0
    public var reExecutions: Int = 0
    public var validations: Int = 0
    public var failedValidations: Int = 0
    public var blockedReads: Int = 0
    /// True when a parallel executor decided to run the block serially.
    public var ranSerially: Bool = false
    /// Why Block-STM's adaptive policy ran the block (or its rest) serially; nil when it did not.
    public var serialReason: SerialReason? = nil
    /// How many of the block's first transactions the adaptive policy ran serially to observe the block before
    /// deciding (its serial probe; 0 when it decided without one).
    public var probedTransactions: Int = 0
    /// What the probe saw and predicted when it decided (nil: no probe, or too short to decide).
    public var probe: ProbeEstimate? = nil
    /// Where a parallel run's time went and what it contended on (Block-STM); nil for executors that do not profile.
    public var profile: BlockProfile?
    public init() {}
}

/// Why the adaptive policy ran a block serially.
public enum SerialReason: String, Codable, Sendable, Equatable {
    /// Before running anything: the block's transactions show that Block-STM cannot win (`SerialRule`: one
    /// transaction, cheap transactions, one sender's nonce chain, identical calls, coinbase readers).
    case rule
    /// After its first transactions ran serially: their measured cost and conflicts predict no clear win.
    case probe
    /// A Block-STM run turned out hot (`HotBlockRule`) and was finished serially from its validated prefix.
    case hotRun = "hot run"
    /// A Block-STM run that went slower than finishing serially would (`ProgressRule`: the host slowed its threads
    /// and not a serial run), finished serially from its validated prefix.
    case slowRun = "slow run"
    /// A completed Block-STM run where the block gas or blob gas limit bit in block order, re-run serially.
    case limit
}

/// What a transaction read and wrote, by location (for dependency analysis).
public enum StateLocation: Hashable, Sendable, Comparable {
    case account(Address)
    case storage(Address, UInt256)

    public static func < (l: StateLocation, r: StateLocation) -> Bool {
        switch (l, r) {
        case (.account(let a), .account(let b)): return a < b
        case (.account, .storage): return true
        case (.storage, .account): return false
        case (.storage(let a, let k), .storage(let b, let j)): return (a, k) < (b, j)
        }
    }
}

/// A transaction's read and write sets from a serial run; the coinbase fee credit is not counted as a write.
public struct AccessSets: Sendable, Equatable {
    public var reads: Set<StateLocation>
    public var writes: Set<StateLocation>
    public init(reads: Set<StateLocation>, writes: Set<StateLocation>) { self.reads = reads; self.writes = writes }
}

/// The full result of executing a block.
public struct BlockOutcome: Sendable {
    public var stateRoot: Hash32
    public var receiptsRoot: Hash32
    public var logsHash: Hash32
    public var logsBloom: Bloom
    public var gasUsed: UInt64
    public var blobGasUsed: UInt64
    public var receipts: [Receipt]
    public var rejected: [RejectedTransaction]
    public var postState: InMemoryState
    public var metrics: ExecutionMetrics
    /// Per transaction (rejected ones empty); filled by the serial executor.
    public var accessSets: [AccessSets]
    /// Measured execution time of each transaction in nanoseconds (serial executor).
    public var transactionNanoseconds: [UInt64]
    /// Gas used by each transaction (0 for rejected ones).
    public var transactionGas: [UInt64]
    /// EIP-7685 requests (from Prague; nil before): `requestsHash` is `requests?.hash`.
    public var requests: BlockRequests? = nil
    /// Set when the block is invalid after its transactions ran (a request contract without code or whose
    /// system call failed, a malformed deposit event); the other fields hold the state as far as it got.
    public var invalidBlock: InvalidBlockError? = nil
    /// `requests`' hash, nil before Prague.
    public var requestsHash: Hash32? { requests?.hash }

    public init(stateRoot: Hash32, receiptsRoot: Hash32, logsHash: Hash32, logsBloom: Bloom, gasUsed: UInt64,
                blobGasUsed: UInt64, receipts: [Receipt], rejected: [RejectedTransaction], postState: InMemoryState,
                metrics: ExecutionMetrics, accessSets: [AccessSets] = [], transactionNanoseconds: [UInt64] = [],
                transactionGas: [UInt64] = []) {
        self.stateRoot = stateRoot; self.receiptsRoot = receiptsRoot; self.logsHash = logsHash
        self.logsBloom = logsBloom; self.gasUsed = gasUsed; self.blobGasUsed = blobGasUsed
        self.receipts = receipts; self.rejected = rejected; self.postState = postState; self.metrics = metrics
        self.accessSets = accessSets; self.transactionNanoseconds = transactionNanoseconds
        self.transactionGas = transactionGas
    }
}

extension BlockOutcome {
    /// Records the end-of-block requests step's result (nil before Prague).
    public mutating func setRequests(_ result: Result<BlockRequests, InvalidBlockError>?) {
        switch result {
        case nil: requests = nil; invalidBlock = nil
        case .success(let r)?: requests = r; invalidBlock = nil
        case .failure(let e)?: requests = nil; invalidBlock = e
        }
    }
}

/// Every executor implements this: given a pre-state, a block environment and ordered transactions,
/// return the outcome. Parallel executors must equal the serial outcome bit for bit.
public protocol BlockExecutor: Sendable {
    var name: String { get }
    func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome
}

/// Block-level steps shared by every executor: the system calls before the transactions (EIP-4788, EIP-2935:
/// `applyPreBlockSystemCalls`), rewards and withdrawals after them, then EIP-7685's requests
/// (`applyRequests`, `SystemCalls.swift`), and the roots.
public enum BlockFinalization {
    /// EIP-4788 beacon roots contract and the system caller.
    public static let beaconRootsAddress = Address(a: 0x000F_3DF6_D732_807E, b: 0xF131_9FB7_B8BB_8522, c: 0xD0BE_AC02)
    public static let systemAddress = Address(a: .max, b: .max, c: 0xFFFF_FFFE)

    /// Runs the beacon-root system call when `parentBeaconBlockRoot` is set and the contract exists.
    public static func applyBeaconRoot(_ state: inout InMemoryState, env: BlockEnvironment, fork: Fork) {
        guard let root = env.parentBeaconBlockRoot, let contract = state.account(beaconRootsAddress),
              !contract.code.isEmpty else { return }
        let world = WorldState(reader: state)
        let evm = EVM(state: world, block: TransactionProcessor.blockContext(env, fork: fork),
                      tx: TxContext(origin: systemAddress, gasPrice: .zero, blobHashes: []), fork: fork)
        let message = Message(caller: systemAddress, target: beaconRootsAddress, codeAddress: beaconRootsAddress,
                              value: .zero, input: root.bytes, gas: 30_000_000, depth: 0, isStatic: false,
                              transfersValue: false, code: contract.code)
        _ = evm.call(message)
        world.finalizeDeletions()
        state.apply(world.changes())
    }

    /// Credits withdrawals (gwei to wei); a zero withdrawal to an empty account deletes it (EIP-161 touch).
    public static func applyWithdrawals(_ state: inout InMemoryState, env: BlockEnvironment) {
        for w in env.withdrawals {
            var account = state.accounts[w.address] ?? Account()
            account.info.balance = account.info.balance &+ UInt256(w.amount) &* UInt256(1_000_000_000)
            if account.info.isEmpty {
                state.accounts[w.address] = nil
            } else {
                state.accounts[w.address] = account
            }
        }
    }

    /// The most blob gas a block of `fork` may use (its blob schedule's maximum: EIP-4844, EIP-7691, the BPO forks).
    public static func maxBlobGas(_ fork: Fork) -> UInt64 { ForkRules.of(fork).schedule.maxBlobGasPerBlock }

    /// The proof-of-work block reward of a fork, in wei (`ForkRules`): 5 ether from Frontier, 3 from Byzantium
    /// (EIP-649), 2 from Constantinople (EIP-1234), none from the merge (Paris, EIP-3675).
    public static func blockReward(_ fork: Fork) -> UInt256 { ForkRules.of(fork).schedule.blockReward }

    /// Whether a fork's receipts carry the state root after the transaction instead of a status: before
    /// Byzantium (EIP-658).
    public static func receiptsCarryStateRoot(_ fork: Fork) -> Bool { !ForkRules.of(fork).schedule.receiptStatus }

    /// Credits the block and ommer rewards after the transactions (Yellow Paper 11.3), when the environment
    /// asks for them (`blockReward` set): the beneficiary gets the reward plus 1/32 of it per ommer, each
    /// ommer's beneficiary (8 + ommer number - block number) / 8 of it. Nothing when `blockReward` is nil
    /// (state tests, t8n without a reward), as a zero reward would still touch the beneficiary.
    public static func applyRewards(_ state: inout InMemoryState, env: BlockEnvironment) {
        guard let reward = env.blockReward else { return }
        let perOmmer = reward >> 5
        state.reward(env.coinbase, reward &+ perOmmer &* UInt256(UInt64(env.ommers.count)))
        for ommer in env.ommers {
            // Valid ommers are 1 to 6 generations back; a larger gap would make the factor negative.
            let back = env.number >= ommer.number ? env.number - ommer.number : 8
            let eighths = back < 8 ? 8 - back : 0
            state.reward(ommer.coinbase, (reward &* UInt256(eighths)) >> 3)
        }
    }

    /// The state root after each included transaction, for receipts before Byzantium: `commits` are replayed
    /// onto `base` in order (changes, then the deferred coinbase fee) and the root taken after each. The account trie
    /// is built once (`IncrementalTrie`); after each transaction only the leaves of the accounts it changed (or the
    /// coinbase it paid) are rebuilt, a storage root only where it wrote storage, and the root rehashes only the
    /// nodes above those leaves. (Building the whole trie after each transaction made the roots 98% of a 2016 block's
    /// time: 2641321's 83 transactions ran in 0.7 ms, the block in 38-57 ms.)
    public static func intermediateStateRoots(base: InMemoryState, commits: [(changes: StateChanges, coinbaseFee: UInt256)],
                                              coinbase: Address) -> [Hash32] {
        var state = base
        var storageRoots: [Address: Hash32] = [:]
        /// The account's leaf in `state` (nil: not in the state), its storage root computed once per change of storage.
        func leaf(_ address: Address) -> (key: [UInt8], value: [UInt8])? {
            guard let account = state.accounts[address] else { return nil }
            let root: Hash32
            if let cached = storageRoots[address] {
                root = cached
            } else {
                root = InMemoryState.storageRoot(account.storage)
                storageRoots[address] = root
            }
            return InMemoryState.accountLeaf(address, account.info, storageRoot: root)
        }
        // The whole trie once; then, after each transaction, only the leaves of the accounts it changed (and the
        // coinbase it paid), each root rehashing only the nodes above them.
        var trie = IncrementalTrie(state.accounts.keys.compactMap { leaf($0) })
        var roots: [Hash32] = []
        roots.reserveCapacity(commits.count)
        for c in commits {
            state.apply(c.changes)
            state.credit(coinbase, c.coinbaseFee)
            for (address, change) in c.changes.accounts {
                if change.info == nil || change.storageCleared || !change.storage.isEmpty { storageRoots[address] = nil }
                trie.update(leaf(address) ?? (Keccak256.hash(address).bytes, []))
            }
            if !c.coinbaseFee.isZero, let l = leaf(coinbase) { trie.update(l) }
            roots.append(trie.root(keepingNodes: roots.count + 1 < commits.count))
        }
        return roots
    }

    /// The steps after the transactions, on the committed state: rewards, withdrawals, then the requests
    /// (from Prague). Every executor's block end runs exactly this.
    public static func applyEndOfBlock(_ state: inout InMemoryState, env: BlockEnvironment, fork: Fork,
                                       receipts: [Receipt]) -> Result<BlockRequests, InvalidBlockError>? {
        applyRewards(&state, env: env)
        applyWithdrawals(&state, env: env)
        return applyRequests(&state, env: env, fork: fork, receipts: receipts)
    }

    /// Builds receipts and roots from per-transaction results, in order.
    public static func outcome(state: InMemoryState, receipts: [Receipt], rejected: [RejectedTransaction],
                               blobGasUsed: UInt64, metrics: ExecutionMetrics,
                               requests: Result<BlockRequests, InvalidBlockError>? = nil) -> BlockOutcome {
        var bloom = Bloom()
        for r in receipts { bloom.formUnion(r.bloom) }
        var outcome = BlockOutcome(
            stateRoot: state.stateRoot(),
            receiptsRoot: MerkleTrie.orderedRoot(receipts.map(\.encoded)),
            logsHash: LogEncoding.hash(receipts: receipts),
            logsBloom: bloom,
            gasUsed: receipts.last?.cumulativeGasUsed ?? 0,
            blobGasUsed: blobGasUsed,
            receipts: receipts, rejected: rejected, postState: state, metrics: metrics)
        outcome.setRequests(requests)
        return outcome
    }

    public static func receipt(for tx: Transaction, result: TransactionResult, cumulativeGasUsed: UInt64) -> Receipt {
        var bloom = Bloom()
        for log in result.logs { bloom.add(log) }
        return Receipt(type: tx.type, success: result.success, cumulativeGasUsed: cumulativeGasUsed,
                       gasUsed: result.gasUsed, logs: result.logs, bloom: bloom, contractAddress: result.createdAddress)
    }
}

/// Executes transactions one after another: the reference every other executor is checked against.
public struct SerialExecutor: BlockExecutor {
    public var name: String { "serial" }

    /// Whether to record each transaction's access sets and time (`BlockOutcome.accessSets`,
    /// `transactionNanoseconds`) for dependency analysis. Off, the executor does only what a block
    /// needs: the baseline that benchmarks time parallel executors against.
    public var recordsAccess: Bool
    /// Where each transaction's EIP-3155 trace goes; nil (the default) traces nothing.
    public var trace: BlockTrace?

    public init(recordsAccess: Bool = true, trace: BlockTrace? = nil) { self.recordsAccess = recordsAccess; self.trace = trace }

    public func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var run = SerialBlockRun(pre: pre, env: env, fork: fork)
        var metrics = ExecutionMetrics()
        var accessSets: [AccessSets] = []
        var times: [UInt64] = []
        let recordsAccess = self.recordsAccess
        for (i, tx) in transactions.enumerated() {
            let txStart = recordsAccess ? clock.now : start
            let step = run.step(i, tx, trace: trace)
            metrics.executions += 1
            if recordsAccess {
                if let r = step.result, step.included { accessSets.append(Self.accessSets(r)) } else {
                    accessSets.append(AccessSets(reads: [], writes: []))
                }
                times.append(UInt64((clock.now - txStart).nanoseconds))
            }
        }
        var outcome = run.finish(metrics: metrics)
        // The whole block, roots included, as for every executor.
        outcome.metrics.wallTimeNanoseconds = UInt64((clock.now - start).nanoseconds)
        outcome.accessSets = accessSets
        outcome.transactionNanoseconds = times
        return outcome
    }

    /// Read and write locations of one transaction. The coinbase's deferred fee credit is a commutative
    /// delta, not a read-modify-write, so it is not counted: the fee creates a dependency only where a
    /// transaction really read the coinbase.
    static func accessSets(_ r: TransactionResult) -> AccessSets {
        var reads = Set<StateLocation>()
        for a in r.readAccounts { reads.insert(.account(a)) }
        for s in r.readSlots { reads.insert(.storage(s.address, s.key)) }
        var writes = Set<StateLocation>()
        for (address, change) in r.changes.accounts {
            if change.infoChanged { writes.insert(.account(address)) }
            for k in change.storage.keys { writes.insert(.storage(address, k)) }
        }
        return AccessSets(reads: reads, writes: writes)
    }
}

/// One block run serially, one transaction after another: `SerialExecutor`'s per-transaction step and block end,
/// which the adaptive policy's serial paths (`BlockSTMExecutor`'s probe and the serial rest of an abandoned run) take
/// too, so that a block they run serially is by construction the serial executor's run.
///
/// Each step runs the transaction with the block gas left, the fee deferred (credited after its changes, so that its
/// read set shows whether it read the coinbase itself), rejects it when the block's blob gas would exceed the
/// maximum, and otherwise applies it to `state`, with its receipt and gas.
struct SerialBlockRun {
    let env: BlockEnvironment
    let fork: Fork
    /// The state after the system calls and the transactions stepped so far.
    var state: InMemoryState
    /// Before Byzantium (EIP-658) the receipts carry the state root after each transaction: then `finish` replays
    /// `commits` onto `rootBase`, the state before the first transaction.
    let carriesRoot: Bool
    let rootBase: InMemoryState
    /// Whether each included transaction's changes and fee are kept in `commits`: before Byzantium always (for the
    /// intermediate roots), and wherever a parallel block end will commit them (`BlockSTMExecutor`).
    let keepsCommits: Bool
    let maxBlobGas: UInt64
    /// What the transactions stepped so far left for the block end (`commits` only where `keepsCommits`).
    var records = TransactionRecords()
    /// `records`' receipts and gas, for callers that reserve their capacity.
    var receipts: [Receipt] {
        get { records.receipts }
        _modify { yield &records.receipts }
    }
    var gas: [UInt64] {
        get { records.gas }
        _modify { yield &records.gas }
    }

    /// A block from its pre-state: the pre-block system calls (EIP-4788, EIP-2935) run here.
    init(pre: InMemoryState, env: BlockEnvironment, fork: Fork, keepsCommits: Bool = false) {
        var state = pre
        BlockFinalization.applyPreBlockSystemCalls(&state, env: env, fork: fork)
        let carriesRoot = BlockFinalization.receiptsCarryStateRoot(fork)
        self.init(state: state, rootBase: carriesRoot ? state : InMemoryState(), env: env, fork: fork,
                  keepsCommits: keepsCommits)
    }

    /// A block's run from `state`, its state before the next transaction, for a caller that ends the block itself
    /// (from `records.commits`: not `finish`); `records` are the caller's to set from the transactions before.
    init(continuing state: consuming InMemoryState, env: BlockEnvironment, fork: Fork, keepsCommits: Bool = false) {
        self.init(state: state, rootBase: InMemoryState(), env: env, fork: fork, keepsCommits: keepsCommits)
    }

    private init(state: consuming InMemoryState, rootBase: InMemoryState, env: BlockEnvironment, fork: Fork,
                 keepsCommits: Bool) {
        self.env = env
        self.fork = fork
        carriesRoot = BlockFinalization.receiptsCarryStateRoot(fork)
        self.rootBase = rootBase
        self.state = state
        self.keepsCommits = keepsCommits || carriesRoot
        maxBlobGas = BlockFinalization.maxBlobGas(fork)
    }

    /// Runs transaction `i` on `state` (traced into `trace` when set): `result` is the transaction's result when it
    /// executed (nil: rejected by its checks), `included` whether it is in the block (an executed transaction is
    /// not when the block's blob gas would exceed the maximum).
    @inline(__always) @discardableResult
    mutating func step(_ i: Int, _ tx: Transaction, trace: BlockTrace?) -> (result: TransactionResult?, included: Bool) {
        let tracer = trace?.tracer()
        let result = TransactionProcessor.execute(tx, env: env, reader: state, fork: fork,
                                                  gasAvailable: env.gasLimit - records.cumulative, deferCoinbaseFee: true,
                                                  tracer: tracer)
        trace?.record(i, tracer)
        switch result {
        case .failure(let error):
            records.rejected.append(RejectedTransaction(index: i, error: error.description))
            records.gas.append(0)
            return (nil, false)
        case .success(let r):
            if records.blobGas + r.blobGasUsed > maxBlobGas {
                records.rejected.append(RejectedTransaction(index: i, error: "blob gas exceeds the block maximum"))
                records.gas.append(0)
                return (r, false)
            }
            state.apply(r.changes)
            state.credit(env.coinbase, r.coinbaseFee)
            if keepsCommits { records.commits.append(ParallelFinalization.Commit(changes: r.changes, coinbaseFee: r.coinbaseFee)) }
            records.cumulative += r.gasUsed
            records.blobGas += r.blobGasUsed
            records.receipts.append(BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: records.cumulative))
            records.gas.append(r.gasUsed)
            return (r, true)
        }
    }

    /// The block end after the last step, as `SerialExecutor` ends a block: the receipts' intermediate roots (before
    /// Byzantium), rewards, withdrawals and requests, then the roots; `transactionGas` filled. The caller sets the
    /// wall time.
    mutating func finish(metrics: ExecutionMetrics) -> BlockOutcome {
        if carriesRoot {
            let roots = BlockFinalization.intermediateStateRoots(base: rootBase,
                                                                 commits: records.commits.map { ($0.changes, $0.coinbaseFee) },
                                                                 coinbase: env.coinbase)
            for i in records.receipts.indices { records.receipts[i].postStateRoot = roots[i] }
        }
        let requests = BlockFinalization.applyEndOfBlock(&state, env: env, fork: fork, receipts: records.receipts)
        var outcome = BlockFinalization.outcome(state: state, receipts: records.receipts, rejected: records.rejected,
                                                blobGasUsed: records.blobGas, metrics: metrics, requests: requests)
        outcome.transactionGas = records.gas
        return outcome
    }
}

/// What a block's transactions leave for its end, in block order: `SerialBlockRun`'s as it steps them, and a parallel
/// run's as `Collected` gathers them (one type, so that a block run partly one way and partly the other hands them
/// over whole).
struct TransactionRecords {
    /// Each included transaction's changes and fee, for a block end that commits them (or the intermediate roots).
    var commits: [ParallelFinalization.Commit] = []
    var receipts: [Receipt] = []
    var rejected: [RejectedTransaction] = []
    /// Gas used per transaction, 0 for a rejected one (`BlockOutcome.transactionGas`).
    var gas: [UInt64] = []
    /// The block's gas used so far (the last receipt's cumulative gas).
    var cumulative: UInt64 = 0
    var blobGas: UInt64 = 0
}

extension TransactionRecords {
    /// Records transaction `i`'s result from a parallel run in block order, as a serial run records it (the in-order
    /// collect of `Collected`, and `SerialBlockRun.take` for an abandoned run's kept prefix). False, and nothing
    /// recorded, where serially the transaction would not get the gas it was offered (the parallel run offered the whole
    /// block gas limit) or its blob gas would exceed `maxBlobGas`: then later transactions read writes that serially
    /// never happened, and the parallel result is unusable.
    @inline(__always)
    mutating func append(_ i: Int, _ tx: Transaction, _ result: BlockSTMRun.TxOutcome, gasLimit: UInt64, maxBlobGas: UInt64,
                         keepsCommit: Bool = true) -> Bool {
        let available = gasLimit - cumulative
        switch result {
        case .rejected(let error):
            rejected.append(RejectedTransaction(
                index: i, error: BlockSTMExecutor.serialError(error, tx: tx, available: available).description))
            gas.append(0)
        case .included(let included):
            if tx.gasLimit > available || blobGas + included.blobGasUsed > maxBlobGas { return false }
            if keepsCommit { commits.append(ParallelFinalization.Commit(changes: included.changes, coinbaseFee: included.coinbaseFee)) }
            cumulative += included.gasUsed
            blobGas += included.blobGasUsed
            var receipt = included.receipt
            receipt.cumulativeGasUsed = cumulative
            receipts.append(receipt)
            gas.append(included.gasUsed)
        }
        return true
    }
}

extension InMemoryState {
    /// Adds a deferred coinbase fee (non-zero fees only; a zero fee was applied by the transaction).
    public mutating func credit(_ address: Address, _ amount: UInt256) {
        guard !amount.isZero else { return }
        var account = accounts[address] ?? Account()
        account.info.balance = account.info.balance &+ amount
        accounts[address] = account
    }
}

extension InMemoryState {
    /// Adds a block or ommer reward (zero rewards too: the account is touched, and created when absent, as
    /// clients do before the merge; rewards are never zero there).
    mutating func reward(_ address: Address, _ amount: UInt256) {
        var account = accounts[address] ?? Account()
        account.info.balance = account.info.balance &+ amount
        accounts[address] = account
    }
}

/// An ommer (uncle) of a proof-of-work block, as far as rewards need it.
public struct Ommer: Sendable, Equatable {
    public var coinbase: Address
    public var number: UInt64
    public init(coinbase: Address, number: UInt64) { self.coinbase = coinbase; self.number = number }
}

extension Duration {
    /// Whole nanoseconds (negative durations clamp to zero).
    public var nanoseconds: Int64 {
        let (s, atto) = components
        return max(0, s * 1_000_000_000 + atto / 1_000_000_000)
    }
}
