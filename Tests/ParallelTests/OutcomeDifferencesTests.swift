import XCTest
import TestSupport
import EVMPrimitives
import EVMState
@testable import Execution

/// The comparison every parallel test relies on (`outcomeDifferences`, behind `Check.assertSame`) must see a change
/// in each field it claims to compare, or those tests could not fail.
final class OutcomeDifferencesTests: XCTestCase {
    func testEachFieldChangeIsReported() {
        var block = TestBlock()
        block.fund(TestBlock.eoa(0))
        block.send(from: TestBlock.eoa(0), to: TestBlock.eoa(1), value: UInt256(5))
        block.send(from: TestBlock.eoa(0), to: TestBlock.eoa(2), value: UInt256(6))
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertEqual(outcomeDifferences(serial, serial), [])

        let other = Hash32(w0: 1, w1: 2, w2: 3, w3: 4)
        let changes: [(String, (inout BlockOutcome) -> Void)] = [
            ("stateRoot", { $0.stateRoot = other }),
            ("receiptsRoot", { $0.receiptsRoot = other }),
            ("logsHash", { $0.logsHash = other }),
            ("logsBloom", { $0.logsBloom.bytes[7] ^= 1 }),
            ("gasUsed", { $0.gasUsed += 1 }),
            ("blobGasUsed", { $0.blobGasUsed += 1 }),
            ("rejected", { $0.rejected.append(RejectedTransaction(index: 1, error: "x")) }),
            ("receipts", { $0.receipts[1].cumulativeGasUsed += 1 }),
            ("requestsHash", { $0.requests = BlockRequests([]) }),
            ("transactionGas", { $0.transactionGas[0] += 1 }),
            ("postState", { $0.postState.accounts[TestBlock.eoa(1)]?.info.balance = UInt256(4) }),
        ]
        for (name, change) in changes {
            var changed = serial
            change(&changed)
            let found = outcomeDifferences(serial, changed)
            XCTAssertEqual(found.count, 1, "\(name): \(found)")
            XCTAssertTrue(found.first?.hasPrefix(name) ?? false, "\(name): \(found)")
        }
    }
}
