import Foundation
import XCTest
@testable import Harness
@testable import Reports

/// Names and messages come from vectors, so anyone can put markup in them: every format must show them as text.
final class HostileNameTests: XCTestCase {
    static let script = "<script>alert(\"pwned\")</script>"
    static let names = [
        script,
        "say \"hi\" & 'bye' <b>bold</b> | pipe | `tick` *star* _under_ [link](http://example.com)",
        "line\nbreak\r\tand \u{0001}control\u{001F} \u{FFFE}",
        "```\n<script>x()</script>\n```",
        String(repeating: "very-long-name-", count: 400) + "<img src=x onerror=alert(1)>",
    ]

    func hostileReport() -> RunReport {
        var r = Fixtures.report(gate: false)
        for (i, name) in Self.names.enumerated() {
            r.cases.append(CaseResult(suite: "statetest", name: name, executor: "serial", fork: "Cancun<x>", status: .fail,
                                      message: "boom " + name,
                                      expected: OutcomeSummary(stateRoot: name), actual: OutcomeSummary(stateRoot: "0x\(i)"),
                                      divergence: Divergence(reference: "serial", firstTransaction: 0, transactionDetail: name,
                                                             stateDiff: [StateDiffEntry(address: name, field: name, expected: name, actual: name)]),
                                      reproduce: "lockstep run --filter " + Reproduce.quote(Reproduce.exactPattern(name))))
            r.cases.append(CaseResult(suite: name, name: name, executor: "blockstm", threads: 2, fork: "Cancun", status: .skip,
                                      message: name))
            r.workloads.append(WorkloadPerformance(suite: "generated", name: name, transactions: 1, gasUsed: 1, hotRatio: 0.5,
                                                   dependentShare: 0, serialSeconds: 1, criticalPathSeconds: 1,
                                                   parallelismBound: 1, serialMgasPerSecond: 1, runs: [
                                                    ParallelRun(executor: name, threads: 2, seconds: 1, speedup: 1, idealSpeedup: 1,
                                                                efficiency: 1, reExecutionsPerTransaction: 0, abortRate: 0,
                                                                mgasPerSecond: 1, ranSerially: false)]))
        }
        r.sort()
        r.gate = Gate.evaluate(r, baseline: nil)
        r.gate?.findings.append(GateFinding(kind: .note, subject: Self.script, detail: Self.names[1]))
        return r
    }

    func testHTMLEscapesEverything() {
        let html = HTMLWriter.render(hostileReport())
        XCTAssertFalse(html.contains("<script"), "raw script tag in HTML")
        XCTAssertFalse(html.contains("<img"), "raw img tag in HTML")
        XCTAssertFalse(html.contains("<b>"), "raw markup in HTML")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&#39;bye&#39;"))
        XCTAssertFalse(html.contains("\u{0001}"), "control characters must not reach the page")
        // The page parses as XML: every tag closed, every attribute quoted, no stray ampersand or bracket.
        let scan = XMLScan.parse(html)
        XCTAssertNil(scan.error, "HTML is not well-formed: \(String(describing: scan.error))")
        // Parsed back, the text holds the names literally (they were escaped, not mangled).
        XCTAssertTrue(scan.text.contains(Self.script))
        XCTAssertTrue(scan.text.contains(String(repeating: "very-long-name-", count: 400)))
        // No element other than the writer's own: the names produced no tags.
        let allowed: Set<String> = ["html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p", "table",
                                    "thead", "tbody", "tfoot", "tr", "th", "td", "code", "section", "ul", "li", "strong",
                                    "span", "div", "figure", "figcaption", "svg", "line", "text", "polyline", "circle",
                                    "rect", "pre", "em"]
        XCTAssertEqual(Set(scan.elements).subtracting(allowed), [])
        // Long names may wrap.
        XCTAssertTrue(html.contains("overflow-wrap:anywhere"))
    }

    func testMarkdownEscapesEverything() {
        let md = MarkdownWriter.render(hostileReport())
        // Outside code blocks nothing is raw markup; inside, a fence longer than any backtick run keeps it literal.
        let prose = Self.outsideCodeBlocks(md)
        XCTAssertFalse(prose.contains("<script"), "raw script tag in Markdown prose")
        XCTAssertFalse(prose.contains("<img"))
        XCTAssertFalse(prose.contains("<b>"))
        XCTAssertTrue(prose.contains("&lt;script&gt;alert(\"pwned\")&lt;/script&gt;"))
        XCTAssertTrue(prose.contains("\\| pipe \\|"), "pipes escaped so table rows keep their columns")
        XCTAssertTrue(prose.contains("\\[link\\](http://example.com)"))
        // Every table row has the same number of unescaped pipes as its header.
        var columns: Int?
        for line in md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let pipes = Self.unescapedPipes(line)
            if let columns { XCTAssertEqual(pipes, columns, "row breaks its table: \(line.prefix(120))") } else { columns = pipes }
        }
        XCTAssertFalse(md.contains("\u{0001}"))
    }

    func testMarkdownCodeFenceCannotBeClosedByTheContent() {
        let block = Escape.markdownCodeBlock("a ```` b\n```\n<script>")
        XCTAssertTrue(block.hasPrefix("`````sh") || block.hasPrefix("`````"), block)
        let fence = block.prefix { $0 == "`" }
        XCTAssertEqual(fence.count, 5)
        XCTAssertTrue(block.hasSuffix("\n" + fence))
    }

    func testJUnitEscapesEverythingAndStaysValid() throws {
        let xml = JUnitWriter.render(hostileReport())
        XCTAssertFalse(xml.contains("<script"))
        let scan = XMLScan.parse(xml)
        XCTAssertNil(scan.error, "JUnit XML is not well-formed: \(String(describing: scan.error))")
        XCTAssertEqual(Set(scan.elements), ["testsuites", "testsuite", "testcase", "failure", "error", "skipped", "system-out"])
        // Attribute values read back as the original names (quotes, ampersands, brackets intact).
        XCTAssertTrue(scan.attributeValues.contains(Self.script))
        XCTAssertTrue(scan.attributeValues.contains(Self.names[1]))
        XCTAssertTrue(scan.attributeValues.contains(Self.names[4]))
        // A name with a line break keeps it (as a character reference), control characters become U+FFFD.
        XCTAssertTrue(scan.attributeValues.contains("line\nbreak\r\tand \u{FFFD}control\u{FFFD} \u{FFFD}"))
        if let xmllint = Fixtures.which("xmllint") {
            let dir = try Fixtures.temporaryDirectory(self)
            try xml.write(toFile: dir + "/junit.xml", atomically: true, encoding: .utf8)
            let result = try Tool.run(xmllint, ["--noout", dir + "/junit.xml"])
            XCTAssertEqual(result.status, 0, result.output)
        }
    }

    func testJSONKeepsNamesExactly() throws {
        let r = hostileReport()
        XCTAssertEqual(try ReportStore.decode(try ReportStore.encode(r), path: "x"), r)
    }

    static func outsideCodeBlocks(_ md: String) -> String {
        var out: [Substring] = []
        var fence: Substring?
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            let ticks = line.prefix { $0 == "`" }
            if let open = fence {
                if ticks.count >= open.count && line.allSatisfy({ $0 == "`" }) { fence = nil }
                continue
            }
            if ticks.count >= 3 { fence = ticks; continue }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    static func unescapedPipes(_ line: String) -> Int {
        var count = 0
        var escaped = false
        for ch in line {
            if escaped { escaped = false; continue }
            if ch == "\\" { escaped = true } else if ch == "|" { count += 1 }
        }
        return count
    }
}
