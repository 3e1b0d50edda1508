import EVMPrimitives
import Keccak
import Vectors

/// Solidity/Vyper ABI calldata for the workload calls: a 4-byte selector and 32-byte words.
enum ABI {
    /// The first four bytes of keccak256 of the canonical signature, e.g. `transfer(address,uint256)`.
    static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).bytes.prefix(4))
    }

    /// One argument word.
    enum Word {
        case uint(UInt256)
        case address(Address)
        case bool(Bool)
        case bytes32(UInt256)

        var encoded: [UInt8] {
            switch self {
            case .uint(let v), .bytes32(let v): return v.bigEndianBytes
            case .address(let a): return a.word.bigEndianBytes
            case .bool(let b): return UInt256(b ? 1 : 0).bigEndianBytes
            }
        }
    }

    static func uint(_ v: UInt64) -> Word { .uint(UInt256(v)) }

    /// Calldata for a function of static arguments only.
    static func call(_ signature: String, _ args: [Word]) -> [UInt8] {
        var out = selector(signature)
        for a in args { out += a.encoded }
        return out
    }

    /// Calldata for `f(address[],uint256[])`: two heads (offsets), then each array as length and elements.
    static func call(_ signature: String, addresses: [Address], amounts: [UInt256]) -> [UInt8] {
        var out = selector(signature)
        let first = 64
        let second = first + 32 * (1 + addresses.count)
        out += UInt256(UInt64(first)).bigEndianBytes
        out += UInt256(UInt64(second)).bigEndianBytes
        out += UInt256(UInt64(addresses.count)).bigEndianBytes
        for a in addresses { out += a.word.bigEndianBytes }
        out += UInt256(UInt64(amounts.count)).bigEndianBytes
        for v in amounts { out += v.bigEndianBytes }
        return out
    }

    /// Calldata for `f(bytes32,bytes)`: the word, the offset of the bytes (64), their length and the bytes padded
    /// to a multiple of 32.
    static func call(_ signature: String, word: UInt256, bytes: [UInt8]) -> [UInt8] {
        var out = selector(signature)
        out += word.bigEndianBytes
        out += UInt256(64).bigEndianBytes
        out += UInt256(UInt64(bytes.count)).bigEndianBytes
        out += bytes
        out += [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32)
        return out
    }
}

/// Where a contract keeps a mapping entry.
enum StorageSlot {
    /// Vyper: `keccak256(pad32(slot) ++ pad32(key))`.
    static func vyper(_ slot: UInt256, _ key: UInt256) -> UInt256 {
        Keccak256.hash(slot.bigEndianBytes + key.bigEndianBytes).word
    }

    static func vyper(_ slot: UInt64, _ key: Address) -> UInt256 { vyper(UInt256(slot), key.word) }

    /// Solidity: `keccak256(pad32(key) ++ pad32(slot))` (the reverse order).
    static func solidity(_ key: UInt256, _ slot: UInt256) -> UInt256 {
        Keccak256.hash(key.bigEndianBytes + slot.bigEndianBytes).word
    }
}

extension UInt256 {
    /// 10^exponent, for token amounts (exponent <= 77).
    static func tenTo(_ exponent: Int) -> UInt256 {
        var v = UInt256.one
        for _ in 0..<exponent { v = v &* UInt256(10) }
        return v
    }
}
