import XCTest
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution

/// One test per EIP rule (named by EIP, as evmone's are): the same code runs under the fork before the EIP
/// and under the fork that introduced it, and the difference is the rule. Expected figures are worked out
/// from the EIPs and the Yellow Paper, not taken from the implementation.
final class ForkRulesTests: XCTestCase, TransactionFixture {
    let sender = Address(a: 0xa94f_5374_fce5_edbc, b: 0x8e2a_8697_c153_3167, c: 0x7e6e_bf0b)
    let contract = Address(a: 0, b: 0, c: 0xc0de)
    let other = Address(a: 0, b: 0, c: 0xbeef)
    let coinbase = Address(a: 0, b: 0, c: 0xc0ba5e)
    let oneEther = UInt256(1_000_000_000_000_000_000)

    var env: BlockEnvironment {
        BlockEnvironment(coinbase: coinbase, gasLimit: 30_000_000, number: 1, timestamp: 1,
                         difficulty: 0x20000, prevRandao: 0x1234, baseFee: 7)
    }

    func tx(to: Address? = nil, data: [UInt8] = [], gas: UInt64 = 200_000, value: UInt256 = .zero,
            type: TransactionType = .legacy) -> Transaction {
        Transaction(type: type, nonce: 0, gasPrice: 10, maxFeePerGas: 10, maxPriorityFeePerGas: 1, gasLimit: gas,
                    to: to, value: value, data: data, sender: sender)
    }

    /// Runs `code` at `contract` under `fork` (a call with the given gas limit).
    func call(_ code: String, _ fork: Fork, gas: UInt64 = 200_000, storage: [UInt256: UInt256] = [:],
              balance: UInt256 = .zero, extra: [Address: Account] = [:],
              file: StaticString = #filePath, line: UInt = #line) throws -> (TransactionResult, InMemoryState) {
        try run(tx(to: contract, gas: gas), state(code: code, storage: storage, balance: balance, extra: extra), fork,
                file: file, line: line)
    }

    /// The gas used by a successful call; fails when the call did not succeed.
    func gas(_ code: String, _ fork: Fork, storage: [UInt256: UInt256] = [:], extra: [Address: Account] = [:],
             file: StaticString = #filePath, line: UInt = #line) throws -> UInt64 {
        let (r, _) = try call(code, fork, storage: storage, extra: extra, file: file, line: line)
        XCTAssertTrue(r.success, "failed under \(fork)", file: file, line: line)
        return r.gasUsed
    }

    /// Asserts that `code` halts (all gas used) under `before` and runs (returns gas) under `after`.
    func assertIntroduced(_ code: String, before: Fork, after: Fork, file: StaticString = #filePath, line: UInt = #line) throws {
        let (r0, _) = try call(code, before, gas: 100_000, file: file, line: line)
        XCTAssertFalse(r0.success, "\(code) should be undefined in \(before)", file: file, line: line)
        XCTAssertEqual(r0.gasUsed, 100_000, file: file, line: line)
        let (r1, _) = try call(code, after, gas: 100_000, file: file, line: line)
        XCTAssertLessThan(r1.gasUsed, 100_000, "\(code) should run in \(after)", file: file, line: line)
    }

    func reject(_ t: Transaction, _ pre: InMemoryState, _ fork: Fork, file: StaticString = #filePath, line: UInt = #line)
        -> TransactionError? {
        if case .failure(let e) = TransactionProcessor.execute(t, env: env, reader: pre, fork: fork) { return e }
        return nil
    }

    // MARK: - the rules as data

    func testEveryForkExtendsItsPredecessor() {
        var previous: [EIP] = []
        for fork in Fork.allCases {
            let rules = ForkRules.of(fork)
            XCTAssertEqual(rules.fork, fork)
            XCTAssertEqual(rules.eips, previous + ForkRules.patches(fork), "\(fork)")
            previous = rules.eips
        }
        XCTAssertEqual(ForkRules.of(.frontier).eips, [])
        XCTAssertTrue(ForkRules.of(.cancun).has(.eip6780))
        XCTAssertFalse(ForkRules.of(.shanghai).has(.eip6780))
        // Petersburg is Constantinople without EIP-1283's SSTORE, i.e. Byzantium's.
        XCTAssertEqual(ForkRules.of(.petersburg).schedule, {
            var s = ForkRules.of(.constantinople).schedule
            s.sstore = .frontier
            return s
        }())
        XCTAssertEqual(ForkRules.of(.petersburg).schedule.sstore, ForkRules.of(.byzantium).schedule.sstore)
    }

    func testForkNamesOfTestsAndTransitionTools() {
        let names: [String: Fork] = ["Frontier": .frontier, "Homestead": .homestead, "EIP150": .tangerineWhistle,
                                     "TangerineWhistle": .tangerineWhistle, "EIP158": .spuriousDragon,
                                     "SpuriousDragon": .spuriousDragon, "Byzantium": .byzantium,
                                     "Constantinople": .constantinople, "ConstantinopleFix": .petersburg,
                                     "Petersburg": .petersburg, "Istanbul": .istanbul, "MuirGlacier": .muirGlacier,
                                     "Berlin": .berlin, "London": .london, "ArrowGlacier": .arrowGlacier,
                                     "GrayGlacier": .grayGlacier, "Merge": .paris, "Paris": .paris,
                                     "Shanghai": .shanghai, "Cancun": .cancun]
        for (name, fork) in names {
            XCTAssertEqual(Fork(name: name), fork, name)
            XCTAssertTrue(fork.isSupported, name)
        }
        for fork in Fork.allCases { XCTAssertTrue(fork.isSupported, fork.name) }  // Prague to BPO2 too (blocks: EIP-2935, 7002, 7251, 7685)
    }

    // MARK: - Homestead

    // EIP-2: a creation transaction costs 53000 instead of 21000.
    func testEIP2CreationTransactionCost() throws {
        let create = tx(data: [0x00], gas: 100_000)  // init code: STOP
        let (r0, _) = try run(create, state(code: ""), .frontier)
        let (r1, _) = try run(create, state(code: ""), .homestead)
        XCTAssertEqual(r0.gasUsed, 21000 + 4)
        XCTAssertEqual(r1.gasUsed, 53000 + 4)
    }

    // EIP-2: a creation that cannot pay its code deposit fails; in Frontier it succeeds with empty code.
    func testEIP2CodeDepositOutOfGas() throws {
        // Init code: return 100 zero bytes (deposit 20000 gas): PUSH1 100 PUSH1 0 RETURN.
        // Init code: 4 non-zero bytes (68 each before EIP-2028) and one zero; running it costs 3 + 3 + 12 (memory).
        let initCode = bytes("60646000f3")
        let frontierLimit: UInt64 = 21_000 + 4 * 68 + 4 + 18 + 10_000  // enough to run, not enough for the deposit
        let (r0, s0) = try run(tx(data: initCode, gas: frontierLimit), state(code: ""), .frontier)
        let created = EVM.createAddress(sender: sender, nonce: 0)
        XCTAssertTrue(r0.success)
        XCTAssertEqual(r0.gasUsed, 21_000 + 4 * 68 + 4 + 18)
        XCTAssertNotNil(s0.account(created))
        XCTAssertEqual(s0.account(created)?.code.bytes, [])
        let gasLimit = frontierLimit + 32_000
        let (r1, s1) = try run(tx(data: initCode, gas: gasLimit), state(code: ""), .homestead)
        XCTAssertFalse(r1.success)
        XCTAssertEqual(r1.gasUsed, gasLimit)
        XCTAssertNil(s1.account(created))
    }

    // EIP-7: DELEGATECALL.
    func testEIP7Delegatecall() throws {
        try assertIntroduced("600060006000600060006000f4", before: .frontier, after: .homestead)
    }

    // MARK: - Tangerine Whistle

    // EIP-150: BALANCE 20 -> 400, SLOAD 50 -> 200, EXTCODESIZE 20 -> 700.
    func testEIP150IOGasRepricing() throws {
        XCTAssertEqual(try gas("600031", .homestead) - 21000, 3 + 20)
        XCTAssertEqual(try gas("600031", .tangerineWhistle) - 21000, 3 + 400)
        XCTAssertEqual(try gas("600054", .homestead) - 21000, 3 + 50)
        XCTAssertEqual(try gas("600054", .tangerineWhistle) - 21000, 3 + 200)
        XCTAssertEqual(try gas("60003b", .homestead) - 21000, 3 + 20)
        XCTAssertEqual(try gas("60003b", .tangerineWhistle) - 21000, 3 + 700)
    }

    // EIP-150: a CALL asking for more gas than is left gets all but one 64th; before, it runs out of gas.
    func testEIP150AllButOne64th() throws {
        // CALL(gas = 0xffffff, to = contract (exists), value 0, no memory), then STOP.
        let code = "6000600060006000600061c0de62ffffff" + "f100"
        let (r0, _) = try call(code, .homestead, gas: 100_000)
        XCTAssertFalse(r0.success)
        let (r1, _) = try call(code, .tangerineWhistle, gas: 100_000)
        XCTAssertTrue(r1.success)
    }

    // EIP-150: SELFDESTRUCT costs 5000, plus 25000 when the beneficiary does not exist.
    func testEIP150SelfdestructCost() throws {
        let code = "61beefff"  // SELFDESTRUCT(0xbeef), which does not exist
        let (r0, _) = try call(code, .homestead)
        let (r1, _) = try call(code, .tangerineWhistle)
        // Refund 24000, capped at half the gas used.
        XCTAssertEqual(r0.gasUsed, 21003 - min(24000, 21003 / 2))
        XCTAssertEqual(r1.gasUsed, 51003 - min(24000, 51003 / 2))
    }

    // MARK: - Spurious Dragon

    // EIP-160: EXP costs 50 per exponent byte instead of 10.
    func testEIP160ExpByteCost() throws {
        let code = "61010060020a"  // EXP(2, 0x100): two exponent bytes
        XCTAssertEqual(try gas(code, .tangerineWhistle) - 21000, 3 + 3 + 10 + 2 * 10)
        XCTAssertEqual(try gas(code, .spuriousDragon) - 21000, 3 + 3 + 10 + 2 * 50)
    }

    // EIP-161: a zero-value call no longer creates (and pays for) a missing account; touched empty accounts go.
    func testEIP161EmptyAccountCleanup() throws {
        // CALL(gas 0, to 0xbeef, value 0) then STOP.
        let code2 = "60006000600060006000" + "61beef" + "6000f100"
        let (r0, s0) = try call(code2, .tangerineWhistle)
        let (r1, s1) = try call(code2, .spuriousDragon)
        XCTAssertNotNil(s0.account(other), "before EIP-161 the call creates the account")
        XCTAssertNil(s1.account(other))
        XCTAssertEqual(r0.gasUsed - r1.gasUsed, 25000)
        // An existing empty account that is touched is deleted from EIP-161 on.
        let empty = [other: Account(info: AccountInfo())]
        let (_, s2) = try call(code2, .tangerineWhistle, extra: empty)
        let (_, s3) = try call(code2, .spuriousDragon, extra: empty)
        XCTAssertNotNil(s2.account(other))
        XCTAssertNil(s3.account(other))
    }

    // State tests credit the coinbase a zero fee even for a rejected transaction: before EIP-161 that creates it.
    func testEIP161RejectedTransactionInStateTest() throws {
        let pre = state(code: "")
        let bad = tx(to: contract, gas: 20_000)  // below the intrinsic gas
        XCTAssertNil(pre.account(coinbase))
        var withCoinbase = pre
        withCoinbase.accounts[coinbase] = Account()
        let r0 = StateTestExecutor.run(pre: pre, env: env, tx: bad, fork: .tangerineWhistle)
        let r1 = StateTestExecutor.run(pre: pre, env: env, tx: bad, fork: .spuriousDragon)
        XCTAssertNotNil(r0.rejection)
        XCTAssertNotNil(r1.rejection)
        XCTAssertEqual(r0.stateRoot, withCoinbase.stateRoot())
        XCTAssertEqual(r1.stateRoot, pre.stateRoot())
    }

    // EIP-161: contracts start with nonce 1.
    func testEIP161CreatedContractNonce() throws {
        let created = EVM.createAddress(sender: sender, nonce: 0)
        let (_, s0) = try run(tx(data: bytes("600160005360016000f3"), gas: 100_000), state(code: ""), .tangerineWhistle)
        let (_, s1) = try run(tx(data: bytes("600160005360016000f3"), gas: 100_000), state(code: ""), .spuriousDragon)
        XCTAssertEqual(s0.account(created)?.nonce, 0)
        XCTAssertEqual(s1.account(created)?.nonce, 1)
        XCTAssertEqual(s1.account(created)?.code.bytes, [0x01])
    }

    // EIP-170: deployed code of more than 24576 bytes fails.
    func testEIP170CodeSizeLimit() throws {
        let initCode = bytes("616001" + "6000f3")  // RETURN(0, 0x6001 = 24577 zero bytes)
        let (r0, _) = try run(tx(data: initCode, gas: 10_000_000), state(code: ""), .tangerineWhistle)
        let (r1, _) = try run(tx(data: initCode, gas: 10_000_000), state(code: ""), .spuriousDragon)
        XCTAssertTrue(r0.success)
        XCTAssertFalse(r1.success)
    }

    // MARK: - Byzantium

    func testEIP140Revert() throws { try assertIntroduced("60006000fd", before: .spuriousDragon, after: .byzantium) }
    func testEIP211ReturnData() throws {
        try assertIntroduced("3d00", before: .spuriousDragon, after: .byzantium)
        try assertIntroduced("6000600060003e00", before: .spuriousDragon, after: .byzantium)
    }
    func testEIP214StaticCall() throws {
        try assertIntroduced("6000600060006000" + "61c0de" + "6000fa00", before: .spuriousDragon, after: .byzantium)
    }

    // EIP-196, EIP-197, EIP-198: precompiles 0x05-0x08 exist from Byzantium (before, plain empty accounts).
    func testEIP198ModExpPrecompile() throws {
        // Lengths 1, 1, 1 and 2^3 mod 5 in memory[0..<99]; CALL 0x05 with the output to byte 159; store MLOAD(128).
        let input = "600160005260016020526001604052" + "600260605360036061536005606253"
        let code = input + "6001609f60636000600060056201fffff150" + "608051600055" + "00"
        let (r0, s0) = try call(code, .spuriousDragon)
        let (r1, s1) = try call(code, .byzantium)
        XCTAssertTrue(r0.success)
        XCTAssertTrue(r1.success)
        XCTAssertEqual(s0.storage(contract, key: .zero), .zero, "0x05 is an empty account before Byzantium")
        XCTAssertEqual(s1.storage(contract, key: .zero), UInt256(3))
    }

    // MARK: - Constantinople, Petersburg

    func testEIP145Shifts() throws { try assertIntroduced("600160011b00", before: .byzantium, after: .constantinople) }
    func testEIP1014Create2() throws { try assertIntroduced("6000600060006000f500", before: .byzantium, after: .constantinople) }
    func testEIP1052ExtCodeHash() throws {
        try assertIntroduced("61c0de3f00", before: .byzantium, after: .constantinople)
        XCTAssertEqual(try gas("61c0de3f00", .constantinople) - 21000, 3 + 400)
    }

    // EIP-1283 (Constantinople only): set then clear a zero slot costs 20000 + 200 and refunds 19800;
    // Byzantium and Petersburg (EIP-1716) charge 20000 + 5000 and refund 15000.
    func testEIP1283NetGasMetering() throws {
        let code = "60016000556000600055"  // SSTORE(0, 1) SSTORE(0, 0)
        let work: UInt64 = 21000 + 4 * 3
        XCTAssertEqual(try gas(code, .byzantium), work + 25000 - min(15000, (work + 25000) / 2))
        XCTAssertEqual(try gas(code, .constantinople), work + 20200 - min(19800, (work + 20200) / 2))
        XCTAssertEqual(try gas(code, .petersburg), work + 25000 - min(15000, (work + 25000) / 2))
    }

    // MARK: - Istanbul

    func testEIP1344ChainId() throws { try assertIntroduced("4600", before: .petersburg, after: .istanbul) }

    // EIP-1884: SLOAD 200 -> 800, BALANCE 400 -> 700, EXTCODEHASH 400 -> 700, SELFBALANCE.
    func testEIP1884Repricing() throws {
        XCTAssertEqual(try gas("600054", .petersburg) - 21000, 3 + 200)
        XCTAssertEqual(try gas("600054", .istanbul) - 21000, 3 + 800)
        XCTAssertEqual(try gas("600031", .istanbul) - 21000, 3 + 700)
        XCTAssertEqual(try gas("60003f", .istanbul) - 21000, 3 + 700)
        try assertIntroduced("4700", before: .petersburg, after: .istanbul)
    }

    // EIP-2028: a non-zero calldata byte costs 16 instead of 68.
    func testEIP2028CalldataCost() throws {
        let t = tx(to: contract, data: [1, 0, 2])
        let (r0, _) = try run(t, state(code: ""), .petersburg)
        let (r1, _) = try run(t, state(code: ""), .istanbul)
        XCTAssertEqual(r0.gasUsed, 21000 + 2 * 68 + 4)
        XCTAssertEqual(r1.gasUsed, 21000 + 2 * 16 + 4)
    }

    // EIP-2200: SSTORE with no more than 2300 gas left fails; SLOAD_GAS 800 for a no-op store.
    // (Petersburg charges Frontier's 5000, more than the stipend, so EIP-1283's Constantinople shows the sentry.)
    func testEIP2200SstoreSentry() throws {
        let code = "6001600055"  // SSTORE(0, 1) of a slot that is already 1: a no-op store
        let tight: UInt64 = 21000 + 6 + 2300
        let (r0, _) = try call(code, .constantinople, gas: tight, storage: [.zero: .one])
        let (r1, _) = try call(code, .istanbul, gas: tight, storage: [.zero: .one])
        XCTAssertTrue(r0.success)
        XCTAssertEqual(r0.gasUsed, 21000 + 6 + 200)
        XCTAssertFalse(r1.success)
        XCTAssertEqual(r1.gasUsed, tight)
        XCTAssertEqual(try gas(code, .petersburg, storage: [.zero: .one]), 21000 + 6 + 5000)
        XCTAssertEqual(try gas(code, .istanbul, storage: [.zero: .one]), 21000 + 6 + 800)
    }

    // MARK: - Berlin

    // EIP-2929: a cold SLOAD costs 2100, a warm one 100 (Istanbul: 800 each).
    func testEIP2929ColdSloadCost() throws {
        let code = "6000545060005450"  // SLOAD(0) twice
        XCTAssertEqual(try gas(code, .istanbul) - 21000, 2 * (3 + 800 + 2))
        XCTAssertEqual(try gas(code, .berlin) - 21000, 2 * (3 + 2) + 2100 + 100)
    }

    // EIP-2929: cold account access 2600, warm 100; precompiles and the sender start warm.
    func testEIP2929ColdAccountAccessCost() throws {
        let code = "61beef315061beef3150" + "600131"  // BALANCE(0xbeef) twice, BALANCE(1)
        let istanbul: UInt64 = 3 * (3 + 700) + 2 * 2
        let berlin: UInt64 = 3 * 3 + 2 * 2 + 2600 + 100 + 100
        XCTAssertEqual(try gas(code, .istanbul) - 21000, istanbul)
        XCTAssertEqual(try gas(code, .berlin) - 21000, berlin)
    }

    // EIP-2930: access-list transactions are valid from Berlin; the list costs 2400 per address, 1900 per key.
    func testEIP2930AccessListTransactions() throws {
        var t = tx(to: contract, type: .accessList)
        t.accessList = [AccessListEntry(address: other, storageKeys: [.one])]
        XCTAssertEqual(reject(t, state(code: ""), .istanbul), .typeNotSupported(type: 1, fork: .istanbul))
        let (r, _) = try run(t, state(code: ""), .berlin)
        XCTAssertEqual(r.gasUsed, 21000 + 2400 + 1900)
    }

    // MARK: - London

    // EIP-1559: type-2 transactions; the base fee is burnt, the coinbase gets only the priority fee.
    func testEIP1559FeeMarket() throws {
        XCTAssertEqual(reject(tx(to: contract, type: .dynamicFee), state(code: ""), .berlin),
                       .typeNotSupported(type: 2, fork: .berlin))
        let (r0, s0) = try run(tx(to: contract), state(code: ""), .berlin)
        XCTAssertEqual(s0.account(coinbase)?.balance, UInt256(10 * r0.gasUsed))
        let (r1, s1) = try run(tx(to: contract), state(code: ""), .london)
        XCTAssertEqual(s1.account(coinbase)?.balance, UInt256((10 - 7) * r1.gasUsed))
        let (r2, s2) = try run(tx(to: contract, type: .dynamicFee), state(code: ""), .london)
        XCTAssertEqual(s2.account(coinbase)?.balance, UInt256(1 * r2.gasUsed))
    }

    func testEIP3198BaseFee() throws { try assertIntroduced("4800", before: .berlin, after: .london) }

    // EIP-3529: clearing refund 15000 -> 4800, cap half -> a fifth of the gas used, no SELFDESTRUCT refund.
    func testEIP3529RefundReduction() throws {
        let code = "6000600055"  // SSTORE(0, 0) of a slot holding 1
        let used: UInt64 = 21000 + 6 + 2100 + 2900
        XCTAssertEqual(try gas(code, .berlin, storage: [.zero: .one]), used - min(15000, used / 2))
        XCTAssertEqual(try gas(code, .london, storage: [.zero: .one]), used - min(4800, used / 5))
        let sd = "30ff"  // SELFDESTRUCT(self)
        let sdUsed: UInt64 = 21000 + 2 + 5000
        XCTAssertEqual(try gas(sd, .berlin), sdUsed - sdUsed / 2)
        XCTAssertEqual(try gas(sd, .london), sdUsed)
    }

    // EIP-3541: new code starting with 0xEF is rejected.
    func testEIP3541RejectEFCode() throws {
        let initCode = bytes("60ef60005360016000f3")  // MSTORE8(0, 0xef) RETURN(0, 1)
        let (r0, _) = try run(tx(data: initCode, gas: 100_000), state(code: ""), .berlin)
        let (r1, _) = try run(tx(data: initCode, gas: 100_000), state(code: ""), .london)
        XCTAssertTrue(r0.success)
        XCTAssertFalse(r1.success)
    }

    // MARK: - Paris, Shanghai, Cancun

    // EIP-4399: opcode 0x44 reads PREVRANDAO instead of the difficulty.
    func testEIP4399PrevRandao() throws {
        let (_, s0) = try call("4460005500", .london)
        let (_, s1) = try call("4460005500", .paris)
        XCTAssertEqual(s0.storage(contract, key: .zero), UInt256(0x20000))
        XCTAssertEqual(s1.storage(contract, key: .zero), UInt256(0x1234))
    }

    // EIP-3651: the coinbase is warm from the start.
    func testEIP3651WarmCoinbase() throws {
        let code = "62c0ba5e31"  // BALANCE(coinbase)
        XCTAssertEqual(try gas(code, .paris) - 21000, 3 + 2600)
        XCTAssertEqual(try gas(code, .shanghai) - 21000, 3 + 100)
    }

    func testEIP3855Push0() throws { try assertIntroduced("5f00", before: .paris, after: .shanghai) }

    // EIP-3860: 2 gas per init-code word, and at most 49152 bytes.
    func testEIP3860InitCodeLimit() throws {
        let create = tx(data: [UInt8](repeating: 0, count: 64), gas: 100_000)
        let (r0, _) = try run(create, state(code: ""), .paris)
        let (r1, _) = try run(create, state(code: ""), .shanghai)
        XCTAssertEqual(r1.gasUsed - r0.gasUsed, 2 * 2)
        let big = tx(data: [UInt8](repeating: 0, count: 49_153), gas: 10_000_000)
        XCTAssertNil(reject(big, state(code: ""), .paris))
        XCTAssertEqual(reject(big, state(code: ""), .shanghai), .initCodeTooLarge(size: 49_153))
    }

    func testEIP1153TransientStorage() throws { try assertIntroduced("60015c00", before: .shanghai, after: .cancun) }
    func testEIP5656Mcopy() throws { try assertIntroduced("6000600060005e00", before: .shanghai, after: .cancun) }
    func testEIP7516BlobBaseFee() throws { try assertIntroduced("4a00", before: .shanghai, after: .cancun) }

    // EIP-6780: SELFDESTRUCT of an account not created in the transaction only moves its balance.
    func testEIP6780SelfdestructOnlyCreated() throws {
        let code = "61beefff"
        let (_, s0) = try call(code, .shanghai, balance: 5)
        let (_, s1) = try call(code, .cancun, balance: 5)
        XCTAssertNil(s0.account(contract))
        XCTAssertEqual(s0.account(other)?.balance, 5)
        XCTAssertNotNil(s1.account(contract))
        XCTAssertEqual(s1.account(contract)?.balance, .zero)
        XCTAssertEqual(s1.account(other)?.balance, 5)
    }
}
