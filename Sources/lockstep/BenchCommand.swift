import ArgumentParser
import Foundation
import Synchronization
import EVMPrimitives
import EVMState
import Execution
import Harness
import Precompiles
import Vectors
import Workloads
import Reports

/// `lockstep bench`: micro and block benchmarks. Build with `-c release` for meaningful numbers.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: Block-STM against serial execution, and the precompiles.",
        subcommands: [BenchBlockSTMCommand.self, BenchPrecompilesCommand.self, BenchEVMCommand.self])
}

/// `lockstep bench blockstm`: serial and Block-STM side by side on `BlockSTMBenchmark`'s blocks.
struct BenchBlockSTMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blockstm",
        abstract: "Time Block-STM against serial execution on the benchmark blocks.",
        discussion: """
            For each benchmark block: one warm-up run of every configuration, then --repeat rounds, each running \
            serial, Block-STM, the partition bound and BAL at every thread count (in reverse order every other \
            round), so that all are measured under the same conditions. \
            Serial is timed without the access-set recording that dependency analysis uses, so it does only what \
            the block needs; every time covers the whole block, roots included. \
            Reports median times, the speedup over serial (the median of the rounds' ratios serial time / its \
            time), the ideal speedup (min(threads, total time / critical-path time) from the serial run's \
            dependencies and per-transaction times) and the efficiency (speedup / ideal). \
            On blocks without any dependency, the same rounds also time the partition bound \
            (PartitionBoundExecutor: the threads take chunks of 8 transactions in turn and run them against the \
            pre-state, with no coordination beyond taking a chunk, then the same parallel block end): what an \
            executor with this block end reaches when it spends nothing on coordination, so Block-STM's distance \
            from it is the price of finding the independence at run time; "of bound" and "bal of bound" are the \
            medians of the rounds' ratios bound time / Block-STM's (BAL's) time.
            """)

    @Option(help: "Transactions per block.")
    var txs: Int = 1000

    @Option(help: "Comma-separated thread counts (default: 1,2,4,... up to the processor count).")
    var threads: String?

    @Option(name: .customLong("repeat"), help: "Timed rounds after the warm-up; medians are reported.")
    var repeats: Int = 5

    @Option(help: "Block-STM and BAL policy: adaptive (the default: serial where they cannot win; Block-STM decides before and while running, BAL from the block before running and still checks its list) or parallel (always run the algorithm to the end).")
    var policy: BlockSTMExecutor.ParallelPolicy = .adaptive

    @Option(help: "Comma-separated workload names to run (default: all of \(BlockSTMBenchmark.workloadNames.joined(separator: ", "))).")
    var workloads: String?

    @Flag(help: "Measure the adaptive policy's constants (SerialRule: a parallel run's fixed cost and Block-STM's per-transaction cost, in gas and in ns for the serial probe) at each thread count instead, and print them.")
    var calibrate = false

    func validate() throws {
        if txs < 1 { throw ValidationError("--txs must be at least 1, got \(txs).") }
        if repeats < 1 { throw ValidationError("--repeat must be at least 1, got \(repeats).") }
        if threads != nil { _ = try BlocksCommand.threadList(threads) }
        if let workloads {
            let known = Set(BlockSTMBenchmark.workloadNames)
            for name in workloads.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !known.contains(name) {
                throw ValidationError("--workloads: unknown workload '\(name)' (known: \(BlockSTMBenchmark.workloadNames.joined(separator: ", "))).")
            }
        }
    }

    /// 1, 2, 4, ... up to the processor count, and the processor count itself.
    static func defaultThreads() -> [Int] {
        let cores = max(1, min(64, ProcessInfo.processInfo.activeProcessorCount))
        var out: [Int] = []
        var t = 1
        while t < cores { out.append(t); t *= 2 }
        out.append(cores)
        return out
    }

    /// One measured row: a workload at one thread count.
    struct Row {
        var workload: String
        var txs: Int
        var gas: UInt64
        var threads: Int
        var serialNanoseconds: UInt64
        var parallelNanoseconds: UInt64
        var idealSpeedup: Double
        /// The partition bound's median, on blocks without dependencies.
        var boundNanoseconds: UInt64?
        var matches: Bool
        /// False when the partition bound's outcome differed from serial (a bug in the yardstick).
        var boundMatches: Bool
        var reExecutions: Int
        /// The BAL executor's median, from the list a serial run derives.
        var balNanoseconds: UInt64
        /// Nil when the BAL executor equalled serial; else what differed.
        var balProblem: String?
        /// True when the adaptive policy ran the block (or finished it) serially.
        var ranSerially: Bool
        /// Medians of the rounds' ratios (`Timing.pairedRatio`): serial / Block-STM, serial / BAL, serial / bound,
        /// and the share of the bound that Block-STM and BAL reach (bound time / their time).
        var speedup = 0.0
        var balSpeedup = 0.0
        var boundSpeedup: Double?
        var ofBound: Double?
        var balOfBound: Double?
    }

    func run() throws {
        let threadCounts = threads == nil ? BenchBlockSTMCommand.defaultThreads() : try BlocksCommand.threadList(threads)
        let txs = self.txs, repeats = self.repeats
        let selected = workloads.map { Set($0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }) }
        let policy = self.policy
        if calibrate {
            WorkerThreads.run(count: 1) { _ in
                for t in threadCounts where t > 1 {
                    Output.out(SerialRuleCalibration.measure(threads: t, rounds: repeats, largeTransactions: txs).description + "\n")
                }
            }
            return
        }
        // The cross-core round trip moves every parallel ratio (`CrossCoreLatency`): printed before and after the rounds.
        let latency = CrossCoreLatency.measure()
        Output.err("bench blockstm: \(txs) txs per block, threads \(threadCounts), \(repeats) rounds, policy \(self.policy.rawValue), \(ProcessInfo.processInfo.activeProcessorCount) processors, \(RunEnvironment.allocator())\(latency.map { ", cross-core round trip \($0.description)" } ?? "")\n")
        let rows = Mutex<[Row]>([])
        // The serial executor runs on this thread: give it a deep stack, as every EVM thread has.
        WorkerThreads.run(count: 1) { _ in
            var out: [Row] = []
            for block in BlockSTMBenchmark.blocks(txs: txs) where selected.map({ $0.contains(block.name) }) ?? true {
                out += BenchBlockSTMCommand.measure(block, threads: threadCounts, repeats: repeats, policy: policy)
            }
            rows.withLock { $0 = out }
        }
        let measured = rows.withLock { $0 }
        Output.out(BenchBlockSTMCommand.table(measured) + "\n")
        if let latency, let after = CrossCoreLatency.measure() {
            Output.err("bench blockstm: cross-core round trip after the rounds \(after.description)"
                       + CrossCoreLatency.changeNote(latency, after, during: "rounds") + "\n")
        }
        // A benchmark whose executors disagree with serial measured nothing: fail like `blocks` does.
        for r in measured { if let p = r.balProblem { Output.err("\(r.workload) bal x\(r.threads): \(p)\n") } }
        if measured.contains(where: { !$0.matches || !$0.boundMatches || $0.balProblem != nil }) { throw ExitCode(1) }
    }

    static func measure(_ block: (name: String, pre: InMemoryState, env: BlockEnvironment, txs: [Transaction]),
                        threads: [Int], repeats: Int, policy: BlockSTMExecutor.ParallelPolicy) -> [Row] {
        // Timed: the serial executor doing only what the block needs. The instrumented one (access sets,
        // per-transaction times) gives the dependencies and weights for the ideal speedup, once.
        let serial = SerialExecutor(recordsAccess: false)
        let instrumented = SerialExecutor()
        let parallel = threads.map { BlockSTMExecutor(threads: $0, policy: policy) }
        func run(_ e: some BlockExecutor) -> (BlockOutcome, UInt64) {
            Timing.measure { e.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun) }
        }
        // Warm-up: caches, code analysis, thread start-up paths.
        _ = run(serial)
        // Runs after a warm-up, so its per-transaction times serve as the critical path's weights.
        let (reference, _) = run(instrumented)
        let graph = DependencyGraph(outcome: reference, coinbase: block.env.coinbase)
        // The no-coordination yardstick is only valid (and only run) when nothing depends on anything.
        let bounds = graph.edgeCount == 0 ? threads.map { PartitionBoundExecutor(threads: $0) } : []
        // The access list is the executor's input, derived once (untimed), as a block would carry it.
        let list = BlockAccessListBuilder.derive(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
        let bals = threads.map { BALExecutor(threads: $0, list: list, policy: policy, listIsDerived: true) }
        var matches = [Bool](repeating: true, count: threads.count)
        var reExecutions = [Int](repeating: 0, count: threads.count)
        var ranSerially = [Bool](repeating: false, count: threads.count)
        for (k, p) in parallel.enumerated() {
            let (o, _) = run(p)
            matches[k] = BlockRunner.divergence(o, from: reference, transactions: block.txs.count) == nil
            reExecutions[k] = o.metrics.reExecutions
            ranSerially[k] = o.metrics.ranSerially
        }
        var balProblems = [String?](repeating: nil, count: threads.count)
        for (k, b) in bals.enumerated() {
            switch b.run(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun) {
            case .failure(let m): balProblems[k] = m.description
            case .success(let o):
                if let d = BlockRunner.divergence(o, from: reference, transactions: block.txs.count) {
                    balProblems[k] = "differs from serial in \(d.fields.joined(separator: ", "))"
                } else if o.metrics.ranSerially && o.metrics.serialReason != .rule {
                    balProblems[k] = "ran serially"
                }
            }
        }
        var boundMatches = [Bool](repeating: true, count: bounds.count)
        for (k, b) in bounds.enumerated() {
            let (o, _) = run(b)
            if BlockRunner.divergence(o, from: reference, transactions: block.txs.count) != nil { boundMatches[k] = false }
        }
        // The timed rounds (`Timing.interleavedRounds`): serial, each Block-STM, each partition bound, each BAL.
        enum Configuration { case serial, parallel(Int), bound(Int), bal(Int) }
        let configurations: [Configuration] = [.serial] + parallel.indices.map { .parallel($0) }
            + bounds.indices.map { .bound($0) } + bals.indices.map { .bal($0) }
        func differs(_ o: BlockOutcome) -> Bool { o.stateRoot != reference.stateRoot || o.receiptsRoot != reference.receiptsRoot }
        let samples = Timing.interleavedRounds(rounds: repeats, configurations: configurations.count) { c, _ in
            switch configurations[c] {
            case .serial:
                _ = serial.execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)
            case .parallel(let k):
                if differs(parallel[k].execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)) { matches[k] = false }
            case .bound(let k):
                if differs(bounds[k].execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)) { boundMatches[k] = false }
            case .bal(let k):
                if differs(bals[k].execute(pre: block.pre, env: block.env, transactions: block.txs, fork: .cancun)) && balProblems[k] == nil {
                    balProblems[k] = "a timed run differs from serial"
                }
            }
        }
        let serialSamples = samples[0]
        let parallelSamples = Array(samples[1..<(1 + parallel.count)])
        let boundSamples = Array(samples[(1 + parallel.count)..<(1 + parallel.count + bounds.count)])
        let balSamples = Array(samples[(1 + parallel.count + bounds.count)...])
        let byTime = graph.criticalPath(weights: reference.transactionNanoseconds)
        let serialMedian = Timing.median(serialSamples)
        return threads.enumerated().map { k, t in
            var row = Row(workload: block.name, txs: block.txs.count, gas: reference.gasUsed, threads: t,
                          serialNanoseconds: serialMedian, parallelNanoseconds: Timing.median(parallelSamples[k]),
                          idealSpeedup: byTime.idealSpeedup(threads: t),
                          boundNanoseconds: bounds.isEmpty ? nil : Timing.median(boundSamples[k]),
                          matches: matches[k], boundMatches: bounds.isEmpty || boundMatches[k], reExecutions: reExecutions[k],
                          balNanoseconds: Timing.median(balSamples[k]), balProblem: balProblems[k], ranSerially: ranSerially[k])
            row.speedup = Timing.pairedRatio(serialSamples, parallelSamples[k])
            row.balSpeedup = Timing.pairedRatio(serialSamples, balSamples[k])
            if !bounds.isEmpty {
                row.boundSpeedup = Timing.pairedRatio(serialSamples, boundSamples[k])
                row.ofBound = Timing.pairedRatio(boundSamples[k], parallelSamples[k])
                row.balOfBound = Timing.pairedRatio(boundSamples[k], balSamples[k])
            }
            return row
        }
    }

    static func table(_ rows: [Row]) -> String {
        var lines = [["workload", "txs", "gas", "threads", "serial ms", "parallel ms", "speedup", "ideal", "efficiency",
                      "bal ms", "bal", "bound ms", "bound", "of bound", "bal of bound", "re-exec", "result"]]
        func percent(_ x: Double?) -> String { x.map { String(format: "%.0f%%", 100 * $0) } ?? "-" }
        for r in rows {
            lines.append([r.workload, String(r.txs), String(r.gas), String(r.threads),
                          String(format: "%.3f", Double(r.serialNanoseconds) / 1e6),
                          String(format: "%.3f", Double(r.parallelNanoseconds) / 1e6),
                          String(format: "%.2fx", r.speedup), String(format: "%.2fx", r.idealSpeedup),
                          percent(r.idealSpeedup > 0 ? r.speedup / r.idealSpeedup : 0),
                          String(format: "%.3f", Double(r.balNanoseconds) / 1e6), String(format: "%.2fx", r.balSpeedup),
                          r.boundNanoseconds.map { String(format: "%.3f", Double($0) / 1e6) } ?? "-",
                          r.boundSpeedup.map { String(format: "%.2fx", $0) } ?? "-",
                          percent(r.ofBound), percent(r.balOfBound),
                          String(r.reExecutions) + (r.ranSerially ? " (serial)" : ""),
                          !r.matches ? "MISMATCH" : !r.boundMatches ? "BOUND MISMATCH" : r.balProblem != nil ? "BAL MISMATCH" : "ok"])
        }
        return BenchBlockSTMCommand.render(lines, rightAligned: 1...15)
    }

    /// Columns padded to their widest cell; numeric columns right-aligned.
    static func render(_ lines: [[String]], rightAligned: ClosedRange<Int>) -> String {
        guard let header = lines.first else { return "" }
        var widths = header.map(\.count)
        for line in lines { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func format(_ line: [String]) -> String {
            line.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        var out = [format(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += lines.dropFirst().map(format)
        return out.joined(separator: "\n")
    }
}

/// `lockstep bench precompiles`: `PrecompileBenchmark` as a table.
struct BenchPrecompilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precompiles",
        abstract: "Time every precompile on a representative input: gas, median microseconds, gas per microsecond.")

    @Option(help: "Timed repetitions per precompile (after a warm-up).")
    var iterations: Int = 50

    func validate() throws {
        if iterations < 1 { throw ValidationError("--iterations must be at least 1, got \(iterations).") }
    }

    func run() throws {
        var lines = [["precompile", "gas", "median µs", "gas/µs"]]
        for r in PrecompileBenchmark.run(iterations: iterations) {
            lines.append([r.name, String(r.gas), String(format: "%.3f", r.medianMicroseconds),
                          String(format: "%.1f", r.gasPerMicrosecond)])
        }
        Output.out(BenchBlockSTMCommand.render(lines, rightAligned: 1...3) + "\n")
    }
}
