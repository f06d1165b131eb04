@testable import AirlockAudit

/// Records covering every outcome and every OCSF class the exporter chooses.
enum ExportFixtures {
    static let context = AuditRecord.Context(user: "alice", agent: "claude-code", session: "s-42", workingDirectory: "/work/app", host: "dev-1")

    static func record(
        _ outcome: AuditRecord.Outcome, door: AuditDoor = .hook, text: String = "git push --force origin main", commands: [AuditRecord.Command]? = nil,
        rule: String = "no-force-push", reason: String = "force pushes rewrite shared history", index: UInt64 = 7, agent: String? = "claude-code"
    ) -> AuditRecord {
        var context = context
        context.agent = agent
        var record = AuditRecord(
            timestamp: "2026-11-21T07:50:01.123Z", outcome: outcome, door: door, action: .init(kind: "shell", text: text),
            commands: commands ?? [.init(binary: "git", args: ["push", "--force", "origin", "main"], effect: "write", environment: "production", targets: ["host:github.com"], decision: "deny", rule: rule)],
            environment: "production", rule: .init(id: rule, type: "rule", pattern: "git push --force"), reason: reason, context: context,
            approval: outcome == .approved || outcome == .rejected ? .init(id: "ap-1", approver: "bob") : nil, policyDigest: "sha256:" + String(repeating: "ab", count: 32))
        record.index = index
        return record
    }

    static let sql = AuditRecord.Command(
        binary: "psql", args: ["-h", "prod-db.internal", "-c", "DROP TABLE executives"], effect: "destructive", environment: "production",
        targets: ["host:prod-db.internal"], statement: .init(text: "DROP TABLE executives", kind: "drop", sqlClass: "ddl", tables: ["executives"]),
        decision: "deny", rule: "no-destruction-in-production")

    static let mcp = AuditRecord.Command(binary: "github", args: ["delete_repository"], subcommand: "delete_repository", effect: "destructive", environment: "production", decision: "deny")

    /// Every outcome through the shell door, plus the other classes.
    static var all: [AuditRecord] {
        var records = AuditRecord.Outcome.allCases.enumerated().map { record($0.element, index: UInt64($0.offset)) }
        records.append(record(.blocked, door: .check, text: "psql -h prod-db.internal -c 'DROP TABLE executives'", commands: [sql], index: 20))
        records.append(record(.allowed, door: .proxy, text: "SELECT 1", commands: [], index: 21))
        records.append(record(.approvalRequired, door: .mcp, text: "github.delete_repository", commands: [mcp], index: 22))
        records.append(record(.allowed, door: .mcp, text: "tool", commands: [], index: 23, agent: nil))
        records.append(record(.freezeStarted, door: .api, text: "freeze", commands: [], rule: "freeze", index: 24))
        records.append(AuditStore.recoveryRecord("discarded 12 bytes", at: "2026-11-21T07:50:02.000Z"))
        return records
    }
}
