import EVMPrimitives
import Execution
import Keccak
import MerkleTrie
import RLP

/// Why a block is invalid or could not be decoded: one sentence saying what was expected and what was found.
public struct BlockError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// An Ethereum block header with every fork's optional fields (Yellow Paper 4.3; EIP-1559 base fee,
/// EIP-4895 withdrawals root, EIP-4844 blob gas, EIP-4788 parent beacon root, EIP-7685 requests hash).
public struct BlockHeader: Sendable, Equatable {
    public var parentHash: Hash32
    public var ommersHash: Hash32
    public var coinbase: Address
    public var stateRoot: Hash32
    public var transactionsRoot: Hash32
    public var receiptsRoot: Hash32
    public var logsBloom: Bloom
    public var difficulty: UInt256
    public var number: UInt64
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    public var timestamp: UInt64
    public var extraData: [UInt8]
    /// The proof-of-work mix hash; PREVRANDAO after the merge.
    public var mixHash: Hash32
    /// The 8-byte proof-of-work nonce.
    public var nonce: UInt64
    public var baseFee: UInt256?
    public var withdrawalsRoot: Hash32?
    public var blobGasUsed: UInt64?
    public var excessBlobGas: UInt64?
    public var parentBeaconBlockRoot: Hash32?
    public var requestsHash: Hash32?

    public init(parentHash: Hash32 = .zero, ommersHash: Hash32 = BlockHeader.emptyOmmersHash, coinbase: Address = .zero,
                stateRoot: Hash32 = MerkleTrie.emptyRoot, transactionsRoot: Hash32 = MerkleTrie.emptyRoot,
                receiptsRoot: Hash32 = MerkleTrie.emptyRoot, logsBloom: Bloom = Bloom(), difficulty: UInt256 = .zero,
                number: UInt64 = 0, gasLimit: UInt64 = 30_000_000, gasUsed: UInt64 = 0, timestamp: UInt64 = 0,
                extraData: [UInt8] = [], mixHash: Hash32 = .zero, nonce: UInt64 = 0, baseFee: UInt256? = nil,
                withdrawalsRoot: Hash32? = nil, blobGasUsed: UInt64? = nil, excessBlobGas: UInt64? = nil,
                parentBeaconBlockRoot: Hash32? = nil, requestsHash: Hash32? = nil) {
        self.parentHash = parentHash; self.ommersHash = ommersHash; self.coinbase = coinbase; self.stateRoot = stateRoot
        self.transactionsRoot = transactionsRoot; self.receiptsRoot = receiptsRoot; self.logsBloom = logsBloom
        self.difficulty = difficulty; self.number = number; self.gasLimit = gasLimit; self.gasUsed = gasUsed
        self.timestamp = timestamp; self.extraData = extraData; self.mixHash = mixHash; self.nonce = nonce
        self.baseFee = baseFee; self.withdrawalsRoot = withdrawalsRoot; self.blobGasUsed = blobGasUsed
        self.excessBlobGas = excessBlobGas; self.parentBeaconBlockRoot = parentBeaconBlockRoot
        self.requestsHash = requestsHash
    }

    /// keccak256(rlp([])): the ommers hash of a block without ommers.
    public static let emptyOmmersHash = Keccak256.hash(RLP.emptyListEncoding)

    /// The optional fields in header order; a header may stop after any of them, never skip one.
    static let optionalFieldNames = ["baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas",
                                     "parentBeaconBlockRoot", "requestsHash"]

    /// How many of the optional fields a fork's header has.
    public static func optionalFieldCount(_ fork: Fork) -> Int {
        if fork >= .prague { return 6 }
        if fork >= .cancun { return 5 }
        if fork >= .shanghai { return 2 }
        if fork >= .london { return 1 }
        return 0
    }

    /// How many of the optional fields this header has.
    public var optionalFieldCount: Int {
        [baseFee != nil, withdrawalsRoot != nil, blobGasUsed != nil, excessBlobGas != nil,
         parentBeaconBlockRoot != nil, requestsHash != nil].prefix { $0 }.count
    }

    /// The RLP encoding (the optional fields that are set, in order).
    public var encoded: [UInt8] {
        var w = RLPWriter(capacity: 640 + extraData.count)
        w.appendList { w in
            w.appendHash(parentHash)
            w.appendHash(ommersHash)
            w.appendAddress(coinbase)
            w.appendHash(stateRoot)
            w.appendHash(transactionsRoot)
            w.appendHash(receiptsRoot)
            w.appendBytes(logsBloom.bytes)
            w.appendUInt256(difficulty)
            w.appendUInt(number)
            w.appendUInt(gasLimit)
            w.appendUInt(gasUsed)
            w.appendUInt(timestamp)
            w.appendBytes(extraData)
            w.appendHash(mixHash)
            w.appendBytes((0..<8).map { UInt8(truncatingIfNeeded: nonce >> (8 * (7 - $0))) })
            if let baseFee { w.appendUInt256(baseFee) } else { return }
            if let withdrawalsRoot { w.appendHash(withdrawalsRoot) } else { return }
            if let blobGasUsed { w.appendUInt(blobGasUsed) } else { return }
            if let excessBlobGas { w.appendUInt(excessBlobGas) } else { return }
            if let parentBeaconBlockRoot { w.appendHash(parentBeaconBlockRoot) } else { return }
            if let requestsHash { w.appendHash(requestsHash) }
        }
        return w.bytes
    }

    /// The block hash: keccak256 of the header's RLP encoding.
    public var hash: Hash32 { Keccak256.hash(encoded) }

    /// Decodes a header from its RLP item. Every field must have its exact width (hashes 32 bytes, the
    /// bloom 256, the nonce 8) and scalars their canonical form, so that re-encoding gives the same bytes.
    public static func decode(_ item: RLPItem) throws(BlockError) -> BlockHeader {
        guard let f = item.listValue else { throw BlockError("header: expected an RLP list, got a byte string") }
        guard (15...21).contains(f.count) else {
            throw BlockError("header: expected 15 to 21 fields, got \(f.count)")
        }
        var h = BlockHeader()
        h.parentHash = try RLPField.hash(f[0], "parentHash")
        h.ommersHash = try RLPField.hash(f[1], "ommersHash")
        h.coinbase = try RLPField.address(f[2], "coinbase")
        h.stateRoot = try RLPField.hash(f[3], "stateRoot")
        h.transactionsRoot = try RLPField.hash(f[4], "transactionsRoot")
        h.receiptsRoot = try RLPField.hash(f[5], "receiptsRoot")
        let bloom = try RLPField.bytes(f[6], "logsBloom")
        guard bloom.count == 256 else { throw BlockError("header logsBloom: expected 256 bytes, got \(bloom.count)") }
        h.logsBloom.bytes = bloom
        h.difficulty = try RLPField.u256(f[7], "difficulty")
        h.number = try RLPField.u64(f[8], "number")
        h.gasLimit = try RLPField.u64(f[9], "gasLimit")
        h.gasUsed = try RLPField.u64(f[10], "gasUsed")
        h.timestamp = try RLPField.u64(f[11], "timestamp")
        h.extraData = try RLPField.bytes(f[12], "extraData")
        h.mixHash = try RLPField.hash(f[13], "mixHash")
        let nonce = try RLPField.bytes(f[14], "nonce")
        guard nonce.count == 8 else { throw BlockError("header nonce: expected 8 bytes, got \(nonce.count)") }
        h.nonce = nonce.reduce(0) { $0 << 8 | UInt64($1) }
        if f.count > 15 { h.baseFee = try RLPField.u256(f[15], "baseFeePerGas") }
        if f.count > 16 { h.withdrawalsRoot = try RLPField.hash(f[16], "withdrawalsRoot") }
        if f.count > 17 { h.blobGasUsed = try RLPField.u64(f[17], "blobGasUsed") }
        if f.count > 18 { h.excessBlobGas = try RLPField.u64(f[18], "excessBlobGas") }
        if f.count > 19 { h.parentBeaconBlockRoot = try RLPField.hash(f[19], "parentBeaconBlockRoot") }
        if f.count > 20 { h.requestsHash = try RLPField.hash(f[20], "requestsHash") }
        return h
    }
}

/// A decoded block: header, transactions (with recovered senders and their encodings), ommer headers and
/// withdrawals (nil when the block has no withdrawals list, before Shanghai).
public struct DecodedBlock: Sendable {
    public var header: BlockHeader
    public var transactions: [Transaction]
    /// Each transaction's consensus encoding (what the transactions trie holds).
    public var transactionEncodings: [[UInt8]]
    public var ommers: [BlockHeader]
    public var withdrawals: [Withdrawal]?
    /// keccak256 of the header as it was encoded in the block.
    public var hash: Hash32
    /// The block's RLP size in bytes (its canonical encoding: EIP-7934 bounds it from Osaka on).
    public var rlpSize: Int = 0

    /// Decodes `rlp([header, transactions, ommers])` or `rlp([header, transactions, ommers, withdrawals])`
    /// (`requests`, a Prague addition, is rejected: it was dropped from the final design). Any malformed field,
    /// non-canonical encoding or unrecoverable signature makes the block invalid; `schedule` gives the block's fork,
    /// which decides what a valid transaction is.
    public static func decode(_ bytes: [UInt8], schedule: ForkSchedule = ForkSchedule(only: .cancun)) throws(BlockError) -> DecodedBlock {
        let item: RLPItem
        do { item = try RLP.decode(bytes) } catch { throw BlockError("block RLP: \(error)") }
        guard let parts = item.listValue else { throw BlockError("block: expected an RLP list, got a byte string") }
        guard parts.count == 3 || parts.count == 4 else {
            throw BlockError("block: expected [header, transactions, ommers] or with withdrawals, got \(parts.count) items")
        }
        let header = try BlockHeader.decode(parts[0])
        let fork = schedule.fork(number: header.number, timestamp: header.timestamp)
        guard let txItems = parts[1].listValue else { throw BlockError("block transactions: expected a list") }
        var transactions: [Transaction] = []
        var encodings: [[UInt8]] = []
        for (i, t) in txItems.enumerated() {
            let encoded: [UInt8]
            switch t {
            case .list:
                encoded = RLP.encode(t)
            case .bytes(let b):
                // A typed transaction is a byte string holding type || rlp(payload); a legacy one is never wrapped.
                guard let first = b.first, first < 0x80 else {
                    throw BlockError("transaction \(i): a byte string must hold a typed transaction (type byte below 0x80)")
                }
                encoded = b
            }
            do {
                let (tx, _) = try TransactionCodec.decode(encoded, fork: fork)
                transactions.append(tx)
            } catch {
                throw BlockError("transaction \(i): \(error)")
            }
            encodings.append(encoded)
        }
        guard let ommerItems = parts[2].listValue else { throw BlockError("block ommers: expected a list") }
        var ommers: [BlockHeader] = []
        for (i, o) in ommerItems.enumerated() {
            do { ommers.append(try BlockHeader.decode(o)) } catch { throw BlockError("ommer \(i): \(error.reason)") }
        }
        var withdrawals: [Withdrawal]?
        if parts.count == 4 {
            guard let list = parts[3].listValue else { throw BlockError("block withdrawals: expected a list") }
            var out: [Withdrawal] = []
            for (i, w) in list.enumerated() {
                guard let f = w.listValue, f.count == 4 else {
                    throw BlockError("withdrawal \(i): expected [index, validatorIndex, address, amount]")
                }
                out.append(Withdrawal(index: try RLPField.u64(f[0], "withdrawal \(i) index"),
                                      validatorIndex: try RLPField.u64(f[1], "withdrawal \(i) validatorIndex"),
                                      address: try RLPField.address(f[2], "withdrawal \(i) address"),
                                      amount: try RLPField.u64(f[3], "withdrawal \(i) amount")))
            }
            withdrawals = out
        }
        var block = DecodedBlock(header: header, transactions: transactions, transactionEncodings: encodings, ommers: ommers,
                                 withdrawals: withdrawals, hash: Keccak256.hash(RLP.encode(parts[0])))
        block.rlpSize = bytes.count
        return block
    }

    /// The ommers hash of these ommer headers: keccak256(rlp([header...])).
    public static func ommersHash(_ ommers: [BlockHeader]) -> Hash32 {
        var w = RLPWriter()
        w.appendList { w in for o in ommers { w.appendRaw(o.encoded) } }
        return Keccak256.hash(w.bytes)
    }

    /// The withdrawals root: the ordered trie of rlp([index, validatorIndex, address, amount]).
    public static func withdrawalsRoot(_ withdrawals: [Withdrawal]) -> Hash32 {
        MerkleTrie.orderedRoot(withdrawals.map { w in
            var out = RLPWriter()
            out.appendList { out in
                out.appendUInt(w.index)
                out.appendUInt(w.validatorIndex)
                out.appendAddress(w.address)
                out.appendUInt(w.amount)
            }
            return out.bytes
        })
    }
}

/// Typed readers of RLP fields that name the field in every error.
enum RLPField {
    static func bytes(_ item: RLPItem, _ field: String) throws(BlockError) -> [UInt8] {
        guard let b = item.bytesValue else { throw BlockError("\(field): expected a byte string, got a list") }
        return b
    }

    static func hash(_ item: RLPItem, _ field: String) throws(BlockError) -> Hash32 {
        let b = try bytes(item, field)
        guard b.count == 32 else { throw BlockError("\(field): expected 32 bytes, got \(b.count)") }
        return Hash32(b)
    }

    static func address(_ item: RLPItem, _ field: String) throws(BlockError) -> Address {
        let b = try bytes(item, field)
        guard b.count == 20 else { throw BlockError("\(field): expected a 20-byte address, got \(b.count) bytes") }
        return Address(b)
    }

    static func u64(_ item: RLPItem, _ field: String) throws(BlockError) -> UInt64 {
        do { return try item.uint64() } catch { throw BlockError("\(field): \(error)") }
    }

    static func u256(_ item: RLPItem, _ field: String) throws(BlockError) -> UInt256 {
        let b = try bytes(item, field)
        guard b.count <= 32 else { throw BlockError("\(field): integer of \(b.count) bytes exceeds 32") }
        if b.first == 0 { throw BlockError("\(field): integer has a leading zero byte") }
        return UInt256(bigEndianBytes: b)
    }
}
