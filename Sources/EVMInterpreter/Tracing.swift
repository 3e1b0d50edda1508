import EVMPrimitives
import EVMState

/// What the interpreter loop tells a tracer. The loop is generic over it: `EVM.run` is specialised once with
/// `NoSteps`, whose empty inlined methods leave the untraced loop as it was (no per-instruction work when tracing
/// is off), and once with `EIP3155Tracer`. `EVM.call` and `EVM.create` pick one per frame.
protocol StepHook {
    /// Before each instruction (after its decode, before any check or charge): the frame's state as EIP-3155's
    /// step line shows it.
    func step(pc: Int, op: UInt8, gas: Int64, stack: UnsafeMutablePointer<UInt256>, sp: Int, memory: Memory, depth: Int,
              returnData: [UInt8])
    /// Before the current instruction starts a child frame: the frame's gas after the instruction's charges (CALL*:
    /// the child's allowance included; CREATE*: not, as the Python spec's `gasCost` counts them).
    func enter(gasLeft: Int64)
    /// The frame halts exceptionally with `gasLeft` still unspent before the halt burns it.
    func halted(gasLeft: Int64)
}

/// The untraced loop's hook: nothing.
struct NoSteps: StepHook {
    @inline(__always) func step(pc: Int, op: UInt8, gas: Int64, stack: UnsafeMutablePointer<UInt256>, sp: Int,
                                memory: Memory, depth: Int, returnData: [UInt8]) {}
    @inline(__always) func enter(gasLeft: Int64) {}
    @inline(__always) func halted(gasLeft: Int64) {}
}

/// Which optional parts an EIP-3155 step line carries.
public struct TraceOptions: Sendable, Equatable {
    /// `memory`: the frame's whole memory as hex (off by default, as in geth and the Python spec: it is large).
    public var memory: Bool
    /// `stack`.
    public var stack: Bool
    /// `returnData`: the last call's return data.
    public var returnData: Bool

    public init(memory: Bool = false, stack: Bool = true, returnData: Bool = true) {
        self.memory = memory; self.stack = stack; self.returnData = returnData
    }
}

/// Records one transaction's EIP-3155 trace (https://eips.ethereum.org/EIPS/eip-3155): one JSON line per
/// executed instruction, then the summary line (`finish`). Each line is written when the next event shows the
/// instruction's gas cost: the next instruction of the frame, the start of a child frame, or the frame's end.
///
/// Step fields: `pc`, `op` (numbers), `gas`, `gasCost` (hex quantities), `memSize` (number), `stack` (hex
/// quantities, top last), `depth` (1 for the transaction's frame), `returnData` (hex), `refund` (number: the
/// transaction's refund counter), `opName`, and `error` on the instruction a frame halted or reverted at; `memory`
/// when asked for. Precompiles and empty code run no instructions and give no lines, as in geth and the Python
/// spec. `gasCost` is the gas the instruction took from its frame (a call's includes the gas it passed on, a
/// creation's does not, as in the Python spec); 0 for an instruction that ran out of gas at its first charge.
public final class EIP3155Tracer {
    public let options: TraceOptions
    /// The lines so far, in order.
    public private(set) var lines: [String] = []
    /// The transaction's state, for the refund counter (set by `EVM.init`).
    var state: WorldState?

    // The step whose line waits for its gas cost.
    private var pending = false
    private var pPc = 0
    private var pOp: UInt8 = 0
    private var pGas: Int64 = 0
    private var pCost: Int64? = nil
    private var pMemSize = 0
    private var pStack: [UInt256] = []
    private var pDepth = 0
    private var pReturnData: [UInt8] = []
    private var pRefund: Int64 = 0
    private var pMemory: [UInt8] = []
    private var pError: String?

    public init(options: TraceOptions = TraceOptions()) { self.options = options }

    /// Appends the summary line: `output` (hex, no prefix, as the EIP's example and the Python spec), `gasUsed`
    /// (hex quantity: the gas the execution used, without intrinsic gas or refund, as in the EIP's example), `pass` (whether the transaction succeeded), `error` when it did not, and `stateRoot` when given.
    public func finish(output: [UInt8], gasUsed: UInt64, success: Bool, error: String?, stateRoot: Hash32? = nil) {
        flush()
        var s = "{"
        if let stateRoot { s += "\"stateRoot\":\"\(Hex.encode(stateRoot.bytes))\"," }
        s += "\"output\":\"\(Hex.encode(output, prefix: false))\",\"gasUsed\":\"\(Self.quantity(gasUsed))\",\"pass\":\(success)"
        if let error { s += ",\"error\":\"\(error)\"" }
        s += "}"
        lines.append(s)
    }

    /// Appends a line as it is (a summary the caller formats).
    public func append(line: String) { flush(); lines.append(line) }

    /// The frame `EVM.run` ran has ended with `result`: the waiting step gets its cost, and its error when the
    /// frame halted or reverted.
    func frameEnd(_ result: FrameResult) {
        guard pending else { return }
        switch result.status {
        case .success: if pCost == nil { pCost = pGas - result.gasLeft }
        case .revert:
            if pCost == nil { pCost = pGas - result.gasLeft }
            pError = "Revert"
        case .halt(let reason):
            if pCost == nil { pCost = 0 }
            pError = Self.errorName(reason)
        }
        flush()
    }

    /// The error names of the Python spec's exceptions (its traces' `error`), for halts.
    public static func errorName(_ reason: HaltReason) -> String {
        switch reason {
        case .outOfGas: "OutOfGasError"
        case .stackUnderflow: "StackUnderflowError"
        case .stackOverflow: "StackOverflowError"
        case .invalidJump: "InvalidJumpDestError"
        case .invalidOpcode: "InvalidOpcode"
        case .staticWrite: "WriteInStaticContext"
        case .returnDataOutOfBounds: "OutOfBoundsRead"
        case .initCodeTooLarge: "OutOfGasError"  // the spec charges oversized init code as out of gas
        case .codeTooLarge: "OutOfGasError"
        case .invalidCodePrefix: "InvalidContractPrefix"
        case .precompileFailed: "PrecompileError"
        case .callDepth: "StackDepthLimitError"
        case .addressCollision: "AddressCollision"
        case .readAborted: "ReadAborted"
        }
    }

    private func flush() {
        guard pending else { return }
        pending = false
        var s = "{\"pc\":\(pPc),\"op\":\(pOp),\"gas\":\"\(Self.quantity(pGas))\",\"gasCost\":\"\(Self.quantity(pCost ?? 0))\""
        if options.memory { s += ",\"memory\":\"\(Hex.encode(pMemory))\"" }
        s += ",\"memSize\":\(pMemSize)"
        if options.stack {
            s += ",\"stack\":["
            for (i, v) in pStack.enumerated() {
                if i > 0 { s += "," }
                s += "\"\(v.hexString)\""
            }
            s += "]"
        }
        s += ",\"depth\":\(pDepth)"
        if options.returnData { s += ",\"returnData\":\"\(Hex.encode(pReturnData))\"" }
        s += ",\"refund\":\(pRefund),\"opName\":\"\(Self.opName(pOp))\""
        if let pError { s += ",\"error\":\"\(pError)\"" }
        s += "}"
        lines.append(s)
        pError = nil
        pCost = nil
    }

    /// A hex quantity: "0x" and the digits without leading zeros (EIP-3155; negative values, which gas never
    /// is, as zero).
    public static func quantity<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v < 0 ? 0 : v, radix: 16) }

    /// The mnemonic of `op` (EIP-3155's `opName`; the Ethereum names: KECCAK256, PREVRANDAO, PUSH0, CLZ, ...);
    /// an undefined byte is "opcode 0x.. not defined" as in geth.
    public static func opName(_ op: UInt8) -> String { opNames[Int(op)] }

    static let opNames: [String] = {
        var n = (0..<256).map { "opcode 0x" + String($0, radix: 16) + " not defined" }
        let named: [(Int, String)] = [
            (0x00, "STOP"), (0x01, "ADD"), (0x02, "MUL"), (0x03, "SUB"), (0x04, "DIV"), (0x05, "SDIV"), (0x06, "MOD"),
            (0x07, "SMOD"), (0x08, "ADDMOD"), (0x09, "MULMOD"), (0x0a, "EXP"), (0x0b, "SIGNEXTEND"),
            (0x10, "LT"), (0x11, "GT"), (0x12, "SLT"), (0x13, "SGT"), (0x14, "EQ"), (0x15, "ISZERO"), (0x16, "AND"),
            (0x17, "OR"), (0x18, "XOR"), (0x19, "NOT"), (0x1a, "BYTE"), (0x1b, "SHL"), (0x1c, "SHR"), (0x1d, "SAR"),
            (0x1e, "CLZ"), (0x20, "KECCAK256"),
            (0x30, "ADDRESS"), (0x31, "BALANCE"), (0x32, "ORIGIN"), (0x33, "CALLER"), (0x34, "CALLVALUE"),
            (0x35, "CALLDATALOAD"), (0x36, "CALLDATASIZE"), (0x37, "CALLDATACOPY"), (0x38, "CODESIZE"),
            (0x39, "CODECOPY"), (0x3a, "GASPRICE"), (0x3b, "EXTCODESIZE"), (0x3c, "EXTCODECOPY"),
            (0x3d, "RETURNDATASIZE"), (0x3e, "RETURNDATACOPY"), (0x3f, "EXTCODEHASH"),
            (0x40, "BLOCKHASH"), (0x41, "COINBASE"), (0x42, "TIMESTAMP"), (0x43, "NUMBER"), (0x44, "PREVRANDAO"),
            (0x45, "GASLIMIT"), (0x46, "CHAINID"), (0x47, "SELFBALANCE"), (0x48, "BASEFEE"), (0x49, "BLOBHASH"),
            (0x4a, "BLOBBASEFEE"),
            (0x50, "POP"), (0x51, "MLOAD"), (0x52, "MSTORE"), (0x53, "MSTORE8"), (0x54, "SLOAD"), (0x55, "SSTORE"),
            (0x56, "JUMP"), (0x57, "JUMPI"), (0x58, "PC"), (0x59, "MSIZE"), (0x5a, "GAS"), (0x5b, "JUMPDEST"),
            (0x5c, "TLOAD"), (0x5d, "TSTORE"), (0x5e, "MCOPY"), (0x5f, "PUSH0"),
            (0xa0, "LOG0"), (0xa1, "LOG1"), (0xa2, "LOG2"), (0xa3, "LOG3"), (0xa4, "LOG4"),
            (0xf0, "CREATE"), (0xf1, "CALL"), (0xf2, "CALLCODE"), (0xf3, "RETURN"), (0xf4, "DELEGATECALL"),
            (0xf5, "CREATE2"), (0xfa, "STATICCALL"), (0xfd, "REVERT"), (0xfe, "INVALID"), (0xff, "SELFDESTRUCT"),
        ]
        for (op, name) in named { n[op] = name }
        for i in 1...32 { n[0x5f + i] = "PUSH\(i)" }
        for i in 1...16 { n[0x7f + i] = "DUP\(i)"; n[0x8f + i] = "SWAP\(i)" }
        return n
    }()
}

extension EIP3155Tracer: StepHook {
    func step(pc: Int, op: UInt8, gas: Int64, stack: UnsafeMutablePointer<UInt256>, sp: Int, memory: Memory, depth: Int,
              returnData: [UInt8]) {
        if pending {
            if pCost == nil { pCost = pGas - gas }
            flush()
        }
        pending = true
        pPc = pc; pOp = op; pGas = gas; pMemSize = memory.size; pDepth = depth + 1
        pRefund = state?.refund ?? 0
        if options.stack { pStack = Array(UnsafeBufferPointer(start: stack, count: sp)) }
        if options.returnData { pReturnData = returnData }
        if options.memory { pMemory = memory.bytes(0, memory.size) }
    }

    func enter(gasLeft: Int64) {
        guard pending else { return }
        if pCost == nil { pCost = pGas - gasLeft }
        flush()
    }

    func halted(gasLeft: Int64) {
        guard pending, pCost == nil else { return }
        pCost = pGas - gasLeft
    }
}
