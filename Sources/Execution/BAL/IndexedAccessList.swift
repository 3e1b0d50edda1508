import EVMPrimitives
import EVMState

/// A block access list arranged for lookups while transactions run: per account its changes by field and
/// its slots, each with the value as of any block access index; per index the changes made there, for
/// the check against execution. Read-only once built, so workers share it without locks.
final class IndexedAccessList: Sendable {
    /// One listed slot: its changes (empty for a read-only slot) and its number among the listed
    /// locations (for the block-wide check that every listed read was read).
    struct Slot: Sendable {
        var id: Int
        var changes: [Step<UInt256>]
    }

    /// A value from a block access index on.
    struct Step<V: Sendable>: Sendable {
        var index: Int
        var value: V
    }

    final class AccountEntry: Sendable {
        let id: Int
        let balance: [Step<UInt256>]
        let nonce: [Step<UInt64>]
        let code: [Step<Code>]
        let slots: [UInt256: Slot]
        /// True when no field of the account changes in the block.
        let fieldsUnchanged: Bool

        init(id: Int, access: BlockAccessList.AccountAccess, nextID: inout Int) {
            self.id = id
            balance = access.balanceChanges.map { Step(index: $0.index, value: $0.value) }
            nonce = access.nonceChanges.map { Step(index: $0.index, value: $0.value) }
            code = access.codeChanges.map { Step(index: $0.index, value: Code($0.value)) }
            var slots: [UInt256: Slot] = [:]
            slots.reserveCapacity(access.storageChanges.count + access.storageReads.count)
            for s in access.storageChanges {
                slots[s.slot] = Slot(id: nextID, changes: s.changes.map { Step(index: $0.index, value: $0.value) })
                nextID += 1
            }
            for k in access.storageReads where slots[k] == nil {
                slots[k] = Slot(id: nextID, changes: [])
                nextID += 1
            }
            self.slots = slots
            fieldsUnchanged = balance.isEmpty && nonce.isEmpty && code.isEmpty
        }

        /// The account as of just before block access index `index`, over `base` (nil when absent).
        func info(before index: Int, base: AccountInfo?) -> AccountInfo? {
            if fieldsUnchanged { return base }
            var info = base ?? AccountInfo()
            var changed = false
            if let b = IndexedAccessList.last(balance, before: index) { info.balance = b; changed = true }
            if let n = IndexedAccessList.last(nonce, before: index) { info.nonce = n; changed = true }
            if let c = IndexedAccessList.last(code, before: index) { info.code = c; changed = true }
            guard changed else { return base }
            // A touched account left empty does not exist (EIP-161).
            return info.isEmpty ? nil : info
        }
    }

    let accounts: [Address: AccountEntry]
    /// Listed accounts and slots, numbered from 0 (accounts and slots share the numbering).
    let locationCount: Int
    /// Locations that some step must read: slots listed as reads, and accounts listed without changes.
    let mustBeRead: [(id: Int, entry: BALEntry)]
    /// The change entries of each block access index (0...n+1), sorted as `BALEntry` sorts.
    let changes: [[BALEntry]]

    init(_ list: BlockAccessList, transactions: Int) {
        var accounts: [Address: AccountEntry] = [:]
        accounts.reserveCapacity(list.accounts.count)
        var nextID = list.accounts.count
        var mustBeRead: [(id: Int, entry: BALEntry)] = []
        for (k, a) in list.accounts.enumerated() {
            let entry = AccountEntry(id: k, access: a, nextID: &nextID)
            accounts[a.address] = entry
            if entry.fieldsUnchanged && a.storageChanges.isEmpty { mustBeRead.append((k, .account(a.address))) }
            for s in a.storageReads { if let slot = entry.slots[s], slot.changes.isEmpty { mustBeRead.append((slot.id, .storageRead(a.address, s))) } }
        }
        self.accounts = accounts
        locationCount = nextID
        self.mustBeRead = mustBeRead
        changes = list.changesByIndex(count: transactions + 2)
    }

    /// The value of the last change before `index`, by binary search (changes are sorted by index).
    @inline(__always)
    static func last<V>(_ changes: [Step<V>], before index: Int) -> V? {
        let p = position(changes, index)
        return p == 0 ? nil : changes[p - 1].value
    }

    /// The value of the change at exactly `index`, if there is one.
    @inline(__always)
    static func change<V>(_ changes: [Step<V>], at index: Int) -> V? {
        let p = position(changes, index)
        return p < changes.count && changes[p].index == index ? changes[p].value : nil
    }

    /// Both: the value of the last change before `index` and that of the change at `index`, by one search.
    @inline(__always)
    static func changes<V>(_ changes: [Step<V>], around index: Int) -> (before: V?, at: V?) {
        let p = position(changes, index)
        return (p == 0 ? nil : changes[p - 1].value,
                p < changes.count && changes[p].index == index ? changes[p].value : nil)
    }

    /// The first position whose change has an index of at least `index`.
    @inline(__always)
    static func position<V>(_ changes: [Step<V>], _ index: Int) -> Int {
        var lo = 0, hi = changes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if changes[mid].index < index { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// The state transaction `i` reads in the BAL executor: the block's base state with every listed change
/// of a lower block access index applied. Reads of locations the list does not name are answered from
/// the base state and show up in the check after execution.
struct BALView: StateReader {
    let index: Int
    let list: IndexedAccessList
    let base: InMemoryState

    func account(_ address: Address) -> AccountInfo? {
        let b = base.account(address)
        guard let e = list.accounts[address] else { return b }
        return e.info(before: index, base: b)
    }

    func storage(_ address: Address, key: UInt256) -> UInt256 {
        if let slot = list.accounts[address]?.slots[key],
           let v = IndexedAccessList.last(slot.changes, before: index) { return v }
        return base.storage(address, key: key)
    }

    func hasStorage(_ address: Address) -> Bool {
        guard let e = list.accounts[address] else { return base.hasStorage(address) }
        for (key, slot) in e.slots {
            if let v = IndexedAccessList.last(slot.changes, before: index) {
                if !v.isZero { return true }
            } else if !base.storage(address, key: key).isZero { return true }
        }
        guard let stored = base.accounts[address]?.storage else { return false }
        for (key, value) in stored where !value.isZero && e.slots[key] == nil { return true }
        return false
    }
}
