import Foundation
import XCTest
import EVMPrimitives
import VectorIO

/// Locates the shared third-party vectors (`../shared/vectors`, see its README) and makes scratch directories.
enum BlockTestSupport {
    /// `LOCKSTEP_SHARED_VECTORS` if set, else `shared/vectors` beside the package checkout.
    static var sharedRoot: String {
        if let env = ProcessInfo.processInfo.environment["LOCKSTEP_SHARED_VECTORS"], !env.isEmpty { return env }
        // This file is <checkout>/Tests/BlockTests/Support.swift; shared/ sits next to <checkout>.
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors").path
    }

    /// A shared vector file parsed as a JSON object.
    static func json(_ relative: String) throws -> [String: Any] {
        let bytes = try VectorFile.read(path: sharedRoot + "/ethereum-tests/" + relative)
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw NSError(domain: "BlockTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(relative): not an object"])
        }
        return object
    }

    /// A fresh empty directory under the system's temporary directory.
    static func scratchDirectory(_ name: String = #function) throws -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let dir = NSTemporaryDirectory() + "lockstep-blocktests-\(safe)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func write(_ object: Any, to path: String) throws {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    static func hex(_ s: String) -> [UInt8] { (try? Hex.decode(s)) ?? [] }
}
