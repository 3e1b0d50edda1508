import ArgumentParser
import Foundation
import Harness
import VectorIO
import Vectors

/// `lockstep blocktest`: imports the blocks of BlockchainTests (ethereum/tests, execution-spec-tests) with the
/// serial executor and Block-STM, checking headers, outcomes, the head and the post-state.
struct BlockTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocktest",
        abstract: "Run blockchain tests (BlockchainTests format): import every block serially and through Block-STM.",
        discussion: """
            Each block is decoded, validated against its parent (number, timestamp, gas limit, gas used, base fee, \
            blob gas, extra data, transactions, ommers and withdrawals roots, difficulty and nonce after the merge), \
            executed by the serial executor and by Block-STM at each --threads count (each must equal serial bit for \
            bit) and checked against its header (state root, receipts root, logs bloom, gas used, hash). Blocks with \
            expectException must be rejected. Proof-of-work seals are not checked. Prints one line per failure (one \
            JSON object per test with --json) and `N passed, M failed, K skipped` last. Exit status: 0 when nothing \
            failed, 1 when a test failed or nothing ran, 2 when a file could not be read or loaded and for usage errors.
            """)

    @Flag(help: "Print one JSON object per test on stdout.")
    var json = false

    @Option(help: "Executors: serial, blockstm or all (serial always runs: it is the reference).")
    var executor: String = "all"

    @Option(help: "Comma-separated Block-STM thread counts (default 2).")
    var threads: String = "2"

    @Option(help: "Run only tests whose name (file:test) matches this regular expression.")
    var filter: String?

    @Option(help: "Write every executed block's EIP-3155 traces to DIR/<test>/block-<i>/<executor>/trace-<txindex>-<txhash>.jsonl (serial, and blockstm-x<threads>: each transaction's final incarnation).")
    var trace: String?

    @OptionGroup var input: InputOptions

    @Argument(help: "Blockchain-test files, or directories searched recursively for .json and .json.zst files.")
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one blockchain-test file or directory.") }
        _ = try runsBlockSTM()
        _ = try BlocksCommand.threadList(threads)
    }

    /// `--executor` in the shared vocabulary (`ExecutorSpec`), limited to what blocktest runs: serial, blockstm.
    func runsBlockSTM() throws -> Bool {
        do {
            return try ExecutorSpec.parse([executor], allowed: [.serial, .blockstm], allowsExternal: false)
                .contains(.builtIn(.blockstm))
        } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        try input.apply()
        var runner = BlockchainTestRunner(blockSTMThreads: try runsBlockSTM() ? try BlocksCommand.threadList(threads) : [])
        if let filter {
            do { runner.filter = try NamePattern(filter) } catch { throw ValidationError("--filter \(error)") }
        }
        runner.traceDirectory = trace
        let sources: [VectorSource]
        do { sources = try StateTestLoader.sources(for: paths) } catch { throw ValidationError("\(error)") }
        let results = runner.run(sources: sources)
        var out = ""
        for r in results {
            if json {
                out += r.jsonLine + "\n"
            } else if r.isFailure {
                out += "\(r.name): \(r.error ?? "failed")\n"
            }
        }
        let summary = BlockchainTestSummary(results)
        if !json { out += "proof-of-work seals not checked; executors: \(runner.executorNames.joined(separator: ", "))\n" }
        out += summary.description + "\n"
        Output.out(out)
        // A load error: no block ran.
        let unloadable = results.filter { if case .error = $0.status { true } else { false } }.count
        if unloadable > 0 {
            Output.err("error: \(unloadable) vector file\(unloadable == 1 ? "" : "s") could not be read or loaded (listed above)\n")
            throw ExitCode(2)
        }
        if summary.failed > 0 { throw ExitCode(1) }
        if summary.passed == 0 && !input.allowEmpty {
            let why = sources.isEmpty ? "no .json or .json.zst file under \(paths.map(Echo.path).joined(separator: ", "))"
                : results.isEmpty ? "\(sources.count) file\(sources.count == 1 ? "" : "s") but no test selected"
                : "all \(summary.skipped) selected test\(summary.skipped == 1 ? " was" : "s were") skipped"
            Output.err("error: " + EmptyRun.message(why) + "\n")
            throw ExitCode(1)
        }
    }
}
