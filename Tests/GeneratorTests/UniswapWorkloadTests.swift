import Foundation
import XCTest
import EVMPrimitives
import EVMState
import Execution
@testable import Harness
@testable import Vectors
@testable import Workloads

/// The `uniswap` workload on the production Uniswap V3 and ERC-20 bytecode in shared/vectors/contracts
/// (skipped when that directory is absent). The expected values come from execution-specs' t8n on the same block
/// (`lockstep generate --workload uniswap --txs 20 --seed 5 --hot-ratio 0.7 --revert-ratio 0.1
/// --invalid-ratio 0.05 --contracts DIR --fill 'ethereum-spec-evm t8n'`).
final class UniswapWorkloadTests: XCTestCase {
    func options() throws -> GeneratorOptions {
        let dir = TestPaths.uniswapContracts
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir + "/UniswapV3Pool.hex"), "no \(dir)")
        return GeneratorOptions(workload: .uniswap, transactions: 20, seed: 5, hotRatio: 0.7, invalidRatio: 0.05,
                                revertRatio: 0.1, contractsDirectory: dir)
    }

    func testMatchesExecutionSpecs() throws {
        let block = try BlockGenerator.generate(try options())
        let v = block.vector
        let expected = ExpectedBlockResult(
            stateRoot: try Hash32(hex: "0xd38b021010e03817cf9008b77f60154831c7d108d2be2d7a931272a10f4fde66"),
            receiptsRoot: try Hash32(hex: "0xd0e7c45c2046d3951eb8a15392b9b9a4c4d3ab2961475e873a83b20d79462112"),
            logsHash: try Hash32(hex: "0x65656354379395758ab2ca72d02df7e101e873d2b8a632825739d309a168f6b4"),
            gasUsed: 0x1b74b1, rejected: [RejectedTransaction(index: 5, error: "")])
        let outcomes = onLargeStack {
            [SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork),
             BlockSTMExecutor(threads: 3, policy: .alwaysParallel).execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)]
        }
        for o in outcomes { XCTAssertEqual(BlockRunner.expectationProblems(o, expected), []) }
        XCTAssertNil(BlockRunner.divergence(outcomes[1], from: outcomes[0], transactions: v.transactions.count))
    }

    /// Swaps succeed (four logs: two token transfers, the pool's Swap... and the router's none), reverting ones fail.
    func testSwapsDoWhatTheirRolesSay() throws {
        var o = try options()
        o.transactions = 30
        o.hotSet = 2
        o.seed = 9
        let block = try BlockGenerator.generate(o)
        let v = block.vector
        let outcome = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        XCTAssertEqual(Set(outcome.rejected.map(\.index)), Set(block.roles.indices.filter { block.roles[$0].invalid != nil }))
        var k = 0
        for role in block.roles where role.invalid == nil {
            let receipt = outcome.receipts[k]
            XCTAssertEqual(receipt.success, !role.reverts, "\(role)")
            if role.kind == "swap" && !role.reverts { XCTAssertGreaterThanOrEqual(receipt.logs.count, 3, "\(role)") }
            k += 1
        }
        XCTAssertGreaterThan(block.roles.filter { $0.kind == "swap" }.count, 10)
    }

    func testMissingDirectoryIsAnError() {
        let o = GeneratorOptions(workload: .uniswap, transactions: 2, seed: 1, contractsDirectory: "/nonexistent")
        XCTAssertThrowsError(try BlockGenerator.generate(o)) { error in
            XCTAssertTrue("\(error)".contains("cannot read"), "\(error)")
        }
    }
}
