import Execution
import FuzzSupport

// A decoded signed transaction (sender recovered) encodes back to the bytes it came from.
runFuzzer { data, count in
    let input = bytes(data, count)
    if let (tx, signature) = try? TransactionCodec.decode(input) {
        require(TransactionCodec.encode(tx, signature: signature) == input, "transaction round trip changed \(input.count) bytes")
    }
    return 0
}
