import Testing
@testable import AirlockAudit

@Suite struct AuditDoorTests {
    @Test func doorsAreTheIssuesList() {
        #expect(AuditDoor.allCases.map(\.rawValue) == ["check", "hook", "proxy", "mcp", "sandbox", "api", "audit"])
    }
}
