import EVMPrimitives
import EVMState
import Execution
import Keccak
import Vectors

/// One signing account of a generated block: its secret key and address.
public struct GeneratedAccount: Sendable, Equatable {
    public var secretKey: [UInt8]
    public var address: Address
}

/// What a recipe asks for one transaction: the call, and optionally which account must send it (refunds and
/// subscription charges are sent by merchants, not by the next payer).
struct WorkloadCall {
    var to: Address?
    var data: [UInt8]
    var value: UInt256 = .zero
    /// Gas the call needs beyond the intrinsic cost of its calldata and access list (added by the driver).
    var executionGas: UInt64
    /// Storage keys worth pre-warming at `to` (EIP-2930); used by typed transactions only.
    var accessKeys: [UInt256] = []
    /// Index in `GeneratorWorld.accounts` of the account that must send it; nil means the driver's choice.
    var sender: Int? = nil
    /// A short label for metadata counts (`transfer`, `swap`, `refund`, ...).
    var kind: String
    /// EIP-7702 authorisations to sign and carry: when not empty the driver sends a type-4 transaction.
    var authorizations: [PendingAuthorization] = []
    /// The call fails although the transaction was not asked to revert (a CREATE2 collision: EIP-684 consumes
    /// the gas given to the creation, and the factory runs out of gas after it).
    var fails = false
}

/// Where each transaction stands: hot or not, reverting or not, and who sends it.
struct TransactionRole {
    var index: Int
    var hot: Bool
    var revert: Bool
    /// The driver will make the transaction invalid (it is rejected and changes nothing), so recipes that track
    /// state across transactions must not count it.
    var invalid: Bool
    /// Index of the driver's sender in `GeneratorWorld.accounts`.
    var sender: Int
}

/// A workload recipe: sets up its contracts, then describes one call per transaction. Recipes may add pre-state
/// lazily (a cold pool, an allowance) as they describe calls.
protocol WorkloadRecipe {
    mutating func prepare(_ world: inout GeneratorWorld)
    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall
}

/// The block being built: pre-state, signing accounts, and the seeded random stream.
struct GeneratorWorld {
    var rng: GeneratorRandom
    var pre = InMemoryState()
    let options: GeneratorOptions
    let hotSet: Int
    let hotZipf: ZipfTable
    /// Every account that signs a transaction (senders, merchants, ...), in creation order.
    private(set) var accounts: [GeneratedAccount] = []
    private var accountIndex: [String: Int] = [:]
    private var uniqueCounter: UInt64 = 0
    /// Account nonces as the block's valid transactions and applied authorisations leave them (the driver
    /// updates them; recipes read them to sign authorisations).
    var nonces: [Address: UInt64] = [:]

    /// Balance of every funded externally owned account: 100 ETH.
    static let fundedBalance = UInt256.tenTo(20)

    init(options: GeneratorOptions) {
        self.options = options
        hotSet = options.resolvedHotSet
        hotZipf = ZipfTable(count: hotSet)
        rng = GeneratorRandom(seed: options.seed ^ GeneratorRandom.hash(options.workload.rawValue))
    }

    /// The signing account named `name` (created, funded and registered on first use). Keys are a pure function
    /// of the name, so the same role has the same address in every block.
    mutating func account(_ name: String, balance: UInt256 = GeneratorWorld.fundedBalance) -> Int {
        if let i = accountIndex[name] { return i }
        var counter: UInt64 = 0
        while true {
            var material = Array("lockstep-generator/\(name)".utf8)
            if counter > 0 { material += UInt256(counter).bigEndianBytes }
            let key = Keccak256.hash(material).bytes
            if let address = SecretKey.address(of: key) {
                accounts.append(GeneratedAccount(secretKey: key, address: address))
                accountIndex[name] = accounts.count - 1
                if !balance.isZero { credit(address, balance) }
                return accounts.count - 1
            }
            counter += 1  // not a valid scalar (probability ~2^-128): derive again
        }
    }

    func address(_ account: Int) -> Address { accounts[account].address }

    /// `account(name, balance:)`'s address.
    mutating func accountAddress(_ name: String, balance: UInt256 = GeneratorWorld.fundedBalance) -> Address {
        let index = account(name, balance: balance)
        return accounts[index].address
    }

    /// A hot item, Zipf-skewed (item 0 is the hottest).
    mutating func hotItem() -> Int { hotZipf.draw(&rng) }

    /// A number never returned before in this block (for fresh pools, keys, salts and token ids).
    mutating func unique() -> UInt64 {
        uniqueCounter += 1
        return uniqueCounter
    }

    /// An address no transaction has touched and the pre-state does not hold.
    mutating func freshAddress() -> Address {
        let n = unique()
        let h = Keccak256.hash(Array("lockstep-generator/fresh".utf8) + UInt256(options.seed).bigEndianBytes
                               + UInt256(n).bigEndianBytes)
        return Address(h.bytes[12...])
    }

    /// The nonce `address` has before the next transaction: the pre-state's, plus what earlier ones did.
    func nonce(_ address: Address) -> UInt64 { nonces[address] ?? pre.accounts[address]?.info.nonce ?? 0 }

    mutating func credit(_ address: Address, _ amount: UInt256) {
        var a = pre.accounts[address] ?? Account()
        a.info.balance = a.info.balance &+ amount
        pre.accounts[address] = a
    }

    mutating func install(_ code: Code, at address: Address, balance: UInt256 = .zero, nonce: UInt64 = 1) {
        var a = pre.accounts[address] ?? Account()
        a.info.code = code
        // Deployed contracts have nonce 1 (EIP-161).
        a.info.nonce = max(a.info.nonce, nonce)
        a.info.balance = a.info.balance &+ balance
        pre.accounts[address] = a
    }

    mutating func setStorage(_ address: Address, _ key: UInt256, _ value: UInt256) {
        var a = pre.accounts[address] ?? Account()
        if value.isZero { a.storage[key] = nil } else { a.storage[key] = value }
        pre.accounts[address] = a
    }

    func storage(_ address: Address, _ key: UInt256) -> UInt256 {
        pre.accounts[address]?.storage[key] ?? .zero
    }

    mutating func addStorage(_ address: Address, _ key: UInt256, _ amount: UInt256) {
        setStorage(address, key, storage(address, key) &+ amount)
    }
}

/// Fixed addresses of the project's workload contracts: "Lock" (0x4c6f636b) then a number.
enum ContractAddress {
    static func make(_ n: UInt32) -> Address { Address(a: 0x4c6f_636b_0000_0000, b: 0, c: n) }
    static let token = make(0x01)
    static let pool = make(0x02)
    static let payments = make(0x03)
    static let counter = make(0x04)
    /// Collectible collections are 0x...0100, 0x...0101, ... (one per hot item).
    static func collectible(_ i: Int) -> Address { make(0x100 + UInt32(i)) }
    static let factory = make(0x06)
    static let compute = make(0x07)
    /// EIP-7702 delegation targets and the contracts that call delegated EOAs.
    static let delegateWallet = make(0x08)
    static let delegateWalletV2 = make(0x09)
    static let router = make(0x0a)
    static let intentAccount = make(0x0b)
    static let settler = make(0x0c)
    static let coinbase = Address(a: 0x4c6f_636b_0000_0000, b: 0, c: 0xC0FF_EE00)
}

/// The runtime bytecode of the project's contracts, decoded once.
enum WorkloadContracts {
    private static func load(_ hex: String) -> Code {
        // The hex is generated by ci/contracts/build.sh; a corrupt file is caught by GeneratorTests.
        Code((try? Hex.decode(hex)) ?? [])
    }
    static let token = load(ContractBytecode.token)
    static let pool = load(ContractBytecode.pool)
    static let payments = load(ContractBytecode.payments)
    static let counter = load(ContractBytecode.counter)
    static let collectible = load(ContractBytecode.collectible)
    static let factory = load(ContractBytecode.factory)
    static let compute = load(ContractBytecode.compute)
    static let delegateWallet = load(ContractBytecode.delegateWallet)
    static let delegateWalletV2 = load(ContractBytecode.delegateWalletV2)
    static let router = load(ContractBytecode.router)
    static let intentAccount = load(ContractBytecode.intentAccount)
    static let settler = load(ContractBytecode.settler)
}
