import EVMPrimitives
import EVMInterpreter
import Execution
import MerkleTrie

/// The checks of a block against its parent that come before execution (and the ones after it, against the
/// executor's outcome). Proof-of-work seals (mix hash and nonce against the difficulty) and the difficulty
/// formula before the merge are not checked.
public enum BlockHeaderValidation {
    /// EIP-1559 parameters.
    public static let elasticityMultiplier: UInt64 = 2
    public static let baseFeeMaxChangeDenominator: UInt64 = 8
    public static let initialBaseFee: UInt64 = 1_000_000_000
    /// Gas limit rules (Yellow Paper 4.3.4).
    public static let gasLimitBoundDivisor: UInt64 = 1024
    public static let minGasLimit: UInt64 = 5000
    public static let maxGasLimit: UInt64 = 0x7fff_ffff_ffff_ffff
    public static let maxExtraData = 32
    /// EIP-4844: Cancun's blob gas target per block (later forks: `ForkRules.Schedule.blobTarget` blobs).
    public static let targetBlobGasPerBlock: UInt64 = 393_216
    /// EIP-7934: the largest RLP-encoded block from Osaka on (MAX_BLOCK_SIZE 10 MiB less a 2 MiB safety margin).
    public static let maxRLPBlockSize = 10_485_760 - 2_097_152

    /// The base fee a block must have after `parent` (EIP-1559); the first London block has the initial one.
    public static func expectedBaseFee(parent: BlockHeader, parentFork: Fork) -> UInt256 {
        guard parentFork >= .london, let parentBaseFee = parent.baseFee else { return UInt256(initialBaseFee) }
        let target = parent.gasLimit / elasticityMultiplier
        guard target > 0, parent.gasUsed != target else { return parentBaseFee }
        if parent.gasUsed > target {
            let delta = (parentBaseFee &* UInt256(parent.gasUsed - target)).evmDiv(UInt256(target)).evmDiv(UInt256(baseFeeMaxChangeDenominator))
            return parentBaseFee &+ (delta.isZero ? UInt256(1) : delta)
        }
        let delta = (parentBaseFee &* UInt256(target - parent.gasUsed)).evmDiv(UInt256(target)).evmDiv(UInt256(baseFeeMaxChangeDenominator))
        return parentBaseFee &- delta
    }

    /// The excess blob gas a block of `fork` must have after `parent` (EIP-4844 with `fork`'s blob schedule:
    /// EIP-7691, the BPO forks); zero after a pre-Cancun parent. From Osaka (EIP-7918), when the parent's
    /// execution cost of a blob (BLOB_BASE_COST times its base fee) exceeds its blob gas price, the excess grows
    /// by the parent's blob gas scaled by (max - target) / max instead of falling to the target.
    public static func expectedExcessBlobGas(parent: BlockHeader, parentFork: Fork, fork: Fork = .cancun) -> UInt64 {
        guard parentFork >= .cancun else { return 0 }
        return expectedExcessBlobGas(parentExcess: parent.excessBlobGas ?? 0, parentUsed: parent.blobGasUsed ?? 0,
                                     parentBaseFee: parent.baseFee ?? .zero, fork: fork)
    }

    /// `expectedExcessBlobGas` from the parent's values (t8n's `parentExcessBlobGas`, `parentBlobGasUsed`,
    /// `parentBaseFee`).
    public static func expectedExcessBlobGas(parentExcess excess: UInt64, parentUsed used: UInt64, parentBaseFee: UInt256,
                                             fork: Fork) -> UInt64 {
        let schedule = ForkRules.of(fork).schedule
        let target = schedule.blobTarget &* BlobParameters.gasPerBlob
        let (sum, overflow) = excess.addingReportingOverflow(used)
        if overflow { return .max }
        if sum < target { return 0 }
        if schedule.blobBaseCost > 0 {
            let blobPrice = UInt256(BlobParameters.gasPerBlob)
                &* BlobParameters.baseFee(excessBlobGas: excess, updateFraction: schedule.blobUpdateFraction)
            let executionCost = UInt256(schedule.blobBaseCost) &* parentBaseFee
            if executionCost > blobPrice {
                return excess &+ used &* (schedule.blobMax - schedule.blobTarget) / schedule.blobMax
            }
        }
        return sum - target
    }

    /// Checks `block`'s header and body against its parent before execution; throws the first violation.
    /// `ancestors` are the hashes of the parent and its ancestors (up to 7), for ommer checks.
    public static func validate(_ block: DecodedBlock, fork: Fork, parent: BlockHeader, parentFork: Fork,
                                ancestors: Set<Hash32> = []) throws(BlockError) {
        let h = block.header
        let rules = ForkRules.of(fork)
        if rules.has(.eip7934), block.rlpSize > maxRLPBlockSize {
            throw BlockError("block RLP size \(block.rlpSize) exceeds \(maxRLPBlockSize) bytes (EIP-7934)")
        }
        // Fields per fork: exactly those of the fork, in order.
        let want = BlockHeader.optionalFieldCount(fork)
        let fieldCount = h.optionalFieldCount
        let setCount = [h.baseFee != nil, h.withdrawalsRoot != nil, h.blobGasUsed != nil, h.excessBlobGas != nil,
                         h.parentBeaconBlockRoot != nil, h.requestsHash != nil].filter { $0 }.count
        if fieldCount != want || setCount != want {
            throw BlockError("header has \(setCount) of the optional fields (\(BlockHeader.optionalFieldNames.prefix(fieldCount).joined(separator: ", "))), \(fork.name) needs \(want)")
        }
        if parent.number == .max || h.number != parent.number + 1 {
            throw BlockError("block number \(h.number), expected parent's \(parent.number) + 1")
        }
        if h.timestamp <= parent.timestamp {
            throw BlockError("timestamp \(h.timestamp) is not after the parent's \(parent.timestamp)")
        }
        if h.extraData.count > maxExtraData {
            throw BlockError("extra data of \(h.extraData.count) bytes exceeds \(maxExtraData)")
        }
        if h.gasLimit > maxGasLimit { throw BlockError("gas limit \(h.gasLimit) exceeds 2^63-1") }
        // At the London transition the parent's limit counts double (EIP-1559's elasticity).
        let parentLimit = fork >= .london && parentFork < .london ? parent.gasLimit &* elasticityMultiplier : parent.gasLimit
        let diff = h.gasLimit > parentLimit ? h.gasLimit - parentLimit : parentLimit - h.gasLimit
        if diff >= parentLimit / gasLimitBoundDivisor {
            throw BlockError("gas limit \(h.gasLimit) changes by \(diff) from the parent's \(parentLimit), the bound is below \(parentLimit / gasLimitBoundDivisor)")
        }
        if h.gasLimit < minGasLimit { throw BlockError("gas limit \(h.gasLimit) is below \(minGasLimit)") }
        if h.gasUsed > h.gasLimit { throw BlockError("gas used \(h.gasUsed) exceeds the gas limit \(h.gasLimit)") }
        if fork >= .london {
            let expected = expectedBaseFee(parent: parent, parentFork: parentFork)
            if h.baseFee != expected {
                throw BlockError("base fee \(h.baseFee?.hexString ?? "none"), expected \(expected.hexString) (EIP-1559)")
            }
        }
        if fork >= .cancun {
            let expected = expectedExcessBlobGas(parent: parent, parentFork: parentFork, fork: fork)
            if h.excessBlobGas != expected {
                throw BlockError("excess blob gas \(h.excessBlobGas ?? 0), expected \(expected) (EIP-4844)")
            }
            let blobGas = block.transactions.reduce(UInt64(0)) { $0 &+ UInt64($1.blobVersionedHashes.count) &* BlobParameters.gasPerBlob }
            if h.blobGasUsed != blobGas {
                throw BlockError("blob gas used \(h.blobGasUsed ?? 0), the transactions' blobs use \(blobGas)")
            }
            if blobGas > rules.schedule.maxBlobGasPerBlock {
                throw BlockError("blob gas used \(blobGas) exceeds the block maximum \(rules.schedule.maxBlobGasPerBlock)")
            }
        }
        // Body against header.
        let txRoot = MerkleTrie.orderedRoot(block.transactionEncodings)
        if txRoot != h.transactionsRoot {
            throw BlockError("transactions root \(h.transactionsRoot), the transactions give \(txRoot)")
        }
        let ommersHash = DecodedBlock.ommersHash(block.ommers)
        if ommersHash != h.ommersHash { throw BlockError("ommers hash \(h.ommersHash), the ommers give \(ommersHash)") }
        if fork >= .shanghai {
            guard let withdrawals = block.withdrawals else { throw BlockError("block has no withdrawals list (EIP-4895)") }
            let root = DecodedBlock.withdrawalsRoot(withdrawals)
            if h.withdrawalsRoot != root {
                throw BlockError("withdrawals root \(h.withdrawalsRoot?.description ?? "none"), the withdrawals give \(root)")
            }
        } else if block.withdrawals != nil {
            throw BlockError("block has a withdrawals list before Shanghai")
        }
        if fork >= .paris {
            // EIP-3675: proof of stake.
            if !h.difficulty.isZero { throw BlockError("difficulty \(h.difficulty.hexString) after the merge, expected 0") }
            if h.nonce != 0 { throw BlockError("nonce \(h.nonce) after the merge, expected 0") }
            if !block.ommers.isEmpty { throw BlockError("\(block.ommers.count) ommers after the merge, expected none") }
        } else {
            if block.ommers.count > 2 { throw BlockError("\(block.ommers.count) ommers, at most 2 allowed") }
            var seen = Set<Hash32>()
            for (i, o) in block.ommers.enumerated() {
                let hash = o.hash
                if !seen.insert(hash).inserted { throw BlockError("ommer \(i) is listed twice") }
                if ancestors.contains(hash) { throw BlockError("ommer \(i) is an ancestor of the block") }
                guard o.number < h.number, h.number - o.number <= 6 else {
                    throw BlockError("ommer \(i) has number \(o.number), expected 1 to 6 generations below \(h.number)")
                }
            }
        }
    }

    /// Checks the executor's outcome against the header: rejected transactions, gas used, receipts root,
    /// logs bloom, blob gas used and state root. Returns every mismatch.
    public static func outcomeProblems(_ o: BlockOutcome, header h: BlockHeader, fork: Fork) -> [String] {
        var problems: [String] = []
        if let r = o.rejected.first {
            problems.append("transaction \(r.index) is invalid: \(r.error)")
        }
        if o.gasUsed != h.gasUsed { problems.append("gas used \(o.gasUsed), header says \(h.gasUsed)") }
        if o.receiptsRoot != h.receiptsRoot { problems.append("receipts root \(o.receiptsRoot), header says \(h.receiptsRoot)") }
        if o.logsBloom != h.logsBloom { problems.append("logs bloom differs from the header's") }
        if fork >= .cancun, o.blobGasUsed != (h.blobGasUsed ?? 0) {
            problems.append("blob gas used \(o.blobGasUsed), header says \(h.blobGasUsed ?? 0)")
        }
        if let e = o.invalidBlock { problems.append("invalid block: \(e.message)") }
        if fork >= .prague, o.requestsHash != h.requestsHash {
            problems.append("requests hash \(o.requestsHash?.description ?? "none"), header says \(h.requestsHash?.description ?? "none") (EIP-7685)")
        }
        if o.stateRoot != h.stateRoot { problems.append("state root \(o.stateRoot), header says \(h.stateRoot)") }
        return problems
    }

    /// The block environment the header gives its transactions; `hashes` are the ancestors' hashes by number.
    public static func environment(_ block: DecodedBlock, fork: Fork, hashes: [UInt64: Hash32], chainId: UInt64 = 1) -> BlockEnvironment {
        let h = block.header
        return BlockEnvironment(
            coinbase: h.coinbase, gasLimit: h.gasLimit, number: h.number, timestamp: h.timestamp,
            // PREVRANDAO after the merge (EIP-4399); before it the opcode reads the difficulty.
            difficulty: h.difficulty, prevRandao: fork >= .paris ? UInt256(bigEndianBytes: h.mixHash.bytes) : h.difficulty,
            baseFee: h.baseFee ?? .zero, excessBlobGas: h.excessBlobGas, parentBeaconBlockRoot: h.parentBeaconBlockRoot,
            blockHashes: hashes, chainId: chainId, withdrawals: block.withdrawals ?? [],
            blockReward: fork >= .paris ? nil : BlockFinalization.blockReward(fork),
            ommers: block.ommers.map { Ommer(coinbase: $0.coinbase, number: $0.number) })
    }
}
