import XCTest
import EVMPrimitives
import EVMState
@testable import Execution
import MerkleTrie
import Keccak

/// Block and ommer rewards, and pre-Byzantium receipts (intermediate state roots), in the serial executor and in
/// the parallel block end: both must give the same result.
final class BlockRewardsTests: XCTestCase {
    static let ether = UInt256(1_000_000_000_000_000_000)
    static let miner = Address(a: 0xAA, b: 0, c: 1)
    static let uncle1 = Address(a: 0xBB, b: 0, c: 1)
    static let uncle2 = Address(a: 0xBB, b: 0, c: 2)

    func testRewardPerFork() {
        XCTAssertEqual(BlockFinalization.blockReward(.frontier), Self.ether &* UInt256(5))
        XCTAssertEqual(BlockFinalization.blockReward(.spuriousDragon), Self.ether &* UInt256(5))
        XCTAssertEqual(BlockFinalization.blockReward(.byzantium), Self.ether &* UInt256(3))
        XCTAssertEqual(BlockFinalization.blockReward(.constantinople), Self.ether &* UInt256(2))
        XCTAssertEqual(BlockFinalization.blockReward(.grayGlacier), Self.ether &* UInt256(2))
        XCTAssertEqual(BlockFinalization.blockReward(.paris), .zero)
    }

    /// Yellow Paper 11.3: the miner gets R + R/32 per ommer, an ommer k generations back (8 - k) * R / 8.
    func testOmmerRewards() {
        var state = InMemoryState()
        state.accounts[Self.miner] = Account(info: AccountInfo(balance: UInt256(10)))
        let reward = Self.ether &* UInt256(5)
        let env = BlockEnvironment(coinbase: Self.miner, number: 100, blockReward: reward,
                                   ommers: [Ommer(coinbase: Self.uncle1, number: 99), Ommer(coinbase: Self.uncle2, number: 94)])
        BlockFinalization.applyRewards(&state, env: env)
        XCTAssertEqual(state.accounts[Self.miner]?.info.balance, UInt256(10) &+ reward &+ (reward >> 5) &* UInt256(2))
        XCTAssertEqual(state.accounts[Self.uncle1]?.info.balance, (reward &* UInt256(7)) >> 3)
        XCTAssertEqual(state.accounts[Self.uncle2]?.info.balance, (reward &* UInt256(2)) >> 3)
        // No reward asked for: nothing is touched.
        var untouched = InMemoryState()
        BlockFinalization.applyRewards(&untouched, env: BlockEnvironment(coinbase: Self.miner))
        XCTAssertTrue(untouched.accounts.isEmpty)
    }

    /// A block of value transfers with a reward and an ommer: serial and Block-STM at 1 to 4 threads credit the
    /// same rewards (a rewarded miner and ommer miner appear in the post-state).
    func testSerialAndBlockSTMApplyTheSameRewards() {
        var pre = InMemoryState()
        var txs: [Transaction] = []
        for i in 0..<24 {
            let sender = Address(a: 0x5E, b: UInt64(i), c: 0)
            pre.accounts[sender] = Account(info: AccountInfo(balance: Self.ether))
            txs.append(Transaction(type: .legacy, nonce: 0, gasPrice: UInt256(10), gasLimit: 21_000,
                                   to: Address(a: 0xD0, b: UInt64(i % 5), c: 0), value: UInt256(UInt64(i + 1)), sender: sender))
        }
        let env = BlockEnvironment(coinbase: Self.miner, gasLimit: 30_000_000, number: 10, timestamp: 10,
                                   blockReward: Self.ether &* UInt256(2), ommers: [Ommer(coinbase: Self.uncle1, number: 8)])
        let serial = SerialExecutor().execute(pre: pre, env: env, transactions: txs, fork: .cancun)
        XCTAssertEqual(serial.rejected, [])
        XCTAssertEqual(serial.postState.accounts[Self.uncle1]?.info.balance, (Self.ether &* UInt256(2) &* UInt256(6)) >> 3)
        let fees = UInt256(10) &* UInt256(21_000 * 24)
        XCTAssertEqual(serial.postState.accounts[Self.miner]?.info.balance,
                       Self.ether &* UInt256(2) &+ (Self.ether &* UInt256(2)) >> 5 &+ fees)
        for threads in 1...4 {
            let parallel = BlockSTMExecutor(threads: threads, policy: .alwaysParallel).execute(pre: pre, env: env, transactions: txs, fork: .cancun)
            XCTAssertEqual(parallel.stateRoot, serial.stateRoot, "threads \(threads)")
            XCTAssertEqual(parallel.postState, serial.postState, "threads \(threads)")
        }
    }

    // MARK: - Pre-Byzantium receipts

    func testPreByzantiumReceiptEncodesTheStateRoot() {
        let root = Hash32(w0: 1, w1: 2, w2: 3, w3: 4)
        var r = Receipt(type: .legacy, success: true, cumulativeGasUsed: 21_000, gasUsed: 21_000, logs: [], bloom: Bloom(),
                        contractAddress: nil)
        let status = r.encoded
        r.postStateRoot = root
        let withRoot = r.encoded
        XCTAssertNotEqual(status, withRoot)
        // rlp([root (33 bytes), 0x825208, bloom (259 bytes), []]): the root replaces the one-byte status.
        XCTAssertEqual(withRoot.count, status.count + 32)
        XCTAssertEqual(Array(withRoot[3..<36]), [0xa0] + root.bytes)
    }

    /// Each intermediate root equals the full state root after its transaction's changes and fee.
    static func assertIntermediateRootsEqualFullRoots(base: InMemoryState, commits: [(changes: StateChanges, coinbaseFee: UInt256)],
                                                      coinbase: Address, _ what: String = "",
                                                      file: StaticString = #filePath, line: UInt = #line) {
        let roots = BlockFinalization.intermediateStateRoots(base: base, commits: commits, coinbase: coinbase)
        var state = base
        for (i, c) in commits.enumerated() {
            state.apply(c.changes)
            state.credit(coinbase, c.coinbaseFee)
            XCTAssertEqual(roots[i], state.stateRoot(), "\(what) after transaction \(i)", file: file, line: line)
        }
    }

    /// The intermediate roots equal full state roots after each transaction.
    func testIntermediateRootsEqualFullRoots() {
        var base = InMemoryState()
        let a = Address(a: 1, b: 0, c: 0), b = Address(a: 2, b: 0, c: 0), coinbase = Address(a: 3, b: 0, c: 0)
        base.accounts[a] = Account(info: AccountInfo(balance: UInt256(100)), storage: [UInt256(1): UInt256(5)])
        var c1 = StateChanges()
        c1.accounts[a] = AccountChange(info: AccountInfo(nonce: 1, balance: UInt256(90)), storage: [UInt256(2): UInt256(9)])
        var c2 = StateChanges()
        c2.accounts[b] = AccountChange(info: AccountInfo(balance: UInt256(3)))
        var c3 = StateChanges()
        c3.accounts[a] = AccountChange(info: AccountInfo(nonce: 2, balance: UInt256(80)), storage: [UInt256(1): .zero])
        var c4 = StateChanges()
        c4.accounts[b] = AccountChange(info: nil)  // deleted (EIP-161): its cached leaf must go
        let commits: [(changes: StateChanges, coinbaseFee: UInt256)] = [(c1, UInt256(1)), (c2, .zero), (c3, UInt256(2)),
                                                                        (StateChanges(), .zero), (c4, UInt256(3))]
        Self.assertIntermediateRootsEqualFullRoots(base: base, commits: commits, coinbase: coinbase)
    }

    /// The incremental account trie behind the intermediate roots, on a block of random changes over a few hundred
    /// accounts: balances and nonces, storage written and cleared, accounts deleted (EIP-161, self-destruct) and
    /// created again, the coinbase paid or not; every root equals the full state root after that transaction.
    func testIntermediateRootsEqualFullRootsOnRandomChanges() {
        for seed in UInt64(1)...4 {
            var rng = SplitMix64(seed: seed)
            let addresses = (0..<300).map { Address(a: 0x20, b: UInt64($0), c: UInt32(seed)) }
            let coinbase = addresses[7]
            var base = InMemoryState()
            for a in addresses where rng.below(3) > 0 {
                base.accounts[a] = Account(info: AccountInfo(nonce: UInt64(rng.below(4)), balance: UInt256(UInt64(rng.below(1000)))),
                                           storage: rng.below(4) == 0 ? [UInt256(1): UInt256(UInt64(1 + rng.below(9)))] : [:])
            }
            var commits: [(changes: StateChanges, coinbaseFee: UInt256)] = []
            for _ in 0..<60 {
                var c = StateChanges()
                for _ in 0..<(1 + rng.below(5)) {
                    let a = addresses[rng.below(addresses.count)]
                    switch rng.below(5) {
                    case 0:
                        c.accounts[a] = AccountChange(info: nil)
                    case 1:
                        c.accounts[a] = AccountChange(info: AccountInfo(nonce: 1, balance: UInt256(UInt64(rng.below(50)))),
                                                      storage: [UInt256(UInt64(rng.below(3))): UInt256(UInt64(rng.below(3)))])
                    default:
                        c.accounts[a] = AccountChange(info: AccountInfo(nonce: UInt64(rng.below(9)), balance: UInt256(UInt64(rng.below(5000)))))
                    }
                }
                commits.append((c, rng.below(2) == 0 ? .zero : UInt256(UInt64(1 + rng.below(100)))))
            }
            Self.assertIntermediateRootsEqualFullRoots(base: base, commits: commits, coinbase: coinbase, "seed \(seed)")
        }
    }

    /// Before Byzantium the parallel block end fills the same intermediate roots as the serial path, at every
    /// gang size; from Byzantium on it leaves the status.
    func testParallelFinishFillsIntermediateRoots() {
        var base = InMemoryState()
        var commits: [ParallelFinalization.Commit] = []
        var receipts: [Receipt] = []
        let coinbase = Address(a: 0xC0, b: 0, c: 0)
        for i in 0..<40 {
            let address = Address(a: 0x10, b: UInt64(i % 7), c: 0)
            base.accounts[address] = Account(info: AccountInfo(balance: UInt256(1000)))
            var c = StateChanges()
            c.accounts[address] = AccountChange(info: AccountInfo(nonce: UInt64(i), balance: UInt256(UInt64(999 - i))),
                                                storage: [UInt256(UInt64(i)): UInt256(UInt64(i + 1))])
            commits.append(ParallelFinalization.Commit(changes: c, coinbaseFee: UInt256(UInt64(i))))
            receipts.append(Receipt(type: .legacy, success: true, cumulativeGasUsed: UInt64(21_000 * (i + 1)), gasUsed: 21_000,
                                    logs: [], bloom: Bloom(), contractAddress: nil))
        }
        let env = BlockEnvironment(coinbase: coinbase, blockReward: UInt256(5))
        let roots = BlockFinalization.intermediateStateRoots(base: base, commits: commits.map { ($0.changes, $0.coinbaseFee) },
                                                             coinbase: coinbase)
        var expectedReceipts = receipts
        for i in expectedReceipts.indices { expectedReceipts[i].postStateRoot = roots[i] }
        for threads in 1...4 {
            let gang = WorkerGang(threads: threads)
            let old = ParallelFinalization.finish(base: base, commits: commits, env: env, fork: .spuriousDragon, receipts: receipts,
                                                  rejected: [], blobGasUsed: 0, metrics: ExecutionMetrics(), gang: gang)
            let new = ParallelFinalization.finish(base: base, commits: commits, env: env, fork: .byzantium, receipts: receipts,
                                                  rejected: [], blobGasUsed: 0, metrics: ExecutionMetrics(), gang: gang)
            gang.stop()
            XCTAssertEqual(old.receipts, expectedReceipts, "threads \(threads)")
            XCTAssertEqual(old.receiptsRoot, MerkleTrie.orderedRoot(expectedReceipts.map(\.encoded)), "threads \(threads)")
            XCTAssertEqual(new.receipts, receipts, "threads \(threads)")
            XCTAssertEqual(old.stateRoot, new.stateRoot)
            XCTAssertEqual(old.postState.accounts[coinbase]?.info.balance, UInt256(5 + (0..<40).reduce(0, +)))
        }
    }
}
