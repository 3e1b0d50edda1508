import Foundation

// `lockstep trace diff` (issue 15): the first step at which two EIP-3155 traces of one transaction part, with the
// steps before it in both, and the summary lines when they differ. Pure logic over the JSONL text: the command
// (Sources/lockstep/TraceCommand.swift) reads the files, and the reports attach a `TraceDiff` to a divergence.

/// One line of an EIP-3155 trace: a step (it has `pc`) or the transaction's summary (`output`, `gasUsed`, ...).
/// Values are kept in a canonical text form so that two tools' spellings of one value compare equal: a JSON number
/// and a `0x` string become lowercase `0x` hex without leading zeros (`0x0` for zero); other strings and booleans
/// stay as written; an array is its elements' canonical forms. `null` is the same as an absent field.
public struct TraceLine: Sendable, Equatable {
    /// The line's number in its file, from 1.
    public var line: Int
    /// Every field but `stack`, canonical.
    public var values: [String: String]
    /// The stack, bottom first (EIP-3155's order), canonical; nil when the line has none.
    public var stack: [String]?

    public init(line: Int, values: [String: String], stack: [String]? = nil) {
        self.line = line; self.values = values; self.stack = stack
    }

    /// A field's canonical value (`stack` joined with commas).
    public func value(_ field: String) -> String? {
        field == "stack" ? stack.map { "[" + $0.joined(separator: ",") + "]" } : values[field]
    }

    /// `pc`, `op`, `depth` as integers (canonical hex read back); nil when absent or too large.
    public var pc: Int? { TraceLine.integer(values["pc"]) }
    public var op: Int? { TraceLine.integer(values["op"]) }
    public var depth: Int? { TraceLine.integer(values["depth"]) }

    /// The op's name: the line's `opName`, or the opcode in hex.
    public var opName: String {
        if let name = values["opName"], !name.isEmpty { return name }
        guard let op else { return "?" }
        return "0x" + String(op, radix: 16)
    }

    static func integer(_ text: String?) -> Int? {
        guard let text, text.hasPrefix("0x"), text.count <= 17 else { return nil }
        return Int(text.dropFirst(2), radix: 16)
    }
}

/// Why a trace could not be read: the line (from 1) and what is wrong with it.
public struct TraceParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public init(line: Int, reason: String) { self.line = line; self.reason = reason }
    public var description: String { "line \(line): \(reason)" }
}

/// One transaction's EIP-3155 trace: its steps in order and its summary line.
public struct EIP3155Trace: Sendable, Equatable {
    public var steps: [TraceLine]
    public var summary: TraceLine?

    public init(steps: [TraceLine] = [], summary: TraceLine? = nil) { self.steps = steps; self.summary = summary }

    /// The longest line read (a step with a full 1024-entry stack and memory is far shorter).
    public static let maxLineBytes = 64 << 20

    /// Parses JSONL text (blank lines are skipped). Every non-blank line must be one JSON object; a step must hold
    /// integer `pc`, `op` and `depth`; there is at most one summary line (an object without `pc`), after the steps.
    public static func parse(_ text: some StringProtocol) throws(TraceParseError) -> EIP3155Trace {
        var trace = EIP3155Trace()
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let parsed = try parseLine(String(line), number: number)
            if parsed.values["pc"] != nil {
                if let s = trace.summary {
                    throw TraceParseError(line: number, reason: "a step after the summary line (line \(s.line))")
                }
                trace.steps.append(parsed)
            } else {
                if let s = trace.summary {
                    throw TraceParseError(line: number, reason: "a second summary line (the first is line \(s.line))")
                }
                trace.summary = parsed
            }
        }
        return trace
    }

    /// Parses lines as a tracer returns them (one JSON object each, no newlines), numbered from 1.
    public static func parse(lines: [String]) throws(TraceParseError) -> EIP3155Trace {
        try parse(lines.joined(separator: "\n"))
    }

    static func parseLine(_ text: String, number: Int) throws(TraceParseError) -> TraceLine {
        guard text.utf8.count <= maxLineBytes else {
            throw TraceParseError(line: number, reason: "line longer than \(maxLineBytes) bytes")
        }
        let object: JSONValue
        do {
            object = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw TraceParseError(line: number, reason: "not JSON (\(clip(text)))")
        }
        guard case .object(let pairs) = object else {
            throw TraceParseError(line: number, reason: "not a JSON object (\(clip(text)))")
        }
        var out = TraceLine(line: number, values: [:])
        for (key, value) in pairs {
            if case .null = value { continue }
            if key == "stack" {
                guard case .array(let items) = value else {
                    throw TraceParseError(line: number, reason: "\"stack\" is not an array")
                }
                var stack: [String] = []
                stack.reserveCapacity(items.count)
                for item in items {
                    guard let v = item.scalarText else {
                        throw TraceParseError(line: number, reason: "a \"stack\" entry is not a number or hex string")
                    }
                    stack.append(v)
                }
                out.stack = stack
                continue
            }
            guard let v = value.canonicalText else {
                throw TraceParseError(line: number, reason: "\"\(clip(key))\" has a value of an unexpected kind")
            }
            out.values[key] = v
        }
        if out.values["pc"] != nil {
            for field in ["pc", "op", "depth"] {
                guard let v = out.values[field] else {
                    throw TraceParseError(line: number, reason: "a step without \"\(field)\"")
                }
                guard TraceLine.integer(v) != nil else {
                    throw TraceParseError(line: number, reason: "\"\(field)\" is not a non-negative integer (\(clip(v)))")
                }
            }
        }
        return out
    }

    /// `0x`-prefixed hex digits as lowercase without leading zeros; nil when `s` is not that.
    static func hexCanonical(_ s: String) -> String? {
        let utf8 = s.utf8
        guard utf8.count > 2, s.hasPrefix("0x") || s.hasPrefix("0X") else { return nil }
        var digits = Substring(s.dropFirst(2))
        guard digits.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }) else {
            return nil
        }
        while digits.count > 1, digits.first == "0" { digits = digits.dropFirst() }
        return "0x" + digits.lowercased()
    }

    static func clip(_ s: String, limit: Int = 100) -> String {
        let escaped = s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        guard escaped.utf8.count > limit else { return escaped }
        return String(escaped.prefix(limit)) + "...[\(s.utf8.count) bytes]"
    }
}

/// The first difference between two traces of one transaction (`a` and `b`, e.g. serial's and Block-STM's).
///
/// EIP-3155 prints each step *before* its op runs, so a difference first shown at step n was made by step n-1's op:
/// that step is the `cause`. When the cause is an SLOAD whose result differs, the value was written earlier: `origin`
/// is the last SSTORE to the same slot in the same call frame before it (the write that went wrong, or a write in an
/// earlier frame or transaction when there is none: then `origin` is nil and `note` says so).
public struct TraceDiff: Codable, Sendable, Equatable {
    /// The fields compared on each step.
    public var fields: [String]
    /// Steps in each trace.
    public var stepsA: Int
    public var stepsB: Int
    /// The first differing step; nil when every step agrees.
    public var firstDifference: StepDifference?
    /// The two summary lines (every field but `time`) when they differ; nil when they agree.
    public var summary: SummaryDifference?

    /// The default `fields`: every EIP-3155 step field that two correct EVMs must agree on (not `opName`, which
    /// repeats `op`, nor `memory` and `returnData`, which tracers leave out by default).
    public static let defaultFields = ["pc", "op", "gas", "gasCost", "memSize", "stack", "depth", "refund", "error"]
    /// Steps of context shown before the differing one.
    public static let defaultContext = 3
    /// Stack entries shown from the top.
    public static let stackShown = 4
    /// Summary fields that are not compared (wall time).
    public static let ignoredSummaryFields: Set<String> = ["time"]

    public var identical: Bool { firstDifference == nil && summary == nil }

    public init(fields: [String], stepsA: Int, stepsB: Int, firstDifference: StepDifference? = nil,
                summary: SummaryDifference? = nil) {
        self.fields = fields; self.stepsA = stepsA; self.stepsB = stepsB
        self.firstDifference = firstDifference; self.summary = summary
    }

    /// Compares `a` and `b` on `fields`, with `context` steps before the first difference. `error` compares by
    /// presence only (tools word errors differently; both texts are shown).
    public static func compare(_ a: EIP3155Trace, _ b: EIP3155Trace, fields: [String] = defaultFields,
                               context: Int = defaultContext) -> TraceDiff {
        var out = TraceDiff(fields: fields, stepsA: a.steps.count, stepsB: b.steps.count)
        let common = min(a.steps.count, b.steps.count)
        var first: Int?
        var differing: [FieldDifference] = []
        for i in 0..<common {
            differing = fieldDifferences(a.steps[i], b.steps[i], fields: fields)
            if !differing.isEmpty { first = i; break }
        }
        if first == nil && a.steps.count != b.steps.count { first = common }
        if let n = first {
            let sa = n < a.steps.count ? a.steps[n] : nil, sb = n < b.steps.count ? b.steps[n] : nil
            let shown = sa ?? sb!
            var d = StepDifference(step: n + 1, lineA: sa?.line, lineB: sb?.line, pc: shown.pc ?? 0, op: shown.opName,
                                   depth: shown.depth ?? 0, fields: differing)
            if sa == nil || sb == nil {
                d.note = "trace \(sa == nil ? "A" : "B") ends after \(common) steps; the other goes on"
            }
            if fields.contains("stack"), let sa, let sb, sa.stack != sb.stack {
                d.stack = StackComparison(sa.stack ?? [], sb.stack ?? [])
            }
            let start = max(0, n - max(0, context))
            d.contextA = (start..<min(n + 1, a.steps.count)).map { StepSummary(a.steps[$0], step: $0 + 1) }
            d.contextB = (start..<min(n + 1, b.steps.count)).map { StepSummary(b.steps[$0], step: $0 + 1) }
            if n > 0 {
                // Steps before n agree on the compared fields, so a's view of the previous step stands for both.
                let prev = a.steps[n - 1]
                d.cause = StepRef(prev, step: n)
                if prev.op == 0x54, let sa, let sb, sa.stack != sb.stack || !fields.contains("stack") {
                    d.origin = lastWrite(before: n - 1, in: a)
                    if d.origin == nil {
                        d.note = "the SLOAD at step \(n) read a different value, and no earlier SSTORE to that slot in "
                            + "this call frame wrote it: it was written in another frame or an earlier transaction"
                    }
                }
            }
            out.firstDifference = d
        }
        out.summary = summaryDifference(a.summary, b.summary)
        return out
    }

    static func fieldDifferences(_ a: TraceLine, _ b: TraceLine, fields: [String]) -> [FieldDifference] {
        var out: [FieldDifference] = []
        for f in fields {
            let x = a.value(f), y = b.value(f)
            let differs = f == "error" ? ((x?.isEmpty ?? true) != (y?.isEmpty ?? true)) : x != y
            if differs { out.append(FieldDifference(field: f, a: display(f, x), b: display(f, y))) }
        }
        return out
    }

    /// A field's value for people: decimal for the small integer fields, `-` when absent.
    static func display(_ field: String, _ value: String?) -> String {
        guard let value else { return "-" }
        if ["pc", "op", "depth", "memSize", "refund"].contains(field), let i = TraceLine.integer(value) { return String(i) }
        if field == "gas" || field == "gasCost", let i = TraceLine.integer(value) { return String(i) }
        return value
    }

    /// The last SSTORE before step index `index` (an SLOAD) to the slot that SLOAD reads, in the same call frame.
    static func lastWrite(before index: Int, in t: EIP3155Trace) -> StepRef? {
        let load = t.steps[index]
        guard let key = load.stack?.last, let depth = load.depth else { return nil }
        var i = index - 1
        while i >= 0 {
            let s = t.steps[i]
            guard let d = s.depth else { return nil }
            // A shallower step means the frame was entered after it: nothing earlier belongs to this frame.
            if d < depth { return nil }
            if d == depth, s.op == 0x55, let stack = s.stack, stack.count >= 2, stack[stack.count - 1] == key {
                return StepRef(s, step: i + 1)
            }
            i -= 1
        }
        return nil
    }

    /// The summary lines' differences: fields both lines carry and differ on, `error` by presence; a field only one
    /// tool writes (Lockstep's `pass`, a `stateRoot`) is not compared. A missing summary line differs from a present one.
    static func summaryDifference(_ a: TraceLine?, _ b: TraceLine?) -> SummaryDifference? {
        if (a == nil) != (b == nil) {
            return SummaryDifference(lineA: a?.line, lineB: b?.line,
                                     fields: [FieldDifference(field: "summary line", a: a == nil ? "-" : "present",
                                                              b: b == nil ? "-" : "present")])
        }
        guard let a, let b else { return nil }
        var fields: [FieldDifference] = []
        for k in Set(a.values.keys).union(b.values.keys).sorted() where !ignoredSummaryFields.contains(k) {
            let x = a.values[k], y = b.values[k]
            let differs = k == "error" ? ((x?.isEmpty ?? true) != (y?.isEmpty ?? true)) : (x != nil && y != nil && x != y)
            if differs { fields.append(FieldDifference(field: k, a: display(k, x), b: display(k, y))) }
        }
        return fields.isEmpty ? nil : SummaryDifference(lineA: a.line, lineB: b.line, fields: fields)
    }
}

/// One field's two values at the differing step (`-` when a trace lacks it).
public struct FieldDifference: Codable, Sendable, Equatable {
    public var field: String
    public var a: String
    public var b: String
    public init(field: String, a: String, b: String) { self.field = field; self.a = a; self.b = b }
}

/// Where and how the traces first part.
public struct StepDifference: Codable, Sendable, Equatable {
    /// The step's number in the transaction, from 1.
    public var step: Int
    /// Its line in each file; nil for the trace that has no such step.
    public var lineA: Int?
    public var lineB: Int?
    /// Trace A's pc, op and depth at the step (B's when A has ended).
    public var pc: Int
    public var op: String
    public var depth: Int
    /// The compared fields that differ.
    public var fields: [FieldDifference]
    /// The top of both stacks, when they differ.
    public var stack: StackComparison?
    /// The steps before it and the step itself, in each trace.
    public var contextA: [StepSummary] = []
    public var contextB: [StepSummary] = []
    /// The step whose op produced the difference (the one before); nil at the first step.
    public var cause: StepRef?
    /// When `cause` is an SLOAD that read a different value: the SSTORE that wrote the slot in this frame.
    public var origin: StepRef?
    public var note: String?

    public init(step: Int, lineA: Int?, lineB: Int?, pc: Int, op: String, depth: Int, fields: [FieldDifference]) {
        self.step = step; self.lineA = lineA; self.lineB = lineB; self.pc = pc; self.op = op; self.depth = depth
        self.fields = fields
    }
}

/// A step named by its number, pc, op and depth.
public struct StepRef: Codable, Sendable, Equatable {
    public var step: Int
    public var pc: Int
    public var op: String
    public var depth: Int
    public var line: Int
    public init(step: Int, pc: Int, op: String, depth: Int, line: Int) {
        self.step = step; self.pc = pc; self.op = op; self.depth = depth; self.line = line
    }
    init(_ l: TraceLine, step: Int) {
        self.init(step: step, pc: l.pc ?? 0, op: l.opName, depth: l.depth ?? 0, line: l.line)
    }
    public var description: String { "step \(step) (pc \(pc), \(op), depth \(depth))" }
}

/// A context row: one step's position and the values people look at first.
public struct StepSummary: Codable, Sendable, Equatable {
    public var step: Int
    public var pc: Int
    public var op: String
    public var depth: Int
    public var gas: String
    /// The top stack entry, `-` when the stack is empty.
    public var top: String
    init(_ l: TraceLine, step: Int) {
        self.step = step; pc = l.pc ?? 0; op = l.opName; depth = l.depth ?? 0
        gas = TraceDiff.display("gas", l.values["gas"]); top = l.stack?.last ?? "-"
    }
}

/// The top entries of two stacks, top first, with the ones that differ marked.
public struct StackComparison: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// Position from the top (0 is the top).
        public var position: Int
        public var a: String
        public var b: String
        public var differs: Bool
        public init(position: Int, a: String, b: String, differs: Bool) {
            self.position = position; self.a = a; self.b = b; self.differs = differs
        }
    }
    public var sizeA: Int
    public var sizeB: Int
    public var top: [Entry]
    /// Differing entries below the ones shown.
    public var moreDiffering: Int

    public init(_ a: [String], _ b: [String], shown: Int = TraceDiff.stackShown) {
        sizeA = a.count; sizeB = b.count
        let depth = max(a.count, b.count)
        var entries: [Entry] = []
        var more = 0
        for k in 0..<depth {
            let x = k < a.count ? a[a.count - 1 - k] : "-", y = k < b.count ? b[b.count - 1 - k] : "-"
            if k < shown { entries.append(Entry(position: k, a: x, b: y, differs: x != y)) } else if x != y { more += 1 }
        }
        top = entries; moreDiffering = more
    }
}

/// The summary lines' differing fields.
public struct SummaryDifference: Codable, Sendable, Equatable {
    public var lineA: Int?
    public var lineB: Int?
    public var fields: [FieldDifference]
}

extension TraceDiff {
    /// The diff as text: the differing step, its fields, the stack tops, the context in both, the cause and origin,
    /// and the summary lines' differences. `a` and `b` name the two traces.
    public func render(a: String = "A", b: String = "B") -> String {
        var out: [String] = []
        if identical {
            out.append("traces agree: \(stepsA) steps\(fields == TraceDiff.defaultFields ? "" : " (fields \(fields.joined(separator: ",")))")")
            return out.joined(separator: "\n") + "\n"
        }
        if let d = firstDifference {
            var where_ = "step \(d.step): pc \(d.pc), \(d.op), depth \(d.depth)"
            if let la = d.lineA, let lb = d.lineB { where_ += " (line \(la) of \(a), line \(lb) of \(b))" }
            out.append("first difference at \(where_); \(a) has \(stepsA) steps, \(b) \(stepsB)")
            let width = max(8, d.fields.map(\.field.count).max() ?? 0)
            for f in d.fields where f.field != "stack" {
                out.append("  " + f.field.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(a): \(f.a)  \(b): \(f.b)")
            }
            if let s = d.stack {
                out.append("  stack (top first; * differs; sizes \(s.sizeA) and \(s.sizeB)):")
                for e in s.top {
                    out.append("    \(e.differs ? "*" : " ")[\(e.position)]  \(a): \(e.a)  \(b): \(e.b)")
                }
                if s.moreDiffering > 0 { out.append("    ... \(s.moreDiffering) more differing entries below") }
            }
            if let note = d.note { out.append("  note: \(note)") }
            if let c = d.cause { out.append("  made by \(c.description), the step before") }
            if let o = d.origin { out.append("  the slot it read was last written by the SSTORE at \(o.description)") }
            for (name, rows) in [(a, d.contextA), (b, d.contextB)] {
                out.append("  \(name):")
                for r in rows {
                    out.append("    " + (r.step == d.step ? "> " : "  ") + "step \(r.step)  pc \(r.pc)  \(r.op)  depth \(r.depth)  gas \(r.gas)  top \(r.top)")
                }
            }
        } else {
            out.append("every step agrees (\(stepsA) steps)")
        }
        if let s = summary {
            out.append("summary lines differ:")
            for f in s.fields { out.append("  \(f.field)  \(a): \(f.a)  \(b): \(f.b)") }
        }
        return out.joined(separator: "\n") + "\n"
    }
}

/// A JSON value, decoded strictly (a number is never read as a boolean or the reverse); object keys keep their order.
enum JSONValue: Decodable {
    case null, bool(Bool), unsigned(UInt64), signed(Int64), number(Double), string(String)
    case array([JSONValue]), object([(String, JSONValue)])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var pairs: [(String, JSONValue)] = []
            for key in keyed.allKeys { pairs.append((key.stringValue, try keyed.decode(JSONValue.self, forKey: key))) }
            self = .object(pairs.sorted { $0.0 < $1.0 })
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !unkeyed.isAtEnd { items.append(try unkeyed.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let u = try? c.decode(UInt64.self) { self = .unsigned(u) }
        else if let i = try? c.decode(Int64.self) { self = .signed(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else { self = .string(try c.decode(String.self)) }
    }

    /// A number or string's canonical text (`TraceLine`); nil for anything else.
    var scalarText: String? {
        switch self {
        case .unsigned(let u): "0x" + String(u, radix: 16)
        case .string(let s): EIP3155Trace.hexCanonical(s) ?? s
        default: nil
        }
    }

    /// The canonical text of a scalar or an array of them; nil for an object, a fraction or a negative number.
    var canonicalText: String? {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .signed(let i): return "-0x" + String(i.magnitude, radix: 16)
        case .array(let items):
            var parts: [String] = []
            for item in items {
                guard let v = item.canonicalText else { return nil }
                parts.append(v)
            }
            return "[" + parts.joined(separator: ",") + "]"
        default: return scalarText
        }
    }
}

/// A divergent block's trace diff, as reports show it: the first transaction whose EIP-3155 traces differ between
/// the reference executor and the one under test, and a command that writes both traces and diffs them.
public struct TransactionTraceDiff: Codable, Sendable, Equatable {
    /// The transaction's index in the block.
    public var transaction: Int?
    /// The two executors as the report names them (`serial`, `blockstm x4`, `t8n:...`).
    public var reference: String
    public var executor: String
    /// The diff of that transaction's traces; nil when none could be had (`note` says why).
    public var diff: TraceDiff?
    /// Why there is no diff, or what to read it with (traces that agree on every transaction, a tool that wrote none).
    public var note: String?
    /// One shell line that writes both executors' traces and diffs this transaction's.
    public var command: String?

    public init(transaction: Int?, reference: String, executor: String, diff: TraceDiff? = nil, note: String? = nil,
                command: String? = nil) {
        self.transaction = transaction; self.reference = reference; self.executor = executor; self.diff = diff
        self.note = note; self.command = command
    }

    /// The whole diff as text, the same in every report (no final newline): a heading line, the diff with the
    /// executors' names, the note.
    public func render() -> String {
        var out = "trace diff, \(reference) vs \(executor)"
        if let transaction { out += ", transaction \(transaction)" }
        out += ":\n"
        if let diff { out += diff.render(a: reference, b: executor) }
        if let note { out += "note: \(note)\n" }
        return String(out.dropLast())
    }

    /// One line for one-line reports (`blocktest`): where the traces first differ and what made it.
    public var summaryLine: String {
        guard let transaction else { return "trace diff: \(note ?? "none")" }
        var out = "trace diff: transaction \(transaction)"
        if let f = diff?.firstDifference {
            out += ", first difference at step \(f.step) (pc \(f.pc), \(f.op), depth \(f.depth)) in "
                + (f.fields.map(\.field).joined(separator: ", "))
            if let c = f.cause { out += ", made by \(c.op) at pc \(c.pc)" }
            if let o = f.origin { out += "; the slot was last written by the SSTORE at \(o.description)" }
        } else if let s = diff?.summary {
            out += ", every step agrees; the summary lines differ in \(s.fields.map(\.field).joined(separator: ", "))"
        } else if let note {
            out += ": \(note)"
        }
        return out
    }

    /// Compares each transaction's traces (lines as a tracer gives them, by block index) in block order and returns
    /// the first pair that differs. The scan starts at transaction 0, not at the first divergent receipt: a wrong
    /// storage write leaves its own transaction's receipt alone and shows only where it is read, in its own trace or
    /// a later transaction's. A transaction traced by only one side counts as differing.
    public static func first(reference: String, executor: String, transactions: Int,
                             a: (Int) -> [String]?, b: (Int) -> [String]?,
                             fields: [String] = TraceDiff.defaultFields, context: Int = TraceDiff.defaultContext)
        -> TransactionTraceDiff {
        var out = TransactionTraceDiff(transaction: nil, reference: reference, executor: executor)
        for i in 0..<transactions {
            let la = a(i), lb = b(i)
            if la == nil && lb == nil { continue }
            guard let la, let lb else {
                out.transaction = i
                out.note = "transaction \(i) has a trace from \(la == nil ? executor : reference) only"
                return out
            }
            let ta: EIP3155Trace, tb: EIP3155Trace
            do {
                ta = try EIP3155Trace.parse(lines: la)
                tb = try EIP3155Trace.parse(lines: lb)
            } catch {
                out.transaction = i
                out.note = "transaction \(i)'s trace cannot be read: \(error)"
                return out
            }
            let d = TraceDiff.compare(ta, tb, fields: fields, context: context)
            if !d.identical {
                out.transaction = i
                out.diff = d
                return out
            }
        }
        out.note = "every transaction's trace agrees on \(fields.joined(separator: ", ")): the executors part outside "
            + "the transactions' execution (commit, block end, system calls)"
        return out
    }
}
