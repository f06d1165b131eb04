import Testing
@testable import AirlockAudit

@Suite struct AuditDoorTests {
    /// The doors the audit issue lists, plus Airlock's own (`check`, the log itself) and the
    /// control verbs people use on the gate (approve, reject, freeze, unfreeze).
    @Test func doorsAreTheIssuesListAndAirlocksOwn() {
        #expect(AuditDoor.allCases.map(\.rawValue) == ["check", "hook", "proxy", "mcp", "sandbox", "api", "audit", "control"])
        #expect(AuditDoor(rawValue: "control") == .control, "control records read back")
    }
}
