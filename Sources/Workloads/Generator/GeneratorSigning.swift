import CSecp256k1
import EVMPrimitives
import Execution
import Keccak
import RLP
import Vectors

/// An EIP-7702 authorisation a recipe asks for: the driver signs it with the authority's key.
struct PendingAuthorization {
    /// Index of the authority in `GeneratorWorld.accounts`.
    var authority: Int
    /// The delegate (the zero address clears the delegation).
    var delegate: Address
    var nonce: UInt64
    /// 0 (valid on every chain) or the block's chain id.
    var chainId: UInt256
}

/// Real secp256k1 signatures for what the generator's accounts sign besides transactions: EIP-7702
/// authorisations and the messages the workload contracts check with `ecrecover`.
enum GeneratorSigning {
    /// A recoverable signature over a 32-byte digest with libsecp256k1's RFC 6979 nonce (deterministic, low s).
    /// `parity` is the recovery id's low bit (0 or 1).
    static func sign(_ digest: Hash32, secretKey: [UInt8]) -> (parity: UInt8, r: UInt256, s: UInt256) {
        guard let context = Secp256k1Context.shared.pointer else { fatalError("libsecp256k1 context unavailable") }
        var signature = secp256k1_ecdsa_recoverable_signature()
        // The generator's keys are valid scalars by construction (GeneratorWorld.account).
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest.bytes, secretKey,
                                               secp256k1_nonce_function_rfc6979, nil) == 1 else {
            fatalError("libsecp256k1 refused a generator key")
        }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature)
        return (UInt8(recoveryID & 1), UInt256(bigEndianBytes: compact[0..<32]), UInt256(bigEndianBytes: compact[32..<64]))
    }

    /// The digest an authorisation signs: `keccak256(0x05 || rlp([chain_id, address, nonce]))` (EIP-7702).
    static func authorizationDigest(chainId: UInt256, delegate: Address, nonce: UInt64) -> Hash32 {
        let payload = RLP.encode(.list([.bytes(chainId.minimalBigEndianBytes), .bytes(delegate.bytes),
                                        .bytes(UInt256(nonce).minimalBigEndianBytes)]))
        return Keccak256.hash([0x05] + payload)
    }

    /// A signed authorisation of `delegate` by the key's account.
    static func authorization(chainId: UInt256, delegate: Address, nonce: UInt64, secretKey: [UInt8]) -> Authorization {
        let s = sign(authorizationDigest(chainId: chainId, delegate: delegate, nonce: nonce), secretKey: secretKey)
        return Authorization(chainId: chainId, address: delegate, nonce: nonce, yParity: UInt256(UInt64(s.parity)),
                             r: s.r, s: s.s)
    }

    /// A message for Vyper's `ecrecover`: keccak256 of the ABI words (`abi_encode` of static values), signed;
    /// v is 27 or 28 as the ECRECOVER precompile wants it.
    static func signWords(_ words: [ABI.Word], secretKey: [UInt8]) -> (v: UInt8, r: UInt256, s: UInt256) {
        var message: [UInt8] = []
        for w in words { message += w.encoded }
        let s = sign(Keccak256.hash(message), secretKey: secretKey)
        return (27 + s.parity, s.r, s.s)
    }
}
