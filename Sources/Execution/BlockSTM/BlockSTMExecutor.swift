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
///   re-checked in order afterwards, and a block where they bite is re-run serially.
/// - Under `ParallelPolicy.adaptive` (the default), small or dependent blocks run serially from the
///   start (rule in `SerialRule`), and a run that turns out hot (`HotBlockRule`: aborts and blocked
///   reads are a large share of the executions) is abandoned: the prefix of transactions that are
///   executed and still valid is kept, and the rest runs serially after it.
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

    public func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        if policy == .adaptive, SerialRule.prefersSerial(transactions, env: env, threads: threads) {
            return serially(pre: pre, env: env, transactions: transactions, fork: fork, start: start, metrics: ExecutionMetrics())
        }
        var base = pre
        BlockFinalization.applyPreBlockSystemCalls(&base, env: env, fork: fork)

        // One gang of threads for the whole block: execution, commit and roots.
        let gang = WorkerGang.checkout(threads: threads)
        defer { WorkerGang.checkin(gang) }
        let run = BlockSTMRun(base: base, env: env, transactions: transactions, fork: fork,
                              threads: threads, stress: stress, adaptive: policy == .adaptive, trace: trace)
        let collected = Collected()
        if threads == 1 || transactions.isEmpty {
            if !transactions.isEmpty { gang.run { worker in run.work(worker: worker) } }
            guard collect(run, transactions: transactions, env: env, fork: fork, into: collected) else {
                if !run.scheduler.done { return finishSerially(run, base: base, gang: gang, start: start) }
                return serially(pre: pre, env: env, transactions: transactions, fork: fork, start: start, metrics: collected.metrics)
            }
            var outcome = ParallelFinalization.serialFinish(base: base, commits: collected.commits, env: env, fork: fork,
                                                            receipts: collected.receipts, rejected: collected.rejected,
                                                            blobGasUsed: collected.blobGas, metrics: collected.metrics)
            outcome.transactionGas = collected.gas
            outcome.metrics.wallTimeNanoseconds = UInt64((clock.now - start).nanoseconds)
            return outcome
        }

        // The execution and the four stages of the block's end run as one job on the gang: the in-order
        // commit checks run on whichever worker finishes execution last, then the commit and roots.
        let job = ParallelFinalization.Job(base: base, env: env, fork: fork, shards: threads)
        // The block end's stages, timed into the profile (a clock reading at each stage task's ends).
        let stageClock = StageClock()
        let stages = [WorkerGang.Stage(prepare: { threads }, task: { worker in run.work(worker: worker) })]
            + stageClock.timing(job.stages(before: {
                guard run.scheduler.done, collect(run, transactions: transactions, env: env, fork: fork, into: collected) else { return false }
                collected.hand(to: job)
                return true
            }))
        let completed = gang.runStages(stages)
        guard completed == stages.count else {
            if !run.scheduler.done { return finishSerially(run, base: base, gang: gang, start: start) }
            return serially(pre: pre, env: env, transactions: transactions, fork: fork, start: start, metrics: collected.metrics)
        }
        var outcome = job.outcome()
        outcome.transactionGas = collected.gas
        outcome.metrics.profile?.commitNanoseconds = stageClock.commit.load(ordering: .relaxed)
        outcome.metrics.profile?.rootsNanoseconds = stageClock.roots.load(ordering: .relaxed)
        outcome.metrics.wallTimeNanoseconds = UInt64((clock.now - start).nanoseconds)
        return outcome
    }

    /// The run's counters, then (when the run completed) its last incarnations through `Collected.collect`.
    private func collect(_ run: BlockSTMRun, transactions: [Transaction], env: BlockEnvironment, fork: Fork, into c: Collected) -> Bool {
        fill(&c.metrics, from: run)
        guard run.scheduler.done else { return false }
        return c.collect(transactions, env: env, fork: fork, take: run.takeResult)
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
    /// state the prefix leaves. Nothing validated is thrown away. The commit and roots then run on the
    /// gang as after a completed run.
    private func finishSerially(_ run: BlockSTMRun, base: InMemoryState, gang: WorkerGang,
                                start: ContinuousClock.Instant) -> BlockOutcome {
        let env = run.env, transactions = run.transactions, fork = run.fork
        let c = Collected()
        fill(&c.metrics, from: run)
        c.metrics.ranSerially = true
        c.commits.reserveCapacity(transactions.count)
        var state = base
        var cumulative: UInt64 = 0
        var next = 0
        // The kept prefix, checked as `Collected.collect` checks a completed run.
        prefix: while next < transactions.count, run.scheduler.isExecuted(next), run.memory.validateReadSet(next),
                      let result = run.takeResult(next) {
            let tx = transactions[next]
            let available = env.gasLimit - cumulative
            switch result {
            case .rejected(let error):
                c.rejected.append(RejectedTransaction(index: next, error: Self.serialError(error, tx: tx, available: available).description))
                c.gas.append(0)
            case .included(let r):
                if tx.gasLimit > available || c.blobGas + r.blobGasUsed > BlockFinalization.maxBlobGas(fork) { break prefix }
                state.apply(r.changes)
                state.credit(env.coinbase, r.coinbaseFee)
                cumulative += r.gasUsed
                c.blobGas += r.blobGasUsed
                var receipt = r.receipt
                receipt.cumulativeGasUsed = cumulative
                c.receipts.append(receipt)
                c.gas.append(r.gasUsed)
                c.commits.append(ParallelFinalization.Commit(changes: r.changes, coinbaseFee: r.coinbaseFee))
            }
            next += 1
        }
        // The rest, as `SerialExecutor`'s loop runs it.
        for i in next..<transactions.count {
            let tx = transactions[i]
            let tracer = trace?.tracer()
            let result = TransactionProcessor.execute(tx, env: env, reader: state, fork: fork,
                                                      gasAvailable: env.gasLimit - cumulative, deferCoinbaseFee: true,
                                                      tracer: tracer)
            trace?.record(i, tracer)
            c.metrics.executions += 1
            switch result {
            case .failure(let error):
                c.rejected.append(RejectedTransaction(index: i, error: error.description))
                c.gas.append(0)
            case .success(let r):
                if c.blobGas + r.blobGasUsed > BlockFinalization.maxBlobGas(fork) {
                    c.rejected.append(RejectedTransaction(index: i, error: "blob gas exceeds the block maximum"))
                    c.gas.append(0)
                    continue
                }
                if i + 1 < transactions.count { state.apply(r.changes); state.credit(env.coinbase, r.coinbaseFee) }
                cumulative += r.gasUsed
                c.blobGas += r.blobGasUsed
                c.receipts.append(BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: cumulative))
                c.gas.append(r.gasUsed)
                c.commits.append(ParallelFinalization.Commit(changes: r.changes, coinbaseFee: r.coinbaseFee))
            }
        }
        c.metrics.reExecutions = max(0, c.metrics.executions - transactions.count)
        var outcome: BlockOutcome
        if gang.count == 1 {
            outcome = ParallelFinalization.serialFinish(base: base, commits: c.commits, env: env, fork: fork,
                                                        receipts: c.receipts, rejected: c.rejected,
                                                        blobGasUsed: c.blobGas, metrics: c.metrics)
        } else {
            let job = ParallelFinalization.Job(base: base, env: env, fork: fork, shards: gang.count)
            c.hand(to: job)
            gang.runStages(job.stages(before: nil))
            outcome = job.outcome()
        }
        outcome.transactionGas = c.gas
        outcome.metrics.wallTimeNanoseconds = UInt64((ContinuousClock().now - start).nanoseconds)
        return outcome
    }

    /// Runs the block with `SerialExecutor`, keeping what the parallel attempt (if any) counted.
    private func serially(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork,
                          start: ContinuousClock.Instant, metrics attempt: ExecutionMetrics) -> BlockOutcome {
        var outcome = SerialExecutor(recordsAccess: false, trace: trace).execute(pre: pre, env: env, transactions: transactions, fork: fork)
        var metrics = outcome.metrics
        metrics.threads = threads
        metrics.ranSerially = true
        metrics.executions += attempt.executions
        metrics.reExecutions += attempt.reExecutions
        metrics.validations = attempt.validations
        metrics.failedValidations = attempt.failedValidations
        metrics.blockedReads = attempt.blockedReads
        metrics.wallTimeNanoseconds = UInt64((ContinuousClock().now - start).nanoseconds)
        outcome.metrics = metrics
        return outcome
    }
}

/// One Block-STM run over one block: the shared memory, scheduler, per-transaction results and
/// counters, and the worker loop (paper, Algorithm 1).
final class BlockSTMRun: Sendable {
    let transactions: [Transaction]
    let env: BlockEnvironment
    let fork: Fork
    let threads: Int
    let stress: StressOptions?
    let memory: MVMemory
    let scheduler: Scheduler
    /// Whether workers watch for a hot block (`HotBlockRule`) and abandon the run.
    let adaptive: Bool
    /// Where each incarnation's trace is recorded (nil: not traced).
    let trace: BlockTrace?
    /// Set once a worker found the block hot: every worker leaves its loop.
    let abandoned = Atomic<Bool>(false)

    /// What a transaction's last incarnation produced. The receipt (its bloom costs a few hashes per log)
    /// is built by the worker; only the cumulative gas is left for the in-order commit.
    enum TxOutcome: Sendable {
        case rejected(TransactionError)
        case included(Included)
    }

    /// The part of an included transaction's result the commit needs (the rest is freed by the worker).
    struct Included: Sendable {
        var changes: StateChanges
        var coinbaseFee: UInt256
        var gasUsed: UInt64
        var blobGasUsed: UInt64
        var receipt: Receipt
    }

    private let results: LockedSlots<TxOutcome?>

    let executions = Atomic<Int>(0)
    let validations = Atomic<Int>(0)
    let failedValidations = Atomic<Int>(0)
    let blockedReads = Atomic<Int>(0)
    /// Each worker's phase times and contention, stored once when it leaves its loop.
    private let workerProfiles: LockedSlots<WorkerProfile>

    init(base: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork, threads: Int,
         stress: StressOptions?, adaptive: Bool = false, trace: BlockTrace? = nil) {
        self.adaptive = adaptive
        self.trace = trace
        self.transactions = transactions
        self.env = env
        self.fork = fork
        self.threads = threads
        self.stress = stress
        memory = MVMemory(base: base, coinbase: env.coinbase, transactions: transactions.count, threads: threads)
        scheduler = Scheduler(transactions: transactions.count)
        results = LockedSlots(count: transactions.count) { _ in nil }
        workerProfiles = LockedSlots(count: threads) { _ in WorkerProfile() }
    }

    /// The workers' profiles merged (after they have left their loops).
    func profile() -> BlockProfile {
        WorkerProfile.merge((0..<workerProfiles.count).map { w in workerProfiles.withLock(w) { $0 } })
    }

    /// Takes the transaction's final outcome out of the run (once, after the workers have finished).
    func takeResult(_ index: TxIndex) -> TxOutcome? {
        results.withLock(index) { slot -> TxOutcome? in
            let outcome = slot
            slot = nil
            return outcome
        }
    }

    /// The worker loop: run the task in hand, which may hand back a follow-up; otherwise ask the scheduler.
    func work(worker: Int) {
        let jitter = stress.map { Jitter(options: $0, worker: worker, probe: scheduler) }
        var task: SchedulerTask?
        var idle = 0
        var sinceCheck = 0
        // Phase times and contention stay in this worker's locals (the clock is read at task boundaries only) and
        // are stored once, whichever way the loop is left.
        var profile = WorkerProfile()
        defer { workerProfiles.withLock(worker) { $0 = profile } }
        while !scheduler.done {
            if let t = task {
                let started = Stopwatch.now()
                switch t {
                case .execute(let v):
                    task = tryExecute(v, jitter: jitter, profile: &profile)
                    if v.incarnation == 0 {
                        profile.execution &+= Stopwatch.now() &- started
                    } else {
                        profile.reExecution &+= Stopwatch.now() &- started
                    }
                case .validate(let v):
                    task = needsReexecution(v, jitter: jitter, profile: &profile)
                    profile.validation &+= Stopwatch.now() &- started
                }
                if adaptive {
                    sinceCheck += 1
                    if sinceCheck >= HotBlockRule.checkEvery {
                        sinceCheck = 0
                        if abandoned.load(ordering: .relaxed) { return }
                        if isHot() {
                            abandoned.store(true, ordering: .relaxed)
                            return
                        }
                    }
                }
                continue
            }
            if adaptive && abandoned.load(ordering: .relaxed) { return }
            task = scheduler.nextTask()
            if task != nil {
                idle = 0
                continue
            }
            // Nothing to hand out: the rest is in flight or waiting. Back off so that waiting workers do
            // not take the core from the ones doing the work (there may be more threads than cores).
            idle += 1
            if idle < 8 {
                continue
            } else if idle < 256 {
                sched_yield()
            } else {
                usleep(20)
            }
        }
        // Free this worker's share of the multi-version memory here, in parallel, rather than on the
        // calling thread after the join. (A worker that leaves an abandoned run keeps it: the kept
        // prefix is validated against it. The run only ends here once it is done.)
        memory.release(share: worker, of: threads)
    }

    /// What the run has shown so far, by `HotBlockRule`.
    private func isHot() -> Bool {
        HotBlockRule.isHot(executions: executions.load(ordering: .relaxed),
                           wasted: blockedReads.load(ordering: .relaxed) + failedValidations.load(ordering: .relaxed),
                           transactions: transactions.count, threads: threads)
    }

    /// Executes an incarnation (paper: try_execute). A read of an unresolved lower write suspends it.
    private func tryExecute(_ version: TxVersion, jitter: Jitter?, profile: inout WorkerProfile) -> SchedulerTask? {
        let tx = transactions[version.index]
        while true {
            jitter?.perturb()
            let view = MVView(index: version.index, memory: memory, jitter: jitter)
            let tracer = trace?.tracer()
            let result = TransactionProcessor.execute(tx, env: env, reader: view, fork: fork,
                                                      gasAvailable: env.gasLimit, deferCoinbaseFee: true, tracer: tracer)
            executions.wrappingAdd(1, ordering: .relaxed)
            if !view.isAborted { trace?.record(version.index, tracer) }  // before finishExecution: see BlockTrace
            if view.isAborted {
                blockedReads.wrappingAdd(1, ordering: .relaxed)
                if let l = view.blockedLocation { profile.blocked[l, default: 0] += 1 }
                if scheduler.addDependency(version.index, blocking: view.blocking) { return nil }
                continue  // the blocking transaction finished meanwhile: run again now
            }
            var writes: [(MemoryLocation, MVValue)] = []
            var fee = UInt256.zero
            let outcome: TxOutcome
            switch result {
            case .failure(let error):
                outcome = .rejected(error)
            case .success(let r):
                fee = r.coinbaseFee
                for (address, change) in r.changes.accounts {
                    Self.appendWrites(address, change, seen: view.accountRead(address), to: &writes)
                }
                outcome = .included(Included(changes: r.changes, coinbaseFee: r.coinbaseFee, gasUsed: r.gasUsed,
                                             blobGasUsed: r.blobGasUsed,
                                             receipt: BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: 0)))
            }
            results.withLock(version.index) { $0 = outcome }
            let wroteNew = memory.record(version, reads: view.reads, writes: writes, fee: fee)
            jitter?.perturb()
            return scheduler.finishExecution(version, wroteNewLocation: wroteNew)
        }
    }

    /// Turns one account's change into multi-version writes.
    static func appendWrites(_ address: Address, _ change: AccountChange, seen: AccountInfo??,
                             to writes: inout [(MemoryLocation, MVValue)]) {
        if change.info == nil || change.storageCleared {
            writes.append((.lifecycle(address), .lifecycle))
        }
        // Unchanged fields are not a write: otherwise every call that only touches a contract's storage
        // would conflict with every later call to it on the account entry.
        if let seen, seen == change.info {} else {
            writes.append((.account(address), .account(change.info)))
        }
        if change.info != nil && !change.storage.isEmpty {
            for (key, value) in change.storage {
                writes.append((.storage(address, key), .storage(value)))
            }
            writes.append((.storageKeys(address), .storageKeys))
        }
    }

    /// Validates an incarnation's reads (paper: needs_reexecution); on failure aborts it.
    private func needsReexecution(_ version: TxVersion, jitter: Jitter?, profile: inout WorkerProfile) -> SchedulerTask? {
        jitter?.perturb()
        validations.wrappingAdd(1, ordering: .relaxed)
        let invalid = memory.firstInvalidRead(version.index)
        let aborted = invalid != nil && scheduler.tryValidationAbort(version)
        if aborted, let invalid {
            failedValidations.wrappingAdd(1, ordering: .relaxed)
            profile.failed[invalid, default: 0] += 1
            memory.convertWritesToEstimates(version.index)
        }
        jitter?.perturb()
        return scheduler.finishValidation(version.index, aborted: aborted)
    }
}

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
    func collect(_ transactions: [Transaction], env: BlockEnvironment, fork: Fork, take: (Int) -> BlockSTMRun.TxOutcome?) -> Bool {
        let maxBlobGas = BlockFinalization.maxBlobGas(fork)
        commits.reserveCapacity(transactions.count)
        receipts.reserveCapacity(transactions.count)
        gas.reserveCapacity(transactions.count)
        var cumulative: UInt64 = 0
        for (i, tx) in transactions.enumerated() {
            guard let result = take(i) else { return false }
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
