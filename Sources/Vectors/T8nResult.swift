import Foundation
import EVMPrimitives
import EVMState
import EVMInterpreter
import Execution
import Keccak
import MerkleTrie
import RLP

/// One receipt of a t8n `result`, in either spelling: geth's (`status`, `logsBloom`, `gasUsed`,
/// `contractAddress`) or execution-specs' (`succeeded`, `bloom`, no per-transaction gas).
public struct T8nReceipt: Sendable, Equatable {
    public var success: Bool
    public var cumulativeGasUsed: UInt64
    public var logs: [Log]
    public var bloom: [UInt8]
    public var transactionHash: Hash32?
    /// nil when the tool does not say (execution-specs); derive it from the cumulative gas.
    public var gasUsed: UInt64?
    /// nil when the tool does not say or nothing was created.
    public var contractAddress: Address?

    public init(success: Bool, cumulativeGasUsed: UInt64, logs: [Log], bloom: [UInt8], transactionHash: Hash32? = nil,
                gasUsed: UInt64? = nil, contractAddress: Address? = nil) {
        self.success = success; self.cumulativeGasUsed = cumulativeGasUsed; self.logs = logs; self.bloom = bloom
        self.transactionHash = transactionHash; self.gasUsed = gasUsed; self.contractAddress = contractAddress
    }
}

/// The `result` object a t8n tool writes (geth `evm t8n`, execution-specs `ethereum-spec-evm t8n`, `lockstep t8n`).
public struct T8nResult: Sendable, Equatable {
    public var stateRoot: Hash32
    public var txRoot: Hash32?
    public var receiptsRoot: Hash32
    public var logsHash: Hash32
    public var logsBloom: [UInt8]
    public var gasUsed: UInt64
    public var receipts: [T8nReceipt]
    public var rejected: [RejectedTransaction]
    public var currentDifficulty: UInt256?
    public var currentBaseFee: UInt256?
    public var withdrawalsRoot: Hash32?
    public var currentExcessBlobGas: UInt64?
    public var blobGasUsed: UInt64?
    /// EIP-7685 (from Prague): sha256 of the requests' sha256s, and the requests (type byte first), as the
    /// Python specification's t8n writes them.
    public var requestsHash: Hash32? = nil
    public var requests: [[UInt8]]? = nil
    /// Why the block is invalid after its transactions (a failed request system call, a bad deposit event).
    public var blockException: String? = nil

    public init(stateRoot: Hash32, txRoot: Hash32?, receiptsRoot: Hash32, logsHash: Hash32, logsBloom: [UInt8],
                gasUsed: UInt64, receipts: [T8nReceipt], rejected: [RejectedTransaction],
                currentDifficulty: UInt256? = nil, currentBaseFee: UInt256? = nil, withdrawalsRoot: Hash32? = nil,
                currentExcessBlobGas: UInt64? = nil, blobGasUsed: UInt64? = nil) {
        self.stateRoot = stateRoot; self.txRoot = txRoot; self.receiptsRoot = receiptsRoot; self.logsHash = logsHash
        self.logsBloom = logsBloom; self.gasUsed = gasUsed; self.receipts = receipts; self.rejected = rejected
        self.currentDifficulty = currentDifficulty; self.currentBaseFee = currentBaseFee
        self.withdrawalsRoot = withdrawalsRoot; self.currentExcessBlobGas = currentExcessBlobGas
        self.blobGasUsed = blobGasUsed
    }

    /// Reads a `result` object; `path` names it in errors.
    public static func parse(_ value: Any, at path: String) throws(FieldError) -> T8nResult {
        let f = try JSONFields(value, path: path)
        func hash(_ key: String) throws(FieldError) -> Hash32 { try HexField.hash(try f.string(key), at: f.at(key)) }
        func optionalHash(_ key: String) throws(FieldError) -> Hash32? { f.has(key) ? try hash(key) : nil }
        var receipts: [T8nReceipt] = []
        if f.has("receipts") {
            for (i, r) in try f.array("receipts").enumerated() {
                receipts.append(try parseReceipt(r, at: f.at("receipts[\(i)]")))
            }
        }
        var rejected: [RejectedTransaction] = []
        if f.has("rejected") {
            for (i, r) in try f.array("rejected").enumerated() {
                let rf = try JSONFields(r, path: f.at("rejected[\(i)]"))
                let raw = try rf.value("index")
                // A JSON integer (both tools write one) or a quantity string.
                let index: UInt64
                if let i = raw as? Int, i >= 0 { index = UInt64(i) } else { index = try Quantity.u64(raw, at: rf.at("index")) }
                rejected.append(RejectedTransaction(index: Int(index), error: rf.has("error") ? try rf.string("error") : ""))
            }
        }
        var result = T8nResult(
            stateRoot: try hash("stateRoot"), txRoot: try optionalHash("txRoot"), receiptsRoot: try hash("receiptsRoot"),
            logsHash: try hash("logsHash"),
            logsBloom: f.has("logsBloom") ? try HexField.bytes(try f.string("logsBloom"), at: f.at("logsBloom")) : [],
            gasUsed: try Quantity.u64(f, "gasUsed"), receipts: receipts, rejected: rejected,
            currentDifficulty: f.has("currentDifficulty") ? try Quantity.u256(f, "currentDifficulty") : nil,
            currentBaseFee: f.has("currentBaseFee") ? try Quantity.u256(f, "currentBaseFee") : nil,
            withdrawalsRoot: try optionalHash("withdrawalsRoot"),
            currentExcessBlobGas: f.has("currentExcessBlobGas") ? try Quantity.u64(f, "currentExcessBlobGas") : nil,
            blobGasUsed: f.has("blobGasUsed") ? try Quantity.u64(f, "blobGasUsed") : nil)
        result.requestsHash = try optionalHash("requestsHash")
        if f.has("requests") {
            var requests: [[UInt8]] = []
            for (i, r) in try f.array("requests").enumerated() {
                requests.append(try HexField.bytes(try JSONFields.string(r, at: f.at("requests[\(i)]")), at: f.at("requests[\(i)]")))
            }
            result.requests = requests
        }
        if f.has("blockException"), let e = f.object["blockException"] as? String { result.blockException = e }
        return result
    }

    static func parseReceipt(_ value: Any, at path: String) throws(FieldError) -> T8nReceipt {
        let r = try JSONFields(value, path: path)
        let success: Bool
        if r.has("status") {
            success = try Quantity.u64(r, "status") == 1
        } else if let s = r.object["succeeded"] as? Bool {
            success = s
        } else {
            throw FieldError("\(path): expected `status` or `succeeded`")
        }
        var logs: [Log] = []
        if r.has("logs") {
            for (j, l) in try r.array("logs").enumerated() {
                let lf = try JSONFields(l, path: r.at("logs[\(j)]"))
                var topics: [Hash32] = []
                for (k, t) in try lf.array("topics").enumerated() {
                    topics.append(try HexField.hash(try JSONFields.string(t, at: lf.at("topics[\(k)]")), at: lf.at("topics[\(k)]")))
                }
                logs.append(Log(address: try HexField.address(try lf.string("address"), at: lf.at("address")),
                                topics: topics, data: try HexField.bytes(try lf.string("data"), at: lf.at("data"))))
            }
        }
        let bloomKey = r.has("logsBloom") ? "logsBloom" : "bloom"
        var contract: Address? = nil
        if r.has("contractAddress") {
            let a = try HexField.address(try r.string("contractAddress"), at: r.at("contractAddress"))
            if a != .zero { contract = a }  // geth writes the zero address when nothing was created
        }
        return T8nReceipt(
            success: success, cumulativeGasUsed: try Quantity.u64(r, "cumulativeGasUsed"), logs: logs,
            bloom: r.has(bloomKey) ? try HexField.bytes(try r.string(bloomKey), at: r.at(bloomKey)) : [],
            transactionHash: r.has("transactionHash") ? try HexField.hash(try r.string("transactionHash"), at: r.at("transactionHash")) : nil,
            gasUsed: r.has("gasUsed") ? try Quantity.u64(r, "gasUsed") : nil, contractAddress: contract)
    }

    /// The result as `lockstep t8n` writes it: geth's field names, `0x` hex quantities; receipts carry geth's
    /// fields (status, logsBloom, gasUsed, contractAddress, transactionIndex).
    var json: BlockJSON {
        func q(_ v: UInt64) -> BlockJSON { .string(UInt256(v).hexString) }
        var o: [String: BlockJSON] = [
            "stateRoot": .string(stateRoot.description),
            "txRoot": .string((txRoot ?? MerkleTrie.emptyRoot).description),
            "receiptsRoot": .string(receiptsRoot.description),
            "logsHash": .string(logsHash.description),
            "logsBloom": .string(Hex.encode(logsBloom)),
            "gasUsed": q(gasUsed),
            "rejected": .array(rejected.map { .object(["index": .integer($0.index), "error": .string($0.error)]) }),
            "currentDifficulty": currentDifficulty.map { $0.isZero ? BlockJSON.null : .string($0.hexString) } ?? .null,
        ]
        if let v = currentBaseFee { o["currentBaseFee"] = .string(v.hexString) }
        if let v = withdrawalsRoot { o["withdrawalsRoot"] = .string(v.description) }
        if let v = currentExcessBlobGas { o["currentExcessBlobGas"] = q(v) }
        if let v = blobGasUsed { o["blobGasUsed"] = q(v) }
        if let v = requestsHash { o["requestsHash"] = .string(v.description) }
        if let v = requests { o["requests"] = .array(v.map { .string(Hex.encode($0)) }) }
        if let v = blockException { o["blockException"] = .string(v) }
        o["receipts"] = .array(receipts.enumerated().map { (i, r) in
            var ro: [String: BlockJSON] = [
                "root": .string("0x"),
                "status": .string(r.success ? "0x1" : "0x0"),
                "cumulativeGasUsed": q(r.cumulativeGasUsed),
                "logsBloom": .string(Hex.encode(r.bloom)),
                "logs": .array(r.logs.map { l in
                    .object(["address": .string(l.address.description),
                             "topics": .array(l.topics.map { .string($0.description) }),
                             "data": .string(Hex.encode(l.data))])
                }),
                "contractAddress": .string((r.contractAddress ?? .zero).description),
                "transactionIndex": q(UInt64(i)),
            ]
            if let h = r.transactionHash { ro["transactionHash"] = .string(h.description) }
            if let g = r.gasUsed { ro["gasUsed"] = q(g) }
            return .object(ro)
        })
        return .object(o)
    }
}
