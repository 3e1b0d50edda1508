import Foundation
import VectorIO
import Vectors

/// Sorts the paths given to `lockstep run` into state-test files and block vectors.
///
/// A directory holding `alloc.json` (or `.json.zst`) is a block vector in the t8n directory form. A single JSON file is
/// a block vector when its top-level keys are t8n parts (`alloc`, `env`, `txs`, ...: the single-file form); any other
/// JSON file is read as a state test (`{test: {env, pre, transaction, post}}`), so a file of neither kind shows up as
/// a state-test load error naming the file.
public enum VectorClassifier {
    /// The state-test files and block vectors under `paths`, each named as the loaders name them (relative to the
    /// directory argument it was found under, or its last path component), each list sorted by path.
    public static func classify(_ paths: [String]) throws(VectorFileError) -> (stateTests: [VectorSource], blocks: [VectorSource]) {
        var stateTests: [VectorSource] = []
        var blocks: [VectorSource] = []
        for source in try BlockVectorIO.collect(paths: paths) {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory)
            if isDirectory.boolValue || isSingleFileBlockVector(source.path) {
                blocks.append(source)
            } else {
                stateTests.append(source)
            }
        }
        return (stateTests, blocks)
    }

    /// The top-level keys of a t8n single-file vector, and `block` of a mainnet block (`MainnetBlockLoader`).
    static let blockParts: Set<String> = ["alloc", "env", "txs", "expected", "metadata", "block"]

    /// Whether a file's JSON is a block vector: its first top-level key (ignoring `_`-prefixed ones such as `_info`)
    /// is a t8n part (`alloc`, `env`, `txs`, `expected`, `metadata`). A state test's top-level keys are test names. The
    /// scan stops at that first key, so a large state-test file costs a few bytes. An unreadable file is not a block
    /// vector (the state-test loader then reports why it cannot be read).
    static func isSingleFileBlockVector(_ path: String) -> Bool {
        guard let bytes = try? VectorFile.read(path: path) else { return false }
        return firstTopLevelKey(bytes, skippingPrefix: "_").map(blockParts.contains) ?? false
    }

    /// The first key of the top-level JSON object that does not start with `prefix`, by a byte scan that tracks
    /// nesting and skips string contents; nil when there is none. Not a validator: the loaders report malformed JSON.
    static func firstTopLevelKey(_ bytes: [UInt8], skippingPrefix prefix: String) -> String? {
        var depth = 0
        var i = 0
        let n = bytes.count
        while i < n {
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < n && bytes[j] != UInt8(ascii: "\"") {
                    j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1
                }
                if depth == 1 {
                    // A key when a colon follows (after white space).
                    var k = j + 1
                    while k < n && (bytes[k] == 0x20 || bytes[k] == 0x0A || bytes[k] == 0x0D || bytes[k] == 0x09) { k += 1 }
                    if k < n && bytes[k] == UInt8(ascii: ":") {
                        let key = String(decoding: bytes[(i + 1)..<min(j, n)], as: UTF8.self)
                        if !key.hasPrefix(prefix) { return key }
                    }
                }
                i = j
            default:
                break
            }
            i += 1
        }
        return nil
    }
}
