import Foundation
import Testing

/// `airlock hook HOST` for Cursor, Codex CLI and Gemini CLI (Claude Code: HookCommandTests),
/// one row per host × tool kind × verdict: the input exactly as the host's contract sends it
/// (../shared/reference/agent-hooks.md, docs/hooks.md), the answer checked in the host's exact
/// output format and exit status.
///
/// Every row runs in its own scratch home, with the agent working in `<home>/app`, so the
/// decisions come from the built-in policy and the paths under that home, never from this
/// machine (and the circuit breaker, which counts denials per agent, never carries over).
@Suite("airlock hook: shell, file and MCP tools of every host, allow / ask / deny")
struct HookToolMatrixTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var host: String
        var what: String
        /// The host's input; `HOME_DIR` stands for the scratch home.
        var input: String
        /// The verdict in the host's own words: `allow`, `ask` or `deny` (Gemini: no `ask`).
        var verdict: String
        var status: Int32
        /// Text the reason must contain.
        var reason: String
        var testDescription: String { "\(host) \(what) → \(verdict)" }
    }

    // MARK: The table

    static let update = "UPDATE users SET plan = 'pro' WHERE id = 42"
    static let drop = "SELECT 1; DROP TABLE users"
    /// Opaque: the host's own prompt asks (not production).
    static let opaque = "echo cm0gLXJmIH4= | base64 -d | sh"
    static let approval = "a person must approve this first"
    /// Gemini CLI's ask: an Airlock approval, with the command that grants it.
    static let geminiAsk = "airlock approve"

    static func cursor(_ event: String, _ fields: String) -> String {
        #"{"conversation_id":"cur-1","generation_id":"gen-1","hook_event_name":"\#(event)","workspace_roots":["HOME_DIR/app"],"user_email":"ada@example.com",\#(fields)}"#
    }

    static func cursorShell(_ command: String) -> String {
        cursor("beforeShellExecution", #""command":\#(quote(command)),"cwd":"HOME_DIR/app""#)
    }

    static func cursorRead(_ path: String) -> String {
        cursor("beforeReadFile", #""file_path":"\#(path)","content":"(the file's text)","attachments":[]"#)
    }

    /// `tool_input` is an object or (some Cursor versions) a JSON string holding one.
    static func cursorMCP(_ tool: String, sql: String, asString: Bool, server: String) -> String {
        let arguments = #"{"sql":\#(quote(sql))}"#
        return cursor("beforeMCPExecution", #""tool_name":"\#(tool)","tool_input":\#(asString ? quote(arguments) : arguments),\#(server)"#)
    }

    static func codex(_ tool: String, _ toolInput: String) -> String {
        #"{"session_id":"cdx-1","transcript_path":"HOME_DIR/.codex/t.jsonl","cwd":"HOME_DIR/app","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"\#(tool)","tool_input":\#(toolInput)}"#
    }

    /// Codex's apply_patch input: the patch envelope around `body`.
    static func patch(_ body: String) -> String {
        #"{"input":\#(quote("*** Begin Patch\n" + body + "\n*** End Patch"))}"#
    }

    static func gemini(_ tool: String, _ toolInput: String) -> String {
        #"{"session_id":"gem-1","transcript_path":"HOME_DIR/.gemini/t.json","cwd":"HOME_DIR/app","hook_event_name":"BeforeTool","timestamp":"2026-11-02T10:00:00Z","tool_name":"\#(tool)","tool_input":\#(toolInput)}"#
    }

    static func sql(_ text: String) -> String { #"{"sql":\#(quote(text))}"# }

    static func quote(_ text: String) -> String {
        // A JSON string literal: the one element of a one-element array, brackets dropped.
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    static let cases: [Case] = cursorCases + codexCases + geminiCases

    /// Cursor: `beforeShellExecution`, `beforeReadFile` (it has no file-write hook) and
    /// `beforeMCPExecution`; answers `permission`, `ask` included.
    static let cursorCases: [Case] = [
        Case(host: "cursor", what: "shell git status", input: cursorShell("git status"), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "cursor", what: "shell opaque pipe (host prompt)", input: cursorShell(opaque), verdict: "ask", status: 0, reason: "opaque-needs-approval"),
        Case(host: "cursor", what: "shell production UPDATE (Airlock approval)", input: cursorShell(#"psql -h prod-db.internal -c "\#(update)""#),
             verdict: "deny", status: 2, reason: approval),
        Case(host: "cursor", what: "shell force push to main", input: cursorShell("git push --force origin main"), verdict: "deny", status: 2, reason: "force-push-protected-branch"),

        Case(host: "cursor", what: "read project file", input: cursorRead("HOME_DIR/app/notes.txt"), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "cursor", what: "read AWS credentials", input: cursorRead("HOME_DIR/.aws/credentials"), verdict: "ask", status: 0, reason: "credential-stores"),
        Case(host: "cursor", what: "read Airlock's signing key", input: cursorRead("HOME_DIR/.airlock/keys/audit.key"), verdict: "deny", status: 2, reason: "airlock-keys-are-secret"),

        // The server named in the tool's name, arguments as an object and as a JSON string.
        Case(host: "cursor", what: "MCP prod SELECT (object)", input: cursorMCP("mcp__postgres-prod__query", sql: "SELECT count(*) FROM users", asString: false, server: #""command":"npx -y mcp-postgres""#),
             verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "cursor", what: "MCP prod UPDATE (JSON string, Airlock approval)", input: cursorMCP("mcp__postgres-prod__query", sql: update, asString: true, server: #""command":"npx -y mcp-postgres""#),
             verdict: "deny", status: 2, reason: approval),
        Case(host: "cursor", what: "MCP prod DROP (JSON string)", input: cursorMCP("mcp__postgres-prod__query", sql: drop, asString: true, server: #""command":"npx -y mcp-postgres""#),
             verdict: "deny", status: 2, reason: "no-destruction-in-production"),
        Case(host: "cursor", what: "MCP staging DROP (object, host prompt)", input: cursorMCP("mcp__postgres-staging__query", sql: "DROP TABLE users", asString: false, server: #""command":"npx -y mcp-postgres""#),
             verdict: "ask", status: 0, reason: "staging-destruction-needs-approval"),
        // As the contract has it: a bare tool name, the server known only by its `url` or `command`.
        Case(host: "cursor", what: "MCP bare name, prod url, SELECT (JSON string)", input: cursorMCP("query", sql: "SELECT count(*) FROM users", asString: true, server: #""url":"https://db.prod.example.com/mcp""#),
             verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "cursor", what: "MCP bare name, prod url, DROP (JSON string)", input: cursorMCP("query", sql: drop, asString: true, server: #""url":"https://db.prod.example.com/mcp""#),
             verdict: "deny", status: 2, reason: "no-destruction-in-production"),
        Case(host: "cursor", what: "MCP bare name, prod command, UPDATE (object, Airlock approval)",
             input: cursorMCP("query", sql: update, asString: false, server: #""command":"npx -y @modelcontextprotocol/server-postgres postgresql://prod-db.internal/app""#),
             verdict: "deny", status: 2, reason: approval),
    ]

    /// Codex CLI: PreToolUse in Claude Code's shape, in and out. Shell as `shell` (an argv or
    /// `["bash", "-lc", LINE]`) or `Bash` (a line); files through Claude's names (`apply_patch`
    /// reaches hooks as `Edit`/`Write`); MCP tools as `mcp__SERVER__TOOL`.
    static let codexCases: [Case] = [
        Case(host: "codex", what: "shell argv ls", input: codex("shell", #"{"command":["ls","-la"]}"#), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "codex", what: "Bash git status", input: codex("Bash", #"{"command":"git status","description":"status"}"#), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "codex", what: "shell bash -lc opaque pipe (host prompt)", input: codex("shell", #"{"command":["bash","-lc",\#(quote(opaque))]}"#),
             verdict: "ask", status: 0, reason: "opaque-needs-approval"),
        Case(host: "codex", what: "shell argv production UPDATE (Airlock approval)", input: codex("shell", #"{"command":["psql","-h","prod-db.internal","-c",\#(quote(update))]}"#),
             verdict: "deny", status: 2, reason: approval),
        Case(host: "codex", what: "shell bash -lc force push", input: codex("shell", #"{"command":["bash","-lc","git push --force origin main"]}"#),
             verdict: "deny", status: 2, reason: "force-push-protected-branch"),

        Case(host: "codex", what: "Read project file", input: codex("Read", #"{"file_path":"HOME_DIR/app/notes.txt"}"#), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "codex", what: "Read AWS credentials", input: codex("Read", #"{"file_path":"HOME_DIR/.aws/credentials"}"#), verdict: "ask", status: 0, reason: "credential-stores"),
        Case(host: "codex", what: "Write project file", input: codex("Write", #"{"file_path":"HOME_DIR/app/notes.txt","content":"hello"}"#), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "codex", what: "Edit Airlock's policy", input: codex("Edit", #"{"file_path":"HOME_DIR/.airlock/policy.yaml","old_string":"enforce","new_string":"monitor"}"#),
             verdict: "deny", status: 2, reason: "airlock-home-is-read-only"),

        // apply_patch: judged by the files its patch names.
        Case(host: "codex", what: "apply_patch to a project file", input: codex("apply_patch", patch("*** Update File: HOME_DIR/app/notes.txt\n@@\n-a\n+b")),
             verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "codex", what: "apply_patch to a project file and Airlock's policy", input: codex("apply_patch",
             patch("*** Add File: HOME_DIR/app/new.txt\n+hi\n*** Update File: HOME_DIR/.airlock/policy.yaml\n@@\n-mode: enforce\n+mode: monitor")),
             verdict: "deny", status: 2, reason: "airlock-home-is-read-only"),
        Case(host: "codex", what: "apply_patch deleting Airlock's policy", input: codex("apply_patch", patch("*** Delete File: HOME_DIR/.airlock/policy.yaml")),
             verdict: "deny", status: 2, reason: "airlock-home-is-read-only"),
        Case(host: "codex", what: "apply_patch as a unified diff deleting Airlock's policy beside a project file", input: codex("apply_patch",
             #"{"patch":\#(quote("--- a/notes.txt\n+++ b/notes.txt\n@@ -1 +1 @@\n-a\n+b\n--- HOME_DIR/.airlock/policy.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-mode: enforce"))}"#),
             verdict: "deny", status: 2, reason: "airlock-home-is-read-only"),
        Case(host: "codex", what: "apply_patch naming no file (fails closed)", input: codex("apply_patch", #"{"input":"*** Begin Patch\n*** End Patch"}"#),
             verdict: "deny", status: 2, reason: "apply_patch names no file"),

        Case(host: "codex", what: "MCP prod SELECT", input: codex("mcp__postgres-prod__query", sql("SELECT count(*) FROM users")), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "codex", what: "MCP staging DROP (host prompt)", input: codex("mcp__postgres-staging__query", sql("DROP TABLE users")),
             verdict: "ask", status: 0, reason: "staging-destruction-needs-approval"),
        Case(host: "codex", what: "MCP prod UPDATE (Airlock approval)", input: codex("mcp__postgres-prod__query", sql(update)), verdict: "deny", status: 2, reason: approval),
        Case(host: "codex", what: "MCP prod DROP", input: codex("mcp__postgres-prod__query", sql(drop)), verdict: "deny", status: 2, reason: "no-destruction-in-production"),
    ]

    /// Gemini CLI: BeforeTool; `run_shell_command`, `read_file`, `write_file`/`replace`, MCP tools
    /// as `mcp__SERVER__TOOL`. It answers allow or deny only: every ask is an Airlock approval,
    /// told to the agent as a deny (exit 2) naming `airlock approve`.
    static let geminiCases: [Case] = [
        Case(host: "gemini", what: "shell ls", input: gemini("run_shell_command", #"{"command":"ls -la","description":"list"}"#), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "gemini", what: "shell opaque pipe (ask → approval)", input: gemini("run_shell_command", #"{"command":\#(quote(opaque))}"#),
             verdict: "deny", status: 2, reason: geminiAsk),
        Case(host: "gemini", what: "shell force push", input: gemini("run_shell_command", #"{"command":"git push --force origin main"}"#),
             verdict: "deny", status: 2, reason: "force-push-protected-branch"),

        Case(host: "gemini", what: "read_file project file (absolute_path)", input: gemini("read_file", #"{"absolute_path":"HOME_DIR/app/notes.txt"}"#),
             verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "gemini", what: "read_file AWS credentials (file_path, ask → approval)", input: gemini("read_file", #"{"file_path":"HOME_DIR/.aws/credentials"}"#),
             verdict: "deny", status: 2, reason: geminiAsk),
        Case(host: "gemini", what: "read_file Airlock's signing key", input: gemini("read_file", #"{"absolute_path":"HOME_DIR/.airlock/keys/audit.key"}"#),
             verdict: "deny", status: 2, reason: "airlock-keys-are-secret"),
        Case(host: "gemini", what: "write_file project file", input: gemini("write_file", #"{"file_path":"HOME_DIR/app/out.txt","content":"hello"}"#),
             verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "gemini", what: "replace in Airlock's policy", input: gemini("replace", #"{"file_path":"HOME_DIR/.airlock/policy.yaml","old_string":"enforce","new_string":"monitor"}"#),
             verdict: "deny", status: 2, reason: "airlock-home-is-read-only"),

        Case(host: "gemini", what: "MCP prod SELECT", input: gemini("mcp__postgres-prod__query", sql("SELECT count(*) FROM users")), verdict: "allow", status: 0, reason: "Airlock: allowed"),
        Case(host: "gemini", what: "MCP staging DROP (ask → approval)", input: gemini("mcp__postgres-staging__query", sql("DROP TABLE users")),
             verdict: "deny", status: 2, reason: geminiAsk),
        Case(host: "gemini", what: "MCP prod UPDATE (Airlock approval)", input: gemini("mcp__postgres-prod__query", sql(update)), verdict: "deny", status: 2, reason: approval),
        Case(host: "gemini", what: "MCP prod DROP", input: gemini("mcp__postgres-prod__query", sql(drop)), verdict: "deny", status: 2, reason: "no-destruction-in-production"),
    ]

    // MARK: The test

    @Test("each host's tools through its exact contract, answered in its exact format", arguments: cases)
    func matrix(_ row: Case) throws {
        let cli = try CLIHarness()
        let home = cli.home.path
        let result = try cli.run(["hook", row.host], stdin: row.input.replacingOccurrences(of: "HOME_DIR", with: home))

        #expect(result.status == row.status, "exit status; stderr: \(result.stderr)")
        // Exactly one JSON object on stdout, on one line.
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines.last == "", "stdout is one line ending in a newline: \(result.stdout)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let json = try #require(parsed as? [String: Any], "stdout is not a JSON object: \(result.stdout)")

        let verdict: String
        let reason: String
        switch row.host {
        case "cursor":
            #expect(Set(json.keys) == ["permission", "user_message", "agent_message", "userMessage", "agentMessage"])
            verdict = try #require(json["permission"] as? String)
            reason = try #require(json["agent_message"] as? String)
            for key in ["user_message", "userMessage", "agentMessage"] {
                #expect(json[key] as? String == reason, "\(key) says the same as agent_message")
            }
        case "codex":
            #expect(Set(json.keys) == ["hookSpecificOutput"])
            let output = try #require(json["hookSpecificOutput"] as? [String: Any])
            #expect(Set(output.keys) == ["hookEventName", "permissionDecision", "permissionDecisionReason"])
            #expect(output["hookEventName"] as? String == "PreToolUse")
            verdict = try #require(output["permissionDecision"] as? String)
            reason = try #require(output["permissionDecisionReason"] as? String)
        case "gemini":
            #expect(Set(json.keys) == ["decision", "reason", "systemMessage"])
            verdict = try #require(json["decision"] as? String)
            #expect(verdict == "allow" || verdict == "deny", "Gemini CLI has no ask")
            reason = try #require(json["reason"] as? String)
            #expect(json["systemMessage"] as? String == reason)
        default:
            Issue.record("no host format for '\(row.host)'")
            return
        }

        #expect(verdict == row.verdict, "reason: \(reason)")
        #expect(reason.contains(row.reason), "\(reason)")
        if row.verdict == "deny" {
            // Exit 2 makes hosts read stderr: the same reason is there.
            #expect(result.stderr.contains(reason), "stderr: \(result.stderr)")
        } else {
            #expect(result.stderr.isEmpty, "stderr: \(result.stderr)")
        }
        if row.reason == Self.approval || row.reason == Self.geminiAsk {
            #expect(reason.contains(Self.approval) && reason.contains("airlock approve ") && reason.contains("retry exactly the same command"), "\(reason)")
        }
    }
}
