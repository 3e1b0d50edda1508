import ArgumentParser
import Foundation
import Execution
import Harness
import VectorIO
import Vectors

/// `lockstep blocks`: runs block vectors (t8n convention) through the serial executor and Block-STM, checks every
/// executor against serial and against the vector's expected values, and reports timings and dependency bounds.
struct BlocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocks",
        abstract: "Run block vectors (alloc/env/txs[/expected]) serially and in parallel and compare the results.",
        discussion: """
            A vector is a directory with alloc.json, env.json, txs.json and optional expected.json and metadata.json \
            (each may be .json.zst), or one JSON file with the same keys. Every executor must equal the serial run \
            bit for bit and match the fields expected.json states. Prints one line per (case, executor, threads) and \
            a summary line `N passed, M failed` last. Exit status: 0 when everything passed, 1 when a check failed or \
            no vector was run (see --allow-empty), 2 for usage errors and for vectors that could not be read or \
            loaded, and when stdout cannot be written.
            """)

    @Flag(help: "Print one JSON object per (case, executor, threads) on stdout (see BlockRunResult).")
    var json = false

    @Flag(help: "Show where each parallel run's time went (execution, re-execution, validation, commit, roots: worker time per phase) and its ten most contended locations (failed validations and blocked reads); with --json, as metrics.profile.")
    var profile = false

    @Option(name: .customLong("executor"), parsing: .singleValue,
            help: "Executors to report, repeatable or comma-separated: serial, blockstm, bal, partition-bound (blocks without dependencies only), all (every one of those; the default), or t8n:COMMAND for an external t8n tool. Serial always runs as the reference.")
    var executorOptions: [String] = []

    @Option(help: "Comma-separated thread counts for the parallel executors (default: one per processor).")
    var threads: String?

    @Option(name: .customLong("repeat"), help: "Timed rounds after a warm-up run, each running serial and every executor under test once, in reverse order every other round; the median time and the median of the rounds' speedups are reported (0: no timing).")
    var repeats: Int = 0

    @Option(name: .customLong("min-time"), help: "Milliseconds: blocks faster than this get more timed rounds than --repeat, as many as take about this long per executor, at most \(BlockRunner.maximumRoundsFactor) times --repeat (0: exactly --repeat).")
    var minimumTimedMilliseconds: Double = RunPlan.defaultMinimumTimedMilliseconds

    @Option(help: "Re-run each parallel execution N times with seeded perturbation; any divergence fails.")
    var stress: Int = 0

    @Option(help: "Base seed of the stress runs (run k uses seed + k; default: random, printed).")
    var seed: UInt64?

    @Option(help: "Block-STM and BAL policy: adaptive (the default: serial where they cannot win; Block-STM decides before and while running, BAL from the block before running and still checks its list) or parallel (always run the algorithm to the end; for tests and stress).")
    var policy: BlockSTMExecutor.ParallelPolicy = .adaptive

    @Option(help: "The BAL executor's block access lists: derive (from a serial run; the default), or a JSON file, or a directory of <vector>.json files as --bal-out writes them.")
    var bal: String = "derive"

    @Option(name: .customLong("bal-out"), help: "Write every block's access list (EIP-7928 layout, JSON) to DIR/<vector>.json.")
    var balOut: String?

    @Option(name: .customLong("executor-timeout"),
            help: "Seconds one run of an external t8n: executor may take per block before it is killed and the block fails (default 600).")
    var executorTimeout: Double = 600

    @Argument(help: "Block vector directories or files, or directories searched recursively for them.")
    var paths: [String] = []

    @Option(help: "Write each included transaction's EIP-3155 trace under each executor to DIR/<vector>/<executor>/trace-<txindex>-<txhash>.jsonl (Block-STM: its final incarnation, always-parallel; a t8n tool: its --trace files). Runs after the checks, at the first --threads count.")
    var trace: String?

    @OptionGroup var input: InputOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one block vector file or directory.") }
        if repeats < 0 { throw ValidationError("--repeat must be at least 0, got \(repeats).") }
        if !(minimumTimedMilliseconds >= 0 && minimumTimedMilliseconds <= 60_000) {
            throw ValidationError("--min-time must be 0 to 60000 milliseconds, got \(minimumTimedMilliseconds).")
        }
        if stress < 0 { throw ValidationError("--stress must be at least 0, got \(stress).") }
        if !(executorTimeout > 0 && executorTimeout <= 86_400 * 365) {
            throw ValidationError("--executor-timeout must be a number of seconds above 0, got \(executorTimeout).")
        }
        _ = try BlocksCommand.threadList(threads)
        _ = try executors()
    }

    /// `--executor`, parsed (default: every built-in executor).
    func executors() throws -> [ExecutorSpec] {
        do { return executorOptions.isEmpty ? try ExecutorSpec.parse(["all"]) : try ExecutorSpec.parse(executorOptions) } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--threads 1,2,4` -> [1, 2, 4]; each in 1...64.
    static func threadList(_ text: String?) throws -> [Int] {
        guard let text else { return [ProcessInfo.processInfo.activeProcessorCount] }
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let n = Int(trimmed), (1...64).contains(n) else {
                throw ValidationError("--threads: expected comma-separated numbers from 1 to 64, got \"\(trimmed)\" in \"\(text)\".")
            }
            out.append(n)
        }
        return out
    }

    func run() throws {
        try input.apply()
        let sources: [VectorSource]
        do { sources = try BlockVectorIO.collect(paths: paths) } catch { throw ValidationError("\(error)") }
        let baseSeed = seed ?? UInt64.random(in: 0...UInt64.max)
        if stress > 0 {
            // Printed before any result, so that a failure can be replayed with --seed.
            let line = "stress: \(stress) runs per parallel execution, base seed \(baseSeed)\n"
            Output.err(line)
        }
        let chosen = try executors()
        var builtIn: [BlockRunner.Executor] = []
        var tools: [ExternalT8nExecutor] = []
        for e in chosen {
            switch e {
            case .builtIn(let b): builtIn.append(b)
            case .external(var tool):
                tool.timeout = .milliseconds(Int64((executorTimeout * 1000).rounded()))
                tools.append(tool)
            }
        }
        let threadCounts = try BlocksCommand.threadList(threads)
        var runner = BlockRunner(
            executors: builtIn, threads: threadCounts, repeats: repeats, stressRuns: stress,
            seed: baseSeed, policy: policy)
        runner.balSource = bal == "derive" ? .derive : .file(bal)
        runner.minimumTimedNanoseconds = UInt64(minimumTimedMilliseconds * 1e6)
        runner.balOutput = balOut
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = self.json, profile = self.profile
        let emit: (BlockRunResult) -> Void = { r in
            var r = r
            if !profile { r.metrics?.profile = nil }
            var line: String
            if json {
                line = (try? encoder.encode(r)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"name\":\(BlockJSON.quote(r.name)),\"pass\":false}"
            } else {
                line = BlocksCommand.humanLine(r)
                if let p = r.metrics?.profile { line += BlocksCommand.profileLines(p) }
            }
            line += "\n"
            Output.out(line)
        }
        // Timed runs: the cross-core round trip before and after them, on stderr (it moves every parallel ratio;
        // `CrossCoreLatency`).
        let timesParallel = repeats > 0 && threadCounts.contains { $0 > 1 }
        let before = timesParallel ? CrossCoreLatency.measure() : nil
        if let before { Output.err("blocks: cross-core round trip before the timed runs \(before.description)\n") }
        var results: [BlockRunResult] = []
        if !builtIn.isEmpty || tools.isEmpty || balOut != nil { results = runner.run(sources: sources, each: emit) }
        if timesParallel, let after = CrossCoreLatency.measure() {
            Output.err("blocks: cross-core round trip after the timed runs \(after.description)"
                       + (before.map { CrossCoreLatency.changeNote($0, after, during: "timed runs") } ?? "") + "\n")
        }
        for tool in tools { results += tool.check(sources: sources, each: emit) }
        if let trace {
            let traceThreads = threadCounts.first ?? 2
            try BlocksCommand.writeTraces(sources: sources, executors: chosen.filter { $0 != .builtIn(.bound) },
                                          threads: traceThreads, to: trace)
        }
        let summary = BlockRunSummary(results)
        Output.out((summary.description + "\n"))
        // A vector that could not be loaded has one row and no executor.
        let unloadable = results.filter { $0.executor.isEmpty }.count
        if unloadable > 0 {
            Output.err("error: \(unloadable) block vector\(unloadable == 1 ? "" : "s") could not be read or loaded (listed above)\n")
            throw ExitCode(2)
        }
        if summary.failed > 0 { throw ExitCode(1) }
        if results.isEmpty && !input.allowEmpty {
            Output.err("error: " + EmptyRun.message("no block vector under \(paths.map(Echo.path).joined(separator: ", "))") + "\n")
            throw ExitCode(1)
        }
    }

    /// `PASS name [blockstm x4] 1.234 ms, 1.8x serial (ideal 2.0), conflicts 12%` or `FAIL name [...]: error`.
    /// `--profile`: the phase split and the contended locations, indented under the row.
    static func profileLines(_ p: BlockProfile) -> String {
        let phases: [(String, UInt64)] = [("execution", p.executionNanoseconds), ("re-execution", p.reExecutionNanoseconds),
                                          ("validation", p.validationNanoseconds), ("commit", p.commitNanoseconds),
                                          ("roots", p.rootsNanoseconds)]
        let total = phases.reduce(UInt64(0)) { $0 + $1.1 }
        var s = "\n    time: " + phases.map { name, ns in
            name + String(format: " %.3f ms (%.0f%%)", Double(ns) / 1e6, total > 0 ? Double(ns) / Double(total) * 100 : 0)
        }.joined(separator: ", ")
        for c in p.contended {
            s += "\n    contended: \(c.location): \(c.failedValidations) failed validations, \(c.blockedReads) blocked reads"
        }
        return s
    }

    static func humanLine(_ r: BlockRunResult) -> String {
        guard !r.executor.isEmpty else { return "FAIL \(r.name): \(r.error ?? "failed")" }
        var s = "\(r.pass ? "PASS" : "FAIL") \(r.name) [\(r.executor)\(r.executor == "serial" ? "" : " x\(r.threads)")]"
        if let t = r.timing {
            s += String(format: " %.3f ms", Double(t.medianNanoseconds) / 1e6)
            if let speedup = t.speedup, r.executor != "serial" { s += String(format: ", %.2fx serial", speedup) }
        }
        if let b = r.block {
            s += " (\(b.transactions) txs, \(b.gas) gas, conflicts \(Int((b.conflictRate * 100).rounded()))%"
            if r.executor != "serial" { s += String(format: ", ideal %.2fx", b.idealSpeedupTime) }
            s += ")"
        }
        if let m = r.metrics, r.executor != "serial" {
            s += " re-executions \(m.reExecutions), failed validations \(m.failedValidations)"
            if m.ranSerially { s += ", ran serially" + (m.serialReason.map { " (\($0.rawValue))" } ?? "") }
            if let k = m.probedTransactions, !m.ranSerially { s += ", \(k) probed serially" }
        }
        if let e = r.error { s += ": \(e)" }
        if let d = r.divergence {
            if let detail = d.transactionDetail { s += "\n    transaction \(d.firstTransaction ?? 0): \(detail)" }
            for x in d.stateDiff.prefix(10) {
                s += "\n    \(x.address) \(x.field)\(x.slot.map { "[\($0)]" } ?? ""): serial \(x.serial), \(r.executor) \(x.actual)"
            }
            let more = max(0, d.stateDiff.count - 10) + d.stateDiffOmitted
            if more > 0 { s += "\n    ... \(more) more differences" }
            if let t = d.traceDiff { s += "\n" + TraceDiffText.indented(t, by: "    ") }
        }
        return s
    }

    /// `--trace DIR`: every vector's traces under every executor, as `DIR/<vector>/<executor>/trace-<i>-<hash>.jsonl`.
    static func writeTraces(sources: [VectorSource], executors: [ExecutorSpec], threads: Int, to dir: String) throws {
        for source in sources {
            guard case .success(let vector) = BlockVectorIO.load(source) else { continue }  // reported by the run
            for executor in executors {
                let target = dir + "/" + BlockRunner.fileName(vector.name) + "/" + BlockRunner.fileName(executor.name)
                switch Traces.traces(vector, executor: executor, threads: threads) {
                case .success(let traces):
                    do { try Traces.write(traces, to: target) } catch { throw ValidationError("--trace: \(error)") }
                case .failure(let error):
                    Output.err("trace: \(vector.name) [\(executor.name)]: \(error)\n")
                }
            }
        }
    }
}
