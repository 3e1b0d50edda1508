import EVMPrimitives
import EVMState
import Execution
import Keccak

/// Which executor `lockstep statetest` runs each case with.
public enum StateTestExecutorKind: String, Sendable, CaseIterable {
    /// `StateTestExecutor`: the transaction alone, as `evm statetest` runs it.
    case serial
    /// The case as a one-transaction block through `BlockSTMExecutor` (two threads, always parallel).
    case blockstm
}

extension BlockRunner {
    /// Runs a state-test case as a one-transaction block through Block-STM. A state test's expected root includes
    /// the coinbase fee and nothing else: no withdrawals, no EIP-4788 beacon-root call (so `parentBeaconBlockRoot`
    /// is cleared), no block reward. A rejected transaction leaves the pre-state, as in the state test.
    public static func runStateTestAsBlock(_ c: StateTestCase, threads: Int = 2) -> StateTestOutcome {
        var env = c.env
        env.parentBeaconBlockRoot = nil
        env.withdrawals = []
        if env.blockHashes.isEmpty {
            // As StateTestExecutor: state tests carry no block hashes; their fillers use keccak256 of the number in decimal.
            let lowest = env.number > 256 ? env.number - 256 : 0
            for n in lowest..<env.number { env.blockHashes[n] = Keccak256.hash(Array(String(n).utf8)) }
        }
        let executor = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
        let outcome = executor.execute(pre: c.pre, env: env, transactions: [c.tx], fork: c.fork)
        return StateTestOutcome(stateRoot: outcome.stateRoot, logsHash: LogEncoding.hash(outcome.receipts.first?.logs ?? []),
                                rejection: outcome.rejected.first?.error)
    }
}
