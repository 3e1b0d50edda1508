// F_p12 = F_p6[w] / (w^2 - v). As a degree-6 extension of F_p2, w^6 = xi, and an element
// c0 + c1·w with c0 = (g0, g2, g4), c1 = (g1, g3, g5) is sum g_i w^i.

/// An element c0 + c1·w of F_p12, the target group's field.
struct Fp12: Equatable, Sendable {
    var c0: Fp6
    var c1: Fp6

    init(_ c0: Fp6, _ c1: Fp6) { self.c0 = c0; self.c1 = c1 }

    static let one = Fp12(.one, .zero)

    static func * (a: Fp12, b: Fp12) -> Fp12 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        return Fp12(t0 + t1.mulByV(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1)
    }

    /// Complex squaring: 2 F_p6 multiplications.
    func squared() -> Fp12 {
        let t = c0 * c1
        let c0n = (c0 + c1) * (c0 + c1.mulByV()) - t - t.mulByV()
        return Fp12(c0n, t + t)
    }

    /// Conjugation over F_p6 (w -> -w), i.e. the p^6-power Frobenius; it inverts unitary elements.
    func conjugate() -> Fp12 { Fp12(c0, -c1) }

    func inverse() -> Fp12 {
        // 1/(a + b w) = (a - b w) / (a^2 - v b^2)
        let t = (c0.squared() - c1.squared().mulByV()).inverse()
        return Fp12(c0 * t, -(c1 * t))
    }

    /// Product with a line value l0 + l1·w^2 + l4·w^3, that is c0 = (l0, l1, 0), c1 = (0, l4, 0),
    /// where l4 lies in F_p (see `Pairing.swift` for how lines take this shape).
    func mulByLine(_ l0: Fp2, _ l1: Fp2, _ l4: Fp) -> Fp12 {
        let t0 = c0.mulBy01(l0, l1)
        let t1 = c1.mulBy1(l4)
        let s = (c0 + c1).mulBy01(l0, l1 + Fp2(l4, .zero))
        return Fp12(t0 + t1.mulByV(), s - t0 - t1)
    }

    /// The p-power Frobenius: sum g_i w^i -> sum conj(g_i) gamma^i w^i with gamma = xi^((p-1)/6).
    func frobenius() -> Fp12 {
        let g = Fp12.frobeniusGammas
        return Fp12(
            Fp6(c0.c0.conjugate(), c0.c1.conjugate() * g.1, c0.c2.conjugate() * g.3),
            Fp6(c1.c0.conjugate() * g.0, c1.c1.conjugate() * g.2, c1.c2.conjugate() * g.4))
    }

    /// gamma^1 ... gamma^5, gamma = xi^((p-1)/6), Montgomery form (values as in every BLS12-381 library;
    /// checked in the tests against exponentiation by p).
    static let frobeniusGammas: (Fp2, Fp2, Fp2, Fp2, Fp2) = (
        Fp2(Fp(0x0708_9552_b319_d465, 0xc669_5f92_b50a_8313, 0x97e8_3ccc_d117_228f, 0xa35b_aeca_b2dc_29ee, 0x1ce3_93ea_5daa_ce4d, 0x08f2_220f_b0fb_66eb),
            Fp(0xb2f6_6aad_4ce5_d646, 0x5842_a06b_fc49_7cec, 0xcf48_95d4_2599_d394, 0xc11b_9cba_40a8_e8d0, 0x2e38_13cb_e5a0_de89, 0x110e_efda_8884_7faf)),
        Fp2(Fp.zero,
            Fp(0xcd03_c9e4_8671_f071, 0x5dab_2246_1fcd_a5d2, 0x5870_42af_d385_1b95, 0x8eb6_0ebe_01ba_cb9e, 0x03f9_7d6e_83d0_50d2, 0x18f0_2065_5463_8741)),
        Fp2(Fp(0x7bcf_a7a2_5aa3_0fda, 0xdc17_dec1_2a92_7e7c, 0x2f08_8dd8_6b4e_bef1, 0xd1ca_2087_da74_d4a7, 0x2da2_5966_96ce_bc1d, 0x0e2b_7eed_bbfd_87d2),
            Fp(0x7bcf_a7a2_5aa3_0fda, 0xdc17_dec1_2a92_7e7c, 0x2f08_8dd8_6b4e_bef1, 0xd1ca_2087_da74_d4a7, 0x2da2_5966_96ce_bc1d, 0x0e2b_7eed_bbfd_87d2)),
        Fp2(Fp(0x890d_c9e4_8675_45c3, 0x2af3_2253_3285_a5d5, 0x5088_0866_309b_7e2c, 0xa20d_1b8c_7e88_1024, 0x14e4_f04f_e2db_9068, 0x14e5_6d3f_1564_853a),
            Fp.zero),
        Fp2(Fp(0x82d8_3cf5_0dbc_e43f, 0xa281_3e53_df9d_018f, 0xc6f0_caa5_3c65_e181, 0x7525_cf52_8d50_fe95, 0x4a85_ed50_f479_8a6b, 0x171d_a0fd_6cf8_eebd),
            Fp(0x3726_c30a_f242_c66c, 0x7c2a_c1aa_d1b6_fe70, 0xa040_07fb_ba4b_14a2, 0xef51_7c32_6634_1429, 0x0095_ba65_4ed2_226b, 0x02e3_70ec_cc86_f7dd)))

    /// Granger-Scott squaring for elements of the cyclotomic subgroup (norm 1 over F_p6 and over F_p4),
    /// which holds every value after the easy part of the final exponentiation.
    /// View F_p12 = F_p4[w]/(w^3 - s) with F_p4 = F_p2[s]/(s^2 - xi), s = w^3, f = A + B w + C w^2; then
    /// f^2 = (3A^2 - 2 conj(A)) + (3 s C^2 + 2 conj(B)) w + (3 B^2 - 2 conj(C)) w^2
    /// (Granger and Scott, "Faster squaring in the cyclotomic subgroup of sixth degree extensions", PKC 2010).
    func cyclotomicSquared() -> Fp12 {
        // A = g0 + g3 s, B = g1 + g4 s, C = g2 + g5 s.
        let (a0, a1) = (c0.c0, c1.c1)
        let (b0, b1) = (c1.c0, c0.c2)
        let (cc0, cc1) = (c0.c1, c1.c2)
        // F_p4 squaring: (x + y s)^2 = (x^2 + xi y^2) + 2xy s.
            func fp4Square(_ x: Fp2, _ y: Fp2) -> (Fp2, Fp2) {
            let x2 = x.squared(), y2 = y.squared()
            return (x2 + y2.mulByNonResidue(), (x + y).squared() - x2 - y2)
        }
        let (A0, A1) = fp4Square(a0, a1)
        let (B0, B1) = fp4Square(b0, b1)
        let (C0, C1) = fp4Square(cc0, cc1)
        // New A = 3A^2 - 2 conj(A): (3A0 - 2a0, 3A1 + 2a1).
        let na0 = (A0 - a0).doubled() + A0
        let na1 = (A1 + a1).doubled() + A1
        // New B = 3 s C^2 + 2 conj(B); s C^2 = xi C1 + C0 s.
        let sc0 = C1.mulByNonResidue()
        let nb0 = (sc0 + b0).doubled() + sc0
        let nb1 = (C0 - b1).doubled() + C0
        // New C = 3 B^2 - 2 conj(C).
        let nc0 = (B0 - cc0).doubled() + B0
        let nc1 = (B1 + cc1).doubled() + B1
        return Fp12(Fp6(na0, nc0, nb1), Fp6(nb0, na1, nc1))
    }
}
