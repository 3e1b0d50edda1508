import EVMPrimitives
import XCTest
@testable import Precompiles

/// Known-answer vectors, generated from the Python execution specification (see the vector files' headers).
enum PrecompileVectors {
    struct Vector {
        let label: String
        let fork: Fork
        let address: Address
        let gasLimit: UInt64
        let input: [UInt8]
        let expected: PrecompileResult
    }

    /// Parses the `label fork address gasLimit input expected` lines of a vector text.
    static func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [Vector] {
        var vectors: [Vector] = []
        for row in text.split(separator: "\n") {
            let f = row.split(separator: " ").map(String.init)
            guard f.count == 6, let fork = Fork(name: f[1]), let address = UInt32(f[2]), let gasLimit = UInt64(f[3]) else {
                XCTFail("malformed vector line: \(row.prefix(120))", file: file, line: line)
                continue
            }
            let input = f[4] == "-" ? [] : bytes(f[4])
            let expected: PrecompileResult
            if f[5] == "fail" {
                expected = .failure
            } else {
                let parts = f[5].split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2, let gas = UInt64(parts[0]) else {
                    XCTFail("malformed expectation in \(f[0])", file: file, line: line)
                    continue
                }
                expected = .success(gasUsed: gas, output: bytes(String(parts[1])))
            }
            vectors.append(Vector(label: f[0], fork: fork, address: Address(a: 0, b: 0, c: address),
                                  gasLimit: gasLimit, input: input, expected: expected))
        }
        return vectors
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8? = nil
        for c in hex.utf8 {
            let v: UInt8 = c <= 0x39 ? c - 0x30 : c - 0x61 + 10
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}

final class PrecompileVectorTests: XCTestCase {
    /// Runs every vector. For each success it also checks that one gas less fails, and for the first success of
    /// each precompile and fork that a gas limit equal to the cost succeeds (pinning `cost <= gasLimit`; the
    /// output does not otherwise depend on the limit, and repeating every pairing would double the run time).
    func check(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
        let vectors = PrecompileVectors.parse(text, file: file, line: line)
        XCTAssertFalse(vectors.isEmpty, file: file, line: line)
        var exactChecked = Set<String>()
        for v in vectors {
            let got = Precompiles.run(v.address, input: v.input, gasLimit: v.gasLimit, fork: v.fork)
            guard got == v.expected else {
                XCTFail("\(v.label) (\(v.fork)): expected \(describe(v.expected)), got \(describe(got))", file: file, line: line)
                continue
            }
            guard case .success(let gas, let output) = v.expected, gas < v.gasLimit else { continue }
            if gas > 0 {
                let short = Precompiles.run(v.address, input: v.input, gasLimit: gas - 1, fork: v.fork)
                XCTAssertEqual(short, .failure, "\(v.label): gas limit = cost - 1", file: file, line: line)
            }
            if exactChecked.insert("\(v.address) \(v.fork)").inserted {
                let exact = Precompiles.run(v.address, input: v.input, gasLimit: gas, fork: v.fork)
                XCTAssertEqual(exact, .success(gasUsed: gas, output: output), "\(v.label): gas limit = cost", file: file, line: line)
            }
        }
        return vectors.count
    }

    func describe(_ r: PrecompileResult) -> String {
        switch r {
        case .failure: return "failure"
        case .success(let gas, let output):
            return "success(gas \(gas), output \(output.count) bytes \(Hex.encode(output).prefix(140)))"
        }
    }

    func testHashesIdentityECRecoverAndBlake2F() {
        XCTAssertEqual(check(PrecompileVectors.hashes), 125)
    }

    func testModExp() {
        XCTAssertEqual(check(PrecompileVectors.modExp), 455)
    }

    func testBN254() {
        XCTAssertEqual(check(PrecompileVectors.bn254), 211)
    }

    /// The other 39 accepted pairing inputs of two or more pairs (slow in a debug build).
    func testBN254Slow() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["LOCKSTEP_SLOW_TESTS"] == "1", "set LOCKSTEP_SLOW_TESTS=1")
        XCTAssertEqual(check(PrecompileVectors.bn254Slow), 39)
    }

    func testBLS12381() {
        XCTAssertEqual(check(PrecompileVectors.bls12381), 189)
    }

    func testP256Verify() {
        XCTAssertEqual(check(PrecompileVectors.p256Verify), 36)
    }

    func testModExpOsaka() {
        XCTAssertEqual(check(PrecompileVectors.modExpOsaka), 62)
    }

    func testPointEvaluation() {
        XCTAssertEqual(check(PrecompileVectors.pointEvaluation), 39)
    }

    /// The other 86 point-evaluation inputs that reach the KZG pairing check (slow in a debug build).
    func testPointEvaluationSlow() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["LOCKSTEP_SLOW_TESTS"] == "1", "set LOCKSTEP_SLOW_TESTS=1")
        XCTAssertEqual(check(PrecompileVectors.pointEvaluationSlow), 86)
    }
}
