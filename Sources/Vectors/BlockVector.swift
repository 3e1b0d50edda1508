import EVMPrimitives
import EVMState
import Execution

/// Expected results of a block vector, as the `result` object of a t8n tool (`expected.json`).
/// Every field is optional: a vector checks what it states.
public struct ExpectedBlockResult: Sendable, Equatable {
    public var stateRoot: Hash32?
    public var receiptsRoot: Hash32?
    public var logsHash: Hash32?
    public var gasUsed: UInt64?
    public var rejected: [RejectedTransaction]?
    /// The block's logs bloom (a real block's header states it).
    public var logsBloom: Bloom?
    /// EIP-7685 `requestsHash` (from Prague).
    public var requestsHash: Hash32? = nil

    public init(stateRoot: Hash32? = nil, receiptsRoot: Hash32? = nil, logsHash: Hash32? = nil,
                gasUsed: UInt64? = nil, rejected: [RejectedTransaction]? = nil, logsBloom: Bloom? = nil) {
        self.stateRoot = stateRoot; self.receiptsRoot = receiptsRoot; self.logsHash = logsHash
        self.gasUsed = gasUsed; self.rejected = rejected; self.logsBloom = logsBloom
    }
}

/// One block vector in the t8n convention: pre-state (`alloc`), block environment (`env`),
/// ordered transactions (`txs`, senders recovered or signed) and optional expected results.
public struct BlockVector: Sendable {
    /// Case name: the vector's path relative to the directory it was found under.
    public var name: String
    public var path: String
    public var fork: Fork
    public var pre: InMemoryState
    public var env: BlockEnvironment
    public var transactions: [Transaction]
    public var expected: ExpectedBlockResult?
    /// Free-form metadata (generator seed and knobs), sorted by key when written.
    public var metadata: [String: String]
    /// The signature of each transaction as the vector gave it or as it was signed on loading (`secretKey`);
    /// empty, or nil for a transaction, when not known (a block built in memory). Needed to write the vector
    /// back and to compute transaction hashes.
    public var signatures: [TransactionSignature?]
    /// Transactions of the vector that were rejected while reading them (an invalid signature: r or s out of range,
    /// s above n/2 under EIP-2, a v that fits no chain, another chain's transaction), by their index in the vector's
    /// list, ascending. They are not in `transactions`; a t8n tool rejects them the same way (geth does).
    public var rejectedOnLoad: [RejectedTransaction] = []

    public init(name: String, path: String, fork: Fork = .cancun, pre: InMemoryState, env: BlockEnvironment,
                transactions: [Transaction], expected: ExpectedBlockResult? = nil, metadata: [String: String] = [:],
                signatures: [TransactionSignature?] = []) {
        self.name = name; self.path = path; self.fork = fork; self.pre = pre; self.env = env
        self.transactions = transactions; self.expected = expected; self.metadata = metadata
        self.signatures = signatures
    }
}

extension BlockVector {
    /// How many transactions the vector lists: read ones and ones rejected on loading.
    public var transactionCount: Int { transactions.count + rejectedOnLoad.count }

    /// The vector's index of `transactions[k]`.
    public func vectorIndex(ofRead k: Int) -> Int {
        var index = k
        for r in rejectedOnLoad where r.index <= index { index += 1 }
        return index
    }

    /// An outcome of running `transactions`, as one for the vector's whole list: rejected indexes counted in the
    /// vector's list, with the transactions rejected on loading added in their places.
    public func completing(_ o: BlockOutcome) -> BlockOutcome {
        guard !rejectedOnLoad.isEmpty else { return o }
        var out = o
        out.rejected = (o.rejected.map { RejectedTransaction(index: vectorIndex(ofRead: $0.index), error: $0.error) }
                        + rejectedOnLoad).sorted { $0.index < $1.index }
        return out
    }
}
