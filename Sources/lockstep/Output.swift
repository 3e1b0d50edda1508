import Foundation

/// The one writer of every command's stdout and stderr.
///
/// SIGPIPE is ignored (`Output.install`), so a closed pipe shows up as EPIPE on the write: then the process exits
/// quietly with status 141 (128 + SIGPIPE, what a shell reports for a tool the signal killed), as Unix tools do when
/// piped into `head`. Any other failure to write stdout (a full disk, `/dev/full`, a closed descriptor) prints one line
/// on stderr and exits with status 2 (`lockstep t8n`: 11, geth's I/O error), so that lost output never passes for
/// success. A failure to write stderr is ignored: there is nowhere left to say it.
enum Output {
    /// The exit status after a broken pipe.
    static let brokenPipeStatus: Int32 = 141
    /// The exit status after any other failure to write stdout; `lockstep t8n` sets geth's 11.
    nonisolated(unsafe) static var writeFailureStatus: Int32 = 2

    private static let lock = NSLock()

    /// Ignores SIGPIPE and checks, at exit, that what `print` buffered reached stdout.
    static func install() {
        signal(SIGPIPE, SIG_IGN)
        atexit {
            // `print` (ArgumentParser's help and errors) goes through stdio's buffer.
            if fflush(nil) != 0 { Output.failed(errno, stream: "standard output") }
        }
    }

    /// Writes `text` to stdout, all of it, or exits as described above.
    static func out(_ text: String) {
        write(text, fd: STDOUT_FILENO)
    }

    /// Writes `text` to stderr; failures are ignored.
    static func err(_ text: String) {
        write(text, fd: STDERR_FILENO)
    }

    private static func write(_ text: String, fd: Int32) {
        lock.lock()
        defer { lock.unlock() }
        // Anything `print` left in stdio's buffer goes first, to keep the order.
        if fd == STDOUT_FILENO { fflush(nil) }
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                let code = n < 0 ? errno : EIO
                if fd == STDERR_FILENO { return }
                failed(code, stream: "standard output")
            }
        }
    }

    /// Exits after a failed write of stdout: quietly on a broken pipe, else with one line on stderr.
    static func failed(_ code: Int32, stream: String) -> Never {
        if code == EPIPE { _exit(brokenPipeStatus) }
        let line = "error: cannot write to \(stream): \(String(cString: strerror(code)))\n"
        line.withCString { _ = Glibc.write(STDERR_FILENO, $0, strlen($0)) }
        _exit(writeFailureStatus)
    }
}
