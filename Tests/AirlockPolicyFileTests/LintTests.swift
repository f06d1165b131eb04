import AirlockCore
@testable import AirlockPolicyFile
import Testing

@Suite("Linting policies")
struct LintTests {
    static let example = RuleExamples(deny: ["x"])

    func lint(environments: [EnvironmentDefinition] = [], rules: [Rule], defaultDecision: Verdict = .allow) -> [LintFinding] {
        PolicyLinter.lint(Policy(defaultDecision: defaultDecision, environments: environments, rules: rules))
    }

    @Test func allowEverythingUnderADenyDefaultIsAnError() {
        let findings = lint(rules: [Rule(id: "open", decision: .allow, reason: "r", when: Condition(), examples: Self.example, line: 9)], defaultDecision: .deny)
        #expect(findings == [LintFinding(
            severity: .error, ruleID: "open", line: 9,
            message: "rule 'open' has an empty 'when' and decides allow: it allows every command, overriding 'default: deny'")])
    }

    @Test func allowEverythingUnderAnAllowDefaultIsAWarning() {
        let findings = lint(rules: [Rule(id: "open", decision: .allow, reason: "r", when: Condition(), unless: Condition(binaries: ["rm"]), examples: Self.example)])
        #expect(findings.map(\.severity) == [.warning])
        #expect(findings.first?.message == "rule 'open' has an empty 'when' and decides allow: it allows every command (except what its 'unless' excludes), which the default already does")
    }

    @Test func toolNamesThatNeverMatchAreWarnings() {
        let rules = [
            Rule(id: "gh", decision: .deny, reason: "r", when: Condition(tools: ["mcp_github_*"]), examples: Self.example),
            Rule(id: "fetch", decision: .ask, reason: "r", when: Condition(tools: ["webfetch"]), unless: Condition(tools: ["Grep"]), examples: Self.example),
            Rule(id: "fine", decision: .ask, reason: "r", when: Condition(tools: ["mcp__github__*", "WebFetch", "my_tool"]), examples: Self.example),
        ]
        #expect(lint(rules: rules).map(\.message) == [
            "rule 'gh' names the tool 'mcp_github_*' in 'when.tool'; MCP tools are named mcp__<server>__<tool>, with two underscores",
            "rule 'fetch' names the tool 'webfetch' in 'when.tool', which never matches: tool names are case-sensitive; did you mean 'WebFetch'?",
        ])
    }

    @Test func emptyWhenThatDeniesIsFine() {
        #expect(lint(rules: [Rule(id: "closed", decision: .deny, reason: "r", when: Condition(), examples: Self.example)]).isEmpty)
    }

    @Test(arguments: [
        (["production"], [EffectClass.destructive], "destructive operations"),
        (["prod-eu"], [.write, .destructive], "destructive operations"),
        (["live"], nil, "any operation, destructive ones included,"),
    ])
    func allowingDestructionInProductionIsAWarning(_ environments: [String], _ effects: [EffectClass]?, _ what: String) {
        let rule = Rule(id: "yolo", decision: .allow, reason: "r", when: Condition(environments: environments, effects: effects), examples: Self.example, line: 4)
        let findings = lint(rules: [rule])
        #expect(findings == [LintFinding(
            severity: .warning, ruleID: "yolo", line: 4,
            message: "rule 'yolo' allows \(what) in '\(environments[0])'; deny or ask there instead (a deny or ask rule still wins, but this says the opposite)")])
    }

    @Test func allowingReadsInProductionOrDestructionInStagingIsFine() {
        let rules = [
            Rule(id: "reads", decision: .allow, reason: "r", when: Condition(environments: ["production"], effects: [.read]), examples: Self.example),
            Rule(id: "staging", decision: .allow, reason: "r", when: Condition(environments: ["staging"], effects: [.destructive]), examples: Self.example),
            Rule(id: "product", decision: .allow, reason: "r", when: Condition(environments: ["product-catalog"], effects: [.destructive]), examples: Self.example),
        ]
        #expect(lint(rules: rules).isEmpty)
    }

    @Test func ruleWithoutExamplesIsInfo() {
        let findings = lint(rules: [Rule(id: "bare", decision: .deny, reason: "r", when: Condition(binaries: ["x"]), line: 3)])
        #expect(findings == [LintFinding(
            severity: .info, ruleID: "bare", line: 3,
            message: "rule 'bare' has no examples; add commands it should allow, ask about or deny so 'airlock policy test' can prove it")])
    }

    @Test func environmentThatClaimsNothing() {
        let findings = lint(environments: [EnvironmentDefinition(name: "ghost"), EnvironmentDefinition(name: "sockets", localSockets: true)], rules: [])
        #expect(findings == [LintFinding(
            severity: .warning, environment: "ghost",
            message: "environment 'ghost' claims nothing (no patterns, no labels, no local sockets), so no target is ever in it and rules that name it never apply")])
    }

    @Test func duplicatePatternsWithinAnEnvironment() {
        let findings = lint(environments: [EnvironmentDefinition(name: "p", hosts: ["db.prod", "DB.prod"], kubeContexts: ["a", "a"], labels: ["prod", "Prod"])], rules: [])
        #expect(findings.map(\.message) == [
            "environment 'p' lists host pattern 'DB.prod' more than once",
            "environment 'p' lists kube context pattern 'a' more than once",
            "environment 'p' lists label 'Prod' more than once",
        ])
        #expect(findings.allSatisfy { $0.severity == .warning && $0.environment == "p" })
    }

    @Test func patternAlreadyClaimedByAnEarlierEnvironment() {
        let findings = lint(environments: [
            EnvironmentDefinition(name: "production", hosts: ["*.internal"], labels: ["prod"], localSockets: true),
            EnvironmentDefinition(name: "staging", hosts: ["*.internal"], kubeContexts: ["*.internal"], labels: ["prod", "stg"], localSockets: true),
        ], rules: [])
        #expect(findings.map(\.message) == [
            "host pattern '*.internal' of environment 'staging' is also in 'production', which comes first and so claims every target it matches; remove one of them",
            "label 'prod' of environment 'staging' is also in 'production', which comes first and so claims every target it matches; remove one of them",
            "environment 'staging' sets local_sockets, but 'production' comes first and already claims local sockets",
        ])
    }

    @Test func duplicatePatternsInARule() {
        let rule = Rule(
            id: "r", decision: .deny, reason: "r", when: Condition(binaries: ["git", "git"], effects: [.write, .write]),
            unless: Condition(paths: ["/a", "/a"]), examples: Self.example)
        #expect(lint(rules: [rule]).map(\.message) == [
            "rule 'r' lists 'git' more than once in 'when.binary'",
            "rule 'r' lists 'write' more than once in 'when.effect_class'",
            "rule 'r' lists '/a' more than once in 'unless.path'",
        ])
    }

    @Test func findingDescription() {
        #expect(LintFinding(severity: .warning, line: 12, message: "m").description == "warning: line 12: m")
        #expect(LintFinding(severity: .info, message: "m").description == "info: m")
        #expect(LintFinding.Severity.error > .warning && LintFinding.Severity.warning > .info)
    }

    @Test func lintsAParsedFileWithLines() throws {
        let policy = try PolicyLoader.parse("version: 1\ndefault: ask\nrules:\n  - { id: open, decision: allow, reason: r, when: {} }\n", source: "p")
        let findings = PolicyLinter.lint(policy)
        #expect(findings.map(\.severity) == [.error, .info])
        #expect(findings.map(\.line) == [4, 4])
    }
}
