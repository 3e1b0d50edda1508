import Foundation
import EVMPrimitives
import Execution

/// What a stand-in t8n tool answers with: an outcome written the way execution-specs' `t8n` writes it, for the
/// tests that run `ExternalT8nExecutor` against a shell script copying canned outputs into `--output.basedir`.
public enum CannedT8nOutput {
    /// Writes `<dir>/result.json` (roots, gas, receipts with their logs, no rejections) and `<dir>/post.json` (the
    /// post-state alloc; a zero balance left out, as the spec leaves it out) from `outcome`.
    public static func write(_ outcome: BlockOutcome, to dir: String) throws {
        var receipts: [[String: Any]] = []
        for r in outcome.receipts {
            receipts.append(["succeeded": r.success, "cumulativeGasUsed": UInt256(r.cumulativeGasUsed).hexString,
                             "bloom": Hex.encode(r.bloom.bytes),
                             "logs": r.logs.map { ["address": $0.address.description, "topics": $0.topics.map(\.description),
                                                   "data": Hex.encode($0.data)] }])
        }
        let result: [String: Any] = [
            "stateRoot": outcome.stateRoot.description, "txRoot": outcome.receiptsRoot.description,
            "receiptsRoot": outcome.receiptsRoot.description, "logsHash": outcome.logsHash.description,
            "logsBloom": Hex.encode(outcome.logsBloom.bytes), "gasUsed": UInt256(outcome.gasUsed).hexString,
            "rejected": [], "receipts": receipts,
        ]
        var alloc: [String: Any] = [:]
        for (a, acct) in outcome.postState.accounts {
            var o: [String: Any] = ["nonce": UInt256(acct.info.nonce).hexString, "code": Hex.encode(acct.info.code.bytes),
                                    "storage": Dictionary(uniqueKeysWithValues: acct.storage.map { (Hex.encode($0.key.bigEndianBytes), $0.value.hexString) })]
            if !acct.info.balance.isZero { o["balance"] = acct.info.balance.hexString }
            alloc[a.description] = o
        }
        try JSONSerialization.data(withJSONObject: result).write(to: URL(fileURLWithPath: dir + "/result.json"))
        try JSONSerialization.data(withJSONObject: alloc).write(to: URL(fileURLWithPath: dir + "/post.json"))
    }
}
