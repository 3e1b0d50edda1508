import Foundation
import XCTest
import EVMPrimitives
import EVMState
@testable import Execution
@testable import Vectors

/// The block-vector loader and writer on tiny fixtures: both forms, .zst, sender recovery, bad input, round trips.
final class BlockVectorIOTests: XCTestCase {
    static let sender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"
    static let secretKey = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
    static let coinbase = "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"
    static let contract = "0x1000000000000000000000000000000000000001"

    static func alloc() -> [String: Any] {
        [sender: ["balance": "0x3635c9adc5dea00000", "nonce": "0x0"],
         contract: ["balance": "1000", "code": "0x60005460010160005500", "nonce": 1,
                    "storage": ["0x00": "0x05", "0x01": "0x00"]]]
    }

    static func env() -> [String: Any] {
        ["currentCoinbase": coinbase, "currentGasLimit": "0x1c9c380", "currentNumber": "1", "currentTimestamp": 1000,
         "currentRandom": "0x02", "currentBaseFee": "0x7", "currentExcessBlobGas": "0x0",
         "parentBeaconBlockRoot": "0x" + String(repeating: "ab", count: 32),
         "withdrawals": [["index": "0x0", "validatorIndex": "0x1", "address": contract, "amount": "0x2"]],
         "blockHashes": ["0": "0x" + String(repeating: "cd", count: 32)]]
    }

    /// tx0 is signed (a type-2 call to the counter, signature made by the test key with RFC 6979); tx1 is signed on
    /// loading from `secretKey` (a legacy EIP-155 transfer).
    static func txs() -> [[String: Any]] {
        [["type": "0x2", "chainId": "0x1", "nonce": "0x0", "maxFeePerGas": "0xa", "maxPriorityFeePerGas": "0x2",
          "gas": "0x186a0", "to": contract, "value": "0x0", "input": "0x", "accessList": [Any](),
          "secretKey": secretKey],
         ["type": "0x0", "nonce": "0x1", "gasPrice": "0xa", "gas": "0x5208", "to": coinbase, "value": "0x1",
          "input": "0x", "secretKey": secretKey]]
    }

    static func expected() -> [String: Any] {
        ["stateRoot": "0x" + String(repeating: "11", count: 32), "gasUsed": "0xc350",
         "rejected": [["index": 3, "error": "nonce too high"]], "txRoot": "0x00"]
    }

    static func metadata() -> [String: Any] { ["fork": "Cancun", "seed": 42, "workload": "fixture"] }

    static func directoryVector(in root: String, name: String = "vec", parts: [String: Any]? = nil) throws -> String {
        let dir = root + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let all = parts ?? ["alloc": alloc(), "env": env(), "txs": txs(), "expected": expected(), "metadata": metadata()]
        for (part, value) in all { try BlockTestSupport.write(value, to: dir + "/" + part + ".json") }
        return dir
    }

    func checkFixture(_ v: BlockVector, file: StaticString = #filePath, line: UInt = #line) throws {
        let sender = try Address(hex: Self.sender), contract = try Address(hex: Self.contract)
        XCTAssertEqual(v.fork, .cancun, file: file, line: line)
        XCTAssertEqual(v.pre.accounts.count, 2, file: file, line: line)
        XCTAssertEqual(v.pre.accounts[contract]?.info.balance, UInt256(1000), file: file, line: line)
        XCTAssertEqual(v.pre.accounts[contract]?.info.nonce, 1, file: file, line: line)
        XCTAssertEqual(v.pre.accounts[contract]?.storage, [UInt256(0): UInt256(5)], file: file, line: line)
        XCTAssertEqual(v.env.coinbase, try Address(hex: Self.coinbase), file: file, line: line)
        XCTAssertEqual(v.env.gasLimit, 30_000_000, file: file, line: line)
        XCTAssertEqual(v.env.number, 1, file: file, line: line)
        XCTAssertEqual(v.env.timestamp, 1000, file: file, line: line)
        XCTAssertEqual(v.env.prevRandao, UInt256(2), file: file, line: line)
        XCTAssertEqual(v.env.baseFee, UInt256(7), file: file, line: line)
        XCTAssertEqual(v.env.excessBlobGas, 0, file: file, line: line)
        XCTAssertEqual(v.env.withdrawals, [Withdrawal(index: 0, validatorIndex: 1, address: contract, amount: 2)], file: file, line: line)
        XCTAssertEqual(v.env.blockHashes[0], try Hash32(hex: "0x" + String(repeating: "cd", count: 32)), file: file, line: line)
        XCTAssertNotNil(v.env.parentBeaconBlockRoot, file: file, line: line)
        XCTAssertEqual(v.transactions.map(\.sender), [sender, sender], file: file, line: line)
        XCTAssertEqual(v.transactions.map(\.type), [.dynamicFee, .legacy], file: file, line: line)
        XCTAssertEqual(v.transactions[1].chainId, 1, "a legacy transaction signed from secretKey uses EIP-155", file: file, line: line)
        XCTAssertEqual(v.signatures.count, 2, file: file, line: line)
        XCTAssertEqual(v.expected?.gasUsed, 50_000, file: file, line: line)
        XCTAssertEqual(v.expected?.rejected?.map(\.index), [3], file: file, line: line)
        XCTAssertNil(v.expected?.receiptsRoot, file: file, line: line)
        XCTAssertEqual(v.metadata["seed"], "42", file: file, line: line)
    }

    func testDirectoryForm() throws {
        let dir = try Self.directoryVector(in: try BlockTestSupport.scratchDirectory())
        let v = try BlockVectorIO.load(path: dir).get()
        XCTAssertEqual(v.name, "vec")
        try checkFixture(v)
    }

    func testSingleFileFormEqualsDirectoryForm() throws {
        let root = try BlockTestSupport.scratchDirectory()
        let file = root + "/one.json"
        try BlockTestSupport.write(["alloc": Self.alloc(), "env": Self.env(), "txs": Self.txs(), "expected": Self.expected(),
                                    "metadata": Self.metadata()], to: file)
        let single = try BlockVectorIO.load(path: file).get()
        try checkFixture(single)
        let directory = try BlockVectorIO.load(path: try Self.directoryVector(in: root)).get()
        XCTAssertEqual(single.pre, directory.pre)
        XCTAssertEqual(single.env, directory.env)
        XCTAssertEqual(single.transactions, directory.transactions)
        XCTAssertEqual(single.signatures, directory.signatures)
        XCTAssertEqual(single.expected, directory.expected)
    }

    /// A single-file vector compressed with `zstd -19` (one type-2 transfer signed from secretKey).
    static let zstdFixture = """
        KLUv/WRxAWULAKZVQh9Abx4fV7wb9hSVxrK2Is1BQEAj1JB11DJ8P8zRcOcCOAA4AD0A0jQp91egqhbzp3BSjxO6doL18/rjUrIq\
        v79pujkH22xiO868MyV9+LO+xsH6olNsXQRrRs/j6xLecH4CecYPWYf0EpoWzHEzzpYtZBXYD4HlMtbaxGZmdabT7p6yn31t7k5j\
        sBsykzqDXV4bEfJ9KZNrf3qcwqLMGBixZCtFVmK49Ix/A+XQzxtdirjWJRNLXhcqQx6PV1yikmwr2A8yegYY/6QKzRse+wCK6A2A\
        ClIthzK1wmbsMe6b2GS31pq56J5zFT5vvJ91hO2e/Pgaa0bfwxYdPssn8kvz8QpkbBXT8xQoIDCGGOfuAZfwyOerGWGbhR0CV0sq\
        JcggwHc7Bk8lzJdvugRwYcRgHUQilfd5wUFYasnXrUYf0E7QXZTXNjM1QKmt7UJ/t5SHZHv9Awbf/cYl/Mo6qpbG1VLbcCoGBwqw\
        4xTH
        """

    func testZstdCompressedVector() throws {
        let root = try BlockTestSupport.scratchDirectory()
        let file = root + "/tiny.json.zst"
        try XCTUnwrap(Data(base64Encoded: Self.zstdFixture)).write(to: URL(fileURLWithPath: file))
        let v = try BlockVectorIO.load(path: file).get()
        XCTAssertEqual(v.name, "tiny.json.zst")
        XCTAssertEqual(v.transactions.count, 1)
        XCTAssertEqual(v.transactions[0].sender, try Address(hex: Self.sender))
        XCTAssertEqual(v.transactions[0].value, UInt256(1))
        // The directory form accepts compressed parts too: the same bytes as txs.json.zst would be read as JSON
        // text, so a corrupt one must be reported against that file.
        let dir = try Self.directoryVector(in: root, parts: ["alloc": Self.alloc(), "env": Self.env()])
        try Data([0x28, 0xb5, 0x2f, 0xfd, 0x00]).write(to: URL(fileURLWithPath: dir + "/txs.json.zst"))
        let error = try XCTUnwrap(loadError(BlockVectorIO.load(path: dir)))
        XCTAssertTrue(error.file.hasSuffix("txs.json.zst"), error.description)
        XCTAssertTrue(error.reason.contains("zstd"), error.description)
    }

    func loadError(_ r: Result<BlockVector, LoadError>) -> LoadError? {
        if case .failure(let e) = r { return e }
        return nil
    }

    func testBadInputNamesTheFileAndTheReason() throws {
        let root = try BlockTestSupport.scratchDirectory()
        // Bad hex in alloc.json.
        var alloc = Self.alloc()
        alloc[Self.sender] = ["balance": "0xzz"]
        let badHex = try Self.directoryVector(in: root, name: "badhex", parts: ["alloc": alloc, "env": Self.env(), "txs": Self.txs()])
        var e = try XCTUnwrap(loadError(BlockVectorIO.load(path: badHex)))
        XCTAssertTrue(e.file.hasSuffix("badhex/alloc.json"), e.description)
        XCTAssertTrue(e.reason.contains("\(Self.sender).balance") && e.reason.contains("invalid hex"), e.description)
        // A wrong-length address in txs.json.
        var txs = Self.txs()
        txs[1]["to"] = "0x1234"
        let shortAddress = try Self.directoryVector(in: root, name: "short", parts: ["alloc": Self.alloc(), "env": Self.env(), "txs": txs])
        e = try XCTUnwrap(loadError(BlockVectorIO.load(path: shortAddress)))
        XCTAssertTrue(e.file.hasSuffix("short/txs.json") && e.reason.contains("txs[1].to"), e.description)
        // A missing field in env.json.
        var env = Self.env()
        env["currentGasLimit"] = nil
        let missing = try Self.directoryVector(in: root, name: "missing", parts: ["alloc": Self.alloc(), "env": env, "txs": Self.txs()])
        e = try XCTUnwrap(loadError(BlockVectorIO.load(path: missing)))
        XCTAssertTrue(e.file.hasSuffix("missing/env.json"), e.description)
        XCTAssertEqual(e.reason, "missing field env.currentGasLimit")
        // Malformed JSON in txs.json.
        let malformed = try Self.directoryVector(in: root, name: "malformed", parts: ["alloc": Self.alloc(), "env": Self.env()])
        try BlockTestSupport.write("[{\"nonce\": ", to: malformed + "/txs.json")
        e = try XCTUnwrap(loadError(BlockVectorIO.load(path: malformed)))
        XCTAssertTrue(e.file.hasSuffix("malformed/txs.json") && e.reason.hasPrefix("malformed JSON"), e.description)
        // A missing part file.
        let noTxs = try Self.directoryVector(in: root, name: "notxs", parts: ["alloc": Self.alloc(), "env": Self.env()])
        e = try XCTUnwrap(loadError(BlockVectorIO.load(path: noTxs)))
        XCTAssertTrue(e.file.hasSuffix("notxs/txs.json") && e.reason.contains("missing file"), e.description)
        // No signature and no key.
        var unsigned = Self.txs()
        unsigned[0]["secretKey"] = nil
        let single = root + "/unsigned.json"
        try BlockTestSupport.write(["alloc": Self.alloc(), "env": Self.env(), "txs": unsigned], to: single)
        e = try XCTUnwrap(loadError(BlockVectorIO.load(path: single)))
        XCTAssertEqual(e.file, single)
        XCTAssertTrue(e.reason.contains("txs[0].v"), e.description)
        // A stated sender that the signature does not recover.
        var wrongSender = Self.txs()
        wrongSender[0]["sender"] = Self.contract
        try BlockTestSupport.write(["alloc": Self.alloc(), "env": Self.env(), "txs": wrongSender], to: single)
        e = try XCTUnwrap(loadError(BlockVectorIO.load(path: single)))
        XCTAssertTrue(e.reason.contains("txs[0].sender"), e.description)
        // A single file without txs.
        try BlockTestSupport.write(["alloc": Self.alloc(), "env": Self.env()], to: single)
        e = try XCTUnwrap(loadError(BlockVectorIO.load(path: single)))
        XCTAssertTrue(e.reason.contains("missing field txs"), e.description)
    }

    func testCollectFindsDirectoryAndSingleFileVectors() throws {
        let root = try BlockTestSupport.scratchDirectory()
        _ = try Self.directoryVector(in: root, name: "a")
        _ = try Self.directoryVector(in: root + "/c", name: "nested")
        try BlockTestSupport.write(["alloc": Self.alloc(), "env": Self.env(), "txs": Self.txs()], to: root + "/b.json")
        try BlockTestSupport.write(["alloc": Self.alloc(), "env": Self.env(), "txs": Self.txs()], to: root + "/c/d.json")
        try BlockTestSupport.write("not a vector", to: root + "/README.md")
        let sources = try BlockVectorIO.collect(paths: [root])
        XCTAssertEqual(sources.map(\.name), ["a", "b.json", "c/d.json", "c/nested"])
        XCTAssertEqual(try BlockVectorIO.collect(paths: [root + "/a"]).map(\.name), ["a"])
        XCTAssertThrowsError(try BlockVectorIO.collect(paths: [root + "/nonexistent"]))
    }

    /// Written vectors load back to the same vector, and writing again gives the same bytes.
    func testWriteRoundTripIsDeterministic() throws {
        let root = try BlockTestSupport.scratchDirectory()
        let original = try BlockVectorIO.load(path: try Self.directoryVector(in: root)).get()
        try BlockVectorIO.write(original, to: root + "/out1")
        let reloaded = try BlockVectorIO.load(path: root + "/out1").get()
        XCTAssertEqual(reloaded.pre, original.pre)
        XCTAssertEqual(reloaded.env, original.env)
        XCTAssertEqual(reloaded.transactions, original.transactions)
        XCTAssertEqual(reloaded.signatures, original.signatures)
        XCTAssertEqual(reloaded.expected?.gasUsed, original.expected?.gasUsed)
        XCTAssertEqual(reloaded.fork, original.fork)
        XCTAssertEqual(reloaded.metadata["seed"], "42")
        try BlockVectorIO.write(reloaded, to: root + "/out2")
        for file in ["alloc.json", "env.json", "txs.json", "expected.json", "metadata.json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: root + "/out1/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: root + "/out2/" + file))
            XCTAssertEqual(a, b, file)
        }
        let txs = try String(contentsOfFile: root + "/out1/txs.json", encoding: .utf8)
        XCTAssertTrue(txs.contains("\"r\": \"0x") && !txs.contains("secretKey"), txs)
    }

    /// A block built in memory (no signatures) is written signed with the given keys; loading recovers the senders.
    func testWriteSignsWithGivenKeys() throws {
        let key = BlockTestSupport.hex(Self.secretKey)
        let sender = try Address(hex: Self.sender)
        var vector = try BlockVectorIO.load(path: try Self.directoryVector(in: try BlockTestSupport.scratchDirectory())).get()
        vector.signatures = []
        let dir = try BlockTestSupport.scratchDirectory() + "/signed"
        XCTAssertThrowsError(try BlockVectorIO.write(vector, to: dir))
        try BlockVectorIO.write(vector, signedWith: [sender: key], to: dir)
        let back = try BlockVectorIO.load(path: dir).get()
        XCTAssertEqual(back.transactions, vector.transactions)
        // A key that is not the sender's is refused.
        XCTAssertThrowsError(try BlockVectorIO.write(vector, signedWith: [sender: BlockTestSupport.hex("0x" + String(repeating: "01", count: 32))], to: dir))
    }

    /// The t8n `txs.rlp` form: a hex string of the RLP list of signed transactions.
    func testTransactionsAsRLP() throws {
        let root = try BlockTestSupport.scratchDirectory()
        let v = try BlockVectorIO.load(path: try Self.directoryVector(in: root)).get()
        var w = [UInt8]()
        var body: [UInt8] = []
        for (tx, s) in zip(v.transactions, v.signatures) {
            let encoded = TransactionCodec.encode(tx, signature: try XCTUnwrap(s))
            // A typed transaction is a byte string inside the list; a legacy one is a list itself.
            if tx.type == .legacy { body += encoded } else { body += rlpString(encoded) }
        }
        w = rlpList(body)
        let file = root + "/rlp.json"
        try BlockTestSupport.write(["alloc": Self.alloc(), "env": Self.env(), "txs": Hex.encode(w)], to: file)
        let fromRLP = try BlockVectorIO.load(path: file).get()
        XCTAssertEqual(fromRLP.transactions, v.transactions)
    }

    func rlpString(_ b: [UInt8]) -> [UInt8] { rlpHeader(b.count, 0x80) + b }
    func rlpList(_ b: [UInt8]) -> [UInt8] { rlpHeader(b.count, 0xc0) + b }
    func rlpHeader(_ n: Int, _ base: UInt8) -> [UInt8] {
        if n < 56 { return [base + UInt8(n)] }
        var len: [UInt8] = []
        var x = n
        while x > 0 { len.insert(UInt8(x & 0xff), at: 0); x >>= 8 }
        return [base + 55 + UInt8(len.count)] + len
    }
}
