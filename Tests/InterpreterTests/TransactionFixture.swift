import XCTest
import EVMPrimitives
import EVMState
@testable import Execution

/// What the known-answer test classes (`ForkRulesTests`, `PragueOsakaTests`) share: a funded sender, a contract
/// under test and their block environment; one transaction runs against an in-memory state under a given fork.
protocol TransactionFixture {
    var sender: Address { get }
    var contract: Address { get }
    var oneEther: UInt256 { get }
    var env: BlockEnvironment { get }
}

extension TransactionFixture {
    func bytes(_ hex: String) -> [UInt8] { (try? Hex.decode(hex)) ?? [] }

    /// The sender with one ether, the contract (nonce 1) with `code`, `storage` and `balance`, and `extra`.
    func state(code: String, storage: [UInt256: UInt256] = [:], balance: UInt256 = .zero,
               extra: [Address: Account] = [:]) -> InMemoryState {
        var accounts: [Address: Account] = [
            sender: Account(info: AccountInfo(nonce: 0, balance: oneEther)),
            contract: Account(info: AccountInfo(nonce: 1, balance: balance, code: Code(bytes(code))), storage: storage),
        ]
        for (a, acc) in extra { accounts[a] = acc }
        return InMemoryState(accounts: accounts)
    }

    /// Runs `t` on `pre` under `fork`: its result and the state after it; a rejection fails the test.
    func run(_ t: Transaction, _ pre: InMemoryState, _ fork: Fork,
             file: StaticString = #filePath, line: UInt = #line) throws -> (TransactionResult, InMemoryState) {
        switch TransactionProcessor.execute(t, env: env, reader: pre, fork: fork) {
        case .failure(let e):
            XCTFail("rejected under \(fork): \(e)", file: file, line: line)
            throw e
        case .success(let r):
            var post = pre
            post.apply(r.changes)
            return (r, post)
        }
    }
}
