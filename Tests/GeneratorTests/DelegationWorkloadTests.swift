import Foundation
import XCTest
import EVMPrimitives
import EVMState
import Execution
import Keccak
import VectorIO
@testable import Harness
@testable import Vectors
@testable import Workloads

/// The EIP-7702 workloads (`delegations`, `intents`) and the generator's `fork` option.
final class DelegationWorkloadTests: XCTestCase {
    func testEachWorkloadRefusesForksThatLackWhatItNeeds() {
        for w in [Workload.delegations, .intents] {
            for fork in [Fork.cancun, .shanghai] {
                let o = GeneratorOptions(workload: w, transactions: 5, seed: 1, fork: fork)
                XCTAssertThrowsError(try BlockGenerator.generate(o), "\(w) at \(fork)") { error in
                    let text = "\(error)"
                    XCTAssertTrue(text.contains(fork < .cancun ? "Cancun and later" : "Prague"), text)
                }
            }
            for fork in [Fork.prague, .osaka, .bpo1, .bpo2] {
                XCTAssertNoThrow(try BlockGenerator.generate(GeneratorOptions(workload: w, transactions: 5, seed: 1, fork: fork)))
            }
        }
        XCTAssertThrowsError(try BlockGenerator.generate(GeneratorOptions(workload: .erc20, transactions: 5, seed: 1, fork: .shanghai)))
        XCTAssertThrowsError(try BlockGenerator.generate(GeneratorOptions(workload: .erc20, transactions: 5, seed: 1, changeRatio: 0.5)))
        XCTAssertThrowsError(try BlockGenerator.generate(GeneratorOptions(workload: .intents, transactions: 5, seed: 1, accounts: 3, fork: .bpo2)))
        XCTAssertThrowsError(try BlockGenerator.generate(GeneratorOptions(workload: .intents, transactions: 5, seed: 1, fork: .bpo2, batchSize: 33)))
    }

    /// From Prague the pre-state holds the system contracts and the environment the parent's hash; a Cancun
    /// block of an existing workload is unchanged by the option (the committed set checks that byte for byte).
    func testLaterForksDeployTheSystemContracts() throws {
        let prague = try BlockGenerator.generate(GeneratorOptions(workload: .erc20, transactions: 10, seed: 4, fork: .bpo2))
        let contracts = SystemContracts.contracts(for: .bpo2)
        XCTAssertEqual(contracts.count, 4)
        for c in contracts {
            XCTAssertEqual(prague.vector.pre.accounts[c.address]?.info.code.bytes, c.code, "\(c.address)")
        }
        XCTAssertEqual(prague.vector.fork, .bpo2)
        XCTAssertNotNil(prague.vector.env.blockHashes[0])
        XCTAssertEqual(prague.vector.metadata["fork"], "BPO2")
        XCTAssertTrue(prague.vector.metadata["command"]?.contains("--fork BPO2") ?? false)
        let cancun = try BlockGenerator.generate(GeneratorOptions(workload: .erc20, transactions: 10, seed: 4))
        XCTAssertNil(cancun.vector.pre.accounts[SystemContracts.historyStorageAddress])
        XCTAssertTrue(cancun.vector.env.blockHashes.isEmpty)
        XCTAssertFalse(cancun.vector.metadata["command"]?.contains("--fork") ?? true)
        // Same seed, same transactions: the fork changes the rules and the system contracts, not the calls.
        XCTAssertEqual(prague.vector.transactions, cancun.vector.transactions)
    }

    /// Every authorisation is signed by the key of an account the generator made, for chain 0 or 1.
    func testAuthorisationsRecoverTheirAuthorities() throws {
        let o = GeneratorOptions(workload: .delegations, transactions: 60, seed: 8, fork: .osaka, changeRatio: 0.5)
        let block = try BlockGenerator.generate(o)
        var auths = 0
        for tx in block.vector.transactions where tx.type == .setCode {
            XCTAssertFalse(tx.authorizationList.isEmpty)
            for a in tx.authorizationList {
                XCTAssertNotNil(TransactionProcessor.authority(of: a))
                XCTAssertTrue(a.chainId.isZero || a.chainId == .one)
                auths += 1
            }
        }
        XCTAssertGreaterThanOrEqual(auths, 30)
    }

    /// Run serially: rejected, reverting and succeeding transactions are where the generator put them. A
    /// sponsored payment or a settled intent succeeds only if its ecrecover signature and nonce are right, and
    /// a batch only if every user's account is delegated by then.
    func testEveryTransactionDoesWhatItsRoleSays() throws {
        for fork in [Fork.prague, .osaka, .bpo2] {
            for hot in [0.0, 0.5, 1.0] {
                try checkRoles(GeneratorOptions(workload: .delegations, transactions: 60, seed: 21, hotRatio: hot,
                                                invalidRatio: 0.1, revertRatio: 0.1, fork: fork, changeRatio: 0.3,
                                                callDistance: hot == 1 ? 1 : 4))
                try checkRoles(GeneratorOptions(workload: .intents, transactions: 20, seed: 22, hotRatio: hot,
                                                invalidRatio: 0.1, revertRatio: 0.1, fork: fork, users: hot == 1 ? 10 : nil,
                                                solvers: 2, batchSize: 5))
            }
        }
    }

    func checkRoles(_ options: GeneratorOptions, file: StaticString = #filePath, line: UInt = #line) throws {
        let block = try BlockGenerator.generate(options)
        let v = block.vector
        let outcome = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        let expectedRejected = Set(block.roles.indices.filter { block.roles[$0].invalid != nil })
        XCTAssertEqual(Set(outcome.rejected.map(\.index)), expectedRejected, "\(options.relativePath): \(outcome.rejected)",
                       file: file, line: line)
        var k = 0
        for (i, role) in block.roles.enumerated() where role.invalid == nil {
            guard k < outcome.receipts.count else { break }
            XCTAssertEqual(outcome.receipts[k].success, !role.reverts,
                           "\(options.relativePath) tx \(i) (\(role.kind)) success should be \(!role.reverts)", file: file, line: line)
            k += 1
        }
        XCTAssertEqual(k, outcome.receipts.count, file: file, line: line)
    }

    /// The delegations a block's type-4 transactions leave are in the serial post-state: every change
    /// transaction's first authority ends with the designator the generator tracked (checked through the
    /// metadata counts and the designators themselves), and changes mid-block do happen.
    func testDelegationsChangeMidBlockAndLaterCallsSeeThem() throws {
        let o = GeneratorOptions(workload: .delegations, transactions: 80, seed: 5, hotRatio: 1, hotSet: 2,
                                 fork: .bpo2, changeRatio: 0.3, callDistance: 1)
        let block = try BlockGenerator.generate(o)
        let v = block.vector
        let kinds = block.roles.map(\.kind)
        XCTAssertTrue(kinds.contains { $0.hasPrefix("change-") }, "\(kinds)")
        XCTAssertTrue(kinds.contains { $0.hasPrefix("clear-") || $0.hasPrefix("set-") }, "\(kinds)")
        let outcome = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
        // Which code a ping ran shows in its log: version 1 or 2 (DelegateWallet, DelegateWalletV2).
        let pinged = Keccak256.hash(Array("Pinged(address,uint256,uint256)".utf8))
        var versions = Set<UInt256>()
        for r in outcome.receipts {
            for log in r.logs where log.topics.first == pinged { versions.insert(UInt256(bigEndianBytes: log.data[32..<64])) }
        }
        XCTAssertEqual(versions, [UInt256(1), UInt256(2)])
        // The call right after each change (distance 1) reads the designator the change wrote: a dependency.
        let graph = DependencyGraph(accessSets: WorkloadTable.preciseAccessSets(v, reference: outcome), coinbase: v.env.coinbase)
        XCTAssertGreaterThan(graph.conflictRate, 0.5)
    }

    /// Block-STM (2, 4 and 8 threads, always parallel, and randomised schedules) and the BAL executor (from the
    /// list a serial run derives) equal serial on both workloads.
    func testBlockSTMEqualsSerial() throws {
        let blocks = [
            GeneratorOptions(workload: .delegations, transactions: 60, seed: 31, hotRatio: 0.8, hotSet: 2, revertRatio: 0.1,
                             fork: .bpo2, changeRatio: 0.4, callDistance: 1),
            GeneratorOptions(workload: .delegations, transactions: 60, seed: 32, invalidRatio: 0.1, fork: .osaka,
                             changeRatio: 0.2, callDistance: 6),
            GeneratorOptions(workload: .intents, transactions: 24, seed: 33, hotRatio: 1, hotSet: 1, revertRatio: 0.1,
                             fork: .bpo2, users: 12, solvers: 3, batchSize: 4),
        ]
        for o in blocks {
            let v = try BlockGenerator.generate(o).vector
            let serial = onLargeStack { SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) }
            var runs: [(String, BlockOutcome)] = []
            for threads in [2, 4, 8] {
                runs.append(("x\(threads)", onLargeStack {
                    BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
                        .execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                }))
            }
            for threads in [2, 4] {
                let list = BlockAccessListBuilder.derive(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                let result = onLargeStack {
                    BALExecutor(threads: threads, list: list, policy: .alwaysParallel).run(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                }
                switch result {
                case .success(let bal): runs.append(("bal x\(threads)", bal))
                case .failure(let e): XCTFail("\(o.relativePath) BAL x\(threads): \(e)")
                }
            }
            for rep in 0..<6 {
                runs.append(("stress \(rep)", onLargeStack {
                    BlockSTMExecutor(threads: 2 + rep % 3, stress: StressOptions(seed: UInt64(rep) &+ 11), policy: .alwaysParallel)
                        .execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
                }))
            }
            for (name, o2) in runs {
                XCTAssertNil(BlockRunner.divergence(o2, from: serial, transactions: v.transactions.count),
                             "\(o.relativePath) \(name)")
            }
        }
    }

    /// `lockstep t8n`'s reader takes type-4 transactions at the fork it is asked to run (it read them as Cancun
    /// transactions and rejected every one): a committed BPO2 delegation block gives the spec's state root.
    func testT8nReadsSetCodeTransactionsAtTheVectorsFork() throws {
        let dir = TestPaths.blocks + "/bpo2/delegations-n1-hot0.5-chg1.0"
        func json(_ part: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(try VectorFile.read(path: dir + "/" + part + ".json")))
        }
        let out = try T8nTransition.run(alloc: try json("alloc"), env: try json("env"), txs: try json("txs"), fork: .bpo2,
                                        chainId: 1, executor: SerialExecutor())
        XCTAssertEqual(out.result.rejected.map(\.index), [])
        guard case .success(let vector) = BlockVectorIO.load(try BlockVectorIO.collect(paths: [dir])[0]) else {
            return XCTFail("cannot load \(dir)")
        }
        XCTAssertEqual(vector.transactions.first?.type, .setCode)
        XCTAssertEqual(out.result.stateRoot, vector.expected?.stateRoot)
    }
}
