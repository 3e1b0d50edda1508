import EVMPrimitives
import EVMState
import Synchronization

/// Block-STM's multi-version memory (paper, section 3.2 and Algorithm 2).
///
/// For every location, the writes of transactions are kept as a small array sorted by transaction index,
/// each tagged with the (index, incarnation) that wrote it; a write whose transaction was aborted becomes
/// an ESTIMATE (the value is dropped), which tells a reader to wait for that transaction rather than read
/// a value that is probably stale. Locations are spread over lock stripes by a hash of the location; the
/// hash only picks the stripe, and the stripe's dictionary compares full locations.
///
/// Except for the first writer of each bucket of location hashes (`LowestWriters.register`): its writes to that
/// bucket stay in its own sets (`TxSets.kept`), published under its transaction's lock as the rest of its sets, and
/// a read takes them into account next to the version lists. In a block of independent transactions nearly every
/// write is a bucket's first, so recording an incarnation touches no shared table: inserting into a stripe's
/// dictionary cost each write a few cache lines the other threads had written last (at 2 threads, about 1 us of a
/// transfer's 8 us; keeping first writers out of the lists gained 1.4-2.1 points of the partition bound on
/// independent blocks).
///
/// Besides locations, the memory holds each transaction's deferred coinbase fee (a lazy delta: readers of
/// the coinbase add the fees of all lower transactions), and each transaction's last read and write sets.
final class MVMemory: Sendable {
    /// One write in a location's version list; `value == nil` is an ESTIMATE.
    struct Entry: Sendable {
        var index: TxIndex
        var incarnation: Incarnation
        var value: MVValue?

        /// What a read that finds this entry returns.
        var answer: MVRead {
            guard let value else { return .estimate(index) }
            return .value(TxVersion(index, incarnation), value)
        }
    }

    /// A location's writes, sorted by transaction index: the highest one inline, the others (rare: most
    /// locations have one writer) in an array that stays unallocated while empty.
    struct Versions: Sendable {
        var last: Entry
        var lower: [Entry] = []

        /// No entry yet (index -1, below every transaction's): only while `record` inserts the first one, under the
        /// stripe's lock.
        init() { last = Entry(index: -1, incarnation: 0, value: nil) }

        /// The latest entry with index < `index`.
        @inline(__always) func latest(below index: TxIndex) -> Entry? {
            if last.index < index { return last }
            let pos = MVMemory.lowerBound(lower, index)
            return pos == 0 ? nil : lower[pos - 1]
        }

        /// Inserts keeping the order by transaction index, replacing the transaction's earlier entry.
        mutating func insertOrReplace(_ entry: consuming Entry) {
            if entry.index > last.index {
                if last.index >= 0 { lower.append(last) }
                last = entry
            } else if entry.index == last.index {
                last = entry
            } else {
                lower.insertOrReplace(entry)
            }
        }

        /// Removes the transaction's entry; false when none is left.
        mutating func remove(index: TxIndex) -> Bool {
            if last.index == index {
                guard let next = lower.popLast() else { return false }
                last = next
            } else {
                lower.remove(index: index)
            }
            return true
        }

        mutating func markEstimate(index: TxIndex) {
            if last.index == index { last.value = nil } else { lower.markEstimate(index: index) }
        }
    }

    /// A lock stripe: the version lists of the locations whose hash falls on it.
    typealias Stripe = [MemoryLocation: Versions]

    /// A transaction's deferred coinbase fee, as its last incarnation left it.
    enum Fee: Sendable {
        /// Not executed yet.
        case missing
        /// Its incarnation was aborted: the next one will tell.
        case estimate
        case fee(UInt256)
    }

    /// The read set, written locations and deferred coinbase fee of a transaction's last incarnation
    /// (paper: last_read_set, last_written_locations).
    /// Both sets are copies in the recording worker's arenas (`SetArena`), which outlive every reader of them.
    struct TxSets: @unchecked Sendable {  // the buffers are immutable once published, freed only after the run
        var reads = UnsafeBufferPointer<RecordedRead>(start: nil, count: 0)
        /// The locations written, without their values (those live in the version lists, or in `kept`). The pairs
        /// themselves stay in the worker's reused buffer (`BlockSTMRun.work`).
        var writes = UnsafeBufferPointer<MemoryLocation>(start: nil, count: 0)
        var fee: Fee = .missing
        /// The incarnation these sets are of.
        var incarnation: Incarnation = 0
        /// The writes to buckets whose first writer this transaction is (`LowestWriters.register`), with their values
        /// (in the recording worker's arenas): kept here instead of in the version lists, whose shared tables cost
        /// every write a few cache lines that the other threads wrote last. A reader looks here for the bucket's first
        /// writer, and in the lists for the rest.
        var kept = UnsafeBufferPointer<Kept>(start: nil, count: 0)
    }

    /// A buffer of a transaction's sets, passed out of its lock: the sets' buffers are immutable once published (see
    /// `TxSets`).
    struct Published<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }

    /// A write kept in its transaction's sets (`TxSets.kept`).
    struct Kept: Sendable {
        var location: MemoryLocation
        var value: MVValue
    }

    /// One worker's arenas for the sets it records.
    final class Arenas: Sendable {
        let reads: SetArena<RecordedRead>
        let writes: SetArena<MemoryLocation>
        let kept: SetArena<Kept>
        init(transactions: Int) {
            reads = SetArena(expected: 12 * transactions)
            writes = SetArena(expected: 4 * transactions)
            kept = SetArena(expected: 4 * transactions)
        }
        func free() {
            reads.free()
            writes.free()
            kept.free()
        }
    }


    let base: InMemoryState
    let coinbase: Address
    /// The stripes, each behind its own lock, in one allocation. Each starts empty (no table allocated) and
    /// reserves `perStripe` entries at its first write, so that setting up a run allocates no table: the
    /// workers allocate them during the run, in parallel.
    private let stripes: LockedSlots<Stripe>
    private let perStripe: Int
    private let stripeMask: UInt64
    private let txSlots: LockedSlots<TxSets>
    /// Lifecycle writes recorded so far. While there are none (most blocks), a storage read skips the
    /// lifecycle lookup; it is raised before the first entry is inserted, so a reader that saw zero read
    /// at a moment when a lookup would have found nothing, and the write being a new location makes
    /// every higher transaction validate again (with the lookup).
    private let lifecycleWrites = Atomic<Int>(0)
    /// A lock-free summary of who wrote which locations in this run: per hash bucket, the lowest index
    /// that ever wrote a location there, lowered before the entry is inserted and never raised. A read
    /// by transaction `index` whose bucket says no lower transaction wrote there has no entry to find
    /// and goes straight to the base state without taking a stripe's lock: most reads of a block of
    /// independent transactions, and most re-reads when validating them (a transaction's own writes and
    /// those of higher transactions do not count), are such misses. A bucket lowered by another
    /// location only sends the read down the locked path.
    ///
    /// Why a bucket is safe to trust: a reader racing with the writer may miss the entry either way
    /// (as if it had read just before the write); the writer's `finishExecution` then makes every higher
    /// transaction validate again, and that validation is ordered after the bucket was lowered by the
    /// scheduler's atomics, so it sees the bucket and the entry.
    private let writers: LowestWriters
    /// Per worker (`record`'s `worker`), and one more behind a lock for callers that are not workers.
    private let arenas: [Arenas]
    private let spareLock = Mutex<Void>(())  // guards `arenas.last`, the spare arenas

    init(base: InMemoryState, coinbase: Address, transactions: Int, threads: Int) {
        self.base = base
        self.coinbase = coinbase
        // Enough stripes that two threads rarely meet on one lock: a power of two, at least 16 per thread. Not more:
        // every stripe costs its lock's cache line, its table's allocation and that table's first touches in every
        // block, whatever the block's size. With 64 per thread, 200-transaction blocks of ERC-20 transfers ran at
        // 80-83% of the partition bound, with 16 at 85-88% (1000 transactions: 84-85% either way).
        var count = 16
        while count < threads * 16 { count <<= 1 }
        // Sized for about four written locations per transaction, so that stripes rarely rehash.
        perStripe = (4 * transactions + count - 1) / count
        stripes = LockedSlots(count: count) { _ in [:] }
        self.stripeMask = UInt64(count - 1)
        self.txSlots = LockedSlots(count: transactions) { _ in TxSets() }
        // About eight buckets per written location (four per transaction), so that few reads meet a
        // bucket lowered by another location.
        self.writers = LowestWriters(buckets: 32 * transactions)
        let perWorker = (transactions + threads - 1) / max(1, threads)
        arenas = (0...threads).map { _ in Arenas(transactions: perWorker) }
    }

    deinit {
        for a in arenas { a.free() }
    }

    /// Runs `body` on the stripe of a location's hash, under its lock.
    @inline(__always) private func withStripe<R: Sendable>(_ hash: UInt64, _ body: (inout Stripe) -> R) -> R {
        stripes.withLock(Int(truncatingIfNeeded: hash & stripeMask), body)
    }

    /// Position of the first entry with index >= `index` (entries are sorted by index).
    @inline(__always) static func lowerBound(_ entries: [Entry], _ index: TxIndex) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if entries[mid].index < index { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: reads

    /// The latest write to `location` by a transaction below `index` (paper: MVMemory.read).
    func read(_ location: MemoryLocation, below index: TxIndex) -> MVRead {
        let hash = location.stripeHash
        let bucket = writers.bucket(of: hash)
        guard bucket.lowest < index else { return .base }
        // The bucket's first writer keeps its writes in its own sets; every other writer's are in the version lists.
        // The lists first: where they hold a write above the first writer's, that decides without a look at its sets
        // (every reader of a hot location would otherwise take the first writer's lock as well as the stripe's).
        let first = bucket.first
        var listed: Entry?
        if bucket.listed {
            listed = withStripe(hash) { map -> Entry? in map[location]?.latest(below: index) }
        }
        if let e = listed, e.index > first || first >= index { return e.answer }
        if first < index {
            let kept = txSlots.withLock(first) { sets -> MVRead? in
                for k in sets.kept where k.location == location {
                    if case .estimate = sets.fee { return .estimate(first) }
                    return .value(TxVersion(first, sets.incarnation), k.value)
                }
                return nil
            }
            if let kept { return kept }
        }
        return listed?.answer ?? .base
    }

    /// A storage slot as seen by transaction `index`: the latest lower write among the slot itself and the
    /// account's lifecycle (a deletion or re-creation above the slot's last write means zero).
    /// Returns the value and the origin that decided it; an ESTIMATE that decides blocks the reader.
    func storage(_ address: Address, _ key: UInt256, below index: TxIndex) -> Result<(UInt256, ReadOrigin), BlockedRead> {
        switch storageSource(address, key, below: index) {
        case .base: return .success((base.storage(address, key: key), .base))
        case .blocked(let i): return .failure(BlockedRead(i))
        case .written(let v, let word): return .success((word, .version(v)))
        case .cleared(let v): return .success((.zero, .cleared(v)))
        }
    }

    /// Where a storage read by transaction `index` is answered from (validation compares only this).
    enum StorageSource {
        case base
        case blocked(TxIndex)
        case written(TxVersion, UInt256)
        case cleared(TxVersion)
    }

    func storageSource(_ address: Address, _ key: UInt256, below index: TxIndex) -> StorageSource {
        let slot = read(.storage(address, key), below: index)
        let life = lifecycleWrites.load(ordering: .sequentiallyConsistent) == 0
            ? MVRead.base : read(.lifecycle(address), below: index)
        func position(_ r: MVRead) -> TxIndex {
            switch r {
            case .base: return -1
            case .value(let v, _): return v.index
            case .estimate(let i): return i
            }
        }
        // Within one transaction the clear comes first and its slot writes after, so the slot wins ties.
        if position(slot) >= position(life) {
            switch slot {
            case .base: return .base
            case .estimate(let i): return .blocked(i)
            case .value(let v, let value):
                guard case .storage(let word) = value else { return .written(v, .zero) }
                return .written(v, word)
            }
        }
        switch life {
        case .base: return .base  // unreachable: life is newer
        case .estimate(let i): return .blocked(i)
        case .value(let v, _): return .cleared(v)
        }
    }

    /// The coinbase account as transaction `index` sees it: the latest lower write (or the base state),
    /// plus the deferred fees of the writer and of every transaction after it below `index`, credited
    /// exactly as the serial executor's `InMemoryState.credit` does. A lower transaction that has not
    /// executed yet, or whose fee is an ESTIMATE, blocks the read.
    func coinbaseAccount(below index: TxIndex) -> Result<AccountInfo?, BlockedRead> {
        var info: AccountInfo?
        var from = 0
        switch read(.account(coinbase), below: index) {
        case .base: info = base.account(coinbase)
        case .estimate(let i): return .failure(BlockedRead(i))
        case .value(let v, let value):
            if case .account(let a) = value { info = a }
            from = v.index  // the writer's own fee is credited after its write
        }
        var sum = UInt256.zero
        var i = index - 1
        while i >= from {
            switch txSlots.withLock(i, { $0.fee }) {
            case .missing, .estimate: return .failure(BlockedRead(i))  // the highest unfinished one
            case .fee(let f): sum = sum &+ f
            }
            i -= 1
        }
        guard !sum.isZero else { return .success(info) }
        var credited = info ?? AccountInfo()
        credited.balance = credited.balance &+ sum
        return .success(credited)
    }

    /// EIP-7610 `hasStorage` as transaction `index` sees it: the base state's answer unless a lower
    /// transaction cleared the account or wrote its storage; then the slots that could be non-zero
    /// (those written since the last clear, and the base slots when there was none) are read.
    func hasStorage(_ address: Address, below index: TxIndex) -> Result<Bool, BlockedRead> {
        var from = 0
        var cleared = false
        switch read(.lifecycle(address), below: index) {
        case .base: break
        case .estimate(let i): return .failure(BlockedRead(i))
        case .value(let v, _): from = v.index; cleared = true
        }
        // The transactions that stored into the account carry its marker in their recorded write sets, with the
        // keys; the marker's bucket in `writers` (lowered by `record`) says from which transaction on to look.
        // A lower transaction whose last incarnation wrote the marker and was aborted blocks the read.
        var keys: [UInt256] = []
        let marker = MemoryLocation.storageKeys(address)
        var i = max(from, writers.lowest(marker.stripeHash))
        while i < index {
            let found = txSlots.withLock(i) { sets -> Bool? in
                guard sets.writes.contains(marker) else { return false }
                if case .estimate = sets.fee { return nil }  // aborted: its next incarnation will tell
                for location in sets.writes {
                    if case .storage(let a, let k) = location, a == address { keys.append(k) }
                }
                return true
            }
            if found == nil { return .failure(BlockedRead(i)) }
            i += 1
        }
        if !cleared && keys.isEmpty { return .success(base.hasStorage(address)) }
        if !cleared, let baseSlots = base.accounts[address]?.storage { keys += baseSlots.keys }
        for k in keys {
            switch storage(address, k, below: index) {
            case .failure(let b): return .failure(b)
            case .success(let (value, _)): if !value.isZero { return .success(true) }
            }
        }
        return .success(false)
    }

    // MARK: writes

    /// Publishes an incarnation's writes, fee and read set (paper: MVMemory.record). Returns true when it
    /// wrote a location its previous incarnation did not (then higher transactions must be re-validated).
    /// `worker`: the recording worker (below the run's `threads`; no two record with the same one at once), whose
    /// arenas keep the sets.
    /// The reads move into the worker's arena and the written values into the version lists: both buffers are left
    /// empty of them (the written locations stay in `writes`).
    func record(_ version: TxVersion, reads: ReusableBuffer<RecordedRead>, writes: inout WriteBuffer,
                fee: UInt256, worker: Int) -> Bool {
        precondition(worker >= 0 && worker < arenas.count - 1, "MVMemory.record: worker out of range")
        let mine = arenas[worker]
        return record(version, readSet: mine.reads.store(moving: reads), writes: &writes, fee: fee, arenas: mine)
    }

    /// `readSet`: the reads, already in `arenas`.
    private func record(_ version: TxVersion, readSet: UnsafeBufferPointer<RecordedRead>, writes: inout WriteBuffer,
                        fee: UInt256, arenas: Arenas) -> Bool {
        let index = version.index
        let count = writes.count
        // Copied into the worker's arenas: no allocation of their own, nothing to free per incarnation.
        let locations = arenas.writes.store(writes.locations)
        // The writes to buckets this transaction is (or looks like it will be) the first writer of are kept in its sets,
        // which go in first: a reader that finds a bucket lowered below looks there (and a reader that finds a marker's
        // bucket lowered looks the keys up in the write set).
        let previous = withUnsafeTemporaryAllocation(of: Bool.self, capacity: max(1, count)) { isKept in
            var keptCount = 0
            for i in 0..<count {
                let location = writes.locations[i]
                isKept[i] = !location.isStorageMarker && writers.mayRegister(location.stripeHash, index)
                if isKept[i] { keptCount += 1 }
            }
            let kept = arenas.kept.store(count: keptCount) { at in
                var j = 0
                for i in 0..<count where isKept[i] {
                    (at + j).initialize(to: Kept(location: writes.locations[i], value: writes.takeValue(i)))
                    j += 1
                }
            }
            let previous = txSlots.withLock(index) { sets -> Published<UnsafeBufferPointer<MemoryLocation>> in
                let previous = sets.writes
                sets.writes = locations
                sets.reads = readSet
                sets.fee = .fee(fee)
                sets.incarnation = version.incarnation
                sets.kept = kept
                return Published(previous)
            }.value
            var k = 0  // writes kept so far
            for i in 0..<count {
                let location = writes.locations[i]
                let hash = location.stripeHash
                switch location {
                case .storageKeys:
                    // The marker stays in the write set only (see `hasStorage`); its value is taken as every other.
                    writers.lower(hash, to: index)
                    _ = writes.takeValue(i)
                    continue
                case .lifecycle: lifecycleWrites.wrappingAdd(1, ordering: .sequentiallyConsistent)
                case .account, .storage: break
                }
                var entry: Entry?
                if isKept[i] {
                    let j = k
                    k += 1
                    if writers.register(hash, index) { continue }
                    // Another transaction became the bucket's first writer in between: this write goes into the lists
                    // too (its copy in `kept` is never looked at: readers look there only for the bucket's first writer).
                    entry = Entry(index: index, incarnation: version.incarnation, value: kept[j].value)
                } else {
                    // Moved into the version list (taken out of the optional): copying it there and destroying this copy
                    // cost two outlined copies and destroys of the value per write.
                    entry = Entry(index: index, incarnation: version.incarnation, value: writes.takeValue(i))
                }
                writers.lower(hash, to: index, listing: true)
                withStripe(hash) { map in
                    if map.capacity == 0 { map.reserveCapacity(perStripe) }
                    // One lookup, in place: a new location starts without an entry, and `insertOrReplace` puts it in.
                    map[location, default: Versions()].insertOrReplace(entry.take()!)
                }
            }
            return previous
        }
        writes.forgetTakenValues()
        // The first incarnation always counts as new: at least its fee appeared.
        if version.incarnation == 0 || previous.isEmpty { return true }
        let now = Set(writes.locations)
        for location in previous where !now.contains(location) && !location.isStorageMarker {
            withStripe(location.stripeHash) { map in
                if map[location]?.remove(index: index) == false { map[location] = nil }
            }
        }
        let before = Set(previous)
        return writes.locations.contains { !before.contains($0) }
    }

    /// `record` by a caller that is not one of the run's workers (the serial finish of an abandoned run, tests): the
    /// sets go to the spare arenas, one caller at a time.
    /// The written values move into the version lists (the locations stay in `writes`).
    func record(_ version: TxVersion, reads: [RecordedRead], writes: inout WriteBuffer, fee: UInt256) -> Bool {
        spareLock.withLock { _ in
            let spare = arenas[arenas.count - 1]
            let readSet = reads.withUnsafeBufferPointer { spare.reads.store($0) }
            return record(version, readSet: readSet, writes: &writes, fee: fee, arenas: spare)
        }
    }

    /// `record` from pairs (tests).
    func record(_ version: TxVersion, reads: [RecordedRead], writes: [(MemoryLocation, MVValue)], fee: UInt256) -> Bool {
        var buffer = WriteBuffer(writes)
        return record(version, reads: reads, writes: &buffer, fee: fee)
    }

    /// Marks an aborted incarnation's writes and fee as ESTIMATEs (paper: convert_writes_to_estimates).
    func convertWritesToEstimates(_ index: TxIndex) {
        let writes = txSlots.withLock(index) { sets -> Published<UnsafeBufferPointer<MemoryLocation>> in
            sets.fee = .estimate
            return Published(sets.writes)
        }.value
        for location in writes where !location.isStorageMarker {
            withStripe(location.stripeHash) { map in
                map[location]?.markEstimate(index: index)
            }
        }
    }

    // MARK: validation

    /// True when every read of the transaction's last incarnation would still return what it returned
    /// (paper: validate_read_set). Reads that hit an ESTIMATE now fail.
    func validateReadSet(_ index: TxIndex) -> Bool { firstInvalidRead(index) == nil }

    /// The location of the first read of the transaction's last incarnation that would no longer return what it
    /// returned; nil when the read set is still valid.
    func firstInvalidRead(_ index: TxIndex) -> MemoryLocation? {
        let reads = txSlots.withLock(index) { Published($0.reads) }.value
        guard let first = reads.baseAddress else { return nil }
        let noLifecycle = lifecycleWrites.load(ordering: .sequentiallyConsistent) == 0
        for i in 0..<reads.count {
            let r = first + i
            // A read of the base state whose bucket no lower transaction wrote (and, for a slot, its account's
            // lifecycle's neither) still reads the base state: `read` and `storageSource` answer `.base` on that
            // same test, before any lock. Checked in place, without copying the read.
            if case .base = r.pointee.origin {
                switch r.pointee.location {
                case .account(let a):
                    if writers.lowest(MemoryLocation.account(a).stripeHash) >= index { continue }
                case .storage(let a, let k):
                    if writers.lowest(MemoryLocation.storage(a, k).stripeHash) >= index
                        && (noLifecycle || writers.lowest(MemoryLocation.lifecycle(a).stripeHash) >= index) { continue }
                case .lifecycle, .storageKeys: break
                }
            }
            if !isStillValid(r.pointee, index) { return r.pointee.location }
        }
        return nil
    }

    private func isStillValid(_ r: RecordedRead, _ index: TxIndex) -> Bool {
        switch r.origin {
        case .coinbase(let seen):
            guard case .success(let now) = coinbaseAccount(below: index) else { return false }
            return now == seen
        case .hasStorage(let seen):
            guard case .address(let a) = r.location.addressOnly,
                  case .success(let now) = hasStorage(a, below: index) else { return false }
            return now == seen
        case .base, .version, .cleared:
            if case .storage(let a, let k) = r.location {
                switch storageSource(a, k, below: index) {
                case .base: return r.origin == .base
                case .blocked: return false
                case .written(let v, _): return r.origin == .version(v)
                case .cleared(let v): return r.origin == .cleared(v)
                }
            }
            switch read(r.location, below: index) {
            case .base: return r.origin == .base
            case .estimate: return false
            case .value(let v, _): return r.origin == .version(v)
            }
        }
    }

    /// Drops every stripe, transaction's sets and worker's arenas whose number is `share` modulo `shares`: after a
    /// completed run, the workers that are not collecting its results free the memory while one does
    /// (`BlockSTMExecutor.parallel`). No set may be read once any share was released.
    func release(share: Int, of shares: Int) {
        for i in stride(from: share, to: stripes.count, by: shares) {
            let old = stripes.withLock(i) { map -> Stripe in
                let old = map
                map = [:]
                return old
            }
            _ = old  // deallocated here, outside the lock
        }
        for i in stride(from: share, to: txSlots.count, by: shares) {
            txSlots.withLock(i) { $0 = TxSets() }
        }
        for i in stride(from: share, to: arenas.count, by: shares) { arenas[i].free() }
    }

    /// The transaction's last recorded read set (tests and diagnostics).
    func readSet(_ index: TxIndex) -> [RecordedRead] {
        Array(txSlots.withLock(index) { Published($0.reads) }.value)
    }
}

extension MemoryLocation {
    /// The per-account marker of a write set that stores into the account (`storageKeys`).
    var isStorageMarker: Bool {
        if case .storageKeys = self { return true }
        return false
    }

    /// The address of an address-level location.
    enum AddressOnly { case address(Address), none }
    var addressOnly: AddressOnly {
        switch self {
        case .account(let a), .lifecycle(let a), .storageKeys(let a): return .address(a)
        case .storage: return .none
        }
    }
}

extension Array where Element == MVMemory.Entry {
    /// Inserts keeping the order by transaction index, replacing the transaction's earlier entry.
    mutating func insertOrReplace(_ entry: Element) {
        // Writers mostly arrive in index order: search from the end.
        var i = count
        while i > 0 && self[i - 1].index > entry.index { i -= 1 }
        if i > 0 && self[i - 1].index == entry.index {
            self[i - 1] = entry
        } else {
            insert(entry, at: i)
        }
    }

    mutating func remove(index: TxIndex) {
        if let i = lastIndex(where: { $0.index == index }) { remove(at: i) }
    }

    mutating func markEstimate(index: TxIndex) {
        if let i = lastIndex(where: { $0.index == index }) { self[i].value = nil }
    }
}

/// For each bucket of location hashes, the lowest transaction index that ever wrote a location hashing
/// there: an array of atomic words, read and lowered without locks, never raised. `lowest` may answer
/// lower than any real writer of a location (another location shares its bucket, or the entry was
/// removed since), never higher than the index of a write made before (in the happens-before order).
/// The same word names the bucket's first writer (set once, by the first `register`; its writes there are kept in
/// its own sets) and says whether any other write went into the version lists (then a read looks there too).
final class LowestWriters: @unchecked Sendable {  // the words are atomics; the pointer never changes
    /// Per bucket one word: the lowest writer in bits 0-30, the bucket's first writer (`register`) in bits 32-62, and
    /// bit 63 set once some write to the bucket went into the version lists.
    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    private let count: Int
    /// What an untouched bucket holds as its lowest and first writer: above every transaction index.
    static let none = Int(Int32.max)
    private static let mask: UInt64 = 0x7FFF_FFFF
    private static let empty: UInt64 = mask << 32 | mask
    private static let listed: UInt64 = 1 << 63

    /// A bucket's word, decoded.
    struct Bucket {
        let word: UInt64
        /// The lowest index that wrote a location here (`none` when nothing did).
        var lowest: Int { Int(word & LowestWriters.mask) }
        /// The transaction whose writes here are kept in its own set, not in the version lists (`none`: nobody's).
        var first: Int { Int(word >> 32 & LowestWriters.mask) }
        /// Whether some write here went into the version lists.
        var listed: Bool { word & LowestWriters.listed != 0 }
    }

    /// At least `buckets` buckets (rounded up to a power of two, between 2^12 and 2^22).
    init(buckets: Int) {
        var count = 1 << 12
        while count < 1 << 22 && count < buckets { count <<= 1 }
        self.count = count
        words = .allocate(capacity: count)
        for i in 0..<count { (words + i).initialize(to: Atomic(Self.empty)) }
    }

    deinit {
        // No deinitialization: an `Atomic<UInt64>` holds no resources, and deinitializing the words one by one
        // (the generic `Atomic` deinit, once per word) cost more than the rest of the teardown.
        words.deallocate()
    }

    /// The bucket for a location's hash. The low bits pick the lock stripe; the bucket comes from the others.
    @inline(__always) private func bucket(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash >> 16) & UInt64(count - 1))
    }

    /// `hash`'s bucket.
    @inline(__always) func bucket(of hash: UInt64) -> Bucket {
        Bucket(word: words[bucket(hash)].load(ordering: .relaxed))
    }

    /// The lowest index that wrote a location in `hash`'s bucket (`none` when nothing did).
    @inline(__always) func lowest(_ hash: UInt64) -> Int { bucket(of: hash).lowest }

    /// Lowers `hash`'s bucket to `index` (indices fit in 31 bits: a block holds far fewer transactions); with `listing`,
    /// also marks that a write to it goes into the version lists (before it does).
    @inline(__always) func lower(_ hash: UInt64, to index: TxIndex, listing: Bool = false) {
        let word = words + bucket(hash)
        let i = UInt64(truncatingIfNeeded: index) & Self.mask
        var old = word.pointee.load(ordering: .relaxed)
        while true {
            let new = (old & ~Self.mask) | min(old & Self.mask, i) | (listing ? Self.listed : 0)
            if new == old { return }
            let (exchanged, original) = word.pointee.compareExchange(expected: old, desired: new, ordering: .relaxed)
            if exchanged { return }
            old = original
        }
    }

    /// Whether transaction `index` is (or now becomes) the first writer of `hash`'s bucket: the first to write there,
    /// its writes to the bucket kept in its own set (`MVMemory.TxSets.kept`); the bucket is lowered to it either way.
    /// Nobody else is ever its first writer.
    @inline(__always) func register(_ hash: UInt64, _ index: TxIndex) -> Bool {
        let word = words + bucket(hash)
        let i = UInt64(truncatingIfNeeded: index) & Self.mask
        var old = word.pointee.load(ordering: .relaxed)
        while true {
            let first = old >> 32 & Self.mask
            if first == i && old & Self.mask <= i { return true }
            let takes = first == Self.mask
            let new = takes ? (old & Self.listed) | i << 32 | min(old & Self.mask, i)
                : (old & ~Self.mask) | min(old & Self.mask, i)
            if new == old { return false }
            let (exchanged, original) = word.pointee.compareExchange(expected: old, desired: new, ordering: .relaxed)
            if exchanged { return takes }
            old = original
        }
    }

    /// Whether `register` would make transaction `index` the first writer of `hash`'s bucket now.
    @inline(__always) func mayRegister(_ hash: UInt64, _ index: TxIndex) -> Bool {
        let first = bucket(of: hash).first
        return first == LowestWriters.none || first == index
    }
}
