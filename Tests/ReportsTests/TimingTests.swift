import XCTest
@testable import Harness
import Execution
import Reports

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
        // Odd rounds run the configurations in reverse: none always runs first.
        XCTAssertEqual(calls.map(\.0), [0, 1, 1, 0, 0, 1])
        XCTAssertEqual(calls.map(\.1), [0, 0, 1, 1, 2, 2])
        XCTAssertEqual(samples.map(\.count), [3, 3])
        XCTAssertEqual(Timing.interleavedRounds(rounds: 0, configurations: 2) { _, _ in }.map(\.count), [0, 0])
        // samples[c][r] is configuration c's run in round r, whatever the order: configuration 1 sleeps 2 ms in round 1.
        let timed = Timing.interleavedRounds(rounds: 2, configurations: 3) { c, r in if c == 1 && r == 1 { usleep(2_000) } }
        XCTAssertGreaterThanOrEqual(timed[1][1], 2_000_000)
        XCTAssertLessThan(timed[0][1], 2_000_000)
        XCTAssertLessThan(timed[2][1], 2_000_000)
    }

    func testPairedRatioIsTheMedianOfTheRoundsRatios() {
        // Rounds' ratios 2, 3, 1: their median is 2; the ratio of the medians would be 4 / 3.
        XCTAssertEqual(Timing.pairedRatio([2, 9, 4], [1, 3, 4]), 2)
        // A drift that slows both configurations of a round alike cancels.
        XCTAssertEqual(Timing.pairedRatio([10, 20, 40, 80], [5, 10, 20, 40]), 2)
        XCTAssertEqual(Timing.pairedRatio([], []), 0)
        XCTAssertEqual(Timing.pairedRatio([1, 2], [1]), 0, "unpaired samples give no ratio")
        XCTAssertEqual(Bootstrap.pairedRatio([2, 9, 4], [1, 3, 4], at: [1, 1, 2]), 3)
        XCTAssertTrue(Bootstrap.pairedRatio([1, 2], [1]).isNaN)
    }

    func testShortBlocksGetMoreRounds() {
        // 20 ms wanted: a 0.2 ms block would need 101 rounds, capped at 10 x 5; a 1 ms block 21; a 10 ms block keeps 5.
        XCTAssertEqual(BlockRunner.rounds(repeats: 5, minimumTimedNanoseconds: 20_000_000, serialNanoseconds: 200_000), 50)
        XCTAssertEqual(BlockRunner.rounds(repeats: 5, minimumTimedNanoseconds: 20_000_000, serialNanoseconds: 1_000_000), 21)
        XCTAssertEqual(BlockRunner.rounds(repeats: 5, minimumTimedNanoseconds: 20_000_000, serialNanoseconds: 10_000_000), 5)
        XCTAssertEqual(BlockRunner.rounds(repeats: 5, minimumTimedNanoseconds: 0, serialNanoseconds: 200_000), 5)
        XCTAssertEqual(BlockRunner.rounds(repeats: 0, minimumTimedNanoseconds: 20_000_000, serialNanoseconds: 200_000), 0)
        XCTAssertEqual(BlockRunner.rounds(repeats: 3, minimumTimedNanoseconds: 20_000_000, serialNanoseconds: 0), 30)
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
