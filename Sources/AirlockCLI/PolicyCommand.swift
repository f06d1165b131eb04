import AirlockCore
import AirlockPolicyFile
import AirlockRuntime
import ArgumentParser

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Lint, test and show the effective policy.",
        subcommands: [PolicyLintCommand.self, PolicyTestCommand.self, PolicyShowCommand.self])
}

/// Options for verbs that load the policy the way `check` would.
struct PolicySelection: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Policy file to use instead of the usual search.", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Working directory whose ./.airlock/policy.yaml adds restrictions.", valueName: "dir"))
    var cwd: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func load() throws -> (PolicyResolution.Outcome, Context) {
        var options = try CheckOptions.parse(["--", "true"])
        options.cwd = cwd
        let context = try options.context()
        return (PolicyResolution.load(explicit: policy, context: context, files: LocalFiles()), context)
    }
}

struct PolicyLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Validate the policy; exit 1 on errors, naming file, line and problem.")

    @OptionGroup var selection: PolicySelection

    func run() throws {
        let (outcome, _) = try selection.load()
        switch outcome {
        case .failed(let problems):
            if selection.format == .json {
                Console.out(JSON.object(["valid": .bool(false), "errors": .strings(problems), "findings": .array([])]).text)
            } else {
                for problem in problems { Console.err("error: \(problem)") }
                Console.err("the policy is invalid: every check is denied until it is fixed")
            }
            throw ExitCode(1)
        case .loaded(let policy, let sources):
            let findings = PolicyLinter.lint(policy)
            let hasErrors = findings.contains { $0.severity == .error }
            if selection.format == .json {
                Console.out(JSON.object([
                    "valid": .bool(!hasErrors), "sources": .strings(sources), "errors": .array([]),
                    "findings": .array(findings.map { .object(["severity": .string($0.severity.rawValue), "rule": .optional($0.ruleID), "line": $0.line.map { .int($0) } ?? .null, "message": .string($0.message)]) }),
                ]).text)
            } else {
                for finding in findings { Console.out(finding.description) }
                Console.out("\(sources.joined(separator: " + ")): \(policy.rules.count) rules, \(policy.environments.count) environments, \(findings.count) finding(s)")
            }
            if hasErrors { throw ExitCode(1) }
        }
    }
}

struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check every rule's examples against the whole policy; exit 1 if any fails.",
        discussion: """
            Each example runs in a fixed, synthetic context (working directory /work/project, \
            home /home/agent, an empty environment, no files), so results do not depend on \
            this machine. Monitor mode is ignored: examples test what the policy decides.
            """)

    @OptionGroup var selection: PolicySelection

    static let exampleContext = Context(agent: "policy-test", user: "agent", workingDirectory: "/work/project", homeDirectory: "/home/agent", environment: [:])

    func run() throws {
        let (outcome, _) = try selection.load()
        guard case .loaded(let policy, let sources) = outcome else {
            if case .failed(let problems) = outcome { for problem in problems { Console.err("error: \(problem)") } }
            throw ExitCode(1)
        }
        let checker = Checker(policy: policy)
        let results = PolicyExamples.run(policy) { command in
            checker.check(.shell(command), context: Self.exampleContext).decision.policyVerdict
        }
        let failures = results.filter { !$0.passed }
        if selection.format == .json {
            Console.out(JSON.object([
                "passed": .int(results.count - failures.count), "failed": .int(failures.count), "sources": .strings(sources),
                "failures": .array(failures.map { .object(["rule": .string($0.ruleID), "command": .string($0.command), "expected": .string($0.expected.rawValue), "actual": .string($0.actual.rawValue)]) }),
            ]).text)
        } else {
            for failure in failures {
                Console.out("FAIL \(failure.ruleID)\(failure.line.map { " (line \($0))" } ?? ""): '\(failure.command)' expected \(failure.expected.rawValue), got \(failure.actual.rawValue)")
            }
            Console.out("\(results.count - failures.count) passed, \(failures.count) failed")
        }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}

struct PolicyShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the effective policy: the file in use merged with the workspace's restrictions.")

    @OptionGroup var selection: PolicySelection

    func run() throws {
        let (outcome, _) = try selection.load()
        switch outcome {
        case .failed(let problems):
            for problem in problems { Console.err("error: \(problem)") }
            throw ExitCode(1)
        case .loaded(let policy, _):
            Console.out(PolicyRenderer.yaml(policy))
        }
    }
}
