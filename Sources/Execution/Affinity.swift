#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which processors this process may run on, and pinning a thread to one of them (Linux; elsewhere nothing is known
/// and nothing is pinned). Glibc's Swift module leaves out the GNU extensions these need, so they are looked up at
/// run time.
enum Affinity {
    #if os(Linux)
    private typealias GetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer?) -> Int32
    private typealias SetAffinity = @convention(c) (pthread_t, Int, UnsafeRawPointer?) -> Int32
    /// Bytes of a processor set: 1024 processors, glibc's `cpu_set_t`.
    private static let setSize = 128

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(handle, name)
    }
    #endif

    /// The processors the calling thread may run on, in increasing order; empty where that is unknown.
    static func allowedProcessors() -> [Int] {
        #if os(Linux)
        guard let get = symbol("sched_getaffinity") else { return [] }
        let getAffinity = unsafeBitCast(get, to: GetAffinity.self)
        var allowed = [UInt8](repeating: 0, count: setSize)
        guard allowed.withUnsafeMutableBytes({ getAffinity(0, setSize, $0.baseAddress) }) == 0 else { return [] }
        var cpus: [Int] = []
        for byte in 0..<setSize where allowed[byte] != 0 {
            for bit in 0..<8 where allowed[byte] & (1 << bit) != 0 { cpus.append(byte * 8 + bit) }
        }
        return cpus
        #else
        return []
        #endif
    }

    /// Pins `thread` to processor `cpu`; false where it could not.
    @discardableResult
    static func pin(_ thread: pthread_t, to cpu: Int) -> Bool {
        #if os(Linux)
        guard cpu >= 0, cpu < 8 * setSize, let set = symbol("pthread_setaffinity_np") else { return false }
        let setAffinity = unsafeBitCast(set, to: SetAffinity.self)
        var one = [UInt8](repeating: 0, count: setSize)
        one[cpu / 8] |= UInt8(1 << (cpu % 8))
        return one.withUnsafeBytes { setAffinity(thread, setSize, $0.baseAddress) } == 0
        #else
        return false
        #endif
    }
}
