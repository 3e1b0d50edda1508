import EVMPrimitives
import Vectors

/// The generated block vectors committed under `Vectors/blocks/`, each checked against the Python execution
/// specification (`ci/fill-vectors.sh` regenerates them and refills `expected.json`).
///
/// Every built-in workload at several hot ratios and sizes (1 to a few hundred transactions), plus the knobs:
/// sender reuse, dependency distance, invalid and reverting transactions, at Cancun (the directories directly under
/// `Vectors/blocks/`); then the same workloads refilled at the latest fork and the EIP-7702 workloads
/// (`delegations`, `intents`) at Osaka and BPO2 (under `Vectors/blocks/osaka/` and `Vectors/blocks/bpo2/`).
/// Kept small enough that the spec fills all of them in a few minutes.
public enum GeneratorSuite {
    public static var committed: [GeneratorOptions] {
        var out: [GeneratorOptions] = []
        var seed: UInt64 = 1
        func add(_ w: Workload, _ n: Int, hot: Double? = nil, set: Int? = nil, accounts: Int? = nil, dependency: Int = 0,
                 invalid: Double = 0, revert: Double = 0, rounds: Int = 64, fork: Fork = .cancun,
                 change: Double? = nil, distance: Int? = nil, users: Int? = nil, solvers: Int? = nil, batch: Int? = nil) {
            out.append(GeneratorOptions(workload: w, transactions: n, seed: seed, accounts: accounts, hotRatio: hot,
                                        hotSet: set, dependencyDistance: dependency, invalidRatio: invalid,
                                        revertRatio: revert, computeRounds: rounds, fork: fork, changeRatio: change,
                                        callDistance: distance, users: users, solvers: solvers, batchSize: batch))
            seed += 1
        }
        let cancunWorkloads = Workload.builtIn.filter { $0.minimumFork <= .cancun }
        for w in cancunWorkloads {
            let big = w == .compute ? 60 : 200
            add(w, 1)
            add(w, 20, hot: 0)
            add(w, 50, hot: 0.5, invalid: 0.1, revert: 0.1)
            add(w, big, hot: 1, rounds: 32)
        }
        add(.transfers, 100, hot: 0.2, dependency: 4)
        add(.erc20, 120, hot: 0.3, accounts: 12)
        add(.counter, 100, hot: 0.5, set: 4, dependency: 2)
        add(.amm, 100, hot: 0.9, set: 3, revert: 0.2)
        add(.payments, 150, hot: 0.8, set: 2)
        add(.deploy, 80, hot: 0.6, set: 2, invalid: 0.05, revert: 0.1)
        add(.nftMint, 100, hot: 0.7, set: 2, dependency: 8)
        add(.mixed, 300, hot: 0.3, invalid: 0.03, revert: 0.05)
        // The latest fork: every Cancun workload again, and the EIP-7702 workloads at Osaka and BPO2.
        for w in cancunWorkloads { add(w, 50, hot: 0.5, invalid: 0.1, revert: 0.1, rounds: 32, fork: .bpo2) }
        add(.delegations, 1, fork: .bpo2, change: 1)
        add(.delegations, 40, hot: 0, fork: .osaka)
        add(.delegations, 80, hot: 0.5, revert: 0.1, fork: .bpo2)
        add(.delegations, 120, hot: 1, set: 2, fork: .bpo2, change: 0.4, distance: 1)
        add(.delegations, 100, hot: 0.8, invalid: 0.05, revert: 0.05, fork: .osaka, change: 0.2, distance: 8)
        add(.intents, 1, fork: .bpo2)
        add(.intents, 12, hot: 0, fork: .osaka)
        add(.intents, 30, hot: 0.7, revert: 0.1, fork: .bpo2)
        add(.intents, 60, hot: 1, set: 1, fork: .bpo2, users: 40, solvers: 4, batch: 8)
        add(.intents, 40, hot: 0.5, invalid: 0.05, fork: .osaka, users: 200, solvers: 1, batch: 4)
        return out
    }

    /// The blocks `WORKLOADS.md` measures: every built-in workload at its default knobs, `transactions` each,
    /// at `fork` (every workload runs from Prague on).
    public static func table(transactions: Int = 200, seed: UInt64 = 1,
                             fork: Fork = GeneratorOptions.latestFork) -> [GeneratorOptions] {
        Workload.builtIn.filter { $0.minimumFork <= fork }
            .map { GeneratorOptions(workload: $0, transactions: transactions, seed: seed, fork: fork) }
    }
}
