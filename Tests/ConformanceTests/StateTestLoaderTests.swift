import Foundation
import XCTest
import EVMPrimitives
import Execution
@testable import Harness
@testable import Vectors

/// The state-test loader on tiny hand-written fixtures: fields, transaction types, sender derivation, bad input.
final class StateTestLoaderTests: XCTestCase {
    // MARK: - Fixtures

    static let coinbase = "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"
    static let contract = "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"
    static let sender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"
    /// The ethereum/tests key whose address is `sender`.
    static let secretKey = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
    static let rootA = "0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530"
    static let rootB = "0x00000000000000000000000000000000000000000000000000000000000000bb"
    static let emptyLogs = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"

    static func env() -> [String: Any] {
        ["currentBaseFee": "0x0a", "currentCoinbase": coinbase, "currentDifficulty": "0x020000",
         "currentExcessBlobGas": "0x0e0000", "currentGasLimit": "0xff112233445566", "currentNumber": "0x01",
         "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
         "currentTimestamp": "0x03e8"]
    }

    static func pre() -> [String: Any] {
        [contract: ["balance": "0x0de0b6b3a7640000", "code": "0x600160010160005500", "nonce": "0x07",
                    "storage": ["0x00": "0x01", "0x01": "0x00", "0x0000000000000000000000000000000000000000000000000000000000000002": "0x0102"]],
         sender: ["balance": "0x0de0b6b3a7640000", "code": "0x", "nonce": "0x00", "storage": [String: Any]()]]
    }

    static func transaction() -> [String: Any] {
        ["data": ["0x", "0x1234"], "gasLimit": ["0x061a80", "0x5208"], "gasPrice": "0x0a", "nonce": "0x00",
         "secretKey": secretKey, "sender": sender, "to": contract, "value": ["0x0186a0", "0x00"]]
    }

    static func post(_ entries: [[String: Any]], fork: String = "Cancun") -> [String: Any] {
        [fork: entries]
    }

    static func entry(d: Int = 0, g: Int = 0, v: Int = 0, hash: String = rootA, exception: String? = nil) -> [String: Any] {
        var e: [String: Any] = ["hash": hash, "indexes": ["data": d, "gas": g, "value": v], "logs": emptyLogs,
                                "txbytes": "0xf863800a"]
        if let exception { e["expectException"] = exception }
        return e
    }

    static func test(env: [String: Any] = env(), pre: [String: Any] = pre(), tx: [String: Any] = transaction(),
                     post: [String: Any] = post([entry()])) -> [String: Any] {
        ["env": env, "pre": pre, "transaction": tx, "post": post]
    }

    static func json(_ tests: [String: Any]) -> [UInt8] {
        // Test fixtures are literals: serialization cannot fail.
        Array(try! JSONSerialization.data(withJSONObject: tests, options: [.sortedKeys]))
    }

    func load(_ tests: [String: Any], file: String = "fixture.json") -> StateTestFile {
        StateTestLoader.load(json: Self.json(tests), file: file)
    }

    // MARK: - Valid input

    func testValidCaseParsedRight() throws {
        let file = load(["simple": Self.test(post: Self.post([
            Self.entry(d: 1, g: 0, v: 0),
            Self.entry(d: 0, g: 1, v: 1, hash: Self.rootB, exception: "TransactionException.INTRINSIC_GAS_TOO_LOW"),
        ]))])
        XCTAssertEqual(file.errors, [])
        XCTAssertEqual(file.cases.count, 2)
        let c = try XCTUnwrap(file.cases.first)
        XCTAssertEqual(c.name, "fixture.json:simple:Cancun:d1g0v0")
        XCTAssertEqual(c.file, "fixture.json")
        XCTAssertEqual(c.test, "simple")
        XCTAssertEqual(c.forkName, "Cancun")
        XCTAssertEqual(c.fork, .cancun)
        XCTAssertEqual(c.indexes, StateTestIndexes(data: 1, gas: 0, value: 0))
        XCTAssertEqual(c.expectedStateRoot, try Hash32(hex: Self.rootA))
        XCTAssertEqual(c.expectedLogsHash, try Hash32(hex: Self.emptyLogs))
        XCTAssertNil(c.expectException)
        XCTAssertNil(c.unrepresentable)
        XCTAssertEqual(c.txBytes, [0xf8, 0x63, 0x80, 0x0a])

        // Environment.
        XCTAssertEqual(c.env.coinbase, try Address(hex: Self.coinbase))
        XCTAssertEqual(c.env.gasLimit, 0xff112233445566)
        XCTAssertEqual(c.env.number, 1)
        XCTAssertEqual(c.env.timestamp, 1000)
        XCTAssertEqual(c.env.difficulty, UInt256(0x020000))
        XCTAssertEqual(c.env.prevRandao, UInt256(0x020000))
        XCTAssertEqual(c.env.baseFee, UInt256(10))
        XCTAssertEqual(c.env.excessBlobGas, 0x0e0000)
        XCTAssertEqual(c.env.chainId, 1)
        XCTAssertEqual(c.env.blockHashes, [:])

        // Pre-state: the zero-valued slot is dropped, short keys are read as numbers.
        let contract = try XCTUnwrap(c.pre.accounts[try Address(hex: Self.contract)])
        XCTAssertEqual(contract.info.nonce, 7)
        XCTAssertEqual(contract.info.balance, UInt256(1_000_000_000_000_000_000))
        XCTAssertEqual(contract.info.code.bytes, [0x60, 0x01, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00])
        XCTAssertEqual(contract.storage, [UInt256(0): UInt256(1), UInt256(2): UInt256(0x0102)])
        let eoa = try XCTUnwrap(c.pre.accounts[try Address(hex: Self.sender)])
        XCTAssertTrue(eoa.info.code.isEmpty)
        XCTAssertEqual(eoa.storage, [:])
        XCTAssertEqual(c.pre.accounts.count, 2)

        // Transaction: data[1], gasLimit[0], value[0].
        XCTAssertEqual(c.tx.type, .legacy)
        XCTAssertNil(c.tx.chainId)
        XCTAssertEqual(c.tx.nonce, 0)
        XCTAssertEqual(c.tx.gasPrice, UInt256(10))
        XCTAssertEqual(c.tx.gasLimit, 400_000)
        XCTAssertEqual(c.tx.to, try Address(hex: Self.contract))
        XCTAssertEqual(c.tx.value, UInt256(100_000))
        XCTAssertEqual(c.tx.data, [0x12, 0x34])
        XCTAssertEqual(c.tx.accessList, [])
        XCTAssertEqual(c.tx.sender, try Address(hex: Self.sender))

        let invalid = file.cases[1]
        XCTAssertEqual(invalid.name, "fixture.json:simple:Cancun:d0g1v1")
        XCTAssertEqual(invalid.expectException, "TransactionException.INTRINSIC_GAS_TOO_LOW")
        XCTAssertEqual(invalid.tx.data, [])
        XCTAssertEqual(invalid.tx.gasLimit, 21_000)
        XCTAssertEqual(invalid.tx.value, .zero)
        XCTAssertEqual(invalid.expectedStateRoot, try Hash32(hex: Self.rootB))
    }

    func testCasesComeInTestForkAndPostOrder() {
        var post = Self.post([Self.entry(d: 1), Self.entry(d: 0)])
        post["Shanghai"] = [Self.entry()]
        let file = load(["b": Self.test(post: post), "a": Self.test()])
        XCTAssertEqual(file.errors, [])
        XCTAssertEqual(file.cases.map(\.name), [
            "fixture.json:a:Cancun:d0g0v0", "fixture.json:b:Cancun:d1g0v0", "fixture.json:b:Cancun:d0g0v0",
            "fixture.json:b:Shanghai:d0g0v0",
        ])
        // Before Cancun there is no excess blob gas, whatever the vector says.
        XCTAssertNil(file.cases[3].env.excessBlobGas)
        XCTAssertEqual(file.cases[3].fork, .shanghai)
    }

    func testTransactionTypeInference() throws {
        var dynamic = Self.transaction()
        dynamic["gasPrice"] = nil
        dynamic["maxFeePerGas"] = "0x0e"
        dynamic["maxPriorityFeePerGas"] = "0x02"
        var blob = dynamic
        blob["maxFeePerBlobGas"] = "0x01"
        blob["blobVersionedHashes"] = ["0x0100000000000000000000000000000000000000000000000000000000000000"]
        var accessList = Self.transaction()
        // The null entry makes data index 0 a legacy transaction; data index 1 carries a list.
        accessList["accessLists"] = [NSNull(), [["address": "0x0000000000000000000000000000000000000064",
                                                 "storageKeys": ["0x00", "0x0000000000000000000000000000000000000000000000000000000000000064"]]]]
        var creation = Self.transaction()
        creation["to"] = ""
        let file = load([
            "dynamic": Self.test(tx: dynamic), "blob": Self.test(tx: blob),
            "accessList": Self.test(tx: accessList, post: Self.post([Self.entry(d: 0), Self.entry(d: 1)])),
            "creation": Self.test(tx: creation),
        ])
        XCTAssertEqual(file.errors, [])
        let byName = Dictionary(uniqueKeysWithValues: file.cases.map { ($0.name, $0) })

        let d = try XCTUnwrap(byName["fixture.json:dynamic:Cancun:d0g0v0"]).tx
        XCTAssertEqual(d.type, .dynamicFee)
        XCTAssertEqual(d.chainId, 1)
        XCTAssertEqual(d.maxFeePerGas, UInt256(14))
        XCTAssertEqual(d.maxPriorityFeePerGas, UInt256(2))

        let b = try XCTUnwrap(byName["fixture.json:blob:Cancun:d0g0v0"]).tx
        XCTAssertEqual(b.type, .blob)
        XCTAssertEqual(b.maxFeePerBlobGas, UInt256(1))
        XCTAssertEqual(b.blobVersionedHashes,
                       [try Hash32(hex: "0x0100000000000000000000000000000000000000000000000000000000000000")])

        let legacy = try XCTUnwrap(byName["fixture.json:accessList:Cancun:d0g0v0"]).tx
        XCTAssertEqual(legacy.type, .legacy)
        XCTAssertEqual(legacy.accessList, [])
        let typed = try XCTUnwrap(byName["fixture.json:accessList:Cancun:d1g0v0"]).tx
        XCTAssertEqual(typed.type, .accessList)
        XCTAssertEqual(typed.chainId, 1)
        XCTAssertEqual(typed.gasPrice, UInt256(10))
        XCTAssertEqual(typed.accessList, [AccessListEntry(address: Address(truncating: UInt256(0x64)),
                                                          storageKeys: [UInt256(0), UInt256(0x64)])])

        let create = try XCTUnwrap(byName["fixture.json:creation:Cancun:d0g0v0"]).tx
        XCTAssertNil(create.to)
    }

    func testSenderDerivedFromSecretKey() throws {
        var tx = Self.transaction()
        tx["sender"] = nil
        var other = tx
        other["secretKey"] = "0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4"
        let file = load(["derived": Self.test(tx: tx), "other": Self.test(tx: other)])
        XCTAssertEqual(file.errors, [])
        XCTAssertEqual(file.cases.map(\.tx.sender), [
            try Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"),
            try Address(hex: "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826"),
        ])
        XCTAssertNil(SecretKey.address(of: [UInt8](repeating: 0, count: 32)), "zero is not a valid secret key")
    }

    func testBlockHashesAndBigintMarker() throws {
        var env = Self.env()
        env["blockHashes"] = ["0": Self.rootA, "0x01": Self.rootB]
        var tx = Self.transaction()
        tx["value"] = ["0x:bigint 0x10000000000000000000000000000000000000000000000000000000000000001", "0x:bigint 0x05"]
        let file = load(["t": Self.test(env: env, tx: tx, post: Self.post([Self.entry(v: 0), Self.entry(v: 1)]))])
        XCTAssertEqual(file.errors, [])
        XCTAssertEqual(file.cases.count, 2)
        XCTAssertEqual(file.cases[0].env.blockHashes, [0: try Hash32(hex: Self.rootA), 1: try Hash32(hex: Self.rootB)])
        // A value wider than 256 bits cannot be encoded: the case loads, marked as an invalid transaction.
        XCTAssertNotNil(file.cases[0].unrepresentable)
        XCTAssertEqual(file.cases[1].tx.value, UInt256(5))
        XCTAssertNil(file.cases[1].unrepresentable)
    }

    // MARK: - Bad input: an error naming the file and the reason, the rest still loads

    func testMalformedJSON() {
        let file = StateTestLoader.load(json: Array(#"{"t": {"env": "#.utf8), file: "broken.json")
        XCTAssertEqual(file.cases.count, 0)
        XCTAssertEqual(file.errors.count, 1)
        XCTAssertEqual(file.errors.first?.file, "broken.json")
        XCTAssertEqual(file.errors.first?.test, nil)
        XCTAssertTrue(file.errors.first?.reason.hasPrefix("malformed JSON") ?? false, "\(file.errors)")
        XCTAssertTrue(file.errors.first?.description.hasPrefix("broken.json: malformed JSON") ?? false)

        let notObject = StateTestLoader.load(json: Array("[1, 2]".utf8), file: "array.json")
        XCTAssertEqual(notObject.errors.map(\.reason), ["expected a JSON object of tests at the top level, got an array"])
    }

    func testTruncatedZstd() throws {
        let dir = try temporaryDirectory()
        let good = try sharedVectors().appendingPathComponent("ethereum-tests/GeneralStateTests/stExample/add11.json.zst")
        let bytes = try Data(contentsOf: good)
        let truncated = dir.appendingPathComponent("truncated.json.zst")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        try bytes.write(to: dir.appendingPathComponent("whole.json.zst"))

        let sources = try StateTestLoader.sources(for: [dir.path])
        XCTAssertEqual(sources.map(\.name), ["truncated.json.zst", "whole.json.zst"])
        let broken = StateTestLoader.load(sources[0])
        XCTAssertEqual(broken.cases.count, 0)
        XCTAssertEqual(broken.errors.count, 1)
        XCTAssertEqual(broken.errors.first?.file, "truncated.json.zst")
        XCTAssertFalse(broken.errors.first?.reason.isEmpty ?? true)
        let whole = StateTestLoader.load(sources[1])
        XCTAssertEqual(whole.errors, [])
        XCTAssertEqual(whole.cases.map(\.name), ["whole.json.zst:add11:Cancun:d0g0v0"])

        // The runner reports the broken file as a failure and still runs the other one.
        let results = StateTestRunner(threads: 2).run(sources: sources)
        XCTAssertEqual(results.map(\.name), ["truncated.json.zst", "whole.json.zst:add11:Cancun:d0g0v0"])
        XCTAssertTrue(results[0].isFailure)
        XCTAssertEqual(results[0].error, broken.errors.first?.reason)
    }

    func testWrongHexLength() {
        var env = Self.env()
        env["currentCoinbase"] = "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9"
        var tx = Self.transaction()
        tx["to"] = "0x095e7baea6a6c7c4c2dfeb977efac326af552d8700"
        let file = load(["badEnv": Self.test(env: env), "badTo": Self.test(tx: tx), "good": Self.test()])
        XCTAssertEqual(file.cases.map(\.name), ["fixture.json:good:Cancun:d0g0v0"])
        XCTAssertEqual(file.errors.map(\.name), ["fixture.json:badEnv", "fixture.json:badTo"])
        XCTAssertTrue(file.errors[0].reason.hasPrefix("env.currentCoinbase: expected 20 bytes of hex, got 19"),
                      file.errors[0].reason)
        XCTAssertTrue(file.errors[1].reason.hasPrefix("transaction.to: expected 20 bytes of hex, got 21"),
                      file.errors[1].reason)

        // A bad expected hash spoils only its own case.
        let post = Self.post([Self.entry(hash: "0x1234"), Self.entry(d: 1)])
        let partial = load(["t": Self.test(post: post)])
        XCTAssertEqual(partial.cases.map(\.name), ["fixture.json:t:Cancun:d1g0v0"])
        XCTAssertEqual(partial.errors.map(\.name), ["fixture.json:t:Cancun:d0g0v0"])
        XCTAssertTrue(partial.errors[0].reason.hasPrefix("post.Cancun[0].hash: expected 32 bytes of hex, got 2"),
                      partial.errors[0].reason)
    }

    func testUnknownFork() {
        var post = Self.post([Self.entry()])
        post["Frobnicate"] = [Self.entry()]
        let file = load(["t": Self.test(post: post)])
        XCTAssertEqual(file.cases.map(\.name), ["fixture.json:t:Cancun:d0g0v0"])
        XCTAssertEqual(file.errors, [LoadError(file: "fixture.json", test: "t", fork: "Frobnicate",
                                               reason: "unknown fork name \"Frobnicate\"")])
        XCTAssertEqual(file.errors.first?.description, "fixture.json:t:Frobnicate: unknown fork name \"Frobnicate\"")
    }

    func testMissingField() {
        var tx = Self.transaction()
        tx["nonce"] = nil
        var noGasPrice = Self.transaction()
        noGasPrice["gasPrice"] = nil
        var env = Self.env()
        env["currentExcessBlobGas"] = nil
        var shanghaiPost = Self.post([Self.entry()])
        shanghaiPost["Shanghai"] = [Self.entry()]
        let file = load([
            "noNonce": Self.test(tx: tx), "noGasPrice": Self.test(tx: noGasPrice),
            "noExcessBlobGas": Self.test(env: env, post: shanghaiPost), "noPost": ["env": Self.env()],
            "outOfRange": Self.test(post: Self.post([Self.entry(g: 2)])), "good": Self.test(),
        ])
        XCTAssertEqual(file.cases.map(\.name), ["fixture.json:good:Cancun:d0g0v0",
                                                "fixture.json:noExcessBlobGas:Shanghai:d0g0v0"])
        let reasons = Dictionary(uniqueKeysWithValues: file.errors.map { ($0.name, $0.reason) })
        XCTAssertEqual(reasons, [
            "fixture.json:noNonce": "missing field transaction.nonce",
            "fixture.json:noGasPrice:Cancun:d0g0v0":
                "missing field transaction.gasPrice (required for a type-0 transaction)",
            "fixture.json:noExcessBlobGas:Cancun:d0g0v0": "missing field env.currentExcessBlobGas (required from Cancun on)",
            "fixture.json:noPost": "missing field pre",
            "fixture.json:outOfRange:Cancun:d0g2v0": "indexes.gas = 2, but transaction.gasLimit has 2 entries",
        ])
    }

    func testSourceNames() throws {
        let root = try sharedVectors().appendingPathComponent("ethereum-tests/GeneralStateTests").path
        let sources = try StateTestLoader.sources(for: [root + "/Cancun/", root + "/stExample/add11.json.zst"])
        XCTAssertTrue(sources.contains(VectorSource(path: root + "/stExample/add11.json.zst", name: "add11.json.zst")))
        XCTAssertTrue(sources.contains { $0.name == "stEIP5656-MCOPY/MCOPY.json.zst" }, "\(sources.prefix(3))")
        XCTAssertEqual(StateTestLoader.relativeName("/a/b/c.json", under: "/a/"), "b/c.json")
        XCTAssertEqual(StateTestLoader.relativeName("/a//b/c.json", under: "/a/"), "b/c.json")
        XCTAssertEqual(StateTestLoader.relativeName("/x/c.json", under: "/a"), "c.json")
        XCTAssertThrowsError(try StateTestLoader.sources(for: ["/nonexistent/lockstep"]))
    }

    // MARK: - Helpers

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

/// The shared vectors directory: `$LOCKSTEP_VECTORS`, else `../shared/vectors` next to the package.
func sharedVectors() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["LOCKSTEP_VECTORS"] { return URL(fileURLWithPath: path) }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors")
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw XCTSkip("shared vectors not found at \(url.path) (set LOCKSTEP_VECTORS)")
    }
    return url
}
