import Foundation
import Synchronization
import XCTest
import EVMPrimitives
import Execution
@testable import Harness
@testable import Vectors

/// The runner's selection, skipping and pass rule, and a representative slice of the shared state tests.
final class StateTestRunnerTests: XCTestCase {
    typealias F = StateTestLoaderTests

    func fixtureCase(exception: String? = nil) throws -> StateTestCase {
        let post = F.post([F.entry(exception: exception)])
        let file = StateTestLoader.load(json: F.json(["t": F.test(post: post)]), file: "f.json")
        return try XCTUnwrap(file.cases.first, "\(file.errors)")
    }

    // MARK: - Pass rule

    func testJudgeValidTransaction() throws {
        let c = try fixtureCase()
        let good = StateTestOutcome(stateRoot: c.expectedStateRoot, logsHash: c.expectedLogsHash, rejection: nil)
        let r = StateTestRunner.judge(c, good)
        XCTAssertTrue(r.pass)
        XCTAssertNil(r.error)
        XCTAssertEqual(r.stateRoot, c.expectedStateRoot)
        XCTAssertEqual(r.fork, "Cancun")

        let wrongRoot = StateTestRunner.judge(c, StateTestOutcome(stateRoot: .zero, logsHash: c.expectedLogsHash, rejection: nil))
        XCTAssertFalse(wrongRoot.pass)
        XCTAssertEqual(wrongRoot.error, "state root \(Hash32.zero), expected \(c.expectedStateRoot)")

        let wrongLogs = StateTestRunner.judge(c, StateTestOutcome(stateRoot: c.expectedStateRoot, logsHash: .zero, rejection: nil))
        XCTAssertFalse(wrongLogs.pass)
        XCTAssertEqual(wrongLogs.error, "logs hash \(Hash32.zero), expected \(c.expectedLogsHash)")

        let rejected = StateTestRunner.judge(c, StateTestOutcome(stateRoot: c.expectedStateRoot,
                                                                  logsHash: c.expectedLogsHash, rejection: "nonce too low"))
        XCTAssertFalse(rejected.pass)
        XCTAssertEqual(rejected.error, "transaction rejected: nonce too low")
    }

    func testJudgeInvalidTransaction() throws {
        let c = try fixtureCase(exception: "TransactionException.NONCE_MISMATCH_TOO_LOW")
        let rejected = StateTestRunner.judge(c, StateTestOutcome(stateRoot: c.expectedStateRoot, logsHash: .zero,
                                                                  rejection: "nonce too low"))
        XCTAssertTrue(rejected.pass, rejected.error ?? "")
        let included = StateTestRunner.judge(c, StateTestOutcome(stateRoot: c.expectedStateRoot,
                                                                  logsHash: c.expectedLogsHash, rejection: nil))
        XCTAssertFalse(included.pass)
        XCTAssertEqual(included.error, "expected exception TransactionException.NONCE_MISMATCH_TOO_LOW, but the transaction was included")
        let wrongRoot = StateTestRunner.judge(c, StateTestOutcome(stateRoot: .zero, logsHash: .zero, rejection: "x"))
        XCTAssertFalse(wrongRoot.pass)
    }

    // MARK: - Selection and skipping

    func testFiltersSkipListAndEveryFork() throws {
        var post = F.post([F.entry(), F.entry(d: 1)])
        post["Prague"] = [F.entry()]
        post["Merge"] = [F.entry()]
        var file = StateTestLoader.load(json: F.json(["t": F.test(post: post)]), file: "f.json")
        file.errors.append(LoadError(file: "f.json", test: "u", reason: "missing field pre"))
        let skip = try SkipList(text: """
            # comment line
            :t:Cancun:d1  # needs the answer to everything

            """, source: "skip.txt")
        let runner = StateTestRunner(skipList: skip)
        let results = runner.run(file: file)
        XCTAssertEqual(results.map(\.name), ["f.json:u", "f.json:t:Cancun:d0g0v0", "f.json:t:Cancun:d1g0v0",
                                             "f.json:t:Merge:d0g0v0", "f.json:t:Prague:d0g0v0"])
        XCTAssertEqual(results[0].error, "missing field pre")
        XCTAssertTrue(results[0].isFailure)
        XCTAssertEqual(results[2].skipReason, "needs the answer to everything")
        // Every fork runs (Merge is Paris; Prague and later are executed too): only the skip list skips.
        for r in results[3...] {
            XCTAssertNil(r.skipReason, r.name)
            XCTAssertNotNil(r.stateRoot, r.name)
        }
        let summary = StateTestSummary(results)
        XCTAssertEqual(summary.skipped, 1)
        XCTAssertEqual(summary.passed + summary.failed, 4)
        XCTAssertEqual(summary.description, "\(summary.passed) passed, \(summary.failed) failed, 1 skipped")

        let onlyCancun = StateTestRunner(filter: try NamePattern("d0g0"), fork: "cancun").run(file: file)
        XCTAssertEqual(onlyCancun.map(\.name), ["f.json:t:Cancun:d0g0v0"])
        // Fork names compare as forks: Paris selects the vector's Merge.
        XCTAssertEqual(StateTestRunner(fork: "Paris").run(file: file).map(\.name), ["f.json:u", "f.json:t:Merge:d0g0v0"])
    }

    func testSkipListFormat() throws {
        let list = try SkipList(text: "a.b\nc[0-9] #  reason two \n  # only a comment\nx#y # hash inside\n", source: "s.txt")
        XCTAssertEqual(list.entries.map(\.pattern.pattern), ["a.b", "c[0-9]", "x#y"])
        XCTAssertEqual(list.reason(for: "zzaxbzz"), "listed in s.txt")
        XCTAssertEqual(list.reason(for: "c7"), "reason two")
        XCTAssertEqual(list.reason(for: "x#y"), "hash inside")
        XCTAssertNil(list.reason(for: "c"))
        XCTAssertThrowsError(try SkipList(text: "ok\n(unclosed # bad\n", source: "s.txt")) { error in
            XCTAssertEqual((error as? SkipListError)?.line, 2)
            XCTAssertEqual((error as? SkipListError)?.file, "s.txt")
        }
    }

    func testPackageSkipListParses() throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        _ = try SkipList(contentsOf: packageRoot.appendingPathComponent(SkipList.defaultRelativePath).path)
    }

    // MARK: - Shared vectors

    /// The transaction type the loader infers must be the one the vector's own encoding (`txbytes`) has:
    /// EIP-2718 typed transactions start with their type byte, legacy ones with an RLP list prefix (>= 0xc0).
    func testInferredTypesMatchTxBytes() throws {
        let root = try sharedVectors().appendingPathComponent("ethereum-tests/GeneralStateTests")
        let dirs = ["stEIP2930", "stEIP1559", "Pyspecs/cancun/eip4844_blobs", "stTransactionTest", "stExample"]
        let sources = try StateTestLoader.sources(for: dirs.map { root.appendingPathComponent($0).path })
        var checked = 0
        for source in sources {
            let file = StateTestLoader.load(source)
            XCTAssertEqual(file.errors, [], source.name)
            for c in file.cases {
                guard let first = c.txBytes.first else { continue }
                let encoded: TransactionType? = first >= 0xc0 ? .legacy : TransactionType(rawValue: first)
                XCTAssertEqual(c.tx.type, encoded, c.name)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 500)
    }

    /// A value wider than 256 bits (`0x:bigint`) makes the transaction invalid; the runner reports the pre-state
    /// root without executing anything.
    func testValueOverflowIsAnInvalidTransaction() throws {
        let path = try sharedVectors()
            .appendingPathComponent("ethereum-tests/GeneralStateTests/stTransactionTest/ValueOverflowParis.json.zst").path
        let file = StateTestLoader.load(VectorSource(path: path, name: "ValueOverflowParis.json.zst"))
        XCTAssertEqual(file.errors, [])
        let c = try XCTUnwrap(file.cases.first)
        XCTAssertNotNil(c.unrepresentable)
        XCTAssertEqual(c.expectException, "TransactionException.RLP_INVALID_VALUE")
        let result = StateTestRunner().run(c)
        XCTAssertTrue(result.pass, result.error ?? "")
    }

    /// Legacy state tests (filled for every fork from Frontier to Cancun), serially and through Block-STM: each
    /// fork runs under its own rules, nothing is skipped. The files cover EIP-2's creation cost, EIP-150's gas,
    /// EIP-161's touched accounts and a rejected transaction before EIP-161 (the coinbase is still created).
    func testLegacySliceRunsEveryFork() throws {
        let root = try sharedVectors().appendingPathComponent("legacy-tests")
        let files = [
            "Constantinople/GeneralStateTests/stExample/add11.json.zst",
            "Constantinople/GeneralStateTests/stHomesteadSpecific/contractCreationOOGdontLeaveEmptyContractViaTransaction.json.zst",
            "Constantinople/GeneralStateTests/stEIP158Specific/CALL_OneVCallSuicide.json.zst",
            "Constantinople/GeneralStateTests/stEIP150Specific/CallGoesOOGOnSecondLevel.json.zst",
            "Cancun/GeneralStateTests/stTransactionTest/NoSrcAccount.json.zst",
            "Cancun/GeneralStateTests/stExample/add11.json.zst",
        ]
        let sources = files.map { VectorSource(path: root.appendingPathComponent($0).path, name: $0) }
        for executor in [StateTestExecutorKind.serial, .blockstm] {
            var runner = StateTestRunner(threads: 2)
            runner.executor = executor
            let results = runner.run(sources: sources)
            for f in results where !f.pass { print("FAIL \(executor) \(f.name): \(f.error ?? f.skipReason ?? "")") }
            var perFork: [String: Int] = [:]
            for r in results { perFork[r.fork, default: 0] += 1 }
            XCTAssertEqual(StateTestSummary(results).description, "414 passed, 0 failed, 0 skipped", "\(executor)")
            XCTAssertEqual(perFork, ["Frontier": 31, "Homestead": 32, "EIP150": 32, "EIP158": 32, "Byzantium": 34,
                                     "Constantinople": 34, "ConstantinopleFix": 34, "Istanbul": 30, "Berlin": 31,
                                     "London": 31, "Paris": 31, "Shanghai": 31, "Cancun": 31], "\(executor)")
        }
    }

    /// A file's cases are shared between the workers: with two threads and one file, a second thread runs some of
    /// its cases while the first is still in one (here the first case waits, up to 30 s, for a case to finish on
    /// another thread), and the results still come back in the loader's order.
    func testOneFilesCasesAreSharedBetweenThreads() throws {
        let name = "Cancun/GeneralStateTests/stSStoreTest/sstore_0to0.json.zst"
        let path = try sharedVectors().appendingPathComponent("legacy-tests").appendingPathComponent(name).path
        let source = VectorSource(path: path, name: name)
        let loaded = StateTestLoader.load(source)
        XCTAssertGreaterThan(loaded.cases.count, 2)
        let first = try XCTUnwrap(loaded.cases.first).name
        let threads = Mutex<Set<UInt>>([])
        let results = StateTestRunner(threads: 2).run(sources: [source]) { _, result, _ in
            let me = UInt(pthread_self())
            threads.withLock { _ = $0.insert(me) }
            if result.name == first {
                let deadline = Date().addingTimeInterval(30)
                while threads.withLock({ $0.count }) < 2 && Date() < deadline { usleep(1000) }
            }
            return result
        }
        XCTAssertEqual(threads.withLock { $0.count }, 2, "one thread ran every case of the file")
        XCTAssertEqual(results.map(\.name), loaded.cases.map(\.name))
        XCTAssertTrue(results.allSatisfy(\.pass), "\(results.filter { !$0.pass }.map(\.name))")
    }

    /// Small files from many areas, run end to end. Fails until the interpreter and transaction processor are
    /// complete; each failure is printed with its reason.
    func testRepresentativeSliceOfSharedVectors() throws {
        let root = try sharedVectors().appendingPathComponent("ethereum-tests/GeneralStateTests")
        let files = [
            "stExample/add11.json.zst",
            "stSStoreTest/sstoreGas.json.zst",
            "stCallCodes/callcodeEmptycontract.json.zst",
            "stCreate2/CREATE2_HighNonce.json.zst",
            "stRevertTest/RevertPrefound.json.zst",
            "stRefundTest/refund_getEtherBack.json.zst",
            "Cancun/stEIP1153-transientStorage/17_tstoreGas.json.zst",
            "Cancun/stEIP5656-MCOPY/MCOPY.json.zst",
            "stMemoryTest/mload8bitBound.json.zst",
            "stLogTests/log0_emptyMem.json.zst",
            "stReturnDataTest/returndatasize_initial.json.zst",
            "stSelfBalance/selfBalance.json.zst",
            "stStaticCall/static_ReturnTest.json.zst",
            "stEIP2930/coinbaseT01.json.zst",
            "stTransactionTest/TransactionSendingToEmpty.json.zst",
        ]
        let sources = files.map { VectorSource(path: root.appendingPathComponent($0).path, name: $0) }
        let results = StateTestRunner().run(sources: sources)
        let failures = results.filter(\.isFailure)
        for f in failures { print("FAIL \(f.name): \(f.error ?? "")") }
        let summary = StateTestSummary(results)
        print(summary)
        XCTAssertEqual(summary.passed, 36)
        XCTAssertEqual(failures.count, 0, "\(failures.count) of \(results.count) cases failed")
    }
}
