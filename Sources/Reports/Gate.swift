import Foundation

/// The CI gate: decides whether a run passes, from its own failures and, given a baseline run, from regressions.
///
/// - Every failing or erroring case fails the run (baseline or not).
/// - A case that passed in the baseline and fails or errors now is named as a correctness regression.
/// - A speedup more than `maxSlowdownPercent` below the baseline's fails the run. Speedups are ratios of two timings
///   taken on the same machine in the same run, so they compare across machines; absolute times do not.
/// - Throughput (Mgas/s) is compared the same way, as current / baseline, but only when both runs report the same
///   machine (cores and CPU model) and build: on another machine a throughput ratio measures the machine.
/// - Figures present on one side only (another thread count, a workload added since) are noted, not failed.
/// - A workload whose serial time is below `minimumSerialSeconds` in either run is too short to time within the
///   threshold (thread start-up and scheduler noise dominate it): its figures are counted in a note, not gated.
public enum Gate {
    /// The default allowed slowdown: 10 %.
    public static let defaultMaxSlowdownPercent = 10.0

    /// Workloads faster than this serially (seconds) are not gated on performance.
    public static let defaultMinimumSerialSeconds = 0.010

    /// The decision for `report`, compared with `baseline` when given (`baselineName` is how findings cite it).
    public static func evaluate(_ report: RunReport, baseline: RunReport?, baselineName: String? = nil,
                                maxSlowdownPercent: Double = defaultMaxSlowdownPercent,
                                minimumSerialSeconds: Double = defaultMinimumSerialSeconds) -> GateDecision {
        var fails: [GateFinding] = []
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

            // Performance: by (workload, executor, threads).
            let limit = 1 - maxSlowdownPercent / 100
            let sameMachine = baseline.environment.machine == report.environment.machine
                && baseline.environment.build == report.environment.build
            if !sameMachine {
                notes.append(GateFinding(kind: .note, subject: "throughput",
                                         detail: "not compared: baseline machine \(baseline.environment.machine) (\(baseline.environment.build)), this run \(report.environment.machine) (\(report.environment.build)); speedups still are"))
            }
            var oldWorkloads: [String: WorkloadPerformance] = [:]
            for w in baseline.workloads { oldWorkloads[w.id] = w }
            var unmatched = 0
            var tooShort = 0
            for w in report.workloads {
                guard let old = oldWorkloads[w.id] else { unmatched += 1; continue }
                guard min(w.serialSeconds, old.serialSeconds) >= minimumSerialSeconds else { tooShort += 1; continue }
                if sameMachine {
                    comparedFigures += 1
                    if let f = regression(.throughputRegression, subject: "\(w.name) serial", metric: "Mgas/s",
                                          baseline: old.serialMgasPerSecond, current: w.serialMgasPerSecond,
                                          limit: limit, percent: maxSlowdownPercent) { fails.append(f) }
                }
                for run in w.runs {
                    guard let oldRun = old.runs.first(where: { $0.executor == run.executor && $0.threads == run.threads }) else {
                        unmatched += 1; continue
                    }
                    let subject = "\(w.name) \(run.executor) x\(run.threads)"
                    comparedFigures += 1
                    if let f = regression(.speedupRegression, subject: subject, metric: "speedup",
                                          baseline: oldRun.speedup, current: run.speedup,
                                          limit: limit, percent: maxSlowdownPercent) { fails.append(f) }
                    if sameMachine {
                        comparedFigures += 1
                        if let f = regression(.throughputRegression, subject: subject, metric: "Mgas/s",
                                              baseline: oldRun.mgasPerSecond, current: run.mgasPerSecond,
                                              limit: limit, percent: maxSlowdownPercent) { fails.append(f) }
                    }
                }
            }
            if tooShort > 0 {
                notes.append(GateFinding(kind: .note, subject: "performance",
                                         detail: "\(tooShort) workload\(tooShort == 1 ? " runs" : "s run") under \(Format.duration(minimumSerialSeconds)) serially: too short to gate on"))
            }
            if unmatched > 0 {
                notes.append(GateFinding(kind: .note, subject: "performance",
                                         detail: "\(unmatched) workload or thread-count figure\(unmatched == 1 ? " has" : "s have") no baseline counterpart"))
            }
        }
        let name = baseline.map { b in baselineName.map { "\(b.runID) (\($0))" } ?? b.runID }
        return GateDecision(passed: fails.isEmpty, baseline: name, maxSlowdownPercent: maxSlowdownPercent,
                            findings: fails + notes, comparedCases: comparedCases, comparedFigures: comparedFigures)
    }

    /// A finding when `current` is below `limit * baseline` (a ratio compare; a zero baseline cannot regress).
    static func regression(_ kind: GateFinding.Kind, subject: String, metric: String, baseline: Double, current: Double,
                           limit: Double, percent: Double) -> GateFinding? {
        guard baseline > 0, current < baseline * limit else { return nil }
        let drop = (1 - current / baseline) * 100
        return GateFinding(kind: kind, subject: subject,
                           detail: "\(metric) \(Format.fixed(current, 2)) vs baseline \(Format.fixed(baseline, 2)) (\(Format.fixed(drop, 1)) % lower, allowed \(Format.fixed(percent, 1)) %)",
                           baselineValue: baseline, currentValue: current)
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

    /// A share as a percentage: "25 %".
    public static func percent(_ share: Double) -> String { "\(fixed(share * 100, 0)) %" }
}
