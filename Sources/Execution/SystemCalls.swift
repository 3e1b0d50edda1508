import EVMPrimitives
import EVMState
import EVMInterpreter
import Precompiles

/// The system contracts of Cancun and Prague, at their final mainnet addresses, and the deposit contract's
/// event. The runtime codes are the EIPs' own (each EIP's deployment transaction's input without its
/// constructor): they are what a vector's alloc deploys, and what the tests run.
public enum SystemContracts {
    /// EIP-4788 beacon roots contract.
    public static let beaconRootsAddress = BlockFinalization.beaconRootsAddress
    /// EIP-2935 history storage contract, 0x0000F90827F1C53a10cb7A02335B175320002935.
    public static let historyStorageAddress = Address(a: 0x0000_F908_27F1_C53A, b: 0x10CB_7A02_335B_1753, c: 0x2000_2935)
    /// EIP-7002 withdrawal request predeploy, 0x00000961Ef480Eb55e80D19ad83579A64c007002.
    public static let withdrawalRequestAddress = Address(a: 0x0000_0961_EF48_0EB5, b: 0x5E80_D19A_D835_79A6, c: 0x4C00_7002)
    /// EIP-7251 consolidation request predeploy, 0x0000BBdDc7CE488642fb579F8B00f3a590007251.
    public static let consolidationRequestAddress = Address(a: 0x0000_BBDD_C7CE_4886, b: 0x42FB_579F_8B00_F3A5, c: 0x9000_7251)
    /// Mainnet's deposit contract (EIP-6110's `DEPOSIT_CONTRACT_ADDRESS`), 0x00000000219ab540356cbb839cbe05303d7705fa:
    /// the default of `BlockEnvironment.depositContractAddress`.
    public static let mainnetDepositContract = Address(a: 0x0000_0000_219A_B540, b: 0x356C_BB83_9CBE_0530, c: 0x3D77_05FA)
    /// keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)").
    public static let depositEventTopic = try! Hash32(hex: "0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5")

    /// EIP-4788's runtime code.
    public static let beaconRootsCode = try! Hex.decode(
        "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f359062001fff015500")
    /// EIP-2935's runtime code.
    public static let historyStorageCode = try! Hex.decode(
        "3373fffffffffffffffffffffffffffffffffffffffe14604657602036036042575f35600143038111604257611fff81430311604257611fff9006545f5260205ff35b5f5ffd5b5f35611fff60014303065500")
    /// EIP-7002's runtime code.
    public static let withdrawalRequestCode = try! Hex.decode(
        "3373fffffffffffffffffffffffffffffffffffffffe1460cb5760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff146101f457600182026001905f5b5f82111560685781019083028483029004916001019190604d565b909390049250505036603814608857366101f457346101f4575f5260205ff35b34106101f457600154600101600155600354806003026004013381556001015f35815560010160203590553360601b5f5260385f601437604c5fa0600101600355005b6003546002548082038060101160df575060105b5f5b8181146101835782810160030260040181604c02815460601b8152601401816001015481526020019060020154807fffffffffffffffffffffffffffffffff00000000000000000000000000000000168252906010019060401c908160381c81600701538160301c81600601538160281c81600501538160201c81600401538160181c81600301538160101c81600201538160081c81600101535360010160e1565b910180921461019557906002556101a0565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff14156101cd57505f5b6001546002828201116101e25750505f6101e8565b01600290035b5f555f600155604c025ff35b5f5ffd")
    /// EIP-7251's runtime code.
    public static let consolidationRequestCode = try! Hex.decode(
        "3373fffffffffffffffffffffffffffffffffffffffe1460d35760115f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff1461019a57600182026001905f5b5f82111560685781019083028483029004916001019190604d565b9093900492505050366060146088573661019a573461019a575f5260205ff35b341061019a57600154600101600155600354806004026004013381556001015f358155600101602035815560010160403590553360601b5f5260605f60143760745fa0600101600355005b6003546002548082038060021160e7575060025b5f5b8181146101295782810160040260040181607402815460601b815260140181600101548152602001816002015481526020019060030154905260010160e9565b910180921461013b5790600255610146565b90505f6002555f6003555b5f54807fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff141561017357505f5b6001546001828201116101885750505f61018e565b01600190035b5f555f6001556074025ff35b5f5ffd")

    /// The system contracts a fork's blocks call, with their runtime codes (for allocs and tests).
    public static func contracts(for fork: Fork) -> [(address: Address, code: [UInt8])] {
        var out: [(Address, [UInt8])] = []
        let rules = ForkRules.of(fork)
        if rules.has(.eip4788) { out.append((beaconRootsAddress, beaconRootsCode)) }
        if rules.has(.eip2935) { out.append((historyStorageAddress, historyStorageCode)) }
        if rules.has(.eip7002) { out.append((withdrawalRequestAddress, withdrawalRequestCode)) }
        if rules.has(.eip7251) { out.append((consolidationRequestAddress, consolidationRequestCode)) }
        return out
    }
}

/// EIP-7685 requests of a block: each non-empty request is its type byte followed by its data, in ascending
/// type order (deposits 0x00 from EIP-6110, withdrawals 0x01 from EIP-7002, consolidations 0x02 from EIP-7251).
public struct BlockRequests: Sendable, Equatable {
    public var requests: [[UInt8]]
    public init(_ requests: [[UInt8]]) { self.requests = requests }

    /// `requestsHash`: sha256 of the concatenated sha256 of each request (type byte included). Empty: sha256 of
    /// nothing, 0xe3b0c442...b855.
    public var hash: Hash32 { Self.hash(requests) }

    public static func hash(_ requests: [[UInt8]]) -> Hash32 {
        var joined: [UInt8] = []
        joined.reserveCapacity(32 * requests.count)
        for r in requests { joined += sha256(r) }
        return Hash32(sha256(joined))
    }

    /// SHA-256 through the 0x02 precompile's implementation.
    static func sha256(_ data: [UInt8]) -> [UInt8] {
        guard case .success(_, let output) = Precompiles.run(Address(a: 0, b: 0, c: 2), input: data, gasLimit: .max, fork: .cancun) else {
            preconditionFailure("the SHA-256 precompile failed")
        }
        return output
    }
}

/// Why a block is invalid after its transactions ran (EIP-6110, EIP-7002, EIP-7251): a malformed deposit
/// event, a request contract without code or whose system call failed.
public struct InvalidBlockError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension BlockFinalization {
    /// The system address's call of `target` with `input` (30,000,000 gas, no value, not counted against the
    /// block), on any state reader: the frame's result and the changes, or nil when `target` has no code.
    public static func systemCall<R: StateReader>(reader: R, target: Address, input: [UInt8], env: BlockEnvironment,
                                                  fork: Fork) -> (result: FrameResult, changes: StateChanges)? {
        guard let contract = reader.account(target), !contract.code.isEmpty else { return nil }
        let world = WorldState(reader: reader)
        let evm = EVM(state: world, block: TransactionProcessor.blockContext(env, fork: fork),
                      tx: TxContext(origin: systemAddress, gasPrice: .zero, blobHashes: []), fork: fork)
        let message = Message(caller: systemAddress, target: target, codeAddress: target, value: .zero, input: input,
                              gas: 30_000_000, depth: 0, isStatic: false, transfersValue: false, code: contract.code)
        let result = evm.call(message)
        world.finalizeDeletions()
        return (result, world.changes())
    }

    /// The system calls before the transactions (block access index 0): EIP-4788's beacon root when
    /// `parentBeaconBlockRoot` is set, then from Prague EIP-2935's parent hash. A contract without code is
    /// skipped silently, as both EIPs say.
    public static func applyPreBlockSystemCalls(_ state: inout InMemoryState, env: BlockEnvironment, fork: Fork) {
        applyBeaconRoot(&state, env: env, fork: fork)
        applyHistoryStorage(&state, env: env, fork: fork)
    }

    /// The addresses the pre-block system calls can change.
    public static let preBlockSystemAddresses = [beaconRootsAddress, SystemContracts.historyStorageAddress]

    /// EIP-2935: stores the parent's hash (`blockHashes[number - 1]`, zero when not given) in the history contract.
    public static func applyHistoryStorage(_ state: inout InMemoryState, env: BlockEnvironment, fork: Fork) {
        guard ForkRules.of(fork).has(.eip2935), env.systemCalls, env.number > 0 else { return }
        let parent = env.blockHashes[env.number - 1] ?? Hash32(w0: 0, w1: 0, w2: 0, w3: 0)
        guard let call = systemCall(reader: state, target: SystemContracts.historyStorageAddress, input: parent.bytes,
                                    env: env, fork: fork) else { return }
        state.apply(call.changes)
    }

    /// The end-of-block steps of EIP-7685 (after the withdrawals, block access index n + 1): deposit requests
    /// parsed from the deposit contract's logs in `receipts` (EIP-6110), then the system calls of the
    /// withdrawal (EIP-7002) and consolidation (EIP-7251) request contracts, whose outputs are requests.
    /// nil before Prague. A malformed deposit event, a contract without code or a failed call makes the block
    /// invalid (the state is left as far as it got). Nil also when `env.systemCalls` is off (state tests).
    public static func applyRequests(_ state: inout InMemoryState, env: BlockEnvironment, fork: Fork,
                                     receipts: [Receipt]) -> Result<BlockRequests, InvalidBlockError>? {
        guard ForkRules.of(fork).has(.eip7685), env.systemCalls else { return nil }
        var requests: [[UInt8]] = []
        var deposits: [UInt8] = []
        for receipt in receipts {
            for log in receipt.logs where log.address == env.depositContractAddress {
                guard let topic = log.topics.first, topic == SystemContracts.depositEventTopic else { continue }
                switch depositData(log.data) {
                case .success(let d): deposits += d
                case .failure(let e): return .failure(e)
                }
            }
        }
        if !deposits.isEmpty { requests.append([0x00] + deposits) }
        for (type, target) in [(UInt8(0x01), SystemContracts.withdrawalRequestAddress),
                               (UInt8(0x02), SystemContracts.consolidationRequestAddress)] {
            guard let call = systemCall(reader: state, target: target, input: [], env: env, fork: fork) else {
                return .failure(InvalidBlockError("system contract \(target) has no code"))
            }
            guard call.result.status.isSuccess else {
                return .failure(InvalidBlockError("system contract \(target) call failed: \(call.result.status)"))
            }
            state.apply(call.changes)
            if !call.result.output.isEmpty { requests.append([type] + call.result.output) }
        }
        return .success(BlockRequests(requests))
    }

    /// The addresses the end-of-block system calls can change.
    public static let endOfBlockSystemAddresses = [SystemContracts.withdrawalRequestAddress,
                                                   SystemContracts.consolidationRequestAddress]

    /// What the end-of-block system calls (EIP-7002, EIP-7251) change, run on `reader` (each touches only
    /// its own contract's storage, so each runs on the same state); empty before Prague or where a call
    /// fails (the block is invalid then, and `applyRequests` says so).
    public static func endOfBlockSystemCallChanges<R: StateReader>(reader: R, env: BlockEnvironment,
                                                                   fork: Fork) -> [Address: AccountChange] {
        guard ForkRules.of(fork).has(.eip7685), env.systemCalls else { return [:] }
        var out: [Address: AccountChange] = [:]
        for target in endOfBlockSystemAddresses {
            guard let call = systemCall(reader: reader, target: target, input: [], env: env, fork: fork),
                  call.result.status.isSuccess else { continue }
            for (address, change) in call.changes.accounts { out[address] = change }
        }
        return out
    }

    /// EIP-6110: a DepositEvent's data (576 bytes: five ABI-encoded `bytes` at fixed offsets and sizes) as
    /// pubkey ++ withdrawal credentials ++ amount ++ signature ++ index (192 bytes).
    public static func depositData(_ data: [UInt8]) -> Result<[UInt8], InvalidBlockError> {
        guard data.count == 576 else { return .failure(InvalidBlockError("invalid deposit event data length \(data.count)")) }
        func word(_ at: Int) -> UInt256 { UInt256(bigEndianBytes: data[at..<(at + 32)]) }
        let fields: [(name: String, offset: Int, size: Int)] = [("pubkey", 160, 48), ("withdrawal credentials", 256, 32),
                                                               ("amount", 320, 8), ("signature", 384, 96), ("index", 512, 8)]
        for (i, f) in fields.enumerated() where word(32 * i) != UInt256(UInt64(f.offset)) {
            return .failure(InvalidBlockError("invalid \(f.name) offset in deposit log"))
        }
        var out: [UInt8] = []
        out.reserveCapacity(192)
        for f in fields {
            guard word(f.offset) == UInt256(UInt64(f.size)) else {
                return .failure(InvalidBlockError("invalid \(f.name) size in deposit log"))
            }
            out += data[(f.offset + 32)..<(f.offset + 32 + f.size)]
        }
        return .success(out)
    }
}
