import AirlockCore
@testable import AirlockPolicyFile
import Testing

@Suite("Rendering policies as YAML")
struct RenderingTests {
    static let handMade: [Policy] = [
        Policy(),
        Policy(version: 1, mode: .monitor, defaultDecision: .deny),
        Policy(
            defaultDecision: .ask,
            environments: [
                EnvironmentDefinition(
                    name: "prod-eu", hosts: ["*.eu.prod", "10.1.0.0/16"], kubeContexts: ["prod-eu-*"], awsProfiles: ["prod"],
                    workspaces: ["prod"], projects: ["acme-prod"], gitRemotes: ["production", "git@github.com:acme/app.git"],
                    dockerHosts: ["tcp://10.1.2.3:2376"], labels: ["prod", "live"], localSockets: false),
                EnvironmentDefinition(name: "empty"),
                EnvironmentDefinition(name: "sockets-only", localSockets: true),
            ],
            rules: [
                Rule(
                    id: "everything-in-one", decision: .ask, reason: "a reason: with colons, #hashes, 'quotes' and \"double quotes\"",
                    when: Condition(
                        binaries: ["psql", "mysql*"], subcommands: ["db:*", "delete"], args: ["--force*", "-f", "-rf"],
                        environments: ["prod-eu", "unknown", "local"], effects: [.write, .destructive, .opaque, .read],
                        agents: ["claude*", "unknown"], users: ["root", "1000"], paths: ["~/.aws/**", "!{cwd}/**", "$AIRLOCK_HOME/**"],
                        branches: ["main", "release/*"], interactive: false, tools: ["mcp__github__*", "WebFetch"]),
                    unless: Condition(users: ["admin"], interactive: true),
                    suggestion: "multi\nline\tsuggestion",
                    approval: ApprovalRequirement(approvers: 3, expires: 90, via: "host"),
                    examples: RuleExamples(allow: ["ls"], ask: ["psql -h x -c 'UPDATE t SET a = 1'"], deny: ["rm -rf / && echo done", "a &b"])),
                Rule(id: "minimal", decision: .deny, reason: "true", when: Condition()),
                Rule(
                    id: "odd.values_1", decision: .ask, reason: "null", when: Condition(binaries: ["yes", "no", "~", "-", "1.5", "0x10", "@x", "`x", "%x", "é", "\u{1F6AB}"]),
                    approval: ApprovalRequirement(approvers: 1, expires: 7 * 86400)),
            ]),
        Policy(environments: [
            EnvironmentDefinition(name: "long", hosts: (0..<40).map { "host-\($0).example.com" }),
        ]),
    ]

    @Test func defaultPolicyRoundTrips() throws {
        let yaml = PolicyRenderer.yaml(DefaultPolicy.policy)
        let parsed = try PolicyLoader.parse(yaml, source: "rendered")
        #expect(normalized(parsed) == normalized(DefaultPolicy.policy))
    }

    @Test(arguments: handMade.indices)
    func handMadePoliciesRoundTrip(_ index: Int) throws {
        let policy = Self.handMade[index]
        let yaml = PolicyRenderer.yaml(policy)
        let parsed = try PolicyLoader.parse(yaml, source: "rendered")
        #expect(normalized(parsed) == normalized(policy), "\(yaml)")
    }

    @Test func renderedRulesCarryTheirLinesWhenParsed() throws {
        let yaml = PolicyRenderer.yaml(DefaultPolicy.policy)
        let parsed = try PolicyLoader.parse(yaml, source: "rendered")
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        for rule in parsed.rules {
            let line = try #require(rule.line)
            #expect(lines[line - 1] == "  - id: \(rule.id)")
        }
    }

    @Test func outputIsReadable() {
        let yaml = PolicyRenderer.yaml(Policy(
            environments: [EnvironmentDefinition(name: "production", hosts: ["*.prod"], labels: ["prod"])],
            rules: [Rule(
                id: "no-drop", decision: .ask, reason: "dropping is final", when: Condition(environments: ["production"], effects: [.destructive]),
                approval: ApprovalRequirement(approvers: 2, expires: 3600), examples: RuleExamples(ask: ["psql -c 'DROP TABLE t'"]))],
            source: "/home/me/.airlock/policy.yaml"))
        #expect(yaml == """
        # Airlock policy, from: /home/me/.airlock/policy.yaml
        version: 1
        mode: enforce
        default: allow
        breaker: off
        environments:
          production:
            hosts: ["*.prod"]
            labels: [prod]
        rules:

          - id: no-drop
            decision: ask
            reason: dropping is final
            when:
              environment: [production]
              effect_class: [destructive]
            approval: { approvers: 2, expires: 1h }
            examples:
              ask: [psql -c 'DROP TABLE t']

        """)
    }

    @Test func longListsGoOneEntryPerLine() {
        let yaml = PolicyRenderer.yaml(Self.handMade[3])
        #expect(yaml.contains("    hosts:\n      - host-0.example.com\n      - host-1.example.com\n"))
    }

    @Test func mergedPolicyShowsWorkspaceRules() throws {
        let merged = try PolicyLoader.parseWorkspace(
            "version: 1\nrules:\n  - { id: extra, decision: deny, reason: r, when: { binary: terraform } }\n",
            source: "/p/.airlock/policy.yaml", base: DefaultPolicy.policy)
        let yaml = PolicyRenderer.yaml(merged)
        #expect(yaml.hasPrefix("# Airlock policy, from: built-in + /p/.airlock/policy.yaml\n"))
        #expect(yaml.contains("  - id: \"workspace:extra\"\n"))
    }

    @Test func sourceWithLineBreaksOrAmpersandsStaysAComment() throws {
        let yaml = PolicyRenderer.yaml(Policy(source: "/a\nversion: 2 &x"))
        #expect(yaml.hasPrefix("# Airlock policy, from: /a version: 2 %26x\nversion: 1\n"))
        _ = try PolicyLoader.parse(yaml, source: "x")
    }

    // MARK: Scalars

    @Test(arguments: [
        "git", "release/*", "~/.aws/**", "$AIRLOCK_HOME", "Airlock's home", "a b c", "host.docker.internal", "kind-*",
    ])
    func plainWhenUnambiguous(_ text: String) {
        #expect(PolicyRenderer.scalar(text) == text)
    }

    @Test(arguments: [
        "", " lead", "trail ", "true", "No", "null", "~", "123", "1.5", ".inf", "-x", "*.prod", "!{cwd}/**", "a: b", "a #b",
        "[x]", "{x}", "a,b", "&a", "*a", "'q'", "\"d\"", "@x", "`x", "%x", "?x", "|x", ">x", "#x", "tab\there", "é", "db:*",
    ])
    func quotedWhenNeeded(_ text: String) throws {
        let rendered = PolicyRenderer.scalar(text)
        #expect(rendered.hasPrefix("\""))
        let policy = try PolicyLoader.parse("version: 1\nrules:\n  - { id: r, decision: deny, reason: r, when: {}, suggestion: \(rendered) }\n", source: "x")
        #expect(policy.rules.first?.suggestion == text)
    }

    /// (U+FEFF is left out: Yams decodes scalars through Foundation, which drops a byte-order
    /// mark at the start of one.)
    @Test func anyTextRoundTripsThroughAScalar() throws {
        var generator = SplitMix64(seed: 99)
        let pieces: [String] = [
            "a", "Z", "0", " ", "  ", ":", ": ", "#", " #", "-", "- ", "?", ",", "[", "]", "{", "}", "&", "&a", "*", "!", "|", ">",
            "'", "\"", "%", "@", "`", "\\", "\n", "\t", "\r", "\r\n", "\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{85}", "\u{A0}",
            "\u{2028}", "é", "日本", "🚫", "true", "null", "~", "1", ".5", "0x1F", "---", "...",
        ]
        for _ in 0..<500 {
            let count = 1 + Int(generator.next() % 6)
            let text = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            let yaml = "version: 1\nrules:\n  - id: r\n    decision: deny\n    reason: r\n    when: {}\n    suggestion: \(PolicyRenderer.scalar(text))\n"
            let policy = try PolicyLoader.parse(yaml, source: "x")
            #expect(policy.rules.first?.suggestion == text, "\(PolicyRenderer.scalar(text))")
        }
    }
}
