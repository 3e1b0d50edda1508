import FuzzSupport
import VectorIO

// zstd reading on any bytes, under a 1 MiB cap: data or an error naming the file, never a crash or more memory.
runFuzzer { data, count in
    let input = bytes(data, count)
    do throws(VectorFileError) {
        let out = try VectorFile.decompress(input, path: "fuzz.zst", limit: 1 << 20)
        require(out.count <= 1 << 20, "decompressed \(out.count) bytes past the cap")
    } catch {
        require(error.path == "fuzz.zst" && !error.reason.isEmpty, "error \(error)")
    }
    return 0
}
