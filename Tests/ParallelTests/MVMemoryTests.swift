import Synchronization
import XCTest
import EVMPrimitives
import EVMState
@testable import Execution
@testable import Workloads

/// The multi-version memory and scheduler on their own.
final class MVMemoryTests: XCTestCase {
    let a = Address(a: 1, b: 2, c: 3)
    let cb = Address(a: 9, b: 9, c: 9)

    /// A read's answer as text: "base", "estimate I", or the writer and word, "I:W" (with `incarnations`, "I.N=W").
    func text(_ read: MVRead, incarnations: Bool = false) -> String {
        switch read {
        case .base: return "base"
        case .estimate(let i): return "estimate \(i)"
        case .value(let v, .storage(let w)): return incarnations ? "\(v.index).\(v.incarnation)=\(w)" : "\(v.index):\(w)"
        case .value: return "?"
        }
    }

    func memory(_ base: InMemoryState = InMemoryState(), txs: Int = 8) -> MVMemory {
        MVMemory(base: base, coinbase: cb, transactions: txs, threads: 2)
    }

    /// `MVView.readUnchanged`: a change is no account write only where the incarnation read the account and the change
    /// leaves it as read: existence, nonce, balance and code (the same code by hash, not only by reference).
    func testReadUnchangedComparesExistenceFieldsAndCode() {
        let code = Code([0x60, 0x01, 0x00])
        let b = Address(a: 4, b: 4, c: 4), c = Address(a: 5, b: 5, c: 5), absent = Address(a: 6, b: 6, c: 6)
        let infoA = AccountInfo(nonce: 3, balance: UInt256(100))
        let infoB = AccountInfo(nonce: 1, balance: UInt256(7), code: code)
        let base = InMemoryState(accounts: [a: Account(info: infoA), b: Account(info: infoB)])
        let view = MVView(memory: memory(base), jitter: nil)
        view.begin(1)
        XCTAssertFalse(view.readUnchanged(a, as: AccountChange(info: infoA)), "not read yet")
        XCTAssertEqual(view.account(a), infoA)
        XCTAssertEqual(view.account(b), infoB)
        XCTAssertNil(view.account(absent))
        XCTAssertTrue(view.readUnchanged(a, as: AccountChange(info: infoA)))
        XCTAssertFalse(view.readUnchanged(a, as: AccountChange(info: AccountInfo(nonce: 4, balance: UInt256(100)))))
        XCTAssertFalse(view.readUnchanged(a, as: AccountChange(info: AccountInfo(nonce: 3, balance: UInt256(101)))))
        XCTAssertFalse(view.readUnchanged(a, as: AccountChange(info: nil)), "deleted")
        XCTAssertFalse(view.readUnchanged(a, as: AccountChange(info: AccountInfo(nonce: 3, balance: UInt256(100),
                                                                                  code: code))), "code added")
        XCTAssertTrue(view.readUnchanged(b, as: AccountChange(info: infoB)))
        XCTAssertTrue(view.readUnchanged(b, as: AccountChange(info: AccountInfo(nonce: 1, balance: UInt256(7),
                                                                                 code: Code(code.bytes)))), "same hash")
        XCTAssertFalse(view.readUnchanged(b, as: AccountChange(info: AccountInfo(nonce: 1, balance: UInt256(7),
                                                                                  code: Code([0x00])))), "other code")
        XCTAssertFalse(view.readUnchanged(b, as: AccountChange(info: AccountInfo(nonce: 1, balance: UInt256(7)))),
                       "code removed")
        XCTAssertTrue(view.readUnchanged(absent, as: AccountChange(info: nil)), "read absent, left absent")
        XCTAssertFalse(view.readUnchanged(absent, as: AccountChange(info: AccountInfo())), "read absent, created")
        XCTAssertFalse(view.readUnchanged(c, as: AccountChange(info: nil)), "never read")
        // A second read of an account answers the first read's value; a new incarnation forgets them.
        XCTAssertEqual(view.account(a), infoA)
        view.begin(1)
        XCTAssertFalse(view.readUnchanged(a, as: AccountChange(info: infoA)))
    }

    func testReadReturnsLatestLowerWriteOrBase() {
        let m = memory()
        _ = m.record(TxVersion(2, 0), reads: [], writes: [(.storage(a, 1), .storage(UInt256(20)))], fee: .zero)
        _ = m.record(TxVersion(5, 0), reads: [], writes: [(.storage(a, 1), .storage(UInt256(50)))], fee: .zero)
        guard case .base = m.read(.storage(a, 1), below: 2) else { return XCTFail("tx 2 reads base") }
        guard case .value(let v, .storage(let w)) = m.read(.storage(a, 1), below: 5) else { return XCTFail() }
        XCTAssertEqual(v, TxVersion(2, 0)); XCTAssertEqual(w, UInt256(20))
        guard case .value(let v2, _) = m.read(.storage(a, 1), below: 7) else { return XCTFail() }
        XCTAssertEqual(v2, TxVersion(5, 0))
        // Distinct keys that could share a stripe stay apart.
        guard case .base = m.read(.storage(a, 2), below: 7) else { return XCTFail("other slot untouched") }
    }

    /// A worker's `record` moves the incarnation's reads into its arena and the written values into the version
    /// lists: both buffers come back empty of them (the written locations stay), and every transaction's read set and
    /// values read back intact, across the arena's chunks (far more reads than its first chunk holds).
    func testWorkerRecordMovesItsBuffersIntact() {
        let n = 200
        let m = MVMemory(base: InMemoryState(), coinbase: cb, transactions: n, threads: 2)
        let reads = ReusableBuffer<RecordedRead>(capacity: 4)
        var writes = WriteBuffer(capacity: 4)
        func address(_ i: Int) -> Address { Address(a: 7, b: UInt64(i), c: 1) }
        func readsOf(_ i: Int) -> [RecordedRead] {
            (0..<(i % 37 + 1)).map { k in
                k % 3 == 0 ? RecordedRead(.account(address(k)), .coinbase(AccountInfo(nonce: UInt64(k), code: Code([0x60, UInt8(k % 256)]))))
                    : RecordedRead(.storage(address(i), UInt256(UInt64(k))), k % 3 == 1 ? .base : .version(TxVersion(k, 0)))
            }
        }
        for i in 0..<n {
            reads.removeAll()
            for r in readsOf(i) { reads.append(r) }
            writes.removeAll()
            writes.append(.account(address(i)), .account(AccountInfo(nonce: UInt64(i), code: Code([0x60, UInt8(i % 256)]))))
            writes.append(.storage(address(i), UInt256(UInt64(i))), .storage(UInt256(UInt64(i + 1))))
            writes.append(.storageKeys(address(i)), .storageKeys)
            XCTAssertTrue(m.record(TxVersion(i, 0), reads: reads, writes: &writes, fee: .zero, worker: i % 2))
            XCTAssertEqual(reads.count, 0, "tx \(i): the reads moved")
            XCTAssertEqual(writes.values.count, 0, "tx \(i): the values moved")
            XCTAssertEqual(Array(writes.locations), [.account(address(i)), .storage(address(i), UInt256(UInt64(i))),
                                                      .storageKeys(address(i))], "tx \(i): the locations stay")
        }
        for i in 0..<n {
            let recorded = m.readSet(i), expected = readsOf(i)
            XCTAssertEqual(recorded.map(\.location), expected.map(\.location), "tx \(i)")
            XCTAssertEqual(recorded.map(\.origin), expected.map(\.origin), "tx \(i)")
            guard case .value(let v, .account(let info?)) = m.read(.account(address(i)), below: n) else {
                return XCTFail("tx \(i): its account write")
            }
            XCTAssertEqual(v, TxVersion(i, 0))
            XCTAssertEqual(info, AccountInfo(nonce: UInt64(i), code: Code([0x60, UInt8(i % 256)])))
            guard case .success(let (word, _)) = m.storage(address(i), UInt256(UInt64(i)), below: n) else {
                return XCTFail("tx \(i): its slot write")
            }
            XCTAssertEqual(word, UInt256(UInt64(i + 1)))
            guard case .success(true) = m.hasStorage(address(i), below: n) else { return XCTFail("tx \(i): storage") }
        }
    }

    /// The lock-free summary of writers never answers above an index that wrote a hash (that would make a
    /// read skip a real write), keeps the lowest of several, and starts empty.
    func testFirstWriterOfABucketKeepsItsWritesInItsOwnSets() {
        // The first transaction to write a bucket keeps its writes there in its own sets (no version list); every later
        // writer's go into the lists; a read combines both, the higher writer below the reader winning.
        let m = memory(InMemoryState(), txs: 6)
        let slot = MemoryLocation.storage(a, UInt256(7))
        func value(below index: Int) -> String { text(m.read(slot, below: index), incarnations: true) }
        _ = m.record(TxVersion(3, 0), reads: [], writes: [(slot, .storage(UInt256(30)))], fee: .zero)
        XCTAssertEqual((2...5).map { value(below: $0) }, ["base", "base", "3.0=30", "3.0=30"])
        _ = m.record(TxVersion(1, 0), reads: [], writes: [(slot, .storage(UInt256(10)))], fee: .zero)
        _ = m.record(TxVersion(4, 0), reads: [], writes: [(slot, .storage(UInt256(40)))], fee: .zero)
        XCTAssertEqual((1...5).map { value(below: $0) }, ["base", "1.0=10", "1.0=10", "3.0=30", "4.0=40"])
        m.convertWritesToEstimates(3)
        XCTAssertEqual((3...5).map { value(below: $0) }, ["1.0=10", "estimate 3", "4.0=40"])
        // The next incarnation of the first writer no longer writes the slot: its old write is gone.
        _ = m.record(TxVersion(3, 1), reads: [], writes: [(.storage(a, UInt256(8)), .storage(UInt256(1)))], fee: .zero)
        XCTAssertEqual((3...5).map { value(below: $0) }, ["1.0=10", "1.0=10", "4.0=40"])
        // And again it does, as incarnation 2: found as that incarnation.
        _ = m.record(TxVersion(3, 2), reads: [], writes: [(slot, .storage(UInt256(32)))], fee: .zero)
        XCTAssertEqual((3...5).map { value(below: $0) }, ["1.0=10", "3.2=32", "4.0=40"])
    }

    func testLowestWritersRegisterOneFirstWriterPerBucket() {
        let w = LowestWriters(buckets: 1 << 12)
        let h: UInt64 = 0x1234_5678_9abc_def0
        XCTAssertTrue(w.mayRegister(h, 5))
        XCTAssertTrue(w.register(h, 5), "the first writer of an empty bucket")
        XCTAssertEqual(w.lowest(h), 5)
        XCTAssertFalse(w.mayRegister(h, 2))
        XCTAssertFalse(w.register(h, 2), "a second writer goes to the lists")
        XCTAssertEqual(w.lowest(h), 2, "and lowers the bucket")
        XCTAssertTrue(w.register(h, 5), "the first writer stays the first writer")
        XCTAssertEqual(w.bucket(of: h).first, 5)
        XCTAssertFalse(w.bucket(of: h).listed)
        w.lower(h, to: 9, listing: true)
        XCTAssertTrue(w.bucket(of: h).listed)
        XCTAssertEqual(w.lowest(h), 2, "never raised")
    }

    func testLowestWritersNeverAboveAWrittenIndex() {
        for buckets in [1, 4096, 32 * 1000, 1 << 30] {
            let writers = LowestWriters(buckets: buckets)
            var rng = BlockSTMRandomBlockTests.SplitMix(state: UInt64(buckets))
            var written: [(hash: UInt64, index: Int)] = []
            for _ in 0..<5000 {
                let h = rng.next()
                let index = Int(rng.next() % 2000)
                writers.lower(h, to: index)
                writers.lower(h, to: index + 5)  // a higher writer of the same location changes nothing
                written.append((h, index))
            }
            for w in written { XCTAssertLessThanOrEqual(writers.lowest(w.hash), w.index, "buckets \(buckets): hash \(w.hash)") }
            let empty = LowestWriters(buckets: buckets)
            XCTAssertTrue(written.allSatisfy { empty.lowest($0.hash) == LowestWriters.none }, "a new summary is empty")
        }
    }

    /// Reads of locations whose bucket no lower transaction wrote go to the base state; once a location is
    /// written (even one sharing a bucket with others) the locked path finds it. With 4096 buckets and
    /// 3000 written slots, many unwritten slots share buckets with written ones. The writer itself, and
    /// transactions below it, read the base state.
    func testReadsThroughTheWrittenSummary() {
        var base = InMemoryState()
        base.accounts[a] = Account(info: AccountInfo(nonce: 1), storage: [UInt256(7): UInt256(70)])
        let m = MVMemory(base: base, coinbase: cb, transactions: 1, threads: 1)
        let n = 3000
        _ = m.record(TxVersion(0, 0), reads: [],
                     writes: (0..<n).map { (MemoryLocation.storage(a, UInt256(UInt64(2 * $0 + 100))), MVValue.storage(UInt256(UInt64($0 + 1)))) },
                     fee: .zero)
        for i in 0..<n {
            guard case .value(_, .storage(let w)) = m.read(.storage(a, UInt256(UInt64(2 * i + 100))), below: 1) else {
                return XCTFail("written slot \(i) not found")
            }
            XCTAssertEqual(w, UInt256(UInt64(i + 1)))
            guard case .base = m.read(.storage(a, UInt256(UInt64(2 * i + 101))), below: 1) else {
                return XCTFail("unwritten slot \(i) must read base")
            }
        }
        guard case .success(let (v, .base)) = m.storage(a, UInt256(7), below: 1) else { return XCTFail() }
        XCTAssertEqual(v, UInt256(70))
        guard case .base = m.read(.storage(a, UInt256(100)), below: 0) else { return XCTFail("the writer reads base") }
    }

    /// `LockedSlots`: every slot starts from its initial value and keeps its own value.
    func testLockedSlotsKeepTheirOwnValues() {
        let slots = LockedSlots<[Int]>(count: 100) { [$0] }
        for i in 0..<100 { slots.withLock(i) { $0.append(i * 2) } }
        for i in 0..<100 { XCTAssertEqual(slots.withLock(i) { $0 }, [i, i * 2]) }
        let empty = LockedSlots<Int>(count: 0) { $0 }
        XCTAssertEqual(empty.count, 0)
    }

    /// Writers arriving out of index order, and removals and estimates of the highest and of lower entries.
    func testVersionListsOutOfOrder() {
        let m = memory(txs: 10)
        let slot = MemoryLocation.storage(a, 9)
        for i in [5, 2, 7, 3] {
            _ = m.record(TxVersion(i, 0), reads: [], writes: [(slot, .storage(UInt256(UInt64(i * 10))))], fee: .zero)
        }
        func seen(below i: Int) -> String { text(m.read(slot, below: i)) }
        XCTAssertEqual((0..<10).map(seen), ["base", "base", "base", "2:20", "3:30", "3:30", "5:50", "5:50", "7:70", "7:70"])
        m.convertWritesToEstimates(7)
        m.convertWritesToEstimates(3)
        XCTAssertEqual(seen(below: 9), "estimate 7")
        XCTAssertEqual(seen(below: 5), "estimate 3")
        XCTAssertEqual(seen(below: 7), "5:50")
        // The next incarnations stop writing the slot: the entries go, the highest one and a lower one.
        _ = m.record(TxVersion(7, 1), reads: [], writes: [], fee: .zero)
        _ = m.record(TxVersion(3, 1), reads: [], writes: [], fee: .zero)
        XCTAssertEqual((0..<10).map(seen), ["base", "base", "base", "2:20", "2:20", "2:20", "5:50", "5:50", "5:50", "5:50"])
        // Rewriting the highest in place, then one above it.
        _ = m.record(TxVersion(5, 1), reads: [], writes: [(slot, .storage(UInt256(55)))], fee: .zero)
        _ = m.record(TxVersion(8, 0), reads: [], writes: [(slot, .storage(UInt256(80)))], fee: .zero)
        XCTAssertEqual((0..<10).map(seen), ["base", "base", "base", "2:20", "2:20", "2:20", "5:55", "5:55", "5:55", "8:80"])
        for i in [8, 5, 2] { _ = m.record(TxVersion(i, 2), reads: [], writes: [], fee: .zero) }
        XCTAssertEqual(seen(below: 10), "base", "the last entry gone, the location is gone")
    }

    func testEstimateBlocksAndValidationFails() {
        let m = memory()
        _ = m.record(TxVersion(1, 0), reads: [], writes: [(.account(a), .account(AccountInfo(nonce: 1)))], fee: .zero)
        _ = m.record(TxVersion(3, 0), reads: [RecordedRead(.account(a), .version(TxVersion(1, 0)))], writes: [], fee: .zero)
        XCTAssertTrue(m.validateReadSet(3))
        m.convertWritesToEstimates(1)
        guard case .estimate(1) = m.read(.account(a), below: 3) else { return XCTFail("estimate expected") }
        XCTAssertFalse(m.validateReadSet(3))
        // The next incarnation writes the same location again: not a new location.
        XCTAssertFalse(m.record(TxVersion(1, 1), reads: [], writes: [(.account(a), .account(AccountInfo(nonce: 2)))], fee: .zero))
        XCTAssertFalse(m.validateReadSet(3), "the version changed")
        // An incarnation that stops writing a location removes its entry.
        XCTAssertFalse(m.record(TxVersion(1, 2), reads: [], writes: [], fee: .zero))
        guard case .base = m.read(.account(a), below: 3) else { return XCTFail("entry removed") }
        XCTAssertTrue(m.record(TxVersion(1, 3), reads: [], writes: [(.storage(a, 4), .storage(UInt256(1)))], fee: .zero))
    }

    /// Reads of the base state are validated in place when no lower transaction wrote their bucket
    /// (`firstInvalidRead`): a lower write of the account, of the slot, or of the slot's account's lifecycle still
    /// invalidates them; a higher transaction's writes do not.
    func testBaseReadsFailValidationAfterALowerWrite() {
        let b = Address(a: 4, b: 5, c: 6)
        let reads = [RecordedRead(.account(b), .base), RecordedRead(.storage(a, UInt256(1)), .base)]
        for lower: (MemoryLocation, MVValue)? in [nil, (.account(b), .account(AccountInfo(nonce: 1))),
                                                   (.storage(a, UInt256(1)), .storage(UInt256(5))),
                                                   (.lifecycle(a), .lifecycle)] {
            let m = memory()
            _ = m.record(TxVersion(4, 0), reads: reads, writes: [], fee: .zero)
            _ = m.record(TxVersion(6, 0), reads: [], writes: [(.account(b), .account(nil)), (.lifecycle(a), .lifecycle),
                                                             (.storage(a, UInt256(1)), .storage(UInt256(9)))], fee: .zero)
            XCTAssertTrue(m.validateReadSet(4), "only a higher transaction wrote")
            guard let (location, value) = lower else { continue }
            _ = m.record(TxVersion(2, 0), reads: [], writes: [(location, value)], fee: .zero)
            XCTAssertFalse(m.validateReadSet(4), "\(location) written below")
        }
    }

    func testLifecycleHidesOlderSlotWrites() {
        var base = InMemoryState()
        base.accounts[a] = Account(info: AccountInfo(nonce: 1), storage: [UInt256(1): UInt256(11)])
        let m = memory(base)
        func value(_ key: UInt64, below i: Int) -> UInt256? {
            if case .success(let (v, _)) = m.storage(a, UInt256(key), below: i) { return v }
            return nil
        }
        XCTAssertEqual(value(1, below: 4), UInt256(11))
        XCTAssertTrue(try XCTUnwrap(m.hasStorage(a, below: 4).get()))
        _ = m.record(TxVersion(1, 0), reads: [], writes: [(.storage(a, 2), .storage(UInt256(22))),
                                                         (.storageKeys(a), .storageKeys)], fee: .zero)
        _ = m.record(TxVersion(3, 0), reads: [], writes: [(.lifecycle(a), .lifecycle), (.account(a), .account(nil))], fee: .zero)
        _ = m.record(TxVersion(5, 0), reads: [], writes: [(.lifecycle(a), .lifecycle), (.storage(a, 2), .storage(UInt256(7))),
                                                         (.storageKeys(a), .storageKeys)], fee: .zero)
        XCTAssertEqual(value(2, below: 3), UInt256(22))
        XCTAssertEqual(value(1, below: 3), UInt256(11))
        XCTAssertEqual(value(1, below: 4), .zero, "deleted at tx 3")
        XCTAssertEqual(value(2, below: 4), .zero)
        XCTAssertEqual(value(2, below: 6), UInt256(7), "re-created and written in tx 5")
        XCTAssertEqual(try XCTUnwrap(m.hasStorage(a, below: 3).get()), true)
        XCTAssertEqual(try XCTUnwrap(m.hasStorage(a, below: 4).get()), false)
        XCTAssertEqual(try XCTUnwrap(m.hasStorage(a, below: 6).get()), true)
        // A zero written after the re-creation leaves no storage.
        _ = m.record(TxVersion(6, 0), reads: [], writes: [(.storage(a, 2), .storage(.zero)),
                                                         (.storageKeys(a), .storageKeys)], fee: .zero)
        XCTAssertEqual(try XCTUnwrap(m.hasStorage(a, below: 7).get()), false)
        m.convertWritesToEstimates(3)
        guard case .failure(let b) = m.storage(a, UInt256(1), below: 4) else { return XCTFail("blocked on tx 3") }
        XCTAssertEqual(b.blocking, 3)
        XCTAssertEqual(value(2, below: 6), UInt256(7), "a newer write decides, the estimate below does not")
    }

    /// The storage markers stay in the write sets (no version list that every transaction storing into one
    /// contract would share): `hasStorage` finds the writers through them, blocks on an aborted one, and
    /// follows a re-incarnation that stops storing into the account.
    func testHasStorageFollowsTheWriteSetsMarkers() {
        let m = memory()
        let b = Address(a: 4, b: 5, c: 6)
        func answer(below i: Int) -> String {
            switch m.hasStorage(a, below: i) {
            case .success(let has): return has ? "yes" : "no"
            case .failure(let blocked): return "blocked \(blocked.blocking)"
            }
        }
        XCTAssertEqual(answer(below: 8), "no")
        _ = m.record(TxVersion(2, 0), reads: [], writes: [(.storage(a, 1), .storage(UInt256(5))), (.storageKeys(a), .storageKeys)],
                     fee: .zero)
        _ = m.record(TxVersion(4, 0), reads: [], writes: [(.storage(b, 1), .storage(UInt256(5))), (.storageKeys(b), .storageKeys)],
                     fee: .zero)
        guard case .base = m.read(.storageKeys(a), below: 8) else { return XCTFail("a marker is no version list entry") }
        XCTAssertEqual((1...5).map { answer(below: $0) }, ["no", "no", "yes", "yes", "yes"])
        m.convertWritesToEstimates(2)
        XCTAssertEqual(answer(below: 3), "blocked 2")
        XCTAssertEqual(answer(below: 2), "no")
        // Tx 2's next incarnation zeroes the slot, the one after no longer stores into the account.
        _ = m.record(TxVersion(2, 1), reads: [], writes: [(.storage(a, 1), .storage(.zero)), (.storageKeys(a), .storageKeys)],
                     fee: .zero)
        XCTAssertEqual(answer(below: 3), "no")
        m.convertWritesToEstimates(4)
        XCTAssertEqual(answer(below: 5), "no", "aborted tx 4 stored into another account: no reason to wait")
        _ = m.record(TxVersion(2, 2), reads: [], writes: [(.storage(b, 2), .storage(UInt256(1))), (.storageKeys(b), .storageKeys)],
                     fee: .zero)
        XCTAssertEqual(answer(below: 8), "no")
        _ = m.record(TxVersion(6, 0), reads: [], writes: [(.storage(a, 3), .storage(UInt256(1))), (.storageKeys(a), .storageKeys)],
                     fee: .zero)
        XCTAssertEqual((5...8).map { answer(below: $0) }, ["no", "no", "yes", "yes"])
    }

    func testCoinbaseAddsDeferredFeesOfLowerTransactions() {
        var base = InMemoryState()
        base.accounts[cb] = Account(info: AccountInfo(balance: UInt256(100)))
        let m = memory(base, txs: 6)
        guard case .failure(let b) = m.coinbaseAccount(below: 3) else { return XCTFail("tx 2 has not run") }
        XCTAssertEqual(b.blocking, 2)
        for i in 0..<3 { _ = m.record(TxVersion(i, 0), reads: [], writes: [], fee: UInt256(UInt64(i + 1))) }
        XCTAssertEqual(try XCTUnwrap(m.coinbaseAccount(below: 3).get())?.balance, UInt256(106))
        // Tx 3 writes the coinbase absolutely (the value it read, fees included, plus 1000); its own fee
        // is credited after its write.
        _ = m.record(TxVersion(3, 0), reads: [], writes: [(.account(cb), .account(AccountInfo(balance: UInt256(1106))))],
                     fee: UInt256(10))
        _ = m.record(TxVersion(4, 0), reads: [], writes: [], fee: UInt256(20))
        XCTAssertEqual(try XCTUnwrap(m.coinbaseAccount(below: 5).get())?.balance, UInt256(1136))
        m.convertWritesToEstimates(1)
        guard case .failure(let b1) = m.coinbaseAccount(below: 3) else { return XCTFail("fee of tx 1 unknown") }
        XCTAssertEqual(b1.blocking, 1)
        XCTAssertEqual(try XCTUnwrap(m.coinbaseAccount(below: 5).get())?.balance, UInt256(1136),
                       "fees below the last absolute write do not matter")
    }

    func testSchedulerRunsEveryTransactionToValidated() {
        // One worker driving the scheduler by hand: every transaction executes once and validates once.
        let s = Scheduler(transactions: 3)
        var executed: [Int] = [], validated: [Int] = []
        var task: SchedulerTask?
        var guardCount = 0
        while !s.done && guardCount < 100 {
            guardCount += 1
            if task == nil { task = s.nextTask(); continue }
            switch task {
            case .execute(let v)?:
                executed.append(v.index)
                task = s.finishExecution(v, wroteNewLocation: true)
            case .validate(let v)?:
                validated.append(v.index)
                task = s.finishValidation(v.index, aborted: false)
            case nil: break
            }
        }
        XCTAssertTrue(s.done)
        XCTAssertEqual(executed, [0, 1, 2])
        XCTAssertEqual(validated, [0, 1, 2])
    }

    func testLockedSlotsDeinitializeTheirValues() {
        // The slots' values are released with the slots (the deinit goes through a function made where the value
        // type is known), and a slot's new value releases its old one.
        final class Tracked: Sendable {
            let deinits: Mutex<Int>
            init() { deinits = Mutex(0) }
        }
        final class Value: Sendable {
            let tracker: Tracked
            init(_ tracker: Tracked) { self.tracker = tracker }
            deinit { tracker.deinits.withLock { $0 += 1 } }
        }
        let tracker = Tracked()
        do {
            let slots = LockedSlots<[Value]>(count: 5) { i in (0..<i).map { _ in Value(tracker) } }
            slots.withLock(4) { $0 = [Value(tracker)] }
            XCTAssertEqual(tracker.deinits.withLock { $0 }, 4, "the replaced values")
            XCTAssertEqual(slots.withLock(3) { $0.count }, 3)
        }
        XCTAssertEqual(tracker.deinits.withLock { $0 }, 4 + (0 + 1 + 2 + 3) + 1, "every value is released with the slots")
    }

    func testSchedulerHandsBackTheNextValidationAfterAnExecution() {
        // A transaction that is the next to validate when its execution finishes validates at once, on the same
        // worker, with the validation index moved past it; one that is not (a lower one is still executing) is left
        // to `nextTask`, which claims it once the lower one is validated.
        let s = Scheduler(transactions: 3)
        guard case .execute(let v0)? = s.nextTask() else { return XCTFail() }
        guard case .validate(let w0)? = s.finishExecution(v0, wroteNewLocation: true) else {
            return XCTFail("tx 0 is next to validate: its validation comes straight back")
        }
        XCTAssertEqual(w0, v0)
        XCTAssertNil(s.finishValidation(w0.index, aborted: false))
        guard case .execute(let v1)? = s.nextTask() else { return XCTFail() }
        guard case .execute(let v2)? = s.nextTask() else {
            return XCTFail("tx 1 is not executed yet: no validation to claim, so the next execution")
        }
        XCTAssertNil(s.finishExecution(v2, wroteNewLocation: true), "tx 1 is not validated yet: tx 2 waits for nextTask")
        guard case .validate(let w1)? = s.finishExecution(v1, wroteNewLocation: true) else {
            return XCTFail("the validation index waited at tx 1, so its validation comes straight back")
        }
        XCTAssertEqual(w1, v1)
        XCTAssertNil(s.finishValidation(w1.index, aborted: false))
        var validated: [TxVersion] = []
        while case .validate(let v)? = s.nextTask() {
            validated.append(v)
            XCTAssertNil(s.finishValidation(v.index, aborted: false))
        }
        XCTAssertEqual(validated, [v2])
        XCTAssertNil(s.nextTask())
        XCTAssertTrue(s.done)
    }

    func testSchedulerValidatesIndependentTransactionsOnceEach() {
        // Two workers' worth of independent transactions finishing out of order (each one's execution ends before
        // the one below it): every transaction is validated exactly once. The paper's scheduler claimed the
        // validation of a transaction still executing, found it empty, and when that transaction finished its new
        // writes lowered the validation index again, so the ones validated meanwhile were validated twice.
        let n = 8
        let s = Scheduler(transactions: n)
        var validations: [TxIndex: Int] = [:]
        func drain(_ first: SchedulerTask?) {
            var task = first
            while let t = task {
                switch t {
                case .execute(let v): task = s.finishExecution(v, wroteNewLocation: true)
                case .validate(let v):
                    validations[v.index, default: 0] += 1
                    task = s.finishValidation(v.index, aborted: false)
                }
            }
        }
        for _ in 0..<(n / 2) {
            // Two executions claimed (a validation claimed on the way runs at once), the higher one finishing first.
            var pending: [TxVersion] = []
            while pending.count < 2 {
                guard let t = s.nextTask() else { return XCTFail("an execution was there to claim") }
                if case .execute(let v) = t { pending.append(v) } else { drain(t) }
            }
            drain(s.finishExecution(pending[1], wroteNewLocation: true))
            drain(s.finishExecution(pending[0], wroteNewLocation: true))
        }
        while let t = s.nextTask() { drain(t) }
        XCTAssertTrue(s.done)
        XCTAssertEqual(validations, Dictionary(uniqueKeysWithValues: (0..<n).map { ($0, 1) }))
    }

    func testSchedulerDependencyResumesTheWaiter() {
        let s = Scheduler(transactions: 2)
        guard case .execute(let v0)? = s.nextTask() else { return XCTFail() }
        // Validation goes first while it lags execution; tx 0 is not executed yet, so the next execution.
        guard case .execute(let v1)? = s.nextTask() else { return XCTFail() }
        XCTAssertTrue(s.addDependency(v1.index, blocking: v0.index))
        _ = s.finishExecution(v0, wroteNewLocation: true)
        // Tx 1 is ready again as incarnation 1.
        var sawReExecution = false
        for _ in 0..<10 {
            if case .execute(let v)? = s.nextTask() {
                XCTAssertEqual(v, TxVersion(1, 1))
                sawReExecution = true
                break
            }
        }
        XCTAssertTrue(sawReExecution)
        XCTAssertFalse(s.done)
    }

    func testSerialRule() {
        let env = BlockSTMBenchmark.environment(gas: 0)
        let dependent = BlockSTMBenchmark.blocks(txs: 200).first { $0.name == "dependent-counter" }
        let transfers = BlockSTMBenchmark.blocks(txs: 200).first { $0.name == "erc20-transfers" }
        XCTAssertEqual(SerialRule.parallelism(dependent?.txs ?? [], env: env), 1, accuracy: 1e-9)
        XCTAssertEqual(SerialRule.parallelism(transfers?.txs ?? [], env: env), 200, accuracy: 1e-9)
        XCTAssertTrue(SerialRule.prefersSerial(dependent?.txs ?? [], env: env, threads: 8, cores: 8))
        XCTAssertFalse(SerialRule.prefersSerial(transfers?.txs ?? [], env: env, threads: 4, cores: 4))
        XCTAssertTrue(SerialRule.prefersSerial(transfers?.txs ?? [], env: env, threads: 4, cores: 1), "one core")
        // A chain holding half the gas leaves at most 1.6x at 4 threads (Amdahl): not worth Block-STM's cost.
        let halfHot = (transfers?.txs ?? []).enumerated().map { i, tx -> Transaction in
            var t = tx
            if i % 2 == 0 { t.data = (transfers?.txs ?? [])[0].data }
            return t
        }
        XCTAssertEqual(SerialRule.parallelism(halfHot, env: env), 2, accuracy: 1e-9)
        XCTAssertTrue(SerialRule.prefersSerial(halfHot, env: env, threads: 4, cores: 4))
        XCTAssertTrue(SerialRule.prefersSerial(Array((transfers?.txs ?? []).prefix(3)), env: env, threads: 2, cores: 2),
                      "three transfers are cheaper than starting threads")
        XCTAssertTrue(SerialRule.prefersSerial([], env: env, threads: 4, cores: 4))
    }

    func testAdaptivePolicyRecordsItsChoice() {
        for b in BlockSTMBenchmark.blocks(txs: 60) {
            let serial = SerialExecutor().execute(pre: b.pre, env: b.env, transactions: b.txs, fork: .cancun)
            let outcome = BlockSTMExecutor(threads: 2).execute(pre: b.pre, env: b.env, transactions: b.txs, fork: .cancun)
            Check.assertSame(serial, outcome, b.name)
            XCTAssertEqual(outcome.metrics.threads, 2)
            let expectSerial = SerialRule.prefersSerial(b.txs, env: b.env, threads: 2)
            // A run the host slowed below serial is finished serially whatever was decided (`ProgressRule`).
            XCTAssertEqual(outcome.metrics.ranSerially && outcome.metrics.serialReason != .slowRun, expectSerial, b.name)
            if b.name == "dependent-counter" { XCTAssertTrue(outcome.metrics.ranSerially) }
        }
    }
}
