import Foundation
import Synchronization
import XCTest
import EVMPrimitives
import EVMState
@testable import Execution
@testable import Vectors

/// Every committed block vector under both of the BAL executor's decisions: the list's parallel run (`--policy
/// parallel`) and the adaptive policy's checked serial run (`BALExecutor.serially`), at 2 threads, from the list a
/// serial run derives; both equal `SerialExecutor` bit for bit, and the list checks out under both. (Here rather than
/// in ParallelTests, which does not read vectors.)
final class BALPolicyVectorTests: XCTestCase {
    func testEveryVectorUnderBothDecisions() throws {
        let root = AdaptivePolicyVectorTests.root
        let dirs = AdaptivePolicyVectorTests.vectorDirectories()
        XCTAssertGreaterThanOrEqual(dirs.count, 60)
        for dir in dirs {
            let v = try BlockVectorIO.load(path: root + "/" + dir).get()
            let results = Mutex<[(String, Result<BlockOutcome, BALMismatch>)]>([])
            let serial = Mutex<BlockOutcome?>(nil)
            // On a worker thread: the interpreter needs its large stack.
            WorkerThreads.run(count: 1) { _ in
                serial.withLock { $0 = SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
                let list = BlockAccessListBuilder.derive(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                let parallel = BALExecutor(threads: 2, list: list, policy: .alwaysParallel)
                    .run(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                let serially = BALExecutor(threads: 2, list: list)
                    .serially(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork, start: ContinuousClock().now)
                results.withLock { $0 = [("\(dir): parallel", parallel), ("\(dir): serially", serially)] }
            }
            let s = try XCTUnwrap(serial.withLock { $0 })
            for (what, r) in results.withLock({ $0 }) {
                let o: BlockOutcome
                switch r {
                case .success(let x): o = x
                case .failure(let m): XCTFail("\(what): \(m)"); continue
                }
                assertSameOutcome(s, o, what)
            }
        }
    }

    /// The end-of-block system calls' storage changes (index n + 1), which the checked serial run takes from its own
    /// block end rather than running the calls again: a changed value is named under both decisions.
    func testCorruptSystemCallChangeIsNamedUnderBothDecisions() throws {
        let v = try BlockVectorIO.load(path: AdaptivePolicyVectorTests.root + "/system-requests-prague").get()
        let n = v.transactions.count
        let results = Mutex<[(String, Result<BlockOutcome, BALMismatch>)]>([])
        let corrupted = Mutex<BALEntry?>(nil)
        WorkerThreads.run(count: 1) { _ in
            var list = BlockAccessListBuilder.derive(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
            guard let k = list.accounts.firstIndex(where: { $0.storageChanges.contains { $0.changes.contains { $0.index == n + 1 } } }),
                  let s = list.accounts[k].storageChanges.firstIndex(where: { $0.changes.contains { $0.index == n + 1 } }),
                  let c = list.accounts[k].storageChanges[s].changes.firstIndex(where: { $0.index == n + 1 }) else { return }
            let value = list.accounts[k].storageChanges[s].changes[c].value &+ UInt256(1)
            list.accounts[k].storageChanges[s].changes[c].value = value
            corrupted.withLock {
                $0 = .storage(list.accounts[k].address, list.accounts[k].storageChanges[s].slot, index: n + 1, value: value)
            }
            let parallel = BALExecutor(threads: 2, list: list, policy: .alwaysParallel)
                .run(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
            let serially = BALExecutor(threads: 2, list: list)
                .serially(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork, start: ContinuousClock().now)
            results.withLock { $0 = [("parallel", parallel), ("serially", serially)] }
        }
        let entry = try XCTUnwrap(corrupted.withLock { $0 }, "the vector's list has system-call changes")
        for (what, r) in results.withLock({ $0 }) {
            guard case .failure(let m) = r else { XCTFail("\(what): the corrupt entry must be caught"); continue }
            XCTAssertEqual(m.index, n + 1, what)
            XCTAssertEqual(m.entry, entry, what)
        }
    }
}
