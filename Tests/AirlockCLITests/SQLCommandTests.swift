import Foundation
import Testing

@Suite("airlock sql and SQL in policies")
struct SQLCommandTests {
    @Test("classify prints one line per statement and exits 1 when any is unparseable")
    func classifyText() throws {
        let cli = try CLIHarness()
        let ok = try cli.run(["sql", "classify", "SELECT 1; DELETE FROM users WHERE true"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("1  read SELECT"))
        #expect(ok.stdout.contains("2  destructive DELETE on users; flags tautological_where"))
        let bad = try cli.run(["sql", "classify", "SELECT 1; SELECT '{}' IS JSON"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("unparseable"))
        #expect(bad.stdout.contains("syntax error"))
    }

    @Test("classify --format json reads standard input and prints the documented keys")
    func classifyJSON() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["sql", "classify", "--format", "json"], stdin: "COPY users TO PROGRAM 'rm -rf /';\nSELECT lower(name) FROM \"User\"")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let first = try cli.json(lines[0])
        for key in ["index", "text", "kind", "class", "tables", "flags", "functions"] { #expect(first[key] != nil, "missing \(key)") }
        #expect(first["class"] as? String == "privileged")
        #expect(first["flags"] as? [String] == ["server_side_copy"])
        let second = try cli.json(lines[1])
        #expect(second["class"] as? String == "read")
        #expect(second["tables"] as? [String] == ["User"])
        #expect(second["functions"] as? [String] == ["lower"])
        #expect(second["index"] as? Int == 1)
    }

    @Test("classify rejects an unknown dialect with a usage error")
    func usage() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["sql", "classify", "--dialect", "oracle", "SELECT 1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("postgres"))
    }

    @Test("a policy can allow DELETE on sessions in production and deny every other destruction")
    func sessionsCleanup() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", """
            version: 1
            environments:
              production: { labels: [prod] }
            rules:
              - id: no-destruction-in-production
                decision: deny
                reason: destruction in production
                when: { environment: production, effect_class: destructive }
                unless: { sql: { kinds: [DELETE], tables: [sessions] } }
              - id: other-writes
                decision: ask
                reason: writes need a person
                when: { environment: production, sql: { class: [write, ddl] } }
            """)
        let allowed = try cli.run(["check", "--", "psql -h prod-db -c 'DELETE FROM sessions WHERE expires_at < now()'"])
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        // A writable CTE deleting elsewhere is not excused by the exception for sessions.
        let sneaky = try cli.run(["check", "--", "psql -h prod-db -c 'WITH d AS (DELETE FROM users RETURNING id) DELETE FROM sessions WHERE user_id IN (SELECT id FROM d)'"])
        #expect(sneaky.status == 1, "\(sneaky.stdout)")
        let other = try cli.run(["check", "--", "psql -h prod-db -c 'DELETE FROM sessions; DROP TABLE users'"])
        #expect(other.status == 1)
        #expect(other.stdout.contains("DROP TABLE users"))
        let write = try cli.run(["check", "--", "psql -h prod-db -c \"UPDATE users SET plan = 'pro' WHERE id = 1\""])
        #expect(write.status == 2)
        // The same answers through the compiled-policy cache the front door uses.
        #expect(try cli.run(["check", "--", "psql -h prod-db -c 'DELETE FROM sessions WHERE id = 1'"]).status == 0)
        #expect(try cli.run(["check", "--", "psql -h prod-db -c 'DELETE FROM users WHERE id = 1'"]).status == 1)
    }

    @Test("a typo in an sql condition is an error with a suggestion, and everything is denied")
    func sqlTypo() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", """
            version: 1
            rules:
              - id: x
                decision: deny
                reason: r
                when: { sql: { clas: [destructive], flags: [nowhere] } }
            """)
        let lint = try cli.run(["policy", "lint"])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains("did you mean 'class'") || lint.stderr.contains("did you mean 'class'"), "\(lint.stdout)\(lint.stderr)")
        #expect((lint.stdout + lint.stderr).contains("no_where"))
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
    }

    @Test("psql scripts: meta-commands read, \\! is analysed as shell, \\i follows the file")
    func psqlScripts() throws {
        let cli = try CLIHarness()
        try cli.write("app/wipe.sql", "TRUNCATE users;\n")
        let dir = cli.home.appendingPathComponent("app").path
        let meta = try cli.run(["check", "--cwd", dir, "--", "psql -h prod-db.internal <<'EOF'\n\\dt\n\\d users\nSELECT count(*) FROM users;\nEOF"])
        #expect(meta.status == 0, "\(meta.stdout)")
        let include = try cli.run(["check", "--cwd", dir, "--", "psql -h prod-db.internal -c '\\i wipe.sql'"])
        #expect(include.status == 1, "\(include.stdout)")
        let shell = try cli.run(["check", "--cwd", dir, "--", "psql -h localhost <<< '\\! rm -rf /'"])
        #expect(shell.status == 1, "\(shell.stdout)")
        #expect(shell.stdout.contains("rm"))
        let piped = try cli.run(["check", "--cwd", dir, "--", "echo 'DROP TABLE users' | psql -h prod-db.internal"])
        #expect(piped.status == 1)
        let file = try cli.run(["check", "--cwd", dir, "--", "psql -h prod-db.internal -f wipe.sql"])
        #expect(file.status == 1)
        #expect(file.stdout.contains("TRUNCATE"))
    }
}

@Suite("SQL in explain")
struct SQLExplainTests {
    @Test("explain lists every statement of a client with its class; repeated -c all count")
    func everyStatement() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["explain", "--", "psql -h prod-db.internal -c 'SELECT 1' -c 'UPDATE t SET a = 1 WHERE id = 2; TRUNCATE t'"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("sql: read SELECT"))
        #expect(result.stdout.contains("sql: write UPDATE on t"))
        #expect(result.stdout.contains("sql: destructive TRUNCATE on t"))
        #expect(result.stdout.contains("commands that would run: 3"))
    }
}
