import EVMPrimitives
import EVMState

/// A block access list arranged for lookups while transactions run: per account its changes by field and
/// its slots, each with the value as of any block access index; per index the changes made there, for
/// the check against execution. Read-only once built, so workers share it without locks.
///
/// Everything a transaction looks up lives in flat buffers of plain values (accounts, slots, change steps)
/// found through two open-addressing tables, so a lookup touches no reference count: every transaction of
/// a block reads the same hot entries (a token contract, the counter's slot), and retaining a shared object
/// on each of them would bounce its cache line between the threads.
final class IndexedAccessList: @unchecked Sendable {  // immutable after init; the buffers are freed in deinit
    /// A value from a block access index on.
    struct Step<V> {
        var index: Int
        var value: V
    }

    /// One listed account: its number among the listed locations, and where its changes and slots are.
    struct Account {
        var address: Address
        var id: Int
        var balance: Range<Int>   // in `wordSteps`
        var nonce: Range<Int>     // in `nonceSteps`
        var code: Range<Int>      // in `codeSteps`
        var slots: Range<Int>     // in `slots`
        /// True when no field of the account changes in the block.
        var fieldsUnchanged: Bool { balance.isEmpty && nonce.isEmpty && code.isEmpty }
    }

    /// One listed slot: its number among the listed locations and its changes (none for a read-only slot).
    struct Slot {
        var key: UInt256
        var account: Int
        var id: Int
        var changes: Range<Int>   // in `wordSteps`
    }

    private let accountBuffer: UnsafeMutableBufferPointer<Account>
    private let slotBuffer: UnsafeMutableBufferPointer<Slot>
    private let wordSteps: UnsafeMutableBufferPointer<Step<UInt256>>
    private let nonceSteps: UnsafeMutableBufferPointer<Step<UInt64>>
    private let codeSteps: [Step<Code>]
    /// Open-addressing tables of indices into `accountBuffer` / `slotBuffer` (-1: empty), power-of-two sizes.
    private let accountTable: UnsafeMutableBufferPointer<Int32>
    private let slotTable: UnsafeMutableBufferPointer<Int32>
    /// Per block access index, how many changes the list has there.
    private let changeCounts: UnsafeMutableBufferPointer<Int>

    /// Listed accounts and slots, numbered from 0 (accounts and slots share the numbering).
    let locationCount: Int
    /// Locations that some step must read: slots listed as reads, and accounts listed without changes.
    let mustBeRead: [(id: Int, entry: BALEntry)]
    /// The change entries of each block access index (0...n+1), sorted as `BALEntry` sorts.
    let changes: [[BALEntry]]

    init(_ list: BlockAccessList, transactions: Int) {
        var accounts: [Account] = [], slots: [Slot] = []
        var words: [Step<UInt256>] = [], nonces: [Step<UInt64>] = [], codes: [Step<Code>] = []
        accounts.reserveCapacity(list.accounts.count)
        var slotCount = 0
        for a in list.accounts { slotCount += a.storageChanges.count + a.storageReads.count }
        slots.reserveCapacity(slotCount)
        let accountTable = IndexedAccessList.table(for: list.accounts.count)
        let slotTable = IndexedAccessList.table(for: slotCount)
        var nextID = list.accounts.count
        var mustBeRead: [(id: Int, entry: BALEntry)] = []
        for (k, a) in list.accounts.enumerated() {
            let balanceStart = words.count
            for c in a.balanceChanges { words.append(Step(index: c.index, value: c.value)) }
            let nonceStart = nonces.count
            for c in a.nonceChanges { nonces.append(Step(index: c.index, value: c.value)) }
            let codeStart = codes.count
            for c in a.codeChanges { codes.append(Step(index: c.index, value: Code(c.value))) }
            let slotStart = slots.count
            var account = Account(address: a.address, id: k, balance: balanceStart..<words.count, nonce: nonceStart..<nonces.count,
                                  code: codeStart..<codes.count, slots: slotStart..<slotStart)
            // A slot listed twice keeps its last listing (as a dictionary would), under a new number.
            func add(_ key: UInt256, _ changes: Range<Int>) {
                let slot = Slot(key: key, account: k, id: nextID, changes: changes)
                nextID += 1
                let existing = IndexedAccessList.find(slotTable, hash: IndexedAccessList.hash(k, key)) { slots[$0].account == k && slots[$0].key == key }
                if existing >= 0 {
                    slots[existing] = slot
                } else {
                    IndexedAccessList.insert(slotTable, hash: IndexedAccessList.hash(k, key), slots.count)
                    slots.append(slot)
                }
            }
            for s in a.storageChanges {
                let start = words.count
                for c in s.changes { words.append(Step(index: c.index, value: c.value)) }
                add(s.slot, start..<words.count)
            }
            for key in a.storageReads
            where IndexedAccessList.find(slotTable, hash: IndexedAccessList.hash(k, key), { slots[$0].account == k && slots[$0].key == key }) < 0 {
                add(key, words.count..<words.count)
            }
            account.slots = slotStart..<slots.count
            // An address listed twice: the later listing is the one looked up.
            let existing = IndexedAccessList.find(accountTable, hash: IndexedAccessList.hash(a.address)) { accounts[$0].address == a.address }
            if existing >= 0 { accountTable[IndexedAccessList.slotOf(accountTable, hash: IndexedAccessList.hash(a.address)) { accounts[$0].address == a.address }] = Int32(k) }
            else { IndexedAccessList.insert(accountTable, hash: IndexedAccessList.hash(a.address), k) }
            accounts.append(account)
            if account.fieldsUnchanged && a.storageChanges.isEmpty { mustBeRead.append((k, .account(a.address))) }
            for key in a.storageReads {
                let s = IndexedAccessList.find(slotTable, hash: IndexedAccessList.hash(k, key)) { slots[$0].account == k && slots[$0].key == key }
                if s >= 0 && slots[s].changes.isEmpty { mustBeRead.append((slots[s].id, .storageRead(a.address, key))) }
            }
        }
        accountBuffer = .allocate(capacity: accounts.count)
        _ = accountBuffer.initialize(from: accounts)
        slotBuffer = .allocate(capacity: slots.count)
        _ = slotBuffer.initialize(from: slots)
        wordSteps = .allocate(capacity: words.count)
        _ = wordSteps.initialize(from: words)
        nonceSteps = .allocate(capacity: nonces.count)
        _ = nonceSteps.initialize(from: nonces)
        codeSteps = codes
        self.accountTable = accountTable
        self.slotTable = slotTable
        locationCount = nextID
        self.mustBeRead = mustBeRead
        changes = list.changesByIndex(count: transactions + 2)
        changeCounts = .allocate(capacity: changes.count)
        for (i, c) in changes.enumerated() { (changeCounts.baseAddress! + i).initialize(to: c.count) }
    }

    deinit {
        for buffer in [accountTable, slotTable] { buffer.deallocate() }
        accountBuffer.deinitialize().deallocate()
        slotBuffer.deinitialize().deallocate()
        wordSteps.deinitialize().deallocate()
        nonceSteps.deinitialize().deallocate()
        changeCounts.deinitialize().deallocate()
    }

    // MARK: the tables

    private static func table(for count: Int) -> UnsafeMutableBufferPointer<Int32> {
        var size = 8
        while size < 2 * count { size <<= 1 }
        let t = UnsafeMutableBufferPointer<Int32>.allocate(capacity: size)
        t.initialize(repeating: -1)
        return t
    }

    @inline(__always) static func hash(_ a: Address) -> UInt64 { a.tableHash }

    @inline(__always) static func hash(_ account: Int, _ key: UInt256) -> UInt64 {
        SplitMix64.mix(UInt64(truncatingIfNeeded: account) &* 0xC2B2_AE3D_27D4_EB4F ^ key.w0 ^ key.w1.rotated(17)
            ^ key.w2.rotated(31) ^ key.w3.rotated(47))
    }

    /// The table position holding an entry for which `matches` holds, or of the empty position where the
    /// probe ended.
    @inline(__always)
    private static func slotOf(_ table: UnsafeMutableBufferPointer<Int32>, hash: UInt64, _ matches: (Int) -> Bool) -> Int {
        LinearProbe.position(hash, mask: table.count - 1) { let e = Int(table[$0]); return e < 0 || matches(e) }
    }

    /// The entry for which `matches` holds, -1 when none.
    @inline(__always)
    private static func find(_ table: UnsafeMutableBufferPointer<Int32>, hash: UInt64, _ matches: (Int) -> Bool) -> Int {
        Int(table[slotOf(table, hash: hash, matches)])
    }

    private static func insert(_ table: UnsafeMutableBufferPointer<Int32>, hash: UInt64, _ entry: Int) {
        table[slotOf(table, hash: hash) { _ in false }] = Int32(entry)
    }

    // MARK: lookups (no reference counting)

    /// The listed account at `address`, nil when the list does not name it.
    @inline(__always) func account(_ address: Address) -> Account? {
        let accounts = accountBuffer
        let e = Self.find(accountTable, hash: Self.hash(address)) { accounts[$0].address == address }
        return e < 0 ? nil : accounts[e]
    }

    /// The listed slot `key` of `account`, nil when the list does not name it.
    @inline(__always) func slot(_ account: Account, _ key: UInt256) -> Slot? {
        if account.slots.isEmpty { return nil }
        let slots = slotBuffer, k = account.id
        let e = Self.find(slotTable, hash: Self.hash(k, key)) { slots[$0].account == k && slots[$0].key == key }
        return e < 0 ? nil : slots[e]
    }

    /// The listed slots of `account`.
    func slots(of account: Account) -> UnsafeMutableBufferPointer<Slot> {
        UnsafeMutableBufferPointer(rebasing: slotBuffer[account.slots])
    }

    /// How many changes the list has at block access index `index`.
    @inline(__always) func changeCount(at index: Int) -> Int { changeCounts[index] }

    /// The account as of just before block access index `index`, over `base` (nil when absent).
    func info(_ e: Account, before index: Int, base: AccountInfo?) -> AccountInfo? {
        if e.fieldsUnchanged { return base }
        var info = base ?? AccountInfo()
        var changed = false
        if let b = Self.last(wordSteps, e.balance, before: index) { info.balance = b; changed = true }
        if let n = Self.last(nonceSteps, e.nonce, before: index) { info.nonce = n; changed = true }
        if !e.code.isEmpty, let c = codeSteps.withUnsafeBufferPointer({ Self.last($0, e.code, before: index) }) {
            info.code = c
            changed = true
        }
        guard changed else { return base }
        // A touched account left empty does not exist (EIP-161).
        return info.isEmpty ? nil : info
    }

    /// The balance, nonce and code hash the list gives `e` at exactly block access index `index`.
    @inline(__always) func balance(_ e: Account, at index: Int) -> UInt256? { Self.change(wordSteps, e.balance, at: index) }
    @inline(__always) func nonce(_ e: Account, at index: Int) -> UInt64? { Self.change(nonceSteps, e.nonce, at: index) }
    func codeHash(_ e: Account, at index: Int) -> Hash32? {
        if e.code.isEmpty { return nil }
        return codeSteps.withUnsafeBufferPointer { Self.change($0, e.code, at: index)?.hash }
    }

    /// The slot's value from the last change before `index` (nil when none).
    @inline(__always) func value(_ s: Slot, before index: Int) -> UInt256? { Self.last(wordSteps, s.changes, before: index) }

    /// Both: the slot's value from the last change before `index` and that of the change at `index`.
    @inline(__always) func values(_ s: Slot, around index: Int) -> (before: UInt256?, at: UInt256?) {
        Self.around(wordSteps, s.changes, index)
    }

    /// The same for the account's balance and nonce (one search each): the value from the last change before `index`
    /// (nil when none: then the base state's) and that of the change at `index`.
    @inline(__always) func balances(_ e: Account, around index: Int) -> (before: UInt256?, at: UInt256?) {
        Self.around(wordSteps, e.balance, index)
    }
    @inline(__always) func nonces(_ e: Account, around index: Int) -> (before: UInt64?, at: UInt64?) {
        Self.around(nonceSteps, e.nonce, index)
    }

    /// The account's code from the last change before `index`, nil when none.
    func code(_ e: Account, before index: Int) -> Code? {
        if e.code.isEmpty { return nil }
        return codeSteps.withUnsafeBufferPointer { Self.last($0, e.code, before: index) }
    }

    /// The accounts of commit shard `t` of `shards` (`ParallelFinalization.shardOf`) as the list leaves them after
    /// the last of `n` transactions: each account with a change at a transaction's index (1...n), with its fields
    /// and slots at their last such change, over `base`. Equal to replaying the transactions' checked changes in
    /// order wherever no transaction deleted an account, cleared a storage or left an account empty (which the
    /// list's layout cannot say; `BALExecutor` replays those blocks).
    func committedShard(_ t: Int, of shards: Int, transactions n: Int, base: InMemoryState) -> ParallelFinalization.Shard {
        var shard = ParallelFinalization.Shard()
        for e in accountBuffer where ParallelFinalization.shardOf(e.address, shards) == t {
            // An address listed twice counts once, as its last listing (the one lookups find).
            guard let found = account(e.address), found.id == e.id else { continue }
            let stored = base.accounts[e.address]
            var info = stored?.info ?? AccountInfo(), changed = false
            if let b = Self.lastOfTransactions(wordSteps, e.balance, n) { info.balance = b; changed = true }
            if let v = Self.lastOfTransactions(nonceSteps, e.nonce, n) { info.nonce = v; changed = true }
            if !e.code.isEmpty, let c = codeSteps.withUnsafeBufferPointer({ Self.lastOfTransactions($0, e.code, n) }) {
                info.code = c
                changed = true
            }
            var storage = stored?.storage ?? [:]
            for s in slots(of: e) {
                guard let v = Self.lastOfTransactions(wordSteps, s.changes, n) else { continue }
                storage[s.key] = v.isZero ? nil : v
                changed = true
            }
            if changed { shard.accounts[e.address] = EVMState.Account(info: info, storage: storage) }
        }
        return shard
    }

    /// The value of the last change at a transaction's index (1...n), nil when none.
    @inline(__always)
    static func lastOfTransactions<B: RandomAccessCollection<Step<V>>, V>(_ steps: B, _ range: Range<Int>, _ n: Int) -> V?
    where B.Index == Int {
        let p = position(steps, range, n + 1)
        return p > range.lowerBound && steps[p - 1].index >= 1 ? steps[p - 1].value : nil
    }

    @inline(__always)
    static func around<B: RandomAccessCollection<Step<V>>, V>(_ steps: B, _ range: Range<Int>, _ index: Int) -> (before: V?, at: V?)
    where B.Index == Int {
        let p = position(steps, range, index)
        return (p == range.lowerBound ? nil : steps[p - 1].value,
                p < range.upperBound && steps[p].index == index ? steps[p].value : nil)
    }

    @inline(__always)
    static func last<B: RandomAccessCollection<Step<V>>, V>(_ steps: B, _ range: Range<Int>, before index: Int) -> V?
    where B.Index == Int {
        let p = position(steps, range, index)
        return p == range.lowerBound ? nil : steps[p - 1].value
    }

    @inline(__always)
    static func change<B: RandomAccessCollection<Step<V>>, V>(_ steps: B, _ range: Range<Int>, at index: Int) -> V?
    where B.Index == Int {
        let p = position(steps, range, index)
        return p < range.upperBound && steps[p].index == index ? steps[p].value : nil
    }

    /// The first position in `range` whose change has an index of at least `index` (changes are sorted by
    /// index), by binary search.
    @inline(__always)
    static func position<B: RandomAccessCollection<Step<V>>, V>(_ steps: B, _ range: Range<Int>, _ index: Int) -> Int
    where B.Index == Int {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) >> 1
            if steps[mid].index < index { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// The state transaction `i` reads in the BAL executor: the block's base state with every listed change
/// of a lower block access index applied. Reads of locations the list does not name are answered from
/// the base state and show up in the check after execution. `list` is unowned: whoever makes a view keeps
/// the list alive for as long as the view is used (the executor's run, a test), so that making one costs
/// no reference count on the list every transaction shares.
struct BALView: StateReader {
    let index: Int
    unowned(unsafe) let list: IndexedAccessList
    let base: InMemoryState

    init(index: Int, list: IndexedAccessList, base: InMemoryState) {
        self.index = index; self.list = list; self.base = base
    }

    func account(_ address: Address) -> AccountInfo? {
        let b = base.account(address)
        guard let e = list.account(address) else { return b }
        return list.info(e, before: index, base: b)
    }

    func storage(_ address: Address, key: UInt256) -> UInt256 {
        if let e = list.account(address), let s = list.slot(e, key), let v = list.value(s, before: index) { return v }
        return base.storage(address, key: key)
    }

    func hasStorage(_ address: Address) -> Bool {
        guard let e = list.account(address) else { return base.hasStorage(address) }
        for slot in list.slots(of: e) {
            if let v = list.value(slot, before: index) {
                if !v.isZero { return true }
            } else if !base.storage(address, key: slot.key).isZero { return true }
        }
        guard let stored = base.accounts[address]?.storage else { return false }
        for (key, value) in stored where !value.isZero && list.slot(e, key) == nil { return true }
        return false
    }
}
