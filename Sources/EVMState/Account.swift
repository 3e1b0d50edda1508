import EVMPrimitives
import Keccak

/// Contract code with its hash and JUMPDEST map, computed once and shared (immutable, so Sendable).
public final class Code: Sendable {
    public let bytes: [UInt8]
    public let hash: Hash32
    /// Bit i set when byte i is a JUMPDEST opcode outside PUSH data.
    public let jumpdests: [UInt64]

    public static let empty = Code([])

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.hash = bytes.isEmpty ? Keccak256.emptyHash : Keccak256.hash(bytes)
        var map = [UInt64](repeating: 0, count: (bytes.count + 63) / 64)
        var i = 0
        while i < bytes.count {
            let op = bytes[i]
            if op == 0x5b {
                map[i >> 6] |= 1 << UInt64(i & 63)
            } else if op >= 0x60 && op <= 0x7f {
                i += Int(op - 0x5f)
            }
            i += 1
        }
        self.jumpdests = map
    }

    @inlinable public var isEmpty: Bool { bytes.isEmpty }

    @inlinable public func isJumpdest(_ pc: Int) -> Bool {
        pc >= 0 && pc < bytes.count && (jumpdests[pc >> 6] >> UInt64(pc & 63)) & 1 == 1
    }
}

/// An account's fields other than storage.
public struct AccountInfo: Sendable, Equatable {
    public var nonce: UInt64
    public var balance: UInt256
    /// The code, nil for an account without code (never an empty `Code`). Most accounts have none, and copying
    /// an account copies this reference: were it the one shared `Code.empty`, every copy on every thread would
    /// write that object's reference count, one cache line that the cores of a parallel run then pass between
    /// them (measured: a fifth of the BAL executor's execution samples at 2 threads were in swift_retain and
    /// swift_release). A nil copies without touching memory.
    @usableFromInline internal var _code: Code?

    /// The code, nil when the account has none.
    @inlinable public var storedCode: Code? { _code }

    /// The code (`Code.empty` when there is none).
    @inlinable public var code: Code {
        get { _code ?? Code.empty }
        set { _code = newValue.isEmpty ? nil : newValue }
    }

    /// True when the account has code.
    @inlinable public var hasCode: Bool { _code != nil }

    /// The code's hash (the empty code's when there is none).
    @inlinable public var codeHash: Hash32 { _code?.hash ?? Keccak256.emptyHash }

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, code: Code? = nil) {
        self.nonce = nonce; self.balance = balance
        self._code = code.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// EIP-161: no code, zero nonce, zero balance.
    @inlinable public var isEmpty: Bool { nonce == 0 && balance.isZero && _code == nil }

    public static func == (l: AccountInfo, r: AccountInfo) -> Bool {
        guard l.nonce == r.nonce && l.balance == r.balance else { return false }
        switch (l._code, r._code) {
        case (nil, nil): return true
        case (let a?, let b?): return a === b || a.hash == b.hash
        default: return false
        }
    }
}

/// A whole account: fields and storage (zero values are never stored).
public struct Account: Sendable, Equatable {
    public var info: AccountInfo
    public var storage: [UInt256: UInt256]

    public init(info: AccountInfo = AccountInfo(), storage: [UInt256: UInt256] = [:]) {
        self.info = info; self.storage = storage
    }
}

/// Read-only view of the state a transaction starts from. The interpreter reads state only through
/// this protocol, so a parallel executor can hand it a multi-version view.
public protocol StateReader {
    /// The account at `address`, or nil when it does not exist.
    func account(_ address: Address) -> AccountInfo?
    /// The value of a storage slot; zero when unset or when the account does not exist.
    func storage(_ address: Address, key: UInt256) -> UInt256
    /// True when the account has at least one non-zero storage slot (EIP-7610 address collisions).
    func hasStorage(_ address: Address) -> Bool
    /// True once a read could not be answered yet (a parallel executor's read hit an estimate).
    /// The interpreter then stops at the next instruction; the result is discarded by the executor.
    var isAborted: Bool { get }
}

extension StateReader {
    @inlinable public var isAborted: Bool { false }
}
