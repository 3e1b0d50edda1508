import EVMPrimitives
import EVMState

/// What the in-order pass over a parallel run's results gathers for the commit (Block-STM's, and the
/// benchmarks' partition bound's).
final class Collected: @unchecked Sendable {  // used by one thread at a time, ordered by the gang
    var metrics = ExecutionMetrics()
    var commits: [ParallelFinalization.Commit] = []
    var receipts: [Receipt] = []
    var rejected: [RejectedTransaction] = []
    var gas: [UInt64] = []
    var blobGas: UInt64 = 0

    /// Takes each transaction's result in block order (`take(i)`, nil when missing) and checks it as
    /// SerialExecutor checks each transaction. False when the block must be re-run serially (a block gas
    /// or blob gas limit bites in block order, or a result is missing).
    ///
    /// With `first` > 0 the run covered only `transactions[first...]` (`take(i - first)`), after a serial prefix
    /// already gathered here: the indices, the cumulative gas (from the last receipt) and the blob gas continue.
    func collect(_ transactions: [Transaction], from first: Int = 0, env: BlockEnvironment, fork: Fork,
                 take: (Int) -> BlockSTMRun.TxOutcome?) -> Bool {
        let maxBlobGas = BlockFinalization.maxBlobGas(fork)
        commits.reserveCapacity(commits.count + transactions.count - first)
        receipts.reserveCapacity(transactions.count)
        gas.reserveCapacity(transactions.count)
        var cumulative: UInt64 = receipts.last?.cumulativeGasUsed ?? 0
        for i in first..<transactions.count {
            let tx = transactions[i]
            guard let result = take(i - first) else { return false }
            let available = env.gasLimit - cumulative
            switch result {
            case .rejected(let error):
                rejected.append(RejectedTransaction(
                    index: i, error: BlockSTMExecutor.serialError(error, tx: tx, available: available).description))
                gas.append(0)
            case .included(let r):
                var receipt = r.receipt
                // The parallel run offered the whole block gas limit; in block order less may be left,
                // and the blob gas may run out: then the later transactions read writes that serially
                // never happened, so the parallel result is unusable.
                if tx.gasLimit > available || blobGas + r.blobGasUsed > maxBlobGas { return false }
                commits.append(ParallelFinalization.Commit(changes: r.changes, coinbaseFee: r.coinbaseFee))
                cumulative += r.gasUsed
                blobGas += r.blobGasUsed
                receipt.cumulativeGasUsed = cumulative
                receipts.append(receipt)
                gas.append(r.gasUsed)
            }
        }
        return true
    }

    /// Moves what the block end needs into its job (the commits move; the rest is shared).
    func hand(to job: ParallelFinalization.Job) {
        job.commits = commits
        commits = []
        job.receipts = receipts
        job.rejected = rejected
        job.blobGasUsed = blobGas
        job.metrics = metrics
    }
}
