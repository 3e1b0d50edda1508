import EVMPrimitives
import EVMState
import Execution

/// How `other` differs from the serial executor's `serial` outcome in everything a client compares: roots, logs,
/// bloom, gas, blob gas, rejections, receipts, requests, the invalid-block verdict, per-transaction gas and the
/// post-state. One line per differing field, naming both values (the post-state by its first differing accounts);
/// empty when the two are the same bit for bit. The test targets' `assertSame`/`assertSameOutcome` fail on each line.
public func outcomeDifferences(_ serial: BlockOutcome, _ other: BlockOutcome) -> [String] {
    var out: [String] = []
    func field<T: Equatable>(_ name: String, _ a: T, _ b: T) {
        if a != b { out.append("\(name): serial \(a), other \(b)") }
    }
    field("stateRoot", serial.stateRoot, other.stateRoot)
    field("receiptsRoot", serial.receiptsRoot, other.receiptsRoot)
    field("logsHash", serial.logsHash, other.logsHash)
    if serial.logsBloom != other.logsBloom { out.append("logsBloom differs") }
    field("gasUsed", serial.gasUsed, other.gasUsed)
    field("blobGasUsed", serial.blobGasUsed, other.blobGasUsed)
    field("rejected", serial.rejected.map(\.index), other.rejected.map(\.index))
    if serial.rejected != other.rejected && serial.rejected.map(\.index) == other.rejected.map(\.index) {
        out.append("rejected: same indices, different reasons")
    }
    if serial.receipts != other.receipts {
        let first = zip(serial.receipts, other.receipts).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        out.append("receipts: \(serial.receipts.count) serial, \(other.receipts.count) other, first differing \(first.map(String.init) ?? "none (count)")")
    }
    field("requestsHash", serial.requestsHash, other.requestsHash)
    field("invalidBlock", serial.invalidBlock?.message, other.invalidBlock?.message)
    field("transactionGas", serial.transactionGas, other.transactionGas)
    if serial.postState != other.postState { out.append("postState differs: \(stateDifferences(serial.postState, other.postState))") }
    return out
}

/// The first (at most four) accounts whose post-state differs, in address order.
public func stateDifferences(_ a: InMemoryState, _ b: InMemoryState) -> String {
    var out: [String] = []
    for address in Set(a.accounts.keys).union(b.accounts.keys).sorted() where a.accounts[address] != b.accounts[address] {
        let l = a.accounts[address], r = b.accounts[address]
        out.append("\(address): serial nonce \(l?.info.nonce ?? 0) balance \(l?.info.balance.description ?? "-") "
                   + "slots \(l?.storage.count ?? -1) vs nonce \(r?.info.nonce ?? 0) balance \(r?.info.balance.description ?? "-") "
                   + "slots \(r?.storage.count ?? -1)")
        if out.count >= 4 { break }
    }
    return out.joined(separator: "; ")
}
