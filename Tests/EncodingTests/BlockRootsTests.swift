import EVMPrimitives
import Foundation
import Keccak
import MerkleTrie
import RLP
import XCTest

/// Real blocks from ethereum/tests BlockchainTests/ValidBlocks as known answers for everything
/// this layer computes: RLP round trips of whole blocks, header hashes, transactions, withdrawals
/// and uncle roots, and state roots of the genesis pre-state and the post-state.
final class BlockRootsTests: XCTestCase {
    func hash(_ object: [String: Any], _ field: String) throws -> Hash32 {
        guard let s = object[field] as? String else { throw FieldError("missing \(field)") }
        return try Hash32(hex: s)
    }

    struct FieldError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// State root of `{address: {nonce, balance, code, storage}}`: the secure trie of
    /// rlp([nonce, balance, storageRoot, codeHash]) under keccak(address) (Yellow Paper 4.1).
    func stateRoot(_ accounts: [String: Any]) throws -> Hash32 {
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        for (address, value) in accounts {
            guard let account = value as? [String: Any],
                  let nonce = account["nonce"] as? String, let balance = account["balance"] as? String,
                  let code = account["code"] as? String, let storage = account["storage"] as? [String: String]
            else { throw FieldError("malformed account \(address)") }
            var slots: [(key: [UInt8], value: [UInt8])] = []
            for (slot, v) in storage {
                let key = try Hex.decode(slot)
                let padded = [UInt8](repeating: 0, count: 32 - key.count) + key
                let value = trimmed(try Hex.decode(v))
                if value.isEmpty { continue }
                var w = RLPWriter()
                w.appendBytes(value)
                slots.append((key: padded, value: w.bytes))
            }
            var w = RLPWriter()
            let mark = w.beginList()
            w.appendBytes(trimmed(try Hex.decode(nonce)))
            w.appendBytes(trimmed(try Hex.decode(balance)))
            w.appendHash(MerkleTrie.secureRoot(of: slots))
            w.appendHash(Keccak256.hash(try Hex.decode(code)))
            w.endList(mark)
            pairs.append((key: try Hex.decode(address, exactly: 20), value: w.bytes))
        }
        return MerkleTrie.secureRoot(of: pairs)
    }

    func testValidBlocks() throws {
        var blocks = 0, stateRoots = 0, withdrawalRoots = 0, transactions = 0
        for path in try SharedVectors.files("BlockchainTests/ValidBlocks") {
            var cases = 0
            for (name, value) in try SharedVectors.json(path) {
                guard let test = value as? [String: Any], let list = test["blocks"] as? [[String: Any]] else { continue }
                let label = "\((path as NSString).lastPathComponent) \(name)"
                var headerRoots: [Hash32: Hash32] = [:]  // block hash -> state root
                if let genesis = test["genesisBlockHeader"] as? [String: Any], let pre = test["pre"] as? [String: Any] {
                    XCTAssertEqual(try stateRoot(pre), try hash(genesis, "stateRoot"), "\(label) genesis state root")
                    stateRoots += 1
                }
                for block in list {
                    guard let header = block["blockHeader"] as? [String: Any], let rlpHex = block["rlp"] as? String else { continue }
                    let rlp = try Hex.decode(rlpHex)
                    let item = try RLP.decode(rlp)
                    XCTAssertEqual(RLP.encode(item), rlp, "\(label) block RLP round trip")
                    guard let parts = item.listValue, parts.count >= 3,
                          let txs = parts[1].listValue, parts[2].listValue != nil else {
                        XCTFail("\(label): block is not [header, txs, uncles, ...]"); continue
                    }
                    let blockHash = Keccak256.hash(RLP.encode(parts[0]))
                    XCTAssertEqual(blockHash, try hash(header, "hash"), "\(label) header hash")
                    // A legacy transaction is an RLP list; a typed one (EIP-2718) is a byte string
                    // holding type || payload, and the trie stores exactly those bytes.
                    let txValues = txs.map { tx in tx.bytesValue ?? RLP.encode(tx) }
                    XCTAssertEqual(MerkleTrie.orderedRoot(txValues), try hash(header, "transactionsTrie"), "\(label) transactions root")
                    XCTAssertEqual(Keccak256.hash(RLP.encode(parts[2])), try hash(header, "uncleHash"), "\(label) uncles hash")
                    if parts.count >= 4, let withdrawals = parts[3].listValue, header["withdrawalsRoot"] != nil {
                        // EIP-4895: withdrawals root over rlp([index, validator, address, amount]).
                        XCTAssertEqual(MerkleTrie.orderedRoot(withdrawals.map(RLP.encode)),
                                       try hash(header, "withdrawalsRoot"), "\(label) withdrawals root")
                        withdrawalRoots += 1
                    }
                    headerRoots[blockHash] = try hash(header, "stateRoot")
                    transactions += txs.count
                    blocks += 1
                    cases += 1
                }
                if let post = test["postState"] as? [String: Any], let last = test["lastblockhash"] as? String,
                   let root = headerRoots[try Hash32(hex: last)] {
                    XCTAssertEqual(try stateRoot(post), root, "\(label) post-state root")
                    stateRoots += 1
                }
            }
            XCTAssertGreaterThan(cases, 0, "\(path) yielded no blocks")
        }
        print("BlockRootsTests: \(blocks) blocks (\(transactions) transactions), \(withdrawalRoots) withdrawals roots, \(stateRoots) state roots")
    }
}
