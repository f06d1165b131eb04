import Foundation
import Testing

@Suite("airlock check and explain")
struct CheckCommandTests {
    @Test("exit codes: 0 allow, 1 deny, 2 ask, 64 usage")
    func exitCodes() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["check", "--", "ls -la"]).status == 0)
        #expect(try cli.run(["check", "--", "git push --force origin main"]).status == 1)
        #expect(try cli.run(["check", "--", "terraform destroy"]).status == 2)
        #expect(try cli.run(["check"]).status == 64)
        #expect(try cli.run(["check", "--format", "yaml", "--", "ls"]).status == 64)
        #expect(try cli.run(["check", "--env", "NOEQUALS", "--", "ls"]).status == 64)
        #expect(try cli.run(["frobnicate"]).status == 64)
    }

    @Test("several words are one command's argv; one word is a shell line")
    func argvVersusLine() throws {
        let cli = try CLIHarness()
        // As argv, ';' is just an argument to echo; as a line, it separates commands.
        #expect(try cli.run(["check", "--", "echo", "hi;", "rm", "-rf", "/"]).status == 0)
        #expect(try cli.run(["check", "--", "echo hi; rm -rf /"]).status == 1)
    }

    @Test("the blocked message names the command, the rule and how to see details")
    func blockedText() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["check", "--", "psql -h prod-db.internal -U admin -c \"DROP TABLE executives;\""])
        #expect(result.status == 1)
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first == "BLOCKED: policy prevents 'psql -h prod-db.internal -U admin' (rule no-destruction-in-production: destructive operations never run against production)")
        #expect(result.stdout.contains("statement: DROP TABLE executives"))
        #expect(result.stdout.contains("airlock explain"))
    }

    @Test("JSON output has the documented shape")
    func json() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["check", "--format", "json", "--", "kubectl --context prod-eu delete ns payments && ls"])
        #expect(result.status == 1)
        let object = try cli.json(result.stdout)
        #expect(object["decision"] as? String == "deny")
        #expect(object["environment"] as? String == "production")
        #expect(object["reason"] as? String == "destructive operations never run against production")
        let rule = try #require(object["rule"] as? [String: Any])
        #expect(rule["id"] as? String == "no-destruction-in-production")
        #expect(rule["type"] as? String == "rule")
        let commands = try #require(object["commands"] as? [[String: Any]])
        #expect(commands.count == 2)
        #expect(commands[0]["binary"] as? String == "kubectl")
        #expect(commands[0]["args"] as? [String] == ["--context", "prod-eu", "delete", "ns", "payments"])
        #expect(commands[0]["target"] as? String == "prod-eu")
        #expect(commands[0]["environment"] as? String == "production")
        #expect(commands[0]["effect"] as? String == "destructive")
        #expect(commands[1]["binary"] as? String == "ls")
        #expect(commands[1]["effect"] as? String == "read")
    }

    @Test("the environment is the command's: own, --env additions, or --clean-env")
    func environment() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["check", "--", "psql -c 'DROP TABLE t'"], environment: ["PGHOST": "db.prod.acme.io"]).status == 1)
        #expect(try cli.run(["check", "--clean-env", "--", "psql -c 'DROP TABLE t'"], environment: ["PGHOST": "db.prod.acme.io"]).status == 0)
        #expect(try cli.run(["check", "--clean-env", "--env", "PGHOST=db.prod.acme.io", "--", "psql -c 'DROP TABLE t'"]).status == 1)
    }

    @Test("--cwd is where package.json and .env are read")
    func workingDirectory() throws {
        let cli = try CLIHarness()
        try cli.write("proj/package.json", #"{"scripts": {"reset": "prisma migrate reset --force"}}"#)
        try cli.write("proj/.env", "DATABASE_URL=postgres://app@db.prod.acme.io/app\n")
        let project = cli.home.appendingPathComponent("proj").path
        #expect(try cli.run(["check", "--cwd", project, "--", "npm run reset"]).status == 1)
        #expect(try cli.run(["check", "--", "npm run reset"], cwd: project).status == 1)
    }

    @Test("explain shows parsing, targets, environments and every rule")
    func explain() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["explain", "--", "sudo bash -c 'psql -h prod-db.internal -c \"DROP TABLE t\"'"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("via: sudo → bash -c"))
        #expect(result.stdout.contains("target: host prod-db.internal (from psql -h)"))
        #expect(result.stdout.contains("environment: production — host prod-db.internal has the label 'prod'"))
        #expect(result.stdout.contains("✔ matched no-destruction-in-production"))
        #expect(result.stdout.contains("· skipped force-push-protected-branch"))
        #expect(result.stdout.contains("decision: DENY"))
        let json = try cli.run(["explain", "--format", "json", "--", "ls"])
        let object = try cli.json(json.stdout)
        #expect((object["trace"] as? [Any])?.count == 1)
    }

    @Test("help reads like documentation")
    func help() throws {
        let cli = try CLIHarness()
        let result = try cli.run(["check", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("exit 0 allow, 1 deny, 2 ask"))
        #expect(result.stdout.contains("--clean-env"))
    }
}

@Suite("The front door alone")
struct FrontDoorAloneTests {
    @Test("without airlock-cli beside it, work it cannot do itself is an internal error (70), not a decision")
    func missingFullCLI() throws {
        let cli = try CLIHarness()
        let lonely = cli.home.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        let copy = lonely.appendingPathComponent("airlock")
        try FileManager.default.copyItem(at: CLIHarness.binary, to: copy)
        let process = Process()
        process.executableURL = copy
        process.arguments = ["policy", "lint"]
        process.environment = ["HOME": cli.home.path, "AIRLOCK_HOME": cli.home.appendingPathComponent(".airlock").path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 70)
        #expect(message.contains("airlock-cli"))
        // What it can do alone (the built-in policy) it still does.
        let check = Process()
        check.executableURL = copy
        check.arguments = ["check", "--", "rm -rf /"]
        check.environment = ["HOME": cli.home.path, "AIRLOCK_HOME": cli.home.appendingPathComponent(".airlock").path]
        check.standardOutput = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 1)
    }
}

@Suite("Bytes that are not text")
struct InvalidEncodingTests {
    /// Runs airlock through bash so the arguments can carry raw bytes Foundation would refuse.
    func run(_ script: String, binary: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.environment = ["AIRLOCK": binary.path, "HOME": "/tmp", "AIRLOCK_HOME": "/tmp/airlock-invalid-\(getpid())"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test("a word that is not UTF-8 is refused as binary input, by the front door and airlock-cli alike")
    func invalidUTF8() throws {
        let front = CLIHarness.binary
        let full = front.deletingLastPathComponent().appendingPathComponent("airlock-cli")
        for binary in [front, full] {
            let (line, text) = try run(#""$AIRLOCK" check -- $'echo \xff\xfe'"#, binary: binary)
            #expect(line == 1, "\(binary.lastPathComponent): \(text)")
            #expect(text.contains("binary bytes"))
            let (argv, _) = try run(#""$AIRLOCK" check -- echo $'\xc3\x28'"#, binary: binary)
            #expect(argv == 1)
            let (valid, _) = try run(#""$AIRLOCK" check -- 'echo héllo ✓'"#, binary: binary)
            #expect(valid == 0)
        }
    }
}

@Suite("Agent identity")
struct AgentOptionTests {
    @Test("--agent and $AIRLOCK_AGENT reach rules that match on agents")
    func agent() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", """
            version: 1
            rules:
              - id: cursor-asks
                decision: ask
                reason: cursor asks first
                when: { agent: "cursor*" }
            """)
        #expect(try cli.run(["check", "--agent", "cursor:42", "--", "ls"]).status == 2)
        #expect(try cli.run(["check", "--", "ls"], environment: ["AIRLOCK_AGENT": "cursor"]).status == 2)
        #expect(try cli.run(["check", "--agent", "claude", "--", "ls"]).status == 0)
    }
}

@Suite("Compiled policies reach the front door")
struct CompiledPolicyHitTests {
    @Test("after one check through airlock-cli, a lone front door decides from the cache")
    func cacheHit() throws {
        let cli = try CLIHarness()
        try cli.write(".airlock/policy.yaml", "version: 1\nrules:\n  - id: no-ls\n    decision: deny\n    reason: no listing\n    when: { binary: ls }\n")
        try cli.write("proj/.airlock/policy.yaml", "version: 1\nrules:\n  - id: ask-cat\n    decision: ask\n    reason: ask before cat\n    when: { binary: cat }\n")
        let project = cli.home.appendingPathComponent("proj").path
        // Compile both policy sets (home alone; home + workspace) through the full CLI.
        #expect(try cli.run(["check", "--", "ls"]).status == 1)
        #expect(try cli.run(["check", "--cwd", project, "--", "cat x"]).status == 2)

        let lonely = cli.home.appendingPathComponent("lonely")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        let front = lonely.appendingPathComponent("airlock")
        try FileManager.default.copyItem(at: CLIHarness.binary, to: front)
        func run(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = front
            process.arguments = arguments
            process.environment = ["HOME": cli.home.path, "AIRLOCK_HOME": cli.home.appendingPathComponent(".airlock").path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        // 70 would mean the front door had to hand over: the cache was not found.
        #expect(try run(["check", "--", "ls"]) == 1)
        #expect(try run(["check", "--cwd", project, "--", "cat x"]) == 2)
        #expect(try run(["check", "--cwd", project, "--", "ls"]) == 1)
    }
}
