/// Open addressing with linear probing over a power-of-two table: the one probe loop of `SerialRule`'s chain tables
/// and `IndexedAccessList`'s indexes. The hash must be mixed (`Address.tableHash`, `SplitMix64.mix`): the home slot is
/// its low bits.
enum LinearProbe {
    /// The first position from `hash`'s home slot on (wrapping at `mask + 1`) at which `stop` holds: an empty slot or
    /// the key's own. The table must keep an empty slot, or a missing key probes for ever.
    @inline(__always)
    static func position(_ hash: UInt64, mask: Int, until stop: (Int) -> Bool) -> Int {
        var p = Int(truncatingIfNeeded: hash) & mask
        while !stop(p) { p = (p + 1) & mask }
        return p
    }
}
