import XCTest
import Execution
import TestSupport

/// Asserts that a block outcome equals the serial executor's in everything a client compares (`outcomeDifferences`:
/// roots, logs, bloom, gas, rejections, receipts, requests, per-transaction gas, the post-state); `what` names the run.
func assertSameOutcome(_ serial: BlockOutcome, _ other: BlockOutcome, _ what: String,
                       file: StaticString = #filePath, line: UInt = #line) {
    for d in outcomeDifferences(serial, other) { XCTFail("\(d), \(what)", file: file, line: line) }
}
