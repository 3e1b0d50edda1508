import EVMPrimitives
import EVMState

/// The state one Block-STM incarnation reads: multi-version memory first, then the block's base state.
///
/// It records every read with its origin for validation. A read that meets an ESTIMATE (or, for the
/// coinbase, a lower transaction whose fee is not known yet) records the blocking transaction, sets
/// `isAborted` (the interpreter stops at its next instruction) and answers a harmless dummy; the
/// executor then discards the result and suspends the transaction on the blocking one.
///
/// Owned by one worker thread, which reuses it for each of its incarnations (`begin`), so it needs no
/// locking of its own and its buffers are allocated once per worker rather than once per incarnation.
final class MVView: StateReader {
    private(set) var index: TxIndex = 0
    private let memory: MVMemory
    private let jitter: Jitter?
    /// True once a read hit an unresolved lower write.
    private(set) var isAborted = false
    /// The transaction the aborted read waits for.
    private(set) var blocking: TxIndex = -1
    /// The location of the aborted read (for the profile's contended locations).
    private(set) var blockedLocation: MemoryLocation?
    /// Everything read, in order (a location read twice appears twice; validation checks both). Moved by the
    /// multi-version memory into the worker's arena (`MVMemory.record`); the buffer is reused.
    let reads = ReusableBuffer<RecordedRead>(capacity: 32)
    /// Account values as first read, to drop writes that leave an account as the transaction found it
    /// (a storage-only change carries the unchanged account fields, which must not look like a write).
    /// A short list: a transaction reads few accounts, and a linear scan beats hashing for those. Two parallel
    /// arrays rather than one of pairs: the scan compares plain addresses, where iterating the pairs copied and
    /// destroyed each pair (its account's code reference) through an outlined generic destroy.
    private let addressesRead = ReusableBuffer<Address>(capacity: 8)
    /// Not `AccountInfo?`: copying an optional account in or out of memory went through the runtime's generic
    /// value witness (`initializeWithCopy` of the optional's metadata, about 100 instructions a copy); this
    /// struct's copy is its fields'.
    private let infosRead = ReusableBuffer<FirstRead>(capacity: 8)

    /// An account as first read: `info` is meaningful only where `exists`.
    private struct FirstRead {
        let exists: Bool
        let info: AccountInfo

        @inline(__always) init(_ info: AccountInfo?) {
            if let info { exists = true; self.info = info } else { exists = false; self.info = MVView.absent }
        }

        @inline(__always) var value: AccountInfo? { exists ? info : nil }
    }

    private static let absent = AccountInfo()

    init(memory: MVMemory, jitter: Jitter?) {
        self.memory = memory
        self.jitter = jitter
    }

    /// Starts an incarnation of transaction `index`: forgets everything the previous one read.
    func begin(_ index: TxIndex) {
        self.index = index
        isAborted = false
        blocking = -1
        blockedLocation = nil
        reads.removeAll()
        addressesRead.removeAll()
        infosRead.removeAll()
    }

    private func block(on tx: TxIndex, at location: MemoryLocation) {
        isAborted = true
        blocking = tx
        blockedLocation = location
    }

    func account(_ address: Address) -> AccountInfo? {
        if isAborted { return nil }
        if let i = firstRead(address) { return infosRead[i].value }
        jitter?.perturb()
        let info: AccountInfo?
        if address == memory.coinbase {
            switch memory.coinbaseAccount(below: index) {
            case .failure(let b): block(on: b.blocking, at: .account(address)); return nil
            case .success(let a):
                info = a
                reads.append(RecordedRead(.account(address), .coinbase(a)))
            }
        } else {
            switch memory.read(.account(address), below: index) {
            case .base:
                info = memory.base.account(address)
                reads.append(RecordedRead(.account(address), .base))
            case .estimate(let b): block(on: b, at: .account(address)); return nil
            case .value(let v, let value):
                if case .account(let a) = value { info = a } else { info = nil }
                reads.append(RecordedRead(.account(address), .version(v)))
            }
        }
        addressesRead.append(address)
        infosRead.append(FirstRead(info))
        return info
    }

    /// The position of the address in `addressesRead` (nil: this incarnation did not read the account).
    @inline(__always) private func firstRead(_ address: Address) -> Int? {
        let seen = addressesRead.elements
        for i in seen.indices where seen[i] == address { return i }
        return nil
    }

    /// True when this incarnation read the account and found it as `change` leaves it (existence, fields and code):
    /// then the change is no write to the account (`BlockSTMRun.appendWrites`).
    func readUnchanged(_ address: Address, as change: AccountChange) -> Bool {
        guard let i = firstRead(address) else { return false }
        // Compared field by field in place (`AccountInfo.==`): binding `change.info` copied the optional account
        // through its metadata's value witness.
        let first = infosRead.elements
        guard let nonce = change.info?.nonce else { return !first[i].exists }
        guard first[i].exists, first[i].info.nonce == nonce, first[i].info.balance == change.info?.balance else {
            return false
        }
        switch (first[i].info.storedCode, change.info?.storedCode ?? nil) {
        case (nil, nil): return true
        case (let a?, let b?): return a === b || a.hash == b.hash
        default: return false
        }
    }

    func storage(_ address: Address, key: UInt256) -> UInt256 {
        if isAborted { return .zero }
        jitter?.perturb()
        switch memory.storage(address, key, below: index) {
        case .failure(let b):
            block(on: b.blocking, at: .storage(address, key))
            return .zero
        case .success(let (value, origin)):
            reads.append(RecordedRead(.storage(address, key), origin))
            return value
        }
    }

    func hasStorage(_ address: Address) -> Bool {
        if isAborted { return false }
        jitter?.perturb()
        switch memory.hasStorage(address, below: index) {
        case .failure(let b):
            block(on: b.blocking, at: .storageKeys(address))
            return false
        case .success(let answer):
            reads.append(RecordedRead(.storageKeys(address), .hasStorage(answer)))
            return answer
        }
    }

}
