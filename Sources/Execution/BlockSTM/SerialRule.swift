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
/// - The speedup is at most Amdahl's with the hottest chain as the serial part, on `min(threads, cores)`
///   processors: `1 / (h + (1 - h) / p)`, `h = hottest / total` (pessimistic: the chain is assumed not to
///   overlap the rest, which a run with conflicts comes close to).
/// - Block-STM costs `(total + n * transactionOverheadGas) / speedup + threads * threadStartGas`: each
///   transaction does extra work (multi-version reads and writes, validation, its result handed to the
///   in-order commit) and a parallel run has a fixed cost (waking the workers, the block end's stage
///   barriers). Serial costs `total`. The block runs serially unless Block-STM's estimate is lower.
///
/// The constants are measured (`lockstep bench blockstm --calibrate`, `SerialRuleCalibration`) on
/// storage-bound transactions (ERC-20 transfers), the least work per unit of gas: on compute-heavy
/// transactions a unit of gas takes about ten times as long, so the fixed costs weigh less and such blocks
/// may run serially where parallel would have won a little. That is the intended side to err on.
///
/// So an empty or one-transaction block, a block smaller than a few thread starts, a single sender's
/// nonce chain, a block of identical calls and a block of cheap transactions at two threads all run
/// serially, while many independent expensive transactions run in parallel. A wrong guess costs speed,
/// never correctness: both paths give the same result.
public enum SerialRule {
    /// Block-STM's extra work per transaction beyond its serial execution, summed over the threads, in gas
    /// (multi-version reads and writes, validation, the result's hand-over; with the block end's
    /// per-transaction share that two threads do not halve). Fitted to release-build medians on this
    /// 2-core machine: `lockstep bench blockstm --calibrate --threads 2` measured 7.1 µs = 38,646 gas per
    /// ERC-20 transfer (0.182 ns per unit of gas limit) on the quiet machine after Block-STM's bookkeeping was
    /// made cheaper (commit 6b8515d; 100,000 before); 50,000 leaves a margin. Blocks this lets through still meet
    /// the serial probe, which decides from measured times.
    public static let transactionOverheadGas = 50_000.0
    /// A parallel run's fixed cost per participant, in gas: about 150 µs at 2 threads before the caller
    /// joined the work (`WorkerGang`), `lockstep bench blockstm --calibrate` measures it.
    public static let threadStartGas = 400_000.0

    /// The machine's processors, read once: `ProcessInfo.activeProcessorCount` reads the cgroup's CPU quota
    /// files on Linux (about 30 µs a call), which on every block would cost a one-transaction block a
    /// third of its time.
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The estimated parallelism of a block (1 = fully serial): the summed work over the hottest chain's.
    ///
    /// The per-sender and per-call sums are two open-addressing tables of `Chain`s in one temporary allocation (on
    /// the stack for blocks of up to a few hundred transactions), keyed by a cheap mix of the sender and an FNV-1a
    /// digest of the call, each slot holding its key's first transaction (equality compares that transaction's
    /// sender, or recipient and calldata): no `Hasher`, no calldata copied, nothing to free. Dictionaries
    /// cost 69,000 instructions a block here for 20 ERC-20 transfers (1.3% of the block's serial run, callgrind).
    static func parallelism(_ transactions: [Transaction], env: BlockEnvironment) -> Double {
        let n = transactions.count
        guard n > 0 else { return 1 }
        var capacity = 16
        while capacity < 2 * n { capacity <<= 1 }
        let mask = capacity - 1
        return withUnsafeTemporaryAllocation(of: Chain.self, capacity: 2 * capacity) { slots -> Double in
            slots.initialize(repeating: Chain(first: -1, work: 0, digest: 0))
            defer { slots.deinitialize() }
            var total = 0.0
            var largest = 0.0
            var hottestSender = 0.0
            var hottestCall = 0.0
            var coinbaseReaders = 0.0
            transactions.withUnsafeBufferPointer { txs in
                // Fields read in place (`txs[i].sender`): a copy of a `Transaction` retains and releases its arrays.
                for i in 0..<n {
                    let work = Double(min(txs[i].gasLimit, env.gasLimit))
                    total += work
                    largest = max(largest, work)
                    // One sender's transactions: its nonce chain.
                    let sender = txs[i].sender
                    let s = LinearProbe.position(sender.tableHash, mask: mask) {
                        slots[$0].first < 0 || txs[Int(slots[$0].first)].sender == sender
                    }
                    if slots[s].first < 0 { slots[s].first = Int32(i) }
                    slots[s].work += work
                    hottestSender = max(hottestSender, slots[s].work)
                    // Identical calls (same recipient and calldata).
                    let to = txs[i].to
                    if let to {
                        // The digest first: comparing calldata byte by byte against every occupied slot on the way
                        // (200 calls to one factory, 132 bytes each) cost 1,300 instructions a transaction.
                        let digest = callDigest(to: to, data: txs[i].data)
                        let c = capacity + LinearProbe.position(digest, mask: mask) {
                            let slot = slots[capacity + $0], other = Int(slot.first)
                            return other < 0 || (slot.digest == digest && txs[other].to == to && sameBytes(txs[other].data, txs[i].data))
                        }
                        if slots[c].first < 0 { slots[c].first = Int32(i); slots[c].digest = digest }
                        slots[c].work += work
                        hottestCall = max(hottestCall, slots[c].work)
                    }
                    if to == env.coinbase || sender == env.coinbase
                        || TransactionProcessor.effectiveGasPrice(txs[i], baseFee: env.baseFee) <= env.baseFee {
                        coinbaseReaders += work
                    }
                }
            }
            let hottest = max(largest, coinbaseReaders, hottestSender, hottestCall)
            guard hottest > 0 else { return 1 }
            return total / hottest
        }
    }

    /// One sender's or one call's transactions in `parallelism`'s tables: the first one's index (-1: empty slot) and
    /// their summed work.
    struct Chain {
        var first: Int32
        var work: Double
        /// A call's `callDigest` (calls only).
        var digest: UInt64
    }

    /// Whether two byte arrays are equal (`memcmp`; `Array`'s `==` compares element by element).
    @inline(__always)
    static func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// A cheap digest of a call's recipient and calldata (FNV-1a over the calldata, eight bytes a round), mixed.
    @inline(__always)
    static func callDigest(to: Address, data: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ to.tableHash
        data.withUnsafeBytes { bytes in
            let count = bytes.count
            var i = 0
            while i + 8 <= count {
                h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
                i += 8
            }
            while i < count {
                h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3
                i += 1
            }
        }
        return SplitMix64.mix(h ^ UInt64(truncatingIfNeeded: data.count))
    }

    /// Blocks with fewer transactions run serially: on this machine none under 20 won in parallel (`--policy
    /// parallel`, quiet, 2026-12-05: mainnet blocks of 4-18 transactions 0.77-0.92x, the 13-transaction
    /// system-request vectors 0.70-0.75x, the 20-transaction vectors 0.77-1.00x but for compute-n20), and the
    /// probe's own few transactions would be much of such a block.
    static let minimumTransactions = 20

    /// True when the block is expected to run at least as fast serially.
    static func prefersSerial(_ transactions: [Transaction], env: BlockEnvironment, threads: Int,
                              cores: Int = SerialRule.cores) -> Bool {
        guard transactions.count >= minimumTransactions, threads > 1 else { return true }
        var total = 0.0
        for i in transactions.indices { total += Double(min(transactions[i].gasLimit, env.gasLimit)) }
        let processors = Double(min(threads, max(1, cores)))
        let work = total + Double(transactions.count) * transactionOverheadGas
        let start = Double(threads) * threadStartGas
        // Amdahl's speedup is at most `processors`: where even that cannot pay for the overhead and the thread
        // starts (cheap transactions: ERC-20 transfers, payments), the block is serial whatever its chains, and
        // `parallelism` need not run.
        if work / processors + start >= total { return true }
        let hot = 1 / max(1, parallelism(transactions, env: env))
        let speedup = min(processors, 1 / (hot + (1 - hot) / processors))
        return work / speedup + start >= total
    }

    // MARK: the serial probe (what the block shows once its first transactions have run)

    /// Block-STM's extra work per transaction beyond its serial execution, summed over the threads, in
    /// nanoseconds: a fixed part (scheduling, the result's hand-over, its share of the block end) and a part per
    /// location the transaction read or wrote (multi-version reads and writes, validation, the commit): 8.9 µs for
    /// an ERC-20 transfer's 7.5 locations, against the 7.3 µs `lockstep bench blockstm --calibrate --threads 2`
    /// measured (quiet machine, 2026-12-05, commit 7692f2f; 18.7 µs before Block-STM's bookkeeping was made cheaper).
    /// Refit when the probe moved to the monotonic clock (whose reads, unlike the thread CPU clock's 1.3 µs system
    /// call, add nothing to the probed times): with 10 µs the probe kept every independent ERC-20 block serial
    /// (predicted 1.26x at 1000 transactions, run in parallel 1.36-1.44x); over 65 probed blocks (50 mainnet,
    /// Vectors/blocks, ten generated) timed both ways, 7 µs sends 20 to Block-STM (17 before), none of them under
    /// 1.0x, where 6 µs would put two that lose (0.84x, 0.85x) within 0.01 of the margin.
    public static let transactionOverheadNanoseconds = 7_000.0
    public static let locationOverheadNanoseconds = 250.0
    /// A parallel run's fixed cost per participant, nanoseconds (`threadStartGas` at the same rate).
    public static let threadStartNanoseconds = 75_000.0
    /// How much faster Block-STM must be predicted to be than finishing serially: near break-even the
    /// serial side is the safe one (no wasted work, no wrong guess to pay for). At 1.2 mainnet 19933122 (predicted
    /// 1.22x) ran at 0.85x in every run; at 1.3 the blocks that go parallel win.
    public static let requiredMargin = 1.3
    /// After this many probed transactions the policy may already go parallel, where they predict at least
    /// `earlyMargin`: on the compute-heavy benchmark (240 µs a transaction, none conflicting) each probed
    /// transaction costs the parallel run half its time, about 0.25% of the block's speedup per transaction.
    static let earlyProbeLength = 2
    static let earlyMargin = 1.5

    /// How many transactions the adaptive policy runs serially before deciding (`SerialProbe`): a 16th of the
    /// block, at least 4 (three chances to see a conflict, and a warm mean without the cold first one), at most 12
    /// (mainnet blocks open with their highest-fee, often heaviest, transactions: a long probe runs much of the
    /// block's work serially before Block-STM starts), never the whole block but the last two.
    static func probeLength(_ transactions: Int) -> Int {
        max(0, min(transactions - 2, min(12, max(4, transactions / 16))))
    }

    /// The estimated serial time of each transaction after the probe's first `probed` (which took `nanoseconds`),
    /// nanoseconds: the probe's mean, or less where the remaining transactions' gas limits are smaller than the
    /// probe's (the probe's time per unit of gas limit times theirs): a block whose first transactions are its
    /// largest (mainnet blocks, ordered by fee) is not taken for more work than it is.
    static func remainingCost(_ transactions: [Transaction], probed: Int, env: BlockEnvironment, nanoseconds: UInt64) -> Double {
        guard probed > 0, probed < transactions.count else { return 0 }
        var probeLimit = 0.0, restLimit = 0.0
        for i in transactions.indices {
            let limit = Double(min(transactions[i].gasLimit, env.gasLimit))
            if i < probed { probeLimit += limit } else { restLimit += limit }
        }
        let mean = Double(nanoseconds) / Double(probed)
        guard probeLimit > 0 else { return mean }
        return min(mean, Double(nanoseconds) / probeLimit * restLimit / Double(transactions.count - probed))
    }

    /// The block end's serial cost per location a transaction touched, nanoseconds: it is not in the probe's times
    /// (mainnet blocks' whole-block serial time per transaction is 2-4x their probed execution time, about 2.5 µs
    /// per location touched).
    static let blockEndNanosecondsPerLocation = 2_500.0
    /// What the parallel block end gains at two threads or more.
    static let blockEndSpeedup = 1.6

    /// The mean of the probed transactions' times (mainnet's costs are heavy-tailed: a median of mostly plain
    /// transfers took blocks that win 1.4x in parallel for a fifth of their work), without the largest where there
    /// are four or more (the first transaction runs cold: its code analysed and its state loaded first).
    static func warmMean(_ times: [UInt64]) -> Double {
        guard !times.isEmpty else { return 0 }
        var sum = 0.0
        for t in times { sum += Double(t) }
        guard times.count >= 4, let largest = times.max() else { return sum / Double(times.count) }
        return (sum - Double(largest)) / Double(times.count - 1)
    }

    /// Block-STM's predicted speedup over finishing serially on the `remaining` transactions after the probe:
    /// serial costs `remaining * (t + e)`, Block-STM `remaining * ((t + overhead) / speedup + e / 1.6) + threads *
    /// threadStartNanoseconds`, with `e = locations * blockEndNanosecondsPerLocation` (the block end, parallel too),
    /// `overhead = transactionOverheadNanoseconds + locations * locationOverheadNanoseconds` and Amdahl's speedup on
    /// `min(threads, cores)` processors with half the probe's conflict share as the serial part (all of it where every
    /// probed transaction conflicted). 0 where nothing can
    /// run in parallel.
    static func predictedSpeedup(remaining: Int, nanosecondsPerTransaction t: Double, locationsPerTransaction locations: Double,
                                 conflictShare: Double, threads: Int, cores: Int = SerialRule.cores) -> Double {
        guard remaining > 1, threads > 1, cores > 1, t > 0 else { return 0 }
        let p = Double(min(threads, cores))
        // Half the probe's conflict share: a conflict the probe sees is a pair of neighbours, and Block-STM overlaps
        // the rest around it (mainnet blocks with 30-80% of probed transactions in conflict run 1.2-1.5x in
        // parallel); but where every probed transaction read what an earlier one wrote, the block is a chain.
        let h = conflictShare >= 1 ? 1 : max(0, conflictShare / 2)
        let amdahl = 1 / (h + (1 - h) / p)
        let overhead = transactionOverheadNanoseconds + locations * locationOverheadNanoseconds
        // The block end (commit, the tries' hashing, receipts) grows with the locations touched, is not in the
        // probe's times, and runs in parallel too (about 1.6x at 2 threads).
        let blockEnd = locations * blockEndNanosecondsPerLocation
        let serial = Double(remaining) * (t + blockEnd)
        let parallel = Double(remaining) * ((t + overhead) / amdahl + blockEnd / min(p, blockEndSpeedup))
            + Double(threads) * threadStartNanoseconds
        return serial / parallel
    }
}

/// What the serial probe saw and predicted (`ExecutionMetrics.probe`): the reports show why a block ran as it did.
public struct ProbeEstimate: Codable, Sendable, Equatable {
    /// Transactions run serially before the decision.
    public var transactions: Int
    /// The estimated serial time of each remaining transaction (`SerialRule.remainingCost`).
    public var nanosecondsPerTransaction: Double
    /// Locations read and written per probed transaction.
    public var locationsPerTransaction: Double
    /// The share of probed transactions (after the first) that read what an earlier one wrote.
    public var conflictShare: Double
    /// Block-STM's predicted speedup over finishing serially (`SerialRule.predictedSpeedup`).
    public var predictedSpeedup: Double
    /// The margin the prediction had to reach to go parallel.
    public var requiredMargin: Double
    /// The serial pace fitted to the probe's warm transactions (`SerialPace.fit`), which the runtime progress check
    /// (`ProgressRule`) weighs a run's useful executions by: a transaction's serial time is estimated as
    /// `floorNanoseconds + nanosecondsPerGas * gasUsed` (nil: no fit, the early decision).
    public var nanosecondsPerGas: Double? = nil
    public var floorNanoseconds: Double? = nil

    public init(transactions: Int, nanosecondsPerTransaction: Double, locationsPerTransaction: Double, conflictShare: Double,
                predictedSpeedup: Double, requiredMargin: Double, pace: SerialPace? = nil) {
        self.transactions = transactions
        self.nanosecondsPerTransaction = nanosecondsPerTransaction
        self.locationsPerTransaction = locationsPerTransaction
        self.conflictShare = conflictShare
        self.predictedSpeedup = predictedSpeedup
        self.requiredMargin = requiredMargin
        self.pace = pace
    }

    /// The fitted serial pace (nil: none), stored as the two fields above (which `blocks --json` reports).
    var pace: SerialPace? {
        get {
            guard let nanosecondsPerGas, let floorNanoseconds else { return nil }
            return SerialPace(floor: floorNanoseconds, perGas: nanosecondsPerGas)
        }
        set {
            nanosecondsPerGas = newValue?.perGas
            floorNanoseconds = newValue?.floor
        }
    }
}

/// A serial run's time per transaction as a floor plus a rate per unit of gas used, fitted to the serial probe's
/// transactions (never to later ones): mainnet's transactions cost very different amounts (a plain transfer 21,000
/// gas, a swap or a mint hundreds of thousands, one transaction often a third of the block's time), so a run's progress
/// is its useful executions' estimated serial time, not their count (`ProgressRule`).
///
/// The fit is the probe's time over its gas used, every probed transaction counted but a first one that ran cold
/// (`coldFirstRatio`), with no floor: over the 40
/// mainnet blocks of 20 transactions or more (each transaction timed serially, release build, 2026-12-05), the rest of
/// the block after the probe took a median 0.59x of the probe's mean time per transaction times its count (10th
/// percentile 0.12x, up to 32x), and 0.87x of the probe's time per gas times its gas (0.42x, up to 6x). A floor (half
/// the fastest probed transaction's time, at most 3 µs) fitted worse (median 0.85x, 0.36x), and so did dropping the
/// probed transaction with the largest time per gas (as the warm mean drops the cold first one): on 7280000 that is
/// the block's second transaction, 740,000 gas at 0.68 ns a gas against plain transfers at 0.15, and without it the
/// rest is estimated at 0.58x of its time. Simulating the check on those blocks (two workers taking the
/// transactions in order, 7 µs of overhead each, no conflicts) it abandoned 17 of them running at full speed when
/// counting transactions, 11 by gas with the drop, 5 by gas without it.
public struct SerialPace: Sendable, Equatable {
    /// Nanoseconds per transaction whatever its gas: only where the probed transactions used no gas (all rejected).
    public var floor: Double
    /// Nanoseconds per unit of gas used.
    public var perGas: Double

    public init(floor: Double, perGas: Double) {
        self.floor = floor
        self.perGas = perGas
    }

    /// The estimated serial time of `transactions` transactions that used `gas` in all.
    @inline(__always)
    func nanoseconds(transactions: Int, gas: Int) -> Double { floor * Double(transactions) + perGas * Double(gas) }

    /// The first probed transaction is left out where its time per gas is over this many times the other probed
    /// transactions' (it ran cold: its code analysed and its state loaded first). Generated ERC-20 blocks' first
    /// transaction takes 37-44 µs where the next ones take 9-13 (about 4x a gas): with it, the pace of
    /// erc20-n1000-hot0.25 was 1.26x its rest's real one, and the check would have waited for the run to fall under
    /// 0.71x serial. A mainnet block's first transaction is often its costliest kind (19932703: 0.56 ns a gas against
    /// the next ones' 0.2, about 2.8x): leaving it out at 2x abandoned 19932703 in the simulation, at 3x it did not.
    static let coldFirstRatio = 3.0

    /// Fitted to the probe's `transactions` (which took `nanoseconds` and used `gas`, the first of them `firstNanoseconds`
    /// and `firstGas`): their time over their gas, without the first where it ran cold (`coldFirstRatio`); where they
    /// used no gas (all rejected), their mean time per transaction.
    static func fit(nanoseconds: UInt64, gas: UInt64, transactions: Int, firstNanoseconds: UInt64, firstGas: UInt64) -> SerialPace {
        guard transactions > 0 else { return SerialPace(floor: 0, perGas: 0) }
        var time = Double(nanoseconds), used = Double(gas)
        let restTime = time - Double(firstNanoseconds), restGas = used - Double(firstGas)
        if transactions > 1, firstGas > 0, restGas > 0, restTime > 0,
           Double(firstNanoseconds) / Double(firstGas) > coldFirstRatio * restTime / restGas {
            time = restTime
            used = restGas
        }
        guard used > 0 else { return SerialPace(floor: time / Double(transactions), perGas: 0) }
        return SerialPace(floor: 0, perGas: time / used)
    }
}

/// What the adaptive policy observes while it runs a block's first transactions serially (its probe): how
/// many of them read a location (an account's nonce, balance or code, a storage slot, the coinbase after a
/// fee) that an earlier one wrote. That share is the part of the block Block-STM would have to run one
/// after another (`SerialRule.predictedSpeedup`). Small by construction: at most 16 transactions.
struct SerialProbe {
    let coinbase: Address
    private(set) var observed = 0
    private(set) var conflicts = 0
    /// Locations read and written, summed over the observed transactions.
    private(set) var locations = 0
    private var written: Set<StateLocation> = []

    init(coinbase: Address) { self.coinbase = coinbase }

    /// The share of the probe's transactions after the first that conflicted with an earlier one.
    var conflictShare: Double { observed > 1 ? Double(conflicts) / Double(observed - 1) : 0 }
    var locationsPerTransaction: Double { observed > 0 ? Double(locations) / Double(observed) : 0 }

    /// A transaction that was not included (rejected): it read and wrote nothing the others see.
    mutating func observeRejected() { observed += 1 }

    /// `sender`: the transaction's sender, whose own account an earlier transaction of the same sender wrote is
    /// not counted (one sender's nonce chain is `SerialRule.parallelism`'s; on mainnet an exchange's run of
    /// transactions often opens a block and says nothing about the rest).
    mutating func observe(_ r: TransactionResult, sender: Address) {
        observed += 1
        // Room for a probe's writes up front: growing the set one rehash at a time was a third of this method's cost.
        if written.isEmpty { written.reserveCapacity(64) }
        if !written.isEmpty, reads(r, sender: sender) { conflicts += 1 }
        locations += r.readAccounts.count + r.readSlots.count
        for (address, change) in r.changes.accounts {
            if change.infoChanged || change.info == nil || change.storageCleared {
                written.insert(.account(address))
                locations += 1
            }
            for key in change.storage.keys { written.insert(.storage(address, key)) }
            locations += change.storage.count
        }
        if !r.coinbaseFee.isZero { written.insert(.account(coinbase)) }
    }

    private func reads(_ r: TransactionResult, sender: Address) -> Bool {
        for a in r.readAccounts where a != sender && written.contains(.account(a)) { return true }
        for s in r.readSlots where written.contains(.storage(s.address, s.key)) { return true }
        return false
    }
}

/// When a running Block-STM block is hot, from what the run has observed (as pevm and grevm fall back):
/// a block is hot when so large a share of its executions was wasted (aborted on a blocked read, or
/// thrown away by a failed validation) that the remaining useful parallelism cannot pay for Block-STM's
/// overhead: `(1 - wasted / executions) * min(threads, cores) < HotBlockRule.minimumUsefulParallelism`.
/// At 2 threads that is 42% of the executions wasted. A fully dependent chain wastes about half;
/// independent transactions waste none.
enum HotBlockRule {
    /// Each worker looks at the counters after every this many of its tasks.
    static let checkEvery = 4
    /// No judgement before this many executions (and at least four per thread).
    static let minimumExecutions = 16

    static var cores: Int { SerialRule.cores }
    /// Below this useful parallelism a run is not worth finishing in parallel. At 2 threads a run is abandoned once
    /// more than 42% of its executions were wasted (a fully dependent chain wastes about half); at 1.35 (a third)
    /// mainnet blocks that run 1.3-1.4x in parallel with some re-executions (9069000, 18085863) were abandoned.
    static let minimumUsefulParallelism = 1.15

    static func isHot(executions: Int, wasted: Int, transactions: Int, threads: Int) -> Bool {
        guard executions >= max(minimumExecutions, 4 * threads) else { return false }
        let parallelism = Double(min(threads, cores))
        let useful = 1 - Double(wasted) / Double(executions)
        return useful * parallelism < minimumUsefulParallelism
    }
}

/// When a running Block-STM block is slower than finishing it serially would be, from its progress (the
/// runtime counterpart of the serial probe's prediction, which decided from serial times alone): the estimated serial
/// time of the executions it has finished usefully (executions less the wasted ones: aborted on a blocked read, or
/// thrown away by a failed validation) in a sample of its time, against the sample's time. A useful execution's
/// serial time is the probe's `SerialPace` (a floor plus a rate per unit of gas used, fitted to the probed
/// transactions): mainnet blocks are uneven, and counting transactions at the probe's mean time abandoned blocks
/// that win whenever the run's sample held heavier transactions than the probe (7280000 ran at 1.15-1.19x with
/// the count and up to 1.43x without a check, 19932703 at 1.04-1.10x and up to 1.23x). The sample begins after
/// the run's first `warmUp` useful executions (its start-up: waking the workers, their first, cold tasks), so
/// what is compared is the rate the run goes on at.
///
/// A run wastes nothing and still loses where every thread is slowed and the serial run is not: this host has
/// phases of minutes in which every 2-thread run is about 1.5x slower while a serial one is not, and there the
/// generated erc20-n1000 block (predicted 1.37x from its probe, run at 1.38x otherwise) ran at 0.90-0.93x. Its
/// wasted work is nil, so `HotBlockRule` does not see it.
///
/// The block end (commit and roots) runs in parallel either way (`BlockSTMExecutor.finishSerially`), so the
/// comparison is of the execution alone: a run that executes clearly slower than serially is not worth going
/// on with.
enum ProgressRule {
    /// Useful executions before the sample begins (the start-up).
    static let warmUp = 16
    /// No judgement before the sample holds this many useful executions.
    static let minimumDone = 32
    /// Below this speed over the serial estimate (the useful executions' estimated serial time over the sample's
    /// time) a run is abandoned: clearly slower than finishing serially. The block end stays parallel after an
    /// abandoned run, so the execution decides alone; erc20-n1000's, which wins 1.38x with a block end about 1.6x
    /// faster in parallel, runs about 1.25x faster than serially, and 0.85x in a slow phase.
    static let minimumSpeed = 0.9

    /// The serial pace the check compares a run with (nil: no check): the probe's fit, and only after a full probe
    /// (more than `SerialRule.earlyProbeLength` transactions). The early decision's estimate (the faster of two probed
    /// transactions, capped by the rest's gas limits) is low on purpose, as going parallel early needs both fast, and
    /// against it the check abandoned mainnet blocks that win: 12244000 ran at 1.09-1.13x with it and 1.46x without,
    /// 16257471 at 1.34x and 1.48x (quiet, `blocks --executor blockstm --threads 2 --repeat 7`).
    static func serialEstimate(_ e: ProbeEstimate?) -> SerialPace? {
        guard let e, e.transactions > SerialRule.earlyProbeLength, let pace = e.pace,
              pace.floor > 0 || pace.perGas > 0 else { return nil }
        return pace
    }

    /// `done`: useful executions in the sample; `elapsed`: its nanoseconds; `serial`: the sample's useful executions'
    /// estimated serial nanoseconds (`SerialPace`); `remaining`: the run's transactions not yet usefully executed, out
    /// of `transactions`.
    static func isSlow(done: Int, elapsed: UInt64, serial: Double, remaining: Int, transactions: Int) -> Bool {
        // Not before a fair sample, nor in the run's last eighth (its tail, where workers wait on the last
        // transactions, and where finishing serially would save little).
        guard done >= minimumDone, remaining > transactions / 8 else { return false }
        return serial < minimumSpeed * Double(elapsed)
    }
}
