import Foundation
import Synchronization
import EVMPrimitives
import EVMState

/// Block-STM (Gelashvili et al. 2022): executes a block's transactions optimistically in parallel
/// against a multi-version memory, validates their read sets, re-executes what was invalidated, and
/// commits the last incarnations in block order. The result equals `SerialExecutor`'s bit for bit.
///
/// EVM-specific choices:
/// - The coinbase fee is a lazy delta (`deferCoinbaseFee`): transactions do not write the coinbase
///   balance, so they do not all conflict on it; only a transaction that really reads the coinbase
///   depends on every lower one (see `MVMemory.coinbaseAccount`).
/// - Transactions run with the whole block gas limit available; the block gas and blob gas limits are
///   re-checked in order afterwards, and where they bite, the block runs serially from the first transaction
///   they change (`finishAfterLimit`).
/// - Under `ParallelPolicy.adaptive` (the default), small or dependent blocks run serially from the
///   start (rule in `SerialRule`); any other block first runs a few transactions serially, exactly as
///   `SerialExecutor` does (the serial probe, `SerialProbe`), and from their measured time and conflicts
///   either goes on serially (nothing wasted) or runs the rest under Block-STM from the state they left
///   (`SerialRule.predictedSpeedup`). A run that turns out hot (`HotBlockRule`: aborts and blocked reads
///   are a large share of the executions), or slower than finishing serially (`ProgressRule`: its progress
///   against the probe's time per transaction), is abandoned: the prefix of transactions that are executed
///   and still valid is kept, and the rest runs serially after it. `ExecutionMetrics.serialReason` says which.
public struct BlockSTMExecutor: BlockExecutor {
    /// Whether to decide per block between Block-STM and a serial run.
    public enum ParallelPolicy: String, Sendable, Equatable, CaseIterable {
        /// Run serially when the block shows that Block-STM cannot win (`SerialRule`), and finish a run
        /// serially when it turns out hot (`HotBlockRule`).
        case adaptive
        /// Always run Block-STM to the end (tests, stress, and measuring the algorithm itself).
        case alwaysParallel = "parallel"
    }

    /// Worker threads, 1...64.
    public let threads: Int
    public let stress: StressOptions?
    public let policy: ParallelPolicy
    /// Where each transaction's EIP-3155 trace goes (its final incarnation's); nil (the default) traces nothing.
    public var trace: BlockTrace?

    public var name: String { "blockstm" }

    /// `threads` outside 1...64 is clamped into that range.
    public init(threads: Int, stress: StressOptions? = nil, policy: ParallelPolicy = .adaptive) {
        self.threads = min(64, max(1, threads))
        self.stress = stress
        self.policy = policy
    }

    /// Tests only: force the adaptive policy's decision. The first `length` transactions run serially (the
    /// probe, clamped to the block), then the rest runs under Block-STM (`parallel`) or serially, whatever the
    /// block shows and whatever the thread count.
    struct ForcedProbe: Sendable, Equatable {
        var length: Int
        var parallel: Bool
        /// Scales the probe's measured serial pace in the parallel run's progress check (`ProgressRule`): a small
        /// factor makes any run look slower than serial (a slow phase), a large one never.
        var paceScale: Double? = nil
    }
    var forcedProbe: ForcedProbe?

    public func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
        // The block's wall time (`ExecutionMetrics.wallTimeNanoseconds`): `Stopwatch`'s inlined clock read; a
        // `ContinuousClock` reading and its `Duration` arithmetic cost about 200 instructions more a block.
        let start = Stopwatch.now()
        if policy == .adaptive {
            if let forced = forcedProbe {
                return probed(pre: pre, env: env, transactions: transactions, fork: fork, start: start, forced: forced)
            }
            if SerialRule.prefersSerial(transactions, env: env, threads: threads) {
                return serially(pre: pre, env: env, transactions: transactions, fork: fork, start: start, reason: .rule)
            }
            // A traced block keeps the transaction indices of one run (no probe): the rule's decision stands.
            if trace == nil {
                return probed(pre: pre, env: env, transactions: transactions, fork: fork, start: start, forced: nil)
            }
        }
        var base = pre
        BlockFinalization.applyPreBlockSystemCalls(&base, env: env, fork: fork)
        return parallel(pre: pre, base: base, jobBase: base, transactions: transactions, first: 0, env: env, fork: fork,
                        collected: Collected(), start: start)
    }

    /// The adaptive policy's serial probe: runs the block's first transactions exactly as `SerialExecutor`
    /// does (on the calling thread, the same checks and state), timing them and noting which read what an
    /// earlier one wrote (`SerialProbe`); then either goes on serially (nothing was wasted: the probe was the
    /// serial run's own start) or runs the rest under Block-STM from the state the probe left
    /// (`SerialRule.predictedSpeedup`).
    private func probed(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork,
                        start: UInt64, forced: ForcedProbe?) -> BlockOutcome {
        let n = transactions.count
        // `SerialExecutor`'s own steps. Before Byzantium the commits are kept for the receipts' intermediate roots (and
        // a parallel rest commits every transaction onto the block's state); otherwise the probe's changes are in
        // `run.state`, which a parallel rest commits onto.
        var run = SerialBlockRun(pre: pre, env: env, fork: fork)
        run.receipts.reserveCapacity(n)
        run.gas.reserveCapacity(n)
        let length = forced.map { min(n, max(0, $0.length)) } ?? SerialRule.probeLength(n)
        var probe = SerialProbe(coinbase: env.coinbase)
        // Each probed transaction's time: at the probe's end their mean without the largest stands for the rest
        // (`SerialRule.warmMean`: the first transaction runs cold, its code analysed and its state loaded first; and a
        // sample the host's other processes inflated is dropped with it); at the early decision the lower median of
        // two, capped by the rest's gas limits. Monotonic wall time, a vDSO read (20-35 ns here): the thread's CPU
        // clock is a system call (1.3-1.4 µs on this machine), 5-13 of them a block.
        let probeStart = Stopwatch.now()
        var lastClock = probeStart
        var times: [UInt64] = []
        times.reserveCapacity(length)
        // The probed transactions' gas used and the first one's, for the progress check's pace (`SerialPace.fit`).
        var gas: UInt64 = 0
        var firstGas: UInt64 = 0
        var estimate: ProbeEstimate?
        // The probe: the first `length` transactions, timed and observed; after the first two already a decision where
        // they show a large win (expensive, independent transactions: there every probed one costs the parallel run).
        for i in 0..<length {
            if i > 0 {
                let now = Stopwatch.now()
                times.append(now &- lastClock)
                lastClock = now
            }
            if forced == nil && i == SerialRule.earlyProbeLength {
                let e = Self.estimate(probed: i, final: false, times: &times, probe: probe, transactions: transactions,
                                      env: env, nanoseconds: lastClock &- probeStart, threads: threads)
                estimate = e
                if e.predictedSpeedup >= e.requiredMargin && trace == nil {
                    return parallelRest(&run, probed: i, estimate: e, pre: pre, transactions: transactions, start: start)
                }
            }
            let tx = transactions[i]
            let step = run.step(i, tx, trace: trace)
            if let r = step.result {
                probe.observe(r, sender: tx.sender)
                gas &+= r.gasUsed
                if i == 0 { firstGas = r.gasUsed }
            } else {
                probe.observeRejected()
            }
        }
        if length < n {
            let end = Stopwatch.now()
            if length > 0 { times.append(end &- lastClock) }
            // The progress check's pace: the probe's time over its gas used (`SerialPace.fit`).
            // (`times` in block order until `estimate` sorts them.)
            var pace = SerialPace.fit(nanoseconds: end &- probeStart, gas: gas, transactions: length,
                                      firstNanoseconds: times.first ?? 0, firstGas: firstGas)
            if let scale = forced?.paceScale { pace.floor *= scale; pace.perGas *= scale }
            var e = Self.estimate(probed: length, final: true, times: &times, probe: probe, transactions: transactions,
                                  env: env, nanoseconds: 0, threads: threads)
            e.pace = pace
            estimate = e
            if forced?.parallel ?? (e.predictedSpeedup >= e.requiredMargin), trace == nil {
                return parallelRest(&run, probed: length, estimate: e, pre: pre, transactions: transactions, start: start)
            }
            // Serially to the end: `SerialExecutor`'s loop.
            for i in length..<n { run.step(i, transactions[i], trace: trace) }
        }
        var metrics = ExecutionMetrics()
        metrics.threads = threads
        metrics.executions = n
        metrics.ranSerially = true
        metrics.serialReason = .probe
        metrics.probedTransactions = length
        metrics.probe = estimate
        var outcome = run.finish(metrics: metrics)
        outcome.metrics.wallTimeNanoseconds = Stopwatch.now() &- start
        return outcome
    }

    /// The serial probe's prediction after its first `probed` transactions (`times`: their times, sorted here): at the
    /// probe's end (`final`) from the warm mean; at the early decision from the lower median, capped by the rest's gas
    /// limits (`SerialRule.remainingCost`, from the probe's `nanoseconds`).
    private static func estimate(probed i: Int, final: Bool, times: inout [UInt64], probe: SerialProbe,
                                 transactions: [Transaction], env: BlockEnvironment, nanoseconds: UInt64,
                                 threads: Int) -> ProbeEstimate {
        times.sort()
        // The early decision's lower median: of two, the faster (going parallel early needs both fast).
        let median = times.isEmpty ? 0 : Double(times[(times.count - 1) / 2])
        let t = final ? SerialRule.warmMean(times)
            : min(median, SerialRule.remainingCost(transactions, probed: i, env: env, nanoseconds: nanoseconds))
        return ProbeEstimate(
            transactions: i, nanosecondsPerTransaction: t, locationsPerTransaction: probe.locationsPerTransaction,
            conflictShare: probe.conflictShare,
            predictedSpeedup: SerialRule.predictedSpeedup(remaining: transactions.count - i, nanosecondsPerTransaction: t,
                                                          locationsPerTransaction: probe.locationsPerTransaction,
                                                          conflictShare: probe.conflictShare, threads: threads),
            requiredMargin: final ? SerialRule.requiredMargin : SerialRule.earlyMargin)
    }

    /// Runs the rest of the block after the probe's `probed` transactions under Block-STM, from the probe's state: the
    /// probe's records (receipts, rejections, gas, commits) move into the run's `Collected`, and the block end commits
    /// onto the probe's state (before Byzantium: every commit onto the block's, for the receipts' intermediate roots).
    private func parallelRest(_ run: inout SerialBlockRun, probed i: Int, estimate: ProbeEstimate, pre: InMemoryState,
                              transactions: [Transaction], start: UInt64) -> BlockOutcome {
        let c = Collected()
        c.metrics.probedTransactions = i
        c.metrics.probe = estimate
        swap(&c.records, &run.records)
        return parallel(pre: pre, base: run.state, jobBase: run.carriesRoot ? run.rootBase : run.state,
                        transactions: transactions, first: i, env: run.env, fork: run.fork, collected: c, start: start)
    }

    /// Block-STM on `transactions[first...]` from `base` (the block's state after its system calls, or after
    /// the serial probe's `first` transactions, whose receipts, rejections and gas `collected` already holds);
    /// the block end commits `collected`'s commits and the run's onto `jobBase`.
    private func parallel(pre: InMemoryState, base: InMemoryState, jobBase: InMemoryState, transactions: [Transaction],
                          first: Int, env: BlockEnvironment, fork: Fork, collected: Collected,
                          start: UInt64) -> BlockOutcome {
        let rest = first == 0 ? transactions : Array(transactions[first...])
        let probed = collected.metrics.probedTransactions
        // The probe's commits (already in `base`); a collect that stops at a limit keeps the run's after them.
        let probeCommits = collected.records.commits.count
        // One gang of threads for the whole block: execution, commit and roots.
        let gang = WorkerGang.checkout(threads: threads)
        defer { WorkerGang.checkin(gang) }
        // Its threads may sleep (between blocks): wake them now, so that they join the run at its start
        // rather than a wake-up after it (the run's set-up below takes about as long as a wake-up).
        gang.wake()
        let run = BlockSTMRun(base: base, env: env, transactions: rest, fork: fork,
                              threads: threads, stress: stress, adaptive: policy == .adaptive, trace: trace,
                              pace: ProgressRule.serialEstimate(collected.metrics.probe))
        if threads == 1 || rest.isEmpty {
            if !rest.isEmpty { gang.run { worker in run.work(worker: worker) } }
            guard collect(run, transactions: transactions, first: first, env: env, fork: fork, into: collected) else {
                if !run.scheduler.done {
                    return finishSerially(run, transactions: transactions, first: first, base: base, jobBase: jobBase,
                                          collected: collected, gang: gang, start: start)
                }
                return finishAfterLimit(transactions: transactions, first: first, env: env, fork: fork, base: base, jobBase: jobBase,
                                        probeCommits: probeCommits, collected: collected, gang: gang, start: start)
            }
            var outcome = ParallelFinalization.serialFinish(base: jobBase, commits: collected.commits, env: env, fork: fork,
                                                            receipts: collected.receipts, rejected: collected.rejected,
                                                            blobGasUsed: collected.blobGas, metrics: collected.metrics)
            outcome.transactionGas = collected.gas
            outcome.metrics.executions += probed
            outcome.metrics.wallTimeNanoseconds = Stopwatch.now() &- start
            return outcome
        }

        // The execution, the in-order commit checks and the four stages of the block's end run as one job on the
        // gang.
        let job = ParallelFinalization.Job(base: jobBase, env: env, fork: fork, shards: threads)
        // The block end's stages, timed into the profile (a clock reading at each stage task's ends).
        let stageClock = StageClock()
        // After the run, one worker collects the results in block order while the others free the multi-version
        // memory (the collect does not touch it): freeing it at the end of the run held every worker there, and
        // after the job it would be serial. The freeing is split into `releaseShares` tasks taken in turn, so that
        // the worker that collects (task 0, the first taken) joins it when done: with one share per other worker,
        // the stage lasted as long as one worker's freeing of its share (at two threads: all of the memory, cold),
        // often longer than the collect. An abandoned run keeps its memory (its prefix is validated against it).
        let collectedInOrder = Locked(false)
        let releaseShares = 8 * threads
        let stages = [WorkerGang.Stage(prepare: { threads }, task: { worker in run.work(worker: worker) }),
                      WorkerGang.Stage(prepare: { run.scheduler.done ? 1 + releaseShares : nil }, task: { i in
                          if i == 0 {
                              let ok = collect(run, transactions: transactions, first: first, env: env, fork: fork, into: collected)
                              collectedInOrder.withLock { $0 = ok }
                          } else {
                              run.memory.release(share: i - 1, of: releaseShares)
                          }
                      })]
            + stageClock.timing(job.stages(before: {
                guard collectedInOrder.withLock({ $0 }) else { return false }
                collected.hand(to: job)
                return true
            }))
        let completed = gang.runStages(stages)
        guard completed == stages.count else {
            if !run.scheduler.done {
                return finishSerially(run, transactions: transactions, first: first, base: base, jobBase: jobBase,
                                      collected: collected, gang: gang, start: start)
            }
            return finishAfterLimit(transactions: transactions, first: first, env: env, fork: fork, base: base, jobBase: jobBase,
                                    probeCommits: probeCommits, collected: collected, gang: gang, start: start)
        }
        var outcome = job.outcome()
        outcome.transactionGas = collected.gas
        outcome.metrics.executions += probed
        outcome.metrics.profile?.commitNanoseconds = stageClock.commit.load(ordering: .relaxed)
        outcome.metrics.profile?.rootsNanoseconds = stageClock.roots.load(ordering: .relaxed)
        outcome.metrics.wallTimeNanoseconds = Stopwatch.now() &- start
        return outcome
    }

    /// The run's counters, then (when the run completed) its last incarnations through `Collected.collect`.
    private func collect(_ run: BlockSTMRun, transactions: [Transaction], first: Int, env: BlockEnvironment, fork: Fork,
                         into c: Collected) -> Bool {
        fill(&c.metrics, from: run)
        guard run.scheduler.done else { return false }
        return c.collect(transactions, from: first, env: env, fork: fork, take: run.takeResult)
    }

    private func fill(_ metrics: inout ExecutionMetrics, from run: BlockSTMRun) {
        metrics.threads = threads
        metrics.executions = run.executions.load(ordering: .relaxed)
        metrics.reExecutions = max(0, metrics.executions - run.transactions.count)
        metrics.validations = run.validations.load(ordering: .relaxed)
        metrics.failedValidations = run.failedValidations.load(ordering: .relaxed)
        metrics.blockedReads = run.blockedReads.load(ordering: .relaxed)
        metrics.profile = run.profile()
    }

    /// The error the serial run reports for a transaction the parallel run rejected. Both ran the same
    /// checks in the same order, except that the parallel run offered the whole block gas limit: where
    /// less was left in block order, the gas check (which comes after the three stateless ones) fires
    /// first, and its message names the gas really available.
    static func serialError(_ error: TransactionError, tx: Transaction, available: UInt64) -> TransactionError {
        switch error {
        case .unsupportedFork, .intrinsicGasTooLow, .initCodeTooLarge, .nonceMaxed:
            return error
        default:
            if tx.gasLimit > available { return .gasLimitExceedsBlock(txGas: tx.gasLimit, available: available) }
            return error
        }
    }

    /// Finishes an abandoned run: keeps the longest prefix of transactions whose current incarnation has
    /// executed and whose reads are still valid (in block order, each validated against the prefix before
    /// it, so their results are the serial ones), and runs the rest as `SerialExecutor` does, from the
    /// state the prefix leaves, but for the executed transactions beyond the prefix whose reads are still valid once
    /// those before them are final (`finishReusing`). Nothing validated is thrown away. The commit and roots then run on the
    /// gang as after a completed run. The run covered `transactions[first...]` from `base`, after a serial
    /// probe whose results `c` holds; the block end commits onto `jobBase`.
    private func finishSerially(_ run: BlockSTMRun, transactions: [Transaction], first: Int, base: InMemoryState,
                                jobBase: InMemoryState, collected c: Collected, gang: WorkerGang,
                                start: UInt64) -> BlockOutcome {
        let env = run.env, fork = run.fork
        let probed = c.metrics.probedTransactions
        fill(&c.metrics, from: run)
        c.metrics.ranSerially = true
        c.metrics.serialReason = run.slow.load(ordering: .relaxed) ? .slowRun : .hotRun
        // The kept prefix, checked as `Collected.collect` checks a completed run, then the rest as `SerialExecutor`'s
        // loop runs it (keeping what is still valid beyond the prefix), on one serial run that holds the records (every commit kept for the parallel block end).
        var rest = SerialBlockRun(continuing: base, env: env, fork: fork, keepsCommits: true)
        swap(&rest.records, &c.records)
        rest.records.commits.reserveCapacity(rest.records.commits.count + transactions.count - first)
        var next = first
        while next < transactions.count, run.scheduler.isExecuted(next - first), run.memory.validateReadSet(next - first),
              let result = run.takeResult(next - first), rest.take(next, transactions[next], result) {
            next += 1
        }
        c.metrics.executions += Self.finishReusing(run, transactions: transactions, first: first, from: next,
                                                   into: &rest, trace: trace)
        c.metrics.reExecutions = max(0, c.metrics.executions - (transactions.count - first))
        c.metrics.executions += probed
        swap(&rest.records, &c.records)
        var outcome = c.blockEnd(base: jobBase, env: env, fork: fork, gang: gang)
        outcome.metrics.wallTimeNanoseconds = Stopwatch.now() &- start
        return outcome
    }

    /// Finishes a completed run whose block gas or blob gas limit bit in block order (`SerialReason.limit`): the
    /// transactions the in-order collect kept stay, and only the rest runs serially
    /// (`Collected.finishSeriallyAfterLimit`). Before, the whole block ran again serially: mainnet block 12047794,
    /// whose limit bites at its transaction 208 of 232, took 464 executions.
    private func finishAfterLimit(transactions: [Transaction], first: Int, env: BlockEnvironment, fork: Fork,
                                  base: InMemoryState, jobBase: InMemoryState, probeCommits: Int,
                                  collected c: Collected, gang: WorkerGang, start: UInt64) -> BlockOutcome {
        let probed = c.metrics.probedTransactions
        c.metrics.ranSerially = true
        c.metrics.serialReason = .limit
        c.metrics.executions += c.finishSeriallyAfterLimit(transactions, base: base, keptFrom: probeCommits,
                                                           env: env, fork: fork, trace: trace)
        c.metrics.reExecutions = max(0, c.metrics.executions - (transactions.count - first))
        c.metrics.executions += probed
        var outcome = c.blockEnd(base: jobBase, env: env, fork: fork, gang: gang)
        outcome.metrics.wallTimeNanoseconds = Stopwatch.now() &- start
        return outcome
    }

    /// The serial finish of an abandoned run after its kept prefix (`transactions[..<next]`), keeping the run's executed
    /// transactions beyond it: each transaction the finish runs (serially, onto `rest`, as `SerialExecutor` does) has
    /// its writes and fee recorded in the run's multi-version memory as an incarnation no reader has seen, so that the
    /// memory below a later transaction holds the final writes of every one before it; a later transaction whose last
    /// incarnation has executed and whose reads are still valid against it read what they would have read serially,
    /// and its result is taken (`SerialBlockRun.take`) instead of running it again. Past the run's last executed
    /// transaction it is `SerialExecutor`'s loop. An abandoned run often has many of them: a worker that the host
    /// descheduled holds a low transaction unfinished while the other runs far ahead. Returns how many transactions it
    /// ran.
    static func finishReusing(_ run: BlockSTMRun, transactions: [Transaction], first: Int, from next: Int,
                              into rest: inout SerialBlockRun, trace: BlockTrace?) -> Int {
        var lastExecuted = transactions.count - first - 1
        while lastExecuted >= next - first, !run.scheduler.isExecuted(lastExecuted) { lastExecuted -= 1 }
        var steps = 0
        var writes = WriteBuffer(capacity: 16)
        var i = next
        while i < transactions.count, i - first <= lastExecuted {
            let k = i - first, tx = transactions[i]
            // Transaction `next` is the one the kept prefix stopped at.
            if i > next, run.scheduler.isExecuted(k), run.memory.validateReadSet(k), let result = run.takeResult(k),
               rest.take(i, tx, result) {
                i += 1
                continue
            }
            let step = rest.step(i, tx, trace: trace)
            steps += 1
            writes.removeAll()
            var fee = UInt256.zero
            if step.included, let r = step.result {
                fee = r.coinbaseFee
                for (address, change) in r.changes.accounts {
                    // Only its storage changed: its info is the one it read (`AccountChange.infoChanged`), not a write.
                    BlockSTMRun.appendWrites(address, change, unchanged: !change.infoChanged, to: &writes)
                }
            }
            _ = run.memory.record(TxVersion(k, Incarnation.max), reads: [], writes: &writes, fee: fee)
            i += 1
        }
        for j in i..<transactions.count { rest.step(j, transactions[j], trace: trace) }
        return steps + transactions.count - i
    }

    /// Runs the block with `SerialExecutor`, marked as run serially for `reason` (the static rule's choice).
    private func serially(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork,
                          start: UInt64, reason: SerialReason) -> BlockOutcome {
        var outcome = SerialExecutor(recordsAccess: false, trace: trace).execute(pre: pre, env: env, transactions: transactions, fork: fork)
        // In place (a copy of the metrics, or of the outcome, costs a one-transaction block measurably).
        outcome.metrics.threads = threads
        outcome.metrics.ranSerially = true
        outcome.metrics.serialReason = reason
        outcome.metrics.wallTimeNanoseconds = Stopwatch.now() &- start
        return outcome
    }
}

extension SerialBlockRun {
    /// Takes transaction `i`'s result from a Block-STM run in place of running it (`BlockSTMExecutor.finishSerially`'s
    /// kept prefix, whose results are the serial ones): false, and nothing changed, where serially the transaction
    /// would not get the gas it was offered or its blob gas would exceed the block's (then `step` runs it).
    mutating func take(_ i: Int, _ tx: Transaction, _ result: BlockSTMRun.TxOutcome) -> Bool {
        guard records.append(i, tx, result, gasLimit: env.gasLimit, maxBlobGas: maxBlobGas, keepsCommit: keepsCommits) else {
            return false
        }
        if case .included(let r) = result {
            state.apply(r.changes)
            state.credit(env.coinbase, r.coinbaseFee)
        }
        return true
    }
}
