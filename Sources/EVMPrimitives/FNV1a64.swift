/// 64-bit FNV-1a over a string's UTF-8 bytes: a hash that is the same in every process, on every platform and
/// under every Swift version (unlike `Hasher`, which is seeded per process). Lockstep uses it wherever a name must
/// map to the same number on every machine: the shard that owns a unit of work (`Shard.owns` in Harness) and the
/// bootstrap's per-metric resampling streams (`Bootstrap` in Reports).
public enum FNV1a64 {
    public static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }
}
