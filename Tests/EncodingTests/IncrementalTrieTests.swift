import XCTest
import EVMPrimitives
import Keccak
import MerkleTrie

/// `IncrementalTrie` must give `MerkleTrie.root(of:)`'s answer after any sequence of updates: the nodes it keeps from
/// earlier roots must be exactly those no update touched.
final class IncrementalTrieTests: XCTestCase {
    /// Random inserts, value changes, deletions and re-insertions in batches, with a root after each batch, against
    /// the trie built from scratch. Keys are drawn from a few families that make every node shape: hashed keys (short
    /// shared prefixes), keys equal but for their last nibble or byte (long extensions, branches deep down), and keys
    /// sharing 16 bytes; values short (nodes under 32 bytes, held inline by their parent) and long.
    func testRootsAfterEveryBatchEqualAFreshBuild() {
        var rng = SplitMix64(state: 0x1DC7)
        for round in 0..<30 {
            let base = Keccak256.hash([UInt8(round)]).bytes
            func key() -> [UInt8] {
                switch rng.below(4) {
                case 0: return Keccak256.hash(rng.bytes(4)).bytes
                case 1: var k = base; k[31] = UInt8(rng.below(256)); return k
                case 2: var k = base; k[31] = (k[31] & 0xf0) | UInt8(rng.below(16)); return k
                default: return Array(base.prefix(16)) + rng.bytes(16)
                }
            }
            func value() -> [UInt8] { rng.bytes(1 + (rng.below(2) == 0 ? rng.below(8) : rng.below(80))) }
            var model: [[UInt8]: [UInt8]] = [:]
            for _ in 0..<rng.below(60) { model[key()] = value() }
            var trie = IncrementalTrie(model.map { (key: $0.key, value: $0.value) })
            XCTAssertEqual(trie.root(), MerkleTrie.root(of: model.map { (key: $0.key, value: $0.value) }), "round \(round) start")
            for batch in 0..<25 {
                for _ in 0..<(1 + rng.below(6)) {
                    let existing = model.keys.sorted { $0.lexicographicallyPrecedes($1) }
                    let k = !existing.isEmpty && rng.below(2) == 0 ? existing[rng.below(existing.count)] : key()
                    switch rng.below(4) {
                    case 0:  // delete (present or not)
                        model[k] = nil
                        trie.update(k, [])
                    case 1:  // the same value again
                        if let v = model[k] { trie.update(k, v) }
                    default:
                        let v = value()
                        model[k] = v
                        trie.update(k, v)
                    }
                }
                let expected = MerkleTrie.root(of: model.map { (key: $0.key, value: $0.value) })
                // Now and then a root that keeps no new node (as a block's last one), then more updates.
                XCTAssertEqual(trie.root(keepingNodes: rng.below(5) > 0), expected, "round \(round) batch \(batch)")
                XCTAssertEqual(trie.count, model.count, "round \(round) batch \(batch)")
            }
            // Emptied: the empty trie's root.
            for k in model.keys { trie.update(k, []) }
            XCTAssertEqual(trie.root(), MerkleTrie.emptyRoot, "round \(round) emptied")
        }
    }
}
