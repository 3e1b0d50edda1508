import ArgumentParser
import Reports
import VectorIO

/// Options of every command that reads vectors: the cap on one input file's size, and whether a run that executes no
/// case may pass.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("max-input-size"),
            help: "Largest input file, after zstd decompression, in bytes or with a K, M or G suffix (powers of 1024). Default: 1G.")
    var maxInputSize: String = "1G"

    @Flag(name: .customLong("allow-empty"),
          help: "Pass even when no case was executed (by default a run that executes nothing fails, with the reason).")
    var allowEmpty = false

    func validate() throws { _ = try Self.size(maxInputSize) }

    /// Sets the cap for every read that follows.
    func apply() throws { VectorFile.maxInputSize = try Self.size(maxInputSize) }

    /// `123`, `64K`, `512M`, `1G` (powers of 1024; a trailing `B` or `iB` is allowed).
    static func size(_ text: String) throws -> Int {
        var digits = Substring(text.uppercased())
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits = digits.dropLast(suffix.count)
            break
        }
        var shift = 0
        switch digits.last {
        case "K": shift = 10
        case "M": shift = 20
        case "G": shift = 30
        case "T": shift = 40
        default: break
        }
        if shift > 0 { digits = digits.dropLast() }
        guard let n = Int(digits), n >= 1, n <= (Int.max >> shift) else {
            throw ValidationError("--max-input-size: expected a positive size such as 1048576, 512M or 1G, got \"\(text)\".")
        }
        return n << shift
    }
}

/// Why a run that executed no case fails: the words every command prints.
enum EmptyRun {
    static func message(_ what: String) -> String {
        "no case was executed (\(what)); a run that executes nothing fails unless --allow-empty is given"
    }
}

extension EmptyRun {
    /// Fails the report's gate when no case passed or failed (all skipped, or none at all), saying so in every
    /// report file.
    static func gate(_ report: inout RunReport) {
        let executed = report.cases.filter { $0.status == .pass || $0.status == .fail }.count
        guard executed == 0, var gate = report.gate else { return }
        let skipped = report.cases.filter { $0.status == .skip }.count
        let why = report.cases.isEmpty ? "the suite holds no case" : skipped == report.cases.count
            ? "all \(skipped) cases were skipped" : "every case is in error"
        gate.passed = false
        gate.findings.insert(GateFinding(kind: .failures, subject: "no cases", detail: message(why), currentValue: 0), at: 0)
        report.gate = gate
    }

    /// Exit status 2 when some case could not run at all (input that could not be read or loaded), after the report
    /// is written and printed.
    static func exitForErrors(_ report: RunReport) throws {
        let errors = report.cases.filter { $0.status == .error }.count
        guard errors > 0 else { return }
        Output.err("error: \(errors) case\(errors == 1 ? "" : "s") could not run (unreadable or malformed input, listed above)\n")
        throw ExitCode(2)
    }
}
