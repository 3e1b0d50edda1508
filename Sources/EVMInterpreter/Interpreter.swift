import EVMPrimitives
import EVMState
import Keccak
import Precompiles

extension EVM {
    /// The interpreter loop for one frame. Stack height and base gas are checked once from the opcode
    /// table; each case then does only its own work and dynamic gas.
    func run(_ msg: Message) -> FrameResult { run(msg, NoSteps()) }

    /// The loop with an EIP-3155 tracer seeing each instruction.
    func run(_ msg: Message, tracer: EIP3155Tracer) -> FrameResult { run(msg, tracer) }

    /// The loop, generic over what sees each instruction. Inlined into the two entry points above from the start
    /// (mandatory inlining), so each is optimised as a plain function: the untraced one compiles as the loop did
    /// before tracing existed (a generic specialisation made later in the pipeline inlined less: +6% instructions
    /// on compute under callgrind).
    @inline(__always) func run<H: StepHook>(_ msg: Message, _ hook: H) -> FrameResult {
        let stack = stackBuffer(depth: msg.depth)
        let mem = memory(depth: msg.depth)
        let code = msg.code
        var sp = 0          // number of items on the stack
        var pc = 0
        var gas = msg.gas
        var returnData: [UInt8] = []
        let state = self.state
        let table = self.table
        let schedule = self.schedule
        let accessLists = schedule.accessLists

        @inline(__always) func halt(_ reason: HaltReason) -> FrameResult {
            hook.halted(gasLeft: gas)
            return FrameResult(status: .halt(reason), gasLeft: 0, output: [], createdAddress: nil)
        }

        /// Charges memory expansion for [offset, offset+size); false on out-of-gas. Zero size never expands.
        @inline(__always) func expand(_ offset: UInt256, _ size: UInt256) -> Bool {
            if size.isZero { return true }
            guard let o = offset.u64, let s = size.u64, o <= 0xffff_ffff, s <= 0xffff_ffff else { return false }
            let end = Int(o + s)
            if end <= mem.size { return true }
            let words = Int64((end + 31) / 32)
            let newCost = Memory.cost(words: words)
            let delta = newCost - mem.cost
            if delta > gas { return false }
            gas -= delta
            mem.cost = newCost
            mem.grow(to: end)
            return true
        }

        @inline(__always) func words(_ size: Int) -> Int64 { Int64((size + 31) / 32) }

        /// Charges the EIP-2929 cold surcharge when `a` is cold (the table holds the warm cost); false on out-of-gas.
        @inline(__always) func accessAccount(_ a: Address) -> Bool {
            guard accessLists, state.accessAddress(a) else { return true }
            if schedule.coldAccountSurcharge > gas { return false }
            gas -= schedule.coldAccountSurcharge
            return true
        }

        return code.bytes.withUnsafeBufferPointer { codeBuf -> FrameResult in
            let codeCount = codeBuf.count
            while true {
                if state.aborted { return halt(.readAborted) }
                let op: UInt8 = pc < codeCount ? codeBuf[pc] : 0x00
                hook.step(pc: pc, op: op, gas: gas, stack: stack, sp: sp, memory: mem, depth: msg.depth, returnData: returnData)
                let info = table + Int(op)
                if UInt(bitPattern: sp &- info.pointee.stackBase) > info.pointee.stackLimit {
                    if !info.pointee.defined { return halt(.invalidOpcode(op)) }
                    return halt(sp < info.pointee.pops ? .stackUnderflow : .stackOverflow)
                }
                let base = info.pointee.gas
                if base > gas { return halt(.outOfGas) }
                gas &-= base

                switch op {
                case 0x00:  // STOP
                    return FrameResult(status: .success, gasLeft: gas, output: [], createdAddress: nil)

                // MARK: arithmetic
                case 0x01: stack[sp &- 2] = stack[sp &- 1] &+ stack[sp &- 2]; sp &-= 1
                case 0x02: stack[sp &- 2] = stack[sp &- 1] &* stack[sp &- 2]; sp &-= 1
                case 0x03: stack[sp &- 2] = stack[sp &- 1] &- stack[sp &- 2]; sp &-= 1
                case 0x04: stack[sp &- 2] = stack[sp &- 1].evmDiv(stack[sp &- 2]); sp &-= 1
                case 0x05: stack[sp &- 2] = stack[sp &- 1].evmSDiv(stack[sp &- 2]); sp &-= 1
                case 0x06: stack[sp &- 2] = stack[sp &- 1].evmMod(stack[sp &- 2]); sp &-= 1
                case 0x07: stack[sp &- 2] = stack[sp &- 1].evmSMod(stack[sp &- 2]); sp &-= 1
                case 0x08: stack[sp &- 3] = stack[sp &- 1].addMod(stack[sp &- 2], stack[sp &- 3]); sp &-= 2
                case 0x09: stack[sp &- 3] = stack[sp &- 1].mulMod(stack[sp &- 2], stack[sp &- 3]); sp &-= 2
                case 0x0a:  // EXP: 10 gas per byte of exponent, 50 from EIP-160
                    let e = stack[sp &- 2]
                    let cost = schedule.expByte * Int64(e.byteCount)
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    stack[sp &- 2] = stack[sp &- 1].exp(e); sp &-= 1
                case 0x0b: stack[sp &- 2] = stack[sp &- 1].signExtend(stack[sp &- 2]); sp &-= 1

                // MARK: comparison and bitwise
                case 0x10: stack[sp &- 2] = stack[sp &- 1] < stack[sp &- 2] ? .one : .zero; sp &-= 1
                case 0x11: stack[sp &- 2] = stack[sp &- 1] > stack[sp &- 2] ? .one : .zero; sp &-= 1
                case 0x12: stack[sp &- 2] = stack[sp &- 1].signedLessThan(stack[sp &- 2]) ? .one : .zero; sp &-= 1
                case 0x13: stack[sp &- 2] = stack[sp &- 2].signedLessThan(stack[sp &- 1]) ? .one : .zero; sp &-= 1
                case 0x14: stack[sp &- 2] = stack[sp &- 1] == stack[sp &- 2] ? .one : .zero; sp &-= 1
                case 0x15: stack[sp &- 1] = stack[sp &- 1].isZero ? .one : .zero
                case 0x16: stack[sp &- 2] = stack[sp &- 1] & stack[sp &- 2]; sp &-= 1
                case 0x17: stack[sp &- 2] = stack[sp &- 1] | stack[sp &- 2]; sp &-= 1
                case 0x18: stack[sp &- 2] = stack[sp &- 1] ^ stack[sp &- 2]; sp &-= 1
                case 0x19: stack[sp &- 1] = ~stack[sp &- 1]
                case 0x1a: stack[sp &- 2] = stack[sp &- 1].byte(stack[sp &- 2]); sp &-= 1
                case 0x1b: stack[sp &- 2] = stack[sp &- 1].shl(stack[sp &- 2]); sp &-= 1
                case 0x1c: stack[sp &- 2] = stack[sp &- 1].shr(stack[sp &- 2]); sp &-= 1
                case 0x1d: stack[sp &- 2] = stack[sp &- 1].sar(stack[sp &- 2]); sp &-= 1
                case 0x1e: stack[sp &- 1] = UInt256(UInt64(stack[sp &- 1].leadingZeroBitCount))  // CLZ (EIP-7939)

                case 0x20:  // KECCAK256
                    let offset = stack[sp &- 1], size = stack[sp &- 2]
                    if !expand(offset, size) { return halt(.outOfGas) }
                    let n = Int(truncatingIfNeeded: size.w0)
                    let cost = GasCost.keccakWord * words(n)
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    let h = n == 0 ? Keccak256.emptyHash
                        : Keccak256.hash(UnsafeRawBufferPointer(start: mem.base + Int(truncatingIfNeeded: offset.w0), count: n))
                    stack[sp &- 2] = h.word; sp &-= 1

                // MARK: environment
                case 0x30: stack[sp] = msg.target.word; sp &+= 1
                case 0x31:  // BALANCE
                    let a = Address(truncating: stack[sp &- 1])
                    if !accessAccount(a) { return halt(.outOfGas) }
                    stack[sp &- 1] = state.balance(a)
                case 0x32: stack[sp] = tx.origin.word; sp &+= 1
                case 0x33: stack[sp] = msg.caller.word; sp &+= 1
                case 0x34: stack[sp] = msg.value; sp &+= 1
                case 0x35:  // CALLDATALOAD: 32 bytes, zero-padded past the end of the input
                    var v = UInt256.zero
                    if let o = stack[sp &- 1].u64, o < UInt64(msg.input.count) {
                        let start = Int(o)
                        let n = min(32, msg.input.count - start)
                        v = msg.input.withUnsafeBytes { UInt256(bigEndian: UnsafeRawBufferPointer(rebasing: $0[start..<start + n])) }
                        if n < 32 { v = v << (8 * (32 - n)) }
                    }
                    stack[sp &- 1] = v
                case 0x36: stack[sp] = UInt256(UInt64(msg.input.count)); sp &+= 1
                case 0x37, 0x39, 0x3e:  // CALLDATACOPY, CODECOPY, RETURNDATACOPY
                    let dest = stack[sp &- 1], src = stack[sp &- 2], size = stack[sp &- 3]
                    sp &-= 3
                    if op == 0x3e {
                        // EIP-211: reading past the return data is an exceptional halt.
                        guard let s = src.u64, let n = size.u64, s.addingReportingOverflow(n).overflow == false,
                              s + n <= UInt64(returnData.count) else { return halt(.returnDataOutOfBounds) }
                    }
                    if !expand(dest, size) { return halt(.outOfGas) }
                    let n = Int(truncatingIfNeeded: size.w0)
                    let cost = GasCost.copyWord * words(n)
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    if n > 0 {
                        let d = Int(truncatingIfNeeded: dest.w0)
                        switch op {
                        case 0x37: msg.input.withUnsafeBytes { mem.copy(to: d, from: $0, sourceOffset: src, count: n) }
                        case 0x39: mem.copy(to: d, from: UnsafeRawBufferPointer(codeBuf), sourceOffset: src, count: n)
                        default: returnData.withUnsafeBytes { mem.copy(to: d, from: $0, sourceOffset: src, count: n) }
                        }
                    }
                case 0x38: stack[sp] = UInt256(UInt64(codeCount)); sp &+= 1
                case 0x3a: stack[sp] = tx.gasPrice; sp &+= 1
                case 0x3b:  // EXTCODESIZE
                    let a = Address(truncating: stack[sp &- 1])
                    if !accessAccount(a) { return halt(.outOfGas) }
                    stack[sp &- 1] = UInt256(UInt64(state.code(a).bytes.count))
                case 0x3c:  // EXTCODECOPY
                    let a = Address(truncating: stack[sp &- 1])
                    let dest = stack[sp &- 2], src = stack[sp &- 3], size = stack[sp &- 4]
                    sp &-= 4
                    if !accessAccount(a) { return halt(.outOfGas) }
                    if !expand(dest, size) { return halt(.outOfGas) }
                    let n = Int(truncatingIfNeeded: size.w0)
                    let cost = GasCost.copyWord * words(n)
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    if n > 0 {
                        state.code(a).bytes.withUnsafeBytes { mem.copy(to: Int(truncatingIfNeeded: dest.w0), from: $0, sourceOffset: src, count: n) }
                    }
                case 0x3d: stack[sp] = UInt256(UInt64(returnData.count)); sp &+= 1
                case 0x3f:  // EXTCODEHASH: zero for a missing or empty account (EIP-1052, EIP-161)
                    let a = Address(truncating: stack[sp &- 1])
                    if !accessAccount(a) { return halt(.outOfGas) }
                    if let acc = state.account(a), !acc.isEmpty {
                        stack[sp &- 1] = acc.codeHash.word
                    } else {
                        stack[sp &- 1] = .zero
                    }

                // MARK: block
                case 0x40:  // BLOCKHASH: only the 256 most recent blocks
                    let n = stack[sp &- 1]
                    var h = UInt256.zero
                    if let num = n.u64, num < block.number, block.number - num <= 256 {
                        h = (block.blockHashes[num] ?? Hash32.zero).word
                    }
                    stack[sp &- 1] = h
                case 0x41: stack[sp] = block.coinbase.word; sp &+= 1
                case 0x42: stack[sp] = UInt256(block.timestamp); sp &+= 1
                case 0x43: stack[sp] = UInt256(block.number); sp &+= 1
                case 0x44: stack[sp] = block.prevRandao; sp &+= 1  // DIFFICULTY before EIP-4399 (see BlockContext)
                case 0x45: stack[sp] = UInt256(block.gasLimit); sp &+= 1
                case 0x46: stack[sp] = UInt256(block.chainId); sp &+= 1
                case 0x47: stack[sp] = state.balance(msg.target); sp &+= 1
                case 0x48: stack[sp] = block.baseFee; sp &+= 1
                case 0x49:  // BLOBHASH (EIP-4844)
                    let i = stack[sp &- 1]
                    if let idx = i.u64, idx < UInt64(tx.blobHashes.count) {
                        stack[sp &- 1] = tx.blobHashes[Int(idx)].word
                    } else {
                        stack[sp &- 1] = .zero
                    }
                case 0x4a: stack[sp] = block.blobBaseFee; sp &+= 1

                // MARK: stack, memory, storage, flow
                case 0x50: sp &-= 1
                case 0x51:
                    let offset = stack[sp &- 1]
                    if !expand(offset, UInt256(32)) { return halt(.outOfGas) }
                    stack[sp &- 1] = mem.load(Int(truncatingIfNeeded: offset.w0))
                case 0x52:
                    let offset = stack[sp &- 1]
                    if !expand(offset, UInt256(32)) { return halt(.outOfGas) }
                    mem.store(Int(truncatingIfNeeded: offset.w0), stack[sp &- 2]); sp &-= 2
                case 0x53:
                    let offset = stack[sp &- 1]
                    if !expand(offset, .one) { return halt(.outOfGas) }
                    mem.store8(Int(truncatingIfNeeded: offset.w0), UInt8(truncatingIfNeeded: stack[sp &- 2].w0)); sp &-= 2
                case 0x54:  // SLOAD (cold surcharge from EIP-2929)
                    let key = stack[sp &- 1]
                    if accessLists && state.accessSlot(msg.target, key) {
                        if schedule.coldSloadSurcharge > gas { return halt(.outOfGas) }
                        gas -= schedule.coldSloadSurcharge
                    }
                    stack[sp &- 1] = state.storage(msg.target, key)
                case 0x55:  // SSTORE: Frontier, or net metering (EIP-1283, EIP-2200, EIP-2929, EIP-3529)
                    if msg.isStatic { return halt(.staticWrite) }
                    if schedule.sstoreSentry && gas <= GasCost.callStipend { return halt(.outOfGas) }  // EIP-2200
                    let key = stack[sp &- 1], new = stack[sp &- 2]
                    sp &-= 2
                    var cost: Int64 = accessLists && state.accessSlot(msg.target, key) ? schedule.coldSstoreSurcharge : 0
                    let current = state.storage(msg.target, key)
                    var refund: Int64 = 0
                    switch schedule.sstore {
                    case .frontier:
                        cost += current.isZero && !new.isZero ? schedule.sstoreSet : schedule.sstoreReset
                        if !current.isZero && new.isZero { refund = schedule.sstoreClearsRefund }
                    case .netMetering:
                        let original = state.originalStorage(msg.target, key)
                        if original == current && current != new {
                            cost += original.isZero ? schedule.sstoreSet : schedule.sstoreReset
                        } else {
                            cost += schedule.sstoreNoop
                        }
                        if current != new {
                            if !original.isZero && !current.isZero && new.isZero { refund += schedule.sstoreClearsRefund }
                            if !original.isZero && current.isZero { refund -= schedule.sstoreClearsRefund }
                            if original == new {
                                refund += original.isZero ? schedule.sstoreSet - schedule.sstoreNoop
                                                          : schedule.sstoreReset - schedule.sstoreNoop
                            }
                        }
                    }
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    if current != new {
                        if refund != 0 { state.addRefund(refund) }
                        state.setStorage(msg.target, key, new)
                    }
                    if let fault = block.storageWriteFault {  // test-only (StorageWriteFault); nil in real runs
                        let written = fault.apply(new)
                        if written != new { state.setStorage(msg.target, key, written) }
                    }
                case 0x56:  // JUMP
                    let dest = stack[sp &- 1]; sp &-= 1
                    guard let d = dest.u64, d < UInt64(codeCount), code.isJumpdest(Int(d)) else { return halt(.invalidJump) }
                    pc = Int(d)
                    continue
                case 0x57:  // JUMPI
                    let dest = stack[sp &- 1], cond = stack[sp &- 2]; sp &-= 2
                    if !cond.isZero {
                        guard let d = dest.u64, d < UInt64(codeCount), code.isJumpdest(Int(d)) else { return halt(.invalidJump) }
                        pc = Int(d)
                        continue
                    }
                case 0x58: stack[sp] = UInt256(UInt64(pc)); sp &+= 1
                case 0x59: stack[sp] = UInt256(UInt64(mem.size)); sp &+= 1
                case 0x5a: stack[sp] = UInt256(UInt64(gas)); sp &+= 1
                case 0x5b: break
                case 0x5c:  // TLOAD (EIP-1153)
                    stack[sp &- 1] = state.transientStorage(msg.target, stack[sp &- 1])
                case 0x5d:  // TSTORE
                    if msg.isStatic { return halt(.staticWrite) }
                    state.setTransientStorage(msg.target, stack[sp &- 1], stack[sp &- 2]); sp &-= 2
                case 0x5e:  // MCOPY (EIP-5656)
                    let dest = stack[sp &- 1], src = stack[sp &- 2], size = stack[sp &- 3]
                    sp &-= 3
                    if !size.isZero {
                        let hi = dest > src ? dest : src
                        if !expand(hi, size) { return halt(.outOfGas) }
                    }
                    let n = Int(truncatingIfNeeded: size.w0)
                    let cost = GasCost.copyWord * words(n)
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    if n > 0 {
                        (mem.base + Int(truncatingIfNeeded: dest.w0)).copyMemory(from: mem.base + Int(truncatingIfNeeded: src.w0), byteCount: n)
                    }
                case 0x5f: stack[sp] = .zero; sp &+= 1

                case 0x60...0x7f:  // PUSH1..PUSH32; bytes past the end of code read as zero
                    let n = Int(op) - 0x5f
                    let start = pc + 1
                    var v = UInt256.zero
                    if n <= 8 && start &+ n <= codeCount {
                        // PUSH1..PUSH8 inside the code (most pushes): the bytes straight into the low word.
                        var w: UInt64 = 0
                        for i in 0..<n { w = w &<< 8 | UInt64(codeBuf[start &+ i]) }
                        v.w0 = w
                    } else if case let avail = Swift.max(0, Swift.min(n, codeCount - start)), avail > 0 {
                        v = UInt256(bigEndian: UnsafeRawBufferPointer(start: codeBuf.baseAddress! + start, count: avail))
                        if avail < n { v = v << (8 * (n - avail)) }
                    }
                    stack[sp] = v; sp &+= 1
                    pc += n + 1
                    continue
                case 0x80...0x8f:
                    let n = Int(op) - 0x7f
                    stack[sp] = stack[sp &- n]; sp &+= 1
                case 0x90...0x9f:
                    let n = Int(op) - 0x8f
                    let t = stack[sp &- 1]; stack[sp &- 1] = stack[sp &- 1 - n]; stack[sp &- 1 - n] = t

                case 0xa0...0xa4:  // LOG0..LOG4
                    if msg.isStatic { return halt(.staticWrite) }
                    let offset = stack[sp &- 1], size = stack[sp &- 2]
                    let topicCount = Int(op) - 0xa0
                    if !expand(offset, size) { return halt(.outOfGas) }
                    let n = Int(truncatingIfNeeded: size.w0)
                    let cost = GasCost.logData * Int64(n)
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    var topics: [Hash32] = []
                    topics.reserveCapacity(topicCount)
                    for i in 0..<topicCount { topics.append(Hash32(stack[sp &- 3 - i])) }
                    sp &-= 2 + topicCount
                    state.addLog(Log(address: msg.target, topics: topics, data: mem.bytes(Int(truncatingIfNeeded: offset.w0), n)))

                // MARK: system
                case 0xf0, 0xf5:  // CREATE, CREATE2
                    let value = stack[sp &- 1], offset = stack[sp &- 2], size = stack[sp &- 3]
                    let salt = op == 0xf5 ? stack[sp &- 4] : .zero
                    sp &-= op == 0xf5 ? 4 : 3
                    if !expand(offset, size) { return halt(.outOfGas) }
                    let n = Int(truncatingIfNeeded: size.w0)
                    if let max = schedule.maxInitCodeSize, n > max { return halt(.initCodeTooLarge) }  // EIP-3860
                    var cost = schedule.initCodeWordGas * words(n)
                    if op == 0xf5 { cost += GasCost.keccakWord * words(n) }
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    if msg.isStatic { return halt(.staticWrite) }
                    let initCode = mem.bytes(Int(truncatingIfNeeded: offset.w0), n)
                    returnData = []
                    let sender = msg.target
                    let senderNonce = state.nonce(sender)
                    // CREATE2 builds the init code's Code here and takes its hash for the address (one hash of it).
                    let create2Code: Code? = op == 0xf5 ? Code(initCode) : nil
                    let address = if let create2Code {
                        Keccak256.create2Address(sender: sender, salt: salt, initCodeHash: create2Code.hash)
                    } else {
                        EVM.createAddress(sender: sender, nonce: senderNonce)
                    }
                    if accessLists { state.accessAddress(address) }
                    hook.enter(gasLeft: gas)  // the creation's cost, without the child's gas (as the Python spec)
                    let childGas = schedule.allButOne64th ? gas - gas / 64 : gas  // EIP-150: all but one 64th
                    gas -= childGas
                    if state.balance(sender) < value || senderNonce == UInt64.max || msg.depth + 1 > GasCost.callDepthLimit {
                        gas += childGas
                        stack[sp] = .zero; sp &+= 1
                        break
                    }
                    state.setNonce(sender, senderNonce + 1)
                    if hasCollision(address) {
                        stack[sp] = .zero; sp &+= 1
                        break
                    }
                    let child = Message(caller: sender, target: address, codeAddress: address, value: value,
                                        input: [], gas: childGas, depth: msg.depth + 1, isStatic: false,
                                        transfersValue: true, code: create2Code ?? Code(initCode))
                    let result = create(child)
                    gas += result.gasLeft
                    if let created = result.createdAddress {
                        returnData = []
                        stack[sp] = created.word
                    } else {
                        returnData = result.status == .revert ? result.output : []
                        stack[sp] = .zero
                    }
                    sp &+= 1

                case 0xf1, 0xf2, 0xf4, 0xfa:  // CALL, CALLCODE, DELEGATECALL, STATICCALL
                    let hasValue = op == 0xf1 || op == 0xf2
                    let gasArg = stack[sp &- 1]
                    let to = Address(truncating: stack[sp &- 2])
                    let value: UInt256 = hasValue ? stack[sp &- 3] : .zero
                    let a = hasValue ? 4 : 3
                    let inOffset = stack[sp &- a], inSize = stack[sp &- a - 1]
                    let outOffset = stack[sp &- a - 2], outSize = stack[sp &- a - 3]
                    sp &-= hasValue ? 7 : 6
                    // Memory for both regions, then the access, new-account and value costs (EIP-2929, EIP-150).
                    if !expand(inOffset, inSize) || !expand(outOffset, outSize) { return halt(.outOfGas) }
                    var extra: Int64 = accessLists && state.accessAddress(to) ? schedule.coldAccountSurcharge : 0
                    // EIP-7702: a designator runs its target's code; the target's access costs 2600 cold, 100 warm.
                    var codeAddress = to
                    var code = state.code(to)
                    var delegated = false
                    if schedule.setCode, let target = code.delegationTarget {
                        extra += state.accessAddress(target) ? GasCost.coldAccountAccess : GasCost.warmAccess
                        codeAddress = target
                        code = state.code(target)
                        delegated = true
                    }
                    if op == 0xf1 {
                        // EIP-161: only value sent to a dead account pays for it; before, any call to a missing one.
                        let creates = schedule.emptyAccountCleanup ? !value.isZero && !state.isAlive(to) : !state.exists(to)
                        if creates { extra += GasCost.newAccount }
                    }
                    if hasValue && !value.isZero { extra += GasCost.callValue }
                    if extra > gas { return halt(.outOfGas) }
                    gas -= extra
                    var childGas: Int64
                    if schedule.allButOne64th {
                        // EIP-150: the child gets at most all but one 64th of what is left.
                        let cap = gas - gas / 64
                        childGas = cap
                        if let g = gasArg.u64, g < UInt64(cap) { childGas = Int64(g) }
                    } else {
                        // Before EIP-150 the caller pays exactly the gas it asks for.
                        guard let g = gasArg.u64, g <= UInt64(gas) else { return halt(.outOfGas) }
                        childGas = Int64(g)
                    }
                    gas -= childGas
                    if op == 0xf1 && msg.isStatic && !value.isZero { return halt(.staticWrite) }
                    if hasValue && !value.isZero { childGas += GasCost.callStipend }
                    returnData = []
                    if (hasValue && state.balance(msg.target) < value) || msg.depth + 1 > GasCost.callDepthLimit {
                        gas += childGas
                        stack[sp] = .zero; sp &+= 1
                        break
                    }
                    let input = mem.bytes(Int(truncatingIfNeeded: inOffset.w0), Int(truncatingIfNeeded: inSize.w0))
                    var child: Message
                    switch op {
                    case 0xf1:
                        child = Message(caller: msg.target, target: to, codeAddress: codeAddress, value: value, input: input,
                                        gas: childGas, depth: msg.depth + 1, isStatic: msg.isStatic,
                                        transfersValue: true, code: code)
                    case 0xf2:
                        child = Message(caller: msg.target, target: msg.target, codeAddress: codeAddress, value: value,
                                        input: input, gas: childGas, depth: msg.depth + 1, isStatic: msg.isStatic,
                                        transfersValue: true, code: code)
                    case 0xf4:
                        child = Message(caller: msg.caller, target: msg.target, codeAddress: codeAddress, value: msg.value,
                                        input: input, gas: childGas, depth: msg.depth + 1, isStatic: msg.isStatic,
                                        transfersValue: false, code: code)
                    default:
                        child = Message(caller: msg.target, target: to, codeAddress: codeAddress, value: .zero, input: input,
                                        gas: childGas, depth: msg.depth + 1, isStatic: true,
                                        transfersValue: true, code: code)
                    }
                    child.delegated = delegated
                    hook.enter(gasLeft: gas)
                    let result = call(child)
                    gas += result.gasLeft
                    returnData = result.output
                    let outN = min(Int(truncatingIfNeeded: outSize.w0), result.output.count)
                    if outN > 0 {
                        result.output.withUnsafeBytes { src in
                            (mem.base + Int(truncatingIfNeeded: outOffset.w0)).copyMemory(from: src.baseAddress!, byteCount: outN)
                        }
                    }
                    stack[sp] = result.status.isSuccess ? .one : .zero; sp &+= 1

                case 0xf3, 0xfd:  // RETURN, REVERT
                    let offset = stack[sp &- 1], size = stack[sp &- 2]
                    if !expand(offset, size) { return halt(.outOfGas) }
                    let out = mem.bytes(Int(truncatingIfNeeded: offset.w0), Int(truncatingIfNeeded: size.w0))
                    return FrameResult(status: op == 0xf3 ? .success : .revert, gasLeft: gas, output: out, createdAddress: nil)

                case 0xff:  // SELFDESTRUCT (EIP-6780: deletes only an account created in this transaction)
                    let beneficiary = Address(truncating: stack[sp &- 1]); sp &-= 1
                    var cost: Int64 = accessLists && state.accessAddress(beneficiary) ? schedule.coldSelfdestructSurcharge : 0
                    let balance = state.balance(msg.target)
                    if schedule.selfdestructNewAccountGas {  // EIP-150; EIP-161: only when value goes to a dead account
                        let creates = schedule.emptyAccountCleanup ? !state.isAlive(beneficiary) && !balance.isZero
                                                                   : !state.exists(beneficiary)
                        if creates { cost += GasCost.selfdestructNewAccount }
                    }
                    if cost > gas { return halt(.outOfGas) }
                    gas -= cost
                    if msg.isStatic { return halt(.staticWrite) }
                    if schedule.selfdestructRefund != 0 && !state.destructed.contains(msg.target) {
                        state.addRefund(schedule.selfdestructRefund)  // until EIP-3529
                    }
                    state.subBalance(msg.target, balance)
                    state.addBalance(beneficiary, balance)
                    if !schedule.selfdestructOnlyCreated || state.created.contains(msg.target) {
                        state.setBalance(msg.target, .zero)  // burnt when the beneficiary is itself
                        state.markDestructed(msg.target)
                    }
                    return FrameResult(status: .success, gasLeft: gas, output: [], createdAddress: nil)

                default:
                    return halt(.invalidOpcode(op))
                }
                pc &+= 1
            }
        }
    }
}
