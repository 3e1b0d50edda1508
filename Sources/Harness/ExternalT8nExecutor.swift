import Foundation
import EVMPrimitives
import EVMState
import EVMInterpreter
import Execution
import Keccak
import RLP
import VectorIO
import Vectors

/// Why an external t8n tool gave no usable result.
public struct ExternalT8nError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What one run of an external t8n tool gave: its `result`, its post-state and the same as a `BlockOutcome`,
/// comparable field by field with Lockstep's own executors.
public struct ExternalT8nRun: Sendable {
    public var result: T8nResult
    public var outcome: BlockOutcome
    /// The receipts root of a run over the included transactions only, when some were rejected (execution-specs
    /// puts rejected transactions in its tries; a real block does not). Equal to `result.receiptsRoot` otherwise.
    public var includedReceiptsRoot: Hash32
}

/// Runs any t8n tool (geth `evm t8n`, `ethereum-spec-evm t8n`, `lockstep t8n`, ...) as an executor: writes the
/// vector's alloc, env and signed txs to a temporary directory, runs `COMMAND --input.alloc ... --output.result
/// ... --state.fork F --state.chainid C`, and reads `result.json` and the post-state back.
///
/// `lockstep blocks --executor 't8n:COMMAND'` names it by `ExternalT8nExecutor.parse`.
public struct ExternalT8nExecutor: Sendable, Equatable {
    /// A shell command line; the standard t8n flags are appended.
    public let command: String
    /// Re-run over the included transactions when some were rejected, for a receipts root a real block would have.
    public var rerunWithoutRejected: Bool
    /// The longest one run of the tool may take; then it and its children are killed and the block fails.
    public var timeout: Duration

    /// `--executor-timeout`'s default: 10 minutes per block.
    public static let defaultTimeout = Duration.seconds(600)

    public init(command: String, rerunWithoutRejected: Bool = true, timeout: Duration = defaultTimeout) {
        self.command = command
        self.rerunWithoutRejected = rerunWithoutRejected
        self.timeout = timeout
    }

    /// The executor name in reports: `t8n:COMMAND`.
    public var name: String { "t8n:" + command }

    /// Parse hook for `--executor`: `t8n:COMMAND` gives an executor, anything else nil.
    public static func parse(_ spec: String) -> ExternalT8nExecutor? {
        guard spec.hasPrefix("t8n:") else { return nil }
        let command = String(spec.dropFirst(4)).trimmingCharacters(in: .whitespaces)
        return command.isEmpty ? nil : ExternalT8nExecutor(command: command)
    }

    /// Runs the vector. Transactions are signed with `keys` where a sender has one, else they must carry the
    /// signature they were loaded with.
    public func run(_ vector: BlockVector, signedWith keys: [Address: [UInt8]]? = nil) -> Result<ExternalT8nRun, ExternalT8nError> {
        let clock = ContinuousClock()
        let start = clock.now
        let first: (T8nResult, InMemoryState)
        switch invoke(vector, keys: keys) {
        case .success(let r): first = r
        case .failure(let e): return .failure(e)
        }
        let wall = UInt64((clock.now - start).nanoseconds)
        var (result, post) = first
        var includedRoot = result.receiptsRoot
        if rerunWithoutRejected, !result.rejected.isEmpty {
            let rejected = Set(result.rejected.map(\.index))
            var included = vector
            included.transactions = vector.transactions.enumerated().filter { !rejected.contains($0.offset) }.map(\.element)
            if !vector.signatures.isEmpty {
                included.signatures = vector.signatures.enumerated().filter { !rejected.contains($0.offset) }.map(\.element)
            }
            switch invoke(included, keys: keys) {
            case .success(let again):
                guard again.0.stateRoot == result.stateRoot, again.0.rejected.isEmpty else {
                    return .failure(ExternalT8nError("\(name): the run over the included transactions differs from the full run (state root \(again.0.stateRoot) vs \(result.stateRoot), \(again.0.rejected.count) rejected)"))
                }
                includedRoot = again.0.receiptsRoot
            case .failure(let e): return .failure(e)
            }
        }
        result.receiptsRoot = includedRoot
        do {
            var metrics = ExecutionMetrics()
            metrics.wallTimeNanoseconds = wall
            metrics.executions = vector.transactions.count
            let outcome = try Self.outcome(result, post: post, vector: vector, metrics: metrics)
            post = outcome.postState
            return .success(ExternalT8nRun(result: result, outcome: outcome, includedReceiptsRoot: includedRoot))
        } catch {
            return .failure(ExternalT8nError("\(name): \(error)"))
        }
    }

    /// The tool's result as a `BlockOutcome`. Fields a tool may leave out are derived as the yellow paper defines
    /// them: a receipt's gas from the cumulative gas, its type from its transaction, the created address from the
    /// sender and nonce.
    static func outcome(_ r: T8nResult, post: InMemoryState, vector: BlockVector, metrics: ExecutionMetrics) throws(ExternalT8nError) -> BlockOutcome {
        let rejected = Set(r.rejected.map(\.index))
        let included = vector.transactions.enumerated().filter { !rejected.contains($0.offset) }.map(\.element)
        guard included.count == r.receipts.count else {
            throw ExternalT8nError("\(r.receipts.count) receipts for \(included.count) included transactions")
        }
        var receipts: [Receipt] = []
        var previous: UInt64 = 0
        for (tx, t) in zip(included, r.receipts) {
            var bloom = Bloom()
            if t.bloom.count == 256 { bloom.bytes = t.bloom } else { for log in t.logs { bloom.add(log) } }
            var created = t.contractAddress
            if created == nil, tx.to == nil, t.success {
                created = Self.createAddress(sender: tx.sender, nonce: tx.nonce)
            }
            let receipt = Receipt(type: tx.type, success: t.success, cumulativeGasUsed: t.cumulativeGasUsed,
                                  gasUsed: t.gasUsed ?? (t.cumulativeGasUsed &- previous), logs: t.logs,
                                  bloom: bloom, contractAddress: created)
            receipts.append(receipt)
            previous = t.cumulativeGasUsed
        }
        var logsBloom = Bloom()
        if r.logsBloom.count == 256 { logsBloom.bytes = r.logsBloom }
        var outcome = BlockOutcome(stateRoot: r.stateRoot, receiptsRoot: r.receiptsRoot, logsHash: r.logsHash,
                                   logsBloom: logsBloom, gasUsed: r.gasUsed, blobGasUsed: r.blobGasUsed ?? 0,
                                   receipts: receipts, rejected: r.rejected, postState: post, metrics: metrics)
        // EIP-7685: the tool's requests (from Prague), or why the block is invalid.
        if let e = r.blockException {
            outcome.invalidBlock = InvalidBlockError(e)
        } else if let requests = r.requests {
            outcome.requests = BlockRequests(requests)
            if let h = r.requestsHash, h != outcome.requests?.hash {
                outcome.invalidBlock = InvalidBlockError("the tool's requestsHash \(h) is not the hash of its requests")
            }
        }
        return outcome
    }

    /// One run of the tool in a fresh temporary directory.
    /// `extra` arguments go after the standard ones (`--trace`); `inspect` sees the run's directory before it is
    /// removed (the trace files).
    func invoke(_ vector: BlockVector, keys: [Address: [UInt8]]?, extra: [String] = [],
                inspect: ((String) -> Void)? = nil) -> Result<(T8nResult, InMemoryState), ExternalT8nError> {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("lockstep-t8n-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: dir) }
        var inputs = vector
        inputs.expected = nil
        do { try BlockVectorIO.write(inputs, signedWith: keys, to: dir) } catch {
            return .failure(ExternalT8nError("\(name): cannot write the inputs: \(error)"))
        }
        let arguments = [
            "--input.alloc", "alloc.json", "--input.env", "env.json", "--input.txs", "txs.json",
            "--output.basedir", dir, "--output.result", "result.json", "--output.alloc", "post-alloc.json",
            "--state.fork", vector.fork.name, "--state.chainid", String(vector.env.chainId),
        ] + extra
        let line = command + " " + arguments.map(Self.shellQuoted).joined(separator: " ")
        let errorFile = dir + "/stderr.txt"
        let status: Int32
        switch Self.runShell(line, in: dir, stderrTo: errorFile, timeout: timeout) {
        case .failure(let failure): return .failure(ExternalT8nError("\(name): \(failure.message)"))
        case .success(let s): status = s
        }
        guard status == 0 else {
            let stderr = (try? VectorFile.readRaw(path: errorFile)) ?? []
            let tail = Echo.clip(String(decoding: stderr.suffix(2_000), as: UTF8.self), limit: 2_000)
            return .failure(ExternalT8nError("\(name): exit status \(status): \(tail)"))
        }
        func json(_ file: String) -> Result<Any, ExternalT8nError> {
            guard let data = fm.contents(atPath: dir + "/" + file) else {
                return .failure(ExternalT8nError("\(name): wrote no \(file)"))
            }
            do { return .success(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) } catch {
                return .failure(ExternalT8nError("\(name): \(file) is not JSON: \(error.localizedDescription)"))
            }
        }
        do {
            let result = try T8nResult.parse(try json("result.json").get(), at: "result")
            let post = try BlockVectorIO.readAlloc(Self.withBalances(try json("post-alloc.json").get()), at: "alloc")
            inspect?(dir)
            return .success((result, post))
        } catch let e as ExternalT8nError {
            return .failure(e)
        } catch let e as FieldError {
            return .failure(ExternalT8nError("\(name): \(e.reason)"))
        } catch {
            return .failure(ExternalT8nError("\(name): \(error)"))
        }
    }

    /// The address a creation transaction deploys to: `keccak256(rlp([sender, nonce]))[12...]` (Yellow Paper, 7).
    static func createAddress(sender: Address, nonce: UInt64) -> Address {
        var w = RLPWriter()
        w.appendList { w in
            w.appendAddress(sender)
            w.appendUInt(nonce)
        }
        return Address(Keccak256.hash(w.bytes).bytes[12...])
    }

    /// execution-specs leaves a zero balance (and nonce, code, storage) out of its output alloc; the loader
    /// wants `balance`, so a missing one is written as zero.
    static func withBalances(_ alloc: Any) -> Any {
        guard var accounts = alloc as? [String: Any] else { return alloc }
        for (address, value) in accounts {
            if var fields = value as? [String: Any], fields["balance"] == nil {
                fields["balance"] = "0x0"
                accounts[address] = fields
            }
        }
        return accounts
    }

    /// Runs `/bin/sh -c line` in `dir` in a process group of its own, stdin and stdout from and to /dev/null, stderr
    /// to a file (so that no pipe can stall it). Returns its exit status (128 + the signal when killed by one); past
    /// `timeout`, kills the whole group and fails.
    static func runShell(_ line: String, in dir: String, stderrTo errorFile: String, timeout: Duration) -> Result<Int32, TimeoutOrStart> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        // The child starts with default signal handling (lockstep ignores SIGPIPE) and an empty mask.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var pid: pid_t = 0
        // The shell changes to `dir` itself (posix_spawn's chdir action is not portable).
        let script = "cd " + shellQuoted(dir) + " || exit 127\n" + line
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(script), nil]
        defer { for a in argv { free(a) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        guard spawned == 0 else { return .failure(TimeoutOrStart("cannot start /bin/sh: \(String(cString: strerror(spawned)))")) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return .failure(TimeoutOrStart("waiting for the tool: \(String(cString: strerror(errno)))")) }
            if clock.now >= deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return .failure(TimeoutOrStart("no result within the executor timeout of \(Self.seconds(timeout)) (--executor-timeout); killed"))
            }
            usleep(5_000)
        }
        // Whatever the shell left running in its group goes too.
        kill(-pid, SIGKILL)
        let signal = status & 0x7f
        return .success(signal == 0 ? (status >> 8) & 0xff : 128 + signal)
    }

    struct TimeoutOrStart: Error { var message: String; init(_ m: String) { message = m } }

    static func seconds(_ d: Duration) -> String {
        let (s, a) = d.components
        return a == 0 ? "\(s) s" : String(format: "%.3f s", Double(s) + Double(a) / 1e18)
    }

    static func shellQuoted(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension ExternalT8nExecutor {
    /// Checks the tool on one vector the way `BlockRunner` checks a built-in executor: against Lockstep's serial
    /// run (bit for bit: roots, gas, receipts, post-state; rejected transactions by index, since tools word their
    /// reasons differently) and against the vector's expected values. The tool's wall time (process start
    /// included) is the timing.
    public func check(_ vector: BlockVector) -> BlockRunResult {
        var row = BlockRunResult(name: vector.name, fork: vector.fork.name, executor: name, threads: 1, status: .error("not run"))
        guard vector.fork.isSupported else {
            row.status = .skipped("fork \(vector.fork.name) is not supported")
            return row
        }
        let box = ReferenceBox()
        WorkerThreads.run(count: 1) { _ in
            box.outcome = vector.completing(SerialExecutor().execute(pre: vector.pre, env: vector.env,
                                                                     transactions: vector.transactions, fork: vector.fork))
        }
        guard let reference = box.outcome else {
            row.status = .error("the serial reference run gave no outcome")
            return row
        }
        var outcome: BlockOutcome
        switch run(vector) {
        case .failure(let error):
            row.status = .error(error.message)
            return row
        case .success(let r):
            outcome = vector.completing(r.outcome)
        }
        var problems: [String] = []
        if outcome.rejected.map(\.index) == reference.rejected.map(\.index) {
            outcome.rejected = reference.rejected  // same transactions; only the wording differs
        }
        if var d = BlockRunner.divergence(outcome, from: reference, transactions: vector.transactionCount) {
            d.traceDiff = BlockRunner.externalTraceDiff(vector, tool: self)
            row.matchesSerial = false
            row.divergence = d
            var text = "differs from serial in \(d.fields.joined(separator: ", "))"
            if let i = d.firstTransaction { text += "; first at transaction \(i)" }
            problems.append(text)
        } else {
            row.matchesSerial = true
        }
        problems += row.record(outcome, expected: vector.expected)
        let wall = outcome.metrics.wallTimeNanoseconds
        row.timing = BlockTiming(runs: 1, medianNanoseconds: wall, minNanoseconds: wall, maxNanoseconds: wall)
        row.status = .judged(problems)
        return row
    }

    /// `check` over every source in order; a vector that fails to load gives one failed row.
    public func check(sources: [VectorSource], each: ((BlockRunResult) -> Void)? = nil) -> [BlockRunResult] {
        var rows: [BlockRunResult] = []
        for source in sources {
            let row: BlockRunResult
            switch BlockVectorIO.load(source) {
            case .success(let v): row = check(v)
            case .failure(let e): row = BlockRunner.loadFailure(e, name: source.name)
            }
            each?(row)
            rows.append(row)
        }
        return rows
    }
}

/// The serial reference, carried out of the large-stack worker thread (written before `run` returns).
private final class ReferenceBox: @unchecked Sendable {
    var outcome: BlockOutcome?
}
