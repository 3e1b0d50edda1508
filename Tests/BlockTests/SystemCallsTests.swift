import Foundation
import Synchronization
import XCTest
import EVMPrimitives
import EVMState
import Execution
import RLP
import MerkleTrie
import VectorIO
@testable import Harness
@testable import Vectors

/// Prague's block-level rules: the EIP-2935 pre-block system call, the EIP-7002 and EIP-7251 end-of-block system
/// calls, EIP-6110 deposits and EIP-7685's `requestsHash`; Osaka's EIP-7934 block size limit and EIP-7918 excess
/// blob gas; the BPO blob schedules in header validation. Known answers are the Python specification's
/// (`ethereum-spec-evm t8n`, `ethereum.forks.*`), as filled into `Vectors/blocks/system-*` by
/// `ci/fill-system-vectors.py`.
final class SystemCallsTests: XCTestCase {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Vectors/blocks").path

    func vector(_ name: String) throws -> BlockVector {
        try BlockVectorIO.load(path: Self.vectors + "/" + name).get()
    }

    /// The serial outcome, on a thread with the large stack the interpreter needs.
    func serial(_ v: BlockVector, fork: Fork? = nil) -> BlockOutcome {
        let box = Mutex<BlockOutcome?>(nil)
        WorkerThreads.run(count: 1) { _ in
            let o = SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: fork ?? v.fork)
            box.withLock { $0 = o }
        }
        return box.withLock { $0! }
    }

    // MARK: - EIP-7685 requestsHash

    func testEmptyRequestsHashIsSHA256OfNothing() throws {
        XCTAssertEqual(BlockRequests([]).hash,
                       try Hash32(hex: "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
    }

    func testRequestsHashHashesEachRequestsHash() throws {
        // hashlib: sha256(sha256(00aa) ++ sha256(02bbcc)).
        XCTAssertEqual(BlockRequests([[0x00, 0xaa], [0x02, 0xbb, 0xcc]]).hash,
                       try Hash32(hex: "0x3a6828ccf5d0289a015948aece59df1ff29bf8f949846d6f5f6f94ff1120a014"))
    }

    // MARK: - system calls, against the specification's vectors

    func testRequestsVectorMatchesTheSpecification() throws {
        for fork in ["prague", "osaka", "bpo2"] {
            let v = try vector("system-requests-\(fork)")
            let o = serial(v)
            XCTAssertNil(o.invalidBlock, fork)
            XCTAssertEqual(BlockRunner.expectationProblems(o, try XCTUnwrap(v.expected)), [], fork)
            XCTAssertEqual(o.requestsHash, try Hash32(hex: "0x23bc840dd56053b3dae42db73cb7730239d0ef9dfd9c3d9c49588a857e7b5586"), fork)
            let requests = try XCTUnwrap(o.requests?.requests)
            XCTAssertEqual(requests.map { $0.first }, [0x00, 0x01, 0x02], fork)
            // EIP-6110: two deposits of pubkey 48 ++ credentials 32 ++ amount 8 ++ signature 96 ++ index 8.
            XCTAssertEqual(requests[0].count, 1 + 2 * 192)
            XCTAssertEqual(Array(requests[0][1...48]), [UInt8](repeating: 0xa0, count: 48))
            XCTAssertEqual(Array(requests[0][81...88]), Array((UInt64(32_000_000_000)).littleEndianBytes))
            // EIP-7002: five requests (the queue holds at most 16 per block) of source 20 ++ pubkey 48 ++ amount 8
            // (little-endian), in the order they were added.
            XCTAssertEqual(requests[1].count, 1 + 5 * 76)
            XCTAssertEqual(Array(requests[1][1...20]), v.transactions[0].sender.bytes)
            XCTAssertEqual(Array(requests[1][21...68]), [UInt8](repeating: 0xb0, count: 48))
            XCTAssertEqual(Array(requests[1][69...76]), Array(UInt64(1000).littleEndianBytes))
            // EIP-7251: two of the three requests (MAX 2 per block) of source 20 ++ source pubkey 48 ++ target pubkey 48.
            XCTAssertEqual(requests[2].count, 1 + 2 * 116)
            XCTAssertEqual(Array(requests[2][1...20]), v.transactions[5].sender.bytes)
            XCTAssertEqual(Array(requests[2][69...116]), [UInt8](repeating: 0xe0, count: 48))
        }
    }

    func testHistoryStorageStoresTheParentHash() throws {
        let v = try vector("system-requests-prague")
        let o = serial(v)
        let slot = UInt256((v.env.number - 1) % 8191)
        let parent = try XCTUnwrap(v.env.blockHashes[v.env.number - 1])
        XCTAssertEqual(o.postState.storage(SystemContracts.historyStorageAddress, key: slot), UInt256(bigEndianBytes: parent.bytes))
        // The reader contract read it back through the contract's `get` (slot 0), and EIP-4788's root (slot 1).
        let reader = try Address(hex: "0x00000000000000000000000000000000000c0de1")
        XCTAssertEqual(o.postState.storage(reader, key: .zero), UInt256(bigEndianBytes: parent.bytes))
        XCTAssertEqual(o.postState.storage(reader, key: UInt256(1)),
                       UInt256(bigEndianBytes: try XCTUnwrap(v.env.parentBeaconBlockRoot).bytes))
        // Cancun has no EIP-2935 call and no requests: the history contract is untouched.
        let cancun = serial(v, fork: .cancun)
        XCTAssertEqual(cancun.postState.storage(SystemContracts.historyStorageAddress, key: slot), .zero)
        XCTAssertNil(cancun.requests)
        XCTAssertNil(cancun.requestsHash)
    }

    func testEmptyVectorHasTheEmptyRequestsHash() throws {
        let v = try vector("system-empty-osaka")
        let o = serial(v)
        XCTAssertEqual(o.requests?.requests, [])
        XCTAssertEqual(o.requestsHash, BlockRequests([]).hash)
        XCTAssertEqual(BlockRunner.expectationProblems(o, try XCTUnwrap(v.expected)), [])
    }

    func testMissingRequestContractMakesTheBlockInvalid() throws {
        var v = try vector("system-empty-prague")
        v.pre.accounts[SystemContracts.consolidationRequestAddress] = nil
        let o = serial(v)
        XCTAssertEqual(o.invalidBlock?.message.contains("has no code"), true)
        XCTAssertNil(o.requests)
    }

    func testParallelExecutorsRunTheSystemCalls() throws {
        let v = try vector("system-requests-bpo2")
        let reference = serial(v)
        let box = Mutex<[(String, BlockOutcome)]>([])
        WorkerThreads.run(count: 1) { _ in
            var out: [(String, BlockOutcome)] = []
            for threads in [1, 4] {
                out.append(("blockstm x\(threads)", BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
                    .execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)))
            }
            let list = BlockAccessListBuilder.derive(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
            switch BALExecutor(threads: 2, list: list, policy: .alwaysParallel).run(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork) {
            case .success(let o): out.append(("bal", o))
            case .failure(let m): XCTFail("the derived list does not check out: \(m)")
            }
            box.withLock { $0 = out }
        }
        for (name, o) in box.withLock({ $0 }) {
            XCTAssertNil(BlockRunner.divergence(o, from: reference, transactions: v.transactions.count), name)
            XCTAssertEqual(o.requestsHash, reference.requestsHash, name)
        }
    }

    func testAccessListRecordsTheSystemCallsAtZeroAndAfterTheLastTransaction() throws {
        let v = try vector("system-requests-prague")
        let list = BlockAccessListBuilder.derive(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
        let n = v.transactions.count
        func indices(_ address: Address) -> Set<Int> {
            guard let a = list.accounts.first(where: { $0.address == address }) else { return [] }
            return Set(a.storageChanges.flatMap { $0.changes.map(\.index) })
        }
        XCTAssertTrue(indices(SystemContracts.historyStorageAddress).contains(0))
        XCTAssertTrue(indices(BlockFinalization.beaconRootsAddress).contains(0))
        // The request contracts: written by the transactions, drained by the system calls at n + 1.
        XCTAssertTrue(indices(SystemContracts.withdrawalRequestAddress).contains(n + 1))
        XCTAssertTrue(indices(SystemContracts.consolidationRequestAddress).contains(n + 1))
    }

    func testT8nWritesRequestsAsTheSpecificationDoes() throws {
        let dir = Self.vectors + "/system-requests-osaka"
        func json(_ part: String) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + part + ".json")))
        }
        let expected = try XCTUnwrap(try vector("system-requests-osaka").expected?.requestsHash)
        let box = Mutex<Result<T8nOutput, T8nFailure>?>(nil)
        let (alloc, env, txs) = (try json("alloc"), try json("env"), try json("txs"))
        nonisolated(unsafe) let inputs = (alloc, env, txs)
        WorkerThreads.run(count: 1) { _ in
            let r = Result { () throws(T8nFailure) in
                try T8nTransition.run(alloc: inputs.0, env: inputs.1, txs: inputs.2, fork: .osaka, chainId: 1, executor: SerialExecutor())
            }
            box.withLock { $0 = r }
        }
        let out = try XCTUnwrap(box.withLock { $0 }).get()
        XCTAssertEqual(out.result.requestsHash, expected)
        XCTAssertNil(out.result.blockException)
        guard case .object(let o) = out.resultJSON, case .array(let requests)? = o["requests"],
              case .string(let hash)? = o["requestsHash"] else { return XCTFail("no requests in the result") }
        XCTAssertEqual(hash, expected.description)
        XCTAssertEqual(requests.map { r -> String in if case .string(let s) = r { return String(s.prefix(4)) } else { return "" } },
                       ["0x00", "0x01", "0x02"])
    }

    /// The env a vector or an external t8n tool gets writes `blockHashes` keys as 0x-hex: the Python specification
    /// reads every key as hex, so a decimal "31" was block 49 there and EIP-2935 stored no parent hash (its t8n
    /// failed on every Prague vector run through `t8n:ethereum-spec-evm t8n`).
    func testEnvironmentWritesBlockHashKeysAsHex() throws {
        let env = BlockEnvironment(number: 32, blockHashes: [31: Hash32(UInt256(0xa1))])
        guard case .object(let o) = BlockVectorIO.environmentJSON(env), case .object(let hashes)? = o["blockHashes"] else {
            return XCTFail("no blockHashes")
        }
        XCTAssertEqual(Array(hashes.keys), ["0x1f"])
    }

    /// A state test is its transaction alone: run as a one-transaction block (`statetest --executor blockstm|bal`),
    /// a Prague case whose pre-state holds the history contract must not get EIP-2935's parent hash stored, nor
    /// the block marked invalid for the missing request contracts.
    func testStateTestAsBlockRunsNoSystemCalls() throws {
        let v = try vector("system-requests-prague")
        var pre = v.pre
        pre.accounts[SystemContracts.withdrawalRequestAddress] = nil
        let c = StateTestCase(name: "system", file: "system", test: "system", forkName: "Prague", fork: .prague,
                              indexes: StateTestIndexes(data: 0, gas: 0, value: 0), pre: pre, env: v.env,
                              tx: v.transactions[9], expectedStateRoot: .zero, expectedLogsHash: .zero)
        let box = Mutex<[StateTestOutcome]>([])
        WorkerThreads.run(count: 1) { _ in
            let serial = StateTestExecutor.run(pre: c.pre, env: c.env, tx: c.tx, fork: c.fork)
            let blockstm = BlockRunner.runStateTestAsBlock(c, executor: .blockstm)
            let bal = BlockRunner.runStateTestAsBlock(c, executor: .bal)
            box.withLock { $0 = [serial, blockstm, bal] }
        }
        let outcomes = box.withLock { $0 }
        XCTAssertNil(outcomes[0].rejection)
        XCTAssertEqual(outcomes[1].stateRoot, outcomes[0].stateRoot)
        XCTAssertEqual(outcomes[2].stateRoot, outcomes[0].stateRoot)
    }

    // MARK: - EIP-6110 deposit events

    func testDepositDataLayout() throws {
        func word(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: 24) + UInt64(n).bigEndianBytes }
        func field(_ bytes: [UInt8]) -> [UInt8] { word(bytes.count) + bytes + [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32) }
        var data = word(160) + word(256) + word(320) + word(384) + word(512)
        data += field([UInt8](repeating: 1, count: 48)) + field([UInt8](repeating: 2, count: 32))
        data += field([UInt8](repeating: 3, count: 8)) + field([UInt8](repeating: 4, count: 96)) + field([UInt8](repeating: 5, count: 8))
        XCTAssertEqual(data.count, 576)
        let parsed = try BlockFinalization.depositData(data).get()
        XCTAssertEqual(parsed, [UInt8](repeating: 1, count: 48) + [UInt8](repeating: 2, count: 32) + [UInt8](repeating: 3, count: 8)
                       + [UInt8](repeating: 4, count: 96) + [UInt8](repeating: 5, count: 8))
        XCTAssertThrowsError(try BlockFinalization.depositData(Array(data.dropLast())).get())
        var badOffset = data
        badOffset[31] = 161
        XCTAssertThrowsError(try BlockFinalization.depositData(badOffset).get())
        var badSize = data
        badSize[160 + 31] = 47
        XCTAssertThrowsError(try BlockFinalization.depositData(badSize).get())
    }

    // MARK: - header validation

    /// A one-block Prague chain with no transactions: genesis, then a block whose header is filled from the
    /// serial outcome, with `requestsHash` replaced by `requestsHash(correct)`.
    func chain(requestsHash: (Hash32) -> Hash32) throws -> BlockchainTestResult {
        var pre = InMemoryState()
        for (address, code) in SystemContracts.contracts(for: .prague) {
            pre.accounts[address] = Account(info: AccountInfo(nonce: 1, balance: .zero, code: Code(code)))
        }
        let genesis = BlockHeader(stateRoot: pre.stateRoot(), number: 0, gasLimit: 30_000_000, timestamp: 0,
                                  baseFee: UInt256(7), withdrawalsRoot: MerkleTrie.emptyRoot, blobGasUsed: 0,
                                  excessBlobGas: 0, parentBeaconBlockRoot: .zero, requestsHash: BlockRequests([]).hash)
        var header = BlockHeader(parentHash: genesis.hash, coinbase: Address(a: 0, b: 0, c: 0xc0ffee), number: 1,
                                 gasLimit: 30_000_000, timestamp: 12, mixHash: Hash32(UInt256(5)),
                                 baseFee: BlockHeaderValidation.expectedBaseFee(parent: genesis, parentFork: .prague),
                                 withdrawalsRoot: MerkleTrie.emptyRoot, blobGasUsed: 0, excessBlobGas: 0,
                                 parentBeaconBlockRoot: Hash32(UInt256(0xbeac)))
        let env = BlockEnvironment(coinbase: header.coinbase, gasLimit: header.gasLimit, number: 1, timestamp: 12,
                                   prevRandao: UInt256(5), baseFee: header.baseFee!, excessBlobGas: 0,
                                   parentBeaconBlockRoot: header.parentBeaconBlockRoot, blockHashes: [0: genesis.hash])
        let box = Mutex<BlockOutcome?>(nil)
        let genesisState = pre
        WorkerThreads.run(count: 1) { _ in
            let o = SerialExecutor().execute(pre: genesisState, env: env, transactions: [], fork: .prague)
            box.withLock { $0 = o }
        }
        let outcome = try XCTUnwrap(box.withLock { $0 })
        header.stateRoot = outcome.stateRoot
        header.receiptsRoot = outcome.receiptsRoot
        header.requestsHash = requestsHash(try XCTUnwrap(outcome.requestsHash))
        let test: [String: Any] = [
            "network": "Prague", "genesisRLP": Hex.encode(Self.blockRLP(genesis)), "lastblockhash": header.hash.description,
            "blocks": [["rlp": Hex.encode(Self.blockRLP(header))]],
            "pre": try JSONSerialization.jsonObject(with: Data(BlockVectorIO.allocJSON(pre).compactText.utf8)),
        ]
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: ["prague-requests": test]))
        let cases = try BlockchainTestLoader.load(json: bytes, file: "prague-requests")
        let result = Mutex<BlockchainTestResult?>(nil)
        WorkerThreads.run(count: 1) { _ in
            let r = BlockchainTestRunner(blockSTMThreads: [2]).run(cases[0])
            result.withLock { $0 = r }
        }
        return try XCTUnwrap(result.withLock { $0 })
    }

    func testBlocktestChecksRequestsHash() throws {
        let good = try chain { $0 }
        XCTAssertTrue(good.pass, good.error ?? "")
        let bad = try chain { _ in .zero }
        XCTAssertFalse(bad.pass)
        XCTAssertTrue(bad.error?.contains("requests hash") == true, bad.error ?? "")
    }

    func testBlockRLPSizeLimitFromOsaka() throws {
        var block = try DecodedBlock.decode(Self.emptyBlockRLP(), schedule: ForkSchedule(only: .osaka))
        let parent = BlockHeader(number: 0, gasLimit: 30_000_000, timestamp: 0, baseFee: UInt256(7),
                                 withdrawalsRoot: MerkleTrie.emptyRoot, blobGasUsed: 0, excessBlobGas: 0,
                                 parentBeaconBlockRoot: .zero, requestsHash: BlockRequests([]).hash)
        block.rlpSize = BlockHeaderValidation.maxRLPBlockSize + 1
        XCTAssertThrowsError(try BlockHeaderValidation.validate(block, fork: .osaka, parent: parent, parentFork: .osaka)) { e in
            XCTAssertTrue("\(e)".contains("EIP-7934"), "\(e)")
        }
        // Prague has no such limit; at the limit Osaka has none either.
        for (fork, size) in [(Fork.prague, BlockHeaderValidation.maxRLPBlockSize + 1), (.osaka, BlockHeaderValidation.maxRLPBlockSize)] {
            block.rlpSize = size
            do { try BlockHeaderValidation.validate(block, fork: fork, parent: parent, parentFork: fork) } catch {
                XCTAssertFalse("\(error)".contains("EIP-7934"), "\(fork): \(error)")
            }
        }
        XCTAssertEqual(BlockHeaderValidation.maxRLPBlockSize, 8_388_608)
    }

    static func emptyBlockRLP() -> [UInt8] {
        let h = BlockHeader(number: 1, gasLimit: 30_000_000, timestamp: 12, baseFee: UInt256(7),
                            withdrawalsRoot: MerkleTrie.emptyRoot, blobGasUsed: 0, excessBlobGas: 0,
                            parentBeaconBlockRoot: .zero, requestsHash: BlockRequests([]).hash)
        return blockRLP(h)
    }

    /// A block of `header` with empty transactions, ommers and withdrawals.
    static func blockRLP(_ header: BlockHeader) -> [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            w.appendRaw(header.encoded)
            w.appendList { _ in }
            w.appendList { _ in }
            w.appendList { _ in }
        }
        return w.bytes
    }

    func testExcessBlobGasFollowsTheForksBlobSchedule() {
        // Known answers: ethereum.forks.{prague,osaka,bpo2}.vm.gas.calculate_excess_blob_gas on the same parents.
        func parent(_ excess: UInt64, _ used: UInt64, _ baseFee: UInt64) -> BlockHeader {
            BlockHeader(baseFee: UInt256(baseFee), blobGasUsed: used, excessBlobGas: excess)
        }
        let cases: [(BlockHeader, prague: UInt64, osaka: UInt64, bpo2: UInt64)] = [
            (parent(2_000_000, 1_966_080, 7), 3_179_648, 3_179_648, 2_131_072),
            // EIP-7918: the parent's blob execution cost (2^13 x base fee) is above its blob price.
            (parent(2_000_000, 1_966_080, 1_000_000_000), 3_179_648, 2_655_360, 2_655_360),
            (parent(0, 1_310_720, 7), 524_288, 524_288, 0),
        ]
        for (p, prague, osaka, bpo2) in cases {
            XCTAssertEqual(BlockHeaderValidation.expectedExcessBlobGas(parent: p, parentFork: .prague, fork: .prague), prague)
            XCTAssertEqual(BlockHeaderValidation.expectedExcessBlobGas(parent: p, parentFork: .osaka, fork: .osaka), osaka)
            XCTAssertEqual(BlockHeaderValidation.expectedExcessBlobGas(parent: p, parentFork: .bpo2, fork: .bpo2), bpo2)
        }
        // Cancun's target (3 blobs) is unchanged.
        XCTAssertEqual(BlockHeaderValidation.expectedExcessBlobGas(parent: parent(0, 524_288, 7), parentFork: .cancun), 131_072)
        // BPO2's maximum (21 blobs) is what the serial executor enforces.
        XCTAssertEqual(BlockFinalization.maxBlobGas(.bpo2), 21 * 131_072)
        XCTAssertEqual(BlockFinalization.maxBlobGas(.cancun), 786_432)
    }
}

private extension UInt64 {
    var littleEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (8 * $0)) } }
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (8 * (7 - $0))) } }
}
