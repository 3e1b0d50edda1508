import Foundation
import XCTest
@testable import Reports
@testable import Execution

/// The cross-core round trip (`CrossCoreLatency`) that `bench blockstm`, `blocks --repeat` and run reports print: it
/// moves every parallel ratio on a host whose processors change cache domains (README, "Cross-core latency").
final class CrossCoreLatencyTests: XCTestCase {
    /// Where two processors are allowed, a measurement between the first two of them, of a plausible size (a round
    /// trip through memory is well under a millisecond on any machine this runs on); with one, none.
    func testMeasuresTheFirstTwoAllowedProcessors() throws {
        let allowed = Affinity.allowedProcessors()
        let m = CrossCoreLatency.measure(exchanges: 2_000, trials: 3)
        guard allowed.count >= 2 else {
            XCTAssertNil(m, "one processor: there is no other core to measure")
            return
        }
        let measurement = try XCTUnwrap(m, "two processors are allowed (\(allowed)), so the probe must measure")
        XCTAssertEqual(measurement.first, allowed[0])
        XCTAssertEqual(measurement.second, allowed[1])
        XCTAssertGreaterThan(measurement.nanoseconds, 1, "a round trip through another core's cache takes time")
        XCTAssertLessThan(measurement.nanoseconds, 1_000_000, "a round trip of a millisecond is no cache line's")
        XCTAssertTrue(measurement.description.hasSuffix("ns (processors \(allowed[0]) and \(allowed[1]))"), measurement.description)
        // The probe pins only its own two threads: the caller keeps every processor it had.
        XCTAssertEqual(Affinity.allowedProcessors(), allowed)
    }

    func testNoExchangesMeasureNothing() {
        XCTAssertNil(CrossCoreLatency.measure(exchanges: 0))
        XCTAssertNil(CrossCoreLatency.measure(trials: 0))
    }

    /// The header line shows only where the run recorded a measurement; it says both ends and the processors, and the
    /// field survives JSON (a report from before it has none and still decodes).
    func testTheHeaderShowsTheRoundTripWhenRecorded() throws {
        var report = Fixtures.report()
        XCTAssertFalse(ReportFacts.header(report).contains { $0.0 == "cross-core round trip" })
        report.environment.crossCoreRoundTrip = RunEnvironment.CrossCoreRoundTrip(processors: [0, 1], startNanoseconds: 391.6,
                                                                                  endNanoseconds: 447.2)
        XCTAssertTrue(ReportFacts.header(report).contains {
            $0 == ("cross-core round trip", "392 ns at the start, 447 ns at the end (processors 0 and 1)")
        })
        report.environment.crossCoreRoundTrip?.endNanoseconds = nil
        XCTAssertTrue(ReportFacts.header(report).contains {
            $0 == ("cross-core round trip", "392 ns at the start (processors 0 and 1)")
        })

        let encoded = try JSONEncoder().encode(report.environment)
        XCTAssertEqual(try JSONDecoder().decode(RunEnvironment.self, from: encoded), report.environment)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        XCTAssertNotNil(object.removeValue(forKey: "crossCoreRoundTrip"))
        let older = try JSONDecoder().decode(RunEnvironment.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertNil(older.crossCoreRoundTrip)
    }

    /// Round trips more than `placementFactor` apart are two placements: within a run, the header says the placement
    /// changed; across two runs, `placementDifference` names both.
    func testAPlacementChangeIsNamed() {
        typealias RoundTrip = RunEnvironment.CrossCoreRoundTrip
        let fast = RoundTrip(processors: [0, 1], startNanoseconds: 57.6, endNanoseconds: 76.8)
        let slow = RoundTrip(processors: [0, 1], startNanoseconds: 452, endNanoseconds: 449.7)
        let switched = RoundTrip(processors: [0, 1], startNanoseconds: 58, endNanoseconds: 451)
        XCTAssertFalse(fast.changedDuringRun)
        XCTAssertFalse(slow.changedDuringRun)
        XCTAssertTrue(switched.changedDuringRun)
        XCTAssertFalse(RoundTrip(processors: [0, 1], startNanoseconds: 58).changedDuringRun)
        XCTAssertEqual(switched.description,
                       "58 ns at the start, 451 ns at the end (processors 0 and 1); the placement changed during the run")
        XCTAssertEqual(slow.description, "452 ns at the start, 450 ns at the end (processors 0 and 1)")

        XCTAssertNil(fast.placementDifference(from: RoundTrip(processors: [0, 1], startNanoseconds: 60, endNanoseconds: 65)))
        XCTAssertNil(slow.placementDifference(from: RoundTrip(processors: [0, 1], startNanoseconds: 365)))
        XCTAssertEqual(slow.placementDifference(from: fast), "58-77 ns in the baseline, 450-452 ns in this run")
        XCTAssertEqual(fast.placementDifference(from: slow), "450-452 ns in the baseline, 58-77 ns in this run")
        // `bench blockstm` and `blocks --repeat` say so on the line after their rounds.
        typealias Measurement = CrossCoreLatency.Measurement
        let before = Measurement(nanoseconds: 58, first: 0, second: 1)
        XCTAssertEqual(CrossCoreLatency.changeNote(before, Measurement(nanoseconds: 451, first: 0, second: 1), during: "rounds"),
                       "; the placement changed during the rounds")
        XCTAssertEqual(CrossCoreLatency.changeNote(before, Measurement(nanoseconds: 77, first: 0, second: 1), during: "rounds"), "")
        // A run that switched differs from either placement.
        XCTAssertNotNil(switched.placementDifference(from: fast))
        XCTAssertNotNil(slow.placementDifference(from: switched))
    }

    /// A merge of one report keeps its measurement; a merge of several drops it (each shard measured its own machine).
    func testAMergeOfSeveralShardsHasNoRoundTrip() throws {
        var one = Fixtures.report()
        one.cases = []
        one.workloads = []
        one.environment.crossCoreRoundTrip = RunEnvironment.CrossCoreRoundTrip(processors: [0, 1], startNanoseconds: 60)
        var two = one
        two.runID = "other"
        two.environment.crossCoreRoundTrip?.startNanoseconds = 450
        XCTAssertEqual(try ReportMerge.merge([one], runID: "m", command: "", date: "").report.environment.crossCoreRoundTrip,
                       one.environment.crossCoreRoundTrip)
        XCTAssertNil(try ReportMerge.merge([one, two], runID: "m", command: "", date: "").report.environment.crossCoreRoundTrip)
    }
}
