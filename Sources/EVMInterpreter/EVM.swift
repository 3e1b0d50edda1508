import EVMPrimitives
import EVMState
import Keccak
import RLP
import Precompiles

/// The EVM for one transaction under one fork's rules: message calls, creations and the interpreter loop.
///
/// Concrete (the state reader is an existential inside `WorldState`), so every module runs the same
/// specialised interpreter; it knows nothing of parallelism. Stacks and memories are pooled by call depth (frames at one depth never overlap)
/// and reused across frames, so the interpreter loop does not allocate.
public final class EVM {
    public let state: WorldState
    public let block: BlockContext
    public let tx: TxContext
    public let fork: Fork
    /// The fork's rules, resolved once; `table` is its opcode table.
    public var rules: ForkRules { unretainedRules.takeUnretainedValue() }
    /// The rules, held without a retain (`ForkRules.unretained`): they live as long as the process.
    let unretainedRules: Unmanaged<ForkRules>
    /// The rules' schedule, read without retaining the rules.
    var schedule: ForkRules.Schedule { unretainedRules._withUnsafeGuaranteedRef { $0.schedule } }
    let table: UnsafePointer<OpInfo>

    var stacks: [UnsafeMutablePointer<UInt256>] = []
    var memories: [Memory] = []
    /// The EIP-3155 tracer of this transaction, or nil (the untraced interpreter loop).
    public let tracer: EIP3155Tracer?

    public init(state: WorldState, block: BlockContext, tx: TxContext, fork: Fork = .cancun, tracer: EIP3155Tracer? = nil) {
        self.state = state
        self.block = block
        self.tx = tx
        self.fork = fork
        unretainedRules = ForkRules.unretained(fork)
        table = unretainedRules._withUnsafeGuaranteedRef { $0.table }
        self.tracer = tracer
        tracer?.state = state
    }

    /// Runs a frame's code: the untraced loop, or the traced one when there is a tracer (one check per frame).
    @inline(__always) func runFrame(_ message: Message) -> FrameResult {
        guard let tracer else { return run(message) }
        let result = run(message, tracer: tracer)
        tracer.frameEnd(result)
        return result
    }

    deinit {
        for s in stacks { s.deallocate() }
    }

    @inline(__always) func stackBuffer(depth: Int) -> UnsafeMutablePointer<UInt256> {
        while stacks.count <= depth { stacks.append(.allocate(capacity: 1024)) }
        return stacks[depth]
    }

    @inline(__always) func memory(depth: Int) -> Memory {
        while memories.count <= depth { memories.append(Memory()) }
        let m = memories[depth]
        m.reset()
        return m
    }

    // MARK: message calls (Yellow Paper section 8; execution-specs process_message)

    /// Runs a message call: value transfer, then code or precompile. Reverts the frame's changes on failure.
    public func call(_ message: Message) -> FrameResult {
        if message.depth > GasCost.callDepthLimit {
            return FrameResult(status: .halt(.callDepth), gasLeft: 0, output: [], createdAddress: nil)
        }
        let checkpoint = state.checkpoint()
        if !schedule.emptyAccountCleanup && !state.exists(message.target) {
            // Before EIP-161 every message call creates its target when it is missing.
            state.setAccount(message.target, AccountInfo())
        }
        // A call touches its target (EIP-161); a value-bearing call to a missing account creates it.
        if message.transfersValue && !message.value.isZero {
            state.subBalance(message.caller, message.value)
            state.addBalance(message.target, message.value)
        } else {
            state.touchIfExists(message.target)
        }
        var result: FrameResult
        if !message.delegated && Precompiles.isPrecompile(message.codeAddress, fork: fork) {
            switch Precompiles.run(message.codeAddress, input: message.input, gasLimit: UInt64(message.gas), fork: fork) {
            case .success(let used, let output):
                result = FrameResult(status: .success, gasLeft: message.gas - Int64(used), output: output, createdAddress: nil)
            case .failure:
                result = FrameResult(status: .halt(.precompileFailed), gasLeft: 0, output: [], createdAddress: nil)
            }
        } else if message.code.isEmpty {
            result = FrameResult(status: .success, gasLeft: message.gas, output: [], createdAddress: nil)
        } else {
            result = runFrame(message)
        }
        if !result.status.isSuccess { state.revert(to: checkpoint) }
        return result
    }

    /// Runs a creation whose address has been derived and checked for collisions by the caller.
    public func create(_ message: Message) -> FrameResult {
        let checkpoint = state.checkpoint()
        let address = message.target
        state.markCreated(address)
        // EIP-161: a new contract starts with nonce 1 (0 before). Keep any balance the address already held.
        var info = state.account(address) ?? AccountInfo()
        info.nonce = schedule.emptyAccountCleanup ? 1 : 0
        info.code = .empty
        state.setAccount(address, info)
        state.subBalance(message.caller, message.value)
        state.addBalance(address, message.value)

        var result = runFrame(message)
        if result.status.isSuccess {
            var code = result.output
            var depositCost = Int64(code.count) * GasCost.codeDeposit
            let schedule = self.schedule
            var halt: HaltReason?
            if schedule.rejectEFCode, let first = code.first, first == 0xef {
                halt = .invalidCodePrefix  // EIP-3541
            } else if depositCost > result.gasLeft {
                if schedule.failOnCodeDepositOOG {
                    halt = .outOfGas  // EIP-2
                } else {
                    code = []  // Frontier: the creation succeeds without code
                    depositCost = 0
                }
            } else if let max = schedule.maxCodeSize, code.count > max {
                halt = .codeTooLarge  // EIP-170
            }
            if let halt {
                state.revert(to: checkpoint)
                return FrameResult(status: .halt(halt), gasLeft: 0, output: [], createdAddress: nil)
            }
            result.gasLeft -= depositCost
            state.setCode(address, Code(code))
            result.output = []
            result.createdAddress = address
            return result
        }
        state.revert(to: checkpoint)
        return result
    }

    /// EIP-7610 and Yellow Paper: creation fails when the address has code, a nonce, or storage.
    public func hasCollision(_ address: Address) -> Bool {
        if let a = state.account(address), a.nonce != 0 || a.hasCode { return true }
        return state.hasStorage(address)
    }

    /// The CREATE address: the low 20 bytes of keccak(rlp([sender, nonce])), the at most 31-byte encoding built on
    /// the stack (a short list: 0xc0 + length, 0x94 and the sender's 20 bytes, then the nonce as an RLP integer).
    public static func createAddress(sender: Address, nonce: UInt64) -> Address {
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &buffer) { p -> Address in
            let nonceBytes = (64 &- nonce.leadingZeroBitCount &+ 7) >> 3
            let nonceLength = nonce < 0x80 ? 1 : 1 &+ nonceBytes
            p[0] = 0xc0 &+ UInt8(truncatingIfNeeded: 21 &+ nonceLength)
            p[1] = 0x94
            p.storeBytes(of: sender.a.bigEndian, toByteOffset: 2, as: UInt64.self)
            p.storeBytes(of: sender.b.bigEndian, toByteOffset: 10, as: UInt64.self)
            p.storeBytes(of: sender.c.bigEndian, toByteOffset: 18, as: UInt32.self)
            if nonce == 0 {
                p[22] = 0x80
            } else if nonce < 0x80 {
                p[22] = UInt8(truncatingIfNeeded: nonce)
            } else {
                p[22] = 0x80 &+ UInt8(truncatingIfNeeded: nonceBytes)
                for i in 0..<nonceBytes {
                    p[23 &+ i] = UInt8(truncatingIfNeeded: nonce >> UInt64(8 &* (nonceBytes &- 1 &- i)))
                }
            }
            let h = Keccak256.hash(UnsafeRawBufferPointer(rebasing: p[0..<(22 &+ nonceLength)]))
            return Address(truncating: h.word)
        }
    }

    public static func create2Address(sender: Address, salt: UInt256, initCode: [UInt8]) -> Address {
        Keccak256.create2Address(sender: sender, salt: salt, initCodeHash: Keccak256.hash(initCode))
    }
}

extension Code {
    /// EIP-7702: the address a delegation designator `0xef0100 || address` (exactly 23 bytes) points to;
    /// nil for any other code.
    @inlinable public var delegationTarget: Address? {
        let b = bytes
        guard b.count == 23, b[0] == 0xef, b[1] == 0x01, b[2] == 0x00 else { return nil }
        return Address(b[3...])
    }

    /// The delegation designator for `address` (EIP-7702).
    public static func delegation(to address: Address) -> Code { Code([0xef, 0x01, 0x00] + address.bytes) }
}

extension WorldState {
    /// Touches an existing account (a zero-value call still counts as a touch under EIP-161).
    @inlinable public func touchIfExists(_ address: Address) {
        if account(address) != nil { touch(address) }
    }
}
