import XCTest
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution
@testable import Workloads

/// EIP-7702 under Block-STM: a delegation designator (code) and an authority's nonce are account writes, so
/// they are multi-versioned like any other; a later transaction that calls the delegated EOA must read the
/// designator an earlier one wrote, and the authority's bumped nonce must reach its own later transaction.
final class DelegationBlockTests: XCTestCase {
    /// Signed by the key of 0xa94f...bf0b (execution-spec-tests' `self_sponsored_set_code`): chain id 0,
    /// delegate 0x1000, nonce 1, so valid in a transaction the authority itself sends with nonce 0.
    static let authority = Address(a: 0xa94f_5374_fce5_edbc, b: 0x8e2a_8697_c153_3167, c: 0x7e6e_bf0b)
    static let delegate = Address(a: 0, b: 0, c: 0x1000)
    static let auth = Authorization(chainId: .zero, address: delegate, nonce: 1, yParity: .one,
                                    r: try! UInt256(hex: "0xe074be204a558063cc3b2663e24e82272a436cececd74a3d6c7f46cd51934f2f"),
                                    s: try! UInt256(hex: "0x1dba64504e6de332f9b00fba50b9cd8b70fc19823a85e33217431a0825e55902"))

    /// tx 0: the authority delegates itself to 0x1000 (CALLER PUSH0 SSTORE: records who called); txs 1...n: other
    /// EOAs call the authority, each running the delegate's code in the authority's storage; last: the
    /// authority sends again with nonce 2 (its own transaction's bump and the authorisation's).
    static func block(callers: Int) -> TestBlock {
        var b = TestBlock()
        b.fund(authority)
        b.deploy(delegate, code: [0x33, 0x5f, 0x55, 0x00])
        var t0 = Transaction(type: .setCode, chainId: 1, nonce: 0, maxFeePerGas: 10, maxPriorityFeePerGas: 1,
                             gasLimit: 100_000, to: TestBlock.eoa(999), sender: authority)
        t0.authorizationList = [auth]
        b.txs.append(t0)
        for i in 1...callers {
            b.fund(TestBlock.eoa(i))
            b.send(from: TestBlock.eoa(i), to: authority, gas: 100_000)
        }
        b.send(from: authority, to: TestBlock.eoa(998), value: UInt256(5), gas: 100_000, nonce: 2)
        return b
    }

    func testCallersReadTheDesignatorAnEarlierTransactionWrote() {
        for callers in [1, 7] {
            let block = Self.block(callers: callers)
            let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .prague)
            XCTAssertEqual(serial.rejected.count, 0, "\(serial.rejected)")
            XCTAssertEqual(serial.receipts.map(\.success), [Bool](repeating: true, count: callers + 2))
            let post = serial.postState
            XCTAssertEqual(post.account(Self.authority)?.code.bytes, Code.delegation(to: Self.delegate).bytes)
            XCTAssertEqual(post.account(Self.authority)?.nonce, 3)
            // The last caller's CALLER is in the authority's slot 0 (not the delegate's).
            XCTAssertEqual(post.storage(Self.authority, key: .zero), TestBlock.eoa(callers).word)
            XCTAssertEqual(post.storage(Self.delegate, key: .zero), .zero)
            XCTAssertEqual(post.account(TestBlock.eoa(998))?.balance, UInt256(5))
            for threads in Check.threadCounts {
                let o = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
                    .execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .prague)
                Check.assertSame(serial, o, "callers \(callers), threads \(threads)")
            }
            for rep in 0..<Check.stressRepetitions {
                let threads = Check.threadCounts[1 + rep % (Check.threadCounts.count - 1)]
                let o = BlockSTMExecutor(threads: threads, stress: StressOptions(seed: UInt64(rep) &+ 7), policy: .alwaysParallel)
                    .execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .prague)
                Check.assertSame(serial, o, "callers \(callers), stress rep \(rep) x\(threads)")
            }
        }
    }
}
