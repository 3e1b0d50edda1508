import ArgumentParser
import Dispatch
import Foundation
import EVMPrimitives
import Harness
import Vectors
import Workloads

/// `lockstep generate`: seeded conflict-heavy block vectors (t8n directory form, signed transactions), the
/// committed reference-checked suite, and the `WORKLOADS.md` table.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate block vectors from seeded workload recipes.",
        discussion: """
            Writes alloc.json, env.json, txs.json (signed) and metadata.json (seed and every knob) into DIR. The same \
            options always give the same bytes. Workloads: \(Workload.allCases.map(\.rawValue).joined(separator: ", ")). \
            --fork chooses the rules (Cancun or later; default \(GeneratorOptions.latestFork.name), the latest mainnet \
            fork); delegations and intents need EIP-7702 (Prague or later).
            --suite writes the committed vector set (one directory per vector) into DIR; --fill 'COMMAND' runs a t8n \
            tool (e.g. 'ethereum-spec-evm t8n') on each vector and writes its result as expected.json. --table \
            measures every workload and writes the Markdown table to -o (default stdout).
            Exit status: 0 on success, 1 when a reference tool failed, 2 for bad options.
            """)

    @Option(help: "Workload recipe.")
    var workload: String?

    @Option(help: "Number of transactions.")
    var txs: Int?

    @Option(help: "Seed of the generator (decimal).")
    var seed: UInt64 = 1

    @Option(help: "Funded sender accounts (default: one per transaction).")
    var accounts: Int?

    @Option(name: .customLong("hot-ratio"), help: "Share of transactions that touch the hot set (default: per workload).")
    var hotRatio: Double?

    @Option(name: .customLong("hot-set"), help: "Size of the hot set (default: per workload).")
    var hotSet: Int?

    @Option(name: .customLong("dependency-distance"), help: "Transaction i is sent by the sender of transaction i-D (0: independent senders).")
    var dependencyDistance: Int = 0

    @Option(name: .customLong("invalid-ratio"), help: "Share of invalid (rejected) transactions.")
    var invalidRatio: Double = 0

    @Option(name: .customLong("revert-ratio"), help: "Share of reverting transactions.")
    var revertRatio: Double = 0

    @Option(name: .customLong("compute-rounds"), help: "Keccak rounds per compute call (upper bound).")
    var computeRounds: Int = 64

    @Option(help: "Fork whose rules the block follows: Cancun, Prague, Osaka, BPO1 or BPO2 (default: the latest mainnet fork).")
    var fork: String = GeneratorOptions.latestFork.name

    @Option(name: .customLong("change-ratio"), help: "delegations: share of transactions that set, change or clear a delegation (default 0.25).")
    var changeRatio: Double?

    @Option(name: .customLong("call-distance"), help: "delegations: the transaction this many positions after a delegation change calls that EOA (default 1; 0: none).")
    var callDistance: Int?

    @Option(help: "intents: users who sign payment intents (default: 2 x batch size x solvers, at least 8).")
    var users: Int?

    @Option(help: "intents: solvers, the accounts that send the batches (default 3).")
    var solvers: Int?

    @Option(name: .customLong("batch-size"), help: "intents: intents settled per transaction, 1 to 32 (default 6).")
    var batchSize: Int?

    @Option(help: "Directory with the production bytecode for the uniswap workload (e.g. shared/vectors/contracts); with --table, adds a uniswap row.")
    var contracts: String?

    @Option(name: [.short, .customLong("output")], help: "Output directory (with --table: the Markdown file; default stdout).")
    var output: String?

    @Flag(help: "Write the committed suite (Vectors/blocks) into -o, one directory per vector.")
    var suite = false

    @Option(help: "Run this t8n command on each vector and write its result as expected.json (e.g. 'ethereum-spec-evm t8n').")
    var fill: String?

    @Option(help: "With --suite: vectors generated and filled at the same time.")
    var jobs: Int = 2

    @Flag(help: "Measure every workload (serial vs Block-STM at --threads) and write WORKLOADS.md.")
    var table = false

    @Option(help: "With --table: transactions per block.")
    var tableTxs: Int = 200

    @Option(help: "With --table: Block-STM threads.")
    var threads: Int = 2

    @Option(help: "With --table: timed runs per executor (median).")
    var repeats: Int = 21

    @Option(help: "With --table: where the timings were taken, for the page's text.")
    var machine: String = "this machine"

    /// The `--fork` value as a fork the generator targets.
    func resolvedFork() throws -> Fork {
        guard let f = Fork(name: fork) else {
            throw ValidationError("Unknown fork \"\(fork)\"; the generator targets Cancun, Prague, Osaka, BPO1 and BPO2.")
        }
        guard f >= .cancun else {
            throw ValidationError("Fork \(f.name): the generator targets Cancun and later forks (Cancun, Prague, Osaka, BPO1, BPO2).")
        }
        return f
    }

    func validate() throws {
        _ = try resolvedFork()
        if table || suite {
            if suite && output == nil { throw ValidationError("--suite needs -o DIR.") }
            return
        }
        guard let workload else { throw ValidationError("Give --workload NAME (or --suite or --table).") }
        guard Workload(rawValue: workload) != nil else {
            throw ValidationError("Unknown workload \"\(workload)\"; known: \(Workload.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard txs != nil else { throw ValidationError("Give --txs N.") }
        guard output != nil else { throw ValidationError("Give -o DIR.") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }

    func run() throws {
        let reference = fill.map { ExternalT8nExecutor(command: $0) }
        if table { return try writeTable() }
        if suite { return try writeSuite(reference: reference) }
        guard let name = workload, let w = Workload(rawValue: name), let n = txs, let out = output else { return }
        let options = GeneratorOptions(workload: w, transactions: n, seed: seed, accounts: accounts, hotRatio: hotRatio,
                                       hotSet: hotSet, dependencyDistance: dependencyDistance, invalidRatio: invalidRatio,
                                       revertRatio: revertRatio, computeRounds: computeRounds, contractsDirectory: contracts,
                                       fork: try resolvedFork(), changeRatio: changeRatio, callDistance: callDistance,
                                       users: users, solvers: solvers, batchSize: batchSize)
        do {
            try options.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        do {
            try GeneratedVectors.write(options, to: out, reference: reference)
        } catch let e as ExternalT8nError {
            Output.err("error: \(e)\n")
            throw ExitCode(1)
        } catch let e as GeneratorError {
            throw ValidationError("\(e)")
        }
    }

    func writeSuite(reference: ExternalT8nExecutor?) throws {
        guard let out = output else { return }
        let all = GeneratorSuite.committed
        let results = Results(count: all.count)
        let queue = DispatchQueue(label: "generate", attributes: .concurrent)
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: max(1, jobs))
        for (i, options) in all.enumerated() {
            slots.wait()
            queue.async(group: group) {
                defer { slots.signal() }
                let clock = ContinuousClock()
                let start = clock.now
                do {
                    try GeneratedVectors.write(options, to: out + "/" + options.relativePath, reference: reference)
                    let seconds = Double((clock.now - start).nanoseconds) / 1e9
                    results.set(i, "ok \(options.relativePath) (\(String(format: "%.1f", seconds)) s)")
                } catch {
                    results.set(i, "FAILED \(options.relativePath): \(error)")
                }
            }
        }
        group.wait()
        var failed = 0
        for line in results.lines() {
            Output.out(line + "\n")
            if line.hasPrefix("FAILED") { failed += 1 }
        }
        Output.out("\(all.count - failed) written, \(failed) failed" + "\n")
        if failed > 0 { throw ExitCode(1) }
    }

    func writeTable() throws {
        var rows: [WorkloadMeasurement] = []
        let tableFork = try resolvedFork()
        var all = GeneratorSuite.table(transactions: tableTxs, seed: seed, fork: tableFork)
        if let contracts {
            all.append(GeneratorOptions(workload: .uniswap, transactions: tableTxs, seed: seed, contractsDirectory: contracts,
                                        fork: tableFork))
        }
        for options in all {
            do { rows.append(try WorkloadTable.measure(options, threads: threads, repeats: repeats)) } catch {
                throw ValidationError("\(error)")
            }
            Output.err("measured \(options.workload.rawValue)\n")
        }
        let text = WorkloadTable.markdown(rows, machine: machine)
        if let out = output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out))
        } else {
            Output.out(text)
        }
    }
}

/// Lines written by concurrent jobs, read once all are done.
private final class Results: @unchecked Sendable {
    private var items: [String]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: "", count: count) }
    func set(_ i: Int, _ line: String) { lock.lock(); items[i] = line; lock.unlock() }
    func lines() -> [String] { lock.lock(); defer { lock.unlock() }; return items }
}
