import Foundation

/// Reading and writing report directories: `results.json` (the model) and the files rendered from it.
public enum ReportStore {
    public static let resultsFile = "results.json"
    public static let files = ["results.json", "report.md", "index.html", "junit.xml"]

    /// The model as pretty, key-sorted JSON: the same report always encodes to the same bytes.
    public static func encode(_ r: RunReport) throws(ReportIOError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(r)
            data.append(0x0A)
            return data
        } catch {
            throw ReportIOError(path: resultsFile, reason: "cannot encode the report: \(error)")
        }
    }

    /// Decodes `results.json`; a newer schema than this build knows is an error (fields may have changed meaning).
    public static func decode(_ data: Data, path: String) throws(ReportIOError) -> RunReport {
        let report: RunReport
        do {
            report = try JSONDecoder().decode(RunReport.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ReportIOError(path: path, reason: "missing field \(Self.path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(type, context) {
            throw ReportIOError(path: path, reason: "field \(Self.path(context.codingPath)) is not a \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ReportIOError(path: path, reason: "field \(Self.path(context.codingPath)) is null, expected a \(type)")
        } catch let DecodingError.dataCorrupted(context) {
            throw ReportIOError(path: path, reason: "not a lockstep results.json: \(context.debugDescription)")
        } catch {
            throw ReportIOError(path: path, reason: "not a lockstep results.json: \(error)")
        }
        if report.schemaVersion > RunReport.currentSchemaVersion {
            throw ReportIOError(path: path, reason: "schema version \(report.schemaVersion), this build reads up to \(RunReport.currentSchemaVersion)")
        }
        return report
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
    }

    /// Loads a report from `results.json`, a report directory, or a root holding `latest/`.
    public static func load(_ path: String) throws(ReportIOError) -> RunReport {
        let file = resolve(path)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ReportIOError(path: path, reason: "cannot read \(file)")
        }
        return try decode(data, path: file)
    }

    /// The `results.json` a path names.
    public static func resolve(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return path }
        let direct = (path as NSString).appendingPathComponent(resultsFile)
        if FileManager.default.fileExists(atPath: direct) { return direct }
        return (path as NSString).appendingPathComponent("latest/" + resultsFile)
    }

    /// Every rendering of the report, by file name.
    public static func renderings(_ r: RunReport) throws(ReportIOError) -> [String: Data] {
        [
            "results.json": try encode(r),
            "report.md": Data(MarkdownWriter.render(r).utf8),
            "index.html": Data(HTMLWriter.render(r).utf8),
            "junit.xml": Data(JUnitWriter.render(r).utf8),
        ]
    }

    /// Writes every file into `directory` (created when missing).
    public static func write(_ r: RunReport, to directory: String) throws(ReportIOError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportIOError(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        for (name, data) in try renderings(r) {
            let path = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: path, contents: data) else {
                throw ReportIOError(path: path, reason: "cannot write the file")
            }
        }
    }

    /// Most runs the history chart shows.
    public static let maxHistory = 30

    /// The speedups of the runs under `root` (each `<run-id>/results.json` that loads; unreadable ones are left out),
    /// in run-ID order, then `current`'s: at most `maxHistory`, the newest.
    public static func history(root: String, current: RunReport) -> [HistoryRun] {
        let fm = FileManager.default
        var runs: [HistoryRun] = []
        let names = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { $0 != "latest" && $0 != current.runID }.sorted()
        for name in names {
            let file = (root as NSString).appendingPathComponent(name + "/results.json")
            guard let data = fm.contents(atPath: file), let r = try? decode(data, path: file) else { continue }
            runs.append(HistoryRun(r))
        }
        runs.append(HistoryRun(current))
        return Array(runs.suffix(maxHistory))
    }

    /// Writes the report to `<root>/<runID>/` (a new directory: a suffix is added if the ID is taken) and points
    /// `<root>/latest` at it with a relative symlink. Returns the directory written.
    @discardableResult
    public static func writeRun(_ r: RunReport, root: String) throws(ReportIOError) -> String {
        let fm = FileManager.default
        var name = r.runID
        var n = 2
        while fm.fileExists(atPath: (root as NSString).appendingPathComponent(name)) {
            name = "\(r.runID)-\(n)"; n += 1
        }
        let directory = (root as NSString).appendingPathComponent(name)
        var r = r
        r.runID = name
        try write(r, to: directory)
        let latest = (root as NSString).appendingPathComponent("latest")
        // Replace an old link (or a broken one, which fileExists does not see).
        if (try? fm.destinationOfSymbolicLink(atPath: latest)) != nil {
            try? fm.removeItem(atPath: latest)
        }
        do {
            try fm.createSymbolicLink(atPath: latest, withDestinationPath: name)
        } catch {
            throw ReportIOError(path: latest, reason: "cannot point latest at \(name): \(error.localizedDescription)")
        }
        return directory
    }
}

/// A report file or directory that could not be read or written.
public struct ReportIOError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
