import EVMPrimitives
import EVMState
import Execution

/// Which element of the vector's `data`, `gasLimit` and `value` arrays a case uses.
public struct StateTestIndexes: Sendable, Equatable, CustomStringConvertible {
    public var data: Int
    public var gas: Int
    public var value: Int

    public init(data: Int, gas: Int, value: Int) { self.data = data; self.gas = gas; self.value = value }

    /// The `d<i>g<j>v<k>` suffix used in case names (the `evm statetest` convention).
    public var description: String { "d\(data)g\(gas)v\(value)" }
}

/// One state-test case: a (test, fork, data/gas/value index) triple with everything needed to run and check it.
public struct StateTestCase: Sendable {
    /// `<file>:<test>:<fork>:d<i>g<j>v<k>`.
    public var name: String
    /// The file's path relative to the directory it was found under (or its file name).
    public var file: String
    /// The test's key in the file.
    public var test: String
    /// The fork name as the vector spells it (`Cancun`, `ConstantinopleFix`, ...).
    public var forkName: String
    public var fork: Fork
    public var indexes: StateTestIndexes
    public var pre: InMemoryState
    public var env: BlockEnvironment
    public var tx: Transaction
    /// Set when a transaction field does not fit the width the protocol gives it (for example a value of more
    /// than 256 bits, written `0x:bigint ...`). Such a transaction cannot be encoded, so it is invalid, and `tx`
    /// then holds zero in that field.
    public var unrepresentable: String?
    /// The signed transaction as the vector encodes it (`txbytes`; empty when the vector omits it).
    public var txBytes: [UInt8]
    /// The state root after the transaction (the pre-state root when the transaction is invalid).
    public var expectedStateRoot: Hash32
    /// keccak256 of the RLP list of the transaction's logs.
    public var expectedLogsHash: Hash32
    /// The exception the vector expects (`TransactionException.INTRINSIC_GAS_TOO_LOW`, ...), or nil when the
    /// transaction is valid.
    public var expectException: String?

    public init(name: String, file: String, test: String, forkName: String, fork: Fork, indexes: StateTestIndexes,
                pre: InMemoryState, env: BlockEnvironment, tx: Transaction, unrepresentable: String? = nil,
                txBytes: [UInt8] = [], expectedStateRoot: Hash32, expectedLogsHash: Hash32,
                expectException: String? = nil) {
        self.name = name; self.file = file; self.test = test; self.forkName = forkName; self.fork = fork
        self.indexes = indexes; self.pre = pre; self.env = env; self.tx = tx; self.unrepresentable = unrepresentable
        self.txBytes = txBytes; self.expectedStateRoot = expectedStateRoot; self.expectedLogsHash = expectedLogsHash
        self.expectException = expectException
    }
}

/// A part of a vector file that could not be loaded: the file, as much of the case's identity as is known, and why.
public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var test: String?
    public var fork: String?
    /// The `d<i>g<j>v<k>` suffix when the error concerns one case and its indexes could be read.
    public var indexes: String?
    public var reason: String

    public init(file: String, test: String? = nil, fork: String? = nil, indexes: String? = nil, reason: String) {
        self.file = file; self.test = test; self.fork = fork; self.indexes = indexes; self.reason = reason
    }

    /// Shaped like a case name as far as known: `file`, `file:test`, `file:test:fork` or a full case name.
    public var name: String {
        var parts = [file]
        if let test { parts.append(test) }
        if let fork { parts.append(fork) }
        if let indexes { parts.append(indexes) }
        return parts.joined(separator: ":")
    }

    public var description: String { "\(name): \(reason)" }
}

/// Everything one vector file yields: the cases that loaded and an error for each part that did not.
public struct StateTestFile: Sendable {
    /// The file's display name (see `VectorSource.name`).
    public var file: String
    public var cases: [StateTestCase]
    public var errors: [LoadError]

    public init(file: String, cases: [StateTestCase] = [], errors: [LoadError] = []) {
        self.file = file; self.cases = cases; self.errors = errors
    }
}

/// A vector file to load and the name its cases carry: its path relative to the directory argument it was found
/// under, or its file name when the file itself was given.
public struct VectorSource: Sendable, Equatable {
    public var path: String
    public var name: String

    public init(path: String, name: String) { self.path = path; self.name = name }
}
