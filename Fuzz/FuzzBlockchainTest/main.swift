import FuzzSupport
import Vectors

// The blockchain-test loader on any bytes: cases or one error, never a crash.
runFuzzer { data, count in
    _ = try? BlockchainTestLoader.load(json: bytes(data, count), file: "fuzz.json")
    return 0
}
