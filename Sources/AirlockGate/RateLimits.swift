import AirlockCore
import AirlockState

/// Rules' `limit:` caps. Each rule with a limit that decided a command of the action counts
/// once per action; past the cap its commands get the limit's `then` (deny or ask) instead.
enum RateLimits {
    static func apply(_ decision: Decision, context: Context, reader: any StateReader, writer: (any StateWriter)?, now: Millis) throws -> Decision {
        var decision = decision
        var counted: Set<String> = []
        for item in decision.commands {
            guard let rule = item.rule, let limit = rule.limit, counted.insert(rule.id).inserted else { continue }
            let key = rule.id + "|" + scopeKey(limit.scope, context: context)
            let since = now - Millis(limit.per) * 1000
            let used = try reader.count(.limit, key: key, since: since)
            guard used >= limit.count else {
                try writer?.pruneEvents(.limit, key: key, before: since)
                try writer?.record(CountedEvent(kind: .limit, key: key, at: now))
                continue
            }
            for index in decision.commands.indices where decision.commands[index].rule?.id == rule.id {
                decision.commands[index].verdict = max(decision.commands[index].verdict, limit.then)
            }
            if limit.then > decision.policyVerdict {
                let per = limit.scope == .rule ? "" : " per \(limit.scope.rawValue) (\(scopeKey(limit.scope, context: context)))"
                decision.policyVerdict = limit.then
                decision.verdict = limit.then
                decision.rule = MatchedRule(
                    id: rule.id, kind: .rateLimit,
                    reason: "rule \(rule.id) allows \(limit.count) in \(PolicyDuration.format(limit.per))\(per), and that many already ran; \(rule.reason)",
                    suggestion: "wait until the window has passed, or ask a person")
            }
        }
        return decision
    }

    static func scopeKey(_ scope: RateLimit.Scope, context: Context) -> String {
        switch scope {
        case .agent: "agent:" + (context.agent ?? "unknown")
        case .session: "session:" + (context.session ?? "agent:" + (context.agent ?? "unknown"))
        case .rule: "all"
        }
    }
}
