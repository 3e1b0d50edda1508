import EVMPrimitives

/// The read-after-write dependencies among a block's transactions, derived from a serial run's access sets, and
/// the bound they put on any parallel executor's speedup.
///
/// Transaction j depends on transaction i < j when i is the latest lower transaction that wrote a location j
/// reads. Only read-after-write counts: in Block-STM's model a write-after-write or write-after-read is resolved
/// by the multi-version memory (each write is versioned; the commit order is the block order), so it never
/// forces one transaction to wait for another. The coinbase is special: every included transaction credits its
/// fee to it as a commutative delta, which `SerialExecutor` leaves out of the write sets, so a transaction that
/// reads the coinbase account depends on every lower included transaction.
public struct DependencyGraph: Sendable, Equatable {
    /// For each transaction, the lower transactions it depends on through an explicit write, ascending
    /// (the implicit coinbase-fee dependencies are in `readsCoinbase`, so that a block full of coinbase readers
    /// does not store a quadratic number of edges).
    public let dependencies: [[Int]]
    /// Transactions that read the coinbase account: each also depends on every lower included transaction.
    public let readsCoinbase: [Bool]
    /// Transactions that were included (a rejected transaction has empty access sets: it neither reads nor writes).
    public let included: [Bool]

    /// Builds the graph from per-transaction access sets (`BlockOutcome.accessSets`). `coinbase` is the block's
    /// fee recipient; nil ignores the fee dependencies.
    public init(accessSets: [AccessSets], coinbase: Address? = nil) {
        var lastWriter: [StateLocation: Int] = [:]
        var dependencies: [[Int]] = []
        var readsCoinbase: [Bool] = []
        var included: [Bool] = []
        dependencies.reserveCapacity(accessSets.count)
        for (j, sets) in accessSets.enumerated() {
            var deps = Set<Int>()
            for location in sets.reads {
                if let i = lastWriter[location] { deps.insert(i) }
            }
            dependencies.append(deps.sorted())
            readsCoinbase.append(coinbase.map { sets.reads.contains(.account($0)) } ?? false)
            // Every included transaction writes at least its sender's nonce.
            included.append(!sets.writes.isEmpty || !sets.reads.isEmpty)
            for location in sets.writes { lastWriter[location] = j }
        }
        self.dependencies = dependencies
        self.readsCoinbase = readsCoinbase
        self.included = included
    }

    /// The graph of a serial outcome; `coinbase` is the block environment's.
    public init(outcome: BlockOutcome, coinbase: Address) {
        self.init(accessSets: outcome.accessSets, coinbase: coinbase)
    }

    public var transactionCount: Int { dependencies.count }

    /// All lower transactions `j` depends on, the coinbase-fee ones included, ascending.
    public func allDependencies(of j: Int) -> [Int] {
        guard readsCoinbase[j] else { return dependencies[j] }
        var all = Set(dependencies[j])
        for i in 0..<j where included[i] { all.insert(i) }
        return all.sorted()
    }

    /// Whether `j` depends on any lower transaction.
    public func hasDependency(_ j: Int) -> Bool {
        if !dependencies[j].isEmpty { return true }
        return readsCoinbase[j] && included[0..<j].contains(true)
    }

    /// The number of dependency edges, the coinbase-fee ones included.
    public var edgeCount: Int {
        var count = 0
        var includedBelow = 0
        for j in 0..<transactionCount {
            if readsCoinbase[j] {
                // Explicit edges to included transactions are already among the implicit ones.
                count += includedBelow + dependencies[j].filter { !included[$0] }.count
            } else {
                count += dependencies[j].count
            }
            if included[j] { includedBelow += 1 }
        }
        return count
    }

    /// Transactions that read a location a lower transaction wrote.
    public var conflictingTransactions: Int {
        (0..<transactionCount).reduce(0) { $0 + (hasDependency($1) ? 1 : 0) }
    }

    /// The share of the block's transactions that read a location a lower transaction wrote (0 for an empty block).
    public var conflictRate: Double {
        transactionCount == 0 ? 0 : Double(conflictingTransactions) / Double(transactionCount)
    }

    /// The heaviest chain of dependent transactions, with `weights[j]` the work of transaction j (gas used, or
    /// measured nanoseconds). No schedule can finish the block faster than this chain runs one after another.
    public func criticalPath(weights: [UInt64]) -> CriticalPath {
        let n = transactionCount
        precondition(weights.count == n, "one weight per transaction: \(n) transactions, \(weights.count) weights")
        var finish = [UInt64](repeating: 0, count: n)
        var predecessor = [Int](repeating: -1, count: n)
        // The heaviest chain ending at an included transaction below j, for coinbase readers.
        var bestIncluded: (weight: UInt64, index: Int) = (0, -1)
        var total: UInt64 = 0
        var best: (weight: UInt64, index: Int) = (0, -1)
        for j in 0..<n {
            var start: (weight: UInt64, index: Int) = (0, -1)
            for i in dependencies[j] where finish[i] > start.weight { start = (finish[i], i) }
            if readsCoinbase[j] && bestIncluded.weight > start.weight { start = bestIncluded }
            finish[j] = start.weight &+ weights[j]
            predecessor[j] = start.index
            total &+= weights[j]
            if included[j] && finish[j] > bestIncluded.weight { bestIncluded = (finish[j], j) }
            if finish[j] > best.weight { best = (finish[j], j) }
        }
        var path: [Int] = []
        var k = best.index
        while k >= 0 {
            path.append(k)
            k = predecessor[k]
        }
        return CriticalPath(weight: best.weight, total: total, transactions: path.reversed())
    }
}

/// The heaviest chain of dependent transactions of a block and the work of the whole block, in one unit
/// (gas or nanoseconds).
public struct CriticalPath: Sendable, Equatable {
    /// The chain's summed weight.
    public var weight: UInt64
    /// The summed weight of every transaction.
    public var total: UInt64
    /// The chain, in block order.
    public var transactions: [Int]

    public init(weight: UInt64, total: UInt64, transactions: [Int]) {
        self.weight = weight; self.total = total; self.transactions = transactions
    }

    /// total / critical path: the speedup the dependencies allow with unlimited threads (1 for an empty block).
    public var parallelism: Double {
        weight == 0 ? 1 : Double(total) / Double(weight)
    }

    /// The speedup the block's dependencies allow with `threads` workers: min(threads, total / critical path).
    public func idealSpeedup(threads: Int) -> Double {
        min(Double(max(1, threads)), parallelism)
    }
}
