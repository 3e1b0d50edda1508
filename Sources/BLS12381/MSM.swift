// Multi-scalar multiplication for the EIP-2537 MSM precompiles: Pippenger's bucket method for many pairs, so the
// cost per pair falls as the gas schedule's discount table assumes.

extension Scalar {
    /// Bits [start, start + width) as an integer (width <= 16; bits past 255 read as zero).
    @inline(__always)
    func window(_ start: Int, _ width: Int) -> Int {
        let limb = start >> 6, shift = UInt64(start & 63)
        func word(_ i: Int) -> UInt64 {
            switch i {
            case 0: return l0
            case 1: return l1
            case 2: return l2
            case 3: return l3
            default: return 0
            }
        }
        var v = word(limb) >> shift
        if shift != 0 && Int(shift) + width > 64 { v |= word(limb + 1) << (64 - shift) }
        return Int(v & ((1 << UInt64(width)) - 1))
    }
}

enum MSM {
    /// The window width for `count` pairs: about log2(count) - 2, at least 2 (count >= 2 callers only).
    static func windowWidth(_ count: Int) -> Int {
        let log2 = Int.bitWidth - count.leadingZeroBitCount - 1
        return max(2, min(14, log2 - 2))
    }

    /// sum_i [scalars[i]] points[i] for scalars below r (255 bits): windows of c bits from the top; in each, every
    /// point is added (mixed addition) into the bucket of its digit, and the buckets are summed with a running sum
    /// (sum_d d·B_d with 2·2^c additions); c doublings separate windows.
    static func pippenger<P: JacobianPoint>(_ points: [P.Affine], _ scalars: [Scalar], as _: P.Type) -> P {
        precondition(points.count == scalars.count)
        let c = windowWidth(points.count)
        let windows = (255 + c - 1) / c
        var buckets = [P](repeating: P.infinity, count: (1 << c) - 1)
        var result = P.infinity
        var w = windows - 1
        while w >= 0 {
            for _ in 0..<c { result = result.doubled() }
            for j in buckets.indices { buckets[j] = P.infinity }
            for i in points.indices {
                let d = scalars[i].window(w * c, c)
                if d != 0 { buckets[d - 1] = buckets[d - 1].adding(points[i]) }
            }
            var running = P.infinity, windowSum = P.infinity
            var j = buckets.count - 1
            while j >= 0 {
                running = running.adding(buckets[j])
                windowSum = windowSum.adding(running)
                j -= 1
            }
            result = result.adding(windowSum)
            w -= 1
        }
        return result
    }
}
