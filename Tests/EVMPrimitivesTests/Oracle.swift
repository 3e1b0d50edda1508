import BigInt
import EVMPrimitives
import Foundation

// The independent oracle for UInt256: attaswift BigInt, with values moved across as 64-bit words,
// plus a seeded generator of operands biased toward the values where word-wise code breaks.

let two256 = BigUInt(1) << 256
let two255 = BigUInt(1) << 255

func big(_ x: UInt256) -> BigUInt {
    BigUInt(words: [UInt(x.w0), UInt(x.w1), UInt(x.w2), UInt(x.w3)])
}

/// Two's complement reading of a word, as the EVM's signed opcodes see it.
func signedBig(_ x: UInt256) -> BigInt {
    x.isNegative ? BigInt(big(x)) - BigInt(two256) : BigInt(big(x))
}

/// A BigUInt reduced mod 2^256, as a UInt256.
func word(_ b: BigUInt) -> UInt256 {
    let r = b % two256
    var w: [UInt64] = [0, 0, 0, 0]
    for (i, x) in r.words.enumerated() where i < 4 { w[i] = UInt64(x) }
    return UInt256(w0: w[0], w1: w[1], w2: w[2], w3: w[3])
}

/// A signed BigInt mod 2^256 (two's complement).
func word(_ b: BigInt) -> UInt256 {
    let m = BigInt(two256)
    return word(((b % m) + m).magnitude)
}

/// The base seed: EVMPRIMITIVES_SEED from the environment (decimal or 0x hex), else a fixed default,
/// so that a failure seen once can be replayed.
let baseSeed: UInt64 = {
    let env = ProcessInfo.processInfo.environment["EVMPRIMITIVES_SEED"]
    let seed: UInt64
    if let s = env, s.hasPrefix("0x"), let v = UInt64(s.dropFirst(2), radix: 16) {
        seed = v
    } else if let s = env, let v = UInt64(s) {
        seed = v
    } else {
        seed = 0x5EED_1234_ABCD_0001
    }
    print("EVMPrimitivesTests seed: EVMPRIMITIVES_SEED=0x\(String(seed, radix: 16))")
    return seed
}()

/// Limb values where carries, borrows and Knuth's quotient estimate go wrong.
let edgeLimbs: [UInt64] = [0, 1, 2, 3, .max, .max - 1, 1 << 63, (1 << 63) - 1, (1 << 63) + 1, 1 << 32, (1 << 32) - 1, 0xFFFF_FFFF_0000_0000]

/// Whole values at the boundaries of words and of the signed range.
let edgeValues: [UInt256] = {
    var v: [UInt256] = [.zero, .one, UInt256(2), UInt256(3), UInt256(10), .max, UInt256.max &- .one]
    for bit in [63, 64, 127, 128, 191, 192, 254, 255] {
        let p = UInt256.one << bit
        v += [p, p &- .one, p &+ .one]
    }
    v.append(UInt256.one.negated) // -1
    v.append((UInt256.one << 255) | .one) // -2^255 + 1
    return v
}()

/// Seeded operands: about half from edge-biased shapes, half uniformly random.
struct ValueGenerator {
    var rng: SplitMix64

    /// `salt` keeps each test's stream apart while the whole run stays reproducible from one seed.
    init(salt: UInt64) { rng = SplitMix64(seed: baseSeed ^ (salt &* 0x9E37_79B9_7F4A_7C15)) }

    mutating func int(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    mutating func random() -> UInt256 {
        UInt256(w0: rng.next(), w1: rng.next(), w2: rng.next(), w3: rng.next())
    }

    mutating func value() -> UInt256 {
        switch int(12) {
        case 0:
            return edgeValues[int(edgeValues.count)]
        case 1:
            // A power of two, or one either side.
            let p = UInt256.one << int(256)
            switch int(3) {
            case 0: return p &- .one
            case 1: return p
            default: return p &+ .one
            }
        case 2:
            // Random words, some of them zeroed.
            var v = random()
            if int(2) == 0 { v.w0 = 0 }
            if int(2) == 0 { v.w1 = 0 }
            if int(2) == 0 { v.w2 = 0 }
            if int(2) == 0 { v.w3 = 0 }
            return v
        case 3:
            return int(2) == 0 ? UInt256(UInt64(int(17))) : UInt256(rng.next())
        case 4:
            // A random bit length.
            return random() >> int(256)
        case 5:
            return UInt256(w0: edgeLimbs[int(edgeLimbs.count)], w1: edgeLimbs[int(edgeLimbs.count)],
                           w2: edgeLimbs[int(edgeLimbs.count)], w3: edgeLimbs[int(edgeLimbs.count)])
        case 6:
            // A small negative number.
            return UInt256(UInt64(int(1000))).negated
        default:
            return random()
        }
    }

    /// A shift or index operand: mostly below 300, sometimes huge.
    mutating func amount() -> UInt256 {
        switch int(8) {
        case 0: return value()
        case 1: return UInt256(UInt64(250 + int(12)))
        default: return UInt256(UInt64(int(300)))
        }
    }
}

/// How many random cases each property runs: EVMPRIMITIVES_ITERATIONS, else 4000 (a debug run
/// stays within seconds; raise it for a soak run, best with `-c release`).
let iterations: Int = {
    if let s = ProcessInfo.processInfo.environment["EVMPRIMITIVES_ITERATIONS"], let n = Int(s), n > 0 { return n }
    return 4000
}()
