import EVMPrimitives
import EVMState
import Keccak
import MerkleTrie
import EVMInterpreter

/// The end of a block done on a `WorkerGang`: committing the transactions' changes in block order and
/// computing the state root, receipts root, logs hash and bloom. Equal bit for bit to the serial path
/// (`InMemoryState.apply`/`credit`, `BlockFinalization.outcome`); only the work is spread.
///
/// Without this, a parallel executor would run these steps on one thread after the parallel part, and
/// for blocks of cheap transactions they take a third of the block's time.
public enum ParallelFinalization {
    /// One included transaction's effect, in block order.
    public struct Commit: Sendable {
        public var changes: StateChanges
        /// The deferred coinbase fee, credited after the changes (as `SerialExecutor` does).
        public var coinbaseFee: UInt256
        public init(changes: StateChanges, coinbaseFee: UInt256) {
            self.changes = changes; self.coinbaseFee = coinbaseFee
        }
    }

    /// Storage tries with at least this many slots are split into tasks of their own; smaller ones are
    /// computed whole, with their account's leaf.
    static let largeStorage = 256
    /// Entries per subtree task when a trie is split.
    static let trieGrain = 64

    // MARK: the whole end of a block

    /// Commits `commits` in order onto `base` (each transaction's changes, then its fee credited to the
    /// coinbase), credits the withdrawals, and builds the outcome with its roots: what `SerialExecutor`
    /// does after its loop, spread over the gang in four stages:
    ///
    /// 1. the commit, one shard of accounts per thread (each shard replays the block's changes to its own
    ///    accounts, so per-account order is kept), next to the receipt encodings and the log payloads (where the
    ///    executor brings the shards built, `Job.committed`, merging them into the post-state is a task here, not
    ///    a serial step before stage 2);
    /// 2. storage roots and account leaves in chunks of accounts (large storages: their leaves in chunks),
    ///    next to the logs hash and the receipts trie's sorting and planning;
    /// 3. the subtrees of the large storage tries and of the receipts trie (and, where no storage trie is large, the
    ///    account trie's sorting and planning, as a task: every account leaf is known after stage 2);
    /// 4. the account trie's subtrees, next to the receipts root and freeing the other tries.
    ///
    /// What the steps between stages (one thread, the others waiting) do is kept to joining the tasks'
    /// results; sorting and freeing are tasks.
    public static func finish(base: InMemoryState, commits: [Commit], env: BlockEnvironment, fork: Fork,
                              receipts: [Receipt], rejected: [RejectedTransaction], blobGasUsed: UInt64,
                              metrics: ExecutionMetrics, gang: WorkerGang) -> BlockOutcome {
        if gang.count == 1 {
            return serialFinish(base: base, commits: commits, env: env, fork: fork, receipts: receipts, rejected: rejected,
                                blobGasUsed: blobGasUsed, metrics: metrics)
        }
        let job = Job(base: base, env: env, fork: fork, shards: gang.count)
        job.commits = commits
        job.receipts = receipts
        job.rejected = rejected
        job.blobGasUsed = blobGasUsed
        job.metrics = metrics
        gang.runStages(job.stages(before: nil))
        return job.outcome()
    }

    /// The serial path (`SerialExecutor`'s own steps), for a gang of one thread.
    static func serialFinish(base: InMemoryState, commits: [Commit], env: BlockEnvironment, fork: Fork, receipts: [Receipt],
                             rejected: [RejectedTransaction], blobGasUsed: UInt64, metrics: ExecutionMetrics) -> BlockOutcome {
        var state = base
        for c in commits {
            state.apply(c.changes)
            state.credit(env.coinbase, c.coinbaseFee)
        }
        var receipts = receipts
        if BlockFinalization.receiptsCarryStateRoot(fork) { fillIntermediateRoots(&receipts, base: base, commits: commits, coinbase: env.coinbase) }
        let requests = BlockFinalization.applyEndOfBlock(&state, env: env, fork: fork, receipts: receipts)
        return BlockFinalization.outcome(state: state, receipts: receipts, rejected: rejected,
                                         blobGasUsed: blobGasUsed, metrics: metrics, requests: requests)
    }

    /// Before Byzantium: each receipt's state root after its transaction (`BlockFinalization.intermediateStateRoots`,
    /// the same code as the serial executor's). Serial, in block order: only old blocks need it.
    static func fillIntermediateRoots(_ receipts: inout [Receipt], base: InMemoryState, commits: [Commit], coinbase: Address) {
        let roots = BlockFinalization.intermediateStateRoots(base: base, commits: commits.map { ($0.changes, $0.coinbaseFee) },
                                                             coinbase: coinbase)
        for i in receipts.indices where i < roots.count { receipts[i].postStateRoot = roots[i] }
    }

    /// The end of one block as `WorkerGang` stages, with what passes from one stage to the next. Fields are
    /// written by a stage's `prepare` (one thread) or by its tasks (each its own slot), and read in later
    /// stages: the gang's barrier orders them.
    final class Job: @unchecked Sendable {
        let base: InMemoryState
        let env: BlockEnvironment
        let fork: Fork
        let shards: Int
        /// Filled before stage 1's tasks (by the caller, or by the `before` hook of `stages`).
        var commits: [Commit] = []
        var receipts: [Receipt] = []
        var rejected: [RejectedTransaction] = []
        var blobGasUsed: UInt64 = 0
        var metrics = ExecutionMetrics()
        /// The commit's shards (one per `shardOf` shard), when the executor has them already (`BALExecutor`
        /// builds them from the checked list while the transactions run): stage 1 then encodes receipts, next to a task
        /// that merges the shards into the post-state (`mergeState`).
        var committed: ResultSlots<Shard>?

        let receiptChunk = 64
        let accountChunk = 64
        let slotChunk = 256
        /// Commits freed per stage-2 task: small tasks, so that the frees interleave with the leaf tasks' allocations
        /// on both threads (at 128 a task, the two tasks that freed the dependent counter block's 200 commits took
        /// about 170 µs of the stage's 445 µs of CPU at two threads; at 8, about 60 µs).
        let commitChunk = 8

        // Stage 1 results.
        var receiptChunks = 0
        var shardResults: ResultSlots<Shard>?
        var encoded: ResultSlots<[[UInt8]]>?
        var logPayloads: ResultSlots<[UInt8]>?
        // Stage 2 inputs and results.
        var state = InMemoryState()
        /// The end-of-block requests (EIP-7685), from stage 2's prepare.
        var requests: Result<BlockRequests, InvalidBlockError>?
        var receiptsTrie: ParallelTrieRoot?
        var payloads: [[UInt8]] = []
        var accounts: [(key: Address, value: Account)] = []
        var large: [Int] = []
        var largeSlots: [[(key: UInt256, value: UInt256)]] = []
        var slotChunks: [(large: Int, from: Int)] = []
        var accountChunks = 0
        var commitChunks = 0
        /// The commits, moved here in stage 2 so that its tasks can free them in parallel.
        var commitBuffer = UnsafeMutableBufferPointer<Commit>(start: nil, count: 0)
        var accountLeaves: ResultSlots<[(key: [UInt8], value: [UInt8])]>?
        var largeLeaves: ResultSlots<[(key: [UInt8], value: [UInt8])]>?
        var logs: ResultSlots<(Hash32, Bloom)>?
        // Stage 3.
        var receiptsRoot = MerkleTrie.emptyRoot
        var largeTries: [ParallelTrieRoot] = []
        var largeTasks = TrieTasks(tries: [])
        /// Whether stage 3 plans the account trie (no large storage trie: every leaf is known after stage 2).
        var plansStateTrie = false
        // Stage 4.
        var receiptsReferences: [[UInt8]] = []
        var stateTrie: ParallelTrieRoot?
        var stateTasks = TrieTasks(tries: [])

        init(base: InMemoryState, env: BlockEnvironment, fork: Fork, shards: Int) {
            self.base = base; self.env = env; self.fork = fork; self.shards = shards
        }

        deinit {
            commitBuffer.deinitialize()
            commitBuffer.deallocate()
        }

        /// The four stages; `before` runs first in stage 1's prepare (false ends the job there, and
        /// `outcome` must not be called).
        func stages(before: (@Sendable () -> Bool)?) -> [WorkerGang.Stage] {
            [WorkerGang.Stage(prepare: { [self] in
                if let before, !before() { return nil }
                return prepareCommit()
             }, task: { [self] in commitTask($0) }),
             WorkerGang.Stage(prepare: { [self] in prepareLeaves() }, task: { [self] in leafTask($0) }),
             WorkerGang.Stage(prepare: { [self] in prepareLargeTries() }, task: { [self] in largeTask($0) }),
             WorkerGang.Stage(prepare: { [self] in prepareStateTrie() }, task: { [self] in stateTask($0) })]
        }

        // MARK: stage 1: commit shards, receipt encodings, log payloads

        func prepareCommit() -> Int {
            if BlockFinalization.receiptsCarryStateRoot(fork) { fillIntermediateRoots(&receipts, base: base, commits: commits, coinbase: env.coinbase) }
            receiptChunks = (receipts.count + receiptChunk - 1) / receiptChunk
            shardResults = committed ?? ResultSlots(count: shards)
            encoded = ResultSlots(count: receiptChunks)
            logPayloads = ResultSlots(count: receiptChunks)
            return shardTasks + (mergesEarly ? 1 : 0) + receiptChunks
        }

        /// Stage 1's commit tasks: one per shard, none when the shards came `committed`.
        var shardTasks: Int { committed == nil ? shards : 0 }

        /// Whether stage 1 merges the shards into the post-state as a task (the shards came `committed`, so they are
        /// known before stage 1): then stage 2's prepare only joins the log payloads.
        var mergesEarly: Bool { committed != nil }

        func commitTask(_ t: Int) {
            if mergesEarly {
                if t == 0 { return mergeState() }
                return encodeReceipts(t - 1)
            }
            if t < shardTasks {
                var shard = Shard()
                let coinbase = env.coinbase
                let coinbaseHere = shardOf(coinbase, shards) == t
                // Every shard walks every commit: only the addresses are read until one is this shard's, so that
                // the shards do not both copy (and count references to) every change.
                for c in commits.indices {
                    let accounts = commits[c].changes.accounts
                    for i in accounts.indices where shardOf(accounts.keys[i], shards) == t {
                        shard.apply(accounts.keys[i], accounts.values[i], base: base)
                    }
                    if coinbaseHere && !commits[c].coinbaseFee.isZero { shard.credit(coinbase, commits[c].coinbaseFee, base: base) }
                }
                shardResults!.set(t, shard)
            } else {
                encodeReceipts(t - shardTasks)
            }
        }

        /// Receipt chunk `c`'s encodings and log payloads.
        func encodeReceipts(_ c: Int) {
            let range = (c * receiptChunk)..<min(receipts.count, (c + 1) * receiptChunk)
            encoded!.set(c, receipts[range].map(\.encoded))
            logPayloads!.set(c, LogEncoding.payload(receipts[range]))
        }

        // MARK: stage 2: storage roots and account leaves, large storages' leaves, receipts trie, logs

        func prepareLeaves() -> Int {
            if !mergesEarly { mergeState() }
            payloads = logPayloads!.take()
            logPayloads = nil
            accountLeaves = ResultSlots(count: accountChunks)
            largeLeaves = ResultSlots(count: slotChunks.count)
            logs = ResultSlots(count: 1)
            return 2 + accountChunks + slotChunks.count + commitChunks
        }

        /// The post-state from the base and the commit's shards, with the end-of-block changes; its accounts listed for
        /// the leaves, the large storages found, and the commits moved out for stage 2 to free. Stage 2's prepare, or a
        /// stage-1 task when the shards came `committed` (it reads only the shards, the receipts and the base, which
        /// stage 1's other tasks do not write).
        func mergeState() {
            state = base
            for shard in shardResults!.take() {
                for address in shard.deleted { state.accounts[address] = nil }
                for (address, account) in shard.accounts { state.accounts[address] = account }
            }
            shardResults = nil
            requests = BlockFinalization.applyEndOfBlock(&state, env: env, fork: fork, receipts: receipts)

            accounts = Array(state.accounts)
            large = []
            for (i, entry) in accounts.enumerated() where entry.value.storage.count >= largeStorage { large.append(i) }
            largeSlots = large.map { Array(accounts[$0].value.storage) }
            slotChunks = []
            for (k, slots) in largeSlots.enumerated() {
                for from in stride(from: 0, to: slots.count, by: slotChunk) { slotChunks.append((k, from)) }
            }
            accountChunks = (accounts.count + accountChunk - 1) / accountChunk
            commitChunks = (commits.count + commitChunk - 1) / commitChunk
            commitBuffer = .allocate(capacity: commits.count)
            _ = commitBuffer.initialize(from: commits)
            commits = []
        }

        func leafTask(_ task: Int) {
            // Task 0 (the longest single one, so first): the logs hash and the bloom.
            if task == 0 {
                var bloom = Bloom()
                for r in receipts { bloom.formUnion(r.bloom) }
                logs!.set(0, (LogEncoding.hash(payloads: payloads), bloom))
                return
            }
            // Task 1: sort and plan the receipts trie (its subtrees are stage 3's).
            if task == 1 {
                var values: [[UInt8]] = []
                values.reserveCapacity(receipts.count)
                for chunk in encoded!.take() { values += chunk }
                encoded = nil
                receiptsTrie = ParallelTrieRoot(pairs: MerkleTrie.orderedPairs(values), grain: trieGrain)
                return
            }
            var t = task - 2
            if t < accountChunks {
                var out: [(key: [UInt8], value: [UInt8])] = []
                for i in (t * accountChunk)..<min(accounts.count, (t + 1) * accountChunk) {
                    let account = accounts[i].value
                    if account.storage.count >= largeStorage { continue }  // stage 3
                    out.append(InMemoryState.accountLeaf(accounts[i].key, account.info,
                                                         storageRoot: InMemoryState.storageRoot(account.storage)))
                }
                accountLeaves!.set(t, out)
                return
            }
            t -= accountChunks
            if t < slotChunks.count {
                let chunk = slotChunks[t]
                let slots = largeSlots[chunk.large]
                largeLeaves!.set(t, InMemoryState.storageLeaves(slots[chunk.from..<min(slots.count, chunk.from + slotChunk)]))
                return
            }
            t -= slotChunks.count
            // The commits are not needed any more: free them here, in parallel.
            for i in (t * commitChunk)..<min(commitBuffer.count, (t + 1) * commitChunk) {
                commitBuffer[i].changes = StateChanges()
            }
        }

        // MARK: stage 3: the large storage tries and the receipts trie

        func prepareLargeTries() -> Int {
            var leavesByLarge = [[(key: [UInt8], value: [UInt8])]](repeating: [], count: large.count)
            for (c, leaves) in zip(slotChunks, largeLeaves!.take()) { leavesByLarge[c.large] += leaves }
            largeLeaves = nil
            largeTries = leavesByLarge.map { ParallelTrieRoot(pairs: $0, grain: trieGrain) }
            // The receipts trie goes last, after the storage tries.
            largeTasks = TrieTasks(tries: largeTries + [receiptsTrie!])
            // With no large storage trie the account trie's leaves are all known: its sorting and planning is a task
            // here (the first: the longest single one), not a step between stages.
            plansStateTrie = large.isEmpty
            return largeTasks.total + (plansStateTrie ? 1 : 0)
        }

        func largeTask(_ k: Int) {
            guard plansStateTrie else { return largeTasks.run(k) }
            if k > 0 { return largeTasks.run(k - 1) }
            stateTrie = ParallelTrieRoot(pairs: stateTriePairs(), grain: trieGrain)
        }

        /// The account trie's leaves: stage 2's chunks joined, then the large storages' accounts (their storage roots
        /// from stage 3's references).
        func stateTriePairs(largeReferences: [[[UInt8]]] = []) -> [(key: [UInt8], value: [UInt8])] {
            var pairs: [(key: [UInt8], value: [UInt8])] = []
            pairs.reserveCapacity(accounts.count)
            for chunk in accountLeaves!.take() { pairs += chunk }
            accountLeaves = nil
            for (k, i) in large.enumerated() {
                let root = largeTries[k].root(references: largeReferences[k])
                pairs.append(InMemoryState.accountLeaf(accounts[i].key, accounts[i].value.info, storageRoot: root))
            }
            return pairs
        }

        // MARK: stage 4: the account trie

        func prepareStateTrie() -> Int {
            let largeRefs = largeTasks.references()
            receiptsReferences = largeRefs[large.count]
            if !plansStateTrie { stateTrie = ParallelTrieRoot(pairs: stateTriePairs(largeReferences: largeRefs), grain: trieGrain) }
            stateTasks = TrieTasks(tries: [stateTrie!])
            // Two more tasks: the receipts root (then the receipts trie freed), and freeing the storage tries (thousands
            // of small arrays).
            return stateTasks.total + 2
        }

        func stateTask(_ k: Int) {
            if k < stateTasks.total { return stateTasks.run(k) }
            if k == stateTasks.total {
                receiptsRoot = receiptsTrie!.root(references: receiptsReferences)
                receiptsTrie = nil
                receiptsReferences = []
            } else {
                largeTasks = TrieTasks(tries: [])
                largeTries = []
            }
        }

        /// The block's outcome, once every stage has run.
        func outcome() -> BlockOutcome {
            let stateRoot = stateTrie!.root(references: stateTasks.references()[0])
            let (logsHash, bloom) = logs!.take()[0]
            var outcome = BlockOutcome(stateRoot: stateRoot, receiptsRoot: receiptsRoot, logsHash: logsHash, logsBloom: bloom,
                                       gasUsed: receipts.last?.cumulativeGasUsed ?? 0, blobGasUsed: blobGasUsed,
                                       receipts: receipts, rejected: rejected, postState: state, metrics: metrics)
            outcome.setRequests(requests)
            return outcome
        }
    }

    /// The subtree tasks of several tries, numbered consecutively, with their references.
    struct TrieTasks: @unchecked Sendable {
        let tries: [ParallelTrieRoot]
        let offsets: [Int]
        let total: Int
        let refs: ResultSlots<[UInt8]>

        init(tries: [ParallelTrieRoot]) {
            var starts: [Int] = []
            var total = 0
            for t in tries {
                starts.append(total)
                total += t.taskCount
            }
            self.tries = tries
            self.offsets = starts
            self.total = total
            self.refs = ResultSlots(count: total)
        }

        func run(_ k: Int) {
            // The trie this task belongs to: the last offset not above k.
            var lo = 0, hi = offsets.count
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if offsets[mid] <= k { lo = mid } else { hi = mid }
            }
            refs.set(k, tries[lo].reference(ofTask: k - offsets[lo]))
        }

        /// The references per trie (after every task ran).
        func references() -> [[[UInt8]]] {
            let flat = refs.take()
            return tries.indices.map { Array(flat[offsets[$0]..<(offsets[$0] + tries[$0].taskCount)]) }
        }
    }

    @inline(__always) static func shardOf(_ a: Address, _ shards: Int) -> Int {
        Int(truncatingIfNeeded: a.tableHash >> 33) % shards
    }

    /// The accounts of one shard as the block leaves them: changed ones, and deleted ones (absent).
    struct Shard: Sendable {
        var accounts: [Address: Account] = [:]
        var deleted: Set<Address> = []

        /// Makes sure `address` is in `accounts`, as it stands now (from the base state unless deleted).
        mutating func load(_ address: Address, base: InMemoryState) {
            if accounts[address] == nil {
                accounts[address] = deleted.contains(address) ? Account() : (base.accounts[address] ?? Account())
            }
        }

        mutating func apply(_ address: Address, _ change: AccountChange, base: InMemoryState) {
            guard let info = change.info else {
                accounts[address] = nil
                deleted.insert(address)
                return
            }
            load(address, base: base)
            deleted.remove(address)
            accounts[address]!.apply(info: info, change: change)
        }

        mutating func credit(_ address: Address, _ amount: UInt256, base: InMemoryState) {
            load(address, base: base)
            deleted.remove(address)
            accounts[address]!.info.balance = accounts[address]!.info.balance &+ amount
        }
    }

}

/// Fixed slots that tasks on different threads fill, each its own index; read after the stage's barrier
/// or the gang's job has returned (either orders the writes before the read). The block end's stages
/// pass their results in these, and the parallel executors their transactions' results.
final class ResultSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Sets slot `i`; each slot is written by one task only.
    func set(_ i: Int, _ value: T) { slots[i] = value }

    /// Slot `i`'s value (which must be set), moved out (not copied and then destroyed: a transaction's result is
    /// large, and the in-order collect that takes them runs on one thread).
    func take(_ i: Int) -> T {
        guard let v = moveOut(i) else { preconditionFailure("result slot \(i) was not filled") }
        return v
    }

    /// Slot `i`'s value or nil, moved out; the slot is left empty.
    private func moveOut(_ i: Int) -> T? {
        let slot = slots.baseAddress! + i
        let v = slot.move()
        slot.initialize(to: nil)
        return v
    }

    /// Every slot's value (all must be set), moved out.
    func take() -> [T] {
        slots.indices.map { take($0) }
    }

    /// Every slot's value, `fallback` where none was set.
    func take(default fallback: T) -> [T] {
        slots.indices.map { moveOut($0) ?? fallback }
    }
}
