import XCTest
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution
@testable import Workloads

/// Hand-built blocks run serially and with Block-STM at 1, 2, 4, 8 and 16 threads and under seeded
/// stress; every result must be identical, and known answers are checked on the serial result.
final class BlockSTMBlockTests: XCTestCase {
    typealias B = TestBlock

    func testEmptyBlock() {
        var block = B()
        block.env.withdrawals = [Withdrawal(index: 0, validatorIndex: 1, address: B.eoa(1), amount: 5)]
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.gasUsed, 0)
        XCTAssertEqual(serial.postState.accounts[B.eoa(1)]?.info.balance, UInt256(5_000_000_000))
    }

    func testOneTransaction() {
        var block = B()
        block.fund(B.eoa(1))
        block.send(from: B.eoa(1), to: B.eoa(2), value: UInt256(1234), gas: 21_000)
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.gasUsed, 21_000)
        XCTAssertEqual(serial.postState.accounts[B.eoa(2)]?.info.balance, UInt256(1234))
        // The coinbase receives the 3-wei tip on every unit of gas.
        XCTAssertEqual(serial.postState.accounts[block.env.coinbase]?.info.balance, UInt256(3 * 21_000))
    }

    func testIndependentTransfers() {
        var block = B()
        for i in 0..<48 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(1000 + i), value: UInt256(UInt64(i + 1)), gas: 21_000)
        }
        let serial = Check.allExecutorsAgree(block)
        for i in 0..<48 {
            XCTAssertEqual(serial.postState.accounts[B.eoa(1000 + i)]?.info.balance, UInt256(UInt64(i + 1)))
        }
        XCTAssertEqual(serial.gasUsed, 48 * 21_000)
    }

    func testHotStorageSlot() {
        var block = B()
        let counter = B.contract(1)
        block.deploy(counter, code: Snippets.counter)
        for i in 0..<40 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: counter, gas: 60_000)
        }
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.postState.accounts[counter]?.storage[.zero], UInt256(40))
    }

    func testOneSendersNonceChain() {
        var block = B()
        let sender = B.eoa(7)
        block.fund(sender)
        for i in 0..<30 {
            block.send(from: sender, to: B.eoa(100 + i % 5), value: UInt256(10), gas: 21_000)
        }
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.postState.accounts[sender]?.info.nonce, 30)
        XCTAssertEqual(serial.postState.accounts[B.eoa(100)]?.info.balance, UInt256(60))
        XCTAssertTrue(serial.rejected.isEmpty)
    }

    /// BALANCE(COINBASE) read mid-block must include the deferred fees of every earlier transaction.
    func testCoinbaseBalanceReadMidBlock() {
        var block = B()
        let recorder = B.contract(2)
        block.deploy(recorder, code: Snippets.coinbaseRecorder)
        block.fund(block.env.coinbase, UInt256(1_000_000))
        var recorders: [(tx: Int, sender: Address)] = []
        for i in 0..<24 {
            block.fund(B.eoa(i))
            if i % 4 == 3 {
                recorders.append((block.send(from: B.eoa(i), to: recorder, gas: 60_000), B.eoa(i)))
            } else {
                block.send(from: B.eoa(i), to: B.eoa(500 + i), value: UInt256(1), gas: 21_000)
            }
        }
        let serial = Check.allExecutorsAgree(block)
        // Known answer: the base balance plus 3 wei per gas used by every earlier transaction.
        for (tx, sender) in recorders {
            let earlierGas = tx == 0 ? 0 : serial.receipts[tx - 1].cumulativeGasUsed
            let expected = UInt256(1_000_000 + 3 * earlierGas)
            XCTAssertEqual(serial.postState.accounts[recorder]?.storage[sender.word], expected, "tx \(tx)")
        }
    }

    /// A contract created and self-destructed in one transaction (EIP-6780 deletes it), then called,
    /// given a balance, re-deployed with CREATE2 at the same address (fresh storage), read, and a second
    /// CREATE2 that collides.
    func testCreateSelfDestructCallAndCreate2Redeploy() {
        var block = B()
        let factory = B.contract(3)
        block.deploy(factory, code: Snippets.factory)
        let child = EVM.create2Address(sender: factory, salt: .zero, initCode: Snippets.childInit)
        for i in 0..<6 { block.fund(B.eoa(i)) }
        block.send(from: B.eoa(0), to: factory, data: Snippets.word(3), gas: 400_000)   // create + destroy
        block.send(from: B.eoa(1), to: factory, data: Snippets.word(4), gas: 400_000)   // call the deleted child
        block.send(from: B.eoa(2), to: child, value: UInt256(1), gas: 21_000)           // plain value to it
        block.send(from: B.eoa(3), to: factory, data: Snippets.word(1), gas: 400_000)   // redeploy
        block.send(from: B.eoa(4), to: factory, data: Snippets.word(4), gas: 400_000)   // read: 1
        block.send(from: B.eoa(5), to: factory, data: Snippets.word(1), gas: 400_000)   // collides
        let serial = Check.allExecutorsAgree(block)
        let childAccount = serial.postState.accounts[child]
        XCTAssertEqual(childAccount?.storage[.zero], UInt256(1), "re-created storage starts empty")
        XCTAssertEqual(childAccount?.info.balance, UInt256(1))
        XCTAssertEqual(childAccount?.info.code.bytes, Snippets.childRuntime)
        XCTAssertEqual(serial.postState.accounts[factory]?.storage[UInt256(1)], UInt256(1))
        XCTAssertNil(serial.postState.accounts[factory]?.storage[.zero], "the last CREATE2 collided")
        XCTAssertTrue(serial.receipts.allSatisfy(\.success))
    }

    /// EIP-7610: an account with storage only blocks CREATE2 until a zero-value call touches it, which
    /// deletes it (EIP-161) with its storage; then the CREATE2 succeeds and sees empty storage.
    func testStorageOnlyAccountCollisionThenDeletion() {
        var block = B()
        let factory = B.contract(4)
        block.deploy(factory, code: Snippets.factory)
        let child = EVM.create2Address(sender: factory, salt: .zero, initCode: Snippets.childInit)
        block.pre.accounts[child] = Account(info: AccountInfo(), storage: [.zero: UInt256(41), UInt256(9): UInt256(9)])
        for i in 0..<5 { block.fund(B.eoa(i)) }
        block.send(from: B.eoa(0), to: factory, data: Snippets.word(5), gas: 400_000)   // collides; reads 0
        block.send(from: B.eoa(1), to: child, gas: 21_000)                              // touch: deleted
        block.send(from: B.eoa(2), to: factory, data: Snippets.word(5), gas: 400_000)   // deploys; reads 1
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.postState.accounts[child]?.storage, [.zero: UInt256(1)])
        XCTAssertEqual(serial.postState.accounts[factory]?.storage[UInt256(1)], UInt256(1))
    }

    func testRevertsAndOutOfGas() {
        var block = B()
        let reverter = B.contract(5), burner = B.contract(6), counter = B.contract(7)
        block.deploy(reverter, code: Snippets.reverter)
        block.deploy(burner, code: Snippets.burner)
        block.deploy(counter, code: Snippets.counter)
        for i in 0..<12 {
            block.fund(B.eoa(i))
            switch i % 3 {
            case 0: block.send(from: B.eoa(i), to: reverter, value: UInt256(5), gas: 80_000)
            case 1: block.send(from: B.eoa(i), to: burner, gas: 70_000)
            default: block.send(from: B.eoa(i), to: counter, gas: 60_000)
            }
        }
        let serial = Check.allExecutorsAgree(block)
        for (i, r) in serial.receipts.enumerated() {
            XCTAssertEqual(r.success, i % 3 == 2, "tx \(i)")
            if i % 3 == 1 { XCTAssertEqual(r.gasUsed, 70_000, "out of gas uses all gas") }
        }
        XCTAssertTrue(serial.postState.accounts[reverter]?.storage.isEmpty ?? false)
        XCTAssertEqual(serial.postState.accounts[reverter]?.info.balance, .zero)
        XCTAssertEqual(serial.postState.accounts[counter]?.storage[.zero], UInt256(4))
    }

    func testInvalidTransactionInTheMiddle() {
        var block = B()
        let s = B.eoa(1)
        block.fund(s)
        block.fund(B.eoa(2))
        block.send(from: s, to: B.eoa(9), value: UInt256(1), gas: 21_000)              // nonce 0
        block.send(from: B.eoa(2), to: B.eoa(9), value: UInt256(1), gas: 21_000)
        block.send(from: s, to: B.eoa(9), value: UInt256(1), gas: 21_000, nonce: 5)    // bad nonce
        block.send(from: s, to: B.eoa(9), value: UInt256(1), gas: 21_000)              // nonce 1
        block.send(from: B.eoa(3), to: B.eoa(9), value: UInt256(1), gas: 21_000)       // no funds
        block.send(from: s, to: B.eoa(9), value: UInt256(1), gas: 21_000)              // nonce 2
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.rejected.map(\.index), [2, 4])
        XCTAssertEqual(serial.rejected.first?.error, "nonce mismatch: account has 1, transaction has 5")
        XCTAssertEqual(serial.postState.accounts[s]?.info.nonce, 3)
        XCTAssertEqual(serial.postState.accounts[B.eoa(9)]?.info.balance, UInt256(4))
    }

    /// Value sent to the coinbase, a transaction from the coinbase, and zero-tip transactions (which
    /// touch the coinbase and so read it).
    func testValueTransfersToAndFromCoinbase() {
        var block = B()
        let cb = block.env.coinbase
        block.fund(cb, UInt256(50_000_000))
        for i in 0..<16 { block.fund(B.eoa(i)) }
        for i in 0..<16 {
            switch i % 4 {
            case 0: block.send(from: B.eoa(i), to: cb, value: UInt256(UInt64(1000 + i)), gas: 21_000)
            case 1: block.send(from: B.eoa(i), to: B.eoa(300 + i), value: UInt256(1), gas: 21_000, gasPrice: UInt256(7))
            case 2: block.send(from: cb, to: B.eoa(400 + i), value: UInt256(77), gas: 21_000)
            default: block.send(from: B.eoa(i), to: B.eoa(300 + i), value: UInt256(1), gas: 21_000)
            }
        }
        let serial = Check.allExecutorsAgree(block)
        XCTAssertTrue(serial.rejected.isEmpty)
        // 12 tipping transactions of 21 000 gas at 3 wei, 4 transfers in, 4 out (77 + 21 000 * 10 each).
        let inflow: UInt64 = 1000 + 1004 + 1008 + 1012
        let expected = UInt256(50_000_000 + 12 * 21_000 * 3 + inflow - 4 * (77 + 21_000 * 10))
        XCTAssertEqual(serial.postState.accounts[cb]?.info.balance, expected)
        XCTAssertEqual(serial.postState.accounts[cb]?.info.nonce, 4)
    }

    /// An empty coinbase touched by zero-tip transactions (EIP-161) before and after one that pays it.
    func testEmptyCoinbaseTouchedByZeroTips() {
        var block = B()
        for i in 0..<8 { block.fund(B.eoa(i)) }
        for i in 0..<8 {
            block.send(from: B.eoa(i), to: B.eoa(50 + i), value: UInt256(1), gas: 21_000,
                       gasPrice: UInt256(i == 4 ? 8 : 7))
        }
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.postState.accounts[block.env.coinbase]?.info.balance, UInt256(21_000))
    }

    /// The parallel run offers each transaction the whole block gas limit; where less is left in block
    /// order, the serial answer differs and the block falls back to a serial run.
    func testBlockGasLimitFallsBackToSerial() {
        var block = B()
        block.env.gasLimit = 100_000
        for i in 0..<6 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(60), value: UInt256(1), gas: 21_000)
        }
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.rejected.map(\.index), [4, 5])
        XCTAssertEqual(serial.rejected.first?.error, "gas limit 21000 exceeds the block's available gas 16000")
        let outcome = BlockSTMExecutor(threads: 2, policy: .alwaysParallel)
            .execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertTrue(outcome.metrics.ranSerially)
    }

    /// A transaction rejected for another reason is rejected serially for the block gas: same writes
    /// (none), so no fallback, only the serial error message.
    func testBlockGasLimitRejectionWithoutFallback() {
        var block = B()
        block.env.gasLimit = 50_000
        block.fund(B.eoa(1))
        block.fund(B.eoa(2))
        block.send(from: B.eoa(1), to: B.eoa(60), value: UInt256(1), gas: 30_000)
        block.send(from: B.eoa(2), to: B.eoa(60), value: UInt256(1), gas: 30_000, nonce: 9)
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.rejected, [RejectedTransaction(index: 1, error: "gas limit 30000 exceeds the block's available gas 29000")])
        let outcome = BlockSTMExecutor(threads: 2, policy: .alwaysParallel)
            .execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertFalse(outcome.metrics.ranSerially)
    }

    /// Seven one-blob transactions: the seventh exceeds the block's blob gas (EIP-4844), serially rejected.
    func testBlobGasOverTheBlockMaximum() {
        let block = B.sevenBlobTransactions()
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.rejected.map(\.index), [6])
        XCTAssertEqual(serial.blobGasUsed, 6 * BlobParameters.gasPerBlob)
    }

    func testTransientStorageAndRefunds() {
        var block = B()
        let c = B.contract(8)
        block.deploy(c, code: Snippets.transientAndRefund, storage: [UInt256(1): UInt256(5)])
        for i in 0..<10 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: c, gas: 100_000)
        }
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.postState.accounts[c]?.storage[B.eoa(3).word], UInt256(7))
        XCTAssertNil(serial.postState.accounts[c]?.storage[UInt256(1)])
        // Only the first call clears slot 1 and so gets the refund: it uses less gas than the second.
        XCTAssertLessThan(serial.receipts[0].gasUsed, serial.receipts[1].gasUsed)
    }

    func testWithdrawalsAndBeaconRootAroundTransactions() {
        var block = B()
        // A stand-in for the EIP-4788 contract: storage[TIMESTAMP] = calldata word 0.
        var a = EVMAssembler()
        a.push(0); a.op(.calldataload, .timestamp, .sstore, .stop)
        block.deploy(BlockFinalization.beaconRootsAddress, code: a.assembled)
        block.env.parentBeaconBlockRoot = Hash32(w0: 1, w1: 2, w2: 3, w3: 4)
        block.env.withdrawals = [Withdrawal(index: 0, validatorIndex: 0, address: B.eoa(1), amount: 1),
                                 Withdrawal(index: 1, validatorIndex: 0, address: block.env.coinbase, amount: 2)]
        for i in 0..<6 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.eoa(1), value: UInt256(1), gas: 21_000)
        }
        let serial = Check.allExecutorsAgree(block)
        XCTAssertEqual(serial.postState.accounts[BlockFinalization.beaconRootsAddress]?.storage[UInt256(1_000)],
                       UInt256(bigEndianBytes: Hash32(w0: 1, w1: 2, w2: 3, w3: 4).bytes))
    }

    /// The benchmark blocks, small: identical results, and their own known answers.
    func testBenchmarkBlocks() {
        for b in BlockSTMBenchmark.blocks(txs: 24) {
            var block = B()
            block.pre = b.pre
            block.env = b.env
            block.txs = b.txs
            let serial = Check.allExecutorsAgree(block, stress: false)
            XCTAssertTrue(serial.receipts.allSatisfy(\.success), b.name)
            XCTAssertTrue(serial.rejected.isEmpty, b.name)
            switch b.name {
            case "erc20-transfers":
                XCTAssertEqual(serial.receipts.first?.logs.count, 1)
                let token = b.txs[0].to ?? .zero
                let recipient = BlockSTMBenchmark.account(5, kind: 2)
                XCTAssertEqual(serial.postState.accounts[token]?.storage[BlockSTMBenchmark.balanceSlot(recipient)], UInt256(105))
                XCTAssertEqual(serial.postState.accounts[token]?.storage[BlockSTMBenchmark.balanceSlot(b.txs[5].sender)],
                               UInt256(1_000_000 - 105))
            case "dependent-counter":
                XCTAssertEqual(serial.postState.accounts[b.txs[0].to ?? .zero]?.storage[.zero], UInt256(24))
            case "transfers":
                XCTAssertTrue(serial.receipts.allSatisfy { $0.gasUsed == 21_000 && $0.logs.isEmpty })
                XCTAssertEqual(serial.postState.accounts[BlockSTMBenchmark.account(5, kind: 7)]?.info.balance, UInt256(1_005))
            default:
                XCTAssertGreaterThan(serial.receipts[0].gasUsed, 60_000)
            }
        }
    }
}
