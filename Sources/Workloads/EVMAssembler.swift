import EVMPrimitives
import Execution

/// A tiny EVM assembler for hand-written contracts (benchmark blocks and tests): opcodes, minimal
/// pushes, and labels resolved to two-byte jump targets.
struct EVMAssembler {
    /// The opcodes the hand-written contracts use.
    enum Op: UInt8 {
        case stop = 0x00, add = 0x01, mul = 0x02, sub = 0x03, div = 0x04
        case lt = 0x10, gt = 0x11, eq = 0x14, iszero = 0x15, and = 0x16, shr = 0x1c
        case keccak256 = 0x20
        case address = 0x30, balance = 0x31, origin = 0x32, caller = 0x33, callvalue = 0x34
        case calldataload = 0x35, calldatasize = 0x36, codecopy = 0x39, returndatasize = 0x3d
        case coinbase = 0x41, timestamp = 0x42, number = 0x43, selfbalance = 0x47
        case pop = 0x50, mload = 0x51, mstore = 0x52, sload = 0x54, sstore = 0x55
        case jump = 0x56, jumpi = 0x57, gas = 0x5a, jumpdest = 0x5b, tload = 0x5c, tstore = 0x5d
        case dup1 = 0x80, dup2 = 0x81, dup3 = 0x82, dup4 = 0x83
        case swap1 = 0x90, swap2 = 0x91
        case log0 = 0xa0, log1 = 0xa1, log3 = 0xa3
        case create = 0xf0, call = 0xf1, `return` = 0xf3, create2 = 0xf5, revert = 0xfd, invalid = 0xfe
        case selfdestruct = 0xff
    }

    private(set) var bytes: [UInt8] = []
    private var labels: [String: Int] = [:]
    private var fixups: [(at: Int, label: String)] = []

    init() {}

    mutating func op(_ ops: Op...) {
        for o in ops { bytes.append(o.rawValue) }
    }

    /// The shortest PUSH of `value` (PUSH0 for zero, EIP-3855).
    mutating func push(_ value: UInt256) {
        let b = value.minimalBigEndianBytes
        if b.isEmpty {
            bytes.append(0x5f)
        } else {
            bytes.append(0x5f + UInt8(b.count))
            bytes += b
        }
    }

    mutating func push(_ value: Int) { push(UInt256(UInt64(value))) }

    mutating func push(_ address: Address) {
        bytes.append(0x73)  // PUSH20
        bytes += address.bytes
    }

    /// A PUSH2 of the label's position, filled in by `assembled`.
    mutating func push(label: String) {
        bytes.append(0x61)
        fixups.append((bytes.count, label))
        bytes += [0, 0]
    }

    /// A jump target: the label's position, holding a JUMPDEST.
    mutating func jumpdest(_ label: String) {
        labels[label] = bytes.count
        bytes.append(Op.jumpdest.rawValue)
    }

    /// A data position (no JUMPDEST), e.g. embedded init code for CODECOPY.
    mutating func mark(_ label: String) { labels[label] = bytes.count }

    mutating func data(_ raw: [UInt8]) { bytes += raw }

    /// The code with every label resolved; labels are defined by construction in this file's users, an
    /// undefined one resolves to 0 (an invalid jump, caught by the tests).
    var assembled: [UInt8] {
        var out = bytes
        for f in fixups {
            let target = labels[f.label] ?? 0
            out[f.at] = UInt8(truncatingIfNeeded: target >> 8)
            out[f.at + 1] = UInt8(truncatingIfNeeded: target)
        }
        return out
    }

    /// Ends init code: copies `runtime` (appended right after) to memory and returns it as the code to deploy.
    mutating func returnRuntime(_ runtime: [UInt8]) {
        let label = "runtime.\(bytes.count)"
        push(runtime.count)
        push(label: label)
        push(0)
        op(.codecopy)
        push(runtime.count)
        push(0)
        op(.return)
        mark(label)
        data(runtime)
    }

    /// Init code that returns `runtime` as the deployed code.
    static func deploying(_ runtime: [UInt8]) -> [UInt8] {
        var a = EVMAssembler()
        a.returnRuntime(runtime)
        return a.assembled
    }
}
