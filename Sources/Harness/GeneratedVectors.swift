import Foundation
import EVMPrimitives
import Execution
import Vectors
import Workloads

/// Writes generated blocks as t8n vector directories, optionally with `expected.json` from a reference t8n tool.
public enum GeneratedVectors {
    /// The expected values a reference tool's run gives: state root, logs hash, gas, rejected transactions, the
    /// receipts root of the included transactions only (what a real block commits to), and from Prague the
    /// EIP-7685 requests hash.
    public static func expected(from run: ExternalT8nRun) -> ExpectedBlockResult {
        var e = ExpectedBlockResult(stateRoot: run.result.stateRoot, receiptsRoot: run.includedReceiptsRoot,
                                    logsHash: run.result.logsHash, gasUsed: run.result.gasUsed, rejected: run.result.rejected)
        e.requestsHash = run.result.requestsHash
        return e
    }

    /// Generates the block for `options` and writes it under `directory` (the vector's files directly in it).
    /// With `reference`, runs that tool on it and writes its results as `expected.json`; the vector's metadata
    /// then names the tool.
    @discardableResult
    public static func write(_ options: GeneratorOptions, to directory: String,
                             reference: ExternalT8nExecutor? = nil) throws -> GeneratedBlock {
        var block = try BlockGenerator.generate(options)
        if let reference {
            switch reference.run(block.vector, signedWith: block.secretKeys) {
            case .success(let run):
                block.vector.expected = expected(from: run)
                block.vector.metadata["expectedFrom"] = reference.command
            case .failure(let error):
                throw error
            }
        }
        try BlockVectorIO.write(block.vector, signedWith: block.secretKeys, to: directory)
        return block
    }
}
