import XCTest
import Execution

/// Asserts that a block outcome equals the serial executor's in everything a client compares: roots, logs, bloom, gas,
/// blob gas, rejections, receipts, requests, per-transaction gas and the post-state (`what` names the run).
func assertSameOutcome(_ serial: BlockOutcome, _ other: BlockOutcome, _ what: String,
                       file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(serial.stateRoot, other.stateRoot, "stateRoot, \(what)", file: file, line: line)
    XCTAssertEqual(serial.receiptsRoot, other.receiptsRoot, "receiptsRoot, \(what)", file: file, line: line)
    XCTAssertEqual(serial.logsHash, other.logsHash, "logsHash, \(what)", file: file, line: line)
    XCTAssertEqual(serial.logsBloom, other.logsBloom, "bloom, \(what)", file: file, line: line)
    XCTAssertEqual(serial.gasUsed, other.gasUsed, "gasUsed, \(what)", file: file, line: line)
    XCTAssertEqual(serial.blobGasUsed, other.blobGasUsed, "blobGasUsed, \(what)", file: file, line: line)
    XCTAssertEqual(serial.rejected, other.rejected, "rejected, \(what)", file: file, line: line)
    XCTAssertEqual(serial.receipts, other.receipts, "receipts, \(what)", file: file, line: line)
    XCTAssertEqual(serial.requestsHash, other.requestsHash, "requestsHash, \(what)", file: file, line: line)
    XCTAssertEqual(serial.transactionGas, other.transactionGas, "transactionGas, \(what)", file: file, line: line)
    XCTAssertTrue(serial.postState == other.postState, "postState, \(what)", file: file, line: line)
}
