import AirlockCore

/// Something in a policy that is valid but probably not what its author meant.
public struct LintFinding: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
        case info, warning, error

        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .error: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var severity: Severity
    /// The rule concerned, if any.
    public var ruleID: String?
    /// The environment concerned, if any.
    public var environment: String?
    /// The rule's line, when the policy came from a file.
    public var line: Int?
    public var message: String

    public init(severity: Severity, ruleID: String? = nil, environment: String? = nil, line: Int? = nil, message: String) {
        self.severity = severity
        self.ruleID = ruleID
        self.environment = environment
        self.line = line
        self.message = message
    }

    /// `warning: line 12: rule 'x' …`.
    public var description: String {
        "\(severity.rawValue): " + (line.map { "line \($0): " } ?? "") + message
    }
}

/// Finds the mistakes that parse: rules that allow everything, allow rules for destruction in
/// production, environments that claim nothing, repeated patterns, rules without examples, a
/// breaker that trips on one denial, limits that cannot change a decision.
public enum PolicyLinter {
    public static func lint(_ policy: Policy) -> [LintFinding] {
        var findings: [LintFinding] = []
        if let breaker = policy.breaker { lintBreaker(breaker, into: &findings) }
        lintEnvironments(policy, into: &findings)
        for rule in policy.rules { lintRule(rule, policy: policy, into: &findings) }
        return findings
    }

    // MARK: Breaker

    private static func lintBreaker(_ breaker: Breaker, into findings: inout [LintFinding]) {
        // A policy file cannot write durations under a second; a policy built in code can.
        if breaker.within < 1 {
            findings.append(LintFinding(
                severity: .warning,
                message: "the breaker's window ('within') is shorter than a second, so only denials that arrive at the same moment count and it will almost never trip"))
        }
        if breaker.duration < 1 {
            findings.append(LintFinding(
                severity: .warning,
                message: "the breaker's freeze ('for') is shorter than a second, so tripping it changes nothing"))
        }
        if breaker.denials == 1 {
            let frozen = switch (breaker.scope, breaker.level) {
            case (.agent, .writes): "the agent's writes"
            case (.agent, .all): "everything the agent does"
            case (.all, .writes): "every agent's writes"
            case (.all, .all): "every agent"
            }
            findings.append(LintFinding(
                severity: .warning,
                message: "the breaker trips on a single denial: one refused command freezes \(frozen) for \(PolicyDuration.format(max(breaker.duration, 1))); 'denials: 2' or more leaves room for one honest mistake"))
        }
    }

    // MARK: Environments

    private static func lintEnvironments(_ policy: Policy, into findings: inout [LintFinding]) {
        // A pattern (of a kind) or label an earlier environment has already claims nothing in
        // a later one: the first environment that claims a target wins.
        var claimedBy: [String: String] = [:]
        var socketsClaimedBy: String? = nil
        for environment in policy.environments {
            let name = environment.name
            let kinds = patternKinds(environment)
            if kinds.allSatisfy({ $0.values.isEmpty }) && !environment.localSockets {
                findings.append(LintFinding(
                    severity: .warning, environment: name,
                    message: "environment '\(name)' claims nothing (no patterns, no labels, no local sockets), so no target is ever in it and rules that name it never apply"))
            }
            for (kind, values) in kinds {
                var seen: Set<String> = []
                for value in values {
                    // Hosts and labels are matched without regard to case.
                    let key = kind == "hosts" || kind == "labels" ? value.lowercased() : value
                    if !seen.insert(key).inserted {
                        findings.append(LintFinding(
                            severity: .warning, environment: name,
                            message: "environment '\(name)' lists \(singular(kind)) '\(value)' more than once"))
                        continue
                    }
                    let claim = kind + "\u{0}" + key
                    if let earlier = claimedBy[claim] {
                        findings.append(LintFinding(
                            severity: .warning, environment: name,
                            message: "\(singular(kind)) '\(value)' of environment '\(name)' is also in '\(earlier)', which comes first and so claims every target it matches; remove one of them"))
                    } else {
                        claimedBy[claim] = name
                    }
                }
            }
            if environment.localSockets {
                if let earlier = socketsClaimedBy {
                    findings.append(LintFinding(
                        severity: .warning, environment: name,
                        message: "environment '\(name)' sets local_sockets, but '\(earlier)' comes first and already claims local sockets"))
                } else {
                    socketsClaimedBy = name
                }
            }
        }
    }

    private static func patternKinds(_ environment: EnvironmentDefinition) -> [(kind: String, values: [String])] {
        [
            ("hosts", environment.hosts), ("kube_contexts", environment.kubeContexts),
            ("aws_profiles", environment.awsProfiles), ("workspaces", environment.workspaces),
            ("projects", environment.projects), ("git_remotes", environment.gitRemotes),
            ("docker_hosts", environment.dockerHosts), ("labels", environment.labels),
        ]
    }

    private static func singular(_ kind: String) -> String {
        switch kind {
        case "hosts": "host pattern"
        case "labels": "label"
        case "kube_contexts": "kube context pattern"
        case "aws_profiles": "AWS profile pattern"
        case "workspaces": "workspace pattern"
        case "projects": "project pattern"
        case "git_remotes": "git remote pattern"
        case "docker_hosts": "docker host pattern"
        default: kind
        }
    }

    // MARK: Rules

    private static func lintRule(_ rule: Rule, policy: Policy, into findings: inout [LintFinding]) {
        func add(_ severity: LintFinding.Severity, _ message: String) {
            findings.append(LintFinding(severity: severity, ruleID: rule.id, line: rule.line, message: message))
        }

        if rule.decision == .allow && rule.when.isEmpty {
            let except = rule.unless == nil ? "" : " (except what its 'unless' excludes)"
            if policy.defaultDecision == .allow {
                add(.warning, "rule '\(rule.id)' has an empty 'when' and decides allow: it allows every command\(except), which the default already does")
            } else {
                add(.error, "rule '\(rule.id)' has an empty 'when' and decides allow: it allows every command\(except), overriding 'default: \(policy.defaultDecision.rawValue)'")
            }
        }

        if rule.decision == .allow, let environments = rule.when.environments,
           let production = environments.first(where: isProductionName),
           rule.when.effects.map({ $0.contains(.destructive) }) ?? true {
            let what = rule.when.effects == nil ? "any operation, destructive ones included," : "destructive operations"
            add(.warning, "rule '\(rule.id)' allows \(what) in '\(production)'; deny or ask there instead (a deny or ask rule still wins, but this says the opposite)")
        }

        // The decoder refuses these in a file; a policy built in code can still have them.
        if let limit = rule.limit, limit.then == .allow || rule.decision == .deny || limit.then == rule.decision {
            add(.warning, "rule '\(rule.id)' decides \(rule.decision.rawValue) and its limit's 'then' is \(limit.then.rawValue), so the limit can never make it stricter")
        }

        for (role, condition) in [("when", rule.when)] + (rule.unless.map { [("unless", $0)] } ?? []) {
            for pattern in condition.tools ?? [] {
                if pattern.hasPrefix("mcp_") && !pattern.hasPrefix("mcp__") {
                    add(.warning, "rule '\(rule.id)' names the tool '\(pattern)' in '\(role).tool'; MCP tools are named mcp__<server>__<tool>, with two underscores")
                } else if !ToolCall.knownHostTools.contains(pattern),
                          let known = ToolCall.knownHostTools.first(where: { $0.lowercased() == pattern.lowercased() }) {
                    add(.warning, "rule '\(rule.id)' names the tool '\(pattern)' in '\(role).tool', which never matches: tool names are case-sensitive; did you mean '\(known)'?")
                }
            }
        }

        if rule.examples.all.isEmpty {
            add(.info, "rule '\(rule.id)' has no examples; add commands it should allow, ask about or deny so 'airlock policy test' can prove it")
        }

        for (key, values) in conditionLists(rule.when, role: "when") + (rule.unless.map { conditionLists($0, role: "unless") } ?? []) {
            var seen: Set<String> = []
            for value in values where !seen.insert(value).inserted {
                add(.warning, "rule '\(rule.id)' lists '\(value)' more than once in \(key)")
            }
        }
    }

    private static func conditionLists(_ condition: Condition, role: String) -> [(String, [String])] {
        let lists = condition.flatNamedLists
        return lists.compactMap { key, values in values.map { ("'\(role).\(key)'", $0) } }
    }

    /// `production`, `prod-eu`, `live`: names with a production label among their words.
    static func isProductionName(_ name: String) -> Bool {
        let words = name.lowercased().split { PolicyDecoder.labelSeparators.contains($0) }
        return words.contains { DefaultPolicy.productionLabels.contains(String($0)) }
    }
}
