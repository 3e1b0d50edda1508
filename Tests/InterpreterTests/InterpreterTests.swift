import XCTest
import EVMPrimitives
import EVMState
import EVMInterpreter
import Keccak
@testable import Execution

/// Opcode, gas and transaction-lifecycle tests on hand-written bytecode. Expected gas figures are worked
/// out from the Yellow Paper and the EIPs named beside each test, not taken from the implementation.
final class InterpreterTests: XCTestCase {
    let sender = Address(a: 0xa94f_5374_fce5_edbc, b: 0x8e2a_8697_c153_3167, c: 0x7e6e_bf0b)
    let contract = Address(a: 0, b: 0, c: 0xc0de)
    let coinbase = Address(a: 0, b: 0, c: 0xc0ba5e)

    /// CREATE addresses from the stack encoding equal keccak(rlp([sender, nonce])) built as arrays, for nonces on
    /// both sides of each RLP length boundary, and the well-known addresses of 0x6ac7...dbf0's first deployments.
    func testCreateAddressMatchesRLPOfSenderAndNonce() throws {
        var nonces: [UInt64] = [0, 1, 0x7f, 0x80, 0x81, 0xff, 0x100, 0xffff, 0x1_0000, UInt64.max - 1, UInt64.max]
        for shift in stride(from: 8, to: 64, by: 8) { nonces += [(1 << UInt64(shift)) - 1, 1 << UInt64(shift)] }
        for nonce in nonces {
            let n = UInt256(nonce).minimalBigEndianBytes
            let nonceEncoding: [UInt8] = nonce == 0 ? [0x80] : nonce < 0x80 ? n : [0x80 + UInt8(n.count)] + n
            let payload = [0x94] + sender.bytes + nonceEncoding
            let encoded = [0xc0 + UInt8(payload.count)] + payload
            XCTAssertEqual(EVM.createAddress(sender: sender, nonce: nonce), Address(Keccak256.hash(encoded).bytes[12...]),
                           "nonce \(nonce)")
        }
        let deployer = try Address(hex: "0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0")
        let expected = ["0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d", "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8",
                        "0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91", "0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c"]
        for (nonce, address) in expected.enumerated() {
            XCTAssertEqual(EVM.createAddress(sender: deployer, nonce: UInt64(nonce)), try Address(hex: address))
        }
    }
    let oneEther = UInt256(1_000_000_000_000_000_000)

    func code(_ hex: String) -> Code { Code((try? Hex.decode(hex)) ?? []) }

    func state(code contractCode: String, storage: [UInt256: UInt256] = [:], extra: [Address: Account] = [:]) -> InMemoryState {
        var accounts: [Address: Account] = [
            sender: Account(info: AccountInfo(nonce: 0, balance: oneEther)),
            contract: Account(info: AccountInfo(nonce: 1, balance: .zero, code: code(contractCode)), storage: storage),
        ]
        for (a, acc) in extra { accounts[a] = acc }
        return InMemoryState(accounts: accounts)
    }

    var env: BlockEnvironment { BlockEnvironment(coinbase: coinbase, gasLimit: 30_000_000, number: 1, timestamp: 1, baseFee: 7) }

    func tx(to: Address? = nil, data: [UInt8] = [], gas: UInt64 = 100_000, value: UInt256 = .zero, nonce: UInt64 = 0,
            price: UInt256 = 10) -> Transaction {
        Transaction(type: .legacy, nonce: nonce, gasPrice: price, gasLimit: gas, to: to, value: value, data: data, sender: sender)
    }

    func run(_ t: Transaction, on pre: InMemoryState) throws -> (TransactionResult, InMemoryState) {
        switch TransactionProcessor.execute(t, env: env, reader: pre) {
        case .failure(let e): throw e
        case .success(let r):
            var post = pre
            post.apply(r.changes)
            return (r, post)
        }
    }

    // PUSH1 2 PUSH1 3 ADD PUSH0 SSTORE: 3+3+3+2 + cold SSTORE of a zero slot (2100 + 20000, EIP-2929/2200).
    func testAddAndStoreGas() throws {
        let pre = state(code: "60026003015f5500")
        let (r, post) = try run(tx(to: contract), on: pre)
        XCTAssertTrue(r.success)
        XCTAssertEqual(post.storage(contract, key: .zero), UInt256(5))
        XCTAssertEqual(r.gasUsed, 21000 + 3 + 3 + 3 + 2 + 22100)
        // Coinbase gets only the priority fee (10 - 7 base fee) per gas; the base fee is burnt.
        XCTAssertEqual(post.account(coinbase)?.balance, UInt256(3 * r.gasUsed))
        XCTAssertEqual(post.account(sender)?.balance, oneEther &- UInt256(10 * r.gasUsed))
        XCTAssertEqual(post.account(sender)?.nonce, 1)
    }

    // Clearing a slot set before the transaction refunds 4800 (EIP-3529), capped at a fifth of gas used.
    func testSstoreClearRefund() throws {
        let pre = state(code: "5f5f55", storage: [.zero: .one])  // PUSH0 PUSH0 SSTORE
        let (r, post) = try run(tx(to: contract), on: pre)
        XCTAssertEqual(post.storage(contract, key: .zero), .zero)
        let used: UInt64 = 21000 + 2 + 2 + 2100 + 2900
        XCTAssertEqual(r.gasUsed, used - min(4800, used / 5))
    }

    // SSTORE with 2300 gas or less left fails (EIP-2200 stipend rule): all gas is consumed.
    func testSstoreStipendRule() throws {
        let pre = state(code: "60015f55")
        let (r, post) = try run(tx(to: contract, gas: 21000 + 2 + 3 + 2300), on: pre)
        XCTAssertFalse(r.success)
        XCTAssertEqual(r.gasUsed, 21000 + 2 + 3 + 2300)
        XCTAssertEqual(post.storage(contract, key: .zero), .zero)
    }

    // REVERT undoes the store but returns the unused gas.
    func testRevertKeepsGas() throws {
        let pre = state(code: "60015f555f5ffd")  // PUSH1 1 PUSH0 SSTORE PUSH0 PUSH0 REVERT
        let (r, post) = try run(tx(to: contract), on: pre)
        XCTAssertFalse(r.success)
        XCTAssertEqual(post.storage(contract, key: .zero), .zero)
        XCTAssertEqual(r.gasUsed, 21000 + 3 + 2 + 22100 + 2 + 2)
    }

    // An undefined opcode is an exceptional halt: all gas consumed, nothing kept but nonce and fee.
    func testInvalidOpcodeConsumesAllGas() throws {
        let pre = state(code: "60015f550c")
        let (r, post) = try run(tx(to: contract, gas: 50_000), on: pre)
        XCTAssertFalse(r.success)
        XCTAssertEqual(r.gasUsed, 50_000)
        XCTAssertEqual(post.storage(contract, key: .zero), .zero)
        XCTAssertEqual(post.account(sender)?.nonce, 1)
    }

    // MSTORE at 0x1000 expands memory to 0x1020 bytes = 129 words: 3*129 + 129^2/512 = 387 + 32 = 419.
    func testMemoryExpansionGas() throws {
        let pre = state(code: "600161100052")  // PUSH1 1 PUSH2 0x1000 MSTORE
        let (r, _) = try run(tx(to: contract), on: pre)
        XCTAssertEqual(r.gasUsed, 21000 + 3 + 3 + 3 + 419)
    }

    // EIP-1153: TSTORE/TLOAD within a transaction; nothing persists.
    func testTransientStorage() throws {
        // PUSH1 7 PUSH0 TSTORE PUSH0 TLOAD PUSH0 SSTORE
        let pre = state(code: "60075f5d5f5c5f55")
        let (r, post) = try run(tx(to: contract), on: pre)
        XCTAssertTrue(r.success)
        XCTAssertEqual(post.storage(contract, key: .zero), UInt256(7))
        XCTAssertEqual(r.gasUsed, 21000 + 3 + 2 + 100 + 2 + 100 + 2 + 22100)
    }

    // EIP-6780: SELFDESTRUCT of a contract that existed before the transaction only moves its balance.
    func testSelfdestructOfOldContractKeepsIt() throws {
        var pre = state(code: "41ff")  // COINBASE SELFDESTRUCT
        pre.accounts[contract]?.info.balance = UInt256(1000)
        let (r, post) = try run(tx(to: contract), on: pre)
        XCTAssertTrue(r.success)
        XCTAssertNotNil(post.account(contract))
        XCTAssertEqual(post.account(contract)?.balance, .zero)
        XCTAssertFalse(post.account(contract)?.code.isEmpty ?? true)
    }

    // EIP-6780: a contract created and self-destructed in one transaction is deleted.
    func testCreateAndSelfdestructInOneTransaction() throws {
        // init code: COINBASE SELFDESTRUCT
        let (r, post) = try run(tx(data: [0x41, 0xff], gas: 200_000), on: state(code: "00"))
        XCTAssertTrue(r.success)
        let created = EVM.createAddress(sender: sender, nonce: 0)
        XCTAssertNil(post.account(created))
    }

    // A creation transaction deploys the returned code and charges 200 gas per byte (plus EIP-3860 init words).
    func testCreationDeploysCode() throws {
        // init: PUSH1 0xfe PUSH0 MSTORE8 PUSH1 1 PUSH0 RETURN -> deploys 0xfe
        let initCode: [UInt8] = [0x60, 0xfe, 0x5f, 0x53, 0x60, 0x01, 0x5f, 0xf3]
        let (r, post) = try run(tx(data: initCode, gas: 200_000), on: state(code: "00"))
        XCTAssertTrue(r.success)
        let created = EVM.createAddress(sender: sender, nonce: 0)
        XCTAssertEqual(post.account(created)?.code.bytes, [0xfe])
        XCTAssertEqual(post.account(created)?.nonce, 1)
        let intrinsic: UInt64 = 21000 + 32000 + 16 * 8 + 2 * 1
        XCTAssertEqual(r.gasUsed, intrinsic + 3 + 2 + 3 + 3 + 2 + 3 + 200)
    }

    // EIP-3541: deployed code may not start with 0xEF.
    func testEFPrefixRejected() throws {
        let initCode: [UInt8] = [0x60, 0xef, 0x5f, 0x53, 0x60, 0x01, 0x5f, 0xf3]
        let (r, post) = try run(tx(data: initCode, gas: 200_000), on: state(code: "00"))
        XCTAssertFalse(r.success)
        XCTAssertEqual(r.gasUsed, 200_000)
        XCTAssertNil(post.account(EVM.createAddress(sender: sender, nonce: 0)))
    }

    // The identity precompile through CALL: cost 15 + 3 per word, output copied back.
    func testIdentityPrecompileCall() throws {
        // PUSH1 0x2a PUSH0 MSTORE; CALL(gas=0xffff, to=4, value=0, in=0..32, out=32..64); PUSH1 32 MLOAD PUSH0 SSTORE
        let pre = state(code: "602a5f52" + "60206020" + "60205f" + "5f" + "6004" + "61ffff" + "f1" + "50" + "602051" + "5f55")
        let (r, post) = try run(tx(to: contract), on: pre)
        XCTAssertTrue(r.success)
        XCTAssertEqual(post.storage(contract, key: .zero), UInt256(0x2a))
    }

    // STATICCALL to code that writes storage fails; the caller continues with 0 on the stack.
    func testStaticCallCannotWrite() throws {
        let writer = Address(a: 0, b: 0, c: 0xbeef)
        let extra = [writer: Account(info: AccountInfo(nonce: 1, code: code("60015f55")))]
        // STATICCALL(gas, writer, 0,0,0,0) PUSH0 SSTORE  -> stores the success flag (0)
        let pre = state(code: "5f5f5f5f" + "61beef" + "61ffff" + "fa" + "600155", extra: extra)
        let (r, post) = try run(tx(to: contract), on: pre)
        XCTAssertTrue(r.success)
        XCTAssertEqual(post.storage(contract, key: .one), .zero)
        XCTAssertEqual(post.storage(writer, key: .zero), .zero)
    }

    // EIP-161: a zero-value call touches an existing empty account, which is then deleted.
    func testTouchedEmptyAccountDeleted() throws {
        let empty = Address(a: 0, b: 0, c: 0xe111)
        let pre = state(code: "00", extra: [empty: Account()])
        let (_, post) = try run(tx(to: empty), on: pre)
        XCTAssertNil(post.account(empty))
    }

    // BLOBHASH, BLOBBASEFEE and PUSH0 (EIP-4844, EIP-7516, EIP-3855) on a type-3 transaction.
    func testBlobOpcodes() throws {
        var t = tx(to: contract, gas: 100_000)
        t.type = .blob
        t.maxFeePerGas = 10; t.maxPriorityFeePerGas = 1; t.maxFeePerBlobGas = 1
        var h = [UInt8](repeating: 0x11, count: 32); h[0] = 0x01
        t.blobVersionedHashes = [Hash32(h)]
        // PUSH0 BLOBHASH PUSH0 SSTORE  BLOBBASEFEE PUSH1 1 SSTORE
        let (r, post) = try run(t, on: state(code: "5f495f55" + "4a600155"))
        XCTAssertTrue(r.success)
        XCTAssertEqual(post.storage(contract, key: .zero), Hash32(h).word)
        XCTAssertEqual(post.storage(contract, key: .one), UInt256(1))  // excess blob gas 0 -> 1 wei
        XCTAssertEqual(r.blobGasUsed, 131_072)
    }

    // Invalid transactions are rejected with a reason and change nothing.
    func testValidityRules() {
        let pre = state(code: "00")
        func reject(_ t: Transaction, _ expected: TransactionError, file: StaticString = #filePath, line: UInt = #line) {
            switch TransactionProcessor.execute(t, env: env, reader: pre) {
            case .success: XCTFail("accepted", file: file, line: line)
            case .failure(let e): XCTAssertEqual(e, expected, file: file, line: line)
            }
        }
        reject(tx(to: contract, nonce: 3), .nonceMismatch(expected: 0, got: 3))
        reject(tx(to: contract, gas: 20_000), .intrinsicGasTooLow(intrinsic: 21_000, limit: 20_000))
        reject(tx(to: contract, price: 6), .gasPriceBelowBaseFee)
        reject(tx(to: contract, gas: 40_000_000), .gasLimitExceedsBlock(txGas: 40_000_000, available: 30_000_000))
        reject(tx(to: contract, value: oneEther), .insufficientFunds(required: oneEther &+ UInt256(1_000_000), balance: oneEther))
        reject(tx(data: [UInt8](repeating: 0, count: 49_153), gas: 10_000_000), .initCodeTooLarge(size: 49_153))
        var t = tx(to: contract)
        t.type = .dynamicFee; t.maxFeePerGas = 10; t.maxPriorityFeePerGas = 11
        reject(t, .priorityFeeAboveMaxFee)
        var withCode = pre
        withCode.accounts[sender]?.info.code = code("00")
        switch TransactionProcessor.execute(tx(to: contract), env: env, reader: withCode) {
        case .success: XCTFail("EIP-3607 sender with code accepted")
        case .failure(let e): XCTAssertEqual(e, .senderHasCode)
        }
    }

    // EIP-4844 blob base fee: fake_exponential(1, excess, 3338477) known points.
    func testBlobBaseFee() {
        XCTAssertEqual(BlobParameters.baseFee(excessBlobGas: 0), UInt256(1))
        XCTAssertEqual(BlobParameters.baseFee(excessBlobGas: 3_338_477), UInt256(2))   // e^1 = 2.718 -> 2
        XCTAssertEqual(BlobParameters.baseFee(excessBlobGas: 10 * 3_338_477), UInt256(22026))  // floor(e^10)
    }

    // The state root of a known pre-state: ethereum/tests stExample/add11's pre-state and expected post root.
    func testAdd11PostStateRoot() throws {
        let a = try Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87")
        let cb = try Address(hex: "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba")
        let pre = InMemoryState(accounts: [
            a: Account(info: AccountInfo(nonce: 0, balance: UInt256(1_000_000_000_000_000_000), code: code("600160010160005500"))),
            cb: Account(info: AccountInfo(nonce: 1)),
            sender: Account(info: AccountInfo(nonce: 0, balance: UInt256(1_000_000_000_000_000_000))),
        ])
        let env = BlockEnvironment(coinbase: cb, gasLimit: 0xff11_2233_4455_66, number: 1, timestamp: 1000,
                                   prevRandao: UInt256(0x20000), baseFee: 10)
        let t = Transaction(type: .legacy, nonce: 0, gasPrice: 10, gasLimit: 400_000, to: a, value: UInt256(100_000), sender: sender)
        let out = StateTestExecutor.run(pre: pre, env: env, tx: t, fork: .cancun)
        XCTAssertNil(out.rejection)
        XCTAssertEqual(out.stateRoot, try Hash32(hex: "0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530"))
        XCTAssertEqual(out.logsHash, try Hash32(hex: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"))
    }
}
