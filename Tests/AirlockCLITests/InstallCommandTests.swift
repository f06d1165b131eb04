import Foundation
import Testing

@Suite("airlock install")
struct InstallCommandTests {
    func text(_ cli: CLIHarness, _ relative: String) throws -> String {
        try String(contentsOf: cli.home.appendingPathComponent(relative), encoding: .utf8)
    }

    func backups(_ cli: CLIHarness, _ relative: String) throws -> [String] {
        let url = cli.home.appendingPathComponent(relative)
        return try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(url.lastPathComponent + ".airlock-backup-") }
    }

    /// The commands of every PreToolUse handler in a Claude-shaped file.
    func preToolUseCommands(_ document: [String: Any]) -> [String] {
        let groups = (document["hooks"] as? [String: Any])?["PreToolUse"] as? [[String: Any]] ?? []
        return groups.flatMap { ($0["hooks"] as? [[String: Any]] ?? []).compactMap { $0["command"] as? String } }
    }

    static let existing = """
        {
          "model": "opus",
          "env": {
            "DISABLE_TELEMETRY": "1"
          },
          "hooks": {
            "PreToolUse": [
              {
                "matcher": "Bash",
                "hooks": [
                  {
                    "type": "command",
                    "command": "dcg"
                  }
                ]
              }
            ],
            "Stop": [
              {
                "hooks": [
                  {
                    "type": "command",
                    "command": "say done"
                  }
                ]
              }
            ]
          },
          "permissions": {
            "allow": [
              "Bash(ls:*)"
            ]
          }
        }

        """

    @Test("into an empty home: the file is created with exactly Airlock's entry, pinned to this airlock and home")
    func emptyHome() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["install", "claude"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("installed Airlock's hook for Claude Code"))
        #expect(result.stdout.contains("airlock doctor"))
        let document = try cli.json(try text(cli, ".claude/settings.json"))
        #expect(Array(document.keys) == ["hooks"])
        let groups = try #require((document["hooks"] as? [String: Any])?["PreToolUse"] as? [[String: Any]])
        #expect(groups.count == 1)
        #expect(groups[0]["matcher"] as? String == "Bash|Read|Write|Edit|MultiEdit|NotebookEdit|WebFetch|mcp__.*")
        let handler = try #require((groups[0]["hooks"] as? [[String: Any]])?.first)
        #expect(handler["type"] as? String == "command")
        #expect(handler["timeout"] as? Int == 30)
        let command = try #require(handler["command"] as? String)
        #expect(command.hasPrefix("AIRLOCK_HOME=\(cli.home.path)/.airlock /"))
        #expect(command.hasSuffix("/airlock hook claude"))
        let executable = String(command.split(separator: " ")[1])
        #expect(FileManager.default.isExecutableFile(atPath: executable))
        #expect(try backups(cli, ".claude/settings.json").isEmpty)
    }

    @Test("other settings and hooks survive; a second install changes nothing; uninstall restores the bytes")
    func keepsEverythingElse() throws {
        let cli = try CLIHarness()
        try cli.write(".claude/settings.json", Self.existing)
        let path = cli.home.appendingPathComponent(".claude/settings.json").path
        chmod(path, 0o600)

        let first = try cli.run(["install", "claude", "--format", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try cli.json(first.stdout)
        #expect(report["action"] as? String == "installed")
        #expect(report["file"] as? String == path)
        let backup = try #require(report["backup"] as? String)
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == Self.existing)

        let after = try text(cli, ".claude/settings.json")
        let document = try cli.json(after)
        let commands = preToolUseCommands(document)
        #expect(commands.count == 2)
        #expect(commands[0] == "dcg")
        #expect(commands[1].hasSuffix("/airlock hook claude"))
        #expect((document["env"] as? [String: String]) == ["DISABLE_TELEMETRY": "1"])
        #expect(document["model"] as? String == "opus")
        #expect(after.contains("\"command\": \"say done\""))
        // Key order is kept.
        let order = ["\"model\"", "\"env\"", "\"hooks\"", "\"permissions\""].compactMap { after.range(of: $0)?.lowerBound }
        #expect(order.count == 4 && order == order.sorted())
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let second = try cli.run(["install", "claude"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("nothing changed"))
        #expect(try text(cli, ".claude/settings.json") == after)
        #expect(try backups(cli, ".claude/settings.json").count == 1)

        let removed = try cli.run(["install", "claude", "--uninstall", "--format", "json"])
        #expect(removed.status == 0)
        #expect(try cli.json(removed.stdout)["action"] as? String == "removed")
        #expect(try text(cli, ".claude/settings.json") == Self.existing)

        let again = try cli.run(["install", "claude", "--uninstall", "--format", "json"])
        #expect(try cli.json(again.stdout)["action"] as? String == "absent")
    }

    @Test("after the binary moved, install replaces the old entry instead of adding one")
    func movedBinary() throws {
        let cli = try CLIHarness()
        try cli.write(".claude/settings.json", """
            {"hooks": {"PreToolUse": [
              {"matcher": "Bash", "hooks": [{"type": "command", "command": "AIRLOCK_HOME=/old/home '/old place/bin/airlock' hook claude", "timeout": 10}]},
              {"matcher": "Write", "hooks": [{"type": "command", "command": "lint"}]}
            ]}}
            """)
        let result = try cli.run(["install", "claude", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try cli.json(result.stdout)["action"] as? String == "updated")
        let commands = preToolUseCommands(try cli.json(try text(cli, ".claude/settings.json")))
        #expect(commands.count == 2)
        #expect(commands[0].hasPrefix("AIRLOCK_HOME=\(cli.home.path)/.airlock"))
        #expect(!commands[0].contains("/old"))
        #expect(commands[1] == "lint")
    }

    @Test("--project writes DIR/.cursor/hooks.json and leaves the user's file alone")
    func project() throws {
        let cli = try CLIHarness()
        try FileManager.default.createDirectory(at: cli.home.appendingPathComponent("src/app"), withIntermediateDirectories: true)
        let result = try cli.run(["install", "cursor", "--project", "src/app"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try cli.json(try text(cli, "src/app/.cursor/hooks.json"))
        #expect(document["version"] as? Int == 1)
        let hooks = try #require(document["hooks"] as? [String: [[String: Any]]])
        #expect(Set(hooks.keys) == ["beforeShellExecution", "beforeMCPExecution", "beforeReadFile"])
        for entries in hooks.values {
            #expect(entries.count == 1)
            #expect(entries[0]["failClosed"] as? Bool == true)
            #expect((entries[0]["command"] as? String)?.hasSuffix("/airlock hook cursor") == true)
        }
        #expect(!FileManager.default.fileExists(atPath: cli.home.appendingPathComponent(".cursor/hooks.json").path))

        let missing = try cli.run(["install", "cursor", "--project", "no/such/dir"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such directory"))
    }

    @Test("--dry-run prints the file and writes nothing")
    func dryRun() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["install", "gemini", "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("nothing written"))
        #expect(result.stdout.contains("\"BeforeTool\""))
        #expect(!FileManager.default.fileExists(atPath: cli.home.appendingPathComponent(".gemini").path))

        try cli.write(".claude/settings.json", Self.existing)
        let busy = try cli.run(["install", "claude", "--dry-run"])
        #expect(busy.stdout.contains("\"command\": \"dcg\""))
        #expect(try text(cli, ".claude/settings.json") == Self.existing)
        #expect(try backups(cli, ".claude/settings.json").isEmpty)
    }

    @Test("a file that is not JSON is refused, named, and left untouched")
    func invalidJSON() throws {
        let cli = try CLIHarness()
        let broken = "{\n  \"model\": \"opus\",\n  // my comment\n}\n"
        try cli.write(".gemini/settings.json", broken)
        let result = try cli.run(["install", "gemini"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(cli.home.appendingPathComponent(".gemini/settings.json").path))
        #expect(result.stderr.contains("not valid JSON"))
        #expect(result.stderr.contains("line 3"))
        #expect(try text(cli, ".gemini/settings.json") == broken)
        #expect(try backups(cli, ".gemini/settings.json").isEmpty)

        let uninstall = try cli.run(["install", "gemini", "--uninstall"])
        #expect(uninstall.status == 1)
        #expect(try text(cli, ".gemini/settings.json") == broken)
    }

    @Test("each host gets its file and its entry", arguments: [
        ("claude", ".claude/settings.json", "PreToolUse"),
        ("cursor", ".cursor/hooks.json", "beforeShellExecution"),
        ("codex", ".codex/hooks.json", "PreToolUse"),
        ("gemini", ".gemini/settings.json", "BeforeTool"),
    ])
    func hosts(host: String, file: String, event: String) throws {
        let cli = try CLIHarness()
        let result = try cli.run(["install", host, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try cli.json(result.stdout)
        #expect(report["host"] as? String == host)
        #expect(report["action"] as? String == "installed")
        #expect(report["file"] as? String == cli.home.appendingPathComponent(file).path)
        let document = try cli.json(try text(cli, file))
        let hooks = try #require(document["hooks"] as? [String: Any])
        #expect(hooks[event] != nil)
        let written = try text(cli, file)
        #expect(written.contains("/airlock hook \(host)\""))

        let second = try cli.run(["install", host, "--format", "json"])
        #expect(try cli.json(second.stdout)["action"] as? String == "unchanged")
        let removed = try cli.run(["install", host, "--uninstall"])
        #expect(removed.status == 0)
        #expect(!(try text(cli, file)).contains("airlock hook"))
    }

    @Test("a symlinked settings file is written through to its target; the link stays")
    func symlink() throws {
        let cli = try CLIHarness()
        try cli.write("dotfiles/claude.json", "{\"model\": \"opus\"}\n")
        try FileManager.default.createDirectory(at: cli.home.appendingPathComponent(".claude"), withIntermediateDirectories: true)
        let link = cli.home.appendingPathComponent(".claude/settings.json").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: cli.home.appendingPathComponent("dotfiles/claude.json").path)
        let result = try cli.run(["install", "claude"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link).hasSuffix("dotfiles/claude.json"))
        let target = try text(cli, "dotfiles/claude.json")
        #expect(target.contains("\"model\": \"opus\""))
        #expect(target.contains("/airlock hook claude"))
    }

    @Test("an unknown host is a usage error")
    func unknownHost() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["install", "vim"])
        #expect(result.status == 64)
    }
}
