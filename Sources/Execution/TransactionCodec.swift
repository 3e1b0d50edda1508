import CSecp256k1
import EVMPrimitives
import Keccak
import RLP

/// An ECDSA signature of a transaction, with `v` exactly as the transaction carries it: 27/28 for a legacy
/// transaction before EIP-155, `chainId * 2 + 35 + yParity` for an EIP-155 one, and the y parity (0/1) for a
/// typed transaction (EIP-2930, EIP-1559, EIP-4844).
public struct TransactionSignature: Sendable, Equatable, Hashable {
    public var v: UInt256
    public var r: UInt256
    public var s: UInt256

    public init(v: UInt256, r: UInt256, s: UInt256) { self.v = v; self.r = r; self.s = s }
}

/// Why a transaction could not be signed, recovered or decoded; says what was expected and what was got.
public enum TransactionCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSecretKey(String)
    case invalidV(String)
    case invalidSignature(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .invalidSecretKey(let s): "invalid secret key: \(s)"
        case .invalidV(let s): "invalid signature v: \(s)"
        case .invalidSignature(let s): "invalid signature: \(s)"
        case .malformed(let s): "malformed transaction: \(s)"
        }
    }
}

/// Signing hashes, signatures, sender recovery and the EIP-2718 consensus encoding of transactions.
///
/// - Legacy: `rlp([nonce, gasPrice, gas, to, value, data])` signed before EIP-155, and with `chainId, 0, 0`
///   appended after it (a legacy `Transaction` with a `chainId` is an EIP-155 one).
/// - Typed: `keccak256(type || rlp(payload))` where the payload is the field list without the signature
///   (EIP-2930 type 1, EIP-1559 type 2, EIP-4844 type 3); the signed form appends `yParity, r, s`.
public enum TransactionCodec {
    /// The secp256k1 group order n, and n / 2: EIP-2 (Homestead) makes a signature with s > n / 2 invalid.
    static let curveOrder = UInt256(w0: 0xBFD2_5E8C_D036_4141, w1: 0xBAAE_DCE6_AF48_A03B,
                                    w2: 0xFFFF_FFFF_FFFF_FFFE, w3: 0xFFFF_FFFF_FFFF_FFFF)
    static let halfCurveOrder = UInt256(w0: 0xDFE9_2F46_681B_20A0, w1: 0x5D57_6E73_57A4_501D,
                                        w2: 0xFFFF_FFFF_FFFF_FFFF, w3: 0x7FFF_FFFF_FFFF_FFFF)

    // MARK: - Hashes and encodings

    /// The hash a sender signs (see the type's comment for the preimage of each type).
    public static func signingHash(_ tx: Transaction) -> Hash32 {
        var w = RLPWriter(capacity: 128 + tx.data.count)
        switch tx.type {
        case .legacy:
            w.appendList { w in
                appendLegacyFields(tx, to: &w)
                if let chainId = tx.chainId {
                    w.appendUInt(chainId)
                    w.appendUInt(0)
                    w.appendUInt(0)
                }
            }
            return Keccak256.hash(w.bytes)
        case .accessList, .dynamicFee, .blob, .setCode:
            w.appendList { w in appendTypedFields(tx, to: &w) }
            return Keccak256.hash([tx.type.rawValue] + w.bytes)
        }
    }

    /// The consensus encoding of a signed transaction (EIP-2718): `rlp([..., v, r, s])` for a legacy one,
    /// `type || rlp([..., yParity, r, s])` for a typed one. This is what a block's transactions trie holds.
    public static func encode(_ tx: Transaction, signature: TransactionSignature) -> [UInt8] {
        var w = RLPWriter(capacity: 200 + tx.data.count)
        switch tx.type {
        case .legacy:
            w.appendList { w in
                appendLegacyFields(tx, to: &w)
                appendSignature(signature, to: &w)
            }
            return w.bytes
        case .accessList, .dynamicFee, .blob, .setCode:
            w.appendList { w in
                appendTypedFields(tx, to: &w)
                appendSignature(signature, to: &w)
            }
            return [tx.type.rawValue] + w.bytes
        }
    }

    /// The transaction hash: keccak256 of the consensus encoding.
    public static func hash(_ tx: Transaction, signature: TransactionSignature) -> Hash32 {
        Keccak256.hash(encode(tx, signature: signature))
    }

    private static func appendLegacyFields(_ tx: Transaction, to w: inout RLPWriter) {
        w.appendUInt(tx.nonce)
        w.appendUInt256(tx.gasPrice)
        w.appendUInt(tx.gasLimit)
        appendTo(tx.to, to: &w)
        w.appendUInt256(tx.value)
        w.appendBytes(tx.data)
    }

    private static func appendTypedFields(_ tx: Transaction, to w: inout RLPWriter) {
        w.appendUInt(tx.chainId ?? 0)
        w.appendUInt(tx.nonce)
        if tx.type == .accessList {
            w.appendUInt256(tx.gasPrice)
        } else {
            w.appendUInt256(tx.maxPriorityFeePerGas)
            w.appendUInt256(tx.maxFeePerGas)
        }
        w.appendUInt(tx.gasLimit)
        appendTo(tx.to, to: &w)
        w.appendUInt256(tx.value)
        w.appendBytes(tx.data)
        w.appendList { w in
            for entry in tx.accessList {
                w.appendList { w in
                    w.appendAddress(entry.address)
                    w.appendList { w in for key in entry.storageKeys { w.appendBytes(key.bigEndianBytes) } }
                }
            }
        }
        if tx.type == .blob {
            w.appendUInt256(tx.maxFeePerBlobGas)
            w.appendList { w in for h in tx.blobVersionedHashes { w.appendHash(h) } }
        }
        if tx.type == .setCode {
            w.appendList { w in
                for a in tx.authorizationList {
                    w.appendList { w in
                        w.appendUInt256(a.chainId)
                        w.appendAddress(a.address)
                        w.appendUInt(a.nonce)
                        w.appendUInt256(a.yParity)
                        w.appendUInt256(a.r)
                        w.appendUInt256(a.s)
                    }
                }
            }
        }
    }

    /// A creation has the empty string where the recipient would be.
    private static func appendTo(_ to: Address?, to w: inout RLPWriter) {
        if let to { w.appendAddress(to) } else { w.appendBytes([UInt8]()) }
    }

    private static func appendSignature(_ s: TransactionSignature, to w: inout RLPWriter) {
        w.appendUInt256(s.v)
        w.appendUInt256(s.r)
        w.appendUInt256(s.s)
    }

    // MARK: - Signing and recovery

    /// Signs with libsecp256k1's RFC 6979 deterministic nonce, as other clients do, so the same transaction and key
    /// always give the same signature (and hash). libsecp256k1 always returns the low-s form (EIP-2).
    /// A legacy transaction is signed with EIP-155 when it has a chain id.
    public static func sign(_ tx: Transaction, secretKey: [UInt8]) throws(TransactionCodecError) -> TransactionSignature {
        guard secretKey.count == 32 else {
            throw .invalidSecretKey("expected 32 bytes, got \(secretKey.count)")
        }
        guard let context = Secp256k1Context.shared.pointer else {
            throw .invalidSecretKey("libsecp256k1 context unavailable")
        }
        let digest = signingHash(tx).bytes
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest, secretKey,
                                               secp256k1_nonce_function_rfc6979, nil) == 1 else {
            throw .invalidSecretKey("not a valid secp256k1 scalar (zero or not below the group order)")
        }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature)
        let parity = UInt64(recoveryID & 1)
        let v: UInt256
        switch (tx.type, tx.chainId) {
        case (.legacy, nil): v = UInt256(27 + parity)
        case (.legacy, let chainId?): v = UInt256(chainId) &* UInt256(2) &+ UInt256(35 + parity)
        default: v = UInt256(parity)
        }
        return TransactionSignature(v: v, r: UInt256(bigEndianBytes: compact[0..<32]),
                                    s: UInt256(bigEndianBytes: compact[32..<64]))
    }

    /// The y parity a signature's `v` stands for, checked against the transaction: a legacy transaction without a
    /// chain id needs v = 27 or 28, one with chain id c needs v = 2c + 35 or 2c + 36 (EIP-155), a typed one 0 or 1.
    public static func yParity(_ tx: Transaction, _ signature: TransactionSignature) throws(TransactionCodecError) -> Int32 {
        let v = signature.v
        switch (tx.type, tx.chainId) {
        case (.legacy, nil):
            guard v == UInt256(27) || v == UInt256(28) else {
                throw .invalidV("expected 27 or 28 for a legacy transaction without chain id, got \(v.hexString)")
            }
            return v == UInt256(27) ? 0 : 1
        case (.legacy, let chainId?):
            let base = UInt256(chainId) &* UInt256(2) &+ UInt256(35)
            guard v == base || v == base &+ UInt256(1) else {
                throw .invalidV("expected \(base.hexString) or \((base &+ UInt256(1)).hexString) for chain id \(chainId) (EIP-155), got \(v.hexString)")
            }
            return v == base ? 0 : 1
        default:
            guard v.isZero || v == UInt256(1) else {
                throw .invalidV("expected a y parity of 0 or 1 for a type-\(tx.type.rawValue) transaction, got \(v.hexString)")
            }
            return v.isZero ? 0 : 1
        }
    }

    /// The chain id an EIP-155 legacy `v` encodes (v = 2c + 35 or 2c + 36), nil for v = 27 or 28 (unprotected).
    public static func legacyChainId(v: UInt256) throws(TransactionCodecError) -> UInt64? {
        if v == UInt256(27) || v == UInt256(28) { return nil }
        guard v >= UInt256(35) else { throw .invalidV("expected 27, 28 or at least 35 (EIP-155), got \(v.hexString)") }
        guard let c = ((v &- UInt256(35)) >> 1).u64 else {
            throw .invalidV("the EIP-155 chain id of v = \(v.hexString) does not fit 64 bits")
        }
        return c
    }

    /// The address that signed `tx`: r and s in [1, n), s at most n / 2 from Homestead (EIP-2), `v` matching the
    /// transaction, and as `fork` allows: an EIP-155 chain id from Spurious Dragon on, each typed transaction from the
    /// fork that introduced it (EIP-2930 Berlin, EIP-1559 London, EIP-4844 Cancun).
    public static func recoverSender(_ tx: Transaction, signature: TransactionSignature,
                                     fork: Fork = .cancun) throws(TransactionCodecError) -> Address {
        let introduced: Fork = switch tx.type {
        case .legacy: .frontier
        case .accessList: .berlin
        case .dynamicFee: .london
        case .blob: .cancun
        case .setCode: .prague
        }
        if fork < introduced { throw .malformed("type-\(tx.type.rawValue) transactions are not valid before \(introduced.name)") }
        if tx.type == .legacy, tx.chainId != nil, fork < .spuriousDragon {
            throw .invalidV("an EIP-155 v (\(signature.v.hexString)) is not valid before Spurious Dragon")
        }
        let parity = try yParity(tx, signature)
        guard !signature.r.isZero, signature.r < curveOrder else {
            throw .invalidSignature("r must be in [1, n), got \(signature.r.hexString)")
        }
        if fork < .homestead {
            guard !signature.s.isZero, signature.s < curveOrder else {
                throw .invalidSignature("s must be in [1, n), got \(signature.s.hexString)")
            }
        } else {
            guard !signature.s.isZero, signature.s <= halfCurveOrder else {
                throw .invalidSignature("s must be in [1, n/2] (EIP-2), got \(signature.s.hexString)")
            }
        }
        guard let context = Secp256k1Context.shared.pointer else {
            throw .invalidSignature("libsecp256k1 context unavailable")
        }
        let compact = signature.r.bigEndianBytes + signature.s.bigEndianBytes
        var parsed = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &parsed, compact, parity) == 1 else {
            throw .invalidSignature("libsecp256k1 rejected (r, s)")
        }
        var publicKey = secp256k1_pubkey()
        let digest = signingHash(tx).bytes
        guard secp256k1_ecdsa_recover(context, &publicKey, &parsed, digest) == 1 else {
            throw .invalidSignature("no public key recovers from this signature")
        }
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = 65
        guard secp256k1_ec_pubkey_serialize(context, &serialized, &length, &publicKey,
                                            UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1, length == 65 else {
            throw .invalidSignature("cannot serialize the recovered public key")
        }
        return Address(truncating: Keccak256.hash(serialized[1...]).word)
    }

    // MARK: - Decoding

    /// Decodes a signed transaction in its consensus encoding (legacy RLP list, or type byte and RLP payload) and
    /// recovers its sender. The EIP-4844 network form (with blobs, commitments and proofs) is not accepted.
    /// `fork` decides what is valid (see `recoverSender`).
    public static func decode(_ encoded: [UInt8], fork: Fork = .cancun) throws(TransactionCodecError) -> (transaction: Transaction, signature: TransactionSignature) {
        guard let first = encoded.first else { throw .malformed("empty input") }
        var tx = Transaction()
        let body: [UInt8]
        if first >= 0xc0 {
            tx.type = .legacy
            body = encoded
        } else {
            guard let type = TransactionType(rawValue: first), type != .legacy else {
                throw .malformed("unknown transaction type 0x\(String(first, radix: 16))")
            }
            tx.type = type
            body = Array(encoded.dropFirst())
        }
        let item: RLPItem
        do { item = try RLP.decode(body) } catch { throw .malformed("\(error)") }
        guard let fields = item.listValue else { throw .malformed("expected an RLP list, got a byte string") }
        let expected: Int = switch tx.type {
        case .legacy: 9
        case .accessList: 11
        case .dynamicFee: 12
        case .blob: 14
        case .setCode: 13
        }
        guard fields.count == expected else {
            throw .malformed("a type-\(tx.type.rawValue) transaction has \(expected) fields, got \(fields.count)")
        }
        var i = 0
        func next() -> RLPItem { defer { i += 1 }; return fields[i] }
        let signature: TransactionSignature
        if tx.type == .legacy {
            tx.nonce = try u64(next(), "nonce")
            tx.gasPrice = try u256(next(), "gasPrice")
            tx.gasLimit = try u64(next(), "gas")
            tx.to = try to(next())
            tx.value = try u256(next(), "value")
            tx.data = try bytes(next(), "data")
            signature = TransactionSignature(v: try u256(next(), "v"), r: try u256(next(), "r"), s: try u256(next(), "s"))
            tx.chainId = try legacyChainId(v: signature.v)
        } else {
            tx.chainId = try u64(next(), "chainId")
            tx.nonce = try u64(next(), "nonce")
            if tx.type == .accessList {
                tx.gasPrice = try u256(next(), "gasPrice")
            } else {
                tx.maxPriorityFeePerGas = try u256(next(), "maxPriorityFeePerGas")
                tx.maxFeePerGas = try u256(next(), "maxFeePerGas")
            }
            tx.gasLimit = try u64(next(), "gas")
            tx.to = try to(next())
            tx.value = try u256(next(), "value")
            tx.data = try bytes(next(), "data")
            tx.accessList = try accessList(next())
            if tx.type == .blob {
                tx.maxFeePerBlobGas = try u256(next(), "maxFeePerBlobGas")
                guard let hashes = next().listValue else { throw .malformed("blobVersionedHashes: expected a list") }
                tx.blobVersionedHashes = try hashes.map { (h: RLPItem) throws(TransactionCodecError) -> Hash32 in
                    let b = try bytes(h, "blobVersionedHashes")
                    guard b.count == 32 else { throw .malformed("blob versioned hash: expected 32 bytes, got \(b.count)") }
                    return Hash32(b)
                }
            }
            if tx.type == .setCode {
                guard let list = next().listValue else { throw .malformed("authorizationList: expected a list") }
                tx.authorizationList = try list.map { (a: RLPItem) throws(TransactionCodecError) -> Authorization in
                    guard let f = a.listValue, f.count == 6 else {
                        throw .malformed("authorization: expected [chainId, address, nonce, yParity, r, s]")
                    }
                    let address = try bytes(f[1], "authorization address")
                    guard address.count == 20 else { throw .malformed("authorization address: expected 20 bytes, got \(address.count)") }
                    let yParity = try u256(f[3], "authorization yParity")
                    guard yParity <= UInt256(255) else { throw .malformed("authorization yParity: does not fit a byte") }
                    return Authorization(chainId: try u256(f[0], "authorization chainId"), address: Address(address),
                                         nonce: try u64(f[2], "authorization nonce"), yParity: yParity,
                                         r: try u256(f[4], "authorization r"), s: try u256(f[5], "authorization s"))
                }
            }
            signature = TransactionSignature(v: try u256(next(), "yParity"), r: try u256(next(), "r"),
                                             s: try u256(next(), "s"))
        }
        tx.sender = try recoverSender(tx, signature: signature, fork: fork)
        return (tx, signature)
    }

    private static func bytes(_ item: RLPItem, _ field: String) throws(TransactionCodecError) -> [UInt8] {
        guard let b = item.bytesValue else { throw .malformed("\(field): expected a byte string, got a list") }
        return b
    }

    private static func u64(_ item: RLPItem, _ field: String) throws(TransactionCodecError) -> UInt64 {
        do { return try item.uint64() } catch { throw .malformed("\(field): \(error)") }
    }

    /// A canonical scalar of at most 32 bytes (no leading zero byte).
    private static func u256(_ item: RLPItem, _ field: String) throws(TransactionCodecError) -> UInt256 {
        let b = try bytes(item, field)
        guard b.count <= 32 else { throw .malformed("\(field): integer of \(b.count) bytes exceeds 32") }
        if b.first == 0 { throw .malformed("\(field): integer has a leading zero byte") }
        return UInt256(bigEndianBytes: b)
    }

    private static func to(_ item: RLPItem) throws(TransactionCodecError) -> Address? {
        let b = try bytes(item, "to")
        if b.isEmpty { return nil }
        guard b.count == 20 else { throw .malformed("to: expected 20 bytes or none, got \(b.count)") }
        return Address(b)
    }

    private static func accessList(_ item: RLPItem) throws(TransactionCodecError) -> [AccessListEntry] {
        guard let entries = item.listValue else { throw .malformed("accessList: expected a list") }
        return try entries.map { (e: RLPItem) throws(TransactionCodecError) -> AccessListEntry in
            guard let pair = e.listValue, pair.count == 2, let keys = pair[1].listValue else {
                throw .malformed("accessList entry: expected [address, [storageKeys]]")
            }
            let address = try bytes(pair[0], "accessList address")
            guard address.count == 20 else { throw .malformed("accessList address: expected 20 bytes, got \(address.count)") }
            return AccessListEntry(address: Address(address), storageKeys: try keys.map { (k: RLPItem) throws(TransactionCodecError) -> UInt256 in
                let b = try bytes(k, "accessList storage key")
                guard b.count == 32 else { throw .malformed("accessList storage key: expected 32 bytes, got \(b.count)") }
                return UInt256(bigEndianBytes: b)
            })
        }
    }
}
