import XCTest
import EVMPrimitives
@testable import Execution
@testable import Harness
@testable import Reports
@testable import Vectors
@testable import Workloads

/// Where parallel time goes and which locations contend: Block-STM's per-worker profile, merged and reported.
final class ProfileTests: XCTestCase {
    func testMergeSumsWorkersAndSortsContentionDeterministically() {
        let a = Address(a: 0, b: 0, c: 0xA), b = Address(a: 0, b: 0, c: 0xB)
        var w0 = WorkerProfile(), w1 = WorkerProfile()
        w0.execution = 100; w0.reExecution = 10; w0.validation = 5
        w1.execution = 50; w1.validation = 7
        w0.failed[.storage(a, UInt256(1))] = 2
        w1.blocked[.storage(a, UInt256(1))] = 1
        w1.blocked[.account(b)] = 3
        w0.blocked[.storage(b, UInt256(0))] = 3
        for k in 0..<12 { w1.failed[.storage(b, UInt256(UInt64(100 + k)))] = 1 }
        let p = WorkerProfile.merge([w0, w1])
        XCTAssertEqual(p.executionNanoseconds, 150)
        XCTAssertEqual(p.reExecutionNanoseconds, 10)
        XCTAssertEqual(p.validationNanoseconds, 12)
        XCTAssertEqual(p.contended.count, BlockProfile.topLocations)
        // Most first (3, 3, 3: ties by name), then the ones, by name; the same whichever worker saw them.
        XCTAssertEqual(p.contended.prefix(3).map(\.location), [
            "\(a) storage[0x1]", "\(b) account", "\(b) storage[0x0]"])
        XCTAssertEqual(p.contended[0].failedValidations, 2)
        XCTAssertEqual(p.contended[0].blockedReads, 1)
        XCTAssertEqual(p.contended[3].location, "\(b) storage[0x64]")
        XCTAssertEqual(WorkerProfile.merge([w1, w0]), p)
    }

    func testBlockSTMProfilesTheCounterChain() throws {
        // Every transaction increments one slot: at two threads, re-executions and blocked reads pile up there.
        let block = try XCTUnwrap(BlockSTMBenchmark.blocks(txs: 64).first { $0.name == "dependent-counter" })
        let o = BlockSTMExecutor(threads: 2, policy: .alwaysParallel)
            .execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        let p = try XCTUnwrap(o.metrics.profile)
        XCTAssertGreaterThan(p.executionNanoseconds, 0)
        XCTAssertGreaterThan(p.validationNanoseconds, 0)
        XCTAssertGreaterThan(p.commitNanoseconds, 0)
        XCTAssertGreaterThan(p.rootsNanoseconds, 0)
        let counted = p.contended.reduce(0) { $0 + $1.failedValidations + $1.blockedReads }
        XCTAssertLessThanOrEqual(counted, o.metrics.failedValidations + o.metrics.blockedReads)
        if o.metrics.failedValidations + o.metrics.blockedReads > 0 {
            XCTAssertEqual(p.contended.first?.location, "0xc0c0000000000000000000000000000000000001 storage[0x0]")
        }
        if o.metrics.reExecutions > 0 { XCTAssertGreaterThan(p.reExecutionNanoseconds, 0) }
        // The serial executor has no profile.
        XCTAssertNil(SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun).metrics.profile)
    }

    func testRunnerInterleavesRoundsAndTheReportCarriesSamplesAndProfiles() throws {
        let block = try XCTUnwrap(BlockSTMBenchmark.blocks(txs: 32).first { $0.name == "dependent-counter" })
        let vector = BlockVector(name: "counter", path: "counter", pre: block.pre, env: block.env, transactions: block.txs)
        let rows = BlockRunner(executors: [.serial, .blockstm], threads: [2], repeats: 4).run(vector)
        let parallel = try XCTUnwrap(rows.first { $0.executor == "blockstm" })
        let serial = try XCTUnwrap(rows.first { $0.executor == "serial" })
        // Serial and Block-STM timed in the same four rounds: the parallel row carries the serial samples of its rounds.
        XCTAssertEqual(serial.timing?.samples?.count, 4)
        XCTAssertEqual(parallel.timing?.samples?.count, 4)
        XCTAssertEqual(parallel.timing?.serialSamples, serial.timing?.samples)
        let (_, performance) = BlockRunAdapter.adapt(rows: rows, suite: "blocks", hotRatio: nil, expected: nil,
                                                     bootstrap: BootstrapSettings(seed: 3), reproduce: { _, _ in "" })
        let w = try XCTUnwrap(performance)
        XCTAssertEqual(w.serialSamples?.count, 4)
        let run = try XCTUnwrap(w.runs.first)
        XCTAssertEqual(run.samples?.count, 4)
        let ci = try XCTUnwrap(run.speedupInterval)
        XCTAssertLessThanOrEqual(ci.lower, run.speedup)
        XCTAssertGreaterThanOrEqual(ci.upper, run.speedup)
        let profile = try XCTUnwrap(w.profiles?.first)
        XCTAssertEqual(profile.executor, "blockstm")
        XCTAssertEqual(profile.phases.map(\.phase), ["execution", "re-execution", "validation", "commit", "roots"])
    }
}
