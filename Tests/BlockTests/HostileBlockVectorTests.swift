import Foundation
import XCTest
import EVMPrimitives
@testable import Execution
import VectorIO
@testable import Harness
@testable import Vectors

/// Issue 12 for block vectors: invalid signatures reject the transaction (as t8n tools do) instead of failing the
/// vector; duplicate keys, symlink loops and slow external tools are handled.
final class HostileBlockVectorTests: XCTestCase {
    /// A committed vector of 20 independent transfers (20 senders), copied to a scratch directory.
    func transfers() throws -> (dir: String, txs: [[String: Any]]) {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Vectors/blocks/transfers-n20-hot0.0").path
        let dir = try BlockTestSupport.scratchDirectory() + "/v"
        try FileManager.default.copyItem(atPath: source, toPath: dir)
        try FileManager.default.removeItem(atPath: dir + "/expected.json")
        let txs = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/txs.json"))) as? [[String: Any]])
        return (dir, txs)
    }

    /// The vector with `txs[3]` changed by `change`: loads, lists 3 as rejected, and runs like the vector without it.
    func checkRejected(_ change: (inout [String: Any]) -> Void, mentioning words: String,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        var (dir, txs) = try transfers()
        let original = try BlockVectorIO.load(path: dir).get()
        change(&txs[3])
        try BlockTestSupport.write(txs, to: dir + "/txs.json")
        let vector = try BlockVectorIO.load(path: dir).get()
        XCTAssertEqual(vector.transactions.count, 19, file: file, line: line)
        XCTAssertEqual(vector.rejectedOnLoad.map(\.index), [3], file: file, line: line)
        XCTAssertTrue(vector.rejectedOnLoad.first?.error.contains(words) == true,
                      "\(vector.rejectedOnLoad)", file: file, line: line)

        var without = original
        without.transactions.remove(at: 3)
        let want = SerialExecutor().execute(pre: without.pre, env: without.env, transactions: without.transactions,
                                            fork: without.fork)
        let rows = BlockRunner(executors: [.serial, .blockstm], threads: [2]).run(vector)
        XCTAssertEqual(rows.count, 2, file: file, line: line)
        for row in rows {
            XCTAssertTrue(row.pass, "\(row.executor): \(row.error ?? "")", file: file, line: line)
            XCTAssertEqual(row.rejected?.map(\.index), [3], file: file, line: line)
            XCTAssertEqual(row.stateRoot, want.stateRoot.description, file: file, line: line)
            XCTAssertEqual(row.gasUsed, want.gasUsed, file: file, line: line)
        }
        // expected.json listing the rejection passes; one that does not list it fails on the rejected list.
        try BlockTestSupport.write(["stateRoot": want.stateRoot.description, "rejected": [["index": 3, "error": "bad"]]],
                                   to: dir + "/expected.json")
        XCTAssertTrue(BlockRunner(executors: [.serial], threads: [1]).run(try BlockVectorIO.load(path: dir).get())
            .allSatisfy(\.pass), file: file, line: line)
        try BlockTestSupport.write(["stateRoot": want.stateRoot.description, "rejected": [Any]()], to: dir + "/expected.json")
        XCTAssertFalse(BlockRunner(executors: [.serial], threads: [1]).run(try BlockVectorIO.load(path: dir).get())
            .allSatisfy(\.pass), file: file, line: line)
    }

    func testZeroRIsRejected() throws {
        try checkRejected({ $0["r"] = "0x0"; $0["hash"] = nil }, mentioning: "r must be in [1, n)")
    }

    func testVOutOfRangeIsRejected() throws {
        try checkRejected({ $0["v"] = "0x63"; $0["hash"] = nil }, mentioning: "is for chain 32")
    }

    func testHighSIsRejected() throws {
        // s -> n - s: the same signature in its high-s form, invalid since EIP-2.
        try checkRejected({ tx in
            let s = try! UInt256(hex: tx["s"] as! String)
            tx["s"] = (TransactionCodec.curveOrder &- s).hexString
            tx["hash"] = nil
        }, mentioning: "EIP-2")
    }

    func testDuplicateAllocAddressIsAnError() throws {
        let (dir, _) = try transfers()
        let text = try String(contentsOfFile: dir + "/alloc.json", encoding: .utf8)
        let first = try XCTUnwrap(text.range(of: "\"0x"))
        let key = String(text[first.lowerBound...].prefix(44))
        try BlockTestSupport.write(text.replacingOccurrences(of: "{", with: "{\(key): {\"balance\": \"0x1\"},",
                                                             options: [], range: text.startIndex..<text.index(after: text.startIndex)),
                                   to: dir + "/alloc.json")
        guard case .failure(let e) = BlockVectorIO.load(path: dir) else { return XCTFail("loaded") }
        XCTAssertTrue(e.description.contains("duplicate key \(key)"), e.description)
        XCTAssertTrue(e.description.contains("alloc.json"), e.description)
    }

    func testSymlinkLoopsInVectorTrees() throws {
        let root = try BlockTestSupport.scratchDirectory()
        try FileManager.default.createSymbolicLink(atPath: root + "/a", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: root + "/b", withDestinationPath: ".")
        XCTAssertEqual(try BlockVectorIO.collect(paths: [root]).count, 0)
        let (dir, _) = try transfers()
        try FileManager.default.createSymbolicLink(atPath: root + "/v", withDestinationPath: dir)
        XCTAssertEqual(try BlockVectorIO.collect(paths: [root]).map(\.name), ["v"])
    }

    func testExternalExecutorTimesOut() throws {
        let (dir, _) = try transfers()
        let vector = try BlockVectorIO.load(path: dir).get()
        let tool = ExternalT8nExecutor(command: "sleep 30 #", timeout: .milliseconds(500))
        let start = ContinuousClock.now
        let row = tool.check(vector)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        XCTAssertFalse(row.pass)
        XCTAssertTrue(row.error?.contains("executor timeout") == true, row.error ?? "")
    }
}
