import AirlockPostgresProxy
import AirlockPostgresWire
import Foundation
import Testing

@Suite("airlock agents")
struct AgentsCommandTests {
    func registryPath(_ cli: CLIHarness) -> String { cli.home.appendingPathComponent(".airlock/agents.json").path }

    /// Whether `token` logs in against the verifier stored for `name`: a whole SCRAM exchange,
    /// as the proxy would run it.
    func logsIn(_ cli: CLIHarness, name: String, token: String) throws -> Bool {
        let registry = try AgentRegistry.load(home: cli.home.appendingPathComponent(".airlock").path)
        var server = SCRAMServerExchange(verifier: registry.verifier(for: name), serverNonce: RandomText.nonce())
        var client = SCRAMClientExchange(password: token, clientNonce: RandomText.nonce())
        do throws(SCRAMError) {
            let serverFinal = try server.receiveClientFinal(try client.receiveServerFirst(try server.receiveClientFirst(client.clientFirst)))
            try client.receiveServerFinal(serverFinal)
            return true
        } catch {
            return false
        }
    }

    func token(in output: String) throws -> String {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("  alk_") }, "no token line in: \(output)")
        return line.trimmingCharacters(in: .whitespaces)
    }

    @Test("add prints a token once, with how to use it, and the file keeps only a verifier that accepts it")
    func add() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["agents", "add", "claude"])
        #expect(result.status == 0, "\(result.stderr)")
        let token = try token(in: result.stdout)
        #expect(token.hasPrefix("alk_") && token.count == 47)
        #expect(result.stdout.contains("PGPASSWORD=\(token) psql -h 127.0.0.1 -p 6432 -U claude DBNAME"))
        #expect(result.stdout.contains("Airlock does not keep this token"))

        let file = try String(contentsOfFile: registryPath(cli), encoding: .utf8)
        #expect(!file.contains(token), "the token itself must never be stored")
        #expect(!file.contains(String(token.dropFirst(4))))
        #expect(file.contains("\"name\": \"claude\""))
        #expect(file.contains("SCRAM-SHA-256$4096:"))
        #expect(try logsIn(cli, name: "claude", token: token))
        #expect(try !logsIn(cli, name: "claude", token: token + "x"))
        #expect(try !logsIn(cli, name: "other", token: token))
    }

    @Test("the registry file is mode 0600")
    func fileMode() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["agents", "add", "claude"]).status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: registryPath(cli))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try cli.run(["agents", "add", "codex"]).status == 0)
        let again = try FileManager.default.attributesOfItem(atPath: registryPath(cli))
        #expect((again[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("--format json prints the name and the token")
    func json() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["agents", "add", "ci-bot", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try cli.json(result.stdout)
        #expect(Set(object.keys) == ["name", "token"])
        #expect(object["name"] as? String == "ci-bot")
        let token = try #require(object["token"] as? String)
        #expect(try logsIn(cli, name: "ci-bot", token: token))
    }

    @Test("an existing name fails with exit 1 unless --replace, which retires the old token")
    func duplicate() throws {
        let cli = try CLIHarness()
        let first = try token(in: try cli.run(["agents", "add", "claude"]).stdout)
        let again = try cli.run(["agents", "add", "claude"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        #expect(again.stderr.contains("--replace"))
        let otherCase = try cli.run(["agents", "add", "Claude"])
        #expect(otherCase.status == 1, "names differing only in case are one identity")
        #expect(try logsIn(cli, name: "claude", token: first))

        let replaced = try cli.run(["agents", "add", "claude", "--replace"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let second = try token(in: replaced.stdout)
        #expect(second != first)
        #expect(try logsIn(cli, name: "claude", token: second))
        #expect(try !logsIn(cli, name: "claude", token: first))
        #expect(try AgentRegistry.load(home: cli.home.appendingPathComponent(".airlock").path).names == ["claude"])
    }

    @Test("list shows names and issue times, never tokens; remove revokes")
    func listAndRemove() throws {
        let cli = try CLIHarness()
        let empty = try cli.run(["agents", "list"])
        #expect(empty.status == 0 && empty.stdout.contains("no agents yet"))
        let emptyJSON = try cli.run(["agents", "list", "--format", "json"])
        #expect(emptyJSON.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"agents":[]}"#)

        let claude = try token(in: try cli.run(["agents", "add", "claude"]).stdout)
        #expect(try cli.run(["agents", "add", "codex"]).status == 0)
        let list = try cli.run(["agents", "list"])
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("claude  issued 20") == true)
        #expect(lines.last?.hasPrefix("codex   issued 20") == true)
        #expect(!list.stdout.contains("alk_"))
        let listed = try cli.json(try cli.run(["agents", "list", "--format", "json"]).stdout)
        let agents = try #require(listed["agents"] as? [[String: Any]])
        #expect(agents.map { $0["name"] as? String } == ["claude", "codex"])
        #expect(agents.allSatisfy { ($0["created"] as? String)?.hasSuffix("Z") == true })

        let removed = try cli.run(["agents", "remove", "claude"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try !logsIn(cli, name: "claude", token: claude))
        #expect(try cli.run(["agents", "list"]).stdout.hasPrefix("codex "))
        let missing = try cli.run(["agents", "remove", "claude"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no agent named \"claude\""))
    }

    @Test("a corrupt registry fails closed, naming the file, and is not overwritten", arguments: [
        ("{not json", "not a JSON object"),
        (#"{"version": 2, "agents": []}"#, "version 2"),
        (#"{"agents": []}"#, "no \"version\""),
        (#"{"version": 1, "agents": [], "extra": 1}"#, "unknown key \"extra\""),
        (#"{"version": 1, "agents": [{"name": "a", "verifier": "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=", "created": "2026-11-21T12:00:00Z"}, {"name": "A", "verifier": "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=", "created": "2026-11-21T12:00:00Z"}]}"#, "appears twice"),
        (#"{"version": 1, "agents": [{"name": "a", "verifier": "md5abc", "created": "2026-11-21T12:00:00Z"}]}"#, "not a SCRAM-SHA-256 verifier"),
        (#"{"version": 1, "agents": [{"name": "-a", "verifier": "x", "created": "x"}]}"#, "invalid name"),
        (#"{"version": 1, "agents": [{"name": "a", "created": "x"}]}"#, "no \"verifier\""),
        (#"{"version": 1, "version": 1, "agents": []}"#, "\"version\" appears twice"),
        ("", "not a JSON object"),
    ])
    func corrupt(_ content: String, _ problem: String) throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/agents.json", content)
        for arguments in [["agents", "list"], ["agents", "add", "claude"], ["agents", "remove", "a"]] {
            let result = try cli.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(registryPath(cli)), "\(result.stderr)")
            #expect(result.stderr.contains(problem), "\(result.stderr)")
        }
        #expect(try String(contentsOfFile: registryPath(cli), encoding: .utf8) == content)
    }

    @Test("a registry that is not a readable file fails closed too")
    func unreadable() throws {
        let cli = try CLIHarness()
        try FileManager.default.createDirectory(atPath: registryPath(cli), withIntermediateDirectories: true)
        let result = try cli.run(["agents", "list"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not a regular file"))
    }

    @Test("invalid names and missing arguments are usage errors (64) that say the rule", arguments: [
        ["agents", "add", "bad name"], ["agents", "add", "x/y"], ["agents", "add", String(repeating: "a", count: 64)], ["agents", "add", ""],
        ["agents", "add", "é"], ["agents", "add"], ["agents", "remove"], ["agents", "remove", "a b"], ["agents", "list", "--format", "yaml"],
    ])
    func usage(_ arguments: [String]) throws {
        let cli = try CLIHarness()
        let result = try cli.run(arguments)
        #expect(result.status == 64, "\(result.stdout)\(result.stderr)")
        if arguments.count == 3 && arguments[1] != "list" { #expect(result.stderr.contains("1 to 63 characters")) }
        #expect(!FileManager.default.fileExists(atPath: registryPath(cli)))
    }

    @Test("names at the limits are accepted")
    func validNames() throws {
        let cli = try CLIHarness()
        for name in ["a", String(repeating: "z", count: 63), "agent.v2_final-1", "0day"] {
            let result = try cli.run(["agents", "add", name])
            #expect(result.status == 0, "\(name): \(result.stderr)")
        }
    }

    @Test("a shell that belongs to an agent may not add or remove agents")
    func agentShell() throws {
        let cli = try CLIHarness()
        for marker in ["AIRLOCK_AGENT", "CLAUDECODE"] {
            let result = try cli.run(["agents", "add", "me"], environment: [marker: "1"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("belongs to an agent (\(marker) is set)"))
        }
        #expect(try cli.run(["agents", "add", "me"]).status == 0)
        #expect(try cli.run(["agents", "remove", "me"], environment: ["AIRLOCK_AGENT": "x"]).status == 1)
        #expect(try cli.run(["agents", "list"], environment: ["AIRLOCK_AGENT": "x"]).status == 0)
    }

    @Test("--help reads like documentation")
    func help() throws {
        let cli = try CLIHarness()
        let add = try cli.run(["agents", "add", "--help"])
        #expect(add.status == 0)
        // Help is wrapped to the terminal's width: compare with the line breaks taken out.
        let text = add.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in ["PGPASSWORD=<token> psql -h 127.0.0.1 -p 6432 -U NAME DBNAME", "Exit codes: 0 issued, 1 failed", "64 usage error", "--replace", "the only time it is shown"] {
            #expect(text.contains(phrase), "\(phrase)")
        }
        let agents = try cli.run(["agents", "--help"])
        #expect(agents.stdout.contains("SCRAM-SHA-256") && agents.stdout.contains("airlock agents add claude"))
        #expect(try cli.run(["--help"]).stdout.contains("agents"))
    }

    @Test("the registry round-trips through its file and refuses bad input in the library too")
    func registryLibrary() throws {
        let home = try CLIHarness().home.appendingPathComponent("home").path
        var registry = try AgentRegistry.load(home: home)
        #expect(registry.names.isEmpty)
        let token = try registry.add(name: "claude")
        #expect(throws: AgentRegistry.Failure.self) { try registry.add(name: "CLAUDE") }
        #expect(throws: AgentRegistry.Failure.self) { try registry.add(name: "-x") }
        #expect(throws: AgentRegistry.Failure.self) { try registry.remove(name: "nobody") }
        try registry.save(home: home)
        let read = try AgentRegistry.load(home: home)
        #expect(read.agents == registry.agents)
        #expect(read.verifier(for: "claude") == SCRAMVerifier(parsing: read.verifier(for: "claude")?.text ?? ""))
        #expect(read.verifier(for: "Claude") == nil)
        #expect(read.jsonText == registry.jsonText)
        _ = token
    }
}
