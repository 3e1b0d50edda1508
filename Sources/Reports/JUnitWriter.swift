/// Renders a `RunReport` as JUnit XML (`junit.xml`): one `testsuite` per (suite, executor), one `testcase` per case,
/// with `failure`, `error` or `skipped`; plus a `gate` suite whose cases are the gate's failing findings, so that a
/// performance regression shows in a CI test view too.
public enum JUnitWriter {
    public static func render(_ r: RunReport) -> String {
        var x: [String] = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        let all = r.totals
        let gateFailures = r.gate?.findings.filter(\.fails) ?? []
        let gateCases = r.gate == nil ? 0 : max(1, gateFailures.count)
        x.append("<testsuites name=\"\(Escape.xml("lockstep \(r.runID)", attribute: true))\" tests=\"\(all.total + gateCases)\" failures=\"\(all.fail + gateFailures.count)\" errors=\"\(all.error)\" skipped=\"\(all.skip)\">")
        var groups: [(SuiteTally, [CaseResult])] = []
        var index: [String: Int] = [:]
        for c in r.cases {
            let key = c.suite + "\u{0}" + c.executor
            if let i = index[key] {
                groups[i].0.add(c.status); groups[i].1.append(c)
            } else {
                var t = SuiteTally(suite: c.suite, executor: c.executor)
                t.add(c.status)
                index[key] = groups.count
                groups.append((t, [c]))
            }
        }
        for (tally, cases) in groups {
            let name = "\(tally.suite) / \(tally.executor)"
            x.append("  <testsuite name=\"\(Escape.xml(name, attribute: true))\" tests=\"\(tally.total)\" failures=\"\(tally.fail)\" errors=\"\(tally.error)\" skipped=\"\(tally.skip)\">")
            for c in cases { x.append(testcase(c)) }
            x.append("  </testsuite>")
        }
        if let gate = r.gate {
            x.append("  <testsuite name=\"gate\" tests=\"\(gateCases)\" failures=\"\(gateFailures.count)\" errors=\"0\" skipped=\"0\">")
            if gateFailures.isEmpty {
                x.append("    <testcase classname=\"gate\" name=\"gate\"/>")
            }
            for f in gateFailures {
                x.append("    <testcase classname=\"gate.\(f.kind.rawValue)\" name=\"\(Escape.xml(f.subject, attribute: true))\">")
                x.append("      <failure message=\"\(Escape.xml(f.detail, attribute: true))\" type=\"\(f.kind.rawValue)\">\(Escape.xml(f.line))</failure>")
                x.append("    </testcase>")
            }
            let notes = gate.findings.filter { !$0.fails }.map(\.line)
            if !notes.isEmpty {
                x.append("    <system-out>\(Escape.xml(notes.joined(separator: "\n")))</system-out>")
            }
            x.append("  </testsuite>")
        }
        x.append("</testsuites>")
        return x.joined(separator: "\n") + "\n"
    }

    static func testcase(_ c: CaseResult) -> String {
        let name = c.executor == "serial" ? c.name : "\(c.name) x\(c.threads)"
        let open = "    <testcase classname=\"\(Escape.xml("\(c.suite).\(c.executor)", attribute: true))\" name=\"\(Escape.xml(name, attribute: true))\""
        switch c.status {
        case .pass:
            return open + "/>"
        case .skip:
            return open + ">\n      <skipped message=\"\(Escape.xml(c.message ?? "", attribute: true))\"/>\n    </testcase>"
        case .fail, .error:
            let tag = c.status == .fail ? "failure" : "error"
            let message = c.message ?? c.status.rawValue
            return open + ">\n      <\(tag) message=\"\(Escape.xml(message, attribute: true))\" type=\"\(c.status == .fail ? "mismatch" : "error")\">"
                + Escape.xml(details(c)) + "</\(tag)>\n    </testcase>"
        }
    }

    /// The failure's body: expected and actual values, divergence and the reproducing command, as plain text.
    static func details(_ c: CaseResult) -> String {
        var lines: [String] = [c.message ?? c.status.rawValue]
        let reference = c.divergence != nil ? "serial" : "expected"
        for row in ReportFacts.outcomeRows(expected: c.expected, actual: c.actual) {
            lines.append("\(row.label): \(reference) \(row.expected), actual \(row.actual)")
        }
        for row in ReportFacts.receiptRows(expected: c.expected, actual: c.actual).rows {
            lines.append("tx \(row.index): \(reference) \(row.expected); actual \(row.actual)")
        }
        if let d = c.divergence {
            if !d.fields.isEmpty { lines.append("differs from \(d.reference) in: \(d.fields.joined(separator: ", "))") }
            if let tx = d.firstTransaction { lines.append("first divergent transaction \(tx): \(d.transactionDetail ?? "")") }
            for s in d.stateDiff { lines.append("state \(s.address) \(s.field): \(d.reference) \(s.expected), actual \(s.actual)") }
            if d.stateDiffOmitted > 0 { lines.append("(\(d.stateDiffOmitted) more state differences not listed)") }
            if let t = d.traceDiff {
                lines.append(t.render())
                if let command = t.command { lines.append("reproduce the traces: \(command)") }
            }
        }
        if let command = c.reproduce { lines.append("reproduce: \(command)") }
        return lines.joined(separator: "\n")
    }
}
