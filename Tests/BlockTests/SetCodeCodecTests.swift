import XCTest
import EVMPrimitives
@testable import Execution
@testable import Vectors

/// EIP-7702 type-4 transactions in the consensus encoding, against execution-spec-tests' `txbytes`.
final class SetCodeCodecTests: XCTestCase {
    /// `self_sponsored_set_code` (Prague): a type-4 transaction from 0xa94f...bf0b to itself with one authorisation.
    static let txbytes = "0x04f8c1018080078398968094a94f5374fce5edbc8e2a8697c15331677e6ebf0b8080c0f85cf85a8094000000000000000000000000000000000000100001"
        + "01a0e074be204a558063cc3b2663e24e82272a436cececd74a3d6c7f46cd51934f2fa01dba64504e6de332f9b00fba50b9cd8b70fc19823a85e33217431a0825e55902"
        + "80a036a9506913cdfc177c404e49598872dca1ddc14d1b6342134f1b8c09cd63fc58a06de3d53d2d7159047a0f8b0c3175e033c541f6071ffa7fda2a80225429071f15"

    func testDecodeRecoverAndReencode() throws {
        let bytes = try Hex.decode(Self.txbytes)
        let (tx, signature) = try TransactionCodec.decode(bytes, fork: .prague)
        XCTAssertEqual(tx.type, .setCode)
        XCTAssertEqual(tx.sender.description, "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")
        XCTAssertEqual(tx.gasLimit, 10_000_000)
        XCTAssertEqual(tx.authorizationList.count, 1)
        let auth = tx.authorizationList[0]
        XCTAssertEqual(auth.address, Address(a: 0, b: 0, c: 0x1000))
        XCTAssertEqual(auth.nonce, 1)
        XCTAssertEqual(TransactionProcessor.authority(of: auth), tx.sender)
        XCTAssertEqual(TransactionCodec.encode(tx, signature: signature), bytes)
        // Type 4 does not exist before Prague.
        XCTAssertThrowsError(try TransactionCodec.decode(bytes, fork: .cancun))
    }
}
