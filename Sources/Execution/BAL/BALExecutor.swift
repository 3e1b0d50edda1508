import Foundation
import Synchronization
import EVMPrimitives
import EVMState
import EVMInterpreter
import Keccak

/// The block-access-list executor: given the block's access list (EIP-7928 layout, see
/// `BlockAccessList`), it runs every transaction at once, each reading what lower transactions wrote
/// from the list (`BALView`), with no multi-version memory, scheduling or validation; then checks that
/// each transaction's actual reads and writes are the list's (a mismatch names the first differing
/// entry, `BALMismatch`); then commits and computes the roots with the same parallel block end as
/// Block-STM (`ParallelFinalization.Job` on a `WorkerGang`).
///
/// With a correct list its outcome equals `SerialExecutor`'s bit for bit: every transaction read exactly
/// what it would have read serially, and the check proves that the list says what execution did. Its
/// speed is what perfect information buys; the gap to Block-STM is what optimism costs.
///
/// Under `ParallelPolicy.adaptive` (the default, as Block-STM's) a block that cannot win in parallel
/// (`prefersSerial`: fewer than `SerialRule.minimumTransactions` transactions, one thread, or too little work
/// per transaction for the list's parallel run to pay for its fixed and per-transaction costs) runs serially,
/// exactly as `SerialExecutor` does, and each transaction's reads and writes are still checked against the
/// list (`serially`): a list that does not describe the block is caught and named whatever the policy.
/// `ExecutionMetrics.serialReason` says why (`rule`; `limit` where a block gas or blob gas limit bit).
/// The exception is a list derived from a serial run of this very block (`listIsDerived`, the harness's
/// `--bal derive`): there the serial path is `SerialExecutor` itself, unchecked, since checking would only compare
/// the serial executor with the list built from its own run (`BlockAccessListBuilder`, tested against it), at 2-12%
/// of the block's time (the per-transaction check: about 2,700 instructions a transaction).
public struct BALExecutor: BlockExecutor {
    public let threads: Int
    public let list: BlockAccessList
    public let stress: StressOptions?
    /// Whether to decide per block between the list's parallel run and a checked serial run.
    public let policy: BlockSTMExecutor.ParallelPolicy
    /// Where each transaction's EIP-3155 trace goes; nil (the default) traces nothing.
    public var trace: BlockTrace?
    /// Whether `list` was derived from a serial run of the block it is run on (`BlockAccessListBuilder.derive`): then a
    /// block the adaptive policy runs serially is `SerialExecutor`'s run, not checked against the list (see above).
    /// False (the default): every path checks the list.
    public var listIsDerived = false
    /// The list arranged for lookups, made on the first run and kept: indexing the list is decoding it into
    /// the form execution reads (as a client decodes the list that comes with the block), done once per list,
    /// not once per run. `indexingNanoseconds` says what it cost.
    private let index: IndexCache

    public var name: String { "bal" }

    /// Transactions per task of the execution stage: 8 (as the partition bound), fewer where the block would make under
    /// four tasks a thread, so that a small block of uneven transactions still spreads evenly (mainnet 4369999: 22
    /// transactions were three tasks on two threads, one thread running two of them).
    static func chunk(transactions n: Int, threads: Int) -> Int { max(1, min(8, n / (4 * threads))) }

    /// `threads` outside 1...64 is clamped into that range.
    public init(threads: Int, list: BlockAccessList, stress: StressOptions? = nil,
                policy: BlockSTMExecutor.ParallelPolicy = .adaptive, listIsDerived: Bool = false) {
        self.threads = min(64, max(1, threads))
        self.list = list
        self.stress = stress
        self.policy = policy
        self.listIsDerived = listIsDerived
        self.index = IndexCache()
    }

    /// What indexing the list took (nanoseconds, on its first run; nil before any run).
    public var indexingNanoseconds: UInt64? { index.cost }

    /// The indexed list for a block of `transactions` transactions, made once (the list's indices depend on
    /// the transaction count, so another count indexes again).
    final class IndexCache: Sendable {
        private let slot = Mutex<(transactions: Int, list: IndexedAccessList, nanoseconds: UInt64)?>(nil)

        var cost: UInt64? { slot.withLock { $0?.nanoseconds } }

        func indexed(_ list: BlockAccessList, transactions n: Int) -> IndexedAccessList {
            slot.withLock { cached in
                if let c = cached, c.transactions == n { return c.list }
                let clock = ContinuousClock(), start = clock.now
                let indexed = IndexedAccessList(list, transactions: n)
                cached = (n, indexed, UInt64((clock.now - start).nanoseconds))
                return indexed
            }
        }
    }

    /// `BlockExecutor`: the outcome, or, when the list does not describe the block, the serial outcome
    /// marked `ranSerially` (use `run` to see the mismatch; every check in this project does).
    public func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
        switch run(pre: pre, env: env, transactions: transactions, fork: fork) {
        case .success(let outcome): return outcome
        case .failure:
            var outcome = SerialExecutor(recordsAccess: false, trace: trace).execute(pre: pre, env: env, transactions: transactions, fork: fork)
            outcome.metrics.threads = threads
            outcome.metrics.ranSerially = true
            return outcome
        }
    }

    /// Runs the block from the list; fails with the first entry where the list and execution differ.
    public func run(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> Result<BlockOutcome, BALMismatch> {
        let clock = ContinuousClock()
        let start = clock.now
        let n = transactions.count
        if policy == .adaptive && Self.prefersSerial(transactions, env: env, threads: threads) {
            guard listIsDerived else { return serially(pre: pre, env: env, transactions: transactions, fork: fork, start: start) }
            return .success(serialOutcome(pre: pre, env: env, transactions: transactions, fork: fork, reason: .rule, start: start))
        }
        // The gang is woken first, so that its threads are up by the time the set-up below is done.
        let gang = threads > 1 && n > 1 ? WorkerGang.checkout(threads: threads) : nil
        defer { if let gang { WorkerGang.checkin(gang) } }
        gang?.wake()
        let indexed = index.indexed(list, transactions: n)
        var base = pre
        BlockFinalization.applyPreBlockSystemCalls(&base, env: env, fork: fork)
        if let m = Self.checkSystemCall(pre: pre, base: base, list: indexed) { return .failure(m) }

        let chunk = Self.chunk(transactions: n, threads: threads)
        let chunks = (n + chunk - 1) / chunk
        let results = ResultSlots<TxResult>(count: n)
        // The listed read-only locations that some transaction read, marked by the tasks that check them.
        let read = ReadMarks(count: indexed.locationCount)
        // Where the time goes: per chunk, its transactions' execution and their checks against the list (a clock
        // reading around each check, summed after the stage's barrier).
        let chunkTimes = ResultSlots<(execution: UInt64, check: UInt64)>(count: chunks)
        let stress = self.stress, trace = self.trace
        // Set when some transaction's changes must be replayed at the block end (`TxResult.replays`).
        let replays = Atomic<Bool>(false)
        let executeChunk: @Sendable (Int) -> Void = { [base] c in
            let jitter = stress.map { Jitter(options: $0, worker: c, probe: nil) }
            let started = Stopwatch.now()
            var check: UInt64 = 0
            for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                jitter?.perturb()
                let tracer = trace?.tracer()
                let r = Self.execute(transactions[i], index: i, env: env, fork: fork, base: base, list: indexed, read: read,
                                     tracer: tracer)
                trace?.record(i, tracer)
                check &+= r.checkNanoseconds
                if r.replays { replays.store(true, ordering: .relaxed) }
                results.set(i, r)
            }
            chunkTimes.set(c, ((Stopwatch.now() &- started) &- check, check))
        }
        let collected = Collected()
        collected.metrics.threads = threads
        collected.metrics.executions = n
        let failure = Mutex<BALMismatch?>(nil)
        let blockCheck = Atomic<UInt64>(0)
        // The in-order stage, one pass: where a block gas or blob gas limit bites in block order, the parallel
        // results from there on are not the serial ones and the block runs serially from there, unchecked (so
        // that test comes first; `fallback`); else the first transaction whose check failed names the mismatch; else its outcome
        // is collected. Then the block-wide checks: every listed read was read, and the post-execution changes.
        let collect: @Sendable () -> Bool = { [base] in
            let maxBlobGas = BlockFinalization.maxBlobGas(fork)
            var cumulative: UInt64 = 0, blobGas: UInt64 = 0
            var mismatch: BALMismatch?
            let complete = collected.collect(transactions, env: env, fork: fork, take: { i in
                let r = results.take(i)
                // The outcome's gas as plain fields (zero for a rejected transaction): no copy of the included outcome.
                if r.gasUsed > 0 || r.blobGasUsed > 0 {
                    if transactions[i].gasLimit > env.gasLimit - cumulative || blobGas + r.blobGasUsed > maxBlobGas { return nil }
                    cumulative += r.gasUsed
                    blobGas += r.blobGasUsed
                }
                if let m = r.mismatch {
                    mismatch = m
                    return nil
                }
                return r.outcome
            })
            if complete {
                let (m, nanoseconds) = Stopwatch.measure {
                    Self.checkBlock(read: read, transactions: n, env: env, fork: fork, list: indexed, base: base)
                }
                blockCheck.store(nanoseconds, ordering: .relaxed)
                mismatch = m
            }
            if let mismatch {
                failure.withLock { $0 = mismatch }
                return false
            }
            return complete
        }
        var outcome: BlockOutcome
        let stageClock = StageClock()
        if let gang {
            let job = ParallelFinalization.Job(base: base, env: env, fork: fork, shards: threads)
            // The commit's shards, built from the list after the transactions' chunks (the checks prove that the
            // list's last values are what replaying the changes leaves, unless some transaction `replays`).
            let shards = ResultSlots<ParallelFinalization.Shard>(count: threads)
            let stages = [WorkerGang.Stage(prepare: { chunks + threads }, task: { [base] c in
                    if c < chunks { return executeChunk(c) }
                    shards.set(c - chunks, indexed.committedShard(c - chunks, of: threads, transactions: n, base: base))
                })]
                + stageClock.timing(job.stages(before: {
                    guard collect() else { return false }
                    collected.hand(to: job)
                    if !replays.load(ordering: .relaxed) { job.committed = shards }
                    return true
                }))
            guard gang.runStages(stages) == stages.count else {
                return fallback(failure, collected: collected, base: base, env: env, transactions: transactions, fork: fork,
                                gang: gang, start: start)
            }
            outcome = job.outcome()
        } else {
            // One thread, or nothing to spread: the caller alone, with no gang (a parallel block end's stages cost
            // more than they save on a block of one transaction).
            for c in 0..<chunks { executeChunk(c) }
            guard collect() else {
                return fallback(failure, collected: collected, base: base, env: env, transactions: transactions, fork: fork,
                                gang: nil, start: start)
            }
            outcome = ParallelFinalization.serialFinish(base: base, commits: collected.commits, env: env, fork: fork,
                                                        receipts: collected.receipts, rejected: collected.rejected,
                                                        blobGasUsed: collected.blobGas, metrics: collected.metrics)
        }
        outcome.transactionGas = collected.gas
        // The time split: execution, the checks against the list (per transaction and block-wide) as validation,
        // and, on the parallel path, the block end's commit (with the in-order checks) and roots. No
        // re-execution, and nothing contended: every transaction read its values from the list.
        var profile = BlockProfile()
        for t in chunkTimes.take() {
            profile.executionNanoseconds &+= t.execution
            profile.validationNanoseconds &+= t.check
        }
        profile.validationNanoseconds &+= blockCheck.load(ordering: .relaxed)
        profile.commitNanoseconds = stageClock.commit.load(ordering: .relaxed)
        profile.rootsNanoseconds = stageClock.roots.load(ordering: .relaxed)
        outcome.metrics.profile = profile
        outcome.metrics.wallTimeNanoseconds = UInt64((clock.now - start).nanoseconds)
        return .success(outcome)
    }

    /// A mismatch, or else a block gas or blob gas limit bit in block order: the transactions the in-order collect
    /// kept (checked against the list) stay, and the rest runs serially, unchecked, as only a serial run reproduces
    /// it exactly (`Collected.finishSeriallyAfterLimit`); the block end as after a completed run.
    private func fallback(_ failure: borrowing Mutex<BALMismatch?>, collected c: Collected, base: InMemoryState,
                          env: BlockEnvironment, transactions: [Transaction], fork: Fork, gang: WorkerGang?,
                          start: ContinuousClock.Instant) -> Result<BlockOutcome, BALMismatch> {
        if let m = failure.withLock({ $0 }) { return .failure(m) }
        c.metrics.ranSerially = true
        c.metrics.serialReason = .limit
        let steps = c.finishSeriallyAfterLimit(transactions, base: base, keptFrom: 0, env: env, fork: fork, trace: trace)
        c.metrics.executions += steps
        c.metrics.reExecutions = steps
        var outcome = c.blockEnd(base: base, env: env, fork: fork, gang: gang)
        outcome.metrics.wallTimeNanoseconds = UInt64((ContinuousClock().now - start).nanoseconds)
        return .success(outcome)
    }

    /// `SerialExecutor`'s outcome for the block, unchecked, marked as run serially for `reason`, its wall time counted
    /// from `start` (the rule's choice with a derived list, or a limit that bit in block order).
    private func serialOutcome(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork,
                               reason: SerialReason, start: ContinuousClock.Instant) -> BlockOutcome {
        var outcome = SerialExecutor(recordsAccess: false, trace: trace).execute(pre: pre, env: env, transactions: transactions, fork: fork)
        outcome.metrics.threads = threads
        outcome.metrics.ranSerially = true
        outcome.metrics.serialReason = reason
        outcome.metrics.wallTimeNanoseconds = UInt64((ContinuousClock().now - start).nanoseconds)
        return outcome
    }

    // MARK: - The adaptive policy

    /// Under the adaptive policy, whether the block runs serially (`serially`) rather than from the list in parallel:
    /// fewer than `SerialRule.minimumTransactions` transactions (on this machine no block under 20 won: the list's
    /// parallel run took Vectors/blocks' blocks of 1-20 transactions at 0.57-0.90x serial), one thread or one core, or
    /// too little work per transaction. The list's run has no conflicts to pay for (every transaction reads what lower
    /// ones wrote from the list), so the model is Amdahl's bound with nothing serial: the block's gas (the gas limits, as
    /// `SerialRule` counts it) against itself plus `transactionOverheadGas` a transaction, shared by the processors,
    /// plus `threadStartGas` a thread; the predicted speedup must reach `SerialRule.requiredMargin`. Gas limits are a
    /// loose stand-in for work (Vectors/blocks' amm-n20 and deploy-n20, 143,000-166,000 gas a transaction, ran at
    /// 0.83-0.91x in parallel on this machine; their payments, deploy, amm and nft-mint blocks of 50-200 transactions,
    /// 132,000-166,000 gas each, at 0.5-0.9x under load), so this errs towards serial: at two threads only blocks
    /// averaging over about 190,000 gas a transaction go parallel (the compute-heavy benchmark, 120,000 each, which
    /// wins 1.87x, does not). Deciding from measured time, as Block-STM's probe does, is what would tell them apart.
    static func prefersSerial(_ transactions: [Transaction], env: BlockEnvironment, threads: Int,
                              cores: Int = SerialRule.cores) -> Bool {
        guard transactions.count >= SerialRule.minimumTransactions, threads > 1, cores > 1 else { return true }
        var total = 0.0
        for i in transactions.indices { total += Double(min(transactions[i].gasLimit, env.gasLimit)) }
        let processors = Double(min(threads, cores))
        let work = total + Double(transactions.count) * transactionOverheadGas
        return total < SerialRule.requiredMargin * (work / processors + Double(threads) * threadStartGas)
    }

    /// The list's parallel run's extra work per transaction beyond its serial execution, in gas (its check against
    /// the list, the hand-over to the block end, and the block end's share that the threads do not divide): twice
    /// Block-STM's static rule's (`SerialRule.transactionOverheadGas`), so that the blocks above with generous gas limits
    /// that lost in parallel stay serial.
    static let transactionOverheadGas = 2 * SerialRule.transactionOverheadGas
    /// The list's parallel run's fixed cost per thread, in gas (waking the gang, the block end's stage barriers), as
    /// Block-STM's (`SerialRule.threadStartGas`).
    static let threadStartGas = SerialRule.threadStartGas

    /// The block run serially, as `SerialExecutor` runs it (`SerialBlockRun`: the same steps, state and block end), each
    /// transaction's reads and writes checked against the list as the parallel run checks them: against the list's
    /// values before it over the block's pre-state (`BALView`), which are the serial state before it wherever the
    /// checks of the system calls and of every lower transaction passed. A transaction that is not included (rejected,
    /// or over the block's blob gas) must have no changes listed; then the block-wide checks (`checkBlock`). The first
    /// mismatch fails the run; else the outcome is the serial one, marked `ranSerially` (`serialReason` `rule`).
    func serially(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork,
                  start: ContinuousClock.Instant) -> Result<BlockOutcome, BALMismatch> {
        let n = transactions.count
        let indexed = index.indexed(list, transactions: n)
        var run = SerialBlockRun(pre: pre, env: env, fork: fork)
        if let m = Self.checkSystemCall(pre: pre, base: run.state, list: indexed) { return .failure(m) }
        run.receipts.reserveCapacity(n)
        run.gas.reserveCapacity(n)
        let read = ReadMarks(count: indexed.locationCount)
        let coinbase = env.coinbase
        var check: UInt64 = 0
        let executionStart = Stopwatch.now()
        for i in 0..<n {
            let step = run.step(i, transactions[i], trace: trace)
            let checkStart = Stopwatch.now()
            if let r = step.result, step.included {
                var replays = false
                // The coinbase's balance before the transaction: the serial state's after it, less the fee it was
                // credited (the list's own, where every earlier check passed; a dictionary lookup instead of the list's).
                let coinbaseBefore = r.coinbaseFee.isZero ? nil
                    : (run.state.accounts[coinbase]?.info.balance ?? .zero) &- r.coinbaseFee
                if let m = Self.check(r, view: BALView(index: i + 1, list: indexed, base: pre), coinbase: coinbase,
                                      read: read, replays: &replays, coinbaseBefore: coinbaseBefore) {
                    return .failure(m)
                }
            } else if let first = indexed.changes[i + 1].first {
                return .failure(BALMismatch(index: i + 1, kind: .notInExecution, entry: first))
            }
            check &+= Stopwatch.now() &- checkStart
        }
        let executed = Stopwatch.now()
        var metrics = ExecutionMetrics()
        metrics.threads = threads
        metrics.executions = n
        metrics.ranSerially = true
        metrics.serialReason = .rule
        // The request contracts before the block end, whose storage changes there are its system calls' (`checkBlock`
        // compares them without running the calls again).
        let requests = ForkRules.of(fork).has(.eip7685) && env.systemCalls
        let contracts = requests ? BlockFinalization.endOfBlockSystemAddresses.map { run.state.accounts[$0] } : []
        var outcome = run.finish(metrics: metrics)
        let finished = Stopwatch.now()
        var systemCalls: [BALEntry] = []
        for (k, address) in BlockFinalization.endOfBlockSystemAddresses.enumerated() where requests {
            let old = contracts[k], new = outcome.postState.accounts[address]
            guard old != new else { continue }
            var keys = Set(old?.storage.keys.map { $0 } ?? [])
            keys.formUnion(new?.storage.keys.map { $0 } ?? [])
            for key in keys {
                let value = new?.storage[key] ?? .zero
                if value != old?.storage[key] ?? .zero { systemCalls.append(.storage(address, key, index: n + 1, value: value)) }
            }
        }
        if let m = Self.checkBlock(read: read, transactions: n, env: env, fork: fork, list: indexed, base: pre,
                                   systemCalls: systemCalls) {
            return .failure(m)
        }
        var profile = BlockProfile()
        profile.executionNanoseconds = (executed &- executionStart) &- check
        profile.validationNanoseconds = check &+ (Stopwatch.now() &- finished)
        profile.commitNanoseconds = finished &- executed
        outcome.metrics.profile = profile
        outcome.metrics.wallTimeNanoseconds = UInt64((ContinuousClock().now - start).nanoseconds)
        return .success(outcome)
    }

    // MARK: - One transaction

    /// What one transaction's run gives: its outcome for the commit, and the first place where its reads or
    /// writes leave the list.
    struct TxResult: Sendable {
        var outcome: BlockSTMRun.TxOutcome
        var mismatch: BALMismatch?
        /// What checking it against the list took.
        var checkNanoseconds: UInt64 = 0
        /// True when the list's last values may not be what replaying this transaction's changes leaves (it
        /// deleted an account, cleared a storage or left an account empty, or its writes took the slow check):
        /// then the block end replays the changes instead of taking the shards built from the list.
        var replays = false
        /// The included outcome's gas used and blob gas used (zero for a rejected transaction), for the in-order limit test.
        var gasUsed: UInt64 = 0
        var blobGasUsed: UInt64 = 0
    }

    static func execute(_ tx: Transaction, index i: Int, env: BlockEnvironment, fork: Fork, base: InMemoryState,
                        list: IndexedAccessList, read: ReadMarks, tracer: EIP3155Tracer? = nil) -> TxResult {
        let view = BALView(index: i + 1, list: list, base: base)
        switch TransactionProcessor.execute(tx, env: env, reader: view, fork: fork,
                                            gasAvailable: env.gasLimit, deferCoinbaseFee: true, tracer: tracer) {
        case .failure(let error):
            // A rejected transaction changes nothing: the list must not say otherwise.
            let listed = list.changes[i + 1]
            let mismatch = listed.isEmpty ? nil : BALMismatch(index: i + 1, kind: .notInExecution, entry: listed[0])
            return TxResult(outcome: .rejected(error), mismatch: mismatch)
        case .success(let r):
            var replays = false
            let (mismatch, checkNanoseconds) = Stopwatch.measure {
                check(r, view: view, coinbase: env.coinbase, read: read, replays: &replays)
            }
            let included = BlockSTMRun.Included(changes: r.changes, coinbaseFee: r.coinbaseFee, gasUsed: r.gasUsed,
                                                blobGasUsed: r.blobGasUsed,
                                                receipt: BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: 0))
            return TxResult(outcome: .included(included), mismatch: mismatch, checkNanoseconds: checkNanoseconds, replays: replays,
                            gasUsed: r.gasUsed, blobGasUsed: r.blobGasUsed)
        }
    }

    /// Checks one transaction's reads (each must be listed; the listed read-only ones are marked in `read`)
    /// and writes (exactly the list's changes at its index, the deferred coinbase fee included); sets `replays` when
    /// the block end must replay this transaction's changes (`TxResult.replays`).
    ///
    /// `coinbaseBefore`, where given, is the coinbase's balance before the transaction, known to equal what the list
    /// gives there (`serially`: the serial state's, which is the list's wherever every earlier check passed); nil
    /// reads it from the list (`view`).
    static func check(_ r: TransactionResult, view: BALView, coinbase: Address, read: ReadMarks, replays: inout Bool,
                      coinbaseBefore: UInt256? = nil) -> BALMismatch? {
        let list = view.list, index = view.index
        for a in r.readAccounts {
            guard let e = list.account(a) else { return BALMismatch(index: index, kind: .missingFromList, entry: .account(a)) }
            if e.fieldsUnchanged { read.mark(e.id) }
        }
        for s in r.readSlots {
            guard let e = list.account(s.address) else {
                return BALMismatch(index: index, kind: .missingFromList, entry: .account(s.address))
            }
            guard let slot = list.slot(e, s.key) else {
                return BALMismatch(index: index, kind: .missingFromList, entry: .storageRead(s.address, s.key))
            }
            if slot.changes.isEmpty { read.mark(slot.id) }
        }
        if writesMatch(r, view: view, coinbase: coinbase, leavesEmpty: &replays, coinbaseBefore: coinbaseBefore) { return nil }
        replays = true
        return writeMismatch(r, view: view, coinbase: coinbase)
    }

    /// Whether the transaction's writes are exactly the list's changes at its index, decided without building
    /// and sorting entries: every write (a field or slot whose value differs from what the list gives before
    /// this index, the deferred coinbase fee included) must be the list's change of that field or slot at
    /// this index, and the list must have no other change there (the writes are distinct locations, each
    /// matched to its own listed change, so equal counts leave none over). False hands the transaction to
    /// `writeMismatch`, which names the first difference, or finds none where this only gave up (an account
    /// deleted, or its storage cleared).
    /// Sets `leavesEmpty` when the transaction leaves an account empty.
    ///
    /// An account whose info did not change (`AccountChange.infoChanged` false: only its storage did) repeats
    /// the info the transaction read through the view, so its fields are not compared (nor is the base state
    /// read for them: the contract every transaction calls would be read, and its code's reference counted, by
    /// every transaction on every thread).
    static func writesMatch(_ r: TransactionResult, view: BALView, coinbase: Address, leavesEmpty: inout Bool,
                            coinbaseBefore: UInt256? = nil) -> Bool {
        let list = view.list, index = view.index
        var writes = 0
        var creditedCoinbase = r.coinbaseFee.isZero
        for (address, change) in r.changes.accounts {
            guard let new = change.info, !change.storageCleared else { return false }
            if new.isEmpty { leavesEmpty = true }
            let entry = list.account(address)
            if change.infoChanged || address == coinbase {
                // What `view.account` gives, field by field: the list's value before this index where it has one, else
                // the base state's (looked up only then). Each field's search also finds its change at this index.
                // (Where the list leaves the account empty, `view.account` gives none: every field zero or empty, as here.)
                var stored: AccountInfo?? = nil
                let balances = entry.map { list.balances($0, around: index) } ?? (before: nil, at: nil)
                let nonces = entry.map { list.nonces($0, around: index) } ?? (before: nil, at: nil)
                var balance = new.balance
                if address == coinbase {
                    balance = balance &+ r.coinbaseFee
                    creditedCoinbase = true
                }
                if balance != balances.before ?? Self.stored(&stored, address, view)?.balance ?? .zero {
                    guard balances.at == balance else { return false }
                    writes += 1
                }
                if new.nonce != nonces.before ?? Self.stored(&stored, address, view)?.nonce ?? 0 {
                    guard nonces.at == new.nonce else { return false }
                    writes += 1
                }
                let code = entry.flatMap { list.code($0, before: index) }
                let oldCode = code.map { $0.isEmpty ? nil : $0 } ?? Self.stored(&stored, address, view)?.storedCode
                if new.storedCode !== oldCode && new.codeHash != (oldCode?.hash ?? Keccak256.emptyHash) {
                    guard let e = entry, list.codeHash(e, at: index) == new.codeHash else { return false }
                    writes += 1
                }
            }
            for (key, value) in change.storage {
                let slot = entry.flatMap { list.slot($0, key) }
                let (before, here) = slot.map { list.values($0, around: index) } ?? (nil, nil)
                if value == (before ?? view.base.storage(address, key: key)) { continue }
                guard here == value else { return false }
                writes += 1
            }
        }
        if !creditedCoinbase {
            // The coinbase's balance before (what `view.account` gives), with its change here: one search.
            guard let e = list.account(coinbase) else { return false }
            let balances = list.balances(e, around: index)
            let old = coinbaseBefore ?? balances.before ?? view.base.account(coinbase)?.balance ?? .zero
            guard balances.at == old &+ r.coinbaseFee else { return false }
            writes += 1
        }
        return writes == list.changeCount(at: index)
    }

    /// The base state's account at `address`, looked up once into `slot` (nil: not yet).
    @inline(__always) private static func stored(_ slot: inout AccountInfo??, _ address: Address, _ view: BALView) -> AccountInfo? {
        if let s = slot { return s }
        let s = view.base.account(address)
        slot = .some(s)
        return s
    }

    /// The first difference between the transaction's writes and the list's changes at its index, nil when
    /// they are the same: both as sorted entry lists.
    static func writeMismatch(_ r: TransactionResult, view: BALView, coinbase: Address) -> BALMismatch? {
        let list = view.list, index = view.index
        var actual: [BALEntry] = []
        actual.reserveCapacity(4 * r.changes.accounts.count + 1)
        var creditedCoinbase = r.coinbaseFee.isZero
        for (address, change) in r.changes.accounts {
            let old = view.account(address) ?? AccountInfo()
            let new = change.info ?? AccountInfo()
            var balance = new.balance
            if address == coinbase {
                balance = balance &+ r.coinbaseFee
                creditedCoinbase = true
            }
            if balance != old.balance { actual.append(.balance(address, index: index, value: balance)) }
            if new.nonce != old.nonce { actual.append(.nonce(address, index: index, value: new.nonce)) }
            if new.codeHash != old.codeHash { actual.append(.code(address, index: index, hash: new.codeHash)) }
            if change.info != nil {
                for (key, value) in change.storage where value != view.storage(address, key: key) {
                    actual.append(.storage(address, key, index: index, value: value))
                }
            }
            // A deleted account (EIP-161 touch of an empty one with storage) or a cleared storage: every slot
            // that held a value and is not written now becomes zero.
            if change.info == nil || change.storageCleared {
                var keys = Set(view.base.accounts[address]?.storage.keys.map { $0 } ?? [])
                if let e = list.account(address) { keys.formUnion(list.slots(of: e).map(\.key)) }
                for key in keys where (change.info == nil || change.storage[key] == nil)
                    && !view.storage(address, key: key).isZero {
                    actual.append(.storage(address, key, index: index, value: .zero))
                }
            }
        }
        if !creditedCoinbase {
            let old = view.account(coinbase)?.balance ?? .zero
            actual.append(.balance(coinbase, index: index, value: old &+ r.coinbaseFee))
        }
        actual.sort()
        return firstDifference(index: index, actual: actual, listed: list.changes[index])
    }

    /// The first place where two sorted entry lists of one index differ.
    static func firstDifference(index: Int, actual: [BALEntry], listed: [BALEntry]) -> BALMismatch? {
        var j = 0
        while j < actual.count || j < listed.count {
            guard j < actual.count else { return BALMismatch(index: index, kind: .notInExecution, entry: listed[j]) }
            guard j < listed.count else { return BALMismatch(index: index, kind: .missingFromList, entry: actual[j]) }
            let a = actual[j], l = listed[j]
            if a == l { j += 1; continue }
            let ka = a.sortKey, kl = l.sortKey
            if ka.0 == kl.0 && ka.1 == kl.1 && ka.2 == kl.2 {
                return BALMismatch(index: index, kind: .notInExecution, entry: l, actual: a)
            }
            return a < l ? BALMismatch(index: index, kind: .missingFromList, entry: a)
                         : BALMismatch(index: index, kind: .notInExecution, entry: l)
        }
        return nil
    }

    // MARK: - Block-wide checks

    /// Index 0: what the system call changed must be the list's index-0 changes.
    static func checkSystemCall(pre: InMemoryState, base: InMemoryState, list: IndexedAccessList) -> BALMismatch? {
        var actual: [BALEntry] = []
        for address in BlockFinalization.preBlockSystemAddresses {
        let old = pre.accounts[address], new = base.accounts[address]
        if old != new {
            let o = old?.info ?? AccountInfo(), x = new?.info ?? AccountInfo()
            if o.balance != x.balance { actual.append(.balance(address, index: 0, value: x.balance)) }
            if o.nonce != x.nonce { actual.append(.nonce(address, index: 0, value: x.nonce)) }
            if o.codeHash != x.codeHash { actual.append(.code(address, index: 0, hash: x.codeHash)) }
            let keys = Set((old?.storage.keys).map(Array.init) ?? []).union((new?.storage.keys).map(Array.init) ?? [])
            for key in keys where pre.storage(address, key: key) != base.storage(address, key: key) {
                actual.append(.storage(address, key, index: 0, value: base.storage(address, key: key)))
            }
        }
        }
        actual.sort()
        return firstDifference(index: 0, actual: actual, listed: list.changes[0])
    }

    /// After every transaction's own check: that every read-only listed location was read by some
    /// transaction, then the post-execution changes (index n + 1). `systemCalls`: the end-of-block system calls'
    /// storage changes where the caller ran them (`serially`); nil runs them here on the list's state.
    static func checkBlock(read: ReadMarks, transactions n: Int, env: BlockEnvironment, fork: Fork,
                           list: IndexedAccessList, base: InMemoryState, systemCalls: [BALEntry]? = nil) -> BALMismatch? {
        for (id, entry) in list.mustBeRead where !read.isMarked(id) {
            return BALMismatch(index: nil, kind: .notInExecution, entry: entry)
        }
        // Index n + 1: the withdrawals, over the balances the list gives after the last transaction.
        // Per withdrawn-to address (at its first withdrawal), the sum of its withdrawals: a linear scan, as a block
        // has few (EIP-4895: at most 16), with no dictionary; wrapping sums, so the order of the credits is immaterial.
        let after = BALView(index: n + 1, list: list, base: base)
        let withdrawals = env.withdrawals
        var actual: [BALEntry] = []
        actual.reserveCapacity(withdrawals.count + (systemCalls?.count ?? 0))
        for k in withdrawals.indices {
            let address = withdrawals[k].address
            var first = true
            for j in 0..<k where withdrawals[j].address == address { first = false; break }
            guard first else { continue }
            var credit = UInt256.zero
            for j in k..<withdrawals.count where withdrawals[j].address == address {
                credit = credit &+ UInt256(withdrawals[j].amount) &* UInt256(1_000_000_000)
            }
            let old = after.account(address)?.balance ?? .zero
            let new = old &+ credit
            if new != old { actual.append(.balance(address, index: n + 1, value: new)) }
        }
        // The end-of-block system calls (EIP-7002, EIP-7251: storage of their own contracts only), on the
        // state the list gives after the last transaction.
        if let systemCalls {
            actual += systemCalls
        } else {
            for (address, change) in BlockFinalization.endOfBlockSystemCallChanges(reader: after, env: env, fork: fork) {
                for (key, value) in change.storage where value != after.storage(address, key: key) {
                    actual.append(.storage(address, key, index: n + 1, value: value))
                }
            }
        }
        actual.sort()
        return firstDifference(index: n + 1, actual: actual, listed: list.changes[n + 1])
    }
}

/// One mark per listed location (`IndexedAccessList` numbers them), set by the tasks that check the
/// transactions, read after the stage's barrier. A mark already set is not written again, so that a location
/// every transaction reads (a token contract's account) does not bounce its word between the threads.
final class ReadMarks: @unchecked Sendable {  // the words are atomics
    private let words: UnsafeMutablePointer<Atomic<UInt64>>
    private let count: Int

    init(count locations: Int) {
        count = (locations + 63) / 64
        words = .allocate(capacity: max(1, count))
        for k in 0..<count { (words + k).initialize(to: Atomic(0)) }
    }

    deinit {
        words.deinitialize(count: count)
        words.deallocate()
    }

    func mark(_ id: Int) {
        let bit: UInt64 = 1 << UInt64(id & 63)
        if words[id >> 6].load(ordering: .relaxed) & bit == 0 { words[id >> 6].bitwiseOr(bit, ordering: .relaxed) }
    }

    func isMarked(_ id: Int) -> Bool { words[id >> 6].load(ordering: .relaxed) & (1 << UInt64(id & 63)) != 0 }
}

extension BALExecutor {
    /// The BAL executor for callers that have no list (`t8n --executor bal`): derives the block's list
    /// from a serial run, then runs from it. A list that does not check out (a bug, since it was just
    /// derived) gives the serial outcome marked `ranSerially`, as `BALExecutor.execute` does. Always
    /// parallel by default (conformance runs test the algorithm, as they run Block-STM).
    public struct Deriving: BlockExecutor {
        public let threads: Int
        public let policy: BlockSTMExecutor.ParallelPolicy
        /// Where each transaction's EIP-3155 trace goes (from the BAL run, not the deriving serial run).
        public var trace: BlockTrace?
        public var name: String { "bal" }
        public init(threads: Int, trace: BlockTrace? = nil, policy: BlockSTMExecutor.ParallelPolicy = .alwaysParallel) {
            self.threads = threads; self.trace = trace; self.policy = policy
        }

        public func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
            let list = BlockAccessListBuilder.derive(pre: pre, env: env, transactions: transactions, fork: fork)
            var bal = BALExecutor(threads: threads, list: list, policy: policy)
            bal.trace = trace
            return bal.execute(pre: pre, env: env, transactions: transactions, fork: fork)
        }
    }
}
