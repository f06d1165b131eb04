import Foundation
import Testing

/// The whole control loop with real processes and the real SQLite store: ask, pending,
/// approve from a terminal, the approved action allowed exactly once, freezes, and a state
/// store that fails.
@Suite("Gate: approvals and freezes through real processes")
struct GateCommandTests {
    static let update = #"psql -h prod-db.internal -c "UPDATE users SET plan = 'pro' WHERE id = 42""#

    /// A policy whose only rule asks about writes to `prod-*` hosts, with this `approval:`.
    static func productionWrites(approval: String) -> String {
        """
        version: 1
        environments:
          production: { hosts: ["prod-*"] }
        rules:
          - id: prod-writes
            decision: ask
            reason: production writes need a person
            when: { environment: production, effect_class: write }
            approval: \(approval)
        """
    }

    /// Checks a command line as an agent would and returns (exit status, decision JSON).
    func check(_ cli: CLIHarness, _ line: String, agent: String = "claude", cwd: String? = nil, extra: [String] = []) throws -> (Int32, [String: Any]) {
        let result = try cli.run(["check", "--format", "json", "--agent", agent] + extra + ["--", line], cwd: cwd)
        #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
        return (result.status, try cli.json(result.stdout))
    }

    func approvalID(_ decision: [String: Any]) throws -> String {
        let approval = try #require(decision["approval"] as? [String: Any], "no approval in \(decision)")
        return try #require(approval["id"] as? String)
    }

    @Test("ask → pending → approve at a terminal → allowed exactly once → asks again")
    func approvalLoop() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        let (status, asked) = try check(cli, Self.update)
        #expect(status == 2)
        let id = try approvalID(asked)
        #expect((asked["approval"] as? [String: Any])?["state"] as? String == "requested")
        #expect(id.range(of: #"^[0-9A-Z]{4}-[0-9A-Z]{2}$"#, options: .regularExpression) != nil)

        // The agent is told what to do and nothing it could use itself.
        let text = try cli.run(["check", "--agent", "claude", "--", Self.update])
        #expect(text.status == 2)
        #expect(text.stdout.contains("approval request \(id) is still waiting"))
        #expect(text.stdout.contains("a person must approve it from their own terminal"))
        #expect(text.stdout.contains("retry exactly the same command"))

        // Retrying before approval finds the same request, not a new one.
        #expect(try approvalID(check(cli, Self.update).1) == id)

        let pending = try cli.run(["pending", "--format", "json"])
        #expect(pending.status == 0)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(pending.stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["id"] as? String == id)
        #expect(listed.first?["command"] as? String == Self.update)
        #expect(listed.first?["agent"] as? String == "claude")

        let approve = try cli.runInTerminal(["approve", id.lowercased(), "--note", "ticket 42", "--yes"])
        #expect(approve.status == 0, "\(approve.stdout) \(approve.stderr)")
        #expect(approve.stdout.contains("approved \(id)"))

        let (allowedStatus, allowed) = try check(cli, Self.update)
        #expect(allowedStatus == 0)
        #expect(allowed["decision"] as? String == "allow")
        #expect((allowed["approval"] as? [String: Any])?["state"] as? String == "used")

        let (againStatus, again) = try check(cli, Self.update)
        #expect(againStatus == 2)
        #expect(try approvalID(again) != id, "a spent approval must not be found again")

        // Every step is in the log, and the log verifies.
        let log = try String(contentsOf: cli.home.appendingPathComponent(".airlock/audit/log.jsonl"), encoding: .utf8)
        #expect(log.contains(#""decision":"approved""#))
        #expect(log.contains(#""decision":"allowed""#) && log.contains(id))
        #expect(try cli.run(["audit", "verify"]).status == 0)
    }

    @Test("an approval is bound to the exact action: one character, another directory or another agent asks anew")
    func digestMismatch() throws {
        let cli = try CLIHarness()
        try FileManager.default.createDirectory(at: cli.home.appendingPathComponent("other"), withIntermediateDirectories: true)
        let id = try approvalID(check(cli, Self.update).1)
        #expect(try cli.runInTerminal(["approve", id, "--uses", "5", "--yes"]).status == 0)

        let oneCharacter = Self.update.replacingOccurrences(of: "42", with: "43")
        let variants: [(String, String, String?)] = [
            ("one changed character", oneCharacter, nil),
            ("an extra space", Self.update + " ", nil),
        ]
        for (what, line, _) in variants {
            let (status, decision) = try check(cli, line)
            #expect(status == 2, "\(what) must ask")
            #expect(try approvalID(decision) != id, "\(what) must be a new request")
        }
        let (otherAgentStatus, otherAgent) = try check(cli, Self.update, agent: "cursor")
        #expect(otherAgentStatus == 2)
        #expect(try approvalID(otherAgent) != id)
        let (otherDirStatus, otherDir) = try check(cli, Self.update, cwd: cli.home.appendingPathComponent("other").path)
        #expect(otherDirStatus == 2)
        #expect(try approvalID(otherDir) != id)

        // The exact action still has its approval, with the uses granted.
        let (status, allowed) = try check(cli, Self.update)
        #expect(status == 0)
        #expect((allowed["approval"] as? [String: Any])?["uses_left"] as? Int == 4)
    }

    @Test("approve refuses without a terminal, inside an agent's environment, and for unknown ids")
    func approveNeedsAPerson() throws {
        let cli = try CLIHarness()
        let id = try approvalID(check(cli, Self.update).1)

        let piped = try cli.run(["approve", id])
        #expect(piped.status != 0)
        #expect(piped.stderr.contains("not an interactive terminal"))

        let inAgent = try cli.runInTerminal(["approve", id, "--yes"], environment: ["CLAUDECODE": "1"])
        #expect(inAgent.status != 0)
        #expect((inAgent.stdout + inAgent.stderr).contains("belongs to an agent (CLAUDECODE is set)"))

        let unknown = try cli.runInTerminal(["approve", "ZZZZ-ZZ", "--yes"])
        #expect(unknown.status != 0)
        #expect((unknown.stdout + unknown.stderr).contains("there is no approval request ZZZZ-ZZ"))

        let unfreeze = try cli.run(["unfreeze"])
        #expect(unfreeze.status != 0)
        #expect(unfreeze.stderr.contains("not an interactive terminal"))

        // Nothing was approved.
        #expect(try check(cli, Self.update).0 == 2)
        // And the agent is denied the control verbs before they run at all.
        for verb in ["airlock approve \(id)", "airlock reject \(id)", "airlock unfreeze", "script -qc 'airlock approve \(id)' /dev/null", "expect -c 'spawn airlock approve \(id)'"] {
            #expect(try check(cli, verb).0 != 0, "\(verb) must not be allowed for an agent")
        }
    }

    @Test("approve and unfreeze show what they would do and need a yes typed at the terminal")
    func confirmation() throws {
        let cli = try CLIHarness()
        let id = try approvalID(check(cli, Self.update).1)
        for answer in ["n\n", ""] {
            let declined = try cli.runInTerminal(["approve", id], typing: answer)
            #expect(declined.status != 0)
            #expect(declined.stdout.contains(Self.update) && declined.stdout.contains("[y/N]"), "the request is shown before the question")
            #expect((declined.stdout + declined.stderr).contains("not approved"))
        }
        #expect(try check(cli, Self.update).0 == 2, "declining approved nothing")
        let accepted = try cli.runInTerminal(["approve", id], typing: "y\n")
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(accepted.stdout.contains("approved \(id)"))
        #expect(try check(cli, Self.update).0 == 0)

        #expect(try cli.run(["freeze", "--reason", "maintenance"]).status == 0)
        let keep = try cli.runInTerminal(["unfreeze"], typing: "no\n")
        #expect(keep.status != 0 && keep.stdout.contains("maintenance"))
        #expect(try check(cli, "touch x").0 == 1)
        #expect(try cli.runInTerminal(["unfreeze"], typing: "yes\n").status == 0)
        #expect(try check(cli, "touch x").0 == 0)
    }

    @Test("the approver must not be the requesting agent's identity")
    func approverIsNotTheAgent() throws {
        let cli = try CLIHarness()
        let me = try #require(String(validatingCString: getpwuid(geteuid()).pointee.pw_name))
        let id = try approvalID(check(cli, Self.update, agent: me).1)
        let result = try cli.runInTerminal(["approve", id, "--yes"])
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("is the requesting agent's"))
    }

    @Test("expired requests and expired approvals never allow")
    func expiry() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", Self.productionWrites(approval: "{ approvers: 1, expires: 1s }"))
        // A request nobody answered in time cannot be approved.
        let lapsed = try approvalID(check(cli, Self.update).1)
        Thread.sleep(forTimeInterval: 1.2)
        let late = try cli.runInTerminal(["approve", lapsed, "--yes"])
        #expect(late.status != 0)
        #expect((late.stdout + late.stderr).contains("expired"))

        // An approval not used in time allows nothing.
        let (status, fresh) = try check(cli, Self.update)
        #expect(status == 2)
        let id = try approvalID(fresh)
        #expect(id != lapsed)
        #expect(try cli.runInTerminal(["approve", id, "--yes"]).status == 0)
        Thread.sleep(forTimeInterval: 1.2)
        let (afterStatus, after) = try check(cli, Self.update)
        #expect(afterStatus == 2)
        #expect(try approvalID(after) != id)
    }

    @Test("a rejected action is denied with the person's note until the request would have expired")
    func rejection() throws {
        let cli = try CLIHarness()
        let id = try approvalID(check(cli, Self.update).1)
        let reject = try cli.runInTerminal(["reject", id, "--note", "use the admin UI"])
        #expect(reject.status == 0, "\(reject.stdout)")
        let (status, decision) = try check(cli, Self.update)
        #expect(status == 1)
        #expect((decision["reason"] as? String)?.contains("use the admin UI") == true)
        #expect(try cli.runInTerminal(["approve", id, "--yes"]).status != 0, "a rejected request cannot be approved afterwards")
    }

    @Test("approvers: 2 needs two different people")
    func twoApprovers() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", Self.productionWrites(approval: "{ approvers: 2, expires: 15m }"))
        let id = try approvalID(check(cli, Self.update).1)
        let first = try cli.runInTerminal(["approve", id, "--yes"])
        #expect(first.status == 0)
        #expect(first.stdout.contains("1 of 2"))
        #expect(try check(cli, Self.update).0 == 2, "one approval of two allows nothing")

        let twice = try cli.runInTerminal(["approve", id, "--yes"])
        #expect(twice.status != 0)
        #expect((twice.stdout + twice.stderr).contains("already approved"))

        // A second person is a second OS account; as root the test can be one.
        guard geteuid() == 0 else { return }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: cli.home.path)
        let chmod = Process()
        chmod.executableURL = URL(fileURLWithPath: "/bin/chmod")
        chmod.arguments = ["-R", "a+rwX", cli.home.appendingPathComponent(".airlock").path]
        try chmod.run()
        chmod.waitUntilExit()
        let second = try cli.runInTerminal(["approve", id, "--yes"], asUser: "nobody")
        #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
        #expect(second.stdout.contains("approved \(id)"))
        let (status, allowed) = try check(cli, Self.update)
        #expect(status == 0)
        #expect(((allowed["approval"] as? [String: Any])?["approvers"] as? [String])?.count == 2)
    }

    @Test("a freeze of writes beats an approval; unfreeze lets the approval be used")
    func freezeBeatsApproval() throws {
        let cli = try CLIHarness()
        let id = try approvalID(check(cli, Self.update).1)
        #expect(try cli.runInTerminal(["approve", id, "--yes"]).status == 0)

        let freeze = try cli.run(["freeze", "--reason", "release freeze", "--format", "json"])
        #expect(freeze.status == 0, "\(freeze.stderr)")
        let freezeID = try #require(try cli.json(freeze.stdout)["id"] as? String)

        let (status, frozen) = try check(cli, Self.update)
        #expect(status == 1)
        #expect((frozen["rule"] as? [String: Any])?["type"] as? String == "freeze")
        #expect((frozen["reason"] as? String)?.contains("release freeze") == true)
        #expect(try check(cli, "ls -la").0 == 0, "reads still run under a writes freeze")
        #expect(try check(cli, "touch notes.txt").0 == 1)

        let status2 = try cli.run(["status", "--format", "json"])
        let freezes = try #require(try cli.json(status2.stdout)["freezes"] as? [[String: Any]])
        #expect(freezes.first?["id"] as? String == freezeID)

        #expect(try cli.runInTerminal(["unfreeze", freezeID, "--note", "release shipped", "--yes"]).status == 0)
        // The frozen attempt did not spend the approval.
        #expect(try check(cli, Self.update).0 == 0)
        let log = try String(contentsOf: cli.home.appendingPathComponent(".airlock/audit/log.jsonl"), encoding: .utf8)
        #expect(log.contains(#""decision":"freeze_started""#) && log.contains(#""decision":"freeze_lifted""#) && log.contains(#""decision":"frozen""#))
    }

    @Test("freeze levels and scopes: all stops reads but not Airlock's status; env and agent scopes")
    func freezeScopes() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["freeze", "--scope", "agent:cursor*", "--level", "all", "--reason", "cursor misbehaves"]).status == 0)
        #expect(try check(cli, "ls", agent: "cursor-42").0 == 1)
        #expect(try check(cli, "airlock status", agent: "cursor-42").0 == 0)
        #expect(try check(cli, "ls", agent: "claude").0 == 0)
        #expect(try check(cli, "touch a", agent: "claude").0 == 0)

        #expect(try cli.run(["freeze", "--scope", "env:production", "--reason", "incident 4711"]).status == 0)
        #expect(try check(cli, "psql -h prod-db.internal -c 'SELECT 1'", agent: "claude").0 == 0)
        #expect(try check(cli, Self.update, agent: "claude").0 == 1)
        #expect(try check(cli, "touch a", agent: "claude").0 == 0)

        let several = try cli.runInTerminal(["unfreeze", "--yes"])
        #expect(several.status != 0)
        #expect((several.stdout + several.stderr).contains("2 freezes are in force"))
        #expect(try cli.runInTerminal(["unfreeze", "--all", "--yes"]).status == 0)
        #expect(try check(cli, "ls", agent: "cursor-42").0 == 0)

        // Bad input is a usage error naming the problem.
        let bad = try cli.run(["freeze", "--scope", "everyone", "--reason", "x"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--scope takes all, agent:NAME or env:ENV"))
        #expect(try cli.run(["freeze", "--until", "yesterday", "--reason", "x"]).status == 64)
        #expect(try cli.run(["freeze", "--until", "30m", "--reason", "x"]).status == 0)
    }

    @Test("a truncated, empty or foreign state store denies with the cause; so does a held write lock")
    func brokenState() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        #expect(try check(cli, "touch a").0 == 0)
        let state = cli.home.appendingPathComponent(".airlock/state.sqlite")
        let original = try Data(contentsOf: state)
        #expect(original.count > 0)

        let damaged: [(String, Data)] = [
            ("empty", Data()),
            ("truncated", original.prefix(100)),
            ("garbage", Data(repeating: 0x41, count: 8192)),
        ]
        for (what, bytes) in damaged {
            try bytes.write(to: state)
            for name in ["state.sqlite-journal", "state.sqlite-wal", "state.sqlite-shm"] {
                try? FileManager.default.removeItem(at: cli.home.appendingPathComponent(".airlock/" + name))
            }
            let (status, decision) = try check(cli, "ls")
            #expect(status == 1, "\(what) state must deny")
            #expect((decision["rule"] as? [String: Any])?["type"] as? String == "state-error", "\(what)")
            #expect((decision["reason"] as? String)?.contains("state store") == true, "\(what): \(decision["reason"] ?? "")")
            let report = try cli.run(["status"])
            #expect(report.status == 1)
            #expect(report.stdout.contains("PROBLEM"))
        }
        // The denials were still recorded.
        #expect(try cli.run(["audit", "verify"]).status == 0)

        try original.write(to: state)
        #expect(try check(cli, "ls").0 == 0)

        // Another process holds the write lock: the decision waits its timeout, then denies.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = ["-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(30)", state.path]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { holder.terminate() }
        _ = out.fileHandleForReading.availableData
        let (status, decision) = try check(cli, "ls")
        #expect(status == 1)
        #expect((decision["reason"] as? String)?.contains("locked by another process") == true, "\(decision["reason"] ?? "")")
    }
}

@Suite("Gate: rate limits, the circuit breaker and concurrency")
struct GateLimitTests {
    func check(_ cli: CLIHarness, _ line: String, agent: String) throws -> (Int32, [String: Any]) {
        let result = try cli.run(["check", "--format", "json", "--agent", agent, "--", line])
        return (result.status, try cli.json(result.stdout))
    }

    @Test("the breaker freezes an agent's writes after N denials of destructive actions, and lifts after its time")
    func breaker() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", """
            version: 1
            breaker:
              denials: 3
              within: 10m
              then: { freeze: { scope: agent, level: writes, for: 2s } }
            rules:
              - id: no-rm-rf
                decision: deny
                reason: no recursive deletes
                when: { binary: rm, args: ["-rf", "-fr", "-r"] }
            """)
        for attempt in 1...2 {
            let (status, decision) = try check(cli, "rm -rf /srv/data", agent: "claude")
            #expect(status == 1)
            #expect(decision["breaker_freeze"] is NSNull, "attempt \(attempt) must not trip the breaker yet")
        }
        // Another agent's denials count for that agent only.
        #expect(try check(cli, "rm -rf /srv/data", agent: "cursor").0 == 1)
        #expect(try check(cli, "touch a", agent: "claude").0 == 0)

        let third = try cli.run(["check", "--agent", "claude", "--", "rm -rf /srv/data"])
        #expect(third.status == 1)
        #expect(third.stdout.contains("circuit breaker: too many denials"))

        let (frozenStatus, frozen) = try check(cli, "touch a", agent: "claude")
        #expect(frozenStatus == 1)
        #expect((frozen["rule"] as? [String: Any])?["type"] as? String == "freeze")
        #expect((frozen["reason"] as? String)?.contains("circuit breaker: 3 denials") == true)
        #expect(try check(cli, "ls", agent: "claude").0 == 0, "reads still run")
        #expect(try check(cli, "touch a", agent: "cursor").0 == 0, "other agents are not frozen")

        let status = try cli.run(["status"])
        #expect(status.stdout.contains("agent claude"))

        Thread.sleep(forTimeInterval: 2.2)
        #expect(try check(cli, "touch a", agent: "claude").0 == 0, "the breaker's freeze lifts after its time")
        let log = try String(contentsOf: cli.home.appendingPathComponent(".airlock/audit/log.jsonl"), encoding: .utf8)
        #expect(log.contains(#""decision":"freeze_started""#))
    }

    @Test("a rule's limit: beyond N per window the rule's commands get the limit's answer")
    func rateLimit() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", """
            version: 1
            rules:
              - id: api-reads
                decision: allow
                reason: reading the API is fine, in moderation
                when: { binary: curl }
                limit: { count: 2, per: 1m, scope: agent, then: ask }
            """)
        #expect(try check(cli, "curl -s https://api.example.com/a", agent: "claude").0 == 0)
        #expect(try check(cli, "curl -s https://api.example.com/b", agent: "claude").0 == 0)
        let (status, decision) = try check(cli, "curl -s https://api.example.com/c", agent: "claude")
        #expect(status == 2)
        #expect((decision["rule"] as? [String: Any])?["type"] as? String == "rate-limit")
        #expect((decision["reason"] as? String)?.contains("allows 2 in 1m per agent") == true)
        #expect(try check(cli, "curl -s https://api.example.com/a", agent: "cursor").0 == 0, "limits are kept per agent")
    }

    @Test("8 processes deciding in a loop while a freeze is set: nothing after the freeze is allowed, nothing is lost")
    func freezeUnderLoad() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        let processes = 8, iterations = 30
        let script = """
            for w in $(seq 1 \(processes)); do
              ( for i in $(seq 1 \(iterations)); do "$AIRLOCK" check --agent "w$w" -- "touch out-$w" >/dev/null; echo $? >> "rc-$w"; done ) &
            done
            wait
            """
        let loop = Process()
        loop.executableURL = URL(fileURLWithPath: "/bin/bash")
        loop.arguments = ["-c", script]
        loop.environment = ["HOME": cli.home.path, "AIRLOCK_HOME": cli.home.appendingPathComponent(".airlock").path, "PATH": "/usr/bin:/bin", "AIRLOCK": CLIHarness.binary.path]
        loop.currentDirectoryURL = cli.home
        try loop.run()
        let log = cli.home.appendingPathComponent(".airlock/audit/log.jsonl")
        // Freeze in the middle of the run.
        while ((try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").count ?? 0) < processes * iterations / 3 {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let freeze = try cli.run(["freeze", "--reason", "stop everything"])
        #expect(freeze.status == 0)
        loop.waitUntilExit()

        var exits: [Int32] = []
        for w in 1...processes {
            let text = try String(contentsOf: cli.home.appendingPathComponent("rc-\(w)"), encoding: .utf8)
            exits += text.split(separator: "\n").compactMap { Int32($0) }
        }
        #expect(exits.count == processes * iterations)

        let entries = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let freezeIndex = try #require(entries.firstIndex { $0["decision"] as? String == "freeze_started" })
        let decisions = entries.filter { $0["door"] as? String == "check" }
        #expect(decisions.count == processes * iterations, "every decision is in the log")
        let after = entries[(freezeIndex + 1)...].filter { $0["door"] as? String == "check" }
        #expect(!after.isEmpty)
        #expect(after.allSatisfy { $0["decision"] as? String == "frozen" }, "no decision after the freeze's commit is allowed")
        let before = entries[..<freezeIndex].filter { $0["door"] as? String == "check" }
        #expect(before.allSatisfy { $0["decision"] as? String == "allowed" })
        #expect(exits.filter { $0 == 0 }.count == before.count, "what the processes were told matches the log")
        #expect(exits.filter { $0 == 1 }.count == after.count)
        #expect(try cli.run(["audit", "verify"]).status == 0)
    }
}
