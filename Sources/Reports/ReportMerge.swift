/// Merges the reports of shards of one run into the report the unsharded run would have made (timings aside).
public enum ReportMerge {
    /// Cases and workloads of every input, sorted; the environment of the first with every shard listed. The inputs
    /// must share schema version, seed, commit, threads and executors (else they are not shards of one run), and no
    /// case or workload may appear twice (overlapping shards). `notes` says what looks incomplete (a missing shard).
    public static func merge(_ reports: [RunReport], runID: String, command: String, date: String)
        throws(MergeError) -> (report: RunReport, notes: [String]) {
        guard let first = reports.first else { throw MergeError(reason: "no reports to merge") }
        let e = first.environment
        for (i, r) in reports.enumerated().dropFirst() {
            let o = r.environment
            func differ(_ what: String, _ a: String, _ b: String) -> MergeError {
                MergeError(reason: "report \(i + 1) (\(r.runID)) has \(what) \(b), report 1 (\(first.runID)) \(a): not shards of one run")
            }
            if r.schemaVersion != first.schemaVersion {
                throw differ("schema version", String(first.schemaVersion), String(r.schemaVersion))
            }
            if o.seed != e.seed { throw differ("seed", String(e.seed), String(o.seed)) }
            if o.commit != e.commit { throw differ("commit", e.commit, o.commit) }
            if o.threads != e.threads { throw differ("threads", "\(e.threads)", "\(o.threads)") }
            if o.executors != e.executors { throw differ("executors", "\(e.executors)", "\(o.executors)") }
        }
        var cases: [CaseResult] = []
        var workloads: [WorkloadPerformance] = []
        var seenCases = Set<String>()
        var seenWorkloads = Set<String>()
        var shards = Set<Shard>()
        var notes: [String] = []
        for r in reports {
            for c in r.cases {
                guard seenCases.insert(c.id).inserted else {
                    throw MergeError(reason: "case \(c.id) appears in more than one report (overlapping shards, or a report given twice)")
                }
                cases.append(c)
            }
            for w in r.workloads {
                guard seenWorkloads.insert(w.id).inserted else {
                    throw MergeError(reason: "workload \(w.id) appears in more than one report")
                }
                workloads.append(w)
            }
            if let s = r.environment.shards { shards.formUnion(s) } else { notes.append("\(r.runID) was not sharded") }
        }
        let counts = Set(shards.map(\.count))
        if counts.count > 1 { notes.append("shards of different counts: \(counts.sorted())") }
        if let n = counts.first, counts.count == 1 {
            let missing = (0..<n).filter { k in !shards.contains { $0.index == k } }
            if !missing.isEmpty { notes.append("missing shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(n)" }.joined(separator: ", ")): the merged report is incomplete") }
        }
        let machines = Set(reports.map(\.environment.cpuModel))
        var env = e
        env.command = command
        env.date = date
        env.shards = shards.isEmpty ? nil : shards.sorted { ($0.count, $0.index) < ($1.count, $1.index) }
        if machines.count > 1 { env.cpuModel = machines.sorted().joined(separator: " | ") }
        env.cores = reports.map(\.environment.cores).min() ?? e.cores
        if Set(reports.map(\.environment.build)).count > 1 { env.build = "mixed" }
        // Each shard measured its own machine at its own time: no one figure stands for the merge.
        if reports.count > 1 { env.crossCoreRoundTrip = nil }
        var merged = RunReport(runID: runID, environment: env, cases: cases, workloads: workloads)
        merged.sort()
        return (merged, notes)
    }
}

/// Reports that cannot be merged, and why.
public struct MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
