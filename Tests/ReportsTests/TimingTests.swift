import XCTest
@testable import Harness
import Execution

/// `Timing` is the one timing loop every command that times (`run`, `blocks`, `bench blockstm`, `bench evm`,
/// `bench blockstm --calibrate`) uses: its median, its round order and its clocks.
final class TimingTests: XCTestCase {
    func testMedianKnownAnswers() {
        XCTAssertEqual(Timing.median([]), 0)
        XCTAssertEqual(Timing.median([7]), 7)
        XCTAssertEqual(Timing.median([9, 1, 5]), 5)
        XCTAssertEqual(Timing.median([4, 1, 3, 2]), 2, "the mean of 2 and 3, rounded down")
        XCTAssertEqual(Timing.median([10, 20]), 15)
        XCTAssertEqual(Timing.median([UInt64.max, UInt64.max - 2]), UInt64.max - 1, "no overflow")
        XCTAssertEqual(Timing.median([1, 2]), 1)
    }

    func testRoundsInterleaveConfigurations() {
        var calls: [(Int, Int)] = []
        let samples = Timing.interleavedRounds(rounds: 3, configurations: 2) { c, r in calls.append((c, r)) }
        XCTAssertEqual(calls.map(\.0), [0, 1, 0, 1, 0, 1])
        XCTAssertEqual(calls.map(\.1), [0, 0, 1, 1, 2, 2])
        XCTAssertEqual(samples.map(\.count), [3, 3])
        XCTAssertEqual(Timing.interleavedRounds(rounds: 0, configurations: 2) { _, _ in }.map(\.count), [0, 0])
    }

    func testThreadCPUClockLeavesOutSleep() {
        // A sleeping thread's CPU clock stands (nearly) still while the wall clock runs on.
        let wall0 = Timing.now(.wall), cpu0 = Timing.now(.threadCPU)
        usleep(100_000)
        let wall = Timing.now(.wall) &- wall0, cpu = Timing.now(.threadCPU) &- cpu0
        XCTAssertGreaterThanOrEqual(wall, 100_000_000)
        XCTAssertLessThan(cpu, 50_000_000)
        // Work advances it.
        let start = Timing.now(.threadCPU)
        var x: UInt64 = 1
        for i in 0..<5_000_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
        XCTAssertNotEqual(x, 0)
        XCTAssertGreaterThan(Timing.now(.threadCPU) &- start, 0)
        XCTAssertGreaterThanOrEqual(Timing.now(), wall0 &+ wall, "now() is the wall clock")
    }
}
