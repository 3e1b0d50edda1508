import Foundation
import XCTest
import EVMPrimitives
@testable import Execution
import Keccak
import VectorIO
@testable import Vectors

/// ethereum/tests `TransactionTests`: for each transaction's bytes and each fork, whether it is valid, and for a
/// valid one its sender, hash and intrinsic gas. Decoding and signatures are `TransactionCodec`'s (per fork: EIP-2's
/// low s from Homestead, EIP-155 from Spurious Dragon, typed transactions from Berlin, London, Cancun), intrinsic gas
/// is `TransactionProcessor`'s; the stateless checks are the ones every client applies before looking at the sender.
final class TransactionTestsTests: XCTestCase {
    struct Valid: Equatable {
        var sender: Address
        var hash: Hash32
        var intrinsicGas: UInt64
    }

    /// The chain id of the tests.
    static let chainId: UInt64 = 1

    /// Decodes and checks `bytes` as `fork` would; throws a reason for an invalid transaction.
    static func check(_ bytes: [UInt8], fork: Fork) throws -> Valid {
        let (tx, _) = try TransactionCodec.decode(bytes, fork: fork)
        if let id = tx.chainId, id != chainId { throw TransactionCodecError.invalidV("chain id \(id), expected \(chainId)") }
        let intrinsic = TransactionProcessor.intrinsicGas(tx, fork: fork)
        if intrinsic > tx.gasLimit { throw TransactionError.intrinsicGasTooLow(intrinsic: intrinsic, limit: tx.gasLimit) }
        // EIP-2681 (nonce below 2^64 - 1), EIP-3860 (init code size, Shanghai).
        if tx.nonce == .max { throw TransactionError.nonceMaxed }
        if fork >= .shanghai, tx.to == nil, tx.data.count > 49_152 { throw TransactionError.initCodeTooLarge(size: tx.data.count) }
        if tx.maxPriorityFeePerGas > tx.maxFeePerGas { throw TransactionError.priorityFeeAboveMaxFee }
        // The up-front cost gas limit x price must fit 256 bits.
        let price = tx.type == .legacy || tx.type == .accessList ? tx.gasPrice : tx.maxFeePerGas
        let (high, _) = price.multipliedFullWidth(by: UInt256(tx.gasLimit))
        if !high.isZero { throw TransactionError.insufficientFunds(required: .max, balance: .zero) }
        return Valid(sender: tx.sender, hash: Keccak256.hash(bytes), intrinsicGas: intrinsic)
    }

    func testSharedTransactionTests() throws {
        let dir = BlockTestSupport.sharedRoot + "/ethereum-tests/TransactionTests"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir), "shared vectors not present")
        var checked = 0, valid = 0, invalid = 0, forks = Set<Fork>()
        var failures: [String] = []
        for path in try VectorFile.collect(paths: [dir]) {
            let bytes = try VectorFile.read(path: path)
            let file = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            for (name, value) in file.sorted(by: { $0.key < $1.key }) {
                let test = try XCTUnwrap(value as? [String: Any])
                let txBytes = BlockTestSupport.hex(try XCTUnwrap(test["txbytes"] as? String))
                let results = try XCTUnwrap(test["result"] as? [String: Any])
                for (forkName, r) in results.sorted(by: { $0.key < $1.key }) {
                    let fork = try XCTUnwrap(Fork(name: forkName), forkName)
                    guard fork.isSupported else { continue }
                    let result = try XCTUnwrap(r as? [String: Any])
                    let where_ = "\(StateTestLoader.lastComponent(path)):\(name):\(forkName)"
                    checked += 1
                    forks.insert(fork)
                    if let exception = result["exception"] as? String {
                        invalid += 1
                        if let got = try? Self.check(txBytes, fork: fork) {
                            failures.append("\(where_): expected \(exception), got a valid transaction from \(got.sender)")
                        }
                        continue
                    }
                    valid += 1
                    let want = Valid(sender: try Address(hex: try XCTUnwrap(result["sender"] as? String)),
                                     hash: try Hash32(hex: try XCTUnwrap(result["hash"] as? String)),
                                     intrinsicGas: try HexField.u64(try XCTUnwrap(result["intrinsicGas"] as? String), at: "intrinsicGas"))
                    do {
                        let got = try Self.check(txBytes, fork: fork)
                        if got != want { failures.append("\(where_): got \(got), expected \(want)") }
                    } catch {
                        failures.append("\(where_): rejected (\(error)), expected valid from \(want.sender)")
                    }
                }
            }
        }
        XCTAssertEqual(failures.count, 0, failures.prefix(20).joined(separator: "\n"))
        // Every fork the vectors name ran (Frontier to Cancun): 2,665 (test, fork) cases.
        XCTAssertEqual(forks.count, 13, "\(forks.sorted())")
        XCTAssertEqual(valid, 606)
        XCTAssertEqual(invalid, 2059)
        print("TransactionTests: \(checked) (test, fork) cases, \(valid) valid, \(invalid) invalid, forks \(forks.sorted().map(\.name))")
    }

    /// The per-fork rules of the codec, on one transaction signed three ways.
    func testSignatureRulesPerFork() throws {
        let key = [UInt8](repeating: 0, count: 31) + [7]
        let legacy = Transaction(type: .legacy, nonce: 0, gasPrice: UInt256(1), gasLimit: 21_000, to: Address(a: 1, b: 0, c: 0))
        let unprotected = try TransactionCodec.sign(legacy, secretKey: key)
        let bytes = TransactionCodec.encode(legacy, signature: unprotected)
        XCTAssertNoThrow(try TransactionCodec.decode(bytes, fork: .frontier))
        var eip155 = legacy
        eip155.chainId = 1
        let protected = TransactionCodec.encode(eip155, signature: try TransactionCodec.sign(eip155, secretKey: key))
        XCTAssertThrowsError(try TransactionCodec.decode(protected, fork: .tangerineWhistle))
        XCTAssertNoThrow(try TransactionCodec.decode(protected, fork: .spuriousDragon))
        // A high s (n - s, with the other parity) is valid in Frontier only (EIP-2).
        let n = TransactionCodec.curveOrder
        let flipped = TransactionSignature(v: unprotected.v == UInt256(27) ? UInt256(28) : UInt256(27), r: unprotected.r,
                                           s: n &- unprotected.s)
        let high = TransactionCodec.encode(legacy, signature: flipped)
        XCTAssertEqual(try TransactionCodec.decode(high, fork: .frontier).transaction.sender,
                       try TransactionCodec.decode(bytes, fork: .frontier).transaction.sender)
        XCTAssertThrowsError(try TransactionCodec.decode(high, fork: .homestead))
        let typed = Transaction(type: .dynamicFee, chainId: 1, nonce: 0, maxFeePerGas: UInt256(2), maxPriorityFeePerGas: UInt256(1),
                                gasLimit: 21_000, to: Address(a: 1, b: 0, c: 0))
        let typedBytes = TransactionCodec.encode(typed, signature: try TransactionCodec.sign(typed, secretKey: key))
        XCTAssertThrowsError(try TransactionCodec.decode(typedBytes, fork: .berlin))
        XCTAssertNoThrow(try TransactionCodec.decode(typedBytes, fork: .london))
    }
}
