import Foundation
import Synchronization
import EVMPrimitives
import EVMState

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
    /// Set once a worker found the block hot or slow: every worker leaves its loop.
    let abandoned = Atomic<Bool>(false)
    /// Set (before `abandoned`) when the run was abandoned as slower than serial (`ProgressRule`), not hot.
    let slow = Atomic<Bool>(false)
    /// The serial probe's pace (`ProgressRule`; nil: no progress check).
    let pace: SerialPace?
    /// When the run began (`Stopwatch.now()`, after its set-up), for `ProgressRule`.
    let started: UInt64
    /// Where `ProgressRule`'s sample began (0: not yet), in units of 64 ns: the time since `started` in bits 32-62, the
    /// useful executions' estimated serial time then in the low 32 (one word, set once by whichever worker gets there
    /// first; bit 63 set).
    let sample = Atomic<UInt64>(0)

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

    /// The run's counts, summed from the workers' own (`WorkerCounts`). Under the adaptive policy each
    /// worker adds its counts after every task, so that `HotBlockRule` sees them at once; otherwise only
    /// when it leaves its loop: an atomic every worker updates per task moves its cache line between
    /// their cores at every task.
    let executions = Atomic<Int>(0)
    let validations = Atomic<Int>(0)
    let failedValidations = Atomic<Int>(0)
    let blockedReads = Atomic<Int>(0)
    /// The gas used by the finished executions less the failed validations' (`ProgressRule`'s useful work; kept only
    /// under a progress check).
    let usefulGas = Atomic<Int>(0)

    /// One worker's counts not yet added to the run's.
    struct WorkerCounts {
        var executions = 0
        var validations = 0
        var failedValidations = 0
        var blockedReads = 0
        var usefulGas = 0
    }

    private func add(_ counts: inout WorkerCounts) {
        if counts.executions != 0 { executions.wrappingAdd(counts.executions, ordering: .relaxed) }
        if counts.validations != 0 { validations.wrappingAdd(counts.validations, ordering: .relaxed) }
        if counts.failedValidations != 0 { failedValidations.wrappingAdd(counts.failedValidations, ordering: .relaxed) }
        if counts.blockedReads != 0 { blockedReads.wrappingAdd(counts.blockedReads, ordering: .relaxed) }
        if counts.usefulGas != 0 { usefulGas.wrappingAdd(counts.usefulGas, ordering: .relaxed) }
        counts = WorkerCounts()
    }
    /// Each worker's phase times and contention, stored once when it leaves its loop.
    private let workerProfiles: LockedSlots<WorkerProfile>

    init(base: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork, threads: Int,
         stress: StressOptions?, adaptive: Bool = false, trace: BlockTrace? = nil,
         pace: SerialPace? = nil) {
        self.adaptive = adaptive
        self.pace = adaptive ? pace : nil
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
        started = Stopwatch.now()
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
        // One view per worker, begun again for every incarnation it runs.
        let view = MVView(memory: memory, jitter: jitter)
        // One write buffer per worker, emptied for every incarnation: the multi-version memory keeps only the
        // written locations (`MVMemory.TxSets`), so the pairs need no allocation of their own.
        var writes = WriteBuffer(capacity: 16)
        var task: SchedulerTask?
        var idle = 0
        var sinceCheck = 0
        // Phase times and contention stay in this worker's locals (the clock is read at task boundaries only) and
        // are stored once, whichever way the loop is left.
        var profile = WorkerProfile()
        var counts = WorkerCounts()
        defer {
            add(&counts)
            workerProfiles.withLock(worker) { $0 = profile }
        }
        // The clock at the end of the last task when that task handed over the next one (0: it did not): the next
        // task starts then, without a reading of its own.
        var handedOver: UInt64 = 0
        while !scheduler.done {
            if let t = task {
                let started = handedOver != 0 ? handedOver : Stopwatch.now()
                switch t {
                case .execute(let v):
                    task = tryExecute(v, worker: worker, view: view, writes: &writes, jitter: jitter, profile: &profile, counts: &counts)
                    let ended = Stopwatch.now()
                    if v.incarnation == 0 {
                        profile.execution &+= ended &- started
                    } else {
                        profile.reExecution &+= ended &- started
                    }
                    handedOver = task != nil ? ended : 0
                case .validate(let v):
                    task = needsReexecution(v, jitter: jitter, profile: &profile, counts: &counts)
                    let ended = Stopwatch.now()
                    profile.validation &+= ended &- started
                    handedOver = task != nil ? ended : 0
                }
                if adaptive {
                    add(&counts)
                    sinceCheck += 1
                    if sinceCheck >= HotBlockRule.checkEvery {
                        sinceCheck = 0
                        if abandoned.load(ordering: .relaxed) { return }
                        if isHot() {
                            abandoned.store(true, ordering: .relaxed)
                            return
                        }
                        if isSlow() {
                            slow.store(true, ordering: .relaxed)
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
        // The multi-version memory is freed by the caller's next stage (`BlockSTMExecutor.parallel`: while one
        // worker runs the in-order collect), not here: freeing it here held every worker at the end of the run.
    }

    /// What the run has shown so far, by `HotBlockRule`.
    private func isHot() -> Bool {
        HotBlockRule.isHot(executions: executions.load(ordering: .relaxed),
                           wasted: blockedReads.load(ordering: .relaxed) + failedValidations.load(ordering: .relaxed),
                           transactions: transactions.count, threads: threads)
    }

    /// Whether the run is slower than finishing serially would be, by `ProgressRule`: its useful executions' estimated
    /// serial time (the probe's `SerialPace` over their count and gas used) since the sample began, against the time.
    private func isSlow() -> Bool {
        guard let pace else { return false }
        let wasted = blockedReads.load(ordering: .relaxed) + failedValidations.load(ordering: .relaxed)
        let done = max(0, executions.load(ordering: .relaxed) - wasted)
        guard done >= ProgressRule.warmUp else { return false }
        let now = Stopwatch.now() &- started
        let serial = max(0, pace.nanoseconds(transactions: done, gas: usefulGas.load(ordering: .relaxed)))
        let begun = sample.load(ordering: .relaxed)
        guard begun != 0 else {
            // The sample begins here: its time and serial estimate in 64 ns units (31 bits: 137 s; 32 bits: 274 s).
            let at = min(now >> 6, 0x7FFF_FFFF), work = min(UInt64(serial) >> 6, 0xFFFF_FFFF)
            _ = sample.compareExchange(expected: 0, desired: 1 << 63 | at << 32 | work, ordering: .relaxed)
            return false
        }
        // The sample's useful executions: those after the warm-up (the sample began at the first check after it).
        return ProgressRule.isSlow(done: done - ProgressRule.warmUp, elapsed: now &- (begun >> 32 & 0x7FFF_FFFF) << 6,
                                   serial: serial - Double((begun & 0xFFFF_FFFF) << 6),
                                   remaining: transactions.count - done, transactions: transactions.count)
    }

    /// Executes an incarnation (paper: try_execute). A read of an unresolved lower write suspends it.
    private func tryExecute(_ version: TxVersion, worker: Int, view: MVView, writes: inout WriteBuffer,
                            jitter: Jitter?, profile: inout WorkerProfile, counts: inout WorkerCounts) -> SchedulerTask? {
        let tx = transactions[version.index]
        while true {
            jitter?.perturb()
            view.begin(version.index)
            let tracer = trace?.tracer()
            let result = TransactionProcessor.execute(tx, env: env, reader: view, fork: fork,
                                                      gasAvailable: env.gasLimit, deferCoinbaseFee: true, tracer: tracer)
            counts.executions += 1
            if !view.isAborted { trace?.record(version.index, tracer) }  // before finishExecution: see BlockTrace
            if view.isAborted {
                counts.blockedReads += 1
                if let l = view.blockedLocation { profile.blocked[l, default: 0] += 1 }
                if scheduler.addDependency(version.index, blocking: view.blocking) { return nil }
                continue  // the blocking transaction finished meanwhile: run again now
            }
            writes.removeAll()
            var fee = UInt256.zero
            var outcome: TxOutcome?
            // Consumed: the result's parts move into the outcome instead of being copied and the copy destroyed.
            switch consume result {
            case .failure(let error):
                outcome = .rejected(error)
            case .success(let r):
                fee = r.coinbaseFee
                if pace != nil { counts.usefulGas &+= Int(r.gasUsed) }
                for (address, change) in r.changes.accounts {
                    Self.appendWrites(address, change, unchanged: view.readUnchanged(address, as: change), to: &writes)
                }
                outcome = .included(Included(changes: r.changes, coinbaseFee: r.coinbaseFee, gasUsed: r.gasUsed,
                                             blobGasUsed: r.blobGasUsed,
                                             receipt: BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: 0)))
            }
            // Swapped in rather than copied (no retains of the changes and logs, no copy of the receipt's bloom);
            // the previous incarnation's outcome comes back and is freed here, outside the lock.
            results.withLock(version.index) { swap(&$0, &outcome) }
            let wroteNew = memory.record(version, reads: view.reads, writes: &writes, fee: fee, worker: worker)
            jitter?.perturb()
            return scheduler.finishExecution(version, wroteNewLocation: wroteNew)
        }
    }

    /// Turns one account's change into multi-version writes. `unchanged`: the transaction read the account and
    /// leaves its fields as it found them (`MVView.readUnchanged`).
    static func appendWrites(_ address: Address, _ change: AccountChange, unchanged: Bool,
                             to writes: inout WriteBuffer) {
        // Matched in place: `change.info == nil` copied the account and destroyed the copy through its metadata.
        let exists: Bool
        if case .none = change.info { exists = false } else { exists = true }
        if !exists || change.storageCleared {
            writes.append(.lifecycle(address), .lifecycle)
        }
        // Unchanged fields are not a write: otherwise every call that only touches a contract's storage
        // would conflict with every later call to it on the account entry.
        if !unchanged {
            writes.append(.account(address), .account(change.info))
        }
        if exists && !change.storage.isEmpty {
            for (key, value) in change.storage {
                writes.append(.storage(address, key), .storage(value))
            }
            writes.append(.storageKeys(address), .storageKeys)
        }
    }

    /// Validates an incarnation's reads (paper: needs_reexecution); on failure aborts it.
    private func needsReexecution(_ version: TxVersion, jitter: Jitter?, profile: inout WorkerProfile,
                                  counts: inout WorkerCounts) -> SchedulerTask? {
        jitter?.perturb()
        counts.validations += 1
        let invalid = memory.firstInvalidRead(version.index)
        let aborted = invalid != nil && scheduler.tryValidationAbort(version)
        if aborted, let invalid {
            counts.failedValidations += 1
            // Its execution's gas is no longer useful work (`ProgressRule`): the outcome still holds it (the next
            // incarnation swaps its own in only after running).
            if pace != nil {
                counts.usefulGas &-= results.withLock(version.index) { slot -> Int in
                    if case .included(let r)? = slot { return Int(r.gasUsed) }
                    return 0
                }
            }
            profile.failed[invalid, default: 0] += 1
            memory.convertWritesToEstimates(version.index)
        }
        jitter?.perturb()
        return scheduler.finishValidation(version.index, aborted: aborted)
    }
}
