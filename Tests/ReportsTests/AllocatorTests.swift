import Foundation
import Synchronization
import XCTest
@testable import Reports
@testable import Execution

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
        guard let (status, text) = try runLockstep(["bench", "evm", "--peer", "none", "--txs", "1", "--repeat", "1",
                                                    "--workloads", "transfers"]) else { return }
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains(", mimalloc 2."), "the header names another allocator: \(text)")
        #endif
    }

    #if os(Linux)
    /// Runs the built `lockstep` binary (the test runner's products directory holds it) with `arguments`: its exit status
    /// and its stdout and stderr together (the benchmark headers, with the allocator, go to stderr). Skips in a sanitizer
    /// build, whose binary has the sanitizer's allocator (its interceptors are linked into the binary itself); nil after
    /// a failure when there is no binary.
    private func runLockstep(_ arguments: [String]) throws -> (Int32, String)? {
        if let handle = dlopen(nil, RTLD_NOW), dlsym(handle, "__tsan_init") != nil || dlsym(handle, "__asan_init") != nil {
            throw XCTSkip("a sanitizer build: its allocator is the sanitizer's")
        }
        // Linux: the .xctest executable sits in the products directory.
        let runner = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let binary = runner.deletingLastPathComponent().appendingPathComponent("lockstep")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            XCTFail("no lockstep binary at \(binary.path): build it with the tests (swift build --build-tests)")
            return nil
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
    #endif

    /// Idle gang workers call mimalloc's `mi_collect` only where `malloc` is mimalloc's: never in the test process.
    func testIdleWorkersCollectOnlyUnderMimalloc() throws {
        #if os(Linux)
        XCTAssertFalse(IdleCollection.isActive)
        XCTAssertNil(IdleCollection.Hook.resolve().collect)
        // The path itself is harmless without the hook: a gang woken and given jobs, over and over.
        let gang = WorkerGang(threads: 2)
        defer { gang.stop() }
        let sum = Mutex<Int>(0)
        for _ in 0..<50 {
            gang.wake()
            gang.forEach(8) { i in sum.withLock { $0 += i } }
        }
        XCTAssertEqual(sum.withLock { $0 }, 50 * 28)
        #endif
    }

    /// The `lockstep` binary, on mimalloc, runs parallel blocks whose idle workers collect between them (Block-STM, BAL
    /// and the partition bound all wake their gangs ahead of a block), and they check out.
    func testTheLockstepBinaryRunsParallelBlocksWithIdleCollection() throws {
        #if os(Linux)
        guard let (status, text) = try runLockstep(["bench", "blockstm", "--txs", "40", "--threads", "2", "--repeat", "3",
                                                    "--policy", "parallel", "--workloads", "transfers,dependent-counter"])
        else { return }
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains(", mimalloc 2."), text)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("transfers ") || $0.hasPrefix("dependent-counter ") }
        XCTAssertEqual(rows.count, 2, text)
        for row in rows { XCTAssertTrue(row.trimmingCharacters(in: .whitespaces).hasSuffix(" ok"), String(row)) }
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
