#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// mimalloc, where it is this process's allocator: the `lockstep` binary links it ahead of libc (README, "The
/// allocator"); the test binaries do not, and a sanitizer build's `malloc` is the sanitizer's own.
public enum Mimalloc {
    /// mimalloc's `name`, where `malloc` in this process resolves to mimalloc's own; nil under any other allocator
    /// (mimalloc may be loaded without being the one `malloc` binds to). The one test for "runs on mimalloc":
    /// `RunEnvironment.allocator` and `IdleCollection` both ask it.
    public static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        #if os(Linux)
        guard let process = dlopen(nil, RTLD_NOW), let malloc = dlsym(process, "malloc"),
              let library = dlopen("libmimalloc.so.2", RTLD_NOW | RTLD_NOLOAD), let own = dlsym(library, "malloc"),
              malloc == own else { return nil }
        return dlsym(library, name)
        #else
        return nil
        #endif
    }
}
