import AirlockCore
@testable import AirlockPolicyFile
import Testing

@Suite("The commented default policy")
struct DefaultPolicyFileTests {
    @Test func parsesToTheBuiltInPolicy() throws {
        let parsed = try PolicyLoader.parse(DefaultPolicyFile.yaml, source: "default.yaml")
        #expect(normalized(parsed) == normalized(DefaultPolicy.policy))
    }

    /// Compared piece by piece too, so a difference is easy to find.
    @Test func everyEnvironmentAndRuleMatches() throws {
        let parsed = try PolicyLoader.parse(DefaultPolicyFile.yaml, source: "default.yaml")
        #expect(parsed.environments.map(\.name) == DefaultPolicy.policy.environments.map(\.name))
        for (file, builtIn) in zip(parsed.environments, DefaultPolicy.policy.environments) {
            #expect(file == builtIn)
        }
        #expect(parsed.rules.map(\.id) == DefaultPolicy.policy.rules.map(\.id))
        for (file, builtIn) in zip(normalized(parsed).rules, DefaultPolicy.policy.rules) {
            #expect(file == builtIn, "rule \(builtIn.id)")
        }
    }

    @Test func everyRuleHasALineAndAnExplainingComment() throws {
        let parsed = try PolicyLoader.parse(DefaultPolicyFile.yaml, source: "default.yaml")
        let lines = DefaultPolicyFile.yaml.split(separator: "\n", omittingEmptySubsequences: false)
        for rule in parsed.rules {
            let line = try #require(rule.line)
            #expect(lines[line - 1] == "  - id: \(rule.id)")
            #expect(lines[line - 2].hasPrefix("  #"), "rule \(rule.id) should be introduced by a comment")
        }
        for environment in parsed.environments {
            let line = try #require(lines.firstIndex(of: "  \(environment.name):"))
            #expect(lines[line - 1].hasPrefix("  #"), "environment \(environment.name) should be introduced by a comment")
        }
    }

    @Test func isCleanForTheLinter() {
        let findings = PolicyLinter.lint(DefaultPolicy.policy)
        #expect(findings.isEmpty, "\(findings.map(\.description))")
    }

    @Test func fitsOnAnEightyColumnTerminalMostly() {
        let long = DefaultPolicyFile.yaml.split(separator: "\n").filter { $0.count > 120 && !$0.hasPrefix("    hosts:") && !$0.hasPrefix("    kube_contexts:") }
        #expect(long.isEmpty, "\(long)")
    }
}
