import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Reports

/// Hand-built reports with fixed values (no clock, no machine), so that rendering them is deterministic.
enum Fixtures {
    static let environment = RunEnvironment(
        cores: 2, cpuModel: "Test CPU @ 1.00GHz", commit: "0123456789abcdef0123456789abcdef01234567", seed: 42,
        date: "2025-01-02T03:04:05Z", command: "lockstep run --threads 1,2", threads: [1, 2],
        executors: ["serial", "blockstm"], repetitions: 3, shards: nil, build: "release")

    static let stateRootA = "0x" + String(repeating: "a1", count: 32)
    static let stateRootB = "0x" + String(repeating: "b2", count: 32)
    static let logsEmpty = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"

    /// A report with every kind of case: passes, a state-test failure, a load error, skips, a parallel executor that
    /// diverged from serial (with receipts, first divergent transaction and a state diff), and two workloads.
    static func report(gate: Bool = true) -> RunReport {
        var cases: [CaseResult] = [
            CaseResult(suite: "statetest", name: "stExample/add.json:add:Cancun:d0g0v0", executor: "serial", fork: "Cancun",
                       status: .pass, actual: OutcomeSummary(stateRoot: stateRootA, logsHash: logsEmpty)),
            CaseResult(suite: "statetest", name: "stExample/add.json:add:Cancun:d1g0v0", executor: "serial", fork: "Cancun",
                       status: .fail, message: "state root \(stateRootB), expected \(stateRootA)",
                       expected: OutcomeSummary(stateRoot: stateRootA, logsHash: logsEmpty),
                       actual: OutcomeSummary(stateRoot: stateRootB, logsHash: logsEmpty),
                       reproduce: "lockstep statetest --filter ':add:Cancun:d1g0v0$' Vectors/stExample/add.json"),
            CaseResult(suite: "statetest", name: "stExample/broken.json", executor: "serial", fork: "",
                       status: .error, message: "malformed JSON: unexpected end of data at byte 17",
                       reproduce: "lockstep statetest Vectors/stExample/broken.json"),
            CaseResult(suite: "statetest", name: "stExample/add.json:add:Berlin:d0g0v0", executor: "serial", fork: "Berlin",
                       status: .skip, message: "fork Berlin not supported"),
            CaseResult(suite: "statetest", name: "stExample/add.json:add:London:d0g0v0", executor: "serial", fork: "London",
                       status: .skip, message: "fork London not supported"),
            CaseResult(suite: "generated", name: "erc20-transfers", executor: "serial", fork: "Cancun", status: .pass,
                       actual: OutcomeSummary(stateRoot: stateRootA, receiptsRoot: stateRootB, logsHash: logsEmpty, gasUsed: 2_100_000)),
            CaseResult(suite: "generated", name: "erc20-transfers", executor: "blockstm", threads: 1, fork: "Cancun", status: .pass,
                       actual: OutcomeSummary(stateRoot: stateRootA, receiptsRoot: stateRootB, logsHash: logsEmpty, gasUsed: 2_100_000)),
            CaseResult(suite: "generated", name: "dependent-counter", executor: "serial", fork: "Cancun", status: .pass,
                       actual: OutcomeSummary(stateRoot: stateRootA, gasUsed: 44_000)),
        ]
        let serialReceipts = [ReceiptSummary(index: 0, success: true, gasUsed: 21_000, cumulativeGasUsed: 21_000, logs: 0),
                              ReceiptSummary(index: 1, success: true, gasUsed: 23_000, cumulativeGasUsed: 44_000, logs: 1)]
        let parallelReceipts = [ReceiptSummary(index: 0, success: true, gasUsed: 21_000, cumulativeGasUsed: 21_000, logs: 0),
                                ReceiptSummary(index: 1, success: false, gasUsed: 25_000, cumulativeGasUsed: 46_000, logs: 0)]
        cases.append(CaseResult(
            suite: "generated", name: "dependent-counter", executor: "blockstm", threads: 2, fork: "Cancun", status: .fail,
            message: "state root \(stateRootB), serial \(stateRootA); gas used 46000, serial 44000",
            expected: OutcomeSummary(stateRoot: stateRootA, receiptsRoot: stateRootA, logsHash: logsEmpty, gasUsed: 44_000,
                                     receipts: serialReceipts, rejected: []),
            actual: OutcomeSummary(stateRoot: stateRootB, receiptsRoot: stateRootB, logsHash: logsEmpty, gasUsed: 46_000,
                                   receipts: parallelReceipts, rejected: []),
            divergence: Divergence(reference: "serial", firstTransaction: 1,
                                   transactionDetail: "status 0, serial 1; gas 25000, serial 23000",
                                   fields: ["stateRoot", "receiptsRoot", "gasUsed", "receipts", "postState"],
                                   stateDiff: [
                                    StateDiffEntry(address: "0xc0c0000000000000000000000000000000000001", field: "storage[0x0]",
                                                   expected: "0x2", actual: "0x1"),
                                    StateDiffEntry(address: "0xc0ffee00000000000000000000000000000c0ffee", field: "balance",
                                                   expected: "440000", actual: "460000"),
                                   ]),
            reproduce: "lockstep run --filter '^dependent-counter$' --executor blockstm --threads 2"))
        var workloads = [
            WorkloadPerformance(suite: "generated", name: "dependent-counter", transactions: 2, gasUsed: 44_000, hotRatio: 1,
                                dependentShare: 0.5, serialSeconds: 0.000_120, criticalPathSeconds: 0.000_100,
                                parallelismBound: 1.2, serialMgasPerSecond: 366.7, runs: [
                                    ParallelRun(executor: "blockstm", threads: 1, seconds: 0.000_130, speedup: 0.92, idealSpeedup: 1,
                                                efficiency: 0.92, reExecutionsPerTransaction: 0, abortRate: 0, mgasPerSecond: 338.5,
                                                ranSerially: true),
                                    ParallelRun(executor: "blockstm", threads: 2, seconds: 0.000_200, speedup: 0.6, idealSpeedup: 1.2,
                                                efficiency: 0.5, reExecutionsPerTransaction: 0.5, abortRate: 0.25, mgasPerSecond: 220,
                                                ranSerially: false),
                                ]),
            WorkloadPerformance(suite: "generated", name: "erc20-transfers", transactions: 100, gasUsed: 2_100_000, hotRatio: 0,
                                dependentShare: 0, serialSeconds: 0.0123, criticalPathSeconds: 0.000_123,
                                parallelismBound: 100, serialMgasPerSecond: 170.7, runs: [
                                    ParallelRun(executor: "blockstm", threads: 1, seconds: 0.0140, speedup: 0.88, idealSpeedup: 1,
                                                efficiency: 0.88, reExecutionsPerTransaction: 0, abortRate: 0, mgasPerSecond: 150,
                                                ranSerially: false),
                                    ParallelRun(executor: "blockstm", threads: 2, seconds: 0.0075, speedup: 1.64, idealSpeedup: 2,
                                                efficiency: 0.82, reExecutionsPerTransaction: 0.02, abortRate: 0.01, mgasPerSecond: 280,
                                                ranSerially: false),
                                ]),
        ]
        // Intervals, a profile and a history, as a version 2 run writes them.
        workloads[1].serialMgasInterval = ConfidenceInterval(lower: 165.2, upper: 176.0)
        workloads[1].runs[1].speedupInterval = ConfidenceInterval(lower: 1.58, upper: 1.7)
        workloads[1].runs[1].mgasInterval = ConfidenceInterval(lower: 270.1, upper: 290.4)
        workloads[0].profiles = [ExecutionProfile(executor: "blockstm", threads: 2, phases: [
            PhaseTime(phase: "execution", seconds: 0.000_150), PhaseTime(phase: "re-execution", seconds: 0.000_100),
            PhaseTime(phase: "validation", seconds: 0.000_020), PhaseTime(phase: "commit", seconds: 0.000_060),
            PhaseTime(phase: "roots", seconds: 0.000_070)],
            contended: [ContendedLocation(location: "0xc0c0000000000000000000000000000000000001 storage[0x0]",
                                          failedValidations: 1, blockedReads: 2)])]
        var r = RunReport(runID: "20250102-030405", environment: environment, cases: cases, workloads: workloads)
        r.sort()
        r.history = [
            HistoryRun(runID: "20250101-000000", date: "2025-01-01T00:00:00Z", commit: "fedcba", speedups: [
                HistorySpeedup(workload: "generated | erc20-transfers", executor: "blockstm", threads: 2, speedup: 1.5)]),
            HistoryRun(runID: "20250102-030405", date: "2025-01-02T03:04:05Z", commit: "012345", speedups: [
                HistorySpeedup(workload: "generated | dependent-counter", executor: "blockstm", threads: 2, speedup: 0.6),
                HistorySpeedup(workload: "generated | erc20-transfers", executor: "blockstm", threads: 2, speedup: 1.64)]),
        ]
        if gate { r.gate = Gate.evaluate(r, baseline: nil) }
        return r
    }

    /// A directory under the system's temporary directory, removed by the test case's teardown.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "lockstep-reports-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// `LOCKSTEP_SHARED_VECTORS` if set, else `shared/vectors` beside the checkout.
    static var sharedVectors: String {
        if let env = ProcessInfo.processInfo.environment["LOCKSTEP_SHARED_VECTORS"], !env.isEmpty { return env }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/vectors").path
    }

    /// The checkout (for `ci/` scripts).
    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// An executable on PATH, or nil.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Collects element names, ids and attribute values of an XML (or XHTML) document, or the parse error.
final class XMLScan: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var ids: Set<String> = []
    var attributeValues: [String] = []
    var text = ""
    var error: Error?

    static func parse(_ s: String) -> XMLScan {
        let scan = XMLScan()
        let parser = XMLParser(data: Data(s.utf8))
        parser.delegate = scan
        if !parser.parse() { scan.error = parser.parserError ?? NSError(domain: "XMLScan", code: 1) }
        return scan
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(name)
        if let id = attributes["id"] { ids.insert(id) }
        attributeValues += attributes.values
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}
