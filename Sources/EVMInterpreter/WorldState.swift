import EVMPrimitives
import EVMState
import Precompiles

/// A storage location: account and slot.
@frozen public struct SlotKey: Hashable, Sendable {
    public var address: Address
    public var key: UInt256
    @inlinable public init(_ address: Address, _ key: UInt256) { self.address = address; self.key = key }

    /// Without SipHash, as for its fields (see `UInt256.foldedHash`).
    @inlinable public func _rawHashValue(seed: Int) -> Int {
        Int(truncatingIfNeeded: key.foldedHash(seed: address.foldedHash(seed: UInt64(truncatingIfNeeded: seed))))
    }
}

/// One log record emitted by LOG0..LOG4.
public struct Log: Sendable, Equatable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]
    public init(address: Address, topics: [Hash32], data: [UInt8]) {
        self.address = address; self.topics = topics; self.data = data
    }
}

/// The state one transaction sees and changes: a journaled overlay over a read-only `StateReader`.
///
/// Every change pushes an undo entry carrying exactly the old value; a call frame takes a checkpoint
/// (the journal length) and reverts to it on failure. At the end of the transaction `changes()`
/// yields the write set, without touching the reader.
///
/// Not generic over the reader: the reader is called only on a first read of an account or slot, so an
/// existential costs little there, while a generic class would leave the interpreter that drives it
/// unspecialised (metadata look-ups and witness calls on every access) in every module but its own.
public final class WorldState {
    public let reader: any StateReader
    /// True once the reader reported `isAborted` (a parallel executor's read could not be answered): the
    /// interpreter stops at its next instruction. Copied from the reader after each of its reads, so the
    /// interpreter tests a stored flag, not a protocol requirement, per instruction.
    public var isAborted: Bool { aborted }
    @usableFromInline var aborted = false

    /// Current account fields, loaded on first use. `.some(nil)` caches "does not exist".
    @usableFromInline var accounts: [Address: AccountInfo?] = [:]
    /// Account fields as first read from `reader` (to tell real changes from touched-only accounts).
    @usableFromInline var originalAccounts: [Address: AccountInfo?] = [:]
    /// Slots written in this transaction (current values).
    @usableFromInline var dirtyStorage: [SlotKey: UInt256] = [:]
    /// Slot values at the start of the transaction (EIP-2200 "original value"), cached reads.
    @usableFromInline var originalStorage: [SlotKey: UInt256] = [:]
    /// EIP-1153 transient storage.
    @usableFromInline var transient: [SlotKey: UInt256] = [:]
    /// EIP-2929 access sets.
    public private(set) var accessedAddresses: Set<Address> = []
    public private(set) var accessedSlots: Set<SlotKey> = []
    /// Accounts created in this transaction (EIP-6780).
    public private(set) var created: Set<Address> = []
    /// Accounts that SELFDESTRUCT scheduled for deletion at the end of the transaction (EIP-6780: only those created in it).
    public private(set) var destructed: Set<Address> = []
    /// Accounts touched in the EIP-161 sense: deleted at the end of the transaction when empty.
    public private(set) var touched: Set<Address> = []
    public private(set) var logs: [Log] = []
    /// Gas refund counter (EIP-3529); may go negative inside a call frame.
    public private(set) var refund: Int64 = 0

    @usableFromInline enum Entry {
        case account(Address, AccountInfo?)
        case storage(SlotKey, UInt256?)
        case transient(SlotKey, UInt256?)
        case accessedAddress(Address)
        case accessedSlot(SlotKey)
        case created(Address)
        case destructed(Address)
        case touched(Address)
        case refund(Int64)
        case log
    }

    @usableFromInline var journal: [Entry] = []

    /// RIPEMD-160's address: a touch of it survives a revert (mainnet block 2675119; kept by every client).
    static var ripemd: Address { Address(a: 0, b: 0, c: 3) }

    public init(reader: any StateReader) {
        self.reader = reader
        journal.reserveCapacity(256)
    }

    // MARK: checkpoints

    public typealias Checkpoint = Int

    @inlinable public func checkpoint() -> Checkpoint { journal.count }

    public func revert(to checkpoint: Checkpoint) {
        while journal.count > checkpoint {
            switch journal.removeLast() {
            case .account(let a, let old): accounts[a] = .some(old)
            case .storage(let k, let old): dirtyStorage[k] = old
            case .transient(let k, let old): transient[k] = old
            case .accessedAddress(let a): accessedAddresses.remove(a)
            case .accessedSlot(let k): accessedSlots.remove(k)
            case .created(let a): created.remove(a)
            case .destructed(let a): destructed.remove(a)
            case .touched(let a): if a != Self.ripemd { touched.remove(a) }
            case .refund(let old): refund = old
            case .log: logs.removeLast()
            }
        }
    }

    // MARK: accounts

    /// The account's current fields, or nil when it does not exist.
    @inlinable public func account(_ address: Address) -> AccountInfo? {
        if let cached = accounts[address] { return cached }
        let loaded = reader.account(address)
        if reader.isAborted { aborted = true }
        accounts[address] = .some(loaded)
        originalAccounts[address] = .some(loaded)
        return loaded
    }

    @inlinable public func exists(_ address: Address) -> Bool { account(address) != nil }

    /// EIP-161 "alive": exists and not empty.
    @inlinable public func isAlive(_ address: Address) -> Bool {
        guard let a = account(address) else { return false }
        return !a.isEmpty
    }

    @inlinable public func balance(_ address: Address) -> UInt256 { account(address)?.balance ?? .zero }
    @inlinable public func nonce(_ address: Address) -> UInt64 { account(address)?.nonce ?? 0 }
    @inlinable public func code(_ address: Address) -> Code { account(address)?.storedCode ?? .empty }

    /// Replaces the account's fields (creating it when absent), journaled, and touches it.
    public func setAccount(_ address: Address, _ info: AccountInfo?) {
        let old = account(address)
        journal.append(.account(address, old))
        accounts[address] = .some(info)
        touch(address)
    }

    @inlinable func modify(_ address: Address, _ body: (inout AccountInfo) -> Void) {
        var info = account(address) ?? AccountInfo()
        body(&info)
        setAccount(address, info)
    }

    public func setBalance(_ address: Address, _ value: UInt256) { modify(address) { $0.balance = value } }
    public func setNonce(_ address: Address, _ value: UInt64) { modify(address) { $0.nonce = value } }
    public func setCode(_ address: Address, _ code: Code) { modify(address) { $0.code = code } }

    /// Adds to a balance; a zero amount still touches (and so may create then delete) the account, as EIP-161 requires.
    public func addBalance(_ address: Address, _ amount: UInt256) {
        if amount.isZero {
            // A zero credit creates nothing by itself but marks the account touched.
            if account(address) != nil { touch(address) } else { setAccount(address, AccountInfo()) }
            return
        }
        modify(address) { $0.balance = $0.balance &+ amount }
    }

    /// Subtracts from a balance; the caller has checked that it suffices.
    public func subBalance(_ address: Address, _ amount: UInt256) {
        if amount.isZero { if account(address) != nil { touch(address) }; return }
        modify(address) { $0.balance = $0.balance &- amount }
    }

    public func touch(_ address: Address) {
        if touched.insert(address).inserted { journal.append(.touched(address)) }
    }

    /// Marks an account created by this transaction (EIP-6780).
    public func markCreated(_ address: Address) {
        if created.insert(address).inserted { journal.append(.created(address)) }
    }

    public func markDestructed(_ address: Address) {
        if destructed.insert(address).inserted { journal.append(.destructed(address)) }
    }

    // MARK: storage

    /// The slot's value at the start of the transaction.
    @inlinable public func originalStorage(_ address: Address, _ key: UInt256) -> UInt256 {
        let k = SlotKey(address, key)
        if let v = originalStorage[k] { return v }
        let v = reader.storage(address, key: key)
        if reader.isAborted { aborted = true }
        originalStorage[k] = v
        return v
    }

    @inlinable public func storage(_ address: Address, _ key: UInt256) -> UInt256 {
        if let v = dirtyStorage[SlotKey(address, key)] { return v }
        return originalStorage(address, key)
    }

    public func setStorage(_ address: Address, _ key: UInt256, _ value: UInt256) {
        let k = SlotKey(address, key)
        journal.append(.storage(k, dirtyStorage[k]))
        dirtyStorage[k] = value
    }

    /// EIP-7610: an account with storage counts as occupied for CREATE/CREATE2.
    public func hasStorage(_ address: Address) -> Bool {
        for (k, v) in dirtyStorage where k.address == address && !v.isZero { return true }
        let has = reader.hasStorage(address)
        if reader.isAborted { aborted = true }
        return has
    }

    @inlinable public func transientStorage(_ address: Address, _ key: UInt256) -> UInt256 {
        transient[SlotKey(address, key)] ?? .zero
    }

    public func setTransientStorage(_ address: Address, _ key: UInt256, _ value: UInt256) {
        let k = SlotKey(address, key)
        journal.append(.transient(k, transient[k]))
        transient[k] = value
    }

    // MARK: access sets (EIP-2929)

    /// The fork whose precompiles count as warm (EIP-2929: every transaction starts with them warm); tested by
    /// address instead of inserting a dozen addresses into `accessedAddresses` per transaction.
    public private(set) var warmPrecompiles: Fork?

    /// Makes the precompiles of `fork` warm for the rest of the transaction.
    public func warmPrecompiles(of fork: Fork) { warmPrecompiles = fork }

    @inlinable func isWarmPrecompile(_ address: Address) -> Bool {
        guard address.a == 0, address.b == 0, let fork = warmPrecompiles else { return false }
        return Precompiles.isPrecompile(address, fork: fork)
    }

    /// Marks the address warm; returns true when it was cold.
    @discardableResult
    public func accessAddress(_ address: Address) -> Bool {
        if isWarmPrecompile(address) { return false }
        if accessedAddresses.insert(address).inserted {
            journal.append(.accessedAddress(address))
            return true
        }
        return false
    }

    @inlinable public func isWarm(_ address: Address) -> Bool { isWarmPrecompile(address) || accessedAddresses.contains(address) }

    /// Marks the slot warm; returns true when it was cold.
    @discardableResult
    public func accessSlot(_ address: Address, _ key: UInt256) -> Bool {
        let k = SlotKey(address, key)
        if accessedSlots.insert(k).inserted {
            journal.append(.accessedSlot(k))
            return true
        }
        return false
    }

    // MARK: logs and refunds

    public func addLog(_ log: Log) {
        logs.append(log)
        journal.append(.log)
    }

    public func addRefund(_ delta: Int64) {
        journal.append(.refund(refund))
        refund += delta
    }

    // MARK: end of transaction

    /// SELFDESTRUCT deletions (EIP-6780: only accounts created in the transaction), then, from EIP-161 on
    /// (`touchedEmpty`), deletion of touched accounts that are empty.
    public func finalizeDeletions(touchedEmpty: Bool = true) {
        for address in destructed.sorted() {
            accounts[address] = .some(nil)
        }
        guard touchedEmpty else { return }
        for address in touched.sorted() {
            if let info = account(address), info.isEmpty {
                accounts[address] = .some(nil)
            }
        }
    }

    /// Every account the transaction read (by address), for dependency analysis.
    public var readAddresses: Dictionary<Address, AccountInfo?>.Keys { originalAccounts.keys }
    /// Every storage slot the transaction read from the pre-state.
    public var readSlots: Dictionary<SlotKey, UInt256>.Keys { originalStorage.keys }

    /// The transaction's write set: accounts whose fields or existence changed, and slot writes that
    /// differ from the original values. Deleted accounts carry `info == nil` and clear their storage.
    public func changes() -> StateChanges {
        var out: [Address: AccountChange] = [:]
        for (address, current) in accounts {
            let original = originalAccounts[address] ?? nil
            if current != original {
                out[address] = AccountChange(info: current, storageCleared: current == nil)
            }
        }
        for (k, v) in dirtyStorage {
            guard v != (originalStorage[k] ?? reader.storage(k.address, key: k.key)) else { continue }
            if let current = accounts[k.address], current == nil { continue }  // deleted: storage goes with it
            if out[k.address] == nil {
                out[k.address] = AccountChange(info: accounts[k.address] ?? reader.account(k.address), infoChanged: false)
            }
            out[k.address]?.storage[k.key] = v
        }
        return StateChanges(accounts: out)
    }
}
