import EVMPrimitives
@_spi(Testing) import EVMInterpreter

/// EIP-2718 transaction types Lockstep executes.
public enum TransactionType: UInt8, Sendable, Codable {
    case legacy = 0, accessList = 1, dynamicFee = 2, blob = 3, setCode = 4
}

extension ForkRules.Schedule {
    /// Whether `type` is valid in the fork (EIP-2930, EIP-1559, EIP-4844, EIP-7702 introduced types 1 to 4).
    public func accepts(_ type: TransactionType) -> Bool { accepts(type: type.rawValue) }
}

/// One EIP-2930 access-list entry.
public struct AccessListEntry: Sendable, Equatable {
    public var address: Address
    public var storageKeys: [UInt256]
    public init(address: Address, storageKeys: [UInt256]) { self.address = address; self.storageKeys = storageKeys }
}

/// One EIP-7702 authorisation tuple `[chain_id, address, nonce, y_parity, r, s]`: the authority (recovered from
/// the signature over `keccak256(0x05 || rlp([chain_id, address, nonce]))`) delegates its code to `address`.
/// Fields keep the width the transaction format allows, so that out-of-range values stay invalid, not wrapped.
public struct Authorization: Sendable, Equatable {
    public var chainId: UInt256
    public var address: Address
    public var nonce: UInt64
    public var yParity: UInt256
    public var r: UInt256
    public var s: UInt256

    public init(chainId: UInt256, address: Address, nonce: UInt64, yParity: UInt256, r: UInt256, s: UInt256) {
        self.chainId = chainId; self.address = address; self.nonce = nonce; self.yParity = yParity
        self.r = r; self.s = s
    }
}

/// A transaction with its sender already known (recovered from the signature or given by the vector).
public struct Transaction: Sendable, Equatable {
    public var type: TransactionType
    public var chainId: UInt64?
    public var nonce: UInt64
    /// Legacy and type-1 gas price; for types 2 and 3 this is unused (see `maxFeePerGas`).
    public var gasPrice: UInt256
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var gasLimit: UInt64
    /// nil for contract creation.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]
    public var maxFeePerBlobGas: UInt256
    public var blobVersionedHashes: [Hash32]
    /// EIP-7702 authorisations (type 4).
    public var authorizationList: [Authorization] = []
    public var sender: Address

    public init(type: TransactionType = .legacy, chainId: UInt64? = nil, nonce: UInt64 = 0,
                gasPrice: UInt256 = .zero, maxFeePerGas: UInt256 = .zero, maxPriorityFeePerGas: UInt256 = .zero,
                gasLimit: UInt64 = 0, to: Address? = nil, value: UInt256 = .zero, data: [UInt8] = [],
                accessList: [AccessListEntry] = [], maxFeePerBlobGas: UInt256 = .zero,
                blobVersionedHashes: [Hash32] = [], sender: Address = .zero) {
        self.type = type; self.chainId = chainId; self.nonce = nonce; self.gasPrice = gasPrice
        self.maxFeePerGas = maxFeePerGas; self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.gasLimit = gasLimit; self.to = to; self.value = value; self.data = data
        self.accessList = accessList; self.maxFeePerBlobGas = maxFeePerBlobGas
        self.blobVersionedHashes = blobVersionedHashes; self.sender = sender
    }
}

/// The block a transaction runs in.
public struct BlockEnvironment: Sendable, Equatable {
    public var coinbase: Address
    public var gasLimit: UInt64
    public var number: UInt64
    public var timestamp: UInt64
    public var difficulty: UInt256
    /// post-merge PREVRANDAO (`currentRandom`).
    public var prevRandao: UInt256
    public var baseFee: UInt256
    /// EIP-4844 excess blob gas; nil before Cancun.
    public var excessBlobGas: UInt64?
    public var parentBeaconBlockRoot: Hash32?
    /// Hashes of earlier blocks for BLOCKHASH, by number.
    public var blockHashes: [UInt64: Hash32]
    public var chainId: UInt64
    /// EIP-4895 withdrawals, credited after the transactions.
    public var withdrawals: [Withdrawal]
    /// The proof-of-work block reward credited after the transactions (`BlockFinalization.blockReward(fork)`
    /// for a real block); nil for none (state tests, t8n without a reward).
    public var blockReward: UInt256?
    /// The block's ommers, rewarded with `blockReward`.
    public var ommers: [Ommer]
    /// EIP-6110: the contract whose DepositEvent logs are deposit requests (chain configuration; mainnet's
    /// by default, which is the only one the Python specification knows).
    public var depositContractAddress: Address = SystemContracts.mainnetDepositContract
    /// Whether the block runs Prague's system calls (EIP-2935 before the transactions, EIP-7002 and EIP-7251 after
    /// them) and has EIP-7685 requests. False for a state test run as a block: a state test is its transaction alone.
    public var systemCalls = true
    /// Test-only (`StorageWriteFault`, issue 15's planted divergence): handed to every transaction's and system
    /// call's `BlockContext`; nil in every real run.
    @_spi(Testing) public var storageWriteFault: StorageWriteFault?

    public init(coinbase: Address = .zero, gasLimit: UInt64 = 30_000_000, number: UInt64 = 1, timestamp: UInt64 = 1,
                difficulty: UInt256 = .zero, prevRandao: UInt256 = .zero, baseFee: UInt256 = .zero,
                excessBlobGas: UInt64? = 0, parentBeaconBlockRoot: Hash32? = nil,
                blockHashes: [UInt64: Hash32] = [:], chainId: UInt64 = 1, withdrawals: [Withdrawal] = [],
                blockReward: UInt256? = nil, ommers: [Ommer] = []) {
        self.coinbase = coinbase; self.gasLimit = gasLimit; self.number = number; self.timestamp = timestamp
        self.difficulty = difficulty; self.prevRandao = prevRandao; self.baseFee = baseFee
        self.excessBlobGas = excessBlobGas; self.parentBeaconBlockRoot = parentBeaconBlockRoot
        self.blockHashes = blockHashes; self.chainId = chainId; self.withdrawals = withdrawals
        self.blockReward = blockReward; self.ommers = ommers
    }
}

/// An EIP-4895 withdrawal: `amount` in gwei credited to `address`.
public struct Withdrawal: Sendable, Equatable {
    public var index: UInt64
    public var validatorIndex: UInt64
    public var address: Address
    public var amount: UInt64
    public init(index: UInt64, validatorIndex: UInt64, address: Address, amount: UInt64) {
        self.index = index; self.validatorIndex = validatorIndex; self.address = address; self.amount = amount
    }
}
