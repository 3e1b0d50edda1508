import Foundation
import XCTest
import EVMPrimitives
import EVMState
import Execution
@testable import Harness
@testable import Vectors
@testable import Workloads
import TestSupport

/// `lockstep t8n`'s transition and the t8n result model, against answers from execution-specs' t8n
/// (`ethereum-spec-evm t8n --state.fork Cancun`, version 2.20.0) on the same input.
final class T8nTests: XCTestCase {
    static let alloc = """
        {"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": {"balance": "0x3635c9adc5dea00000", "nonce": "0x0"},
         "0x1000000000000000000000000000000000000001": {"balance": "0x1", "code": "0x600160005401600055", "storage": {}}}
        """
    static let env = """
        {"currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba", "currentGasLimit": "0x1c9c380",
         "currentNumber": "0x1", "currentTimestamp": "0x3e8",
         "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
         "currentBaseFee": "0x7", "currentExcessBlobGas": "0x0",
         "parentBeaconBlockRoot": "0x0000000000000000000000000000000000000000000000000000000000000000",
         "withdrawals": [], "blockHashes": {}}
        """
    /// An EIP-1559 and an EIP-155 transaction to the counter, signed from `secretKey`; the third has a nonce too high.
    static let txs = """
        [{"type": "0x2", "chainId": "0x1", "nonce": "0x0", "maxFeePerGas": "0x10", "maxPriorityFeePerGas": "0x1",
          "gas": "0x186a0", "to": "0x1000000000000000000000000000000000000001", "value": "0x0", "input": "0x",
          "accessList": [], "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"},
         {"type": "0x0", "nonce": "0x1", "gasPrice": "0x10", "gas": "0x186a0",
          "to": "0x1000000000000000000000000000000000000001", "value": "0x0", "input": "0x",
          "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"},
         {"type": "0x0", "nonce": "0x5", "gasPrice": "0x10", "gas": "0x186a0",
          "to": "0x1000000000000000000000000000000000000001", "value": "0x0", "input": "0x",
          "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"}]
        """

    static func json(_ s: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(s.utf8)) }

    func transition(txs: Any, executor: any BlockExecutor = SerialExecutor()) throws -> T8nOutput {
        let a = try Self.json(Self.alloc), e = try Self.json(Self.env)
        // Two calls into a one-slot counter: the test thread's stack is deep enough.
        return try T8nTransition.run(alloc: a, env: e, txs: txs, fork: .cancun, chainId: 1, executor: executor)
    }

    func testTransitionMatchesExecutionSpecs() throws {
        let all = try Self.json(Self.txs)
        for executor in [SerialExecutor() as any BlockExecutor, BlockSTMExecutor(threads: 2, policy: .alwaysParallel)] {
            let out = try transition(txs: all, executor: executor)
            let r = out.result
            XCTAssertEqual(r.stateRoot, try Hash32(hex: "0x9e5c407e616290f010cc37392c81c49495052be07bf5b672d8dd30fdce1890ce"))
            XCTAssertEqual(r.gasUsed, 0x10e04)
            XCTAssertEqual(r.rejected.map(\.index), [2])
            // execution-specs puts the rejected transaction in its tries; these are its roots for the two included
            // transactions alone, which is what a real block (and geth's t8n) commits to.
            XCTAssertEqual(r.txRoot, try Hash32(hex: "0x214002263fea3047dfec938928a520cd8768ca280814cfbae98301027bf1c2d2"))
            XCTAssertEqual(r.receiptsRoot, try Hash32(hex: "0x905623a48b39360f3d112e9cf14b0595023769e11a4ab7b9d90ac24dadba73e0"))
            XCTAssertEqual(r.withdrawalsRoot, try Hash32(hex: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"))
            XCTAssertEqual(r.logsHash, try Hash32(hex: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"))
            XCTAssertEqual(r.receipts.map(\.transactionHash), [
                try Hash32(hex: "0xaf7fc7cbb8fd74352ea503935fb07a5b83eb549869b777350b3ba83c3da81b99"),
                try Hash32(hex: "0xd320b7a3a250c064077cdc888dbf9079ccf725d8a6a7a6b5d6c199e88e4eaee7"),
            ])
            XCTAssertEqual(r.receipts.map(\.cumulativeGasUsed), [0xa868, 0x10e04])
            XCTAssertEqual(r.receipts.map(\.gasUsed), [0xa868, 0x10e04 - 0xa868])
            XCTAssertEqual(r.currentBaseFee, UInt256(7))
            XCTAssertEqual(r.currentExcessBlobGas, 0)
            XCTAssertEqual(r.blobGasUsed, 0)
            let counter = try Address(hex: "0x1000000000000000000000000000000000000001")
            XCTAssertEqual(out.postState.accounts[counter]?.storage[.zero], UInt256(2))
            XCTAssertEqual(out.postState.accounts[try Address(hex: "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba")]?.info.balance,
                           UInt256(0x43ae4))
        }
    }

    /// The body holds the included transactions in consensus form: the legacy one as its RLP list (the same bytes
    /// execution-specs writes), the typed one as a byte string `0x02 || rlp(fields)`.
    func testBodyIsTheIncludedTransactions() throws {
        let out = try transition(txs: try Self.json(Self.txs))
        let hex = Hex.encode(out.body, prefix: false)
        let legacy = "f8600110830186a0941000000000000000000000000000000000000001808025a0ac3f9e3f8bc777db402a9cb51747c0100a53d56cf10d552c5910409f069b297ca05754e151595ae1b8e956ce78d73aad116894eaee0ec1174ce2b33089ed09be11"
        let typedFields = "f86301800110830186a09410000000000000000000000000000000000000018080c001a0653e0bdec1e6330031cbb97ec0e0a19a7a6db6ea44327e4d6009a5ffb322c657a06d97143aa096a6133efa3104322b75f63931ca09bffd37e5f9e228cb71016a7e"
        XCTAssertEqual(hex, "f8ca" + "b866" + "02" + typedFields + legacy)
    }

    func testUnreadableTransactionIsRejectedAndTheRestRun() throws {
        var list = try Self.json(Self.txs) as? [Any] ?? []
        list.insert(["type": "0x0", "nonce": "zz"], at: 0)
        let out = try transition(txs: list)
        XCTAssertEqual(out.result.rejected.map(\.index), [0, 3])
        XCTAssertEqual(out.result.stateRoot, try Hash32(hex: "0x9e5c407e616290f010cc37392c81c49495052be07bf5b672d8dd30fdce1890ce"))
    }

    func testBadEnvAndAllocAreErrors() throws {
        let a = try Self.json(Self.alloc), e = try Self.json(Self.env), t = try Self.json(Self.txs)
        // Every fork runs; a Prague block whose pre-state lacks the EIP-7002 and EIP-7251 contracts is invalid
        // (`blockException`, as the Python specification's t8n writes it), not a configuration error.
        let prague = try T8nTransition.run(alloc: a, env: e, txs: t, fork: .prague, chainId: 1, executor: SerialExecutor())
        XCTAssertEqual(prague.result.blockException?.contains("has no code"), true)
        XCTAssertNil(prague.result.requestsHash)
        guard case .object(let json) = prague.resultJSON else { return XCTFail("result is not an object") }
        XCTAssertNotNil(json["blockException"])
        XCTAssertThrowsError(try T8nTransition.run(alloc: a, env: ["currentCoinbase": "0x00"], txs: t, fork: .cancun, chainId: 1,
                                                   executor: SerialExecutor())) {
            XCTAssertEqual(($0 as? T8nFailure)?.exitCode, 3)
        }
        XCTAssertThrowsError(try T8nTransition.run(alloc: ["0x12": 5], env: e, txs: t, fork: .cancun, chainId: 1, executor: SerialExecutor())) {
            XCTAssertEqual(($0 as? T8nFailure)?.exitCode, 10)
        }
    }

    /// Both spellings of a result parse: execution-specs' (`succeeded`, `bloom`, no per-receipt gas) and geth's.
    func testResultParsesBothSpellings() throws {
        let spec: [String: Any] = [
            "stateRoot": "0x9e5c407e616290f010cc37392c81c49495052be07bf5b672d8dd30fdce1890ce",
            "txRoot": "0xceefaba090384d265ec810daa3ef3593c6fbde78c01892f16aaea34414071438",
            "receiptsRoot": "0x905623a48b39360f3d112e9cf14b0595023769e11a4ab7b9d90ac24dadba73e0",
            "logsHash": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
            "logsBloom": "0x" + String(repeating: "00", count: 256), "gasUsed": "0x10e04", "currentDifficulty": NSNull(),
            "rejected": [["index": 2, "error": "Failed transaction: NonceMismatchError('nonce too high')"]],
            "receipts": [["transactionHash": "0xaf7fc7cbb8fd74352ea503935fb07a5b83eb549869b777350b3ba83c3da81b99",
                          "succeeded": true, "cumulativeGasUsed": "0xa868", "bloom": "0x" + String(repeating: "00", count: 256),
                          "logs": [["address": "0x1000000000000000000000000000000000000001",
                                    "topics": ["0x" + String(repeating: "11", count: 32)], "data": "0x01"]]]],
        ]
        let r = try T8nResult.parse(spec, at: "result")
        XCTAssertEqual(r.gasUsed, 0x10e04)
        XCTAssertEqual(r.rejected, [RejectedTransaction(index: 2, error: "Failed transaction: NonceMismatchError('nonce too high')")])
        XCTAssertEqual(r.receipts.first?.success, true)
        XCTAssertNil(r.receipts.first?.gasUsed)
        XCTAssertEqual(r.receipts.first?.logs.first?.data, [1])
        XCTAssertNil(r.currentDifficulty)

        // What lockstep writes reads back the same.
        let out = try transition(txs: try Self.json(Self.txs))
        let text = out.resultJSON.text
        let back = try T8nResult.parse(try JSONSerialization.jsonObject(with: Data(text.utf8)), at: "result")
        XCTAssertEqual(back, out.result)
        XCTAssertTrue(text.contains("\"status\": \"0x1\""))
    }

    /// The external executor with a stand-in tool (a shell script that checks its flags and writes an
    /// execution-specs-style result): flags, result parsing, derived receipt fields, zero balances left out.
    func testExternalExecutorPlumbing() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("fake-t8n-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        let block = try BlockGenerator.generate(GeneratorOptions(workload: .counter, transactions: 2, seed: 1))
        let v = block.vector
        let serial = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        // Answer with Lockstep's own serial result, written the way execution-specs writes it.
        try CannedT8nOutput.write(serial, to: dir)
        let script = """
            #!/bin/sh
            # Stand-in t8n: checks the standard flags, then copies canned outputs into --output.basedir.
            set -e
            while [ $# -gt 0 ]; do
              case "$1" in
                --input.alloc|--input.env|--input.txs) test -f "$2"; shift 2;;
                --output.basedir) base="$2"; shift 2;;
                --output.result) result="$2"; shift 2;;
                --output.alloc) out="$2"; shift 2;;
                --state.fork) test "$2" = Cancun; shift 2;;
                --state.chainid) test "$2" = 1; shift 2;;
                *) echo "unexpected flag $1" >&2; exit 3;;
              esac
            done
            cp \(dir)/result.json "$base/$result"
            cp \(dir)/post.json "$base/$out"
            """
        try script.write(toFile: dir + "/t8n.sh", atomically: true, encoding: .utf8)
        let executor = try XCTUnwrap(ExternalT8nExecutor.parse("t8n:sh \(dir)/t8n.sh"))
        XCTAssertEqual(executor.name, "t8n:sh \(dir)/t8n.sh")
        XCTAssertNil(ExternalT8nExecutor.parse("blockstm"))
        let run = try executor.run(v, signedWith: block.secretKeys).get()
        XCTAssertNil(BlockRunner.divergence(run.outcome, from: serial, transactions: v.transactions.count))
        XCTAssertEqual(run.outcome.receipts.map(\.gasUsed), serial.receipts.map(\.gasUsed))

        let failing = ExternalT8nExecutor(command: "sh -c 'echo broken >&2; exit 7' --")
        guard case .failure(let error) = failing.run(v, signedWith: block.secretKeys) else { return XCTFail("expected a failure") }
        XCTAssertTrue(error.message.contains("exit status 7") && error.message.contains("broken"), error.message)
    }

    /// With execution-specs installed, the external executor runs it on a small generated block and agrees with
    /// Lockstep's serial executor (skipped where `ethereum-spec-evm` is not on PATH).
    func testExecutionSpecsAsExternalExecutor() throws {
        let which = Process()
        which.executableURL = URL(fileURLWithPath: "/bin/sh")
        which.arguments = ["-c", "command -v ethereum-spec-evm"]
        which.standardOutput = FileHandle.nullDevice
        try which.run()
        which.waitUntilExit()
        try XCTSkipIf(which.terminationStatus != 0, "ethereum-spec-evm is not installed")
        let block = try BlockGenerator.generate(GeneratorOptions(workload: .mixed, transactions: 12, seed: 4,
                                                                 invalidRatio: 0.1, revertRatio: 0.1))
        let v = block.vector
        let serial = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        let run = try ExternalT8nExecutor(command: "ethereum-spec-evm t8n").run(v, signedWith: block.secretKeys).get()
        XCTAssertEqual(run.outcome.stateRoot, serial.stateRoot)
        XCTAssertEqual(run.includedReceiptsRoot, serial.receiptsRoot)
        XCTAssertEqual(run.outcome.rejected.map(\.index), serial.rejected.map(\.index))
        XCTAssertEqual(run.outcome.receipts, serial.receipts)
        XCTAssertEqual(run.outcome.postState, serial.postState)
    }
}
