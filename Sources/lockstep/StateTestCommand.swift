import ArgumentParser
import Foundation
import EVMPrimitives
import Harness
import VectorIO
import Vectors

/// `lockstep statetest`: runs state tests and checks post-state roots and logs hashes, like `evm statetest`.
struct StateTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statetest",
        abstract: "Run Ethereum state tests (GeneralStateTests format) and check state roots and logs hashes.",
        discussion: """
            Prints one line per failure and a summary line `N passed, M failed, K skipped` last. \
            Exit status: 0 when nothing failed, 1 when a case failed or no case was executed (see --allow-empty), \
            2 for usage errors and for vectors that could not be read or loaded, and when stdout cannot be written.
            """)

    @Flag(help: "Print one JSON object per case (name, fork, pass, stateRoot, logsHash, error) on stdout.")
    var json = false

    @Option(help: "Run only cases of this fork (for example Cancun).")
    var fork: String?

    @Option(help: "Run only cases whose name (file:test:fork:dIgJvK) matches this regular expression.")
    var filter: String?

    @Option(name: .customLong("skip-list"),
            help: "Skip list to use instead of \(SkipList.defaultRelativePath) (lines: <regex> # <reason>).")
    var skipList: String?

    @Option(help: "Worker threads (default: one per processor).")
    var threads: Int?

    @Option(help: "Executor: serial, blockstm or bal (each case as a one-transaction block through Block-STM, or through the BAL executor from a derived list, with 2 threads).")
    var executor: String = "serial"

    @Option(help: "Write each case's EIP-3155 trace (run as a one-transaction block by --executor; the summary line with the post-state root) to DIR/<case>/trace-0-<txhash>.jsonl. Cases whose transaction is rejected have none.")
    var trace: String?

    @Argument(help: "State-test files, or directories searched recursively for .json and .json.zst files.")
    var paths: [String] = []

    @OptionGroup var input: InputOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one state-test file or directory.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
        _ = try chosenExecutor()
        // The loader reports cases of unknown forks as errors, so an unknown name here could select nothing.
        if let fork, Fork(name: fork) == nil {
            let known = Fork.allCases.map(\.name).joined(separator: ", ")
            throw ValidationError("--fork: unknown fork \"\(fork)\" (known: \(known)).")
        }
    }

    /// `--executor`: one of serial, blockstm, bal (the shared vocabulary; no t8n tools here).
    func chosenExecutor() throws -> BlockRunner.Executor {
        let list: [ExecutorSpec]
        do { list = try ExecutorSpec.parse([executor], allowed: [.serial, .blockstm, .bal], allowsExternal: false) } catch {
            throw ValidationError(error.description)
        }
        guard list.count == 1, case .builtIn(let e) = list[0] else {
            throw ValidationError("--executor: give one of serial, blockstm, bal, got \"\(executor)\".")
        }
        return e
    }

    func run() throws {
        try input.apply()
        var runner = StateTestRunner(fork: fork, skipList: try loadSkipList())
        if let threads { runner.threads = threads }
        runner.executor = try chosenExecutor()
        if let filter {
            do { runner.filter = try NamePattern(filter) } catch { throw ValidationError("--filter \(error)") }
        }
        let sources: [VectorSource]
        do { sources = try StateTestLoader.sources(for: paths) } catch { throw ValidationError("\(error)") }

        // Progress only for a person watching: never into a pipe or a CI log.
        var progress: (@Sendable (Int, Int, Int) -> Void)?
        if isatty(STDERR_FILENO) == 1 {
            progress = { done, total, failed in
                Output.err("\r\(done)/\(total) files, \(failed) failed")
            }
        }
        let results = runner.run(sources: sources, progress: progress)
        if progress != nil { Output.err("\r\u{1B}[K") }
        if let trace { try writeTraces(sources: sources, ran: results, executor: runner.executor, to: trace) }

        var out = ""
        for r in results {
            if json {
                out += StateTestCommand.jsonLine(r) + "\n"
            } else if r.isFailure {
                out += "\(r.name): \(r.error ?? "failed")\n"
            }
            if out.utf8.count > 1 << 16 { write(out); out = "" }
        }
        let summary = StateTestSummary(results)
        out += summary.description + "\n"
        write(out)
        // A load error: nothing ran.
        let unloadable = results.filter { if case .error = $0.status { true } else { false } }.count
        if unloadable > 0 {
            Output.err("error: \(unloadable) vector file\(unloadable == 1 ? "" : "s") or test\(unloadable == 1 ? "" : "s") could not be read or loaded (listed above)\n")
            throw ExitCode(2)
        }
        if summary.failed > 0 { throw ExitCode(1) }
        if summary.passed == 0 && !input.allowEmpty {
            let why = sources.isEmpty ? "no .json or .json.zst file under \(paths.map(Echo.path).joined(separator: ", "))"
                : results.isEmpty ? "\(sources.count) file\(sources.count == 1 ? "" : "s") but no case selected"
                : "all \(summary.skipped) selected case\(summary.skipped == 1 ? " was" : "s were") skipped"
            Output.err("error: " + EmptyRun.message(why) + "\n")
            throw ExitCode(1)
        }
    }

    /// `--trace DIR`: the trace of every case that ran (not skipped), as `DIR/<case>/trace-0-<hash>.jsonl`.
    private func writeTraces(sources: [VectorSource], ran results: [StateTestResult], executor: BlockRunner.Executor,
                             to dir: String) throws {
        let ran = Set(results.filter { $0.skipReason == nil }.map(\.name))
        for source in sources {
            for c in StateTestLoader.load(source).cases where ran.contains(c.name) {
                switch Traces.traces(c, executor: .builtIn(executor)) {
                case .success(let t?):
                    do { try Traces.write([t], to: dir + "/" + BlockRunner.fileName(c.name)) } catch {
                        throw ValidationError("--trace: \(error)")
                    }
                case .success(nil): break
                case .failure(let error): Output.err("trace: \(c.name): \(error)\n")
                }
            }
        }
    }

    private func write(_ text: String) {
        Output.out(text)
    }

    /// `--skip-list FILE`, else the package's list found from the working directory or from the executable's
    /// location (`.build*/<config>/lockstep` sits a few levels below the package root), else an empty list.
    private func loadSkipList() throws -> SkipList {
        if let skipList {
            do { return try SkipList(contentsOf: skipList) } catch { throw ValidationError("--skip-list \(error)") }
        }
        guard let path = StateTestCommand.defaultSkipListPath() else { return SkipList() }
        do { return try SkipList(contentsOf: path) } catch { throw ValidationError("\(error)") }
    }

    static func defaultSkipListPath() -> String? {
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = executable.deletingLastPathComponent()
            for _ in 0..<5 {
                candidates.append(dir.path)
                dir = dir.deletingLastPathComponent()
            }
        }
        return candidates.map { $0 + "/" + SkipList.defaultRelativePath }.first { fm.isReadableFile(atPath: $0) }
    }

    /// One case as `evm statetest --json` prints it, keys in this order: name, fork, pass, stateRoot, logsHash, error.
    /// A skipped case prints `name, fork, skipped, reason` instead. `stateRoot` is the zero hash when nothing ran
    /// (a load error).
    static func jsonLine(_ r: StateTestResult) -> String {
        if let reason = r.skipReason {
            return "{\"name\":\(BlockJSON.quote(r.name)),\"fork\":\(BlockJSON.quote(r.fork)),\"skipped\":true,\"reason\":\(BlockJSON.quote(reason))}"
        }
        var s = "{\"name\":\(BlockJSON.quote(r.name)),\"fork\":\(BlockJSON.quote(r.fork)),\"pass\":\(r.pass)"
        s += ",\"stateRoot\":\(BlockJSON.quote((r.stateRoot ?? .zero).description))"
        if let logs = r.logsHash { s += ",\"logsHash\":\(BlockJSON.quote(logs.description))" }
        if let error = r.error { s += ",\"error\":\(BlockJSON.quote(error))" }
        return s + "}"
    }
}
