import Synchronization
import XCTest
import EVMPrimitives
import EVMState
import Execution
import Vectors
@testable import Harness
@testable import Reports
@testable import Workloads

/// Block workloads through `BlockRunner` and the adapter: executors agree on the generated blocks, the dependency
/// figures have known answers, and a planted divergence reaches the report with its first transaction and state diff.
final class BlockWorkloadTests: XCTestCase {
    /// One of Block-STM's benchmark blocks (fixed shapes with known dependency structure) as a vector.
    func benchmark(_ name: String, transactions: Int = 16, hotRatio: Double? = nil) throws -> BlockVector {
        let b = try XCTUnwrap(BlockSTMBenchmark.blocks(txs: transactions).first { $0.name == name })
        return BlockVector(name: b.name, path: "", pre: b.pre, env: b.env, transactions: b.txs,
                           metadata: hotRatio.map { [GeneratedWorkloads.hotRatioKey: String($0)] } ?? [:])
    }

    func plan(executors: [ExecutorChoice] = [.serial, .blockstm], threads: [Int] = [1, 2]) -> RunPlan {
        RunPlan(executors: executors, threads: threads, repetitions: 1, seed: 1)
    }

    func testGeneratedBlocksPassUnderEveryExecutor() throws {
        let p = plan(executors: [.serial, .blockstm, .blockstmForced])
        let blocks = try GeneratedWorkloads.blocks(transactions: 20, seed: 3)
        XCTAssertEqual(blocks.map(\.name), ["erc20-n20-hot0.0", "erc20-n20-hot0.1", "erc20-n20-hot0.25", "erc20-n20-hot0.5",
                                            "erc20-n20-hot1.0", "transfers-n20-hot0.3", "amm-n20-hot0.8", "compute-n20-hot0.0",
                                            "mixed-n20-hot0.3"])
        for v in blocks {
            let (cases, performance) = SuiteRunner.runWorkload(.generated(v), plan: p)
            XCTAssertEqual(cases.map { "\($0.executor) x\($0.threads)" },
                           ["serial x1", "blockstm x1", "blockstm x2", "blockstm-forced x1", "blockstm-forced x2"], v.name)
            for c in cases {
                XCTAssertEqual(c.status, .pass, "\(v.name) \(c.executor) x\(c.threads): \(c.message ?? "")")
                XCTAssertEqual(c.suite, "generated")
                XCTAssertNotNil(c.actual?.stateRoot)
            }
            XCTAssertEqual(Set(cases.compactMap(\.actual?.stateRoot)).count, 1, "every executor has the serial root")
            let perf = try XCTUnwrap(performance, v.name)
            XCTAssertEqual(perf.runs.map { "\($0.executor) x\($0.threads)" },
                           ["blockstm x1", "blockstm x2", "blockstm-forced x1", "blockstm-forced x2"])
            XCTAssertEqual(perf.transactions, 20)
            XCTAssertGreaterThanOrEqual(perf.gasUsed, 20 * 21_000, v.name)
            XCTAssertNotNil(perf.hotRatio, v.name)
            XCTAssertGreaterThan(perf.serialSeconds, 0)
            for run in perf.runs {
                XCTAssertLessThanOrEqual(run.idealSpeedup, Double(run.threads) + 1e-9)
                XCTAssertGreaterThanOrEqual(run.idealSpeedup, 1)
                XCTAssertEqual(run.efficiency, run.speedup / run.idealSpeedup, accuracy: 1e-9)
            }
            // Forced Block-STM never chooses the serial path on more than one thread.
            XCTAssertFalse(perf.runs.contains { $0.executor == "blockstm-forced" && $0.threads > 1 && $0.ranSerially })
        }
    }

    func testDependencyFiguresKnownAnswers() throws {
        let p = plan(executors: [.serial], threads: [])
        // One shared counter: every transaction after the first reads the slot the previous one wrote, a chain.
        let counter = try XCTUnwrap(SuiteRunner.runWorkload(.generated(try benchmark("dependent-counter", hotRatio: 1)), plan: p).performance)
        XCTAssertEqual(counter.hotRatio, 1)
        XCTAssertEqual(counter.dependentShare, 15.0 / 16.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(counter.parallelismBoundGas), 1, accuracy: 1e-9, "a chain cannot run faster than itself")

        // Transfers between distinct holders, compute on distinct contracts: no transaction reads another's writes.
        // That needs write sets without the account entries a transaction left unchanged (the token contract's
        // nonce, balance and code stay as they were when only its storage changes), as Block-STM records them
        // (BlockSTMExecutor.appendWrites): else every transfer seems to depend on the one before.
        let transfers = try benchmark("erc20-transfers")
        let serial = SerialExecutor().execute(pre: transfers.pre, env: transfers.env, transactions: transfers.transactions,
                                              fork: transfers.fork)
        let token = try XCTUnwrap(transfers.transactions.first?.to)
        XCTAssertEqual(serial.postState.accounts[token]?.info, transfers.pre.accounts[token]?.info)
        XCTAssertEqual(serial.accessSets.first?.writes.contains(.account(token)), false,
                       "a storage-only change must not count as a write of the account entry")
        for name in ["erc20-transfers", "compute-heavy"] {
            let v = try benchmark(name)
            let perf = try XCTUnwrap(SuiteRunner.runWorkload(.generated(v), plan: p).performance)
            XCTAssertEqual(perf.dependentShare, 0, name)
            // No chain longer than one transaction: the bound is the block's gas over its heaviest transaction's.
            let gas = SerialExecutor().execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork).transactionGas
            let heaviest = try XCTUnwrap(gas.max())
            XCTAssertEqual(try XCTUnwrap(perf.parallelismBoundGas), Double(gas.reduce(0, +)) / Double(heaviest), accuracy: 1e-9, name)
            XCTAssertGreaterThan(try XCTUnwrap(perf.parallelismBoundGas), 15, name)
        }
    }

    /// A Block-STM row that diverged from serial, as `BlockRunner` reports it.
    func divergentRows() -> [BlockRunResult] {
        let serial = BlockRunResult(name: "b", fork: "Cancun", executor: "serial", threads: 1, status: .passed,
                                    stateRoot: "0xaa", receiptsRoot: "0xbb", logsHash: "0xcc", gasUsed: 44_000, rejected: [],
                                    timing: BlockTiming(runs: 3, medianNanoseconds: 2_500_000, minNanoseconds: 2_000_000, maxNanoseconds: 3_000_000),
                                    block: BlockStatistics(transactions: 2, included: 2, gas: 44_000, conflictRate: 0.5,
                                                           dependencies: 1, criticalPathGas: 33_000, criticalPathNanoseconds: 1_500,
                                                           totalTransactionNanoseconds: 2_000, idealSpeedupGas: 1, idealSpeedupTime: 1))
        let divergence = BlockDivergence(fields: ["stateRoot", "receipts"], firstTransaction: 1,
                                         transactionDetail: "status 0, serial 1",
                                         stateDiff: [StateDifference(address: "0x01", field: "storage", slot: "0x0", serial: "0x2", actual: "0x1"),
                                                     StateDifference(address: "0x02", field: "balance", serial: "10", actual: "9")],
                                         stateDiffOmitted: 3)
        let parallel = BlockRunResult(name: "b", fork: "Cancun", executor: "blockstm", threads: 2,
                                      status: .failed("differs from serial in stateRoot, receipts; first at transaction 1"),
                                      stateRoot: "0xdd", receiptsRoot: "0xee", logsHash: "0xcc", gasUsed: 44_000, rejected: [],
                                      matchesSerial: false,
                                      divergence: divergence,
                                      timing: BlockTiming(runs: 3, medianNanoseconds: 1_500_000, minNanoseconds: 1_000_000, maxNanoseconds: 2_000_000, speedup: 1.67),
                                      metrics: nil,
                                      block: BlockStatistics(transactions: 2, included: 2, gas: 44_000, conflictRate: 0.5,
                                                             dependencies: 1, criticalPathGas: 33_000, criticalPathNanoseconds: 1_500,
                                                             totalTransactionNanoseconds: 2_000, idealSpeedupGas: 1.33, idealSpeedupTime: 1.33))
        return [serial, parallel]
    }

    func testAdapterCarriesTheDivergence() throws {
        let (cases, performance) = BlockRunAdapter.adapt(rows: divergentRows(), suite: "blocks", hotRatio: nil, expected: nil,
                                                         reproduce: { e, t in "run \(e) \(t)" })
        XCTAssertEqual(cases.map(\.status), [.pass, .fail])
        let c = cases[1]
        XCTAssertEqual(c.expected?.stateRoot, "0xaa", "the serial outcome is the expected side")
        XCTAssertEqual(c.actual?.stateRoot, "0xdd")
        XCTAssertEqual(c.reproduce, "run blockstm 2")
        let d = try XCTUnwrap(c.divergence)
        XCTAssertEqual(d.firstTransaction, 1)
        XCTAssertEqual(d.fields, ["stateRoot", "receipts"])
        XCTAssertEqual(d.stateDiff, [StateDiffEntry(address: "0x01", field: "storage[0x0]", expected: "0x2", actual: "0x1"),
                                     StateDiffEntry(address: "0x02", field: "balance", expected: "10", actual: "9")])
        XCTAssertEqual(d.stateDiffOmitted, 3)
        let p = try XCTUnwrap(performance)
        XCTAssertEqual(p.serialSeconds, 0.0025, "the median of the rounds")
        XCTAssertEqual(p.serialMgasPerSecond, 17.6, accuracy: 1e-9)
        XCTAssertEqual(p.parallelismBound, 2000.0 / 1500.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(p.parallelismBoundGas), 44.0 / 33.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(p.runs.first?.speedup), 2.5 / 1.5, accuracy: 1e-12, "a ratio of medians")
        XCTAssertEqual(try XCTUnwrap(p.runs.first?.efficiency), 2.5 / 1.5 / 1.33, accuracy: 1e-12)
        // The written report shows all of it.
        var report = Fixtures.report(gate: false)
        report.cases = cases
        let md = MarkdownWriter.render(report)
        XCTAssertTrue(md.contains("First divergent transaction: **1**: status 0, serial 1"), md)
        XCTAssertTrue(md.contains("| 0x01 | storage\\[0x0\\] | 0x2 | 0x1 |"), md)
        XCTAssertTrue(md.contains("3 more not listed"), md)
        XCTAssertTrue(md.contains("| state root | 0xaa | 0xdd |"), md)
    }

    func testAdapterStatuses() throws {
        // The runner decides each row's status; the adapter keeps it and its reason, whatever fields are empty.
        let load = BlockRunner.loadFailure(LoadError(file: "x.json", reason: "malformed JSON"), name: "x.json")
        XCTAssertEqual(load.status, .error("x.json: malformed JSON"))
        XCTAssertEqual(BlockRunAdapter.caseResult(load, suite: "blocks", executor: "serial", serial: nil, expected: nil, reproduce: nil).status, .error)
        // A block of a fork the interpreter does not execute yet: every row skipped, never run.
        if let fork = Fork.allCases.last(where: { !$0.isSupported }) {
            var v = try XCTUnwrap(try GeneratedWorkloads.blocks(transactions: 2, seed: 1).first)
            v.fork = fork
            let rows = BlockRunner(executors: [.serial, .blockstm], threads: [2]).run(v)
            XCTAssertEqual(rows.map(\.status), [RunStatus](repeating: .skipped("fork \(fork.name) is not supported"), count: 2))
            let c = BlockRunAdapter.caseResult(rows[1], suite: "blocks", executor: "blockstm", serial: rows[0], expected: nil, reproduce: nil)
            XCTAssertEqual(c.status, .skip)
            XCTAssertEqual(c.message, "fork \(fork.name) is not supported")
        }
        // A supported fork where the tool gave no outcome: an error (never a silent skip), its reason the tool's.
        let v = try XCTUnwrap(try GeneratedWorkloads.blocks(transactions: 2, seed: 1).first)
        let broken = ExternalT8nExecutor(command: "sh -c 'echo broken >&2; exit 7' --").check(v)
        guard case .error(let why) = broken.status else { return XCTFail("expected an error, got \(broken.status)") }
        XCTAssertTrue(why.hasPrefix(broken.executor + ":"), why)
        XCTAssertFalse(broken.pass)
        XCTAssertEqual(broken.error, why)
        XCTAssertEqual(BlockRunAdapter.caseResult(broken, suite: "blocks", executor: broken.executor, serial: nil, expected: nil, reproduce: nil).status, .error)
        // A row the runner judged failing stays a failure even without a state root: the status is not inferred.
        let judged = BlockRunResult(name: "v", fork: "Cancun", executor: "serial", threads: 1, status: .failed("gas used 1, expected 2"))
        XCTAssertEqual(BlockRunAdapter.caseResult(judged, suite: "blocks", executor: "serial", serial: nil, expected: nil, reproduce: nil).status, .fail)
        // A timed run that differs fails a row that passed its checks, and adds to one that did not.
        XCTAssertEqual(RunStatus.passed.failing("timed run 2"), .failed("timed run 2"))
        XCTAssertEqual(RunStatus.failed("gas").failing("timed run 2"), .failed("gas; timed run 2"))
        XCTAssertEqual(RunStatus.skipped("fork").failing("timed run 2"), .skipped("fork"))
        // A row that misses the vector's expected values shows them on the expected side.
        let wrong = BlockRunResult(name: "v", fork: "Cancun", executor: "serial", threads: 1,
                                   status: .failed("gas used 21000, expected 21001"), stateRoot: "0x11",
                                   gasUsed: 21_000, matchesExpected: false)
        let expected = ExpectedBlockResult(gasUsed: 21_001)
        let c = BlockRunAdapter.caseResult(wrong, suite: "blocks", executor: "serial", serial: nil, expected: expected, reproduce: nil)
        XCTAssertEqual(c.status, .fail)
        XCTAssertEqual(c.expected?.gasUsed, 21_001)
        XCTAssertEqual(c.actual?.gasUsed, 21_000)
    }

    func testBlockVectorFilesRunAndLoadErrorsAreCases() throws {
        let dir = try Fixtures.temporaryDirectory(self)
        // Four signed value transfers from one key's account (a nonce chain), written as a t8n directory.
        let key = try Hex.decode("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
        let sender = try XCTUnwrap(SecretKey.address(of: key))
        var pre = InMemoryState()
        pre.accounts[sender] = Account(info: AccountInfo(balance: UInt256(1) << 70))
        let env = BlockEnvironment(coinbase: Address(a: 0, b: 0, c: 0xC0FFEE), gasLimit: 30_000_000, number: 1,
                                   timestamp: 1_000, baseFee: UInt256(7), chainId: 1)
        let txs = (0..<4).map { n in
            Transaction(type: .legacy, chainId: 1, nonce: UInt64(n), gasPrice: UInt256(10), gasLimit: 21_000,
                        to: Address(a: 0, b: 0, c: 0xBEEF), value: UInt256(UInt64(n + 1)), sender: sender)
        }
        let v = BlockVector(name: "chain", path: "", pre: pre, env: env, transactions: txs)
        try BlockVectorIO.write(v, signedWith: [sender: key], to: dir + "/counter")
        try "{not json".write(toFile: dir + "/broken.json", atomically: true, encoding: .utf8)
        let (stateTests, blocks) = try VectorClassifier.classify([dir])
        XCTAssertEqual(blocks.map(\.name), ["counter"])
        XCTAssertEqual(stateTests.map(\.name), ["broken.json"], "not a block vector: the state-test loader reports it")
        let p = plan()
        let (cases, performance) = SuiteRunner.runWorkload(.file(blocks[0]), plan: p)
        XCTAssertEqual(cases.map(\.status), [.pass, .pass, .pass])
        XCTAssertEqual(cases.first?.suite, "blocks")
        XCTAssertEqual(cases.first?.reproduce, "lockstep run \(Reproduce.quote(blocks[0].path)) --executor serial --threads 1")
        XCTAssertEqual(performance?.transactions, 4)
        let missing = SuiteRunner.runWorkload(.file(VectorSource(path: dir + "/nope", name: "nope")), plan: p)
        XCTAssertEqual(missing.cases.map(\.status), [.error])
        XCTAssertNil(missing.performance)
    }

    func testClassifierReadsOnlyTopLevelKeys() {
        XCTAssertEqual(VectorClassifier.firstTopLevelKey(Array(#"{"_info": {"alloc": 1}, "alloc": {}}"#.utf8), skippingPrefix: "_"), "alloc")
        XCTAssertEqual(VectorClassifier.firstTopLevelKey(Array(#"{"add": {"pre": {"alloc": 1}}}"#.utf8), skippingPrefix: "_"), "add")
        XCTAssertEqual(VectorClassifier.firstTopLevelKey(Array(#"{"a\"b": 1}"#.utf8), skippingPrefix: "_"), #"a\"b"#)
        XCTAssertNil(VectorClassifier.firstTopLevelKey(Array("[1, 2]".utf8), skippingPrefix: "_"))
    }

    func testGeneratedBlocksAreSeeded() throws {
        let a = try GeneratedWorkloads.blocks(transactions: 12, seed: 5).map { $0.transactions.map(\.sender) }
        let b = try GeneratedWorkloads.blocks(transactions: 12, seed: 5).map { $0.transactions.map(\.sender) }
        let c = try GeneratedWorkloads.blocks(transactions: 12, seed: 6).map { $0.transactions.map(\.sender) }
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c, "another seed makes other blocks")
        let blocks = try GeneratedWorkloads.blocks(transactions: 12, seed: 5)
        XCTAssertEqual(blocks.map { $0.metadata["seed"] }, Array(repeating: "5", count: blocks.count))
        XCTAssertEqual(blocks.prefix(5).map(GeneratedWorkloads.hotRatio), [0, 0.1, 0.25, 0.5, 1])
    }

    func testStateTestAdapter() {
        let root = Hash32([UInt8](repeating: 0xAB, count: 32))
        let pass = CaseResult(stateTest: StateTestResult(name: "f.json:t:Cancun:d0g0v0", fork: "Cancun", status: .passed,
                                                         stateRoot: root, logsHash: root))
        XCTAssertEqual(pass.status, .pass)
        XCTAssertEqual(pass.actual?.stateRoot, root.description)
        XCTAssertEqual(CaseResult(stateTest: StateTestResult(name: "f.json", fork: "", status: .error("malformed JSON"))).status, .error)
        let skip = CaseResult(stateTest: StateTestResult(name: "f.json:t:Berlin:d0g0v0", fork: "Berlin",
                                                         status: .skipped("fork Berlin not supported")))
        XCTAssertEqual(skip.status, .skip)
        XCTAssertEqual(skip.message, "fork Berlin not supported")
        let fail = CaseResult(stateTest: StateTestResult(name: "f.json:t:Cancun:d0g0v0", fork: "Cancun",
                                                         status: .failed("state root differs"), stateRoot: root, logsHash: root))
        XCTAssertEqual(fail.status, .fail)
        XCTAssertEqual(fail.message, "state root differs")
    }

    func testStateTestFailureCarriesExpectedRoots() throws {
        // A real state test with a planted wrong expectation: the report shows the vector's root and ours.
        let dir = Fixtures.sharedVectors + "/ethereum-tests/GeneralStateTests/stExample"
        guard FileManager.default.fileExists(atPath: dir) else { throw XCTSkip("shared vectors not found at \(dir)") }
        let source = try XCTUnwrap(try StateTestLoader.sources(for: [dir]).first)
        var file = StateTestLoader.load(source)
        var c = try XCTUnwrap(file.cases.first { $0.fork == .cancun })
        let truth = c.expectedStateRoot
        c.expectedStateRoot = Hash32([UInt8](repeating: 0x11, count: 32))
        file.cases = [c]
        let result = StateTestRunner().run(c)
        let adapted = CaseResult(stateTest: result, case: c)
        XCTAssertEqual(adapted.status, .fail)
        XCTAssertEqual(adapted.expected?.stateRoot, "0x" + String(repeating: "11", count: 32))
        XCTAssertEqual(adapted.actual?.stateRoot, truth.description, "the executor still produces the vector's real root")
    }

    func testReproduceCommandsQuoteForTheShell() {
        XCTAssertEqual(Reproduce.quote("plain-name_1.json"), "plain-name_1.json")
        XCTAssertEqual(Reproduce.quote("it's"), "'it'\\''s'")
        XCTAssertEqual(Reproduce.stateTest(path: "dir/a b.json", test: "t(1)", fork: "Cancun", indexes: "d0g0v0"),
                       "lockstep statetest --filter ':t\\(1\\):Cancun:d0g0v0$' 'dir/a b.json'")
        XCTAssertEqual(Reproduce.exactPattern("mixed-hot10pct"), "^mixed-hot10pct$")
    }

    func testWritersNameTheGeneratedSuiteAsTheHarnessDoes() throws {
        // `Reports` depends on no module, so the HTML writer holds its own copy of the generated suite's name.
        let block = try XCTUnwrap(try GeneratedWorkloads.blocks(transactions: 2, seed: 1).first)
        XCTAssertEqual(WorkloadSource.generated(block).suite, GeneratedWorkloads.suite)
        XCTAssertEqual(HTMLWriter.generatedSuite, GeneratedWorkloads.suite)
    }

    func testBlockRowJSONCarriesTheStatusAndItsMirrors() throws {
        // `lockstep blocks --json` keeps `pass` and `error` for its readers, beside the typed status.
        let row = BlockRunResult(name: "v", fork: "Cancun", executor: "serial", threads: 1, status: .failed("gas"))
        let data = try JSONEncoder().encode(row)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["pass"] as? Bool, false)
        XCTAssertEqual(object["error"] as? String, "gas")
        XCTAssertEqual(object["status"] as? [String: String], ["kind": "fail", "reason": "gas"])
        XCTAssertEqual(try JSONDecoder().decode(BlockRunResult.self, from: data), row)
        var passed = row
        passed.status = .passed
        XCTAssertTrue(passed.pass)
        XCTAssertNil(passed.error)
        for s in [RunStatus.passed, .failed("a"), .error("b"), .skipped("c")] {
            XCTAssertEqual(try JSONDecoder().decode(RunStatus.self, from: JSONEncoder().encode(s)), s)
        }
        XCTAssertThrowsError(try JSONDecoder().decode(RunStatus.self, from: Data(#"{"kind":"maybe"}"#.utf8)))
    }

    func testRunAndStatetestShareOneFileLoop() throws {
        // `lockstep run` and `lockstep statetest` go through `StateTestRunner`'s one file loop: the same cases in the
        // same order with the same statuses, a file that does not parse an error in both, the same failure count.
        let dir = Fixtures.sharedVectors + "/ethereum-tests/GeneralStateTests/stExample"
        guard FileManager.default.fileExists(atPath: dir) else { throw XCTSkip("shared vectors not found at \(dir)") }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-loop-\(getpid())").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: tmp + "/broken.json"))
        let sources = try StateTestLoader.sources(for: [dir]) + StateTestLoader.sources(for: [tmp])
        let skip = SkipList(entries: [SkipList.Entry(pattern: try NamePattern("add11"), reason: "planted skip")])
        var plain = StateTestRunner(skipList: skip, threads: 2)
        plain.executor = .serial
        let results = plain.run(sources: sources)
        let failures = Mutex(0)
        let cases = SuiteRunner.runStateTests(sources, plan: RunPlan(stateTestSources: sources, skipList: skip, stateTestThreads: 2),
                                              onFile: { n in failures.withLock { $0 += n } })
        XCTAssertGreaterThan(results.count, 2)
        XCTAssertEqual(cases.map(\.name), results.map(\.name))
        XCTAssertEqual(cases.map(\.status), results.map(\.status.caseStatus))
        XCTAssertEqual(cases.map(\.message), results.map(\.status.reason))
        XCTAssertTrue(cases.contains { $0.status == .skip && $0.message == "planted skip" })
        XCTAssertEqual(cases.last?.status, .error)
        XCTAssertTrue(cases.last?.reproduce?.contains("broken.json") ?? false)
        XCTAssertEqual(failures.withLock { $0 }, results.filter(\.isFailure).count)
        XCTAssertEqual(failures.withLock { $0 }, 1)
    }
}
