import EVMPrimitives
import EVMState
import Execution
import Vectors

// The EIP-7702 workloads (Prague and later). A delegated EOA's code is the designator `0xef0100 || delegate`; a
// call to it runs the delegate's code in the EOA's own storage and balance. Setting, changing or clearing a
// delegation is a write of the EOA's code and nonce by a type-4 transaction (even one whose call reverts), so a
// later transaction that calls the EOA reads what an earlier one wrote.

/// `delegations`: EOAs (authorities) set, change and clear their delegations mid-block and are called by later
/// transactions.
///
/// - A share `changeRatio` of the transactions are type-4 changes, on a hot authority (Zipf over `hotSet`) or, for
///   cold ones, an authority of their own. An undelegated authority is set to DelegateWallet or DelegateWalletV2;
///   a delegated one changes to the other wallet (70%) or clears its delegation (30%). Half are self-sponsored
///   (the authority sends the transaction, so its authorisation carries its nonce + 1), half are sent by a sponsor;
///   sponsored ones sometimes also onboard a fresh EOA (30%) or carry a stale authorisation that must be skipped
///   (15%). Chain id 0 in 20% of authorisations. The transaction then calls the authority (`ping`), directly or
///   through the Router.
/// - The transaction `callDistance` positions after a change calls the authority that changed (0: none).
/// - Other transactions call a hot authority or a cold one (delegated in the pre-state): `ping` directly (40%),
///   `Router.poke` (30%: EXTCODEHASH and EXTCODESIZE of the designator, then the call), or `sponsored_pay` (30%):
///   the sender pays the gas and the authority's signature moves its ETH. A call to an authority whose delegation
///   is cleared runs no code.
/// - A reverting transaction sends value to the non-payable `ping` or `poke`; a reverting change keeps its
///   delegation.
struct DelegationsRecipe: WorkloadRecipe {
    static let wallet = ContractAddress.delegateWallet
    static let walletV2 = ContractAddress.delegateWalletV2
    static let router = ContractAddress.router
    static let ping = ABI.call("ping()", [])

    var hot: [Int] = []
    /// Current delegate of each authority (account index); absent when it has none.
    var delegate: [Int: Address] = [:]
    /// `pay_nonce` (slot 0 of the EOA's storage) of each authority.
    var payNonce: [Int: UInt64] = [:]
    var changes: Set<Int> = []
    /// Transaction index -> the authority it must call (`callDistance` after that authority's change).
    var scheduled: [Int: Int] = [:]

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.delegateWallet, at: Self.wallet)
        world.install(WorkloadContracts.delegateWalletV2, at: Self.walletV2)
        world.install(WorkloadContracts.router, at: Self.router)
        for k in 0..<world.hotSet {
            let a = world.account("delegations/authority/\(k)")
            hot.append(a)
            // Every other hot authority starts delegated (it signed an authorisation before this block).
            if k % 2 == 0 { delegateInPreState(&world, a, to: Self.wallet) }
        }
        let n = world.options.transactions
        let count = min(n, Int((world.options.resolvedChangeRatio * Double(n)).rounded()))
        changes = Set(world.rng.sample(count, of: n))
    }

    mutating func delegateInPreState(_ world: inout GeneratorWorld, _ a: Int, to target: Address) {
        world.install(Code.delegation(to: target), at: world.address(a))
        delegate[a] = target
    }

    /// An authority no other transaction touches, delegated in the pre-state (or not, when `delegated` is false).
    mutating func coldAuthority(_ world: inout GeneratorWorld, delegated: Bool) -> Int {
        let a = world.account("delegations/cold/\(world.unique())")
        if delegated { delegateInPreState(&world, a, to: world.rng.percent(50) ? Self.wallet : Self.walletV2) }
        return a
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        if changes.contains(role.index) { return change(role, &world) }
        let target: Int
        if let a = scheduled[role.index] {
            target = a
        } else if role.hot {
            target = hot[world.hotItem()]
        } else {
            target = coldAuthority(&world, delegated: true)
        }
        return callAuthority(target, role, &world)
    }

    mutating func change(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let a: Int
        if let s = scheduled[role.index] {
            a = s
        } else if role.hot {
            a = hot[world.hotItem()]
        } else {
            a = coldAuthority(&world, delegated: world.rng.percent(50))
        }
        let authority = world.address(a)
        let current = delegate[a]
        let next: Address
        if current == nil {
            next = world.rng.percent(50) ? Self.wallet : Self.walletV2
        } else if !role.revert && world.rng.percent(30) {
            next = .zero  // clears the delegation (EIP-7702: the zero address resets the code)
        } else {
            next = current == Self.wallet ? Self.walletV2 : Self.wallet
        }
        let selfSponsored = world.rng.percent(50)
        func chain(_ world: inout GeneratorWorld) -> UInt256 { world.rng.percent(20) ? .zero : .one }
        // The sender's nonce is bumped before the authorisations are processed.
        var auths = [PendingAuthorization(authority: a, delegate: next,
                                          nonce: world.nonce(authority) + (selfSponsored ? 1 : 0), chainId: chain(&world))]
        var onboarded: Int? = nil
        if !selfSponsored && world.rng.percent(30) {
            // A fresh EOA (not in the pre-state) delegates in the same transaction.
            let fresh = world.account("delegations/onboard/\(world.unique())", balance: .zero)
            auths.append(PendingAuthorization(authority: fresh, delegate: Self.wallet, nonce: 0, chainId: chain(&world)))
            onboarded = fresh
        }
        if !selfSponsored && hot.count > 1 && world.rng.percent(15) {
            // A stale authorisation (nonce ahead of the authority's): skipped, the transaction stays valid.
            var b = hot[world.rng.below(hot.count)]
            if b == a { b = hot[(hot.firstIndex(of: b)! + 1) % hot.count] }
            if b != a {
                auths.append(PendingAuthorization(authority: b, delegate: Self.walletV2,
                                                  nonce: world.nonce(world.address(b)) + 7, chainId: .one))
            }
        }
        if !role.invalid {
            if next == .zero { delegate[a] = nil } else { delegate[a] = next }
            if let o = onboarded { delegate[o] = Self.wallet }
            let d = world.options.resolvedCallDistance
            if d > 0, role.index + d < world.options.transactions, scheduled[role.index + d] == nil {
                scheduled[role.index + d] = a
            }
        }
        let viaRouter = world.rng.percent(40)
        let value: UInt256 = role.revert ? .one : .zero
        let kind = next == .zero ? "clear" : (current == nil ? "set" : "change")
        let how = selfSponsored ? "self" : "sponsored"
        if viaRouter {
            return WorkloadCall(to: Self.router, data: ABI.call("poke(address)", [.address(authority)]), value: value,
                                executionGas: 130_000, sender: selfSponsored ? a : nil, kind: "\(kind)-\(how)-poke",
                                authorizations: auths)
        }
        return WorkloadCall(to: authority, data: next == .zero ? [] : Self.ping, value: value, executionGas: 90_000,
                            sender: selfSponsored ? a : nil, kind: "\(kind)-\(how)", authorizations: auths)
    }

    mutating func callAuthority(_ a: Int, _ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let authority = world.address(a)
        let current = delegate[a]
        if role.revert {
            // Value to a non-payable function: `ping` on the delegate, or the Router when there is no code.
            if current != nil {
                return WorkloadCall(to: authority, data: Self.ping, value: .one, executionGas: 60_000, kind: "ping-value")
            }
            return WorkloadCall(to: Self.router, data: ABI.call("poke(address)", [.address(authority)]), value: .one,
                                executionGas: 60_000, kind: "poke-value")
        }
        let roll = world.rng.below(100)
        if roll < 40 {
            return WorkloadCall(to: authority, data: Self.ping, executionGas: 70_000,
                                kind: current == nil ? "call-undelegated" : "ping")
        }
        if roll < 70 {
            return WorkloadCall(to: Self.router, data: ABI.call("poke(address)", [.address(authority)]),
                                executionGas: 120_000, kind: "poke")
        }
        // A sponsored payment: the sender pays the gas, the authority's signature authorises the transfer.
        let to = world.freshAddress()
        let amount = UInt256(world.rng.between(1, 1_000_000_000_000_000))
        let nonce = payNonce[a] ?? 0
        let key = world.accounts[a].secretKey
        let sig = GeneratorSigning.signWords([.address(authority), .uint(.one), .address(to), .uint(amount), .uint(UInt256(nonce))],
                                             secretKey: key)
        if current != nil && !role.invalid { payNonce[a] = nonce + 1 }
        let data = ABI.call("sponsored_pay(address,uint256,uint256,uint8,bytes32,bytes32)",
                            [.address(to), .uint(amount), .uint(UInt256(nonce)), .uint(UInt256(UInt64(sig.v))),
                             .bytes32(sig.r), .bytes32(sig.s)])
        return WorkloadCall(to: authority, data: data, executionGas: 130_000,
                            kind: current == nil ? "sponsored-pay-undelegated" : "sponsored-pay")
    }
}

/// `intents`: the intent-centric payments pattern of smart-account wallets.
///
/// `users` EOAs hold a token and delegate (EIP-7702) to IntentAccount: half of them in the pre-state, the others
/// the first time a batch settles one of their intents (the solver's transaction is then a type-4 transaction
/// carrying their signed authorisations: onboarding sponsored by the solver). Each user signs payment intents
/// (merchant, amount, fee, its intent nonce). Each transaction is one solver's batch of `batchSize` intents sent to
/// the Settler, which calls each user's own account; the account checks the signature and nonce, pays the merchant
/// and reimburses the solver's gas with the fee, both in tokens. Hot batches pay the `hotSet` merchants (Zipf);
/// cold ones a merchant of their own per intent. Users are drawn uniformly, so a user's intents in different
/// batches conflict on its nonce and balance. A reverting batch holds one intent with a stale nonce: the whole
/// batch reverts, and its authorisations stay.
struct IntentsRecipe: WorkloadRecipe {
    static let token = ContractAddress.token
    static let account = ContractAddress.intentAccount
    static let settler = ContractAddress.settler
    static let settle = "settle(address,(address,address,uint256,uint256,uint256,uint8,bytes32,bytes32)[])"

    var merchants: [Address] = []
    /// Account index of each user created so far, by user number.
    var users: [Int: Int] = [:]
    var delegated: Set<Int> = []
    var intentNonce: [Int: UInt64] = [:]

    static func balanceSlot(_ a: Address) -> UInt256 { StorageSlot.vyper(0, a) }

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.token, at: Self.token)
        world.setStorage(Self.token, UInt256(2), UInt256.tenTo(30))  // totalSupply
        world.install(WorkloadContracts.intentAccount, at: Self.account)
        world.install(WorkloadContracts.settler, at: Self.settler)
        for k in 0..<world.hotSet {
            let m = world.accountAddress("intents/merchant/\(k)", balance: .zero)
            merchants.append(m)
            world.setStorage(Self.token, Self.balanceSlot(m), UInt256.tenTo(21))
        }
    }

    /// User `k`: created on first use with a token balance and no ETH (solvers pay the gas); half are delegated
    /// in the pre-state, with an intent nonce from earlier use.
    mutating func user(_ k: Int, _ world: inout GeneratorWorld) -> Int {
        if let u = users[k] { return u }
        let u = world.account("intents/user/\(k)", balance: .zero)
        users[k] = u
        let address = world.address(u)
        world.setStorage(Self.token, Self.balanceSlot(address), UInt256.tenTo(24))
        if world.rng.percent(50) {
            world.install(Code.delegation(to: Self.account), at: address)
            delegated.insert(u)
            let used = UInt64(world.rng.below(4))
            intentNonce[u] = used
            if used > 0 { world.setStorage(address, .zero, UInt256(used)) }
        }
        return u
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let solver = world.address(role.sender)
        if world.storage(Self.token, Self.balanceSlot(solver)).isZero {
            world.setStorage(Self.token, Self.balanceSlot(solver), UInt256.tenTo(21))
        }
        let size = world.options.resolvedBatchSize
        let stale = role.revert ? world.rng.below(size) : -1
        var auths: [PendingAuthorization] = []
        var onboarding: [Int] = []
        var nonces: [Int: UInt64] = [:]
        var data = ABI.selector(Self.settle)
        data += ABI.Word.address(Self.token).encoded + UInt256(64).bigEndianBytes + UInt256(UInt64(size)).bigEndianBytes
        for j in 0..<size {
            let u = user(world.rng.below(world.options.resolvedUsers), &world)
            let address = world.address(u)
            if !delegated.contains(u) && !onboarding.contains(u) {
                auths.append(PendingAuthorization(authority: u, delegate: Self.account, nonce: world.nonce(address),
                                                  chainId: world.rng.percent(20) ? .zero : .one))
                onboarding.append(u)
            }
            let merchant = role.hot ? merchants[world.hotItem()] : world.freshAddress()
            let amount = UInt256(world.rng.between(1_000_000, 1_000_000_000_000_000_000))
            let fee = UInt256(world.rng.between(1_000, 1_000_000_000_000_000))
            var nonce = nonces[u] ?? intentNonce[u] ?? 0
            nonces[u] = nonce + 1
            if j == stale { nonce += 1 }  // not the account's next nonce: the account reverts, so does the batch
            let sig = GeneratorSigning.signWords(
                [.address(address), .uint(.one), .address(Self.token), .address(merchant), .uint(amount), .uint(fee),
                 .uint(UInt256(nonce))], secretKey: world.accounts[u].secretKey)
            for w: ABI.Word in [.address(address), .address(merchant), .uint(amount), .uint(fee), .uint(UInt256(nonce)),
                                .uint(UInt256(UInt64(sig.v))), .bytes32(sig.r), .bytes32(sig.s)] {
                data += w.encoded
            }
        }
        if !role.invalid {
            // Authorisations apply even when the batch reverts; intents only when it succeeds.
            for u in onboarding { delegated.insert(u) }
            if !role.revert { for (u, n) in nonces { intentNonce[u] = n } }
        }
        return WorkloadCall(to: Self.settler, data: data, executionGas: 60_000 + 130_000 * UInt64(size),
                            kind: auths.isEmpty ? "settle" : "settle-onboard", authorizations: auths)
    }
}
