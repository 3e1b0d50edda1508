import Foundation
import EVMPrimitives

/// When Block-STM cannot beat a serial run, from what the block itself shows.
///
/// The rule is a small cost model in units of gas (the gas limit of a transaction stands in for its
/// work, as nothing better is known before executing it):
///
/// - `total`: the summed gas of all transactions.
/// - `hottest`: the heaviest chain of transactions that must run one after another whatever the thread
///   count: all transactions of one sender (the nonce chain), all identical calls (same recipient and
///   calldata: a counter increment, a mint, value sent to one address all read and write the same
///   state), all transactions that read the coinbase (a zero priority fee, which touches it, or a
///   transfer from or to it: each waits for every lower transaction's fee), and the single largest
///   transaction.
/// - The block's parallelism is then at most `total / hottest`, and no more than the worker threads
///   or the machine's cores.
/// - Block-STM costs `total * (1 + overhead) / parallelism + threads * threadStart`: each transaction
///   does extra work (multi-version reads and writes, validation) and each worker thread costs a start.
///   Serial costs `total`. The block runs serially unless Block-STM's estimate is lower.
///
/// So an empty or one-transaction block, a block smaller than a few thread starts, a single sender's
/// nonce chain and a block of identical calls all run serially, while many independent transactions run
/// in parallel. A wrong guess costs speed, never correctness: both paths give the same result.
enum SerialRule {
    /// Extra work of a Block-STM execution over a serial one, as a fraction (measured on transfer blocks).
    static let parallelOverhead = 0.35
    /// Starting and joining one worker thread, in gas of execution time (a 21 000-gas transfer takes a
    /// few microseconds; a thread start and join some tens).
    static let threadStartGas = 100_000.0

    /// The machine's processors, read once: `ProcessInfo.activeProcessorCount` reads the cgroup's CPU quota
    /// files on Linux (about 30 µs a call), which on every block would cost a one-transaction block a
    /// third of its time.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The estimated parallelism of a block (1 = fully serial).
    static func parallelism(_ transactions: [Transaction], env: BlockEnvironment) -> Double {
        var total = 0.0
        var largest = 0.0
        var bySender: [Address: Double] = [:]
        var byCall: [CallKey: Double] = [:]
        var coinbaseReaders = 0.0
        for tx in transactions {
            let work = Double(min(tx.gasLimit, env.gasLimit))
            total += work
            largest = max(largest, work)
            bySender[tx.sender, default: 0] += work
            if let to = tx.to { byCall[CallKey(to: to, data: tx.data), default: 0] += work }
            let price = TransactionProcessor.effectiveGasPrice(tx, baseFee: env.baseFee)
            if price <= env.baseFee || tx.to == env.coinbase || tx.sender == env.coinbase {
                coinbaseReaders += work
            }
        }
        let hottest = max(largest, coinbaseReaders, bySender.values.max() ?? 0, byCall.values.max() ?? 0)
        guard hottest > 0 else { return 1 }
        return total / hottest
    }

    /// True when the block is expected to run at least as fast serially.
    static func prefersSerial(_ transactions: [Transaction], env: BlockEnvironment, threads: Int,
                              cores: Int = SerialRule.cores) -> Bool {
        guard transactions.count > 1, threads > 1 else { return true }
        var total = 0.0
        for tx in transactions { total += Double(min(tx.gasLimit, env.gasLimit)) }
        let p = min(Double(threads), Double(max(1, cores)), parallelism(transactions, env: env))
        let parallelCost = total * (1 + parallelOverhead) / p + Double(threads) * threadStartGas
        return parallelCost >= total
    }

    struct CallKey: Hashable {
        var to: Address
        var data: [UInt8]
        /// A cheap digest of `to` and `data` (FNV-1a over the bytes): one Hasher round per key instead of
        /// one per byte of calldata. Equality still compares the whole key.
        var digest: UInt64

        init(to: Address, data: [UInt8]) {
            self.to = to
            self.data = data
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ to.a ^ (to.b &* 31) ^ (UInt64(to.c) &* 131)
            for byte in data { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            digest = h
        }

        static func == (l: CallKey, r: CallKey) -> Bool { l.digest == r.digest && l.to == r.to && l.data == r.data }
        func hash(into hasher: inout Hasher) { hasher.combine(digest) }
    }
}

/// When a running Block-STM block is hot, from what the run has observed (as pevm and grevm fall back):
/// a block is hot when so large a share of its executions was wasted (aborted on a blocked read, or
/// thrown away by a failed validation) that the remaining useful parallelism cannot pay for Block-STM's
/// overhead: `(1 - wasted / executions) * min(threads, cores) < 1 + SerialRule.parallelOverhead`.
/// At 2 threads that is a third of the executions wasted. A fully dependent chain wastes about half;
/// independent transactions waste none.
enum HotBlockRule {
    /// Each worker looks at the counters after every this many of its tasks.
    static let checkEvery = 4
    /// No judgement before this many executions (and at least four per thread).
    static let minimumExecutions = 16

    static var cores: Int { SerialRule.cores }

    static func isHot(executions: Int, wasted: Int, transactions: Int, threads: Int) -> Bool {
        guard executions >= max(minimumExecutions, 4 * threads) else { return false }
        let parallelism = Double(min(threads, cores))
        let useful = 1 - Double(wasted) / Double(executions)
        return useful * parallelism < 1 + SerialRule.parallelOverhead
    }
}
