import Foundation
import XCTest
@testable import Reports

/// Every writer against a committed golden file. Set `LOCKSTEP_UPDATE_GOLDEN=1` to rewrite the files from the current
/// writers (then review the diff: the files are the specification of the formats).
final class WriterGoldenTests: XCTestCase {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    static var updating: Bool { ProcessInfo.processInfo.environment["LOCKSTEP_UPDATE_GOLDEN"] == "1" }

    func check(_ rendered: String, _ file: String, line: UInt = #line) throws {
        let path = Self.goldenDirectory + "/" + file
        if Self.updating {
            try FileManager.default.createDirectory(atPath: Self.goldenDirectory, withIntermediateDirectories: true)
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            XCTFail("missing golden file \(path); run with LOCKSTEP_UPDATE_GOLDEN=1 to create it", line: line)
            return
        }
        let golden = String(decoding: data, as: UTF8.self)
        if golden != rendered {
            // Name the first differing line, so a failure says what changed.
            let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let b = rendered.split(separator: "\n", omittingEmptySubsequences: false)
            let i = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            XCTFail("""
                \(file) differs from the golden file at line \(i + 1):
                golden:   \(i < a.count ? String(a[i]) : "<end>")
                rendered: \(i < b.count ? String(b[i]) : "<end>")
                (LOCKSTEP_UPDATE_GOLDEN=1 rewrites the golden files)
                """, line: line)
        }
    }

    func testMarkdownMatchesGolden() throws {
        try check(MarkdownWriter.render(Fixtures.report()), "report.md")
    }

    func testHTMLMatchesGolden() throws {
        try check(HTMLWriter.render(Fixtures.report()), "index.html")
    }

    func testJUnitMatchesGolden() throws {
        try check(JUnitWriter.render(Fixtures.report()), "junit.xml")
    }

    func testJSONMatchesGoldenAndRoundTrips() throws {
        let report = Fixtures.report()
        let data = try ReportStore.encode(report)
        try check(String(decoding: data, as: UTF8.self), "results.json")
        XCTAssertEqual(try ReportStore.decode(data, path: "results.json"), report)
    }

    func testGoldenJSONDecodesToTheFixture() throws {
        // The committed results.json is also a compatibility check: this build must still read it.
        guard !Self.updating, let data = FileManager.default.contents(atPath: Self.goldenDirectory + "/results.json") else { return }
        XCTAssertEqual(try ReportStore.decode(data, path: "Golden/results.json"), Fixtures.report())
    }

    func testNewerSchemaIsRejected() throws {
        var report = Fixtures.report()
        report.schemaVersion = RunReport.currentSchemaVersion + 1
        let data = try ReportStore.encode(report)
        XCTAssertThrowsError(try ReportStore.decode(data, path: "x.json")) { error in
            XCTAssertTrue("\(error)".contains("schema version \(RunReport.currentSchemaVersion + 1)"), "\(error)")
        }
    }

    func testMissingFieldIsNamed() throws {
        XCTAssertThrowsError(try ReportStore.decode(Data("{\"schemaVersion\": 1}".utf8), path: "x.json")) { error in
            XCTAssertTrue("\(error)".contains("missing field"), "\(error)")
        }
    }

    func testMarkdownShowsEveryFailureDetail() {
        let md = MarkdownWriter.render(Fixtures.report())
        // Correctness counts per suite and executor.
        XCTAssertTrue(md.contains("| statetest | serial | 1 | 1 | 1 | 2 |"), md)
        XCTAssertTrue(md.contains("| generated | blockstm | 1 | 1 | 0 | 0 |"), md)
        // Expected and actual roots, receipts, the first divergent transaction, the state diff and the command.
        XCTAssertTrue(md.contains("| state root | \(Fixtures.stateRootA) | \(Fixtures.stateRootB) |"))
        XCTAssertTrue(md.contains("| 1 | status 1, gas 23000, cumulative 44000, 1 log | status 0, gas 25000, cumulative 46000, 0 logs |"))
        XCTAssertTrue(md.contains("First divergent transaction: **1**"))
        XCTAssertTrue(md.contains("| 0xc0c0000000000000000000000000000000000001 | storage\\[0x0\\] | 0x2 | 0x1 |"))
        XCTAssertTrue(md.contains("lockstep run --filter '^dependent-counter$' --executor blockstm --threads 2"))
        // Performance: speedup, ideal, efficiency, re-executions, throughput; machine, commit, seed, date.
        XCTAssertTrue(md.contains("| erc20-transfers | 100 | 2100000 | 0 % | 0 % | blockstm | 2 | 7.5 ms | 1.64 | [1.58, 1.70] | 2.00 | 0.82 | 0.02 | 280.0 | [270.1, 290.4] |"), md)
        // Where the time goes, and the contended locations.
        XCTAssertTrue(md.contains("| dependent-counter | blockstm | 2 | 150 us (38 %) | 100 us (25 %) | 20 us (5 %) | 60 us (15 %) | 70 us (18 %) |"), md)
        XCTAssertTrue(md.contains("| dependent-counter | blockstm | 2 | `0xc0c0000000000000000000000000000000000001 storage[0x0]` | 1 | 2 |"), md)
        for fact in ["| seed | 42 |", "| machine | 2 x Test CPU @ 1.00GHz |", "| commit | 0123456789abcdef", "| date | 2025-01-02T03:04:05Z |"] {
            XCTAssertTrue(md.contains(fact), fact)
        }
    }

    func testMoreRoundsForShortWorkloadsAreStated() {
        var r = Fixtures.report()
        r.environment.minimumTimedSeconds = 0.02
        let md = MarkdownWriter.render(r), html = HTMLWriter.render(r)
        let text = "3 timed rounds (more for workloads faster than 20 ms: as many as take that long, at most 30)"
        XCTAssertTrue(md.contains("Times are the medians of " + text), md)
        XCTAssertTrue(md.contains("| repetitions | " + text.replacingOccurrences(of: "3 timed rounds", with: "3 timed rounds after a warm-up (medians)")), md)
        XCTAssertTrue(html.contains("Times are the medians of " + text), html)
        // A report without it (older, or --min-time 0) says nothing more.
        r.environment.minimumTimedSeconds = 0
        XCTAssertFalse(MarkdownWriter.render(r).contains("more for workloads"))
    }

    func testWrittenRunDirectoryAndLatestLink() throws {
        let root = try Fixtures.temporaryDirectory(self)
        let first = try ReportStore.writeRun(Fixtures.report(), root: root)
        let second = try ReportStore.writeRun(Fixtures.report(), root: root)
        XCTAssertEqual((first as NSString).lastPathComponent, "20250102-030405")
        XCTAssertEqual((second as NSString).lastPathComponent, "20250102-030405-2", "a taken run ID gets a suffix")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/latest"), "20250102-030405-2")
        for file in ReportStore.files {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/latest/" + file), file)
        }
        XCTAssertEqual(try ReportStore.load(root).runID, "20250102-030405-2", "a root loads through latest/")
    }
}
