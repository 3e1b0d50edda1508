import EVMPrimitives
import Reports
import Vectors

extension CaseResult {
    /// The suite state tests report under.
    public static let stateTestSuite = "statetest"

    /// A state-test result as a case of the `statetest` suite, executor `serial`. With the case at hand its expected
    /// root and logs hash are filled in for a failure. A failure where nothing ran (a load error) is an `error`.
    public init(stateTest r: StateTestResult, case c: StateTestCase? = nil, reproduce: String? = nil) {
        let status: CaseStatus
        if r.isSkipped {
            status = .skip
        } else if r.pass {
            status = .pass
        } else {
            status = r.stateRoot == nil ? .error : .fail
        }
        var expected: OutcomeSummary?
        if status == .fail, let c {
            expected = OutcomeSummary(stateRoot: c.expectedStateRoot.description,
                                      logsHash: c.expectException == nil ? c.expectedLogsHash.description : nil)
        }
        var actual: OutcomeSummary?
        if r.stateRoot != nil || r.logsHash != nil {
            actual = OutcomeSummary(stateRoot: r.stateRoot?.description, logsHash: r.logsHash?.description)
        }
        self.init(suite: CaseResult.stateTestSuite, name: r.name, executor: ExecutorChoice.serial.rawValue, threads: 1,
                  fork: r.fork, status: status, message: r.skipReason ?? r.error, expected: expected, actual: actual,
                  reproduce: reproduce)
    }
}
