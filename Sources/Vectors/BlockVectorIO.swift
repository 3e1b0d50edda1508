import Foundation
import EVMPrimitives
import EVMState
import Execution
import RLP
import VectorIO

/// Reads and writes block vectors in the t8n convention (see `BlockVector`):
///
/// - a directory with `alloc.json`, `env.json`, `txs.json` and optional `expected.json` (the `result` object a t8n
///   tool writes) and `metadata.json`, each possibly `.json.zst`;
/// - or one JSON file (possibly `.json.zst`) holding the same parts under the keys `alloc`, `env`, `txs`,
///   `expected`, `metadata`.
///
/// `metadata` may name the `fork` (default Cancun) and the `chainId` (default 1), as a t8n tool's command line would.
/// Bad input is a `LoadError` naming the file and what was wrong in it; callers go on with the next vector.
public enum BlockVectorIO {
    /// The parts of a vector, required ones first.
    static let requiredParts = ["alloc", "env", "txs"]
    static let optionalParts = ["expected", "metadata"]

    // MARK: - Finding vectors

    /// The block vectors under `paths`: a directory holding `alloc.json` or `alloc.json.zst` is one vector (its other
    /// files are parts of it); any other `.json`/`.json.zst` file is a single-file vector. Directories are searched
    /// recursively. Each vector is named by its path relative to the argument it was found under, or by its last
    /// path component when it was the argument itself. Sorted by path, without duplicates.
    public static func collect(paths: [String]) throws(VectorFileError) -> [VectorSource] {
        var found: [String: VectorSource] = [:]
        // One walker for all arguments: each directory is visited once (by device and inode), links followed.
        var walker = DirectoryWalker()
        for path in paths {
            guard let info = DirectoryWalker.info(path) else {
                throw VectorFileError(path: path, reason: "no such file or directory")
            }
            var base = path
            while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
            guard info.kind == .directory else {
                found[base] = found[base] ?? VectorSource(path: base, name: Echo.path(StateTestLoader.lastComponent(base)))
                continue
            }
            if isVectorDirectory(base) {
                found[base] = found[base] ?? VectorSource(path: base, name: Echo.path(StateTestLoader.lastComponent(base)))
                continue
            }
            guard walker.firstVisit(info) else { continue }
            var pending = [(base, "")]
            while let (dir, relative) = pending.popLast() {
                for entry in try walker.entries(of: dir) where !entry.name.hasPrefix(".") {
                    let name = relative.isEmpty ? entry.name : relative + "/" + entry.name
                    if entry.kind == .directory {
                        guard let info = entry.info, walker.firstVisit(info) else { continue }
                        if isVectorDirectory(entry.path) {
                            found[entry.path] = found[entry.path] ?? VectorSource(path: entry.path, name: Echo.path(name))
                        } else {
                            pending.append((entry.path, name))
                        }
                    } else if VectorFile.isVectorName(entry.name) {
                        // A dangling link or a FIFO is kept, so that loading it reports what it is.
                        if let info = entry.info, !walker.firstVisit(info) { continue }
                        found[entry.path] = found[entry.path] ?? VectorSource(path: entry.path, name: Echo.path(name))
                    }
                }
            }
        }
        return found.values.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// Whether a directory is a vector in the directory form.
    public static func isVectorDirectory(_ path: String) -> Bool {
        partFile(path, "alloc") != nil
    }

    /// `dir/part.json`, else `dir/part.json.zst`, if either exists.
    static func partFile(_ dir: String, _ part: String) -> String? {
        let fm = FileManager.default
        for candidate in [dir + "/" + part + ".json", dir + "/" + part + ".json.zst"] where fm.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    // MARK: - Loading

    /// Loads a vector found by `collect`.
    public static func load(_ source: VectorSource) -> Result<BlockVector, LoadError> {
        load(path: source.path, name: source.name)
    }

    /// Loads the vector at `path` (a directory or a single file); `name` defaults to the last path component.
    public static func load(path: String, name: String? = nil) -> Result<BlockVector, LoadError> {
        let name = name ?? StateTestLoader.lastComponent(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(LoadError(file: path, reason: "no such file or directory"))
        }
        var parts: [String: (value: Any, file: String, prefix: String)] = [:]
        if isDirectory.boolValue {
            for part in requiredParts + optionalParts {
                guard let file = partFile(path, part) else {
                    if requiredParts.contains(part) {
                        return .failure(LoadError(file: path + "/" + part + ".json",
                                                  reason: "missing file: a block vector directory needs \(part).json or \(part).json.zst"))
                    }
                    continue
                }
                switch readJSON(file) {
                case .success(let value): parts[part] = (value, file, part)
                case .failure(let error): return .failure(error)
                }
            }
        } else {
            let bytes: [UInt8]
            do { bytes = try VectorFile.read(path: path) } catch { return .failure(LoadError(file: path, reason: error.reason)) }
            return load(json: bytes, file: path, name: name)
        }
        return build(name: name, path: path, parts: parts)
    }

    /// Parses JSON text of a vector held in memory (the single-file form); `file` names it in errors.
    public static func load(json bytes: [UInt8], file: String, name: String? = nil) -> Result<BlockVector, LoadError> {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
            return .failure(LoadError(file: file, reason: "malformed JSON: \(jsonErrorText(error))"))
        }
        if let duplicate = JSONKeys.firstDuplicate(in: bytes) {
            return .failure(LoadError(file: file, reason: "malformed JSON: \(duplicate)"))
        }
        guard let object = root as? [String: Any] else {
            return .failure(LoadError(file: file, reason: "expected a JSON object with alloc, env and txs, got \(JSONFields.kind(of: root))"))
        }
        if MainnetBlockLoader.recognises(object) {
            do { return .success(try MainnetBlockLoader.vector(object, file: file, name: name ?? StateTestLoader.lastComponent(file))) } catch {
                return .failure(error)
            }
        }
        var parts: [String: (value: Any, file: String, prefix: String)] = [:]
        for part in requiredParts + optionalParts {
            guard let value = object[part], !JSONFields.isNull(value) else {
                if requiredParts.contains(part) {
                    return .failure(LoadError(file: file, reason: "missing field \(part) (a block vector holds alloc, env and txs)"))
                }
                continue
            }
            parts[part] = (value, file, part)
        }
        return build(name: name ?? StateTestLoader.lastComponent(file), path: file, parts: parts)
    }

    private static func readJSON(_ file: String) -> Result<Any, LoadError> {
        let bytes: [UInt8]
        do { bytes = try VectorFile.read(path: file) } catch { return .failure(LoadError(file: file, reason: error.reason)) }
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
            return .failure(LoadError(file: file, reason: "malformed JSON: \(jsonErrorText(error))"))
        }
        if let duplicate = JSONKeys.firstDuplicate(in: bytes) {
            return .failure(LoadError(file: file, reason: "malformed JSON: \(duplicate)"))
        }
        return .success(value)
    }

    private static func build(name: String, path: String,
                              parts: [String: (value: Any, file: String, prefix: String)]) -> Result<BlockVector, LoadError> {
        // Each part is parsed on its own so that an error names the file it is in.
        func parse<T>(_ part: String, _ body: (Any, String) throws(FieldError) -> T) -> Result<T, LoadError>? {
            guard let p = parts[part] else { return nil }
            do { return .success(try body(p.value, p.prefix)) } catch {
                return .failure(LoadError(file: p.file, reason: error.reason))
            }
        }
        var metadata: [String: String] = [:]
        var fork = Fork.cancun
        var chainId: UInt64 = 1
        if let r = parse("metadata", readMetadata) {
            switch r {
            case .success(let m): (metadata, fork, chainId) = m
            case .failure(let e): return .failure(e)
            }
        }
        let pre: InMemoryState, env: BlockEnvironment, txs: [ReadTransaction]
        var expected: ExpectedBlockResult?
        do throws(LoadError) {
            pre = try (parse("alloc", readAlloc) ?? .failure(LoadError(file: path, reason: "missing alloc"))).get()
            env = try (parse("env") { (v, p) throws(FieldError) in try readEnvironment(v, at: p, fork: fork, chainId: chainId) }
                ?? .failure(LoadError(file: path, reason: "missing env"))).get()
            txs = try (parse("txs") { (v, p) throws(FieldError) in try readTransactionList(v, at: p, chainId: chainId, fork: fork) }
                ?? .failure(LoadError(file: path, reason: "missing txs"))).get()
            if let r = parse("expected", readExpected) { expected = try r.get() }
        } catch {
            return .failure(error)
        }
        var transactions: [Transaction] = [], signatures: [TransactionSignature?] = [], rejected: [RejectedTransaction] = []
        for (i, t) in txs.enumerated() {
            switch t {
            case .read(let tx, let signature): transactions.append(tx); signatures.append(signature)
            case .rejected(let reason): rejected.append(RejectedTransaction(index: i, error: reason))
            }
        }
        var vector = BlockVector(name: name, path: path, fork: fork, pre: pre, env: env, transactions: transactions,
                                 expected: expected, metadata: metadata, signatures: signatures)
        vector.rejectedOnLoad = rejected
        return .success(vector)
    }

    // MARK: - Parts

    /// `metadata`: an object of scalars, kept as strings (numbers in decimal, nested values as compact JSON);
    /// `fork` and `chainId` are also read.
    static func readMetadata(_ value: Any, at path: String) throws(FieldError) -> ([String: String], Fork, UInt64) {
        let fields = try JSONFields(value, path: path)
        var out: [String: String] = [:]
        for (key, v) in fields.object {
            switch v {
            case let s as String: out[key] = s
            case let n as NSNumber: out[key] = n.stringValue
            default:
                if JSONFields.isNull(v) { continue }
                let data = (try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys])) ?? Data()
                out[key] = String(decoding: data, as: UTF8.self)
            }
        }
        var fork = Fork.cancun
        if let name = out["fork"] {
            guard let f = Fork(name: name) else { throw FieldError("\(fields.at("fork")): unknown fork \(HexField.quoted(name))") }
            fork = f
        }
        var chainId: UInt64 = 1
        if let c = fields.object["chainId"] { chainId = try Quantity.u64(c, at: fields.at("chainId")) }
        return (out, fork, chainId)
    }

    /// `alloc`: address -> {balance, nonce?, code?, storage?}.
    public static func readAlloc(_ value: Any, at path: String) throws(FieldError) -> InMemoryState {
        let alloc = try JSONFields(value, path: path)
        var accounts: [Address: Account] = [:]
        for key in alloc.object.keys.sorted() {
            let address = try HexField.address(key, at: alloc.at(key))
            let fields = try alloc.object(key)
            let info = AccountInfo(nonce: fields.has("nonce") ? try Quantity.u64(fields, "nonce") : 0,
                                   balance: try Quantity.u256(fields, "balance"),
                                   code: fields.has("code") ? Code(try fields.bytes("code")) : .empty)
            var storage: [UInt256: UInt256] = [:]
            if fields.has("storage") {
                let slots = try fields.object("storage")
                for slot in slots.object.keys {
                    let k = try HexField.u256(slot, at: slots.at(slot))
                    let v = try HexField.u256(try JSONFields.string(slots.object[slot] as Any, at: slots.at(slot)), at: slots.at(slot))
                    // Zero is the absence of a value: it must not reach the storage trie.
                    if !v.isZero { storage[k] = v }
                }
            }
            guard accounts.updateValue(Account(info: info, storage: storage), forKey: address) == nil else {
                throw FieldError("\(alloc.at(key)): account \(address) listed twice")
            }
        }
        return InMemoryState(accounts: accounts)
    }

    /// EIP-4844's target blob gas per block (3 blobs of 2^17 gas), for deriving `currentExcessBlobGas`.
    static let targetBlobGasPerBlock: UInt64 = 393_216

    /// `env`, as geth's and execution-specs' t8n read it. A field a fork introduced is required from that fork
    /// on: EIP-1559 `currentBaseFee` from London, EIP-4399 `currentRandom` from Paris, EIP-4844
    /// `currentExcessBlobGas` from Cancun (or `parentExcessBlobGas` and `parentBlobGasUsed` to derive it from).
    static func readEnvironment(_ value: Any, at path: String, fork: Fork, chainId: UInt64) throws(FieldError) -> BlockEnvironment {
        let e = try JSONFields(value, path: path)
        var env = BlockEnvironment(
            coinbase: try e.address("currentCoinbase"), gasLimit: try Quantity.u64(e, "currentGasLimit"),
            number: try Quantity.u64(e, "currentNumber"), timestamp: try Quantity.u64(e, "currentTimestamp"),
            difficulty: e.has("currentDifficulty") ? try Quantity.u256(e, "currentDifficulty") : .zero,
            prevRandao: e.has("currentRandom") ? try Quantity.u256(e, "currentRandom") : .zero,
            baseFee: e.has("currentBaseFee") ? try Quantity.u256(e, "currentBaseFee") : .zero,
            excessBlobGas: nil,
            parentBeaconBlockRoot: e.has("parentBeaconBlockRoot") ? try e.hash("parentBeaconBlockRoot") : nil,
            blockHashes: try EnvironmentTemplate.blockHashes(e), chainId: chainId)
        if fork >= .london && !e.has("currentBaseFee") {
            throw FieldError("missing field \(e.at("currentBaseFee")) (required from London on; deriving it from the parent is not supported)")
        }
        if fork >= .paris && !e.has("currentRandom") {
            throw FieldError("missing field \(e.at("currentRandom")) (required from Paris on)")
        }
        if e.has("currentExcessBlobGas") {
            env.excessBlobGas = try Quantity.u64(e, "currentExcessBlobGas")
        } else if e.has("parentExcessBlobGas") && e.has("parentBlobGasUsed") {
            // EIP-4844 calc_excess_blob_gas with the fork's blob schedule (and EIP-7918 from Osaka).
            let excess = try Quantity.u64(e, "parentExcessBlobGas"), used = try Quantity.u64(e, "parentBlobGasUsed")
            guard !excess.addingReportingOverflow(used).overflow else { throw FieldError("\(e.at("parentExcessBlobGas")) + parentBlobGasUsed overflows 64 bits") }
            env.excessBlobGas = BlockHeaderValidation.expectedExcessBlobGas(
                parentExcess: excess, parentUsed: used,
                parentBaseFee: e.has("parentBaseFee") ? try Quantity.u256(e, "parentBaseFee") : .zero, fork: fork)
        } else if fork >= .cancun {
            throw FieldError("missing field \(e.at("currentExcessBlobGas")) (required from Cancun on, or parentExcessBlobGas and parentBlobGasUsed)")
        }
        if fork < .cancun { env.excessBlobGas = nil }
        if e.has("depositContractAddress") { env.depositContractAddress = try e.address("depositContractAddress") }
        if e.has("withdrawals") {
            let list = try e.array("withdrawals")
            env.withdrawals = try list.enumerated().map { (i, w) throws(FieldError) in
                let f = try JSONFields(w, path: "\(e.at("withdrawals"))[\(i)]")
                return Withdrawal(index: try Quantity.u64(f, "index"), validatorIndex: try Quantity.u64(f, "validatorIndex"),
                                  address: try f.address("address"), amount: try Quantity.u64(f, "amount"))
            }
        }
        return env
    }

    /// One transaction of a vector's list: read, or rejected while reading it (see `BlockVector.rejectedOnLoad`).
    enum ReadTransaction {
        case read(Transaction, TransactionSignature)
        case rejected(String)
    }

    /// `txs`: an array of JSON transactions, or a hex string of the RLP list of signed transactions (t8n's `txs.rlp`).
    /// Any transaction that cannot be read is an error, an invalid signature included.
    static func readTransactions(_ value: Any, at path: String, chainId: UInt64,
                                 fork: Fork = .cancun) throws(FieldError) -> [(Transaction, TransactionSignature)] {
        try readTransactionList(value, at: path, chainId: chainId, fork: fork).map { (t) throws(FieldError) in
            switch t {
            case .read(let tx, let signature): return (tx, signature)
            case .rejected(let reason): throw FieldError(reason, rejectsTransaction: true)
            }
        }
    }

    /// `txs`, with a transaction whose signature (or chain) makes it invalid listed as rejected rather than failing
    /// the list: such a transaction is well formed, and a block that holds it is one a client rejects it from.
    static func readTransactionList(_ value: Any, at path: String, chainId: UInt64,
                                    fork: Fork = .cancun) throws(FieldError) -> [ReadTransaction] {
        if let hex = value as? String {
            let bytes = try HexField.bytes(hex, at: path)
            let list: [RLPItem]
            do {
                guard let l = try RLP.decode(bytes).listValue else { throw FieldError("\(path): expected an RLP list of transactions") }
                list = l
            } catch let e as FieldError { throw e } catch { throw FieldError("\(path): \(error)") }
            return try list.enumerated().map { (i, item) throws(FieldError) in
                // A typed transaction sits in the list as a byte string; a legacy one as its own list.
                let encoded = item.bytesValue ?? RLP.encode(item)
                do throws(TransactionCodecError) {
                    let decoded = try TransactionCodec.decode(encoded, fork: fork)
                    if let c = decoded.transaction.chainId, c != chainId {
                        return .rejected("\(path)[\(i)]: the transaction is for chain \(c), the vector's chain is \(chainId)")
                    }
                    return .read(decoded.transaction, decoded.signature)
                } catch {
                    switch error {
                    case .invalidV, .invalidSignature: return .rejected("\(path)[\(i)]: \(error)")
                    case .invalidSecretKey, .malformed: throw FieldError("\(path)[\(i)]: \(error)")
                    }
                }
            }
        }
        guard let list = value as? [Any] else {
            throw FieldError("\(path): expected an array of transactions, got \(JSONFields.kind(of: value))")
        }
        return try list.enumerated().map { (i, t) throws(FieldError) in
            do throws(FieldError) {
                let (tx, signature) = try TransactionJSON.parse(try JSONFields(t, path: "\(path)[\(i)]"), chainId: chainId, fork: fork)
                return .read(tx, signature)
            } catch where error.rejectsTransaction {
                return .rejected(error.reason)
            }
        }
    }

    /// `expected`: the t8n `result` object; only the fields it states are checked, other keys are ignored.
    static func readExpected(_ value: Any, at path: String) throws(FieldError) -> ExpectedBlockResult {
        let e = try JSONFields(value, path: path)
        var out = ExpectedBlockResult()
        if e.has("stateRoot") { out.stateRoot = try e.hash("stateRoot") }
        if e.has("receiptsRoot") { out.receiptsRoot = try e.hash("receiptsRoot") }
        if e.has("logsHash") { out.logsHash = try e.hash("logsHash") }
        if e.has("gasUsed") { out.gasUsed = try Quantity.u64(e, "gasUsed") }
        if e.has("requestsHash") { out.requestsHash = try e.hash("requestsHash") }
        if e.has("rejected") {
            out.rejected = try e.array("rejected").enumerated().map { (i, r) throws(FieldError) in
                let f = try JSONFields(r, path: "\(e.at("rejected"))[\(i)]")
                guard let index = Int(exactly: try Quantity.u64(f, "index")) else {
                    throw FieldError("\(f.at("index")): out of range")
                }
                return RejectedTransaction(index: index, error: f.has("error") ? try f.string("error") : "")
            }
        }
        return out
    }

    private static func jsonErrorText(_ error: Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return ns.localizedDescription
    }

    // MARK: - Writing

    /// Writes `vector` in the directory form: `alloc.json`, `env.json`, `txs.json`, `metadata.json` (with `fork`
    /// and `chainId`) and `expected.json` when the vector has expectations; stale part files are removed. The
    /// output is deterministic (sorted keys, fixed formatting). A transaction whose sender has a key in `keys` is
    /// signed with it (RFC 6979, so the same bytes every time); the others must carry a signature from loading.
    public static func write(_ vector: BlockVector, signedWith keys: [Address: [UInt8]]? = nil,
                             to dir: String) throws(VectorFileError) {
        let files = try encode(vector, signedWith: keys, dir: dir)
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw VectorFileError(path: dir, reason: "cannot create directory: \(error.localizedDescription)")
        }
        for part in requiredParts + optionalParts {
            for suffix in [".json", ".json.zst"] where files[part + suffix] == nil {
                let stale = dir + "/" + part + suffix
                if fm.fileExists(atPath: stale) { try? fm.removeItem(atPath: stale) }
            }
        }
        for (file, text) in files.sorted(by: { $0.key < $1.key }) {
            let path = dir + "/" + file
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw VectorFileError(path: path, reason: "cannot write: \(error.localizedDescription)")
            }
        }
    }

    /// The files `write` produces, by file name.
    public static func encode(_ vector: BlockVector, signedWith keys: [Address: [UInt8]]? = nil,
                              dir: String = ".") throws(VectorFileError) -> [String: String] {
        var txs: [BlockJSON] = []
        for (i, tx) in vector.transactions.enumerated() {
            let signature: TransactionSignature
            if let key = keys?[tx.sender] {
                guard SecretKey.address(of: key) == tx.sender else {
                    throw VectorFileError(path: dir + "/txs.json", reason: "txs[\(i)]: the key given for \(tx.sender) is not its key")
                }
                do { signature = try TransactionCodec.sign(tx, secretKey: key) } catch {
                    throw VectorFileError(path: dir + "/txs.json", reason: "txs[\(i)]: \(error)")
                }
            } else if i < vector.signatures.count, let s = vector.signatures[i] {
                let recovered = try? TransactionCodec.recoverSender(tx, signature: s, fork: vector.fork)
                guard recovered == tx.sender else {
                    throw VectorFileError(path: dir + "/txs.json",
                                          reason: "txs[\(i)]: the signature does not recover the sender \(tx.sender)")
                }
                signature = s
            } else {
                throw VectorFileError(path: dir + "/txs.json",
                                      reason: "txs[\(i)]: no signature and no key for its sender \(tx.sender)")
            }
            txs.append(TransactionJSON.json(tx, signature: signature))
        }
        var metadata = vector.metadata.mapValues { BlockJSON.string($0) }
        metadata["fork"] = .string(vector.fork.name)
        metadata["chainId"] = .string(String(vector.env.chainId))
        var files: [String: String] = [
            "alloc.json": allocJSON(vector.pre).text,
            "env.json": environmentJSON(vector.env).text,
            "txs.json": BlockJSON.array(txs).text,
            "metadata.json": BlockJSON.object(metadata).text,
        ]
        if let expected = vector.expected { files["expected.json"] = expectedJSON(expected).text }
        return files
    }

    static func allocJSON(_ state: InMemoryState) -> BlockJSON {
        var out: [String: BlockJSON] = [:]
        for (address, account) in state.accounts {
            var storage: [String: BlockJSON] = [:]
            for (k, v) in account.storage where !v.isZero {
                storage[Hex.encode(k.bigEndianBytes)] = .string(Hex.encode(v.bigEndianBytes))
            }
            out[address.description] = .object([
                "balance": .string(account.info.balance.hexString),
                "nonce": .string(UInt256(account.info.nonce).hexString),
                "code": .string(Hex.encode(account.info.code.bytes)),
                "storage": .object(storage),
            ])
        }
        return .object(out)
    }

    static func environmentJSON(_ env: BlockEnvironment) -> BlockJSON {
        var o: [String: BlockJSON] = [
            "currentCoinbase": .string(env.coinbase.description),
            "currentGasLimit": .string(UInt256(env.gasLimit).hexString),
            "currentNumber": .string(UInt256(env.number).hexString),
            "currentTimestamp": .string(UInt256(env.timestamp).hexString),
            "currentRandom": .string(Hex.encode(env.prevRandao.bigEndianBytes)),
            "currentBaseFee": .string(env.baseFee.hexString),
            // execution-specs' t8n wants the list even when empty.
            "withdrawals": .array(env.withdrawals.map { w in
                .object(["index": .string(UInt256(w.index).hexString),
                         "validatorIndex": .string(UInt256(w.validatorIndex).hexString),
                         "address": .string(w.address.description),
                         "amount": .string(UInt256(w.amount).hexString)])
            }),
        ]
        // Post-merge tools reject a non-zero difficulty; written only when there is one.
        if !env.difficulty.isZero { o["currentDifficulty"] = .string(env.difficulty.hexString) }
        if let excess = env.excessBlobGas { o["currentExcessBlobGas"] = .string(UInt256(excess).hexString) }
        if let root = env.parentBeaconBlockRoot { o["parentBeaconBlockRoot"] = .string(root.description) }
        if !env.blockHashes.isEmpty {
            var hashes: [String: BlockJSON] = [:]
            // Keys as 0x-hex: the Python specification's t8n reads every key as hex (a decimal "31" would be 0x31), geth
            // reads either.
            for (number, hash) in env.blockHashes { hashes["0x" + String(number, radix: 16)] = .string(hash.description) }
            o["blockHashes"] = .object(hashes)
        }
        return .object(o)
    }

    static func expectedJSON(_ e: ExpectedBlockResult) -> BlockJSON {
        var o: [String: BlockJSON] = [:]
        if let v = e.stateRoot { o["stateRoot"] = .string(v.description) }
        if let v = e.receiptsRoot { o["receiptsRoot"] = .string(v.description) }
        if let v = e.logsHash { o["logsHash"] = .string(v.description) }
        if let v = e.gasUsed { o["gasUsed"] = .string(UInt256(v).hexString) }
        if let v = e.requestsHash { o["requestsHash"] = .string(v.description) }
        if let r = e.rejected {
            o["rejected"] = .array(r.map { .object(["index": .integer($0.index), "error": .string($0.error)]) })
        }
        return .object(o)
    }
}
