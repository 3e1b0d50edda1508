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

    /// Applies a transaction's write set.
    public mutating func apply(_ changes: StateChanges) {
        for (address, change) in changes.accounts {
            guard let info = change.info else {
                accounts[address] = nil
                continue
            }
            var account = accounts[address] ?? Account()
            if change.storageCleared { account.storage = [:] }
            account.info = info
            for (k, v) in change.storage {
                if v.isZero { account.storage[k] = nil } else { account.storage[k] = v }
            }
            accounts[address] = account
        }
    }

    /// The storage root of one account: the secure trie of keccak(slot) -> rlp(value).
    public static func storageRoot(_ storage: [UInt256: UInt256]) -> Hash32 {
        if storage.isEmpty { return MerkleTrie.emptyRoot }
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(storage.count)
        for (k, v) in storage where !v.isZero {
            pairs.append((Keccak256.hash(k.bigEndianBytes).bytes, RLP.encode(.bytes(v.minimalBigEndianBytes))))
        }
        return MerkleTrie.root(of: pairs)
    }

    /// The state root: the secure trie of keccak(address) -> rlp([nonce, balance, storageRoot, codeHash]).
    public func stateRoot() -> Hash32 {
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(accounts.count)
        for (address, account) in accounts {
            let body = RLP.encode(.list([
                .bytes(UInt256(account.info.nonce).minimalBigEndianBytes),
                .bytes(account.info.balance.minimalBigEndianBytes),
                .bytes(InMemoryState.storageRoot(account.storage).bytes),
                .bytes(account.info.code.hash.bytes),
            ]))
            pairs.append((Keccak256.hash(address.bytes).bytes, body))
        }
        return MerkleTrie.root(of: pairs)
    }
}
