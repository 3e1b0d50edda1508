import XCTest
@testable import Reports

/// The CI gate: planted regressions must fail the run, noise within the threshold must not.
final class GateTests: XCTestCase {
    /// A clean report (no failures) to plant regressions into.
    func baseline() -> RunReport {
        var r = Fixtures.report(gate: false)
        r.cases = r.cases.map { c in
            var c = c
            if c.status == .fail || c.status == .error { c.status = .pass; c.message = nil; c.divergence = nil }
            return c
        }
        return r
    }

    /// Every speedup and throughput scaled by `factor`.
    func scaled(_ r: RunReport, _ factor: Double) -> RunReport {
        var r = r
        for i in r.workloads.indices {
            r.workloads[i].serialMgasPerSecond *= factor
            for j in r.workloads[i].runs.indices {
                r.workloads[i].runs[j].speedup *= factor
                r.workloads[i].runs[j].mgasPerSecond *= factor
            }
        }
        return r
    }

    func testIdenticalRunPasses() {
        let base = baseline()
        let decision = Gate.evaluate(base, baseline: base)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
        XCTAssertEqual(decision.comparedCases, base.cases.filter { $0.status == .pass }.count)
        // erc20-transfers: serial throughput + 2 runs x (speedup + throughput) on the same machine; the counter block
        // (120 us serially) is too short to gate on.
        XCTAssertEqual(decision.comparedFigures, 5)
        XCTAssertTrue(decision.findings.contains { $0.kind == .note && $0.detail.contains("too short to gate on") })
        XCTAssertEqual(Gate.evaluate(base, baseline: base, minimumSerialSeconds: 0).comparedFigures, 10)
    }

    func testPlantedCorrectnessRegressionFails() {
        let base = baseline()
        var now = base
        let i = now.cases.firstIndex { $0.name == "erc20-transfers" && $0.executor == "blockstm" }!
        now.cases[i].status = .fail
        now.cases[i].message = "state root 0xbb, serial 0xaa"
        let decision = Gate.evaluate(now, baseline: base)
        XCTAssertFalse(decision.passed)
        let regressions = decision.findings.filter { $0.kind == .correctnessRegression }
        XCTAssertEqual(regressions.count, 1)
        XCTAssertEqual(regressions.first?.subject, "generated/erc20-transfers [blockstm x1]")
        XCTAssertTrue(decision.findings.contains { $0.kind == .failures })
    }

    func testFailureWithoutBaselineFailsTheRun() {
        let decision = Gate.evaluate(Fixtures.report(gate: false), baseline: nil)
        XCTAssertFalse(decision.passed)
        XCTAssertEqual(decision.findings.filter(\.fails).map(\.kind), [.failures])
        XCTAssertEqual(decision.findings.first?.detail, "2 failed, 1 could not run (errors)")
    }

    func testPlantedSlowdownFails() {
        let base = baseline()
        let decision = Gate.evaluate(scaled(base, 0.8), baseline: base, maxSlowdownPercent: 10)
        XCTAssertFalse(decision.passed)
        XCTAssertTrue(decision.findings.contains { $0.kind == .speedupRegression && $0.subject == "erc20-transfers blockstm x2" })
        XCTAssertTrue(decision.findings.contains { $0.kind == .throughputRegression })
        let finding = decision.findings.first { $0.kind == .speedupRegression && $0.subject == "erc20-transfers blockstm x2" }
        XCTAssertEqual(finding?.detail, "speedup 1.31 vs baseline 1.64 (20.0 % lower, allowed 10.0 %)")
    }

    func testPlantedFivePercentSlowdownPasses() {
        let base = baseline()
        let decision = Gate.evaluate(scaled(base, 0.95), baseline: base, maxSlowdownPercent: 10)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
    }

    func testThresholdIsConfigurable() {
        let base = baseline()
        XCTAssertFalse(Gate.evaluate(scaled(base, 0.95), baseline: base, maxSlowdownPercent: 3).passed)
        XCTAssertTrue(Gate.evaluate(scaled(base, 0.8), baseline: base, maxSlowdownPercent: 25).passed)
    }

    func testSlowdownOnlyInSpeedupFailsOnAnotherMachine() {
        // Another machine: throughput is not compared (a faster machine is not a regression), speedup still is.
        let base = baseline()
        var now = scaled(base, 0.5)
        for i in now.workloads.indices {
            // Throughput halves, speedups stay.
            for j in now.workloads[i].runs.indices { now.workloads[i].runs[j].speedup = base.workloads[i].runs[j].speedup }
        }
        now.environment.cpuModel = "Other CPU"
        let decision = Gate.evaluate(now, baseline: base)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
        XCTAssertTrue(decision.findings.contains { $0.kind == .note && $0.subject == "throughput" })

        let slower = scaled(base, 0.8)
        var elsewhere = slower
        elsewhere.environment.cpuModel = "Other CPU"
        XCTAssertFalse(Gate.evaluate(elsewhere, baseline: base).passed)
    }

    func testCasesMissingFromThisRunAreNotedNotFailed() {
        let base = baseline()
        var now = base
        now.cases.removeAll { $0.suite == "statetest" }
        let decision = Gate.evaluate(now, baseline: base)
        XCTAssertTrue(decision.passed)
        XCTAssertTrue(decision.findings.contains { $0.kind == .note && $0.subject == "baseline cases" })
    }

    func testCaseThatFailedInTheBaselineIsNotARegression() {
        // Still a failure of this run, but not named as a regression.
        let base = Fixtures.report(gate: false)
        let decision = Gate.evaluate(base, baseline: base)
        XCTAssertFalse(decision.passed)
        XCTAssertFalse(decision.findings.contains { $0.kind == .correctnessRegression })
    }

    func testDecisionIsWrittenIntoEveryReport() {
        let base = baseline()
        var now = scaled(base, 0.8)
        now.gate = Gate.evaluate(now, baseline: base)
        XCTAssertTrue(MarkdownWriter.render(now).contains("**Gate: FAIL"))
        XCTAssertTrue(HTMLWriter.render(now).contains("<p id=\"gate\" class=\"gate fail\">"))
        XCTAssertTrue(JUnitWriter.render(now).contains("type=\"speedupRegression\""))
    }
}
