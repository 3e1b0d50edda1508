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
    /// Everything read, in order (a location read twice appears twice; validation checks both). Copied by the
    /// multi-version memory into the worker's arena (`MVMemory.record`); the buffer is reused.
    private(set) var reads: [RecordedRead] = []
    /// Account values as first read, to drop writes that leave an account as the transaction found it
    /// (a storage-only change carries the unchanged account fields, which must not look like a write).
    /// A short list: a transaction reads few accounts, and a linear scan beats hashing for those.
    private(set) var accountsRead: [(address: Address, info: AccountInfo?)] = []

    init(memory: MVMemory, jitter: Jitter?) {
        self.memory = memory
        self.jitter = jitter
        reads.reserveCapacity(32)
        accountsRead.reserveCapacity(8)
    }

    /// Starts an incarnation of transaction `index`: forgets everything the previous one read.
    func begin(_ index: TxIndex) {
        self.index = index
        isAborted = false
        blocking = -1
        blockedLocation = nil
        reads.removeAll(keepingCapacity: true)
        accountsRead.removeAll(keepingCapacity: true)
    }

    private func block(on tx: TxIndex, at location: MemoryLocation) {
        isAborted = true
        blocking = tx
        blockedLocation = location
    }

    func account(_ address: Address) -> AccountInfo? {
        if isAborted { return nil }
        for seen in accountsRead where seen.address == address { return seen.info }
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
        accountsRead.append((address, info))
        return info
    }

    /// The account as this incarnation first read it: nil when it did not read it, `.some(nil)` when
    /// it read a missing account.
    func accountRead(_ address: Address) -> AccountInfo?? {
        for seen in accountsRead where seen.address == address { return .some(seen.info) }
        return nil
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
