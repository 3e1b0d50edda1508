import EVMPrimitives
import Synchronization

/// Where a parallel block's time went, and which state locations made work wasted or wait: what a parallel-EVM
/// developer needs before acting on a speedup. The BAL executor fills the phases it has (execution; its checks
/// against the list as validation; commit; roots) and never contends. Filled by Block-STM from per-worker clock readings taken at phase
/// boundaries only (a task's start and end, a stage's start and end: two `clock_gettime` calls per task) and
/// per-worker counters keyed by location, written only when a read blocks or a validation fails; both are merged
/// once, after the workers finish.
public struct BlockProfile: Codable, Sendable, Equatable {
    /// First incarnations, summed over workers (nanoseconds).
    public var executionNanoseconds: UInt64 = 0
    /// Later incarnations (re-executions after an abort or a blocked read).
    public var reExecutionNanoseconds: UInt64 = 0
    /// Read-set validations.
    public var validationNanoseconds: UInt64 = 0
    /// The block end's commit stage (state changes applied per shard, receipts encoded), with its serial step.
    public var commitNanoseconds: UInt64 = 0
    /// The block end's root stages (storage, account and receipts tries), with their serial steps.
    public var rootsNanoseconds: UInt64 = 0
    /// The most contended locations, most first, ties by location; at most `BlockProfile.topLocations`.
    public var contended: [Contention] = []

    /// How many contended locations a profile keeps.
    public static let topLocations = 10

    public init() {}
}

/// One contended location and how often.
public struct Contention: Codable, Sendable, Equatable {
    /// `0x<address> account` (nonce, balance and code: one location in the multi-version memory), `0x<address>
    /// storage[0x<slot>]`, `0x<address> lifecycle` (deleted or re-created) or `0x<address> storage keys`.
    public var location: String
    /// Validations that failed on this location (the first stale read of the read set).
    public var failedValidations: Int
    /// Reads that met an ESTIMATE (or an unknown coinbase fee) here and suspended the transaction.
    public var blockedReads: Int

    public init(location: String, failedValidations: Int, blockedReads: Int) {
        self.location = location; self.failedValidations = failedValidations; self.blockedReads = blockedReads
    }
}

/// One worker's share of a profile: plain fields, owned by the worker's own loop until it leaves.
struct WorkerProfile: Sendable {
    var execution: UInt64 = 0
    var reExecution: UInt64 = 0
    var validation: UInt64 = 0
    /// Allocated only at the first contention.
    var failed: [MemoryLocation: Int] = [:]
    var blocked: [MemoryLocation: Int] = [:]

    /// The workers' shares summed; contended locations merged and sorted by total count (descending), then by
    /// their text, so the same counts always print in the same order.
    static func merge(_ workers: [WorkerProfile]) -> BlockProfile {
        var p = BlockProfile()
        var failed: [MemoryLocation: Int] = [:], blocked: [MemoryLocation: Int] = [:]
        for w in workers {
            p.executionNanoseconds &+= w.execution
            p.reExecutionNanoseconds &+= w.reExecution
            p.validationNanoseconds &+= w.validation
            failed.merge(w.failed, uniquingKeysWith: +)
            blocked.merge(w.blocked, uniquingKeysWith: +)
        }
        let all = Set(failed.keys).union(blocked.keys).map { l in
            Contention(location: l.profileName, failedValidations: failed[l] ?? 0, blockedReads: blocked[l] ?? 0)
        }
        p.contended = Array(all.sorted {
            let a = $0.failedValidations + $0.blockedReads, b = $1.failedValidations + $1.blockedReads
            return a != b ? a > b : $0.location < $1.location
        }.prefix(BlockProfile.topLocations))
        return p
    }
}

extension MemoryLocation {
    /// How a profile names the location.
    var profileName: String {
        switch self {
        case .account(let a): "\(a) account"
        case .storage(let a, let k): "\(a) storage[\(k.hexString)]"
        case .lifecycle(let a): "\(a) lifecycle"
        case .storageKeys(let a): "\(a) storage keys"
        }
    }
}

/// Nanoseconds spent in the block end's stages, summed over workers (one atomic add per stage task).
final class StageClock: Sendable {
    let commit = Atomic<UInt64>(0)
    let roots = Atomic<UInt64>(0)

    /// `stages` with each prepare and task timed into `commit` (the first) or `roots` (the rest).
    func timing(_ stages: [WorkerGang.Stage]) -> [WorkerGang.Stage] {
        stages.enumerated().map { k, s in
            WorkerGang.Stage(prepare: { [self] in
                let start = Stopwatch.now()
                let n = s.prepare()
                add(k, Stopwatch.now() &- start)
                return n
            }, task: { [self] i in
                let start = Stopwatch.now()
                s.task(i)
                add(k, Stopwatch.now() &- start)
            })
        }
    }

    private func add(_ stage: Int, _ nanoseconds: UInt64) {
        if stage == 0 {
            commit.wrappingAdd(nanoseconds, ordering: .relaxed)
        } else {
            roots.wrappingAdd(nanoseconds, ordering: .relaxed)
        }
    }
}
