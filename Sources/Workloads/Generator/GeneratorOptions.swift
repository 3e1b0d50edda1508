import EVMPrimitives
import Vectors

/// The workload recipes `lockstep generate` knows.
public enum Workload: String, CaseIterable, Sendable, Comparable {
    /// ETH transfers; hot transactions pay a Zipf-skewed set of hot recipients.
    case transfers
    /// ERC-20 `transfer` and `transferFrom` on one token.
    case erc20
    /// Swaps on constant-product pools; hot transactions trade on one or a few pools.
    case amm
    /// Many payers paying a few merchants: payments, batched payments, refunds and subscription charges.
    case payments
    /// Every transaction increments one counter slot: fully serial at hot ratio 1.
    case counter
    /// Mints with sequential token ids (each reads and bumps `next_id`).
    case nftMint = "nft-mint"
    /// Contract creations, CREATE2 redeploys and collisions, self-destruct in the creating transaction.
    case deploy
    /// Independent CPU-heavy calls with private writes.
    case compute
    /// A weighted mix of the workloads above in one block.
    case mixed
    /// Swaps through real Uniswap V3 bytecode (SwapRouter, UniswapV3Pool, ERC-20); needs `contractsDirectory`.
    case uniswap
    /// EIP-7702: EOAs set, change and clear delegations mid-block (type-4 transactions with signed authorisations)
    /// and are called by later transactions directly, through a contract, and by sponsors who pay their gas.
    case delegations
    /// Intent-centric payments: users' EIP-7702 accounts sign payment intents, solvers settle them in batches
    /// against a few merchants, pay the gas and are reimbursed in tokens.
    case intents

    public static func < (l: Workload, r: Workload) -> Bool {
        (allCases.firstIndex(of: l) ?? 0) < (allCases.firstIndex(of: r) ?? 0)
    }

    /// The workloads that use only the project's own contracts (committed under `Vectors/contracts/`).
    public static var builtIn: [Workload] { allCases.filter { $0 != .uniswap } }

    /// Default share of transactions that touch the hot set.
    public var defaultHotRatio: Double {
        switch self {
        case .transfers, .erc20, .deploy, .mixed: return 0.3
        case .amm: return 0.8
        case .payments, .intents: return 0.7
        case .delegations: return 0.5
        case .counter, .nftMint, .uniswap: return 1
        case .compute: return 0
        }
    }

        /// Default size of the hot set (recipients, pools, merchants, counter keys, collections, salts, or the
    /// authorities whose delegations change).
    public var defaultHotSet: Int {
        switch self {
        case .transfers, .erc20: return 8
        case .amm: return 2
        case .payments, .deploy, .mixed, .delegations: return 4
        case .intents: return 3
        case .counter, .nftMint, .compute, .uniswap: return 1
        }
    }

    /// The first fork whose rules the workload needs: EIP-7702 (Prague) for `delegations` and `intents`, Cancun
    /// (the generator's oldest target) for the others.
    public var minimumFork: Fork {
        switch self {
        case .delegations, .intents: return .prague
        default: return .cancun
        }
    }
}

/// Everything that decides a generated block. Two equal option values give byte-identical vectors.
public struct GeneratorOptions: Sendable, Equatable {
    public var workload: Workload
    public var transactions: Int
    public var seed: UInt64
    /// Funded sender accounts; nil means one per transaction (no sender is reused unless
    /// `dependencyDistance` asks for it).
    public var accounts: Int?
    /// Share of transactions that touch the hot set; nil means the workload's default.
    public var hotRatio: Double?
    /// Size of the hot set; nil means the workload's default.
    public var hotSet: Int?
    /// 0: senders are independent. D > 0: transaction i is sent by the sender of transaction i - D, so it depends
    /// (nonce and balance) on a transaction exactly D positions earlier.
    public var dependencyDistance: Int
    /// Share of transactions that are invalid (rejected from the block: bad nonce, fee below base fee, intrinsic gas,
    /// insufficient funds).
    public var invalidRatio: Double
    /// Share of transactions that revert (they are included and pay gas).
    public var revertRatio: Double
    /// Keccak rounds per `compute` call (upper bound; each call draws from rounds/2...rounds).
    public var computeRounds: Int
    /// Directory with the production bytecode for `uniswap` (`UniswapV3Pool.hex`, `SwapRouter.hex`, ...).
    public var contractsDirectory: String?
    /// The fork whose rules the block follows (Cancun or later). From Prague on the pre-state holds the system
    /// contracts (EIP-4788, EIP-2935, EIP-7002, EIP-7251) at their final addresses and the environment the
    /// parent's hash, so a block is valid to every client's transition tool.
    public var fork: Fork
    /// `delegations`: share of transactions that set, change or clear a delegation (type-4 transactions);
    /// nil means 0.25.
    public var changeRatio: Double?
    /// `delegations`: the transaction `callDistance` positions after each delegation change calls the EOA whose
    /// delegation changed (0: no scheduled calls, only the hot/cold ones).
    public var callDistance: Int?
    /// `intents`: users who sign intents (nil: 8 per solver batch slot, see `resolvedUsers`).
    public var users: Int?
    /// `intents`: solvers, the accounts that send the batches (nil: 3).
    public var solvers: Int?
    /// `intents`: intents settled per batch transaction (nil: 6).
    public var batchSize: Int?

    /// The fork `lockstep generate` targets when none is given: the latest mainnet fork.
    public static let latestFork = Fork.bpo2

    public init(workload: Workload, transactions: Int, seed: UInt64, accounts: Int? = nil, hotRatio: Double? = nil,
                hotSet: Int? = nil, dependencyDistance: Int = 0, invalidRatio: Double = 0, revertRatio: Double = 0,
                computeRounds: Int = 64, contractsDirectory: String? = nil, fork: Fork = .cancun,
                changeRatio: Double? = nil, callDistance: Int? = nil, users: Int? = nil, solvers: Int? = nil,
                batchSize: Int? = nil) {
        self.workload = workload; self.transactions = transactions; self.seed = seed; self.accounts = accounts
        self.hotRatio = hotRatio; self.hotSet = hotSet; self.dependencyDistance = dependencyDistance
        self.invalidRatio = invalidRatio; self.revertRatio = revertRatio; self.computeRounds = computeRounds
        self.contractsDirectory = contractsDirectory; self.fork = fork
        self.changeRatio = changeRatio; self.callDistance = callDistance
        self.users = users; self.solvers = solvers; self.batchSize = batchSize
    }

    public var resolvedHotRatio: Double { hotRatio ?? workload.defaultHotRatio }
    public var resolvedHotSet: Int { hotSet ?? workload.defaultHotSet }
    /// The sender accounts: for `intents` the solvers, otherwise `accounts` (default one per transaction).
    public var resolvedAccounts: Int { workload == .intents ? resolvedSolvers : accounts ?? max(transactions, 1) }
    public var resolvedChangeRatio: Double { changeRatio ?? 0.25 }
    public var resolvedCallDistance: Int { callDistance ?? 1 }
    public var resolvedSolvers: Int { solvers ?? 3 }
    public var resolvedBatchSize: Int { batchSize ?? 6 }
    public var resolvedUsers: Int { users ?? max(8, 2 * resolvedBatchSize * resolvedSolvers) }

    /// Checks the ranges; the error says which knob and what it got.
    public func validate() throws(GeneratorError) {
        func ratio(_ name: String, _ v: Double) throws(GeneratorError) {
            guard v.isFinite, v >= 0, v <= 1 else { throw .badOption("\(name) must be in [0, 1], got \(v)") }
        }
        guard transactions >= 0, transactions <= 100_000 else {
            throw .badOption("txs must be in 0...100000, got \(transactions)")
        }
        try ratio("hot-ratio", resolvedHotRatio)
        try ratio("invalid-ratio", invalidRatio)
        try ratio("revert-ratio", revertRatio)
        guard invalidRatio + revertRatio <= 1 else {
            throw .badOption("invalid-ratio + revert-ratio must be at most 1, got \(invalidRatio + revertRatio)")
        }
        guard resolvedHotSet >= 1, resolvedHotSet <= 4096 else {
            throw .badOption("hot-set must be in 1...4096, got \(resolvedHotSet)")
        }
        guard resolvedAccounts >= 1, resolvedAccounts <= 200_000 else {
            throw .badOption("accounts must be in 1...200000, got \(resolvedAccounts)")
        }
        guard dependencyDistance >= 0 else {
            throw .badOption("dependency-distance must be >= 0, got \(dependencyDistance)")
        }
        guard computeRounds >= 1, computeRounds <= 4096 else {
            throw .badOption("compute-rounds must be in 1...4096, got \(computeRounds)")
        }
        guard fork >= .cancun else {
            throw .badOption("fork \(fork.name): the generator targets Cancun and later forks")
        }
        guard fork >= workload.minimumFork else {
            throw .badOption("the \(workload.rawValue) workload needs EIP-7702 set-code transactions, which start with "
                             + "\(workload.minimumFork.name); got fork \(fork.name)")
        }
        if workload == .delegations {
            try ratio("change-ratio", resolvedChangeRatio)
            guard resolvedCallDistance >= 0 else { throw .badOption("call-distance must be >= 0, got \(resolvedCallDistance)") }
        } else if changeRatio != nil || callDistance != nil {
            throw .badOption("change-ratio and call-distance are knobs of the delegations workload")
        }
        if workload == .intents {
            guard accounts == nil else { throw .badOption("intents: the senders are the solvers; use solvers, not accounts") }
            guard resolvedSolvers >= 1, resolvedSolvers <= 1_000 else {
                throw .badOption("solvers must be in 1...1000, got \(resolvedSolvers)")
            }
            guard resolvedBatchSize >= 1, resolvedBatchSize <= 32 else {
                throw .badOption("batch-size must be in 1...32 (the Settler's DynArray bound), got \(resolvedBatchSize)")
            }
            guard resolvedUsers >= 1, resolvedUsers <= 100_000 else {
                throw .badOption("users must be in 1...100000, got \(resolvedUsers)")
            }
        } else if users != nil || solvers != nil || batchSize != nil {
            throw .badOption("users, solvers and batch-size are knobs of the intents workload")
        }
        if workload == .uniswap, contractsDirectory == nil {
            throw .badOption("the uniswap workload needs --contracts DIR (the production bytecode, e.g. shared/vectors/contracts)")
        }
    }

    /// The knobs as `metadata.json` records them (with the defaults filled in), keys sorted when written.
    public var metadata: [String: String] {
        var m: [String: String] = [
            "generator": "lockstep generate",
            "workload": workload.rawValue,
            "txs": String(transactions),
            "seed": String(seed),
            "accounts": String(resolvedAccounts),
            "hotRatio": String(resolvedHotRatio),
            "hotSet": String(resolvedHotSet),
            "dependencyDistance": String(dependencyDistance),
            "invalidRatio": String(invalidRatio),
            "revertRatio": String(revertRatio),
            "fork": fork.name,
        ]
        if workload == .compute || workload == .mixed { m["computeRounds"] = String(computeRounds) }
        if workload == .delegations {
            m["changeRatio"] = String(resolvedChangeRatio)
            m["callDistance"] = String(resolvedCallDistance)
        }
        if workload == .intents {
            m["users"] = String(resolvedUsers)
            m["solvers"] = String(resolvedSolvers)
            m["batchSize"] = String(resolvedBatchSize)
        }
        m["command"] = commandLine
        return m
    }

    /// The `lockstep generate` arguments that rebuild this block. `--fork` is written for every fork but Cancun:
    /// the committed Cancun vectors were recorded before the option existed and stay byte for byte as they are
    /// (their `metadata.json` names the fork).
    public var commandLine: String {
        var parts = ["lockstep generate", "--workload \(workload.rawValue)", "--txs \(transactions)", "--seed \(seed)"]
        if fork != .cancun { parts.append("--fork \(fork.name)") }
        if workload == .intents {
            parts += ["--solvers \(resolvedSolvers)", "--users \(resolvedUsers)", "--batch-size \(resolvedBatchSize)"]
        } else {
            parts.append("--accounts \(resolvedAccounts)")
        }
        parts += ["--hot-ratio \(resolvedHotRatio)", "--hot-set \(resolvedHotSet)",
                  "--dependency-distance \(dependencyDistance)", "--invalid-ratio \(invalidRatio)",
                  "--revert-ratio \(revertRatio)"]
        if workload == .delegations {
            parts += ["--change-ratio \(resolvedChangeRatio)", "--call-distance \(resolvedCallDistance)"]
        }
        if workload == .compute || workload == .mixed { parts.append("--compute-rounds \(computeRounds)") }
        if workload == .uniswap { parts.append("--contracts DIR") }
        return parts.joined(separator: " ")
    }

    /// A short directory name: workload, size, hot ratio and the non-default knobs, e.g. `erc20-n100-hot0.5`.
    public var vectorName: String {
        var name = "\(workload.rawValue)-n\(transactions)-hot\(resolvedHotRatio)"
        if hotSet != nil, resolvedHotSet != workload.defaultHotSet { name += "-set\(resolvedHotSet)" }
        if dependencyDistance > 0 { name += "-dep\(dependencyDistance)" }
        if invalidRatio > 0 { name += "-inv\(invalidRatio)" }
        if revertRatio > 0 { name += "-rev\(revertRatio)" }
        if accounts != nil, resolvedAccounts != max(transactions, 1) { name += "-acc\(resolvedAccounts)" }
        if changeRatio != nil { name += "-chg\(resolvedChangeRatio)" }
        if callDistance != nil { name += "-dist\(resolvedCallDistance)" }
        if users != nil { name += "-users\(resolvedUsers)" }
        if solvers != nil { name += "-solv\(resolvedSolvers)" }
        if batchSize != nil { name += "-batch\(resolvedBatchSize)" }
        return name
    }

    /// Where the vector lives under `Vectors/blocks/`: the name for Cancun (the original set), and
    /// `<fork>/<name>` (fork in lower case, e.g. `bpo2/erc20-n50-hot0.5`) for later forks.
    public var relativePath: String {
        fork == .cancun ? vectorName : fork.name.lowercased() + "/" + vectorName
    }
}

/// Why a block could not be generated.
public enum GeneratorError: Error, Equatable, CustomStringConvertible {
    case badOption(String)
    /// The uniswap bytecode directory lacks a file or holds something that is not hex.
    case contracts(String)

    public var description: String {
        switch self {
        case .badOption(let m): return "bad generator option: \(m)"
        case .contracts(let m): return "uniswap contracts: \(m)"
        }
    }
}
