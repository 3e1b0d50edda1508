import CZstd
import Foundation

/// Why a vector file could not be found, read or decompressed; names the file.
public struct VectorFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or directory concerned.
    public let path: String
    /// What went wrong, for a person to read.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Reads vector files (`.json`, or `.json.zst` compressed with zstd) and expands paths to file lists.
public enum VectorFile {
    /// The whole file; a name ending in `.zst` is zstd-decompressed.
    public static func read(path: String) throws(VectorFileError) -> [UInt8] {
        let raw = try readRaw(path: path)
        return path.hasSuffix(".zst") ? try decompress(raw, path: path) : raw
    }

    /// The file's bytes as stored.
    public static func readRaw(path: String) throws(VectorFileError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VectorFileError(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw VectorFileError(path: path, reason: "is a directory, expected a file") }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return [UInt8](data)
        } catch {
            throw VectorFileError(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Decompresses zstd data (one or more frames). Uses the streaming decoder because a frame need
    /// not record its content size; `path` only labels errors.
    public static func decompress(_ bytes: [UInt8], path: String) throws(VectorFileError) -> [UInt8] {
        guard !bytes.isEmpty else { throw VectorFileError(path: path, reason: "empty file, expected a zstd frame") }
        guard let stream = ZSTD_createDStream() else {
            throw VectorFileError(path: path, reason: "zstd: cannot allocate a decompression context")
        }
        defer { ZSTD_freeDStream(stream) }

        // Start from the declared content size when the first frame has one, else a guess.
        let declared = bytes.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        var capacity = bytes.count * 4 + 4096
        if declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR && declared < (1 << 32) {
            capacity = Int(declared) + 1
        }
        var out = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        var consumed = 0
        // ZSTD_decompressStream returns 0 exactly when a frame is complete and flushed; frames may
        // follow one another, so decoding goes on until the input is used up.
        while true {
            if produced == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
            let outCount = out.count
            let before = (consumed, produced)
            let result: Int = bytes.withUnsafeBytes { src in
                out.withUnsafeMutableBytes { dst in
                    var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: consumed)
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: outCount, pos: produced)
                    let r = ZSTD_decompressStream(stream, &output, &input)
                    consumed = input.pos
                    produced = output.pos
                    return r
                }
            }
            if ZSTD_isError(result) != 0 {
                let name = String(cString: ZSTD_getErrorName(result))
                throw VectorFileError(path: path, reason: "corrupt zstd data near input byte \(consumed): \(name)")
            }
            if consumed == bytes.count {
                if result == 0 { break }
                // The decoder had room to write and nothing left to read, yet the frame is open.
                if produced < outCount { throw VectorFileError(path: path, reason: "truncated zstd frame") }
            } else if result != 0 && before == (consumed, produced) && produced < outCount {
                throw VectorFileError(path: path, reason: "zstd decoder made no progress at input byte \(consumed)")
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Expands files and directories (recursively) into the `.json` and `.json.zst` files they
    /// hold, sorted by byte order of the path and without duplicates. A file named explicitly is
    /// kept whatever its extension. A missing path is an error.
    public static func collect(paths: [String]) throws(VectorFileError) -> [String] {
        var found = Set<String>()
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw VectorFileError(path: path, reason: "no such file or directory")
            }
            guard isDirectory.boolValue else {
                found.insert(path)
                continue
            }
            let subpaths: [String]
            do {
                subpaths = try fm.subpathsOfDirectory(atPath: path)
            } catch {
                throw VectorFileError(path: path, reason: "cannot list directory: \(error.localizedDescription)")
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            for sub in subpaths where isVectorName(sub) {
                let full = base + "/" + sub
                var subIsDirectory: ObjCBool = false
                if fm.fileExists(atPath: full, isDirectory: &subIsDirectory), !subIsDirectory.boolValue {
                    found.insert(full)
                }
            }
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether a file name is a vector file by its extension.
    public static func isVectorName(_ name: String) -> Bool {
        name.hasSuffix(".json") || name.hasSuffix(".json.zst")
    }
}
