import Vectors

/// The default set of generated blocks of `lockstep run`, made by the workload generator (`BlockGenerator`) from the
/// run's seed: ERC-20 transfers swept over hot ratios (from independent to one hot account set), and the other
/// shapes at their own default hot ratios. They carry no expected values: each executor is checked against the
/// serial one (the committed vectors in `Vectors/blocks` are the ones checked against the specification).
///
/// Every block is a pure function of (`transactions`, `seed`): two runs with the same seed time identical work.
public enum GeneratedWorkloads {
    /// The suite name generated workloads report under.
    public static let suite = "generated"

    /// The metadata key that carries a block's hot ratio (the generator writes it).
    public static let hotRatioKey = "hotRatio"

    /// Hot ratios of the ERC-20 sweep (the speedup-against-hot-ratio chart).
    public static let sweepHotRatios: [Double] = [0, 0.1, 0.25, 0.5, 1]

    /// The workload shapes beside the sweep, each at its default hot ratio.
    public static let shapes: [Workload] = [.transfers, .amm, .compute, .mixed]

    /// The recipes of the default set, `transactions` transactions each.
    public static func options(transactions n: Int, seed: UInt64) -> [GeneratorOptions] {
        sweepHotRatios.map { GeneratorOptions(workload: .erc20, transactions: n, seed: seed, hotRatio: $0) }
            + shapes.map { GeneratorOptions(workload: $0, transactions: n, seed: seed) }
    }

    /// The blocks, named by the generator (`erc20-n400-hot0.25`), their metadata holding seed and knobs.
    public static func blocks(transactions n: Int, seed: UInt64) throws(GeneratorError) -> [BlockVector] {
        var out: [BlockVector] = []
        for o in options(transactions: n, seed: seed) {
            var v = try BlockGenerator.generate(o).vector
            v.name = o.vectorName
            out.append(v)
        }
        return out
    }

    /// The hot ratio a vector's metadata states (the generator's knob), if any.
    public static func hotRatio(_ v: BlockVector) -> Double? { v.metadata[hotRatioKey].flatMap(Double.init) }
}
