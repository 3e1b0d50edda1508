import Foundation
import XCTest
import Vectors
import EVMPrimitives
@testable import Harness
@testable import Reports
@testable import Workloads

/// `--shard K/N` splits deterministically, and merging the shards gives the unsharded report.
final class ShardMergeTests: XCTestCase {
    func testShardParsing() throws {
        XCTAssertEqual(try Shard(parsing: "0/4"), try Shard(index: 0, count: 4))
        XCTAssertEqual(try Shard(parsing: "3/4").description, "3/4")
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3", ""] {
            XCTAssertThrowsError(try Shard(parsing: bad), bad)
        }
    }

    func testHashIsStableFNV1a() {
        // FNV-1a 64 known answers (from the reference description: offset basis for "", and "a").
        XCTAssertEqual(FNV1a64.hash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a64.hash("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(FNV1a64.hash("foobar"), 0x8594_4171_f739_67e8)
    }

    func testEveryUnitBelongsToExactlyOneShard() throws {
        let units = (0..<500).map { "statetest:st\($0)/file.json" }
        for n in [1, 2, 3, 7] {
            let shards = try (0..<n).map { try Shard(index: $0, count: n) }
            for u in units { XCTAssertEqual(shards.filter { $0.owns(u) }.count, 1) }
            // Not all in one shard (the hash spreads them).
            if n > 1 { XCTAssertTrue(shards.allSatisfy { s in units.contains { s.owns($0) } }) }
        }
    }

    /// A small real plan: generated blocks (serial and Block-STM at 1 and 2 threads) and, when the shared vectors are
    /// present, a few state-test files.
    func plan(shard: Shard?) throws -> RunPlan {
        var sources: [VectorSource] = []
        let dir = Fixtures.sharedVectors + "/ethereum-tests/GeneralStateTests/stExample"
        if FileManager.default.fileExists(atPath: dir), let found = try? StateTestLoader.sources(for: [dir]) {
            sources = Array(found.prefix(6))
        }
        return RunPlan(stateTestSources: sources,
                       workloads: try GeneratedWorkloads.blocks(transactions: 24, seed: 7).map(WorkloadSource.generated),
                       executors: [.serial, .blockstm, .blockstmForced], threads: [1, 2], repetitions: 1, seed: 7,
                       shard: shard, stateTestThreads: 2)
    }

    func environment(shard: Shard?) -> RunEnvironment {
        var e = Fixtures.environment
        e.seed = 7
        e.shards = shard.map { [$0] }
        return e
    }

    /// The report without anything that depends on timing.
    func timingFree(_ r: RunReport) -> RunReport {
        var r = r
        r.workloads = r.workloads.map { w in
            var w = w
            w.serialSeconds = 0; w.criticalPathSeconds = 0; w.parallelismBound = 0; w.serialMgasPerSecond = 0
            w.serialSamples = nil; w.serialMgasInterval = nil; w.profiles = nil
            w.runs = w.runs.map { ParallelRun(executor: $0.executor, threads: $0.threads, seconds: 0, speedup: 0, idealSpeedup: 0,
                                              efficiency: 0, reExecutionsPerTransaction: 0, abortRate: 0, mgasPerSecond: 0,
                                              // Whether the adaptive policy finished a block serially is
                                              // observed while it runs (aborts, blocked reads), like re-executions.
                                              ranSerially: false) }
            return w
        }
        r.environment.shards = nil
        r.environment.command = ""
        r.environment.date = ""
        r.runID = ""
        r.gate = nil
        return r
    }

    func testShardAndMergeEqualsUnshardedRun() throws {
        let whole = SuiteRunner.run(try plan(shard: nil), environment: environment(shard: nil), runID: "whole")
        XCTAssertFalse(whole.cases.isEmpty)
        XCTAssertEqual(whole.problems.map(\.id), [], "the generated blocks and stExample pass")
        let n = 3
        var parts: [RunReport] = []
        for k in 0..<n {
            let shard = try Shard(index: k, count: n)
            parts.append(SuiteRunner.run(try plan(shard: shard), environment: environment(shard: shard), runID: "part\(k)"))
        }
        // Shards are disjoint and none is everything.
        XCTAssertEqual(parts.map(\.cases.count).reduce(0, +), whole.cases.count)
        XCTAssertTrue(parts.allSatisfy { $0.cases.count < whole.cases.count })
        // Merged in any order, the result is the unsharded report.
        let (merged, notes) = try ReportMerge.merge(parts.reversed(), runID: "merged", command: "merge", date: "now")
        XCTAssertEqual(notes, [])
        XCTAssertEqual(merged.environment.shards?.map(\.description), ["0/3", "1/3", "2/3"])
        XCTAssertEqual(timingFree(merged), timingFree(whole))
        // And the renderings of the correctness section agree too.
        XCTAssertEqual(JUnitWriter.render(timingFree(merged)), JUnitWriter.render(timingFree(whole)))
    }

    func testMergeRejectsOverlapAndForeignRuns() throws {
        let r = Fixtures.report(gate: false)
        XCTAssertThrowsError(try ReportMerge.merge([r, r], runID: "m", command: "", date: "")) { error in
            XCTAssertTrue("\(error)".contains("appears in more than one report"), "\(error)")
        }
        var other = r
        other.cases = []
        other.workloads = []
        other.environment.seed = 43
        XCTAssertThrowsError(try ReportMerge.merge([r, other], runID: "m", command: "", date: "")) { error in
            XCTAssertTrue("\(error)".contains("seed"), "\(error)")
        }
    }

    func testMergeNotesAMissingShard() throws {
        var a = Fixtures.report(gate: false)
        a.environment.shards = [try Shard(index: 0, count: 3)]
        let (_, notes) = try ReportMerge.merge([a], runID: "m", command: "", date: "")
        XCTAssertEqual(notes, ["missing shards 1/3, 2/3: the merged report is incomplete"])
    }
}
