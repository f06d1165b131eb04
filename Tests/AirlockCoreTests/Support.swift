import AirlockCore
import Testing

/// A fixed, fully specified world for analysis tests: nothing depends on the machine.
enum World {
    static let cwd = "/home/dev/app"
    static let home = "/home/dev"

    static func context(_ environment: [String: String] = [:], agent: String? = "claude", cwd: String = cwd) -> Context {
        var env = ["PATH": "/usr/bin:/bin", "HOME": home, "USER": "dev"]
        for (key, value) in environment { env[key] = value }
        return Context(agent: agent, user: "dev", workingDirectory: cwd, homeDirectory: home, environment: env)
    }

    static let files: [String: String] = [
        "/home/dev/app/package.json": #"""
            {"name": "app", "scripts": {"test": "jest", "build": "tsc -p .", "db:reset": "prisma migrate reset --force",
             "deploy:prod": "kubectl --context prod-eu apply -f k8s/", "clean": "rm -rf dist .next", "nuke": "rm -rf ~/",
             "predeploy": "npm run build", "deploy": "echo deploying", "postdeploy": "psql -h prod-db.internal -c 'DROP TABLE cache'"}}
            """#,
        "/home/dev/app/.git/HEAD": "ref: refs/heads/feature/login\n",
        "/home/dev/app/.git/config": "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/app.git\n[remote \"production\"]\n\turl = https://git.heroku.com/acme-prod.git\n",
        "/home/dev/app/migrations/001_drop.sql": "DROP TABLE legacy_users;\n",
        "/home/dev/app/migrations/002_select.sql": "SELECT 1;\n",
        "/home/dev/app/scripts/cleanup.sh": "#!/bin/sh\nrm -rf /var/lib/postgresql/data\n",
    ]

    static func decide(_ line: String, env: [String: String] = [:], files extra: [String: String] = [:], policy: Policy = DefaultPolicy.policy, agent: String? = "claude") -> Decision {
        var all = files
        for (key, value) in extra { all[key] = value }
        return Checker(policy: policy, files: InMemoryFiles(all)).check(.shell(line), context: context(env, agent: agent)).decision
    }

    static func analyse(_ line: String, env: [String: String] = [:], files extra: [String: String] = [:]) -> Analysis {
        var all = files
        for (key, value) in extra { all[key] = value }
        return Analyzer(context: context(env), files: InMemoryFiles(all)).analyze(.shell(line))
    }
}

/// A labelled expectation, printed in failures so the case is obvious.
struct Case: CustomTestStringConvertible, Sendable {
    var command: String
    var verdict: Verdict
    var rule: String?
    var env: [String: String] = [:]

    init(_ command: String, _ verdict: Verdict, rule: String? = nil, env: [String: String] = [:]) {
        self.command = command
        self.verdict = verdict
        self.rule = rule
        self.env = env
    }

    var testDescription: String { "\(verdict.rawValue): \(command)" }

    func check() {
        let decision = World.decide(command, env: env)
        #expect(decision.verdict == verdict, "\(command) → \(decision.verdict) by \(decision.rule.id): \(decision.reason)")
        if let rule {
            #expect(decision.rule.id == rule, "\(command) decided by \(decision.rule.id), expected \(rule)")
        }
    }
}
