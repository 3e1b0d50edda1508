import EVMPrimitives
import XCTest
@testable import Precompiles

/// The vector implementations of BLAKE2b F (CBlake2F, AVX2 and AVX-512) against the portable Swift loop, each
/// forced in turn: EIP-152's vectors 4 to 7 (rounds 0, 12, 12 without the final flag, 1) through every
/// implementation this CPU has, and seeded random states, messages, counters and flags at round counts 0 to 200
/// (every sigma row at every position, and whole passes over the ten rows).
final class Blake2bImplementationTests: XCTestCase {
    /// The implementations this CPU runs; the vector ones must include AVX-512 on this project's machine
    /// (AMD EPYC), where the shared GeneralStateTests' CALLBlake2f_MaxRounds depends on it.
    var implementations: [Blake2b.Implementation] { Blake2b.Implementation.allCases.filter(Blake2b.isSupported) }

    func words(_ bytes: [UInt8], at offset: Int, count: Int) -> [UInt64] {
        (0..<count).map { i in (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + 8 * i + $1]) << (8 * UInt64($1)) } }
    }

    /// EIP-152 vectors 4 to 7: input (with its round count and flag) and expected output.
    static let eip152: [(rounds: UInt32, isFinal: Bool, output: String)] = [
        (0, true, "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b"),
        (12, true, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"),
        (12, false, "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735"),
        (1, true, "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421"),
    ]

    func testEIP152VectorsThroughEveryImplementation() {
        let input = PrecompileVectors.bytes(PrecompilesTests.eip152Vector5)
        let h = words(input, at: 4, count: 8), m = words(input, at: 68, count: 16)
        let t = words(input, at: 196, count: 2)
        for implementation in implementations {
            for vector in Self.eip152 {
                var state = h
                Blake2b.compress(rounds: vector.rounds, h: &state, m: m, t0: t[0], t1: t[1], isFinal: vector.isFinal,
                                 using: implementation)
                let output = state.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) } }
                XCTAssertEqual(output, PrecompileVectors.bytes(vector.output), "\(implementation), \(vector.rounds) rounds")
            }
        }
    }

    func testRandomInputsAgreeWithPortable() {
        var random = SplitMix64(seed: 152)
        for trial in 0..<3000 {
            let h = (0..<8).map { _ in random.next() }, m = (0..<16).map { _ in random.next() }
            let t0 = random.next(), t1 = trial % 3 == 0 ? 0 : random.next()
            let isFinal = random.below(2) == 1
            let rounds = trial < 201 ? UInt32(trial) : UInt32(random.below(64))
            var expected = h
            Blake2b.compress(rounds: rounds, h: &expected, m: m, t0: t0, t1: t1, isFinal: isFinal, using: .portable)
            for implementation in implementations where implementation != .portable {
                var state = h
                Blake2b.compress(rounds: rounds, h: &state, m: m, t0: t0, t1: t1, isFinal: isFinal, using: implementation)
                XCTAssertEqual(state, expected, "\(implementation), trial \(trial), \(rounds) rounds")
            }
        }
    }

    /// The precompile runs the fastest implementation: on this machine's CPU (x86-64 with AVX-512) the vector code.
    func testFastestIsTheWidestSupported() {
        XCTAssertEqual(Blake2b.fastest, implementations.last)
        #if arch(x86_64)
        XCTAssertTrue(Blake2b.isSupported(.avx2), "x86-64 CPUs of this project's machines have AVX2")
        #endif
    }
}
