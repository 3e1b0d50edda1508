import XCTest
import EVMPrimitives
import EVMState
@testable import Execution
@testable import Workloads

/// Dependency graphs with known answers: hand-made access sets, and serial runs of the benchmark blocks.
final class DependencyGraphTests: XCTestCase {
    static let contract = Address(a: 0xC0, b: 0, c: 1)
    static func slot(_ n: UInt64) -> StateLocation { .storage(contract, UInt256(n)) }
    static func sets(reads: [StateLocation], writes: [StateLocation]) -> AccessSets {
        AccessSets(reads: Set(reads), writes: Set(writes))
    }

    /// tx0 A->A, tx1 B->B, tx2 reads A,B writes C, tx3 rejected, tx4 reads C,D writes A, tx5 reads A,
    /// tx6 writes C again (write-after-write: no dependency) and reads E.
    static let handMade: [AccessSets] = [
        sets(reads: [slot(0xA)], writes: [slot(0xA)]),
        sets(reads: [slot(0xB)], writes: [slot(0xB)]),
        sets(reads: [slot(0xA), slot(0xB)], writes: [slot(0xC)]),
        sets(reads: [], writes: []),
        sets(reads: [slot(0xC), slot(0xD)], writes: [slot(0xA)]),
        sets(reads: [slot(0xA)], writes: []),
        sets(reads: [slot(0xE)], writes: [slot(0xC)]),
    ]

    func testDependenciesAreLatestLowerWriterOfEachRead() {
        let g = DependencyGraph(accessSets: Self.handMade)
        XCTAssertEqual(g.dependencies, [[], [], [0, 1], [], [2], [4], []])
        XCTAssertEqual(g.included, [true, true, true, false, true, true, true])
        XCTAssertEqual(g.edgeCount, 4)
        XCTAssertEqual(g.conflictingTransactions, 3)
        XCTAssertEqual(g.conflictRate, 3.0 / 7.0, accuracy: 1e-12)
    }

    func testCriticalPathIsTheHeaviestChain() {
        let g = DependencyGraph(accessSets: Self.handMade)
        let path = g.criticalPath(weights: [10, 20, 5, 0, 7, 1, 3])
        XCTAssertEqual(path.weight, 33)       // 20 + 5 + 7 + 1
        XCTAssertEqual(path.total, 46)
        XCTAssertEqual(path.transactions, [1, 2, 4, 5])
        XCTAssertEqual(path.parallelism, 46.0 / 33.0, accuracy: 1e-12)
        XCTAssertEqual(path.idealSpeedup(threads: 1), 1)
        XCTAssertEqual(path.idealSpeedup(threads: 8), 46.0 / 33.0, accuracy: 1e-12)
        // Other weights move the path: with tx0 heavy the chain goes through it.
        let other = g.criticalPath(weights: [100, 20, 5, 0, 7, 1, 3])
        XCTAssertEqual(other.transactions, [0, 2, 4, 5])
        XCTAssertEqual(other.weight, 113)
    }

    func testIndependentTransactionsAreBoundByThreads() {
        let g = DependencyGraph(accessSets: (0..<6).map { i in Self.sets(reads: [Self.slot(UInt64(i))], writes: [Self.slot(UInt64(i))]) })
        XCTAssertEqual(g.conflictRate, 0)
        let path = g.criticalPath(weights: [5, 5, 5, 5, 5, 5])
        XCTAssertEqual(path.weight, 5)
        XCTAssertEqual(path.idealSpeedup(threads: 4), 4)
        XCTAssertEqual(path.idealSpeedup(threads: 16), 6)
        // An empty block.
        let empty = DependencyGraph(accessSets: [])
        XCTAssertEqual(empty.conflictRate, 0)
        XCTAssertEqual(empty.criticalPath(weights: []).idealSpeedup(threads: 4), 1)
    }

    /// A transaction that reads the coinbase waits for every lower included transaction's fee.
    func testCoinbaseReaderDependsOnEveryLowerIncludedTransaction() {
        let coinbase = Address(a: 0xCB, b: 0, c: 0)
        let g = DependencyGraph(accessSets: [
            Self.sets(reads: [Self.slot(1)], writes: [Self.slot(1)]),
            Self.sets(reads: [], writes: []),                      // rejected
            Self.sets(reads: [Self.slot(2)], writes: [Self.slot(2)]),
            Self.sets(reads: [.account(coinbase)], writes: [Self.slot(3)]),
            Self.sets(reads: [Self.slot(3)], writes: []),
        ], coinbase: coinbase)
        XCTAssertEqual(g.allDependencies(of: 3), [0, 2])
        XCTAssertEqual(g.allDependencies(of: 4), [3])
        XCTAssertEqual(g.edgeCount, 3)
        XCTAssertEqual(g.conflictingTransactions, 2)
        let path = g.criticalPath(weights: [4, 0, 9, 2, 1])
        XCTAssertEqual(path.transactions, [2, 3, 4])
        XCTAssertEqual(path.weight, 12)
        // Without the coinbase the reader is independent.
        XCTAssertEqual(DependencyGraph(accessSets: g.dependencies.indices.map { _ in AccessSets(reads: [], writes: []) }).edgeCount, 0)
    }

    /// Serial runs of the benchmark blocks: a counter incremented by every transaction is one chain; independent
    /// compute calls have no dependency at all.
    func testBenchmarkBlocksFromSerialRuns() throws {
        let blocks = BlockSTMBenchmark.blocks(txs: 8)
        let counter = try XCTUnwrap(blocks.first { $0.name == "dependent-counter" })
        let c = SerialExecutor().execute(pre: counter.pre, env: counter.env, transactions: counter.txs, fork: .cancun)
        let cg = DependencyGraph(outcome: c, coinbase: counter.env.coinbase)
        XCTAssertEqual(cg.conflictingTransactions, 7)
        XCTAssertEqual(cg.dependencies[5], [4])
        let cpath = cg.criticalPath(weights: c.transactionGas)
        XCTAssertEqual(cpath.weight, c.gasUsed)
        XCTAssertEqual(cpath.transactions, Array(0..<8))
        XCTAssertEqual(cpath.idealSpeedup(threads: 4), 1)

        let compute = try XCTUnwrap(blocks.first { $0.name == "compute-heavy" })
        let o = SerialExecutor().execute(pre: compute.pre, env: compute.env, transactions: compute.txs, fork: .cancun)
        let og = DependencyGraph(outcome: o, coinbase: compute.env.coinbase)
        XCTAssertEqual(og.conflictRate, 0)
        let opath = og.criticalPath(weights: o.transactionGas)
        XCTAssertEqual(opath.weight, o.transactionGas.max())
        XCTAssertEqual(opath.idealSpeedup(threads: 4), 4)
    }
}
