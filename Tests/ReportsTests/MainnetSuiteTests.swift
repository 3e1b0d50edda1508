import Foundation
import XCTest
@testable import Harness
@testable import Reports
import Vectors

/// The shared mainnet blocks in `lockstep run`: a mainnet file is a block vector, and a `.mainnet` workload reports
/// under the `mainnet` suite with its speedup and ideal.
final class MainnetSuiteTests: XCTestCase {
    func testMainnetBlockRunsAsTheMainnetSuite() throws {
        let dir = Fixtures.sharedVectors + "/mainnet"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir), "shared vectors not present")
        let classified = try VectorClassifier.classify([dir + "/19934116.json.zst"])
        XCTAssertEqual(classified.blocks.map(\.name), ["19934116.json.zst"])
        XCTAssertEqual(classified.stateTests.count, 0)
        let plan = RunPlan(workloads: [.mainnet(classified.blocks[0])], executors: [.serial, .blockstm], threads: [2],
                           repetitions: 1)
        let report = SuiteRunner.run(plan, environment: Fixtures.environment, runID: "mainnet")
        XCTAssertEqual(Set(report.cases.map(\.suite)), ["mainnet"])
        XCTAssertEqual(report.cases.map(\.status), [.pass, .pass], report.cases.compactMap(\.message).joined(separator: "; "))
        XCTAssertEqual(report.cases.map(\.fork), ["Cancun", "Cancun"])
        let performance = try XCTUnwrap(report.workloads.first)
        XCTAssertEqual(performance.runs.map(\.threads), [2])
        XCTAssertGreaterThan(performance.runs[0].idealSpeedup, 1)
    }

    /// A block the mainnet skip list names is skipped, with its reason, under every executor and thread count.
    func testSkipListedMainnetBlockIsSkippedWithItsReason() throws {
        let dir = Fixtures.sharedVectors + "/mainnet"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir), "shared vectors not present")
        let source = VectorSource(path: dir + "/19934116.json.zst", name: "19934116.json.zst")
        var plan = RunPlan(workloads: [.mainnet(source)], executors: [.serial, .blockstm], threads: [2, 4], repetitions: 1)
        plan.mainnetSkipList = try SkipList(text: "^19934116\\.json\\.zst$ # vector data", source: "test")
        let report = SuiteRunner.run(plan, environment: Fixtures.environment, runID: "skip")
        XCTAssertEqual(report.cases.map(\.status), [.skip, .skip, .skip])
        XCTAssertEqual(Set(report.cases.compactMap(\.message)), ["vector data"])
        XCTAssertEqual(report.cases.map(\.threads).sorted(), [1, 2, 4])
    }
}
