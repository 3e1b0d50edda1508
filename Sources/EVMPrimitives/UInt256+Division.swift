// Division and modular reduction: DIV, MOD and their signed forms, ADDMOD (257-bit intermediate) and
// MULMOD (512-bit intermediate). Small operands take native 64- and 128-bit paths; the rest runs
// Knuth's Algorithm D (TAOCP vol. 2, 4.3.1) on 64-bit limbs in fixed-size stack tuples, so nothing
// here allocates. Quotient digits are estimated with precomputed reciprocals (Moller and Granlund,
// "Improved division by invariant integers", IEEE Trans. Computers 60(2), 2011) instead of a
// hardware divide per digit: one divide per operation, multiplications after that.

extension UInt256 {
    /// floor((2^128 - 1) / d) - 2^64 for a normalised d (top bit set): Moller-Granlund's reciprocal.
    @inlinable @inline(__always)
    static func _reciprocal2by1(_ d: UInt64) -> UInt64 {
        // (2^128 - 1) - 2^64 * d is the two-word number (~d, 2^64 - 1); ~d < d, so the quotient fits.
        d.dividingFullWidth((~d, .max)).quotient
    }

    /// (u1 * 2^64 + u0) / d for a normalised d with u1 < d, by the reciprocal v (their algorithm 4).
    @inlinable @inline(__always)
    static func _divRem2by1(_ u1: UInt64, _ u0: UInt64, _ d: UInt64, _ v: UInt64) -> (quotient: UInt64, remainder: UInt64) {
        var (q1, q0) = v.multipliedFullWidth(by: u1)
        let (s0, c) = q0.addingReportingOverflow(u0)
        q0 = s0
        q1 = q1 &+ u1 &+ (c ? 1 : 0) &+ 1
        var r = u0 &- q1 &* d
        if r > q0 { q1 = q1 &- 1; r = r &+ d }
        if r >= d { q1 = q1 &+ 1; r = r &- d } // rare
        return (q1, r)
    }

    /// floor((2^192 - 1) / (d1 * 2^64 + d0)) - 2^64 for a normalised d1 (their algorithm 6).
    @inlinable
    static func _reciprocal3by2(_ d1: UInt64, _ d0: UInt64) -> UInt64 {
        var v = _reciprocal2by1(d1)
        var p = d1 &* v
        p = p &+ d0
        if p < d0 {
            v = v &- 1
            if p >= d1 { v = v &- 1; p = p &- d1 }
            p = p &- d1
        }
        let (t1, t0) = v.multipliedFullWidth(by: d0)
        p = p &+ t1
        if p < t1 {
            v = v &- 1
            if p > d1 || (p == d1 && t0 >= d0) { v = v &- 1 }
        }
        return v
    }

    /// The quotient of (u2, u1, u0) by (d1, d0), normalised, with (u2, u1) < (d1, d0), by the
    /// reciprocal v (their algorithm 5). Only the quotient is kept: Algorithm D subtracts q * v itself.
    @inlinable @inline(__always)
    static func _quotient3by2(_ u2: UInt64, _ u1: UInt64, _ u0: UInt64,
                              _ d1: UInt64, _ d0: UInt64, _ v: UInt64) -> UInt64 {
        var (q1, q0) = v.multipliedFullWidth(by: u2)
        let (s0, c) = q0.addingReportingOverflow(u1)
        q0 = s0
        q1 = q1 &+ u2 &+ (c ? 1 : 0)
        var r1 = u1 &- q1 &* d1
        // (r1, r0) = (r1, u0) - (d1, d0) - d0 * q1, all modulo 2^128.
        var (r0, b) = u0.subtractingReportingOverflow(d0)
        r1 = r1 &- d1 &- (b ? 1 : 0)
        let (t1, t0) = d0.multipliedFullWidth(by: q1)
        (r0, b) = r0.subtractingReportingOverflow(t0)
        r1 = r1 &- t1 &- (b ? 1 : 0)
        q1 = q1 &+ 1
        if r1 >= q0 {
            q1 = q1 &- 1
            let (a0, c0) = r0.addingReportingOverflow(d0)
            r0 = a0
            r1 = r1 &+ d1 &+ (c0 ? 1 : 0)
        }
        if r1 > d1 || (r1 == d1 && r0 >= d0) { q1 = q1 &+ 1 } // rare
        return q1
    }

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
        // D1: normalise so the divisor's top bit is set, as the digit estimate and its reciprocal need.
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
        let reciprocal = _reciprocal3by2(vTop, vNext)

        var j = m - n
        while j >= 0 {
            // D3: estimate qhat as the quotient of the top three limbs by the top two divisor limbs;
            // it is then exact or one too big (Knuth's refined test, done here without a divide).
            // u[j+n...j+n-1] <= (vTop, vNext) always holds; on equality the digit is B - 1.
            let uTop = u[j + n], uMid = u[j + n - 1]
            let qhat = uTop == vTop && uMid == vNext
                ? UInt64.max
                : _quotient3by2(uTop, uMid, u[j + n - 2], vTop, vNext, reciprocal)

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
            var digit = qhat
            if borrow {
                digit &-= 1
                var carry = false
                i = 0
                while i < n {
                    (u[i + j], carry) = _adc(u[i + j], v[i], carry)
                    i += 1
                }
                u[j + n] = u[j + n] &+ (carry ? 1 : 0) // the carry out cancels the earlier borrow
            }
            q?[j] = digit
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

    /// Short division by one limb: normalise, then one reciprocal and a 2-by-1 step per limb.
    @inlinable
    func _quotientAndRemainder(dividingBy d: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        let s = UInt64(truncatingIfNeeded: d.leadingZeroBitCount)
        let dn = d &<< s
        let v = UInt256._reciprocal2by1(dn)
        let rs = 64 &- s
        let spill: UInt64 = s == 0 ? 0 : w3 &>> rs // below 2^s <= dn
        let x = _shiftedLeft(Int(truncatingIfNeeded: s))
        let (q3, r3) = UInt256._divRem2by1(spill, x.w3, dn, v)
        let (q2, r2) = UInt256._divRem2by1(r3, x.w2, dn, v)
        let (q1, r1) = UInt256._divRem2by1(r2, x.w1, dn, v)
        let (q0, r0) = UInt256._divRem2by1(r1, x.w0, dn, v)
        return (UInt256(w0: q0, w1: q1, w2: q2, w3: q3), r0 &>> s)
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
            let s = UInt64(truncatingIfNeeded: m.w0.leadingZeroBitCount)
            let d = m.w0 &<< s
            let v = _reciprocal2by1(d)
            let rs = 64 &- s
            // The 512-bit number shifted left by s, as a spill limb and two 256-bit halves.
            let spill: UInt64 = s == 0 ? 0 : high.w3 &>> rs
            var hi = high._shiftedLeft(Int(truncatingIfNeeded: s))
            if s != 0 { hi.w0 |= low.w3 &>> rs }
            let lo = low._shiftedLeft(Int(truncatingIfNeeded: s))
            var r = _divRem2by1(spill, hi.w3, d, v).remainder
            r = _divRem2by1(r, hi.w2, d, v).remainder
            r = _divRem2by1(r, hi.w1, d, v).remainder
            r = _divRem2by1(r, hi.w0, d, v).remainder
            r = _divRem2by1(r, lo.w3, d, v).remainder
            r = _divRem2by1(r, lo.w2, d, v).remainder
            r = _divRem2by1(r, lo.w1, d, v).remainder
            r = _divRem2by1(r, lo.w0, d, v).remainder
            return UInt256(r &>> s)
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
