import XCTest
import EVMPrimitives
import EVMState
import EVMInterpreter
@testable import Execution
@testable import Workloads

/// EIP-3155 traces (issue 15): a known-answer trace of a small program, errors, nested frames, and every
/// executor's trace equal to the serial one (Block-STM's final incarnation under re-executions, BAL).
final class TracingTests: XCTestCase {
    typealias B = TestBlock

    /// Runs `block` serially with a trace; the traces by index.
    func serialTraces(_ block: TestBlock, options: TraceOptions = TraceOptions()) -> (BlockOutcome, [Int: [String]]) {
        let trace = BlockTrace(options: options)
        let outcome = SerialExecutor(trace: trace).execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        var out: [Int: [String]] = [:]
        for t in trace.included(rejected: outcome.rejected) { out[t.index] = t.lines }
        return (outcome, out)
    }

    func testKnownAnswer() {
        // PUSH1 2, PUSH1 3, ADD, PUSH1 0, SSTORE, STOP.
        var block = B()
        block.fund(B.eoa(1))
        block.deploy(B.contract(1), code: [0x60, 0x02, 0x60, 0x03, 0x01, 0x60, 0x00, 0x55, 0x00])
        block.send(from: B.eoa(1), to: B.contract(1), gas: 100_000)
        let (_, traces) = serialTraces(block)
        // 100000 - 21000 intrinsic = 79000 = 0x13498; SSTORE of a cold zero slot: 2100 + 20000 = 0x5654.
        XCTAssertEqual(traces[0], [
            #"{"pc":0,"op":96,"gas":"0x13498","gasCost":"0x3","memSize":0,"stack":[],"depth":1,"returnData":"0x","refund":0,"opName":"PUSH1"}"#,
            #"{"pc":2,"op":96,"gas":"0x13495","gasCost":"0x3","memSize":0,"stack":["0x2"],"depth":1,"returnData":"0x","refund":0,"opName":"PUSH1"}"#,
            #"{"pc":4,"op":1,"gas":"0x13492","gasCost":"0x3","memSize":0,"stack":["0x2","0x3"],"depth":1,"returnData":"0x","refund":0,"opName":"ADD"}"#,
            #"{"pc":5,"op":96,"gas":"0x1348f","gasCost":"0x3","memSize":0,"stack":["0x5"],"depth":1,"returnData":"0x","refund":0,"opName":"PUSH1"}"#,
            #"{"pc":7,"op":85,"gas":"0x1348c","gasCost":"0x5654","memSize":0,"stack":["0x5","0x0"],"depth":1,"returnData":"0x","refund":0,"opName":"SSTORE"}"#,
            #"{"pc":8,"op":0,"gas":"0xde38","gasCost":"0x0","memSize":0,"stack":[],"depth":1,"returnData":"0x","refund":0,"opName":"STOP"}"#,
            #"{"output":"","gasUsed":"0x5660","pass":true}"#,
        ])
    }

    func testOptionsMemoryAndNoStack() {
        // PUSH1 0xaa, PUSH1 0, MSTORE8, STOP: the memory after MSTORE8 is one word.
        var block = B()
        block.fund(B.eoa(1))
        block.deploy(B.contract(1), code: [0x60, 0xaa, 0x60, 0x00, 0x53, 0x00])
        block.send(from: B.eoa(1), to: B.contract(1), gas: 100_000)
        let (_, traces) = serialTraces(block, options: TraceOptions(memory: true, stack: false, returnData: false))
        let lines = traces[0] ?? []
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines.first, #"{"pc":0,"op":96,"gas":"0x13498","gasCost":"0x3","memory":"0x","memSize":0,"depth":1,"refund":0,"opName":"PUSH1"}"#)
        // MSTORE8 costs 3 plus one word of memory (3).
        XCTAssertEqual(lines[2], #"{"pc":4,"op":83,"gas":"0x13492","gasCost":"0x6","memory":"0x","memSize":0,"depth":1,"refund":0,"opName":"MSTORE8"}"#)
        XCTAssertEqual(lines[3], #"{"pc":5,"op":0,"gas":"0x1348c","gasCost":"0x0","memory":"0xaa"# + String(repeating: "00", count: 31)
                       + #"","memSize":32,"depth":1,"refund":0,"opName":"STOP"}"#)
    }

    func testErrorsAndNestedFrames() {
        var block = B()
        block.fund(B.eoa(1))
        block.deploy(B.contract(1), code: Snippets.reverter)
        block.deploy(B.contract(2), code: Snippets.burner)
        // contract 3 calls contract 1 (which reverts) with all its gas, then stops.
        var a = EVMAssembler()
        a.push(0); a.push(0); a.push(0); a.push(0); a.push(0)
        a.push(B.contract(1)); a.op(.gas, .call, .pop, .stop)
        block.deploy(B.contract(3), code: a.assembled)
        block.send(from: B.eoa(1), to: B.contract(2), gas: 50_000)
        block.send(from: B.eoa(1), to: B.contract(3), gas: 100_000)
        let (outcome, traces) = serialTraces(block)
        XCTAssertEqual(outcome.rejected, [])
        // The burner runs out of gas: the last step carries the error, the summary says so.
        let burn = traces[0] ?? []
        XCTAssertTrue(burn.dropLast().last?.contains(#""error":"OutOfGasError""#) ?? false, burn.suffix(2).joined())
        XCTAssertEqual(burn.last, #"{"output":"","gasUsed":"0x7148","pass":false,"error":"OutOfGasError"}"#)
        // The caller's steps at depth 1, the reverting callee's at depth 2, its REVERT marked, then the caller again.
        let call = traces[1] ?? []
        let depths = call.dropLast().compactMap { line -> Int? in
            guard let r = line.range(of: #""depth":"#) else { return nil }
            return Int(line[r.upperBound...].prefix { $0.isNumber })
        }
        XCTAssertEqual(depths.first, 1)
        XCTAssertEqual(depths.last, 1)
        XCTAssertTrue(depths.contains(2))
        XCTAssertTrue(call.contains { $0.contains(#""opName":"REVERT""#) && $0.contains(#""depth":2"#) && $0.contains(#""error":"Revert""#) })
        // After the call returns, the caller's POP sees the failure (0) and the callee's revert data (empty).
        XCTAssertTrue(call.contains { $0.contains(#""stack":["0x0"],"depth":1"#) && $0.contains(#""opName":"POP""#) })
        XCTAssertTrue(call.last?.contains(#""pass":true"#) ?? false)
    }

    /// Creations as the Python spec traces them: CREATE's gasCost is its own cost without the gas it passes on, and
    /// a creation transaction's summary output is the code it deployed.
    func testCreationCostAndOutput() {
        var block = B()
        block.fund(B.eoa(1))
        // PUSH1 0 (size), PUSH1 0 (offset), PUSH1 0 (value), CREATE, STOP: an empty creation.
        block.deploy(B.contract(1), code: [0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0xf0, 0x00])
        block.send(from: B.eoa(1), to: B.contract(1), gas: 200_000)
        // Init code storing 0xfe at memory 0 and returning that one byte: the deployed code is 0xfe.
        block.send(from: B.eoa(1), to: nil, data: [0x60, 0xfe, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3], gas: 200_000)
        let (outcome, traces) = serialTraces(block)
        XCTAssertEqual(outcome.rejected, [])
        let create = traces[0]?.first { $0.contains(#""opName":"CREATE""#) }
        XCTAssertTrue(create?.contains(#""gasCost":"0x7d00""#) ?? false, create ?? "no CREATE step")  // 32000
        XCTAssertEqual(traces[1]?.last?.hasPrefix(#"{"output":"fe","#), true, traces[1]?.last ?? "no trace")
    }

    /// A hot counter block: Block-STM under the always-parallel policy re-executes transactions; the trace of
    /// each one's final incarnation equals the serial trace, line for line, and so does the BAL executor's.
    func testBlockSTMAndBALTracesEqualSerial() {
        var block = B()
        let counter = B.contract(1)
        block.deploy(counter, code: Snippets.counter)
        for i in 0..<40 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: counter, gas: 60_000)
        }
        let (serialOutcome, serial) = serialTraces(block)
        XCTAssertEqual(serial.count, 40)
        var reExecuted = 0
        for seed in 0..<8 {
            for threads in [2, 4, 8] {
                let trace = BlockTrace()
                var e = BlockSTMExecutor(threads: threads, stress: StressOptions(seed: UInt64(seed)), policy: .alwaysParallel)
                e.trace = trace
                let outcome = e.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
                reExecuted += outcome.metrics.reExecutions
                XCTAssertEqual(outcome.stateRoot, serialOutcome.stateRoot)
                for i in 0..<40 {
                    XCTAssertEqual(trace.lines(i), serial[i], "blockstm threads \(threads) seed \(seed) tx \(i)")
                }
            }
        }
        XCTAssertGreaterThan(reExecuted, 0, "the block must make Block-STM re-execute")

        let bal = BlockTrace()
        let outcome = BALExecutor.Deriving(threads: 4, trace: bal).execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertFalse(outcome.metrics.ranSerially)
        for i in 0..<40 { XCTAssertEqual(bal.lines(i), serial[i], "bal tx \(i)") }
    }

    /// A rejected transaction has no trace; a later incarnation's record replaces an earlier one.
    func testRecordReplacesAndRejectedHasNone() {
        var block = B()
        block.fund(B.eoa(1))
        block.send(from: B.eoa(1), to: B.eoa(2), gas: 21_000)
        block.send(from: B.eoa(1), to: B.eoa(2), gas: 21_000, nonce: 9)  // wrong nonce: rejected
        let (outcome, traces) = serialTraces(block)
        XCTAssertEqual(outcome.rejected.map(\.index), [1])
        XCTAssertEqual(traces[0], [#"{"output":"","gasUsed":"0x0","pass":true}"#])  // a transfer runs no code
        XCTAssertNil(traces[1])

        let trace = BlockTrace()
        let first = trace.tracer(), second = trace.tracer()
        first.append(line: "a")
        second.append(line: "b")
        trace.record(3, first)
        trace.record(3, second)
        XCTAssertEqual(trace.lines(3), ["b"])
        trace.record(3, trace.tracer())  // a rejected re-execution: no lines
        XCTAssertNil(trace.lines(3))
    }

    /// Tracing changes nothing but the trace: the same outcome with and without it, for every executor.
    func testTracingDoesNotChangeOutcomes() {
        var block = B()
        block.deploy(B.contract(1), code: Snippets.counter)
        block.deploy(B.contract(2), code: Snippets.reverter)
        for i in 0..<12 {
            block.fund(B.eoa(i))
            block.send(from: B.eoa(i), to: B.contract(1 + i % 2), gas: 80_000)
        }
        let plain = SerialExecutor().execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        let (traced, _) = serialTraces(block)
        XCTAssertEqual(plain.stateRoot, traced.stateRoot)
        XCTAssertEqual(plain.receiptsRoot, traced.receiptsRoot)
        XCTAssertEqual(plain.gasUsed, traced.gasUsed)
        var e = BlockSTMExecutor(threads: 4, policy: .alwaysParallel)
        e.trace = BlockTrace()
        let parallel = e.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        XCTAssertEqual(plain.stateRoot, parallel.stateRoot)
        XCTAssertEqual(plain.receiptsRoot, parallel.receiptsRoot)
    }

    func testQuantitiesAndNames() {
        XCTAssertEqual(EIP3155Tracer.quantity(0), "0x0")
        XCTAssertEqual(EIP3155Tracer.quantity(255), "0xff")
        XCTAssertEqual(EIP3155Tracer.quantity(Int64(-1)), "0x0")
        XCTAssertEqual(EIP3155Tracer.opName(0x20), "KECCAK256")
        XCTAssertEqual(EIP3155Tracer.opName(0x7f), "PUSH32")
        XCTAssertEqual(EIP3155Tracer.opName(0x9f), "SWAP16")
        XCTAssertEqual(EIP3155Tracer.opName(0x0c), "opcode 0xc not defined")
    }
}
