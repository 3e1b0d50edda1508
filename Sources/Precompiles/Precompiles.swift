import EVMPrimitives

/// Outcome of a precompile call. On failure the caller consumes all gas it passed and gets empty output.
public enum PrecompileResult: Sendable, Equatable {
    case success(gasUsed: UInt64, output: [UInt8])
    case failure
}

/// The precompiled contracts (0x01-0x11 and 0x100): which are active in a fork, and running them.
///
/// Activation (Yellow Paper appendix E and the EIPs): 0x01-0x04 since Frontier, 0x05-0x08 since
/// Byzantium (EIP-198, EIP-196, EIP-197), 0x09 since Istanbul (EIP-152), 0x0a since Cancun (EIP-4844).
/// Gas follows the fork: EIP-1108 (Istanbul) repriced 0x06-0x08, EIP-2565 (Berlin) repriced 0x05.
/// Prague adds the BLS12-381 precompiles 0x0b-0x11 (EIP-2537); Osaka adds P256VERIFY at 0x100 (EIP-7951) and
/// bounds and reprices MODEXP (EIP-7823, EIP-7883).
public enum Precompiles {
    /// The number of precompiles active in `fork`; they occupy addresses 1...count.
    @inlinable
    static func count(for fork: Fork) -> UInt32 {
        if fork >= .prague { return 0x11 }
        if fork >= .cancun { return 10 }
        if fork >= .istanbul { return 9 }
        if fork >= .byzantium { return 8 }
        return 4
    }

    /// True when `address` is a precompile active in `fork` (Cancun: 0x01...0x0a).
    @inlinable
    public static func isPrecompile(_ address: Address, fork: Fork) -> Bool {
        address.a == 0 && address.b == 0
            && ((address.c >= 1 && address.c <= count(for: fork)) || (address.c == p256VerifyAddress && fork >= .osaka))
    }

    /// P256VERIFY's address (EIP-7951), outside the contiguous range 1...count.
    @inlinable
    static var p256VerifyAddress: UInt32 { 0x100 }

    /// The precompiles of `fork`, ascending (they are warm from the start of every transaction, EIP-2929).
    public static func addresses(for fork: Fork) -> [Address] {
        (1...count(for: fork)).map { Address(a: 0, b: 0, c: $0) }
            + (fork >= .osaka ? [Address(a: 0, b: 0, c: p256VerifyAddress)] : [])
    }

    /// Runs the precompile; `.failure` on invalid input or when its gas exceeds gasLimit.
    /// An address that is not a precompile in `fork` also gives `.failure` (callers check `isPrecompile` first).
    public static func run(_ address: Address, input: [UInt8], gasLimit: UInt64, fork: Fork) -> PrecompileResult {
        guard isPrecompile(address, fork: fork) else { return .failure }
        switch address.c {
        case 0x01: return ECRecover.run(input, gasLimit: gasLimit)
        case 0x02: return SHA256Precompile.run(input, gasLimit: gasLimit)
        case 0x03: return RIPEMD160Precompile.run(input, gasLimit: gasLimit)
        case 0x04: return Identity.run(input, gasLimit: gasLimit)
        case 0x05: return ModExp.run(input, gasLimit: gasLimit, fork: fork)
        case 0x06: return BN254Add.run(input, gasLimit: gasLimit, fork: fork)
        case 0x07: return BN254Mul.run(input, gasLimit: gasLimit, fork: fork)
        case 0x08: return BN254Pairing.run(input, gasLimit: gasLimit, fork: fork)
        case 0x09: return Blake2F.run(input, gasLimit: gasLimit)
        case 0x0a: return PointEvaluation.run(input, gasLimit: gasLimit)
        case 0x0b...0x11: return BLS12381Precompiles.run(address.c, input: input, gasLimit: gasLimit)
        case p256VerifyAddress: return P256Verify.run(input, gasLimit: gasLimit)
        default: return .failure
        }
    }
}

/// Gas arithmetic shared by the precompiles. It saturates at `UInt64.max` instead of trapping: a saturated
/// cost exceeds every gas limit, so the call fails as the specification's unbounded arithmetic would make it.
enum PrecompileGas {
    /// `base + perWord * ceil(length / 32)`, the linear price of 0x02-0x04 (Yellow Paper appendix E).
    @inlinable
    static func linear(base: UInt64, perWord: UInt64, length: Int) -> UInt64 {
        let words = UInt64(length / 32) + (length % 32 == 0 ? 0 : 1)
        let (product, overflow) = perWord.multipliedReportingOverflow(by: words)
        if overflow { return .max }
        let (sum, overflow2) = base.addingReportingOverflow(product)
        return overflow2 ? .max : sum
    }

    /// Writes `value` as a 32-byte big-endian word.
    static func word(_ value: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<8 { out[31 - i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        return out
    }
}
