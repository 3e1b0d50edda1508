import Foundation
import EVMPrimitives
import EVMState
import EVMInterpreter
import Execution
import MerkleTrie
import RLP
import VectorIO

/// Why a t8n transition stopped, with geth's `evm t8n` exit codes (the convention every t8n tool follows).
public struct T8nFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// geth's codes: 2 an EVM error, 3 a configuration error (fork, env), 10 bad JSON, 11 an I/O error,
    /// 12 bad RLP.
    public enum Kind: Int32, Sendable {
        case evm = 2, config = 3, json = 10, io = 11, rlp = 12
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var exitCode: Int32 { kind.rawValue }
    public var description: String { message }
}

/// What `lockstep t8n` produces: the `result` object, the post-state (`alloc`) and the block body (the RLP list
/// of the included signed transactions).
public struct T8nOutput: Sendable {
    public var result: T8nResult
    public var postState: InMemoryState
    public var body: [UInt8]
    /// The executor's outcome, for callers that compare it further.
    public var outcome: BlockOutcome

    /// `result` as JSON (geth's field names).
    public var resultJSON: BlockJSON { result.json }
    /// The post-state as t8n's `alloc` JSON (sorted, every field written).
    public var allocJSON: BlockJSON { BlockVectorIO.allocJSON(postState) }
    /// The body as t8n writes it: a JSON string of `0x`-hex RLP.
    public var bodyJSON: BlockJSON { .string(Hex.encode(body)) }
}

/// The state transition behind `lockstep t8n`: parsed t8n inputs in, t8n outputs out, with any `BlockExecutor`.
///
/// Follows geth's t8n where the tools differ: the transactions and receipts tries hold the included transactions
/// only (as a real block does; execution-specs also count rejected ones), and the body lists the included
/// transactions only. A transaction that cannot be read or whose signature does not recover a sender is rejected
/// with the reason, and the others still run.
public enum T8nTransition {
    /// Runs the block. `alloc`, `env` and `txs` are parsed JSON values (`txs` may be an array of JSON transactions
    /// or a hex string of an RLP list, t8n's `txs.rlp`). `reward` is the pre-merge block reward; proof-of-stake
    /// forks have none and ignore it.
    /// `files` name where alloc, env and txs came from (file names, or `stdin`), for error messages.
    public static func run(alloc: Any, env: Any, txs: Any, fork: Fork, chainId: UInt64,
                           executor: any BlockExecutor,
                           files: (alloc: String, env: String, txs: String) = ("alloc", "env", "txs")) throws(T8nFailure) -> T8nOutput {
        func named(_ file: String, _ reason: String) -> String { "\(Echo.path(file)): \(reason)" }
        guard fork.isSupported else {
            throw T8nFailure(.config, "unsupported fork \(fork.name): lockstep executes \(Fork.supported.map(\.name).joined(separator: ", "))")
        }
        let pre: InMemoryState
        do { pre = try BlockVectorIO.readAlloc(alloc, at: "alloc") } catch { throw T8nFailure(.json, named(files.alloc, error.reason)) }
        var environment: BlockEnvironment
        do { environment = try BlockVectorIO.readEnvironment(env, at: "env", fork: fork, chainId: chainId) } catch {
            throw T8nFailure(.config, named(files.env, error.reason))
        }
        environment.chainId = chainId

        // Read the transactions one by one, so that one bad transaction is rejected rather than failing the block.
        var parsed: [(index: Int, tx: Transaction, signature: TransactionSignature)] = []
        var rejected: [RejectedTransaction] = []
        if txs is String || txs is NSNull {
            if !(txs is NSNull) {
                do {
                    for (i, t) in try BlockVectorIO.readTransactions(txs, at: "txs", chainId: chainId, fork: fork).enumerated() {
                        parsed.append((i, t.0, t.1))
                    }
                } catch {
                    throw T8nFailure(.rlp, named(files.txs, error.reason))
                }
            }
        } else if let list = txs as? [Any] {
            for (i, item) in list.enumerated() {
                do {
                    let t = try BlockVectorIO.readTransactions([item], at: "txs[\(i)]", chainId: chainId, fork: fork)
                    if let first = t.first { parsed.append((i, first.0, first.1)) }
                } catch {
                    rejected.append(RejectedTransaction(index: i, error: error.reason))
                }
            }
        } else {
            throw T8nFailure(.json, named(files.txs, "txs: expected an array of transactions or a hex string of RLP, got \(JSONFields.kind(of: txs))"))
        }

        let outcome = executor.execute(pre: pre, env: environment, transactions: parsed.map(\.tx), fork: fork)
        let executorRejected = Set(outcome.rejected.map(\.index))
        for r in outcome.rejected { rejected.append(RejectedTransaction(index: parsed[r.index].index, error: r.error)) }
        rejected.sort { $0.index < $1.index }

        let included = parsed.indices.filter { !executorRejected.contains($0) }
        guard included.count == outcome.receipts.count else {
            throw T8nFailure(.evm, "the executor returned \(outcome.receipts.count) receipts for \(included.count) included transactions")
        }
        var encoded: [[UInt8]] = []
        var receipts: [T8nReceipt] = []
        var body = RLPWriter()
        body.appendList { w in
            for (k, i) in included.enumerated() {
                let p = parsed[i]
                let bytes = TransactionCodec.encode(p.tx, signature: p.signature)
                encoded.append(bytes)
                // EIP-2718: a typed transaction sits in the body as a byte string, a legacy one as its list.
                if p.tx.type == .legacy { w.appendRaw(bytes) } else { w.appendBytes(bytes) }
                let r = outcome.receipts[k]
                receipts.append(T8nReceipt(success: r.success, cumulativeGasUsed: r.cumulativeGasUsed, logs: r.logs,
                                           bloom: r.bloom.bytes, transactionHash: TransactionCodec.hash(p.tx, signature: p.signature),
                                           gasUsed: r.gasUsed, contractAddress: r.contractAddress))
            }
        }
        let result = T8nResult(
            stateRoot: outcome.stateRoot, txRoot: MerkleTrie.orderedRoot(encoded), receiptsRoot: outcome.receiptsRoot,
            logsHash: outcome.logsHash, logsBloom: outcome.logsBloom.bytes, gasUsed: outcome.gasUsed,
            receipts: receipts, rejected: rejected,
            currentDifficulty: environment.difficulty.isZero ? nil : environment.difficulty,
            currentBaseFee: fork >= .london ? environment.baseFee : nil,
            withdrawalsRoot: fork >= .shanghai ? withdrawalsRoot(environment.withdrawals) : nil,
            currentExcessBlobGas: fork >= .cancun ? environment.excessBlobGas : nil,
            blobGasUsed: fork >= .cancun ? outcome.blobGasUsed : nil)
        var full = result
        full.requests = outcome.requests?.requests
        full.requestsHash = outcome.requestsHash
        full.blockException = outcome.invalidBlock?.message
        return T8nOutput(result: full, postState: outcome.postState, body: body.bytes, outcome: outcome)
    }

    /// EIP-4895: the ordered trie of `rlp([index, validatorIndex, address, amount])`.
    public static func withdrawalsRoot(_ withdrawals: [Withdrawal]) -> Hash32 {
        MerkleTrie.orderedRoot(withdrawals.map { w in
            var r = RLPWriter()
            r.appendList { r in
                r.appendUInt(w.index)
                r.appendUInt(w.validatorIndex)
                r.appendAddress(w.address)
                r.appendUInt(w.amount)
            }
            return r.bytes
        })
    }
}
