import EVMPrimitives
import EVMState
import Execution
import Keccak
import Vectors

/// Which executor `lockstep statetest` runs each case with: the one executor vocabulary (`serial` runs the
/// transaction alone, as `evm statetest` does; `blockstm` and `bal` run it as a one-transaction block).
public typealias StateTestExecutorKind = BlockRunner.Executor

extension BlockRunner {
    /// Runs a state-test case as a one-transaction block through Block-STM (two threads, always parallel) or
    /// the BAL executor (two threads, from the list a serial run of the block derives; a list that does not
    /// check out gives a zero root and the mismatch as the rejection, so the case fails). A state test's expected root includes
    /// the coinbase fee and nothing else: no withdrawals, no EIP-4788 beacon-root call (so `parentBeaconBlockRoot`
    /// is cleared), no Prague system calls or requests (`systemCalls` off), no block reward. A rejected transaction
    /// leaves the pre-state, as in the state test.
    public static func runStateTestAsBlock(_ c: StateTestCase, threads: Int = 2, executor: Executor = .blockstm) -> StateTestOutcome {
        let env = stateTestEnvironment(c)
        let outcome: BlockOutcome
        if executor == .bal {
            let list = BlockAccessListBuilder.derive(pre: c.pre, env: env, transactions: [c.tx], fork: c.fork)
            switch BALExecutor(threads: threads, list: list, policy: .alwaysParallel).run(pre: c.pre, env: env, transactions: [c.tx], fork: c.fork) {
            case .success(let o): outcome = o
            case .failure(let m): return StateTestOutcome(stateRoot: .zero, logsHash: .zero, rejection: m.description)
            }
        } else {
            outcome = BlockSTMExecutor(threads: threads, policy: .alwaysParallel)
                .execute(pre: c.pre, env: env, transactions: [c.tx], fork: c.fork)
        }
        // A rejected transaction: the state tests' convention for the coinbase before EIP-161 (see StateTestExecutor).
        let touched = outcome.rejected.isEmpty ? nil : StateTestExecutor.rejectedPostState(outcome.postState, env: env, fork: c.fork)
        let root = touched?.stateRoot() ?? outcome.stateRoot
        return StateTestOutcome(stateRoot: root, logsHash: LogEncoding.hash(outcome.receipts.first?.logs ?? []),
                                rejection: outcome.rejected.first?.error)
    }

    /// The block environment a state-test case runs in as a one-transaction block (`runStateTestAsBlock`): no
    /// beacon root, withdrawals or system calls, and the fillers' block hashes.
    public static func stateTestEnvironment(_ c: StateTestCase) -> BlockEnvironment {
        var env = c.env
        env.parentBeaconBlockRoot = nil
        env.withdrawals = []
        env.systemCalls = false
        if env.blockHashes.isEmpty {
            // As StateTestExecutor: state tests carry no block hashes; their fillers use keccak256 of the number in decimal.
            let lowest = env.number > 256 ? env.number - 256 : 0
            for n in lowest..<env.number { env.blockHashes[n] = Keccak256.hash(Array(String(n).utf8)) }
        }
        return env
    }
}
