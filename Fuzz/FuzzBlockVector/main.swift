import FuzzSupport
import Vectors

// The block-vector loader (single-file form) on any bytes; a vector that loads has its rejections in order.
runFuzzer { data, count in
    switch BlockVectorIO.load(json: bytes(data, count), file: "fuzz.json") {
    case .success(let v):
        require(v.rejectedOnLoad.map(\.index) == v.rejectedOnLoad.map(\.index).sorted(), "rejections out of order")
        require(v.transactionCount == v.transactions.count + v.rejectedOnLoad.count, "transaction count")
    case .failure(let e):
        require(e.file == "fuzz.json" && !e.reason.isEmpty, "load error \(e)")
    }
    return 0
}
