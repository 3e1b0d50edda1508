import EVMPrimitives
import EVMState
import Synchronization

/// Block-level values the EVM exposes to code (COINBASE, NUMBER, BLOCKHASH, ...).
public struct BlockContext: Sendable {
    public var coinbase: Address
    public var number: UInt64
    public var timestamp: UInt64
    public var gasLimit: UInt64
    public var prevRandao: UInt256
    public var baseFee: UInt256
    /// EIP-7516 BLOBBASEFEE, derived from the excess blob gas.
    public var blobBaseFee: UInt256
    public var chainId: UInt64
    /// Hashes of the 256 most recent blocks for BLOCKHASH, by number.
    public var blockHashes: [UInt64: Hash32]
    /// Test-only fault injection (`StorageWriteFault`); nil in every real run. SSTORE alone looks at it.
    @_spi(Testing) public var storageWriteFault: StorageWriteFault?

    public init(coinbase: Address, number: UInt64, timestamp: UInt64, gasLimit: UInt64, prevRandao: UInt256,
                baseFee: UInt256, blobBaseFee: UInt256, chainId: UInt64, blockHashes: [UInt64: Hash32]) {
        self.coinbase = coinbase; self.number = number; self.timestamp = timestamp; self.gasLimit = gasLimit
        self.prevRandao = prevRandao; self.baseFee = baseFee; self.blobBaseFee = blobBaseFee
        self.chainId = chainId; self.blockHashes = blockHashes
    }
}

/// Test-only fault injection for issue 15's planted divergence: each chosen SSTORE (counted from 0 across every run
/// under a block context that holds this fault, in execution order) writes its value plus
/// one (gas and refund are charged for the value it was given). Only SSTORE reads `BlockContext.storageWriteFault`
/// (one nil test per SSTORE, nothing per instruction), so a run without a fault costs nothing. A fault counts every
/// SSTORE it sees: give each execution of a block a fresh one.
@_spi(Testing) public final class StorageWriteFault: Sendable, Equatable {
    /// The SSTOREs (from 0) that write their value plus one.
    public let indexes: Set<Int>
    private let seen = Atomic<Int>(0)

    public init(index: Int) { indexes = [index] }
    public init(indexes: Set<Int>) { self.indexes = indexes }

    /// SSTOREs seen so far.
    public var count: Int { seen.load(ordering: .relaxed) }

    /// The value an SSTORE writes: `value + 1` for the chosen ones, `value` otherwise.
    @inline(never)
    public func apply(_ value: UInt256) -> UInt256 {
        indexes.contains(seen.add(1, ordering: .relaxed).oldValue) ? value &+ .one : value
    }

    public static func == (a: StorageWriteFault, b: StorageWriteFault) -> Bool { a === b }
}

/// Transaction-level values the EVM exposes to code (ORIGIN, GASPRICE, BLOBHASH).
public struct TxContext: Sendable {
    public var origin: Address
    public var gasPrice: UInt256
    public var blobHashes: [Hash32]
    public init(origin: Address, gasPrice: UInt256, blobHashes: [Hash32]) {
        self.origin = origin; self.gasPrice = gasPrice; self.blobHashes = blobHashes
    }
}

/// Why a frame stopped abnormally (an exceptional halt consumes all of the frame's gas).
public enum HaltReason: Error, Sendable, Equatable {
    case outOfGas, stackUnderflow, stackOverflow, invalidJump, invalidOpcode(UInt8), staticWrite,
         returnDataOutOfBounds, initCodeTooLarge, codeTooLarge, invalidCodePrefix, precompileFailed,
         callDepth, addressCollision,
         /// A parallel executor's state view could not answer a read; not an EVM outcome.
         readAborted
}

/// How a frame ended.
public enum FrameStatus: Sendable, Equatable {
    case success
    case revert
    case halt(HaltReason)

    @inlinable public var isSuccess: Bool { if case .success = self { return true } else { return false } }
}

/// The result of a message call or creation.
public struct FrameResult: Sendable {
    public var status: FrameStatus
    public var gasLeft: Int64
    public var output: [UInt8]
    /// The created address for a successful creation.
    public var createdAddress: Address?

    public init(status: FrameStatus, gasLeft: Int64, output: [UInt8], createdAddress: Address? = nil) {
        self.status = status; self.gasLeft = gasLeft; self.output = output; self.createdAddress = createdAddress
    }
}

/// A message call or creation as the Yellow Paper defines it.
public struct Message {
    public var caller: Address
    /// The account whose storage and balance the code acts on (`current_target`).
    public var target: Address
    public var codeAddress: Address
    public var value: UInt256
    public var input: [UInt8]
    public var gas: Int64
    public var depth: Int
    public var isStatic: Bool
    public var transfersValue: Bool
    public var code: Code
    /// EIP-7702: `code` is the code of the delegation target `codeAddress`; a precompile there does not run.
    public var delegated = false

    public init(caller: Address, target: Address, codeAddress: Address, value: UInt256, input: [UInt8],
                gas: Int64, depth: Int, isStatic: Bool, transfersValue: Bool, code: Code) {
        self.caller = caller; self.target = target; self.codeAddress = codeAddress; self.value = value
        self.input = input; self.gas = gas; self.depth = depth; self.isStatic = isStatic
        self.transfersValue = transfersValue; self.code = code
    }
}
