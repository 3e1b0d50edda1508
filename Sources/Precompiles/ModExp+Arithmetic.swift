/// The arbitrary-precision arithmetic behind MODEXP, on little-endian 64-bit limbs.
///
/// An odd modulus uses Montgomery multiplication (Montgomery 1985; the CIOS form of Koc, Acar and Kaliski 1996);
/// an even one multiplies and reduces with Knuth's long division (TAOCP vol. 2, 4.3.1, algorithm D). Both
/// exponentiate left to right, bit by bit for short exponents and over 4-bit windows for long ones.
/// All scratch memory is allocated once per call.
enum ModExpArithmetic {
    /// Limbs of a big-endian byte string, least significant first, without high zero limbs.
    static func limbs(bigEndian bytes: [UInt8]) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        var limb = 0, shift: UInt64 = 0
        for byte in bytes.reversed() {
            out[limb] |= UInt64(byte) << shift
            shift += 8
            if shift == 64 { shift = 0; limb += 1 }
        }
        while let last = out.last, last == 0 { out.removeLast() }
        return out
    }

    /// `limbs` as exactly `length` big-endian bytes (the value must fit).
    static func bigEndianBytes(_ limbs: [UInt64], length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        var position = length - 1
        outer: for limb in limbs {
            var w = limb
            for _ in 0..<8 {
                guard position >= 0 else { break outer }
                out[position] = UInt8(truncatingIfNeeded: w)
                w >>= 8
                position -= 1
            }
        }
        return out
    }

    /// `base^exponent mod modulus` for a trimmed modulus greater than one; `exponent` is big-endian bytes.
    /// The result has `modulus.count` limbs.
    static func power(base: [UInt64], exponent: [UInt8], modulus: [UInt64]) -> [UInt64] {
        let n = modulus.count
        precondition(n > 0 && (n > 1 || modulus[0] > 1), "modulus must exceed 1")
        // Scratch layout: m | vn (normalised m) | acc | tmp (n each) | product (2n + 2: a full product, or the
        // Montgomery scratch of n + 1) | table (16n) |
        // wide (dividends: the base or 2^(128n)) | division (the dividend's scratch, one limb longer).
        let wideCount = max(base.count, 2 * n + 1)
        let total = 4 * n + (2 * n + 2) + 16 * n + 2 * wideCount + 1
        let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: total)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: total)
        let m = buffer
        let vn = m + n
        let acc = vn + n
        let tmp = acc + n
        let product = tmp + n
        let table = product + 2 * n + 2
        let wide = table + 16 * n
        let division = wide + wideCount
        for i in 0..<n { m[i] = modulus[i] }
        let divisor = Divisor(m: m, vn: vn, n: n)

        // base mod m, into table[1].
        for (i, limb) in base.enumerated() { wide[i] = limb }
        divisor.remainder(wide, count: max(base.count, 1), into: table + n, scratch: division)

        if modulus[0] & 1 == 1 {
            let mont = Montgomery(m: m, n: n)
            // R^2 mod m, from 2^(128n): limb 2n set.
            for i in 0..<(2 * n + 1) { wide[i] = 0 }
            wide[2 * n] = 1
            let r2 = tmp
            divisor.remainder(wide, count: 2 * n + 1, into: r2, scratch: division)
            // table[0] = R mod m (one in Montgomery form), table[1] = base * R mod m.
            for i in 0..<n { acc[i] = 0 }
            acc[0] = 1
            mont.multiply(table, acc, r2, scratch: product)
            mont.multiply(table + n, table + n, r2, scratch: product)
            exponentiate(exponent: exponent, n: n, table: table, acc: acc) { r, a, b in
                mont.multiply(r, a, b, scratch: product)
            }
            // Out of Montgomery form: acc * 1 * R^-1.
            for i in 0..<n { tmp[i] = 0 }
            tmp[0] = 1
            mont.multiply(acc, acc, tmp, scratch: product)
        } else {
            for i in 0..<n { table[i] = 0 }
            table[0] = 1
            exponentiate(exponent: exponent, n: n, table: table, acc: acc) { r, a, b in
                multiplyFull(product, a, b, n)
                divisor.remainder(product, count: 2 * n, into: r, scratch: division)
            }
        }
        return Array(UnsafeBufferPointer(start: acc, count: n))
    }

    /// Left-to-right exponentiation. `table[0]` holds one and `table[1]` the base (in the multiplier's
    /// representation); leaves the power in `acc`. Exponents above 64 bits use 4-bit windows (filling
    /// `table[2...15]`: 14 multiplications that save one per 4 exponent bits); shorter ones, such as the
    /// RSA-style 65537, go bit by bit.
    @inline(__always)
    static func exponentiate(
        exponent: [UInt8], n: Int, table: UnsafeMutablePointer<UInt64>, acc: UnsafeMutablePointer<UInt64>,
        multiply: (UnsafeMutablePointer<UInt64>, UnsafePointer<UInt64>, UnsafePointer<UInt64>) -> Void
    ) {
        let firstNonZero = exponent.firstIndex { $0 != 0 } ?? exponent.count
        let significantBits = (exponent.count - firstNonZero) * 8 - (firstNonZero < exponent.count ? exponent[firstNonZero].leadingZeroBitCount : 0)
        acc.update(from: table, count: n)
        guard significantBits > 0 else { return }
        if significantBits <= 64 {
            acc.update(from: table + n, count: n)
            for bit in stride(from: significantBits - 2, through: 0, by: -1) {
                multiply(acc, acc, acc)
                let byte = exponent[exponent.count - 1 - bit / 8]
                if (byte >> UInt8(bit % 8)) & 1 == 1 { multiply(acc, acc, table + n) }
            }
            return
        }
        for k in 2..<16 { multiply(table + k * n, table + (k - 1) * n, table + n) }
        var started = false
        for byte in exponent[firstNonZero...] {
            for half in 0..<2 {
                let nibble = half == 0 ? byte >> 4 : byte & 0x0F
                if started {
                    for _ in 0..<4 { multiply(acc, acc, acc) }
                    if nibble != 0 { multiply(acc, acc, table + Int(nibble) * n) }
                } else if nibble != 0 {
                    acc.update(from: table + Int(nibble) * n, count: n)
                    started = true
                }
            }
        }
    }

    /// r[0..<2n] = a * b for n-limb a and b (schoolbook).
    @inline(__always)
    static func multiplyFull(_ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ n: Int) {
        for i in 0..<(2 * n) { r[i] = 0 }
        for i in 0..<n {
            var carry: UInt64 = 0
            let bi = UInt128(b[i])
            for j in 0..<n {
                let p = UInt128(a[j]) * bi + UInt128(r[i + j]) + UInt128(carry)
                r[i + j] = UInt64(truncatingIfNeeded: p)
                carry = UInt64(truncatingIfNeeded: p >> 64)
            }
            r[i + n] = carry
        }
    }

    /// Montgomery multiplication modulo an odd n-limb m, R = 2^(64n).
    struct Montgomery {
        let m: UnsafePointer<UInt64>
        let n: Int
        /// -m^-1 mod 2^64.
        let m0inv: UInt64

        init(m: UnsafePointer<UInt64>, n: Int) {
            self.m = m
            self.n = n
            // Newton's iteration doubles the correct low bits: m0 is its own inverse mod 8.
            var x = m[0]
            for _ in 0..<5 { x = x &* (2 &- m[0] &* x) }
            m0inv = 0 &- x
        }

        /// r = a * b * R^-1 mod m for a, b < m; r may alias a or b. `scratch` holds n + 1 limbs.
        ///
        /// One pass per limb of b adds a * b[i] and q * m (q chosen to clear the low limb) and shifts down a limb,
        /// carrying the two products' high halves separately; the running value stays below 2m.
        @inline(__always)
        func multiply(_ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>,
                      scratch t: UnsafeMutablePointer<UInt64>) {
            for i in 0...n { t[i] = 0 }
            for i in 0..<n {
                let bi = UInt128(b[i])
                let p0 = UInt128(a[0]) * bi + UInt128(t[0])
                let low = UInt64(truncatingIfNeeded: p0)
                var carryAB = UInt64(truncatingIfNeeded: p0 >> 64)
                let q = UInt128(low &* m0inv)
                var carryQM = UInt64(truncatingIfNeeded: (q * UInt128(m[0]) + UInt128(low)) >> 64)
                var j = 1
                while j < n {
                    let p = UInt128(a[j]) * bi + UInt128(t[j]) + UInt128(carryAB)
                    carryAB = UInt64(truncatingIfNeeded: p >> 64)
                    let p2 = q * UInt128(m[j]) + UInt128(UInt64(truncatingIfNeeded: p)) + UInt128(carryQM)
                    carryQM = UInt64(truncatingIfNeeded: p2 >> 64)
                    t[j - 1] = UInt64(truncatingIfNeeded: p2)
                    j += 1
                }
                let top = UInt128(t[n]) + UInt128(carryAB) + UInt128(carryQM)
                t[n - 1] = UInt64(truncatingIfNeeded: top)
                t[n] = UInt64(truncatingIfNeeded: top >> 64)
            }
            // t < 2m: subtract m once if t >= m.
            var subtract = t[n] != 0
            if !subtract {
                subtract = true
                var i = n - 1
                while i >= 0 {
                    if t[i] != m[i] { subtract = t[i] > m[i]; break }
                    i -= 1
                }
            }
            if subtract {
                var borrow = false
                for i in 0..<n {
                    let (d1, b1) = t[i].subtractingReportingOverflow(m[i])
                    let (d2, b2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
                    r[i] = d2
                    borrow = b1 || b2
                }
            } else {
                for i in 0..<n { r[i] = t[i] }
            }
        }
    }

    /// Remainders modulo an n-limb divisor with a non-zero top limb (Knuth's algorithm D).
    struct Divisor {
        let m: UnsafePointer<UInt64>
        /// m shifted left so that its top bit is set.
        let vn: UnsafePointer<UInt64>
        let n: Int
        let shift: UInt64

        init(m: UnsafePointer<UInt64>, vn: UnsafeMutablePointer<UInt64>, n: Int) {
            self.m = m
            self.vn = UnsafePointer(vn)
            self.n = n
            let s = UInt64(m[n - 1].leadingZeroBitCount)
            shift = s
            for i in stride(from: n - 1, through: 0, by: -1) {
                let low = (s > 0 && i > 0) ? m[i - 1] >> (64 - s) : 0
                vn[i] = (m[i] << s) | low
            }
        }

        /// out[0..<n] = u[0..<count] mod m. `scratch` holds count + 1 limbs; `u` is left unchanged.
        func remainder(_ u: UnsafePointer<UInt64>, count: Int, into out: UnsafeMutablePointer<UInt64>,
                       scratch un: UnsafeMutablePointer<UInt64>) {
            if n == 1 {
                var r: UInt64 = 0
                for i in stride(from: count - 1, through: 0, by: -1) {
                    r = m[0].dividingFullWidth((r, u[i])).remainder
                }
                out[0] = r
                return
            }
            if count < n {
                for i in 0..<n { out[i] = i < count ? u[i] : 0 }
                return
            }
            // un = u << shift, one limb longer.
            let s = shift
            un[count] = s > 0 ? u[count - 1] >> (64 - s) : 0
            for i in stride(from: count - 1, through: 0, by: -1) {
                let low = (s > 0 && i > 0) ? u[i - 1] >> (64 - s) : 0
                un[i] = (u[i] << s) | low
            }
            let top = vn[n - 1], next = vn[n - 2]
            for j in stride(from: count - n, through: 0, by: -1) {
                // Estimate the quotient digit from the top two limbs, then correct it (at most twice).
                var qhat: UInt64
                var rhat: UInt64
                var rhatOverflow = false
                if un[j + n] >= top {
                    qhat = .max
                    let (r, o) = un[j + n - 1].addingReportingOverflow(top)
                    rhat = r
                    rhatOverflow = o
                } else {
                    (qhat, rhat) = top.dividingFullWidth((un[j + n], un[j + n - 1]))
                }
                while !rhatOverflow {
                    let (ph, pl) = qhat.multipliedFullWidth(by: next)
                    guard ph > rhat || (ph == rhat && pl > un[j + n - 2]) else { break }
                    qhat -= 1
                    let (r, o) = rhat.addingReportingOverflow(top)
                    rhat = r
                    rhatOverflow = o
                }
                // un[j...j+n] -= qhat * vn.
                var carry: UInt64 = 0
                var borrow: UInt64 = 0
                let q = UInt128(qhat)
                for i in 0..<n {
                    let p = q * UInt128(vn[i]) + UInt128(carry)
                    carry = UInt64(truncatingIfNeeded: p >> 64)
                    let (d1, b1) = un[i + j].subtractingReportingOverflow(UInt64(truncatingIfNeeded: p))
                    let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                    un[i + j] = d2
                    borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
                }
                let (d1, b1) = un[j + n].subtractingReportingOverflow(carry)
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                un[j + n] = d2
                if b1 || b2 {
                    // The estimate was one too large: add the divisor back.
                    var c = false
                    for i in 0..<n {
                        let (s1, o1) = un[i + j].addingReportingOverflow(vn[i])
                        let (s2, o2) = s1.addingReportingOverflow(c ? 1 : 0)
                        un[i + j] = s2
                        c = o1 || o2
                    }
                    un[j + n] = un[j + n] &+ (c ? 1 : 0)
                }
            }
            // Undo the normalisation.
            for i in 0..<n {
                out[i] = s > 0 ? (un[i] >> s) | (un[i + 1] << (64 - s)) : un[i]
            }
        }
    }
}
