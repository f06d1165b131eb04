@testable import AirlockCLI
import Testing

@Suite("settings JSON and Airlock's hook entries")
struct HookSettingsTests {
    static let command = "AIRLOCK_HOME=/home/ada/.airlock /usr/local/bin/airlock hook claude"

    func parse(_ text: String) throws -> SettingsJSON { try SettingsJSON.parse(text) }

    @Test("a file in the hosts' own two-space form comes back byte for byte")
    func roundTrip() throws {
        let text = """
            {
              "model": "opus",
              "permissions": {
                "allow": [
                  "Bash(ls:*)"
                ],
                "deny": []
              },
              "cleanupPeriodDays": 1.5e1,
              "unicode": "é\\u0000\\"",
              "empty": {},
              "flag": false,
              "nothing": null
            }

            """
        #expect(try parse(text).rendered() == text)
    }

    @Test("the indentation a file uses is kept")
    func indentation() throws {
        let text = "{\n\t\"a\": [\n\t\t1\n\t]\n}\n"
        #expect(SettingsJSON.indentUnit(of: text) == "\t")
        #expect(try parse(text).rendered(indent: SettingsJSON.indentUnit(of: text)) == text)
        #expect(SettingsJSON.indentUnit(of: "{}") == "  ")
    }

    @Test("malformed JSON is refused with a line and column", arguments: [
        ("{\"a\": 1,}", "expected a quoted key"),
        ("{\"a\": 1\n  // note\n}", "expected ',' or '}'"),
        ("{\"a\": [1, 2}", "expected ',' or ']'"),
        ("{\"a\": 01}", "may not start with 0"),
        ("{\"a\": \"x}", "not closed"),
        ("{} {}", "after the end"),
        ("", "ends early"),
    ])
    func malformed(text: String, problem: String) {
        #expect(throws: SettingsJSON.ParseError.self) { try SettingsJSON.parse(text) }
        do {
            _ = try SettingsJSON.parse(text)
        } catch {
            #expect(error.problem.contains(problem), "\(error)")
        }
    }

    @Test("install into an empty document gives exactly Airlock's entry")
    func installEmpty() throws {
        let settings = HookSettings(host: .claude, command: Self.command)
        let result = try settings.installing(into: .object([]))
        #expect(result.rendered() == """
            {
              "hooks": {
                "PreToolUse": [
                  {
                    "matcher": "Bash|Read|Write|Edit|MultiEdit|NotebookEdit|WebFetch|mcp__.*",
                    "hooks": [
                      {
                        "type": "command",
                        "command": "AIRLOCK_HOME=/home/ada/.airlock /usr/local/bin/airlock hook claude",
                        "timeout": 30
                      }
                    ]
                  }
                ]
              }
            }

            """)
        #expect(HookSettings.airlockCommands(in: result, host: .claude) == [Self.command])
    }

    static let busy = """
        {
          "env": {"A": "1"},
          "hooks": {
            "PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --write"}]}],
            "PreToolUse": [
              {"matcher": "Bash", "hooks": [{"type": "command", "command": "dcg"}]},
              {"matcher": "Bash|Read", "hooks": [{"type": "command", "command": "AIRLOCK_HOME=/old '/opt/old tools/airlock' hook claude", "timeout": 10}]},
              {"matcher": "Write", "hooks": [{"type": "command", "command": "lint-on-write"}]}
            ]
          },
          "model": "opus"
        }
        """

    @Test("install replaces an old Airlock entry where it stood and keeps every other hook and key")
    func installReplaces() throws {
        let before = try parse(Self.busy)
        let settings = HookSettings(host: .claude, command: Self.command)
        let after = try settings.installing(into: before)
        #expect(after.members?.map(\.key) == ["env", "hooks", "model"])
        #expect(after["env"] == before["env"])
        #expect(after["hooks"]?["PostToolUse"] == before["hooks"]?["PostToolUse"])
        let pre = try #require(after["hooks"]?["PreToolUse"]?.items)
        #expect(pre.count == 3)
        #expect(pre[0] == before["hooks"]?["PreToolUse"]?.items?[0])
        #expect(pre[1] == settings.entry)
        #expect(pre[2] == before["hooks"]?["PreToolUse"]?.items?[2])
        #expect(HookSettings.airlockCommands(in: after, host: .claude) == [Self.command])
        // Idempotent.
        #expect(try settings.installing(into: after) == after)
    }

    @Test("an Airlock handler sharing a group with another hook is taken out of it; the other stays")
    func sharedGroup() throws {
        let shared = try parse("""
            {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "dcg"}, {"type": "command", "command": "airlock hook claude"}]}]}}
            """)
        let settings = HookSettings(host: .claude, command: Self.command)
        let after = try settings.installing(into: shared)
        let pre = try #require(after["hooks"]?["PreToolUse"]?.items)
        #expect(pre.count == 2)
        // Airlock's own group takes the place where its handler was.
        #expect(pre[0] == settings.entry)
        #expect(pre[1]["hooks"]?.items?.count == 1)
        #expect(pre[1]["hooks"]?.items?[0]["command"] == .string("dcg"))
        #expect(try settings.installing(into: after) == after)
    }

    @Test("uninstall removes only Airlock's entries, and containers left empty")
    func uninstall() throws {
        let before = try parse(Self.busy)
        let after = try HookSettings.uninstalling(from: before, host: .claude)
        let pre = try #require(after["hooks"]?["PreToolUse"]?.items)
        #expect(pre.map { $0["hooks"]?.items?[0]["command"] } == [.string("dcg"), .string("lint-on-write")])
        #expect(after["hooks"]?["PostToolUse"] == before["hooks"]?["PostToolUse"])
        #expect(after["env"] == before["env"])

        let settings = HookSettings(host: .claude, command: Self.command)
        let installed = try settings.installing(into: try parse("{\"model\": \"opus\"}"))
        #expect(try HookSettings.uninstalling(from: installed, host: .claude) == parse("{\"model\": \"opus\"}"))
        // Other hosts' entries are not Airlock's for this host.
        #expect(try HookSettings.uninstalling(from: installed, host: .codex) == installed)
    }

    @Test("Cursor: version 1, three events, each fail-closed")
    func cursor() throws {
        let command = "AIRLOCK_HOME=/h/.airlock /usr/local/bin/airlock hook cursor"
        let settings = HookSettings(host: .cursor, command: command)
        let before = try parse("""
            {"hooks": {"afterFileEdit": [{"command": "fmt"}], "beforeShellExecution": [{"command": "audit.sh"}, {"command": "/old/airlock hook cursor"}]}}
            """)
        let after = try settings.installing(into: before)
        #expect(after.members?.map(\.key) == ["version", "hooks"])
        #expect(after["version"] == .number("1"))
        #expect(after["hooks"]?.members?.map(\.key) == ["afterFileEdit", "beforeShellExecution", "beforeMCPExecution", "beforeReadFile"])
        #expect(after["hooks"]?["beforeShellExecution"]?.items == [.keyed(["command": .string("audit.sh")]), .keyed(["command": .string(command), "failClosed": .bool(true)])])
        for event in ["beforeMCPExecution", "beforeReadFile"] {
            #expect(after["hooks"]?[event]?.items == [.keyed(["command": .string(command), "failClosed": .bool(true)])])
        }
        #expect(try settings.installing(into: after) == after)
        let removed = try HookSettings.uninstalling(from: after, host: .cursor)
        #expect(removed["hooks"]?.members?.map(\.key) == ["afterFileEdit", "beforeShellExecution"])
        #expect(removed["hooks"]?["beforeShellExecution"]?.items == [.keyed(["command": .string("audit.sh")])])
    }

    @Test("Gemini: BeforeTool with a matcher for shell, file and MCP tools, timeout in milliseconds")
    func gemini() throws {
        let settings = HookSettings(host: .gemini, airlockExecutable: "/opt/air lock/airlock", airlockHome: "/home/ada/.airlock")
        #expect(settings.command == "AIRLOCK_HOME=/home/ada/.airlock '/opt/air lock/airlock' hook gemini")
        let after = try settings.installing(into: parse("{\"theme\": \"dark\"}"))
        let group = try #require(after["hooks"]?["BeforeTool"]?.items?.first)
        let matcher = try #require(group["matcher"]?.stringValue)
        for tool in ["run_shell_command", "write_file", "replace", "mcp__"] { #expect(matcher.contains(tool)) }
        #expect(group["hooks"]?.items?.first?["timeout"] == .number("30000"))
        #expect(group["hooks"]?.items?.first?["type"] == .string("command"))
        #expect(HookSettings.executable(in: settings.command, host: .gemini) == "/opt/air lock/airlock")
    }

    @Test("Codex: PreToolUse like Claude Code's, with Codex's tool names")
    func codex() throws {
        let settings = HookSettings(host: .codex, command: "/usr/bin/airlock hook codex")
        let after = try settings.installing(into: .object([]))
        let group = try #require(after["hooks"]?["PreToolUse"]?.items?.first)
        #expect(group["matcher"]?.stringValue?.contains("Bash") == true)
        #expect(group["matcher"]?.stringValue?.contains("apply_patch") == true)
        #expect(group["hooks"]?.items?.first?["timeout"] == .number("30"))
    }

    @Test("Airlock's commands are recognised by the executable name and `hook HOST`", arguments: [
        ("airlock hook claude", true),
        ("/usr/local/bin/airlock hook claude", true),
        ("AIRLOCK_HOME='/a b' '/x y/airlock' hook claude", true),
        ("AIRLOCK_HOME=/a \"/x y/airlock\" hook claude --verbose", true),
        ("/usr/local/bin/airlock hook cursor", false),
        ("/usr/local/bin/not-airlock hook claude", false),
        ("echo airlock hook claude", false),
        ("env AIRLOCK_HOME=/a exec airlock hook claude", true),
        ("dcg", false),
        ("'unclosed airlock hook claude", false),
    ])
    func recognition(command: String, expected: Bool) {
        #expect(HookSettings.isAirlockCommand(command, host: .claude) == expected)
    }

    @Test("shapes Airlock cannot edit are refused with what to fix")
    func wrongShapes() throws {
        let settings = HookSettings(host: .claude, command: Self.command)
        #expect(throws: HookSettings.Problem.self) { try settings.installing(into: parse("[]")) }
        #expect(throws: HookSettings.Problem(description: "\"hooks\" is a string, not an object; fix it by hand, then run install again")) {
            try settings.installing(into: parse("{\"hooks\": \"none\"}"))
        }
        #expect(throws: HookSettings.Problem.self) { try settings.installing(into: parse("{\"hooks\": {\"PreToolUse\": {}}}")) }
    }
}
