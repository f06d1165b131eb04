import AirlockCore
@testable import AirlockPolicyFile
import Testing

@Suite("Running rule examples")
struct ExamplesTests {
    static let policy = Policy(rules: [
        Rule(id: "a", decision: .deny, reason: "r", when: Condition(), examples: RuleExamples(allow: ["ls"], ask: ["psql"], deny: ["rm -rf /"]), line: 5),
        Rule(id: "b", decision: .ask, reason: "r", when: Condition()),
        Rule(id: "c", decision: .ask, reason: "r", when: Condition(), examples: RuleExamples(ask: ["rm -rf /"])),
    ])

    @Test func everyExampleIsCheckedInRuleOrderWithItsRule() {
        var asked: [String] = []
        let results = PolicyExamples.run(Self.policy) { command in
            asked.append(command)
            return command.hasPrefix("rm") ? .deny : .allow
        }
        #expect(asked == ["ls", "psql", "rm -rf /", "rm -rf /"])
        #expect(results == [
            ExampleResult(ruleID: "a", line: 5, command: "ls", expected: .allow, actual: .allow),
            ExampleResult(ruleID: "a", line: 5, command: "psql", expected: .ask, actual: .allow),
            ExampleResult(ruleID: "a", line: 5, command: "rm -rf /", expected: .deny, actual: .deny),
            ExampleResult(ruleID: "c", line: nil, command: "rm -rf /", expected: .ask, actual: .deny),
        ])
        #expect(results.map(\.passed) == [true, false, true, false])
    }

    @Test func resultsDescribeThemselves() {
        let pass = ExampleResult(ruleID: "a", line: 5, command: "ls", expected: .allow, actual: .allow)
        let fail = ExampleResult(ruleID: "a", line: 5, command: "psql", expected: .ask, actual: .allow)
        #expect(pass.description == "ok   allow  ls  (a)")
        #expect(fail.description == "FAIL expected ask, got allow: psql  (a, line 5)")
    }

    @Test func aPolicyWithoutExamplesRunsNothing() {
        var calls = 0
        let results = PolicyExamples.run(Policy(rules: [Rule(id: "x", decision: .deny, reason: "r", when: Condition())])) { _ in
            calls += 1
            return .allow
        }
        #expect(results.isEmpty)
        #expect(calls == 0)
    }

    @Test func theDefaultPolicyListsItsExamples() {
        let results = PolicyExamples.run(DefaultPolicy.policy) { _ in .ask }
        let expected = DefaultPolicy.policy.rules.reduce(0) { $0 + $1.examples.all.count }
        #expect(results.count == expected)
        #expect(results.contains(ExampleResult(ruleID: "local-destruction", line: nil, command: "rm -rf /", expected: .deny, actual: .ask)))
    }

    // MARK: With the real checker

    static let context = Context(agent: "claude", user: "dev", workingDirectory: "/home/dev/project", homeDirectory: "/home/dev")

    /// The shell parser is written on another branch; until it lands every command is
    /// unanalysable, and this test waits for it.
    static var shellParserIsAvailable: Bool {
        Checker(policy: Policy()).check(.shell("true"), context: context).analysis.problems.isEmpty
    }

    @Test(.enabled(if: shellParserIsAvailable, "needs the shell parser"))
    func theDefaultPolicyPassesItsOwnExamples() throws {
        let policy = try PolicyLoader.parse(DefaultPolicyFile.yaml, source: "default.yaml")
        let checker = Checker(policy: policy)
        // The policy's own verdict, before monitor mode turns it into allow.
        let results = PolicyExamples.run(policy) { checker.check(.shell($0), context: Self.context).decision.policyVerdict }
        let failures = results.filter { !$0.passed }
        #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
    }
}
