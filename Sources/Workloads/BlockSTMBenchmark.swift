import EVMPrimitives
import EVMState
import Execution
import Keccak

/// Benchmark blocks for Block-STM: the shapes that bound what a parallel executor can do.
///
/// - `erc20-transfers`: independent token transfers (one token contract, a balances mapping in storage,
///   every sender pays a different recipient): parallel except for the shared contract code.
/// - `compute-heavy`: independent calls that each hash and multiply in a loop (~50k gas of compute) on
///   their own contract: parallel and dominated by interpreter time.
/// - `dependent-counter`: every transaction increments the same storage slot: a chain, no parallelism.
/// - `transfers`: plain value transfers (21,000 gas each), every sender paying a different, new recipient:
///   independent, and the cheapest transaction there is, so Block-STM's per-transaction cost weighs most.
public enum BlockSTMBenchmark {
    /// The block environment shared by the benchmark blocks (Cancun, base fee 7 wei, tip 3 wei).
    static func environment(gas: UInt64) -> BlockEnvironment {
        BlockEnvironment(coinbase: Address(a: 0xC0FF_EE00_0000_0000, b: 0, c: 0xC0FFEE),
                         gasLimit: max(30_000_000, gas), number: 1, timestamp: 1_700_000_000,
                         baseFee: UInt256(7), excessBlobGas: 0, chainId: 1)
    }

    static let gasPrice = UInt256(10)

    /// The n-th externally owned account of a benchmark block.
    static func account(_ n: Int, kind: UInt64) -> Address {
        Address(a: 0xA000_0000_0000_0000 | kind << 32, b: UInt64(n), c: 0x5EED)
    }

    /// The names of the benchmark blocks, in the order `blocks(txs:)` returns them.
    public static let workloadNames = ["erc20-transfers", "compute-heavy", "dependent-counter", "transfers"]

    /// The benchmark blocks, each of `txs` transactions.
    public static func blocks(txs: Int) -> [(name: String, pre: InMemoryState, env: BlockEnvironment, txs: [Transaction])] {
        [erc20Transfers(txs), computeHeavy(txs), dependentCounter(txs), transfers(txs)]
    }

    // MARK: contracts

    /// Solidity's `balances[address]` slot for mapping slot 0: keccak(address word . 0).
    static func balanceSlot(_ owner: Address) -> UInt256 {
        var b = owner.word.bigEndianBytes
        b += [UInt8](repeating: 0, count: 32)
        return UInt256(bigEndianBytes: Keccak256.hash(b).bytes)
    }

    /// `transfer(address to, uint256 amount)` (selector 0xa9059cbb): moves `amount` between the caller's
    /// and `to`'s balance slots, logs `Transfer(from, to, amount)`, returns true; reverts when the
    /// caller's balance is short or the selector is unknown.
    static let tokenCode: [UInt8] = {
        var a = EVMAssembler()
        a.push(0); a.op(.calldataload); a.push(0xe0); a.op(.shr)
        a.push(UInt256(0xa905_9cbb)); a.op(.eq, .iszero); a.push(label: "fail"); a.op(.jumpi)
        // from slot = keccak(caller . 0); memory[32..<64] stays zero.
        a.op(.caller); a.push(0); a.op(.mstore)
        a.push(64); a.push(0); a.op(.keccak256)             // [fromSlot]
        a.op(.dup1, .sload)                                  // [fromSlot, fromBalance]
        a.push(36); a.op(.calldataload)                      // [fromSlot, fromBalance, amount]
        a.op(.dup2, .dup2, .gt); a.push(label: "fail"); a.op(.jumpi)  // amount > fromBalance: revert
        a.op(.swap1, .sub)                                   // [fromSlot, fromBalance - amount]
        a.op(.swap1, .sstore)
        // to slot = keccak(to . 0)
        a.push(4); a.op(.calldataload); a.push(0); a.op(.mstore)
        a.push(64); a.push(0); a.op(.keccak256)             // [toSlot]
        a.op(.dup1, .sload); a.push(36); a.op(.calldataload); a.op(.add)
        a.op(.swap1, .sstore)
        // emit Transfer(from, to, amount)
        a.push(36); a.op(.calldataload); a.push(0); a.op(.mstore)
        a.push(4); a.op(.calldataload); a.op(.caller)
        a.push(UInt256(bigEndianBytes: Keccak256.hash(Array("Transfer(address,address,uint256)".utf8)).bytes))
        a.push(32); a.push(0); a.op(.log3)
        a.push(1); a.push(0); a.op(.mstore); a.push(32); a.push(0); a.op(.return)
        a.jumpdest("fail")
        a.push(0); a.push(0); a.op(.revert)
        return a.assembled
    }()

    /// Appends a loop that hashes and squares a word `iterations` times starting from the caller's address,
    /// leaving the word in memory at 0 (the compute-heavy workload's work; tests build on it too).
    static func appendHashLoop(to a: inout EVMAssembler, iterations: Int) {
        a.push(iterations)
        a.op(.caller); a.push(0); a.op(.mstore)
        a.jumpdest("loop")
        a.push(32); a.push(0); a.op(.keccak256)
        a.op(.dup1, .mul)
        a.push(0); a.op(.mstore)
        a.push(1); a.op(.swap1, .sub)
        a.op(.dup1); a.push(label: "loop"); a.op(.jumpi)
        a.op(.pop)
    }

    /// Hashes and squares a word `iterations` times starting from the caller's address, then stores
    /// the result in slot 0.
    static func computeCode(iterations: Int) -> [UInt8] {
        var a = EVMAssembler()
        appendHashLoop(to: &a, iterations: iterations)
        a.push(0); a.op(.mload); a.push(0); a.op(.sstore)
        a.op(.stop)
        return a.assembled
    }

    /// Adds one to slot 0.
    static let counterCode: [UInt8] = {
        var a = EVMAssembler()
        a.push(0); a.op(.sload); a.push(1); a.op(.add); a.push(0); a.op(.sstore); a.op(.stop)
        return a.assembled
    }()

    // MARK: blocks

    static func funded(_ n: Int, kind: UInt64) -> (Address, Account) {
        (account(n, kind: kind), Account(info: AccountInfo(balance: UInt256(1) << 80)))
    }

    static func call(from: Address, to: Address, data: [UInt8] = [], gas: UInt64, value: UInt256 = .zero) -> Transaction {
        Transaction(type: .legacy, chainId: 1, nonce: 0, gasPrice: gasPrice, gasLimit: gas, to: to, value: value,
                    data: data, sender: from)
    }

    public static func erc20Transfers(_ n: Int) -> (name: String, pre: InMemoryState, env: BlockEnvironment, txs: [Transaction]) {
        let token = Address(a: 0x7070_0000_0000_0000, b: 0, c: 0x20)
        var pre = InMemoryState()
        var tokenStorage: [UInt256: UInt256] = [:]
        var txs: [Transaction] = []
        for i in 0..<n {
            let (sender, account) = funded(i, kind: 1)
            pre.accounts[sender] = account
            tokenStorage[balanceSlot(sender)] = UInt256(1_000_000)
            let recipient = Self.account(i, kind: 2)
            let data = [0xa9, 0x05, 0x9c, 0xbb] + recipient.word.bigEndianBytes + UInt256(UInt64(100 + i)).bigEndianBytes
            txs.append(call(from: sender, to: token, data: data, gas: 80_000))
        }
        pre.accounts[token] = Account(info: AccountInfo(nonce: 1, code: Code(tokenCode)), storage: tokenStorage)
        return ("erc20-transfers", pre, environment(gas: UInt64(n) * 80_000), txs)
    }

    static func computeHeavy(_ n: Int) -> (name: String, pre: InMemoryState, env: BlockEnvironment, txs: [Transaction]) {
        let code = Code(computeCode(iterations: 600))
        var pre = InMemoryState()
        var txs: [Transaction] = []
        for i in 0..<n {
            let (sender, account) = funded(i, kind: 3)
            pre.accounts[sender] = account
            let contract = Self.account(i, kind: 4)
            pre.accounts[contract] = Account(info: AccountInfo(nonce: 1, code: code))
            txs.append(call(from: sender, to: contract, gas: 120_000))
        }
        return ("compute-heavy", pre, environment(gas: UInt64(n) * 120_000), txs)
    }

    static func dependentCounter(_ n: Int) -> (name: String, pre: InMemoryState, env: BlockEnvironment, txs: [Transaction]) {
        let counter = Address(a: 0xC0C0_0000_0000_0000, b: 0, c: 0x1)
        var pre = InMemoryState()
        pre.accounts[counter] = Account(info: AccountInfo(nonce: 1, code: Code(counterCode)))
        var txs: [Transaction] = []
        for i in 0..<n {
            let (sender, account) = funded(i, kind: 5)
            pre.accounts[sender] = account
            txs.append(call(from: sender, to: counter, gas: 50_000))
        }
        return ("dependent-counter", pre, environment(gas: UInt64(n) * 50_000), txs)
    }

    static func transfers(_ n: Int) -> (name: String, pre: InMemoryState, env: BlockEnvironment, txs: [Transaction]) {
        var pre = InMemoryState()
        var txs: [Transaction] = []
        for i in 0..<n {
            let (sender, account) = funded(i, kind: 6)
            pre.accounts[sender] = account
            txs.append(call(from: sender, to: Self.account(i, kind: 7), gas: 21_000, value: UInt256(UInt64(1_000 + i))))
        }
        return ("transfers", pre, environment(gas: UInt64(n) * 21_000), txs)
    }
}
