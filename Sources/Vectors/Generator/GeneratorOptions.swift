import EVMPrimitives

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
        case .payments: return 0.7
        case .counter, .nftMint, .uniswap: return 1
        case .compute: return 0
        }
    }

    /// Default size of the hot set (recipients, pools, merchants, counter keys, collections or salts).
    public var defaultHotSet: Int {
        switch self {
        case .transfers, .erc20: return 8
        case .amm: return 2
        case .payments, .deploy, .mixed: return 4
        case .counter, .nftMint, .compute, .uniswap: return 1
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

    public init(workload: Workload, transactions: Int, seed: UInt64, accounts: Int? = nil, hotRatio: Double? = nil,
                hotSet: Int? = nil, dependencyDistance: Int = 0, invalidRatio: Double = 0, revertRatio: Double = 0,
                computeRounds: Int = 64, contractsDirectory: String? = nil) {
        self.workload = workload; self.transactions = transactions; self.seed = seed; self.accounts = accounts
        self.hotRatio = hotRatio; self.hotSet = hotSet; self.dependencyDistance = dependencyDistance
        self.invalidRatio = invalidRatio; self.revertRatio = revertRatio; self.computeRounds = computeRounds
        self.contractsDirectory = contractsDirectory
    }

    public var resolvedHotRatio: Double { hotRatio ?? workload.defaultHotRatio }
    public var resolvedHotSet: Int { hotSet ?? workload.defaultHotSet }
    public var resolvedAccounts: Int { accounts ?? max(transactions, 1) }

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
            "fork": "Cancun",
        ]
        if workload == .compute || workload == .mixed { m["computeRounds"] = String(computeRounds) }
        m["command"] = commandLine
        return m
    }

    /// The `lockstep generate` arguments that rebuild this block.
    public var commandLine: String {
        var parts = ["lockstep generate", "--workload \(workload.rawValue)", "--txs \(transactions)", "--seed \(seed)",
                     "--accounts \(resolvedAccounts)", "--hot-ratio \(resolvedHotRatio)", "--hot-set \(resolvedHotSet)",
                     "--dependency-distance \(dependencyDistance)", "--invalid-ratio \(invalidRatio)",
                     "--revert-ratio \(revertRatio)"]
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
        return name
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
