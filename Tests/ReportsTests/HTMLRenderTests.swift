import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import Harness
@testable import Reports

/// The HTML page shows the summary table and the charts. With Chromium installed (CI installs it) the page is
/// rendered by `ci/render-report.sh` and the rendered DOM is checked; without it, the HTML structure is checked
/// directly. The test prints which of the two it did.
final class HTMLRenderTests: XCTestCase {
    func testSummaryTableAndChartsArePresent() throws {
        let dir = try Fixtures.temporaryDirectory(self)
        try ReportStore.write(Fixtures.report(), to: dir)
        let html = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
        try checkStructure(html)

        let browser = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"].lazy.compactMap(Fixtures.which).first
        guard browser != nil else {
            print("HTMLRenderTests: chromium not installed: checked the HTML structure directly (no rendering)")
            return
        }
        let script = Fixtures.packageRoot + "/ci/render-report.sh"
        var env = ProcessInfo.processInfo.environment
        env["LOCKSTEP_NO_INSTALL"] = "1"
        let (status, output) = try Tool.run("/bin/bash", [script, dir, dir], environment: env)
        XCTAssertEqual(status, 0, output)
        let dom = try String(contentsOfFile: dir + "/report.dom.html", encoding: .utf8)
        for id in ["summary", "chart-suites", "chart-speedup-threads", "chart-speedup-hot", "performance",
                   "chart-time-split", "time-split", "contended", "chart-history"] {
            XCTAssertTrue(dom.contains("id=\"\(id)\""), "rendered DOM lacks #\(id)")
        }
        let png = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/report.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertGreaterThan(png.count, 10_000, "a screenshot of the page, not an empty image")
        print("HTMLRenderTests: rendered with Chromium via ci/render-report.sh (\(png.count) bytes of PNG)")
    }

    /// The page parses as XML and holds the summary table with one row per (suite, executor), the three charts with
    /// drawn content, and no script, external stylesheet, font or image.
    func checkStructure(_ html: String) throws {
        let scan = XMLScan.parse(html)
        XCTAssertNil(scan.error, "index.html is not well-formed: \(String(describing: scan.error))")
        for id in ["summary", "chart-suites", "chart-speedup-threads", "chart-speedup-hot", "performance", "gate",
                   "chart-time-split", "time-split", "contended", "chart-history"] {
            XCTAssertTrue(scan.ids.contains(id), "index.html lacks #\(id)")
        }
        XCTAssertFalse(scan.elements.contains("script"))
        XCTAssertFalse(scan.elements.contains("link"))
        XCTAssertFalse(scan.elements.contains("img"))
        XCTAssertFalse(html.contains("@import") || html.contains("url("), "no external resources from CSS")
        let withoutNamespaces = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        XCTAssertFalse(withoutNamespaces.contains("http://") || withoutNamespaces.contains("https://"), "no network address")
        // Summary rows: statetest/serial, generated/serial, generated/blockstm.
        let summary = try XCTUnwrap(Self.section(html, from: "<table id=\"summary\">", to: "</table>"))
        XCTAssertEqual(summary.components(separatedBy: "<tr>").count - 1, 1 + 3 + 1, "header, three rows, total")
        // Each line chart draws a solid and a dashed (ideal) line; the suite chart draws bars.
        let threads = try XCTUnwrap(Self.section(html, from: "id=\"chart-speedup-threads\"", to: "</svg>"))
        XCTAssertEqual(threads.components(separatedBy: "<polyline").count - 1, 4, "two workloads x (achieved, ideal)")
        XCTAssertTrue(threads.contains("stroke-dasharray"))
        let hot = try XCTUnwrap(Self.section(html, from: "id=\"chart-speedup-hot\"", to: "</svg>"))
        XCTAssertEqual(hot.components(separatedBy: "<polyline").count - 1, 4, "per workload family: achieved and ideal at the top thread count")
        let suites = try XCTUnwrap(Self.section(html, from: "id=\"chart-suites\"", to: "</svg>"))
        XCTAssertGreaterThanOrEqual(suites.components(separatedBy: "<rect").count - 1, 6)
        // Where the time goes: one bar of five phases (and five legend swatches); the contended location listed.
        let split = try XCTUnwrap(Self.section(html, from: "id=\"chart-time-split\"", to: "</svg>"))
        XCTAssertEqual(split.components(separatedBy: "<rect").count - 1, 5 + 5)
        XCTAssertTrue(split.contains("dependent-counter blockstm x2: 150 us execution"), split)
        let contended = try XCTUnwrap(Self.section(html, from: "<table id=\"contended\">", to: "</table>"))
        XCTAssertTrue(contended.contains("<code>0xc0c0000000000000000000000000000000000001 storage[0x0]</code></td><td class=\"num\">1</td><td class=\"num\">2</td>"), contended)
        // History: erc20-transfers in both runs (a line of two points), dependent-counter in the last only.
        let history = try XCTUnwrap(Self.section(html, from: "id=\"chart-history\"", to: "</svg>"))
        XCTAssertEqual(history.components(separatedBy: "<circle").count - 1, 3)
        XCTAssertTrue(history.contains("erc20-transfers: 1 -&gt; 1.50"), history)
        XCTAssertTrue(history.contains("erc20-transfers: 2 -&gt; 1.64"), history)
    }

    static func section(_ s: String, from start: String, to end: String) -> String? {
        guard let a = s.range(of: start), let b = s.range(of: end, range: a.upperBound..<s.endIndex) else { return nil }
        return String(s[a.lowerBound..<b.upperBound])
    }
}

/// Which workloads the charts draw, and how they are grouped.
final class ChartSelectionTests: XCTestCase {
    func workload(_ suite: String, _ name: String, seconds: Double, hot: Double?) -> WorkloadPerformance {
        WorkloadPerformance(suite: suite, name: name, transactions: 1, gasUsed: 1, hotRatio: hot, dependentShare: 0,
                            serialSeconds: seconds, criticalPathSeconds: 0, parallelismBound: 1, serialMgasPerSecond: 1,
                            runs: [ParallelRun(executor: "blockstm", threads: 2, seconds: 1, speedup: 1, idealSpeedup: 1,
                                               efficiency: 1, reExecutionsPerTransaction: 0, abortRate: 0, mgasPerSecond: 1,
                                               ranSerially: false)])
    }

    func testGeneratedWorkloadsAreChartedWhenPresent() {
        var r = Fixtures.report()
        r.workloads = (0..<20).map { workload("blocks", "b\($0)", seconds: Double($0), hot: 0.5) }
            + [workload("generated", "erc20-n400-hot0.0", seconds: 1, hot: 0), workload("generated", "erc20-n400-hot1.0", seconds: 1, hot: 1)]
        XCTAssertEqual(HTMLWriter.chartWorkloads(r).map(\.name), ["erc20-n400-hot0.0", "erc20-n400-hot1.0"])
        // One family: one achieved line through both hot ratios, and its bound.
        let svg = HTMLWriter.speedupByHotRatio(r)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg.contains(">erc20 x2<"))
        XCTAssertTrue(HTMLWriter.render(r).contains("2 of 22 workloads drawn (the generated ones)"))
    }

    func testLongestRunningAreChartedOtherwise() {
        var r = Fixtures.report()
        r.workloads = (0..<20).map { workload("blocks", "b\($0)", seconds: Double($0), hot: nil) }
        XCTAssertEqual(HTMLWriter.chartWorkloads(r).map(\.name), (8..<20).map { "b\($0)" })
    }

    func testFamilyNames() {
        XCTAssertEqual(HTMLWriter.family("erc20-n400-hot0.25"), "erc20")
        XCTAssertEqual(HTMLWriter.family("nft-mint-n100-hot0.7-set2-dep8"), "nft-mint")
        XCTAssertEqual(HTMLWriter.family("counter-n20"), "counter")
        XCTAssertEqual(HTMLWriter.family("dependent-counter"), "dependent-counter")
    }
}
