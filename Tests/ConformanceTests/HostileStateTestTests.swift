import Foundation
import XCTest
import EVMPrimitives
@testable import Vectors

/// Issue 12 in the state-test loader: strict hex widths, duplicate keys, empty input, secret keys, bounded echoes.
final class HostileStateTestTests: XCTestCase {
    typealias F = StateTestLoaderTests

    func load(_ text: String) -> StateTestFile { StateTestLoader.load(json: Array(text.utf8), file: "f.json") }

    func load(_ tests: [String: Any]) -> StateTestFile { StateTestLoader.load(json: F.json(tests), file: "f.json") }

    func reasons(_ file: StateTestFile) -> String { file.errors.map(\.description).joined(separator: "\n") }

    func testOddLengthHexIsRejected() {
        var pre = F.pre()
        var account = pre[F.contract] as! [String: Any]
        account["code"] = "0x600"
        pre[F.contract] = account
        let code = load(["t": F.test(pre: pre)])
        XCTAssertEqual(code.cases.count, 0)
        XCTAssertTrue(reasons(code).contains("code: odd number of hex digits (3)"), reasons(code))
        var tx = F.transaction()
        tx["to"] = String(F.contract.dropLast())  // 39 digits
        let to = load(["t": F.test(tx: tx)])
        XCTAssertTrue(reasons(to).contains("transaction.to: odd number of hex digits (39)"), reasons(to))
        let hash = load(["t": F.test(post: F.post([F.entry(hash: String(F.rootA.dropLast()))]))])
        XCTAssertTrue(reasons(hash).contains("post.Cancun[0].hash: odd number of hex digits (63)"), reasons(hash))
        // Numbers keep their odd digit counts.
        XCTAssertEqual(load(["t": F.test()]).errors, [])
    }

    func testDuplicateKeysAreRejected() {
        let test = String(decoding: try! JSONSerialization.data(withJSONObject: F.test(), options: [.sortedKeys]), as: UTF8.self)
        let twice = load("{\"same\": \(test), \"same\": \(test)}")
        XCTAssertEqual(twice.cases.count, 0)
        XCTAssertTrue(reasons(twice).contains("duplicate key \"same\" in the top-level object"), reasons(twice))
        let account = test.replacingOccurrences(of: "\"pre\":{", with: "\"pre\":{\"\(F.sender)\":{},")
        let alloc = load("{\"t\": \(account)}")
        XCTAssertTrue(reasons(alloc).contains("duplicate key \"\(F.sender)\" in t.pre"), reasons(alloc))
    }

    func testEmptyInputIsAnError() {
        XCTAssertTrue(reasons(load("{}")).contains("no tests"))
        let noPost = load(["t": F.test(post: [:])])
        XCTAssertEqual(noPost.cases.count, 0)
        XCTAssertTrue(reasons(noPost).contains("post: no fork has an entry"), reasons(noPost))
    }

    func testSecretKeyIsCheckedWhenSenderIsGiven() {
        var tx = F.transaction()
        tx["secretKey"] = "0x" + String(repeating: "00", count: 32)
        XCTAssertTrue(reasons(load(["t": F.test(tx: tx)])).contains("not a valid secp256k1 secret key"))
        tx["secretKey"] = "0x" + String(repeating: "11", count: 32)
        XCTAssertTrue(reasons(load(["t": F.test(tx: tx)])).contains("but transaction.sender is"))
        tx["secretKey"] = F.secretKey
        XCTAssertEqual(load(["t": F.test(tx: tx)]).errors, [])
    }

    func testHostileKeysAndNamesAreCutAndEscaped() {
        var pre = F.pre()
        let key = "0x" + String(repeating: "ab", count: 1_000_000)
        pre[key] = pre[F.sender]
        let file = load(["t": F.test(pre: pre)])
        XCTAssertEqual(file.errors.count, 1)
        XCTAssertLessThan(reasons(file).utf8.count, 500, "the error echoes the whole key")
        XCTAssertTrue(reasons(file).contains("[2000002 bytes]"), reasons(file))
        let named = load(["evil\u{1b}[2J\nname": F.test()])
        XCTAssertEqual(named.cases.first?.name, "f.json:evil\\u{1b}[2J\\u{a}name:Cancun:d0g0v0")
        let fork = load(["t": F.test(post: F.post([F.entry()], fork: "X\u{7}" + String(repeating: "y", count: 10_000)))])
        XCTAssertLessThan(reasons(fork).utf8.count, 300, reasons(fork))
        XCTAssertTrue(reasons(fork).contains("X\\u{7}"), reasons(fork))
    }
}
