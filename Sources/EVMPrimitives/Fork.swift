/// Ethereum hard forks by name, in activation order. Every command executes every one of them, Frontier
/// through BPO2, transactions and blocks (their rules are `ForkRules` in EVMInterpreter; BPO1 and BPO2 are
/// Osaka with larger blob schedules; the block-level system calls and EIP-7685 requests are
/// `BlockFinalization`'s in Execution).
public enum Fork: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case frontier, homestead, tangerineWhistle, spuriousDragon, byzantium, constantinople, petersburg,
         istanbul, muirGlacier, berlin, london, arrowGlacier, grayGlacier, paris, shanghai, cancun, prague, osaka, bpo1, bpo2

    public static func < (l: Fork, r: Fork) -> Bool { l.rawValue < r.rawValue }

    /// Forks whose block-level rules are implemented: every fork, Frontier to BPO2.
    public static let supported: [Fork] = Fork.allCases

    public var isSupported: Bool { true }

    /// The names used by ethereum/tests and t8n tools (`Cancun`, `Shanghai`, `Merge`/`Paris`, ...).
    public init?(name: String) {
        switch name.lowercased() {
        case "frontier": self = .frontier
        case "homestead": self = .homestead
        case "eip150", "tangerinewhistle": self = .tangerineWhistle
        case "eip158", "spuriousdragon": self = .spuriousDragon
        case "byzantium": self = .byzantium
        case "constantinople": self = .constantinople
        case "constantinoplefix", "petersburg": self = .petersburg
        case "istanbul": self = .istanbul
        case "muirglacier": self = .muirGlacier
        case "berlin": self = .berlin
        case "london": self = .london
        case "arrowglacier": self = .arrowGlacier
        case "grayglacier": self = .grayGlacier
        case "merge", "paris": self = .paris
        case "shanghai": self = .shanghai
        case "cancun": self = .cancun
        case "prague": self = .prague
        case "osaka": self = .osaka
        case "bpo1": self = .bpo1
        case "bpo2": self = .bpo2
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .frontier: "Frontier"
        case .homestead: "Homestead"
        case .tangerineWhistle: "EIP150"
        case .spuriousDragon: "EIP158"
        case .byzantium: "Byzantium"
        case .constantinople: "Constantinople"
        case .petersburg: "ConstantinopleFix"
        case .istanbul: "Istanbul"
        case .muirGlacier: "MuirGlacier"
        case .berlin: "Berlin"
        case .london: "London"
        case .arrowGlacier: "ArrowGlacier"
        case .grayGlacier: "GrayGlacier"
        case .paris: "Paris"
        case .shanghai: "Shanghai"
        case .cancun: "Cancun"
        case .prague: "Prague"
        case .osaka: "Osaka"
        case .bpo1: "BPO1"
        case .bpo2: "BPO2"
        }
    }

    public var description: String { name }
}
