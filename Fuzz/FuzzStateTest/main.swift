import FuzzSupport
import VectorIO
import Vectors

// The state-test loader on any bytes: errors are reported, never a crash; every case it yields names its file.
runFuzzer { data, count in
    let input = bytes(data, count)
    let file = StateTestLoader.load(json: input, file: "fuzz.json")
    for c in file.cases { require(c.name.hasPrefix("fuzz.json:"), "case name \(c.name)") }
    for e in file.errors { require(e.file == "fuzz.json" && !e.reason.isEmpty, "load error \(e)") }
    _ = JSONKeys.firstDuplicate(in: input)
    return 0
}
