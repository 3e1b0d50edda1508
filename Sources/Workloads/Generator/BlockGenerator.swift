import EVMPrimitives
import EVMState
import Execution
import Keccak
import Vectors

/// A generated block: the vector (pre-state, environment, transactions with senders, metadata) and the secret key
/// of every sender, which a writer needs to sign the transactions.
public struct GeneratedBlock: Sendable {
    public var vector: BlockVector
    /// Secret key (32 bytes) of every account that sends a transaction.
    public var secretKeys: [Address: [UInt8]]
    /// Per transaction: what the recipe meant it to do (`transfer`, `swap`, ...), `invalid:<why>` for rejected
    /// ones, and whether it is hot and expected to revert.
    public var roles: [GeneratedTransactionRole]
}

/// What the generator intended for one transaction, so tests can check that the block does what it says.
public struct GeneratedTransactionRole: Sendable, Equatable {
    public var kind: String
    public var hot: Bool
    /// Expected to fail (included, pays gas): asked to revert, or a CREATE2 collision.
    public var reverts: Bool
    /// Why it must be rejected, or nil when it must be included.
    public var invalid: String?
}

/// Seeded block generator for the conflict-heavy workloads (`lockstep generate`).
///
/// Same options, same block: every choice comes from one `GeneratorRandom` stream seeded by the seed and the
/// workload's name, accounts and keys are pure functions of their role, and no dictionary order reaches the
/// output (the writer sorts).
public enum BlockGenerator {
    /// Base fee of every generated block: 1 gwei.
    public static let baseFee = UInt256(1_000_000_000)

    /// Why an invalid transaction is rejected; each one breaks exactly one validity rule.
    enum InvalidKind: String, CaseIterable {
        case nonceTooHigh = "nonce-too-high"
        case nonceTooLow = "nonce-too-low"
        case insufficientFunds = "insufficient-funds"
        case intrinsicGasTooLow = "intrinsic-gas-too-low"
        case feeCapBelowBaseFee = "fee-cap-below-base-fee"
    }

    public static func generate(_ options: GeneratorOptions) throws(GeneratorError) -> GeneratedBlock {
        try options.validate()
        var world = GeneratorWorld(options: options)
        var recipe: any WorkloadRecipe
        switch options.workload {
        case .transfers: recipe = TransfersRecipe()
        case .erc20: recipe = ERC20Recipe()
        case .amm: recipe = AMMRecipe()
        case .payments: recipe = PaymentsRecipe()
        case .counter: recipe = CounterRecipe()
        case .nftMint: recipe = NFTMintRecipe()
        case .deploy: recipe = DeployRecipe()
        case .compute: recipe = ComputeRecipe()
        case .mixed: recipe = MixedRecipe()
        case .uniswap: recipe = try UniswapRecipe(directory: options.contractsDirectory ?? "")
        case .delegations: recipe = DelegationsRecipe()
        case .intents: recipe = IntentsRecipe()
        }
        if options.fork >= .prague {
            // The system contracts every Prague block calls (EIP-7002 and EIP-7251 must have code, or the block
            // is invalid), at their final addresses.
            for c in SystemContracts.contracts(for: options.fork) { world.install(Code(c.code), at: c.address) }
        }

        let n = options.transactions
        // Exact counts, not coin flips: a block at hot ratio 0.5 has exactly half its transactions hot.
        func count(_ ratio: Double) -> Int { min(n, Int((ratio * Double(n)).rounded())) }
        let invalidCount = count(options.invalidRatio)
        let revertCount = min(n - invalidCount, count(options.revertRatio))
        let order = world.rng.sample(n, of: n)
        let invalid = Set(order.prefix(invalidCount))
        let reverting = Set(order.dropFirst(invalidCount).prefix(revertCount))
        let hot = Set(world.rng.sample(count(options.resolvedHotRatio), of: n))

        // Senders: the accounts in a seeded order, each used once before any is reused.
        let senderCount = options.resolvedAccounts
        var senderOrder: [Int] = []
        senderOrder.reserveCapacity(senderCount)
        for k in 0..<senderCount { senderOrder.append(world.account("sender/\(k)")) }
        let permutation = world.rng.sample(senderCount, of: senderCount)
        recipe.prepare(&world)

        var senderOf: [Int] = []
        var transactions: [Transaction] = []
        var roles: [GeneratedTransactionRole] = []
        var kinds: [String: Int] = [:]
        var nextSender = 0
        for i in 0..<n {
            let chosen: Int
            if options.dependencyDistance > 0, i >= options.dependencyDistance {
                chosen = senderOf[i - options.dependencyDistance]
            } else {
                chosen = senderOrder[permutation[nextSender % senderCount]]
                nextSender += 1
            }
            let role = TransactionRole(index: i, hot: hot.contains(i), revert: reverting.contains(i),
                                       invalid: invalid.contains(i), sender: chosen)
            let call = recipe.call(role, &world)
            let sender = call.sender ?? chosen
            senderOf.append(sender)
            let address = world.address(sender)
            var tx = call.authorizations.isEmpty
                ? makeTransaction(call, sender: address, nonce: world.nonce(address), rng: &world.rng)
                : makeSetCodeTransaction(call, sender: address, nonce: world.nonce(address), world: &world)
            var why: String? = nil
            if invalid.contains(i) {
                let kind = InvalidKind.allCases[world.rng.below(InvalidKind.allCases.count)]
                why = invalidate(&tx, kind)
            } else {
                world.nonces[address] = world.nonce(address) + 1
                // EIP-7702: each authorisation whose nonce is the authority's current one applies and bumps it.
                for a in call.authorizations where a.nonce == world.nonce(world.address(a.authority)) {
                    world.nonces[world.address(a.authority)] = a.nonce + 1
                }
            }
            transactions.append(tx)
            let kind = why.map { "invalid:\($0)" } ?? call.kind
            kinds[kind, default: 0] += 1
            roles.append(GeneratedTransactionRole(kind: call.kind, hot: role.hot, reverts: (role.revert || call.fails) && why == nil,
                                                  invalid: why))
        }

        let gasSum = transactions.reduce(UInt64(0)) { $0 + $1.gasLimit }
        var env = BlockEnvironment(
            coinbase: ContractAddress.coinbase,
            // Room for every transaction's gas limit, so no transaction is rejected for block gas.
            gasLimit: max(30_000_000, (gasSum / 1_000_000 + 1) * 1_000_000),
            number: 1, timestamp: 1_700_000_000 + (options.seed % 1_000_000),
            prevRandao: Keccak256.hash(Array("lockstep-generator/randao".utf8) + UInt256(options.seed).bigEndianBytes).word,
            baseFee: baseFee, excessBlobGas: 0,
            parentBeaconBlockRoot: Keccak256.hash(Array("lockstep-generator/beacon".utf8) + UInt256(options.seed).bigEndianBytes),
            chainId: 1,
            // Two withdrawals (EIP-4895): one to a hot-side account, one to a fresh address.
            withdrawals: [
                Withdrawal(index: 0, validatorIndex: 7, address: world.address(senderOrder[0]), amount: 1_000_000),
                Withdrawal(index: 1, validatorIndex: 8, address: world.freshAddress(), amount: 32),
            ])

        if options.fork >= .prague {
            // EIP-2935 stores the parent's hash: give it one (t8n tools read it from blockHashes).
            env.blockHashes[0] = Keccak256.hash(Array("lockstep-generator/parent".utf8) + UInt256(options.seed).bigEndianBytes)
        }
        var metadata = options.metadata
        metadata["hotTransactions"] = String(hot.count)
        metadata["invalidTransactions"] = String(invalidCount)
        metadata["revertTransactions"] = String(revertCount)
        metadata["kinds"] = kinds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var keys: [Address: [UInt8]] = [:]
        for i in Set(senderOf) { keys[world.accounts[i].address] = world.accounts[i].secretKey }
        let vector = BlockVector(name: options.vectorName, path: options.relativePath, fork: options.fork, pre: world.pre,
                                 env: env, transactions: transactions, metadata: metadata)
        return GeneratedBlock(vector: vector, secretKeys: keys, roles: roles)
    }

    /// Wraps a call into a transaction of a seeded type: legacy with EIP-155 (20%), EIP-2930 (10%) or EIP-1559
    /// (70%), tips of 1 to 3 gwei, and for typed ones with access keys an access list (EIP-2930).
    static func makeTransaction(_ call: WorkloadCall, sender: Address, nonce: UInt64, rng: inout GeneratorRandom) -> Transaction {
        let roll = rng.below(10)
        let type: TransactionType = roll < 2 ? .legacy : (roll < 3 ? .accessList : .dynamicFee)
        let tip = UInt256(rng.between(1, 3) * 1_000_000_000)
        var accessList: [AccessListEntry] = []
        if type != .legacy, let to = call.to, !call.accessKeys.isEmpty, type == .accessList || rng.percent(30) {
            accessList = [AccessListEntry(address: to, storageKeys: call.accessKeys)]
        }
        var gas: UInt64 = 21_000 + call.executionGas
        if call.to == nil {
            gas += 32_000 + 2 * UInt64((call.data.count + 31) / 32)  // creation (EIP-2) and init-code words (EIP-3860)
        }
        for b in call.data { gas += b == 0 ? 4 : 16 }
        for e in accessList { gas += 2_400 + 1_900 * UInt64(e.storageKeys.count) }
        var tx = Transaction(type: type, chainId: 1, nonce: nonce, gasLimit: gas, to: call.to, value: call.value,
                             data: call.data, accessList: accessList, sender: sender)
        if type == .dynamicFee {
            tx.maxPriorityFeePerGas = tip
            tx.maxFeePerGas = baseFee &* UInt256(2) &+ tip
        } else {
            tx.gasPrice = baseFee &+ tip
        }
        return tx
    }

    /// Wraps a call that carries authorisations into an EIP-7702 set-code transaction (type 4): each
    /// authorisation signed by its authority's key, intrinsic gas for each (PER_EMPTY_ACCOUNT_COST), a tip of 1
    /// to 3 gwei.
    static func makeSetCodeTransaction(_ call: WorkloadCall, sender: Address, nonce: UInt64,
                                       world: inout GeneratorWorld) -> Transaction {
        let tip = UInt256(world.rng.between(1, 3) * 1_000_000_000)
        var gas: UInt64 = 21_000 + call.executionGas
            + TransactionProcessor.perEmptyAccountCost * UInt64(call.authorizations.count)
        for b in call.data { gas += b == 0 ? 4 : 16 }
        var tx = Transaction(type: .setCode, chainId: 1, nonce: nonce, gasLimit: gas, to: call.to, value: call.value,
                             data: call.data, accessList: [], sender: sender)
        tx.maxPriorityFeePerGas = tip
        tx.maxFeePerGas = baseFee &* UInt256(2) &+ tip
        tx.authorizationList = call.authorizations.map { a in
            GeneratorSigning.authorization(chainId: a.chainId, delegate: a.delegate, nonce: a.nonce,
                                           secretKey: world.accounts[a.authority].secretKey)
        }
        return tx
    }

    /// Breaks one validity rule of `tx` (Yellow Paper section 6.2, EIP-1559, EIP-3860); returns the reason.
    static func invalidate(_ tx: inout Transaction, _ kind: InvalidKind) -> String {
        switch kind {
        case .nonceTooHigh:
            tx.nonce += 1
        case .nonceTooLow:
            if tx.nonce == 0 { tx.nonce += 2; return InvalidKind.nonceTooHigh.rawValue }
            tx.nonce -= 1
        case .insufficientFunds:
            tx.value = UInt256.tenTo(30)
        case .intrinsicGasTooLow:
            tx.gasLimit = 20_999
        case .feeCapBelowBaseFee:
            if tx.type == .dynamicFee || tx.type == .setCode {
                tx.maxFeePerGas = baseFee &- UInt256.one
                tx.maxPriorityFeePerGas = .zero
            } else {
                tx.gasPrice = baseFee &- UInt256.one
            }
        }
        return kind.rawValue
    }
}
