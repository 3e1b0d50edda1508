import BN254
import EVMPrimitives

/// 0x07 ECMUL on alt_bn128 (EIP-196): multiplies a G1 point by a 256-bit scalar.
/// Gas 6000 since Istanbul (EIP-1108), 40000 before. Any invalid input fails the call.
enum BN254Mul {
    static func gas(fork: Fork) -> UInt64 { fork >= .istanbul ? 6000 : 40000 }

    static func run(_ input: [UInt8], gasLimit: UInt64, fork: Fork) -> PrecompileResult {
        let cost = gas(fork: fork)
        guard cost <= gasLimit else { return .failure }
        switch BN254.mul(input) {
        case .success(let output): return .success(gasUsed: cost, output: output)
        case .failure: return .failure
        }
    }
}
