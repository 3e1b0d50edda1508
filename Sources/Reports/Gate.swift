import Foundation

/// Noise floors of the gate, percent per metric: a figure regresses only when the bootstrap interval of its change
/// lies wholly beyond its floor. The defaults are those of reth's CI benchmark (wall clock 0.7 %, mean latency and
/// Mgas/s 1.2 %); a speedup, a ratio of two such times, gets the Mgas/s floor.
public struct NoiseFloors: Codable, Sendable, Equatable {
    /// Speedup over serial (the median of the rounds' ratios), every parallel executor and thread count.
    public var speedup: Double
    /// Throughput (Mgas/s), serial and parallel, same machine only.
    public var mgas: Double
    /// The run's total serial wall clock over the compared workloads, same machine only.
    public var wall: Double

    public init(speedup: Double = 1.2, mgas: Double = 1.2, wall: Double = 0.7) {
        self.speedup = speedup; self.mgas = mgas; self.wall = wall
    }

    /// The names `--noise-floor` takes.
    public static let metrics = ["speedup", "mgas", "wall"]

    /// `speedup=1.2,mgas=2,wall=0.7` over `self` (metrics not named keep their floor).
    public func parsing(_ text: String) throws(GateSettingsError) -> NoiseFloors {
        var out = self
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1]), v.isFinite, v >= 0, v < 100 else {
                throw GateSettingsError(message: "--noise-floor: expected METRIC=PERCENT (a number in 0..<100), got '\(part)'")
            }
            switch kv[0] {
            case "speedup": out.speedup = v
            case "mgas": out.mgas = v
            case "wall": out.wall = v
            default:
                throw GateSettingsError(message: "--noise-floor: unknown metric '\(kv[0])' (known: \(NoiseFloors.metrics.joined(separator: ", ")))")
            }
        }
        return out
    }

    /// `speedup 1.2 %, mgas 1.2 %, wall 0.7 %`.
    public var line: String {
        "speedup \(Format.fixed(speedup, 1)) %, Mgas/s \(Format.fixed(mgas, 1)) %, wall clock \(Format.fixed(wall, 1)) %"
    }
}

/// A bad gate option.
public struct GateSettingsError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Everything the gate judges performance with; written into the decision, so a report says how it was judged.
public struct GateSettings: Codable, Sendable, Equatable {
    public var floors: NoiseFloors
    /// A change whose interval is wider than this (percentage points) is "not measurable": neither pass nor fail.
    public var maxIntervalWidthPercent: Double
    /// Workloads faster than this serially (seconds) in either run are not gated on performance.
    public var minimumSerialSeconds: Double
    public var bootstrap: BootstrapSettings

    /// The default widest interval: 20 percentage points.
    public static let defaultMaxIntervalWidthPercent = 20.0
    /// Workloads faster than this serially (seconds) are not gated on performance.
    public static let defaultMinimumSerialSeconds = 0.010

    public init(floors: NoiseFloors = NoiseFloors(), maxIntervalWidthPercent: Double = GateSettings.defaultMaxIntervalWidthPercent,
                minimumSerialSeconds: Double = GateSettings.defaultMinimumSerialSeconds, bootstrap: BootstrapSettings) {
        self.floors = floors; self.maxIntervalWidthPercent = maxIntervalWidthPercent
        self.minimumSerialSeconds = minimumSerialSeconds; self.bootstrap = bootstrap
    }
}

/// The CI gate: decides whether a run passes, from its own failures and, given a baseline run, from regressions.
///
/// - Every failing or erroring case fails the run (baseline or not).
/// - A case that passed in the baseline and fails or errors now is named as a correctness regression.
/// - Performance figures are judged by the bootstrap 95 % interval of their change against the baseline, from both
///   runs' timed rounds (`Bootstrap`): when the interval is wider than `maxIntervalWidthPercent`, the gate cannot
///   tell and says "not measurable" (a finding that does not fail the run); otherwise the figure regresses when the
///   whole interval lies beyond its noise floor (`NoiseFloors`), and is unchanged (or faster) within the noise when
///   it does not. Figures: each speedup (ratios of timings of the same rounds on one machine, so they compare
///   across machines); on the same machine (cores, CPU model) and build only, each throughput (Mgas/s) and the total
///   serial wall clock.
/// - Where both runs measured the cross-core round trip and the measurements span more than
///   `CrossCoreLatency.placementFactor` (the two processors sat in one cache domain in one run and across two in the
///   other, or the placement changed during a run), a figure of a run on several threads (its speedup and Mgas/s) that
///   would regress is "not measurable", naming both round trips, and a note says why: the same code's parallel ratios
///   of blocks of cheap transactions differ by a fifth between placements (README, "Cross-core latency"). A run on one
///   thread hands nothing between processors and is judged as always.
/// - Figures without samples on either side (a baseline of schema version 1) are not gated, and a note says so.
/// - Figures present on one side only (another thread count, a workload added since) are noted, not failed; so are
///   workloads under `minimumSerialSeconds` serially in either run (thread start-up and scheduling dominate them).
public enum Gate {
    /// The settings used when none are given: default floors and width, resampling seeded with the run's seed.
    public static func defaultSettings(for report: RunReport) -> GateSettings {
        GateSettings(bootstrap: report.environment.bootstrap ?? BootstrapSettings(seed: report.environment.seed))
    }

    /// The decision for `report`, compared with `baseline` when given (`baselineName` is how findings cite it).
    public static func evaluate(_ report: RunReport, baseline: RunReport?, baselineName: String? = nil,
                                settings: GateSettings? = nil) -> GateDecision {
        let settings = settings ?? defaultSettings(for: report)
        var fails: [GateFinding] = []
        var unmeasurable: [GateFinding] = []
        var notes: [GateFinding] = []
        let problems = report.problems
        if !problems.isEmpty {
            let failed = problems.filter { $0.status == .fail }.count
            let errors = problems.count - failed
            fails.append(GateFinding(kind: .failures, subject: "\(problems.count) case\(problems.count == 1 ? "" : "s")",
                                     detail: "\(failed) failed, \(errors) could not run (errors)",
                                     currentValue: Double(problems.count)))
        }
        var comparedCases = 0
        var comparedFigures = 0
        if let baseline {
            if baseline.schemaVersion != report.schemaVersion {
                notes.append(GateFinding(kind: .note, subject: "baseline",
                                         detail: "schema version \(baseline.schemaVersion), this run \(report.schemaVersion)"))
            }
            // Correctness: by case identity.
            var now: [String: CaseResult] = [:]
            for c in report.cases { now[c.id] = c }
            var missing = 0
            for old in baseline.cases where old.status == .pass {
                guard let c = now[old.id] else { missing += 1; continue }
                comparedCases += 1
                if c.status == .fail || c.status == .error {
                    fails.append(GateFinding(kind: .correctnessRegression, subject: caseSubject(c),
                                             detail: "passed in the baseline, \(c.status.rawValue) now: \(c.message ?? "")"))
                }
            }
            if missing > 0 {
                notes.append(GateFinding(kind: .note, subject: "baseline cases",
                                         detail: "\(missing) passing baseline case\(missing == 1 ? " was" : "s were") not run here (filter, shard or suite change)"))
            }

            // Performance: by (workload, executor, threads), each figure's change judged by its interval.
            let sameMachine = baseline.environment.machine == report.environment.machine
                && baseline.environment.build == report.environment.build
            if !sameMachine {
                notes.append(GateFinding(kind: .note, subject: "throughput",
                                         detail: "not compared: baseline machine \(baseline.environment.machine) (\(baseline.environment.build)), this run \(report.environment.machine) (\(report.environment.build)); speedups still are"))
            }
            var judge = Judge(settings: settings)
            // Another placement of the two processors moves every parallel ratio of a block of cheap transactions (README,
            // "Cross-core latency"): a figure of a run on several threads that would regress then is not measurable.
            if let now = report.environment.crossCoreRoundTrip, let then = baseline.environment.crossCoreRoundTrip,
               let difference = now.placementDifference(from: then) {
                judge.placementDifference = difference
                notes.append(GateFinding(kind: .note, subject: "cross-core round trip",
                                         detail: "\(difference): the speedups and Mgas/s of runs on several threads move with it; such a figure that would regress is reported not measurable"))
            }
            var oldWorkloads: [String: WorkloadPerformance] = [:]
            for w in baseline.workloads { oldWorkloads[w.id] = w }
            var unmatched = 0
            var tooShort = 0
            var wall: [(old: [Double], new: [Double])] = []
            for w in report.workloads {
                guard let old = oldWorkloads[w.id] else { unmatched += 1; continue }
                guard min(w.serialSeconds, old.serialSeconds) >= settings.minimumSerialSeconds else { tooShort += 1; continue }
                if sameMachine {
                    let a = old.serialSamples, b = w.serialSamples
                    judge.figure(.throughputRegression, subject: "\(w.name) serial", metric: "Mgas/s",
                                 baseline: old.serialMgasPerSecond, current: w.serialMgasPerSecond, floor: settings.floors.mgas,
                                 change: a.flatMap { a in b.flatMap { b in
                                     throughputChange(old: a, oldGas: old.gasUsed, new: b, newGas: w.gasUsed,
                                                      settings: settings.bootstrap, stream: "mgas|\(w.id)|serial") } },
                                 hasSamples: (a != nil, b != nil))
                    if let a, let b { wall.append((a, b)) }
                }
                for run in w.runs {
                    guard let oldRun = old.runs.first(where: { $0.executor == run.executor && $0.threads == run.threads }) else {
                        unmatched += 1; continue
                    }
                    let subject = "\(w.name) \(run.executor) x\(run.threads)"
                    let oldPairs = oldRun.serialSamples.flatMap { s in oldRun.samples.map { (s, $0) } }
                    let newPairs = run.serialSamples.flatMap { s in run.samples.map { (s, $0) } }
                    judge.figure(.speedupRegression, subject: subject, metric: "speedup",
                                 baseline: oldRun.speedup, current: run.speedup, floor: settings.floors.speedup,
                                 change: oldPairs.flatMap { o in newPairs.flatMap { n in
                                     speedupChange(old: o, new: n, settings: settings.bootstrap, stream: "speedup|\(w.id)|\(subject)") } },
                                 hasSamples: (oldPairs != nil, newPairs != nil), handsOver: run.threads > 1)
                    if sameMachine {
                        judge.figure(.throughputRegression, subject: subject, metric: "Mgas/s",
                                     baseline: oldRun.mgasPerSecond, current: run.mgasPerSecond, floor: settings.floors.mgas,
                                     change: oldRun.samples.flatMap { a in run.samples.flatMap { b in
                                         throughputChange(old: a, oldGas: old.gasUsed, new: b, newGas: w.gasUsed,
                                                          settings: settings.bootstrap, stream: "mgas|\(w.id)|\(subject)") } },
                                     hasSamples: (oldRun.samples != nil, run.samples != nil), handsOver: run.threads > 1)
                    }
                }
            }
            if sameMachine && !wall.isEmpty {
                let old = wall.reduce(0) { $0 + Bootstrap.median($1.old) }
                let new = wall.reduce(0) { $0 + Bootstrap.median($1.new) }
                judge.figure(.wallClockRegression, subject: "serial wall clock (\(wall.count) workload\(wall.count == 1 ? "" : "s"))",
                             metric: "seconds", baseline: old, current: new, floor: settings.floors.wall,
                             change: wallChange(wall, settings: settings.bootstrap), hasSamples: (true, true),
                             higherIsBetter: false)
            }
            comparedFigures = judge.compared
            fails += judge.fails
            unmeasurable = judge.notMeasurable
            if judge.compared > 0 {
                notes.append(GateFinding(kind: .note, subject: "performance",
                                         detail: "\(judge.compared) figure\(judge.compared == 1 ? "" : "s") judged by 95 % bootstrap intervals (\(settings.bootstrap.resamples) resamples, seed \(settings.bootstrap.seed); floors \(settings.floors.line); widest \(Format.fixed(settings.maxIntervalWidthPercent, 1)) points): \(judge.fails.count) regressed, \(judge.notMeasurable.count) not measurable, \(judge.unchanged) unchanged within the noise, \(judge.improved) faster"))
            }
            if judge.baselineWithoutSamples > 0 {
                notes.append(GateFinding(kind: .note, subject: "performance",
                                         detail: "no samples in baseline: not gated (\(judge.baselineWithoutSamples) figure\(judge.baselineWithoutSamples == 1 ? "" : "s"), baseline schema version \(baseline.schemaVersion))"))
            }
            if judge.currentWithoutSamples > 0 {
                notes.append(GateFinding(kind: .note, subject: "performance",
                                         detail: "no samples in this run: not gated (\(judge.currentWithoutSamples) figure\(judge.currentWithoutSamples == 1 ? "" : "s"))"))
            }
            if tooShort > 0 {
                notes.append(GateFinding(kind: .note, subject: "performance",
                                         detail: "\(tooShort) workload\(tooShort == 1 ? " runs" : "s run") under \(Format.duration(settings.minimumSerialSeconds)) serially: too short to gate on"))
            }
            if unmatched > 0 {
                notes.append(GateFinding(kind: .note, subject: "performance",
                                         detail: "\(unmatched) workload or thread-count figure\(unmatched == 1 ? " has" : "s have") no baseline counterpart"))
            }
        }
        let name = baseline.map { b in baselineName.map { "\(b.runID) (\($0))" } ?? b.runID }
        return GateDecision(passed: fails.isEmpty, baseline: name, settings: baseline == nil ? nil : settings,
                            findings: fails + unmeasurable + notes, comparedCases: comparedCases, comparedFigures: comparedFigures)
    }

    /// Sorts figures into regressions, not measurable, unchanged and faster.
    struct Judge {
        let settings: GateSettings
        var fails: [GateFinding] = []
        var notMeasurable: [GateFinding] = []
        var compared = 0, unchanged = 0, improved = 0
        var baselineWithoutSamples = 0, currentWithoutSamples = 0
        /// Set where the two runs' cross-core round trips come from different placements
        /// (`CrossCoreRoundTrip.placementDifference`): figures of runs on several threads (`handsOver`) that would regress
        /// are not measurable.
        var placementDifference: String?

        init(settings: GateSettings) { self.settings = settings }

        /// Judges one figure from its change's interval (percent; nil when either side has no samples).
        mutating func figure(_ kind: GateFinding.Kind, subject: String, metric: String, baseline: Double, current: Double,
                             floor: Double, change: ConfidenceInterval?, hasSamples: (old: Bool, new: Bool),
                             higherIsBetter: Bool = true, handsOver: Bool = false) {
            guard hasSamples.old else { baselineWithoutSamples += 1; return }
            guard hasSamples.new else { currentWithoutSamples += 1; return }
            guard let ci = change, baseline > 0 else { return }
            compared += 1
            let point = (current / baseline - 1) * 100
            let text = "\(metric) \(Format.fixed(current, metric == "seconds" ? 4 : 2)) vs baseline \(Format.fixed(baseline, metric == "seconds" ? 4 : 2)): \(Format.signedPercent(point)) (95 % CI \(Format.signedPercent(ci.lower)) to \(Format.signedPercent(ci.upper)))"
            let worse = higherIsBetter ? ci.upper < -floor : ci.lower > floor
            let better = higherIsBetter ? ci.lower > floor : ci.upper < -floor
            // Too wide first: a percentile interval of medians over a few noisy rounds is itself unreliable (it is
            // too narrow more often than 5 % of the time), so past the width the gate neither passes nor fails.
            if ci.width > settings.maxIntervalWidthPercent {
                notMeasurable.append(GateFinding(kind: .notMeasurable, subject: subject,
                                                 detail: text + ": interval wider than \(Format.fixed(settings.maxIntervalWidthPercent, 1)) points, not measurable",
                                                 baselineValue: baseline, currentValue: current, changeInterval: ci))
            } else if worse, handsOver, let placementDifference {
                notMeasurable.append(GateFinding(kind: .notMeasurable, subject: subject,
                                                 detail: text + ": cross-core round trip \(placementDifference), not measurable",
                                                 baselineValue: baseline, currentValue: current, changeInterval: ci))
            } else if worse {
                fails.append(GateFinding(kind: kind, subject: subject,
                                         detail: text + ", wholly beyond the \(Format.fixed(floor, 1)) % noise floor",
                                         baselineValue: baseline, currentValue: current, changeInterval: ci))
            } else if better {
                improved += 1
            } else {
                unchanged += 1
            }
        }
    }

    /// Interval of the speedup's change, percent: pairedRatio(s', p') / pairedRatio(s, p) - 1 (`Bootstrap.pairedRatio`),
    /// each run's rounds resampled in (serial, parallel) pairs, the two runs independently.
    static func speedupChange(old: ([Double], [Double]), new: ([Double], [Double]), settings: BootstrapSettings,
                              stream: String) -> ConfidenceInterval? {
        guard old.0.count == old.1.count, new.0.count == new.1.count else { return nil }
        return Bootstrap.interval(roundsA: old.0.count, roundsB: new.0.count, settings: settings, stream: stream) { a, b in
            let before = Bootstrap.pairedRatio(old.0, old.1, at: a)
            let after = Bootstrap.pairedRatio(new.0, new.1, at: b)
            return (after / before - 1) * 100
        }
    }

    /// Interval of a throughput's change, percent: (gas' / median(t')) / (gas / median(t)) - 1.
    static func throughputChange(old: [Double], oldGas: UInt64, new: [Double], newGas: UInt64, settings: BootstrapSettings,
                                 stream: String) -> ConfidenceInterval? {
        Bootstrap.interval(roundsA: old.count, roundsB: new.count, settings: settings, stream: stream) { a, b in
            let before = Double(oldGas) / Bootstrap.median(old, at: a)
            let after = Double(newGas) / Bootstrap.median(new, at: b)
            return (after / before - 1) * 100
        }
    }

    /// Interval of the change of a sum of medians (the total serial wall clock), percent; each workload's rounds
    /// resampled independently in each run.
    static func wallChange(_ workloads: [(old: [Double], new: [Double])], settings: BootstrapSettings) -> ConfidenceInterval? {
        guard workloads.allSatisfy({ !$0.old.isEmpty && !$0.new.isEmpty }) else { return nil }
        var g = Bootstrap.Generator(seed: settings.seed, stream: "wall")
        var values: [Double] = []
        values.reserveCapacity(settings.resamples)
        var scratch: [Double] = []
        for _ in 0..<settings.resamples {
            var before = 0.0, after = 0.0
            for w in workloads {
                scratch = w.old.indices.map { _ in w.old[g.index(w.old.count)] }
                before += Bootstrap.median(scratch)
                scratch = w.new.indices.map { _ in w.new[g.index(w.new.count)] }
                after += Bootstrap.median(scratch)
            }
            values.append((after / before - 1) * 100)
        }
        return Bootstrap.percentiles(values, confidence: settings.confidence)
    }

    static func caseSubject(_ c: CaseResult) -> String {
        c.executor == "serial" ? "\(c.suite)/\(c.name)" : "\(c.suite)/\(c.name) [\(c.executor) x\(c.threads)]"
    }
}

/// Number formatting shared by the writers: fixed decimals, locale-independent.
public enum Format {
    /// `value` with `decimals` digits after the point ("1.50"); non-finite values print as "-".
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        return String(format: "%.\(decimals)f", value)
    }

    /// Seconds in a readable unit: "812 us", "12.3 ms", "1.52 s".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        if seconds < 1e-3 { return "\(Format.fixed(seconds * 1e6, 0)) us" }
        if seconds < 1 { return "\(Format.fixed(seconds * 1e3, 1)) ms" }
        return "\(Format.fixed(seconds, 2)) s"
    }

    /// A signed percentage with one decimal: "+1.3 %", "-20.0 %".
    public static func signedPercent(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        return (value >= 0 ? "+" : "") + fixed(value, 1) + " %"
    }

    /// An interval as "[1.52, 1.71]".
    public static func interval(_ i: ConfidenceInterval?, _ decimals: Int) -> String {
        guard let i else { return "-" }
        return "[\(fixed(i.lower, decimals)), \(fixed(i.upper, decimals))]"
    }

    /// A share as a percentage: "25 %".
    public static func percent(_ share: Double) -> String { "\(fixed(share * 100, 0)) %" }
}
