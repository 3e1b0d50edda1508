import EVMPrimitives
import EVMState

/// A yardstick for benchmarks, not an executor to check blocks with: it runs a block whose transactions
/// are known to be independent in chunks of `chunk` consecutive transactions, which the threads take in
/// turn (so that a thread the host delays does not hold up a fixed share), each transaction straight
/// against the pre-state, with no multi-version memory, scheduler or validation, then the same in-order
/// checks and parallel block end as `BlockSTMExecutor` (one staged job on the same kind of gang).
///
/// Its time bounds what any parallel executor with this block end reaches on this machine: the distance
/// from Block-STM to it is the price of finding the independence at run time, and its own distance from
/// `threads` times serial is what the block end, memory and the machine cost.
///
/// Precondition, checked by the caller: no transaction depends on a lower one and none reads the
/// coinbase (`DependencyGraph.edgeCount == 0`). Then its outcome equals `SerialExecutor`'s; the
/// benchmark checks that it does.
public struct PartitionBoundExecutor: BlockExecutor {
    public let threads: Int
    public var name: String { "partition-bound" }

    public init(threads: Int) { self.threads = min(64, max(1, threads)) }

    /// Transactions per task of the execution stage.
    static let chunk = 8

    /// One transaction's result, as a chunk's worker leaves it.
    private enum Outcome {
        case rejected(TransactionError)
        case included(changes: StateChanges, coinbaseFee: UInt256, gasUsed: UInt64, blobGasUsed: UInt64, receipt: Receipt)
    }

    public func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var base = pre
        BlockFinalization.applyBeaconRoot(&base, env: env, fork: fork)
        let n = transactions.count, chunk = Self.chunk
        let results = ResultSlots<Outcome>(count: n)
        let executeChunk: @Sendable (Int) -> Void = { [base] c in
            for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                let tx = transactions[i]
                switch TransactionProcessor.execute(tx, env: env, reader: base, fork: fork,
                                                    gasAvailable: env.gasLimit, deferCoinbaseFee: true) {
                case .failure(let error): results.set(i, .rejected(error))
                case .success(let r):
                    results.set(i, .included(changes: r.changes, coinbaseFee: r.coinbaseFee, gasUsed: r.gasUsed,
                                             blobGasUsed: r.blobGasUsed,
                                             receipt: BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: 0)))
                }
            }
        }
        let job = ParallelFinalization.Job(base: base, env: env, shards: threads)
        let gas = Gas()
        // The in-order checks, as BlockSTMExecutor's collect does them.
        let collect: @Sendable () -> Bool = {
            var cumulative: UInt64 = 0
            for (i, tx) in transactions.enumerated() {
                let available = env.gasLimit - cumulative
                switch results.take(i) {
                case .rejected(let error):
                    job.rejected.append(RejectedTransaction(
                        index: i, error: BlockSTMExecutor.serialError(error, tx: tx, available: available).description))
                    gas.values.append(0)
                case .included(let changes, let fee, let used, let blobUsed, var receipt):
                    if tx.gasLimit > available || job.blobGasUsed + blobUsed > BlobParameters.maxBlobGasPerBlock { return false }
                    job.commits.append(ParallelFinalization.Commit(changes: changes, coinbaseFee: fee))
                    cumulative += used
                    job.blobGasUsed += blobUsed
                    receipt.cumulativeGasUsed = cumulative
                    job.receipts.append(receipt)
                    gas.values.append(used)
                }
            }
            return true
        }
        let gang = WorkerGang.checkout(threads: threads)
        defer { WorkerGang.checkin(gang) }
        let stages = [WorkerGang.Stage(prepare: { (n + chunk - 1) / chunk }, task: executeChunk)]
            + job.stages(before: collect)
        guard gang.runStages(stages) == stages.count else {
            // A block gas or blob gas limit bites in block order: not a block this yardstick is for.
            var outcome = SerialExecutor(recordsAccess: false).execute(pre: pre, env: env, transactions: transactions, fork: fork)
            outcome.metrics.ranSerially = true
            return outcome
        }
        var outcome = job.outcome()
        outcome.transactionGas = gas.values
        outcome.metrics.threads = threads
        outcome.metrics.executions = n
        outcome.metrics.wallTimeNanoseconds = UInt64((clock.now - start).nanoseconds)
        return outcome
    }

    /// Per-transaction gas, filled by the in-order step (one thread, ordered before the read by the gang).
    private final class Gas: @unchecked Sendable { var values: [UInt64] = [] }
}
