import EVMPrimitives
import EVMState
import EVMInterpreter
import Keccak
import RLP

/// The result of running one state-test case: the post-state root and the hash of the logs.
public struct StateTestOutcome: Sendable {
    public var stateRoot: Hash32
    public var logsHash: Hash32
    /// Why the transaction was rejected (invalid), or nil when it was included.
    public var rejection: String?
    public init(stateRoot: Hash32, logsHash: Hash32, rejection: String?) {
        self.stateRoot = stateRoot; self.logsHash = logsHash; self.rejection = rejection
    }
}

/// Hashes of logs and their RLP encoding as receipts and state tests use them.
public enum LogEncoding {
    /// rlp([address, [topics...], data]) for each log, as one RLP list.
    public static func rlp(_ logs: [Log]) -> [UInt8] {
        var w = RLPWriter()
        w.appendList { w in
            for log in logs { append(log, to: &w) }
        }
        return w.bytes
    }

    /// keccak256(rlp(logs)): the `logs` field of a state test and t8n's `logsHash`.
    public static func hash(_ logs: [Log]) -> Hash32 { Keccak256.hash(rlp(logs)) }

    /// `hash` of all the receipts' logs in order, without gathering them into one array first.
    public static func hash(receipts: [Receipt]) -> Hash32 { hash(payloads: [payload(receipts[...])]) }

    /// The items of `rlp(logs)` for all the receipts' logs, without the list's own prefix; `hash(payloads:)`
    /// joins such pieces, so that they can be encoded on different threads.
    public static func payload(_ receipts: ArraySlice<Receipt>) -> [UInt8] {
        var w = RLPWriter(capacity: 256 * receipts.count)
        for r in receipts {
            for log in r.logs { append(log, to: &w) }
        }
        return w.bytes
    }

    /// `hash(receipts:)` from the `payload`s of consecutive runs of receipts, in order.
    public static func hash(payloads: [[UInt8]]) -> Hash32 {
        var w = RLPWriter(capacity: payloads.reduce(9) { $0 + $1.count })
        w.appendHeader(length: payloads.reduce(0) { $0 + $1.count }, base: 0xc0)
        for p in payloads { w.appendRaw(p) }
        return Keccak256.hash(w.bytes)
    }

    static func append(_ log: Log, to w: inout RLPWriter) {
        w.appendList { w in
            w.appendAddress(log.address)
            w.appendList { w in for t in log.topics { w.appendHash(t) } }
            w.appendBytes(log.data)
        }
    }
}

/// Runs a state test's single transaction against its pre-state: validate, execute, pay the coinbase,
/// hash the post-state. No block reward, no withdrawals, no system calls.
public enum StateTestExecutor {
    /// The post-state of a state test whose transaction is rejected, when it is not `state` (what the executor
    /// left: nothing was applied): before EIP-161 the fillers still credit the coinbase a zero fee, which creates
    /// it as an empty account when it is missing. Nil when `state` is the answer.
    public static func rejectedPostState(_ state: InMemoryState, env: BlockEnvironment, fork: Fork) -> InMemoryState? {
        guard !ForkRules.of(fork).schedule.emptyAccountCleanup, state.account(env.coinbase) == nil else { return nil }
        var post = state
        post.accounts[env.coinbase] = Account()
        return post
    }

    public static func run(pre: InMemoryState, env: BlockEnvironment, tx: Transaction, fork: Fork) -> StateTestOutcome {
        var env = env
        if env.blockHashes.isEmpty {
            // State tests carry no block hashes; their fillers use keccak256 of the block number in decimal.
            let lowest = env.number > 256 ? env.number - 256 : 0
            var hashes: [UInt64: Hash32] = [:]
            for n in lowest..<env.number { hashes[n] = Keccak256.hash(Array(String(n).utf8)) }
            env.blockHashes = hashes
        }
        switch TransactionProcessor.execute(tx, env: env, reader: pre, fork: fork) {
        case .failure(let error):
            return StateTestOutcome(stateRoot: (rejectedPostState(pre, env: env, fork: fork) ?? pre).stateRoot(),
                                    logsHash: LogEncoding.hash([]), rejection: error.description)
        case .success(let result):
            var post = pre
            post.apply(result.changes)
            return StateTestOutcome(stateRoot: post.stateRoot(), logsHash: LogEncoding.hash(result.logs), rejection: nil)
        }
    }
}
