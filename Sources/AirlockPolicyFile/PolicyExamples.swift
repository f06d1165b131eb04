import AirlockCore

/// One rule example checked against the whole policy.
public struct ExampleResult: Sendable, Hashable, CustomStringConvertible {
    /// The rule whose examples list the command.
    public var ruleID: String
    /// The rule's line in its policy file, when known.
    public var line: Int?
    public var command: String
    public var expected: Verdict
    public var actual: Verdict

    public init(ruleID: String, line: Int?, command: String, expected: Verdict, actual: Verdict) {
        self.ruleID = ruleID
        self.line = line
        self.command = command
        self.expected = expected
        self.actual = actual
    }

    public var passed: Bool { expected == actual }

    /// `ok   deny  rm -rf /  (local-destruction)` or `FAIL expected ask, got allow: … (rule)`.
    public var description: String {
        passed
            ? "ok   \(actual.rawValue)  \(command)  (\(ruleID))"
            : "FAIL expected \(expected.rawValue), got \(actual.rawValue): \(command)  (\(ruleID)" + (line.map { ", line \($0)" } ?? "") + ")"
    }
}

/// Proves a policy's examples: each rule's example commands are judged by the whole policy
/// (not the rule alone: an example says what the policy as a whole must decide).
public enum PolicyExamples {
    /// Every example of every rule, in rule order and, within a rule, allow, ask then deny.
    /// `check` decides one command line; the CLI passes one built on `Checker` with a fixed
    /// synthetic context, tests pass a fake. Pure apart from what `check` does.
    public static func run(_ policy: Policy, check: (String) -> Verdict) -> [ExampleResult] {
        var results: [ExampleResult] = []
        for rule in policy.rules {
            for (expected, command) in rule.examples.all {
                results.append(ExampleResult(ruleID: rule.id, line: rule.line, command: command, expected: expected, actual: check(command)))
            }
        }
        return results
    }
}
