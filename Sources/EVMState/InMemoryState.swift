import EVMPrimitives
import Keccak
import RLP
import MerkleTrie

/// A complete state held in memory: the pre-state of a vector, and what serial execution commits to.
public struct InMemoryState: StateReader, Sendable, Equatable {
    public var accounts: [Address: Account]

    public init(accounts: [Address: Account] = [:]) { self.accounts = accounts }

    public func account(_ address: Address) -> AccountInfo? { accounts[address]?.info }

    public func storage(_ address: Address, key: UInt256) -> UInt256 {
        accounts[address]?.storage[key] ?? .zero
    }

    public func hasStorage(_ address: Address) -> Bool {
        !(accounts[address]?.storage.isEmpty ?? true)
    }

    /// Applies a transaction's write set. Each account is changed where it lies in the dictionary:
    /// copying it out and back would copy its whole storage (copy-on-write with two owners), which for
    /// a busy contract costs more than the transaction.
    public mutating func apply(_ changes: StateChanges) {
        for (address, change) in changes.accounts {
            guard let info = change.info else {
                accounts[address] = nil
                continue
            }
            accounts[address, default: Account()].apply(info: info, change: change)
        }
    }

    /// The storage root of one account: the secure trie of keccak(slot) -> rlp(value).
    public static func storageRoot(_ storage: [UInt256: UInt256]) -> Hash32 {
        if storage.isEmpty { return MerkleTrie.emptyRoot }
        return MerkleTrie.root(of: storageLeaves(storage))
    }

    /// The leaves of an account's storage trie: (keccak(slot), rlp(value)) for each non-zero slot.
    public static func storageLeaves(_ storage: some Collection<(key: UInt256, value: UInt256)>) -> [(key: [UInt8], value: [UInt8])] {
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(storage.count)
        for (k, v) in storage where !v.isZero {
            var w = RLPWriter(capacity: 33)
            w.appendUInt256(v)
            pairs.append((Keccak256.hash(k).bytes, w.bytes))
        }
        return pairs
    }

    /// An account's leaf in the state trie: (keccak(address), rlp([nonce, balance, storageRoot, codeHash])).
    public static func accountLeaf(_ address: Address, _ info: AccountInfo, storageRoot: Hash32) -> (key: [UInt8], value: [UInt8]) {
        var w = RLPWriter(capacity: 112)
        w.appendList { w in
            w.appendUInt(info.nonce)
            w.appendUInt256(info.balance)
            w.appendHash(storageRoot)
            w.appendHash(info.codeHash)
        }
        return (Keccak256.hash(address).bytes, w.bytes)
    }

    /// The state root: the secure trie of keccak(address) -> rlp([nonce, balance, storageRoot, codeHash]).
    public func stateRoot() -> Hash32 {
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(accounts.count)
        for (address, account) in accounts {
            pairs.append(InMemoryState.accountLeaf(address, account.info, storageRoot: InMemoryState.storageRoot(account.storage)))
        }
        return MerkleTrie.root(of: pairs)
    }
}

extension Account {
    /// Sets the fields and applies the storage writes of one transaction's change to this account.
    public mutating func apply(info: AccountInfo, change: AccountChange) {
        if change.storageCleared { storage = [:] }
        self.info = info
        for (k, v) in change.storage {
            if v.isZero { storage[k] = nil } else { storage[k] = v }
        }
    }
}
