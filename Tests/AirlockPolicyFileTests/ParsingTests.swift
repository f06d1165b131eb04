import AirlockCore
@testable import AirlockPolicyFile
import Testing

@Suite("Parsing valid policies")
struct ParsingTests {
    static let full = """
    version: 1
    mode: monitor            # or enforce
    default: ask
    environments:            # ordered
      production:
        hosts: ["*prod*", "*.internal", "10.0.0.0/8"]
        kube_contexts: ["prod-*"]
        aws_profiles: [prod]
        workspaces: [prod]
        projects: [acme-prod]
        git_remotes: [production]
        docker_hosts: []
        labels: [prod, production, prd, live]
        local_sockets: false
      development:
        hosts: localhost
        local_sockets: true
    rules:
      - id: no-destruction-in-prod
        decision: deny
        reason: Destructive operations never run against production.
        when:
          binary: [psql, mysql]
          subcommand: [delete]
          args: ["--force*"]
          environment: production
          effect_class: [destructive]
          agent: ["claude*"]
          user: [deploy]
          path: ["~/.aws/**", "!{cwd}/**"]
          branch: [main, "release/*"]
          interactive: true
        unless: { environment: development }
        suggestion: Run it against staging.
        approval: { approvers: 2, expires: 15m, via: airlock }
        examples:
          deny: ["psql -h prod-db.internal -c 'DROP TABLE executives'"]
          ask: []
          allow: ["psql -h localhost -c 'DROP TABLE scratch'"]
      - id: everything
        decision: ask
        reason: catch-all
        when: {}
    """

    @Test func fullDocumentParsesIntoEveryField() throws {
        let policy = try PolicyLoader.parse(Self.full.replacing("decision: deny", with: "decision: ask"), source: "team.yaml")
        #expect(policy.version == 1)
        #expect(policy.mode == .monitor)
        #expect(policy.defaultDecision == .ask)
        #expect(policy.source == "team.yaml")
        #expect(policy.environments.map(\.name) == ["production", "development"])

        let production = try #require(policy.environments.first)
        #expect(production.hosts == ["*prod*", "*.internal", "10.0.0.0/8"])
        #expect(production.kubeContexts == ["prod-*"])
        #expect(production.awsProfiles == ["prod"])
        #expect(production.workspaces == ["prod"])
        #expect(production.projects == ["acme-prod"])
        #expect(production.gitRemotes == ["production"])
        #expect(production.dockerHosts == [])
        #expect(production.labels == ["prod", "production", "prd", "live"])
        #expect(production.localSockets == false)
        #expect(policy.environments[1] == EnvironmentDefinition(name: "development", hosts: ["localhost"], localSockets: true))

        #expect(policy.rules.count == 2)
        let rule = try #require(policy.rules.first)
        #expect(rule.id == "no-destruction-in-prod")
        #expect(rule.decision == .ask)
        #expect(rule.reason == "Destructive operations never run against production.")
        #expect(rule.when == Condition(
            binaries: ["psql", "mysql"], subcommands: ["delete"], args: ["--force*"], environments: ["production"],
            effects: [.destructive], agents: ["claude*"], users: ["deploy"], paths: ["~/.aws/**", "!{cwd}/**"],
            branches: ["main", "release/*"], interactive: true))
        #expect(rule.unless == Condition(environments: ["development"]))
        #expect(rule.suggestion == "Run it against staging.")
        #expect(rule.approval == ApprovalRequirement(approvers: 2, expires: 900, via: "airlock"))
        #expect(rule.examples == RuleExamples(
            allow: ["psql -h localhost -c 'DROP TABLE scratch'"], ask: [],
            deny: ["psql -h prod-db.internal -c 'DROP TABLE executives'"]))
        #expect(rule.line == 19)

        let catchAll = policy.rules[1]
        #expect(catchAll.when.isEmpty)
        #expect(catchAll.unless == nil)
        #expect(catchAll.approval == nil)
        #expect(catchAll.suggestion == nil)
        #expect(catchAll.examples == RuleExamples())
        #expect(catchAll.line == 40)
    }

    @Test func aScalarWhereAListIsAllowedIsAOneElementList() throws {
        let policy = try PolicyLoader.parse(document(rules: """
          - id: r
            decision: deny
            reason: r
            when: { binary: git, subcommand: push, args: "-f", environment: staging, effect_class: write, agent: claude, user: me, path: /etc/**, branch: main }
            examples: { deny: "git push -f" }
        """), source: "p.yaml")
        let when = try #require(policy.rules.first?.when)
        #expect(when.binaries == ["git"])
        #expect(when.subcommands == ["push"])
        #expect(when.args == ["-f"])
        #expect(when.environments == ["staging"])
        #expect(when.effects == [.write])
        #expect(when.agents == ["claude"])
        #expect(when.users == ["me"])
        #expect(when.paths == ["/etc/**"])
        #expect(when.branches == ["main"])
        #expect(policy.rules.first?.examples.deny == ["git push -f"])
    }

    @Test func toolConditionParses() throws {
        let policy = try PolicyLoader.parse(document(rules: """
          - id: github-writes
            decision: ask
            reason: r
            when: { tool: ["mcp__github__*", WebFetch], effect_class: write }
          - id: one-tool
            decision: deny
            reason: r
            when: { tool: mcp__shell__run_command }
        """), source: "p.yaml")
        #expect(policy.rules[0].when.tools == ["mcp__github__*", "WebFetch"])
        #expect(policy.rules[1].when.tools == ["mcp__shell__run_command"])
        #expect(policy.rules[1].when.isEmpty == false)
        // The compiled cache keeps it.
        let decoded = try #require(PolicyCodec.decode(PolicyCodec.encode(policy)))
        #expect(normalized(decoded) == normalized(policy))
    }

    @Test func modeAndDefaultAreOptional() throws {
        let policy = try PolicyLoader.parse("version: 1\n", source: "p.yaml")
        #expect(policy == Policy(version: 1, mode: .enforce, defaultDecision: .allow, environments: [], rules: [], source: "p.yaml"))
    }

    @Test func emptyEnvironmentsAndRulesAreAllowed() throws {
        let policy = try PolicyLoader.parse("version: 1\nenvironments:\nrules:\n", source: "p.yaml")
        #expect(policy.environments.isEmpty)
        #expect(policy.rules.isEmpty)
        let flow = try PolicyLoader.parse("version: 1\nenvironments: {}\nrules: []\n", source: "p.yaml")
        #expect(flow == policy)
    }

    @Test func anEnvironmentWithNoPatternsCanBeDeclared() throws {
        let policy = try PolicyLoader.parse("version: 1\nenvironments:\n  sandbox:\n  lab: {}\n", source: "p.yaml")
        #expect(policy.environments == [EnvironmentDefinition(name: "sandbox"), EnvironmentDefinition(name: "lab")])
    }

    @Test func environmentOrderIsKept() throws {
        let policy = try PolicyLoader.parse("version: 1\nenvironments:\n  zeta: {labels: [z]}\n  alpha: {labels: [a]}\n  mid: {labels: [m]}\n", source: "p")
        #expect(policy.environments.map(\.name) == ["zeta", "alpha", "mid"])
    }

    @Test(arguments: ["local", "unknown", "production", "staging"])
    func builtInAndDeclaredEnvironmentsMayBeNamed(_ name: String) throws {
        let policy = try PolicyLoader.parse(document(rules: """
          - id: r
            decision: ask
            reason: r
            when: { environment: \(name) }
        """), source: "p")
        #expect(policy.rules.first?.when.environments == [name])
    }

    @Test(arguments: [("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1s", 1)])
    func durations(_ text: String, _ seconds: Int) throws {
        let policy = try PolicyLoader.parse(document(rules: """
          - id: r
            decision: ask
            reason: r
            when: {}
            approval: { expires: \(text) }
        """), source: "p")
        #expect(policy.rules.first?.approval == ApprovalRequirement(approvers: 1, expires: seconds))
        #expect(PolicyDuration.format(seconds) == text)
    }

    @Test func approvalDefaultsToOneApproverAndFifteenMinutes() throws {
        let policy = try PolicyLoader.parse(document(rules: "  - {id: r, decision: ask, reason: r, when: {}, approval: {}}\n"), source: "p")
        #expect(policy.rules.first?.approval == ApprovalRequirement(approvers: 1, expires: 900, via: nil))
    }

    @Test func quotedAndTypedLookingScalarsAreText() throws {
        // YAML would type these as numbers and booleans; policy text fields take them as written.
        let policy = try PolicyLoader.parse(document(rules: """
          - id: "007"
            decision: "deny"
            reason: 42
            when: { args: [-1, yes, "1.0"], user: [1000] }
            suggestion: 'null'
        """), source: "p")
        let rule = try #require(policy.rules.first)
        #expect(rule.id == "007")
        #expect(rule.reason == "42")
        #expect(rule.when.args == ["-1", "yes", "1.0"])
        #expect(rule.when.users == ["1000"])
        #expect(rule.suggestion == "null")
    }

    @Test func unicodeTextIsKept() throws {
        let policy = try PolicyLoader.parse(document(rules: "  - {id: r, decision: deny, reason: \"ne détruisez pas 🚫 la prod\", when: {}}\n"), source: "p")
        #expect(policy.rules.first?.reason == "ne détruisez pas 🚫 la prod")
    }

    @Test func blockScalarsAndCommentsWork() throws {
        let policy = try PolicyLoader.parse("""
        # a comment
        version: 1 # trailing
        rules:
          # between
          - id: r
            decision: deny
            reason: >
              folded
              text
            when: {}
        """, source: "p")
        #expect(policy.rules.first?.reason == "folded text\n")
    }

    @Test func ampersandsThatAreNotAnchorsAreFine() throws {
        let policy = try PolicyLoader.parse(document(rules: """
          - id: r
            decision: deny
            reason: R&D machines && more & less
            when: {}
            examples: { deny: ["make && rm -rf /", "sleep 1 &", "cmd &>/dev/null"] }
        """), source: "p")
        #expect(policy.rules.first?.reason == "R&D machines && more & less")
        #expect(policy.rules.first?.examples.deny == ["make && rm -rf /", "sleep 1 &", "cmd &>/dev/null"])
    }

    @Test func validCIDRBlocksAndHostGlobsAreAccepted() throws {
        let policy = try PolicyLoader.parse("""
        version: 1
        environments:
          net:
            hosts: ["0.0.0.0/0", "192.168.1.1/32", "10.0.0.0/8", "*.example.com", "db-?.corp", "::1"]
        """, source: "p")
        #expect(policy.environments.first?.hosts.count == 6)
    }

    @Test(arguments: ["/etc/**", "~", "~/.ssh/*", "$HOME/.netrc", "$AIRLOCK_HOME", "${AIRLOCK_HOME}/keys", "{cwd}/.env", "!{cwd}/**", "**/.env", "!/tmp/**"])
    func validPathPatterns(_ pattern: String) throws {
        let policy = try PolicyLoader.parse(document(rules: "  - {id: r, decision: ask, reason: r, when: {path: [\"\(pattern)\"]}}\n"), source: "p")
        #expect(policy.rules.first?.when.paths == [pattern])
    }
}
