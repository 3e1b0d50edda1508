import CZstd
import Foundation
import Synchronization

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

    /// The path as echoed: control characters escaped, an overlong path shortened with its length shown.
    public var description: String { "\(Echo.path(path)): \(reason)" }
}

/// Reads vector files (`.json`, or `.json.zst` compressed with zstd) and expands paths to file lists.
///
/// Every read is capped (`maxInputSize`, `--max-input-size`): a plain file larger than the cap is refused before it
/// is read, and a zstd file is decompressed once into a small scratch buffer only to count its size (never trusting
/// the size a frame header claims) before the real decompression into a buffer of exactly that size. A zstd bomb
/// therefore costs time up to the cap, never memory.
public enum VectorFile {
    /// The default cap on the bytes one input file may hold (after decompression): 1 GiB.
    public static let defaultMaxInputSize = 1 << 30

    private static let maxInputSizeStorage = Atomic<Int>(defaultMaxInputSize)

    /// The cap every `read` applies unless given another; set once from `--max-input-size`.
    public static var maxInputSize: Int {
        get { maxInputSizeStorage.load(ordering: .relaxed) }
        set { maxInputSizeStorage.store(max(0, newValue), ordering: .relaxed) }
    }

    /// The whole file; a name ending in `.zst` is zstd-decompressed. At most `limit` bytes (after decompression).
    public static func read(path: String, limit: Int? = nil) throws(VectorFileError) -> [UInt8] {
        let limit = limit ?? maxInputSize
        let raw = try readRaw(path: path, limit: limit)
        return path.hasSuffix(".zst") ? try decompress(raw, path: path, limit: limit) : raw
    }

    /// The file's bytes as stored. Only regular files are read (a FIFO or a device is named as such, not waited
    /// on), and one larger than `limit` bytes is refused before it is read.
    public static func readRaw(path: String, limit: Int? = nil) throws(VectorFileError) -> [UInt8] {
        let limit = limit ?? maxInputSize
        // O_NONBLOCK: opening a FIFO with no writer must not hang; fstat then refuses it.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw VectorFileError(path: path, reason: openFailure(errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw VectorFileError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
        }
        if let kind = FileKind(mode: st.st_mode), kind != .regular {
            throw VectorFileError(path: path, reason: kind == .directory ? "is a directory, expected a file"
                                  : "is \(kind.article), not a regular file")
        }
        let size = Int(st.st_size)
        if size > limit { throw VectorFileError(path: path, reason: tooLarge(size, limit)) }
        return try readToEnd(fd: fd, label: path, limit: limit, expected: size)
    }

    /// Standard input to its end, at most `limit` bytes: a pipe has no size to check first, so the cap holds for
    /// what is read, and reading stops at the first chunk beyond it. Errors name `stdin`.
    public static func readStandardInput(limit: Int? = nil) throws(VectorFileError) -> [UInt8] {
        try readToEnd(fd: STDIN_FILENO, label: "stdin", limit: limit ?? maxInputSize, expected: 0)
    }

    /// Reads `fd` to its end, refusing more than `limit` bytes; `expected` is a size hint, `label` names the input.
    static func readToEnd(fd: Int32, label path: String, limit: Int, expected size: Int) throws(VectorFileError) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw VectorFileError(path: path, reason: "cannot read: \(String(cString: strerror(errno)))")
            }
            // The file may grow while it is read: the cap holds for what is read, not only for what fstat said.
            if out.count + n > limit { throw VectorFileError(path: path, reason: tooLarge(out.count + n, limit)) }
            out.append(contentsOf: chunk[..<n])
        }
        return out
    }

    static func openFailure(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES: "permission denied"
        case ELOOP: "too many levels of symbolic links"
        case ENOTDIR: "a component of the path is not a directory"
        default: "cannot open: \(String(cString: strerror(code)))"
        }
    }

    static func tooLarge(_ size: Int, _ limit: Int) -> String {
        "holds more than \(limit) bytes (\(size) read), the --max-input-size limit"
    }

    /// Decompresses zstd data (one or more frames) to at most `limit` bytes. The first pass decodes into a small
    /// scratch buffer to count the output (and finds corrupt or truncated data); the second decodes into a buffer of
    /// exactly that size. `path` only labels errors.
    public static func decompress(_ bytes: [UInt8], path: String, limit: Int? = nil) throws(VectorFileError) -> [UInt8] {
        let limit = limit ?? maxInputSize
        guard !bytes.isEmpty else { throw VectorFileError(path: path, reason: "empty file, expected a zstd frame") }
        let size: Int
        do throws(ZstdFailure) {
            var scratch = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
            size = try scratch.withUnsafeMutableBytes { buffer in
                Result { () throws(ZstdFailure) -> Int in try stream(bytes, limit: limit, output: buffer, reuse: true) }
            }.get()
        } catch {
            throw VectorFileError(path: path, reason: error.reason)
        }
        if size == 0 { return [] }
        do throws(ZstdFailure) {
            // One spare byte: the decoder always has room, so a frame's end (its checksum) is read in full.
            var failure: ZstdFailure?
            let out = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
                do throws(ZstdFailure) {
                    count = try stream(bytes, limit: size, output: UnsafeMutableRawBufferPointer(buffer), reuse: false)
                } catch {
                    failure = error
                    count = 0
                }
            }
            if let failure { throw failure }
            guard out.count == size else { throw ZstdFailure(reason: "zstd: the data decoded differently the second time") }
            return out
        } catch {
            throw VectorFileError(path: path, reason: error.reason)
        }
    }

    struct ZstdFailure: Error { var reason: String }

    /// Decodes every frame of `bytes` into `output`: from its start each time when `reuse` (counting only), else
    /// filling it once. Returns the total size; fails past `limit` bytes. Input goes in 4 KiB pieces, so that an
    /// error's position is known to within one piece.
    private static func stream(_ bytes: [UInt8], limit: Int, output: UnsafeMutableRawBufferPointer,
                               reuse: Bool) throws(ZstdFailure) -> Int {
        guard let ds = ZSTD_createDStream() else { throw ZstdFailure(reason: "zstd: cannot allocate a decompression context") }
        defer { ZSTD_freeDStream(ds) }
        let piece = 4096
        var consumed = 0
        var produced = 0
        var frameStart = 0
        return try bytes.withUnsafeBytes { src in Result { () throws(ZstdFailure) -> Int in
            while true {
                let before = consumed
                var input = ZSTD_inBuffer(src: src.baseAddress, size: min(src.count, consumed + piece), pos: consumed)
                let base = reuse ? 0 : produced
                var out = ZSTD_outBuffer(dst: output.baseAddress.map { $0 + base }, size: output.count - base, pos: 0)
                let result = ZSTD_decompressStream(ds, &out, &input)
                if ZSTD_isError(result) != 0 {
                    let name = String(cString: ZSTD_getErrorName(result))
                    throw ZstdFailure(reason: "corrupt zstd data (\(name)) in the frame starting at input byte \(frameStart), "
                                      + "found by input byte \(input.size) of \(src.count)")
                }
                consumed = input.pos
                produced += out.pos
                if produced > limit {
                    throw ZstdFailure(reason: reuse ? "decompresses to more than \(limit) bytes, the --max-input-size limit"
                                      : "zstd: the data decoded differently the second time")
                }
                if result == 0 {
                    // A frame is complete and flushed; another may follow.
                    frameStart = consumed
                    if consumed == src.count { return produced }
                } else if consumed == src.count && out.pos < out.size {
                    // All input given, room left to write, and the frame is still open.
                    throw ZstdFailure(reason: "truncated zstd frame: the input ends at byte \(src.count) inside the frame "
                                      + "starting at input byte \(frameStart)")
                } else if consumed == before && out.pos == 0 {
                    throw ZstdFailure(reason: "zstd decoder made no progress at input byte \(consumed)")
                }
            }
        } }.get()
    }

    // MARK: - Finding files

    /// Expands files and directories (recursively) into the `.json` and `.json.zst` files they hold, sorted by byte
    /// order of the path and without duplicates. Symbolic links to files and to directories are followed, and each
    /// directory (and each file) is visited once, by device and inode, so link loops end. A file named explicitly is
    /// kept whatever its extension. A missing path is an error.
    public static func collect(paths: [String]) throws(VectorFileError) -> [String] {
        var found = Set<String>()
        var walker = DirectoryWalker()
        for path in paths {
            guard let info = DirectoryWalker.info(path) else {
                throw VectorFileError(path: path, reason: "no such file or directory")
            }
            guard info.kind == .directory else {
                found.insert(path)
                continue
            }
            var base = path
            while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
            guard walker.firstVisit(info) else { continue }
            var pending = [base]
            while let dir = pending.popLast() {
                for entry in try walker.entries(of: dir) {
                    switch entry.kind {
                    case .directory:
                        if let info = entry.info, walker.firstVisit(info) { pending.append(entry.path) }
                    default:
                        guard isVectorName(entry.name) else { continue }
                        // A dangling link or a FIFO is kept, so that reading it reports what it is.
                        if let info = entry.info, !walker.firstVisit(info) { continue }
                        found.insert(entry.path)
                    }
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

/// What a path is, after following symbolic links.
public enum FileKind: Sendable, Equatable {
    case regular, directory, fifo, characterDevice, blockDevice, socket

    init?(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        default: return nil
        }
    }

    /// "a FIFO (named pipe)", "a character device", ...
    public var article: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a directory"
        case .fifo: "a FIFO (named pipe)"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        }
    }
}

/// A file's identity and kind (`stat`, links followed).
public struct FileInfo: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public var kind: FileKind?

    public static func == (a: FileInfo, b: FileInfo) -> Bool { a.device == b.device && a.inode == b.inode }
    public func hash(into h: inout Hasher) { h.combine(device); h.combine(inode) }
}

/// Walks directory trees following symbolic links, visiting each directory once by device and inode.
public struct DirectoryWalker: Sendable {
    private var visited = Set<FileInfo>()

    public init() {}

    /// One directory entry: its name, its path, and what it is (nil for a dangling link).
    public struct Entry: Sendable {
        public var name: String
        public var path: String
        public var info: FileInfo?
        public var kind: FileKind? { info?.kind }
    }

    /// `stat` of a path, following links; nil when it does not exist (or is a dangling link).
    public static func info(_ path: String) -> FileInfo? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileInfo(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), kind: FileKind(mode: st.st_mode))
    }

    /// True the first time a file or directory is seen.
    public mutating func firstVisit(_ info: FileInfo) -> Bool { visited.insert(info).inserted }

    /// The entries of a directory, sorted by name (byte order), `.` and `..` left out.
    public func entries(of dir: String) throws(VectorFileError) -> [Entry] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw VectorFileError(path: dir, reason: "cannot list directory: \(error.localizedDescription)")
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { name in
            let path = dir + "/" + name
            return Entry(name: name, path: path, info: DirectoryWalker.info(path))
        }
    }
}
