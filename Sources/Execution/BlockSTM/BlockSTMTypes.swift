import EVMPrimitives
import EVMState

// The vocabulary shared by the Block-STM multi-version memory, scheduler and executor
// (Gelashvili et al. 2022, "Block-STM: Scaling Blockchain Execution by Turning Ordering Curse to a
// Performance Blessing", section 3).

/// A transaction's position in the block.
typealias TxIndex = Int

/// How many times a transaction was (re-)started; incarnation 0 is the first execution.
typealias Incarnation = Int

/// One execution of one transaction: the tag every multi-version write carries.
struct TxVersion: Hashable, Sendable {
    var index: TxIndex
    var incarnation: Incarnation
    init(_ index: TxIndex, _ incarnation: Incarnation) {
        self.index = index; self.incarnation = incarnation
    }
}

/// A state location in the multi-version memory, keyed by the full location (never by a hash:
/// two locations that hash alike must not merge).
enum MemoryLocation: Hashable, Sendable {
    /// The account's nonce, balance and code together (nil when it does not exist).
    case account(Address)
    /// One storage slot.
    case storage(Address, UInt256)
    /// Written when a transaction deletes or re-creates the account: storage reads from there on see zero
    /// until a later write to the slot.
    case lifecycle(Address)
    /// A marker in the write set of a transaction that stored into the account (the keys are the set's storage
    /// writes), so that `hasStorage` (EIP-7610) can be answered without scanning every slot of the block. It
    /// lowers its bucket of `LowestWriters` but has no version list: every transfer of one token would share it.
    case storageKeys(Address)

    /// Picks a lock stripe. Only the stripe: within it the full location is compared.
    var stripeHash: UInt64 {
        // The mix spreads low-entropy keys (small slot numbers) well; the constants tell an address's three
        // locations apart.
        switch self {
        case .account(let a): return SplitMix64.mix(a.folded)
        case .lifecycle(let a): return SplitMix64.mix(a.folded ^ 0x1111)
        case .storageKeys(let a): return SplitMix64.mix(a.folded ^ 0x2222)
        case .storage(let a, let k):
            return SplitMix64.mix(a.folded ^ k.w0.rotated(7) ^ k.w1.rotated(19) ^ k.w2.rotated(37) ^ k.w3)
        }
    }

    /// Feeds the pre-mixed word only: one Hasher round instead of eight per lookup. Equality still
    /// compares the full location, so two locations that mix alike share a bucket, never an entry.
    func hash(into hasher: inout Hasher) { hasher.combine(stripeHash) }

    /// What a stripe's dictionary indexes by, without SipHash (as the state tables' keys do, see
    /// `UInt256+Hashing`): the pre-mixed word and the table's seed through one folded multiply. The
    /// locations of one stripe share the low bits that picked it; the multiply spreads the other bits
    /// over the ones the table uses.
    func _rawHashValue(seed: Int) -> Int {
        let (hi, lo) = (stripeHash ^ UInt64(truncatingIfNeeded: seed) ^ 0xa076_1d64_78bd_642f)
            .multipliedFullWidth(by: 0xe703_7ed1_a0b4_28db)
        return Int(truncatingIfNeeded: hi ^ lo)
    }
}

/// What a multi-version entry holds.
enum MVValue: Sendable {
    case account(AccountInfo?)
    case storage(UInt256)
    case lifecycle
    /// The transaction stored into the account (the keys are in its recorded write set).
    case storageKeys
}

/// The answer of a multi-version read below some transaction.
enum MVRead: Sendable {
    /// No lower transaction wrote the location: read the block's base state.
    case base
    /// The latest lower write.
    case value(TxVersion, MVValue)
    /// The latest lower writer was aborted: its write is an ESTIMATE, so the reader depends on it.
    case estimate(TxIndex)
}

/// Where a recorded read came from; validation re-reads and compares.
enum ReadOrigin: Sendable, Equatable {
    /// No lower transaction wrote the location.
    case base
    /// The latest lower write, at this version.
    case version(TxVersion)
    /// A storage slot that reads zero because the account was deleted or re-created at this version,
    /// after any lower write to the slot.
    case cleared(TxVersion)
    /// The coinbase account with the deferred fees of lower transactions added: validated by value.
    /// Boxed (rare), so that every recorded read stays small.
    indirect case coinbase(AccountInfo?)
    /// EIP-7610 `hasStorage`: validated by recomputing the answer.
    case hasStorage(Bool)
}

/// One recorded read.
struct RecordedRead: Sendable {
    var location: MemoryLocation
    var origin: ReadOrigin
    init(_ location: MemoryLocation, _ origin: ReadOrigin) {
        self.location = location; self.origin = origin
    }
}

/// A unit of work the scheduler hands to a worker.
enum SchedulerTask: Sendable {
    case execute(TxVersion)
    case validate(TxVersion)
}

/// A read that could not be answered: the reader must wait for `blocking` to finish executing.
struct BlockedRead: Error, Sendable {
    var blocking: TxIndex
    init(_ blocking: TxIndex) { self.blocking = blocking }
}

/// An incarnation's multi-version writes, as two parallel buffers: the locations (plain data, copied into the
/// transaction's write set as one block) and the values. Each worker reuses one buffer for all its incarnations
/// (`ReusableBuffer`: emptied without the arrays' generic `replaceSubrange`). As an array of pairs, every read of a
/// pair copied the whole pair (an outlined copy that switches over the value's cases), three times per write.
/// Not copyable: its storage is shared by reference.
struct WriteBuffer: ~Copyable {
    private let locationBuffer: ReusableBuffer<MemoryLocation>
    private let valueBuffer: ReusableBuffer<MVValue>

    init(capacity: Int = 0) {
        locationBuffer = ReusableBuffer(capacity: capacity)
        valueBuffer = ReusableBuffer(capacity: capacity)
    }

    init(_ pairs: [(MemoryLocation, MVValue)]) {
        self.init(capacity: pairs.count)
        for (location, value) in pairs { append(location, value) }
    }

    var count: Int { locationBuffer.count }
    /// The locations and values written, valid until the buffer next changes.
    var locations: UnsafeBufferPointer<MemoryLocation> { locationBuffer.elements }
    var values: UnsafeBufferPointer<MVValue> { valueBuffer.elements }

    @inline(__always) mutating func append(_ location: MemoryLocation, _ value: MVValue) {
        locationBuffer.append(location)
        valueBuffer.append(value)
    }

    /// Moves value `i` out. Whoever takes one takes every value this way, then calls `forgetTakenValues()`
    /// (`MVMemory.record`: the values move into the version lists, neither copied there nor destroyed here).
    @inline(__always) mutating func takeValue(_ i: Int) -> MVValue { valueBuffer.move(i) }

    /// Forgets the values after `takeValue` took each of them (the locations stay).
    mutating func forgetTakenValues() { valueBuffer.forgetMoved() }

    /// Empties the buffer, keeping its memory.
    mutating func removeAll() {
        locationBuffer.removeAll()
        valueBuffer.removeAll()
    }
}
