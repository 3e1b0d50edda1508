import Crypto
import Foundation

/// 0x100 P256VERIFY (EIP-7951, Osaka): ECDSA verification over secp256r1 of a raw 32-byte message hash.
/// Input is exactly 160 bytes: `hash | r | s | qx | qy`. Gas 6900 whatever the input. Output: the 32-byte word 1
/// when the signature is valid, empty otherwise (an invalid signature or input is not a failed call: the gas is
/// charged and the call succeeds with empty output). Validity (EIP-7951): 0 < r < n, 0 < s < n, qx < p, qy < p,
/// (qx, qy) not (0, 0) and on the curve; then standard ECDSA verification (BoringSSL through swift-crypto; no
/// low-s rule).
enum P256Verify {
    static let gas: UInt64 = 6_900
    static let inputLength = 160
    static let successOutput = PrecompileGas.word(1)

    /// The group order n and the field prime p, big-endian.
    static let n: [UInt8] = bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
    static let p: [UInt8] = bytes("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")

    static func run(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard gas <= gasLimit else { return .failure }
        return .success(gasUsed: gas, output: verify(input) ? successOutput : [])
    }

    static func verify(_ input: [UInt8]) -> Bool {
        guard input.count == inputLength else { return false }
        let r = input[32..<64], s = input[64..<96], qx = input[96..<128], qy = input[128..<160]
        guard !isZero(r), isLess(r, than: n), !isZero(s), isLess(s, than: n),
              isLess(qx, than: p), isLess(qy, than: p), !(isZero(qx) && isZero(qy)) else { return false }
        // rawRepresentation rejects a point that is not on the curve.
        guard let key = try? P256.Signing.PublicKey(rawRepresentation: input[96..<160]),
              let signature = try? P256.Signing.ECDSASignature(rawRepresentation: input[32..<96]) else { return false }
        return key.isValidSignature(signature, for: RawDigest(bytes: Array(input[0..<32])))
    }

    static func isZero(_ a: ArraySlice<UInt8>) -> Bool { a.allSatisfy { $0 == 0 } }

    /// a < b for 32-byte big-endian values.
    static func isLess(_ a: ArraySlice<UInt8>, than b: [UInt8]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x < y }
        return false
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out = [UInt8]()
        var it = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : c - 0x61 + 10 }
        while let h = it.next(), let l = it.next() { out.append(nibble(h) << 4 | nibble(l)) }
        return out
    }
}

/// A message hash given as it is (EIP-7951 verifies a caller-supplied hash, not a message), so that swift-crypto
/// passes the 32 bytes to ECDSA_do_verify unchanged.
struct RawDigest: Digest {
    static var byteCount: Int { 32 }
    let bytes: [UInt8]

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    func makeIterator() -> IndexingIterator<[UInt8]> { bytes.makeIterator() }

    var description: String { "RawDigest(\(bytes.map { String($0, radix: 16) }.joined()))" }
}
