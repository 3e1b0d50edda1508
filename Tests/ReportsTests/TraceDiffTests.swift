import XCTest
import Execution
@testable import Reports

/// `TraceDiff` on hand-written EIP-3155 traces: where two traces first part, with which fields, context, cause and
/// origin; the canonical forms two tools' spellings compare equal under; the errors for unreadable lines.
final class TraceDiffTests: XCTestCase {
    /// One step line; `stack` bottom first, as EIP-3155 writes it.
    static func step(_ pc: Int, _ op: Int, _ name: String, gas: Int, cost: Int = 3, stack: [String] = [], depth: Int = 1,
                     refund: Int = 0, error: String? = nil) -> String {
        let s = stack.map { "\"\($0)\"" }.joined(separator: ",")
        let e = error.map { ",\"error\":\"\($0)\"" } ?? ""
        return "{\"pc\":\(pc),\"op\":\(op),\"gas\":\"0x\(String(gas, radix: 16))\",\"gasCost\":\"0x\(String(cost, radix: 16))\","
            + "\"memSize\":0,\"stack\":[\(s)],\"depth\":\(depth),\"refund\":\(refund),\"opName\":\"\(name)\"\(e)}"
    }

    /// PUSH1 5, PUSH1 0, SSTORE, PUSH1 0, SLOAD, PUSH1 0, MSTORE, STOP: stores `stored` into slot 0, reads it back as
    /// `loaded`.
    static func storeAndLoad(stored: String = "0x5", loaded: String = "0x5", gasUsed: String = "0x5208") -> [String] {
        [step(0, 0x60, "PUSH1", gas: 100_000),
         step(2, 0x60, "PUSH1", gas: 99_997, stack: ["0x5"]),
         step(4, 0x55, "SSTORE", gas: 99_994, cost: 22_100, stack: [stored, "0x0"]),
         step(5, 0x60, "PUSH1", gas: 77_894),
         step(7, 0x54, "SLOAD", gas: 77_891, cost: 100, stack: ["0x0"]),
         step(8, 0x60, "PUSH1", gas: 77_791, stack: [loaded]),
         step(10, 0x52, "MSTORE", gas: 77_788, cost: 6, stack: [loaded, "0x0"]),
         step(11, 0x00, "STOP", gas: 77_782, cost: 0),
         "{\"output\":\"\",\"gasUsed\":\"\(gasUsed)\",\"pass\":true,\"time\":12345}"]
    }

    func parse(_ lines: [String]) throws -> EIP3155Trace { try EIP3155Trace.parse(lines: lines) }

    func testIdenticalTracesAgreeAndTimeIsIgnored() throws {
        let a = try parse(Self.storeAndLoad())
        var lines = Self.storeAndLoad()
        lines[lines.count - 1] = lines[lines.count - 1].replacingOccurrences(of: "12345", with: "999")
        let d = TraceDiff.compare(a, try parse(lines))
        XCTAssertTrue(d.identical)
        XCTAssertEqual(d.stepsA, 8)
        XCTAssertEqual(d.render(), "traces agree: 8 steps\n")
    }

    func testTwoSpellingsOfOneValueCompareEqual() throws {
        // Numbers as JSON numbers or hex strings, with or without leading zeros, upper or lower case.
        let a = try parse(["{\"pc\":1,\"op\":96,\"gas\":\"0x0a\",\"depth\":1,\"stack\":[\"0x00\",\"0xAB\"],\"refund\":0}"])
        let b = try parse(["{\"pc\":\"0x1\",\"op\":96,\"gas\":10,\"depth\":1,\"stack\":[0,\"0x00ab\"],\"refund\":\"0x0\"}"])
        XCTAssertTrue(TraceDiff.compare(a, b).identical)
        XCTAssertEqual(a.steps[0].stack, ["0x0", "0xab"])
    }

    func testGasDifferenceNamesTheStepAndTheOpBefore() throws {
        let a = try parse(Self.storeAndLoad())
        var lines = Self.storeAndLoad()
        lines[3] = Self.step(5, 0x60, "PUSH1", gas: 79_994)  // the SSTORE charged 20,000 less
        let d = TraceDiff.compare(a, try parse(lines))
        let f = try XCTUnwrap(d.firstDifference)
        XCTAssertEqual(f.step, 4)
        XCTAssertEqual(f.pc, 5)
        XCTAssertEqual(f.op, "PUSH1")
        XCTAssertEqual(f.depth, 1)
        XCTAssertEqual(f.lineA, 4)
        XCTAssertEqual(f.fields, [FieldDifference(field: "gas", a: "77894", b: "79994")])
        XCTAssertNil(f.stack)
        XCTAssertEqual(f.cause, StepRef(step: 3, pc: 4, op: "SSTORE", depth: 1, line: 3))
        XCTAssertNil(f.origin)
        XCTAssertEqual(f.contextA.map(\.step), [1, 2, 3, 4])
        XCTAssertEqual(f.contextB.map(\.pc), [0, 2, 4, 5])
        let text = d.render(a: "serial", b: "blockstm x2")
        XCTAssertTrue(text.hasPrefix("first difference at step 4: pc 5, PUSH1, depth 1 (line 4 of serial, line 4 of blockstm x2)"), text)
        XCTAssertTrue(text.contains("made by step 3 (pc 4, SSTORE, depth 1), the step before"), text)
        XCTAssertTrue(text.contains("    > step 4  pc 5  PUSH1  depth 1  gas 79994  top -"), text)
        // Context 1: the step before and the step itself.
        XCTAssertEqual(TraceDiff.compare(a, try parse(lines), context: 1).firstDifference?.contextA.map(\.step), [3, 4])
    }

    func testAWrongReadPointsAtTheSSTOREThatWroteTheSlot() throws {
        // The SSTORE's own line shows the value it is given; the wrong value it wrote surfaces at the SLOAD's result.
        let a = try parse(Self.storeAndLoad())
        let b = try parse(Self.storeAndLoad(loaded: "0x6"))
        let d = TraceDiff.compare(a, b)
        let f = try XCTUnwrap(d.firstDifference)
        XCTAssertEqual(f.step, 6)
        XCTAssertEqual(f.fields.map(\.field), ["stack"])
        XCTAssertEqual(f.cause?.op, "SLOAD")
        XCTAssertEqual(f.origin, StepRef(step: 3, pc: 4, op: "SSTORE", depth: 1, line: 3))
        let s = try XCTUnwrap(f.stack)
        XCTAssertEqual(s.top, [StackComparison.Entry(position: 0, a: "0x5", b: "0x6", differs: true)])
        XCTAssertTrue(d.render().contains("    *[0]  A: 0x5  B: 0x6"), d.render())
        XCTAssertTrue(d.render().contains("last written by the SSTORE at step 3 (pc 4, SSTORE, depth 1)"), d.render())
    }

    func testAWrongReadWithoutAWriteInTheFrameSaysSo() throws {
        // Drop the SSTORE from both: the slot's value came from elsewhere.
        func lines(_ loaded: String) -> [String] {
            var l = Self.storeAndLoad(loaded: loaded)
            l[2] = Self.step(4, 0x50, "POP", gas: 99_994, cost: 2, stack: ["0x5", "0x0"])
            return l
        }
        let f = try XCTUnwrap(TraceDiff.compare(try parse(lines("0x5")), try parse(lines("0x7"))).firstDifference)
        XCTAssertNil(f.origin)
        XCTAssertEqual(f.cause?.op, "SLOAD")
        XCTAssertTrue(f.note?.contains("earlier transaction") ?? false, f.note ?? "")
    }

    func testAnSSTOREInAnotherFrameIsNotTheOrigin() throws {
        // Depth 2 wrote slot 0 of another contract; the depth-1 SLOAD of slot 0 is not explained by it.
        let a = try parse([Self.step(0, 0x55, "SSTORE", gas: 50_000, stack: ["0x1", "0x0"], depth: 2),
                           Self.step(1, 0x00, "STOP", gas: 40_000, depth: 2),
                           Self.step(7, 0x54, "SLOAD", gas: 30_000, stack: ["0x0"]),
                           Self.step(8, 0x00, "STOP", gas: 29_000, stack: ["0x1"])])
        let b = try parse([Self.step(0, 0x55, "SSTORE", gas: 50_000, stack: ["0x1", "0x0"], depth: 2),
                           Self.step(1, 0x00, "STOP", gas: 40_000, depth: 2),
                           Self.step(7, 0x54, "SLOAD", gas: 30_000, stack: ["0x0"]),
                           Self.step(8, 0x00, "STOP", gas: 29_000, stack: ["0x2"])])
        let f = try XCTUnwrap(TraceDiff.compare(a, b).firstDifference)
        XCTAssertEqual(f.step, 4)
        XCTAssertNil(f.origin)
    }

    func testFieldsChooseWhatCounts() throws {
        let a = try parse(Self.storeAndLoad())
        var lines = Self.storeAndLoad()
        lines[3] = Self.step(5, 0x60, "PUSH1", gas: 79_994)
        let b = try parse(lines)
        XCTAssertTrue(TraceDiff.compare(a, b, fields: ["pc", "op", "depth", "stack"]).firstDifference == nil)
        XCTAssertEqual(TraceDiff.compare(a, b, fields: ["gas"]).firstDifference?.step, 4)
    }

    func testErrorsCompareByPresence() throws {
        let a = try parse([Self.step(0, 0xfe, "INVALID", gas: 100, error: "InvalidOpcode")])
        let b = try parse([Self.step(0, 0xfe, "INVALID", gas: 100, error: "invalid opcode: INVALID")])
        let c = try parse([Self.step(0, 0xfe, "INVALID", gas: 100)])
        XCTAssertTrue(TraceDiff.compare(a, b).identical)
        let f = try XCTUnwrap(TraceDiff.compare(a, c).firstDifference)
        XCTAssertEqual(f.fields, [FieldDifference(field: "error", a: "InvalidOpcode", b: "-")])
        XCTAssertNil(f.cause, "the first step has no step before it")
    }

    func testALongerTraceDiffersWhereTheShorterEnds() throws {
        let full = Self.storeAndLoad()
        let a = try parse(full)
        let b = try parse(Array(full.prefix(5)) + [full.last!])
        let d = TraceDiff.compare(a, b)
        let f = try XCTUnwrap(d.firstDifference)
        XCTAssertEqual(f.step, 6)
        XCTAssertNil(f.lineB)
        XCTAssertEqual(f.pc, 8)
        XCTAssertEqual(f.note, "trace B ends after 5 steps; the other goes on")
        XCTAssertEqual(f.contextB.map(\.step), [3, 4, 5])
    }

    func testSummaryDifferencesAreListed() throws {
        let d = TraceDiff.compare(try parse(Self.storeAndLoad()), try parse(Self.storeAndLoad(gasUsed: "0x5209")))
        XCTAssertNil(d.firstDifference)
        XCTAssertEqual(d.summary?.fields, [FieldDifference(field: "gasUsed", a: "0x5208", b: "0x5209")])
        XCTAssertFalse(d.identical)
        XCTAssertTrue(d.render().contains("summary lines differ:\n  gasUsed  A: 0x5208  B: 0x5209"), d.render())
    }

    func testUnreadableLinesAreNamed() {
        func error(_ text: String) -> TraceParseError? {
            do { _ = try EIP3155Trace.parse(text); return nil } catch { return error }
        }
        let good = Self.step(0, 0x60, "PUSH1", gas: 10)
        XCTAssertEqual(error(good + "\n{\"pc\":1,"), TraceParseError(line: 2, reason: "not JSON ({\"pc\":1,)"))
        XCTAssertEqual(error("\n\n[1,2]"), TraceParseError(line: 3, reason: "not a JSON object ([1,2])"))
        XCTAssertEqual(error("{\"pc\":1,\"depth\":1}"), TraceParseError(line: 1, reason: "a step without \"op\""))
        XCTAssertEqual(error("{\"pc\":-1,\"op\":1,\"depth\":1}"),
                       TraceParseError(line: 1, reason: "\"pc\" is not a non-negative integer (-0x1)"))
        XCTAssertEqual(error("{\"output\":\"\"}\n" + good),
                       TraceParseError(line: 2, reason: "a step after the summary line (line 1)"))
        XCTAssertEqual(error("{\"output\":\"\"}\n{\"output\":\"\"}"),
                       TraceParseError(line: 2, reason: "a second summary line (the first is line 1)"))
        XCTAssertEqual(error("{\"pc\":1,\"op\":1,\"depth\":1,\"stack\":\"0x1\"}"),
                       TraceParseError(line: 1, reason: "\"stack\" is not an array"))
        XCTAssertEqual(error("{\"pc\":1,\"op\":1,\"depth\":1,\"stack\":[{}]}"),
                       TraceParseError(line: 1, reason: "a \"stack\" entry is not a number or hex string"))
        XCTAssertEqual(error("{\"pc\":1,\"op\":1,\"depth\":1,\"gas\":1.5}"),
                       TraceParseError(line: 1, reason: "\"gas\" has a value of an unexpected kind"))
        XCTAssertEqual(error("{\"\u{1b}\":\"x\u{1b}"), TraceParseError(line: 1, reason: "not JSON ({\"\\u{1b}\":\"x\\u{1b})"))
        XCTAssertNil(error(good + "\r\n\n  \n"), "CRLF and blank lines are fine")
    }

    func testTheFirstDifferingTransactionIsFound() throws {
        let same = Self.storeAndLoad()
        let other = Self.storeAndLoad(loaded: "0x6")
        let a: [Int: [String]] = [0: same, 1: same, 2: same, 3: same]
        let b: [Int: [String]] = [0: same, 1: same, 2: other, 3: other]
        let t = TransactionTraceDiff.first(reference: "serial", executor: "planted", transactions: 5, a: { a[$0] }, b: { b[$0] })
        XCTAssertEqual(t.transaction, 2)
        XCTAssertEqual(t.diff?.firstDifference?.origin?.pc, 4)
        XCTAssertTrue(t.render().hasPrefix("trace diff, serial vs planted, transaction 2:\nfirst difference at step 6"), t.render())
        let none = TransactionTraceDiff.first(reference: "serial", executor: "x", transactions: 5, a: { a[$0] }, b: { a[$0] })
        XCTAssertNil(none.transaction)
        XCTAssertNotNil(none.note)
        let missing = TransactionTraceDiff.first(reference: "serial", executor: "x", transactions: 5, a: { a[$0] },
                                                 b: { $0 == 1 ? nil : a[$0] })
        XCTAssertEqual(missing.transaction, 1)
        XCTAssertEqual(missing.note, "transaction 1 has a trace from serial only")
    }
}

/// Every writer shows a divergence's trace diff and the command that reproduces it.
final class TraceDiffReportTests: XCTestCase {
    func testWritersShowTheTraceDiffAndItsCommand() throws {
        let a = try EIP3155Trace.parse(lines: TraceDiffTests.storeAndLoad())
        let b = try EIP3155Trace.parse(lines: TraceDiffTests.storeAndLoad(loaded: "0x6"))
        let t = TransactionTraceDiff(transaction: 2, reference: "serial", executor: "blockstm x2",
                                     diff: TraceDiff.compare(a, b), command: "lockstep trace diff <a> <b>")
        let c = CaseResult(suite: "blocks", name: "x", executor: "blockstm", threads: 2, fork: "Cancun", status: .fail,
                           message: "differs", divergence: Divergence(reference: "serial", firstTransaction: nil,
                                                                      transactionDetail: nil, fields: ["postState"],
                                                                      stateDiff: [], traceDiff: t))
        let md = MarkdownWriter.failure(c, number: 1).joined(separator: "\n")
        XCTAssertTrue(md.contains("Trace diff (EIP-3155):\n\n```text\ntrace diff, serial vs blockstm x2, transaction 2:\n"
                                  + "first difference at step 6: pc 8, PUSH1, depth 1"), md)
        XCTAssertTrue(md.contains("```sh\nlockstep trace diff <a> <b>\n```"), md)
        let html = HTMLWriter.failure(c, number: 1)
        XCTAssertTrue(html.contains("<pre class=\"trace-diff\"><code>trace diff, serial vs blockstm x2, transaction 2:\n"), html)
        XCTAssertTrue(html.contains("last written by the SSTORE at step 3 (pc 4, SSTORE, depth 1)"), html)
        XCTAssertTrue(html.contains("<pre class=\"trace-reproduce\"><code>lockstep trace diff &lt;a&gt; &lt;b&gt;</code></pre>"), html)
        let junit = JUnitWriter.details(c)
        XCTAssertTrue(junit.contains("    *[0]  serial: 0x5  blockstm x2: 0x6"), junit)
        XCTAssertTrue(junit.contains("reproduce the traces: lockstep trace diff <a> <b>"), junit)
        // results.json carries it whole.
        let data = try JSONEncoder().encode(c)
        XCTAssertEqual(try JSONDecoder().decode(CaseResult.self, from: data).divergence?.traceDiff, t)
    }
}

extension TraceDiffTests {
    func testSummaryFieldsOnlyOneToolWritesDoNotCount() throws {
        let step = Self.step(0, 0x00, "STOP", gas: 10, cost: 0)
        let lockstep = try EIP3155Trace.parse(lines: [step, "{\"output\":\"\",\"gasUsed\":\"0x5208\",\"pass\":true}"])
        let spec = try EIP3155Trace.parse(lines: [step, "{\"output\":\"\",\"gasUsed\":\"0x5208\"}"])
        XCTAssertTrue(TraceDiff.compare(lockstep, spec).identical)
        let failed = try EIP3155Trace.parse(lines: [step, "{\"output\":\"\",\"gasUsed\":\"0x5208\",\"error\":\"Revert\"}"])
        XCTAssertEqual(TraceDiff.compare(lockstep, failed).summary?.fields, [FieldDifference(field: "error", a: "-", b: "Revert")])
        let none = try EIP3155Trace.parse(lines: [step])
        XCTAssertEqual(TraceDiff.compare(lockstep, none).summary?.fields,
                       [FieldDifference(field: "summary line", a: "present", b: "-")])
    }
}

extension TraceDiffTests {
    func testTheOneLineSummaryNamesStepCauseAndOrigin() throws {
        let a = try EIP3155Trace.parse(lines: Self.storeAndLoad())
        let b = try EIP3155Trace.parse(lines: Self.storeAndLoad(loaded: "0x6"))
        let t = TransactionTraceDiff(transaction: 4, reference: "serial", executor: "blockstm x2", diff: TraceDiff.compare(a, b))
        XCTAssertEqual(t.summaryLine, "trace diff: transaction 4, first difference at step 6 (pc 8, PUSH1, depth 1) in stack, "
                       + "made by SLOAD at pc 7; the slot was last written by the SSTORE at step 3 (pc 4, SSTORE, depth 1)")
        XCTAssertEqual(TransactionTraceDiff(transaction: nil, reference: "serial", executor: "x", note: "no traces").summaryLine,
                       "trace diff: no traces")
    }
}
