import EVMPrimitives
import EVMState

/// The serial end of a parallel run that cannot keep all of its results (Block-STM's and the BAL executor's): what
/// the in-order collect kept stays, the rest runs as `SerialExecutor` runs it, and the block end commits the lot as
/// after a completed run.
extension Collected {
    /// Runs the transactions the in-order collect did not keep, serially, after those it kept. Where a block gas or
    /// blob gas limit bites in block order, the collect stops at the first transaction whose parallel result is not
    /// the serial one (it was offered more gas than the block had left, or its blob gas exceeds the block's); every
    /// transaction before it has its serial result. The state they leave is `base` (the block's state before the
    /// parallel run) with the commits from `keptFrom` on applied (those before it, a serial probe's, are already in
    /// `base`). Returns how many transactions it ran.
    func finishSeriallyAfterLimit(_ transactions: [Transaction], base: InMemoryState, keptFrom: Int,
                                  env: BlockEnvironment, fork: Fork, trace: BlockTrace?) -> Int {
        var rest = SerialBlockRun(continuing: base, env: env, fork: fork, keepsCommits: true)
        swap(&rest.records, &records)
        defer { swap(&rest.records, &records) }
        for commit in rest.records.commits[keptFrom...] {
            rest.state.apply(commit.changes)
            rest.state.credit(env.coinbase, commit.coinbaseFee)
        }
        // One record per transaction, rejected ones included: the first one the collect did not keep.
        let next = rest.records.gas.count
        rest.records.commits.reserveCapacity(rest.records.commits.count + transactions.count - next)
        for i in next..<transactions.count { rest.step(i, transactions[i], trace: trace) }
        return transactions.count - next
    }

    /// The block end over what was collected (and finished serially): the commits onto `base` on the gang (as after a
    /// completed run), or on the caller alone when there is no gang or a gang of one; `transactionGas` filled (the
    /// caller sets the wall time).
    func blockEnd(base: InMemoryState, env: BlockEnvironment, fork: Fork, gang: WorkerGang?) -> BlockOutcome {
        var outcome: BlockOutcome
        if let gang, gang.count > 1 {
            let job = ParallelFinalization.Job(base: base, env: env, fork: fork, shards: gang.count)
            hand(to: job)
            gang.runStages(job.stages(before: nil))
            outcome = job.outcome()
        } else {
            outcome = ParallelFinalization.serialFinish(base: base, commits: commits, env: env, fork: fork,
                                                        receipts: receipts, rejected: rejected,
                                                        blobGasUsed: blobGas, metrics: metrics)
        }
        outcome.transactionGas = gas
        return outcome
    }
}
