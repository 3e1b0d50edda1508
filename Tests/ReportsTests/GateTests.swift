import XCTest
@testable import Harness
@testable import Reports

/// The CI gate: planted regressions with tight intervals must fail the run; changes inside the noise must not.
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

    /// `report` with `rounds` timed rounds per figure around its value, each sample off by up to `noise` (a share,
    /// uniform, seeded), the parallel executors' times multiplied by `slowdown`; every figure recomputed from its
    /// samples as `BlockRunAdapter` does (medians, ratios of medians, intervals).
    func sampled(_ r: RunReport, rounds: Int = 15, noise: Double, slowdown: Double = 1, seed: UInt64) -> RunReport {
        var r = r
        var g = Bootstrap.Generator(seed: seed, stream: "test samples")
        func jitter(_ x: Double) -> Double {
            let u = Double(g.next() >> 11) / Double(1 << 53) * 2 - 1
            return x * (1 + noise * u)
        }
        let settings = BootstrapSettings(seed: r.environment.seed)
        r.environment.bootstrap = settings
        for i in r.workloads.indices {
            var w = r.workloads[i]
            let serial = (0..<rounds).map { _ in jitter(w.serialSeconds) }
            let gas = Double(w.gasUsed) / 1e6
            w.serialSamples = serial
            w.serialSeconds = Bootstrap.median(serial)
            w.serialMgasPerSecond = gas / w.serialSeconds
            w.serialMgasInterval = Bootstrap.reciprocalOfMedian(serial, scale: gas, settings: settings, stream: "s\(i)")
            for j in w.runs.indices {
                var run = w.runs[j]
                let samples = (0..<rounds).map { _ in jitter(run.seconds * slowdown) }
                run.samples = samples
                run.serialSamples = serial
                run.seconds = Bootstrap.median(samples)
                run.speedup = Bootstrap.pairedRatio(serial, samples)
                run.mgasPerSecond = gas / run.seconds
                run.speedupInterval = Bootstrap.pairedRatioInterval(serial, samples, settings: settings, stream: "p\(i).\(j)")
                run.mgasInterval = Bootstrap.reciprocalOfMedian(samples, scale: gas, settings: settings, stream: "m\(i).\(j)")
                w.runs[j] = run
            }
            r.workloads[i] = w
        }
        return r
    }

    /// A version 1 report: no samples, no intervals.
    func withoutSamples(_ r: RunReport) -> RunReport {
        var r = r
        r.schemaVersion = 1
        r.environment.bootstrap = nil
        for i in r.workloads.indices {
            r.workloads[i].serialSamples = nil
            r.workloads[i].serialMgasInterval = nil
            for j in r.workloads[i].runs.indices {
                r.workloads[i].runs[j].samples = nil
                r.workloads[i].runs[j].serialSamples = nil
                r.workloads[i].runs[j].speedupInterval = nil
                r.workloads[i].runs[j].mgasInterval = nil
            }
        }
        return r
    }

    func testIdenticalRunPasses() {
        let base = sampled(baseline(), noise: 0.01, seed: 1)
        let decision = Gate.evaluate(base, baseline: base)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
        XCTAssertEqual(decision.comparedCases, base.cases.filter { $0.status == .pass }.count)
        // erc20-transfers: serial throughput + 2 runs x (speedup + throughput) + the total serial wall clock, on the
        // same machine; the counter block (120 us serially) is too short to gate on.
        XCTAssertEqual(decision.comparedFigures, 6)
        XCTAssertTrue(decision.findings.contains { $0.kind == .note && $0.detail.contains("too short to gate on") })
        XCTAssertTrue(decision.findings.contains { $0.detail.contains("0 regressed, 0 not measurable, 6 unchanged within the noise, 0 faster") },
                      "\(decision.findings.map(\.line))")
        var lenient = Gate.defaultSettings(for: base)
        lenient.minimumSerialSeconds = 0
        XCTAssertEqual(Gate.evaluate(base, baseline: base, settings: lenient).comparedFigures, 11)
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

    func testPlantedTenPercentSlowdownWithTightIntervalsFails() {
        // +-0.5 % noise: every interval is a few tenths of a point wide, so a 10 % slowdown lies wholly beyond the floors.
        let base = sampled(baseline(), noise: 0.005, seed: 1)
        let now = sampled(baseline(), noise: 0.005, slowdown: 1.1, seed: 2)
        let decision = Gate.evaluate(now, baseline: base)
        XCTAssertFalse(decision.passed)
        let finding = decision.findings.first { $0.kind == .speedupRegression && $0.subject == "erc20-transfers blockstm x2" }
        XCTAssertNotNil(finding, "\(decision.findings.map(\.line))")
        let ci = finding?.changeInterval
        XCTAssertLessThan(ci?.upper ?? 0, -NoiseFloors().speedup)
        XCTAssertGreaterThan(ci?.lower ?? 0, -12)
        XCTAssertTrue(finding?.detail.contains("(95 % CI ") ?? false, finding?.detail ?? "")
        XCTAssertTrue(finding?.detail.hasSuffix("wholly beyond the 1.2 % noise floor") ?? false, finding?.detail ?? "")
        XCTAssertTrue(decision.findings.contains { $0.kind == .throughputRegression && $0.subject == "erc20-transfers blockstm x2" })
        // Serial did not move: neither its throughput nor the wall clock regressed.
        XCTAssertFalse(decision.findings.contains { $0.subject == "erc20-transfers serial" })
        XCTAssertFalse(decision.findings.contains { $0.kind == .wallClockRegression })
    }

    func testTenPercentChangeInsideTheNoiseIsNeverARegression() {
        // +-40 % noise: the same 10 % slowdown cannot be told from noise; no seed may turn it into a failure.
        for seed in UInt64(1)...20 {
            let base = sampled(baseline(), noise: 0.4, seed: seed)
            let now = sampled(baseline(), noise: 0.4, slowdown: 1.1, seed: seed + 100)
            // Every workload gated, however short (a noisy median may fall below the default minimum).
            var settings = Gate.defaultSettings(for: now)
            settings.minimumSerialSeconds = 0
            let decision = Gate.evaluate(now, baseline: base, settings: settings)
            XCTAssertTrue(decision.passed, "seed \(seed): \(decision.findings.map(\.line))")
            XCTAssertFalse(decision.findings.contains { $0.kind == .speedupRegression || $0.kind == .throughputRegression })
            let unmeasurable = decision.findings.filter { $0.kind == .notMeasurable }
            XCTAssertFalse(unmeasurable.isEmpty, "seed \(seed): \(decision.findings.map(\.line))")
            for f in unmeasurable {
                XCTAssertGreaterThan(f.changeInterval?.width ?? 0, GateSettings.defaultMaxIntervalWidthPercent)
                XCTAssertTrue(f.line.hasPrefix("not measurable: "), f.line)
            }
        }
    }

    func testBootstrapIsDeterministicForASeed() {
        let serial = (0..<9).map { 0.010 + Double($0 % 4) * 0.0003 }
        let parallel = (0..<9).map { 0.006 + Double(($0 * 5) % 7) * 0.0002 }
        let settings = BootstrapSettings(seed: 7)
        let a = Bootstrap.pairedRatioInterval(serial, parallel, settings: settings, stream: "x")
        let b = Bootstrap.pairedRatioInterval(serial, parallel, settings: settings, stream: "x")
        XCTAssertEqual(a, b)
        XCTAssertNotNil(a)
        let point = Bootstrap.pairedRatio(serial, parallel)
        XCTAssertLessThanOrEqual(a!.lower, point)
        XCTAssertGreaterThanOrEqual(a!.upper, point)
        XCTAssertGreaterThan(a!.width, 0)
        // Another seed draws other resamples (the index sequences differ; the percentiles of so few distinct medians
        // may still coincide).
        var g1 = Bootstrap.Generator(seed: 7, stream: "x"), g2 = Bootstrap.Generator(seed: 8, stream: "x")
        XCTAssertNotEqual((0..<8).map { _ in g1.index(9) }, (0..<8).map { _ in g2.index(9) })
        // Constant samples leave nothing to resample.
        XCTAssertEqual(Bootstrap.pairedRatioInterval([2, 2, 2], [1, 1, 1], settings: settings, stream: "x"),
                       ConfidenceInterval(lower: 2, upper: 2))
        // And the whole gate, twice, gives the same decision.
        let base = sampled(baseline(), noise: 0.05, seed: 3)
        let now = sampled(baseline(), noise: 0.05, slowdown: 1.05, seed: 4)
        XCTAssertEqual(Gate.evaluate(now, baseline: base), Gate.evaluate(now, baseline: base))
    }

    func testOldBaselineWithoutSamplesIsNotGated() throws {
        let old = withoutSamples(baseline())
        // Through JSON, as a version 1 file on disk would come: it loads, and its figures are not gated.
        let data = try ReportStore.encode(old)
        let loaded = try ReportStore.decode(data, path: "baseline.json")
        XCTAssertEqual(loaded.schemaVersion, 1)
        let now = sampled(baseline(), noise: 0.005, slowdown: 2, seed: 5)
        let decision = Gate.evaluate(now, baseline: loaded)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
        XCTAssertEqual(decision.comparedFigures, 0)
        XCTAssertTrue(decision.findings.contains { $0.detail.hasPrefix("no samples in baseline: not gated (5 figures") },
                      "\(decision.findings.map(\.line))")
        // A version 1 gate decision (with maxSlowdownPercent, without settings) still decodes.
        let v1 = #"{"passed": true, "maxSlowdownPercent": 10, "findings": [], "comparedCases": 0, "comparedFigures": 0}"#
        let gate = try JSONDecoder().decode(GateDecision.self, from: Data(v1.utf8))
        XCTAssertNil(gate.settings)
    }

    func testNoiseFloorIsConfigurable() throws {
        let base = sampled(baseline(), noise: 0.005, seed: 1)
        let now = sampled(baseline(), noise: 0.005, slowdown: 1.1, seed: 2)
        var settings = Gate.defaultSettings(for: now)
        settings.floors = try settings.floors.parsing("speedup=15,mgas=15")
        XCTAssertEqual(settings.floors, NoiseFloors(speedup: 15, mgas: 15, wall: 0.7))
        XCTAssertTrue(Gate.evaluate(now, baseline: base, settings: settings).passed)
        XCTAssertThrowsError(try NoiseFloors().parsing("p50=1"))
        XCTAssertThrowsError(try NoiseFloors().parsing("speedup=-1"))
        XCTAssertThrowsError(try NoiseFloors().parsing("speedup"))
        // A narrow width limit turns a moderate slowdown inside moderate noise into "not measurable".
        let noisyBase = sampled(baseline(), noise: 0.1, seed: 1)
        let noisyNow = sampled(baseline(), noise: 0.1, slowdown: 1.02, seed: 2)
        var narrow = Gate.defaultSettings(for: noisyNow)
        narrow.maxIntervalWidthPercent = 1
        let decision = Gate.evaluate(noisyNow, baseline: noisyBase, settings: narrow)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
        XCTAssertTrue(decision.findings.contains { $0.kind == .notMeasurable })
    }

    func testSlowdownOnlyInSpeedupFailsOnAnotherMachine() {
        // Another machine: throughput is not compared (a faster machine is not a regression), speedup still is.
        let base = sampled(baseline(), noise: 0.005, seed: 1)
        var now = base
        for i in now.workloads.indices {
            // Every time doubles; speedups stay.
            now.workloads[i].serialSamples = now.workloads[i].serialSamples?.map { $0 * 2 }
            for j in now.workloads[i].runs.indices {
                now.workloads[i].runs[j].samples = now.workloads[i].runs[j].samples?.map { $0 * 2 }
                now.workloads[i].runs[j].serialSamples = now.workloads[i].runs[j].serialSamples?.map { $0 * 2 }
            }
        }
        now.environment.cpuModel = "Other CPU"
        let decision = Gate.evaluate(now, baseline: base)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
        XCTAssertTrue(decision.findings.contains { $0.kind == .note && $0.subject == "throughput" })

        var elsewhere = sampled(baseline(), noise: 0.005, slowdown: 1.25, seed: 2)
        elsewhere.environment.cpuModel = "Other CPU"
        let slower = Gate.evaluate(elsewhere, baseline: base)
        XCTAssertFalse(slower.passed)
        XCTAssertEqual(Set(slower.findings.filter(\.fails).map(\.kind)), [.speedupRegression])
    }

    /// `r` with a cross-core round trip of `start` and `end` nanoseconds measured around it.
    func measured(_ r: RunReport, _ start: Double, _ end: Double) -> RunReport {
        var r = r
        r.environment.crossCoreRoundTrip = .init(processors: [0, 1], startNanoseconds: start, endNanoseconds: end)
        return r
    }

    /// `r` with the runs on several threads `factor` times slower (their figures recomputed from the samples).
    func handOversSlower(_ r: RunReport, by factor: Double) -> RunReport {
        var r = r
        for i in r.workloads.indices {
            let gas = Double(r.workloads[i].gasUsed) / 1e6
            for j in r.workloads[i].runs.indices where r.workloads[i].runs[j].threads > 1 {
                var run = r.workloads[i].runs[j]
                let samples = run.samples!.map { $0 * factor }
                run.samples = samples
                run.seconds = Bootstrap.median(samples)
                run.speedup = Bootstrap.pairedRatio(run.serialSamples!, samples)
                run.mgasPerSecond = gas / run.seconds
                r.workloads[i].runs[j] = run
            }
        }
        return r
    }

    func testParallelSlowdownUnderAnotherPlacementIsNotMeasurable() {
        // The baseline ran with both processors in one cache domain (60-65 ns), this run across two (450-460 ns): runs on
        // two threads 25 % slower there is what the placement does to blocks of cheap transactions.
        let base = measured(sampled(baseline(), noise: 0.005, seed: 1), 60, 65)
        let now = measured(handOversSlower(sampled(baseline(), noise: 0.005, seed: 2), by: 1.25), 450, 460)
        let decision = Gate.evaluate(now, baseline: base)
        XCTAssertTrue(decision.passed, "\(decision.findings.map(\.line))")
        let speedup = decision.findings.first { $0.kind == .notMeasurable && $0.subject == "erc20-transfers blockstm x2"
            && $0.detail.hasPrefix("speedup") }
        XCTAssertNotNil(speedup, "\(decision.findings.map(\.line))")
        XCTAssertTrue(speedup?.detail.hasSuffix(": cross-core round trip 60-65 ns in the baseline, 450-460 ns in this run, not measurable") ?? false,
                      speedup?.detail ?? "")
        XCTAssertTrue(decision.findings.contains { $0.kind == .notMeasurable && $0.subject == "erc20-transfers blockstm x2"
            && $0.detail.hasPrefix("Mgas/s") })
        XCTAssertTrue(decision.findings.contains { $0.kind == .note && $0.subject == "cross-core round trip"
            && $0.detail.hasPrefix("60-65 ns in the baseline, 450-460 ns in this run: ") })

        // One thread hands nothing between processors, and the serial executor does not move with the placement: their
        // slowdowns still fail the run.
        let allSlower = measured(sampled(baseline(), noise: 0.005, slowdown: 1.25, seed: 2), 450, 460)
        let one = Gate.evaluate(allSlower, baseline: base)
        XCTAssertFalse(one.passed)
        XCTAssertEqual(Set(one.findings.filter(\.fails).map(\.subject)), ["erc20-transfers blockstm x1"], "\(one.findings.map(\.line))")
        var serialSlower = now
        for i in serialSlower.workloads.indices {
            serialSlower.workloads[i].serialSamples = serialSlower.workloads[i].serialSamples?.map { $0 * 1.1 }
            serialSlower.workloads[i].serialMgasPerSecond /= 1.1
        }
        let serial = Gate.evaluate(serialSlower, baseline: base)
        XCTAssertFalse(serial.passed)
        XCTAssertTrue(serial.findings.contains { $0.kind == .throughputRegression && $0.subject == "erc20-transfers serial" },
                      "\(serial.findings.map(\.line))")
    }

    func testParallelSlowdownUnderTheSamePlacementStillFails() {
        // 60-77 ns on both sides is one placement: the same slowdown is a regression.
        let base = measured(sampled(baseline(), noise: 0.005, seed: 1), 60, 65)
        let now = measured(handOversSlower(sampled(baseline(), noise: 0.005, seed: 2), by: 1.25), 70, 77)
        let decision = Gate.evaluate(now, baseline: base)
        XCTAssertFalse(decision.passed)
        XCTAssertTrue(decision.findings.contains { $0.kind == .speedupRegression && $0.subject == "erc20-transfers blockstm x2" })
        XCTAssertFalse(decision.findings.contains { $0.subject == "cross-core round trip" })
        // A placement change inside this run is another placement too.
        let switched = Gate.evaluate(measured(now, 70, 455), baseline: base)
        XCTAssertTrue(switched.passed, "\(switched.findings.map(\.line))")
        // Without a round trip on one side (a report from before it was recorded) the speedups are judged as before.
        var old = base
        old.environment.crossCoreRoundTrip = nil
        XCTAssertFalse(Gate.evaluate(measured(now, 450, 460), baseline: old).passed)
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
        let sampledBase = sampled(base, noise: 0.005, seed: 1)
        var now = sampled(base, noise: 0.005, slowdown: 1.25, seed: 2)
        now.gate = Gate.evaluate(now, baseline: sampledBase)
        XCTAssertTrue(MarkdownWriter.render(now).contains("**Gate: FAIL"))
        XCTAssertTrue(HTMLWriter.render(now).contains("<p id=\"gate\" class=\"gate fail\">"))
        XCTAssertTrue(JUnitWriter.render(now).contains("type=\"speedupRegression\""))
    }
}
