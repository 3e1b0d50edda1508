import BLS12381
import Crypto

/// 0x0a point evaluation (EIP-4844): verifies a KZG proof that the blob committed to by `commitment`
/// evaluates to y at z. Input is exactly 192 bytes: `versioned_hash | z | y | commitment (48) | proof (48)`.
/// Gas 50000. Output is FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS as 32-byte big-endian words.
enum PointEvaluation {
    static let gas: UInt64 = 50_000
    static let inputLength = 192
    /// VERSIONED_HASH_VERSION_KZG, the first byte of a blob's versioned hash.
    static let versionedHashVersion: UInt8 = 0x01
    static let fieldElementsPerBlob: UInt64 = 4096
    /// The BLS12-381 scalar field modulus r, big-endian.
    static let blsModulus: [UInt8] = [
        0x73, 0xED, 0xA7, 0x53, 0x29, 0x9D, 0x7D, 0x48, 0x33, 0x39, 0xD8, 0x08, 0x09, 0xA1, 0xD8, 0x05,
        0x53, 0xBD, 0xA4, 0x02, 0xFF, 0xFE, 0x5B, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
    ]
    static let successOutput: [UInt8] = PrecompileGas.word(fieldElementsPerBlob) + blsModulus

    static func run(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard input.count == inputLength, gas <= gasLimit else { return .failure }
        let versionedHash = input[0..<32]
        let z = Array(input[32..<64])
        let y = Array(input[64..<96])
        let commitment = Array(input[96..<144])
        let proof = Array(input[144..<192])

        // kzg_to_versioned_hash: VERSIONED_HASH_VERSION_KZG ++ sha256(commitment)[1:].
        let commitmentHash = Array(SHA256.hash(data: commitment))
        guard versionedHash.first == versionedHashVersion,
              versionedHash.dropFirst().elementsEqual(commitmentHash.dropFirst()) else { return .failure }
        // z and y must be canonical field elements (the spec's bytes_to_bls_field), checked here as well
        // so the precompile does not depend on the KZG layer for it.
        guard isCanonicalFieldElement(z), isCanonicalFieldElement(y) else { return .failure }
        guard case .success(true) = KZG.verifyProof(commitment: commitment, z: z, y: y, proof: proof) else {
            return .failure
        }
        return .success(gasUsed: gas, output: successOutput)
    }

    /// x < BLS_MODULUS for a 32-byte big-endian x.
    static func isCanonicalFieldElement(_ x: [UInt8]) -> Bool {
        for (a, b) in zip(x, blsModulus) where a != b { return a < b }
        return false
    }
}
