import ArgumentParser
import Foundation
import Reports

/// `lockstep report`: work on written reports (merge shards, render again from results.json).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Merge sharded reports, or render a report again from its results.json.",
        subcommands: [Merge.self, Render.self])

    /// `lockstep report merge DIR... -o DIR`.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the reports of the shards of one run into one report.",
            discussion: """
                Each DIR is a report directory, a results.json, or a root holding latest/. The merged report is written \
                into the output directory itself (results.json, report.md, index.html, junit.xml), and the gate is \
                applied to it. Exit status: 0 when the merged run passes the gate, 1 when it does not, 2 when the \
                inputs cannot be read or are not shards of one run.
                """)

        @Argument(help: "Shard reports to merge.")
        var inputs: [String] = []

        @Option(name: .shortAndLong, help: "Directory to write the merged report into.")
        var output: String

        @Option(help: "A baseline run to gate the merged report against.")
        var baseline: String?

        @OptionGroup var gateOptions: GateOptions

        @Flag(name: .customLong("allow-empty"), help: "Pass even when the merged run executed no case.")
        var allowEmpty = false

        func validate() throws {
            if inputs.isEmpty { throw ValidationError("Give at least one report directory to merge.") }
            try gateOptions.validate()
        }

        func run() throws {
            var reports: [RunReport] = []
            for input in inputs {
                do { reports.append(try ReportStore.load(input)) } catch { throw ValidationError("\(error)") }
            }
            let baselineReport = try baseline.map { path -> RunReport in
                do { return try ReportStore.load(path) } catch { throw ValidationError("--baseline \(error)") }
            }
            let now = Date()
            var merged: RunReport
            let notes: [String]
            do {
                (merged, notes) = try ReportMerge.merge(reports, runID: RunEnvironment.runID(date: now, shard: nil) + "-merged",
                                                        command: RunCommand.commandLine(), date: RunEnvironment.iso8601(now))
            } catch {
                throw ValidationError("merge: \(error)")
            }
            var gate = Gate.evaluate(merged, baseline: baselineReport, baselineName: baseline,
                                     settings: try gateOptions.settings(for: merged))
            gate.findings += notes.map { GateFinding(kind: .note, subject: "merge", detail: $0) }
            merged.gate = gate
            if !allowEmpty { EmptyRun.gate(&merged) }
            do { try ReportStore.write(merged, to: output) } catch {
                Output.err("Error: \(error)\n")
                throw ExitCode(2)
            }
            ConsoleSummary.print(merged, directory: output)
            if !gate.passed { throw ExitCode(1) }
        }
    }

    /// `lockstep report render DIR`: writes report.md, index.html and junit.xml again from results.json.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render report.md, index.html and junit.xml again from a report's results.json.")

        @Argument(help: "A report directory, a results.json, or a root holding latest/.")
        var input: String

        @Option(name: .shortAndLong, help: "Directory to write into (default: the report's own directory).")
        var output: String?

        func run() throws {
            let report: RunReport
            do { report = try ReportStore.load(input) } catch { throw ValidationError("\(error)") }
            let file = ReportStore.resolve(input)
            let directory = output ?? (file as NSString).deletingLastPathComponent
            do { try ReportStore.write(report, to: directory.isEmpty ? "." : directory) } catch {
                Output.err("Error: \(error)\n")
                throw ExitCode(2)
            }
            Output.out("report: \(directory)\n")
        }
    }
}
