import EVMPrimitives

/// 0x05 MODEXP (EIP-198): `base^exp mod modulus` for arbitrary lengths.
///
/// Input: three 32-byte big-endian lengths `Blen | Elen | Mlen`, then `B | E | M` of those lengths. Input
/// shorter than declared is read as if right-padded with zeros. Output is Mlen bytes (all zero for a zero
/// modulus). Gas: EIP-2565 from Berlin on, EIP-198's original formula before. Declared lengths may be up to
/// 2^256-1, so gas is computed in saturating 128-bit arithmetic: a saturated cost exceeds every gas limit.
enum ModExp {
    /// Largest declared length materialised (see the comment in `run`).
    static let defensiveLengthLimit: UInt64 = 1 << 31

    static func run(_ input: [UInt8], gasLimit: UInt64, fork: Fork) -> PrecompileResult {
        let header = Header(input)
        let cost = fork >= .berlin ? gasEIP2565(header) : gasEIP198(header)
        guard cost <= UInt128(gasLimit) else { return .failure }
        let gasUsed = UInt64(cost)

        // EIP-198: a zero-length modulus gives empty output whatever the base and exponent are.
        if header.modulusLength == 0 { return .success(gasUsed: gasUsed, output: []) }

        // The gas paid bounds every length: with Mlen >= 1 each of Blen, Mlen costs its square over 64 and
        // Elen costs 8/3 per byte, so 2^31 bytes needs over 5e9 gas (EIP-2565). No block gas limit comes near;
        // the check only keeps an absurd caller-supplied gasLimit from asking for terabytes of memory.
        guard header.baseLength <= defensiveLengthLimit,
              header.exponentLength <= defensiveLengthLimit,
              header.modulusLength <= defensiveLengthLimit else { return .failure }

        let baseStart: UInt64 = 96
        let exponentStart = baseStart + header.baseLength
        let modulusStart = exponentStart + header.exponentLength
        let modulus = ModExpArithmetic.limbs(bigEndian: header.bytes(at: modulusStart, length: header.modulusLength))
        let outputLength = Int(header.modulusLength)
        if modulus.isEmpty || modulus == [1] {
            return .success(gasUsed: gasUsed, output: [UInt8](repeating: 0, count: outputLength))
        }
        let base = ModExpArithmetic.limbs(bigEndian: header.bytes(at: baseStart, length: header.baseLength))
        let exponent = header.bytes(at: exponentStart, length: header.exponentLength)
        let result = ModExpArithmetic.power(base: base, exponent: exponent, modulus: modulus)
        return .success(gasUsed: gasUsed, output: ModExpArithmetic.bigEndianBytes(result, length: outputLength))
    }

    /// The three declared lengths, saturated at UInt64.max, and access to the zero-padded input.
    struct Header {
        let input: [UInt8]
        let baseLength: UInt64
        let exponentLength: UInt64
        let modulusLength: UInt64

        init(_ input: [UInt8]) {
            self.input = input
            var lengths: [UInt64] = []
            for field in 0..<3 {
                var value: UInt64 = 0
                var saturated = false
                for i in 0..<32 {
                    let byte = Self.byte(input, at: UInt64(32 * field + i))
                    if i < 24 { saturated = saturated || byte != 0 } else { value = value << 8 | UInt64(byte) }
                }
                lengths.append(saturated ? .max : value)
            }
            baseLength = lengths[0]
            exponentLength = lengths[1]
            modulusLength = lengths[2]
        }

        /// The input byte at `offset`, zero past the end.
        @inline(__always)
        static func byte(_ input: [UInt8], at offset: UInt64) -> UInt8 {
            offset < UInt64(input.count) ? input[Int(offset)] : 0
        }

        /// `start + length` with offsets past UInt64 reading as past the input (so as zeros).
        static func end(_ start: UInt64, _ length: UInt64) -> UInt64 {
            let (sum, overflow) = start.addingReportingOverflow(length)
            return overflow ? .max : sum
        }

        /// Bit length of the exponent's first min(32, Elen) bytes (EIP-198's "exponent head").
        var exponentHeadBitLength: Int {
            let start = Header.end(96, baseLength)
            let headLength = min(32, exponentLength)
            for i in 0..<headLength {
                let byte = Header.byte(input, at: Header.end(start, i))
                if byte != 0 { return Int(headLength - i - 1) * 8 + (8 - byte.leadingZeroBitCount) }
            }
            return 0
        }

        /// `length` input bytes from `start`, zeros past the end of the input.
        func bytes(at start: UInt64, length: UInt64) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: Int(length))
            guard start < UInt64(input.count) else { return out }
            let available = Int(min(length, UInt64(input.count) - start))
            for i in 0..<available { out[i] = input[Int(start) + i] }
            return out
        }
    }

    /// EIP-198 iteration count ("adjusted exponent length"), at least 1, computed with headroom in UInt128.
    static func iterationCount(_ h: Header) -> UInt128 {
        let headBits = UInt128(h.exponentHeadBitLength)
        let headPart = headBits > 0 ? headBits - 1 : 0
        let count: UInt128
        if h.exponentLength <= 32 {
            count = headPart
        } else {
            count = 8 * UInt128(h.exponentLength - 32) + headPart
        }
        return max(count, 1)
    }

    /// Multiplies with saturation at UInt128.max.
    static func saturatingProduct(_ a: UInt128, _ b: UInt128) -> UInt128 {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : p
    }

    /// EIP-2565: max(200, ceil(max(Blen, Mlen) / 8)^2 * iterations / 3).
    static func gasEIP2565(_ h: Header) -> UInt128 {
        let maxLength = UInt128(max(h.baseLength, h.modulusLength))
        let words = (maxLength + 7) / 8
        let complexity = words * words  // words < 2^62, so no overflow
        return max(200, saturatingProduct(complexity, iterationCount(h)) / 3)
    }

    /// EIP-198 (Byzantium to Istanbul): piecewise-quadratic complexity of max(Blen, Mlen) in bytes,
    /// times the iteration count, over 20.
    static func gasEIP198(_ h: Header) -> UInt128 {
        let x = UInt128(max(h.baseLength, h.modulusLength))
        let square = x * x  // x < 2^64, so x^2 < 2^128
        let complexity: UInt128
        if x <= 64 {
            complexity = square
        } else if x <= 1024 {
            complexity = square / 4 + 96 * x - 3072
        } else {
            complexity = square / 16 + 480 * x - 199_680
        }
        return saturatingProduct(complexity, iterationCount(h)) / 20
    }
}
