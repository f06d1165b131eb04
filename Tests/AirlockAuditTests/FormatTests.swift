import Foundation
import Testing
@testable import AirlockAudit

@Suite struct ECSExportTests {
    @Test("ECS documents have the fields SIEM rules search on")
    func shape() throws {
        let document = try jsonObject(AuditExport.render(ExportFixtures.record(.blocked), as: .ecs))
        #expect(document["@timestamp"] as? String == "2026-11-21T07:50:01.123Z")
        #expect(lookup(document, "event.kind") as? String == "event")
        #expect(lookup(document, "event.category") as? [String] == ["process"])
        #expect(lookup(document, "event.type") as? [String] == ["denied"])
        #expect(lookup(document, "event.outcome") as? String == "failure")
        #expect(lookup(document, "event.action") as? String == "blocked")
        #expect(lookup(document, "rule.id") as? String == "no-force-push")
        #expect(lookup(document, "rule.ruleset") as? String == "airlock")
        #expect(lookup(document, "user.name") as? String == "alice")
        #expect(lookup(document, "host.hostname") as? String == "dev-1")
        #expect(lookup(document, "process.command_line") as? String == "git push --force origin main")
        #expect(lookup(document, "process.working_directory") as? String == "/work/app")
        #expect(lookup(document, "labels.environment") as? String == "production")
        #expect(lookup(document, "airlock.index") as? Int == 7)
        #expect(lookup(document, "ecs.version") as? String == ECS.version)
    }

    @Test("category, type and outcome per decision and class")
    func categorisation() throws {
        let allowed = try jsonObject(AuditExport.render(ExportFixtures.record(.allowed), as: .ecs))
        #expect(lookup(allowed, "event.type") as? [String] == ["allowed", "start"])
        #expect(lookup(allowed, "event.outcome") as? String == "success")
        let sql = try jsonObject(AuditExport.render(ExportFixtures.record(.allowed, commands: [ExportFixtures.sql]), as: .ecs))
        #expect(lookup(sql, "event.category") as? [String] == ["database"])
        let mcp = try jsonObject(AuditExport.render(ExportFixtures.record(.approvalRequired, door: .mcp, commands: [ExportFixtures.mcp]), as: .ecs))
        #expect(lookup(mcp, "event.category") as? [String] == ["api"])
        #expect(lookup(mcp, "event.outcome") as? String == "unknown")
        let freeze = try jsonObject(AuditExport.render(ExportFixtures.record(.freezeStarted), as: .ecs))
        #expect(lookup(freeze, "event.category") as? [String] == ["configuration"])
        #expect(lookup(freeze, "event.type") as? [String] == ["change"])
    }
}

@Suite struct CEFExportTests {
    @Test("header fields escape pipes and backslashes; line breaks cannot split the event")
    func headerEscaping() {
        #expect(CEF.escapeHeader(#"a|b\c"#) == #"a\|b\\c"#)
        #expect(CEF.escapeHeader("a\nb\rc") == "a b c")
        #expect(CEF.escapeHeader("key=value") == "key=value")
        let line = AuditExport.render(ExportFixtures.record(.blocked, rule: #"rule|with\pipe"#), as: .cef)
        #expect(line.hasPrefix(#"CEF:0|Airlock|Airlock|0.1.0|rule\|with\\pipe|blocked|7|"#))
    }

    @Test("extension values escape equals, backslashes and newlines, not pipes")
    func extensionEscaping() {
        #expect(CEF.escapeExtension(#"a=b\c|d"#) == #"a\=b\\c|d"#)
        #expect(CEF.escapeExtension("one\ntwo\rthree") == #"one\ntwo\rthree"#)
        let record = ExportFixtures.record(.blocked, text: "psql -c \"UPDATE t SET a=1\"\nrm -rf C:\\x", reason: "a=b | c\\d")
        let line = AuditExport.render(record, as: .cef)
        #expect(!line.contains("\n"))
        #expect(line.contains(#"cs6=psql -c "UPDATE t SET a\=1"\nrm -rf C:\\x"#))
        #expect(line.hasSuffix(#"msg=a\=b | c\\d"#))
    }

    @Test("the extension carries time, act, users, hosts and the custom strings")
    func extensionKeys() throws {
        let line = AuditExport.render(ExportFixtures.record(.blocked), as: .cef)
        let parts = line.split(separator: "|", maxSplits: 7, omittingEmptySubsequences: false)
        #expect(parts.count == 8)
        #expect(parts[5] == "blocked")
        #expect(parts[6] == "7")
        let ext = String(parts[7])
        for pair in ["rt=1795247401123", "act=blocked", "suser=alice", "shost=dev-1", "dhost=github.com", "cs1Label=rule", "cs1=no-force-push",
                     "cs2Label=environment", "cs2=production", "cs3Label=agent", "cs3=claude-code", "cn1=7"] {
            #expect(ext.contains(pair), "\(pair)")
        }
        for outcome in AuditRecord.Outcome.allCases { #expect((0...10).contains(CEF.severity(outcome))) }
    }
}

@Suite struct TextExportTests {
    @Test("one readable line with time, decision, door, agent, environment, rule and action")
    func line() {
        let text = AuditExport.render(ExportFixtures.record(.blocked, text: "echo a\necho b"), as: .text)
        #expect(text == #"2026-11-21T07:50:01.123Z #7 BLOCKED hook agent=claude-code env=production rule=no-force-push echo a\necho b — force pushes rewrite shared history"#)
        let approved = AuditExport.render(ExportFixtures.record(.approved), as: .text)
        #expect(approved.contains("APPROVED") && approved.contains("approval=ap-1 by bob"))
    }

    @Test("no format emits a newline", arguments: AuditFormat.allCases)
    func oneLine(_ format: AuditFormat) {
        for record in ExportFixtures.all {
            var multiline = record
            multiline.action.text = "a\nb\r\nc"
            multiline.reason = "x\ny"
            let line = AuditExport.render(multiline, as: format)
            #expect(!line.contains("\n") && !line.contains("\r"), "\(format)")
        }
    }
}
