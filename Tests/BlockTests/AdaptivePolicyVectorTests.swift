import Foundation
import Synchronization
import XCTest
import EVMPrimitives
import EVMState
@testable import Execution
@testable import Vectors

/// Every committed block vector under Block-STM's adaptive policy with its decision forced after a serial probe
/// (`BlockSTMExecutor.forcedProbe`): the first transactions serially, then the rest under Block-STM from the
/// state they left, or serially; both equal `SerialExecutor` bit for bit (roots, receipts, gas, logs, rejected
/// transactions, blob gas). (Here rather than in ParallelTests, which does not read vectors.)
final class AdaptivePolicyVectorTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Vectors/blocks").path

    /// Every vector directory (one holding an env.json), sorted.
    static func vectorDirectories() -> [String] {
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix("/env.json") || $0 == "env.json" }
            .map { String($0.dropLast("env.json".count)).trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
            .sorted()
    }

    func testEveryVectorUnderForcedProbeDecisions() throws {
        let dirs = Self.vectorDirectories()
        XCTAssertGreaterThanOrEqual(dirs.count, 60)
        for dir in dirs {
            let v = try BlockVectorIO.load(path: Self.root + "/" + dir).get()
            let n = v.transactions.count
            let forced: [BlockSTMExecutor.ForcedProbe] = [.init(length: n / 2, parallel: false)]
                + Set([1, n / 2]).sorted().filter { $0 < n }.map { .init(length: $0, parallel: true) }
            let results = Mutex<[(String, BlockOutcome)]>([])
            let serial = Mutex<BlockOutcome?>(nil)
            // On a worker thread: the interpreter needs its large stack.
            WorkerThreads.run(count: 1) { _ in
                serial.withLock { $0 = SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
                for f in forced {
                    var executor = BlockSTMExecutor(threads: 2)
                    executor.forcedProbe = f
                    let o = executor.execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                    results.withLock { $0.append(("\(dir): probe \(f.length) then \(f.parallel ? "parallel" : "serial")", o)) }
                }
            }
            let s = try XCTUnwrap(serial.withLock { $0 })
            for (what, o) in results.withLock({ $0 }) {
                assertSameOutcome(s, o, what)
            }
        }
    }
}
