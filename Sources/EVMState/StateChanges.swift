import EVMPrimitives

/// What one transaction did to one account, as the writes to apply on top of the state it read.
public struct AccountChange: Sendable, Equatable {
    /// nil: the account does not exist afterwards (destroyed, or touched while empty under EIP-161).
    public var info: AccountInfo?
    /// True when all storage the account had before must be dropped first (it was destroyed or re-created).
    public var storageCleared: Bool
    /// Slot writes applied after clearing; a zero value deletes the slot.
    public var storage: [UInt256: UInt256]
    /// False when only storage changed: `info` then repeats the value read, and is no write for
    /// dependency analysis (calls into one contract would otherwise all look dependent).
    public var infoChanged: Bool

    public init(info: AccountInfo?, storageCleared: Bool = false, storage: [UInt256: UInt256] = [:], infoChanged: Bool = true) {
        self.info = info; self.storageCleared = storageCleared; self.storage = storage; self.infoChanged = infoChanged
    }
}

/// The full write set of a transaction, keyed by address.
public struct StateChanges: Sendable, Equatable {
    public var accounts: [Address: AccountChange]
    public init(accounts: [Address: AccountChange] = [:]) { self.accounts = accounts }
}
