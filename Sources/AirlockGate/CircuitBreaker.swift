import AirlockAudit
import AirlockCore
import AirlockState

/// The policy's breaker: enforced denials of the listed effects are counted per agent; the
/// one that reaches `denials` within `within` seconds freezes that agent (or everyone) for
/// `duration`. Denials by a freeze do not count: the agent is already stopped.
enum CircuitBreaker {
    static let createdBy = "airlock breaker"

    static func count(
        _ outcome: inout Gate.Outcome, breaker: Breaker, context: Context, reader: any StateReader, writer: (any StateWriter)?, now: Millis
    ) throws {
        let decision = outcome.decision
        guard let writer, decision.mode == .enforce, decision.rule.kind != .freeze, decision.rule.kind != .stateError else { return }
        let denied = decision.commands.filter { $0.verdict == .deny }.map(\.command.effect)
        guard denied.contains(where: breaker.effects.contains) else { return }
        let agent = context.agent ?? "unknown"
        let key = "agent:" + agent
        let within = Millis(breaker.within) * 1000
        try writer.pruneEvents(.denial, key: key, before: now - within)
        try writer.record(CountedEvent(kind: .denial, key: key, at: now))
        let denials = try reader.count(.denial, key: key, since: now - within)
        guard denials >= breaker.denials else { return }
        let effects = breaker.effects.map(\.rawValue).joined(separator: "/")
        var freeze = Freeze(
            id: ShortID.freeze(), scope: breaker.scope == .agent ? .agent(agent) : .all, level: breaker.level,
            reason: "circuit breaker: \(denials) denials of \(effects) actions by \(agent) within \(PolicyDuration.format(breaker.within)) (the last: rule \(decision.rule.id))",
            source: .breaker, createdBy: createdBy, createdAt: now, until: now + Millis(breaker.duration) * 1000)
        var attempts = 0
        while try !writer.insert(freeze) {
            attempts += 1
            guard attempts < 8 else { throw StateError("could not draw an unused freeze id") }
            freeze.id = ShortID.freeze()
        }
        outcome.decision.breakerFreeze = freeze.id
        outcome.records.append(ControlAudit.freezeStarted(freeze, by: context.user, workingDirectory: context.workingDirectory, door: .control))
    }
}
