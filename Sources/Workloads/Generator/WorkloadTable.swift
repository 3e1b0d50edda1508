import Foundation
import EVMPrimitives
import Execution
import Vectors

/// One row of `WORKLOADS.md`: a generated block's size, gas, dependency structure and measured speedup.
public struct WorkloadMeasurement: Sendable {
    public var options: GeneratorOptions
    public var transactions: Int
    public var included: Int
    public var gasUsed: UInt64
    /// Share of transactions that read a location a lower transaction wrote (`DependencyGraph.conflictRate`).
    public var conflictRate: Double
    /// total gas / critical-path gas: the speedup the block's dependencies allow with unlimited threads.
    public var parallelism: Double
    /// The same, capped at the thread count.
    public var idealSpeedup: Double
    public var threads: Int
    public var serialNanoseconds: UInt64
    public var blockSTMNanoseconds: UInt64
    /// Whether Block-STM's outcome equalled the serial one (roots, gas, receipts, rejected).
    public var agrees: Bool

    public var measuredSpeedup: Double {
        blockSTMNanoseconds == 0 ? 0 : Double(serialNanoseconds) / Double(blockSTMNanoseconds)
    }
}

/// Measures generated blocks and renders `Vectors/blocks/WORKLOADS.md` (`lockstep generate --table`).
public enum WorkloadTable {
    /// Generates and runs one block: the serial executor for the dependency graph, then the median of `repeats`
    /// timed runs of each executor after a warm-up run.
    public static func measure(_ options: GeneratorOptions, threads: Int = 2, repeats: Int = 5) throws(GeneratorError) -> WorkloadMeasurement {
        let block = try BlockGenerator.generate(options)
        let v = block.vector
        let serial = SerialExecutor()
        let parallel = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
        let reference = serial.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
        let graph = DependencyGraph(accessSets: preciseAccessSets(v, reference: reference), coinbase: v.env.coinbase)
        let path = graph.criticalPath(weights: reference.transactionGas)
        func median(_ executor: some BlockExecutor) -> (UInt64, BlockOutcome) {
            var last = executor.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
            var times: [UInt64] = []
            for _ in 0..<max(1, repeats) {
                last = executor.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                times.append(last.metrics.wallTimeNanoseconds)
            }
            times.sort()
            return (times[times.count / 2], last)
        }
        let (serialTime, _) = median(serial)
        let (parallelTime, parallelOutcome) = median(parallel)
        let agrees = parallelOutcome.stateRoot == reference.stateRoot && parallelOutcome.receiptsRoot == reference.receiptsRoot
            && parallelOutcome.logsHash == reference.logsHash && parallelOutcome.gasUsed == reference.gasUsed
            && parallelOutcome.rejected.map(\.index) == reference.rejected.map(\.index)
        return WorkloadMeasurement(
            options: options, transactions: v.transactions.count, included: reference.receipts.count,
            gasUsed: reference.gasUsed, conflictRate: graph.conflictRate, parallelism: path.parallelism,
            idealSpeedup: path.idealSpeedup(threads: threads), threads: threads, serialNanoseconds: serialTime,
            blockSTMNanoseconds: parallelTime, agrees: agrees)
    }

    /// Per-transaction read and write sets where an account counts as written only when its nonce, balance, code
    /// or existence changed. `SerialExecutor` lists every account with a change entry as written, including a
    /// contract whose storage alone changed, which makes every caller of a busy contract look dependent on the
    /// one before. This replays the block the way `SerialExecutor` does (deferred coinbase fee, withdrawals
    /// after) and keeps the serial run's sets when the replay's post-state root differs from it.
    static func preciseAccessSets(_ v: BlockVector, reference: BlockOutcome) -> [AccessSets] {
        var state = v.pre
        BlockFinalization.applyBeaconRoot(&state, env: v.env, fork: v.fork)
        // The serial run's sets are the fallback, overwritten below per transaction.
        guard reference.accessSets.count == v.transactions.count else { return reference.accessSets }
        var sets = reference.accessSets
        var cumulative: UInt64 = 0
        for (i, tx) in v.transactions.enumerated() {
            let result = TransactionProcessor.execute(tx, env: v.env, reader: state, fork: v.fork,
                                                      gasAvailable: v.env.gasLimit - cumulative, deferCoinbaseFee: true)
            guard case .success(let r) = result else {
                sets[i].reads = []
                sets[i].writes = []
                continue
            }
            var reads = Set<StateLocation>()
            for a in r.readAccounts { reads.insert(.account(a)) }
            for s in r.readSlots { reads.insert(.storage(s.address, s.key)) }
            var writes = Set<StateLocation>()
            for (address, change) in r.changes.accounts {
                if change.info != state.account(address) || change.storageCleared { writes.insert(.account(address)) }
                for k in change.storage.keys { writes.insert(.storage(address, k)) }
            }
            sets[i].reads = reads
            sets[i].writes = writes
            state.apply(r.changes)
            state.credit(v.env.coinbase, r.coinbaseFee)
            cumulative += r.gasUsed
        }
        BlockFinalization.applyWithdrawals(&state, env: v.env)
        return state.stateRoot() == reference.stateRoot ? sets : reference.accessSets
    }

    /// The Markdown page. `machine` describes where the timings were taken.
    public static func markdown(_ rows: [WorkloadMeasurement], machine: String) -> String {
        func f(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
        var out = """
            # Generated workloads

            Generated by `lockstep generate --table` (do not edit). Each row is one block from
            `lockstep generate --workload NAME --txs N --seed S` at the workload's default knobs, under \(rows.first?.options.fork.name ?? "Cancun")'s
            rules; `ci/fill-vectors.sh` regenerates this page with the committed vectors.

            - **conflict rate**: share of transactions that read a location a lower transaction wrote (serial run's
              read/write sets; the coinbase fee credit is a commutative delta and does not count).
            - **ideal speedup**: total gas / gas of the heaviest dependency chain (unbounded), and that bound capped at
              \(rows.first?.threads ?? 2) threads.
            - **Block-STM speedup**: serial wall time / Block-STM wall time at \(rows.first?.threads ?? 2) threads, medians of
              timed runs after a warm-up; measured on \(machine), so read it as indicative.


            """
        out += "| workload | txs | included | gas used | hot ratio | hot set | conflict rate | ideal speedup (unbounded) | ideal speedup (\(rows.first?.threads ?? 2) threads) | Block-STM speedup (\(rows.first?.threads ?? 2) threads) | serial ms | Block-STM ms | agrees |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
        for r in rows {
            out += "| \(r.options.workload.rawValue) | \(r.transactions) | \(r.included) | \(r.gasUsed) | "
            out += "\(r.options.resolvedHotRatio) | \(r.options.resolvedHotSet) | \(f(r.conflictRate)) | \(f(r.parallelism)) | "
            out += "\(f(r.idealSpeedup)) | \(f(r.measuredSpeedup)) | \(f(Double(r.serialNanoseconds) / 1e6, 1)) | "
            out += "\(f(Double(r.blockSTMNanoseconds) / 1e6, 1)) | \(r.agrees ? "yes" : "**no**") |\n"
        }
        if let seed = rows.first?.options.seed {
            out += "\nSeed \(seed); commands: `\(rows.first?.options.commandLine ?? "")` and likewise for each workload.\n"
        }
        return out
    }
}
