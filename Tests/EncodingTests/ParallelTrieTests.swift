import XCTest
import EVMPrimitives
import Keccak
import MerkleTrie

/// `ParallelTrieRoot` must give `MerkleTrie.root(of:)`'s answer for any pairs and any grain, with its
/// subtrees built in any order (here: in reverse, and each on a fresh thread-free call).
final class ParallelTrieTests: XCTestCase {
    static func parallelRoot(_ pairs: [(key: [UInt8], value: [UInt8])], grain: Int) -> Hash32 {
        let plan = ParallelTrieRoot(pairs: pairs, grain: grain)
        var refs = [[UInt8]](repeating: [], count: plan.taskCount)
        for t in (0..<plan.taskCount).reversed() { refs[t] = plan.reference(ofTask: t) }
        return plan.root(references: refs)
    }

    func testSecureKeysAnyGrain() {
        var rng = SplitMix64(state: 0x7217)
        for size in [0, 1, 2, 3, 17, 64, 65, 300, 2000] {
            let pairs = (0..<size).map { i -> (key: [UInt8], value: [UInt8]) in
                (Keccak256.hash([UInt8(i & 0xff), UInt8(i >> 8)]).bytes, rng.bytes(1 + rng.below(40)))
            }
            let expected = MerkleTrie.root(of: pairs)
            for grain in [1, 2, 8, 64, 100_000] {
                XCTAssertEqual(Self.parallelRoot(pairs, grain: grain), expected, "size \(size) grain \(grain)")
            }
        }
    }

    /// Short keys that are prefixes of one another (branch values, extensions), duplicates (the last
    /// wins) and empty values (absent): the cases where the planner's splitting could go wrong.
    func testIrregularKeys() {
        var rng = SplitMix64(state: 0xBEEF)
        for round in 0..<40 {
            var pairs: [(key: [UInt8], value: [UInt8])] = []
            let n = 1 + rng.below(400)
            for _ in 0..<n {
                var key = rng.bytes(rng.below(5))
                if !pairs.isEmpty && rng.below(4) == 0 {
                    let other = pairs[rng.below(pairs.count)].key
                    key = Array(other.prefix(rng.below(other.count + 1))) + (rng.below(2) == 0 ? [] : rng.bytes(1))
                }
                let value = rng.below(8) == 0 ? [] : rng.bytes(1 + rng.below(50))
                pairs.append((key, value))
            }
            let expected = MerkleTrie.root(of: pairs)
            for grain in [1, 3, 16, 1000] {
                XCTAssertEqual(Self.parallelRoot(pairs, grain: grain), expected, "round \(round) grain \(grain)")
            }
        }
    }

    func testOrderedPairs() {
        for count in [0, 1, 127, 128, 129, 1000] {
            let values = (0..<count).map { i in [UInt8](repeating: UInt8(i & 0xff), count: 1 + i % 90) }
            let expected = MerkleTrie.orderedRoot(values)
            XCTAssertEqual(Self.parallelRoot(MerkleTrie.orderedPairs(values), grain: 32), expected, "count \(count)")
        }
    }

    func testPlanSplitsLargeTries() {
        let pairs = (0..<2000).map { i in (key: Keccak256.hash([UInt8(i & 0xff), UInt8(i >> 8)]).bytes, value: [UInt8(1)]) }
        let plan = ParallelTrieRoot(pairs: pairs, grain: 64)
        XCTAssertGreaterThanOrEqual(plan.taskCount, 16, "a 2000-leaf secure trie splits at least at its root branch")
    }
}
