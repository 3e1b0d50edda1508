import ArgumentParser
import Foundation
import EVMPrimitives
import Execution
import Harness
import VectorIO
import Vectors

/// `lockstep t8n`: the state-transition tool interface of geth's `evm t8n` and execution-specs'
/// `ethereum-spec-evm t8n`, backed by Lockstep's serial executor or Block-STM.
struct T8nCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "t8n",
        abstract: "Apply a block's transactions to a pre-state, as geth's and execution-specs' t8n tools do.",
        discussion: """
            Reads alloc, env and txs (JSON; txs may also be a JSON string of RLP), runs the block, and writes the \
            result (stateRoot, txRoot, receiptsRoot, logsHash, logsBloom, receipts, rejected, currentDifficulty, \
            gasUsed, currentBaseFee, withdrawalsRoot, currentExcessBlobGas, blobGasUsed), the post-state alloc and \
            optionally the body (RLP of the included transactions). An input named `stdin` is read from one JSON \
            object on standard input with keys alloc, env, txs; outputs named `stdout` are printed as one JSON object \
            with keys result, alloc, body. Like geth, rejected transactions are left out of txRoot, receiptsRoot and \
            the body. Exit status (geth's): 0 success, 2 EVM error, 3 configuration error (fork, env), 10 bad JSON, \
            11 I/O error, 12 bad RLP.
            """)

    @Option(name: .customLong("input.alloc"), help: "Pre-state file, or stdin.")
    var inputAlloc = "alloc.json"

    @Option(name: .customLong("input.env"), help: "Block environment file, or stdin.")
    var inputEnv = "env.json"

    @Option(name: .customLong("input.txs"), help: "Transactions file (JSON array, or a JSON string of RLP), or stdin.")
    var inputTxs = "txs.json"

    @Option(name: .customLong("output.basedir"), help: "Directory the output files are written to.")
    var outputBasedir = "."

    @Option(name: .customLong("output.result"), help: "Result file name, or stdout.")
    var outputResult = "result.json"

    @Option(name: .customLong("output.alloc"), help: "Post-state file name, or stdout.")
    var outputAlloc = "alloc.json"

    @Option(name: .customLong("output.body"), help: "Body (RLP of the included transactions) file name, or stdout.")
    var outputBody: String?

    @Option(name: .customLong("state.fork"), help: "Fork name: any fork from Frontier to BPO2 (Prague on: with EIP-7685 requests).")
    var stateFork = "Cancun"

    @Option(name: .customLong("state.chainid"), help: "Chain id for signatures and CHAINID.")
    var stateChainid: UInt64 = 1

    @Option(name: .customLong("state.reward"), help: "Block reward before the merge (ignored by proof-of-stake forks).")
    var stateReward: Int64 = 0

    @Option(help: "Executor: serial, blockstm or bal (the BAL executor, from the list a serial run derives).")
    var executor: BlockRunner.Executor = .serial

    @Option(help: "Block-STM worker threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Write each included transaction's EIP-3155 trace to trace-<txindex>-<txhash>.jsonl in --output.basedir, as geth and ethereum-spec-evm do (Block-STM: its final incarnation).")
    var trace = false

    @Flag(name: .customLong("trace.memory"), help: "Traces carry the memory (off by default).")
    var traceMemory = false

    @Flag(name: .customLong("trace.nomemory"), help: "Traces leave the memory out (the default).")
    var traceNoMemory = false

    @Flag(name: .customLong("trace.nostack"), help: "Traces leave the stack out.")
    var traceNoStack = false

    @Flag(name: .customLong("trace.returndata"), help: "Traces carry the return data (the default).")
    var traceReturnData = false

    @Flag(name: .customLong("trace.noreturndata"), help: "Traces leave the return data out.")
    var traceNoReturnData = false

    @Option(name: .customLong("max-input-size"),
            help: "Largest input, a file (after zstd decompression) or stdin, in bytes or with a K, M or G suffix (powers of 1024). Default: 1G.")
    var maxInputSize = "1G"

    func run() throws {
        // geth's code for an I/O error, should the result not reach stdout.
        Output.writeFailureStatus = T8nFailure.Kind.io.rawValue
        do {
            try transition()
        } catch let failure as T8nFailure {
            Output.err("error: \(failure.message)\n")
            throw ExitCode(failure.exitCode)
        }
    }

    func transition() throws {
        guard let fork = Fork(name: stateFork) else {
            throw T8nFailure(.config, "unknown fork \"\(stateFork)\"")
        }
        guard (1...256).contains(threads) else { throw T8nFailure(.config, "--threads must be in 1...256, got \(threads)") }
        guard executor != .bound else {
            throw T8nFailure(.config, "--executor: the partition bound is a benchmark yardstick, not a t8n executor (use serial, blockstm or bal)")
        }
        do { VectorFile.maxInputSize = try InputOptions.size(maxInputSize) } catch {
            throw T8nFailure(.config, "\(error)")
        }
        var stdin: [String: Any]?
        if [inputAlloc, inputEnv, inputTxs].contains("stdin") {
            let bytes: [UInt8]
            do { bytes = try VectorFile.readStandardInput() } catch {
                throw T8nFailure(.io, "cannot read \(error)")
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [String: Any] else {
                throw T8nFailure(.json, "stdin: expected one JSON object with alloc, env and txs")
            }
            stdin = object
        }
        func input(_ name: String, _ key: String) throws -> Any {
            if name == "stdin" {
                guard let v = stdin?[key] else { throw T8nFailure(.json, "stdin: missing \(key)") }
                return v
            }
            let bytes: [UInt8]
            do { bytes = try VectorFile.read(path: name) } catch {
                throw T8nFailure(.io, "cannot read the \(key) file \(error)")
            }
            let value: Any
            do { value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
                throw T8nFailure(.json, "\(Echo.path(name)): malformed JSON: \(error.localizedDescription)")
            }
            if let duplicate = JSONKeys.firstDuplicate(in: bytes) {
                throw T8nFailure(.json, "\(Echo.path(name)): malformed JSON: \(duplicate)")
            }
            return value
        }
        let alloc = try input(inputAlloc, "alloc")
        let env = try input(inputEnv, "env")
        let txs = try input(inputTxs, "txs")
        let traceOptions = TraceOptions.with(memory: traceMemory && !traceNoMemory, stack: !traceNoStack,
                                        returnData: !traceNoReturnData)
        let blockTrace = trace ? BlockTrace(options: traceOptions) : nil
        let chosen: any BlockExecutor
        switch executor {
        case .serial: chosen = SerialExecutor(trace: blockTrace)
        case .bal: chosen = BALExecutor.Deriving(threads: threads, trace: blockTrace)
        default:
            var e = BlockSTMExecutor(threads: threads)
            e.trace = blockTrace
            chosen = e
        }
        let output = try T8nTransition.run(alloc: alloc, env: env, txs: txs, fork: fork, chainId: stateChainid,
                                           executor: chosen, files: (inputAlloc, inputEnv, inputTxs))

        var toStdout: [String: BlockJSON] = [:]
        func emit(_ name: String?, _ key: String, _ value: BlockJSON) throws {
            guard let name else { return }
            if name == "stdout" { toStdout[key] = value; return }
            // An absolute name stands on its own, as Python's os.path.join treats it.
            let path = name.hasPrefix("/") ? name : (outputBasedir as NSString).appendingPathComponent(name)
            do { try Data(value.text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw T8nFailure(.io, "cannot write \(path): \(error.localizedDescription)")
            }
        }
        if let blockTrace { try writeTraces(blockTrace, output) }
        try emit(outputResult, "result", output.resultJSON)
        try emit(outputAlloc, "alloc", output.allocJSON)
        try emit(outputBody, "body", output.bodyJSON)
        if !toStdout.isEmpty { Output.out(BlockJSON.object(toStdout).text) }
    }

    /// Writes `trace-<txindex>-<txhash>.jsonl` per included transaction into the output directory (the index in
    /// the txs input, rejected ones counted), after removing the trace files an earlier run left there.
    func writeTraces(_ blockTrace: BlockTrace, _ output: T8nOutput) throws {
        let fm = FileManager.default
        try? fm.createDirectory(atPath: outputBasedir, withIntermediateDirectories: true)
        for name in (try? fm.contentsOfDirectory(atPath: outputBasedir)) ?? []
        where name.hasPrefix("trace-") && name.hasSuffix(".jsonl") {
            try? fm.removeItem(atPath: (outputBasedir as NSString).appendingPathComponent(name))
        }
        // The included transactions in order: their indices in the input and their receipts line up.
        let rejected = Set(output.result.rejected.map(\.index))
        var inputIndices: [Int] = []
        var i = 0
        while inputIndices.count < output.result.receipts.count {
            if !rejected.contains(i) { inputIndices.append(i) }
            i += 1
        }
        let traces = blockTrace.included(rejected: output.outcome.rejected)
        guard traces.count == inputIndices.count else {
            throw T8nFailure(.evm, "\(traces.count) traces for \(inputIndices.count) included transactions")
        }
        for (k, t) in traces.enumerated() {
            let hash = output.result.receipts[k].transactionHash.map { "\($0)" } ?? "0x"
            let path = (outputBasedir as NSString).appendingPathComponent("trace-\(inputIndices[k])-\(hash).jsonl")
            do { try Data(t.lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw T8nFailure(.io, "cannot write \(path): \(error.localizedDescription)")
            }
        }
    }
}
