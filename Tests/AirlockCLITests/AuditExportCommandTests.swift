import AirlockAudit
import Foundation
import Testing

extension CLIHarness {
    var auditStore: AuditStore { AuditStore(directory: home.path + "/.airlock/audit") }

    /// Appends records as the doors would: one per (outcome, agent, timestamp).
    func seed(_ entries: [(AuditRecord.Outcome, String?, String)]) throws {
        try auditStore.append(entries.map { outcome, agent, timestamp in
            AuditRecord(
                timestamp: timestamp, outcome: outcome, door: .hook, action: .init(kind: "shell", text: "echo \(outcome.rawValue)"),
                commands: [.init(binary: "echo", args: [outcome.rawValue], effect: "read", environment: "development", decision: "allow")],
                environment: "development", rule: .init(id: "rule-\(outcome.rawValue)", type: "rule", pattern: "echo"), reason: "because",
                context: .init(user: "tester", agent: agent, session: nil, workingDirectory: "/tmp", host: "test-host"), policyDigest: "sha256:00")
        })
    }

    func seedDays() throws {
        try seed([
            (.allowed, "claude-code", "2026-11-20T10:00:00.000Z"),
            (.blocked, "claude-code", "2026-11-21T09:00:00.000Z"),
            (.approvalRequired, "cursor", "2026-11-21T12:00:00.500Z"),
            (.approved, "cursor", "2026-11-22T08:00:00.000Z"),
            (.rejected, nil, "2026-11-23T08:00:00.000Z"),
        ])
    }
}

@Suite("airlock audit tail and export")
struct AuditExportCommandTests {
    @Test("tail -n shows the last N entries, text by default, any format on request")
    func tail() throws {
        let cli = try CLIHarness()
        try cli.seed((0..<15).map { _ in (.allowed, "claude-code", "2026-11-21T07:50:01.123Z") })
        let ten = try cli.run(["audit", "tail"])
        #expect(ten.status == 0)
        let lines = ten.stdout.split(separator: "\n")
        #expect(lines.count == 10)
        #expect(lines.first?.contains("#5 ALLOWED hook agent=claude-code") == true)
        #expect(lines.last?.contains("#14 ") == true)
        let three = try cli.run(["audit", "tail", "-n", "3", "--format", "jsonl"])
        let records = try three.stdout.split(separator: "\n").map { try AuditRecord(bytes: Array($0.utf8)) }
        #expect(records.map(\.index) == [12, 13, 14])
        #expect(try cli.run(["audit", "tail", "-n", "0"]).stdout.isEmpty)
        #expect(try cli.run(["audit", "tail", "--format", "yaml"]).status == 64)
    }

    @Test("an empty or missing log tails and exports nothing")
    func empty() throws {
        let cli = try CLIHarness()
        let tail = try cli.run(["audit", "tail"])
        #expect(tail.status == 0 && tail.stdout.isEmpty)
        #expect(try cli.run(["audit", "export"]).stdout.isEmpty)
    }

    @Test("tail -f prints entries appended after it started")
    func follow() throws {
        let cli = try CLIHarness()
        try cli.seed([(.allowed, "a", "2026-11-21T07:50:01.123Z")])
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = ["audit", "tail", "-f", "--format", "jsonl"]
        process.environment = ["HOME": cli.home.path, "AIRLOCK_HOME": cli.home.path + "/.airlock", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        try cli.seed([(.blocked, "b", "2026-11-21T07:50:02.000Z")])
        Thread.sleep(forTimeInterval: 0.8)
        process.interrupt()
        // Never hang the suite: if SIGINT did not stop it, that is the failure.
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let stopped = !process.isRunning
        if !stopped { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(stopped, "tail -f did not stop on SIGINT")
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let records = try text.split(separator: "\n").map { try AuditRecord(bytes: Array($0.utf8)) }
        #expect(records.map(\.index) == [0, 1])
        #expect(records.last?.outcome == .blocked)
    }

    @Test("export filters by time, decision and agent")
    func filters() throws {
        let cli = try CLIHarness()
        try cli.seedDays()
        func indices(_ arguments: [String]) throws -> [UInt64] {
            let result = try cli.run(["audit", "export"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return try result.stdout.split(separator: "\n").map { try AuditRecord(bytes: Array($0.utf8)).index }
        }
        #expect(try indices([]) == [0, 1, 2, 3, 4])
        #expect(try indices(["--since", "2026-11-21"]) == [1, 2, 3, 4])
        #expect(try indices(["--since", "2026-11-21", "--until", "2026-11-22"]) == [1, 2])
        #expect(try indices(["--since", "2026-11-21T12:00:00.500Z"]) == [2, 3, 4])
        #expect(try indices(["--until", "2026-11-21T14:30:00+02:00"]) == [0, 1, 2])
        #expect(try indices(["--until", "2026-11-21T13:00:00+02:00"]) == [0, 1])
        #expect(try indices(["--decision", "blocked"]) == [1])
        #expect(try indices(["--decision", "approval_required,approved"]) == [2, 3])
        #expect(try indices(["--agent", "cursor"]) == [2, 3])
        #expect(try indices(["--agent", "claude*"]) == [0, 1])
        #expect(try indices(["--agent", "claude*", "--decision", "blocked", "--since", "2026-11-21"]) == [1])
    }

    @Test("export writes every format, one line per entry")
    func formats() throws {
        let cli = try CLIHarness()
        try cli.seedDays()
        let ocsf = try cli.run(["audit", "export", "--format", "ocsf"])
        let events = try ocsf.stdout.split(separator: "\n").map { try cli.json(String($0)) }
        #expect(events.count == 5)
        #expect(events.allSatisfy { $0["class_uid"] as? Int == 1007 })
        #expect(events.map { $0["disposition_id"] as? Int } == [1, 2, 14, 8, 25])
        let cef = try cli.run(["audit", "export", "--format", "cef"])
        #expect(cef.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("CEF:0|Airlock|Airlock|0.1.0|") })
        let ecs = try cli.run(["audit", "export", "--format", "ecs", "--decision", "blocked"])
        #expect(try cli.json(ecs.stdout)["@timestamp"] as? String == "2026-11-21T09:00:00.000Z")
    }

    @Test("bad filters are usage errors that say what is accepted")
    func usage() throws {
        let cli = try CLIHarness()
        let decision = try cli.run(["audit", "export", "--decision", "denied"])
        #expect(decision.status == 64)
        #expect(decision.stderr.contains("allowed, blocked, approval_required, approved, rejected, expired"))
        let since = try cli.run(["audit", "export", "--since", "yesterday"])
        #expect(since.status == 64 && since.stderr.contains("RFC 3339"))
        #expect(try cli.run(["audit", "export", "--format", "xml"]).status == 64)
        #expect(try cli.run(["audit", "export", "--help"]).stdout.contains("airlock audit export --format ocsf"))
    }
}
