import Foundation

/// A regular expression (ICU syntax) that selects case names by searching anywhere in the name.
public struct NamePattern: @unchecked Sendable, CustomStringConvertible {
    // NSRegularExpression is immutable once built and documented as safe to use from several threads.
    private let regex: NSRegularExpression
    public let pattern: String

    public init(_ pattern: String) throws(PatternError) {
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw PatternError(pattern: pattern, reason: "not a valid regular expression")
        }
        self.pattern = pattern
    }

    public func matches(_ name: String) -> Bool {
        regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }

    public var description: String { pattern }
}

/// A pattern that could not be compiled.
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    public var pattern: String
    public var reason: String
    public var description: String { "\"\(pattern)\": \(reason)" }
}

/// Cases to skip, each with the reason a report shows. File format, one entry per line:
/// `<regular expression on the case name> # <reason>`; blank lines and lines starting with `#` are ignored.
/// The pattern ends at the first `#` that follows white space, so a pattern cannot contain " #".
public struct SkipList: Sendable {
    /// One line of the list.
    public struct Entry: Sendable {
        public var pattern: NamePattern
        public var reason: String
        public init(pattern: NamePattern, reason: String) { self.pattern = pattern; self.reason = reason }
    }

    public var entries: [Entry]

    /// Where the CLI looks for the state-test skip list, relative to the package root.
    public static let defaultRelativePath = "Vectors/statetest-skip.txt"

    public init(entries: [Entry] = []) { self.entries = entries }

    /// Parses the text of a skip list; `source` names it in errors.
    public init(text: String, source: String) throws(SkipListError) {
        var entries: [Entry] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var pattern = line
            var reason = ""
            if let hash = SkipList.commentStart(in: line) {
                pattern = line[..<hash].trimmingCharacters(in: .whitespaces)
                reason = line[line.index(after: hash)...].trimmingCharacters(in: .whitespaces)
            }
            do {
                entries.append(Entry(pattern: try NamePattern(pattern),
                                     reason: reason.isEmpty ? "listed in \(source)" : reason))
            } catch {
                throw SkipListError(file: source, line: number + 1, reason: error.description)
            }
        }
        self.entries = entries
    }

    /// Reads a skip-list file.
    public init(contentsOf path: String) throws(SkipListError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SkipListError(file: path, line: nil, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SkipListError(file: path, line: nil, reason: "not UTF-8 text")
        }
        try self.init(text: text, source: path)
    }

    /// The reason of the first entry matching `name`, or nil when the case is not listed.
    public func reason(for name: String) -> String? {
        entries.first { $0.pattern.matches(name) }?.reason
    }

    /// The index of the first `#` preceded by white space.
    private static func commentStart(in line: String) -> String.Index? {
        var previous: Character = "x"
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if c == "#" && (previous == " " || previous == "\t") { return i }
            previous = c
            i = line.index(after: i)
        }
        return nil
    }
}

/// A skip list that could not be read or parsed.
public struct SkipListError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String
    public var description: String { line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)" }
}
