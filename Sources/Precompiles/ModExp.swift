import EVMPrimitives

/// 0x05 MODEXP (EIP-198): `base^exp mod modulus` for arbitrary lengths.
///
/// Input: three 32-byte big-endian lengths `Blen | Elen | Mlen`, then `B | E | M` of those lengths. Input
/// shorter than declared is read as if right-padded with zeros. Output is Mlen bytes (all zero for a zero
/// modulus). Gas: EIP-2565 from Berlin on, EIP-198's original formula before. Declared lengths may be up to
/// 2^256-1: they are kept in 128 bits (a longer one saturates) and gas is computed in saturating 128-bit
/// arithmetic. Saturation only happens far above 2^64, so every comparison with a UInt64 gas limit is exact.
///
/// Osaka: EIP-7823 bounds each declared length to 1024 bytes (a longer one fails the call before any gas is
/// computed, consuming all gas passed) and EIP-7883 reprices (`gasEIP7883`).
enum ModExp {
    /// EIP-7823: the largest declared base, exponent or modulus length from Osaka on.
    static let osakaLengthLimit: UInt128 = 1024

    /// Largest declared length materialised (see the comment in `run`).
    static let defensiveLengthLimit: UInt128 = 1 << 31

    static func run(_ input: [UInt8], gasLimit: UInt64, fork: Fork) -> PrecompileResult {
        let header = Header(input)
        if fork >= .osaka {
            guard header.baseLength <= osakaLengthLimit, header.exponentLength <= osakaLengthLimit,
                  header.modulusLength <= osakaLengthLimit else { return .failure }
        }
        let cost = fork >= .osaka ? gasEIP7883(header) : fork >= .berlin ? gasEIP2565(header) : gasEIP198(header)
        guard cost <= UInt128(gasLimit) else { return .failure }
        let gasUsed = UInt64(cost)

        // EIP-198: a zero-length modulus gives empty output whatever the base and exponent are.
        if header.modulusLength == 0 { return .success(gasUsed: gasUsed, output: []) }

        // The gas paid bounds every length: with Mlen >= 1 each of Blen, Mlen costs its square over 64 and
        // Elen costs 8/3 per byte (EIP-2565; 8/20 under EIP-198), so 2^31 bytes needs over 8e8 gas. No block gas
        // limit comes near; the check only keeps an absurd caller-supplied gasLimit from asking for gigabytes.
        guard header.baseLength <= defensiveLengthLimit,
              header.exponentLength <= defensiveLengthLimit,
              header.modulusLength <= defensiveLengthLimit else { return .failure }
        let baseLength = Int(header.baseLength)
        let exponentLength = Int(header.exponentLength)
        let modulusLength = Int(header.modulusLength)

        let modulus = ModExpArithmetic.limbs(bigEndian: header.bytes(at: 96 + baseLength + exponentLength, length: modulusLength))
        if modulus.isEmpty || modulus == [1] {
            return .success(gasUsed: gasUsed, output: [UInt8](repeating: 0, count: modulusLength))
        }
        let base = ModExpArithmetic.limbs(bigEndian: header.bytes(at: 96, length: baseLength))
        let exponent = header.bytes(at: 96 + baseLength, length: exponentLength)
        let result = ModExpArithmetic.power(base: base, exponent: exponent, modulus: modulus)
        return .success(gasUsed: gasUsed, output: ModExpArithmetic.bigEndianBytes(result, length: modulusLength))
    }

    /// The three declared lengths (saturated at UInt128.max) and access to the zero-padded input.
    struct Header {
        let input: [UInt8]
        let baseLength: UInt128
        let exponentLength: UInt128
        let modulusLength: UInt128

        init(_ input: [UInt8]) {
            self.input = input
            func length(_ field: Int) -> UInt128 {
                var value: UInt128 = 0
                for i in 0..<32 {
                    let byte = Header.byte(input, at: UInt128(32 * field + i))
                    if i < 16 {
                        if byte != 0 { return .max }
                    } else {
                        value = value << 8 | UInt128(byte)
                    }
                }
                return value
            }
            baseLength = length(0)
            exponentLength = length(1)
            modulusLength = length(2)
        }

        /// The input byte at `offset`, zero past the end.
        @inline(__always)
        static func byte(_ input: [UInt8], at offset: UInt128) -> UInt8 {
            offset < UInt128(input.count) ? input[Int(offset)] : 0
        }

        /// Bit length of the exponent's first min(32, Elen) bytes (EIP-198's "exponent head").
        var exponentHeadBitLength: Int {
            let start = saturatingSum(96, baseLength)
            let headLength = min(32, exponentLength)
            for i in 0..<headLength {
                let byte = Header.byte(input, at: saturatingSum(start, i))
                if byte != 0 { return Int(headLength - i - 1) * 8 + (8 - byte.leadingZeroBitCount) }
            }
            return 0
        }

        /// `length` input bytes from `start`, zeros past the end of the input.
        func bytes(at start: Int, length: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: length)
            guard start < input.count else { return out }
            let available = min(length, input.count - start)
            for i in 0..<available { out[i] = input[start + i] }
            return out
        }
    }

    static func saturatingSum(_ a: UInt128, _ b: UInt128) -> UInt128 {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : s
    }

    static func saturatingProduct(_ a: UInt128, _ b: UInt128) -> UInt128 {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : p
    }

    /// EIP-198 iteration count ("adjusted exponent length"), at least 1: `perByte` per exponent byte past the
    /// first 32 (8 until Prague, 16 from Osaka on, EIP-7883), plus the bit length of the head minus one.
    static func iterationCount(_ h: Header, perByte: UInt128 = 8) -> UInt128 {
        let headBits = UInt128(h.exponentHeadBitLength)
        let headPart = headBits > 0 ? headBits - 1 : 0
        let count: UInt128
        if h.exponentLength <= 32 {
            count = headPart
        } else {
            count = saturatingSum(saturatingProduct(perByte, h.exponentLength - 32), headPart)
        }
        return max(count, 1)
    }

    /// EIP-2565: max(200, ceil(max(Blen, Mlen) / 8)^2 * iterations / 3).
    static func gasEIP2565(_ h: Header) -> UInt128 {
        let maxLength = max(h.baseLength, h.modulusLength)
        let words = maxLength / 8 + (maxLength % 8 == 0 ? 0 : 1)
        let complexity = saturatingProduct(words, words)
        return max(200, saturatingProduct(complexity, iterationCount(h)) / 3)
    }

    /// EIP-7883 (Osaka): max(500, complexity * iterations) with complexity 16 for max(Blen, Mlen) <= 32 bytes,
    /// else 2 * ceil(max / 8)^2, and 16 iterations per exponent byte past the first 32. No division.
    static func gasEIP7883(_ h: Header) -> UInt128 {
        let maxLength = max(h.baseLength, h.modulusLength)
        let words = maxLength / 8 + (maxLength % 8 == 0 ? 0 : 1)
        let complexity = maxLength <= 32 ? 16 : saturatingProduct(2, saturatingProduct(words, words))
        return max(500, saturatingProduct(complexity, iterationCount(h, perByte: 16)))
    }

    /// EIP-198 (Byzantium to Istanbul): piecewise-quadratic complexity of max(Blen, Mlen) in bytes,
    /// times the iteration count, over 20.
    static func gasEIP198(_ h: Header) -> UInt128 {
        let x = max(h.baseLength, h.modulusLength)
        let complexity: UInt128
        if x <= 64 {
            complexity = x * x
        } else if x <= 1024 {
            complexity = x * x / 4 + 96 * x - 3072
        } else if x < 1 << 64 {
            complexity = x * x / 16 + 480 * x - 199_680  // x^2 < 2^128
        } else {
            complexity = .max  // x^2 / 16 >= 2^124
        }
        return saturatingProduct(complexity, iterationCount(h)) / 20
    }
}
