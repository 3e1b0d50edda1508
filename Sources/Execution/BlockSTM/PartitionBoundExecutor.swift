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

    public func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        // Its threads woken ahead of the set-up, as `BlockSTMExecutor` and `BALExecutor` do theirs: the yardstick gets
        // every advantage the executors have.
        let gang = WorkerGang.checkout(threads: threads)
        defer { WorkerGang.checkin(gang) }
        gang.wake()
        var base = pre
        BlockFinalization.applyPreBlockSystemCalls(&base, env: env, fork: fork)
        let n = transactions.count, chunk = Self.chunk
        let results = ResultSlots<BlockSTMRun.TxOutcome>(count: n)
        let executeChunk: @Sendable (Int) -> Void = { [base] c in
            for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                let tx = transactions[i]
                switch TransactionProcessor.execute(tx, env: env, reader: base, fork: fork,
                                                    gasAvailable: env.gasLimit, deferCoinbaseFee: true) {
                case .failure(let error): results.set(i, .rejected(error))
                case .success(let r):
                    results.set(i, .included(BlockSTMRun.Included(
                        changes: r.changes, coinbaseFee: r.coinbaseFee, gasUsed: r.gasUsed, blobGasUsed: r.blobGasUsed,
                        receipt: BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: 0))))
                }
            }
        }
        let job = ParallelFinalization.Job(base: base, env: env, fork: fork, shards: threads)
        let collected = Collected()
        collected.metrics.threads = threads
        collected.metrics.executions = n
        // The in-order checks, as Block-STM runs them.
        let collect: @Sendable () -> Bool = {
            guard collected.collect(transactions, env: env, fork: fork, take: { results.take($0) }) else { return false }
            collected.hand(to: job)
            return true
        }
        let stages = [WorkerGang.Stage(prepare: { (n + chunk - 1) / chunk }, task: executeChunk)]
            + job.stages(before: collect)
        guard gang.runStages(stages) == stages.count else {
            // A block gas or blob gas limit bites in block order: not a block this yardstick is for.
            var outcome = SerialExecutor(recordsAccess: false).execute(pre: pre, env: env, transactions: transactions, fork: fork)
            outcome.metrics.ranSerially = true
            return outcome
        }
        var outcome = job.outcome()
        outcome.transactionGas = collected.gas
        outcome.metrics.wallTimeNanoseconds = UInt64((clock.now - start).nanoseconds)
        return outcome
    }
}
