/// Static facts per opcode, checked once by the dispatcher so instruction bodies stay short (evmone style):
/// base gas, stack items read, stack items written, and whether the opcode is defined in Cancun.
@frozen public struct OpInfo: Sendable {
    public var gas: Int64
    public var pops: Int
    public var pushes: Int
    public var defined: Bool
}

public enum OpcodeTable {
    /// The Cancun table (base costs from the Yellow Paper, EIP-2929 dynamic parts charged by the instructions).
    public static let cancun: [OpInfo] = {
        var t = [OpInfo](repeating: OpInfo(gas: 0, pops: 0, pushes: 0, defined: false), count: 256)
        func set(_ op: Int, _ gas: Int64, _ pops: Int, _ pushes: Int) { t[op] = OpInfo(gas: gas, pops: pops, pushes: pushes, defined: true) }
        set(0x00, 0, 0, 0)
        for (op, g) in [(0x01, 3), (0x02, 5), (0x03, 3), (0x04, 5), (0x05, 5), (0x06, 5), (0x07, 5), (0x0b, 5)] { set(op, Int64(g), 2, 1) }
        set(0x08, 8, 3, 1); set(0x09, 8, 3, 1); set(0x0a, 10, 2, 1)
        for op in [0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1b, 0x1c, 0x1d] { set(op, 3, 2, 1) }
        set(0x15, 3, 1, 1); set(0x19, 3, 1, 1)
        set(0x20, 30, 2, 1)
        set(0x30, 2, 0, 1); set(0x31, 0, 1, 1); set(0x32, 2, 0, 1); set(0x33, 2, 0, 1); set(0x34, 2, 0, 1)
        set(0x35, 3, 1, 1); set(0x36, 2, 0, 1); set(0x37, 3, 3, 0); set(0x38, 2, 0, 1); set(0x39, 3, 3, 0)
        set(0x3a, 2, 0, 1); set(0x3b, 0, 1, 1); set(0x3c, 0, 4, 0); set(0x3d, 2, 0, 1); set(0x3e, 3, 3, 0)
        set(0x3f, 0, 1, 1)
        set(0x40, 20, 1, 1)
        for op in [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x48, 0x4a] { set(op, 2, 0, 1) }
        set(0x47, 5, 0, 1); set(0x49, 3, 1, 1)
        set(0x50, 2, 1, 0); set(0x51, 3, 1, 1); set(0x52, 3, 2, 0); set(0x53, 3, 2, 0)
        set(0x54, 0, 1, 1); set(0x55, 0, 2, 0); set(0x56, 8, 1, 0); set(0x57, 10, 2, 0)
        set(0x58, 2, 0, 1); set(0x59, 2, 0, 1); set(0x5a, 2, 0, 1); set(0x5b, 1, 0, 0)
        set(0x5c, 100, 1, 1); set(0x5d, 100, 2, 0); set(0x5e, 3, 3, 0); set(0x5f, 2, 0, 1)
        for op in 0x60...0x7f { set(op, 3, 0, 1) }
        for n in 1...16 { set(0x7f + n, 3, n, n + 1) }
        for n in 1...16 { set(0x8f + n, 3, n + 1, n + 1) }
        for n in 0...4 { set(0xa0 + n, 375 + 375 * Int64(n), 2 + n, 0) }
        set(0xf0, 32000, 3, 1); set(0xf1, 0, 7, 1); set(0xf2, 0, 7, 1); set(0xf3, 0, 2, 0)
        set(0xf4, 0, 6, 1); set(0xf5, 32000, 4, 1); set(0xfa, 0, 6, 1); set(0xfd, 0, 2, 0)
        set(0xfe, 0, 0, 0); t[0xfe].defined = false  // INVALID: designated invalid instruction
        set(0xff, 5000, 1, 0)
        return t
    }()
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
