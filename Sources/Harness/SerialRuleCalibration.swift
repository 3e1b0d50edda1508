import EVMPrimitives
import EVMState
import Execution
import Workloads

/// Measures the constants of `SerialRule` on this machine, in its two units (gas of a cheap transaction's
/// execution time, for the rule before running; nanoseconds, for the serial probe's cost model):
/// `lockstep bench blockstm --calibrate`.
///
/// Three blocks of `BlockSTMBenchmark`'s independent ERC-20 transfers (storage-bound: the cheapest work per
/// unit of gas, so the constants come out on the safe side) are timed serially and under Block-STM with
/// `--policy parallel`, in interleaved rounds (`Timing.interleavedRounds`), medians:
///
/// - the serial time per unit of gas limit, on the large block (what `SerialRule` counts);
/// - the fixed cost of a parallel run: the two-transaction block's Block-STM time less its serial time
///   (waking the workers, the block end's stage barriers, the set-up of the multi-version memory);
/// - the per-transaction cost of Block-STM: from the large block, with the model
///   `parallel = fixed + (serial + n * perTransaction) / threads`.
public enum SerialRuleCalibration {
    public struct Result: Sendable {
        public var threads: Int
        public var rounds: Int
        /// Serial nanoseconds per unit of gas limit on the large ERC-20 block.
        public var nanosecondsPerGas: Double
        /// Medians, nanoseconds: the small block (2 transactions) and the large one (`largeTransactions`).
        public var smallSerial: UInt64, smallParallel: UInt64
        public var largeSerial: UInt64, largeParallel: UInt64
        public var largeTransactions: Int
        /// A parallel run's fixed cost, nanoseconds and gas.
        public var fixedNanoseconds: Double
        public var fixedGas: Double { fixedNanoseconds / nanosecondsPerGas }
        /// Block-STM's cost per transaction beyond the serial execution (summed over threads), nanoseconds and gas.
        public var perTransactionNanoseconds: Double
        public var perTransactionGas: Double { perTransactionNanoseconds / nanosecondsPerGas }
        /// Serial nanoseconds per transaction on the large block (what the serial probe measures).
        public var serialNanosecondsPerTransaction: Double { Double(largeSerial) / Double(largeTransactions) }

        public var description: String {
            func us(_ ns: UInt64) -> String { String(format: "%.1f µs", Double(ns) / 1000) }
            return """
                SerialRule calibration at \(threads) threads, \(rounds) rounds (medians, ERC-20 transfers):
                  serial time per gas limit:    \(String(format: "%.3f", nanosecondsPerGas)) ns (\(largeTransactions) txs: serial \(us(largeSerial)), Block-STM \(us(largeParallel)))
                  fixed cost of a parallel run: \(String(format: "%.0f", fixedNanoseconds / 1000)) µs = \(String(format: "%.0f", fixedGas)) gas (2 txs: serial \(us(smallSerial)), Block-STM \(us(smallParallel)))
                  per-transaction overhead:     \(String(format: "%.1f", perTransactionNanoseconds / 1000)) µs = \(String(format: "%.0f", perTransactionGas)) gas
                  SerialRule in force:          fixed \(String(format: "%.0f", Double(threads) * SerialRule.threadStartGas)) gas (\(threads) x threadStartGas \(String(format: "%.0f", SerialRule.threadStartGas))), per transaction \(String(format: "%.0f", SerialRule.transactionOverheadGas)) gas
                  serial time per transaction:  \(String(format: "%.1f", serialNanosecondsPerTransaction / 1000)) µs (the probe's unit)
                  serial probe in force:        fixed \(String(format: "%.0f", Double(threads) * SerialRule.threadStartNanoseconds / 1000)) µs (\(threads) x threadStartNanoseconds \(String(format: "%.0f", SerialRule.threadStartNanoseconds / 1000)) µs), per transaction \(String(format: "%.1f", SerialRule.transactionOverheadNanoseconds / 1000)) µs + \(String(format: "%.2f", SerialRule.locationOverheadNanoseconds / 1000)) µs per location, margin \(SerialRule.requiredMargin)x
                """
        }
    }

    /// Times the blocks; `rounds` interleaved rounds after one warm-up run of each configuration.
    public static func measure(threads: Int, rounds: Int, largeTransactions: Int = 200) -> Result {
        let small = BlockSTMBenchmark.erc20Transfers(2)
        let large = BlockSTMBenchmark.erc20Transfers(largeTransactions)
        let serial = SerialExecutor(recordsAccess: false)
        let parallel = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
        let configurations: [(block: (name: String, pre: InMemoryState, env: BlockEnvironment, txs: [Transaction]), executor: any BlockExecutor)] =
            [(small, serial), (small, parallel), (large, serial), (large, parallel)]
        for c in configurations { _ = c.executor.execute(pre: c.block.pre, env: c.block.env, transactions: c.block.txs, fork: .cancun) }
        let samples = Timing.interleavedRounds(rounds: rounds, configurations: configurations.count) { c, _ in
            let x = configurations[c]
            _ = x.executor.execute(pre: x.block.pre, env: x.block.env, transactions: x.block.txs, fork: .cancun)
        }
        let m = samples.map(Timing.median)
        let gas = large.txs.reduce(0.0) { $0 + Double($1.gasLimit) }
        let fixed = max(0, Double(m[1]) - Double(m[0]))
        let perTx = max(0, ((Double(m[3]) - fixed) * Double(threads) - Double(m[2])) / Double(largeTransactions))
        return Result(threads: threads, rounds: rounds, nanosecondsPerGas: Double(m[2]) / gas,
                      smallSerial: m[0], smallParallel: m[1], largeSerial: m[2], largeParallel: m[3],
                      largeTransactions: largeTransactions, fixedNanoseconds: fixed, perTransactionNanoseconds: perTx)
    }
}
