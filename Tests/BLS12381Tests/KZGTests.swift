import XCTest
@testable import BLS12381

func hexBytes(_ s: String) -> [UInt8] {
    var out = [UInt8]()
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        out.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return out
}

func hexString(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

final class KZGTests: XCTestCase {
    /// Every point-evaluation input of the ethereum/tests eip4844_blobs state tests plus derived cases
    /// (see KZGVectors.swift); expected values come from c-kzg-4844 and py_ecc.
    func testKnownAnswerVectors() {
        var counts = [String: Int]()
        for v in kzgVectors {
            let result = KZG.verifyProof(commitment: hexBytes(v.commitment), z: hexBytes(v.z),
                                         y: hexBytes(v.y), proof: hexBytes(v.proof))
            let got: String
            switch result {
            case .success(let ok): got = ok ? "true" : "false"
            case .failure(.scalarNotCanonical): got = "scalar"
            case .failure(.invalidCompressedPoint): got = "encoding"
            case .failure(.pointNotInSubgroup): got = "subgroup"
            case .failure(.invalidLength): got = "length"
            }
            XCTAssertEqual(got, v.expected, v.name)
            counts[v.expected, default: 0] += 1
        }
        // The set must keep covering every outcome.
        XCTAssertGreaterThanOrEqual(counts["true"] ?? 0, 40)
        XCTAssertGreaterThanOrEqual(counts["false"] ?? 0, 40)
        XCTAssertGreaterThan(counts["scalar"] ?? 0, 0)
        XCTAssertGreaterThan(counts["encoding"] ?? 0, 0)
        XCTAssertGreaterThan(counts["subgroup"] ?? 0, 0)
    }

    func testLengthsAreChecked() {
        let v = kzgVectors.first { $0.expected == "true" }!
        let c = hexBytes(v.commitment), z = hexBytes(v.z), y = hexBytes(v.y), p = hexBytes(v.proof)
        XCTAssertEqual(KZG.verifyProof(commitment: c, z: z, y: y, proof: p), .success(true))
        XCTAssertEqual(KZG.verifyProof(commitment: Array(c.dropLast()), z: z, y: y, proof: p), .failure(.invalidLength))
        XCTAssertEqual(KZG.verifyProof(commitment: c, z: z + [0], y: y, proof: p), .failure(.invalidLength))
        XCTAssertEqual(KZG.verifyProof(commitment: c, z: z, y: [], proof: p), .failure(.invalidLength))
        XCTAssertEqual(KZG.verifyProof(commitment: c, z: z, y: y, proof: p + p), .failure(.invalidLength))
    }

    func testErrorDescriptionsSayWhatWasExpected() {
        XCTAssertTrue(KZGError.scalarNotCanonical.description.contains("below"))
        XCTAssertTrue(KZGError.invalidCompressedPoint("x").description.contains("x"))
    }

    /// Flipping any single bit of a valid opening must never verify.
    func testSingleBitFlipsNeverVerify() {
        let v = kzgVectors.first { $0.expected == "true" && !$0.proof.hasPrefix("c0") }!
        let c = hexBytes(v.commitment), z = hexBytes(v.z), y = hexBytes(v.y), p = hexBytes(v.proof)
        for (field, bytes) in [("commitment", c), ("z", z), ("y", y), ("proof", p)] {
            for byte in [0, 5, bytes.count - 1] {
                var m = bytes
                m[byte] ^= 0x04
                let r: Result<Bool, KZGError>
                switch field {
                case "commitment": r = KZG.verifyProof(commitment: m, z: z, y: y, proof: p)
                case "z": r = KZG.verifyProof(commitment: c, z: m, y: y, proof: p)
                case "y": r = KZG.verifyProof(commitment: c, z: z, y: m, proof: p)
                default: r = KZG.verifyProof(commitment: c, z: z, y: y, proof: m)
                }
                XCTAssertNotEqual(r, .success(true), "\(field) byte \(byte)")
            }
        }
    }

    /// Timing in whatever configuration the tests run (release numbers: see the report).
    func testTiming() {
        let v = kzgVectors.first { $0.expected == "true" && !$0.proof.hasPrefix("c0") }!
        let c = hexBytes(v.commitment), z = hexBytes(v.z), y = hexBytes(v.y), p = hexBytes(v.proof)
        _ = KZG.verifyProof(commitment: c, z: z, y: y, proof: p)  // warm the precomputed lines
        let n = ProcessInfo.processInfo.environment["BLS_BENCH_ITERATIONS"].flatMap(Int.init) ?? 3
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<n {
            XCTAssertEqual(KZG.verifyProof(commitment: c, z: z, y: y, proof: p), .success(true))
        }
        let per = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n) / 1e6
        print("KZG.verifyProof: \(String(format: "%.3f", per)) ms per verification over \(n) runs")
    }
}
