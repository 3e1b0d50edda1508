import ArgumentParser
import Foundation

/// The `lockstep` command line: one subcommand per job, one file per subcommand.
@main
struct Lockstep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockstep",
        abstract: "Conformance and benchmark harness for serial and parallel EVM executors.",
        subcommands: [StateTestCommand.self, BlockTestCommand.self, BlocksCommand.self, BenchCommand.self, RunCommand.self, ReportCommand.self,
                      GenerateCommand.self, T8nCommand.self, TraceCommand.self])

    /// ArgumentParser's own `main`, except that usage errors exit with status 2 (the project's convention: 0 all
    /// passed, 1 a check failed, 2 bad input or usage) instead of EX_USAGE (64).
    static func main() {
        Output.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                // A ValidationError thrown from run() is about the input, not the syntax: no usage text.
                let message = (error as? ValidationError).map { "Error: \($0.message)" } ?? fullMessage(for: error)
                Output.err((message + "\n"))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
