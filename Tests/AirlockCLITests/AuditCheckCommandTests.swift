import AirlockAudit
import Foundation
import Testing

@Suite("airlock check and the audit log")
struct AuditCheckCommandTests {
    @Test("every check is recorded before it answers; --no-audit and explain are not")
    func recorded() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["check", "--", "psql -h prod-db.internal -c 'DELETE FROM users'"]).status == 1)
        #expect(try cli.run(["check", "--no-audit", "--", "ls"]).status == 0)
        #expect(try cli.run(["explain", "--", "ls"]).status == 0)
        let store = AuditStore(directory: cli.home.appendingPathComponent(".airlock/audit").path)
        var records: [AuditRecord] = []
        try store.forEachEntry { line, _ in
            if let record = try? AuditRecord(bytes: line) { records.append(record) }
            return true
        }
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.outcome == .blocked)
        #expect(record.rule.id == "no-destruction-in-production")
        #expect(record.rule.pattern.contains("environment=production"))
        #expect(record.commands.first?.statement?.sqlClass == "destructive")
        #expect(record.commands.first?.targets == ["host:prod-db.internal"])
        // The kernel's account, not the USER=tester the harness sets: an agent can set $USER.
        #expect(record.context.user == String(cString: getpwuid(geteuid()).pointee.pw_name))
        #expect(record.policyDigest.hasPrefix("sha256:"))
    }

    @Test("a log that cannot be written turns the decision into a deny that names the cause")
    func unwritableLogDenies() throws {
        let cli = try CLIHarness()
        // A regular file where the audit directory should be.
        try cli.write(".airlock/audit", "not a directory")
        let result = try cli.run(["check", "--", "ls"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("airlock-audit-error"))
        #expect(result.stdout.contains("Not a directory"))
        // The same through the full CLI (a policy file makes the front door hand over).
        try cli.write(".airlock/policy.yaml", "version: 1\nrules: []\n")
        let json = try cli.run(["check", "--format", "json", "--", "ls"])
        #expect(json.status == 1)
        #expect((try cli.json(json.stdout)["rule"] as? [String: Any])?["id"] as? String == "airlock-audit-error")
        // A dry experiment still answers.
        #expect(try cli.run(["check", "--no-audit", "--", "ls"]).status == 0)
    }

    @Test("a long command keeps a preview and a digest; its full text can be purged without breaking verification")
    func longActionsGoToTheSideStore() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        let long = "echo " + String(repeating: "x", count: 6000)
        #expect(try cli.run(["check", "--", long]).status == 0)
        let audit = cli.home.appendingPathComponent(".airlock/audit")
        var record: AuditRecord?
        try AuditStore(directory: audit.path).forEachEntry { line, _ in
            record = try? AuditRecord(bytes: line)
            return true
        }
        let stored = try #require(record)
        let digest = try #require(stored.action.fullTextDigest)
        #expect(stored.action.text.count < 1100)
        #expect(long.hasPrefix(String(stored.action.text.dropLast())))
        let blob = audit.appendingPathComponent("blobs/" + digest.dropFirst("sha256:".count))
        #expect(try String(contentsOf: blob, encoding: .utf8) == long)
        #expect(try cli.run(["audit", "checkpoint", "--new"]).status == 0)
        try FileManager.default.removeItem(at: blob)
        #expect(try cli.run(["audit", "verify"]).status == 0)
    }

    @Test("verify refuses a verifier key it cannot read as a usage error")
    func badKeyIsUsage() throws {
        let cli = try CLIHarness()
        _ = try cli.run(["check", "--", "ls"])
        let result = try cli.run(["audit", "verify", "--key", "not-a-key"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("verifier key"))
    }
}
