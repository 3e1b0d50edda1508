import XCTest
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution

/// Known answers for the Prague and Osaka transaction and opcode rules: EIP-7939 CLZ, EIP-7623's calldata floor,
/// EIP-7702's authorisation (designator, nonce, refund, delegated call), EIP-7825's gas cap, EIP-7594's blob limit.
/// Figures are worked out from the EIPs, not taken from the implementation.
final class PragueOsakaTests: XCTestCase, TransactionFixture {
    let sender = Address(a: 0xa94f_5374_fce5_edbc, b: 0x8e2a_8697_c153_3167, c: 0x7e6e_bf0b)
    let contract = Address(a: 0, b: 0, c: 0xc0de)
    let other = Address(a: 0, b: 0, c: 0xbeef)
    let oneEther = UInt256(1_000_000_000_000_000_000)
    var env: BlockEnvironment {
        BlockEnvironment(coinbase: Address(a: 0, b: 0, c: 0xc0ba5e), gasLimit: 30_000_000, baseFee: 7)
    }

    func tx(to: Address?, data: [UInt8] = [], gas: UInt64 = 200_000, type: TransactionType = .legacy) -> Transaction {
        Transaction(type: type, chainId: type == .legacy ? nil : 1, nonce: 0, gasPrice: 10, maxFeePerGas: 10,
                    maxPriorityFeePerGas: 1, gasLimit: gas, to: to, data: data, sender: sender)
    }

    func call(_ code: String, _ fork: Fork, gas: UInt64 = 200_000, extra: [Address: Account] = [:],
              file: StaticString = #filePath, line: UInt = #line) throws -> (TransactionResult, InMemoryState) {
        try run(tx(to: contract, gas: gas), state(code: code, extra: extra), fork, file: file, line: line)
    }

    /// A real authorisation from execution-spec-tests (`self_sponsored_set_code`): chain id 0, delegate 0x1000,
    /// nonce 1, signed by the key of `sender` (0xa94f...bf0b).
    let auth = Authorization(chainId: .zero, address: Address(a: 0, b: 0, c: 0x1000), nonce: 1, yParity: .one,
                             r: try! UInt256(hex: "0xe074be204a558063cc3b2663e24e82272a436cececd74a3d6c7f46cd51934f2f"),
                             s: try! UInt256(hex: "0x1dba64504e6de332f9b00fba50b9cd8b70fc19823a85e33217431a0825e55902"))
    let delegate = Address(a: 0, b: 0, c: 0x1000)

    func setCodeTx(to: Address, gas: UInt64 = 200_000, auths: [Authorization]) -> Transaction {
        var t = tx(to: to, gas: gas, type: .setCode)
        t.chainId = 1
        t.authorizationList = auths
        return t
    }

    // MARK: EIP-7939 CLZ

    func testEIP7939CountLeadingZeros() throws {
        let cases: [(UInt256, UInt64)] = [
            (.zero, 256), (.one, 255), (UInt256(2), 254), (UInt256(0xff), 248), (UInt256(1) << 128, 127),
            (UInt256(1) << 255, 0), (.max, 0), (UInt256.one.shr(UInt256.max), 1), (UInt256(1) << 64, 191),
        ]
        for (x, expected) in cases {
            let code = "7f" + Hex.encode(x.bigEndianBytes).dropFirst(2) + "1e5f5500"  // PUSH32 x CLZ PUSH0 SSTORE STOP
            let (r, post) = try call(String(code), .osaka)
            XCTAssertTrue(r.success, "\(x)")
            XCTAssertEqual(post.storage(contract, key: .zero), UInt256(expected), "clz(\(x))")
        }
        // Gas: PUSH32 3 + CLZ 5 + PUSH0 2, then the SSTORE (cold, zero to non-zero: 22100).
        let (r, _) = try call("7f" + String(repeating: "00", count: 31) + "01" + "1e5f5500", .osaka)
        XCTAssertEqual(r.gasUsed, 21000 + 3 + 5 + 2 + 22100)
        // Before Osaka 0x1e is undefined: the call halts and uses all of its gas.
        let (before, post) = try call("60011e5f5500", .prague, gas: 100_000)
        XCTAssertFalse(before.success)
        XCTAssertEqual(before.gasUsed, 100_000)
        XCTAssertEqual(post.storage(contract, key: .zero), .zero)
    }

    // MARK: EIP-7623 calldata floor

    func testEIP7623CalldataFloor() throws {
        // 100 non-zero bytes and 20 zero bytes: 420 tokens. Standard cost 21000 + 1600 + 80 = 22680; floor 21000 + 4200.
        let data = [UInt8](repeating: 0xab, count: 100) + [UInt8](repeating: 0, count: 20)
        var t = tx(to: other, data: data, gas: 100_000)
        XCTAssertEqual(TransactionProcessor.intrinsicGas(t, fork: .prague), 22680)
        XCTAssertEqual(TransactionProcessor.calldataFloor(t, fork: .prague), 25200)
        XCTAssertEqual(TransactionProcessor.calldataFloor(t, fork: .cancun), 0)
        XCTAssertEqual(try run(t, state(code: "00"), .cancun).0.gasUsed, 22680)
        XCTAssertEqual(try run(t, state(code: "00"), .prague).0.gasUsed, 25200)
        // A gas limit between the two: valid in Cancun, below the floor in Prague.
        t.gasLimit = 25199
        XCTAssertNoThrow(try run(t, state(code: "00"), .cancun))
        guard case .failure(.intrinsicGasTooLow(let needs, _)) = TransactionProcessor.execute(t, env: env, reader: state(code: "00"), fork: .prague)
        else { return XCTFail("a gas limit below the floor must be rejected") }
        XCTAssertEqual(needs, 25200)
        // Execution above the floor pays its own cost.
        let (r, _) = try run(tx(to: contract, data: [1], gas: 100_000), state(code: "60015f5500"), .prague)
        XCTAssertEqual(r.gasUsed, 21016 + 3 + 2 + 22100)  // above the floor of 21040
    }

    // MARK: EIP-7825 transaction gas limit cap

    func testEIP7825GasLimitCap() throws {
        var big = env
        big.gasLimit = 60_000_000
        let capped = tx(to: other, gas: 1 << 24)
        let over = tx(to: other, gas: (1 << 24) + 1)
        if case .failure(let e) = TransactionProcessor.execute(capped, env: big, reader: state(code: "00"), fork: .osaka) {
            XCTFail("2^24 is allowed: \(e)")
        }
        XCTAssertEqual(TransactionProcessor.execute(over, env: big, reader: state(code: "00"), fork: .osaka).failure,
                       .gasLimitAboveCap(gasLimit: (1 << 24) + 1, cap: 1 << 24))
        if case .failure(let e) = TransactionProcessor.execute(over, env: big, reader: state(code: "00"), fork: .prague) {
            XCTFail("no cap before Osaka: \(e)")
        }
    }

    // MARK: EIP-7594 blobs per transaction

    func testEIP7594BlobsPerTransaction() throws {
        var t = tx(to: other, gas: 100_000, type: .blob)
        t.chainId = 1
        t.maxFeePerBlobGas = 1
        t.blobVersionedHashes = (0..<7).map { i in Hash32([0x01] + [UInt8](repeating: UInt8(i), count: 31)) }
        // Seven blobs: within Prague's block maximum of nine (EIP-7691), above Osaka's six per transaction.
        XCTAssertNoThrow(try run(t, state(code: "00"), .prague))
        XCTAssertEqual(TransactionProcessor.execute(t, env: env, reader: state(code: "00"), fork: .osaka).failure,
                       .tooManyBlobs(count: 7))
        XCTAssertEqual(TransactionProcessor.execute(t, env: env, reader: state(code: "00"), fork: .cancun).failure,
                       .tooManyBlobs(count: 7))
        XCTAssertEqual(ForkRules.of(.bpo2).schedule.maxBlobGasPerBlock, 21 * 131_072)
        XCTAssertEqual(ForkRules.of(.bpo1).schedule.blobUpdateFraction, 8_346_193)
    }

    // MARK: EIP-7702 set-code transactions

    func testEIP7702AuthorityRecovery() {
        XCTAssertEqual(TransactionProcessor.authority(of: auth), sender)
        var highS = auth
        highS.s = try! UInt256(hex: "0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1")  // n/2 + 1
        XCTAssertNil(TransactionProcessor.authority(of: highS))
        var badParity = auth
        badParity.yParity = UInt256(2)
        XCTAssertNil(TransactionProcessor.authority(of: badParity))
        var otherNonce = auth
        otherNonce.nonce = 2
        XCTAssertNotEqual(TransactionProcessor.authority(of: otherNonce), sender)
    }

    func testEIP7702DesignatorNonceAndRefund() throws {
        // Self-sponsored: the sender (nonce 0 -> 1 for the transaction) is the authority with nonce 1.
        let t = setCodeTx(to: other, gas: 100_000, auths: [auth])
        let (r, post) = try run(t, state(code: "00"), .prague)
        XCTAssertTrue(r.success)
        XCTAssertEqual(post.account(sender)?.code.bytes, [0xef, 0x01, 0x00] + delegate.bytes)
        XCTAssertEqual(post.account(sender)?.nonce, 2)
        // Intrinsic 21000 + 25000; the authority exists: refund 12500, capped at a fifth of 46000.
        XCTAssertEqual(TransactionProcessor.intrinsicGas(t, fork: .prague), 46000)
        XCTAssertEqual(r.gasUsed, 46000 - 46000 / 5)
        // Type 4 does not exist before Prague.
        XCTAssertEqual(TransactionProcessor.execute(t, env: env, reader: state(code: "00"), fork: .cancun).failure,
                       .typeNotSupported(type: 4, fork: .cancun))
        // A wrong nonce skips the authorisation but the transaction is valid.
        var stale = auth
        stale.nonce = 0
        XCTAssertEqual(try run(setCodeTx(to: other, gas: 100_000, auths: [stale]), state(code: "00"), .prague).1
            .account(sender)?.code.bytes, [])
        // An empty list is invalid.
        XCTAssertEqual(TransactionProcessor.execute(setCodeTx(to: other, auths: []), env: env, reader: state(code: "00"),
                                                    fork: .prague).failure, .emptyAuthorizationList)
    }

    func testEIP7702DelegatedCallRunsTargetCodeAndKeepsAuthorizationOnRevert() throws {
        // 0x1000 stores 42 at slot 0 of whoever runs it; the transaction calls the sender itself.
        let target = Account(info: AccountInfo(nonce: 1, code: Code(bytes("602a5f5500"))))
        let (r, post) = try run(setCodeTx(to: sender, gas: 200_000, auths: [auth]), state(code: "00", extra: [delegate: target]), .prague)
        XCTAssertTrue(r.success)
        XCTAssertEqual(post.storage(sender, key: .zero), UInt256(42))
        XCTAssertEqual(post.storage(delegate, key: .zero), .zero)
        // 46000 intrinsic + PUSH1 + PUSH0 + cold SSTORE set (22105); refund 12500 (below a fifth of 68105).
        XCTAssertEqual(r.gasUsed, 46000 + 22105 - 12500)
        // The delegate reverts: the designator and the nonce stay, the refund too.
        let reverter = Account(info: AccountInfo(nonce: 1, code: Code(bytes("602a5f555f5ffd"))))
        let (rr, rpost) = try run(setCodeTx(to: sender, gas: 200_000, auths: [auth]), state(code: "00", extra: [delegate: reverter]), .prague)
        XCTAssertFalse(rr.success)
        XCTAssertEqual(rpost.storage(sender, key: .zero), .zero)
        XCTAssertEqual(rpost.account(sender)?.code.bytes, [0xef, 0x01, 0x00] + delegate.bytes)
        XCTAssertEqual(rpost.account(sender)?.nonce, 2)
        XCTAssertEqual(rr.gasUsed, 46000 + 22109 - 12500)
    }

    func testEIP7702CallToDelegatedAccountChargesTargetAccess() throws {
        // The contract CALLs an account delegated to 0x1000 (which is empty code): warm `to` is 100 from the
        // table plus 2500 cold; the delegate adds 2600 cold.
        let delegated = Address(a: 0, b: 0, c: 0xde1e)
        let extra: [Address: Account] = [
            delegated: Account(info: AccountInfo(nonce: 1, code: .delegation(to: delegate))),
        ]
        // 5 x PUSH0 (2 each), PUSH2 0xde1e (3), GAS (2), CALL, POP (2), STOP.
        let code = "5f5f5f5f5f61de1e5af15000"
        let (r, _) = try call(code, .prague, extra: extra)
        let expected: UInt64 = 21000 + 15 + 2600 + 2600 + 2
        XCTAssertEqual(r.gasUsed, expected)
        // Before Prague the designator is code starting with 0xEF, an invalid opcode: the callee burns all it is
        // given, 176385 - 176385 / 64 of the 176385 left after the CALL's 2600.
        let (c, _) = try call(code, .cancun, extra: extra)
        let burnt: UInt64 = 176385 - 176385 / 64
        XCTAssertEqual(c.gasUsed, 21000 + 15 + 2600 + burnt + 2)
        // EXTCODESIZE sees the 23-byte designator itself.
        let (s, post) = try call("61de1e3b5f5500", .prague, extra: extra)
        XCTAssertTrue(s.success)
        XCTAssertEqual(post.storage(contract, key: .zero), UInt256(23))
    }
}

extension Result {
    var failure: Failure? { if case .failure(let e) = self { return e } else { return nil } }
}
