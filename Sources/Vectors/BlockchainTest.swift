import Foundation
import EVMPrimitives
import EVMState
import Execution
import VectorIO

/// One block of a blockchain test: its RLP as given (possibly malformed on purpose) and whether it must be rejected.
public struct BlockchainTestBlock: Sendable {
    public var rlp: [UInt8]
    /// The exception the block must be rejected with (`BlockException.*`, `TransactionException.*`); nil for a
    /// valid block.
    public var expectException: String?
    /// The block hash the vector states for a valid block (`blockHeader.hash`), checked against the decoded one.
    public var expectedHash: Hash32?

    public init(rlp: [UInt8], expectException: String? = nil, expectedHash: Hash32? = nil) {
        self.rlp = rlp; self.expectException = expectException; self.expectedHash = expectedHash
    }
}

/// One test of the BlockchainTests format (ethereum/tests, execution-spec-tests): a genesis block with its
/// pre-state, a list of blocks to import in order, and the expected head and post-state.
public struct BlockchainTestCase: Sendable {
    /// `<file>:<test>`.
    public var name: String
    /// The `network` field: a fork name or a transition (`ShanghaiToCancunAtTime15k`).
    public var network: String
    public var schedule: ForkSchedule
    public var pre: InMemoryState
    public var genesisRLP: [UInt8]
    /// `genesisBlockHeader.hash` when given.
    public var genesisHash: Hash32?
    public var blocks: [BlockchainTestBlock]
    public var lastBlockHash: Hash32
    /// The expected state of the head block: in full (`postState`) or as its root (`postStateHash`).
    public var postState: InMemoryState?
    public var postStateHash: Hash32?
    /// `sealEngine`: `NoProof` or `Ethash` (seals are never checked).
    public var sealEngine: String

    public init(name: String, network: String, schedule: ForkSchedule, pre: InMemoryState, genesisRLP: [UInt8],
                genesisHash: Hash32?, blocks: [BlockchainTestBlock], lastBlockHash: Hash32, postState: InMemoryState?,
                postStateHash: Hash32?, sealEngine: String) {
        self.name = name; self.network = network; self.schedule = schedule; self.pre = pre; self.genesisRLP = genesisRLP
        self.genesisHash = genesisHash; self.blocks = blocks; self.lastBlockHash = lastBlockHash; self.postState = postState
        self.postStateHash = postStateHash; self.sealEngine = sealEngine
    }
}

/// Reads BlockchainTests files. Bad input (malformed JSON, a missing or malformed field, an unknown network)
/// is thrown as a `LoadError` naming the file, the test and the field; it never traps.
public enum BlockchainTestLoader {
    /// Reads, decompresses and parses one file.
    public static func load(_ source: VectorSource) throws(LoadError) -> [BlockchainTestCase] {
        let bytes: [UInt8]
        do { bytes = try VectorFile.read(path: source.path) } catch { throw LoadError(file: source.name, reason: error.reason) }
        return try load(json: bytes, file: source.name)
    }

    /// Parses the JSON text of one file (`{test name: test}`); tests come out sorted by name.
    public static func load(json bytes: [UInt8], file: String) throws(LoadError) -> [BlockchainTestCase] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw LoadError(file: file, reason: "malformed JSON: \(detail)")
        }
        guard let tests = root as? [String: Any] else {
            throw LoadError(file: file, reason: "expected a JSON object of tests at the top level, got \(JSONFields.kind(of: root))")
        }
        var out: [BlockchainTestCase] = []
        for name in tests.keys.sorted() {
            do { out.append(try test(name, tests[name] as Any, file: file)) } catch {
                throw LoadError(file: file, test: name, reason: error.reason)
            }
        }
        return out
    }

    static func test(_ name: String, _ value: Any, file: String) throws(FieldError) -> BlockchainTestCase {
        let t = try JSONFields(value, path: "")
        let network = try t.string("network")
        guard let schedule = ForkSchedule(network: network) else {
            throw FieldError("network: unknown fork or transition \"\(network)\"")
        }
        let pre = try BlockVectorIO.readAlloc(try t.value("pre"), at: "pre")
        let genesisRLP = try t.bytes("genesisRLP")
        let genesisHash = t.has("genesisBlockHeader") ? try t.object("genesisBlockHeader").hash("hash") : nil
        var blocks: [BlockchainTestBlock] = []
        for (i, b) in try t.array("blocks").enumerated() {
            let f = try JSONFields(b, path: "blocks[\(i)]")
            let exception = try f.optionalString("expectException")
            let expectedHash = exception == nil && f.has("blockHeader") ? try f.object("blockHeader").hash("hash") : nil
            blocks.append(BlockchainTestBlock(rlp: try f.bytes("rlp"), expectException: exception, expectedHash: expectedHash))
        }
        let postState = t.has("postState") ? try BlockVectorIO.readAlloc(try t.value("postState"), at: "postState") : nil
        let postStateHash = t.has("postStateHash") ? try t.hash("postStateHash") : nil
        return BlockchainTestCase(
            name: "\(file):\(name)", network: network, schedule: schedule, pre: pre, genesisRLP: genesisRLP,
            genesisHash: genesisHash, blocks: blocks, lastBlockHash: try t.hash("lastblockhash"), postState: postState,
            postStateHash: postStateHash, sealEngine: try t.optionalString("sealEngine") ?? "NoProof")
    }
}
