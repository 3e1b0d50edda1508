import CZstd
import Foundation
import VectorIO
import XCTest

final class VectorIOTests: TemporaryDirectoryTestCase {
    override var directoryPrefix: String { "lockstep-vectorio" }

    /// zstd-compresses with the one-shot API (which records the content size) or the streaming
    /// API (which does not), to cover both kinds of frame.
    func compress(_ bytes: [UInt8], streaming: Bool) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let n: Int
        if !streaming {
            n = out.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { ZSTD_compress(dst.baseAddress, dst.count, $0.baseAddress, $0.count, 3) }
            }
        } else {
            let ctx = ZSTD_createCStream()
            defer { ZSTD_freeCStream(ctx) }
            n = out.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    _ = ZSTD_compressStream2(ctx, &output, &input, ZSTD_e_continue)
                    while ZSTD_compressStream2(ctx, &output, &input, ZSTD_e_end) != 0 {}
                    return output.pos
                }
            }
        }
        XCTAssertEqual(ZSTD_isError(n), 0)
        return Array(out[..<n])
    }

    func sampleJSON() -> [UInt8] {
        var s = "{\n"
        for i in 0..<5000 { s += "  \"case\(i)\": {\"value\": \"0x\(String(i * 7919, radix: 16))\"},\n" }
        s += "  \"end\": null\n}\n"
        return Array(s.utf8)
    }

    func testJsonAndZstdReadIdentically() throws {
        let json = sampleJSON()
        let plain = try write("a.json", json)
        let oneShot = try write("b.json.zst", compress(json, streaming: false))
        let streamed = try write("c.json.zst", compress(json, streaming: true))
        XCTAssertEqual(try VectorFile.read(path: plain), json)
        XCTAssertEqual(try VectorFile.read(path: oneShot), json)
        XCTAssertEqual(try VectorFile.read(path: streamed), json)
        // Two frames back to back decode to the concatenation.
        let twice = try write("d.json.zst", compress(json, streaming: false) + compress(Array("tail".utf8), streaming: true))
        XCTAssertEqual(try VectorFile.read(path: twice), json + Array("tail".utf8))
        // The real shared vectors decompress too.
        let real = try SharedVectors.files("TrieTests")
        XCTAssertTrue(try VectorFile.read(path: real[0]).starts(with: Array("{".utf8)))
    }

    func assertFails(_ path: String, mentioning words: [String], line: UInt = #line) {
        XCTAssertThrowsError(try VectorFile.read(path: path), line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), "error does not name the file: \(text)", line: line)
            for w in words { XCTAssertTrue(text.contains(w), "error lacks \"\(w)\": \(text)", line: line) }
            XCTAssertEqual((error as? VectorFileError)?.path, path, line: line)
        }
    }

    func testTruncatedZstd() throws {
        let frame = compress(sampleJSON(), streaming: true)
        let path = try write("cut.json.zst", Array(frame[..<(frame.count / 2)]))
        assertFails(path, mentioning: ["truncated zstd frame"])
        let header = try write("header-only.json.zst", Array(frame[..<6]))
        assertFails(header, mentioning: ["truncated"])
        let empty = try write("empty.json.zst", [])
        assertFails(empty, mentioning: ["empty"])
    }

    func testCorruptZstd() throws {
        var frame = compress(sampleJSON(), streaming: false)
        frame[0] ^= 0xff  // the magic number
        let badMagic = try write("magic.json.zst", frame)
        assertFails(badMagic, mentioning: ["corrupt zstd data"])
        var body = compress(sampleJSON(), streaming: false)
        for i in stride(from: 20, to: body.count - 8, by: 3) { body[i] ^= 0x5a }
        let badBody = try write("body.json.zst", body)
        assertFails(badBody, mentioning: ["zstd"])
        let trailing = try write("trailing.json.zst", compress(sampleJSON(), streaming: false) + [1, 2, 3, 4, 5, 6, 7, 8])
        assertFails(trailing, mentioning: ["zstd"])
    }

    func testMissingFile() {
        let path = dir + "/nope.json.zst"
        assertFails(path, mentioning: ["no such file"])
        XCTAssertThrowsError(try VectorFile.collect(paths: [path])) { error in
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testCollect() throws {
        let b = try write("sub/b.json.zst", [1])
        let a = try write("sub/deeper/a.json", [1])
        _ = try write("sub/notes.txt", [1])
        _ = try write("sub/x.json.zst.bak", [1])
        let top = try write("top.json", [1])
        let explicit = try write("other.dat", [1])
        let found = try VectorFile.collect(paths: [dir + "/sub", top, dir + "/sub/", explicit, b])
        XCTAssertEqual(found, [dir + "/other.dat", b, a, top].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }
}
