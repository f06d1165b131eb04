/// Why a rule did or did not apply to a command, for `airlock explain`.
public struct RuleTrace: Sendable, Hashable {
    public var ruleID: String
    public var decision: Verdict
    public var environment: String
    public var matched: Bool
    /// For a rule that did not match, the first condition that failed, in words.
    public var detail: String
}

/// The verdict on one analysed command.
public struct CommandDecision: Sendable, Hashable {
    public var command: AnalyzedCommand
    public var verdict: Verdict
    /// The rule that decided, or nil when the policy's default did.
    public var rule: Rule?
    public var trace: [RuleTrace]
}

/// What matched: a rule of the policy, the policy's default, or Airlock itself refusing input
/// it could not analyse or a policy it could not load.
public struct MatchedRule: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case rule, `default`, analysis, policyError = "policy-error", auditError = "audit-error"
        /// A kill switch in force (`airlock freeze`, or the circuit breaker's).
        case freeze
        /// A rule's `limit` was reached.
        case rateLimit = "rate-limit"
        /// A person's answer to an approval request decided (a rejection).
        case approval
        /// The approval and freeze state could not be read or written.
        case stateError = "state-error"
    }
    public var id: String
    public var kind: Kind
    public var reason: String
    public var suggestion: String?

    public init(id: String, kind: Kind, reason: String, suggestion: String? = nil) {
        self.id = id
        self.kind = kind
        self.reason = reason
        self.suggestion = suggestion
    }
}

/// The answer for a whole action.
public struct Decision: Sendable, Hashable {
    /// What the door must do. In monitor mode always `allow`.
    public var verdict: Verdict
    /// What the policy decided, before monitor mode.
    public var policyVerdict: Verdict
    public var mode: Policy.Mode
    public var rule: MatchedRule
    /// The environment of the deciding command.
    public var environment: String
    public var commands: [CommandDecision]
    /// Problems found while analysing (parse errors, bounds), which decided on their own.
    public var problems: [String]
    public var action: Action
    /// What the gate's approval state made of an `ask`: the request it opened or found, or the
    /// approval the action used.
    public var approval: ApprovalNote? = nil
    /// A freeze the circuit breaker started because of this decision.
    public var breakerFreeze: String? = nil
    /// Where the decision sits in the audit log, once recorded.
    public var auditIndex: UInt64? = nil
    /// The undo journal entry a door will write for this action if it runs (the PostgreSQL
    /// proxy's pre-images and snapshots), so its record can name it.
    public var journal: String? = nil

    public var reason: String { rule.reason }

    /// This decision turned into an enforced deny by something outside the policy (a freeze,
    /// a store or log that failed), keeping the analysis so the person sees what was refused.
    public func denied(by rule: MatchedRule) -> Decision {
        var denied = self
        denied.verdict = .deny
        denied.policyVerdict = .deny
        denied.mode = .enforce
        denied.approval = nil
        denied.rule = rule
        return denied
    }

    /// The command whose verdict decided the action (the first among equals).
    public var decidingCommand: CommandDecision? {
        commands.first { $0.verdict == policyVerdict && ($0.rule?.id == rule.id || rule.kind != .rule) }
            ?? commands.first { $0.verdict == policyVerdict }
    }
}

/// A rule prepared for evaluation: its path patterns compiled, shared by reference.
final class CompiledRule: Sendable {
    let rule: Rule
    let decision: Verdict
    let paths: CompiledRulePaths
    /// The `when` conditions that can rule a command out without string work: effects as a bit
    /// set, environments and glob-free binaries as sets. Checked before the full matcher.
    private let effects: UInt8?
    private let environments: Set<String>?
    private let literalBinaries: Set<String>?

    init(_ rule: Rule) {
        self.rule = rule
        self.decision = rule.decision
        self.paths = CompiledRulePaths(rule)
        effects = rule.when.effects.map { $0.reduce(0) { $0 | Self.bit($1) } }
        environments = rule.when.environments.map(Set.init)
        if let binaries = rule.when.binaries, binaries.allSatisfy(Glob.isLiteral) {
            literalBinaries = Set(binaries)
        } else {
            literalBinaries = nil
        }
    }

    /// True when the rule certainly does not apply; false means "check it fully".
    func quicklyExcludes(_ command: AnalyzedCommand, environment: String) -> Bool {
        if let effects, effects & Self.bit(command.effect) == 0 { return true }
        if let environments, !environments.contains(environment) { return true }
        if let literalBinaries, !literalBinaries.contains(command.binary) { return true }
        return false
    }

    private static func bit(_ effect: EffectClass) -> UInt8 { 1 << UInt8(effect.rank) }
}

/// Evaluates a policy over analysed commands. Total and deterministic: no I/O, no clock.
/// Build one per policy and reuse it: environment patterns are compiled in `init`.
public struct Evaluator: Sendable {
    public let policy: Policy
    let resolver: EnvironmentResolver
    /// The rules with their compiled path patterns, boxed so walking them per command costs a
    /// reference count, not a copy of every field.
    let rules: [CompiledRule]

    /// What a decision reports when no rule matched.
    let defaultRule: MatchedRule

    public init(policy: Policy) {
        self.policy = policy
        self.resolver = EnvironmentResolver(environments: policy.environments)
        self.rules = policy.rules.map(CompiledRule.init)
        self.defaultRule = MatchedRule(id: "default", kind: .default, reason: "no rule matched; the policy's default is \(policy.defaultDecision.rawValue)")
    }

    /// Decides on an analysis. Analysis problems deny on their own: a line we cannot parse is
    /// one whose effect we cannot know, and a shell would reject or misread it anyway.
    /// - Parameter tracing: record why every rule did or did not match, in words (for
    ///   `airlock explain`); without it, rules that cannot change the outcome are skipped.
    public func decide(_ analysis: Analysis, context: Context, tracing: Bool = true) -> Decision {
        var decisions: [CommandDecision] = []
        for command in analysis.commands {
            decisions.append(decide(command, context: context, tracing: tracing))
        }

        let mode = policy.mode
        if let problem = analysis.problems.first {
            let rule = MatchedRule(
                id: "airlock-unanalysable",
                kind: .analysis,
                reason: "the command could not be analysed: \(problem)",
                suggestion: "fix the command so a shell would accept it, or split it into simpler commands"
            )
            return Decision(
                verdict: mode == .monitor ? .allow : .deny, policyVerdict: .deny, mode: mode, rule: rule,
                environment: decisions.first?.command.environment ?? EnvironmentResolver.local,
                commands: decisions, problems: analysis.problems, action: analysis.action)
        }

        // The strictest command decides; among equals, the first (in execution order).
        var deciding: CommandDecision? = nil
        for decision in decisions where deciding.map({ decision.verdict > $0.verdict }) ?? true {
            deciding = decision
        }
        let verdict = deciding?.verdict ?? policy.defaultDecision
        let matched: MatchedRule
        if let rule = deciding?.rule {
            matched = MatchedRule(id: rule.id, kind: .rule, reason: rule.reason, suggestion: rule.suggestion)
        } else {
            matched = defaultRule
        }
        return Decision(
            verdict: mode == .monitor ? .allow : verdict, policyVerdict: verdict, mode: mode, rule: matched,
            environment: deciding?.command.environment ?? EnvironmentResolver.local,
            commands: decisions, problems: [], action: analysis.action)
    }

    /// The decision when there is no policy to evaluate (it failed to load or validate):
    /// deny, naming the cause, with the analysis still shown so the person can see what was
    /// refused.
    public static func failClosed(_ analysis: Analysis, problems: [String]) -> Decision {
        let rule = MatchedRule(
            id: "airlock-policy-error", kind: .policyError,
            reason: "the policy could not be loaded, so everything is denied: " + problems.joined(separator: "; "),
            suggestion: "fix the policy (airlock policy lint shows every problem) and try again")
        let commands = analysis.commands.map { command in
            var judged = command
            judged.environment = EnvironmentResolver.unknown
            judged.environmentReason = "no policy to map targets"
            return CommandDecision(command: judged, verdict: .deny, rule: nil, trace: [])
        }
        return Decision(
            verdict: .deny, policyVerdict: .deny, mode: .enforce, rule: rule, environment: EnvironmentResolver.unknown,
            commands: commands, problems: analysis.problems + problems, action: analysis.action)
    }

    /// Decides on one command: judged in each environment its targets map to, strictest wins.
    public func decide(_ command: AnalyzedCommand, context: Context, tracing: Bool = true) -> CommandDecision {
        var best: CommandDecision? = nil
        for (environment, reason) in resolver.environments(for: command, explained: tracing) {
            var judged = command
            judged.environment = environment
            judged.environmentReason = reason
            let decision = decide(judged, in: environment, context: context, tracing: tracing)
            if best.map({ decision.verdict > $0.verdict }) ?? true {
                var merged = decision
                merged.trace = (best?.trace ?? []) + decision.trace
                best = merged
            } else if var current = best {
                current.trace += decision.trace
                best = current
            }
        }
        // `environments(for:)` always yields at least one environment.
        return best ?? CommandDecision(command: command, verdict: policy.defaultDecision, rule: nil, trace: [])
    }

    private func decide(_ command: AnalyzedCommand, in environment: String, context: Context, tracing: Bool) -> CommandDecision {
        var trace: [RuleTrace] = []
        var winner: CompiledRule? = nil
        for compiled in rules {
            // A rule that cannot change the outcome need not be checked unless explaining.
            if !tracing, let current = winner, compiled.decision <= current.decision { continue }
            if !tracing, compiled.quicklyExcludes(command, environment: environment) { continue }
            let mismatch = ConditionMatcher.firstMismatch(of: compiled.rule, command: command, environment: environment, context: context, paths: compiled.paths)
            if tracing {
                let detail = mismatch.map { ConditionMatcher.describe($0, rule: compiled.rule, command: command, environment: environment, context: context) } ?? "matched"
                trace.append(RuleTrace(ruleID: compiled.rule.id, decision: compiled.decision, environment: environment, matched: mismatch == nil, detail: detail))
            }
            if mismatch == nil, winner.map({ compiled.decision > $0.decision }) ?? true {
                winner = compiled
            }
        }
        return CommandDecision(command: command, verdict: winner?.decision ?? policy.defaultDecision, rule: winner?.rule, trace: trace)
    }
}
