import BLS12381

/// The seven BLS12-381 precompiles of EIP-2537 (Prague), 0x0b-0x11: gas and input lengths here, the arithmetic in
/// the BLS12381 module (`EIP2537`). Invalid input (length, a field element not below p or with non-zero padding,
/// a point off its curve, a point outside the subgroup where MSM and pairing need it) fails the call, consuming all
/// gas passed. Gas (EIP-2537 final): G1ADD 375, G2ADD 600, MAP_FP_TO_G1 5500, MAP_FP2_TO_G2 23800, PAIRING_CHECK
/// 32600·k + 37700, and MSM k·base·discount(k)/1000 with base 12000 (G1) or 22500 (G2) and the discount tables.
enum BLS12381Precompiles {
    static let g1AddGas: UInt64 = 375
    static let g2AddGas: UInt64 = 600
    static let g1MulGas: UInt64 = 12_000
    static let g2MulGas: UInt64 = 22_500
    static let mapFpToG1Gas: UInt64 = 5_500
    static let mapFp2ToG2Gas: UInt64 = 23_800
    static let pairingPerPairGas: UInt64 = 32_600
    static let pairingBaseGas: UInt64 = 37_700

    /// EIP-2537 discount tables for k = 1...128 pairs (per mille); k > 128 uses the last entry.
    static let g1Discount: [UInt64] = [
        1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665, 661, 658, 654,
        651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615, 613, 611, 609, 608, 606, 604,
        603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585, 584, 582, 581, 580, 579, 577, 576, 575, 574,
        573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 551,
        550, 549, 548, 547, 547, 546, 545, 544, 543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532,
        532, 531, 530, 529, 528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
    ]
    static let g2Discount: [UInt64] = [
        1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699, 693, 688, 683,
        679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629, 627, 624, 622, 620, 618, 615,
        613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593, 592, 590, 589, 587, 586, 584, 583, 582, 580, 579,
        578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565, 563, 562, 561, 560, 559, 558, 557, 556, 555, 554,
        553, 552, 552, 551, 550, 549, 548, 547, 546, 545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536,
        535, 535, 534, 533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
    ]

    /// k·base·discount(k)/1000 (saturating; k comes from an input length, so it is far below any overflow).
    static func msmGas(pairs k: Int, base: UInt64, discounts: [UInt64]) -> UInt64 {
        let discount = k <= discounts.count ? discounts[k - 1] : discounts[discounts.count - 1]
        let (a, o1) = UInt64(k).multipliedReportingOverflow(by: base)
        let (b, o2) = a.multipliedReportingOverflow(by: discount)
        return o1 || o2 ? .max : b / 1000
    }

    static func pairingGas(pairs k: Int) -> UInt64 {
        let (a, o1) = UInt64(k).multipliedReportingOverflow(by: pairingPerPairGas)
        let (b, o2) = a.addingReportingOverflow(pairingBaseGas)
        return o1 || o2 ? .max : b
    }

    /// Gas for a call of `address` (0x0b-0x11) with this input, or nil when the length alone makes it invalid.
    static func gas(_ address: UInt32, inputLength n: Int) -> UInt64? {
        switch address {
        case 0x0b: return n == 2 * EIP2537.g1PointLength ? g1AddGas : nil
        case 0x0c:
            guard n > 0, n % EIP2537.g1MSMPairLength == 0 else { return nil }
            return msmGas(pairs: n / EIP2537.g1MSMPairLength, base: g1MulGas, discounts: g1Discount)
        case 0x0d: return n == 2 * EIP2537.g2PointLength ? g2AddGas : nil
        case 0x0e:
            guard n > 0, n % EIP2537.g2MSMPairLength == 0 else { return nil }
            return msmGas(pairs: n / EIP2537.g2MSMPairLength, base: g2MulGas, discounts: g2Discount)
        case 0x0f:
            guard n > 0, n % EIP2537.pairingPairLength == 0 else { return nil }
            return pairingGas(pairs: n / EIP2537.pairingPairLength)
        case 0x10: return n == 64 ? mapFpToG1Gas : nil
        case 0x11: return n == 128 ? mapFp2ToG2Gas : nil
        default: return nil
        }
    }

    static func run(_ address: UInt32, input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard let cost = gas(address, inputLength: input.count), cost <= gasLimit else { return .failure }
        let output: [UInt8]?
        switch address {
        case 0x0b: output = EIP2537.g1Add(input)
        case 0x0c: output = EIP2537.g1MSM(input)
        case 0x0d: output = EIP2537.g2Add(input)
        case 0x0e: output = EIP2537.g2MSM(input)
        case 0x0f: output = EIP2537.pairingCheck(input).map { PrecompileGas.word($0 ? 1 : 0) }
        case 0x10: output = EIP2537.mapFpToG1(input)
        case 0x11: output = EIP2537.mapFp2ToG2(input)
        default: output = nil
        }
        guard let output else { return .failure }
        return .success(gasUsed: cost, output: output)
    }
}
