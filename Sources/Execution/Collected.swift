import EVMPrimitives
import EVMState

/// What the in-order pass over a parallel run's results gathers for the commit (Block-STM's, the BAL executor's and
/// the benchmarks' partition bound's): `TransactionRecords`, the type a serial run (`SerialBlockRun`) keeps them in, so
/// that the adaptive policy hands a serial probe's records to a parallel run, and an abandoned run's to its serial
/// rest, whole.
final class Collected: @unchecked Sendable {  // used by one thread at a time, ordered by the gang
    var metrics = ExecutionMetrics()
    var records = TransactionRecords()

    var commits: [ParallelFinalization.Commit] { records.commits }
    var receipts: [Receipt] { records.receipts }
    var rejected: [RejectedTransaction] { records.rejected }
    var gas: [UInt64] { records.gas }
    var blobGas: UInt64 { records.blobGas }

    /// Takes each transaction's result in block order (`take(i)`, nil when missing) and checks it as
    /// SerialExecutor checks each transaction. False when the block must be re-run serially (a block gas
    /// or blob gas limit bites in block order, or a result is missing).
    ///
    /// With `first` > 0 the run covered only `transactions[first...]` (`take(i - first)`), after a serial prefix
    /// already gathered here: the indices, the cumulative gas and the blob gas continue.
    func collect(_ transactions: [Transaction], from first: Int = 0, env: BlockEnvironment, fork: Fork,
                 take: (Int) -> BlockSTMRun.TxOutcome?) -> Bool {
        let maxBlobGas = BlockFinalization.maxBlobGas(fork)
        // The records in a local for the loop (moved out and back: no copy, and no access check on the class's
        // property at every append).
        var r = TransactionRecords()
        swap(&r, &records)
        defer { swap(&r, &records) }
        r.commits.reserveCapacity(r.commits.count + transactions.count - first)
        r.receipts.reserveCapacity(transactions.count)
        r.gas.reserveCapacity(transactions.count)
        for i in first..<transactions.count {
            guard let result = take(i - first),
                  r.append(i, transactions[i], result, gasLimit: env.gasLimit, maxBlobGas: maxBlobGas) else { return false }
        }
        return true
    }

    /// Moves what the block end needs into its job (the commits move; the rest is shared).
    func hand(to job: ParallelFinalization.Job) {
        job.commits = records.commits
        records.commits = []
        job.receipts = records.receipts
        job.rejected = records.rejected
        job.blobGasUsed = records.blobGas
        job.metrics = metrics
    }
}
