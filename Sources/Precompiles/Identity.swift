/// 0x04 identity (Yellow Paper appendix E): returns its input; 15 gas plus 3 per 32-byte word.
enum Identity {
    static func gas(inputLength: Int) -> UInt64 {
        PrecompileGas.linear(base: 15, perWord: 3, length: inputLength)
    }

    static func run(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        let cost = gas(inputLength: input.count)
        guard cost <= gasLimit else { return .failure }
        return .success(gasUsed: cost, output: input)
    }
}
