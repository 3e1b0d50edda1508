import EVMPrimitives
import Foundation
import Keccak
import MerkleTrie
import RLP
import XCTest

/// Deterministic generator for test data (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

final class TrieTests: XCTestCase {
    /// ethereum/tests TrieTests: every root vector, through both the one-pass builder and the
    /// incremental trie; `*secureTrie*` files hash keys first; trietestnextprev checks key order.
    func testEthereumVectors() throws {
        var rootCases = 0, orderCases = 0
        for path in try SharedVectors.files("TrieTests") {
            let name = (path as NSString).lastPathComponent
            let secure = name.lowercased().contains("securetrie")
            var cases = 0
            for (testName, value) in try SharedVectors.json(path) {
                guard let test = value as? [String: Any] else { XCTFail("\(name) \(testName): not an object"); continue }
                let label = "\(name) \(testName)"
                if let steps = test["tests"] as? [[String]], let keys = test["in"] as? [String] {
                    try checkNextPrev(keys: keys, steps: steps, label: label)
                    orderCases += 1
                    cases += 1
                    continue
                }
                guard let rootHex = test["root"] as? String else { XCTFail("\(label): no root"); continue }
                let expected = try Hash32(hex: rootHex)
                // "in" is a list of [key, value|null] applied in order, or an object (any order).
                var pairs: [(key: [UInt8], value: [UInt8])] = []
                if let list = test["in"] as? [[Any]] {
                    for entry in list {
                        guard entry.count == 2, let k = entry[0] as? String else { XCTFail("\(label): bad entry"); continue }
                        pairs.append((key: try bytesOf(k), value: try (entry[1] as? String).map(bytesOf) ?? []))
                    }
                } else if let object = test["in"] as? [String: Any] {
                    for (k, v) in object {
                        pairs.append((key: try bytesOf(k), value: try (v as? String).map(bytesOf) ?? []))
                    }
                } else {
                    XCTFail("\(label): unexpected \"in\""); continue
                }
                let oneShot = secure ? MerkleTrie.secureRoot(of: pairs) : MerkleTrie.root(of: pairs)
                XCTAssertEqual(oneShot, expected, "\(label) root(of:)")

                var trie = Trie()
                var final: [[UInt8]: [UInt8]] = [:]
                for (k, v) in pairs {
                    let key = secure ? Keccak256.hash(k).bytes : k
                    trie.insert(key: key, value: v)
                    final[key] = v.isEmpty ? nil : v
                }
                XCTAssertEqual(trie.rootHash, expected, "\(label) Trie")
                for (k, v) in final { XCTAssertEqual(trie.get(key: k), v, "\(label) get") }
                rootCases += 1
                cases += 1
            }
            XCTAssertGreaterThan(cases, 0, "\(path) yielded no cases")
        }
        print("TrieTests: \(rootCases) root cases, \(orderCases) next/prev cases")
    }

    /// Each step is [key, previous key, next key], "" meaning none.
    func checkNextPrev(keys: [String], steps: [[String]], label: String) throws {
        var trie = Trie()
        for k in keys { trie.insert(key: Array(k.utf8), value: Array(k.utf8)) }
        XCTAssertEqual(trie.entries.map(\.key), keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        for step in steps {
            guard step.count == 3 else { XCTFail("\(label): bad step \(step)"); continue }
            let key = Array(step[0].utf8)
            XCTAssertEqual(trie.predecessor(of: key) ?? [], Array(step[1].utf8), "\(label) prev of \(step[0])")
            XCTAssertEqual(trie.successor(of: key) ?? [], Array(step[2].utf8), "\(label) next of \(step[0])")
        }
    }

    func testEmptyRoots() {
        XCTAssertEqual(MerkleTrie.emptyRoot, Keccak256.hash([0x80]))
        XCTAssertEqual(MerkleTrie.emptyRoot.description, "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
        XCTAssertEqual(MerkleTrie.root(of: []), MerkleTrie.emptyRoot)
        XCTAssertEqual(MerkleTrie.root(of: [(key: [1], value: [])]), MerkleTrie.emptyRoot)
        XCTAssertEqual(MerkleTrie.orderedRoot([]), MerkleTrie.emptyRoot)
        XCTAssertEqual(Trie().rootHash, MerkleTrie.emptyRoot)
        // keccak(rlp([])): the uncles hash of every block without uncles.
        XCTAssertEqual(Keccak256.hash(RLP.emptyListEncoding).description,
                       "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
    }

    /// Random inserts, overwrites and deletes: the incremental trie, the one-pass builder (fed the
    /// same operations in order, later ones winning) and the builder fed only the final map agree.
    func testIncrementalMatchesOnePass() {
        var rng = SplitMix64(state: 0x5eed)
        for round in 0..<40 {
            var trie = Trie()
            var ops: [(key: [UInt8], value: [UInt8])] = []
            var final: [[UInt8]: [UInt8]] = [:]
            let keyPool = (0..<Int(rng.next() % 60 + 1)).map { _ in rng.bytes(Int(rng.next() % 4) + (round % 2 == 0 ? 1 : 32)) }
            for _ in 0..<Int(rng.next() % 150) {
                let key = keyPool[Int(rng.next() % UInt64(keyPool.count))]
                let value = rng.next() % 4 == 0 ? [] : rng.bytes(Int(rng.next() % 70) + 1)
                ops.append((key: key, value: value))
                trie.insert(key: key, value: value)
                final[key] = value.isEmpty ? nil : value
            }
            let expected = MerkleTrie.root(of: final.map { (key: $0.key, value: $0.value) })
            XCTAssertEqual(MerkleTrie.root(of: ops), expected, "round \(round)")
            XCTAssertEqual(trie.rootHash, expected, "round \(round)")
            XCTAssertEqual(trie.entries.count, final.count, "round \(round)")
            for (k, _) in final.prefix(5) {
                trie.delete(key: k)
                final[k] = nil
            }
            XCTAssertEqual(trie.rootHash, MerkleTrie.root(of: final.map { (key: $0.key, value: $0.value) }), "round \(round) after deletes")
        }
    }

    func testOrderedRootUsesRLPIndexKeys() {
        let values: [[UInt8]] = (0..<300).map { i in Array("value \(i)".utf8) }
        let pairs = values.enumerated().map { (i, v) in (key: RLP.encode(.uint(UInt64(i))), value: v) }
        XCTAssertEqual(MerkleTrie.orderedRoot(values), MerkleTrie.root(of: pairs))
        var trie = Trie()
        for (k, v) in pairs.reversed() { trie.insert(key: k, value: v) }
        XCTAssertEqual(MerkleTrie.orderedRoot(values), trie.rootHash)
    }

    /// Times `root(of:)` over 1000 random 32-byte keys and values (printed, not asserted).
    func testRootOfThousandPairsTiming() {
        var rng = SplitMix64(state: 1)
        let pairs = (0..<1000).map { _ in (key: rng.bytes(32), value: rng.bytes(32)) }
        var root = Hash32.zero
        let iterations = 20
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { root = MerkleTrie.root(of: pairs) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations) / 1e6
        var trie = Trie()
        for p in pairs { trie.insert(key: p.key, value: p.value) }
        XCTAssertEqual(root, trie.rootHash)
        print(String(format: "root(of:) 1000 random 32-byte pairs: %.3f ms per root", elapsed))
    }
}
