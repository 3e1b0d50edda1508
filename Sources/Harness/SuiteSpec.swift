import Foundation
import Reports

/// A suite file (`lockstep run --suite FILE`): JSON naming what to run. Every field is optional; command-line options
/// override it. Paths are relative to the suite file's directory.
///
///     {"name": "nightly", "paths": ["../shared/vectors/ethereum-tests/GeneralStateTests/stExample"],
///      "generated": true, "transactions": 400, "threads": [1, 2, 4], "executors": ["blockstm"],
///      "seed": 7, "repetitions": 5, "filter": "erc20|stExample"}
public struct SuiteSpec: Codable, Sendable, Equatable {
    public var name: String?
    /// State-test files, block vectors, or directories of either.
    public var paths: [String]?
    /// Whether to add the default generated blocks (default: only when `paths` is empty).
    public var generated: Bool?
    /// Transactions per generated block.
    public var transactions: Int?
    public var threads: [Int]?
    /// Executor names (`serial`, `blockstm`, `blockstm-forced`); serial always runs as the reference.
    public var executors: [String]?
    public var seed: UInt64?
    public var repetitions: Int?
    /// Regular expression on case and workload names.
    public var filter: String?

    public init(name: String? = nil, paths: [String]? = nil, generated: Bool? = nil, transactions: Int? = nil,
                threads: [Int]? = nil, executors: [String]? = nil, seed: UInt64? = nil, repetitions: Int? = nil,
                filter: String? = nil) {
        self.name = name; self.paths = paths; self.generated = generated; self.transactions = transactions
        self.threads = threads; self.executors = executors; self.seed = seed; self.repetitions = repetitions
        self.filter = filter
    }

    /// Transactions per generated block in the default suite: enough work per block that thread start-up does not
    /// dominate, small enough that the default run stays well under two minutes on two cores.
    public static let defaultTransactions = 1000

    /// The shared mainnet blocks (`<shared vectors>/mainnet`) that the default suite runs as its `mainnet` suite:
    /// under `LOCKSTEP_SHARED_VECTORS` when set, else `../shared/vectors` beside the package root; nil when absent.
    public static func sharedMainnetDirectory(packageRoot: String?) -> String? {
        var vectors: String?
        if let env = ProcessInfo.processInfo.environment["LOCKSTEP_SHARED_VECTORS"], !env.isEmpty {
            vectors = env
        } else if let packageRoot {
            vectors = ((packageRoot as NSString).deletingLastPathComponent as NSString).appendingPathComponent("shared/vectors")
        }
        guard let vectors else { return nil }
        let dir = (vectors as NSString).appendingPathComponent("mainnet")
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) && isDirectory.boolValue ? dir : nil
    }

    /// Where the mainnet suite's skip list lives, relative to the package root.
    public static let mainnetSkipListRelativePath = "Vectors/mainnet-skip.txt"

    /// Reads a suite file; relative paths in it are resolved against its directory.
    public static func load(_ path: String) throws(ReportIOError) -> SuiteSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportIOError(path: path, reason: "cannot read the suite file")
        }
        var spec: SuiteSpec
        do {
            spec = try JSONDecoder().decode(SuiteSpec.self, from: data)
        } catch {
            throw ReportIOError(path: path, reason: "not a suite file (JSON with optional paths, generated, transactions, threads, executors, seed, repetitions, filter): \(error)")
        }
        let base = (path as NSString).deletingLastPathComponent
        spec.paths = spec.paths?.map { p in
            p.hasPrefix("/") || base.isEmpty ? p : (base as NSString).appendingPathComponent(p)
        }
        return spec
    }
}
