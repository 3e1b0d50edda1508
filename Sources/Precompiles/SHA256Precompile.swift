import Crypto

/// 0x02 SHA-256 (Yellow Paper appendix E): the 32-byte digest; 60 gas plus 12 per 32-byte word.
enum SHA256Precompile {
    static func gas(inputLength: Int) -> UInt64 {
        PrecompileGas.linear(base: 60, perWord: 12, length: inputLength)
    }

    static func run(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        let cost = gas(inputLength: input.count)
        guard cost <= gasLimit else { return .failure }
        return .success(gasUsed: cost, output: digest(input))
    }

    static func digest(_ input: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: input))
    }
}
