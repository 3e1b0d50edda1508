import Foundation
import EVMPrimitives
import EVMState
import Execution
import Keccak
import Vectors

/// Swaps through real production bytecode: Uniswap V3's SwapRouter and UniswapV3Pool with OpenZeppelin-style
/// ERC-20 tokens, read from a directory (`--contracts`, e.g. shared/vectors/contracts; its LAYOUT.md gives the
/// storage layouts and the immutable placeholders replaced here).
///
/// The files are runtime code, so no constructor runs: every pool is set up in the pre-state as
/// `initialize` and a full-range `mint` would leave it (slot0 at price 1, one observation, liquidity, the two
/// boundary ticks and their bitmap bits), and the router derives the pool's address with CREATE2 from an init-code
/// hash this setup chooses. Hot transactions are `exactInputSingle` swaps on one of `hotSet` pools (each its own
/// token pair; the pool bytecode fixes fee 3000 and tick spacing 60); cold ones are token transfers to a fresh
/// address. A reverting swap asks for an impossible minimum output ("Too little received"); a reverting transfer
/// overdraws.
struct UniswapRecipe: WorkloadRecipe {
    /// Placeholders compiled into the bytecode (LAYOUT.md).
    enum Placeholder {
        static let factorySelf = "0b748751e6f8b1a38c9386a19d9f8966b3593a9e"
        static let poolToken0 = "261d8c5e9742e6f7f1076fa1f560894524e19cad"
        static let poolToken1 = "ce3478a9e0167a6bc5716dc39dbbbfac38f27623"
        static let poolFactory = "cba6b9a951749b8735c603e7ffc5151849248772"
        static let poolSelf = "d495d5e5cab2567777fff988c4fcd71328b17c9d"
        static let routerWETH9 = "6509f2a854ba7441039fce3b959d5badd2ffcfcd"
        static let routerFactory = "d787a42ee3ac477c46dd6c912e7af795d44453d5"
        static let routerInitCodeHash = "636fcf59d7fdf3a03833dba1c6d936c9d7c6730057c8c4c8e5059feaeab60e04"
    }

    static func make(_ n: UInt32) -> Address { Address(a: 0x556e_6933_0000_0000, b: 0, c: n) }  // "Uni3"
    static let factory = make(0xF0)
    static let router = make(0xF1)
    static let weth9 = make(0xF2)
    /// The pool init-code hash of this setup (the router and CREATE2 derivations must agree on it, nothing else).
    static let poolInitCodeHash = Keccak256.hash(Array("lockstep-generator/uniswap-v3-pool-init-code".utf8))
    static let fee: UInt64 = 3_000
    static let tickSpacing: Int64 = 60
    /// Full range for tick spacing 60: +-887220 (TickMath.MAX_TICK rounded down to the spacing).
    static let maxTick: Int64 = 887_220
    static let liquidity = UInt256.tenTo(24)

    let tokenCode: [UInt8]
    let poolHex: String
    let factoryHex: String
    let routerHex: String
    let weth9Code: [UInt8]
    /// token0 < token1 per pool, and the pool's address.
    var pools: [(token0: Address, token1: Address, pool: Address)] = []

    init(directory: String) throws(GeneratorError) {
        func read(_ name: String) throws(GeneratorError) -> String {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .contracts("cannot read \(path)")
            }
            var hex = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            if hex.hasPrefix("0x") { hex.removeFirst(2) }
            guard !hex.isEmpty, hex.count % 2 == 0, hex.allSatisfy(\.isHexDigit) else {
                throw .contracts("\(path): expected hex bytecode")
            }
            return hex
        }
        func bytes(_ hex: String, _ name: String) throws(GeneratorError) -> [UInt8] {
            do { return try Hex.decode(hex) } catch { throw .contracts("\(name): \(error)") }
        }
        tokenCode = try bytes(try read("ERC20Token.hex"), "ERC20Token.hex")
        weth9Code = try bytes(try read("WETH9.hex"), "WETH9.hex")
        poolHex = try read("UniswapV3Pool.hex")
        factoryHex = try read("UniswapV3Factory.hex")
        routerHex = try read("SwapRouter.hex")
        for (hex, name, placeholders) in [
            (poolHex, "UniswapV3Pool.hex", [Placeholder.poolToken0, Placeholder.poolToken1, Placeholder.poolFactory, Placeholder.poolSelf]),
            (factoryHex, "UniswapV3Factory.hex", [Placeholder.factorySelf]),
            (routerHex, "SwapRouter.hex", [Placeholder.routerWETH9, Placeholder.routerFactory, Placeholder.routerInitCodeHash]),
        ] {
            for p in placeholders where !hex.contains(p) {
                throw .contracts("\(name) lacks the placeholder \(p) that LAYOUT.md names")
            }
        }
    }

    static func hex(_ a: Address) -> String { Hex.encode(a.bytes, prefix: false) }

    static func substitute(_ hex: String, _ pairs: [(String, String)]) throws(GeneratorError) -> Code {
        var h = hex
        for (from, to) in pairs { h = h.replacingOccurrences(of: from, with: to) }
        do { return Code(try Hex.decode(h)) } catch { throw .contracts("bytecode after substitution: \(error)") }
    }

    /// A signed 24- or 16-bit Solidity mapping key as its sign-extended word.
    static func signedWord(_ v: Int64) -> UInt256 {
        v >= 0 ? UInt256(UInt64(v)) : UInt256.zero &- UInt256(UInt64(-v))
    }

    static func poolAddress(token0: Address, token1: Address) -> Address {
        // PoolAddress.computeAddress: CREATE2(factory, keccak256(abi.encode(token0, token1, fee)), initCodeHash).
        let salt = Keccak256.hash(token0.word.bigEndianBytes + token1.word.bigEndianBytes + UInt256(fee).bigEndianBytes)
        let preimage = [0xff] + factory.bytes + salt.bytes + poolInitCodeHash.bytes
        return Address(Keccak256.hash(preimage).bytes[12...])
    }

    static func balanceSlot(_ a: Address) -> UInt256 { StorageSlot.solidity(a.word, .zero) }
    static func allowanceSlot(owner: Address, spender: Address) -> UInt256 {
        StorageSlot.solidity(spender.word, StorageSlot.solidity(owner.word, UInt256.one))
    }

    mutating func prepare(_ world: inout GeneratorWorld) {
        // Errors in the bytecode are caught in init (placeholders present, hex valid); substitution keeps the hex
        // valid, so the fallbacks below are unreachable.
        let factoryCode = (try? Self.substitute(factoryHex, [(Placeholder.factorySelf, Self.hex(Self.factory))])) ?? .empty
        world.install(factoryCode, at: Self.factory)
        world.setStorage(Self.factory, UInt256(3), Self.factory.word)  // owner
        for (fee, spacing) in [(UInt64(500), UInt64(10)), (3_000, 60), (10_000, 200)] {
            world.setStorage(Self.factory, StorageSlot.solidity(UInt256(fee), UInt256(4)), UInt256(spacing))
        }
        let routerCode = (try? Self.substitute(routerHex, [
            (Placeholder.routerWETH9, Self.hex(Self.weth9)), (Placeholder.routerFactory, Self.hex(Self.factory)),
            (Placeholder.routerInitCodeHash, Hex.encode(Self.poolInitCodeHash.bytes, prefix: false)),
        ])) ?? .empty
        world.install(routerCode, at: Self.router)
        world.setStorage(Self.router, .zero, .max)  // amountInCached = DEFAULT_AMOUNT_IN_CACHED
        world.install(Code(weth9Code), at: Self.weth9)
        world.setStorage(Self.weth9, UInt256(2), UInt256(18))  // decimals

        let token = Code(tokenCode)
        for k in 0..<world.hotSet {
            var a = Self.make(0x1000 + 2 * UInt32(k)), b = Self.make(0x1001 + 2 * UInt32(k))
            if b < a { swap(&a, &b) }
            for t in [a, b] {
                world.install(token, at: t)
                world.setStorage(t, UInt256(2), UInt256.tenTo(30))  // totalSupply
                world.setStorage(t, UInt256(5), UInt256(18))        // decimals
            }
            let pool = Self.poolAddress(token0: a, token1: b)
            pools.append((a, b, pool))
            let poolCode = (try? Self.substitute(poolHex, [
                (Placeholder.poolToken0, Self.hex(a)), (Placeholder.poolToken1, Self.hex(b)),
                (Placeholder.poolFactory, Self.hex(Self.factory)), (Placeholder.poolSelf, Self.hex(pool)),
            ])) ?? .empty
            world.install(poolCode, at: pool)
            setUpPool(&world, pool)
            for t in [a, b] { world.setStorage(t, Self.balanceSlot(pool), Self.liquidity &* UInt256(2)) }
            // getPool[token0][token1][fee] and the reverse order.
            for (x, y) in [(a, b), (b, a)] {
                let slot = StorageSlot.solidity(UInt256(Self.fee), StorageSlot.solidity(y.word, StorageSlot.solidity(x.word, UInt256(5))))
                world.setStorage(Self.factory, slot, pool.word)
            }
        }
    }

    /// The pool's storage after `initialize(2^96)` (price 1, tick 0) and a full-range mint of `liquidity`.
    func setUpPool(_ world: inout GeneratorWorld, _ pool: Address) {
        // slot0: sqrtPriceX96 | tick << 160 | observationIndex << 184 | cardinality << 200 | cardinalityNext << 216
        //        | feeProtocol << 232 | unlocked << 240.
        let slot0 = (UInt256.one << 96) | (UInt256.one << 200) | (UInt256.one << 216) | (UInt256.one << 240)
        world.setStorage(pool, .zero, slot0)
        world.setStorage(pool, UInt256(4), Self.liquidity)
        // observations[0] (slot 8): blockTimestamp | tickCumulative << 32 | secondsPerLiquidity << 88 | initialized << 248.
        world.setStorage(pool, UInt256(8), UInt256(1_600_000_000) | (UInt256.one << 248))
        let lMask = (UInt256.one << 128) &- UInt256.one
        for (tick, net) in [(-Self.maxTick, Self.liquidity), (Self.maxTick, (UInt256.zero &- Self.liquidity) & lMask)] {
            let base = StorageSlot.solidity(Self.signedWord(tick), UInt256(5))
            world.setStorage(pool, base, Self.liquidity | (net << 128))      // liquidityGross | liquidityNet
            world.setStorage(pool, base &+ UInt256(3), UInt256.one << 248)   // initialized
            // tickBitmap (slot 6): word = compressed >> 8 (arithmetic), bit = compressed mod 256.
            let compressed = tick / Self.tickSpacing
            let wordPos = compressed >= 0 ? compressed / 256 : -((-compressed + 255) / 256)
            let bitPos = compressed - wordPos * 256
            let slot = StorageSlot.solidity(Self.signedWord(wordPos), UInt256(6))
            world.setStorage(pool, slot, world.storage(pool, slot) | (UInt256.one << Int(bitPos)))
        }
    }

    mutating func fund(_ world: inout GeneratorWorld, _ trader: Address, _ token: Address) {
        let slot = Self.balanceSlot(trader)
        guard world.storage(token, slot).isZero else { return }
        world.setStorage(token, slot, UInt256.tenTo(22))
        world.setStorage(token, Self.allowanceSlot(owner: trader, spender: Self.router), .max)
    }

    mutating func call(_ role: TransactionRole, _ world: inout GeneratorWorld) -> WorkloadCall {
        let trader = world.address(role.sender)
        if !role.hot {
            let token = pools[0].token0
            fund(&world, trader, token)
            let amount = role.revert ? UInt256.tenTo(30) : UInt256(world.rng.between(1, 1_000_000_000_000_000_000))
            let data = ABI.call("transfer(address,uint256)", [.address(world.freshAddress()), .uint(amount)])
            return WorkloadCall(to: token, data: data, executionGas: 60_000, kind: "token-transfer")
        }
        let p = pools[world.hotItem()]
        fund(&world, trader, p.token0)
        fund(&world, trader, p.token1)
        let zeroForOne = world.rng.percent(50)
        let amountIn = UInt256(world.rng.between(1_000_000_000_000_000, 1_000_000_000_000_000_000))
        let data = ABI.call("exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))", [
            .address(zeroForOne ? p.token0 : p.token1), .address(zeroForOne ? p.token1 : p.token0),
            ABI.uint(Self.fee), .address(trader), .uint(.max), .uint(amountIn),
            .uint(role.revert ? UInt256.tenTo(30) : .zero), .uint(.zero),
        ])
        return WorkloadCall(to: Self.router, data: data, executionGas: 300_000, kind: "swap")
    }
}
