import Foundation

/// Runs other programs to the end (not Lockstep's executors: `ExternalT8nExecutor` spawns those itself, with a
/// process group and a deadline).
public enum Tool {
    /// Runs `path` with `arguments` (and `environment`, when given, instead of this process's) until it exits:
    /// its exit status and its stdout and stderr together.
    public static func run(_ path: String, _ arguments: [String],
                           environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let environment { p.environment = environment }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
