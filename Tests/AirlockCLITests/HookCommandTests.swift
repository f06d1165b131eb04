import Foundation
import Testing

/// `airlock hook HOST` run the way each host runs it: a new process, JSON on stdin, the
/// environment inherited, a timeout; the verdict read from stdout and the exit status.
@Suite("airlock hook: every host, end to end, failing closed")
struct HookCommandTests {
    struct Answer {
        var status: Int32
        var json: [String: Any]
        var stderr: String
    }

    func hook(_ cli: CLIHarness, _ host: String, _ input: String, extra: [String] = [], environment: [String: String] = [:]) throws -> Answer {
        let result = try cli.run(["hook", host] + extra, environment: environment, stdin: input)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let json = try #require(object as? [String: Any], "stdout is not a JSON object: \(result.stdout)")
        return Answer(status: result.status, json: json, stderr: result.stderr)
    }

    static func claude(_ command: String, cwd: String = "/tmp", tool: String = "Bash", session: String = "s1") -> String {
        let input = tool == "Bash" ? #"{"command":\#(quote(command))}"# : command
        return #"{"session_id":"\#(session)","cwd":"\#(cwd)","hook_event_name":"PreToolUse","tool_name":"\#(tool)","tool_input":\#(input)}"#
    }

    static func quote(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }

    func claudeVerdict(_ answer: Answer) -> String? {
        (answer.json["hookSpecificOutput"] as? [String: Any])?["permissionDecision"] as? String
    }

    func claudeReason(_ answer: Answer) -> String {
        (answer.json["hookSpecificOutput"] as? [String: Any])?["permissionDecisionReason"] as? String ?? ""
    }

    @Test("Claude Code: allow, deny, the host's ask, and an Airlock approval for production")
    func claude() throws {
        let cli = try CLIHarness()
        let allow = try hook(cli, "claude", Self.claude("ls -la"))
        #expect(allow.status == 0 && claudeVerdict(allow) == "allow")
        #expect((allow.json["hookSpecificOutput"] as? [String: Any])?["hookEventName"] as? String == "PreToolUse")

        let deny = try hook(cli, "claude", Self.claude("git push --force origin main"))
        #expect(deny.status == 2 && claudeVerdict(deny) == "deny")
        #expect(claudeReason(deny).contains("force-push-protected-branch") && claudeReason(deny).contains("Instead:"))
        #expect(deny.stderr.contains("force-push-protected-branch"), "exit 2 makes Claude Code read stderr")

        // Not production: the host's own prompt asks the person at the agent's UI.
        let hostAsk = try hook(cli, "claude", Self.claude("echo cm0gLXJmIH4= | base64 -d | sh"))
        #expect(hostAsk.status == 0 && claudeVerdict(hostAsk) == "ask")

        // Production: an Airlock approval, out of band; the host is told deny (wait, retry).
        let update = #"psql -h prod-db.internal -c "UPDATE users SET plan = 'pro' WHERE id = 42""#
        let asked = try hook(cli, "claude", Self.claude(update))
        #expect(asked.status == 2 && claudeVerdict(asked) == "deny")
        let reason = claudeReason(asked)
        let id = try #require(reason.range(of: #"[0-9A-Z]{4}-[0-9A-Z]{2}"#, options: .regularExpression).map { String(reason[$0]) })
        #expect(reason.contains("a person must approve this first") && reason.contains("retry exactly the same command"))
        #expect(try cli.runInTerminal(["approve", id, "--yes"]).status == 0)
        let approved = try hook(cli, "claude", Self.claude(update))
        #expect(approved.status == 0 && claudeVerdict(approved) == "allow")
        #expect(claudeReason(approved).contains("approval \(id)"))
        // Another session is another agent: the approval does not carry over.
        #expect(claudeVerdict(try hook(cli, "claude", Self.claude(update, session: "s2"))) == "deny")

        let log = try String(contentsOf: cli.home.appendingPathComponent(".airlock/audit/log.jsonl"), encoding: .utf8)
        #expect(log.contains(#""door":"hook""#) && log.contains(#""agent":"claude:s1""#) && log.contains(#""session":"s1""#))
    }

    @Test("Claude Code file and MCP tools: allow, ask and deny")
    func claudeTools() throws {
        let cli = try CLIHarness()
        let home = cli.home.path
        // The agent works in a project under the home directory (credentials outside it).
        func call(_ tool: String, _ input: String) throws -> Answer { try hook(cli, "claude", Self.claude(input, cwd: home + "/app", tool: tool)) }

        let readProject = try call("Read", #"{"file_path":"\#(home)/app/notes.txt"}"#)
        #expect(readProject.status == 0 && claudeVerdict(readProject) == "allow")
        let readCredentials = try call("Read", #"{"file_path":"\#(home)/.aws/credentials"}"#)
        #expect(readCredentials.status == 0 && claudeVerdict(readCredentials) == "ask", "credential reads ask at the host's prompt")
        let writeHome = try call("Edit", #"{"file_path":"\#(home)/.airlock/policy.yaml","old_string":"enforce","new_string":"monitor"}"#)
        #expect(writeHome.status == 2 && claudeReason(writeHome).contains("airlock-home-is-read-only"))

        let select = try call("mcp__postgres-prod__query", #"{"sql":"SELECT count(*) FROM users"}"#)
        #expect(select.status == 0 && claudeVerdict(select) == "allow")
        let update = try call("mcp__postgres-prod__query", #"{"sql":"UPDATE users SET plan = 'pro' WHERE id = 42"}"#)
        #expect(update.status == 2 && claudeReason(update).contains("a person must approve this first"), "a production write is an Airlock approval")
        let drop = try call("mcp__postgres-prod__query", #"{"sql":"SELECT 1; DROP TABLE users"}"#)
        #expect(drop.status == 2 && claudeReason(drop).contains("no-destruction-in-production"))
        let fetch = try call("WebFetch", #"{"url":"https://docs.example.com/page","prompt":"summarise"}"#)
        #expect(fetch.status == 0 && claudeVerdict(fetch) == "allow")
    }

    @Test("Cursor: permission in both spellings, exit 2 on deny")
    func cursor() throws {
        let cli = try CLIHarness()
        func input(_ command: String) -> String {
            #"{"conversation_id":"c1","generation_id":"g","hook_event_name":"beforeShellExecution","workspace_roots":["/tmp"],"command":\#(Self.quote(command)),"cwd":"/tmp"}"#
        }
        let allow = try hook(cli, "cursor", input("git status"))
        #expect(allow.status == 0 && allow.json["permission"] as? String == "allow")
        let deny = try hook(cli, "cursor", input("rm -rf ~"))
        #expect(deny.status == 2 && deny.json["permission"] as? String == "deny")
        #expect((deny.json["agent_message"] as? String) == (deny.json["agentMessage"] as? String))
        #expect((deny.json["user_message"] as? String)?.contains("Airlock") == true)
        let ask = try hook(cli, "cursor", input("echo cm0gLXJmIH4= | base64 -d | sh"))
        #expect(ask.status == 0 && ask.json["permission"] as? String == "ask")
    }

    @Test("Codex CLI: Claude Code's output shape, argv commands")
    func codex() throws {
        let cli = try CLIHarness()
        let allow = try hook(cli, "codex", #"{"session_id":"x","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["ls","-la"]}}"#)
        #expect(allow.status == 0 && claudeVerdict(allow) == "allow")
        let deny = try hook(cli, "codex", #"{"session_id":"x","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["bash","-lc","git push --force origin main"]}}"#)
        #expect(deny.status == 2 && claudeVerdict(deny) == "deny")
    }

    @Test("Gemini CLI: allow or deny only, so every ask is an Airlock approval")
    func gemini() throws {
        let cli = try CLIHarness()
        func input(_ command: String) -> String {
            #"{"session_id":"g","cwd":"/tmp","hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":\#(Self.quote(command))}}"#
        }
        let allow = try hook(cli, "gemini", input("ls"))
        #expect(allow.status == 0 && allow.json["decision"] as? String == "allow")
        let ask = try hook(cli, "gemini", input("echo cm0gLXJmIH4= | base64 -d | sh"))
        #expect(ask.status == 2 && ask.json["decision"] as? String == "deny")
        #expect((ask.json["reason"] as? String)?.contains("airlock approve") == true)
    }

    @Test("every failure is a deny with its cause and exit 2, never a crash or silence")
    func failsClosed() throws {
        let cli = try CLIHarness()
        let cases: [(String, String, [String: String], String)] = [
            ("malformed", "{\"session_id\": ", [:], "not valid JSON"),
            ("empty", "", [:], "no input"),
            ("binary junk", "\u{0}\u{1}\u{2}\u{FF}", [:], "not valid JSON"),
            ("missing field", #"{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#, [:], "'cwd' is missing"),
            ("policy that does not exist", Self.claude("ls"), ["AIRLOCK_POLICY": "/nonexistent/policy.yaml"], "policy could not be loaded"),
        ]
        for (what, input, environment, expected) in cases {
            let answer = try hook(cli, "claude", input, environment: environment)
            #expect(answer.status == 2, "\(what)")
            #expect(claudeVerdict(answer) == "deny", "\(what)")
            #expect(claudeReason(answer).contains(expected), "\(what): \(claudeReason(answer))")
        }
        // Unreadable input is recorded too, as the text it was.
        let log = try String(contentsOf: cli.home.appendingPathComponent(".airlock/audit/log.jsonl"), encoding: .utf8)
        #expect(log.contains(#""kind":"hook_input""#) && log.contains("airlock-hook-input"))

        // A policy with a typo: parsed by airlock-cli (the front door hands the call over).
        try cli.write(".airlock/policy.yaml", "version: 1\nrules:\n  - id: x\n    decison: deny\n    reason: r\n    when: {}\n")
        let typo = try hook(cli, "claude", Self.claude("ls"))
        #expect(typo.status == 2 && claudeReason(typo).contains("decison"))
        try FileManager.default.removeItem(at: cli.home.appendingPathComponent(".airlock/policy.yaml"))

        // A damaged state store.
        #expect(try hook(cli, "claude", Self.claude("ls")).status == 0)
        let state = cli.home.appendingPathComponent(".airlock/state.sqlite")
        let original = try Data(contentsOf: state)
        try Data(repeating: 0x41, count: 4096).write(to: state)
        let damaged = try hook(cli, "claude", Self.claude("ls"))
        #expect(damaged.status == 2 && claudeReason(damaged).contains("state store"))
        try original.write(to: state)

        // A log that cannot be written.
        let logFile = cli.home.appendingPathComponent(".airlock/audit/log.jsonl")
        let saved = logFile.appendingPathExtension("saved")
        try FileManager.default.moveItem(at: logFile, to: saved)
        try FileManager.default.createDirectory(at: logFile, withIntermediateDirectories: false)
        let unwritable = try hook(cli, "claude", Self.claude("ls"))
        #expect(unwritable.status == 2 && claudeReason(unwritable).contains("audit log"))
        try FileManager.default.removeItem(at: logFile)
        try FileManager.default.moveItem(at: saved, to: logFile)

        // Bad arguments still answer in a host's format.
        let unknownHost = try cli.run(["hook", "vim"], stdin: Self.claude("ls"))
        #expect(unknownHost.status == 2 && unknownHost.stdout.contains("unknown agent host"))
    }

    @Test("the internal deadline denies when something holds Airlock up")
    func deadline() throws {
        let cli = try CLIHarness()
        #expect(try hook(cli, "claude", Self.claude("ls")).status == 0)
        // Another process holds the audit log's lock (as a stuck writer would).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = ["-c", "import fcntl,sys,time; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(20)",
                            cli.home.appendingPathComponent(".airlock/audit/log.jsonl").path]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { holder.terminate() }
        _ = out.fileHandleForReading.availableData
        let answer = try hook(cli, "claude", Self.claude("ls"), extra: ["--deadline", "300ms"])
        #expect(answer.status == 2 && claudeVerdict(answer) == "deny")
        // The deadline's own deny, not the log lock's 2 s timeout (which would name the log).
        #expect(claudeReason(answer).contains("300 ms deadline"))
    }

    @Test("very large commands are decided, not dropped")
    func largeCommand() throws {
        let cli = try CLIHarness()
        let answer = try hook(cli, "claude", Self.claude("echo " + String(repeating: "a", count: 1 << 20) + " && git push --force origin main"))
        #expect(answer.status == 2 && claudeVerdict(answer) == "deny")
    }
}

/// The installed hook, run exactly as each host runs it: the command from the host's settings
/// file through `/bin/sh -c`, JSON on stdin, the environment inherited, a timeout.
@Suite("installed hooks answer as each host runs them")
struct InstalledHookTests {
    static let inputs: [String: (allow: String, deny: String)] = [
        "claude": (
            #"{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls -la"}}"#,
            #"{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"HOME/.airlock/policy.yaml","content":"mode: monitor"}}"#),
        "codex": (
            #"{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["ls"]}}"#,
            #"{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["bash","-lc","git push --force origin main"]}}"#),
        "cursor": (
            #"{"conversation_id":"c","hook_event_name":"beforeReadFile","workspace_roots":["/tmp"],"file_path":"/tmp/notes.txt"}"#,
            #"{"conversation_id":"c","hook_event_name":"beforeMCPExecution","workspace_roots":["/tmp"],"tool_name":"mcp__postgres-prod__query","tool_input":{"sql":"DROP TABLE users"}}"#),
        "gemini": (
            #"{"session_id":"s","cwd":"/tmp","hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"git status"}}"#,
            #"{"session_id":"s","cwd":"/tmp","hook_event_name":"BeforeTool","tool_name":"write_file","tool_input":{"file_path":"HOME/.airlock/keys/audit.key","content":"x"}}"#),
    ]

    func installedCommand(_ cli: CLIHarness, host: String) throws -> String {
        let result = try cli.run(["install", host, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try cli.json(result.stdout)
        return try #require(report["command"] as? String)
    }

    func runAsHost(_ command: String, input: String, cli: CLIHarness) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        // The host's environment, as an agent would have it (note: no AIRLOCK_HOME — the
        // installed command pins it).
        process.environment = ["HOME": cli.home.path, "PATH": "/usr/bin:/bin", "PGHOST": "localhost", "AIRLOCK_HOME": "/tmp/not-the-real-home"]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning { process.terminate() }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    func verdict(_ host: String, _ stdout: String) throws -> String? {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "not JSON: \(stdout)")
        switch host {
        case "cursor": return json["permission"] as? String
        case "gemini": return json["decision"] as? String
        default: return (json["hookSpecificOutput"] as? [String: Any])?["permissionDecision"] as? String
        }
    }

    @Test("allow and deny through the installed command", arguments: ["claude", "codex", "cursor", "gemini"])
    func installed(host: String) throws {
        let cli = try CLIHarness()
        let command = try installedCommand(cli, host: host)
        #expect(command.contains("AIRLOCK_HOME=") && command.hasSuffix("hook \(host)"))
        let (allowInput, denyInput) = try #require(Self.inputs[host])
        let allowed = try runAsHost(command, input: allowInput, cli: cli)
        #expect(allowed.status == 0)
        #expect(try verdict(host, allowed.stdout) == "allow")
        let denied = try runAsHost(command, input: denyInput.replacingOccurrences(of: "HOME", with: cli.home.path), cli: cli)
        #expect(denied.status == 2)
        #expect(try verdict(host, denied.stdout) == "deny")
        // The decision went to the pinned home's log, not the one in the agent's environment.
        let log = try String(contentsOf: cli.home.appendingPathComponent(".airlock/audit/log.jsonl"), encoding: .utf8)
        #expect(log.contains(#""door":"hook""#))

        let doctor = try cli.run(["doctor", "--format", "json"])
        #expect(doctor.status == 0, "\(doctor.stdout)")
    }
}
