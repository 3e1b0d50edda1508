import EVMPrimitives

/// The EIPs whose rules Lockstep applies, by number. Each fork is the previous one patched by a list of
/// these (see `ForkRules.patches`); `ForkRules.apply` holds what each one changes. EIPs that change only
/// block validation (difficulty bombs, the merge's header rules) are listed so that a report can print
/// the full set in force, and change nothing here.
public enum EIP: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    // Homestead
    case eip2 = 2, eip7 = 7, eip8 = 8
    // Tangerine Whistle
    case eip150 = 150
    // Spurious Dragon
    case eip155 = 155, eip160 = 160, eip161 = 161, eip170 = 170
    // Byzantium
    case eip100 = 100, eip140 = 140, eip196 = 196, eip197 = 197, eip198 = 198, eip211 = 211, eip214 = 214,
         eip649 = 649, eip658 = 658
    // Constantinople (and Petersburg, which drops EIP-1283 again: EIP-1716)
    case eip145 = 145, eip1014 = 1014, eip1052 = 1052, eip1234 = 1234, eip1283 = 1283, eip1716 = 1716
    // Istanbul, Muir Glacier
    case eip152 = 152, eip1108 = 1108, eip1344 = 1344, eip1884 = 1884, eip2028 = 2028, eip2200 = 2200,
         eip2384 = 2384
    // Berlin
    case eip2565 = 2565, eip2718 = 2718, eip2929 = 2929, eip2930 = 2930
    // London, Arrow Glacier, Gray Glacier
    case eip1559 = 1559, eip3198 = 3198, eip3529 = 3529, eip3541 = 3541, eip3554 = 3554, eip4345 = 4345,
         eip5133 = 5133
    // Paris
    case eip3675 = 3675, eip4399 = 4399
    // Shanghai
    case eip3651 = 3651, eip3855 = 3855, eip3860 = 3860, eip4895 = 4895
    // Cancun
    case eip1153 = 1153, eip4788 = 4788, eip4844 = 4844, eip5656 = 5656, eip6780 = 6780, eip7516 = 7516
    // Prague
    case eip2537 = 2537, eip2935 = 2935, eip6110 = 6110, eip7002 = 7002, eip7251 = 7251, eip7623 = 7623,
         eip7685 = 7685, eip7691 = 7691, eip7702 = 7702
    // Osaka (BPO1 and BPO2 are EIP-7892 blob-parameter-only forks: `ForkRules.blobSchedule`)
    case eip7594 = 7594, eip7823 = 7823, eip7825 = 7825, eip7883 = 7883, eip7918 = 7918, eip7934 = 7934,
         eip7939 = 7939, eip7951 = 7951

    public static func < (l: EIP, r: EIP) -> Bool { l.rawValue < r.rawValue }
    public var description: String { "EIP-\(rawValue)" }
}

/// How SSTORE is charged and refunded.
public enum SstoreSchedule: Sendable, Equatable {
    /// Frontier: 20000 to set a zero slot, 5000 otherwise, refund on clearing.
    case frontier
    /// Net gas metering against the slot's value at the start of the transaction (EIP-1283, EIP-2200,
    /// EIP-2929's repricing and EIP-3529's smaller refund are parameters of the same rule).
    case netMetering
}

/// Everything that differs between forks, resolved once per fork: the opcode table (availability, stack
/// effect, base gas) and the dynamic-gas, refund, creation, account and transaction rules. The interpreter
/// reads these per frame through one immutable object (`ForkRules.of(fork)`), never per instruction from
/// a dictionary. Frontier is written once (`frontier`); every later fork is its predecessor patched by the
/// EIPs `patches(fork)` lists, and BPO1 and BPO2 by their blob schedule (`blobSchedule`).
public final class ForkRules: @unchecked Sendable {  // immutable after init; `table` is never written again
    public let fork: Fork
    /// The EIPs in force, in activation order.
    public let eips: [EIP]
    /// 256 entries, one per opcode; immortal (one per fork for the life of the process).
    public let table: UnsafePointer<OpInfo>
    public let schedule: Schedule

    /// The parameters a fork patches (everything except the opcode table).
    public struct Schedule: Sendable, Equatable {
        // MARK: dynamic gas
        /// EXP per byte of exponent: 10, 50 from EIP-160.
        public var expByte: Int64 = 10
        /// EIP-150: a call or creation passes on at most all but one 64th of the gas left.
        public var allButOne64th = false
        /// EIP-2929: cold/warm account and slot access (the table holds the warm cost).
        public var accessLists = false
        /// Surcharge for a cold account access (EIP-2929: 2600 - 100 warm).
        public var coldAccountSurcharge: Int64 = 0
        /// Surcharge for a cold SLOAD (EIP-2929: 2100 - 100 warm).
        public var coldSloadSurcharge: Int64 = 0
        /// Surcharge for SSTORE to a cold slot (EIP-2929: 2100; SSTORE has no base cost in the table).
        public var coldSstoreSurcharge: Int64 = 0
        /// Surcharge for SELFDESTRUCT to a cold beneficiary (EIP-2929: 2600; no warm cost).
        public var coldSelfdestructSurcharge: Int64 = 0
        public var sstore: SstoreSchedule = .frontier
        /// EIP-2200: SSTORE with no more than the call stipend left fails.
        public var sstoreSentry = false
        /// Net metering's "no-op" cost (SLOAD_GAS: 200 in EIP-1283, 800 in EIP-2200, 100 warm in EIP-2929).
        public var sstoreNoop: Int64 = 0
        public var sstoreSet: Int64 = 20000
        /// 5000; 2900 under EIP-2929 (the cold part is charged apart).
        public var sstoreReset: Int64 = 5000
        /// Refund for clearing a slot: 15000; 4800 from EIP-3529.
        public var sstoreClearsRefund: Int64 = 15000
        /// Refund for SELFDESTRUCT: 24000; none from EIP-3529.
        public var selfdestructRefund: Int64 = 24000
        /// At most gas used / quotient is refunded: 2; 5 from EIP-3529.
        public var refundQuotient: UInt64 = 2

        // MARK: accounts and creation
        /// EIP-161: touched empty accounts are deleted, new-account charges apply only to value sent to a dead
        /// account, contracts start at nonce 1; before it a message call creates its target when missing.
        public var emptyAccountCleanup = false
        /// SELFDESTRUCT to an account that must be created costs 25000 (EIP-150).
        public var selfdestructNewAccountGas = false
        /// EIP-2: a creation that cannot pay its code deposit fails; before it, it succeeds with empty code.
        public var failOnCodeDepositOOG = false
        /// EIP-170: 24576 bytes of deployed code at most.
        public var maxCodeSize: Int? = nil
        /// EIP-3541: deployed code may not start with 0xEF.
        public var rejectEFCode = false
        /// EIP-3860: init code of at most 49152 bytes, 2 gas per word.
        public var maxInitCodeSize: Int? = nil
        public var initCodeWordGas: Int64 = 0
        /// EIP-6780: SELFDESTRUCT deletes only an account created in the same transaction.
        public var selfdestructOnlyCreated = false
        /// EIP-4399: opcode 0x44 is PREVRANDAO, not DIFFICULTY.
        public var prevRandao = false

        // MARK: transactions
        /// EIP-2: creation transactions pay 32000 more.
        public var txCreateGas: UInt64 = 0
        /// Calldata per non-zero byte: 68; 16 from EIP-2028.
        public var txDataNonZeroGas: UInt64 = 68
        /// EIP-2718 transaction types accepted (bit per type).
        public var txTypes: UInt8 = 1 << 0
        /// EIP-1559: base fee (burnt), fee caps.
        public var baseFee = false
        /// EIP-3651: the coinbase is warm from the start.
        public var warmCoinbase = false
        /// EIP-4844 blob gas.
        public var blobs = false
        /// Blobs per block: target and maximum (EIP-4844: 3 and 6; EIP-7691: 6 and 9; BPO1 10/15, BPO2 14/21).
        public var blobTarget: UInt64 = 3
        public var blobMax: UInt64 = 6
        /// BLOB_BASE_FEE_UPDATE_FRACTION (EIP-4844: 3338477, EIP-7691: 5007716, BPO1 8346193, BPO2 11684671).
        public var blobUpdateFraction: UInt64 = 3_338_477
        /// EIP-7918: BLOB_BASE_COST (2^13), the execution-cost bound on the blob base fee; 0 before Osaka.
        public var blobBaseCost: UInt64 = 0
        /// EIP-7594: blobs per transaction at most (6); nil before Osaka (only the block maximum applies).
        public var maxBlobsPerTx: UInt64? = nil
        /// EIP-7702 set-code transactions (type 4): authorisations, delegation designators, delegated calls.
        public var setCode = false
        /// EIP-7623: calldata floor, gas per calldata token (10; 0 for no floor).
        public var calldataFloorPerToken: UInt64 = 0
        /// EIP-7825: a transaction's gas limit at most (2^24); nil for no cap.
        public var txGasLimitCap: UInt64? = nil

        // MARK: blocks (for block executors)
        /// Block reward in wei: 5 ETH, 3 (EIP-649), 2 (EIP-1234), none after the merge (EIP-3675).
        public var blockReward: UInt256 = UInt256(5_000_000_000_000_000_000)
        /// EIP-658: receipts carry a status instead of the intermediate state root.
        public var receiptStatus = false
        /// EIP-4895 withdrawals.
        public var withdrawals = false
        /// EIP-4788 beacon block root system call.
        public var beaconRoot = false

        /// Whether transactions of EIP-2718 type `type` are valid.
        public func accepts(type: UInt8) -> Bool { type < 8 && txTypes & (1 << type) != 0 }

        /// Blob gas per block at most (`blobMax` blobs of 2^17 gas).
        public var maxBlobGasPerBlock: UInt64 { blobMax * 131_072 }
    }

    init(fork: Fork, eips: [EIP], table: [OpInfo], schedule: Schedule) {
        self.fork = fork
        self.eips = eips
        self.schedule = schedule
        let t = UnsafeMutablePointer<OpInfo>.allocate(capacity: 256)
        t.initialize(from: table, count: 256)
        self.table = UnsafePointer(t)
    }

    /// The rules of `fork`, built once per process.
    @inlinable public static func of(_ fork: Fork) -> ForkRules { all[fork.rawValue] }

    /// The rules of `fork` without a retain: `all` is never released, so its objects outlive every reader. The
    /// per-transaction paths borrow them through this: every thread retaining and releasing the one shared
    /// object would make its reference count a cache line that the cores of a parallel run pass between them.
    @inlinable public static func unretained(_ fork: Fork) -> Unmanaged<ForkRules> { allUnretained[fork.rawValue] }

    /// The schedule of `fork`, read without retaining its rules (see `unretained(_:)`).
    @inlinable public static func schedule(_ fork: Fork) -> Schedule {
        allUnretained[fork.rawValue]._withUnsafeGuaranteedRef { $0.schedule }
    }

    @usableFromInline static let allUnretained: [Unmanaged<ForkRules>] = all.map { .passUnretained($0) }

    public static let all: [ForkRules] = {
        var out: [ForkRules] = []
        var b = Builder.frontier
        for fork in Fork.allCases {
            for eip in patches(fork) { b.apply(eip) }
            if let (target, max, fraction) = blobSchedule(fork) {
                b.schedule.blobTarget = target; b.schedule.blobMax = max; b.schedule.blobUpdateFraction = fraction
            }
            out.append(ForkRules(fork: fork, eips: b.eips, table: b.table, schedule: b.schedule))
        }
        return out
    }()

    public func has(_ eip: EIP) -> Bool { eips.contains(eip) }

    /// The opcode table as an array (for tests and reports).
    public var opcodes: [OpInfo] { Array(UnsafeBufferPointer(start: table, count: 256)) }

    /// The EIPs each fork adds to its predecessor (Frontier adds none: it is `Builder.frontier`).
    public static func patches(_ fork: Fork) -> [EIP] {
        switch fork {
        case .frontier: []
        case .homestead: [.eip2, .eip7, .eip8]
        case .tangerineWhistle: [.eip150]
        case .spuriousDragon: [.eip155, .eip160, .eip161, .eip170]
        case .byzantium: [.eip100, .eip140, .eip196, .eip197, .eip198, .eip211, .eip214, .eip649, .eip658]
        case .constantinople: [.eip145, .eip1014, .eip1052, .eip1234, .eip1283]
        case .petersburg: [.eip1716]
        case .istanbul: [.eip152, .eip1108, .eip1344, .eip1884, .eip2028, .eip2200]
        case .muirGlacier: [.eip2384]
        case .berlin: [.eip2565, .eip2718, .eip2929, .eip2930]
        case .london: [.eip1559, .eip3198, .eip3529, .eip3541, .eip3554]
        case .arrowGlacier: [.eip4345]
        case .grayGlacier: [.eip5133]
        case .paris: [.eip3675, .eip4399]
        case .shanghai: [.eip3651, .eip3855, .eip3860, .eip4895]
        case .cancun: [.eip1153, .eip4788, .eip4844, .eip5656, .eip6780, .eip7516]
        case .prague: [.eip2537, .eip2935, .eip6110, .eip7002, .eip7251, .eip7623, .eip7685, .eip7691, .eip7702]
        case .osaka: [.eip7594, .eip7823, .eip7825, .eip7883, .eip7918, .eip7934, .eip7939, .eip7951]
        case .bpo1, .bpo2: []  // EIP-7892: only the blob schedule changes
        }
    }

    /// The blob schedule (target, maximum per block, base fee update fraction) of an EIP-7892
    /// blob-parameter-only fork; nil for every other fork (its EIPs set it).
    public static func blobSchedule(_ fork: Fork) -> (target: UInt64, max: UInt64, updateFraction: UInt64)? {
        switch fork {
        case .bpo1: (10, 15, 8_346_193)
        case .bpo2: (14, 21, 11_684_671)
        default: nil
        }
    }

    /// A fork's rules while they are being patched.
    struct Builder {
        var eips: [EIP] = []
        var table: [OpInfo]
        var schedule = Schedule()

        mutating func set(_ op: Int, _ gas: Int64, _ pops: Int, _ pushes: Int) {
            table[op] = OpInfo(gas: gas, pops: pops, pushes: pushes, defined: true)
        }

        mutating func gas(_ op: Int, _ gas: Int64) { table[op].gas = gas }

        /// Frontier (Yellow Paper, Frontier edition, appendices G and H).
        static var frontier: Builder {
            var b = Builder(table: [OpInfo](repeating: OpInfo(gas: 0, pops: 0, pushes: 0, defined: false), count: 256))
            b.set(0x00, 0, 0, 0)
            for (op, g) in [(0x01, 3), (0x02, 5), (0x03, 3), (0x04, 5), (0x05, 5), (0x06, 5), (0x07, 5), (0x0b, 5)] {
                b.set(op, Int64(g), 2, 1)
            }
            b.set(0x08, 8, 3, 1); b.set(0x09, 8, 3, 1); b.set(0x0a, 10, 2, 1)
            for op in [0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a] { b.set(op, 3, 2, 1) }
            b.set(0x15, 3, 1, 1); b.set(0x19, 3, 1, 1)
            b.set(0x20, 30, 2, 1)
            b.set(0x30, 2, 0, 1); b.set(0x31, 20, 1, 1); b.set(0x32, 2, 0, 1); b.set(0x33, 2, 0, 1)
            b.set(0x34, 2, 0, 1); b.set(0x35, 3, 1, 1); b.set(0x36, 2, 0, 1); b.set(0x37, 3, 3, 0)
            b.set(0x38, 2, 0, 1); b.set(0x39, 3, 3, 0); b.set(0x3a, 2, 0, 1); b.set(0x3b, 20, 1, 1)
            b.set(0x3c, 20, 4, 0)
            b.set(0x40, 20, 1, 1)
            for op in 0x41...0x45 { b.set(op, 2, 0, 1) }
            b.set(0x50, 2, 1, 0); b.set(0x51, 3, 1, 1); b.set(0x52, 3, 2, 0); b.set(0x53, 3, 2, 0)
            b.set(0x54, 50, 1, 1); b.set(0x55, 0, 2, 0); b.set(0x56, 8, 1, 0); b.set(0x57, 10, 2, 0)
            b.set(0x58, 2, 0, 1); b.set(0x59, 2, 0, 1); b.set(0x5a, 2, 0, 1); b.set(0x5b, 1, 0, 0)
            for op in 0x60...0x7f { b.set(op, 3, 0, 1) }
            for n in 1...16 { b.set(0x7f + n, 3, n, n + 1) }
            for n in 1...16 { b.set(0x8f + n, 3, n + 1, n + 1) }
            for n in 0...4 { b.set(0xa0 + n, 375 + 375 * Int64(n), 2 + n, 0) }
            b.set(0xf0, 32000, 3, 1); b.set(0xf1, 40, 7, 1); b.set(0xf2, 40, 7, 1); b.set(0xf3, 0, 2, 0)
            b.set(0xff, 0, 1, 0)
            return b
        }

        /// Applies one EIP's changes and records it.
        mutating func apply(_ eip: EIP) {
            eips.append(eip)
            switch eip {
            case .eip2:  // Homestead: creation transactions cost 53000; failed code deposit fails the creation
                schedule.txCreateGas = 32000
                schedule.failOnCodeDepositOOG = true
            case .eip7: set(0xf4, 40, 6, 1)  // DELEGATECALL
            case .eip150:  // gas repricing for IO-heavy operations; 63/64 rule
                gas(0x31, 400); gas(0x3b, 700); gas(0x3c, 700); gas(0x54, 200)
                gas(0xf1, 700); gas(0xf2, 700); gas(0xf4, 700); gas(0xff, 5000)
                schedule.allButOne64th = true
                schedule.selfdestructNewAccountGas = true
            case .eip160: schedule.expByte = 50
            case .eip161: schedule.emptyAccountCleanup = true
            case .eip170: schedule.maxCodeSize = 24576
            case .eip140: set(0xfd, 0, 2, 0)  // REVERT
            case .eip211: set(0x3d, 2, 0, 1); set(0x3e, 3, 3, 0)  // RETURNDATASIZE, RETURNDATACOPY
            case .eip214: set(0xfa, 700, 6, 1)  // STATICCALL
            case .eip649: schedule.blockReward = UInt256(3_000_000_000_000_000_000)
            case .eip658: schedule.receiptStatus = true
            case .eip145: set(0x1b, 3, 2, 1); set(0x1c, 3, 2, 1); set(0x1d, 3, 2, 1)  // SHL, SHR, SAR
            case .eip1014: set(0xf5, 32000, 4, 1)  // CREATE2
            case .eip1052: set(0x3f, 400, 1, 1)  // EXTCODEHASH
            case .eip1234: schedule.blockReward = UInt256(2_000_000_000_000_000_000)
            case .eip1283:
                schedule.sstore = .netMetering
                schedule.sstoreNoop = 200
            case .eip1716: schedule.sstore = .frontier  // Petersburg: EIP-1283 removed
            case .eip1344: set(0x46, 2, 0, 1)  // CHAINID
            case .eip1884:  // SLOAD 800, BALANCE and EXTCODEHASH 700, SELFBALANCE
                gas(0x54, 800); gas(0x31, 700); gas(0x3f, 700)
                set(0x47, 5, 0, 1)
            case .eip2028: schedule.txDataNonZeroGas = 16
            case .eip2200:
                schedule.sstore = .netMetering
                schedule.sstoreSentry = true
                schedule.sstoreNoop = 800
            case .eip2718: break  // typed envelope; the types come with EIP-2930, EIP-1559, EIP-4844
            case .eip2929:  // the table holds the warm cost, the interpreter adds the cold surcharge
                schedule.accessLists = true
                for op in [0x31, 0x3b, 0x3c, 0x3f, 0xf1, 0xf2, 0xf4, 0xfa] { gas(op, 100) }
                gas(0x54, 100)
                schedule.coldAccountSurcharge = 2500
                schedule.coldSloadSurcharge = 2000
                schedule.coldSstoreSurcharge = 2100
                schedule.coldSelfdestructSurcharge = 2600
                schedule.sstoreNoop = 100
                schedule.sstoreReset = 2900
            case .eip2930: schedule.txTypes |= 1 << 1
            case .eip1559:
                schedule.txTypes |= 1 << 2
                schedule.baseFee = true
            case .eip3198: set(0x48, 2, 0, 1)  // BASEFEE
            case .eip3529:
                schedule.sstoreClearsRefund = 4800
                schedule.selfdestructRefund = 0
                schedule.refundQuotient = 5
            case .eip3541: schedule.rejectEFCode = true
            case .eip3675: schedule.blockReward = .zero
            case .eip4399: schedule.prevRandao = true
            case .eip3651: schedule.warmCoinbase = true
            case .eip3855: set(0x5f, 2, 0, 1)  // PUSH0
            case .eip3860:
                schedule.maxInitCodeSize = 49152
                schedule.initCodeWordGas = 2
            case .eip4895: schedule.withdrawals = true
            case .eip1153: set(0x5c, 100, 1, 1); set(0x5d, 100, 2, 0)  // TLOAD, TSTORE
            case .eip4788: schedule.beaconRoot = true
            case .eip4844:
                set(0x49, 3, 1, 1)  // BLOBHASH
                schedule.txTypes |= 1 << 3
                schedule.blobs = true
            case .eip5656: set(0x5e, 3, 3, 0)  // MCOPY
            case .eip6780: schedule.selfdestructOnlyCreated = true
            case .eip7516: set(0x4a, 2, 0, 1)  // BLOBBASEFEE
            case .eip7623: schedule.calldataFloorPerToken = 10
            case .eip7691:
                schedule.blobTarget = 6
                schedule.blobMax = 9
                schedule.blobUpdateFraction = 5_007_716
            case .eip7702:
                schedule.txTypes |= 1 << 4
                schedule.setCode = true
            case .eip7594: schedule.maxBlobsPerTx = 6
            case .eip7825: schedule.txGasLimitCap = 1 << 24
            case .eip7918: schedule.blobBaseCost = 1 << 13
            case .eip7939: set(0x1e, 5, 1, 1)  // CLZ
            // Precompiles (EIP-2537, EIP-7823, EIP-7883, EIP-7951) follow the fork in `Precompiles`; system
            // calls and requests (EIP-2935, EIP-6110, EIP-7002, EIP-7251, EIP-7685) and the block size limit
            // (EIP-7934) are block rules.
            case .eip2537, .eip7823, .eip7883, .eip7951, .eip2935, .eip6110, .eip7002, .eip7251, .eip7685, .eip7934: break
            // Precompiles and their prices follow the fork in `Precompiles`; no opcode or gas change here.
            case .eip196, .eip197, .eip198, .eip152, .eip1108, .eip2565: break
            // Signatures (EIP-2 s-values, EIP-155 chain id), the devp2p handshake, difficulty and bombs,
            // header rules: block or network validation, not execution.
            case .eip8, .eip155, .eip100, .eip2384, .eip3554, .eip4345, .eip5133: break
            }
        }
    }
}
