import Foundation
import XCTest
import EVMPrimitives
import Keccak
@testable import Vectors
@testable import Workloads

/// Known answers for the generator's building blocks: the random stream, the Zipf table, ABI and storage slots,
/// and the embedded contract bytecode.
final class GeneratorPrimitivesTests: XCTestCase {
    func testSplitMix64KnownAnswers() {
        // SplitMix64 reference outputs for seed 0 (Steele, Lea and Flood's generator as in java.util.SplittableRandom).
        var r = GeneratorRandom(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(r.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(r.next(), 0x06C4_5D18_8009_454F)
    }

    func testSampleIsAPermutationPrefix() {
        var r = GeneratorRandom(seed: 42)
        let s = r.sample(10, of: 10)
        XCTAssertEqual(s.sorted(), Array(0..<10))
        let k = r.sample(3, of: 100)
        XCTAssertEqual(Set(k).count, 3)
        XCTAssertTrue(k.allSatisfy { (0..<100).contains($0) })
    }

    func testZipfFavoursTheFirstItem() {
        let z = ZipfTable(count: 4)
        var r = GeneratorRandom(seed: 7)
        var counts = [0, 0, 0, 0]
        for _ in 0..<12_000 { counts[z.draw(&r)] += 1 }
        // Weights 1, 1/2, 1/3, 1/4 of 25/12: shares 0.48, 0.24, 0.16, 0.12.
        XCTAssertEqual(Double(counts[0]) / 12_000, 0.48, accuracy: 0.03)
        XCTAssertEqual(Double(counts[1]) / 12_000, 0.24, accuracy: 0.03)
        XCTAssertEqual(Double(counts[3]) / 12_000, 0.12, accuracy: 0.03)
        XCTAssertEqual(ZipfTable(count: 1).draw(&r), 0)
    }

    func testSelectorsAndSlots() throws {
        XCTAssertEqual(ABI.selector("transfer(address,uint256)"), [0xa9, 0x05, 0x9c, 0xbb])
        XCTAssertEqual(ABI.selector("exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))"),
                       [0x41, 0x4b, 0xf3, 0x89])
        // keccak256(pad32(0) ++ pad32(token)), from eth_utils.
        XCTAssertEqual(StorageSlot.vyper(0, ContractAddress.token),
                       try UInt256(hex: "0xb32bdd5ef8087cee61a114350ca945867f1c23ce770decca853bd5b47b323daf"))
        // Solidity: keccak256(pad32(3000) ++ pad32(4)), the factory's feeAmountTickSpacing[3000].
        XCTAssertEqual(StorageSlot.solidity(UInt256(3000), UInt256(4)),
                       try UInt256(hex: "0x72dffa9b822156d9cf4b0090fa0b656bcb9cc2b2c60eb6acfc20a34f54b31743"))
        let batch = ABI.call("pay_batch(address[],uint256[])", addresses: [.zero], amounts: [UInt256(5)])
        XCTAssertEqual(batch.count, 4 + 32 * 6)
        XCTAssertEqual(UInt256(bigEndianBytes: batch[36..<68]), UInt256(128))  // second array after 2 heads + 1 length + 1 item
    }

    /// The bytecode compiled into the generator is the bytecode committed beside the Vyper sources.
    func testEmbeddedBytecodeMatchesCommittedHex() throws {
        let embedded: [String: String] = [
            "Token": ContractBytecode.token, "Pool": ContractBytecode.pool, "Payments": ContractBytecode.payments,
            "Counter": ContractBytecode.counter, "Collectible": ContractBytecode.collectible,
            "Factory": ContractBytecode.factory, "Compute": ContractBytecode.compute,
        ]
        for (name, hex) in embedded {
            let file = try String(contentsOfFile: TestPaths.contracts + "/\(name).hex", encoding: .utf8)
            XCTAssertEqual(file.trimmingCharacters(in: .whitespacesAndNewlines), hex, name)
            XCTAssertFalse(try Hex.decode(hex).isEmpty, name)
        }
    }

    func testDeployInitCodes() {
        // PUSH1 42 CALLVALUE ADD PUSH0 SSTORE, then CODECOPY of the runtime that follows the 16-byte header.
        XCTAssertEqual(Array(DeployRecipe.persistentInit.prefix(6)), [0x60, 0x2a, 0x34, 0x01, 0x5f, 0x55])
        XCTAssertEqual(DeployRecipe.persistentInit[9], 16)
        XCTAssertEqual(Array(DeployRecipe.persistentInit.suffix(DeployRecipe.childRuntime.count)), DeployRecipe.childRuntime)
    }

    func testOptionsValidation() {
        XCTAssertThrowsError(try GeneratorOptions(workload: .counter, transactions: 5, seed: 1, hotRatio: 1.5).validate())
        XCTAssertThrowsError(try GeneratorOptions(workload: .counter, transactions: 5, seed: 1, invalidRatio: 0.6, revertRatio: 0.6).validate())
        XCTAssertThrowsError(try GeneratorOptions(workload: .uniswap, transactions: 5, seed: 1).validate())
        XCTAssertNoThrow(try GeneratorOptions(workload: .counter, transactions: 0, seed: 1).validate())
    }
}
