/// The generated block vectors committed under `Vectors/blocks/`, each checked against the Python execution
/// specification (`ci/fill-vectors.sh` regenerates them and refills `expected.json`).
///
/// Every built-in workload at several hot ratios and sizes (1 to a few hundred transactions), plus the knobs:
/// sender reuse, dependency distance, invalid and reverting transactions. Kept small enough that the spec fills
/// all of them in a few minutes.
public enum GeneratorSuite {
    public static var committed: [GeneratorOptions] {
        var out: [GeneratorOptions] = []
        var seed: UInt64 = 1
        func add(_ w: Workload, _ n: Int, hot: Double? = nil, set: Int? = nil, accounts: Int? = nil, dependency: Int = 0,
                 invalid: Double = 0, revert: Double = 0, rounds: Int = 64) {
            out.append(GeneratorOptions(workload: w, transactions: n, seed: seed, accounts: accounts, hotRatio: hot,
                                        hotSet: set, dependencyDistance: dependency, invalidRatio: invalid,
                                        revertRatio: revert, computeRounds: rounds))
            seed += 1
        }
        for w in Workload.builtIn {
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
        return out
    }

    /// The blocks `WORKLOADS.md` measures: every built-in workload at its default knobs, `transactions` each.
    public static func table(transactions: Int = 200, seed: UInt64 = 1) -> [GeneratorOptions] {
        Workload.builtIn.map { GeneratorOptions(workload: $0, transactions: transactions, seed: seed) }
    }
}
