import Foundation
import EVMPrimitives
import EVMState
import Execution
import VectorIO

/// Reads state tests (the ethereum/tests `GeneralStateTests` format, see vectors/README.md) into cases: one per
/// (test, fork, post entry). Bad input never stops a run: a file that cannot be read or parsed becomes one
/// `LoadError`, a malformed test one error for that test, a malformed post entry one error for that case.
public enum StateTestLoader {
    /// The vector files under `paths` (files, or directories searched recursively for `.json` and `.json.zst`),
    /// each named relative to the directory argument it was found under, or by its file name when given directly.
    /// A path that appears twice is loaded once.
    public static func sources(for paths: [String]) throws(VectorFileError) -> [VectorSource] {
        var out: [VectorSource] = []
        var seen = Set<String>()
        for path in paths {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            for file in try VectorFile.collect(paths: [path]) where seen.insert(file).inserted {
                let name = exists && isDirectory.boolValue ? relativeName(file, under: path) : lastComponent(file)
                out.append(VectorSource(path: file, name: Echo.path(name)))
            }
        }
        return out
    }

    /// Reads, decompresses and parses one file.
    public static func load(_ source: VectorSource) -> StateTestFile {
        let bytes: [UInt8]
        do {
            bytes = try VectorFile.read(path: source.path)
        } catch {
            return StateTestFile(file: source.name, errors: [LoadError(file: source.name, reason: error.reason)])
        }
        return load(json: bytes, file: source.name)
    }

    /// Parses the JSON text of one file; `file` is the name its cases and errors carry.
    public static func load(json bytes: [UInt8], file: String) -> StateTestFile {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            return StateTestFile(file: file, errors: [LoadError(file: file, reason: "malformed JSON: \(jsonErrorText(error))")])
        }
        guard let tests = root as? [String: Any] else {
            return StateTestFile(file: file, errors: [LoadError(
                file: file, reason: "expected a JSON object of tests at the top level, got \(JSONFields.kind(of: root))")])
        }
        // A parser keeps the last of two equal keys; a vector with two tests (or accounts) of one name is ambiguous.
        if let duplicate = JSONKeys.firstDuplicate(in: bytes) {
            return StateTestFile(file: file, errors: [LoadError(file: file, reason: "malformed JSON: \(duplicate)")])
        }
        if tests.isEmpty {
            return StateTestFile(file: file, errors: [LoadError(file: file, reason: "no tests: the top-level object is empty")])
        }
        var result = StateTestFile(file: file)
        // Sorted, so that case order (and so output order) does not depend on dictionary order.
        for name in tests.keys.sorted() {
            if let value = tests[name] { loadTest(Echo.path(name), value, into: &result) }
        }
        return result
    }

    // MARK: - One test

    private static func loadTest(_ test: String, _ value: Any, into result: inout StateTestFile) {
        let file = result.file
        let env: EnvironmentTemplate, pre: InMemoryState, tx: TransactionTemplate, post: JSONFields
        do throws(FieldError) {
            let fields = try JSONFields(value, path: "")
            env = try EnvironmentTemplate(try fields.object("env"))
            pre = try readPreState(try fields.object("pre"))
            tx = try TransactionTemplate(try fields.object("transaction"))
            post = try fields.object("post")
            if post.object.isEmpty { throw FieldError("post: no fork has an entry, so the test has no case") }
        } catch {
            result.errors.append(LoadError(file: file, test: test, reason: error.reason))
            return
        }
        for forkName in post.object.keys.sorted() {
            guard let fork = Fork(name: forkName) else {
                result.errors.append(LoadError(file: file, test: test, fork: Echo.clip(forkName),
                                               reason: "unknown fork name \(HexField.quoted(forkName))"))
                continue
            }
            let entries: [Any]
            do { entries = try post.array(forkName) } catch {
                result.errors.append(LoadError(file: file, test: test, fork: forkName, reason: error.reason))
                continue
            }
            for (position, entry) in entries.enumerated() {
                let path = "post.\(forkName)[\(position)]"
                var indexes: StateTestIndexes?
                do {
                    let fields = try JSONFields(entry, path: path)
                    let i = try fields.object("indexes")
                    let idx = StateTestIndexes(data: try i.index("data"), gas: try i.index("gas"), value: try i.index("value"))
                    indexes = idx
                    let built = try tx.transaction(idx)
                    let txBytes = try fields.optionalString("txbytes").map { s throws(FieldError) in
                        try HexField.bytes(s, at: fields.at("txbytes"))
                    } ?? []
                    result.cases.append(StateTestCase(
                        name: "\(file):\(test):\(forkName):\(idx)", file: file, test: test, forkName: forkName, fork: fork,
                        indexes: idx, pre: pre, env: try env.environment(for: fork), tx: built.tx,
                        unrepresentable: built.unrepresentable, txBytes: txBytes,
                        expectedStateRoot: try fields.hash("hash"), expectedLogsHash: try fields.hash("logs"),
                        expectException: try fields.optionalString("expectException")))
                } catch {
                    result.errors.append(LoadError(file: file, test: test, fork: forkName,
                                                   indexes: indexes?.description, reason: error.reason))
                }
            }
        }
    }

    private static func readPreState(_ pre: JSONFields) throws(FieldError) -> InMemoryState {
        var accounts: [Address: Account] = [:]
        accounts.reserveCapacity(pre.object.count)
        for key in pre.object.keys {
            let address = try HexField.address(key, at: pre.at(key))
            let fields = try pre.object(key)
            let info = AccountInfo(nonce: try fields.u64("nonce"), balance: try fields.u256("balance"),
                                   code: Code(try fields.bytes("code")))
            let slots = try fields.object("storage")
            var storage: [UInt256: UInt256] = [:]
            storage.reserveCapacity(slots.object.count)
            for slot in slots.object.keys {
                let k = try HexField.u256(slot, at: slots.at(slot))
                let v = try HexField.u256(try JSONFields.string(slots.object[slot] as Any, at: slots.at(slot)),
                                          at: slots.at(slot))
                // Zero is the absence of a value: it must not reach the storage trie.
                if !v.isZero { storage[k] = v }
            }
            guard accounts.updateValue(Account(info: info, storage: storage), forKey: address) == nil else {
                throw FieldError("\(pre.at(key)): account \(address) listed twice")
            }
        }
        return InMemoryState(accounts: accounts)
    }

    // MARK: - Names and errors

    static func relativeName(_ file: String, under directory: String) -> String {
        var base = directory
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var relative: Substring?
        if file.hasPrefix(base + "/") {
            relative = file.dropFirst(base.count + 1)
        } else {
            let standardFile = URL(fileURLWithPath: file).standardizedFileURL.path
            let standardBase = URL(fileURLWithPath: base).standardizedFileURL.path
            if standardFile.hasPrefix(standardBase + "/") { relative = standardFile.dropFirst(standardBase.count + 1) }
        }
        // `dir/` joined with a file name gives `dir//file`: no name starts with a slash.
        guard let name = relative?.drop(while: { $0 == "/" }), !name.isEmpty else { return lastComponent(file) }
        return String(name)
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    /// Foundation's JSON errors keep the useful part (what and where) in the debug description.
    private static func jsonErrorText(_ error: Error) -> String {
        let ns = error as NSError
        if let detail = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        return ns.localizedDescription
    }
}

/// The block environment of one test, with the fork-dependent fields checked per case.
struct EnvironmentTemplate {
    var env: BlockEnvironment
    var hasBaseFee: Bool
    var hasRandom: Bool
    var hasExcessBlobGas: Bool

    init(_ e: JSONFields) throws(FieldError) {
        env = BlockEnvironment(
            coinbase: try e.address("currentCoinbase"), gasLimit: try e.u64("currentGasLimit"),
            number: try e.u64("currentNumber"), timestamp: try e.u64("currentTimestamp"),
            difficulty: e.has("currentDifficulty") ? try e.u256("currentDifficulty") : .zero,
            prevRandao: e.has("currentRandom") ? try e.u256("currentRandom") : .zero,
            baseFee: e.has("currentBaseFee") ? try e.u256("currentBaseFee") : .zero,
            excessBlobGas: e.has("currentExcessBlobGas") ? try e.u64("currentExcessBlobGas") : nil,
            parentBeaconBlockRoot: e.has("parentBeaconBlockRoot") ? try e.hash("parentBeaconBlockRoot")
                : e.has("currentBeaconRoot") ? try e.hash("currentBeaconRoot") : nil,
            blockHashes: try EnvironmentTemplate.blockHashes(e),
            chainId: 1)
        hasBaseFee = e.has("currentBaseFee")
        hasRandom = e.has("currentRandom")
        hasExcessBlobGas = e.has("currentExcessBlobGas")
    }

    /// `blockHashes`, when present: `{ number (decimal or 0x hex): hash }`, the t8n convention.
    static func blockHashes(_ e: JSONFields) throws(FieldError) -> [UInt64: Hash32] {
        guard e.has("blockHashes") else { return [:] }
        let hashes = try e.object("blockHashes")
        var out: [UInt64: Hash32] = [:]
        for key in hashes.object.keys {
            let number: UInt64
            if key.hasPrefix("0x") {
                number = try HexField.u64(key, at: hashes.at(key))
            } else if let n = UInt64(key) {
                number = n
            } else {
                throw FieldError("\(hashes.at(key)): expected a block number, got \(HexField.quoted(key))")
            }
            out[number] = try hashes.hash(key)
        }
        return out
    }

    /// The environment as `fork` sees it. A field a fork introduced is required from that fork on
    /// (EIP-1559 base fee from London, EIP-4399 PREVRANDAO from Paris, EIP-4844 excess blob gas from Cancun).
    func environment(for fork: Fork) throws(FieldError) -> BlockEnvironment {
        if fork >= .london && !hasBaseFee { throw FieldError("missing field env.currentBaseFee (required from London on)") }
        if fork >= .paris && !hasRandom { throw FieldError("missing field env.currentRandom (required from Paris on)") }
        if fork >= .cancun && !hasExcessBlobGas {
            throw FieldError("missing field env.currentExcessBlobGas (required from Cancun on)")
        }
        var env = self.env
        if fork < .cancun { env.excessBlobGas = nil }
        return env
    }
}

/// The `transaction` object of one test: the shared fields, and the arrays that post entries index into.
struct TransactionTemplate {
    var base: Transaction
    var data: [[UInt8]]
    var gasLimits: [UInt64?]
    var values: [UInt256?]
    /// nil when the vector has no `accessLists`; a nil element means "no access list" for that data index.
    var accessLists: [[AccessListEntry]?]?
    var hasGasPrice: Bool
    var hasMaxFee: Bool
    var hasBlobs: Bool
    /// An EIP-7702 `authorizationList` makes the transaction type 4.
    var hasAuthorizations: Bool
    /// A shared field that does not fit its width (see `StateTestCase.unrepresentable`).
    var unrepresentable: String?

    init(_ t: JSONFields) throws(FieldError) {
        var base = Transaction()
        var unrepresentable: String?
        func wide<T>(_ key: String, _ read: (String, String) throws(FieldError) -> T?, zero: T) throws(FieldError) -> T {
            let s = try t.string(key)
            if let v = try read(s, t.at(key)) { return v }
            unrepresentable = unrepresentable ?? "\(t.at(key)) = \(HexField.quoted(s)) does not fit the transaction's field"
            return zero
        }

        base.nonce = try wide("nonce", HexField.u64OrOverflow, zero: 0)
        hasGasPrice = t.has("gasPrice")
        hasMaxFee = t.has("maxFeePerGas")
        hasBlobs = t.has("blobVersionedHashes")
        if hasGasPrice { base.gasPrice = try wide("gasPrice", HexField.u256OrOverflow, zero: .zero) }
        if hasMaxFee {
            base.maxFeePerGas = try wide("maxFeePerGas", HexField.u256OrOverflow, zero: .zero)
            base.maxPriorityFeePerGas = try wide("maxPriorityFeePerGas", HexField.u256OrOverflow, zero: .zero)
        }
        if hasBlobs {
            base.maxFeePerBlobGas = try wide("maxFeePerBlobGas", HexField.u256OrOverflow, zero: .zero)
            let hashes = try t.array("blobVersionedHashes")
            base.blobVersionedHashes = try hashes.enumerated().map { (i, h) throws(FieldError) in
                let path = "\(t.at("blobVersionedHashes"))[\(i)]"
                return try HexField.hash(try JSONFields.string(h, at: path), at: path)
            }
        }
        hasAuthorizations = t.has("authorizationList")
        if hasAuthorizations {
            let list = try t.array("authorizationList")
            base.authorizationList = try list.enumerated().map { (i, a) throws(FieldError) in
                let f = try JSONFields(a, path: "\(t.at("authorizationList"))[\(i)]")
                func field<T>(_ key: String, _ read: (String, String) throws(FieldError) -> T?, zero: T) throws(FieldError) -> T {
                    let s = try f.string(key)
                    if let v = try read(s, f.at(key)) { return v }
                    unrepresentable = unrepresentable ?? "\(f.at(key)) = \(HexField.quoted(s)) does not fit the authorization's field"
                    return zero
                }
                let yParity = try field("v", HexField.u256OrOverflow, zero: .zero)
                if yParity > UInt256(255) {  // y_parity is a byte in the transaction format
                    unrepresentable = unrepresentable ?? "\(f.at("v")) does not fit a byte"
                }
                return Authorization(chainId: try field("chainId", HexField.u256OrOverflow, zero: .zero),
                                     address: try f.address("address"),
                                     nonce: try field("nonce", HexField.u64OrOverflow, zero: 0),
                                     yParity: yParity,
                                     r: try field("r", HexField.u256OrOverflow, zero: .zero),
                                     s: try field("s", HexField.u256OrOverflow, zero: .zero))
            }
        }
        let to = try t.string("to")
        base.to = to.isEmpty ? nil : try HexField.address(to, at: t.at("to"))
        // Both may be given (ethereum/tests give both); then the key must be valid and must derive the sender.
        var derived: Address?
        if t.has("secretKey") {
            let key = try HexField.bytes(try t.string("secretKey"), at: t.at("secretKey"))
            guard key.count == 32 else {
                throw FieldError("\(t.at("secretKey")): expected 32 bytes of hex, got \(key.count)")
            }
            guard let sender = SecretKey.address(of: key) else {
                throw FieldError("\(t.at("secretKey")): not a valid secp256k1 secret key (zero, or not below the group order)")
            }
            derived = sender
        }
        if t.has("sender") {
            base.sender = try t.address("sender")
            if let derived, derived != base.sender {
                throw FieldError("\(t.at("secretKey")): derives \(derived), but \(t.at("sender")) is \(base.sender)")
            }
        } else if let derived {
            base.sender = derived
        } else {
            throw FieldError("missing field \(t.at("sender")) (or \(t.at("secretKey")))")
        }

        data = try TransactionTemplate.elements(t, "data") { s, p throws(FieldError) in try HexField.bytes(s, at: p) }
        gasLimits = try TransactionTemplate.elements(t, "gasLimit") { s, p throws(FieldError) in
            try HexField.u64OrOverflow(s, at: p)
        }
        values = try TransactionTemplate.elements(t, "value") { s, p throws(FieldError) in
            try HexField.u256OrOverflow(s, at: p)
        }
        if t.has("accessLists") {
            let lists = try t.array("accessLists")
            accessLists = try lists.enumerated().map { (i, list) throws(FieldError) in
                JSONFields.isNull(list) ? nil : try TransactionTemplate.accessList(list, at: "\(t.at("accessLists"))[\(i)]")
            }
        } else {
            accessLists = nil
        }
        self.base = base
        self.unrepresentable = unrepresentable
    }

    /// The transaction a post entry selects. Its type follows from the fields the vector gives: an authorization
    /// list makes it type 4 (EIP-7702), blob hashes type 3 (EIP-4844), a max fee type 2 (EIP-1559), an access list type 1 (EIP-2930), else legacy. A null
    /// access-list entry makes that data index a legacy transaction (retesteth's convention; its `txbytes` agree).
    func transaction(_ idx: StateTestIndexes) throws(FieldError) -> (tx: Transaction, unrepresentable: String?) {
        guard idx.data < data.count else { throw outOfRange("data", "data", idx.data, data.count) }
        guard idx.gas < gasLimits.count else { throw outOfRange("gas", "gasLimit", idx.gas, gasLimits.count) }
        guard idx.value < values.count else { throw outOfRange("value", "value", idx.value, values.count) }
        var tx = base
        var unrepresentable = self.unrepresentable
        tx.data = data[idx.data]
        if let gas = gasLimits[idx.gas] { tx.gasLimit = gas } else {
            unrepresentable = unrepresentable ?? "transaction.gasLimit[\(idx.gas)] does not fit 64 bits"
        }
        if let value = values[idx.value] { tx.value = value } else {
            unrepresentable = unrepresentable ?? "transaction.value[\(idx.value)] does not fit 256 bits"
        }
        var accessList: [AccessListEntry]?
        if let lists = accessLists {
            guard idx.data < lists.count else {
                throw FieldError("transaction.accessLists has \(lists.count) entries, but data index \(idx.data) needs one")
            }
            accessList = lists[idx.data]
        }
        tx.accessList = accessList ?? []
        if hasAuthorizations {
            tx.type = .setCode
        } else if hasBlobs {
            tx.type = .blob
        } else if hasMaxFee {
            tx.type = .dynamicFee
        } else if accessList != nil {
            tx.type = .accessList
        } else {
            tx.type = .legacy
        }
        if tx.type == .legacy || tx.type == .accessList {
            guard hasGasPrice else { throw FieldError("missing field transaction.gasPrice (required for a type-\(tx.type.rawValue) transaction)") }
        }
        tx.chainId = tx.type == .legacy ? nil : 1
        return (tx, unrepresentable)
    }

    private func outOfRange(_ index: String, _ array: String, _ value: Int, _ count: Int) -> FieldError {
        FieldError("indexes.\(index) = \(value), but transaction.\(array) has \(count) entries")
    }

    static func elements<T>(_ t: JSONFields, _ key: String,
                            _ read: (String, String) throws(FieldError) -> T) throws(FieldError) -> [T] {
        let array = try t.array(key)
        var out: [T] = []
        out.reserveCapacity(array.count)
        for (i, v) in array.enumerated() {
            let path = "\(t.at(key))[\(i)]"
            out.append(try read(try JSONFields.string(v, at: path), path))
        }
        return out
    }

    static func accessList(_ value: Any, at path: String) throws(FieldError) -> [AccessListEntry] {
        guard let entries = value as? [Any] else {
            throw FieldError("\(path): expected an array, got \(JSONFields.kind(of: value))")
        }
        return try entries.enumerated().map { (i, e) throws(FieldError) in
            let fields = try JSONFields(e, path: "\(path)[\(i)]")
            let keys = try fields.array("storageKeys")
            return AccessListEntry(address: try fields.address("address"), storageKeys: try keys.enumerated().map {
                (j, k) throws(FieldError) in
                let p = "\(fields.at("storageKeys"))[\(j)]"
                return try HexField.u256(try JSONFields.string(k, at: p), at: p)
            })
        }
    }
}
