import Foundation
import XCTest
import EVMPrimitives
import EVMState
import Execution
import VectorIO
@testable import Harness
@testable import Vectors
@testable import Workloads

/// The committed vectors under `Vectors/blocks/`: each is exactly what the generator writes for its recorded
/// options, and Lockstep's serial executor and Block-STM reproduce the Python execution specification's results
/// (`expected.json`, filled by `ci/fill-vectors.sh`) on every one.
final class CommittedVectorsTests: XCTestCase {
    /// A committed part file's bytes, whether it is stored plain or zstd-compressed.
    func committed(_ dir: String, _ part: String) throws -> String? {
        for suffix in [".json", ".json.zst"] where FileManager.default.fileExists(atPath: dir + "/" + part + suffix) {
            return String(decoding: try VectorFile.read(path: dir + "/" + part + suffix), as: UTF8.self)
        }
        return nil
    }

    func testSuiteIsCommittedAndFilled() throws {
        let suite = GeneratorSuite.committed
        XCTAssertGreaterThanOrEqual(suite.count, 40)
        XCTAssertEqual(Set(suite.map(\.relativePath)).count, suite.count, "vector paths must be unique")
        // The Cancun set, the latest fork, and the EIP-7702 workloads at Osaka and BPO2.
        XCTAssertEqual(Set(suite.map(\.fork)), [.cancun, .osaka, .bpo2])
        for w in Workload.builtIn {
            let sizes = Set(suite.filter { $0.workload == w }.map(\.transactions))
            let hot = Set(suite.filter { $0.workload == w }.map(\.resolvedHotRatio))
            XCTAssertTrue(sizes.contains(1) && sizes.count >= 3 && (sizes.max() ?? 0) >= 60, "\(w) sizes \(sizes)")
            XCTAssertGreaterThanOrEqual(hot.count, 3, "\(w) hot ratios \(hot)")
        }
        for w in Workload.builtIn where w.minimumFork <= .cancun {
            XCTAssertTrue(suite.contains { $0.workload == w && $0.fork == GeneratorOptions.latestFork }, "\(w) at the latest fork")
        }
        for options in suite {
            let dir = TestPaths.blocks + "/" + options.relativePath
            XCTAssertNotNil(try committed(dir, "expected"), "\(options.relativePath) has no expected.json")
        }
    }

    /// Same seed, same bytes: regenerating each committed vector from its options gives its files exactly.
    func testCommittedVectorsAreTheGeneratorsOutput() throws {
        for options in GeneratorSuite.committed {
            let dir = TestPaths.blocks + "/" + options.relativePath
            let block = try BlockGenerator.generate(options)
            var vector = block.vector
            if let metadata = try committed(dir, "metadata"), metadata.contains("\"expectedFrom\"") {
                vector.metadata["expectedFrom"] = "ethereum-spec-evm t8n"
            }
            let files = try BlockVectorIO.encode(vector, signedWith: block.secretKeys)
            for part in ["alloc", "env", "txs", "metadata"] {
                XCTAssertEqual(try committed(dir, part), files[part + ".json"], "\(options.relativePath)/\(part)")
            }
        }
    }

    /// Serial and Block-STM (2 and 4 threads, always parallel) match the spec's expected values on every committed
    /// vector, and Block-STM equals serial bit for bit.
    func testSerialAndBlockSTMMatchTheSpecification() throws {
        let sources = try BlockVectorIO.collect(paths: [TestPaths.blocks])
        XCTAssertGreaterThanOrEqual(sources.count, GeneratorSuite.committed.count)
        for source in sources {
            let vector: BlockVector
            switch BlockVectorIO.load(source) {
            case .success(let v): vector = v
            case .failure(let e): XCTFail("\(e)"); continue
            }
            // Every transaction loads under the vector's own fork (type 4 from Prague).
            XCTAssertEqual(vector.rejectedOnLoad, [], source.name)
            guard let expected = vector.expected else { XCTFail("\(source.name): no expected.json"); continue }
            // A fork whose block-level rules (system calls, requests) the executors do not run yet cannot
            // reproduce the spec's roots; every fork the generator writes is supported once they do.
            guard vector.fork.isSupported else { continue }
            XCTAssertNotNil(expected.stateRoot, source.name)
            XCTAssertNotNil(expected.receiptsRoot, source.name)
            if vector.fork >= .prague { XCTAssertNotNil(expected.requestsHash, source.name) }
            let v = vector
            let outcomes = onLargeStack {
                [SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork),
                 BlockSTMExecutor(threads: 2, policy: .alwaysParallel).execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork),
                 BlockSTMExecutor(threads: 4, policy: .alwaysParallel).execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)]
            }
            for (k, o) in outcomes.enumerated() {
                XCTAssertEqual(BlockRunner.expectationProblems(o, expected), [], "\(source.name) executor \(k)")
                if k > 0 {
                    XCTAssertNil(BlockRunner.divergence(o, from: outcomes[0], transactions: v.transactions.count),
                                 "\(source.name): Block-STM differs from serial")
                }
            }
        }
    }
}
