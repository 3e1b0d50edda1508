/// Static facts per opcode, checked once by the dispatcher so instruction bodies stay short (evmone style):
/// base gas, stack items read, stack items written, and whether the opcode is defined in the fork.
@frozen public struct OpInfo: Sendable {
    public var gas: Int64
    public let pops: Int
    public let pushes: Int
    public let defined: Bool
    /// The dispatcher's single stack check: `UInt(bitPattern: sp &- stackBase) <= stackLimit` holds exactly when
    /// the opcode is defined, the stack holds `pops` items and has room for the net pushes (an undefined opcode's
    /// base is so low that the difference always exceeds the limit).
    public let stackBase: Int
    public let stackLimit: UInt

    public init(gas: Int64, pops: Int, pushes: Int, defined: Bool) {
        self.gas = gas; self.pops = pops; self.pushes = pushes; self.defined = defined
        stackBase = defined ? pops : Int.min / 2
        stackLimit = UInt(Swift.max(0, 1024 - pushes))
    }
}

public enum OpcodeTable {
    /// The Cancun table; every fork's table is `ForkRules.of(fork).opcodes`.
    public static var cancun: [OpInfo] { ForkRules.of(.cancun).opcodes }
}

/// Gas constants (Yellow Paper appendix G, with the EIP that last changed each).
public enum GasCost {
    public static let warmAccess: Int64 = 100           // EIP-2929
    public static let coldAccountAccess: Int64 = 2600   // EIP-2929
    public static let coldSload: Int64 = 2100           // EIP-2929
    public static let sstoreSet: Int64 = 20000
    public static let sstoreReset: Int64 = 2900         // 5000 - cold sload, EIP-2929
    public static let sstoreClearsRefund: Int64 = 4800  // EIP-3529
    public static let callValue: Int64 = 9000
    public static let callStipend: Int64 = 2300
    public static let newAccount: Int64 = 25000
    public static let selfdestructNewAccount: Int64 = 25000
    public static let codeDeposit: Int64 = 200
    public static let keccakWord: Int64 = 6
    public static let copyWord: Int64 = 3
    public static let logData: Int64 = 8
    public static let expByte: Int64 = 50
    public static let initCodeWord: Int64 = 2           // EIP-3860
    public static let maxCodeSize = 24576               // EIP-170
    public static let maxInitCodeSize = 49152           // EIP-3860
    public static let callDepthLimit = 1024
}
