import Foundation
import Execution
import Vectors

/// One executor as every command's `--executor` names it: a built-in one (`BlockRunner.Executor`: serial,
/// blockstm, bal, partition-bound) or any t8n tool (`t8n:COMMAND`, `ExternalT8nExecutor`). Commands take
/// a list of them (repeatable or comma-separated; `all` is every built-in one), and the report names rows
/// by the same names.
public enum ExecutorSpec: Sendable, Equatable {
    case builtIn(BlockRunner.Executor)
    case external(ExternalT8nExecutor)

    public var name: String {
        switch self {
        case .builtIn(let e): e.rawValue
        case .external(let tool): tool.name
        }
    }

    /// What `--executor` accepts, for help and error messages.
    public static let accepted = BlockRunner.Executor.allCases.map(\.rawValue) + ["all", "t8n:COMMAND"]

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses `--executor` values, each a name or a comma-separated list of names; duplicates are dropped,
    /// the order is kept. A `t8n:` command may itself contain commas only as its last element.
    public static func parse(_ values: [String], allowed: Set<BlockRunner.Executor> = Set(BlockRunner.Executor.allCases),
                             allowsExternal: Bool = true) throws(ParseError) -> [ExecutorSpec] {
        var out: [ExecutorSpec] = []
        func add(_ e: ExecutorSpec) { if !out.contains(e) { out.append(e) } }
        for value in values {
            var parts = value.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
            // `t8n:COMMAND` takes the rest of the value (a command line may contain commas).
            if let k = parts.firstIndex(where: { $0.hasPrefix("t8n:") }) {
                parts = Array(parts[..<k]) + [parts[k...].joined(separator: ",")]
            }
            for raw in parts {
                let p = raw.trimmingCharacters(in: .whitespaces)
                if p == "all" {
                    for e in BlockRunner.Executor.allCases where allowed.contains(e) { add(.builtIn(e)) }
                } else if let e = BlockRunner.Executor(rawValue: p), allowed.contains(e) {
                    add(.builtIn(e))
                } else if allowsExternal, let tool = ExternalT8nExecutor.parse(p) {
                    add(.external(tool))
                } else {
                    let known = BlockRunner.Executor.allCases.filter(allowed.contains).map(\.rawValue)
                        + ["all"] + (allowsExternal ? ["t8n:COMMAND"] : [])
                    throw ParseError(description: "--executor: unknown executor \"\(p)\" (known: \(known.joined(separator: ", "))).")
                }
            }
        }
        return out
    }
}
