#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`): runs `callback` on generated inputs, with the
/// command-line options libFuzzer documents (`-max_total_time`, `-runs`, corpus directories, ...).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// Runs libFuzzer on `body` (a `@convention(c)` function that copies the input and checks it) and exits with the
/// driver's status. SwiftPM gives an executable target a `main` of its own, so the driver is called from it.
public func runFuzzer(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, body))
}

/// The input as an array.
public func bytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let data, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
}

/// Stops the run as a finding (libFuzzer saves the input) when a property does not hold.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        let text = "fuzz property failed: \(message())\n"
        text.withCString { _ = write(2, $0, strlen($0)) }
        abort()
    }
}
