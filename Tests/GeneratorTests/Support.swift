import Foundation
import XCTest
import EVMPrimitives
import Execution
@testable import Vectors
@testable import Workloads

/// Paths the generator tests read.
enum TestPaths {
    /// The package root (two levels above this file's directory).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// The committed, spec-checked block vectors.
    static let blocks = root + "/Vectors/blocks"
    static let contracts = root + "/Vectors/contracts"
    /// `LOCKSTEP_SHARED_VECTORS` if set, else `shared/vectors` beside the checkout.
    static var shared: String {
        if let env = ProcessInfo.processInfo.environment["LOCKSTEP_SHARED_VECTORS"], !env.isEmpty { return env }
        return URL(fileURLWithPath: root).deletingLastPathComponent().path + "/shared/vectors"
    }
    static var uniswapContracts: String { shared + "/contracts" }
}

/// Runs `body` on a thread with a stack deep enough for 1024 nested EVM call frames.
func onLargeStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.stackSize = 64 << 20
    thread.start()
    done.wait()
    guard let v = box.value else { fatalError("large-stack thread returned nothing") }
    return v
}

/// Carries a value out of the large-stack thread (written once before the semaphore is signalled).
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
    init() {}
}
