/// When forks activate on a chain: by block number up to the merge, by timestamp from Shanghai on (EIP-4895
/// and later forks are scheduled by time). Data, not code: `mainnet` is Ethereum's schedule, and the
/// transition networks of ethereum/tests (`BerlinToLondonAt5`, `ShanghaiToCancunAtTime15k`) parse into one.
public struct ForkSchedule: Sendable, Equatable {
    /// What activates a fork.
    public enum Activation: Sendable, Equatable {
        case block(UInt64)
        case timestamp(UInt64)
    }

    /// Forks in activation order, each with what activates it; the first one's activation is ignored.
    public var forks: [(fork: Fork, activation: Activation)]

    public init(_ forks: [(fork: Fork, activation: Activation)]) { self.forks = forks }

    /// One fork from genesis on.
    public init(only fork: Fork) { forks = [(fork, .block(0))] }

    public static func == (l: ForkSchedule, r: ForkSchedule) -> Bool {
        l.forks.count == r.forks.count && zip(l.forks, r.forks).allSatisfy { $0.fork == $1.fork && $0.activation == $1.activation }
    }

    /// The fork of a block with this number and timestamp: the last one whose activation it has reached.
    public func fork(number: UInt64, timestamp: UInt64) -> Fork {
        var current = forks.first?.fork ?? .frontier
        for (fork, activation) in forks.dropFirst() {
            switch activation {
            case .block(let n): if number >= n { current = fork }
            case .timestamp(let t): if timestamp >= t { current = fork }
            }
        }
        return current
    }

    /// Ethereum mainnet. Constantinople and Petersburg activated together at 7,280,000 (Petersburg's rules);
    /// the merge (Paris) happened by total difficulty, first proof-of-stake block 15,537,394. The DAO fork's
    /// irregular state change at 1,920,000 changes no rules and is not modelled.
    public static let mainnet = ForkSchedule([
        (.frontier, .block(0)),
        (.homestead, .block(1_150_000)),
        (.tangerineWhistle, .block(2_463_000)),
        (.spuriousDragon, .block(2_675_000)),
        (.byzantium, .block(4_370_000)),
        (.petersburg, .block(7_280_000)),
        (.istanbul, .block(9_069_000)),
        (.muirGlacier, .block(9_200_000)),
        (.berlin, .block(12_244_000)),
        (.london, .block(12_965_000)),
        (.arrowGlacier, .block(13_773_000)),
        (.grayGlacier, .block(15_050_000)),
        (.paris, .block(15_537_394)),
        (.shanghai, .timestamp(1_681_338_455)),
        (.cancun, .timestamp(1_710_338_135)),
    ])

    /// The schedule a test network name stands for: a fork name (`Cancun`), or a transition
    /// `<Fork>To<Fork>At<N>` (block number) or `<Fork>To<Fork>AtTime<N>` (timestamp; `15k` is 15,000).
    /// nil for a name that is neither.
    public init?(network: String) {
        if let fork = Fork(name: network) {
            self.init(only: fork)
            return
        }
        // `<From>To<Next>At<...>`: fork names never contain "To" or "At".
        let chars = Array(network.utf8)
        func find(_ word: String, from start: Int) -> Int? {
            let w = Array(word.utf8)
            guard chars.count >= w.count else { return nil }
            return (start...(chars.count - w.count)).first { i in chars[i..<(i + w.count)].elementsEqual(w) }
        }
        guard chars.count >= 4, let to = find("To", from: 0), let at = find("At", from: to + 2) else { return nil }
        func text(_ range: Range<Int>) -> String { String(decoding: chars[range], as: UTF8.self) }
        guard let from = Fork(name: text(0..<to)), let next = Fork(name: text((to + 2)..<at)), from < next else { return nil }
        var rest = Substring(text((at + 2)..<chars.count))
        let byTime = rest.hasPrefix("Time")
        if byTime { rest = rest.dropFirst(4) }
        var scale: UInt64 = 1
        if rest.hasSuffix("k") {
            scale = 1000
            rest = rest.dropLast()
        }
        guard let n = UInt64(rest), !rest.isEmpty else { return nil }
        let (value, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        self.init([(from, .block(0)), (next, byTime ? .timestamp(value) : .block(value))])
    }
}
