import CSecp256k1
import EVMPrimitives
import Keccak

/// Address derivation from a secp256k1 secret key, for vectors that give `secretKey` instead of `sender`.
public enum SecretKey {
    /// The address of a 32-byte secret key: the last 20 bytes of keccak256 of the uncompressed public key without
    /// its 0x04 prefix (Yellow Paper, appendix F). nil when the key is not a valid scalar (zero or >= the group order).
    public static func address(of secretKey: [UInt8]) -> Address? {
        guard secretKey.count == 32, let context = Secp256k1Context.shared.pointer else { return nil }
        var publicKey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &publicKey, secretKey) == 1 else { return nil }
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = 65
        guard secp256k1_ec_pubkey_serialize(context, &serialized, &length, &publicKey,
                                            UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1, length == 65 else { return nil }
        let digest = Keccak256.hash(Array(serialized[1...])).bytes
        return Address(digest[12...])
    }
}

/// One libsecp256k1 context for the process. Functions that take the context as `const` may share it across
/// threads (secp256k1.h), and key derivation is one of them.
public final class Secp256k1Context: @unchecked Sendable {
    public static let shared = Secp256k1Context()
    public let pointer: OpaquePointer?
    private init() { pointer = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) }
    deinit { if let pointer { secp256k1_context_destroy(pointer) } }
}
