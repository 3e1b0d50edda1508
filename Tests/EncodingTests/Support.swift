import EVMPrimitives
import Foundation
import VectorIO
import XCTest

/// Locates and parses the shared third-party vectors (`../shared/vectors`, see its README).
enum SharedVectors {
    /// `LOCKSTEP_SHARED_VECTORS` if set, else `shared/vectors` beside the package checkout.
    static var root: String {
        if let env = ProcessInfo.processInfo.environment["LOCKSTEP_SHARED_VECTORS"], !env.isEmpty { return env }
        // This file is <checkout>/Tests/EncodingTests/Support.swift; shared/ sits next to <checkout>.
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // EncodingTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // checkout
            .deletingLastPathComponent()  // its parent
            .appendingPathComponent("shared/vectors").path
    }

    /// The vector files under `ethereum-tests/<folder>`, failing the test when there are none.
    static func files(_ folder: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let dir = root + "/ethereum-tests/" + folder
        let files = try VectorFile.collect(paths: [dir])
        XCTAssertFalse(files.isEmpty, "no vector files in \(dir)", file: file, line: line)
        return files
    }

    /// A vector file parsed as a JSON object keyed by test name.
    static func json(_ path: String) throws -> [String: Any] {
        let bytes = try VectorFile.read(path: path)
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        guard let dict = object as? [String: Any] else {
            throw VectorFileError(path: path, reason: "expected a JSON object at the top level")
        }
        return dict
    }
}

/// Bytes of a test string: `0x`-prefixed hex, otherwise its UTF-8 bytes.
func bytesOf(_ s: String) throws -> [UInt8] {
    s.hasPrefix("0x") ? try Hex.decode(s) : Array(s.utf8)
}

/// Minimal big-endian bytes of a decimal number of any size (empty for zero).
func decimalBytes(_ digits: Substring) -> [UInt8] {
    var out: [UInt8] = []
    for ch in digits.utf8 {
        precondition(ch >= 0x30 && ch <= 0x39, "not a decimal digit")
        var carry = Int(ch - 0x30)
        for i in out.indices.reversed() {
            let v = Int(out[i]) * 10 + carry
            out[i] = UInt8(v & 0xff)
            carry = v >> 8
        }
        while carry > 0 {
            out.insert(UInt8(carry & 0xff), at: 0)
            carry >>= 8
        }
    }
    return out
}

/// Big-endian bytes with leading zeros removed (the scalar form RLP requires).
func trimmed(_ bytes: [UInt8]) -> [UInt8] {
    Array(bytes.drop { $0 == 0 })
}

/// A test case with a fresh temporary directory per test and a helper that writes a file into it.
class TemporaryDirectoryTestCase: XCTestCase {
    var dir = ""
    var directoryPrefix: String { "lockstep-test" }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "/\(directoryPrefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
