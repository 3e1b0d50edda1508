// Division and modular reduction: DIV, MOD and their signed forms, ADDMOD (257-bit intermediate) and
// MULMOD (512-bit intermediate). Small operands take native 64- and 128-bit paths; the rest runs
// Knuth's Algorithm D (TAOCP vol. 2, 4.3.1) on 64-bit limbs in fixed-size stack tuples, so nothing
// here allocates.

extension UInt256 {
    /// Knuth's Algorithm D. Divides the `m`-limb number at `u` by the `n`-limb number at `v`.
    ///
    /// Requires 2 <= n <= m, v[n-1] != 0, and room for m + 1 limbs at `u` (u[m] is scratch).
    /// On return u[0..<n] holds the remainder and u[n...m] is zero; when `q` is not nil,
    /// q[0...m-n] holds the quotient. `v` is normalised in place (shifted left).
    @inlinable
    static func _knuthDivide(
        u: UnsafeMutablePointer<UInt64>, m: Int,
        v: UnsafeMutablePointer<UInt64>, n: Int,
        q: UnsafeMutablePointer<UInt64>?
    ) {
        // D1: normalise so the divisor's top bit is set; then the estimate qhat is at most 2 too big.
        let s = UInt64(truncatingIfNeeded: v[n - 1].leadingZeroBitCount)
        if s != 0 {
            let rs = 64 &- s
            var i = n - 1
            while i > 0 { v[i] = (v[i] &<< s) | (v[i - 1] &>> rs); i -= 1 }
            v[0] = v[0] &<< s
            u[m] = u[m - 1] &>> rs
            i = m - 1
            while i > 0 { u[i] = (u[i] &<< s) | (u[i - 1] &>> rs); i -= 1 }
            u[0] = u[0] &<< s
        } else {
            u[m] = 0
        }
        let vTop = v[n - 1]
        let vNext = v[n - 2]

        var j = m - n
        while j >= 0 {
            // D3: estimate qhat from the top two limbs. u[j+n] <= vTop always holds (the partial
            // remainder is below v), and equality means the true quotient limb is B - 1 or less.
            let uTop = u[j + n], uMid = u[j + n - 1], uLow = u[j + n - 2]
            var qhat: UInt64
            var rhat: UInt64
            var rhatOverflow: Bool
            if uTop >= vTop {
                qhat = .max
                (rhat, rhatOverflow) = uMid.addingReportingOverflow(vTop)
            } else {
                (qhat, rhat) = vTop.dividingFullWidth((uTop, uMid))
                rhatOverflow = false
            }
            // Refine with the second divisor limb while rhat still fits in one limb (at most twice).
            while !rhatOverflow {
                let (ph, pl) = qhat.multipliedFullWidth(by: vNext)
                guard ph > rhat || (ph == rhat && pl > uLow) else { break }
                qhat &-= 1
                (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
            }

            // D4: u[j...j+n] -= qhat * v.
            var mulCarry: UInt64 = 0
            var borrow = false
            var i = 0
            while i < n {
                let (ph, pl) = qhat.multipliedFullWidth(by: v[i])
                let (p, o) = pl.addingReportingOverflow(mulCarry)
                mulCarry = ph &+ (o ? 1 : 0)
                (u[i + j], borrow) = _sbb(u[i + j], p, borrow)
                i += 1
            }
            (u[j + n], borrow) = _sbb(u[j + n], mulCarry, borrow)

            // D5/D6: qhat was one too big (probability about 2/2^64): add v back once.
            if borrow {
                qhat &-= 1
                var carry = false
                i = 0
                while i < n {
                    (u[i + j], carry) = _adc(u[i + j], v[i], carry)
                    i += 1
                }
                u[j + n] = u[j + n] &+ (carry ? 1 : 0) // the carry out cancels the earlier borrow
            }
            q?[j] = qhat
            j -= 1
        }

        // D8: undo the normalisation of the remainder (u[n] is zero here).
        if s != 0 {
            let rs = 64 &- s
            var i = 0
            while i < n - 1 { u[i] = (u[i] &>> s) | (u[i + 1] &<< rs); i += 1 }
            u[n - 1] = u[n - 1] &>> s
        }
    }

    /// The number of significant limbs (0 for zero).
    @inlinable @inline(__always)
    var _limbCount: Int { (significantBits &+ 63) >> 6 }

    /// Short division by one limb, top word first.
    @inlinable
    func _quotientAndRemainder(dividingBy d: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        let q3 = w3 / d, r3 = w3 % d
        let (q2, r2) = d.dividingFullWidth((r3, w2))
        let (q1, r1) = d.dividingFullWidth((r2, w1))
        let (q0, r0) = d.dividingFullWidth((r1, w0))
        return (UInt256(w0: q0, w1: q1, w2: q2, w3: q3), r0)
    }

    /// Division when self >= d and d has at least two limbs, and the 128-bit path does not apply.
    @inlinable
    func _knuthQuotientAndRemainder(_ d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        let m = _limbCount
        let n = d._limbCount
        var u: (UInt64, UInt64, UInt64, UInt64, UInt64) = (w0, w1, w2, w3, 0)
        var v: (UInt64, UInt64, UInt64, UInt64) = (d.w0, d.w1, d.w2, d.w3)
        var q: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutablePointer(to: &u) { up in
            up.withMemoryRebound(to: UInt64.self, capacity: 5) { u in
                withUnsafeMutablePointer(to: &v) { vp in
                    vp.withMemoryRebound(to: UInt64.self, capacity: 4) { v in
                        withUnsafeMutablePointer(to: &q) { qp in
                            qp.withMemoryRebound(to: UInt64.self, capacity: 4) { q in
                                UInt256._knuthDivide(u: u, m: m, v: v, n: n, q: q)
                            }
                        }
                    }
                }
            }
        }
        return (UInt256(w0: q.0, w1: q.1, w2: q.2, w3: q.3), UInt256(w0: u.0, w1: u.1, w2: u.2, w3: u.3))
    }

    /// Truncating division. Traps when `d` is zero (the EVM forms below return 0 instead).
    @inlinable
    public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!d.isZero, "UInt256 division by zero")
        if self < d { return (.zero, self) }
        if (d.w1 | d.w2 | d.w3) == 0 {
            if (w1 | w2 | w3) == 0 { return (UInt256(w0 / d.w0), UInt256(w0 % d.w0)) }
            let (q, r) = _quotientAndRemainder(dividingBy: d.w0)
            return (q, UInt256(r))
        }
        if (w2 | w3) == 0 {
            // Both below 2^128 (and d >= 2^64): the native 128-bit division.
            let a = UInt128(w1) << 64 | UInt128(w0)
            let b = UInt128(d.w1) << 64 | UInt128(d.w0)
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            return (UInt256(w0: UInt64(truncatingIfNeeded: q), w1: UInt64(truncatingIfNeeded: q >> 64), w2: 0, w3: 0),
                    UInt256(w0: UInt64(truncatingIfNeeded: r), w1: UInt64(truncatingIfNeeded: r >> 64), w2: 0, w3: 0))
        }
        return _knuthQuotientAndRemainder(d)
    }

    /// The remainder of the 512-bit number (high, low) divided by m; m != 0.
    @inlinable
    static func _remainder512(high: UInt256, low: UInt256, _ m: UInt256) -> UInt256 {
        if high.isZero { return m > low ? low : low.quotientAndRemainder(dividingBy: m).remainder }
        if (m.w1 | m.w2 | m.w3) == 0 {
            let d = m.w0
            var r = high.w3 % d
            r = d.dividingFullWidth((r, high.w2)).remainder
            r = d.dividingFullWidth((r, high.w1)).remainder
            r = d.dividingFullWidth((r, high.w0)).remainder
            r = d.dividingFullWidth((r, low.w3)).remainder
            r = d.dividingFullWidth((r, low.w2)).remainder
            r = d.dividingFullWidth((r, low.w1)).remainder
            r = d.dividingFullWidth((r, low.w0)).remainder
            return UInt256(r)
        }
        let count = 4 + high._limbCount
        let n = m._limbCount
        var u: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (low.w0, low.w1, low.w2, low.w3, high.w0, high.w1, high.w2, high.w3, 0)
        var v: (UInt64, UInt64, UInt64, UInt64) = (m.w0, m.w1, m.w2, m.w3)
        withUnsafeMutablePointer(to: &u) { up in
            up.withMemoryRebound(to: UInt64.self, capacity: 9) { u in
                withUnsafeMutablePointer(to: &v) { vp in
                    vp.withMemoryRebound(to: UInt64.self, capacity: 4) { v in
                        _knuthDivide(u: u, m: count, v: v, n: n, q: nil)
                    }
                }
            }
        }
        return UInt256(w0: u.0, w1: u.1, w2: u.2, w3: u.3)
    }

    /// DIV: self / b, and 0 when b is 0 (Yellow Paper, appendix H).
    @inlinable
    public func evmDiv(_ b: UInt256) -> UInt256 {
        b.isZero ? .zero : quotientAndRemainder(dividingBy: b).quotient
    }

    /// MOD: self mod b, and 0 when b is 0.
    @inlinable
    public func evmMod(_ b: UInt256) -> UInt256 {
        b.isZero ? .zero : quotientAndRemainder(dividingBy: b).remainder
    }

    /// SDIV: signed division truncating toward zero, 0 when b is 0; (-2^255) / (-1) wraps to -2^255.
    @inlinable
    public func evmSDiv(_ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let aNeg = isNegative, bNeg = b.isNegative
        let q = (aNeg ? negated : self).quotientAndRemainder(dividingBy: bNeg ? b.negated : b).quotient
        return aNeg != bNeg ? q.negated : q
    }

    /// SMOD: the remainder of |self| / |b| with the sign of self, 0 when b is 0.
    @inlinable
    public func evmSMod(_ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let aNeg = isNegative
        let r = (aNeg ? negated : self).quotientAndRemainder(dividingBy: b.isNegative ? b.negated : b).remainder
        return aNeg ? r.negated : r
    }

    /// ADDMOD: (self + b) mod m over the 257-bit sum, 0 when m is 0.
    @inlinable
    public func addMod(_ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (s, overflow) = addingReportingOverflow(b)
        if self < m && b < m {
            // Both already reduced (the usual case in field arithmetic): one conditional subtraction.
            return overflow || s >= m ? s &- m : s
        }
        if !overflow { return s < m ? s : s.quotientAndRemainder(dividingBy: m).remainder }
        return UInt256._remainder512(high: .one, low: s, m)
    }

    /// MULMOD: (self * b) mod m over the 512-bit product, 0 when m is 0.
    @inlinable
    public func mulMod(_ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        if (w1 | w2 | w3 | b.w1 | b.w2 | b.w3 | m.w1 | m.w2 | m.w3) == 0 {
            let (h, l) = w0.multipliedFullWidth(by: b.w0)
            return UInt256(m.w0.dividingFullWidth((h % m.w0, l)).remainder)
        }
        let (high, low) = multipliedFullWidth(by: b)
        return UInt256._remainder512(high: high, low: low, m)
    }
}
