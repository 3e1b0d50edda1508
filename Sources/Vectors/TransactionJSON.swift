import Foundation
import EVMPrimitives
import Execution

/// Transactions as t8n tools read and write them (geth's JSON form): `type`, `chainId`, `nonce`, `gasPrice`,
/// `maxFeePerGas`, `maxPriorityFeePerGas`, `gas`, `to` (null for a creation), `value`, `input`, `accessList`,
/// `maxFeePerBlobGas`, `blobVersionedHashes`, and either the signature `v`, `r`, `s` or a `secretKey` to sign with.
/// `data` and `gasLimit` are accepted for `input` and `gas` (the ethereum/tests spelling).
enum TransactionJSON {
    /// Reads one transaction and its signature; the sender is recovered from the signature, or derived from the
    /// secret key after signing. `chainId` is the vector's chain: a typed transaction for another chain is an error
    /// (its signature would not be valid here), and it is the chain a legacy transaction is signed for (EIP-155)
    /// unless it says `"protected": false`. `fork` decides which transaction types are valid (type 4 from Prague).
    static func parse(_ t: JSONFields, chainId: UInt64, fork: Fork = .cancun) throws(FieldError) -> (Transaction, TransactionSignature) {
        var tx = Transaction()
        if t.has("type") {
            let raw = try Quantity.u64(t, "type")
            guard raw <= 4, let type = TransactionType(rawValue: UInt8(raw)) else {
                throw FieldError("\(t.at("type")): expected a transaction type 0 to 4, got \(raw)")
            }
            tx.type = type
        } else if t.has("authorizationList") {
            tx.type = .setCode
        } else if t.has("blobVersionedHashes") || t.has("maxFeePerBlobGas") {
            tx.type = .blob
        } else if t.has("maxFeePerGas") {
            tx.type = .dynamicFee
        } else if t.has("accessList") {
            tx.type = .accessList
        }

        tx.nonce = try Quantity.u64(t, "nonce")
        tx.gasLimit = try Quantity.u64(t, t.has("gasLimit") && !t.has("gas") ? "gasLimit" : "gas")
        tx.value = try Quantity.u256(t, "value")
        tx.data = try t.bytes(t.has("data") && !t.has("input") ? "data" : "input")
        if t.has("to") {
            let to = try t.string("to")
            tx.to = to.isEmpty ? nil : try t.address("to")
        }
        switch tx.type {
        case .legacy, .accessList:
            tx.gasPrice = try Quantity.u256(t, "gasPrice")
        case .dynamicFee, .blob, .setCode:
            tx.maxFeePerGas = try Quantity.u256(t, "maxFeePerGas")
            tx.maxPriorityFeePerGas = try Quantity.u256(t, "maxPriorityFeePerGas")
        }
        if tx.type != .legacy {
            if t.has("accessList") { tx.accessList = try TransactionTemplate.accessList(try t.value("accessList"), at: t.at("accessList")) }
            let own = t.has("chainId") ? try Quantity.u64(t, "chainId") : chainId
            guard own == chainId else {
                throw FieldError("\(t.at("chainId")): the transaction is for chain \(own), the vector's chain is \(chainId)",
                                 rejectsTransaction: true)
            }
            tx.chainId = own
        }
        if tx.type == .setCode {
            tx.authorizationList = try t.array("authorizationList").enumerated().map { (i, a) throws(FieldError) in
                let f = try JSONFields(a, path: "\(t.at("authorizationList"))[\(i)]")
                let yParity = try Quantity.u256(f, f.has("yParity") ? "yParity" : "v")
                guard yParity <= UInt256(255) else { throw FieldError("\(f.at("v")): y parity does not fit a byte") }
                return Authorization(chainId: try Quantity.u256(f, "chainId"), address: try f.address("address"),
                                     nonce: try Quantity.u64(f, "nonce"), yParity: yParity,
                                     r: try Quantity.u256(f, "r"), s: try Quantity.u256(f, "s"))
            }
        }
        if tx.type == .blob {
            tx.maxFeePerBlobGas = try Quantity.u256(t, "maxFeePerBlobGas")
            let hashes = try t.array("blobVersionedHashes")
            tx.blobVersionedHashes = try hashes.enumerated().map { (i, h) throws(FieldError) in
                let path = "\(t.at("blobVersionedHashes"))[\(i)]"
                return try HexField.hash(try JSONFields.string(h, at: path), at: path)
            }
        }

        let signature: TransactionSignature
        let vKey = t.has("v") ? "v" : "yParity"
        if t.has(vKey) && t.has("r") && t.has("s") {
            signature = TransactionSignature(v: try Quantity.u256(t, vKey), r: try Quantity.u256(t, "r"),
                                             s: try Quantity.u256(t, "s"))
            if tx.type == .legacy {
                do { tx.chainId = try TransactionCodec.legacyChainId(v: signature.v) } catch {
                    throw FieldError("\(t.at(vKey)): \(error)", rejectsTransaction: true)
                }
                if t.has("chainId"), let own = tx.chainId {
                    let stated = try Quantity.u64(t, "chainId")
                    guard stated == own else {
                        throw FieldError("\(t.at("chainId")): \(stated), but v = \(signature.v.hexString) is for chain \(own) (EIP-155)",
                                         rejectsTransaction: true)
                    }
                }
                if let own = tx.chainId, own != chainId {
                    throw FieldError("\(t.at(vKey)): the transaction is for chain \(own) (EIP-155), the vector's chain is \(chainId)",
                                     rejectsTransaction: true)
                }
            }
            do { tx.sender = try TransactionCodec.recoverSender(tx, signature: signature, fork: fork) } catch {
                throw FieldError("\(t.path): \(error)", rejectsTransaction: true)
            }
            if t.has("secretKey") {
                guard let keyAddress = SecretKey.address(of: try secretKey(t)) else {
                    throw FieldError("\(t.at("secretKey")): not a valid secp256k1 secret key (zero, or not below the group order)")
                }
                if keyAddress != tx.sender {
                    throw FieldError("\(t.at("secretKey")): derives \(keyAddress), but the signature recovers \(tx.sender)")
                }
            }
        } else if t.has("secretKey") {
            let key = try secretKey(t)
            if tx.type == .legacy {
                let protected = t.has("protected") ? (t.object["protected"] as? Bool ?? true) : true
                tx.chainId = protected ? (t.has("chainId") ? try Quantity.u64(t, "chainId") : chainId) : nil
                if let own = tx.chainId, own != chainId {
                    throw FieldError("\(t.at("chainId")): the transaction is for chain \(own), the vector's chain is \(chainId)")
                }
            }
            do { signature = try TransactionCodec.sign(tx, secretKey: key) } catch {
                throw FieldError("\(t.at("secretKey")): \(error)")
            }
            guard let sender = SecretKey.address(of: key) else {
                throw FieldError("\(t.at("secretKey")): not a valid secp256k1 secret key")
            }
            tx.sender = sender
        } else {
            throw FieldError("missing field \(t.at("v")), \(t.at("r")), \(t.at("s")) (or \(t.at("secretKey")))")
        }

        if t.has("sender") {
            let stated = try t.address("sender")
            guard stated == tx.sender else {
                throw FieldError("\(t.at("sender")): \(stated), but the signature recovers \(tx.sender)")
            }
        }
        if t.has("hash") {
            let stated = try t.hash("hash")
            let computed = TransactionCodec.hash(tx, signature: signature)
            guard stated == computed else {
                throw FieldError("\(t.at("hash")): \(stated), but the transaction hashes to \(computed)")
            }
        }
        return (tx, signature)
    }

    private static func secretKey(_ t: JSONFields) throws(FieldError) -> [UInt8] {
        let key = try t.bytes("secretKey")
        guard key.count == 32 else { throw FieldError("\(t.at("secretKey")): expected 32 bytes of hex, got \(key.count)") }
        return key
    }

    /// A signed transaction as geth writes it, plus its `hash` and `sender` (both checked when read back).
    static func json(_ tx: Transaction, signature: TransactionSignature) -> BlockJSON {
        var o: [String: BlockJSON] = [
            "type": .string(UInt256(UInt64(tx.type.rawValue)).hexString),
            "nonce": .string(UInt256(tx.nonce).hexString),
            "gas": .string(UInt256(tx.gasLimit).hexString),
            "to": tx.to.map { .string($0.description) } ?? .null,
            "value": .string(tx.value.hexString),
            "input": .string(Hex.encode(tx.data)),
            "v": .string(signature.v.hexString),
            "r": .string(signature.r.hexString),
            "s": .string(signature.s.hexString),
            "hash": .string(TransactionCodec.hash(tx, signature: signature).description),
            "sender": .string(tx.sender.description),
        ]
        if let chainId = tx.chainId { o["chainId"] = .string(UInt256(chainId).hexString) }
        switch tx.type {
        case .legacy, .accessList:
            o["gasPrice"] = .string(tx.gasPrice.hexString)
        case .dynamicFee, .blob, .setCode:
            o["maxFeePerGas"] = .string(tx.maxFeePerGas.hexString)
            o["maxPriorityFeePerGas"] = .string(tx.maxPriorityFeePerGas.hexString)
        }
        if tx.type != .legacy {
            o["accessList"] = .array(tx.accessList.map { entry in
                .object(["address": .string(entry.address.description),
                         "storageKeys": .array(entry.storageKeys.map { .string(Hex.encode($0.bigEndianBytes)) })])
            })
        }
        if tx.type == .setCode {
            o["authorizationList"] = .array(tx.authorizationList.map { a in
                .object(["chainId": .string(a.chainId.hexString), "address": .string(a.address.description),
                         "nonce": .string(UInt256(a.nonce).hexString), "yParity": .string(a.yParity.hexString),
                         "v": .string(a.yParity.hexString), "r": .string(a.r.hexString), "s": .string(a.s.hexString)])
            })
        }
        if tx.type == .blob {
            o["maxFeePerBlobGas"] = .string(tx.maxFeePerBlobGas.hexString)
            o["blobVersionedHashes"] = .array(tx.blobVersionedHashes.map { .string($0.description) })
        }
        return .object(o)
    }
}

/// Numbers in t8n JSON: a `0x` hex string, a decimal string, or a JSON integer (geth's `HexOrDecimal`).
enum Quantity {
    static func u256(_ v: Any, at path: String) throws(FieldError) -> UInt256 {
        if let s = v as? String {
            if s.hasPrefix("0x") || s.hasPrefix("0X") { return try HexField.u256(s, at: path) }
            guard let d = UInt256(decimal: s) else {
                throw FieldError("\(path): expected a 0x-prefixed hex or decimal number of at most 256 bits, got \"\(s)\"")
            }
            return d
        }
        if let n = v as? UInt64 { return UInt256(n) }
        throw FieldError("\(path): expected a number (hex or decimal string, or an integer), got \(JSONFields.kind(of: v))")
    }

    static func u64(_ v: Any, at path: String) throws(FieldError) -> UInt64 {
        guard let n = try u256(v, at: path).u64 else {
            throw FieldError("\(path): expected a number of at most 64 bits, got \(v)")
        }
        return n
    }

    static func u256(_ fields: JSONFields, _ key: String) throws(FieldError) -> UInt256 {
        try u256(try fields.value(key), at: fields.at(key))
    }

    static func u64(_ fields: JSONFields, _ key: String) throws(FieldError) -> UInt64 {
        try u64(try fields.value(key), at: fields.at(key))
    }
}
