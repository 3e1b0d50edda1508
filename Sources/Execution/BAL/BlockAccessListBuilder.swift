import EVMPrimitives
import EVMState

/// Derives a block's access list from a serial run (`--bal derive`): the pre-block system calls (EIP-4788,
/// EIP-2935) at index 0, then each transaction against the state its predecessors left (as `SerialExecutor`
/// runs them), then the withdrawals and the end-of-block system calls (EIP-7002, EIP-7251) at n + 1; every field and slot whose value after a step differs from before it is a change at that
/// step's index, every slot a transaction read and the block never changed is a read, and every account
/// a transaction read is listed. Rejected transactions contribute nothing.
public enum BlockAccessListBuilder {
    /// One account's entries while the list is being built.
    private struct Building {
        var storage: [UInt256: [BlockAccessList.Change<UInt256>]] = [:]
        var reads: Set<UInt256> = []
        var balance: [BlockAccessList.Change<UInt256>] = []
        var nonce: [BlockAccessList.Change<UInt64>] = []
        var code: [BlockAccessList.Change<[UInt8]>] = []
    }

    public static func derive(pre: InMemoryState, env: BlockEnvironment, transactions: [Transaction],
                              fork: Fork) -> BlockAccessList {
        var building: [Address: Building] = [:]
        var state = pre

        // Index 0: the pre-execution system calls (EIP-4788, EIP-2935).
        let before = state
        BlockFinalization.applyPreBlockSystemCalls(&state, env: env, fork: fork)
        record(index: 0, addresses: BlockFinalization.preBlockSystemAddresses, before: before, after: state,
               into: &building)
        let maxBlobGas = BlockFinalization.maxBlobGas(fork)
        var receipts: [Receipt] = []

        var cumulative: UInt64 = 0
        var blobGas: UInt64 = 0
        for (i, tx) in transactions.enumerated() {
            let result = TransactionProcessor.execute(tx, env: env, reader: state, fork: fork,
                                                      gasAvailable: env.gasLimit - cumulative, deferCoinbaseFee: true)
            guard case .success(let r) = result,
                  blobGas + r.blobGasUsed <= maxBlobGas else { continue }
            for a in r.readAccounts where building[a] == nil { building[a] = Building() }
            for s in r.readSlots { building[s.address, default: Building()].reads.insert(s.key) }
            var touched = Array(r.changes.accounts.keys)
            if !r.coinbaseFee.isZero && r.changes.accounts[env.coinbase] == nil { touched.append(env.coinbase) }
            var keys: [Address: [UInt256]] = [:]
            for (address, change) in r.changes.accounts {
                var k = Array(change.storage.keys)
                if change.storageCleared, let old = state.accounts[address] { k += old.storage.keys }
                keys[address] = k
            }
            let stepBefore = Snapshot(state, addresses: touched, keys: keys)
            state.apply(r.changes)
            state.credit(env.coinbase, r.coinbaseFee)
            record(index: i + 1, snapshot: stepBefore, after: state, into: &building)
            cumulative += r.gasUsed
            blobGas += r.blobGasUsed
            receipts.append(BlockFinalization.receipt(for: tx, result: r, cumulativeGasUsed: cumulative))
        }

        // Index n + 1: withdrawals.
        let last = transactions.count + 1
        let withdrawn = Array(Set(env.withdrawals.map(\.address)))
        let stepBefore = Snapshot(state, addresses: withdrawn, keys: [:])
        BlockFinalization.applyWithdrawals(&state, env: env)
        record(index: last, snapshot: stepBefore, after: state, into: &building)
        // Also n + 1: the request contracts' system calls (their changes only; deposits change nothing).
        let beforeRequests = state
        _ = BlockFinalization.applyRequests(&state, env: env, fork: fork, receipts: receipts)
        record(index: last, addresses: BlockFinalization.endOfBlockSystemAddresses, before: beforeRequests, after: state,
               into: &building)

        var list = BlockAccessList()
        for (address, b) in building {
            var a = BlockAccessList.AccountAccess(address: address)
            a.storageChanges = b.storage.map { BlockAccessList.SlotChanges(slot: $0.key, changes: $0.value) }
            a.storageReads = b.reads.filter { b.storage[$0] == nil }.sorted()
            a.balanceChanges = b.balance
            a.nonceChanges = b.nonce
            a.codeChanges = b.code
            list.accounts.append(a)
        }
        return list.normalized()
    }

    /// The fields and some slots of some accounts before a step.
    private struct Snapshot {
        var infos: [(Address, AccountInfo)]
        var slots: [Address: [(UInt256, UInt256)]]

        init(_ state: InMemoryState, addresses: [Address], keys: [Address: [UInt256]]) {
            infos = addresses.map { ($0, state.account($0) ?? AccountInfo()) }
            slots = [:]
            for (address, ks) in keys { slots[address] = ks.map { ($0, state.storage(address, key: $0)) } }
        }
    }

    private static func record(index: Int, snapshot: Snapshot, after: InMemoryState, into building: inout [Address: Building]) {
        for (address, old) in snapshot.infos {
            let new = after.account(address) ?? AccountInfo()
            if old.balance != new.balance { building[address, default: Building()].balance.append(.init(index: index, value: new.balance)) }
            if old.nonce != new.nonce { building[address, default: Building()].nonce.append(.init(index: index, value: new.nonce)) }
            if old.codeHash != new.codeHash { building[address, default: Building()].code.append(.init(index: index, value: new.code.bytes)) }
        }
        for (address, slots) in snapshot.slots {
            for (key, old) in slots {
                let new = after.storage(address, key: key)
                if old != new {
                    building[address, default: Building()].storage[key, default: []].append(.init(index: index, value: new))
                } else {
                    building[address, default: Building()].reads.insert(key)
                }
            }
        }
    }

    /// A step whose touched storage is not known in advance (the system call): every slot of `addresses`.
    private static func record(index: Int, addresses: [Address], before: InMemoryState, after: InMemoryState,
                               into building: inout [Address: Building]) {
        var keys: [Address: [UInt256]] = [:]
        var changed: [Address] = []
        for address in addresses {
            let old = before.accounts[address], new = after.accounts[address]
            guard old != new else { continue }
            changed.append(address)
            keys[address] = Array(Set((old?.storage.keys).map(Array.init) ?? []).union(new?.storage.keys.map { $0 } ?? []))
                .filter { before.storage(address, key: $0) != after.storage(address, key: $0) }
        }
        record(index: index, snapshot: Snapshot(before, addresses: changed, keys: keys), after: after, into: &building)
    }
}
