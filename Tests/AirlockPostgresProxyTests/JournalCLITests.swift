import AirlockAudit
import AirlockJournal
import AirlockPostgresProxy
import Foundation
import Testing

/// `airlock undo` and `airlock journal` end to end: the built airlock-cli, a real server, an
/// audit record naming a journal entry as the proxy writes it.
@Suite(.serialized) struct JournalCLITests {
    typealias Fixture = JournalRestoreTests.Fixture

    /// Runs airlock-cli in the fixture's home; `terminal` runs it in a pseudo-terminal (through
    /// `script`), as a person at a terminal would.
    func airlock(_ fixture: Fixture, _ arguments: [String], terminal: Bool = false) async throws -> ProcessResult {
        let environment = ["AIRLOCK_HOME": fixture.home.path, "HOME": fixture.home.path, "PATH": "/usr/bin:/bin", "USER": "dba", "TERM": "dumb"]
        if terminal {
            let command = ([Binaries.airlockCLI] + arguments).map { "'\($0)'" }.joined(separator: " ")
            var result = try await ProcessRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment, currentDirectory: "/")
            result.stdout = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
            return result
        }
        return try await ProcessRunner.run(Binaries.airlockCLI, arguments, environment: environment, currentDirectory: "/")
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// A decision record as the proxy writes one, naming `journal`.
    func appendRecord(_ fixture: Fixture, text: String, journal: String?) throws -> UInt64 {
        var record = AuditRecord(
            timestamp: AuditClock.now(), outcome: .approved, door: .proxy, action: AuditRecord.Action(kind: "sql", text: text), environment: "production",
            rule: AuditRecord.Rule(id: "prod-writes-need-a-human", type: "sql", pattern: ""), reason: "approved by dba",
            context: AuditRecord.Context(user: "dba", agent: "claude", session: "pg-1", workingDirectory: "/", host: "test"), policyDigest: "")
        record.journal = journal
        return try #require(try AuditStore(directory: fixture.home.path + "/audit").append([record]).first?.index)
    }

    @Test func undoListAndVerifyThroughTheBinary() async throws {
        let fixture = try await Fixture()
        try fixture.home.writeUpstreams([.init(name: "app", server: fixture.server, environment: "production")])
        try await fixture.makeTable()
        try await fixture.server.psql("DELETE FROM child")
        let checksum = try await fixture.checksum()
        let entry = try await fixture.capturePreImages(kind: .deletePreImages, where: "id IN (2, 3)", statement: "DELETE FROM t WHERE id IN (2, 3)")
        let afterDelete = try await fixture.checksum()
        let plain = try appendRecord(fixture, text: "SELECT 1", journal: nil)
        let index = try appendRecord(fixture, text: "DELETE FROM t WHERE id IN (2, 3)", journal: entry.id)

        let listed = try await airlock(fixture, ["journal", "list", "--format", "json"])
        #expect(listed.status == 0, "\(listed)")
        let entries = try #require(try json(listed.stdout)["entries"] as? [[String: Any]])
        #expect(entries.count == 1 && entries.first?["id"] as? String == entry.id && entries.first?["rows"] as? Int == 2)
        #expect(entries.first?["restored"] is NSNull)

        let noEntry = try await airlock(fixture, ["undo", String(plain), "--dry-run"])
        #expect(noEntry.status == 1 && noEntry.stderr.contains("names no journal entry"), "\(noEntry)")

        let dry = try await airlock(fixture, ["undo", String(index), "--dry-run", "--format", "json"])
        #expect(dry.status == 0, "\(dry)")
        let dryReport = try json(dry.stdout)
        #expect(dryReport["dry_run"] as? Bool == true && dryReport["rows"] as? Int == 2)
        #expect(try await fixture.checksum() == afterDelete, "a dry run changes nothing")

        let scripted = try await airlock(fixture, ["undo", String(index)])
        #expect(scripted.status != 0 && scripted.stderr.contains("interactive terminal"), "a real undo needs a person: \(scripted)")

        let undone = try await airlock(fixture, ["undo", String(index)], terminal: true)
        #expect(undone.status == 0, "\(undone)")
        #expect(undone.stdout.contains("restored journal entry \(entry.id)") && undone.stdout.contains("public.t: 2 rows inserted"), "\(undone.stdout)")
        #expect(try await fixture.checksum() == checksum)

        let again = try await airlock(fixture, ["undo", String(index)], terminal: true)
        #expect(again.status != 0 && again.stdout.contains("already restored"), "\(again)")
        #expect(try await fixture.checksum() == checksum)

        let records = AuditStore(directory: fixture.home.path + "/audit")
        var last: AuditRecord?
        try records.forEachEntry { line, _ in
            last = try? AuditRecord(bytes: line)
            return true
        }
        #expect(last?.door == .control && last?.journal == entry.id && last?.action.text == "airlock undo \(index)", "\(String(describing: last))")
        #expect(last?.reason.contains("restored journal entry \(entry.id)") == true)

        let relisted = try await airlock(fixture, ["journal", "list"])
        #expect(relisted.status == 0 && relisted.stdout.contains("public.t (2 rows)") && relisted.stdout.contains("restored 20"), "\(relisted)")

        let verified = try await airlock(fixture, ["journal", "verify", "--format", "json"])
        #expect(verified.status == 0, "\(verified)")
        #expect(try json(verified.stdout)["ok"] as? Bool == true)

        let path = fixture.journal.dataPath(of: entry, table: 0)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count / 2] ^= 0x20
        try data.write(to: URL(fileURLWithPath: path))
        let failed = try await airlock(fixture, ["journal", "verify", entry.id])
        #expect(failed.status == 1 && failed.stdout.contains("FAILED  \(entry.id)") && failed.stdout.contains("changed or damaged"), "\(failed)")
    }

    @Test func helpDescribesTheVerbs() async throws {
        let fixture = try await Fixture()
        let undo = try await airlock(fixture, ["undo", "--help"])
        #expect(undo.stdout.contains("--dry-run") && undo.stdout.contains("zcat"), "\(undo)")
        let journal = try await airlock(fixture, ["journal", "--help"])
        #expect(journal.stdout.contains("list") && journal.stdout.contains("verify"), "\(journal)")
        let top = try await airlock(fixture, ["--help"])
        #expect(top.stdout.contains("undo") && top.stdout.contains("journal"))
    }
}
