import Reports

/// What became of one run of one case (a state test, or a block under one executor and thread count), decided by
/// the runner that ran it. Reports, terminal output and `--json` read it; nothing infers it from which fields of a
/// result are empty.
public enum RunStatus: Sendable, Equatable, Hashable {
    /// It ran and every check held.
    case passed
    /// It ran and at least one check failed: the problems, `; `-separated.
    case failed(String)
    /// It could not run or gave no outcome: the vector did not load, the external tool failed, ... (why).
    case error(String)
    /// It was not run: the skip list names it, or its fork is not supported (why).
    case skipped(String)

    public var isPassed: Bool { self == .passed }
    public var isSkipped: Bool { if case .skipped = self { true } else { false } }
    /// Failed or in error: what a run's failure count and exit status count.
    public var isFailure: Bool {
        switch self {
        case .failed, .error: true
        case .passed, .skipped: false
        }
    }

    /// Why it did not pass; nil when it passed.
    public var reason: String? {
        switch self {
        case .passed: nil
        case .failed(let r), .error(let r), .skipped(let r): r
        }
    }

    /// The report's status of a case with this outcome.
    public var caseStatus: CaseStatus {
        switch self {
        case .passed: .pass
        case .failed: .fail
        case .error: .error
        case .skipped: .skip
        }
    }

    /// `.passed` for no problems, else `.failed` with the problems `; `-separated.
    public static func judged(_ problems: [String]) -> RunStatus {
        problems.isEmpty ? .passed : .failed(problems.joined(separator: "; "))
    }

    /// This status with one more failed check: a pass becomes `.failed(problem)`, a failure gains `; problem`;
    /// an error or a skip (nothing was checked) stays as it is.
    public func failing(_ problem: String) -> RunStatus {
        switch self {
        case .passed: .failed(problem)
        case .failed(let r): .failed(r + "; " + problem)
        case .error, .skipped: self
        }
    }
}

/// A result a `RunStatus` judges (a state-test case, a blockchain test): what it answers about that status.
public protocol RunStatusResult {
    var status: RunStatus { get }
}

extension RunStatusResult {
    public var pass: Bool { status.isPassed }
    /// Why it failed or could not run; nil when it passed or was skipped.
    public var error: String? {
        switch status {
        case .failed(let r), .error(let r): r
        case .passed, .skipped: nil
        }
    }
    /// Why it was not run; nil when it ran.
    public var skipReason: String? { if case .skipped(let r) = status { r } else { nil } }
    public var isSkipped: Bool { status.isSkipped }
    public var isFailure: Bool { status.isFailure }
}

/// Totals over a list of results: `N passed, M failed, K skipped` (an error counts as failed).
public struct RunSummary: Sendable, Equatable, CustomStringConvertible {
    public var passed = 0
    public var failed = 0
    public var skipped = 0

    public init(_ results: [some RunStatusResult]) {
        for r in results {
            if r.pass { passed += 1 } else if r.isSkipped { skipped += 1 } else { failed += 1 }
        }
    }

    /// The last line of every `lockstep statetest` and `lockstep blocktest` run.
    public var description: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }
}

extension RunStatus: Codable {
    private enum CodingKeys: String, CodingKey { case kind, reason }

    /// `{"kind": "pass" | "fail" | "error" | "skip", "reason": "..."}` (no reason for a pass): the kinds are the
    /// report's `CaseStatus` names.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(caseStatus.rawValue, forKey: .kind)
        try c.encodeIfPresent(reason, forKey: .reason)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        func reason() throws -> String { try c.decode(String.self, forKey: .reason) }
        switch CaseStatus(rawValue: kind) {
        case .pass: self = .passed
        case .fail: self = .failed(try reason())
        case .error: self = .error(try reason())
        case .skip: self = .skipped(try reason())
        case nil:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown status kind \(kind)")
        }
    }
}
