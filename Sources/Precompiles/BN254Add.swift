import BN254
import EVMPrimitives

/// 0x06 ECADD on alt_bn128 (EIP-196): adds two G1 points. Gas 150 since Istanbul (EIP-1108), 500 before.
/// Any invalid input (a coordinate not below p, a point off the curve) fails the call.
enum BN254Add {
    static func gas(fork: Fork) -> UInt64 { fork >= .istanbul ? 150 : 500 }

    static func run(_ input: [UInt8], gasLimit: UInt64, fork: Fork) -> PrecompileResult {
        let cost = gas(fork: fork)
        guard cost <= gasLimit else { return .failure }
        switch BN254.add(input) {
        case .success(let output): return .success(gasUsed: cost, output: output)
        case .failure: return .failure
        }
    }
}
