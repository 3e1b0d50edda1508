import CSecp256k1
import EVMPrimitives
import Keccak

/// 0x01 ECRECOVER (Yellow Paper appendix E): recovers the signer of a secp256k1 signature.
/// Input `hash | v | r | s`, four 32-byte words, right-padded with zeros to 128 bytes. Gas 3000.
/// An invalid signature is not a failure: the call succeeds with empty output and still pays 3000.
enum ECRecover {
    static let gas: UInt64 = 3000

    /// The secp256k1 group order n, big-endian.
    static let groupOrder: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ]

    static func run(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard gas <= gasLimit else { return .failure }
        var padded = [UInt8](repeating: 0, count: 128)
        let n = min(input.count, 128)
        padded.withUnsafeMutableBufferPointer { dst in
            input.withUnsafeBufferPointer { src in
                if n > 0, let d = dst.baseAddress, let s = src.baseAddress { d.update(from: s, count: n) }
            }
        }
        return .success(gasUsed: gas, output: recoverAddressWord(padded) ?? [])
    }

    /// The signer's address as a 32-byte word, or nil when the signature is invalid.
    /// v must be exactly 27 or 28 as a whole word; r and s must lie in [1, n-1]. Unlike transaction
    /// signatures (EIP-2), s above n/2 is accepted here.
    static func recoverAddressWord(_ input: [UInt8]) -> [UInt8]? {
        for i in 32..<63 where input[i] != 0 { return nil }
        let v = input[63]
        guard v == 27 || v == 28 else { return nil }
        guard isInScalarRange(input[64..<96]), isInScalarRange(input[96..<128]) else { return nil }
        guard let publicKey = Secp256k1Context.shared.recover(
            hash: input[0..<32], rs: input[64..<128], recoveryID: Int32(v - 27)
        ) else { return nil }
        let digest = Keccak256.hash(Array(publicKey[1..<65])).bytes
        return [UInt8](repeating: 0, count: 12) + digest[12..<32]
    }

    /// 1 <= x <= n-1 for a 32-byte big-endian x.
    static func isInScalarRange(_ x: ArraySlice<UInt8>) -> Bool {
        guard x.contains(where: { $0 != 0 }) else { return false }
        for (a, b) in zip(x, groupOrder) where a != b { return a < b }
        return false  // x == n
    }
}

/// One libsecp256k1 context for the whole process.
///
/// `@unchecked Sendable` is sound: the context is created once and never mutated afterwards (no
/// randomisation, no callbacks set), and libsecp256k1 documents that a context used only through
/// `const` API calls, as signature parsing and recovery are, may be shared across threads.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    private let context: OpaquePointer

    private init() {
        // Contexts for verification and recovery need no flags since libsecp256k1 0.2. The library never
        // returns NULL here (it aborts through its own error callback when allocation fails), so a nil
        // would mean a broken library, not bad input: stop rather than answer every ecrecover wrongly.
        guard let created = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            preconditionFailure("secp256k1_context_create returned NULL")
        }
        context = created
    }

    deinit { secp256k1_context_destroy(context) }

    /// The uncompressed public key (65 bytes, 0x04 prefix) that signed `hash`, or nil.
    func recover(hash: ArraySlice<UInt8>, rs: ArraySlice<UInt8>, recoveryID: Int32) -> [UInt8]? {
        var signature = secp256k1_ecdsa_recoverable_signature()
        let compact = Array(rs)
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, compact, recoveryID) == 1 else {
            return nil
        }
        var publicKey = secp256k1_pubkey()
        let message = Array(hash)
        guard secp256k1_ecdsa_recover(context, &publicKey, &signature, message) == 1 else { return nil }
        var output = [UInt8](repeating: 0, count: 65)
        var length = 65
        guard secp256k1_ec_pubkey_serialize(context, &output, &length, &publicKey, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1,
              length == 65 else { return nil }
        return output
    }
}

extension Precompiles {
    /// The address whose key signed `hash` as (`recoveryID`, `r`, `s`), or nil when no key did. Callers check the
    /// ranges their format demands (EIP-2's low s, EIP-7702's y parity) first; `recoveryID` must be 0 or 1.
    public static func recoverSigner(hash: Hash32, recoveryID: UInt8, r: UInt256, s: UInt256) -> Address? {
        guard recoveryID <= 1 else { return nil }
        guard let publicKey = Secp256k1Context.shared.recover(
            hash: hash.bytes[...], rs: (r.bigEndianBytes + s.bigEndianBytes)[...], recoveryID: Int32(recoveryID)
        ) else { return nil }
        return Address(truncating: Keccak256.hash(publicKey[1..<65]).word)
    }
}
