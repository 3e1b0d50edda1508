import EVMPrimitives
import EVMState
@_spi(Testing) import EVMInterpreter
import Keccak
import Precompiles
import RLP

/// Why a transaction is invalid (it cannot be included in a block; nothing is applied).
public enum TransactionError: Error, Equatable, Sendable, CustomStringConvertible {
    case intrinsicGasTooLow(intrinsic: UInt64, limit: UInt64)
    case initCodeTooLarge(size: Int)
    case nonceMaxed
    case nonceMismatch(expected: UInt64, got: UInt64)
    case senderHasCode
    case gasLimitExceedsBlock(txGas: UInt64, available: UInt64)
    case priorityFeeAboveMaxFee
    case maxFeeBelowBaseFee
    case gasPriceBelowBaseFee
    case insufficientFunds(required: UInt256, balance: UInt256)
    case blobCreation
    case noBlobs
    case invalidBlobVersion(index: Int)
    case tooManyBlobs(count: Int)
    case blobFeeCapTooLow
    case unsupportedFork(Fork)
    case typeNotSupported(type: UInt8, fork: Fork)
    case gasLimitAboveCap(gasLimit: UInt64, cap: UInt64)
    case setCodeCreation
    case emptyAuthorizationList

    public var description: String {
        switch self {
        case .intrinsicGasTooLow(let i, let l): "intrinsic gas too low: needs \(i), gas limit \(l)"
        case .initCodeTooLarge(let s): "init code of \(s) bytes exceeds 49152 (EIP-3860)"
        case .nonceMaxed: "nonce is 2^64-1 (EIP-2681)"
        case .nonceMismatch(let e, let g): "nonce mismatch: account has \(e), transaction has \(g)"
        case .senderHasCode: "sender has deployed code (EIP-3607)"
        case .gasLimitExceedsBlock(let t, let a): "gas limit \(t) exceeds the block's available gas \(a)"
        case .priorityFeeAboveMaxFee: "max priority fee per gas above max fee per gas"
        case .maxFeeBelowBaseFee: "max fee per gas below the block base fee"
        case .gasPriceBelowBaseFee: "gas price below the block base fee"
        case .insufficientFunds(let r, let b): "insufficient funds: needs \(r), balance \(b)"
        case .blobCreation: "blob transaction cannot create a contract"
        case .noBlobs: "blob transaction without blobs"
        case .invalidBlobVersion(let i): "blob versioned hash \(i) does not start with 0x01"
        case .tooManyBlobs(let c): "\(c) blobs exceed the fork's maximum per transaction or block"
        case .blobFeeCapTooLow: "max fee per blob gas below the blob base fee"
        case .unsupportedFork(let f): "fork \(f.name) is not supported"
        case .typeNotSupported(let t, let f): "transaction type \(t) is not valid in \(f.name)"
        case .gasLimitAboveCap(let g, let c): "gas limit \(g) above the transaction cap \(c) (EIP-7825)"
        case .setCodeCreation: "set-code transaction cannot create a contract (EIP-7702)"
        case .emptyAuthorizationList: "set-code transaction with an empty authorization list (EIP-7702)"
        }
    }
}

/// The outcome of an included transaction.
public struct TransactionResult: Sendable {
    /// True when the top-level frame succeeded (receipt status 1).
    public var success: Bool
    public var gasUsed: UInt64
    public var blobGasUsed: UInt64
    public var logs: [Log]
    /// The write set, coinbase fee included.
    public var changes: StateChanges
    public var createdAddress: Address?
    public var output: [UInt8]
    /// The priority fee the coinbase received.
    public var coinbaseFee: UInt256
    /// What the transaction read from its pre-state (for dependency analysis).
    public var readAccounts: [Address]
    public var readSlots: [SlotKey]
}

/// EIP-4844 constants.
public enum BlobParameters {
    public static let gasPerBlob: UInt64 = 131_072
    public static let maxBlobGasPerBlock: UInt64 = 786_432
    public static let minBlobBaseFee: UInt64 = 1
    public static let updateFraction: UInt64 = 3_338_477

    /// fake_exponential(MIN_BLOB_BASE_FEE, excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION) from EIP-4844; the
    /// fraction is the fork's (`ForkRules.Schedule.blobUpdateFraction`: EIP-7691 and the BPO forks change it).
    public static func baseFee(excessBlobGas: UInt64, updateFraction: UInt64 = updateFraction) -> UInt256 {
        let factor = UInt256(minBlobBaseFee), numerator = UInt256(excessBlobGas), denominator = UInt256(updateFraction)
        var i: UInt64 = 1
        var output = UInt256.zero
        var accum = factor &* denominator
        while !accum.isZero {
            output = output &+ accum
            let (hi, lo) = accum.multipliedFullWidth(by: numerator)
            // accum * numerator / (denominator * i); the product fits 512 bits, the quotient 256 for sane inputs.
            if !hi.isZero { return UInt256.max }
            accum = lo.evmDiv(denominator &* UInt256(i))
            i += 1
        }
        return output.evmDiv(denominator)
    }
}

/// Validates and executes one transaction against a state reader: the Yellow Paper's transaction
/// lifecycle in named phases (validate, buy gas, execute, refund, pay the coinbase, finalise).
public enum TransactionProcessor {
    /// Intrinsic gas: base cost, calldata (68 per non-zero byte, 16 from EIP-2028), creation (EIP-2) and
    /// init-code words (EIP-3860), access list (EIP-2930), authorisations (EIP-7702: 25000 each), as `fork`
    /// prices them.
    public static func intrinsicGas(_ tx: Transaction, fork: Fork = .cancun) -> UInt64 {
        intrinsicGas(tx, schedule: ForkRules.schedule(fork))
    }

    static func intrinsicGas(_ tx: Transaction, schedule: ForkRules.Schedule) -> UInt64 {
        var gas: UInt64 = 21000
        var zeros: UInt64 = 0
        for b in tx.data where b == 0 { zeros += 1 }
        gas += zeros * 4 + (UInt64(tx.data.count) - zeros) * schedule.txDataNonZeroGas
        if tx.to == nil {
            gas += schedule.txCreateGas
            gas += UInt64(schedule.initCodeWordGas) * ((UInt64(tx.data.count) + 31) / 32)
        }
        for entry in tx.accessList {
            gas += 2400 + 1900 * UInt64(entry.storageKeys.count)
        }
        gas += perEmptyAccountCost * UInt64(tx.authorizationList.count)
        return gas
    }

    /// EIP-7623: the least gas a transaction pays, 21000 + 10 per calldata token (a zero byte is one token, any
    /// other byte four); 0 before Prague.
    public static func calldataFloor(_ tx: Transaction, fork: Fork) -> UInt64 {
        calldataFloor(tx, schedule: ForkRules.schedule(fork))
    }

    static func calldataFloor(_ tx: Transaction, schedule: ForkRules.Schedule) -> UInt64 {
        guard schedule.calldataFloorPerToken != 0 else { return 0 }
        var zeros: UInt64 = 0
        for b in tx.data where b == 0 { zeros += 1 }
        let tokens = zeros + (UInt64(tx.data.count) - zeros) * 4
        return 21000 + tokens * schedule.calldataFloorPerToken
    }

    /// EIP-7702 PER_EMPTY_ACCOUNT_COST (intrinsic, per authorisation) and PER_AUTH_BASE_COST; an authority that
    /// already exists gets the difference back as a refund.
    public static let perEmptyAccountCost: UInt64 = 25000
    public static let perAuthBaseCost: UInt64 = 12500

    /// secp256k1n / 2: the largest s an authorisation's signature may have.
    static let halfCurveOrder = try! UInt256(hex: "0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
    static let curveOrder = try! UInt256(hex: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

    /// The authority of an EIP-7702 authorisation: the signer of `keccak256(0x05 || rlp([chain_id, address,
    /// nonce]))`, or nil when the signature is invalid (y parity not 0 or 1, r outside [1, n-1], s outside
    /// [1, n/2], or no key recovers).
    public static func authority(of auth: Authorization) -> Address? {
        guard auth.yParity <= .one, !auth.r.isZero, auth.r < curveOrder, !auth.s.isZero, auth.s <= halfCurveOrder else {
            return nil
        }
        let payload = RLP.encode(.list([.bytes(auth.chainId.minimalBigEndianBytes), .bytes(auth.address.bytes),
                                        .bytes(UInt256(auth.nonce).minimalBigEndianBytes)]))
        let hash = Keccak256.hash([0x05] + payload)
        return Precompiles.recoverSigner(hash: hash, recoveryID: UInt8(auth.yParity.w0), r: auth.r, s: auth.s)
    }

    /// EIP-7702 `set_delegation`: applies each valid authorisation in order (chain id 0 or the chain's, nonce
    /// below 2^64-1, a valid signature, an authority with no code or a designator and the tuple's nonce): the
    /// authority is warmed, gets the designator (none for the zero address) and its nonce bumped. Returns the
    /// refund for authorities that already existed. These writes are outside the call's checkpoint: they stay
    /// when the call reverts.
    static func applyAuthorizations(_ tx: Transaction, chainId: UInt64, state: WorldState) -> Int64 {
        var refund: Int64 = 0
        let chain = UInt256(chainId)
        for auth in tx.authorizationList {
            guard auth.chainId.isZero || auth.chainId == chain, auth.nonce != UInt64.max,
                  let authority = authority(of: auth) else { continue }
            state.accessAddress(authority)
            let account = state.account(authority)
            if let code = account?.storedCode, code.delegationTarget == nil { continue }
            if (account?.nonce ?? 0) != auth.nonce { continue }
            if account != nil { refund += Int64(perEmptyAccountCost - perAuthBaseCost) }
            var info = account ?? AccountInfo()
            info.code = auth.address == .zero ? .empty : .delegation(to: auth.address)
            info.nonce += 1
            state.setAccount(authority, info)
        }
        return refund
    }

    /// The price per gas the sender pays: legacy price, or min(max fee, base fee + priority fee) (EIP-1559).
    public static func effectiveGasPrice(_ tx: Transaction, baseFee: UInt256) -> UInt256 {
        switch tx.type {
        case .legacy, .accessList: return tx.gasPrice
        case .dynamicFee, .blob, .setCode:
            let (sum, overflow) = baseFee.addingReportingOverflow(tx.maxPriorityFeePerGas)
            return overflow || sum > tx.maxFeePerGas ? tx.maxFeePerGas : sum
        }
    }

    /// The block as the EVM sees it under `fork`: before EIP-4399 opcode 0x44 reads the difficulty, and
    /// before EIP-1559 there is no base fee.
    public static func blockContext(_ env: BlockEnvironment, fork: Fork = .cancun) -> BlockContext {
        let schedule = ForkRules.schedule(fork)
        var context = BlockContext(coinbase: env.coinbase, number: env.number, timestamp: env.timestamp, gasLimit: env.gasLimit,
                     prevRandao: schedule.prevRandao ? env.prevRandao : env.difficulty,
                     baseFee: schedule.baseFee ? env.baseFee : .zero,
                     blobBaseFee: BlobParameters.baseFee(excessBlobGas: env.excessBlobGas ?? 0,
                                                         updateFraction: schedule.blobUpdateFraction),
                     chainId: env.chainId, blockHashes: env.blockHashes)
        context.storageWriteFault = env.storageWriteFault
        return context
    }

    /// Checks validity against the sender's current account; throws when the transaction must be rejected.
    static func validate(_ tx: Transaction, block: BlockContext, schedule: ForkRules.Schedule, fork: Fork, blobBaseFee: UInt256,
                         gasAvailable: UInt64, state: WorldState) throws(TransactionError) {
        if !schedule.accepts(type: tx.type.rawValue) { throw .typeNotSupported(type: tx.type.rawValue, fork: fork) }
        let intrinsic = max(intrinsicGas(tx, schedule: schedule), calldataFloor(tx, schedule: schedule))  // EIP-7623
        if intrinsic > tx.gasLimit { throw .intrinsicGasTooLow(intrinsic: intrinsic, limit: tx.gasLimit) }
        if let max = schedule.maxInitCodeSize, tx.to == nil && tx.data.count > max { throw .initCodeTooLarge(size: tx.data.count) }
        if tx.nonce == UInt64.max { throw .nonceMaxed }
        if let cap = schedule.txGasLimitCap, tx.gasLimit > cap { throw .gasLimitAboveCap(gasLimit: tx.gasLimit, cap: cap) }
        if tx.gasLimit > gasAvailable { throw .gasLimitExceedsBlock(txGas: tx.gasLimit, available: gasAvailable) }

        let maxPrice: UInt256
        switch tx.type {
        case .dynamicFee, .blob, .setCode:
            if tx.maxPriorityFeePerGas > tx.maxFeePerGas { throw .priorityFeeAboveMaxFee }
            if tx.maxFeePerGas < block.baseFee { throw .maxFeeBelowBaseFee }
            maxPrice = tx.maxFeePerGas
        case .legacy, .accessList:
            if tx.gasPrice < block.baseFee { throw .gasPriceBelowBaseFee }
            maxPrice = tx.gasPrice
        }
        // Up-front cost in 512-bit arithmetic so absurd fee caps are reported as unaffordable, not wrapped.
        let (hi, gasCost) = maxPrice.multipliedFullWidth(by: UInt256(tx.gasLimit))
        var required = gasCost
        var overflow = !hi.isZero
        if tx.type == .blob {
            if tx.to == nil { throw .blobCreation }
            if tx.blobVersionedHashes.isEmpty { throw .noBlobs }
            for (i, h) in tx.blobVersionedHashes.enumerated() where h.w0 >> 56 != 0x01 { throw .invalidBlobVersion(index: i) }
            if let limit = schedule.maxBlobsPerTx, tx.blobVersionedHashes.count > limit {  // EIP-7594
                throw .tooManyBlobs(count: tx.blobVersionedHashes.count)
            }
            let blobGas = UInt64(tx.blobVersionedHashes.count) * BlobParameters.gasPerBlob
            if blobGas > schedule.maxBlobGasPerBlock { throw .tooManyBlobs(count: tx.blobVersionedHashes.count) }
            if tx.maxFeePerBlobGas < blobBaseFee { throw .blobFeeCapTooLow }
            let (bhi, blo) = tx.maxFeePerBlobGas.multipliedFullWidth(by: UInt256(blobGas))
            overflow = overflow || !bhi.isZero
            let (sum, o) = required.addingReportingOverflow(blo)
            overflow = overflow || o
            required = sum
        }
        if tx.type == .setCode {
            if tx.to == nil { throw .setCodeCreation }
            if tx.authorizationList.isEmpty { throw .emptyAuthorizationList }
        }
        let (total, o2) = required.addingReportingOverflow(tx.value)
        overflow = overflow || o2
        let sender = state.account(tx.sender)
        let balance = sender?.balance ?? .zero
        if overflow || balance < total { throw .insufficientFunds(required: overflow ? .max : total, balance: balance) }
        let nonce = sender?.nonce ?? 0
        if nonce != tx.nonce { throw .nonceMismatch(expected: nonce, got: tx.nonce) }
        // EIP-3607; a delegated EOA (EIP-7702) still sends.
        if let code = sender?.storedCode, !(schedule.setCode && code.delegationTarget != nil) {
            throw .senderHasCode
        }
    }

    /// Executes `tx` on top of `reader`. `gasAvailable` is what the block has left for it.
    ///
    /// With `deferCoinbaseFee`, a non-zero priority fee is not written to the coinbase but returned in
    /// `coinbaseFee` for the executor to credit lazily, so that parallel executors do not serialise every
    /// transaction on the coinbase balance. The result is the same as crediting it here.
    ///
    /// With a `tracer`, the transaction's EIP-3155 trace is recorded into it: a line per instruction, then the
    /// summary line (nothing for a rejected transaction).
    public static func execute<R: StateReader>(_ tx: Transaction, env: BlockEnvironment, reader: R, fork: Fork = .cancun,
                                               gasAvailable: UInt64? = nil, deferCoinbaseFee: Bool = false,
                                               tracer: EIP3155Tracer? = nil) -> Result<TransactionResult, TransactionError> {
        let schedule = ForkRules.schedule(fork)  // without retaining the rules every thread shares
        let state = WorldState(reader: reader)
        let block = blockContext(env, fork: fork)
        do {
            try validate(tx, block: block, schedule: schedule, fork: fork, blobBaseFee: block.blobBaseFee,
                         gasAvailable: gasAvailable ?? env.gasLimit, state: state)
        } catch {
            return .failure(error)
        }

        // Buy gas: the sender pays gas limit x effective price, plus blob gas at the blob base fee (burnt).
        let price = effectiveGasPrice(tx, baseFee: block.baseFee)
        let blobGas = UInt64(tx.blobVersionedHashes.count) * BlobParameters.gasPerBlob
        let gasCost = price &* UInt256(tx.gasLimit)
        let blobCost = block.blobBaseFee &* UInt256(blobGas)
        let senderInfo = state.account(tx.sender) ?? AccountInfo()
        state.setAccount(tx.sender, AccountInfo(nonce: senderInfo.nonce + 1,
                                                balance: senderInfo.balance &- gasCost &- blobCost,
                                                code: senderInfo.storedCode))

        // Warm addresses and slots (EIP-2929, EIP-2930, EIP-3651).
        if schedule.accessLists {
            state.accessAddress(tx.sender)
            if schedule.warmCoinbase { state.accessAddress(env.coinbase) }
            state.warmPrecompiles(of: fork)
            for entry in tx.accessList {
                state.accessAddress(entry.address)
                for key in entry.storageKeys { state.accessSlot(entry.address, key) }
            }
        }

        let evm = EVM(state: state, block: block,
                      tx: TxContext(origin: tx.sender, gasPrice: price, blobHashes: tx.blobVersionedHashes), fork: fork,
                      tracer: tracer)
        let gas = Int64(tx.gasLimit - intrinsicGas(tx, schedule: schedule))
        var result: FrameResult
        var authorizationRefund: Int64 = 0
        if let to = tx.to {
            if schedule.accessLists { state.accessAddress(to) }
            if tx.type == .setCode { authorizationRefund = applyAuthorizations(tx, chainId: env.chainId, state: state) }
            var message = Message(caller: tx.sender, target: to, codeAddress: to, value: tx.value, input: tx.data,
                                  gas: gas, depth: 0, isStatic: false, transfersValue: true, code: state.code(to))
            if schedule.setCode, let target = message.code.delegationTarget {
                // EIP-7702: the designator's target is warm and its code runs; a precompile there does not.
                state.accessAddress(target)
                message.codeAddress = target
                message.code = state.code(target)
                message.delegated = true
            }
            result = evm.call(message)
        } else {
            let address = EVM.createAddress(sender: tx.sender, nonce: tx.nonce)
            if schedule.accessLists { state.accessAddress(address) }
            if evm.hasCollision(address) {
                result = FrameResult(status: .halt(.addressCollision), gasLeft: 0, output: [], createdAddress: nil)
            } else {
                let message = Message(caller: tx.sender, target: address, codeAddress: address, value: tx.value,
                                      input: [], gas: gas, depth: 0, isStatic: false, transfersValue: true,
                                      code: Code(tx.data))
                result = evm.create(message)
            }
        }

        // Refund (at most half the gas used, a fifth from EIP-3529; the EIP-7702 authorisation refund counts
        // even when the call failed), never below the calldata floor (EIP-7623); then pay the coinbase its
        // priority fee (all of the price before EIP-1559).
        var gasLeft = UInt64(result.gasLeft)
        let used = tx.gasLimit - gasLeft
        let refund = UInt64(max(0, (result.status.isSuccess ? state.refund : 0) + authorizationRefund))
        gasLeft += min(refund, used / schedule.refundQuotient)
        gasLeft = min(gasLeft, tx.gasLimit - min(tx.gasLimit, calldataFloor(tx, schedule: schedule)))
        let gasUsed = tx.gasLimit - gasLeft
        state.addBalance(tx.sender, price &* UInt256(gasLeft))
        var fee = (price &- block.baseFee) &* UInt256(gasUsed)
        if !deferCoinbaseFee || fee.isZero {
            // A zero fee still touches the coinbase (EIP-161), which may delete it: do that for real.
            state.addBalance(env.coinbase, fee)
        } else if state.destructed.contains(env.coinbase) {
            fee = .zero  // credited then destroyed in serial order: the fee is lost
        }
        state.finalizeDeletions(touchedEmpty: schedule.emptyAccountCleanup)
        if let tracer {
            let error: String? = switch result.status {
            case .success: nil
            case .revert: "Revert"
            case .halt(let reason): EIP3155Tracer.errorName(reason)
            }
            // EIP-3155's gasUsed (as the Python spec and the EIP's example): the execution's, intrinsic gas and refund aside.
            // A creation's output is the code it deployed (the init code's return data), as the Python spec's.
            let output = tx.to == nil ? result.createdAddress.map { state.code($0).bytes } ?? result.output : result.output
            tracer.finish(output: output, gasUsed: UInt64(max(0, gas - result.gasLeft)), success: result.status.isSuccess,
                          error: error)
        }

        return .success(TransactionResult(
            success: result.status.isSuccess, gasUsed: gasUsed, blobGasUsed: blobGas,
            logs: result.status.isSuccess ? state.logs : [], changes: state.changes(),
            createdAddress: result.createdAddress, output: result.output, coinbaseFee: fee,
            readAccounts: Array(state.readAddresses).sorted(),
            readSlots: Array(state.readSlots).sorted { ($0.address, $0.key) < ($1.address, $1.key) }))
    }
}
