import AirlockCore
import Testing

/// Each condition of the policy language, evaluated on real analyses.
@Suite("Policy evaluation")
struct EvaluatorTests {
    let environments = [
        EnvironmentDefinition(name: "production", hosts: ["10.0.0.0/8", "*.corp"], kubeContexts: ["prod-*"], labels: ["prod"]),
        EnvironmentDefinition(name: "development", hosts: ["localhost"], localSockets: true),
    ]

    func verdict(_ line: String, _ rules: [Rule], default fallback: Verdict = .allow, agent: String? = "claude", env: [String: String] = [:]) -> Decision {
        let policy = Policy(defaultDecision: fallback, environments: environments, rules: rules)
        return Checker(policy: policy, files: InMemoryFiles(World.files)).check(.shell(line), context: World.context(env, agent: agent)).decision
    }

    func rule(_ id: String, _ decision: Verdict, _ when: Condition, unless: Condition? = nil) -> Rule {
        Rule(id: id, decision: decision, reason: id, when: when, unless: unless)
    }

    @Test("binary, subcommand and argument patterns")
    func commandConditions() {
        let rules = [
            rule("no-mkfs", .deny, Condition(binaries: ["mkfs*"])),
            rule("helm-uninstall", .ask, Condition(binaries: ["helm"], subcommands: ["uninstall", "del*"])),
            rule("no-force-flags", .deny, Condition(args: ["--force*"])),
        ]
        #expect(verdict("mkfs.xfs /dev/sdb", rules).rule.id == "no-mkfs")
        #expect(verdict("helm delete api", rules).rule.id == "helm-uninstall")
        #expect(verdict("helm list", rules).verdict == .allow)
        #expect(verdict("npm install --force-resolutions", rules).rule.id == "no-force-flags")
        #expect(verdict("npm install", rules).verdict == .allow)
    }

    @Test("agent and user")
    func identity() {
        let rules = [
            rule("cursor-asks", .ask, Condition(agents: ["cursor*"])),
            rule("unknown-agents-denied", .deny, Condition(agents: ["unknown"])),
            rule("dev-user-git", .ask, Condition(binaries: ["git"], users: ["dev"])),
        ]
        #expect(verdict("ls", rules, agent: "cursor:session-42").rule.id == "cursor-asks")
        #expect(verdict("ls", rules, agent: "claude").verdict == .allow)
        #expect(verdict("ls", rules, agent: nil).rule.id == "unknown-agents-denied")
        #expect(verdict("git status", rules).rule.id == "dev-user-git")
    }

    @Test("environments: patterns, CIDR blocks, labels, sockets, first definition wins")
    func environmentConditions() {
        let rules = [rule("prod-only", .deny, Condition(environments: ["production"])), rule("unknown-asks", .ask, Condition(environments: ["unknown"]))]
        #expect(verdict("psql -h 10.2.3.4", rules).rule.id == "prod-only")
        #expect(verdict("psql -h db.corp", rules).rule.id == "prod-only")
        #expect(verdict("kubectl --context prod-us get pods", rules).rule.id == "prod-only")
        #expect(verdict("psql -h db-prod-2.example.com", rules).rule.id == "prod-only")
        #expect(verdict("psql -h 11.0.0.1", rules).rule.id == "unknown-asks")
        #expect(verdict("psql -h localhost", rules).verdict == .allow)
        #expect(verdict("psql", rules).verdict == .allow, "a socket is development here")
    }

    @Test("effect, path with access mode, branch and interactive")
    func effectAndShape() {
        let rules = [
            rule("no-writes-in-etc", .deny, Condition(paths: ["/etc/**"], pathAccess: .write)),
            rule("opaque-asks", .ask, Condition(effects: [.opaque])),
            rule("no-push-to-main", .deny, Condition(binaries: ["git"], branches: ["main"])),
            rule("sessions-ask", .ask, Condition(interactive: true)),
        ]
        #expect(verdict("echo x > /etc/hosts", rules).rule.id == "no-writes-in-etc")
        #expect(verdict("cat /etc/hosts", rules).verdict == .allow)
        #expect(verdict("eval \"$X\"", rules).rule.id == "opaque-asks")
        #expect(verdict("git push origin main", rules).rule.id == "no-push-to-main")
        #expect(verdict("git push origin feature", rules).verdict == .allow)
        #expect(verdict("psql -h localhost", rules).rule.id == "sessions-ask")
        #expect(verdict("psql -h localhost -l", rules).verdict == .allow, "listing databases is not a session")
    }

    @Test("unless carves out, deny beats ask beats allow, and the default applies when nothing matches")
    func precedence() {
        let rules = [
            rule("allow-git", .allow, Condition(binaries: ["git"])),
            rule("ask-pushes", .ask, Condition(binaries: ["git"], subcommands: ["push"]), unless: Condition(branches: ["feature/*"])),
            rule("deny-force", .deny, Condition(binaries: ["git"], effects: [.destructive])),
        ]
        #expect(verdict("git push origin main", rules, default: .deny).rule.id == "ask-pushes")
        #expect(verdict("git push origin feature/x", rules, default: .deny).rule.id == "allow-git")
        #expect(verdict("git push --force origin feature/x", rules, default: .deny).rule.id == "deny-force")
        let fallback = verdict("ls", rules, default: .deny)
        #expect(fallback.verdict == .deny)
        #expect(fallback.rule.kind == .default)
    }

    @Test("a line is as strict as its strictest command")
    func strictestCommand() {
        let rules = [rule("ask-curl", .ask, Condition(binaries: ["curl"])), rule("deny-rm", .deny, Condition(binaries: ["rm"]))]
        let decision = verdict("curl x.io; ls && rm a", rules)
        #expect(decision.verdict == .deny)
        #expect(decision.commands.map(\.verdict) == [.ask, .allow, .deny])
    }
}
