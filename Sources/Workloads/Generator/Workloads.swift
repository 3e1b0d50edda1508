import EVMPrimitives
import EVMState
import Execution
import Vectors

// One recipe per workload. Hot transactions touch the hot set (Zipf-skewed over its items); cold ones touch
// state that no other transaction touches, so at hot ratio 0 a block has no conflicts beyond what
// `dependencyDistance` and sender reuse add.

/// ETH transfers: hot ones pay a few hot recipients, cold ones a fresh address (the transfer creates it).
/// A reverting transfer sends value to the Counter contract, which has no payable fallback.
struct TransfersRecipe: WorkloadRecipe {
    var recipients: [Address] = []

    mutating func prepare(_ world: inout GeneratorWorld) {
        for k in 0..<world.hotSet {
            recipients.append(world.accountAddress("transfers/recipient/\(k)", balance: UInt256.tenTo(18)))
        }
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let value = UInt256(world.rng.between(1, 1_000_000_000_000_000))
        if role.revert {
            if world.pre.accounts[ContractAddress.counter] == nil {
                world.install(WorkloadContracts.counter, at: ContractAddress.counter)
            }
            return WorkloadCall(to: ContractAddress.counter, data: [], value: value, executionGas: 30_000,
                                kind: "transfer-to-contract")
        }
        let to = role.hot ? recipients[world.hotItem()] : world.freshAddress()
        return WorkloadCall(to: to, data: [], value: value, executionGas: 0, kind: "transfer")
    }
}

/// ERC-20 `transfer` (70%) and `transferFrom` (30%) on the project's Token. Hot transactions credit (or spend
/// from) a few hot holders; cold ones a fresh address. A reverting one overdraws.
struct ERC20Recipe: WorkloadRecipe {
    static let token = ContractAddress.token
    var holders: [Address] = []

    static func balanceSlot(_ a: Address) -> UInt256 { StorageSlot.vyper(0, a) }
    static func allowanceSlot(owner: Address, spender: Address) -> UInt256 {
        StorageSlot.vyper(StorageSlot.vyper(1, owner), spender.word)
    }

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.token, at: Self.token)
        world.setStorage(Self.token, UInt256(2), UInt256.tenTo(30))  // totalSupply
        for k in 0..<world.hotSet {
            let holder = world.accountAddress("erc20/holder/\(k)", balance: UInt256.tenTo(18))
            holders.append(holder)
            world.setStorage(Self.token, Self.balanceSlot(holder), UInt256.tenTo(27))
        }
    }

    mutating func fund(_ world: inout GeneratorWorld, _ a: Address) {
        let slot = Self.balanceSlot(a)
        if world.storage(Self.token, slot).isZero { world.setStorage(Self.token, slot, UInt256.tenTo(24)) }
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let sender = world.address(role.sender)
        fund(&world, sender)
        let amount = role.revert ? UInt256.tenTo(30) : UInt256(world.rng.between(1, 1_000_000_000_000_000_000))
        if world.rng.percent(30) {
            // transferFrom: the sender spends an allowance that the owner granted it in the pre-state.
            let owner = role.hot ? holders[world.hotItem()] : world.freshAddress()
            if !role.hot { world.setStorage(Self.token, Self.balanceSlot(owner), UInt256.tenTo(24)) }
            world.addStorage(Self.token, Self.allowanceSlot(owner: owner, spender: sender), UInt256.tenTo(24))
            let to = world.freshAddress()
            let data = ABI.call("transferFrom(address,address,uint256)", [.address(owner), .address(to), .uint(amount)])
            return WorkloadCall(to: Self.token, data: data, executionGas: 90_000,
                                accessKeys: [Self.balanceSlot(owner)], kind: "transferFrom")
        }
        let to = role.hot ? holders[world.hotItem()] : world.freshAddress()
        let data = ABI.call("transfer(address,uint256)", [.address(to), .uint(amount)])
        return WorkloadCall(to: Self.token, data: data, executionGas: 60_000, accessKeys: [Self.balanceSlot(sender)],
                            kind: "transfer")
    }
}

/// Constant-product swaps: hot ones on the first `hotSet` pools, cold ones on a pool of their own.
/// A reverting swap asks for more output than the pool can give (slippage).
struct AMMRecipe: WorkloadRecipe {
    static let pool = ContractAddress.pool
    static let reserve = UInt256.tenTo(24)

    static func reserveSlots(_ id: UInt64) -> (UInt256, UInt256) {
        (StorageSlot.vyper(UInt256(0), UInt256(id)), StorageSlot.vyper(UInt256(1), UInt256(id)))
    }

    mutating func open(_ world: inout GeneratorWorld, _ id: UInt64) {
        let (r0, r1) = Self.reserveSlots(id)
        world.setStorage(Self.pool, r0, Self.reserve)
        world.setStorage(Self.pool, r1, Self.reserve &+ UInt256(id))
    }

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.pool, at: Self.pool)
        for k in 0..<world.hotSet { open(&world, UInt64(k)) }
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let trader = world.address(role.sender)
        for slot in [StorageSlot.vyper(2, trader), StorageSlot.vyper(3, trader)] where world.storage(Self.pool, slot).isZero {
            world.setStorage(Self.pool, slot, UInt256.tenTo(22))
        }
        let id: UInt64
        if role.hot {
            id = UInt64(world.hotItem())
        } else {
            id = 1_000_000 + world.unique()
            open(&world, id)
        }
        let zeroForOne = world.rng.percent(50)
        let amountIn = UInt256(world.rng.between(1_000_000_000_000_000, 1_000_000_000_000_000_000))
        let minOut = role.revert ? UInt256.tenTo(30) : .zero
        let data = ABI.call("swap(uint256,bool,uint256,uint256)", [.uint(UInt256(id)), .bool(zeroForOne), .uint(amountIn), .uint(minOut)])
        let (r0, r1) = Self.reserveSlots(id)
        return WorkloadCall(to: Self.pool, data: data, executionGas: 120_000, accessKeys: [r0, r1], kind: "swap")
    }
}

/// Many payers, few merchants: `pay` (55%), `pay_batch` to 2-4 merchants (15%), merchant-sent `refund` (15%) and
/// subscription `charge` (15%). Hot transactions involve the hot merchants; cold ones a merchant of their own.
/// A reverting payment spends more than the payer deposited.
struct PaymentsRecipe: WorkloadRecipe {
    static let contract = ContractAddress.payments
    var merchants: [Int] = []

    static func balanceSlot(_ a: Address) -> UInt256 { StorageSlot.vyper(0, a) }
    static func paidSlot(payer: Address, merchant: Address) -> UInt256 {
        StorageSlot.vyper(StorageSlot.vyper(1, payer), merchant.word)
    }
    static func subscriptionSlot(subscriber: Address, merchant: Address) -> UInt256 {
        StorageSlot.vyper(StorageSlot.vyper(2, subscriber), merchant.word)
    }

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.payments, at: Self.contract, balance: UInt256.tenTo(24))
        for k in 0..<world.hotSet {
            let m = world.account("payments/merchant/\(k)")
            merchants.append(m)
            world.setStorage(Self.contract, Self.balanceSlot(world.address(m)), UInt256.tenTo(21))
        }
    }

    mutating func deposit(_ world: inout GeneratorWorld, _ a: Address) {
        let slot = Self.balanceSlot(a)
        if world.storage(Self.contract, slot).isZero { world.setStorage(Self.contract, slot, UInt256.tenTo(21)) }
    }

    mutating func merchant(_ role: TransactionRole, _ world: inout GeneratorWorld) -> Int {
        if role.hot { return merchants[world.hotItem()] }
        let m = world.account("payments/cold-merchant/\(world.unique())")
        deposit(&world, world.address(m))
        return m
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let payer = world.address(role.sender)
        deposit(&world, payer)
        let amount = role.revert ? UInt256.tenTo(30) : UInt256(world.rng.between(1_000, 1_000_000_000_000))
        let roll = world.rng.below(100)
        if roll < 55 || role.revert {
            let mIndex = merchant(role, &world)
            let m = world.address(mIndex)
            let data = ABI.call("pay(address,uint256)", [.address(m), .uint(amount)])
            return WorkloadCall(to: Self.contract, data: data, executionGas: 110_000, kind: "pay")
        }
        if roll < 70 {
            let n = 2 + world.rng.below(3)
            var ms: [Address] = [], amounts: [UInt256] = []
            for _ in 0..<n {
                let mIndex = merchant(role, &world)
                ms.append(world.address(mIndex))
                amounts.append(UInt256(world.rng.between(1_000, 1_000_000_000)))
            }
            let data = ABI.call("pay_batch(address[],uint256[])", addresses: ms, amounts: amounts)
            return WorkloadCall(to: Self.contract, data: data, executionGas: 40_000 + 90_000 * UInt64(n),
                                kind: "pay_batch")
        }
        let m = merchant(role, &world)
        let mAddress = world.address(m)
        if roll < 85 {
            // Refund: the merchant returns part of what this payer paid it earlier (recorded in the pre-state).
            world.addStorage(Self.contract, Self.paidSlot(payer: payer, merchant: mAddress), amount)
            let data = ABI.call("refund(address,uint256)", [.address(payer), .uint(amount)])
            return WorkloadCall(to: Self.contract, data: data, executionGas: 80_000, sender: m, kind: "refund")
        }
        // Subscription charge: the merchant pulls the price the payer subscribed to.
        world.setStorage(Self.contract, Self.subscriptionSlot(subscriber: payer, merchant: mAddress), amount)
        let data = ABI.call("charge(address)", [.address(payer)])
        return WorkloadCall(to: Self.contract, data: data, executionGas: 110_000, sender: m, kind: "charge")
    }
}

/// Counter increments: hot ones on the first `hotSet` keys (one key: fully serial), cold ones on a key of their
/// own. A reverting one sends value to the non-payable function.
struct CounterRecipe: WorkloadRecipe {
    static let contract = ContractAddress.counter

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.counter, at: Self.contract)
        // Hot counters start non-zero: increments update a slot rather than create it.
        for k in 0..<world.hotSet {
            world.setStorage(Self.contract, StorageSlot.vyper(UInt256(0), UInt256(UInt64(k))), UInt256(UInt64(1_000 + k)))
        }
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let key = role.hot ? UInt64(world.hotItem()) : (1 << 32) + world.unique()
        let data = ABI.call("increment(uint256)", [ABI.uint(key)])
        return WorkloadCall(to: Self.contract, data: data, value: role.revert ? .one : .zero, executionGas: 50_000,
                            accessKeys: [StorageSlot.vyper(UInt256(0), UInt256(key))], kind: "increment")
    }
}

/// NFT mints: hot ones `mint()` the next sequential id on one of `hotSet` collections; cold ones `claim` a
/// high id of their own. A reverting one claims an id that the pre-state already assigns.
struct NFTMintRecipe: WorkloadRecipe {
    static let takenBase = UInt256(1) << 200

    mutating func prepare(_ world: inout GeneratorWorld) {
        let owner = world.accountAddress("nft/early-owner", balance: UInt256.tenTo(18))
        for k in 0..<world.hotSet {
            let c = ContractAddress.collectible(k)
            world.install(WorkloadContracts.collectible, at: c)
            world.setStorage(c, .zero, UInt256(1))  // next_id starts at 1
        }
        // Ids a reverting claim collides with.
        let c0 = ContractAddress.collectible(0)
        for j in 0..<4 {
            world.setStorage(c0, StorageSlot.vyper(UInt256(1), Self.takenBase &+ UInt256(UInt64(j))), owner.word)
        }
        world.setStorage(c0, StorageSlot.vyper(2, owner), UInt256(4))
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        if role.revert {
            let id = Self.takenBase &+ UInt256(UInt64(world.rng.below(4)))
            return WorkloadCall(to: ContractAddress.collectible(0), data: ABI.call("claim(uint256)", [.uint(id)]),
                                executionGas: 60_000, kind: "claim-taken")
        }
        if role.hot {
            return WorkloadCall(to: ContractAddress.collectible(world.hotItem()), data: ABI.call("mint()", []),
                                executionGas: 110_000, accessKeys: [.zero], kind: "mint")
        }
        let id = (UInt256(1) << 128) &+ world.rng.word() >> 130
        return WorkloadCall(to: ContractAddress.collectible(0), data: ABI.call("claim(uint256)", [.uint(id)]),
                            executionGas: 90_000, kind: "claim")
    }
}

/// Deployments. Hot: `Factory.deploy` on one of `hotSet` salts, with init code that self-destructs in its
/// constructor (80%: EIP-6780 deletes the account at the end of the transaction, so the next deploy on that salt
/// recreates the same address) or that stays (20%: the next such deploy on that salt collides, EIP-684, and the
/// transaction fails: the collision consumes the gas given to the creation and the factory runs out of gas
/// writing the zero address over the child's; the hot item then moves to a fresh salt). Every factory deploy
/// bumps the factory's nonce, so hot deploys conflict whatever their salt. Cold: creation
/// transactions, 60% deploying a small contract and 40% self-destructing in the creating transaction (the value
/// goes to a fresh beneficiary). A reverting one is a creation whose init code reverts.
struct DeployRecipe: WorkloadRecipe {
    static let factory = ContractAddress.factory
    /// Salts whose persistent-child CREATE2 address is taken: the next persistent deploy on them collides.
    var occupied: Set<UInt256> = []
    /// Per hot item, how many of its salts a persistent child has taken; the item moves on to a new salt after
    /// one collision, so collisions stay rare and redeploys (after a self-destruct) stay common.
    var generation: [Int: UInt64] = [:]

    /// Runtime: returns storage slot 0. `PUSH0 SLOAD PUSH0 MSTORE PUSH1 32 PUSH0 RETURN`.
    static let childRuntime: [UInt8] = [0x5f, 0x54, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3]

    /// Init code that stores CALLVALUE + 42 at slot 0 and deploys `childRuntime`:
    /// `PUSH1 42 CALLVALUE ADD PUSH0 SSTORE PUSH1 len PUSH1 off PUSH0 CODECOPY PUSH1 len PUSH0 RETURN runtime`.
    static let persistentInit: [UInt8] = {
        let header: [UInt8] = [0x60, 0x2a, 0x34, 0x01, 0x5f, 0x55,
                               0x60, UInt8(childRuntime.count), 0x60, 0x00, 0x5f, 0x39,
                               0x60, UInt8(childRuntime.count), 0x5f, 0xf3]
        var code = header
        code[9] = UInt8(header.count)  // CODECOPY source offset: right after the header
        return code + childRuntime
    }()

    /// Init code that self-destructs to its creator: `CALLER SELFDESTRUCT`.
    static let mortalInit: [UInt8] = [0x33, 0xff]

    /// Init code that self-destructs to `beneficiary`: `PUSH20 beneficiary SELFDESTRUCT`.
    static func mortalInit(to beneficiary: Address) -> [UInt8] { [0x73] + beneficiary.bytes + [0xff] }

    /// Init code that reverts: `PUSH0 PUSH0 REVERT`.
    static let revertingInit: [UInt8] = [0x5f, 0x5f, 0xfd]

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.factory, at: Self.factory)
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        if role.revert {
            return WorkloadCall(to: nil, data: Self.revertingInit, executionGas: 60_000, kind: "create-revert")
        }
        if role.hot {
            let item = world.hotItem()
            let salt = UInt256(UInt64(item + 1)) | (UInt256(generation[item, default: 0]) << 64)
            let mortal = world.rng.percent(80)
            let data = ABI.call("deploy(bytes32,bytes)", word: salt, bytes: mortal ? Self.mortalInit : Self.persistentInit)
            let value = mortal ? UInt256(world.rng.between(1, 1_000_000)) : .zero
            // CREATE2 addresses hash the init code too: only a persistent deploy can land on a persistent child.
            let collides = !mortal && occupied.contains(salt)
            if !role.invalid {
                if collides { generation[item, default: 0] += 1 } else if !mortal { occupied.insert(salt) }
            }
            return WorkloadCall(to: Self.factory, data: data, value: value, executionGas: 200_000,
                                kind: collides ? "create2-collision" : (mortal ? "create2-selfdestruct" : "create2"),
                                fails: collides)
        }
        if world.rng.percent(60) {
            let value = world.rng.percent(50) ? UInt256(world.rng.between(1, 1_000_000)) : .zero
            return WorkloadCall(to: nil, data: Self.persistentInit, value: value, executionGas: 90_000, kind: "create")
        }
        let value = UInt256(world.rng.between(1, 1_000_000))
        return WorkloadCall(to: nil, data: Self.mortalInit(to: world.freshAddress()), value: value,
                            executionGas: 60_000, kind: "create-selfdestruct")
    }
}

/// CPU-heavy calls: `Compute.work` hashes `computeRounds/2...computeRounds` times and stores the digest under the
/// caller. Hot ones also bump one shared total; a reverting one fails after doing all the work.
struct ComputeRecipe: WorkloadRecipe {
    static let contract = ContractAddress.compute

    mutating func prepare(_ world: inout GeneratorWorld) {
        world.install(WorkloadContracts.compute, at: Self.contract)
        world.setStorage(Self.contract, UInt256(1), UInt256(7))  // total starts non-zero
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let maxRounds = UInt64(world.options.computeRounds)
        let rounds = world.rng.between(max(1, maxRounds / 2), maxRounds)
        let data = ABI.call("work(uint256,bytes32,bool,bool)",
                            [ABI.uint(rounds), .bytes32(world.rng.word()), .bool(role.hot), .bool(role.revert)])
        // About 200 gas a round (a 64-byte keccak, memory, the loop); generous so that no call runs out.
        return WorkloadCall(to: Self.contract, data: data, executionGas: 80_000 + 400 * rounds, kind: "work")
    }
}

/// A weighted mix: transfers 30, erc20 25, amm 15, payments 10, counter 5, nft-mint 5, deploy 5, compute 5.
struct MixedRecipe: WorkloadRecipe {
    var parts: [(weight: Int, recipe: any WorkloadRecipe)] = [
        (30, TransfersRecipe()), (25, ERC20Recipe()), (15, AMMRecipe()), (10, PaymentsRecipe()),
        (5, CounterRecipe()), (5, NFTMintRecipe()), (5, DeployRecipe()), (5, ComputeRecipe()),
    ]

    mutating func prepare(_ world: inout GeneratorWorld) {
        for i in parts.indices { parts[i].recipe.prepare(&world) }
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        var roll = world.rng.below(parts.reduce(0) { $0 + $1.weight })
        for i in parts.indices {
            if roll < parts[i].weight { return parts[i].recipe.call(role, &world) }
            roll -= parts[i].weight
        }
        return parts[0].recipe.call(role, &world)
    }
}
