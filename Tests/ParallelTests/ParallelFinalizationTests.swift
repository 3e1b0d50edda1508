import XCTest
import Synchronization
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution
@testable import Workloads

/// The gang and the parallel end of a block: the commit and roots spread over threads must equal the
/// serial path (`InMemoryState.apply`/`credit`, withdrawals, `BlockFinalization.outcome`) exactly.
final class ParallelFinalizationTests: XCTestCase {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
    final class Counters: Sendable {
        let hits: [Counter]
        init(_ n: Int) { hits = (0..<n).map { _ in Counter() } }
    }

    func testGangRunsEveryTaskExactlyOnce() {
        for threads in [1, 2, 3, 8] {
            let gang = WorkerGang(threads: threads)
            for stage in 0..<5 {
                let n = [0, 1, 7, 1000, 64][stage]
                let counters = Counters(n)
                gang.forEach(n) { i in counters.hits[i].value.wrappingAdd(1, ordering: .relaxed) }
                for i in 0..<n { XCTAssertEqual(counters.hits[i].value.load(ordering: .relaxed), 1, "threads \(threads) task \(i)") }
            }
            let seen = Counters(threads)
            gang.run { w in seen.hits[w].value.wrappingAdd(1, ordering: .relaxed) }
            for w in 0..<threads { XCTAssertEqual(seen.hits[w].value.load(ordering: .relaxed), 1) }
            gang.stop()
            gang.stop()  // idempotent
        }
    }

    /// `runStages`: each stage's tasks run exactly once, each `prepare` runs once and only after every task
    /// of the stage before it, and a `prepare` that returns nil ends the job there.
    func testStagesRunInOrderBehindTheBarrier() {
        final class Log: @unchecked Sendable {
            // Written by one `prepare` at a time (the barrier orders them); read after the job.
            var prepared: [Int] = []
            var complete: [Bool] = []
        }
        for threads in [1, 2, 3, 8] {
            let gang = WorkerGang(threads: threads)
            let sizes = [threads, 0, 1, 500, 37]
            let counters = sizes.map { Counters($0) }
            let log = Log()
            func stages(stopAt: Int?) -> [WorkerGang.Stage] {
                sizes.indices.map { s in
                    WorkerGang.Stage(prepare: {
                        // Everything of the stage before has run by now.
                        let before = s == 0 ? true : (0..<sizes[s - 1]).allSatisfy {
                            counters[s - 1].hits[$0].value.load(ordering: .relaxed) == 1
                        }
                        log.prepared.append(s)
                        log.complete.append(before)
                        return s == stopAt ? nil : sizes[s]
                    }, task: { i in counters[s].hits[i].value.wrappingAdd(1, ordering: .relaxed) })
                }
            }
            XCTAssertEqual(gang.runStages(stages(stopAt: nil)), sizes.count)
            XCTAssertEqual(log.prepared, [0, 1, 2, 3, 4], "threads \(threads)")
            XCTAssertEqual(log.complete, [true, true, true, true, true], "threads \(threads)")
            for (s, n) in sizes.enumerated() {
                for i in 0..<n { XCTAssertEqual(counters[s].hits[i].value.load(ordering: .relaxed), 1, "stage \(s) task \(i)") }
            }
            // Stopping at stage 3: stages 0...2 ran again, 3 and 4 did not.
            log.prepared = []
            log.complete = []
            XCTAssertEqual(gang.runStages(stages(stopAt: 3)), 3)
            XCTAssertEqual(log.prepared, [0, 1, 2, 3])
            XCTAssertEqual(counters[2].hits[0].value.load(ordering: .relaxed), 2)
            XCTAssertEqual(counters[3].hits[0].value.load(ordering: .relaxed), 1)
            XCTAssertEqual(gang.runStages([]), 0)
            gang.stop()
        }
    }

    /// `wake` before a job (threads asleep, or polling after an earlier wake) leaves every later job's tasks
    /// run exactly once, `run`'s on every participant; a gang of one ignores it.
    func testWakeBeforeAJobLeavesTheGangWorking() {
        for threads in [1, 2, 3] {
            let gang = WorkerGang(threads: threads)
            for round in 0..<4 {
                // Long enough for the threads to stop polling and sleep (in rounds 0 and 2).
                if round % 2 == 0 { usleep(UInt32(2 * WorkerGang.pollNanoseconds / 1000)) }
                gang.wake()
                if round == 1 { gang.wake() }
                let counters = Counters(100)
                gang.runStages([WorkerGang.Stage(prepare: { 100 }, task: { i in counters.hits[i].value.wrappingAdd(1, ordering: .relaxed) })])
                XCTAssertEqual((0..<100).filter { counters.hits[$0].value.load(ordering: .relaxed) != 1 }, [], "threads \(threads) round \(round)")
                gang.wake()
                let seen = Counters(threads)
                gang.run { w in seen.hits[w].value.wrappingAdd(1, ordering: .relaxed) }
                XCTAssertEqual((0..<threads).map { seen.hits[$0].value.load(ordering: .relaxed) }, [Int](repeating: 1, count: threads))
            }
            gang.stop()
        }
    }

    /// The pool hands a checked-in gang out again and starts another while it is taken.
    func testGangPoolReusesIdleGangs() {
        let a = WorkerGang.checkout(threads: 3)
        let b = WorkerGang.checkout(threads: 3)
        XCTAssertFalse(a === b, "a gang is lent to one caller at a time")
        WorkerGang.checkin(a)
        WorkerGang.checkin(b)  // beyond what the pool keeps: stopped
        let c = WorkerGang.checkout(threads: 3)
        XCTAssertTrue(c === a)
        let seen = Counters(3)
        c.run { w in seen.hits[w].value.wrappingAdd(1, ordering: .relaxed) }
        XCTAssertEqual((0..<3).map { seen.hits[$0].value.load(ordering: .relaxed) }, [1, 1, 1])
        WorkerGang.checkin(c)
    }

    typealias Rng = BlockSTMRandomBlockTests.SplitMix

    /// A storage value: zero (a deletion) one time in three.
    static func word(_ rng: inout Rng) -> UInt256 { rng.below(3) == 0 ? .zero : UInt256(rng.next() % 1000) }

    static func address(_ i: Int) -> Address { Address(a: 0xAB00_0000_0000_0000, b: UInt64(i), c: 7) }

    /// A random block end: accounts with small and large storage, changes that create, update, delete
    /// and re-create accounts (with storage clears and zero writes), coinbase writes and fees, logs,
    /// and withdrawals (some of zero to empty accounts, which deletes them). `large` false: accounts 5 and 6 get a few slots
    /// like the others, so that no storage trie is large (the block end then plans the account trie as a stage-3 task).
    static func randomEnd(seed: UInt64, large: Bool = true) -> (base: InMemoryState, commits: [ParallelFinalization.Commit], env: BlockEnvironment, receipts: [Receipt]) {
        var rng = Rng(state: seed)
        let coinbase = address(0)
        var base = InMemoryState()
        for i in 0..<80 where i == 5 || i == 6 || rng.below(3) != 0 {
            var storage: [UInt256: UInt256] = [:]
            let slots = large && i == 5 ? 700 : (large && i == 6 ? 300 : rng.below(6))
            for s in 0..<slots { storage[UInt256(UInt64(s * 3))] = UInt256(UInt64(1 + rng.below(500))) }
            base.accounts[address(i)] = Account(info: AccountInfo(nonce: UInt64(rng.below(3)), balance: UInt256(rng.next() % 10_000)), storage: storage)
        }
        var commits: [ParallelFinalization.Commit] = []
        var receipts: [Receipt] = []
        var cumulative: UInt64 = 0
        for _ in 0..<250 {
            var changes = StateChanges()
            for _ in 0..<(1 + rng.below(4)) {
                let n = rng.below(80)
                let a = address(n)
                // Accounts 5 and 6 keep their large storage (never deleted or cleared).
                switch n == 5 || n == 6 ? 9 : rng.below(10) {
                case 0:
                    changes.accounts[a] = AccountChange(info: nil)
                case 1:
                    changes.accounts[a] = AccountChange(info: AccountInfo(nonce: 1, balance: UInt256(rng.next() % 100)),
                                                        storageCleared: true, storage: [UInt256(1): UInt256(9)])
                default:
                    var storage: [UInt256: UInt256] = [:]
                    for _ in 0..<rng.below(5) { storage[UInt256(UInt64(rng.below(900)))] = word(&rng) }
                    changes.accounts[a] = AccountChange(info: AccountInfo(nonce: UInt64(rng.below(9)), balance: UInt256(rng.next() % 100_000)),
                                                        storage: storage)
                }
            }
            let fee = rng.below(4) == 0 ? UInt256.zero : UInt256(rng.next() % 50_000)
            commits.append(ParallelFinalization.Commit(changes: changes, coinbaseFee: fee))
            let gas = UInt64(21_000 + rng.below(50_000))
            cumulative += gas
            var logs: [Log] = []
            for _ in 0..<rng.below(3) {
                logs.append(Log(address: address(rng.below(80)), topics: (0..<rng.below(4)).map { _ in Hash32(w0: rng.next(), w1: 0, w2: rng.next(), w3: 1) },
                                data: (0..<rng.below(70)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }))
            }
            var bloom = Bloom()
            for log in logs { bloom.add(log) }
            receipts.append(Receipt(type: rng.below(2) == 0 ? .legacy : .dynamicFee, success: rng.below(5) != 0,
                                    cumulativeGasUsed: cumulative, gasUsed: gas, logs: logs, bloom: bloom, contractAddress: nil))
        }
        var env = BlockEnvironment(coinbase: coinbase)
        env.withdrawals = (0..<6).map { i in
            Withdrawal(index: UInt64(i), validatorIndex: UInt64(i), address: address(rng.below(90)), amount: UInt64(rng.below(2) == 0 ? 0 : 1 + rng.below(9)))
        }
        return (base, commits, env, receipts)
    }

    /// The benchmarks' no-coordination yardstick equals serial on the independent benchmark blocks (the
    /// only ones it is for) at 1 to 4 threads: roots, gas, receipts and the full post-state.
    func testPartitionBoundEqualsSerialOnIndependentBlocks() {
        for block in BlockSTMBenchmark.blocks(txs: 37) where block.name != "dependent-counter" {
            let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
            XCTAssertEqual(DependencyGraph(outcome: serial, coinbase: block.env.coinbase).edgeCount, 0, block.name)
            for threads in 1...4 {
                let o = PartitionBoundExecutor(threads: threads)
                    .execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
                let label = "\(block.name) at \(threads) threads"
                XCTAssertFalse(o.metrics.ranSerially, label)
                Check.assertSame(serial, o, label)
            }
        }
    }

    /// With and without large storage tries (their own stage-3 tasks, or none and the account trie planned there).
    func testFinishEqualsSerialAtEveryThreadCount() {
        for seed in UInt64(1)...6 {
            for large in [true, false] { Self.assertFinishEqualsSerial(seed: seed, large: large) }
        }
    }

    static func assertFinishEqualsSerial(seed: UInt64, large: Bool) {
        let (base, commits, env, receipts) = Self.randomEnd(seed: seed, large: large)
        var state = base
        for c in commits {
            state.apply(c.changes)
            state.credit(env.coinbase, c.coinbaseFee)
        }
        BlockFinalization.applyWithdrawals(&state, env: env)
        let expected = BlockFinalization.outcome(state: state, receipts: receipts, rejected: [], blobGasUsed: 0,
                                                 metrics: ExecutionMetrics())
        XCTAssertEqual(expected.postState.accounts.values.contains { $0.storage.count >= ParallelFinalization.largeStorage }, large,
                       "the block must exercise the large-storage path, or not, as asked")
        for threads in [1, 2, 3, 4] {
            let gang = WorkerGang(threads: threads)
            let got = ParallelFinalization.finish(base: base, commits: commits, env: env, fork: .cancun, receipts: receipts, rejected: [],
                                                  blobGasUsed: 0, metrics: ExecutionMetrics(), gang: gang)
            gang.stop()
            Check.assertSame(expected, got, "seed \(seed) large \(large) threads \(threads)")
        }
    }
}
