import Reports
import EVMPrimitives

extension Shard {
    /// Whether this shard runs the unit of work with this name.
    ///
    /// A unit (a vector file, whose cases are loaded together, or a generated workload, whose executors and thread
    /// counts are timed together) belongs to the shard `fnv1a64(kind:name) mod count`. The hash is of the name only,
    /// so every shard decides alike without talking to the others, and adding a case moves no other case.
    public func owns(_ unit: String) -> Bool { Int(FNV1a64.hash(unit) % UInt64(count)) == index }
}
