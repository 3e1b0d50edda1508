import Foundation
import Execution

extension RunEnvironment {
    /// The environment of this process: cores, CPU model, the checkout's commit, the current UTC time.
    public static func current(seed: UInt64, command: String, threads: [Int], executors: [String], repetitions: Int,
                               shards: [Shard]?, date: Date = Date()) -> RunEnvironment {
        var e = RunEnvironment(cores: ProcessInfo.processInfo.activeProcessorCount, cpuModel: cpuModel(), commit: gitCommit(),
                               seed: seed, date: iso8601(date), command: command, threads: threads, executors: executors,
                               repetitions: repetitions, shards: shards, build: buildConfiguration)
        e.bootstrap = BootstrapSettings(seed: seed)
        e.allocator = allocator()
        return e
    }

    /// The allocator that `malloc` resolves to in this process: `mimalloc <version>` where mimalloc's `mi_version` is
    /// loaded and `malloc` is mimalloc's own (the `lockstep` binary links it ahead of libc), else `glibc malloc`
    /// (in a sanitizer build, the sanitizer's allocator, whose `malloc` the binary itself defines, answers so too).
    public static func allocator() -> String {
        #if os(Linux)
        typealias Version = @convention(c) () -> Int32
        guard let version = Mimalloc.symbol("mi_version") else { return "glibc malloc" }
        let v = Int(unsafeBitCast(version, to: Version.self)())
        return "mimalloc \(v / 100).\(v / 10 % 10).\(v % 10)"
        #else
        return "system malloc"
        #endif
    }

    /// `release` or `debug`, as this module was compiled.
    public static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// The first `model name` of /proc/cpuinfo (x86), else its `CPU part`/`Hardware` lines (ARM), else "unknown".
    public static func cpuModel(cpuinfo path: String = "/proc/cpuinfo") -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return "unknown"
        }
        for key in ["model name", "Hardware", "Processor", "CPU part"] {
            for line in text.split(separator: "\n") where line.hasPrefix(key) {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if !value.isEmpty { return value }
            }
        }
        return "unknown"
    }

    /// `git rev-parse HEAD` in the working directory, or "unknown" (no git, not a checkout).
    public static func gitCommit(directory: String = FileManager.default.currentDirectoryPath) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "unknown"
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              text.count >= 7, text.allSatisfy(\.isHexDigit) else { return "unknown" }
        return text
    }

    /// `2025-01-02T03:04:05Z`.
    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// A run ID from the date (`20250102-030405`), with the shard appended (`-shard1of4`).
    public static func runID(date: Date, shard: Shard?) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f.string(from: date) + (shard.map { "-shard\($0.index)of\($0.count)" } ?? "")
    }
}
