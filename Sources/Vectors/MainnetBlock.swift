import Foundation
import EVMPrimitives
import EVMState
import Execution
import RLP

/// Reads real mainnet blocks in the format of `../shared/vectors/mainnet` (its README): `block` as
/// `eth_getBlockByNumber` returns it with full transactions, a partial `pre` (the accounts the block touches) and
/// `blockHashes` for BLOCKHASH. The block becomes a `BlockVector` under the fork mainnet ran at its number and
/// timestamp (`ForkSchedule.mainnet`), with the block reward before the merge.
///
/// The pre-state is partial, so the header's state root cannot be reproduced (and neither can the receipts root
/// before Byzantium, whose receipts hold intermediate state roots); what is expected is the header's gas used,
/// logs bloom and, from Byzantium on, receipts root. Each transaction's sender is recovered from its signature
/// and must equal `from`, and its hash must equal `hash`. Ommer rewards are left out: the block lists its ommers
/// by hash only, without the headers that name their beneficiaries.
public enum MainnetBlockLoader {
    /// Whether a parsed JSON object is in this format (it has `block` and `pre`).
    public static func recognises(_ object: [String: Any]) -> Bool {
        object["block"] != nil && object["pre"] != nil
    }

    /// Builds the vector; bad input is a `LoadError` naming the file and the field.
    public static func vector(_ object: [String: Any], file: String, name: String) throws(LoadError) -> BlockVector {
        do {
            return try read(object, file: file, name: name)
        } catch {
            throw LoadError(file: file, reason: error.reason)
        }
    }

    static func read(_ object: [String: Any], file: String, name: String) throws(FieldError) -> BlockVector {
        let root = try JSONFields(object, path: "")
        let b = try root.object("block")
        let number = try b.u64("number"), timestamp = try b.u64("timestamp")
        let fork = ForkSchedule.mainnet.fork(number: number, timestamp: timestamp)
        let pre = try BlockVectorIO.readAlloc(try root.value("pre"), at: "pre")
        var hashes: [UInt64: Hash32] = [:]
        if root.has("blockHashes") {
            let h = try root.object("blockHashes")
            for key in h.object.keys {
                guard let n = key.hasPrefix("0x") ? try HexField.u64(key, at: h.at(key)) : UInt64(key) else {
                    throw FieldError("\(h.at(key)): expected a block number, got \"\(key)\"")
                }
                hashes[n] = try h.hash(key)
            }
        }
        var withdrawals: [Withdrawal] = []
        if b.has("withdrawals") {
            for (i, w) in try b.array("withdrawals").enumerated() {
                let f = try JSONFields(w, path: b.at("withdrawals[\(i)]"))
                withdrawals.append(Withdrawal(index: try f.u64("index"), validatorIndex: try f.u64("validatorIndex"),
                                              address: try f.address("address"), amount: try f.u64("amount")))
            }
        }
        let difficulty = try b.u256("difficulty")
        let env = BlockEnvironment(
            coinbase: try b.address("miner"), gasLimit: try b.u64("gasLimit"), number: number, timestamp: timestamp,
            difficulty: difficulty,
            prevRandao: fork >= .paris ? try b.u256("mixHash") : difficulty,
            baseFee: fork >= .london ? try b.u256("baseFeePerGas") : .zero,
            excessBlobGas: fork >= .cancun ? try b.u64("excessBlobGas") : nil,
            parentBeaconBlockRoot: fork >= .cancun ? try b.hash("parentBeaconBlockRoot") : nil,
            blockHashes: hashes, chainId: 1, withdrawals: withdrawals,
            blockReward: fork >= .paris ? nil : BlockFinalization.blockReward(fork))
        var transactions: [Transaction] = []
        var signatures: [TransactionSignature?] = []
        for (i, t) in try b.array("transactions").enumerated() {
            let (tx, signature) = try transaction(try JSONFields(t, path: b.at("transactions[\(i)]")), fork: fork)
            transactions.append(tx)
            signatures.append(signature)
        }
        let bloom = try b.bytes("logsBloom")
        guard bloom.count == 256 else { throw FieldError("\(b.at("logsBloom")): expected 256 bytes, got \(bloom.count)") }
        var logsBloom = Bloom()
        logsBloom.bytes = bloom
        let expected = ExpectedBlockResult(receiptsRoot: fork >= .byzantium ? try b.hash("receiptsRoot") : nil,
                                           gasUsed: try b.u64("gasUsed"), logsBloom: logsBloom)
        return BlockVector(name: name, path: file, fork: fork, pre: pre, env: env, transactions: transactions,
                           expected: expected, metadata: ["source": "mainnet", "number": String(number), "fork": fork.name],
                           signatures: signatures)
    }

    /// One transaction of `eth_getBlockByNumber`: fields by type, the signature, the sender recovered and checked
    /// against `from`, the hash checked against `hash`.
    static func transaction(_ f: JSONFields, fork: Fork) throws(FieldError) -> (Transaction, TransactionSignature) {
        let typeNumber = f.has("type") ? try f.u64("type") : 0
        guard typeNumber <= 3, let type = TransactionType(rawValue: UInt8(typeNumber)) else {
            throw FieldError("\(f.at("type")): transaction type \(typeNumber) is not one of 0 to 3")
        }
        var tx = Transaction(type: type)
        tx.nonce = try f.u64("nonce")
        tx.gasLimit = try f.u64("gas")
        tx.to = f.has("to") ? try f.address("to") : nil
        tx.value = try f.u256("value")
        tx.data = try f.bytes("input")
        let v = try f.u256("v")
        switch type {
        case .legacy:
            tx.gasPrice = try f.u256("gasPrice")
            do { tx.chainId = try TransactionCodec.legacyChainId(v: v) } catch {
                throw FieldError("\(f.at("v")): \(error)")
            }
        case .accessList, .dynamicFee, .blob, .setCode:  // types 0 to 3 only (checked above)
            tx.chainId = try f.u64("chainId")
            if type == .accessList {
                tx.gasPrice = try f.u256("gasPrice")
            } else {
                tx.maxFeePerGas = try f.u256("maxFeePerGas")
                tx.maxPriorityFeePerGas = try f.u256("maxPriorityFeePerGas")
            }
            for (i, e) in try f.array("accessList").enumerated() {
                let entry = try JSONFields(e, path: f.at("accessList[\(i)]"))
                var keys: [UInt256] = []
                for (j, k) in try entry.array("storageKeys").enumerated() {
                    keys.append(try HexField.u256(try JSONFields.string(k, at: entry.at("storageKeys[\(j)]")),
                                                  at: entry.at("storageKeys[\(j)]")))
                }
                tx.accessList.append(AccessListEntry(address: try entry.address("address"), storageKeys: keys))
            }
            if type == .blob {
                tx.maxFeePerBlobGas = try f.u256("maxFeePerBlobGas")
                for (j, h) in try f.array("blobVersionedHashes").enumerated() {
                    tx.blobVersionedHashes.append(try HexField.hash(try JSONFields.string(h, at: f.at("blobVersionedHashes[\(j)]")),
                                                                    at: f.at("blobVersionedHashes[\(j)]")))
                }
            }
        }
        let signature = TransactionSignature(v: v, r: try f.u256("r"), s: try f.u256("s"))
        let from = try f.address("from")
        do {
            tx.sender = try TransactionCodec.recoverSender(tx, signature: signature, fork: fork)
        } catch {
            throw FieldError("\(f.path): \(error)")
        }
        guard tx.sender == from else {
            throw FieldError("\(f.path): the signature recovers \(tx.sender), the block says from \(from)")
        }
        if f.has("hash") {
            let want = try f.hash("hash")
            let got = TransactionCodec.hash(tx, signature: signature)
            guard got == want else { throw FieldError("\(f.path): transaction hash \(got), the block says \(want)") }
        }
        return (tx, signature)
    }
}
