import Foundation
import XCTest
import EVMPrimitives
@testable import Execution
@testable import Vectors

/// Signing hashes, RFC 6979 signatures, sender recovery and the EIP-2718 encoding, against ethereum/tests.
final class TransactionCodecTests: XCTestCase {
    /// The ethereum/tests key and its address.
    static let key = BlockTestSupport.hex("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
    static let sender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"

    /// A transaction of `type` with only the fields that type has (so that it survives an encode/decode round trip).
    static func sample(_ type: TransactionType, chainId: UInt64? = 1) -> Transaction {
        let feeMarket = type == .dynamicFee || type == .blob
        return Transaction(type: type, chainId: chainId, nonce: 7, gasPrice: feeMarket ? .zero : UInt256(1_000),
                           maxFeePerGas: feeMarket ? UInt256(2_000) : .zero, maxPriorityFeePerGas: feeMarket ? UInt256(3) : .zero,
                           gasLimit: 100_000, to: try? Address(hex: "0x1000000000000000000000000000000000000001"),
                           value: UInt256(5), data: [0xde, 0xad],
                           accessList: type == .legacy ? [] : [AccessListEntry(address: .zero, storageKeys: [UInt256(1)])],
                           maxFeePerBlobGas: type == .blob ? UInt256(9) : .zero,
                           blobVersionedHashes: type == .blob ? [Hash32(UInt256(1) << 248)] : [])
    }

    func testSignThenRecoverGivesTheKeysAddressForEveryType() throws {
        let expected = try Address(hex: Self.sender)
        let cases: [(TransactionType, UInt64?)] = [(.legacy, nil), (.legacy, 1), (.legacy, 1337), (.accessList, 1),
                                                   (.dynamicFee, 1), (.blob, 1)]
        for (type, chainId) in cases {
            let tx = Self.sample(type, chainId: chainId)
            let signature = try TransactionCodec.sign(tx, secretKey: Self.key)
            XCTAssertEqual(try TransactionCodec.recoverSender(tx, signature: signature), expected, "type \(type), chain \(String(describing: chainId))")
            // Deterministic (RFC 6979): the same signature every time.
            XCTAssertEqual(try TransactionCodec.sign(tx, secretKey: Self.key), signature)
            // The encoding decodes back to the same transaction and sender.
            let decoded = try TransactionCodec.decode(TransactionCodec.encode(tx, signature: signature))
            var withSender = tx
            withSender.sender = expected
            XCTAssertEqual(decoded.transaction, withSender, "type \(type)")
            XCTAssertEqual(decoded.signature, signature)
        }
    }

    /// Vitalik_1 (ttSignature): an EIP-155 mainnet legacy transaction with a known sender and hash.
    func testKnownEIP155LegacyTransaction() throws {
        let bytes = BlockTestSupport.hex("0xf864808504a817c800825208943535353535353535353535353535353535353535808025a0044852b2a670ade5407e78fb2863c51de9fcb96542a07186fe3aeda6bb8a116da0044852b2a670ade5407e78fb2863c51de9fcb96542a07186fe3aeda6bb8a116d")
        let (tx, signature) = try TransactionCodec.decode(bytes)
        XCTAssertEqual(tx.chainId, 1)
        XCTAssertEqual(tx.sender, try Address(hex: "0xf0f6f18bca1b28cd68e4357452947e021241e9ce"))
        XCTAssertEqual(TransactionCodec.hash(tx, signature: signature),
                       try Hash32(hex: "0xb1e2188bc490908a78184e4818dca53684167507417fdb4c09c2d64d32a9896a"))
        XCTAssertEqual(TransactionCodec.encode(tx, signature: signature), bytes)
    }

    /// Every transaction that ethereum/tests' TransactionTests call valid under Cancun decodes, recovers the listed
    /// sender, hashes to the listed hash and re-encodes to the same bytes.
    func testEveryValidTransactionTestRecoversItsSender() throws {
        let root = BlockTestSupport.sharedRoot + "/ethereum-tests/TransactionTests"
        var checked = 0
        var types = Set<TransactionType>()
        for file in try VectorFileList.files(root) {
            let relative = String(file.dropFirst(BlockTestSupport.sharedRoot.count + "/ethereum-tests/".count))
            for (name, value) in try BlockTestSupport.json(relative) {
                guard let test = value as? [String: Any], let result = (test["result"] as? [String: Any])?["Cancun"] as? [String: Any],
                      let sender = result["sender"] as? String, let hash = result["hash"] as? String,
                      let txbytes = test["txbytes"] as? String else { continue }
                let bytes = BlockTestSupport.hex(txbytes)
                let (tx, signature) = try TransactionCodec.decode(bytes)
                XCTAssertEqual(tx.sender, try Address(hex: sender), "\(relative) \(name)")
                XCTAssertEqual(TransactionCodec.hash(tx, signature: signature), try Hash32(hex: hash), "\(relative) \(name)")
                XCTAssertEqual(TransactionCodec.encode(tx, signature: signature), bytes, "\(relative) \(name)")
                types.insert(tx.type)
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 50)
        XCTAssertTrue(types.isSuperset(of: [.legacy, .accessList, .dynamicFee]), "types seen: \(types)")
    }

    /// The four transactions of BlockchainTests' blockWithAllTransactionTypes (types 0 to 3, signed by the test key):
    /// recovering each gives the listed sender, and signing each again with the key reproduces its v, r, s exactly
    /// (both sides use RFC 6979).
    func testSigningReproducesKnownSignaturesOfEveryType() throws {
        let file = try BlockTestSupport.json("BlockchainTests/ValidBlocks/bcEIP4844-blobtransactions/blockWithAllTransactionTypes.json.zst")
        var seen = Set<TransactionType>()
        for (_, value) in file {
            guard let test = value as? [String: Any], let blocks = test["blocks"] as? [[String: Any]] else { continue }
            for block in blocks {
                for case let json as [String: Any] in block["transactions"] as? [Any] ?? [] {
                    let (tx, signature) = try TransactionJSON.parse(try JSONFields(json, path: "tx"), chainId: 1)
                    XCTAssertEqual(tx.sender, try Address(hex: Self.sender))
                    var unsigned = json
                    for k in ["v", "r", "s", "sender"] { unsigned[k] = nil }
                    unsigned["secretKey"] = Hex.encode(Self.key)
                    // geth's t8n convention: a legacy transaction is signed with EIP-155 unless `protected` is false.
                    if tx.type == .legacy && tx.chainId == nil { unsigned["protected"] = false }
                    let (resigned, newSignature) = try TransactionJSON.parse(try JSONFields(unsigned, path: "tx"), chainId: 1)
                    XCTAssertEqual(resigned, tx)
                    XCTAssertEqual(newSignature, signature, "type \(tx.type)")
                    seen.insert(tx.type)
                }
            }
        }
        XCTAssertEqual(seen, [.legacy, .accessList, .dynamicFee, .blob])
    }

    func testHighSAndWrongVAreRejected() throws {
        let tx = Self.sample(.dynamicFee)
        let signature = try TransactionCodec.sign(tx, secretKey: Self.key)
        // EIP-2: s and n - s both verify, only the low one is valid.
        var high = signature
        high.s = TransactionCodec.curveOrder &- signature.s
        XCTAssertThrowsError(try TransactionCodec.recoverSender(tx, signature: high)) { error in
            XCTAssertTrue("\(error)".contains("EIP-2"), "\(error)")
        }
        var badV = signature
        badV.v = UInt256(27)
        XCTAssertThrowsError(try TransactionCodec.recoverSender(tx, signature: badV))
        // A legacy EIP-155 v for another chain.
        let legacy = Self.sample(.legacy, chainId: 1)
        var otherChain = try TransactionCodec.sign(legacy, secretKey: Self.key)
        otherChain.v = otherChain.v &+ UInt256(2)
        XCTAssertThrowsError(try TransactionCodec.recoverSender(legacy, signature: otherChain))
        XCTAssertThrowsError(try TransactionCodec.sign(tx, secretKey: [UInt8](repeating: 0, count: 32)))
    }

    func testDecodeRejectsMalformedInput() {
        XCTAssertThrowsError(try TransactionCodec.decode([]))
        XCTAssertThrowsError(try TransactionCodec.decode([0x05, 0xc0]))  // unknown type
        XCTAssertThrowsError(try TransactionCodec.decode([0x02, 0xc1, 0x80]))  // too few fields
        XCTAssertThrowsError(try TransactionCodec.decode([0xc0]))
    }
}

/// Vector files under a directory (sorted), for tests.
enum VectorFileList {
    static func files(_ dir: String) throws -> [String] {
        let files = try BlockVectorIO.collect(paths: [dir]).map(\.path)
        XCTAssertFalse(files.isEmpty, "no vector files in \(dir)")
        return files
    }
}
