import Foundation
import Synchronization
import XCTest
import EVMPrimitives
import EVMState
import Execution
import RLP
@testable import Harness
@testable import Vectors

/// `lockstep blocktest`'s loader, header code and runner: the shared BlockchainTests pass, and each check fails
/// when the vector is changed so that it must.
final class BlockchainTestTests: XCTestCase {
    static let example = "BlockchainTests/ValidBlocks/bcExample/basefeeExample.json.zst"

    /// The example test with `change` applied to its JSON, run serially and through Block-STM at 2 threads.
    func runExample(_ relative: String = BlockchainTestTests.example, change: (inout [String: Any]) -> Void = { _ in }) throws -> BlockchainTestResult {
        var file = try BlockTestSupport.json(relative)
        let name = try XCTUnwrap(file.keys.sorted().first)
        var test = try XCTUnwrap(file[name] as? [String: Any])
        change(&test)
        file[name] = test
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: file))
        let cases = try BlockchainTestLoader.load(json: bytes, file: "example")
        XCTAssertEqual(cases.count, 1)
        let runner = BlockchainTestRunner(blockSTMThreads: [2])
        let box = Mutex<BlockchainTestResult?>(nil)
        let only = cases[0]
        WorkerThreads.run(count: 1) { _ in
            let r = runner.run(only)
            box.withLock { $0 = r }
        }
        return try XCTUnwrap(box.withLock { $0 })
    }

    func testExamplePasses() throws {
        let r = try runExample()
        XCTAssertTrue(r.pass, r.error ?? "")
        XCTAssertEqual(r.imported, 1)
        XCTAssertEqual(r.executors, ["serial", "blockstm x2"])
    }

    func testAcceptedBlockThatMustBeRejectedFails() throws {
        let r = try runExample { test in
            var blocks = test["blocks"] as! [[String: Any]]
            blocks[0]["expectException"] = "BlockException.INVALID_STATE_ROOT"
            test["blocks"] = blocks
        }
        XCTAssertFalse(r.pass)
        XCTAssertTrue(r.error?.contains("expected to be rejected") ?? false, r.error ?? "")
    }

    /// A header field changed in the block's RLP: the block no longer matches its execution, so it is rejected,
    /// and a valid block that is rejected fails the test.
    func testChangedHeaderFieldsAreRejected() throws {
        // gasUsed (10), stateRoot (3), receiptsRoot (5), logsBloom (6), baseFee (15), timestamp (11), extraData (12).
        let changes: [(Int, RLPItem, String)] = [
            (10, .uint(1), "gas used"), (3, .bytes([UInt8](repeating: 7, count: 32)), "state root"),
            (5, .bytes([UInt8](repeating: 7, count: 32)), "receipts root"),
            (6, .bytes([UInt8](repeating: 1, count: 256)), "logs bloom"), (15, .uint(7), "base fee"),
            (11, .uint(1), "timestamp"), (12, .bytes([UInt8](repeating: 0x42, count: 33)), "extra data"),
        ]
        for (field, value, words) in changes {
            let r = try runExample { test in
                var blocks = test["blocks"] as! [[String: Any]]
                let rlp = BlockTestSupport.hex(blocks[0]["rlp"] as! String)
                guard case .list(var parts)? = try? RLP.decode(rlp), case .list(var header) = parts[0] else { return }
                header[field] = value
                parts[0] = .list(header)
                blocks[0]["rlp"] = "0x" + RLP.encode(.list(parts)).map { String(format: "%02x", $0) }.joined()
                test["blocks"] = blocks
            }
            XCTAssertFalse(r.pass, words)
            XCTAssertTrue(r.error?.contains("valid block rejected") ?? false, "\(words): \(r.error ?? "")")
            XCTAssertTrue(r.error?.contains(words) ?? false, "\(words): \(r.error ?? "")")
        }
    }

    func testWrongHeadAndPostStateFail() throws {
        let head = try runExample { $0["lastblockhash"] = "0x" + String(repeating: "ab", count: 32) }
        XCTAssertFalse(head.pass)
        XCTAssertTrue(head.error?.contains("lastblockhash") ?? false, head.error ?? "")
        let post = try runExample { test in
            var state = test["postState"] as! [String: Any]
            let address = state.keys.sorted()[0]
            var account = state[address] as! [String: Any]
            account["nonce"] = "0x99"
            state[address] = account
            test["postState"] = state
        }
        XCTAssertFalse(post.pass)
        XCTAssertTrue(post.error?.contains("post-state differs") ?? false, post.error ?? "")
        let genesis = try runExample { test in
            var pre = test["pre"] as! [String: Any]
            pre["0x00000000000000000000000000000000000000aa"] = ["balance": "0x01", "nonce": "0x00", "code": "0x", "storage": [:]]
            test["pre"] = pre
        }
        XCTAssertFalse(genesis.pass)
        XCTAssertTrue(genesis.error?.contains("pre-state root") ?? false, genesis.error ?? "")
    }

    /// Every shared blockchain test: 0 failed, 0 skipped, serially and through Block-STM at 2 threads.
    func testSharedBlockchainTestsPass() throws {
        let dir = BlockTestSupport.sharedRoot + "/ethereum-tests/BlockchainTests"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir), "shared vectors not present")
        let results = BlockchainTestRunner(blockSTMThreads: [2]).run(sources: try StateTestLoader.sources(for: [dir]))
        let summary = BlockchainTestSummary(results)
        XCTAssertEqual(summary.failed, 0, results.filter(\.isFailure).prefix(5).map { "\($0.name): \($0.error ?? "")" }.joined(separator: "\n"))
        XCTAssertEqual(summary.skipped, 0)
        XCTAssertGreaterThanOrEqual(summary.passed, 280)
        XCTAssertEqual(results.reduce(0) { $0 + $1.rejected }, 227)
    }

    func testRunnerSetsTheStatus() throws {
        // Each outcome's status is the runner's decision, its reason the message: pass, a failed check, a file
        // that does not load (an error, what `blocktest` exits 2 for).
        XCTAssertEqual(try runExample().status, .passed)
        let head = try runExample { $0["lastblockhash"] = "0x" + String(repeating: "ab", count: 32) }
        guard case .failed(let why) = head.status else { return XCTFail("expected a failure, got \(head.status)") }
        XCTAssertTrue(why.contains("lastblockhash"), why)
        XCTAssertEqual(head.error, why)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-bt-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("{".utf8).write(to: URL(fileURLWithPath: dir + "/broken.json"))
        let results = BlockchainTestRunner(blockSTMThreads: [2]).run(sources: try StateTestLoader.sources(for: [dir]))
        XCTAssertEqual(results.count, 1)
        guard case .error(let reason)? = results.first?.status else { return XCTFail("expected an error, got \(String(describing: results.first?.status))") }
        XCTAssertTrue(reason.contains("malformed JSON"), reason)
        XCTAssertTrue(results[0].isFailure)
        XCTAssertNil(results[0].skipReason)
    }

    func testLoaderThrowsOnBadInput() {
        let bad: [(String, String)] = [
            ("{", "malformed JSON"), ("[]", "top level"), ("{\"t\": {}}", "missing field network"),
            ("{\"t\": {\"network\": \"Nowhere\"}}", "unknown fork"),
            ("{\"t\": {\"network\": \"Cancun\", \"pre\": {}, \"genesisRLP\": \"0xzz\"}}", "genesisRLP"),
        ]
        for (text, words) in bad {
            XCTAssertThrowsError(try BlockchainTestLoader.load(json: Array(text.utf8), file: "f")) { error in
                XCTAssertTrue("\(error)".contains(words), "\(text): \(error)")
            }
        }
    }

    // MARK: - Headers

    func testHeaderRoundTripsAndHashes() throws {
        let file = try BlockTestSupport.json(Self.example)
        let test = try XCTUnwrap(file.values.first as? [String: Any])
        let genesis = try DecodedBlock.decode(BlockTestSupport.hex(test["genesisRLP"] as! String))
        let want = try Hash32(hex: (test["genesisBlockHeader"] as! [String: Any])["hash"] as! String)
        XCTAssertEqual(genesis.hash, want)
        XCTAssertEqual(genesis.header.hash, want)
        XCTAssertEqual(genesis.header.optionalFieldCount, BlockHeader.optionalFieldCount(.cancun))
        let decoded = try BlockHeader.decode(try RLP.decode(genesis.header.encoded))
        XCTAssertEqual(decoded, genesis.header)
    }

    func testHeaderDecodingRejectsWrongWidths() throws {
        var fields = [RLPItem](repeating: .bytes([UInt8](repeating: 0, count: 32)), count: 15)
        fields[2] = .bytes([UInt8](repeating: 0, count: 20))
        fields[6] = .bytes([UInt8](repeating: 0, count: 256))
        for i in 7...12 { fields[i] = .bytes([]) }
        fields[14] = .bytes([UInt8](repeating: 0, count: 8))
        XCTAssertNoThrow(try BlockHeader.decode(.list(fields)))
        var shortNonce = fields
        shortNonce[14] = .bytes([0])
        XCTAssertThrowsError(try BlockHeader.decode(.list(shortNonce)))
        var longNumber = fields
        longNumber[8] = .bytes([UInt8](repeating: 1, count: 9))
        XCTAssertThrowsError(try BlockHeader.decode(.list(longNumber)))
        var leadingZero = fields
        leadingZero[7] = .bytes([0, 1])
        XCTAssertThrowsError(try BlockHeader.decode(.list(leadingZero)))
        XCTAssertThrowsError(try BlockHeader.decode(.list(Array(fields.prefix(14)))))
    }

    func testBaseFeeFollowsEIP1559() {
        var parent = BlockHeader(number: 1, gasLimit: 30_000_000, gasUsed: 15_000_000, baseFee: UInt256(1_000_000_000))
        XCTAssertEqual(BlockHeaderValidation.expectedBaseFee(parent: parent, parentFork: .london), UInt256(1_000_000_000))
        parent.gasUsed = 30_000_000  // full: +12.5%
        XCTAssertEqual(BlockHeaderValidation.expectedBaseFee(parent: parent, parentFork: .london), UInt256(1_125_000_000))
        parent.gasUsed = 0  // empty: -12.5%
        XCTAssertEqual(BlockHeaderValidation.expectedBaseFee(parent: parent, parentFork: .london), UInt256(875_000_000))
        parent.baseFee = UInt256(7)
        parent.gasUsed = 15_000_001  // the increase is at least 1
        XCTAssertEqual(BlockHeaderValidation.expectedBaseFee(parent: parent, parentFork: .london), UInt256(8))
        XCTAssertEqual(BlockHeaderValidation.expectedBaseFee(parent: parent, parentFork: .berlin), UInt256(1_000_000_000))
    }

    func testExcessBlobGasFollowsEIP4844() {
        var parent = BlockHeader(blobGasUsed: 393_216 + 131_072, excessBlobGas: 0)
        XCTAssertEqual(BlockHeaderValidation.expectedExcessBlobGas(parent: parent, parentFork: .cancun), 131_072)
        parent.blobGasUsed = 0
        XCTAssertEqual(BlockHeaderValidation.expectedExcessBlobGas(parent: parent, parentFork: .cancun), 0)
        XCTAssertEqual(BlockHeaderValidation.expectedExcessBlobGas(parent: parent, parentFork: .shanghai), 0)
    }

    func testGasLimitBounds() throws {
        let parent = BlockHeader(number: 1, gasLimit: 1_024_000, timestamp: 10)
        func block(_ limit: UInt64) -> DecodedBlock {
            DecodedBlock(header: BlockHeader(parentHash: parent.hash, number: 2, gasLimit: limit, timestamp: 11),
                         transactions: [], transactionEncodings: [], ommers: [], withdrawals: nil, hash: .zero)
        }
        XCTAssertNoThrow(try BlockHeaderValidation.validate(block(1_024_999), fork: .berlin, parent: parent, parentFork: .berlin))
        XCTAssertThrowsError(try BlockHeaderValidation.validate(block(1_025_000), fork: .berlin, parent: parent, parentFork: .berlin))
        XCTAssertThrowsError(try BlockHeaderValidation.validate(block(1_023_000), fork: .berlin, parent: parent, parentFork: .berlin))
    }

    // MARK: - Fork schedules

    func testMainnetScheduleAndTransitionNetworks() throws {
        let m = ForkSchedule.mainnet
        XCTAssertEqual(m.fork(number: 1_149_999, timestamp: 0), .frontier)
        XCTAssertEqual(m.fork(number: 1_150_000, timestamp: 0), .homestead)
        XCTAssertEqual(m.fork(number: 4_369_999, timestamp: 0), .spuriousDragon)
        XCTAssertEqual(m.fork(number: 4_370_000, timestamp: 0), .byzantium)
        XCTAssertEqual(m.fork(number: 7_280_000, timestamp: 0), .petersburg)
        XCTAssertEqual(m.fork(number: 15_537_393, timestamp: 1_663_224_162), .grayGlacier)
        XCTAssertEqual(m.fork(number: 15_537_394, timestamp: 1_663_224_179), .paris)
        XCTAssertEqual(m.fork(number: 17_034_869, timestamp: 1_681_338_454), .paris)
        XCTAssertEqual(m.fork(number: 17_034_870, timestamp: 1_681_338_455), .shanghai)
        XCTAssertEqual(m.fork(number: 19_426_587, timestamp: 1_710_338_135), .cancun)

        XCTAssertEqual(ForkSchedule(network: "Cancun"), ForkSchedule(only: .cancun))
        let t = try XCTUnwrap(ForkSchedule(network: "ShanghaiToCancunAtTime15k"))
        XCTAssertEqual(t.fork(number: 5, timestamp: 14_999), .shanghai)
        XCTAssertEqual(t.fork(number: 5, timestamp: 15_000), .cancun)
        let b = try XCTUnwrap(ForkSchedule(network: "BerlinToLondonAt5"))
        XCTAssertEqual(b.fork(number: 4, timestamp: 0), .berlin)
        XCTAssertEqual(b.fork(number: 5, timestamp: 0), .london)
        XCTAssertNil(ForkSchedule(network: "CancunToShanghaiAt5"))
        XCTAssertNil(ForkSchedule(network: "BerlinToLondonAt"))
        XCTAssertNil(ForkSchedule(network: "Nowhere"))
    }
}
