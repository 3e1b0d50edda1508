// Block-STM collaborative scheduler (Gelashvili et al. 2022, Algorithms 4 and 5).
//
// Algorithm in brief:
//   - Two shared counters hand out work by lowest index first: `executionIndex` (next transaction to
//     execute) and `validationIndex` (next transaction to validate). A worker takes a validation task when
//     validationIndex < executionIndex and the transaction there has executed, an execution task otherwise, so
//     validation never runs far ahead of execution and the lowest transactions, which everyone else depends on, go
//     first. (The paper's worker also claims the validation of a transaction still executing, finds it empty, and
//     moves the index past it: see `nextTask`.)
//   - An execution that reads an ESTIMATE (a write of an aborted lower transaction) suspends on that
//     transaction (`addDependency`); when it finishes executing it resumes its dependents and lowers
//     executionIndex so they are picked up again.
//   - A failed validation aborts the incarnation (`tryValidationAbort`; only one validator wins), its
//     writes become ESTIMATEs, the next incarnation is scheduled, and validationIndex is lowered to
//     re-validate every higher transaction. A finished execution that wrote a location its previous
//     incarnation did not also lowers validationIndex to itself; otherwise only it is re-validated.
//   - Completion: both counters past the block, no task in flight (`activeTasks == 0`) and no counter
//     lowered while this was being checked (`decreaseCount` unchanged), then `done` is set.
//
// All counters are `Atomic` (sequentially consistent), each on a cache line of its own; each transaction's
// status and dependents sit behind one `Mutex` (`LockedSlots`). Locks nest only from a lower transaction to a higher one (addDependency), so
// there is no deadlock.
import Synchronization

/// Hands out execution and validation tasks and tracks every transaction's incarnation status.
///
/// Per-transaction state machine (paper, section 4):
///
/// ```
///                 next_version_to_execute / try_incarnate
///   ReadyToExecute(i) ───────────────────────────────────▶ Executing(i)
///          ▲                                                  │      │
///          │ set_ready_status                finish_execution │      │ add_dependency
///          │ (i := i + 1)                                     ▼      │ (read an ESTIMATE)
///     Aborting(i) ◀──────────────────────────────────── Executed(i)   │
///          ▲          try_validation_abort (validation failed)       │
///          └─────────────────────────────────────────────────────────┘
/// ```
///
/// A transaction is done when it is Executed(i) and its last validation passed; the block is done when
/// that holds for all of them at once, which the `done` protocol detects.
final class Scheduler: Sendable {
    enum Status: Sendable, Equatable {
        case readyToExecute, executing, executed, aborting
    }

    struct TxState: Sendable {
        var status: Status = .readyToExecute
        var incarnation: Incarnation = 0
        /// Transactions suspended until this one finishes executing.
        var dependents: [TxIndex] = []
    }


    let count: Int
    private let cells: LockedSlots<TxState>
    /// The shared counters, each on its own cache line (`AtomicLines`): executionIndex, validationIndex,
    /// decreaseCount, activeTasks, and the done marker (0 or 1) that idle workers poll.
    private let counters = AtomicLines(count: 5)
    private var executionIndex: UnsafeMutablePointer<Atomic<Int>> { counters[0] }
    private var validationIndex: UnsafeMutablePointer<Atomic<Int>> { counters[1] }
    private var decreaseCount: UnsafeMutablePointer<Atomic<Int>> { counters[2] }
    private var activeTasks: UnsafeMutablePointer<Atomic<Int>> { counters[3] }
    private var doneMarker: UnsafeMutablePointer<Atomic<Int>> { counters[4] }

    init(transactions: Int) {
        count = transactions
        cells = LockedSlots(count: transactions) { _ in TxState() }
    }

    var done: Bool { doneMarker.pointee.load(ordering: .sequentiallyConsistent) != 0 }

    /// True when the transaction's current incarnation has finished executing (read once the workers
    /// have stopped, to find the prefix an abandoned run keeps).
    func isExecuted(_ index: TxIndex) -> Bool {
        cells.withLock(index) { $0.status == .executed }
    }

    /// A cheap shared read for stress spins (keeps the spin loop from being optimised away).
    func spinProbe() -> Int { decreaseCount.pointee.load(ordering: .relaxed) }

    // MARK: handing out tasks

    /// The next task, or nil when there is nothing to do right now (the caller backs off and retries).
    ///
    /// Validation first while it lags execution, as in the paper; but where the transaction next to validate has not
    /// finished executing (`nextVersionToValidate` does not claim it), an execution instead. The paper's worker claims
    /// that validation anyway and finds it empty, which moves the validation index past a transaction still running;
    /// when it finishes, its new writes lower the index to it again, and every transaction above it that was validated
    /// meanwhile is validated a second time (a block of 400 independent transfers at two threads: 696 validations).
    func nextTask() -> SchedulerTask? {
        if validationIndex.pointee.load(ordering: .sequentiallyConsistent) < executionIndex.pointee.load(ordering: .sequentiallyConsistent),
           let v = nextVersionToValidate() {
            return .validate(v)
        }
        if let v = nextVersionToExecute() { return .execute(v) }
        return nil
    }

    private func nextVersionToExecute() -> TxVersion? {
        if executionIndex.pointee.load(ordering: .sequentiallyConsistent) >= count {
            checkDone()
            return nil
        }
        activeTasks.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        let index = executionIndex.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent).oldValue
        if let v = tryIncarnate(index) { return v }
        activeTasks.pointee.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        return nil
    }

    /// Claims the validation at the validation index, only where that transaction has finished executing (else nil, and
    /// the index stays: see `nextTask`). The claim is the paper's (the index moved past by one, the version read after
    /// the move, nil where the status changed in between), taken by a compare-and-swap after a look at the status.
    private func nextVersionToValidate() -> TxVersion? {
        let index = validationIndex.pointee.load(ordering: .sequentiallyConsistent)
        if index >= count {
            checkDone()
            return nil
        }
        guard cells.withLock(index, { $0.status == .executed }) else { return nil }
        activeTasks.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if validationIndex.pointee.compareExchange(expected: index, desired: index + 1, ordering: .sequentiallyConsistent).exchanged {
            // Read after the claim, as the paper does: an incarnation read before it could be one that a failed
            // validation has replaced since, and its validation would not abort the new one.
            let version = cells.withLock(index) { s -> TxVersion? in
                s.status == .executed ? TxVersion(index, s.incarnation) : nil
            }
            if let version { return version }
        }
        activeTasks.pointee.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        return nil
    }

    /// ReadyToExecute(i) -> Executing(i); nil when someone else got there first. Does not touch activeTasks.
    private func tryIncarnate(_ index: TxIndex) -> TxVersion? {
        guard index < count else { return nil }
        return cells.withLock(index) { s -> TxVersion? in
            guard s.status == .readyToExecute else { return nil }
            s.status = .executing
            return TxVersion(index, s.incarnation)
        }
    }

    private func checkDone() {
        let observed = decreaseCount.pointee.load(ordering: .sequentiallyConsistent)
        let e = executionIndex.pointee.load(ordering: .sequentiallyConsistent)
        let v = validationIndex.pointee.load(ordering: .sequentiallyConsistent)
        if min(e, v) >= count && activeTasks.pointee.load(ordering: .sequentiallyConsistent) == 0
            && observed == decreaseCount.pointee.load(ordering: .sequentiallyConsistent) {
            doneMarker.pointee.store(1, ordering: .sequentiallyConsistent)
        }
    }

    private func decreaseExecutionIndex(to target: TxIndex) {
        executionIndex.pointee.min(target, ordering: .sequentiallyConsistent)
        decreaseCount.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    private func decreaseValidationIndex(to target: TxIndex) {
        validationIndex.pointee.min(target, ordering: .sequentiallyConsistent)
        decreaseCount.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
    }

    // MARK: transitions

    /// Executing(i) -> Aborting(i) of `index`, suspended until `blocking` (< index) finishes executing.
    /// False when `blocking` already finished: the caller re-executes at once.
    func addDependency(_ index: TxIndex, blocking: TxIndex) -> Bool {
        precondition(blocking < index, "a transaction can only wait for a lower one")
        let added = cells.withLock(blocking) { b -> Bool in
            if b.status == .executed { return false }
            // Nested lock, lower index outer: the only nesting in the scheduler.
            cells.withLock(index) { s in s.status = .aborting }
            b.dependents.append(index)
            return true
        }
        if added { activeTasks.pointee.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
        return added
    }

    /// Aborting(i) -> ReadyToExecute(i + 1).
    private func setReadyStatus(_ index: TxIndex) {
        cells.withLock(index) { s in
            s.incarnation += 1
            s.status = .readyToExecute
        }
    }

    /// Executing(i) -> Executed(i); resumes dependents. May hand back a validation of this transaction.
    func finishExecution(_ version: TxVersion, wroteNewLocation: Bool) -> SchedulerTask? {
        let dependents = cells.withLock(version.index) { s -> [TxIndex] in
            s.status = .executed
            let d = s.dependents
            s.dependents = []
            return d
        }
        if !dependents.isEmpty {
            for d in dependents { setReadyStatus(d) }
            if let lowest = dependents.min() { decreaseExecutionIndex(to: lowest) }
        }
        let validation = validationIndex.pointee.load(ordering: .sequentiallyConsistent)
        if validation > version.index {
            if wroteNewLocation {
                decreaseValidationIndex(to: version.index)
            } else {
                return .validate(version)  // keeps this task's activeTasks count
            }
        } else if validation == version.index
                    && validationIndex.pointee.compareExchange(expected: validation, desired: validation + 1,
                                                               ordering: .sequentiallyConsistent).exchanged {
            // This transaction is the next to validate: take its validation here, as `nextVersionToValidate`
            // would (the same increment, and its status is Executed), without a round trip through `nextTask`.
            return .validate(version)  // keeps this task's activeTasks count
        }
        activeTasks.pointee.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        return nil
    }

    /// Executed(i) -> Aborting(i) when the failed validation is of the current incarnation; only one
    /// validator wins.
    func tryValidationAbort(_ version: TxVersion) -> Bool {
        cells.withLock(version.index) { s -> Bool in
            guard s.incarnation == version.incarnation && s.status == .executed else { return false }
            s.status = .aborting
            return true
        }
    }

    /// After a validation; on abort schedules the next incarnation (often straight back to this worker).
    func finishValidation(_ index: TxIndex, aborted: Bool) -> SchedulerTask? {
        if aborted {
            setReadyStatus(index)
            decreaseValidationIndex(to: index + 1)
            if executionIndex.pointee.load(ordering: .sequentiallyConsistent) > index, let v = tryIncarnate(index) {
                return .execute(v)  // keeps this task's activeTasks count
            }
        }
        activeTasks.pointee.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        return nil
    }
}
