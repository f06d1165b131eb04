import Foundation
import Testing

@Suite("airlock init and policy")
struct PolicyCommandTests {
    @Test("init writes the commented default once; lint, test and show accept it")
    func initAndValidate() throws {
        let cli = try CLIHarness()
        let first = try cli.run(["init"])
        #expect(first.status == 0)
        let path = cli.home.appendingPathComponent(".airlock/policy.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("- id: no-destruction-in-production"))
        #expect(text.contains("#"))
        let again = try cli.run(["init"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("--force"))
        #expect(try cli.run(["init", "--force"]).status == 0)

        let lint = try cli.run(["policy", "lint"])
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        #expect(lint.stdout.contains(path))
        let test = try cli.run(["policy", "test"])
        #expect(test.status == 0, "\(test.stdout)")
        #expect(test.stdout.contains("0 failed"))
        let show = try cli.run(["policy", "show"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("no-destruction-in-production"))
    }

    @Test("a broken policy is named by file and line, and then everything is denied")
    func brokenPolicy() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", """
            version: 1
            rules:
              - id: x
                decision: deny
                reason: r
                when: { efect_class: [read] }
            """)
        let lint = try cli.run(["policy", "lint"])
        #expect(lint.status == 1)
        #expect(lint.stderr.contains("policy.yaml:6"))
        #expect(lint.stderr.contains("did you mean 'effect_class'"))
        let check = try cli.run(["check", "--format", "json", "--", "ls"])
        #expect(check.status == 1)
        let object = try cli.json(check.stdout)
        #expect((object["rule"] as? [String: Any])?["id"] as? String == "airlock-policy-error")
        #expect((object["reason"] as? String)?.contains("efect_class") == true)
    }

    @Test("policy search order: --policy, then $AIRLOCK_POLICY, then $AIRLOCK_HOME")
    func searchOrder() throws {
        let cli = try CLIHarness()
        let denyLs = """
            version: 1
            rules:
              - id: no-ls
                decision: deny
                reason: no listing
                when: { binary: ls }
            """
        try cli.write("custom.yaml", denyLs)
        let custom = cli.home.appendingPathComponent("custom.yaml").path
        #expect(try cli.run(["check", "--", "ls"]).status == 0)
        #expect(try cli.run(["check", "--policy", custom, "--", "ls"]).status == 1)
        #expect(try cli.run(["check", "--", "ls"], environment: ["AIRLOCK_POLICY": custom]).status == 1)
        #expect(try cli.run(["check", "--policy", cli.home.appendingPathComponent("missing.yaml").path, "--", "ls"]).status == 1)
        try cli.write(".airlock/policy.yaml", denyLs)
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
    }

    @Test("a workspace policy can add restrictions but not loosen")
    func workspace() throws {
        let cli = try CLIHarness()
        try cli.write("proj/.airlock/policy.yaml", """
            version: 1
            rules:
              - id: no-curl
                decision: ask
                reason: this project does not call out
                when: { binary: curl }
            """)
        let project = cli.home.appendingPathComponent("proj").path
        #expect(try cli.run(["check", "--cwd", project, "--", "curl https://example.com"]).status == 2)
        try cli.write("proj/.airlock/policy.yaml", """
            version: 1
            rules:
              - id: yolo
                decision: allow
                reason: anything goes
                when: {}
            """)
        let loosened = try cli.run(["check", "--cwd", project, "--", "ls"])
        #expect(loosened.status == 1)
        #expect(loosened.stdout.contains("only add rules that deny or ask"))
    }

    @Test("monitor mode reports but exits 0")
    func monitor() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", """
            version: 1
            mode: monitor
            rules:
              - id: no-rm
                decision: deny
                reason: no removing
                when: { binary: rm }
            """)
        let result = try cli.run(["check", "--", "rm x"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("MONITOR (not enforced): BLOCKED"))
    }
}

@Suite("The front door and the compiled-policy cache")
struct CompiledPolicyTests {
    let denyLs = "version: 1\nrules:\n  - id: no-ls\n    decision: deny\n    reason: no listing\n    when: { binary: ls }\n"
    let askLs = "version: 1\nrules:\n  - id: ask-ls\n    decision: ask\n    reason: ask before listing\n    when: { binary: ls }\n"

    func cacheEntries(_ cli: CLIHarness) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: cli.home.appendingPathComponent(".airlock/cache").path)) ?? []
    }

    @Test("a policy file is compiled on first use and followed when it changes")
    func compileAndInvalidate() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", denyLs)
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
        #expect(cacheEntries(cli).count == 1)
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
        try cli.write(".airlock/policy.yaml", askLs)
        let changed = try cli.run(["check", "--", "ls"])
        #expect(changed.status == 2)
        #expect(changed.stdout.contains("ask-ls"))
        #expect(cacheEntries(cli).count == 2)
    }

    @Test("a damaged or forged-format cache entry is ignored, never trusted")
    func damagedCache() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", denyLs)
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
        let name = try #require(cacheEntries(cli).first)
        try cli.write(".airlock/cache/\(name)", "{\"format\": 1, \"garbage\": true")
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
        try cli.write(".airlock/cache/\(name)", "")
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
    }

    @Test("an unwritable cache costs time, not correctness")
    func unwritableCache() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", denyLs)
        try cli.write(".airlock/cache", "a file where the directory should be")
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
        #expect(try cli.run(["check", "--", "git status"]).status == 0)
    }

    @Test("verbs the front door does not handle reach the full command line")
    func delegation() throws {
        let cli = try CLIHarness()
        let help = try cli.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: airlock"))
        #expect(try cli.run(["check", "--help"]).stdout.contains("--clean-env"))
        #expect(try cli.run(["init", "--print"]).stdout.contains("no-destruction-in-production"))
    }
}
