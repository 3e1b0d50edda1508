import Foundation
import XCTest
@testable import Reports

/// The `lockstep` binary runs on mimalloc (linked ahead of libc; README, "The allocator"), and its reports say which
/// allocator a run had.
final class AllocatorTests: XCTestCase {
    /// The test process does not link mimalloc: the detection must not claim it.
    func testTheTestProcessReportsGlibcMalloc() {
        #if os(Linux)
        XCTAssertEqual(RunEnvironment.allocator(), "glibc malloc")
        #endif
    }

    /// The built `lockstep` binary, next to the test bundle, names mimalloc in its benchmark header.
    func testTheLockstepBinaryRunsOnMimalloc() throws {
        #if os(Linux)
        // A sanitizer build's binary has the sanitizer's allocator (its interceptors are linked into the binary itself).
        if let handle = dlopen(nil, RTLD_NOW), dlsym(handle, "__tsan_init") != nil || dlsym(handle, "__asan_init") != nil {
            throw XCTSkip("a sanitizer build: its allocator is the sanitizer's")
        }
        // The products directory: the test runner's own (Linux: the .xctest executable sits there).
        let runner = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let binary = runner.deletingLastPathComponent().appendingPathComponent("lockstep")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            return XCTFail("no lockstep binary at \(binary.path): build it with the tests (swift build --build-tests)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["bench", "evm", "--peer", "none", "--txs", "1", "--repeat", "1", "--workloads", "transfers"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains(", mimalloc 2."), "the header names another allocator: \(text)")
        #endif
    }

    /// The allocator line shows in the report's header only where the run recorded one (reports from before did not).
    func testTheHeaderShowsTheAllocatorWhenRecorded() {
        var report = Fixtures.report()
        XCTAssertFalse(ReportFacts.header(report).contains { $0.0 == "allocator" })
        report.environment.allocator = "mimalloc 2.0.9"
        XCTAssertTrue(ReportFacts.header(report).contains { $0 == ("allocator", "mimalloc 2.0.9") })
    }
}
