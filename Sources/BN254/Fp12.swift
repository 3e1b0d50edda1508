// Fp12 = Fp6[w] / (w^2 - v): the target field of the EIP-197 pairing.
//
// Seen as a vector over Fp2, an element is sum a_i w^i (i = 0...5) with w^6 = xi; the layout is
// c0 = (a0, a2, a4), c1 = (a1, a3, a5). The Frobenius maps below act on that basis.

/// An element c0 + c1 w of the degree-12 extension, w^2 = v.
struct Fp12: Equatable, Sendable {
    var c0: Fp6
    var c1: Fp6

    @inline(__always)
    init(_ c0: Fp6, _ c1: Fp6) {
        self.c0 = c0
        self.c1 = c1
    }

    @inline(__always) static var one: Fp12 { Fp12(.one, .zero) }

    @inline(__always)
    var isOne: Bool { self == Fp12.one }

    /// Karatsuba over Fp6: three Fp6 products.
    static func * (a: Fp12, b: Fp12) -> Fp12 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let m = (a.c0 + a.c1) * (b.c0 + b.c1)
        return Fp12(t0 + t1.timesV, m - t0 - t1)
    }

    static func *= (a: inout Fp12, b: Fp12) { a = a * b }

    /// Complex squaring: (c0 + c1 w)^2 = (c0 + c1)(c0 + v c1) - (1 + v) c0 c1 + 2 c0 c1 w.
    var squared: Fp12 {
        let m = c0 * c1
        let t = (c0 + c1) * (c0 + c1.timesV) - m - m.timesV
        return Fp12(t, m.doubled)
    }

    /// Conjugation over Fp6, i.e. the p^6-power Frobenius; the inverse of a unitary element
    /// (every element after the easy part of the final exponentiation).
    @inline(__always)
    var conjugate: Fp12 { Fp12(c0, -c1) }

    /// Multiplicative inverse; zero maps to zero.
    var inverse: Fp12 {
        let d = (c0.squared - c1.squared.timesV).inverse
        return Fp12(c0 * d, -(c1 * d))
    }

    /// Product with a sparse line value a + b w + c w^3 (the shape produced by the Miller loop
    /// lines on the D-type twist): thirteen Fp2 products instead of eighteen.
    func mulByLine(_ a: Fp2, _ b: Fp2, _ c: Fp2) -> Fp12 {
        let t0 = c0.scaled(by: a)
        let t1 = c1.mulBy01(b, c)
        let m = (c0 + c1).mulBy01(a + b, c)
        return Fp12(t0 + t1.timesV, m - t0 - t1)
    }

    // MARK: Frobenius

    /// f^p: each coefficient a_i is conjugated and multiplied by xi^(i(p-1)/6).
    var frobenius: Fp12 {
        Fp12(
            Fp6(c0.c0.conjugate, c0.c1.conjugate * Frob.g1_2, c0.c2.conjugate * Frob.g1_4),
            Fp6(c1.c0.conjugate * Frob.g1_1, c1.c1.conjugate * Frob.g1_3, c1.c2.conjugate * Frob.g1_5))
    }

    /// f^(p^2): each coefficient a_i is multiplied by xi^(i(p^2-1)/6), which lies in Fp.
    var frobenius2: Fp12 {
        Fp12(
            Fp6(c0.c0, c0.c1.scaled(by: Frob.g2_2), c0.c2.scaled(by: Frob.g2_4)),
            Fp6(c1.c0.scaled(by: Frob.g2_1), -c1.c1, c1.c2.scaled(by: Frob.g2_5)))
    }

    /// f^(p^3): each coefficient a_i is conjugated and multiplied by xi^(i(p^3-1)/6).
    var frobenius3: Fp12 {
        Fp12(
            Fp6(c0.c0.conjugate, c0.c1.conjugate * Frob.g3_2, c0.c2.conjugate * Frob.g3_4),
            Fp6(c1.c0.conjugate * Frob.g3_1, c1.c1.conjugate * Frob.g3_3, c1.c2.conjugate * Frob.g3_5))
    }

    // MARK: cyclotomic subgroup

    /// Squaring in the cyclotomic subgroup (Granger-Scott 2010, "Faster squaring in the
    /// cyclotomic subgroup of sixth degree extensions"). View Fp12 as Fp4[t]/(t^3 - s) with
    /// Fp4 = Fp2[s]/(s^2 - xi), s = w^3, t = w; then for f = A0 + A1 t + A2 t^2:
    /// A0' = 3 A0^2 - 2 conj(A0), A1' = 3 s A2^2 + 2 conj(A1), A2' = 3 A1^2 - 2 conj(A2).
    /// Valid only for elements with f^(p^6+1) = 1 (after the easy part of the final exponentiation).
    var cyclotomicSquared: Fp12 {
        // A0 = (a0, a3), A1 = (a1, a4), A2 = (a2, a5) in the w-basis.
        let (r0, i0) = Fp12.fp4Square(c0.c0, c1.c1)
        let (r1, i1) = Fp12.fp4Square(c1.c0, c0.c2)
        let (r2, i2) = Fp12.fp4Square(c0.c1, c1.c2)
        // 3r - 2x computed as 2(r - x) + r, and 3i + 2y as 2(i + y) + i.
        let a0 = (r0 - c0.c0).doubled + r0
        let a3 = (i0 + c1.c1).doubled + i0
        let sA2 = i2.timesXi  // real part of s * A2^2; its s-part is r2
        let a1 = (sA2 + c1.c0).doubled + sA2
        let a4 = (r2 - c0.c2).doubled + r2
        let a2 = (r1 - c0.c1).doubled + r1
        let a5 = (i1 + c1.c2).doubled + i1
        return Fp12(Fp6(a0, a2, a4), Fp6(a1, a3, a5))
    }

    /// (x + y s)^2 = (x^2 + xi y^2) + 2xy s in Fp4 = Fp2[s]/(s^2 - xi).
    static func fp4Square(_ x: Fp2, _ y: Fp2) -> (Fp2, Fp2) {
        let t0 = x.squared
        let t1 = y.squared
        return (t1.timesXi + t0, (x + y).squared - t0 - t1)
    }

    /// f^x for the BN parameter x = 0x44e992b44a6909f1, using its signed-digit (NAF) form; the
    /// negative digits use the conjugate as inverse, so f must be in the cyclotomic subgroup.
    func cyclotomicPowX() -> Fp12 {
        let pos: UInt64 = 0x450a_1404_4a89_0a01
        let neg: UInt64 = 0x0020_8150_0020_0010
        let inv = conjugate
        var r = self  // top digit (bit 62) is +1
        var bit = 61
        while bit >= 0 {
            r = r.cyclotomicSquared
            if (pos >> UInt64(bit)) & 1 == 1 { r = r * self }
            if (neg >> UInt64(bit)) & 1 == 1 { r = r * inv }
            bit -= 1
        }
        return r
    }

    /// The EIP-197 final exponentiation f^((p^12 - 1) / r).
    /// Easy part: f^((p^6 - 1)(p^2 + 1)). Hard part (p^4 - p^2 + 1)/r = l0 + l1 p + l2 p^2 + l3 p^3 with
    /// l3 = 1, l2 = 6x^2 + 1, l1 = -36x^3 - 18x^2 - 12x + 1, l0 = -36x^3 - 30x^2 - 18x - 2, evaluated with the
    /// addition chain of Scott et al. 2009 ("On the final exponentiation for calculating pairings on
    /// ordinary elliptic curves"), which computes exactly this power (no extra multiplier).
    func finalExponentiation() -> Fp12 {
        var f = conjugate * inverse  // f^(p^6 - 1)
        f = f.frobenius2 * f  // ^(p^2 + 1)

        let fx = f.cyclotomicPowX()
        let fx2 = fx.cyclotomicPowX()
        let fx3 = fx2.cyclotomicPowX()

        let y0 = f.frobenius * f.frobenius2 * f.frobenius3
        let y1 = f.conjugate
        let y2 = fx2.frobenius2
        let y3 = fx.frobenius.conjugate
        let y4 = (fx * fx2.frobenius).conjugate
        let y5 = fx2.conjugate
        let y6 = (fx3 * fx3.frobenius).conjugate

        // y0 * y1^2 * y2^6 * y3^12 * y4^18 * y5^30 * y6^36
        var t0 = y6.cyclotomicSquared * y4 * y5
        var t1 = y3 * y5 * t0
        t0 = t0 * y2
        t1 = (t1.cyclotomicSquared * t0).cyclotomicSquared
        t0 = t1 * y1
        t1 = t1 * y0
        t0 = t0.cyclotomicSquared * t1
        return t0
    }
}

/// Frobenius coefficients gamma_k_i = xi^(i (p^k - 1) / 6), Montgomery form (computed offline
/// from the definition; checked by the tests against f^p computed by exponentiation).
enum Frob {
    @inline(__always) static var g1_1: Fp2 {
        Fp2(Fp(0xaf9b_a696_3314_4907, 0xca6b_1d73_87af_b78a, 0x11bd_ed5e_f08a_2087, 0x02f3_4d75_1a1f_3a7c),
            Fp(0xa222_ae23_4c49_2d72, 0xd00f_02a4_565d_e15b, 0xdc2f_f3a2_53df_c926, 0x10a7_5716_b389_9551))
    }
    @inline(__always) static var g1_2: Fp2 {
        Fp2(Fp(0xb577_3b10_4563_ab30, 0x347f_91c8_a9aa_6454, 0x7a00_7127_242e_0991, 0x1956_bcd8_1182_14ec),
            Fp(0x6e84_9f1e_a0aa_4757, 0xaa1c_7b6d_89f8_9141, 0xb6e7_13cd_fae0_ca3a, 0x2669_4fbb_4e82_ebc3))
    }
    @inline(__always) static var g1_3: Fp2 {
        Fp2(Fp(0xe4bb_dd0c_2936_b629, 0xbb30_f162_e133_bacb, 0x31a9_d1b6_f964_5366, 0x2535_70be_a500_f8dd),
            Fp(0xa1d7_7ce4_5ffe_77c7, 0x07af_fd11_7826_d1db, 0x6d16_bd27_bb7e_dc6b, 0x2c87_2002_85de_fecc))
    }
    @inline(__always) static var g1_4: Fp2 {
        Fp2(Fp(0x7361_d77f_843a_be92, 0xa5bb_2bd3_2734_11fb, 0x9c94_1f31_4b3e_2399, 0x15df_9cdd_bb9f_d3ec),
            Fp(0x5ddd_fd15_4bd8_c949, 0x62cb_29a5_a444_5b60, 0x37bc_870a_0c7d_d2b9, 0x2483_0a9d_3171_f0fd))
    }
    @inline(__always) static var g1_5: Fp2 {
        Fp2(Fp(0xc970_692f_4169_0fe7, 0xe240_3421_2769_4b0b, 0x32be_e66b_83c4_59e8, 0x12aa_bced_0ab0_8841),
            Fp(0x0d48_5d23_40ae_bfa9, 0x0519_3418_ab2f_cc57, 0xd3b0_a40b_8a49_10f5, 0x2f21_ebb5_35d2_925a))
    }
    // gamma_2_i lies in Fp; gamma_2_3 = -1.
    @inline(__always) static var g2_1: Fp {
        Fp(0xca8d_8005_00fa_1bf2, 0xf0c5_d614_68b3_9769, 0x0e20_1271_ad0d_4418, 0x0429_0f65_bad8_56e6)
    }
    @inline(__always) static var g2_2: Fp {
        Fp(0x3350_c88e_13e8_0b9c, 0x7dce_557c_db5e_56b9, 0x6001_b4b8_b615_564a, 0x2682_e617_0202_17e0)
    }
    @inline(__always) static var g2_4: Fp {
        Fp(0x7193_0c11_d782_e155, 0xa6bb_947c_ffbe_3323, 0xaa30_3344_d474_1444, 0x2c3b_3f0d_2659_4943)
    }
    @inline(__always) static var g2_5: Fp {
        Fp(0x08cf_c388_c494_f1ab, 0x19b3_1514_8d13_73d4, 0x584e_90fd_cb6c_0213, 0x09e1_685b_df2f_8849)
    }
    @inline(__always) static var g3_1: Fp2 {
        Fp2(Fp(0x3653_1618_4e46_d97d, 0x0af7_129e_d4c9_6d9f, 0x659d_a72f_ca10_09b5, 0x0811_6d89_83a2_0d23),
            Fp(0xb1df_4af7_c39c_1939, 0x3d9f_0287_8a73_bf7f, 0x9b22_2092_8caf_0ae0, 0x2668_4515_eff0_54a6))
    }
    @inline(__always) static var g3_2: Fp2 {
        Fp2(Fp(0xc9af_22f7_16ad_6bad, 0xb311_782a_4aa6_62b2, 0x19ee_af64_e248_c7f4, 0x2027_3e77_e343_9f82),
            Fp(0xacc0_2860_f7ce_93ac, 0x3933_d581_7ba7_6b4c, 0x69e6_188b_446c_8467, 0x0a46_036d_4417_cc55))
    }
    @inline(__always) static var g3_3: Fp2 {
        Fp2(Fp(0x5764_af0a_af46_471e, 0xdc50_792e_873e_0fc1, 0x86a6_73ff_881d_04f6, 0x0b2e_ddb4_3c30_a74c),
            Fp(0x9a49_0f32_787e_8580, 0x8fd1_6d7f_f04a_f8b1, 0x4b39_888e_c602_7bf2, 0x03dd_2e70_5b52_a15d))
    }
    @inline(__always) static var g3_4: Fp2 {
        Fp2(Fp(0x448a_93a5_7b67_62df, 0xbfd6_2df5_28fd_eadf, 0xd858_f5d0_0e9b_d47a, 0x06b0_3d4d_3476_ec58),
            Fp(0x2b19_daf4_bcc9_36d1, 0xa1a5_4e7a_56f4_299f, 0xb533_eee0_5ade_aef1, 0x170c_812b_84dd_a0b2))
    }
    @inline(__always) static var g3_5: Fp2 {
        Fp2(Fp(0xe0bc_4b22_75cf_559f, 0xc238_b945_c154_e60f, 0x8039_82a5_929a_7d5e, 0x15ce_052d_f7e4_a37e),
            Fp(0x2d28_efbd_bf37_99a7, 0x9b09_7e3c_1ad6_0773, 0x982d_4113_af4a_535b, 0x24e1_8991_e305_6063))
    }
}
