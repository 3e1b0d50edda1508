import XCTest
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution
@testable import Workloads

/// Seeded mixed blocks: a small pool of accounts (nonce chains, shared balances), a hot counter, the
/// coinbase recorder, token transfers, CREATE2/SELFDESTRUCT churn on one address, reverts, bad nonces
/// and zero tips, all interleaved.
final class BlockSTMRandomBlockTests: XCTestCase {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func mixedBlock(seed: UInt64, count: Int) -> TestBlock {
        var rng = SplitMix(state: seed)
        var block = TestBlock()
        let pool = (0..<12).map { TestBlock.eoa($0) }
        let counter = TestBlock.contract(10), recorder = TestBlock.contract(11), factory = TestBlock.contract(12)
        let reverter = TestBlock.contract(13), token = TestBlock.contract(14)
        block.deploy(counter, code: Snippets.counter)
        block.deploy(recorder, code: Snippets.coinbaseRecorder)
        block.deploy(factory, code: Snippets.factory)
        block.deploy(reverter, code: Snippets.reverter)
        var balances: [UInt256: UInt256] = [:]
        for a in pool { balances[BlockSTMBenchmark.balanceSlot(a)] = UInt256(1_000) }
        block.deploy(token, code: BlockSTMBenchmark.tokenCode, storage: balances)
        for a in pool { block.fund(a) }
        block.fund(block.env.coinbase, UInt256(1) << 60)
        let cb = block.env.coinbase
        for _ in 0..<count {
            let from = rng.below(10) == 0 ? cb : pool[rng.below(pool.count)]
            let tip = rng.below(6) == 0 ? UInt256(7) : UInt256(10)
            switch rng.below(9) {
            case 0:
                let to = rng.below(5) == 0 ? cb : pool[rng.below(pool.count)]
                block.send(from: from, to: to, value: UInt256(UInt64(rng.below(1000))), gas: 21_000, gasPrice: tip)
            case 1: block.send(from: from, to: counter, gas: 60_000, gasPrice: tip)
            case 2: block.send(from: from, to: recorder, gas: 60_000, gasPrice: tip)
            case 3:
                let to = pool[rng.below(pool.count)]
                let data = [0xa9, 0x05, 0x9c, 0xbb] + to.word.bigEndianBytes + UInt256(UInt64(rng.below(400))).bigEndianBytes
                block.send(from: from, to: token, data: data, gas: 90_000, gasPrice: tip)
            case 4, 5:
                block.send(from: from, to: factory, data: Snippets.word(UInt64(1 + rng.below(7))), gas: 400_000, gasPrice: tip)
            case 6: block.send(from: from, to: reverter, value: UInt256(3), gas: 60_000, gasPrice: tip)
            case 7: block.send(from: from, to: pool[0], value: UInt256(1), gas: 21_000, nonce: UInt64(rng.below(40)))
            default:
                let child = EVM.create2Address(sender: factory, salt: .zero, initCode: Snippets.childInit)
                block.send(from: from, to: child, value: UInt256(UInt64(rng.below(2))), gas: 60_000, gasPrice: tip)
            }
        }
        return block
    }

    func testMixedBlocks() {
        for seed: UInt64 in [1, 2, 3, 4] {
            let block = Self.mixedBlock(seed: seed, count: 80)
            let serial = Check.allExecutorsAgree(block)
            // The block must exercise what it claims to: included and rejected transactions, successes and failures.
            XCTAssertGreaterThan(serial.receipts.count, 40, "seed \(seed)")
            XCTAssertTrue(serial.receipts.contains { !$0.success }, "seed \(seed)")
        }
    }

    func testLargeMixedBlockUnderStress() {
        let block = Self.mixedBlock(seed: 99, count: 300)
        Check.allExecutorsAgree(block)
    }
}
