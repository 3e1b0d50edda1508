import ArgumentParser
import Foundation
import Synchronization
import EVMPrimitives
import EVMState
import Execution
import Harness
import Vectors
import Workloads
import Reports

/// `lockstep bench evm`: Lockstep's serial executor and revm (through pyrevm) on the same blocks, in interleaved
/// rounds. Build with `-c release` for meaningful numbers.
struct BenchEVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evm",
        abstract: "Time Lockstep's serial executor against revm (pyrevm 0.3.7) on the same generated blocks.",
        discussion: """
            Each block (generated from --seed; the Uniswap one needs the shared contracts) runs, after one warm-up \
            of each, in --repeat interleaved rounds: Lockstep's transaction loop alone (TransactionProcessor and \
            the state commit, no receipts or roots), Lockstep's whole block (SerialExecutor: receipts, state and \
            receipts roots), then revm's round (pyrevm's message_call for each transaction on a fresh EVM holding \
            the state the earlier ones left, so each starts with cold accounts and slots; EVMs are built \
            untimed). Medians are reported. revm computes no roots, so \
            'exec' compares execution with execution and 'block' compares Lockstep's whole block with revm's \
            execution. A ratio is revm's time over Lockstep's: above 1 Lockstep is faster. 'net' subtracts \
            pyrevm's fixed per-call cost (the median of empty calls, measured in the same run) from revm's time. \
            Every transaction's gas must equal between the two; a mismatch exits 1. \
            The peer is ci/peers/pyrevm_peer.py, run by a virtual environment's Python; pyrevm 0.3.7 is installed \
            there from PyPI when missing. --peer none times Lockstep only (for callgrind: the loop alone is the \
            function BenchEVMCommand.executeOnly).
            """)

    static let workloadNames = ["compute", "erc20", "transfers", "amm", "uniswap", "mixed"]

    @Option(help: "Comma-separated workloads (default: all of \(BenchEVMCommand.workloadNames.joined(separator: ", "))).")
    var workloads: String?

    @Option(help: "Transactions per block.")
    var txs: Int = 200

    @Option(name: .customLong("repeat"), help: "Timed rounds after the warm-up; medians are reported.")
    var repeats: Int = 5

    @Option(help: "The generator's seed.")
    var seed: UInt64 = 1

    @Option(help: "pyrevm (the default) or none (Lockstep only).")
    var peer: String = "pyrevm"

    @Option(help: "cpu (the default: each side's thread CPU time, robust on a loaded host) or wall (elapsed time).")
    var clock: BenchClock = .cpu

    @Option(help: "The virtual environment for the peer (default: <package root>/.bench-venv).")
    var venv: String?

    @Option(help: "Directory with the Uniswap bytecode (default: <package root>/../shared/vectors/contracts).")
    var contracts: String?

    func validate() throws {
        if txs < 1 { throw ValidationError("--txs must be at least 1, got \(txs).") }
        if repeats < 1 { throw ValidationError("--repeat must be at least 1, got \(repeats).") }
        if peer != "pyrevm" && peer != "none" { throw ValidationError("--peer must be pyrevm or none, got '\(peer)'.") }
        for name in selectedWorkloads() where !Self.workloadNames.contains(name) {
            throw ValidationError("--workloads: unknown workload '\(name)' (known: \(Self.workloadNames.joined(separator: ", "))).")
        }
    }

    func selectedWorkloads() -> [String] {
        guard let workloads else { return Self.workloadNames }
        return workloads.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// One block as both sides run it.
    struct Block: Sendable {
        var name: String
        var pre: InMemoryState
        var env: BlockEnvironment
        var txs: [Transaction]
        var fork: Fork
    }

    /// One measured block.
    struct Row {
        var workload: String
        var txs: Int
        var gas: UInt64
        var execNanoseconds: UInt64
        var blockNanoseconds: UInt64
        var peerNanoseconds: UInt64?
        /// Transactions whose gas differed: (index, Lockstep's, revm's).
        var gasMismatches: [(Int, UInt64, UInt64)]
    }

    func run() throws {
        let root = PackageRoot.find()
        let contracts = self.contracts ?? root.map {
            (($0 as NSString).deletingLastPathComponent as NSString).appendingPathComponent("shared/vectors/contracts")
        }
        let txs = self.txs, seed = self.seed
        let blocks = try selectedWorkloads().map { try Self.block($0, txs: txs, seed: seed, contracts: contracts) }
        var peerProcess: PeerProcess?
        if peer == "pyrevm" {
            guard let root else {
                throw ValidationError("cannot find the package root (for ci/peers/pyrevm_peer.py); run from the repository.")
            }
            let venv = self.venv ?? (root as NSString).appendingPathComponent(".bench-venv")
            let python = try PyrevmInstall.ensure(venv: venv)
            let script = (root as NSString).appendingPathComponent("ci/peers/pyrevm_peer.py")
            peerProcess = try PeerProcess(python: python, script: script)
        }
        defer { peerProcess?.close() }
        let clock = self.clock
        let emptyCall: UInt64? = try peerProcess.map { try $0.emptyCallNanoseconds(calls: 2000, clock: clock) }
        Output.err("bench evm: \(txs) txs per block, seed \(seed), \(repeats) rounds, peer \(peer), \(clock.rawValue) time, \(RunEnvironment.allocator())\n")
        let repeats = self.repeats
        let result = Mutex<Result<[Row], PeerError>>(.success([]))
        let box = PeerBox(peerProcess)
        // Lockstep's EVM runs on a thread with the EVM stack size, as every EVM thread does.
        WorkerThreads.run(count: 1) { _ in
            do {
                var rows: [Row] = []
                for b in blocks { rows.append(try Self.measure(b, repeats: repeats, peer: box.peer, clock: clock)) }
                result.withLock { $0 = .success(rows) }
            } catch let e as PeerError {
                result.withLock { $0 = .failure(e) }
            } catch {
                result.withLock { $0 = .failure(PeerError(message: "\(error)")) }
            }
        }
        let rows: [Row]
        switch result.withLock({ $0 }) {
        case .failure(let e): Output.err("bench evm: the peer failed: \(e.message)\n"); throw ExitCode(2)
        case .success(let r): rows = r
        }
        Output.out(Self.table(rows, emptyCall: emptyCall, clock: clock) + "\n")
        var mismatched = false
        for r in rows where !r.gasMismatches.isEmpty {
            mismatched = true
            let shown = r.gasMismatches.prefix(5).map { "tx \($0.0): lockstep \($0.1), revm \($0.2)" }
            Output.err("\(r.workload): gas differs in \(r.gasMismatches.count) transactions: \(shown.joined(separator: "; "))\n")
        }
        if mismatched { throw ExitCode(1) }
    }

    /// The generated block for a workload, with the transactions Lockstep rejects left out (pyrevm's message_call
    /// checks no nonces or balances, so both sides run exactly the included transactions).
    static func block(_ name: String, txs: Int, seed: UInt64, contracts: String?) throws -> Block {
        guard let workload = Workload(rawValue: name) else { throw ValidationError("unknown workload '\(name)'") }
        let options = GeneratorOptions(workload: workload, transactions: txs, seed: seed,
                                       contractsDirectory: workload == .uniswap ? contracts : nil)
        let generated: GeneratedBlock
        do { generated = try BlockGenerator.generate(options) } catch {
            throw ValidationError("cannot generate the \(name) block: \(error)")
        }
        let v = generated.vector
        let reference = SerialExecutor(recordsAccess: false).execute(pre: v.pre, env: v.env, transactions: v.transactions, fork: v.fork)
        let rejected = Set(reference.rejected.map(\.index))
        let included = v.transactions.enumerated().filter { !rejected.contains($0.offset) }.map(\.element)
        return Block(name: name, pre: v.pre, env: v.env, txs: included, fork: v.fork)
    }

    /// Lockstep's transaction loop alone: what SerialExecutor does per transaction (execute, commit, credit the
    /// fee), without receipts, rewards or roots. Not inlined, so that callgrind can count it alone
    /// (`--toggle-collect='*executeOnly*'`).
    @inline(never)
    static func executeOnly(_ b: Block, gas: inout [UInt64], clock: BenchClock) -> UInt64 {
        var state = b.pre
        // Make the copy of the pre-state's table now, untimed, as the peer builds its state untimed.
        state.accounts.reserveCapacity(state.accounts.count + 1)
        let start = clock.now()
        var cumulative: UInt64 = 0
        for (i, tx) in b.txs.enumerated() {
            switch TransactionProcessor.execute(tx, env: b.env, reader: state, fork: b.fork,
                                                gasAvailable: b.env.gasLimit - cumulative, deferCoinbaseFee: true) {
            case .failure: gas[i] = 0
            case .success(let r):
                state.apply(r.changes)
                state.credit(b.env.coinbase, r.coinbaseFee)
                cumulative += r.gasUsed
                gas[i] = r.gasUsed
            }
        }
        return clock.now() &- start
    }

    static func measure(_ b: Block, repeats: Int, peer: PeerProcess?, clock: BenchClock) throws -> Row {
        let serial = SerialExecutor(recordsAccess: false)
        func whole() -> (BlockOutcome, UInt64) {
            let start = clock.now()
            let o = serial.execute(pre: b.pre, env: b.env, transactions: b.txs, fork: b.fork)
            return (o, clock.now() &- start)
        }
        var gas = [UInt64](repeating: 0, count: b.txs.count)
        try peer?.load(b, clock: clock)
        // Warm-up of each side.
        _ = executeOnly(b, gas: &gas, clock: clock)
        let (outcome, _) = whole()
        var peerGas: [UInt64] = []
        if let peer { peerGas = try peer.round().gas }
        var exec: [UInt64] = [], blocks: [UInt64] = [], peers: [UInt64] = []
        for _ in 0..<repeats {
            exec.append(executeOnly(b, gas: &gas, clock: clock))
            blocks.append(whole().1)
            if let peer {
                let r = try peer.round()
                peers.append(r.nanoseconds)
                if r.gas != peerGas { throw PeerError(message: "\(b.name): revm's gas differs between rounds") }
            }
        }
        var mismatches: [(Int, UInt64, UInt64)] = []
        if peer != nil {
            if peerGas.count != gas.count { throw PeerError(message: "\(b.name): revm ran \(peerGas.count) transactions of \(gas.count)") }
            for i in gas.indices where gas[i] != peerGas[i] { mismatches.append((i, gas[i], peerGas[i])) }
        }
        // The loop and the whole block must agree with each other too.
        if gas != outcome.transactionGas { throw PeerError(message: "\(b.name): the transaction loop's gas differs from SerialExecutor's") }
        return Row(workload: b.name, txs: b.txs.count, gas: outcome.gasUsed, execNanoseconds: Timing.median(exec),
                   blockNanoseconds: Timing.median(blocks), peerNanoseconds: peer == nil ? nil : Timing.median(peers),
                   gasMismatches: mismatches)
    }

    static func table(_ rows: [Row], emptyCall: UInt64?, clock: BenchClock) -> String {
        var lines = [["workload", "txs", "gas", "exec ms", "block ms", "revm ms", "revm net ms",
                      "exec ratio", "block ratio", "net exec ratio", "gas"]]
        func ms(_ ns: UInt64) -> String { String(format: "%.3f", Double(ns) / 1e6) }
        func ratio(_ a: Double, _ b: UInt64) -> String { b == 0 ? "-" : String(format: "%.2f", a / Double(b)) }
        for r in rows {
            let peer = r.peerNanoseconds.map { Double($0) }
            let net = peer.map { max(0, $0 - Double(emptyCall ?? 0) * Double(r.txs)) }
            lines.append([r.workload, String(r.txs), String(r.gas), ms(r.execNanoseconds), ms(r.blockNanoseconds),
                          peer.map { String(format: "%.3f", $0 / 1e6) } ?? "-",
                          net.map { String(format: "%.3f", $0 / 1e6) } ?? "-",
                          peer.map { ratio($0, r.execNanoseconds) } ?? "-",
                          peer.map { ratio($0, r.blockNanoseconds) } ?? "-",
                          net.map { ratio($0, r.execNanoseconds) } ?? "-",
                          r.peerNanoseconds == nil ? "-" : r.gasMismatches.isEmpty ? "equal" : "MISMATCH"])
        }
        var out = BenchBlockSTMCommand.render(lines, rightAligned: 1...9)
        out += "\nexec: Lockstep's transaction loop (no receipts, no roots) against revm's; "
        out += "block: Lockstep's whole block (receipts, state and receipts roots) against revm's loop (revm computes no roots)."
        out += "\nratio = revm ms / Lockstep ms (above 1: Lockstep is faster); medians of the rounds; "
        out += clock == .cpu ? "each side's thread CPU time." : "wall-clock time."
        if let emptyCall {
            out += "\npyrevm's fixed cost per call (median empty call): \(String(format: "%.2f", Double(emptyCall) / 1e3)) µs; "
            out += "'net' subtracts it once per transaction from revm's time."
        }
        return out
    }
}

struct PeerError: Error { var message: String }

/// What a round's time is: the measuring thread's CPU time (each side's own thread, so a loaded host's other
/// processes do not count) or elapsed wall-clock time.
enum BenchClock: String, ExpressibleByArgument, Sendable {
    case cpu, wall

    func now() -> UInt64 { Timing.now(self == .cpu ? .threadCPU : .wall) }
}

/// The peer handed to the measuring thread (used by one thread at a time).
final class PeerBox: @unchecked Sendable {
    let peer: PeerProcess?
    init(_ peer: PeerProcess?) { self.peer = peer }
}

/// pyrevm 0.3.7 in a virtual environment: made and installed from PyPI when missing, never a build dependency.
enum PyrevmInstall {
    static let requirement = "pyrevm==0.3.7"

    /// The environment's Python once pyrevm 0.3.7 imports there.
    static func ensure(venv: String) throws -> String {
        let python = (venv as NSString).appendingPathComponent("bin/python")
        let check = ["-c", "import importlib.metadata as m, pyrevm; assert m.version('pyrevm') == '0.3.7', m.version('pyrevm')"]
        if FileManager.default.isExecutableFile(atPath: python), (try? Tool.run(python, check))?.status == 0 { return python }
        Output.err("bench evm: installing \(requirement) into \(venv) (python3 -m venv, pip install)\n")
        var r = try Tool.run("/usr/bin/env", ["python3", "-m", "venv", venv])
        guard r.status == 0 else { throw installError(venv, "python3 -m venv", r.output) }
        r = try Tool.run(python, ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", requirement])
        guard r.status == 0 else { throw installError(venv, "pip install \(requirement)", r.output) }
        r = try Tool.run(python, check)
        guard r.status == 0 else { throw installError(venv, "import pyrevm", r.output) }
        return python
    }

    static func installError(_ venv: String, _ step: String, _ output: String) -> ValidationError {
        let tail = output.split(separator: "\n").suffix(6).joined(separator: "\n")
        return ValidationError("cannot install the revm peer (\(requirement) from PyPI into \(venv)): \(step) failed:\n\(tail)")
    }
}

/// The peer script, started once and driven one JSON line per request, so that rounds interleave with
/// Lockstep's without process start-up in any timing.
final class PeerProcess {
    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle
    private var buffer: [UInt8] = []

    init(python: String, script: String) throws {
        guard FileManager.default.fileExists(atPath: script) else { throw ValidationError("the peer script \(script) is missing.") }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script]
        let toPeer = Pipe(), fromPeer = Pipe()
        process.standardInput = toPeer
        process.standardOutput = fromPeer
        input = toPeer.fileHandleForWriting
        output = fromPeer.fileHandleForReading
        try process.run()
    }

    func close() {
        if process.isRunning {
            _ = try? send(["cmd": "quit"], reply: false)
            try? input.close()
            process.waitUntilExit()
        }
    }

    @discardableResult
    private func send(_ request: [String: Any], reply: Bool = true) throws -> [String: Any] {
        var data = try JSONSerialization.data(withJSONObject: request)
        data.append(0x0A)
        try input.write(contentsOf: data)
        guard reply else { return [:] }
        let line = try readLine()
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw PeerError(message: "unreadable reply: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        if let error = object["error"] as? String { throw PeerError(message: error) }
        return object
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                return line
            }
            let chunk = output.availableData
            if chunk.isEmpty { throw PeerError(message: "the peer exited (status \(process.isRunning ? -1 : process.terminationStatus))") }
            buffer += chunk
        }
    }

    func emptyCallNanoseconds(calls: Int, clock: BenchClock) throws -> UInt64 {
        let r = try send(["cmd": "empty", "n": calls, "clock": clock.rawValue])
        guard let ns = (r["ns"] as? NSNumber)?.uint64Value else { throw PeerError(message: "no ns in the empty-call reply") }
        return ns
    }

    func load(_ b: BenchEVMCommand.Block, clock: BenchClock) throws {
        guard let spec = Self.specID(b.fork) else { throw PeerError(message: "\(b.name): no revm spec for \(b.fork)") }
        let env = b.env
        var accounts: [[String: Any]] = []
        for (address, account) in b.pre.accounts.sorted(by: { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }) {
            var a: [String: Any] = ["address": Hex.encode(address.bytes), "nonce": account.info.nonce,
                                    "balance": account.info.balance.hexString]
            if !account.info.code.isEmpty { a["code"] = Hex.encode(account.info.code.bytes) }
            if !account.storage.isEmpty {
                a["storage"] = account.storage.sorted { $0.key < $1.key }.map { [$0.key.hexString, $0.value.hexString] }
            }
            accounts.append(a)
        }
        let txs: [[String: Any]] = b.txs.map { tx in
            var t: [String: Any] = ["from": Hex.encode(tx.sender.bytes), "data": Hex.encode(tx.data), "value": tx.value.hexString,
                                    "gas": tx.gasLimit, "nonce": tx.nonce,
                                    "gasPrice": TransactionProcessor.effectiveGasPrice(tx, baseFee: env.baseFee).hexString]
            if let to = tx.to { t["to"] = Hex.encode(to.bytes) }
            if !tx.accessList.isEmpty {
                t["accessList"] = tx.accessList.map { ["address": Hex.encode($0.address.bytes), "keys": $0.storageKeys.map(\.hexString)] }
            }
            return t
        }
        try send(["cmd": "load", "spec": spec, "accounts": accounts, "txs": txs, "clock": clock.rawValue,
                  "env": ["number": env.number, "coinbase": Hex.encode(env.coinbase.bytes), "timestamp": env.timestamp,
                          "difficulty": env.difficulty.hexString, "prevrandao": Hex.encode(env.prevRandao.bigEndianBytes),
                          "basefee": env.baseFee.hexString, "gasLimit": env.gasLimit, "excessBlobGas": env.excessBlobGas ?? 0]])
    }

    func round() throws -> (nanoseconds: UInt64, gas: [UInt64]) {
        let r = try send(["cmd": "round"])
        guard let ns = (r["ns"] as? NSNumber)?.uint64Value, let gas = r["gas"] as? [NSNumber] else {
            throw PeerError(message: "a round's reply lacks ns or gas")
        }
        return (ns, gas.map(\.uint64Value))
    }

    /// revm's SpecId for the forks the generated blocks use.
    static func specID(_ fork: Fork) -> String? {
        switch fork {
        case .cancun: return "CANCUN"
        case .shanghai: return "SHANGHAI"
        default: return nil
        }
    }
}
