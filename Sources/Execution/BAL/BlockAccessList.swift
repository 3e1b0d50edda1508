import Foundation
import EVMPrimitives
import EVMState

/// A block access list in EIP-7928's layout: per account, its storage writes (each slot's changes) and
/// reads, and its balance, nonce and code changes, each change tagged with the block access index after
/// which it holds: 0 for the pre-execution system calls, `i + 1` for transaction `i`, `n + 1` for the
/// post-execution steps (withdrawals). A change is recorded only where the value after that index
/// differs from the value before it; a slot written back to its old value counts as a read.
///
/// Accounts are sorted by address, slots by key, changes by index (what `normalized()` ensures), so two
/// lists of one block compare equal exactly when they say the same thing.
public struct BlockAccessList: Sendable, Equatable {
    public struct Change<Value: Sendable & Equatable>: Sendable, Equatable {
        public var index: Int
        public var value: Value
        public init(index: Int, value: Value) { self.index = index; self.value = value }
    }

    public struct SlotChanges: Sendable, Equatable {
        public var slot: UInt256
        public var changes: [Change<UInt256>]
        public init(slot: UInt256, changes: [Change<UInt256>]) { self.slot = slot; self.changes = changes }
    }

    public struct AccountAccess: Sendable, Equatable {
        public var address: Address
        public var storageChanges: [SlotChanges] = []
        /// Slots read and not written in the block.
        public var storageReads: [UInt256] = []
        public var balanceChanges: [Change<UInt256>] = []
        public var nonceChanges: [Change<UInt64>] = []
        public var codeChanges: [Change<[UInt8]>] = []
        public init(address: Address) { self.address = address }
    }

    public var accounts: [AccountAccess]

    public init(accounts: [AccountAccess] = []) { self.accounts = accounts }

    /// The same list in canonical order (accounts by address, slots by key, changes by index).
    public func normalized() -> BlockAccessList {
        var out = self
        out.accounts.sort { $0.address < $1.address }
        for k in out.accounts.indices {
            out.accounts[k].storageChanges.sort { $0.slot < $1.slot }
            for s in out.accounts[k].storageChanges.indices {
                out.accounts[k].storageChanges[s].changes.sort { $0.index < $1.index }
            }
            out.accounts[k].storageReads.sort()
            out.accounts[k].balanceChanges.sort { $0.index < $1.index }
            out.accounts[k].nonceChanges.sort { $0.index < $1.index }
            out.accounts[k].codeChanges.sort { $0.index < $1.index }
        }
        return out
    }
}

// MARK: - Entries

/// One entry of a block access list, as a mismatch names it.
public enum BALEntry: Sendable, Equatable, Comparable, CustomStringConvertible {
    case account(Address)
    case storageRead(Address, UInt256)
    case storage(Address, UInt256, index: Int, value: UInt256)
    case balance(Address, index: Int, value: UInt256)
    case nonce(Address, index: Int, value: UInt64)
    case code(Address, index: Int, hash: Hash32)

    public var description: String {
        switch self {
        case .account(let a): "account \(a)"
        case .storageRead(let a, let k): "storage read \(a)[\(k.hexString)]"
        case .storage(let a, let k, let i, let v): "storage change \(a)[\(k.hexString)] at index \(i) = \(v.hexString)"
        case .balance(let a, let i, let v): "balance change \(a) at index \(i) = \(v.hexString)"
        case .nonce(let a, let i, let v): "nonce change \(a) at index \(i) = \(v)"
        case .code(let a, let i, let h): "code change \(a) at index \(i) = code with hash \(h)"
        }
    }

    /// Order of entries of one index: by address, then balance, nonce, code, storage by slot.
    var sortKey: (Address, Int, UInt256) {
        switch self {
        case .account(let a): (a, 0, .zero)
        case .balance(let a, _, _): (a, 1, .zero)
        case .nonce(let a, _, _): (a, 2, .zero)
        case .code(let a, _, _): (a, 3, .zero)
        case .storage(let a, let k, _, _): (a, 4, k)
        case .storageRead(let a, let k): (a, 5, k)
        }
    }

    public static func < (l: BALEntry, r: BALEntry) -> Bool {
        let a = l.sortKey, b = r.sortKey
        return (a.0, a.1) < (b.0, b.1) || ((a.0, a.1) == (b.0, b.1) && a.2 < b.2)
    }
}

/// Why a block access list does not describe the block's execution: the first differing entry, at the
/// block access index where it was found, and which side has it.
public struct BALMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Execution has the entry, the list lacks it (a read or write the list does not record).
        case missingFromList = "missing from the list"
        /// The list has the entry, execution did not produce it (a wrong value or index, or an extra entry).
        case notInExecution = "listed but not in execution"
    }

    /// The block access index (0 system calls, i + 1 transaction i, n + 1 post-execution); nil for the
    /// block-wide read check.
    public var index: Int?
    public var kind: Kind
    public var entry: BALEntry
    /// What execution had at the same place, when it had something (a different value or index).
    public var actual: BALEntry?

    public var description: String {
        var s = "block access list: \(entry) \(kind.rawValue)"
        if let index { s += index == 0 ? " (pre-execution system calls)" : " (block access index \(index))" }
        if let actual { s += "; execution has \(actual)" }
        return s
    }
}

extension BlockAccessList {
    /// Every change entry with its index, sorted by index and then by `BALEntry`'s order; `count` is the
    /// number of indices (transactions + 2).
    func changesByIndex(count: Int) -> [[BALEntry]] {
        var out = [[BALEntry]](repeating: [], count: count)
        func put(_ i: Int, _ e: BALEntry) { if i >= 0 && i < count { out[i].append(e) } else { out[count - 1].append(e) } }
        for a in accounts {
            for c in a.balanceChanges { put(c.index, .balance(a.address, index: c.index, value: c.value)) }
            for c in a.nonceChanges { put(c.index, .nonce(a.address, index: c.index, value: c.value)) }
            for c in a.codeChanges { put(c.index, .code(a.address, index: c.index, hash: Code(c.value).hash)) }
            for s in a.storageChanges {
                for c in s.changes { put(c.index, .storage(a.address, s.slot, index: c.index, value: c.value)) }
            }
        }
        for i in out.indices { out[i].sort() }
        return out
    }
}

// MARK: - JSON

/// JSON in the field names of the execution specs' and alloy's EIP-7928 types (camelCase, hex numbers).
extension BlockAccessList: Codable {
    private struct AccountJSON: Codable {
        struct SlotJSON: Codable {
            var slot: String
            var slotChanges: [IndexedJSON]
        }
        struct IndexedJSON: Codable {
            var blockAccessIndex: Int
            var postValue: String?
            var postBalance: String?
            var newNonce: String?
            var newCode: String?
        }
        var address: String
        var storageChanges: [SlotJSON]
        var storageReads: [String]
        var balanceChanges: [IndexedJSON]
        var nonceChanges: [IndexedJSON]
        var codeChanges: [IndexedJSON]
    }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([AccountJSON].self)
        func word(_ s: String?, _ what: String) throws -> UInt256 {
            guard let s else { throw BALDecodingError("missing \(what)") }
            do { return try UInt256(hex: s) } catch { throw BALDecodingError("\(what): \(error) in \"\(s)\"") }
        }
        var accounts: [AccountAccess] = []
        for a in raw {
            var access: AccountAccess
            do { access = AccountAccess(address: try Address(hex: a.address)) } catch {
                throw BALDecodingError("address: \(error) in \"\(a.address)\"")
            }
            access.storageChanges = try a.storageChanges.map { s in
                SlotChanges(slot: try word(s.slot, "slot"), changes: try s.slotChanges.map {
                    Change(index: $0.blockAccessIndex, value: try word($0.postValue, "postValue"))
                })
            }
            access.storageReads = try a.storageReads.map { try word($0, "storage read") }
            access.balanceChanges = try a.balanceChanges.map {
                Change(index: $0.blockAccessIndex, value: try word($0.postBalance, "postBalance"))
            }
            access.nonceChanges = try a.nonceChanges.map {
                let n = try word($0.newNonce, "newNonce")
                guard n <= UInt256(UInt64.max) else { throw BALDecodingError("newNonce above 2^64-1") }
                return Change(index: $0.blockAccessIndex, value: n.w0)
            }
            access.codeChanges = try a.codeChanges.map {
                guard let hex = $0.newCode else { throw BALDecodingError("missing newCode") }
                do { return Change(index: $0.blockAccessIndex, value: try Hex.decode(hex)) } catch {
                    throw BALDecodingError("newCode: \(error)")
                }
            }
            accounts.append(access)
        }
        self.init(accounts: accounts)
    }

    public func encode(to encoder: Encoder) throws {
        typealias I = AccountJSON.IndexedJSON
        let raw = accounts.map { a in
            AccountJSON(
                address: a.address.description,
                storageChanges: a.storageChanges.map { s in
                    AccountJSON.SlotJSON(slot: s.slot.hexString, slotChanges: s.changes.map {
                        I(blockAccessIndex: $0.index, postValue: $0.value.hexString)
                    })
                },
                storageReads: a.storageReads.map(\.hexString),
                balanceChanges: a.balanceChanges.map { I(blockAccessIndex: $0.index, postBalance: $0.value.hexString) },
                nonceChanges: a.nonceChanges.map { I(blockAccessIndex: $0.index, newNonce: UInt256($0.value).hexString) },
                codeChanges: a.codeChanges.map { I(blockAccessIndex: $0.index, newCode: Hex.encode($0.value)) })
        }
        var c = encoder.singleValueContainer()
        try c.encode(raw)
    }

    /// The list as JSON text (sorted keys, so equal lists give equal files).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("[]".utf8)
    }

    /// Reads a list from JSON text.
    public static func decode(json: Data) throws -> BlockAccessList {
        try JSONDecoder().decode(BlockAccessList.self, from: json)
    }
}

public struct BALDecodingError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = "block access list: " + description }
}
