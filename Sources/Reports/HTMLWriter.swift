import Foundation

/// Renders a `RunReport` as `index.html`: one self-contained page (inline CSS and SVG, no scripts, no fonts, no
/// network), well-formed enough to parse as XML. Every string from a vector or the environment is escaped.
///
/// Landmarks that tests and `ci/render-report.sh` look for: `table#summary` (counts per suite and executor),
/// `svg#chart-suites`, `svg#chart-speedup-threads`, `svg#chart-speedup-hot`, `table#performance`, `#gate`,
/// `svg#chart-time-split`, `table#time-split`, `table#contended` (where parallel time goes), `svg#chart-history`.
public enum HTMLWriter {
    public static func render(_ r: RunReport) -> String {
        var h: [String] = []
        h.append("<!DOCTYPE html>")
        h.append("<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
        h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>")
        h.append("<title>Lockstep run \(Escape.html(r.runID))</title>")
        h.append("<style>\(css)</style></head><body>")
        h.append("<h1>Lockstep run \(Escape.html(r.runID))</h1>")
        if let gate = r.gate {
            h.append("<p id=\"gate\" class=\"gate \(gate.passed ? "pass" : "fail")\">Gate: \(Escape.html(gate.headline))</p>")
        }
        h.append("<table id=\"run-facts\" class=\"facts\"><tbody>")
        for (key, value) in ReportFacts.header(r) {
            h.append("<tr><th scope=\"row\">\(Escape.html(key))</th><td><code>\(Escape.html(value))</code></td></tr>")
        }
        h.append("</tbody></table>")

        if let gate = r.gate {
            h.append("<section id=\"gate-findings\"><h2>Gate</h2>")
            h.append("<p>" + Escape.html(gate.baseline.map { "Compared with baseline \($0): \(gate.comparedCases) cases, \(gate.comparedFigures) performance figures" + (gate.settings.map { s in "; a figure regresses when the 95 % bootstrap interval of its change lies wholly beyond its noise floor (\(s.floors.line)), and is not measurable when the interval is wider than \(Format.fixed(s.maxIntervalWidthPercent, 1)) points (\(s.bootstrap.resamples) resamples, seed \(s.bootstrap.seed))." } ?? ".") }
                                         ?? "No baseline given: the run fails only on its own failures.") + "</p>")
            if gate.findings.isEmpty {
                h.append("<p>Nothing to report.</p>")
            } else {
                h.append("<ul>")
                for f in gate.findings {
                    h.append("<li class=\"\(f.fails ? "fail" : "note")\"><strong>\(f.label)</strong> \(Escape.html(f.kind.rawValue)): \(Escape.html(f.subject)): \(Escape.html(f.detail))</li>")
                }
                h.append("</ul>")
            }
            h.append("</section>")
        }

        h.append(correctness(r))
        h.append(performance(r))
        h.append(profile(r))
        h.append(history(r))
        h.append("</body></html>")
        return h.joined(separator: "\n") + "\n"
    }

    static func correctness(_ r: RunReport) -> String {
        var h: [String] = ["<section id=\"correctness\"><h2>Correctness</h2>"]
        h.append("<table id=\"summary\"><thead><tr><th>suite</th><th>executor</th><th>pass</th><th>fail</th><th>error</th><th>skip</th></tr></thead><tbody>")
        for t in r.tallies {
            h.append("<tr><td>\(Escape.html(t.suite))</td><td>\(Escape.html(t.executor))</td><td class=\"num\">\(t.pass)</td><td class=\"num\(t.fail > 0 ? " bad" : "")\">\(t.fail)</td><td class=\"num\(t.error > 0 ? " bad" : "")\">\(t.error)</td><td class=\"num\">\(t.skip)</td></tr>")
        }
        let all = r.totals
        h.append("</tbody><tfoot><tr><th>all</th><th></th><th class=\"num\">\(all.pass)</th><th class=\"num\">\(all.fail)</th><th class=\"num\">\(all.error)</th><th class=\"num\">\(all.skip)</th></tr></tfoot></table>")
        let rows = r.tallies.map { t in
            (label: "\(t.suite) / \(t.executor)",
             segments: [("pass", t.pass, SVGChart.StatusColor.pass), ("fail", t.fail, SVGChart.StatusColor.fail),
                        ("error", t.error, SVGChart.StatusColor.error), ("skip", t.skip, SVGChart.StatusColor.skip)]
                .map { (name: $0.0, count: $0.1, color: $0.2) })
        }
        h.append("<figure>" + SVGChart.stackedBars(id: "chart-suites", title: "Results by suite and executor", rows: rows)
                 + "<figcaption>Share of cases per status; counts beside each bar.</figcaption></figure>")

        let problems = r.problems
        if !problems.isEmpty {
            h.append("<h3>Failures (\(problems.count))</h3>")
            for (i, c) in problems.prefix(MarkdownWriter.maxDetailedFailures).enumerated() {
                h.append(failure(c, number: i + 1))
            }
            if problems.count > MarkdownWriter.maxDetailedFailures {
                h.append("<p>\(problems.count - MarkdownWriter.maxDetailedFailures) more failures are listed in <code>results.json</code> and <code>junit.xml</code>.</p>")
            }
        }
        let skips = ReportFacts.skipReasons(r)
        if !skips.isEmpty {
            h.append("<h3>Skipped, by reason</h3><table id=\"skips\"><thead><tr><th>reason</th><th>cases</th></tr></thead><tbody>")
            for (reason, count) in skips {
                h.append("<tr><td>\(Escape.html(reason))</td><td class=\"num\">\(count)</td></tr>")
            }
            h.append("</tbody></table>")
        }
        h.append("</section>")
        return h.joined(separator: "\n")
    }

    static func failure(_ c: CaseResult, number: Int) -> String {
        let executor = c.executor == "serial" ? "serial" : "\(c.executor) x\(c.threads)"
        var h: [String] = ["<div class=\"failure\">"]
        h.append("<h4>\(number). <span class=\"name\">\(Escape.html(c.name))</span></h4>")
        h.append("<p class=\"meta\">\(Escape.html(c.status.rawValue)) · suite \(Escape.html(c.suite)) · \(Escape.html(executor)) · fork \(Escape.html(c.fork.isEmpty ? "-" : c.fork))</p>")
        if let message = c.message { h.append("<p class=\"message\">\(Escape.html(message))</p>") }
        let reference = c.divergence != nil ? "serial" : "expected"
        let rows = ReportFacts.outcomeRows(expected: c.expected, actual: c.actual)
        if !rows.isEmpty {
            h.append("<table class=\"outcome\"><thead><tr><th></th><th>\(reference)</th><th>actual</th></tr></thead><tbody>")
            for row in rows {
                let cls = row.expected != row.actual ? " class=\"bad\"" : ""
                h.append("<tr\(cls)><th scope=\"row\">\(Escape.html(row.label))</th><td><code>\(Escape.html(row.expected))</code></td><td><code>\(Escape.html(row.actual))</code></td></tr>")
            }
            h.append("</tbody></table>")
        }
        let receipts = ReportFacts.receiptRows(expected: c.expected, actual: c.actual)
        if !receipts.rows.isEmpty {
            h.append("<table class=\"receipts\"><thead><tr><th>tx</th><th>\(reference)</th><th>actual</th></tr></thead><tbody>")
            for row in receipts.rows {
                h.append("<tr><td class=\"num\">\(row.index)</td><td>\(Escape.html(row.expected))</td><td>\(Escape.html(row.actual))</td></tr>")
            }
            h.append("</tbody></table>")
            if receipts.truncated { h.append("<p class=\"muted\">First \(receipts.rows.count) differing receipts.</p>") }
        }
        if let d = c.divergence {
            if !d.fields.isEmpty {
                h.append("<p>Differs from \(Escape.html(d.reference)) in: \(Escape.html(d.fields.joined(separator: ", "))).</p>")
            }
            if let tx = d.firstTransaction {
                h.append("<p>First divergent transaction: <strong>\(tx)</strong>: \(Escape.html(d.transactionDetail ?? ""))</p>")
            } else {
                h.append("<p>Every receipt agrees with \(Escape.html(d.reference)); only the post-state differs.</p>")
            }
            if !d.stateDiff.isEmpty {
                h.append("<table class=\"state-diff\"><thead><tr><th>address</th><th>field</th><th>\(Escape.html(d.reference))</th><th>actual</th></tr></thead><tbody>")
                for s in d.stateDiff {
                    h.append("<tr><td><code>\(Escape.html(s.address))</code></td><td><code>\(Escape.html(s.field))</code></td><td><code>\(Escape.html(s.expected))</code></td><td><code>\(Escape.html(s.actual))</code></td></tr>")
                }
                h.append("</tbody></table>")
                if d.stateDiffOmitted > 0 { h.append("<p class=\"muted\">\(d.stateDiffOmitted) more differing entries not listed.</p>") }
            }
            if let t = d.traceDiff {
                h.append("<p>Trace diff (EIP-3155):</p><pre class=\"trace-diff\"><code>\(Escape.html(t.render()))</code></pre>")
                if let command = t.command {
                    h.append("<p>Reproduce the traces:</p><pre class=\"trace-reproduce\"><code>\(Escape.html(command))</code></pre>")
                }
            }
        }
        if let command = c.reproduce {
            h.append("<p>Reproduce:</p><pre class=\"reproduce\"><code>\(Escape.html(command))</code></pre>")
        }
        h.append("</div>")
        return h.joined(separator: "\n")
    }

    static func performance(_ r: RunReport) -> String {
        var h: [String] = ["<section id=\"performance\"><h2>Performance</h2>"]
        h.append("<p>Times are the medians of \(r.environment.repetitions) timed rounds\(Escape.html(MarkdownWriter.moreRounds(r.environment))) after a warm-up run (each round runs serial and every executor and thread count, in reverse order every other round, each a whole block execution, state root included); a speedup is the median of the rounds' ratios (serial time / executor time of the same round), and the brackets are 95 % bootstrap intervals (rounds resampled\(r.environment.bootstrap.map { " \($0.resamples) times, seed \($0.seed)" } ?? "")). <em>Ideal</em> is the critical-path bound min(threads, total time / critical-path time), from the serial run's read and write sets and per-transaction times; <em>efficiency</em> is speedup / ideal; <em>dependent</em> is the share of transactions that read what a lower one wrote.</p>")
        h.append("<figure>" + speedupByThreads(r) + "<figcaption>Achieved speedup (solid) and the critical-path bound (dashed, same colour) per workload; one thread is the serial run\(chartNote(r)).</figcaption></figure>")
        h.append("<figure>" + speedupByHotRatio(r) + "<figcaption>Speedup (solid) and bound (dashed) at the highest thread count against the share of transactions on hot state, one line per workload family\(chartNote(r)).</figcaption></figure>")
        h.append("<div class=\"wide\"><table id=\"performance\"><thead><tr><th>workload</th><th>txs</th><th>gas</th><th>hot</th><th>dependent</th><th>executor</th><th>threads</th><th>time</th><th>speedup</th><th>speedup 95 % CI</th><th>ideal</th><th>efficiency</th><th>re-exec/tx</th><th>Mgas/s</th><th>Mgas/s 95 % CI</th></tr></thead><tbody>")
        for w in r.workloads {
            let lead = "<td class=\"name\">\(Escape.html(w.name))</td><td class=\"num\">\(w.transactions)</td><td class=\"num\">\(w.gasUsed)</td><td class=\"num\">\(w.hotRatio.map(Format.percent) ?? "-")</td><td class=\"num\">\(Format.percent(w.dependentShare))</td>"
            h.append("<tr>\(lead)<td>serial</td><td class=\"num\">1</td><td class=\"num\">\(Format.duration(w.serialSeconds))</td><td class=\"num\">1.00</td><td class=\"num\">-</td><td class=\"num\">1.00</td><td class=\"num\">1.00</td><td class=\"num\">0.00</td><td class=\"num\">\(Format.fixed(w.serialMgasPerSecond, 1))</td><td class=\"num\">\(Format.interval(w.serialMgasInterval, 1))</td></tr>")
            for run in w.runs {
                h.append("<tr>\(lead)<td>\(Escape.html(run.executor))\(run.ranSerially ? " <span class=\"muted\">(ran serially)</span>" : "")</td><td class=\"num\">\(run.threads)</td><td class=\"num\">\(Format.duration(run.seconds))</td><td class=\"num\">\(Format.fixed(run.speedup, 2))</td><td class=\"num\">\(Format.interval(run.speedupInterval, 2))</td><td class=\"num\">\(Format.fixed(run.idealSpeedup, 2))</td><td class=\"num\">\(Format.fixed(run.efficiency, 2))</td><td class=\"num\">\(Format.fixed(run.reExecutionsPerTransaction, 2))</td><td class=\"num\">\(Format.fixed(run.mgasPerSecond, 1))</td><td class=\"num\">\(Format.interval(run.mgasInterval, 1))</td></tr>")
            }
        }
        h.append("</tbody></table></div>")
        if !r.workloads.isEmpty {
            h.append("<table id=\"bounds\"><thead><tr><th>workload</th><th>serial time</th><th>critical path</th><th>bound</th></tr></thead><tbody>")
            for w in r.workloads {
                h.append("<tr><td class=\"name\">\(Escape.html(w.name))</td><td class=\"num\">\(Format.duration(w.serialSeconds))</td><td class=\"num\">\(Format.duration(w.criticalPathSeconds))</td><td class=\"num\">\(Format.fixed(w.parallelismBound, 2))</td></tr>")
            }
            h.append("</tbody></table>")
        }
        h.append("</section>")
        return h.joined(separator: "\n")
    }

    /// Speedup against threads: per (workload, parallel executor) the achieved line and its ideal bound.
    static func speedupByThreads(_ r: RunReport) -> String {
        var series: [SVGChart.Series] = []
        var k = 0
        for w in chartWorkloads(r) {
            for executor in orderedExecutors(w.runs) {
                let runs = w.runs.filter { $0.executor == executor }
                let color = SVGChart.palette[k % SVGChart.palette.count]
                k += 1
                let label = executor == "blockstm" ? w.name : "\(w.name) \(executor)"
                // Serial is the one-thread point (speedup 1, bound 1) unless the executor itself ran on one thread.
                let anchor: [(x: Double, y: Double)] = runs.contains { $0.threads == 1 } ? [] : [(1, 1)]
                series.append(SVGChart.Series(name: label, color: color,
                                              points: anchor + runs.map { (Double($0.threads), $0.speedup) }))
                series.append(SVGChart.Series(name: "\(label) ideal", color: color,
                                              points: anchor + runs.map { (Double($0.threads), $0.idealSpeedup) },
                                              dashed: true, markers: false, inLegend: false))
            }
        }
        let ticks = Array(Set([1] + chartWorkloads(r).flatMap { $0.runs.map { Double($0.threads) } })).sorted()
        return SVGChart.line(id: "chart-speedup-threads", title: "Speedup against threads", xLabel: "threads",
                             yLabel: "speedup over serial", xTicks: ticks, xTickLabel: { String(Int($0)) }, series: series)
    }

    /// Speedup against hot ratio at each executor's highest thread count, with the ideal bound: one line per workload
    /// family (the generator's `<workload>-n<N>-...` names, so a hot-ratio sweep draws one line) and executor.
    static func speedupByHotRatio(_ r: RunReport) -> String {
        let withHot = chartWorkloads(r).filter { $0.hotRatio != nil }
        var families: [String] = []
        for w in withHot where !families.contains(family(w.name)) { families.append(family(w.name)) }
        var series: [SVGChart.Series] = []
        var k = 0
        for executor in orderedExecutors(withHot.flatMap(\.runs)) {
            guard let threads = withHot.flatMap({ $0.runs.filter { $0.executor == executor }.map(\.threads) }).max() else { continue }
            for name in families {
                var achieved: [(x: Double, y: Double)] = []
                var ideal: [(x: Double, y: Double)] = []
                for w in withHot where family(w.name) == name {
                    guard let hot = w.hotRatio,
                          let run = w.runs.first(where: { $0.executor == executor && $0.threads == threads }) else { continue }
                    achieved.append((hot * 100, run.speedup))
                    ideal.append((hot * 100, run.idealSpeedup))
                }
                guard !achieved.isEmpty else { continue }
                let color = SVGChart.palette[k % SVGChart.palette.count]
                k += 1
                let label = executor == "blockstm" ? "\(name) x\(threads)" : "\(name) \(executor) x\(threads)"
                series.append(SVGChart.Series(name: label, color: color, points: meanByX(achieved)))
                series.append(SVGChart.Series(name: "\(label) ideal", color: color, points: meanByX(ideal),
                                              dashed: true, markers: false, inLegend: false))
            }
        }
        let ticks = Array(Set(withHot.compactMap { $0.hotRatio.map { $0 * 100 } })).sorted()
        return SVGChart.line(id: "chart-speedup-hot", title: "Speedup against hot ratio", xLabel: "transactions on hot state (%)",
                             yLabel: "speedup over serial", xTicks: ticks, xTickLabel: { Format.fixed($0, 0) }, series: series)
    }

    /// Where each parallel executor's time went (stacked bars and a table) and the most contended locations.
    static func profile(_ r: RunReport) -> String {
        var h: [String] = ["<section id=\"profile\"><h2>Where the time goes</h2>"]
        let rows = r.workloads.flatMap { w in (w.profiles ?? []).map { (w, $0) } }
        h.append("<p>Per parallel executor and block (its checked run, before the timed rounds): time summed over worker threads in each phase (first executions, re-executions, read-set validations, the block end's commit and its roots), read from the clock at phase boundaries only; and the locations that most often failed a validation or blocked a read (an ESTIMATE of a lower transaction), at most \(ExecutionProfile.topLocations) per block.</p>")
        let bars = rows.filter { $0.1.total > 0 }.map { w, p in
            (label: "\(w.name) \(p.executor) x\(p.threads)",
             segments: SVGChart.PhaseColor.order.map { name, color in
                 (name: name, count: Int(((p.phases.first { $0.phase == name }?.seconds ?? 0) * 1e6).rounded()), color: color) })
        }
        h.append("<figure>" + SVGChart.stackedBars(id: "chart-time-split", title: "Where the time goes (worker time per phase)", rows: bars,
                                                   legend: SVGChart.PhaseColor.order, empty: "no profiled parallel runs",
                                                   value: { Format.duration(Double($0) / 1e6) })
                 + "<figcaption>Each bar is one executor at one thread count on one block; segments are shares of its summed worker time.</figcaption></figure>")
        h.append("<table id=\"time-split\"><thead><tr><th>workload</th><th>executor</th><th>threads</th>" + SVGChart.PhaseColor.order.map { "<th>\($0.0)</th>" }.joined() + "</tr></thead><tbody>")
        for (w, p) in rows {
            let total = p.total
            let cells = SVGChart.PhaseColor.order.map { name, _ -> String in
                let s = p.phases.first { $0.phase == name }?.seconds ?? 0
                return "<td class=\"num\">\(Format.duration(s)) (\(total > 0 ? Format.percent(s / total) : "-"))</td>"
            }.joined()
            h.append("<tr><td class=\"name\">\(Escape.html(w.name))</td><td>\(Escape.html(p.executor))</td><td class=\"num\">\(p.threads)</td>\(cells)</tr>")
        }
        h.append("</tbody></table>")
        h.append("<table id=\"contended\"><thead><tr><th>workload</th><th>executor</th><th>threads</th><th>location</th><th>failed validations</th><th>blocked reads</th></tr></thead><tbody>")
        let contended = rows.flatMap { w, p in p.contended.map { (w, p, $0) } }
        if contended.isEmpty { h.append("<tr><td colspan=\"6\" class=\"muted\">no contention recorded</td></tr>") }
        for (w, p, c) in contended {
            h.append("<tr><td class=\"name\">\(Escape.html(w.name))</td><td>\(Escape.html(p.executor))</td><td class=\"num\">\(p.threads)</td><td><code>\(Escape.html(c.location))</code></td><td class=\"num\">\(c.failedValidations)</td><td class=\"num\">\(c.blockedReads)</td></tr>")
        }
        h.append("</tbody></table></section>")
        return h.joined(separator: "\n")
    }

    /// Speedup per workload across the runs kept under the report root (`RunReport.history`).
    static func history(_ r: RunReport) -> String {
        var h: [String] = ["<section id=\"history\"><h2>History</h2>"]
        let runs = r.history ?? []
        let top = r.environment.threads.max() ?? 1
        let executor = r.environment.executors.first { $0 != "serial" } ?? "blockstm"
        let shown = chartWorkloads(r)
        var series: [SVGChart.Series] = []
        for (i, w) in shown.enumerated() {
            var points: [(x: Double, y: Double)] = []
            for (k, run) in runs.enumerated() {
                if let s = run.speedups.first(where: { $0.workload == w.id && $0.executor == executor && $0.threads == top }) {
                    points.append((Double(k + 1), s.speedup))
                }
            }
            series.append(SVGChart.Series(name: w.name, color: SVGChart.palette[i % SVGChart.palette.count], points: points))
        }
        let ticks = runs.indices.map { Double($0 + 1) }
        h.append("<figure>" + SVGChart.line(id: "chart-history", title: "Speedup across runs (\(executor) x\(top))", xLabel: "run (oldest first)",
                                            yLabel: "speedup over serial", xTicks: ticks, xTickLabel: { String(Int($0)) }, series: series)
                 + "<figcaption>\(Escape.html(runs.isEmpty ? "No run history was gathered for this report." : "\(runs.count) run\(runs.count == 1 ? "" : "s") kept under the report root, from \(runs.first?.runID ?? "") to \(runs.last?.runID ?? "") (this run)\(chartNote(r))."))</figcaption></figure>")
        h.append("</section>")
        return h.joined(separator: "\n")
    }

    /// The most workloads a chart draws (the table lists them all).
    static let maxChartWorkloads = 12

    /// The suite generated workloads report under: `GeneratedWorkloads.suite` (in `Workloads`, below the harness;
    /// `Reports` depends on no other module, and `ReportsTests` checks the two agree).
    static let generatedSuite = "generated"

    /// The workloads the charts draw: the generated ones (the suite designed for measuring) when the run has them,
    /// else the longest-running ones, at most `maxChartWorkloads`, in report order.
    static func chartWorkloads(_ r: RunReport) -> [WorkloadPerformance] {
        let generated = r.workloads.filter { $0.suite == generatedSuite }
        let pool = generated.isEmpty ? r.workloads : generated
        guard pool.count > maxChartWorkloads else { return pool }
        let keep = Set(pool.sorted { $0.serialSeconds > $1.serialSeconds }.prefix(maxChartWorkloads).map(\.id))
        return pool.filter { keep.contains($0.id) }
    }

    /// A generator name's family: `erc20-n400-hot0.25` -> `erc20`; other names stay whole.
    static func family(_ name: String) -> String {
        guard let r = name.range(of: #"-n[0-9]+(-|$)"#, options: .regularExpression) else { return name }
        return String(name[..<r.lowerBound])
    }

    /// Says which workloads the charts leave out, if any.
    static func chartNote(_ r: RunReport) -> String {
        let shown = chartWorkloads(r).count
        guard shown < r.workloads.count else { return "" }
        return "; \(shown) of \(r.workloads.count) workloads drawn (\(r.workloads.contains { $0.suite == generatedSuite } ? "the generated ones" : "the longest-running")), all in the table"
    }

    static func orderedExecutors(_ runs: [ParallelRun]) -> [String] {
        var seen: [String] = []
        for run in runs where !seen.contains(run.executor) { seen.append(run.executor) }
        return seen
    }

    static func meanByX(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        var sums: [Double: (Double, Int)] = [:]
        for p in points { let s = sums[p.x] ?? (0, 0); sums[p.x] = (s.0 + p.y, s.1 + 1) }
        return sums.keys.sorted().compactMap { x in sums[x].map { (x, $0.0 / Double($0.1)) } }
    }

    static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1b1b1b;line-height:1.4}
        h1{font-size:1.6em;overflow-wrap:anywhere}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
        table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
        thead th{background:#f3f3f3}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        td,th,p,li,h4,code,pre{overflow-wrap:anywhere;word-break:break-word}
        td.num,th.num,thead th{white-space:nowrap;overflow-wrap:normal;word-break:normal}
        .wide{overflow-x:auto}#performance{font-size:.85em}
        .facts th{background:#f7f7f7;font-weight:600}.bad{color:#b71c1c;font-weight:600}tr.bad td{background:#fff3f3}
        .gate{font-size:1.3em;font-weight:700;padding:8px 12px;border-radius:6px;display:inline-block}
        .gate.pass{background:#e8f5e9;color:#1b5e20}.gate.fail{background:#ffebee;color:#b71c1c}
        li.fail{color:#b71c1c}li.note{color:#555}.muted{color:#777}
        .failure{border-left:4px solid #c62828;padding:4px 12px;margin:12px 0;background:#fffafa}
        .failure .message{font-family:ui-monospace,monospace;font-size:.9em}
        pre{background:#f5f5f5;padding:8px;white-space:pre-wrap}code{font-family:ui-monospace,"SFMono-Regular",monospace;font-size:.9em}
        figure{margin:16px 0}figcaption{color:#555;font-size:.9em}
        svg.chart{max-width:100%;height:auto;font-family:system-ui,sans-serif;background:#fff}
        svg .grid{stroke:#eee}svg .axis{stroke:#444}svg .tick{font-size:11px;fill:#333}svg .label{font-size:12px;fill:#333}
        svg .legend{font-size:11px;fill:#222}svg .title{font-size:14px;font-weight:600;fill:#111}svg .muted{fill:#888}
        """
}
