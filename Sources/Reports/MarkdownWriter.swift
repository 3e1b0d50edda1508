/// Renders a `RunReport` as `report.md`: header, gate, correctness (counts, then every failure in detail),
/// performance.
public enum MarkdownWriter {
    /// " (more for workloads under N ms: as many as take that long, at most 10N)" where short workloads got more rounds.
    static func moreRounds(_ e: RunEnvironment) -> String {
        guard let t = e.minimumTimedSeconds, t > 0 else { return "" }
        return " (more for workloads faster than \(Format.fixed(t * 1000, 0)) ms: as many as take that long, at most \(e.repetitions * RunEnvironment.maximumRoundsFactor))"
    }

    /// Failures shown in full; the rest are counted (all of them are in results.json and junit.xml).
    public static let maxDetailedFailures = 100

    public static func render(_ r: RunReport) -> String {
        var md: [String] = []
        let e = r.environment
        md.append("# Lockstep run \(Escape.markdown(r.runID))")
        md.append("")
        if let gate = r.gate { md.append("**Gate: \(gate.headline)**") ; md.append("") }
        md.append("| | |")
        md.append("|---|---|")
        for (key, value) in ReportFacts.header(r) {
            md.append("| \(key) | \(Escape.markdown(value)) |")
        }
        md.append("")

        if let gate = r.gate {
            md.append("## Gate")
            md.append("")
            md.append(gate.baseline.map { _ in Escape.markdown(
                "Compared with baseline \(gate.baseline ?? ""): \(gate.comparedCases) cases, \(gate.comparedFigures) performance figures" + (gate.settings.map { s in "; a figure regresses when the 95 % bootstrap interval of its change lies wholly beyond its noise floor (\(s.floors.line)), and is not measurable when the interval is wider than \(Format.fixed(s.maxIntervalWidthPercent, 1)) points (\(s.bootstrap.resamples) resamples, seed \(s.bootstrap.seed))." } ?? ".") ) }
                      ?? "No baseline given: the run fails only on its own failures.")
            md.append("")
            if gate.findings.isEmpty { md.append("Nothing to report.") }
            for f in gate.findings {
                md.append("- **\(f.label)** \(f.kind.rawValue): \(Escape.markdown(f.subject)): \(Escape.markdown(f.detail))")
            }
            md.append("")
        }

        md.append("## Correctness")
        md.append("")
        md.append("| suite | executor | pass | fail | error | skip |")
        md.append("|---|---|---:|---:|---:|---:|")
        for t in r.tallies {
            md.append("| \(Escape.markdown(t.suite)) | \(Escape.markdown(t.executor)) | \(t.pass) | \(t.fail) | \(t.error) | \(t.skip) |")
        }
        let all = r.totals
        md.append("| **all** | | **\(all.pass)** | **\(all.fail)** | **\(all.error)** | **\(all.skip)** |")
        md.append("")

        let problems = r.problems
        if !problems.isEmpty {
            md.append("### Failures (\(problems.count))")
            md.append("")
            for (i, c) in problems.prefix(maxDetailedFailures).enumerated() {
                md.append(contentsOf: failure(c, number: i + 1))
            }
            if problems.count > maxDetailedFailures {
                md.append("\(problems.count - maxDetailedFailures) more failures are listed in `results.json` and `junit.xml`.")
                md.append("")
            }
        }
        let skips = ReportFacts.skipReasons(r)
        if !skips.isEmpty {
            md.append("### Skipped, by reason")
            md.append("")
            md.append("| reason | cases |")
            md.append("|---|---:|")
            for (reason, count) in skips { md.append("| \(Escape.markdown(reason)) | \(count) |") }
            md.append("")
        }

        md.append("## Performance")
        md.append("")
        if r.workloads.isEmpty {
            md.append("No block workloads ran.")
        } else {
            md.append("Times are the medians of \(e.repetitions) timed rounds\(Self.moreRounds(e)) after a warm-up run (each round runs serial and "
                      + "every executor and thread count, in reverse order every other round, each a whole block execution, state root included); a speedup is the "
                      + "median of the rounds' ratios (serial time / executor time of the same round), and the brackets are 95 % bootstrap intervals (rounds resampled"
                      + (e.bootstrap.map { " \($0.resamples) times, seed \($0.seed)" } ?? "") + "). *Ideal* is the critical-path bound min(threads, total time / critical-path time), "
                      + "from the serial run's read and write sets and per-transaction times; *efficiency* is speedup / ideal; "
                      + "*dependent* is the share of transactions that read what a lower one wrote.")
            md.append("")
            md.append("| workload | txs | gas | hot | dependent | executor | threads | time | speedup | speedup 95 % CI | ideal | efficiency | re-exec/tx | Mgas/s | Mgas/s 95 % CI |")
            md.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for w in r.workloads {
                let hot = w.hotRatio.map(Format.percent) ?? "-"
                let lead = "| \(Escape.markdown(w.name)) | \(w.transactions) | \(w.gasUsed) | \(hot) | \(Format.percent(w.dependentShare))"
                md.append("\(lead) | serial | 1 | \(Format.duration(w.serialSeconds)) | 1.00 | - | 1.00 | 1.00 | 0.00 | \(Format.fixed(w.serialMgasPerSecond, 1)) | \(Format.interval(w.serialMgasInterval, 1)) |")
                for run in w.runs {
                    let serialMark = run.ranSerially ? " (ran serially)" : ""
                    md.append("\(lead) | \(Escape.markdown(run.executor))\(serialMark) | \(run.threads) | \(Format.duration(run.seconds)) | \(Format.fixed(run.speedup, 2)) | \(Format.interval(run.speedupInterval, 2)) | \(Format.fixed(run.idealSpeedup, 2)) | \(Format.fixed(run.efficiency, 2)) | \(Format.fixed(run.reExecutionsPerTransaction, 2)) | \(Format.fixed(run.mgasPerSecond, 1)) | \(Format.interval(run.mgasInterval, 1)) |")
                }
            }
            md.append("")
            md.append("Critical path and bound per workload: "
                      + r.workloads.map { "\(Escape.markdown($0.name)) \(Format.duration($0.criticalPathSeconds)) of \(Format.duration($0.serialSeconds)) (bound \(Format.fixed($0.parallelismBound, 2)))" }.joined(separator: "; ")
                      + ".")
            let profiled = r.workloads.flatMap { w in (w.profiles ?? []).map { (w, $0) } }
            if !profiled.isEmpty {
                md.append("")
                md.append("### Where the time goes")
                md.append("")
                md.append("Worker time summed per phase (the executor's checked run), and the locations that most often failed a "
                          + "validation or blocked a read.")
                md.append("")
                md.append("| workload | executor | threads | execution | re-execution | validation | commit | roots |")
                md.append("|---|---|---:|---:|---:|---:|---:|---:|")
                for (w, p) in profiled {
                    let total = p.total
                    let cells = ["execution", "re-execution", "validation", "commit", "roots"].map { name -> String in
                        let s = p.phases.first { $0.phase == name }?.seconds ?? 0
                        return "\(Format.duration(s)) (\(total > 0 ? Format.percent(s / total) : "-"))"
                    }
                    md.append("| \(Escape.markdown(w.name)) | \(Escape.markdown(p.executor)) | \(p.threads) | " + cells.joined(separator: " | ") + " |")
                }
                let contended = profiled.flatMap { w, p in p.contended.map { (w, p, $0) } }
                if !contended.isEmpty {
                    md.append("")
                    md.append("| workload | executor | threads | location | failed validations | blocked reads |")
                    md.append("|---|---|---:|---|---:|---:|")
                    for (w, p, c) in contended {
                        md.append("| \(Escape.markdown(w.name)) | \(Escape.markdown(p.executor)) | \(p.threads) | `\(c.location)` | \(c.failedValidations) | \(c.blockedReads) |")
                    }
                }
            }
            if let history = r.history, history.count > 1 {
                md.append("")
                md.append("### History")
                md.append("")
                md.append("\(history.count) runs under the report root, from \(Escape.markdown(history.first?.runID ?? "")) to \(Escape.markdown(history.last?.runID ?? "")) (this run); the HTML page charts their speedups.")
            }
        }
        md.append("")
        return md.joined(separator: "\n")
    }

    static func failure(_ c: CaseResult, number: Int) -> [String] {
        var md: [String] = []
        let executor = c.executor == "serial" ? "serial" : "\(c.executor) x\(c.threads)"
        md.append("#### \(number). \(Escape.markdown(c.name))")
        md.append("")
        md.append("\(c.status.rawValue) · suite \(Escape.markdown(c.suite)) · \(Escape.markdown(executor)) · fork \(Escape.markdown(c.fork.isEmpty ? "-" : c.fork))")
        md.append("")
        if let message = c.message { md.append("> \(Escape.markdown(message))"); md.append("") }
        let rows = ReportFacts.outcomeRows(expected: c.expected, actual: c.actual)
        if !rows.isEmpty {
            md.append("| | \(c.divergence != nil ? "serial" : "expected") | actual |")
            md.append("|---|---|---|")
            for row in rows {
                md.append("| \(row.label) | \(Escape.markdown(row.expected)) | \(Escape.markdown(row.actual)) |")
            }
            md.append("")
        }
        let receiptRows = ReportFacts.receiptRows(expected: c.expected, actual: c.actual)
        if !receiptRows.rows.isEmpty {
            md.append("Receipts that differ\(receiptRows.truncated ? " (first \(receiptRows.rows.count))" : ""):")
            md.append("")
            md.append("| tx | \(c.divergence != nil ? "serial" : "expected") | actual |")
            md.append("|---:|---|---|")
            for row in receiptRows.rows {
                md.append("| \(row.index) | \(Escape.markdown(row.expected)) | \(Escape.markdown(row.actual)) |")
            }
            md.append("")
        }
        if let d = c.divergence {
            if !d.fields.isEmpty {
                md.append("Differs from \(Escape.markdown(d.reference)) in: \(Escape.markdown(d.fields.joined(separator: ", "))).")
                md.append("")
            }
            if let tx = d.firstTransaction {
                md.append("First divergent transaction: **\(tx)**: \(Escape.markdown(d.transactionDetail ?? ""))")
            } else {
                md.append("Every receipt agrees with \(Escape.markdown(d.reference)); only the post-state differs.")
            }
            md.append("")
            if !d.stateDiff.isEmpty {
                md.append("State diff (\(d.stateDiff.count) entries\(d.stateDiffOmitted > 0 ? ", \(d.stateDiffOmitted) more not listed" : "")):")
                md.append("")
                md.append("| address | field | \(Escape.markdown(d.reference)) | actual |")
                md.append("|---|---|---|---|")
                for s in d.stateDiff {
                    md.append("| \(Escape.markdown(s.address)) | \(Escape.markdown(s.field)) | \(Escape.markdown(s.expected)) | \(Escape.markdown(s.actual)) |")
                }
                md.append("")
            }
            if let t = d.traceDiff {
                md.append("Trace diff (EIP-3155):")
                md.append("")
                md.append(Escape.markdownCodeBlock(t.render(), language: "text"))
                md.append("")
                if let command = t.command {
                    md.append("Reproduce the traces:")
                    md.append("")
                    md.append(Escape.markdownCodeBlock(command, language: "sh"))
                    md.append("")
                }
            }
        }
        if let command = c.reproduce {
            md.append("Reproduce:")
            md.append("")
            md.append(Escape.markdownCodeBlock(command, language: "sh"))
            md.append("")
        }
        return md
    }
}

/// Facts every writer shows alike, computed once from the model.
enum ReportFacts {
    /// Key-value lines of the report header.
    static func header(_ r: RunReport) -> [(String, String)] {
        let e = r.environment
        var out: [(String, String)] = [
            ("date", e.date),
            ("commit", e.commit),
            ("machine", e.machine),
            ("build", e.build),
            ("seed", String(e.seed)),
            ("threads", e.threads.map(String.init).joined(separator: ", ")),
            ("executors", e.executors.joined(separator: ", ")),
            ("repetitions", "\(e.repetitions) timed rounds after a warm-up (medians)" + MarkdownWriter.moreRounds(e)),
        ]
        if let allocator = e.allocator { out.append(("allocator", allocator)) }
        if let latency = e.crossCoreRoundTrip { out.append(("cross-core round trip", latency.description)) }
        if let shards = e.shards { out.append(("shards", shards.map(\.description).joined(separator: ", "))) }
        out.append(("command", e.command))
        return out
    }

    /// Skip reasons with their counts, most frequent first (ties by reason).
    static func skipReasons(_ r: RunReport) -> [(String, Int)] {
        var counts: [String: Int] = [:]
        for c in r.cases where c.status == .skip { counts[c.message ?? "no reason given", default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }

    /// One row of the expected/actual table.
    struct OutcomeRow { var label: String; var expected: String; var actual: String }

    /// Roots and gas, one row per field that either side states.
    static func outcomeRows(expected: OutcomeSummary?, actual: OutcomeSummary?) -> [OutcomeRow] {
        var rows: [OutcomeRow] = []
        func add(_ label: String, _ e: String?, _ a: String?) {
            if e != nil || a != nil { rows.append(OutcomeRow(label: label, expected: e ?? "-", actual: a ?? "-")) }
        }
        add("state root", expected?.stateRoot, actual?.stateRoot)
        add("receipts root", expected?.receiptsRoot, actual?.receiptsRoot)
        add("logs hash", expected?.logsHash, actual?.logsHash)
        add("gas used", expected?.gasUsed.map(String.init), actual?.gasUsed.map(String.init))
        if expected?.rejected != nil || actual?.rejected != nil {
            func list(_ r: [RejectedSummary]?) -> String? {
                r.map { $0.isEmpty ? "none" : $0.map { String($0.index) }.joined(separator: ", ") }
            }
            add("rejected", list(expected?.rejected), list(actual?.rejected))
        }
        return rows
    }

    /// One receipt row: the transaction index and each side's receipt in words.
    struct ReceiptRow { var index: Int; var expected: String; var actual: String }

    /// Receipts that differ between the two sides, at most `limit`.
    static func receiptRows(expected: OutcomeSummary?, actual: OutcomeSummary?, limit: Int = 20) -> (rows: [ReceiptRow], truncated: Bool) {
        guard let e = expected?.receipts, let a = actual?.receipts else { return ([], false) }
        let left = Dictionary(e.map { ($0.index, $0) }, uniquingKeysWith: { x, _ in x })
        let right = Dictionary(a.map { ($0.index, $0) }, uniquingKeysWith: { x, _ in x })
        var rows: [ReceiptRow] = []
        for i in Set(left.keys).union(right.keys).sorted() where left[i] != right[i] {
            if rows.count == limit { return (rows, true) }
            rows.append(ReceiptRow(index: i, expected: left[i].map(describe) ?? "not included",
                                   actual: right[i].map(describe) ?? "not included"))
        }
        return (rows, false)
    }

    static func describe(_ r: ReceiptSummary) -> String {
        "status \(r.success ? 1 : 0), gas \(r.gasUsed), cumulative \(r.cumulativeGasUsed), \(r.logs) log\(r.logs == 1 ? "" : "s")"
    }
}
