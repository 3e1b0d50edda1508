/// Ethereum hard forks by name, in activation order. Lockstep executes Frontier through Cancun (their rules
/// are `ForkRules` in EVMInterpreter); Prague and Osaka are known so that vectors naming them are reported
/// as unsupported rather than as malformed.
public enum Fork: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case frontier, homestead, tangerineWhistle, spuriousDragon, byzantium, constantinople, petersburg,
         istanbul, muirGlacier, berlin, london, arrowGlacier, grayGlacier, paris, shanghai, cancun, prague, osaka

    public static func < (l: Fork, r: Fork) -> Bool { l.rawValue < r.rawValue }

    /// Forks whose rules the interpreter implements.
    public static let supported: [Fork] = Fork.allCases.filter { $0 <= .cancun }

    public var isSupported: Bool { self <= .cancun }

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
        }
    }

    public var description: String { name }
}
