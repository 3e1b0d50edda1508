import XCTest
import TestSupport
import Foundation
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution
@testable import Workloads

/// A hand-built block: pre-state, environment, transactions.
struct TestBlock {
    var pre = InMemoryState()
    var env = BlockEnvironment(coinbase: Address(a: 0xC0_1B_A5E0_0000_0000, b: 0, c: 0xCB),
                               gasLimit: 30_000_000, number: 1, timestamp: 1_000, baseFee: UInt256(7),
                               excessBlobGas: 0, chainId: 1)
    var txs: [Transaction] = []
    private var nonces: [Address: UInt64] = [:]

    /// The n-th test externally owned account (well away from the precompiles).
    static func eoa(_ n: Int) -> Address { Address(a: 0xE0A0_0000_0000_0000, b: UInt64(n), c: 0xE0A) }
    /// The n-th test contract address.
    static func contract(_ n: Int) -> Address { Address(a: 0xC0DE_0000_0000_0000, b: UInt64(n), c: 0xC0DE) }

    mutating func fund(_ address: Address, _ balance: UInt256 = UInt256(1) << 70) {
        pre.accounts[address, default: Account()].info.balance = balance
    }

    /// Seven funded senders each sending one one-blob transaction (one blob over the Cancun maximum of six).
    static func sevenBlobTransactions() -> TestBlock {
        var block = TestBlock()
        for i in 0..<7 {
            block.fund(eoa(i))
            block.txs.append(Transaction(type: .blob, chainId: 1, nonce: 0, maxFeePerGas: UInt256(10),
                                         maxPriorityFeePerGas: UInt256(2), gasLimit: 21_000, to: eoa(70),
                                         value: UInt256(1), maxFeePerBlobGas: UInt256(10),
                                         blobVersionedHashes: [Hash32(w0: 0x0100_0000_0000_0000 | UInt64(i), w1: 0, w2: 0, w3: 0)],
                                         sender: eoa(i)))
        }
        return block
    }

    mutating func deploy(_ address: Address, code: [UInt8], storage: [UInt256: UInt256] = [:], balance: UInt256 = .zero) {
        pre.accounts[address] = Account(info: AccountInfo(nonce: 1, balance: balance, code: Code(code)), storage: storage)
    }

    /// Appends a legacy transaction (gas price 10, base fee 7: a 3-wei tip) with the sender's next nonce
    /// unless `nonce` is given.
    @discardableResult
    mutating func send(from: Address, to: Address?, value: UInt256 = .zero, data: [UInt8] = [], gas: UInt64 = 200_000,
                       gasPrice: UInt256 = UInt256(10), nonce: UInt64? = nil) -> Int {
        let n = nonce ?? nonces[from, default: 0]
        if nonce == nil { nonces[from] = n + 1 }
        txs.append(Transaction(type: .legacy, chainId: 1, nonce: n, gasPrice: gasPrice, gasLimit: gas, to: to,
                               value: value, data: data, sender: from))
        return txs.count - 1
    }
}

/// Small EVM snippets used by the tests.
enum Snippets {
    typealias A = EVMAssembler
    /// slot0 += 1
    static var counter: [UInt8] { BlockSTMBenchmark.counterCode }

    /// storage[CALLER] = BALANCE(COINBASE)
    static var coinbaseRecorder: [UInt8] {
        var a = A()
        a.op(.coinbase, .balance, .caller, .sstore, .stop)
        return a.assembled
    }

    /// storage[CALLER] = 1, then REVERT.
    static var reverter: [UInt8] {
        var a = A()
        a.push(1); a.op(.caller, .sstore)
        a.push(0); a.push(0); a.op(.revert)
        return a.assembled
    }

    /// An endless loop: runs out of gas.
    static var burner: [UInt8] {
        var a = A()
        a.jumpdest("top")
        a.push(1); a.op(.sload, .pop)
        a.push(label: "top"); a.op(.jump)
        return a.assembled
    }

    /// Child init code: slot0 += 1 (zero after a re-creation, so it must read 1 afterwards), then deploys
    /// `childRuntime`.
    static var childInit: [UInt8] {
        var a = A()
        a.push(0); a.op(.sload); a.push(1); a.op(.add); a.push(0); a.op(.sstore)
        a.returnRuntime(childRuntime)
        return a.assembled
    }

    /// Child runtime: with calldata SELFDESTRUCT to the caller, without return slot0.
    static var childRuntime: [UInt8] {
        var a = A()
        a.op(.calldatasize, .iszero); a.push(label: "keep"); a.op(.jumpi)
        a.op(.caller, .selfdestruct)
        a.jumpdest("keep")
        a.push(0); a.op(.sload); a.push(0); a.op(.mstore); a.push(32); a.push(0); a.op(.return)
        return a.assembled
    }

    /// Factory: calldata word 0 is a bit mask. Bit 0: CREATE2 the child (salt 0), slot0 = its address
    /// (0 on failure). Bit 1: call the child with one byte (it self-destructs). Bit 2: call the child
    /// without data and store the returned word in slot1.
    static var factory: [UInt8] {
        var a = A()
        let initCode = childInit
        a.push(0); a.op(.calldataload)                              // [mode]
        a.op(.dup1); a.push(1); a.op(.and, .iszero); a.push(label: "noCreate"); a.op(.jumpi)
        a.push(initCode.count); a.push(label: "init"); a.push(0); a.op(.codecopy)
        a.push(0); a.push(initCode.count); a.push(0); a.push(0); a.op(.create2)
        a.push(0); a.op(.sstore)
        a.jumpdest("noCreate")
        a.op(.dup1); a.push(2); a.op(.and, .iszero); a.push(label: "noKill"); a.op(.jumpi)
        a.push(0); a.push(0); a.push(1); a.push(0); a.push(0); a.push(0); a.op(.sload, .gas, .call, .pop)
        a.jumpdest("noKill")
        a.op(.dup1); a.push(4); a.op(.and, .iszero); a.push(label: "noRead"); a.op(.jumpi)
        a.push(0); a.push(0); a.op(.mstore)
        a.push(32); a.push(0); a.push(0); a.push(0); a.push(0); a.push(0); a.op(.sload, .gas, .call, .pop)
        a.push(0); a.op(.mload); a.push(1); a.op(.sstore)
        a.jumpdest("noRead")
        a.op(.stop)
        a.mark("init")
        a.data(initCode)
        return a.assembled
    }

    /// Transient storage and a refund: TSTORE 7, TLOAD it into slot[CALLER]; clear slot 1 (refund).
    static var transientAndRefund: [UInt8] {
        var a = A()
        a.push(7); a.push(0); a.op(.tstore)
        a.push(0); a.op(.tload, .caller, .sstore)
        a.push(0); a.push(1); a.op(.sstore)
        a.op(.stop)
        return a.assembled
    }

    static func word(_ v: UInt64) -> [UInt8] { UInt256(v).bigEndianBytes }
}

/// Runs a block serially and with Block-STM and asserts identical results.
enum Check {
    static let threadCounts = [1, 2, 4, 8, 16]

    /// Extra stress repetitions: `LOCKSTEP_STRESS_REPS` (default 20).
    static var stressRepetitions: Int {
        ProcessInfo.processInfo.environment["LOCKSTEP_STRESS_REPS"].flatMap(Int.init) ?? 20
    }

    /// The serial outcome, after checking every thread count and `stressRepetitions` seeded stress runs.
    @discardableResult
    static func allExecutorsAgree(_ block: TestBlock, stress: Bool = true,
                                  file: StaticString = #filePath, line: UInt = #line) -> BlockOutcome {
        let serial = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        for threads in threadCounts {
            let executor = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
            let outcome = executor.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
            assertSame(serial, outcome, "threads \(threads)", file: file, line: line)
        }
        // The BAL executor, from the list a serial run derives: equal at every thread count, and the
        // list must check out against its own execution.
        let list = BlockAccessListBuilder.derive(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        for threads in threadCounts {
            let bal = BALExecutor(threads: threads, list: list, policy: .alwaysParallel)
            switch bal.run(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun) {
            case .success(let outcome): assertSame(serial, outcome, "bal, threads \(threads)", file: file, line: line)
            case .failure(let m): XCTFail("bal, threads \(threads): \(m)", file: file, line: line)
            }
        }
        // Its checked serial run (the adaptive policy's serial decision).
        switch BALExecutor(threads: 2, list: list).serially(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun,
                                                           start: ContinuousClock().now) {
        case .success(let outcome): assertSame(serial, outcome, "bal serially", file: file, line: line)
        case .failure(let m): XCTFail("bal serially: \(m)", file: file, line: line)
        }
        if stress {
            for rep in 0..<stressRepetitions {
                let threads = threadCounts[1 + rep % (threadCounts.count - 1)]
                let executor = BlockSTMExecutor(threads: threads, stress: StressOptions(seed: UInt64(rep) &* 7919 &+ 1),
                                                policy: .alwaysParallel)
                let outcome = executor.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
                assertSame(serial, outcome, "stress seed rep \(rep), threads \(threads)", file: file, line: line)
                let bal = BALExecutor(threads: threads, list: list, stress: StressOptions(seed: UInt64(rep) &* 7919 &+ 1),
                                      policy: .alwaysParallel)
                switch bal.run(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun) {
                case .success(let o): assertSame(serial, o, "bal stress rep \(rep), threads \(threads)", file: file, line: line)
                case .failure(let m): XCTFail("bal stress rep \(rep), threads \(threads): \(m)", file: file, line: line)
                }
            }
        }
        return serial
    }

    static func assertSame(_ s: BlockOutcome, _ p: BlockOutcome, _ what: String,
                           file: StaticString = #filePath, line: UInt = #line) {
        for d in outcomeDifferences(s, p) { XCTFail("\(d), \(what)", file: file, line: line) }
    }
}
