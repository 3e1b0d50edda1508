import EVMPrimitives
import EVMState

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

/// Runs a state test's single transaction against its pre-state: validate, execute, pay the coinbase,
/// hash the post-state. No block reward, no withdrawals, no system calls.
public enum StateTestExecutor {
    public static func run(pre: InMemoryState, env: BlockEnvironment, tx: Transaction, fork: Fork) -> StateTestOutcome {
        // Filled in by the transaction processor (in progress).
        StateTestOutcome(stateRoot: pre.stateRoot(), logsHash: .zero, rejection: "not implemented")
    }
}
