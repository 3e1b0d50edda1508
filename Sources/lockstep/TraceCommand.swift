import ArgumentParser
import Foundation
import Execution
import VectorIO

/// `lockstep trace`: work on EIP-3155 traces.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Work on EIP-3155 traces.",
        subcommands: [Diff.self])

    /// `lockstep trace diff A B`.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the first step at which two EIP-3155 traces differ.",
            discussion: """
                A and B are EIP-3155 JSONL trace files (one transaction each; .zst accepted), or two directories of \
                trace-<index>-<hash>.jsonl files, matched by name. Prints the first differing step (number, pc, op, \
                depth, each differing field with both values, the top of both stacks with the differing entries \
                marked), the steps before it in both traces, the step whose op made the difference and, when that is \
                an SLOAD, the SSTORE that last wrote the slot in that frame; then the summary lines' differences. \
                Exit status: 0 when the traces agree, 1 when they differ, 2 when an input cannot be read (the file \
                and line are named).
                """)

        @Argument(help: "The first trace file or directory.")
        var a: String

        @Argument(help: "The second trace file or directory.")
        var b: String

        @Option(help: "The step fields compared, comma-separated (default: \(TraceDiff.defaultFields.joined(separator: ","))).")
        var fields: String?

        @Option(help: "Steps of context shown before the first difference.")
        var context: Int = TraceDiff.defaultContext

        @Flag(help: "Print the result as JSON.")
        var json = false

        @OptionGroup var input: InputOptions

        var fieldList: [String] {
            guard let fields else { return TraceDiff.defaultFields }
            return fields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        func validate() throws {
            try input.validate()
            if fields != nil && fieldList.isEmpty { throw ValidationError("--fields: give at least one field name.") }
            if context < 0 { throw ValidationError("--context: expected a number of steps, 0 or more, got \(context).") }
        }

        func run() throws {
            try input.apply()
            let result: TraceComparison
            do { result = try TraceComparison.compare(a, b, fields: fieldList, context: context) } catch {
                Output.err("error: \(error)\n")
                throw ExitCode(2)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(result)
                Output.out(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                Output.out(result.render())
            }
            if !result.identical { throw ExitCode(1) }
        }
    }
}

/// Two trace files, or two directories of them, compared.
struct TraceComparison: Codable {
    /// One pair of files (or a name only one directory has).
    struct File: Codable {
        var name: String
        var a: String?
        var b: String?
        var diff: TraceDiff?
    }
    var a: String
    var b: String
    var files: [File]
    var identical: Bool { files.allSatisfy { $0.a != nil && $0.b != nil && ($0.diff?.identical ?? false) } }

    private enum CodingKeys: String, CodingKey { case a, b, files, identical }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(a, forKey: .a); try c.encode(b, forKey: .b); try c.encode(files, forKey: .files)
        try c.encode(identical, forKey: .identical)
    }
    init(a: String, b: String, files: [File]) { self.a = a; self.b = b; self.files = files }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        a = try c.decode(String.self, forKey: .a); b = try c.decode(String.self, forKey: .b)
        files = try c.decode([File].self, forKey: .files)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func compare(_ a: String, _ b: String, fields: [String], context: Int) throws -> TraceComparison {
        let da = isDirectory(a), db = isDirectory(b)
        guard da == db else {
            throw Failure(description: "\(Echo.path(da ? a : b)) is a directory and \(Echo.path(da ? b : a)) is not: "
                          + "give two trace files or two directories of them")
        }
        guard da else {
            let diff = TraceDiff.compare(try load(a), try load(b), fields: fields, context: context)
            return TraceComparison(a: a, b: b, files: [File(name: (a as NSString).lastPathComponent, a: a, b: b, diff: diff)])
        }
        let na = try traceFiles(a), nb = try traceFiles(b)
        let names = Set(na).union(nb).sorted(by: nameOrder)
        guard !names.isEmpty else {
            throw Failure(description: "neither \(Echo.path(a)) nor \(Echo.path(b)) holds a trace-<index>-<hash>.jsonl file")
        }
        var files: [File] = []
        for name in names {
            let pa = na.contains(name) ? (a as NSString).appendingPathComponent(name) : nil
            let pb = nb.contains(name) ? (b as NSString).appendingPathComponent(name) : nil
            var f = File(name: name, a: pa, b: pb)
            if let pa, let pb { f.diff = TraceDiff.compare(try load(pa), try load(pb), fields: fields, context: context) }
            files.append(f)
        }
        return TraceComparison(a: a, b: b, files: files)
    }

    /// Sorts `trace-<i>-...` names by the transaction index, then by name.
    static func nameOrder(_ x: String, _ y: String) -> Bool {
        let ix = index(x), iy = index(y)
        return ix != iy ? ix < iy : x < y
    }

    static func index(_ name: String) -> Int {
        let parts = name.split(separator: "-")
        return parts.count > 1 ? Int(parts[1]) ?? Int.max : Int.max
    }

    static func isDirectory(_ path: String) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
    }

    /// The `trace-<index>-<hash>.jsonl` (or `.jsonl.zst`) names in a directory.
    static func traceFiles(_ dir: String) throws -> Set<String> {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw Failure(description: "\(Echo.path(dir)): cannot list the directory")
        }
        return Set(names.filter { n in
            n.hasPrefix("trace-") && (n.hasSuffix(".jsonl") || n.hasSuffix(".jsonl.zst")) && index(n) != Int.max
        })
    }

    /// Reads and parses one trace file; errors name the file and the line.
    static func load(_ path: String) throws -> EIP3155Trace {
        let bytes: [UInt8]
        do { bytes = try VectorFile.read(path: path) } catch { throw Failure(description: error.description) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Failure(description: "\(Echo.path(path)): not UTF-8 text")
        }
        // Duplicate keys would be resolved silently by a JSON parser: refused, as everywhere else in Lockstep.
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if let dup = JSONKeys.firstDuplicate(in: Array(line)) {
                throw Failure(description: "\(Echo.path(path)): line \(number): \(dup)")
            }
        }
        do { return try EIP3155Trace.parse(text) } catch {
            throw Failure(description: "\(Echo.path(path)): \(error)")
        }
    }

    func render() -> String {
        var out = "A: \(Echo.path(a))\nB: \(Echo.path(b))\n"
        let single = files.count == 1 && !TraceComparison.isDirectory(a)
        var differing = 0
        for f in files {
            guard f.a != nil, f.b != nil else {
                differing += 1
                out += "\(Echo.clip(f.name)): only in \(Echo.path(f.a != nil ? a : b))\n"
                continue
            }
            guard let d = f.diff, !d.identical else { continue }
            differing += 1
            if !single { out += "\(Echo.clip(f.name)):\n" }
            out += d.render()
        }
        if single {
            if let d = files.first?.diff, d.identical { out += d.render() }
        } else {
            out += "\(files.count - differing) of \(files.count) traces agree\(differing > 0 ? ", \(differing) differ" : "")\n"
        }
        return out
    }
}

/// A divergence's trace diff on the terminal (`blocks`, `run`): the report's text, indented, and the command.
enum TraceDiffText {
    static func indented(_ t: TransactionTraceDiff, by indent: String) -> String {
        var lines = t.render().split(separator: "\n").map { indent + $0 }
        if let command = t.command { lines.append(indent + "reproduce the traces: " + command) }
        return lines.joined(separator: "\n")
    }
}
