// Wrapping arithmetic modulo 2^256 (the EVM's ADD, SUB, MUL) and the full-width forms that MULMOD
// and the overflow checks need. Carries are chained word by word so the compiler can emit adc/sbb.

extension UInt256 {
    /// a + b + carry, with the carry out.
    @inlinable @inline(__always)
    static func _adc(_ a: UInt64, _ b: UInt64, _ carry: Bool) -> (UInt64, Bool) {
        let (s, o1) = a.addingReportingOverflow(b)
        let (t, o2) = s.addingReportingOverflow(carry ? 1 : 0)
        return (t, o1 != o2) // both cannot overflow at once
    }

    /// a - b - borrow, with the borrow out.
    @inlinable @inline(__always)
    static func _sbb(_ a: UInt64, _ b: UInt64, _ borrow: Bool) -> (UInt64, Bool) {
        let (d, o1) = a.subtractingReportingOverflow(b)
        let (e, o2) = d.subtractingReportingOverflow(borrow ? 1 : 0)
        return (e, o1 != o2)
    }

    /// a * b + acc + carry as (high, low); it cannot overflow 128 bits.
    @inlinable @inline(__always)
    static func _mac(_ a: UInt64, _ b: UInt64, _ acc: UInt64, _ carry: UInt64) -> (hi: UInt64, lo: UInt64) {
        let (h, l) = a.multipliedFullWidth(by: b)
        let (l1, o1) = l.addingReportingOverflow(acc)
        let (l2, o2) = l1.addingReportingOverflow(carry)
        return (h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0), l2)
    }

    @inlinable
    public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(b.w0)
        let (r1, c1) = UInt256._adc(w1, b.w1, c0)
        let (r2, c2) = UInt256._adc(w2, b.w2, c1)
        let (r3, c3) = UInt256._adc(w3, b.w3, c2)
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
    }

    @inlinable
    public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.subtractingReportingOverflow(b.w0)
        let (r1, c1) = UInt256._sbb(w1, b.w1, c0)
        let (r2, c2) = UInt256._sbb(w2, b.w2, c1)
        let (r3, c3) = UInt256._sbb(w3, b.w3, c2)
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
    }

    /// The full 512-bit product (schoolbook on 64-bit words).
    @inlinable
    public func multipliedFullWidth(by b: UInt256) -> (high: UInt256, low: UInt256) {
        var c: UInt64, r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64, r4: UInt64, r5: UInt64, r6: UInt64, r7: UInt64
        (c, r0) = w0.multipliedFullWidth(by: b.w0)
        (c, r1) = UInt256._mac(w0, b.w1, 0, c)
        (c, r2) = UInt256._mac(w0, b.w2, 0, c)
        (r4, r3) = UInt256._mac(w0, b.w3, 0, c)

        (c, r1) = UInt256._mac(w1, b.w0, r1, 0)
        (c, r2) = UInt256._mac(w1, b.w1, r2, c)
        (c, r3) = UInt256._mac(w1, b.w2, r3, c)
        (r5, r4) = UInt256._mac(w1, b.w3, r4, c)

        (c, r2) = UInt256._mac(w2, b.w0, r2, 0)
        (c, r3) = UInt256._mac(w2, b.w1, r3, c)
        (c, r4) = UInt256._mac(w2, b.w2, r4, c)
        (r6, r5) = UInt256._mac(w2, b.w3, r5, c)

        (c, r3) = UInt256._mac(w3, b.w0, r3, 0)
        (c, r4) = UInt256._mac(w3, b.w1, r4, c)
        (c, r5) = UInt256._mac(w3, b.w2, r5, c)
        (r7, r6) = UInt256._mac(w3, b.w3, r6, c)
        return (UInt256(w0: r4, w1: r5, w2: r6, w3: r7), UInt256(w0: r0, w1: r1, w2: r2, w3: r3))
    }

    @inlinable
    public func multipliedReportingOverflow(by b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (high, low) = multipliedFullWidth(by: b)
        return (low, !high.isZero)
    }

    /// The low 256 bits of the product: only the ten partial products that reach them.
    @inlinable
    static func _wrappingMultiply(_ a: UInt256, _ b: UInt256) -> UInt256 {
        var c: UInt64, r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (c, r0) = a.w0.multipliedFullWidth(by: b.w0)
        (c, r1) = _mac(a.w0, b.w1, 0, c)
        (c, r2) = _mac(a.w0, b.w2, 0, c)
        r3 = a.w0 &* b.w3 &+ c

        (c, r1) = _mac(a.w1, b.w0, r1, 0)
        (c, r2) = _mac(a.w1, b.w1, r2, c)
        r3 = r3 &+ a.w1 &* b.w2 &+ c

        (c, r2) = _mac(a.w2, b.w0, r2, 0)
        r3 = r3 &+ a.w2 &* b.w1 &+ c

        r3 = r3 &+ a.w3 &* b.w0
        return UInt256(w0: r0, w1: r1, w2: r2, w3: r3)
    }

    /// self * m + add for a one-word m, with the word carried out of the top (used by decimal parsing).
    @inlinable
    func _multipliedAdding(_ m: UInt64, _ add: UInt64) -> (UInt256, carry: UInt64) {
        var c: UInt64, r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (c, r0) = UInt256._mac(w0, m, add, 0)
        (c, r1) = UInt256._mac(w1, m, 0, c)
        (c, r2) = UInt256._mac(w2, m, 0, c)
        (c, r3) = UInt256._mac(w3, m, 0, c)
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c)
    }

    /// Two's complement negation: 2^256 - self (zero stays zero).
    @inlinable public var negated: UInt256 {
        UInt256.zero.subtractingReportingOverflow(self).partialValue
    }

    @inlinable @inline(__always)
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }

    @inlinable @inline(__always)
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }

    @inlinable @inline(__always)
    public static func &* (a: UInt256, b: UInt256) -> UInt256 { _wrappingMultiply(a, b) }

    @inlinable @inline(__always)
    public static func &+= (a: inout UInt256, b: UInt256) { a = a &+ b }

    @inlinable @inline(__always)
    public static func &-= (a: inout UInt256, b: UInt256) { a = a &- b }

    @inlinable @inline(__always)
    public static func &*= (a: inout UInt256, b: UInt256) { a = a &* b }
}
