import XCTest
import Synchronization
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution
@testable import Workloads

/// The adaptive policy's serial probe: a block's first transactions run serially, then the rest runs under
/// Block-STM from the state they left (or serially): the result must equal `SerialExecutor`'s bit for bit
/// wherever the probe stops and whichever way it decides; and the probe must decide from what it observes.
final class SerialProbeTests: XCTestCase {
    typealias B = TestBlock

    /// Every probe length from 0 to the whole block (at most `maxLength`), each continued in parallel and
    /// serially, at 2 and 4 threads, against the serial executor.
    static func assertProbesAgree(_ block: TestBlock, fork: Fork = .cancun, maxLength: Int = 6,
                                  file: StaticString = #filePath, line: UInt = #line) {
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
        var lengths = Array(0...min(maxLength, block.txs.count))
        if block.txs.count > maxLength { lengths += [block.txs.count / 2, block.txs.count - 1, block.txs.count] }
        for threads in [2, 4] {
            for length in lengths {
                for parallel in [true, false] {
                    var executor = BlockSTMExecutor(threads: threads)
                    executor.forcedProbe = .init(length: length, parallel: parallel)
                    let o = executor.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
                    let what = "probe \(length) then \(parallel ? "parallel" : "serial"), threads \(threads)"
                    Check.assertSame(serial, o, what, file: file, line: line)
                    XCTAssertEqual(o.transactionGas, serial.transactionGas, "transactionGas, \(what)", file: file, line: line)
                    XCTAssertEqual(o.metrics.probedTransactions, length, what, file: file, line: line)
                    if !parallel || length >= block.txs.count {
                        XCTAssertEqual(o.metrics.serialReason, .probe, what, file: file, line: line)
                        XCTAssertTrue(o.metrics.ranSerially, what, file: file, line: line)
                    }
                }
            }
        }
    }

    func testProbeThenParallelOrSerialOnIndependentTransfers() {
        var block = B()
        for i in 0..<12 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(1000 + i), value: UInt256(UInt64(i + 1)), gas: 21_000)
        }
        Self.assertProbesAgree(block)
    }

    /// A hot slot: the parallel rest reads what the serial prefix wrote, through the base state.
    func testProbeOnAHotCounter() {
        var block = B()
        let counter = B.contract(1)
        block.deploy(counter, code: Snippets.counter)
        for i in 0..<24 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: counter, gas: 60_000)
        }
        Self.assertProbesAgree(block)
    }

    /// The coinbase's balance read after fees the prefix credited, a transfer to the coinbase, a nonce chain
    /// across the probe's end, and rejected transactions on both sides of it (their indices are the block's).
    func testProbeWithCoinbaseReadsNonceChainsAndRejections() {
        var block = B()
        let recorder = B.contract(2)
        block.deploy(recorder, code: Snippets.coinbaseRecorder)
        for i in 0..<8 { block.fund(B.eoa(i)) }
        block.send(from: B.eoa(0), to: B.eoa(50), value: UInt256(5), gas: 21_000)
        block.send(from: B.eoa(1), to: recorder, gas: 80_000)
        block.send(from: B.eoa(2), to: B.eoa(51), value: UInt256(1), gas: 21_000, nonce: 7)  // rejected
        block.send(from: B.eoa(0), to: B.eoa(52), value: UInt256(5), gas: 21_000)
        block.send(from: B.eoa(3), to: block.env.coinbase, value: UInt256(1000), gas: 21_000)
        block.send(from: B.eoa(0), to: recorder, gas: 80_000)
        block.send(from: B.eoa(4), to: B.eoa(53), value: UInt256(1), gas: 21_000, nonce: 3)  // rejected
        block.send(from: B.eoa(5), to: recorder, gas: 80_000)
        block.send(from: B.eoa(0), to: B.eoa(54), value: UInt256(5), gas: 21_000)
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertEqual(serial.rejected.map(\.index), [2, 6])
        Self.assertProbesAgree(block, maxLength: 9)
    }

    /// The block gas limit bites after the probe: the parallel rest was offered the whole limit, so its
    /// result is unusable and the block is re-run serially; the receipts' cumulative gas continues from the
    /// prefix either way.
    func testBlockGasLimitBitingAfterTheProbe() {
        var block = B()
        block.env.gasLimit = 100_000
        for i in 0..<6 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(60), value: UInt256(1), gas: 21_000)
        }
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertEqual(serial.rejected.map(\.index), [4, 5])
        Self.assertProbesAgree(block)
        var executor = BlockSTMExecutor(threads: 2)
        executor.forcedProbe = .init(length: 2, parallel: true)
        let o = executor.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertEqual(o.metrics.serialReason, .limit)
    }

    /// A block whose gas limit bites in block order at transaction 6 of 10: serially, transaction 6 (gas limit 40,000)
    /// is rejected with 30,000 gas left, 7 (21,000) is included, 8 and 9 are rejected. Under Block-STM every
    /// transaction was offered the whole limit, so 6 ran and paid eoa(0), which 7 (eoa(0)'s second transaction) reads.
    static func limitBitingBlock() -> TestBlock {
        var block = B()
        block.env.gasLimit = 6 * 21_000 + 30_000
        for i in 0..<7 { block.fund(B.eoa(i)) }
        for i in 0..<6 { block.send(from: B.eoa(i), to: B.eoa(100 + i), value: UInt256(UInt64(i + 1)), gas: 21_000) }
        block.send(from: B.eoa(6), to: B.eoa(0), value: UInt256(1_000), gas: 40_000)
        block.send(from: B.eoa(0), to: B.eoa(200), value: UInt256(7), gas: 21_000)
        block.send(from: B.eoa(1), to: B.eoa(201), value: UInt256(8), gas: 21_000)
        block.send(from: B.eoa(2), to: B.eoa(202), value: UInt256(9), gas: 21_000)
        return block
    }

    /// A completed parallel run whose block gas limit bites in block order keeps every transaction before the first
    /// one the limit changes and runs only the rest serially (before, the whole block ran again: 2n executions).
    func testALimitBitingInBlockOrderFinishesOnlyTheRestSerially() {
        for fork in [Fork.cancun, .homestead] {
            var block = Self.limitBitingBlock()
            if fork == .homestead { block.env.baseFee = .zero }
            let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
            XCTAssertEqual(serial.rejected.map(\.index), [6, 8, 9], "\(fork)")
            for threads in [1, 2, 4] {
                let o = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
                    .execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
                let what = "\(fork), threads \(threads)"
                Check.assertSame(serial, o, what)
                XCTAssertEqual(o.transactionGas, serial.transactionGas, what)
                XCTAssertEqual(o.metrics.serialReason, .limit, what)
                XCTAssertTrue(o.metrics.ranSerially, what)
                // The run's executions (on one thread: the 10 transactions in order, none again; on more, 7-9 may run
                // again after 0-2 and 6 finish) and the 4 from transaction 6 on.
                if threads == 1 { XCTAssertEqual(o.metrics.executions, 14, what) }
                XCTAssertLessThan(o.metrics.executions, 20, what)
            }
            Self.assertProbesAgree(block, fork: fork, maxLength: 10)
        }
    }

    /// The BAL executor likewise: the transactions before the one the limit changes are kept (checked against the
    /// list), and only the rest runs serially.
    func testALimitBitingInBlockOrderUnderTheBALExecutor() {
        for fork in [Fork.cancun, .homestead] {
            var block = Self.limitBitingBlock()
            if fork == .homestead { block.env.baseFee = .zero }
            let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
            let list = BlockAccessListBuilder.derive(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
            for threads in [1, 2, 4] {
                let what = "\(fork), threads \(threads)"
                let executor = BALExecutor(threads: threads, list: list, policy: .alwaysParallel)
                guard case .success(let o) = executor.run(pre: block.pre, env: block.env, transactions: block.txs, fork: fork) else {
                    XCTFail("mismatch, \(what)")
                    continue
                }
                Check.assertSame(serial, o, what)
                XCTAssertEqual(o.transactionGas, serial.transactionGas, what)
                XCTAssertEqual(o.metrics.serialReason, .limit, what)
                XCTAssertTrue(o.metrics.ranSerially, what)
                // The list's 10 executions and the 4 from transaction 6 on.
                XCTAssertEqual(o.metrics.executions, 14, what)
            }
        }
    }

    /// Blob gas used by the probe counts against the block maximum for the parallel rest.
    func testBlobGasAcrossTheProbe() {
        let block = B.sevenBlobTransactions()
        Self.assertProbesAgree(block, maxLength: 7)
    }

    /// Before Byzantium each receipt carries the state root after its transaction: the block end computes
    /// them over the probe's commits and the parallel rest's.
    func testIntermediateRootsBeforeByzantium() {
        var block = B()
        block.env.baseFee = .zero
        for i in 0..<8 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(i % 3 + 100), value: UInt256(UInt64(i + 1)), gas: 21_000)
        }
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .homestead)
        XCTAssertNotNil(serial.receipts.first?.postStateRoot)
        Self.assertProbesAgree(block, fork: .homestead)
    }

    // MARK: what the probe decides

    /// `count` calls with a generous gas limit (the static rule takes them for a parallel block), each to its
    /// own contract (`shared`: all to one) that counts calls in slot 1 when `shared`, then hashes for a while.
    static func computeBlock(_ count: Int, shared: Bool) -> TestBlock {
        var a = EVMAssembler()
        if shared { a.push(1); a.op(.sload); a.push(1); a.op(.add); a.push(1); a.op(.sstore) }
        BlockSTMBenchmark.appendHashLoop(to: &a, iterations: 400)
        a.op(.stop)
        var block = B()
        block.env.gasLimit = UInt64(count) * 1_000_000
        for i in 0..<count {
            block.fund(B.eoa(i))
            let contract = B.contract(shared ? 0 : 100 + i)
            if block.pre.accounts[contract] == nil { block.deploy(contract, code: a.assembled) }
            block.send(from: B.eoa(i), to: contract, data: Snippets.word(UInt64(i)), gas: 1_000_000)
        }
        return block
    }

    func testIndependentComputeBlockIsPredictedParallel() throws {
        try XCTSkipIf(SerialRule.cores < 2, "one processor: every block runs serially")
        let block = Self.computeBlock(24, shared: false)
        XCTAssertFalse(SerialRule.prefersSerial(block.txs, env: block.env, threads: 2))
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        let o = BlockSTMExecutor(threads: 2).execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        Check.assertSame(serial, o, "independent compute")
        XCTAssertFalse(o.metrics.ranSerially)
        XCTAssertNil(o.metrics.serialReason)
        XCTAssertEqual(o.metrics.probedTransactions, SerialRule.earlyProbeLength, "two expensive independent transactions decide")
        XCTAssertEqual(o.metrics.executions, 24)
    }

    func testHotComputeBlockIsPredictedSerial() {
        let block = Self.computeBlock(24, shared: true)
        XCTAssertFalse(SerialRule.prefersSerial(block.txs, env: block.env, threads: 2), "the static rule cannot see the slot")
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        let o = BlockSTMExecutor(threads: 2).execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        Check.assertSame(serial, o, "hot compute")
        XCTAssertTrue(o.metrics.ranSerially)
        XCTAssertEqual(o.metrics.serialReason, .probe)
        XCTAssertEqual(o.metrics.executions, 24)
    }

    /// One transaction, or cheap ones: the static rule decides before running anything.
    func testStaticRuleDecidesSmallBlocks() {
        var block = B()
        block.fund(B.eoa(1))
        block.send(from: B.eoa(1), to: B.eoa(2), value: UInt256(1), gas: 21_000)
        let o = BlockSTMExecutor(threads: 2).execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertEqual(o.metrics.serialReason, .rule)
        XCTAssertEqual(o.metrics.probedTransactions, 0)
    }

    func testProbeConflictShare() {
        let coinbase = Address(a: 0, b: 0, c: 0xCB)
        let x = Address(a: 1, b: 0, c: 1), y = Address(a: 2, b: 0, c: 2), z = Address(a: 3, b: 0, c: 3)
        func result(reads: [Address], slots: [SlotKey], writes: [Address: AccountChange], fee: UInt64 = 0) -> TransactionResult {
            TransactionResult(success: true, gasUsed: 21_000, blobGasUsed: 0, logs: [], changes: StateChanges(accounts: writes),
                              createdAddress: nil, output: [], coinbaseFee: UInt256(fee), readAccounts: reads, readSlots: slots)
        }
        var probe = SerialProbe(coinbase: coinbase)
        XCTAssertEqual(probe.conflictShare, 0)
        // Writes slot 5 of x; pays a fee.
        probe.observe(result(reads: [x], slots: [SlotKey(x, UInt256(5))],
                             writes: [x: AccountChange(info: AccountInfo(nonce: 1), storage: [UInt256(5): UInt256(1)], infoChanged: false),
                                      y: AccountChange(info: AccountInfo(nonce: 1))],
                             fee: 3), sender: y)
        // Reads another slot of x and y's account: no conflict (x's account itself was not written).
        // Reads another slot of x, and y's account as y's next transaction: no conflict (x's account itself was not
        // written; y's nonce chain is the static rule's).
        probe.observe(result(reads: [x, y], slots: [SlotKey(x, UInt256(6))], writes: [:]), sender: y)
        XCTAssertEqual(probe.conflictShare, 0)
        // Reads slot 5: a conflict.
        probe.observe(result(reads: [x], slots: [SlotKey(x, UInt256(5))], writes: [:]), sender: z)
        XCTAssertEqual(probe.conflictShare, 0.5)
        // Reads the coinbase after a fee: a conflict; a rejected transaction is not.
        probe.observe(result(reads: [coinbase], slots: [], writes: [:]), sender: z)
        probe.observeRejected()
        XCTAssertEqual(probe.conflicts, 2)
        // y's account read by another sender: a conflict.
        probe.observe(result(reads: [y], slots: [], writes: [:]), sender: z)
        XCTAssertEqual(probe.conflicts, 3)
        XCTAssertEqual(probe.conflictShare, 0.6)
        // Read 2 + 3 + 2 + 1 + 1; written: x's slot 5 (x's account info unchanged) and y's account.
        XCTAssertEqual(probe.locations, 11)
    }

    func testCostModel() {
        func speedup(_ remaining: Int, _ t: Double, locations: Double = 5, conflicts: Double = 0, cores: Int = 2) -> Double {
            SerialRule.predictedSpeedup(remaining: remaining, nanosecondsPerTransaction: t, locationsPerTransaction: locations,
                                        conflictShare: conflicts, threads: 2, cores: cores)
        }
        // Expensive independent transactions win (the compute benchmark: 240 µs, 5 locations), and so do mainnet-like
        // ones (50 µs, 20 locations, a third of the probe in conflict) and a long block of independent ERC-20
        // transfers as the probe times them (9.7 µs, 7.5 locations: Block-STM runs 1000 of them at 1.36-1.44x); cheap
        // ones (plain transfers: 4 µs, 4 locations), a short ERC-20 block (113 left after the probe, whose hidden
        // conflicts cost Vectors/blocks' erc20-n120-hot0.3-acc12 0.84x) stay under the margin, and so do expensive
        // transactions that all conflict (a chain), however expensive.
        XCTAssertGreaterThan(speedup(197, 240_000), SerialRule.earlyMargin)
        XCTAssertGreaterThan(speedup(197, 50_000, locations: 20, conflicts: 0.3), SerialRule.requiredMargin)
        XCTAssertGreaterThan(speedup(988, 9_700, locations: 7.5), SerialRule.requiredMargin)
        XCTAssertLessThan(speedup(197, 4_000, locations: 4), SerialRule.requiredMargin)
        XCTAssertLessThan(speedup(113, 9_000, locations: 7.3), SerialRule.requiredMargin)
        XCTAssertLessThan(speedup(197, 240_000, conflicts: 1), 1)
        XCTAssertLessThan(speedup(197, 10_000_000, conflicts: 1), 1)
        XCTAssertEqual(speedup(197, 240_000, cores: 1), 0)
        // A few expensive transactions do not pay for the threads' start.
        XCTAssertLessThan(speedup(2, 60_000), SerialRule.requiredMargin)
        // More locations cost Block-STM more per transaction, and the block end (which runs in parallel) more.
        XCTAssertLessThan(speedup(197, 15_000, locations: 2), speedup(197, 15_000, locations: 30))
        XCTAssertEqual(SerialRule.probeLength(1), 0)
        XCTAssertEqual(SerialRule.probeLength(4), 2)
        XCTAssertEqual(SerialRule.probeLength(20), 4)
        XCTAssertEqual(SerialRule.probeLength(100), 6)
        XCTAssertEqual(SerialRule.probeLength(200), 12)
        XCTAssertEqual(SerialRule.probeLength(5000), 12)
    }

    /// The runtime progress check: slow once a fair sample is in and the run's useful executions in it fall behind what
    /// the serial estimate would have done in its time; never before the sample, in the tail, or without an estimate.
    /// The check's serial pace: none without a probe, without a fit or after the early decision (two probed
    /// transactions, an estimate biased low), the probe's fit after a full probe.
    func testProgressRuleEstimate() {
        func estimate(probed: Int, pace: SerialPace? = SerialPace(floor: 2_000, perGas: 0.2)) -> ProbeEstimate {
            ProbeEstimate(transactions: probed, nanosecondsPerTransaction: 12_000, locationsPerTransaction: 8,
                          conflictShare: 0, predictedSpeedup: 1.6, requiredMargin: 1.3, pace: pace)
        }
        XCTAssertNil(ProgressRule.serialEstimate(nil))
        XCTAssertNil(ProgressRule.serialEstimate(estimate(probed: SerialRule.earlyProbeLength)))
        XCTAssertNil(ProgressRule.serialEstimate(estimate(probed: SerialRule.earlyProbeLength + 1, pace: nil)))
        XCTAssertNil(ProgressRule.serialEstimate(estimate(probed: 8, pace: SerialPace(floor: 0, perGas: 0))))
        XCTAssertEqual(ProgressRule.serialEstimate(estimate(probed: SerialRule.earlyProbeLength + 1)),
                       SerialPace(floor: 2_000, perGas: 0.2))
    }

    func testProgressRule() {
        func slow(_ done: Int, _ elapsed: UInt64, serial: Double? = nil, remaining: Int = 800) -> Bool {
            ProgressRule.isSlow(done: done, elapsed: elapsed, serial: serial ?? Double(done) * 10_000, remaining: remaining,
                                transactions: 1000)
        }
        // 100 transactions in the time serial runs 120 of them (0.83x): slow; in the time it runs 70 (1.43x): not; nor
        // where it is only a little slower than serial (0.95x).
        XCTAssertTrue(slow(100, 1_200_000))
        XCTAssertFalse(slow(100, 700_000))
        XCTAssertFalse(slow(100, 1_050_000), "only a little slower than serial")
        // Before a fair sample, in the last eighth: never.
        XCTAssertFalse(slow(ProgressRule.minimumDone - 1, 10_000_000))
        XCTAssertTrue(slow(ProgressRule.minimumDone, 10_000_000))
        XCTAssertFalse(slow(100, 100_000_000, remaining: 125))
        XCTAssertTrue(slow(100, 100_000_000, remaining: 126))
        XCTAssertFalse(slow(100, 100_000_000, serial: 100_000_000))
    }

    /// The pace: the probed transactions' time over their gas used, every one counted (the largest too: on mainnet it is
    /// often the block's costliest kind) but a cold first one; their mean time per transaction where they used no gas.
    func testSerialPaceFit() {
        // Plain transfers at 4 µs (the first, cold, at 30 µs) and a 200,000-gas call at 150 µs.
        let pace = SerialPace.fit(nanoseconds: 30_000 + 4_000 + 150_000 + 4_000 + 4_000, gas: 4 * 21_000 + 200_000, transactions: 5,
                                  firstNanoseconds: 30_000, firstGas: 21_000)
        XCTAssertEqual(pace.floor, 0)
        XCTAssertEqual(pace.perGas, 192_000 / 284_000.0, accuracy: 1e-12)
        // The estimate follows gas: the call is estimated at 9.5 transfers, not 1.
        XCTAssertEqual(pace.nanoseconds(transactions: 1, gas: 200_000) / pace.nanoseconds(transactions: 1, gas: 21_000),
                       200.0 / 21, accuracy: 1e-9)
        XCTAssertEqual(pace.nanoseconds(transactions: 3, gas: 284_000), 192_000, accuracy: 1e-6)
        // All rejected: the mean time is the floor.
        XCTAssertEqual(SerialPace.fit(nanoseconds: 12_000, gas: 0, transactions: 3, firstNanoseconds: 9_000, firstGas: 0),
                       SerialPace(floor: 4_000, perGas: 0))
        XCTAssertEqual(SerialPace.fit(nanoseconds: 0, gas: 0, transactions: 0, firstNanoseconds: 0, firstGas: 0),
                       SerialPace(floor: 0, perGas: 0))
        // A cold first transaction (40 µs for 50,000 gas, 0.8 ns a gas, where the next ones take 0.2) is left out; one
        // under three times the others' time per gas (a first transaction of a costlier kind) is not.
        let cold = SerialPace.fit(nanoseconds: 40_000 + 3 * 10_000, gas: 4 * 50_000, transactions: 4,
                                  firstNanoseconds: 40_000, firstGas: 50_000)
        XCTAssertEqual(cold.perGas, 0.2, accuracy: 1e-12)
        let costly = SerialPace.fit(nanoseconds: 25_000 + 3 * 10_000, gas: 4 * 50_000, transactions: 4,
                                    firstNanoseconds: 25_000, firstGas: 50_000)
        XCTAssertEqual(costly.perGas, 55_000 / 200_000.0, accuracy: 1e-12)
    }

    /// Independent transfers: nothing conflicts, nothing is wasted (`HotBlockRule` never fires).
    static func independentTransfers(_ n: Int) -> TestBlock {
        var block = B()
        block.env.baseFee = .zero  // valid before London too
        for i in 0..<n {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(10_000 + i), value: UInt256(UInt64(i + 1)), gas: 21_000)
        }
        return block
    }

    /// A slow phase, simulated: the serial estimate the run compares itself with is made a thousand times smaller than
    /// the probe measured (as if every thread of the run were that much slower than the serial probe), so the run is
    /// abandoned once its sample is in and finished serially from its validated prefix: bit for bit the serial result
    /// (before Byzantium too, where the receipts carry intermediate roots), `serialReason` "slow run", before its end. With a thousand times the measured estimate it never is, and with none (no probe) there
    /// is no check.
    func testSlowRunIsFinishedSerially() throws {
        try XCTSkipIf(SerialRule.cores < 2, "one processor")
        let block = Self.independentTransfers(150)
        for fork in [Fork.cancun, .homestead] {
            let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
            func run(_ threads: Int, probe: Int, scale: Double?, stress: StressOptions? = nil) -> BlockOutcome {
                var executor = BlockSTMExecutor(threads: threads, stress: stress)
                executor.forcedProbe = .init(length: probe, parallel: true, paceScale: scale)
                return executor.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
            }
            for threads in [2, 4] {
                let what = "\(fork) x\(threads)"
                let slow = run(threads, probe: 4, scale: 0.001)
                Check.assertSame(serial, slow, "slow phase \(what)")
                XCTAssertEqual(slow.transactionGas, serial.transactionGas, what)
                XCTAssertTrue(slow.metrics.ranSerially, what)
                XCTAssertEqual(slow.metrics.serialReason, .slowRun, what)
                // Before its end: not every transaction after the probe was validated in parallel.
                XCTAssertLessThan(slow.metrics.validations, block.txs.count - 4, "abandoned early, \(what)")
                let fast = run(threads, probe: 4, scale: 1000)
                Check.assertSame(serial, fast, "fast serial estimate \(what)")
                XCTAssertFalse(fast.metrics.ranSerially, "\(what): \(String(describing: fast.metrics.serialReason))")
                XCTAssertEqual(fast.metrics.reExecutions, 0, what)
            }
            // No probe, no estimate: no progress check (the run goes to its end).
            var unprobed = BlockSTMExecutor(threads: 2)
            unprobed.forcedProbe = .init(length: 0, parallel: true)
            XCTAssertFalse(unprobed.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork).metrics.ranSerially)
            // Abandoned at different points under seeded perturbation, after probes of different lengths: the kept
            // prefix must always be right.
            for rep in 0..<Check.stressRepetitions {
                let threads = [2, 4, 8][rep % 3]
                let o = run(threads, probe: rep % 7, scale: [0.001, 0.5][rep % 2], stress: StressOptions(seed: UInt64(rep) &+ 5))
                Check.assertSame(serial, o, "stress rep \(rep) \(fork) x\(threads)")
                XCTAssertEqual(o.transactionGas, serial.transactionGas, "stress rep \(rep) \(fork)")
            }
        }
    }

    /// A block of a few expensive transactions among many cheap ones, as mainnet's are: calls that loop `rounds` times
    /// (10,000: about 410,000 gas) at index 2, inside the probe, and at every fourth index after it; plain transfers
    /// elsewhere. Every sender and recipient distinct: nothing conflicts.
    static func unevenBlock(_ n: Int, rounds: UInt64 = 10_000) -> TestBlock {
        var block = B()
        block.env.baseFee = .zero
        var a = EVMAssembler()
        a.push(0); a.op(.calldataload)
        a.jumpdest("top")
        a.op(.dup1, .iszero); a.push(label: "end"); a.op(.jumpi)
        a.push(1); a.op(.swap1, .sub)
        a.push(label: "top"); a.op(.jump)
        a.jumpdest("end")
        a.op(.stop)
        block.deploy(B.contract(1), code: a.assembled)
        let probe = SerialRule.probeLength(n)
        for i in 0..<n {
            block.fund(B.eoa(i))
            if i == 2 || (i >= probe && i % 4 == 0) {
                block.send(from: B.eoa(i), to: B.contract(1), data: Snippets.word(rounds), gas: 1_000_000)
            } else {
                block.send(from: B.eoa(i), to: B.eoa(10_000 + i), value: UInt256(UInt64(i + 1)), gas: 21_000)
            }
        }
        return block
    }

    /// The progress check weighs a run's useful executions by their gas (`SerialPace`), not their count: on an uneven
    /// block whose probe saw mostly cheap transactions (and whose warm mean dropped the one expensive transaction in it
    /// as the largest time), the rest costs about 200 times the probe's mean time per transaction, so counting the
    /// run's transactions at that mean makes a run that wins look 100 times slower than serial. Weighed by gas the
    /// estimate is within about 10% here, so the check, given eight times the measured pace (the probe taken for eight
    /// times as slow as it was: it fires only where the run is under about a ninth of serial's speed, room for a
    /// machine loaded ten times over its cores, where twice the pace failed one run in about ten), does not abandon the
    /// run; with the count it still would, every time. The result is serial's bit for bit.
    func testUnevenBlockIsNotAbandoned() throws {
        try XCTSkipIf(SerialRule.cores < 2, "one processor")
        let n = 96, probed = SerialRule.probeLength(96)
        let block = Self.unevenBlock(n)
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        var measure = BlockSTMExecutor(threads: 2)
        measure.forcedProbe = .init(length: probed, parallel: false)
        let probe = try XCTUnwrap(measure.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun).metrics.probe)
        let pace = try XCTUnwrap(ProgressRule.serialEstimate(probe))
        // The pace tells the two kinds apart, the count does not: an expensive call is estimated at many transfers.
        XCTAssertEqual(serial.transactionGas[0], 21_000)
        XCTAssertGreaterThan(pace.nanoseconds(transactions: 1, gas: Int(serial.transactionGas[2])),
                             15 * pace.nanoseconds(transactions: 1, gas: 21_000))
        for rep in 0..<3 {
            var executor = BlockSTMExecutor(threads: 2)
            executor.forcedProbe = .init(length: probed, parallel: true, paceScale: 8)
            let o = executor.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
            Check.assertSame(serial, o, "uneven \(rep)")
            XCTAssertFalse(o.metrics.ranSerially, "rep \(rep): \(String(describing: o.metrics.serialReason))")
        }
    }

    /// An abandoned run's serial finish keeps the executed transactions beyond its kept prefix whose reads are still
    /// valid (`BlockSTMExecutor.finishReusing`): a completed run with holes made in it (transactions aborted as a failed
    /// validation aborts them: not executed, their writes estimates), its prefix kept up to the first hole, then the
    /// finish. A quarter of the transactions increment one counter (each reads what the one before wrote), the rest are
    /// independent transfers. The outcome is serial's bit for bit, and the finish runs the holes and the counter
    /// increments after the first hole (their reads changed), not every transaction after it.
    func testSerialFinishKeepsValidWorkBeyondThePrefix() throws {
        var block = B()
        block.deploy(B.contract(1), code: Snippets.counter)
        let n = 64
        for i in 0..<n {
            block.fund(B.eoa(i))
            if i % 4 == 0 {
                block.send(from: B.eoa(i), to: B.contract(1))
            } else {
                block.send(from: B.eoa(i), to: B.eoa(10_000 + i), value: UInt256(UInt64(i + 1)), gas: 21_000)
            }
        }
        for fork in [Fork.cancun, .homestead] {
            let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: fork)
            for holes in [[9], [8], [9, 30, 31], [1, 62], [63]] {
                let what = "\(fork) holes \(holes)"
                var rest = SerialBlockRun(pre: block.pre, env: block.env, fork: fork, keepsCommits: true)
                let run = BlockSTMRun(base: rest.state, env: block.env, transactions: block.txs, fork: fork, threads: 2,
                                      stress: nil)
                let gang = WorkerGang.checkout(threads: 2)
                gang.run { worker in run.work(worker: worker) }
                WorkerGang.checkin(gang)
                XCTAssertTrue(run.scheduler.done, what)
                for k in holes {
                    XCTAssertTrue((0..<64).contains { run.scheduler.tryValidationAbort(TxVersion(k, $0)) }, what)
                    run.memory.convertWritesToEstimates(k)
                }
                var next = 0
                while next < n, run.scheduler.isExecuted(next), run.memory.validateReadSet(next),
                      let result = run.takeResult(next), rest.take(next, block.txs[next], result) {
                    next += 1
                }
                XCTAssertEqual(next, holes[0], what)
                let steps = BlockSTMExecutor.finishReusing(run, transactions: block.txs, first: 0, from: next, into: &rest,
                                                           trace: nil)
                Check.assertSame(serial, rest.finish(metrics: ExecutionMetrics()), what)
                // Run again: the holes, and every counter increment after the first hole that reads the counter a hole
                // wrote or the one before it (a hole that is an increment changes the counter's version for all later
                // increments; one that is a transfer changes nothing they read).
                let increments = holes[0] % 4 == 0 ? (holes[0] + 1..<n).filter { $0 % 4 == 0 && !holes.contains($0) }.count : 0
                if fork == .cancun {
                    XCTAssertEqual(steps, holes.count + increments, what)
                } else {
                    // Before Shanghai the counter's code halts at its PUSH0: the increments write nothing.
                    XCTAssertEqual(steps, holes.count, what)
                }
            }
        }
    }

    /// The progress check's useful gas (`BlockSTMRun.usefulGas`): every finished execution adds its gas used and every
    /// failed validation takes its execution's back, so once a run has completed it is the gas its transactions' final
    /// incarnations used, however many were re-executed. A quarter of the transactions increment one counter (each
    /// reads what the one before wrote), the rest are independent transfers; seeded perturbation at 4 threads makes
    /// validations fail.
    func testUsefulGasIsTheFinalIncarnations() throws {
        var block = B()
        block.deploy(B.contract(1), code: Snippets.counter)
        for i in 0..<64 {
            block.fund(B.eoa(i))
            if i % 4 == 0 {
                block.send(from: B.eoa(i), to: B.contract(1))
            } else {
                block.send(from: B.eoa(i), to: B.eoa(10_000 + i), value: UInt256(UInt64(i + 1)), gas: 21_000)
            }
        }
        var completed = 0, failed = 0
        for seed in 0..<UInt64(max(6, Check.stressRepetitions / 2)) {
            let run = BlockSTMRun(base: block.pre, env: block.env, transactions: block.txs, fork: .cancun, threads: 4,
                                  stress: StressOptions(seed: seed &+ 11), adaptive: true,
                                  pace: SerialPace(floor: 1e15, perGas: 0))
            let gang = WorkerGang.checkout(threads: 4)
            gang.run { worker in run.work(worker: worker) }
            WorkerGang.checkin(gang)
            // Abandoned as hot: no final incarnations to compare with.
            guard run.scheduler.done else { continue }
            var gas = 0
            for i in block.txs.indices {
                if case .included(let r)? = run.takeResult(i) { gas += Int(r.gasUsed) }
            }
            XCTAssertEqual(run.usefulGas.load(ordering: .relaxed), gas, "seed \(seed)")
            XCTAssertFalse(run.slow.load(ordering: .relaxed))
            completed += 1
            failed += run.failedValidations.load(ordering: .relaxed)
        }
        XCTAssertGreaterThan(completed, 0)
        XCTAssertGreaterThan(failed, 0, "no validation failed: the give-back was not exercised")
    }

    /// The warm mean drops the largest time (the cold first transaction) where there are four or more.
    func testWarmMean() {
        XCTAssertEqual(SerialRule.warmMean([]), 0)
        XCTAssertEqual(SerialRule.warmMean([30, 10, 20]), 20)
        XCTAssertEqual(SerialRule.warmMean([90, 10, 20, 30]), 20)
    }
}

extension SerialProbeTests {
    /// The probe's mean per transaction, unless the rest's gas limits are smaller than the probe's.
    func testRemainingCostScalesByGasLimits() {
        var block = B()
        for i in 0..<6 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(100), gas: i < 2 ? 400_000 : 100_000)
        }
        // Two probed transactions of 400,000 gas took 800 µs: 400 µs each, 1 ns per unit of gas limit.
        XCTAssertEqual(SerialRule.remainingCost(block.txs, probed: 2, env: block.env, nanoseconds: 800_000), 100_000)
        // Uniform limits: the mean.
        XCTAssertEqual(SerialRule.remainingCost(Array(block.txs[2...]), probed: 2, env: block.env, nanoseconds: 50_000), 25_000)
        // Larger limits later do not raise the estimate.
        XCTAssertEqual(SerialRule.remainingCost(Array(block.txs.reversed()), probed: 2, env: block.env, nanoseconds: 50_000), 25_000)
    }
}

extension SerialProbeTests {
    /// `SerialRule.parallelism`'s old form, on dictionaries keyed by sender and by (recipient, calldata): the reference
    /// the open-addressing tables must equal.
    static func referenceParallelism(_ transactions: [Transaction], env: BlockEnvironment) -> Double {
        struct Call: Hashable { var to: Address; var data: [UInt8] }
        var total = 0.0, largest = 0.0, coinbaseReaders = 0.0
        var bySender: [Address: Double] = [:]
        var byCall: [Call: Double] = [:]
        for tx in transactions {
            let work = Double(min(tx.gasLimit, env.gasLimit))
            total += work
            largest = max(largest, work)
            bySender[tx.sender, default: 0] += work
            if let to = tx.to { byCall[Call(to: to, data: tx.data), default: 0] += work }
            let price = TransactionProcessor.effectiveGasPrice(tx, baseFee: env.baseFee)
            if price <= env.baseFee || tx.to == env.coinbase || tx.sender == env.coinbase { coinbaseReaders += work }
        }
        let hottest = max(largest, coinbaseReaders, bySender.values.max() ?? 0, byCall.values.max() ?? 0)
        return hottest > 0 ? total / hottest : 1
    }

    /// Seeded random blocks of few senders, recipients and calldatas (calldata that differs only in length or in one
    /// byte past the eighth, the same calldata to different recipients, creations, the coinbase as sender and
    /// recipient, zero tips, zero gas limits): 1 to 300 transactions, so the tables grow and collide.
    static func randomRuleBlocks(count: Int, seed: UInt64) -> [TestBlock] {
        var rng = SplitMix64(seed: seed)
        let datas: [[UInt8]] = [[], [0], [0, 0], Array(repeating: 7, count: 68), Array(repeating: 7, count: 67) + [8],
                                Array(repeating: 7, count: 9), Array(repeating: 7, count: 8) + [9], [1, 2, 3]]
        var blocks: [TestBlock] = []
        for _ in 0..<count {
            var block = TestBlock()
            let n = 1 + Int(rng.next() % (rng.next() % 4 == 0 ? 300 : 40))
            let senders = 1 + Int(rng.next() % UInt64(1 + n))
            let recipients = 1 + Int(rng.next() % 6)
            for _ in 0..<n {
                var sender = TestBlock.eoa(Int(rng.next() % UInt64(senders)))
                if rng.next() % 17 == 0 { sender = block.env.coinbase }
                let r = rng.next() % UInt64(recipients + 2)
                let to: Address? = r == 0 ? nil : r == 1 ? block.env.coinbase : TestBlock.contract(Int(r))
                let gas: UInt64 = rng.next() % 13 == 0 ? 0 : [21_000, 50_000, 100_000, 250_000, 1_000_000, 40_000_000][Int(rng.next() % 6)]
                block.send(from: sender, to: to, data: datas[Int(rng.next() % UInt64(datas.count))], gas: gas,
                           gasPrice: UInt256(rng.next() % 3 == 0 ? 7 : 10), nonce: 0)
            }
            blocks.append(block)
        }
        return blocks
    }

    func testParallelismTablesEqualDictionaries() {
        for (k, block) in Self.randomRuleBlocks(count: 400, seed: 0x5EED_0017).enumerated() {
            XCTAssertEqual(SerialRule.parallelism(block.txs, env: block.env), Self.referenceParallelism(block.txs, env: block.env),
                           "block \(k), \(block.txs.count) transactions")
        }
        XCTAssertEqual(SerialRule.parallelism([], env: TestBlock().env), 1)
    }

    /// `parallelism`'s table index reaches every bit of an address: addresses that differ only in their first byte, or
    /// only in their last, spread over a 512-slot table (before `Address.tableHash` mixed them the first kind all fell into
    /// one slot, and 200 such senders cost 1,000 instructions a transaction of linear probing).
    func testParallelismTableIndexSpreadsAddresses() {
        for make in [{ (i: Int) in Address(a: UInt64(i) << 56, b: 0, c: 0) }, { (i: Int) in Address(a: 0, b: 0, c: UInt32(i)) },
                     { (i: Int) in Address(a: 0, b: UInt64(i) << 40, c: 0) }] {
            let slots = Set((0..<200).map { make($0).tableHash & 511 })
            XCTAssertGreaterThan(slots.count, 140)
        }
        let calls = Set((0..<200).map { SerialRule.callDigest(to: Address(a: UInt64($0) << 56, b: 0, c: 0), data: []) & 511 })
        XCTAssertGreaterThan(calls.count, 140)
    }

    /// The rule's early exit (a block that could not pay for the thread starts even at `processors` times the speed)
    /// keeps the full model's decision, which tests compute from the reference parallelism.
    func testRuleEarlyExitKeepsTheFullModelsDecision() {
        var serial = 0, parallel = 0
        for (k, block) in Self.randomRuleBlocks(count: 400, seed: 0x5EED_0018).enumerated() {
            for (threads, cores) in [(2, 2), (4, 4), (8, 2), (2, 1), (16, 16)] {
                var total = 0.0
                for tx in block.txs { total += Double(min(tx.gasLimit, block.env.gasLimit)) }
                let hot = 1 / max(1, Self.referenceParallelism(block.txs, env: block.env))
                let p = Double(min(threads, cores))
                let cost = (total + Double(block.txs.count) * SerialRule.transactionOverheadGas) / (1 / (hot + (1 - hot) / p))
                    + Double(threads) * SerialRule.threadStartGas
                let expected = block.txs.count < SerialRule.minimumTransactions || cost >= total
                let got = SerialRule.prefersSerial(block.txs, env: block.env, threads: threads, cores: cores)
                XCTAssertEqual(got, expected, "block \(k), \(block.txs.count) transactions, \(threads) threads, \(cores) cores")
                if got { serial += 1 } else { parallel += 1 }
            }
        }
        // Both decisions occur (the test covers both sides of the exit).
        XCTAssertGreaterThan(serial, 100)
        XCTAssertGreaterThan(parallel, 100)
    }
}
