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
    ///    accounts, so per-account order is kept), next to the receipt encodings and the logs hash;
    /// 2. storage roots and account leaves in chunks of accounts (large storages: their leaves in chunks),
    ///    next to the receipts trie's subtrees;
    /// 3. the large storage tries' subtrees;
    /// 4. the account trie's subtrees.
    public static func finish(base: InMemoryState, commits: [Commit], env: BlockEnvironment, receipts: [Receipt],
                              rejected: [RejectedTransaction], blobGasUsed: UInt64, metrics: ExecutionMetrics,
                              gang: WorkerGang) -> BlockOutcome {
        let coinbase = env.coinbase
        if gang.count == 1 {
            var state = base
            for c in commits {
                state.apply(c.changes)
                state.credit(coinbase, c.coinbaseFee)
            }
            BlockFinalization.applyWithdrawals(&state, env: env)
            return BlockFinalization.outcome(state: state, receipts: receipts, rejected: rejected,
                                             blobGasUsed: blobGasUsed, metrics: metrics)
        }

        // Stage 1: commit shards, receipt encodings, logs hash and bloom.
        let shards = gang.count
        let receiptChunk = 64
        let receiptChunks = (receipts.count + receiptChunk - 1) / receiptChunk
        let shardResults = ResultSlots<Shard>(count: shards)
        let encoded = ResultSlots<[[UInt8]]>(count: receiptChunks)
        let logs = ResultSlots<(Hash32, Bloom)>(count: 1)
        let logPayloads = ResultSlots<[UInt8]>(count: receiptChunks)
        gang.forEach(shards + receiptChunks) { t in
            if t < shards {
                var shard = Shard()
                let coinbaseHere = shardOf(coinbase, shards) == t
                for c in commits {
                    for (address, change) in c.changes.accounts where shardOf(address, shards) == t {
                        shard.apply(address, change, base: base)
                    }
                    if coinbaseHere && !c.coinbaseFee.isZero { shard.credit(coinbase, c.coinbaseFee, base: base) }
                }
                shardResults.set(t, shard)
            } else {
                let c = t - shards
                let range = (c * receiptChunk)..<min(receipts.count, (c + 1) * receiptChunk)
                encoded.set(c, receipts[range].map(\.encoded))
                logPayloads.set(c, LogEncoding.payload(receipts[range]))
            }
        }
        var state = base
        for shard in shardResults.take() {
            for address in shard.deleted { state.accounts[address] = nil }
            for (address, account) in shard.accounts { state.accounts[address] = account }
        }
        BlockFinalization.applyWithdrawals(&state, env: env)
        var receiptValues: [[UInt8]] = []
        receiptValues.reserveCapacity(receipts.count)
        for chunk in encoded.take() { receiptValues += chunk }
        let receiptsTrie = ParallelTrieRoot(pairs: MerkleTrie.orderedPairs(receiptValues), grain: trieGrain)
        let payloads = logPayloads.take()

        // Stage 2: storage roots and leaves of accounts in chunks; the leaves of large storages in
        // chunks of slots; the receipts trie.
        let accounts = Array(state.accounts)
        var largeList: [Int] = []
        for (i, entry) in accounts.enumerated() where entry.value.storage.count >= largeStorage { largeList.append(i) }
        let large = largeList
        let largeSlots = large.map { Array(accounts[$0].value.storage) }
        let slotChunk = 256
        var slotChunkList: [(large: Int, from: Int)] = []
        for (k, slots) in largeSlots.enumerated() {
            for from in stride(from: 0, to: slots.count, by: slotChunk) { slotChunkList.append((k, from)) }
        }
        let slotChunks = slotChunkList
        let accountChunk = 64
        let accountChunks = (accounts.count + accountChunk - 1) / accountChunk
        let accountLeaves = ResultSlots<[(key: [UInt8], value: [UInt8])]>(count: accountChunks)
        let largeLeaves = ResultSlots<[(key: [UInt8], value: [UInt8])]>(count: slotChunks.count)
        let receiptRefs = ResultSlots<[UInt8]>(count: receiptsTrie.taskCount)
        // Task 0 (the longest single one, so first): the logs hash and the bloom.
        gang.forEach(1 + accountChunks + slotChunks.count + receiptsTrie.taskCount) { task in
            if task == 0 {
                var bloom = Bloom()
                for r in receipts { bloom.formUnion(r.bloom) }
                logs.set(0, (LogEncoding.hash(payloads: payloads), bloom))
                return
            }
            let t = task - 1
            if t < accountChunks {
                var out: [(key: [UInt8], value: [UInt8])] = []
                for i in (t * accountChunk)..<min(accounts.count, (t + 1) * accountChunk) {
                    let account = accounts[i].value
                    if account.storage.count >= largeStorage { continue }  // stage 3
                    out.append(InMemoryState.accountLeaf(accounts[i].key, account.info,
                                                         storageRoot: InMemoryState.storageRoot(account.storage)))
                }
                accountLeaves.set(t, out)
            } else if t < accountChunks + slotChunks.count {
                let c = t - accountChunks
                let slots = largeSlots[slotChunks[c].large]
                largeLeaves.set(c, InMemoryState.storageLeaves(slots[slotChunks[c].from..<min(slots.count, slotChunks[c].from + slotChunk)]))
            } else {
                let r = t - accountChunks - slotChunks.count
                receiptRefs.set(r, receiptsTrie.reference(ofTask: r))
            }
        }
        let receiptsRoot = receiptsTrie.root(references: receiptRefs.take())
        var leavesByLarge = [[(key: [UInt8], value: [UInt8])]](repeating: [], count: large.count)
        for (c, leaves) in zip(slotChunks, largeLeaves.take()) { leavesByLarge[c.large] += leaves }

        // Stage 3: the large storage tries.
        let largeTries = leavesByLarge.map { ParallelTrieRoot(pairs: $0, grain: trieGrain) }
        let largeRefs = runTries(largeTries, gang: gang)
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(accounts.count)
        for chunk in accountLeaves.take() { pairs += chunk }
        for (k, i) in large.enumerated() {
            let root = largeTries[k].root(references: largeRefs[k])
            pairs.append(InMemoryState.accountLeaf(accounts[i].key, accounts[i].value.info, storageRoot: root))
        }

        // Stage 4: the account trie.
        let stateTrie = ParallelTrieRoot(pairs: pairs, grain: trieGrain)
        let stateRoot = stateTrie.root(references: runTries([stateTrie], gang: gang)[0])

        let (logsHash, bloom) = logs.take()[0]
        return BlockOutcome(stateRoot: stateRoot, receiptsRoot: receiptsRoot, logsHash: logsHash, logsBloom: bloom,
                            gasUsed: receipts.last?.cumulativeGasUsed ?? 0, blobGasUsed: blobGasUsed,
                            receipts: receipts, rejected: rejected, postState: state, metrics: metrics)
    }

    @inline(__always) static func shardOf(_ a: Address, _ shards: Int) -> Int {
        let h = (a.a ^ a.b.rotated(21) ^ UInt64(a.c)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 33) % shards
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

    /// Builds every subtree of every trie on the gang; returns the references per trie.
    static func runTries(_ tries: [ParallelTrieRoot], gang: WorkerGang) -> [[[UInt8]]] {
        var starts: [Int] = []
        var total = 0
        for t in tries {
            starts.append(total)
            total += t.taskCount
        }
        let offsets = starts
        let refs = ResultSlots<[UInt8]>(count: total)
        gang.forEach(total) { k in
            // The trie this task belongs to: the last offset not above k.
            var lo = 0, hi = offsets.count
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if offsets[mid] <= k { lo = mid } else { hi = mid }
            }
            refs.set(k, tries[lo].reference(ofTask: k - offsets[lo]))
        }
        let flat = refs.take()
        return tries.indices.map { Array(flat[offsets[$0]..<(offsets[$0] + tries[$0].taskCount)]) }
    }
}

/// Fixed slots that tasks on different threads fill, each its own index; read after the gang's job
/// has returned (which orders the writes before the read).
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

    /// Every slot's value (all must be set), moved out.
    func take() -> [T] {
        slots.indices.map { i -> T in
            guard let v = slots[i] else { preconditionFailure("result slot \(i) was not filled") }
            slots[i] = nil
            return v
        }
    }

    /// Every slot's value, `fallback` where none was set.
    func take(default fallback: T) -> [T] {
        slots.indices.map { i -> T in
            let v = slots[i] ?? fallback
            slots[i] = nil
            return v
        }
    }
}
