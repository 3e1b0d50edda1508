import BN254
import EVMPrimitives

/// 0x08 pairing check on alt_bn128 (EIP-197): input is k pairs of (G1, G2) points, 192 bytes each; output is
/// the 32-byte word 1 when the product of the pairings is one, else 0. Gas 45000 + 34000k since Istanbul
/// (EIP-1108), 100000 + 80000k before. A length that is not a multiple of 192, or any invalid point, fails.
enum BN254Pairing {
    static let pairLength = 192

    static func gas(pairs: Int, fork: Fork) -> UInt64 {
        let (base, perPair): (UInt64, UInt64) = fork >= .istanbul ? (45_000, 34_000) : (100_000, 80_000)
        let (product, overflow) = perPair.multipliedReportingOverflow(by: UInt64(pairs))
        if overflow { return .max }
        let (sum, overflow2) = base.addingReportingOverflow(product)
        return overflow2 ? .max : sum
    }

    static func run(_ input: [UInt8], gasLimit: UInt64, fork: Fork) -> PrecompileResult {
        let cost = gas(pairs: input.count / pairLength, fork: fork)
        guard cost <= gasLimit else { return .failure }
        guard input.count % pairLength == 0 else { return .failure }
        switch BN254.pairingCheck(input) {
        case .success(let isOne): return .success(gasUsed: cost, output: PrecompileGas.word(isOne ? 1 : 0))
        case .failure: return .failure
        }
    }
}
