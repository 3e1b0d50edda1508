import FuzzSupport
import RLP

// RLP decoding accepts canonical encodings only, so whatever decodes must encode back to the same bytes.
runFuzzer { data, count in
    let input = bytes(data, count)
    if let item = try? RLP.decode(input) {
        require(RLP.encode(item) == input, "RLP round trip changed \(input.count) bytes")
    }
    return 0
}
