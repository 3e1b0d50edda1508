import CZstd
import Foundation
import VectorIO
import XCTest

/// Issue 12: hostile input never crashes, hangs, exhausts memory or passes silently (the VectorIO layer).
final class HostileInputTests: TemporaryDirectoryTestCase {
    override var directoryPrefix: String { "lockstep-hostile" }

    func compress(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let n = out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { ZSTD_compress(dst.baseAddress, dst.count, $0.baseAddress, $0.count, 3) }
        }
        XCTAssertEqual(ZSTD_isError(n), 0)
        return Array(out[..<n])
    }

    func reason(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        XCTFail("expected an error")
        return ""
    }

    // MARK: - zstd

    func testZstdBombStopsAtTheCap() throws {
        let bomb = try write("bomb.json.zst", compress([UInt8](repeating: 0, count: 8 << 20)))
        let text = reason { _ = try VectorFile.read(path: bomb, limit: 1 << 20) }
        XCTAssertTrue(text.contains("decompresses to more than 1048576 bytes"), text)
        XCTAssertTrue(text.contains("--max-input-size"), text)
        // Under the cap it reads in full.
        XCTAssertEqual(try VectorFile.read(path: bomb, limit: 8 << 20).count, 8 << 20)
    }

    func testFrameHeaderSizeIsNotTrusted() throws {
        // A 14-byte frame whose header claims 4 GB (single segment): refused, nothing allocated from the claim.
        var liar: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd, 0xa0]
        withUnsafeBytes(of: UInt32(0xFFFF_FFF0).littleEndian) { liar += $0 }
        liar += [0x11, 0x00, 0x00, 0x7b, 0x7d]
        let path = try write("liar.json.zst", liar)
        let text = reason { _ = try VectorFile.read(path: path) }
        XCTAssertTrue(text.contains("zstd"), text)
        // A frame that claims less than it holds is not cut short either, and one that claims more is truncated.
        let json = Array(String(repeating: "{\"a\":1}", count: 1000).utf8)
        XCTAssertEqual(try VectorFile.decompress(compress(json), path: "x", limit: json.count), json)
        XCTAssertThrowsError(try VectorFile.decompress(compress(json), path: "x", limit: json.count - 1))
    }

    func testZstdErrorsSayWhere() throws {
        let first = compress(Array(String(repeating: "first frame ", count: 500).utf8))
        var second = compress(Array(String(repeating: "second frame ", count: 500).utf8))
        second[0] ^= 0xff  // the second frame's magic number
        let path = try write("two.json.zst", first + second)
        let text = reason { _ = try VectorFile.read(path: path) }
        XCTAssertTrue(text.contains("in the frame starting at input byte \(first.count)"), text)
        XCTAssertFalse(text.contains("near input byte 0"), text)
        let cut = try write("cut.json.zst", first + Array(compress(Array("tail".utf8)).prefix(7)))
        let truncated = reason { _ = try VectorFile.read(path: cut) }
        XCTAssertTrue(truncated.contains("truncated zstd frame"), truncated)
        XCTAssertTrue(truncated.contains("starting at input byte \(first.count)"), truncated)
    }

    func testPlainFileOverTheCap() throws {
        let path = try write("big.json", [UInt8](repeating: 0x20, count: 5000))
        let text = reason { _ = try VectorFile.read(path: path, limit: 4096) }
        XCTAssertTrue(text.contains("more than 4096 bytes"), text)
    }

    func testMaxInputSizeIsGlobal() throws {
        let path = try write("big.json", [UInt8](repeating: 0x20, count: 5000))
        let saved = VectorFile.maxInputSize
        defer { VectorFile.maxInputSize = saved }
        VectorFile.maxInputSize = 100
        XCTAssertThrowsError(try VectorFile.read(path: path))
        VectorFile.maxInputSize = saved
        XCTAssertEqual(try VectorFile.read(path: path).count, 5000)
    }

    // MARK: - Files that are not regular files

    func testFifoAndDeviceAreNamed() throws {
        let fifo = dir + "/pipe.json"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        // Would block forever in open() before: no writer ever comes.
        let text = reason { _ = try VectorFile.read(path: fifo) }
        XCTAssertTrue(text.contains("is a FIFO (named pipe), not a regular file"), text)
        let device = reason { _ = try VectorFile.read(path: "/dev/null") }
        XCTAssertTrue(device.contains("is a character device"), device)
        XCTAssertFalse(device.contains("permission"), device)
        let missing = reason { _ = try VectorFile.read(path: dir + "/nope.json") }
        XCTAssertTrue(missing.contains("no such file"), missing)
    }

    // MARK: - Directory walks

    func testSymlinkLoopsEndAndCountOnce() throws {
        let loop = dir + "/L"
        try FileManager.default.createDirectory(atPath: loop, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: loop + "/a", withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: loop + "/b", withDestinationPath: ".")
        XCTAssertEqual(try VectorFile.collect(paths: [loop]), [])
        let one = try write("L1/case.json", Array("{}".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/L1/a", withDestinationPath: ".")
        XCTAssertEqual(try VectorFile.collect(paths: [dir + "/L1"]), [one])
    }

    func testLinksToDirectoriesAndFilesAreFollowed() throws {
        let real = try write("real/sub/x.json", Array("{}".utf8))
        _ = real
        let link = dir + "/lnk"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir + "/real")
        XCTAssertEqual(try VectorFile.collect(paths: [link]), [link + "/sub/x.json"])
        let other = dir + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: other + "/y.json", withDestinationPath: dir + "/real/sub/x.json")
        try FileManager.default.createSymbolicLink(atPath: other + "/d", withDestinationPath: dir + "/real/sub")
        // The file is reached twice (by the link to it and through the linked directory): listed once.
        XCTAssertEqual(try VectorFile.collect(paths: [other]), [other + "/y.json"])
    }

    // MARK: - Duplicate JSON keys

    func duplicate(_ text: String) -> DuplicateJSONKey? { JSONKeys.firstDuplicate(in: Array(text.utf8)) }

    func testDuplicateKeysFound() {
        XCTAssertNil(duplicate(#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#))
        XCTAssertEqual(duplicate(#"{"t": {}, "t": {}}"#)?.description,
                       "duplicate key \"t\" in the top-level object (second at byte 10)")
        XCTAssertEqual(duplicate(#"{"pre": {"0x01": {}, "0x01": {}}}"#)?.path, "pre")
        XCTAssertEqual(duplicate(#"{"txs": [{}, {"v": 1, "v": 2}]}"#)?.path, "txs[1]")
        // Equal after decoding escapes.
        XCTAssertEqual(duplicate(#"{"a": 1, "\u0061": 2}"#)?.key, "a")
        // Quotes, braces and commas inside strings are not structure.
        XCTAssertNil(duplicate(#"{"a": "\"a\": {,}", "b": "}", "c": ","}"#))
        // Deep nesting is no recursion.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertNil(duplicate(deep))
        let deepObjects = String(repeating: "{\"k\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
        XCTAssertNil(duplicate(deepObjects))
    }

    // MARK: - Echo

    func testEchoCutsAndEscapes() {
        XCTAssertEqual(Echo.clip("plain"), "plain")
        XCTAssertEqual(Echo.clip("red\u{1b}[31m\u{7}"), "red\\u{1b}[31m\\u{7}")
        let long = "0x" + String(repeating: "ab", count: 5_000_000)
        let clipped = Echo.clip(long)
        XCTAssertLessThan(clipped.utf8.count, 130)
        XCTAssertTrue(clipped.hasSuffix("...[10000002 bytes]"), clipped)
        XCTAssertEqual(Echo.clip("a\u{202E}b"), "a\\u{202e}b")
        XCTAssertEqual(VectorFileError(path: "x\ny", reason: "r").description, "x\\u{a}y: r")
    }
}
