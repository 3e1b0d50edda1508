import EVMPrimitives
import Reports
import Vectors

extension CaseResult {
    /// The suite state tests report under.
    public static let stateTestSuite = "statetest"

    /// A state-test result as a case of the `statetest` suite, executor `serial`, with the status its runner decided.
    /// With the case at hand its expected root and logs hash are filled in for a failure.
    public init(stateTest r: StateTestResult, case c: StateTestCase? = nil, reproduce: String? = nil) {
        let status = r.status.caseStatus
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
                  fork: r.fork, status: status, message: r.status.reason, expected: expected, actual: actual,
                  reproduce: reproduce)
    }
}
