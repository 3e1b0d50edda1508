import Foundation
import XCTest
import EVMPrimitives
import EVMState
import Execution
@testable import Harness
@testable import Vectors
@testable import Workloads

/// Same seed, same bytes; and every transaction does what the generator meant it to do.
final class GeneratorDeterminismTests: XCTestCase {
    static let knobs = GeneratorOptions(workload: .mixed, transactions: 60, seed: 99, accounts: 20, hotRatio: 0.4,
                                        hotSet: 3, dependencyDistance: 3, invalidRatio: 0.1, revertRatio: 0.1)

    func files(_ options: GeneratorOptions) throws -> [String: String] {
        let block = try BlockGenerator.generate(options)
        return try BlockVectorIO.encode(block.vector, signedWith: block.secretKeys)
    }

    func testSameSeedSameBytes() throws {
        for w in Workload.builtIn where w.minimumFork <= .cancun {
            var o = Self.knobs
            o.workload = w
            XCTAssertEqual(try files(o), try files(o), w.rawValue)
        }
    }

    func testGenerateTwiceWritesIdenticalFiles() throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("gen-twice-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: base) }
        try GeneratedVectors.write(Self.knobs, to: base + "/a")
        try GeneratedVectors.write(Self.knobs, to: base + "/b")
        let names = try fm.contentsOfDirectory(atPath: base + "/a").sorted()
        XCTAssertEqual(names, ["alloc.json", "env.json", "metadata.json", "txs.json"])
        XCTAssertEqual(names, try fm.contentsOfDirectory(atPath: base + "/b").sorted())
        for n in names {
            XCTAssertEqual(fm.contents(atPath: base + "/a/" + n), fm.contents(atPath: base + "/b/" + n), n)
        }
    }

    func testDifferentSeedDifferentBlock() throws {
        var other = Self.knobs
        other.seed += 1
        XCTAssertNotEqual(try files(Self.knobs)["txs.json"], try files(other)["txs.json"])
    }

    func testMetadataRecordsSeedAndEveryKnob() throws {
        let m = try BlockGenerator.generate(Self.knobs).vector.metadata
        XCTAssertEqual(m["workload"], "mixed")
        XCTAssertEqual(m["seed"], "99")
        XCTAssertEqual(m["txs"], "60")
        XCTAssertEqual(m["accounts"], "20")
        XCTAssertEqual(m["hotRatio"], "0.4")
        XCTAssertEqual(m["hotSet"], "3")
        XCTAssertEqual(m["dependencyDistance"], "3")
        XCTAssertEqual(m["invalidRatio"], "0.1")
        XCTAssertEqual(m["revertRatio"], "0.1")
        XCTAssertEqual(m["hotTransactions"], "24")
        XCTAssertEqual(m["invalidTransactions"], "6")
        XCTAssertEqual(m["revertTransactions"], "6")
        XCTAssertEqual(m["command"], Self.knobs.commandLine)
    }

    func testDependencyDistanceChainsSenders() throws {
        var o = GeneratorOptions(workload: .counter, transactions: 30, seed: 5, hotRatio: 0, dependencyDistance: 4)
        let txs = try BlockGenerator.generate(o).vector.transactions
        for i in 4..<30 { XCTAssertEqual(txs[i].sender, txs[i - 4].sender) }
        XCTAssertEqual(Set(txs.prefix(4).map(\.sender)).count, 4)
        o.dependencyDistance = 0
        XCTAssertEqual(Set(try BlockGenerator.generate(o).vector.transactions.map(\.sender)).count, 30)
    }

    /// Runs each workload serially: invalid transactions are rejected exactly where the generator put them,
    /// reverting ones fail, all others succeed (so no transaction runs out of gas or lacks pre-state by accident).
    func checkRoles(_ options: GeneratorOptions, file: StaticString = #filePath, line: UInt = #line) throws {
        let block = try BlockGenerator.generate(options)
        let v = block.vector
        let outcome = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        let rejected = Set(outcome.rejected.map(\.index))
        let expectedRejected = Set(block.roles.indices.filter { block.roles[$0].invalid != nil })
        XCTAssertEqual(rejected, expectedRejected, "\(options.vectorName): rejected \(outcome.rejected)", file: file, line: line)
        var k = 0
        for (i, role) in block.roles.enumerated() where role.invalid == nil {
            guard k < outcome.receipts.count else { break }
            XCTAssertEqual(outcome.receipts[k].success, !role.reverts,
                           "\(options.vectorName) tx \(i) (\(role.kind)) success should be \(!role.reverts)", file: file, line: line)
            k += 1
        }
        XCTAssertEqual(k, outcome.receipts.count, file: file, line: line)
    }

    func testEveryTransactionDoesWhatItsRoleSays() throws {
        // The EIP-7702 workloads: DelegationWorkloadTests.
        for w in Workload.builtIn where w.minimumFork <= .cancun {
            for hot in [0.0, 0.5, 1.0] {
                try checkRoles(GeneratorOptions(workload: w, transactions: 40, seed: 11, hotRatio: hot, dependencyDistance: hot == 0.5 ? 2 : 0,
                                                invalidRatio: 0.15, revertRatio: 0.15, computeRounds: 8))
            }
        }
    }

    func testHotRatioOneOnCounterIsFullySerial() throws {
        let block = try BlockGenerator.generate(GeneratorOptions(workload: .counter, transactions: 25, seed: 3))
        let v = block.vector
        let outcome = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        let graph = DependencyGraph(accessSets: WorkloadTable.preciseAccessSets(v, reference: outcome), coinbase: v.env.coinbase)
        XCTAssertEqual(graph.conflictingTransactions, 24)
        XCTAssertEqual(graph.criticalPath(weights: outcome.transactionGas).transactions.count, 25)
    }

    func testHotRatioZeroOnTransfersHasNoConflicts() throws {
        let block = try BlockGenerator.generate(GeneratorOptions(workload: .transfers, transactions: 25, seed: 3, hotRatio: 0))
        let v = block.vector
        let outcome = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        let graph = DependencyGraph(accessSets: WorkloadTable.preciseAccessSets(v, reference: outcome), coinbase: v.env.coinbase)
        XCTAssertEqual(graph.conflictingTransactions, 0)
    }
}
