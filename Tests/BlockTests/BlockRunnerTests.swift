import Foundation
import XCTest
import EVMPrimitives
import EVMState
import Execution
@testable import Harness
@testable import Vectors

/// The block runner on a small hand-made block: serial and Block-STM agree, expectations are checked, and a
/// divergence is located.
final class BlockRunnerTests: XCTestCase {
    static func key(_ n: UInt8) -> [UInt8] { [UInt8](repeating: 0, count: 31) + [n] }
    static func address(_ n: UInt8) -> Address { SecretKey.address(of: key(n)) ?? .zero }

    static let counter = Address(a: 0xC0C0, b: 0, c: 1)
    static let coinbaseReader = Address(a: 0xC0C0, b: 0, c: 2)
    static let coinbase = Address(a: 0xCB, b: 0, c: 0)
    static let recipient = Address(a: 0xEE, b: 0, c: 7)

    /// Three senders; counter increments (a chain through slot 0), transfers, a contract that stores the coinbase's
    /// balance (it must see every lower fee), a creation, and a transaction with a nonce gap (rejected).
    static func block() throws -> BlockVector {
        var pre = InMemoryState()
        for n: UInt8 in 1...3 { pre.accounts[address(n)] = Account(info: AccountInfo(balance: UInt256(1) << 70)) }
        // PUSH1 0 SLOAD PUSH1 1 ADD PUSH1 0 SSTORE STOP
        pre.accounts[counter] = Account(info: AccountInfo(nonce: 1, code: Code([0x60, 0, 0x54, 0x60, 1, 0x01, 0x60, 0, 0x55, 0x00])))
        // COINBASE BALANCE PUSH1 0 SSTORE STOP
        pre.accounts[coinbaseReader] = Account(info: AccountInfo(nonce: 1, code: Code([0x41, 0x31, 0x60, 0, 0x55, 0x00])))
        let env = BlockEnvironment(coinbase: coinbase, gasLimit: 30_000_000, number: 1, timestamp: 1_000,
                                   baseFee: UInt256(7), excessBlobGas: 0, chainId: 1)
        var nonces: [UInt8: UInt64] = [1: 0, 2: 0, 3: 0]
        func tx(_ from: UInt8, to: Address?, value: UInt64 = 0, data: [UInt8] = [], gas: UInt64 = 100_000, skipNonce: Bool = false) -> Transaction {
            let nonce = nonces[from, default: 0] + (skipNonce ? 5 : 0)
            if !skipNonce { nonces[from] = nonce + 1 }
            return Transaction(type: .dynamicFee, chainId: 1, nonce: nonce, maxFeePerGas: UInt256(20),
                               maxPriorityFeePerGas: UInt256(UInt64(from)), gasLimit: gas, to: to, value: UInt256(value),
                               data: data, sender: address(from))
        }
        let txs = [
            tx(1, to: counter), tx(2, to: recipient, value: 1_000), tx(3, to: counter),
            tx(1, to: recipient, value: 5), tx(2, to: coinbaseReader),
            tx(3, to: nil, data: [0x60, 0x01, 0x60, 0x00, 0x55, 0x00]),   // creation: init code stores 1 in slot 0
            tx(1, to: counter, skipNonce: true),                          // nonce gap: rejected
            tx(2, to: counter), tx(3, to: recipient, value: 1),
        ]
        return BlockVector(name: "hand-made", path: "", pre: pre, env: env, transactions: txs)
    }

    func testSerialAndBlockSTMAgreeAtEveryThreadCount() throws {
        let vector = try Self.block()
        let runner = BlockRunner(threads: [1, 2, 4], repeats: 2, stressRuns: 3, seed: 7)
        let rows = runner.run(vector)
        XCTAssertEqual(rows.map(\.executor), ["serial", "blockstm", "blockstm", "blockstm"])
        XCTAssertEqual(rows.map(\.threads), [1, 1, 2, 4])
        for row in rows {
            XCTAssertTrue(row.pass, "\(row.executor) x\(row.threads): \(row.error ?? "")")
            XCTAssertNil(row.matchesExpected)
            XCTAssertEqual(row.stateRoot, rows[0].stateRoot)
            XCTAssertEqual(row.rejected?.map(\.index), [6])
            XCTAssertEqual(row.timing?.runs, 2)
            XCTAssertEqual(row.block?.transactions, 9)
            XCTAssertEqual(row.block?.included, 8)
        }
        XCTAssertNil(rows[0].matchesSerial)
        XCTAssertEqual(rows.dropFirst().map(\.matchesSerial), [true, true, true])
        XCTAssertEqual(rows[3].stress, BlockStressSummary(runs: 3, baseSeed: 7))
        XCTAssertGreaterThanOrEqual(rows[3].metrics?.executions ?? 0, 9)
        // Counter chain 0 -> 2 -> 7 (6 is rejected), the coinbase reader (4) after every lower fee.
        let stats = try XCTUnwrap(rows[0].block)
        XCTAssertGreaterThan(stats.conflictRate, 0)
        XCTAssertGreaterThanOrEqual(stats.idealSpeedupGas, 1)
        XCTAssertLessThanOrEqual(rows[2].block?.idealSpeedupGas ?? 3, 2)
    }

    func testShortBlocksGetMoreTimedRounds() throws {
        // A block of nine small transactions runs far under a second: asking for a second of timed runs per executor
        // gives it the most rounds, 10 x 2, each executor's paired with the serial run of the same round.
        var runner = BlockRunner(threads: [2], repeats: 2, seed: 7)
        runner.minimumTimedNanoseconds = 1_000_000_000
        let rows = runner.run(try Self.block())
        XCTAssertEqual(rows.map { $0.timing?.runs }, [20, 20])
        XCTAssertEqual(rows[1].timing?.serialSamples?.count, 20)
        XCTAssertEqual(rows[1].timing?.speedup, Timing.pairedRatio(rows[0].timing?.samples ?? [], rows[1].timing?.samples ?? []))
    }

    func testExpectedValuesAreChecked() throws {
        var vector = try Self.block()
        let serial = SerialExecutor().execute(pre: vector.pre, env: vector.env, transactions: vector.transactions, fork: .cancun)
        vector.expected = ExpectedBlockResult(stateRoot: serial.stateRoot, receiptsRoot: serial.receiptsRoot,
                                              logsHash: serial.logsHash, gasUsed: serial.gasUsed,
                                              rejected: [RejectedTransaction(index: 6, error: "another client's words")])
        let runner = BlockRunner(threads: [2])
        for row in runner.run(vector) {
            XCTAssertTrue(row.pass, row.error ?? "")
            XCTAssertEqual(row.matchesExpected, true)
        }
        vector.expected?.stateRoot = Hash32(UInt256(1))
        vector.expected?.rejected = []
        for row in runner.run(vector) {
            XCTAssertFalse(row.pass)
            XCTAssertEqual(row.matchesExpected, false)
            let error = try XCTUnwrap(row.error)
            XCTAssertTrue(error.contains("state root \(serial.stateRoot), expected \(Hash32(UInt256(1)))"), error)
            XCTAssertTrue(error.contains("rejected transactions [6], expected []"), error)
            XCTAssertFalse(error.contains("gas used"), error)
        }
    }

    func testDivergenceFindsFirstTransactionAndStateDifferences() throws {
        let vector = try Self.block()
        let serial = SerialExecutor().execute(pre: vector.pre, env: vector.env, transactions: vector.transactions, fork: .cancun)
        XCTAssertNil(BlockRunner.divergence(serial, from: serial, transactions: 9))
        var tampered = serial
        // Receipts are listed for included transactions only; before index 6 (rejected) receipt i is transaction i.
        tampered.receipts[3].gasUsed += 1
        tampered.postState.accounts[Self.recipient]?.info.balance = UInt256(1)
        tampered.postState.accounts[Self.counter]?.storage[UInt256(9)] = UInt256(3)
        let d = try XCTUnwrap(BlockRunner.divergence(tampered, from: serial, transactions: 9))
        XCTAssertEqual(d.fields, ["receipts", "postState"])
        XCTAssertEqual(d.firstTransaction, 3)
        // Sorted by address: the recipient (0x...ee...) before the counter (0x...c0c0...).
        XCTAssertEqual(d.stateDiff.map(\.field), ["balance", "storage"])
        let balance = try XCTUnwrap(d.stateDiff.first { $0.field == "balance" })
        XCTAssertEqual(balance.address, Self.recipient.description)
        XCTAssertEqual(balance.serial, "0x3ee")     // 1000 + 5 + 1
        XCTAssertEqual(balance.actual, "0x1")
        let slot = try XCTUnwrap(d.stateDiff.first { $0.field == "storage" })
        XCTAssertEqual(slot.slot, "0x9")
        XCTAssertEqual(slot.serial, "0x0")
        XCTAssertEqual(slot.actual, "0x3")
        // A rejected-versus-included difference is named as such.
        var rejectedMore = serial
        rejectedMore.rejected.insert(RejectedTransaction(index: 1, error: "made up"), at: 0)
        rejectedMore.receipts.remove(at: 1)
        let d2 = try XCTUnwrap(BlockRunner.divergence(rejectedMore, from: serial, transactions: 9))
        XCTAssertEqual(d2.firstTransaction, 1)
        XCTAssertTrue(d2.transactionDetail?.contains("rejected (made up)") ?? false, d2.transactionDetail ?? "")
    }

    func testLoadErrorsBecomeFailedRowsAndTheRunGoesOn() throws {
        let root = try BlockTestSupport.scratchDirectory()
        _ = try BlockVectorIOTests.directoryVector(in: root, name: "good", parts: [
            "alloc": BlockVectorIOTests.alloc(), "env": BlockVectorIOTests.env(), "txs": BlockVectorIOTests.txs()])
        try BlockTestSupport.write("{\"alloc\": {}, \"env\": ", to: root + "/bad.json")
        let runner = BlockRunner(executors: [.serial, .blockstm], threads: [2])
        let rows = runner.run(sources: try BlockVectorIO.collect(paths: [root]))
        XCTAssertEqual(rows.map(\.name), ["bad.json", "good", "good"])
        XCTAssertFalse(rows[0].pass)
        XCTAssertTrue(rows[0].error?.contains("bad.json: malformed JSON") ?? false, rows[0].error ?? "")
        XCTAssertTrue(rows[1].pass && rows[2].pass, "\(rows[1].error ?? "") \(rows[2].error ?? "")")
        XCTAssertEqual(BlockRunSummary(rows).description, "2 passed, 1 failed")
        // The rows encode as JSON with the documented keys.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(rows[2])) as? [String: Any]
        for key in ["name", "fork", "executor", "threads", "pass", "stateRoot", "receiptsRoot", "logsHash", "gasUsed",
                    "matchesSerial", "metrics", "block"] {
            XCTAssertNotNil(json?[key], key)
        }
    }

    /// The state-test path: a case run as a one-transaction Block-STM block gives the state test's root.
    func testStateTestCaseAsBlock() throws {
        var runner = StateTestRunner(threads: 1)
        runner.executor = .blockstm
        var invalid = 0
        for name in ["add11.json.zst", "invalidTr.json.zst", "accessListExample.json.zst", "eip1559.json.zst"] {
            let file = BlockTestSupport.sharedRoot + "/ethereum-tests/GeneralStateTests/stExample/" + name
            let loaded = StateTestLoader.load(VectorSource(path: file, name: name))
            let cases = loaded.cases.filter { $0.fork == .cancun }
            XCTAssertFalse(cases.isEmpty, "\(name): \(loaded.errors)")
            for c in cases {
                let r = runner.run(c)
                XCTAssertTrue(r.pass, "\(c.name): \(r.error ?? "")")
                if c.expectException != nil { invalid += 1 }
            }
        }
        XCTAssertGreaterThan(invalid, 0, "an invalid transaction must be among the cases")
    }
}
