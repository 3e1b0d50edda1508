import Foundation
import Synchronization

/// Seeded perturbation of Block-STM's worker loop, to shake out races in tests: at the points where
/// interleavings matter (before and after executing, validating and reading the multi-version memory)
/// a worker yields its core, spins a random short while, or sleeps a few microseconds. The choices are a
/// deterministic function of the seed and the worker number; only the OS scheduler adds chance.
public struct StressOptions: Sendable, Equatable {
    public var seed: UInt64
    public init(seed: UInt64) { self.seed = seed }
}

/// One worker's perturbation source (a SplitMix64 stream); used by that worker's thread only.
final class Jitter {
    private var state: UInt64
    private let probe: Scheduler?

    init(options: StressOptions, worker: Int, probe: Scheduler?) {
        state = options.seed ^ (UInt64(worker) &* 0x9E37_79B9_7F4A_7C15)
        self.probe = probe
    }

    private func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    func perturb() {
        let r = next()
        switch r & 15 {
        case 0, 1, 2:
            sched_yield()
        case 3, 4, 5, 6:
            // A short spin on a shared atomic: the load is a side effect the optimiser must keep.
            var sink = 0
            for _ in 0..<Int((r >> 8) & 2047) { sink &+= probe?.spinProbe() ?? 1 }
            if sink == Int.min { sched_yield() }
        case 7:
            usleep(UInt32(1 + (r >> 8) % 40))
        default:
            break
        }
    }
}
