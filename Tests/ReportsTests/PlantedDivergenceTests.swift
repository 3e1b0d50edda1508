import XCTest
import EVMPrimitives
import EVMState
@_spi(Testing) import EVMInterpreter
@_spi(Testing) import Execution
@_spi(Testing) @testable import Harness
@_spi(Testing) @testable import Vectors
@testable import Reports
import TestSupport

/// Issue 15's planted divergence: an executor that corrupts exactly one SSTORE (the k-th of the block writes its
/// value plus one, through `StorageWriteFault`) runs through `BlockRunner`'s comparison against serial, and the
/// report's trace diff must point at that SSTORE: its transaction, pc and depth.
final class PlantedDivergenceTests: XCTestCase {
    /// Serial execution with the k-th SSTORE of the block corrupted (a fresh fault per execution).
    struct PlantedSSTOREExecutor: BlockExecutor {
        var index: Int
        var trace: BlockTrace?
        var name: String { "planted-sstore" }
        func execute(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction], fork: Fork) -> BlockOutcome {
            var env = env
            env.storageWriteFault = StorageWriteFault(index: index)
            return SerialExecutor(trace: trace).execute(pre: pre, env: env, transactions: transactions, fork: fork)
        }
    }

    static let counter = Address(a: 0xC0DE, b: 0, c: 0)
    static let caller = Address(a: 0xCA11, b: 0, c: 0)

    /// The counter: slot 0 += 1, then reads slot 0 back and returns it.
    static let counterCode: [UInt8] = [
        0x60, 0x00, 0x54,              // 0: PUSH1 0, SLOAD
        0x60, 0x01, 0x01,              // 3: PUSH1 1, ADD
        0x60, 0x00, 0x55,              // 6: PUSH1 0, SSTORE (pc 8)
        0x60, 0x00, 0x54,              // 9: PUSH1 0, SLOAD (pc 11)
        0x60, 0x00, 0x52,              // 12: PUSH1 0, MSTORE
        0x60, 0x20, 0x60, 0x00, 0xf3,  // 15: RETURN 32 bytes
    ]
    /// Three transactions from three senders, each calling `target` once.
    static func vector(target: Address) -> BlockVector {
        var pre = InMemoryState()
        pre.accounts[counter] = Account(info: AccountInfo(code: Code(counterCode)), storage: [UInt256(0): UInt256(7)])
        // CALL(gas, counter, value 0, in 0/0, out 0/0), STOP: PUSH1 0 x4, PUSH1 0 (value), PUSH20 counter, GAS, CALL.
        let call: [UInt8] = [0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73] + counter.bytes + [0x5a, 0xf1, 0x00]
        pre.accounts[caller] = Account(info: AccountInfo(code: Code(call)))
        var txs: [Transaction] = []
        for i in 0..<3 {
            let sender = Address(a: 0x5E, b: UInt64(i), c: 0)
            pre.accounts[sender] = Account(info: AccountInfo(balance: UInt256(1) << 60))
            txs.append(Transaction(type: .legacy, nonce: 0, gasPrice: UInt256(10), gasLimit: 200_000, to: target, sender: sender))
        }
        return BlockVector(name: "planted-sstore", path: "", fork: .cancun, pre: pre,
                           env: BlockEnvironment(coinbase: Address(a: 0xC0, b: 0, c: 0), number: 1, timestamp: 1),
                           transactions: txs)
    }

    func run(_ v: BlockVector, fault: Int?) -> [BlockRunResult] {
        var runner = BlockRunner(executors: [.serial, .blockstm], threads: [2])
        if let fault {
            runner.substitute = BlockRunner.Substitute(name: "planted-sstore") { trace in
                PlantedSSTOREExecutor(index: fault, trace: trace)
            }
        }
        return runner.run(v)
    }

    /// Each of the block's three SSTOREs in turn: the report names its transaction, pc 8 and depth.
    func testTheTraceDiffPointsAtThePlantedSSTORE() throws {
        for (target, depth) in [(Self.counter, 1), (Self.caller, 2)] {
            for k in 0..<3 {
                let rows = run(Self.vector(target: target), fault: k)
                XCTAssertEqual(rows.map(\.executor), ["serial", "planted-sstore"])
                XCTAssertTrue(rows[0].pass)
                let row = rows[1]
                XCTAssertFalse(row.pass)
                XCTAssertEqual(row.matchesSerial, false)
                let d = try XCTUnwrap(row.divergence, "k \(k)")
                XCTAssertNil(d.firstTransaction, "the corrupted write changes no receipt: only the state")
                XCTAssertEqual(d.stateDiff.map(\.slot), ["0x0"])
                let t = try XCTUnwrap(d.traceDiff)
                XCTAssertEqual(t.transaction, k, "depth \(depth)")
                let f = try XCTUnwrap(t.diff?.firstDifference)
                // The difference shows after the SLOAD that reads the slot back; the diff names the SSTORE that wrote it.
                XCTAssertEqual(f.cause?.op, "SLOAD")
                XCTAssertEqual(f.cause?.pc, 11)
                XCTAssertEqual(f.stack?.top.first, StackComparison.Entry(position: 0, a: "0x\(String(8 + k, radix: 16))",
                                                                         b: "0x\(String(9 + k, radix: 16))", differs: true))
                let origin = try XCTUnwrap(f.origin)
                XCTAssertEqual(origin.op, "SSTORE")
                XCTAssertEqual(origin.pc, 8)
                XCTAssertEqual(origin.depth, depth)

                // The report built from these rows shows the same, in every writer.
                let c = BlockRunAdapter.caseResult(row, suite: "blocks", executor: row.executor, serial: rows[0], expected: nil,
                                                   reproduce: nil)
                XCTAssertEqual(c.divergence?.traceDiff, t)
                let md = MarkdownWriter.failure(c, number: 1).joined(separator: "\n")
                XCTAssertTrue(md.contains("trace diff, serial vs planted-sstore x2, transaction \(k):"), md)
                XCTAssertTrue(md.contains("the slot it read was last written by the SSTORE at step \(origin.step) (pc 8, SSTORE, depth \(depth))"), md)
            }
        }
    }

    /// Without the fault the same path finds nothing: the divergence above is the planted one.
    func testWithoutTheFaultNothingDiverges() {
        let rows = run(Self.vector(target: Self.counter), fault: nil)
        XCTAssertEqual(rows.map(\.pass), [true, true])
        XCTAssertNil(rows[1].divergence)
        // A fault past the block's SSTOREs corrupts nothing either.
        let late = run(Self.vector(target: Self.counter), fault: 3)
        XCTAssertEqual(late.map(\.pass), [true, true])
    }
}

/// The command a report gives to reproduce a divergence's traces.
final class TraceCommandTests: XCTestCase {
    func testTheCommandTracesBothExecutorsWithT8nAndDiffsThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-trace-cmd-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir + "/a b", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var v = PlantedDivergenceTests.vector(target: PlantedDivergenceTests.counter)
        v.name = "x/a b"
        v.path = dir + "/a b"
        XCTAssertEqual(BlockRunner.traceCommand(v, executor: .blockstm, threads: 4),
                       "mkdir -p /tmp/lockstep-trace/x_a_b/serial /tmp/lockstep-trace/x_a_b/blockstm-x4 && "
                       + "lockstep t8n --input.alloc '\(dir)/a b/alloc.json' --input.env '\(dir)/a b/env.json' "
                       + "--input.txs '\(dir)/a b/txs.json' --state.fork Cancun --state.chainid 1 --trace "
                       + "--output.basedir /tmp/lockstep-trace/x_a_b/serial --output.result result.json --output.alloc alloc.json && "
                       + "lockstep t8n --input.alloc '\(dir)/a b/alloc.json' --input.env '\(dir)/a b/env.json' "
                       + "--input.txs '\(dir)/a b/txs.json' --state.fork Cancun --state.chainid 1 --executor blockstm --threads 4 "
                       + "--trace --output.basedir /tmp/lockstep-trace/x_a_b/blockstm-x4 --output.result result.json --output.alloc alloc.json && "
                       + "lockstep trace diff /tmp/lockstep-trace/x_a_b/serial /tmp/lockstep-trace/x_a_b/blockstm-x4")
        // A JSON file goes through stdin; a zstd one through zstd first; a generated block (no file) has no command.
        FileManager.default.createFile(atPath: dir + "/v.json.zst", contents: Data())
        v.path = dir + "/v.json.zst"
        let zst = try XCTUnwrap(BlockRunner.traceCommand(v, executor: .bal, threads: 2))
        XCTAssertTrue(zst.contains("&& zstd -dc \(dir)/v.json.zst | lockstep t8n --input.alloc stdin --input.env stdin "
                                   + "--input.txs stdin --state.fork Cancun --state.chainid 1 --executor bal --threads 2 --trace"), zst)
        v.path = ""
        XCTAssertNil(BlockRunner.traceCommand(v, executor: .blockstm, threads: 2))
    }
}

/// Against an external t8n tool: a stand-in tool answers with the planted executor's results and traces (what a t8n
/// tool with a wrong SSTORE would write), and the row's divergence carries the trace diff and the command.
final class ExternalTraceDiffTests: XCTestCase {
    func testAToolWithAWrongSSTOREGetsATraceDiff() throws {
        let fm = FileManager.default
        let dir = try Fixtures.temporaryDirectory(self)
        let path = Fixtures.packageRoot + "/Vectors/blocks/counter-n200-hot1.0"
        let v = try BlockVectorIO.load(path: path).get()
        // The planted run: outcome and traces, written the way a t8n tool writes them.
        let trace = BlockTrace()
        let planted = Traces.onEVMThread { [v] in
            PlantedDivergenceTests.PlantedSSTOREExecutor(index: 2, trace: trace)
                .execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
        }
        try fm.createDirectory(atPath: dir + "/traces", withIntermediateDirectories: true)
        for (k, lines) in trace.included(rejected: planted.rejected) {
            try (lines.map { $0 + "\n" }.joined()).write(toFile: dir + "/traces/trace-\(k)-0x.jsonl", atomically: true, encoding: .utf8)
        }
        try CannedT8nOutput.write(planted, to: dir)
        let script = """
            #!/bin/sh
            set -e
            trace=no
            while [ $# -gt 0 ]; do
              case "$1" in
                --output.basedir) base="$2"; shift 2;;
                --output.result) result="$2"; shift 2;;
                --output.alloc) out="$2"; shift 2;;
                --trace) trace=yes; shift;;
                *) shift 2;;
              esac
            done
            cp \(dir)/result.json "$base/$result"
            cp \(dir)/post.json "$base/$out"
            if [ $trace = yes ]; then cp \(dir)/traces/*.jsonl "$base/"; fi
            """
        try script.write(toFile: dir + "/t8n.sh", atomically: true, encoding: .utf8)
        let tool = ExternalT8nExecutor(command: "sh \(dir)/t8n.sh")
        let row = tool.check(v)
        XCTAssertFalse(row.pass)
        let d = try XCTUnwrap(row.divergence)
        XCTAssertTrue(d.fields.contains("postState"), "\(d.fields)")
        let t = try XCTUnwrap(d.traceDiff, row.error ?? "")
        XCTAssertEqual(t.reference, "serial")
        XCTAssertEqual(t.executor, "t8n:sh \(dir)/t8n.sh")
        let f = try XCTUnwrap(t.diff?.firstDifference, t.note ?? "")
        // Every counter transaction reads the slot the planted SSTORE (the third transaction's) wrote.
        XCTAssertEqual(f.cause?.op, "SLOAD")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(t.transaction), 2)
        let command = try XCTUnwrap(t.command)
        XCTAssertTrue(command.hasSuffix("&& lockstep trace diff /tmp/lockstep-trace/counter-n200-hot1.0/serial "
                                        + "/tmp/lockstep-trace/counter-n200-hot1.0/t8n"), command)
        XCTAssertTrue(command.contains("&& sh \(dir)/t8n.sh --input.alloc \(path)/alloc.json"), command)
    }
}

/// `statetest --executor blockstm` on a case Block-STM fails and serial passes: the message carries the trace diff.
final class StateTestTraceDiffTests: XCTestCase {
    func testAFailingExecutorGetsATraceDiffWhenSerialPasses() throws {
        var pre = InMemoryState()
        pre.accounts[PlantedDivergenceTests.counter] = Account(info: AccountInfo(code: Code(PlantedDivergenceTests.counterCode)),
                                                               storage: [UInt256(0): UInt256(7)])
        let sender = Address(a: 0x5E, b: 0, c: 0)
        pre.accounts[sender] = Account(info: AccountInfo(balance: UInt256(1) << 60))
        let tx = Transaction(type: .legacy, nonce: 0, gasPrice: UInt256(10), gasLimit: 200_000,
                             to: PlantedDivergenceTests.counter, sender: sender)
        var c = StateTestCase(name: "planted", file: "planted.json", test: "planted", forkName: "Cancun", fork: .cancun,
                              indexes: StateTestIndexes(data: 0, gas: 0, value: 0), pre: pre,
                              env: BlockEnvironment(coinbase: Address(a: 0xC0, b: 0, c: 0)), tx: tx,
                              expectedStateRoot: .zero, expectedLogsHash: .zero)
        let truth = StateTestExecutor.run(pre: c.pre, env: c.env, tx: c.tx, fork: c.fork)
        c.expectedStateRoot = truth.stateRoot
        c.expectedLogsHash = truth.logsHash
        var runner = StateTestRunner()
        runner.executor = .blockstm
        XCTAssertTrue(runner.run(c).pass, "unplanted, Block-STM passes")
        // One fault counts the SSTOREs of every run that sees it, in the runner's order: Block-STM's run (0), serial's
        // check (1), the traced serial run (2), the traced Block-STM run (3). 0 and 3 are corrupted.
        c.env.storageWriteFault = StorageWriteFault(indexes: [0, 3])
        let r = runner.run(c)
        XCTAssertFalse(r.pass)
        let error = try XCTUnwrap(r.error)
        XCTAssertTrue(error.contains("; serial passes; trace diff: transaction 0, first difference at step "), error)
        XCTAssertTrue(error.contains("in stack, made by SLOAD at pc 11; the slot was last written by the SSTORE at step "), error)
        XCTAssertTrue(error.hasSuffix("(pc 8, SSTORE, depth 1)"), error)
    }
}
