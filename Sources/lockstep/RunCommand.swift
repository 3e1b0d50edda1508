import ArgumentParser
import Foundation
import Execution
import Harness
import Reports
import Vectors
import Workloads

/// `lockstep run`: the default suite, or the given vectors, through every executor; writes a report and gates on it.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a suite through the serial and parallel executors, write a report, and gate on it.",
        discussion: """
            With no paths and no --suite, runs the default suite: the vectors in the project's Vectors/ (state tests \
            and block vectors) and a default set of generated blocks. Writes DIR/<run-id>/ (results.json, report.md, index.html, junit.xml) \
            and points DIR/latest at it. Prints results on stdout (failures, counts, speedups, the gate's decision); \
            on a terminal, a progress line on stderr.
            Exit status: 0 when everything passed and nothing regressed, 1 when a case failed, the gate found a \
            regression or no case was executed (see --allow-empty), 2 for usage errors, for inputs that could not be \
            read or loaded (cases in ERROR), and when the report or stdout cannot be written.
            """)

    @Argument(help: "State-test files, block vectors (t8n directories or single files), or directories searched recursively for them (.json and .json.zst).")
    var paths: [String] = []

    @Option(help: "A suite file (JSON: paths, generated, transactions, threads, executors, seed, repetitions, filter).")
    var suite: String?

    @Option(name: .customLong("executor"), parsing: .singleValue,
            help: "Executors, repeatable or comma-separated: serial, blockstm, bal, partition-bound (blocks without dependencies only), all; blockstm-forced is blockstm under --policy parallel. Default: all.")
    var executorOptions: [String] = []

    @Option(help: "Block-STM policy: adaptive (the default: serial where Block-STM cannot win, decided before and while running; rows named blockstm) or parallel (always run to the end; rows named blockstm-forced).")
    var policy: BlockSTMExecutor.ParallelPolicy = .adaptive

    @Option(help: "Thread counts for the parallel executors, comma-separated (default: powers of two from 2 below the core count, and the core count).")
    var threads: String?

    @Option(help: "A baseline run (results.json, a report directory, or a root holding latest/) to gate against.")
    var baseline: String?

    @OptionGroup var gateOptions: GateOptions

    @Option(help: "Run only shard K of N (K counted from 0): units are split by a stable hash of their names.")
    var shard: String?

    @Option(name: .shortAndLong, help: "Directory that receives <run-id>/ and the latest link.")
    var output: String = "Reports"

    @Option(help: "Seed of the generated blocks.")
    var seed: UInt64?

    @Option(help: "Run only cases and workloads whose name matches this regular expression.")
    var filter: String?

    @Option(help: "Extra runs of each parallel execution under seeded scheduling perturbation (stress), per thread count.")
    var stress: Int = 0

    @Option(name: .customLong("repeat"), help: "Timed rounds after a warm-up run; each round runs serial and every executor and thread count once, in reverse order every other round (medians, the median of the rounds' speedups and bootstrap intervals are reported). Default: \(RunPlan.defaultRepetitions).")
    var repetitions: Int?

    @Option(name: .customLong("min-time"), help: "Milliseconds: workloads faster than this get more timed rounds than --repeat, as many as take about this long per executor, at most \(RunEnvironment.maximumRoundsFactor) times --repeat (0: exactly --repeat).")
    var minimumTimedMilliseconds: Double = RunPlan.defaultMinimumTimedMilliseconds

    @Option(help: "Transactions per generated block.")
    var txs: Int?

    @Flag(name: .customLong("generated"), inversion: .prefixedNo,
          help: "Add the default generated blocks (default: only when no paths are given).")
    var generated: Bool?

    @Option(name: .customLong("skip-list"), help: "State-test skip list (default: \(SkipList.defaultRelativePath)).")
    var skipList: String?

    @OptionGroup var input: InputOptions

    func validate() throws {
        if let repetitions, repetitions < 1 { throw ValidationError("--repeat must be at least 1, got \(repetitions).") }
        if !(minimumTimedMilliseconds >= 0 && minimumTimedMilliseconds <= 60_000) {
            throw ValidationError("--min-time must be 0 to 60000 milliseconds, got \(minimumTimedMilliseconds).")
        }
        if let txs, txs < 1 { throw ValidationError("--txs must be at least 1, got \(txs).") }
        if stress < 0 { throw ValidationError("--stress must be at least 0, got \(stress).") }
        try gateOptions.validate()
        if let threads { _ = try Self.parseThreads(threads) }
        if let shard { _ = try Self.parseShard(shard) }
        _ = try Self.parseExecutors(executorOptions, policy: policy)
    }

    func run() throws {
        try input.apply()
        let spec: SuiteSpec
        if let suite {
            do { spec = try SuiteSpec.load(suite) } catch { throw ValidationError("--suite \(error)") }
        } else {
            spec = SuiteSpec()
        }
        let root = PackageRoot.find()
        let explicitPaths = !paths.isEmpty ? paths : (spec.paths ?? [])
        let usingDefault = explicitPaths.isEmpty
        let vectorPaths = usingDefault ? PackageRoot.defaultVectorPaths(root: root) : explicitPaths
        let includeGenerated = generated ?? spec.generated ?? usingDefault
        let seed = self.seed ?? spec.seed ?? RunPlan.defaultSeed
        let txs = self.txs ?? spec.transactions ?? SuiteSpec.defaultTransactions
        let threadList = try threads.map(Self.parseThreads) ?? spec.threads ?? RunPlan.defaultThreads()
        let executorNames = executorOptions.isEmpty ? (spec.executors ?? []) : executorOptions
        let executors = try Self.parseExecutors(executorNames, policy: policy)
        let repetitions = self.repetitions ?? spec.repetitions ?? RunPlan.defaultRepetitions
        let shard = try shard.map(Self.parseShard)
        var pattern: NamePattern?
        if let text = filter ?? spec.filter {
            do { pattern = try NamePattern(text) } catch { throw ValidationError("--filter \(error)") }
        }

        // Read the baseline first: a bad path should not cost a whole run.
        let baselineReport = try baseline.map { path -> RunReport in
            do { return try ReportStore.load(path) } catch { throw ValidationError("--baseline \(error)") }
        }
        let classified: (stateTests: [VectorSource], blocks: [VectorSource])
        do { classified = try VectorClassifier.classify(vectorPaths) } catch { throw ValidationError("\(error)") }
        var workloads = classified.blocks.map(WorkloadSource.file)
        // The default suite runs the shared mainnet blocks too, when ../shared is there.
        if usingDefault, let mainnet = SuiteSpec.sharedMainnetDirectory(packageRoot: root) {
            do { workloads += try BlockVectorIO.collect(paths: [mainnet]).map(WorkloadSource.mainnet) } catch {
                throw ValidationError("\(error)")
            }
        }
        if includeGenerated {
            do {
                workloads += try GeneratedWorkloads.blocks(transactions: txs, seed: seed).map(WorkloadSource.generated)
            } catch {
                throw ValidationError("generating the default blocks: \(error)")
            }
        }
        // The command that reruns one generated case: same seed and size, that executor and thread count only.
        let extra = (seed != RunPlan.defaultSeed ? " --seed \(seed)" : "") + (txs != SuiteSpec.defaultTransactions ? " --txs \(txs)" : "")
        var plan = RunPlan(
            stateTestSources: classified.stateTests, workloads: workloads, executors: executors, threads: threadList,
            repetitions: repetitions, seed: seed, stressRuns: stress, filter: pattern,
            skipList: try loadSkipList(root: root), shard: shard,
            reproduceWorkload: { w, executor, threads in
                Reproduce.workload(w, executor: executor, threads: threads) + (w.suite == GeneratedWorkloads.suite ? extra : "")
            })

        plan.minimumTimedMilliseconds = minimumTimedMilliseconds
        if let root {
            let path = (root as NSString).appendingPathComponent(SuiteSpec.mainnetSkipListRelativePath)
            if FileManager.default.fileExists(atPath: path) {
                do { plan.mainnetSkipList = try SkipList(contentsOf: path) } catch { throw ValidationError("\(error)") }
            }
        }
        let now = Date()
        var environment = RunEnvironment.current(
            seed: seed, command: Self.commandLine(), threads: threadList, executors: plan.executors.map(\.rawValue),
            repetitions: repetitions, shards: shard.map { [$0] }, date: now)
        environment.minimumTimedSeconds = minimumTimedMilliseconds / 1000
        // Measured before and after the timed runs, which it moves (`CrossCoreLatency`).
        let latency = repetitions > 0 && threadList.contains { $0 > 1 } ? CrossCoreLatency.measure() : nil
        environment.crossCoreRoundTrip = latency.map {
            RunEnvironment.CrossCoreRoundTrip(processors: [$0.first, $0.second], startNanoseconds: $0.nanoseconds)
        }
        let progress = ProgressLine.ifTerminal()
        var onProgress: (@Sendable (RunProgress) -> Void)?
        if let progress { onProgress = { progress.update($0) } }
        var report = SuiteRunner.run(plan, environment: environment, runID: RunEnvironment.runID(date: now, shard: shard),
                                     progress: onProgress)
        progress?.finish()
        if latency != nil, let end = CrossCoreLatency.measure() { report.environment.crossCoreRoundTrip?.endNanoseconds = end.nanoseconds }

        report.gate = Gate.evaluate(report, baseline: baselineReport, baselineName: baseline,
                                    settings: try gateOptions.settings(for: report))
        if !input.allowEmpty { EmptyRun.gate(&report) }
        report.history = ReportStore.history(root: output, current: report)
        let directory: String
        do { directory = try ReportStore.writeRun(report, root: output) } catch {
            Output.err("Error: \(error)\n")
            throw ExitCode(2)
        }
        ConsoleSummary.print(report, directory: directory)
        try EmptyRun.exitForErrors(report)
        if report.gate?.passed != true { throw ExitCode(1) }
    }

    // MARK: - Parsing

    static func parseThreads(_ text: String) throws -> [Int] {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let n = Int(part.trimmingCharacters(in: .whitespaces)), (1...64).contains(n) else {
                throw ValidationError("--threads: expected comma-separated counts in 1...64, got \"\(text)\".")
            }
            if !out.contains(n) { out.append(n) }
        }
        return out
    }

    static func parseShard(_ text: String) throws -> Shard {
        do { return try Shard(parsing: text) } catch { throw ValidationError("--\(error)") }
    }

    /// `--executor` names (the one vocabulary, `ExecutorSpec`; no t8n tools in a run) under `--policy`;
    /// `blockstm-forced` is kept as the name of Block-STM under the parallel policy. Default: all of them.
    static func parseExecutors(_ names: [String], policy: BlockSTMExecutor.ParallelPolicy = .adaptive) throws -> [ExecutorChoice] {
        var out: [ExecutorChoice] = []
        func add(_ e: ExecutorChoice) { if !out.contains(e) { out.append(e) } }
        var rest: [String] = []
        for part in names.flatMap({ $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }) {
            if part == ExecutorChoice.blockstmForced.rawValue { rest.append("blockstm-forced") } else { rest.append(part) }
        }
        if rest.isEmpty { rest = ["all"] }
        for part in rest {
            if part == "blockstm-forced" { add(.blockstmForced); continue }
            do {
                for spec in try ExecutorSpec.parse([part], allowsExternal: false) {
                    if case .builtIn(let e) = spec { add(ExecutorChoice.from(e, policy: policy)) }
                }
            } catch {
                throw ValidationError(error.description + " blockstm-forced is blockstm under --policy parallel.")
            }
        }
        return out
    }

    /// The command line as typed, quoted for a shell, with the program named `lockstep`.
    static func commandLine() -> String {
        (["lockstep"] + CommandLine.arguments.dropFirst().map(Reproduce.quote)).joined(separator: " ")
    }

    private func loadSkipList(root: String?) throws -> SkipList {
        if let skipList {
            do { return try SkipList(contentsOf: skipList) } catch { throw ValidationError("--skip-list \(error)") }
        }
        guard let path = StateTestCommand.defaultSkipListPath() else { return SkipList() }
        do { return try SkipList(contentsOf: path) } catch { throw ValidationError("\(error)") }
    }
}

/// Finding the package checkout (for the default suite's `Vectors/`) from the working directory or the binary.
enum PackageRoot {
    /// The first of the working directory and the executable's ancestors that holds the skip list, or nil.
    static func find() -> String? {
        guard let skipList = StateTestCommand.defaultSkipListPath() else { return nil }
        // <root>/Vectors/statetest-skip.txt
        return ((skipList as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    }

    /// Subdirectories of `Vectors/` that hold no vectors (contract sources and their layouts).
    static let nonVectorDirectories: Set<String> = ["contracts"]

    /// The default suite's vector paths: each entry of `<root>/Vectors` that holds vectors.
    static func defaultVectorPaths(root: String?) -> [String] {
        guard let root else { return [] }
        let vectors = (root as NSString).appendingPathComponent("Vectors")
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: vectors) else { return [] }
        var out: [String] = []
        for entry in entries.sorted() where !entry.hasPrefix(".") && !nonVectorDirectories.contains(entry) {
            let full = (vectors as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
            if exists && isDirectory.boolValue || entry.hasSuffix(".json") || entry.hasSuffix(".json.zst") { out.append(full) }
        }
        return out
    }
}

/// The one updating progress line on stderr, only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    // The lock guards `lastWrite`; the line is written under it so updates never interleave.
    private let lock = NSLock()
    private var lastWrite = Date.distantPast
    private let start = Date()

    static func ifTerminal() -> ProgressLine? { isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil }

    func update(_ p: RunProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard p.done == p.total || now.timeIntervalSince(lastWrite) >= 0.1 else { return }
        lastWrite = now
        let elapsed = now.timeIntervalSince(start)
        var eta = "?"
        if p.done > 0 {
            let left = elapsed / Double(p.done) * Double(p.total - p.done)
            eta = left < 60 ? "\(Int(left.rounded()))s" : "\(Int(left / 60))m\(Int(left.truncatingRemainder(dividingBy: 60)))s"
        }
        let line = "\r\u{1B}[K\(p.done)/\(p.total) done, \(p.failures) failure\(p.failures == 1 ? "" : "s"), ETA \(eta)"
        Output.err(line)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        Output.err("\r\u{1B}[K")
    }
}

/// What `lockstep run` and `lockstep report merge` print on stdout: failures, counts, speedups, the gate, the path.
enum ConsoleSummary {
    static let maxFailureLines = 50

    static func print(_ r: RunReport, directory: String) {
        var out: [String] = []
        let problems = r.problems
        for c in problems.prefix(maxFailureLines) {
            let executor = c.executor == "serial" ? "" : " [\(c.executor) x\(c.threads)]"
            out.append("\(c.status == .fail ? "FAIL" : "ERROR") \(c.suite)/\(c.name)\(executor): \(c.message ?? "")")
            if let command = c.reproduce { out.append("  reproduce: \(command)") }
            if let t = c.divergence?.traceDiff { out.append(TraceDiffText.indented(t, by: "  ")) }
        }
        if problems.count > maxFailureLines { out.append("... and \(problems.count - maxFailureLines) more (see report)") }
        for t in r.tallies { out.append("\(t.suite) / \(t.executor): \(t.line)") }
        out.append("all: \(r.totals.line)")
        for w in r.workloads {
            let runs = w.runs.map { "\($0.executor) x\($0.threads) \(Format.fixed($0.speedup, 2))x\($0.speedupInterval.map { " " + Format.interval($0, 2) } ?? "") (ideal \(Format.fixed($0.idealSpeedup, 2)))" }
            out.append("\(w.name): serial \(Format.duration(w.serialSeconds)), \(Format.fixed(w.serialMgasPerSecond, 1)) Mgas/s; " + runs.joined(separator: ", "))
        }
        out.append("seed \(r.environment.seed), commit \(r.environment.commit), \(r.environment.machine) (\(r.environment.build))")
        if let gate = r.gate {
            out.append("gate: \(gate.headline)" + (gate.baseline.map { " against \($0)" } ?? ""))
            for f in gate.findings { out.append("  \(f.line)") }
        }
        out.append("report: \(directory)")
        Output.out((out.joined(separator: "\n") + "\n"))
    }
}

/// The gate's options, shared by `lockstep run` and `lockstep report merge`.
struct GateOptions: ParsableArguments {
    @Option(name: .customLong("noise-floor"),
            help: "Noise floors in percent, comma-separated METRIC=PERCENT (speedup, mgas, wall): a figure regresses only when the 95 % bootstrap interval of its change lies wholly beyond its floor. Default: speedup=1.2,mgas=1.2,wall=0.7.")
    var noiseFloor: String?

    @Option(name: .customLong("max-interval-width"),
            help: "A change whose 95 % interval is wider than this many percentage points is reported as not measurable (neither pass nor fail). Default: \(Format.fixed(GateSettings.defaultMaxIntervalWidthPercent, 0)).")
    var maxIntervalWidth: Double = GateSettings.defaultMaxIntervalWidthPercent

    @Option(name: .customLong("bootstrap-seed"), help: "Seed of the gate's resampling (default: the run's seed).")
    var bootstrapSeed: UInt64?

    func validate() throws {
        if !(maxIntervalWidth > 0 && maxIntervalWidth.isFinite) {
            throw ValidationError("--max-interval-width must be a positive number of percentage points, got \(maxIntervalWidth).")
        }
        if let noiseFloor { do { _ = try NoiseFloors().parsing(noiseFloor) } catch { throw ValidationError("\(error)") } }
    }

    /// The gate's settings for `report`.
    func settings(for report: RunReport) throws -> GateSettings {
        var s = Gate.defaultSettings(for: report)
        if let noiseFloor { do { s.floors = try s.floors.parsing(noiseFloor) } catch { throw ValidationError("\(error)") } }
        s.maxIntervalWidthPercent = maxIntervalWidth
        if let bootstrapSeed { s.bootstrap.seed = bootstrapSeed }
        return s
    }
}
