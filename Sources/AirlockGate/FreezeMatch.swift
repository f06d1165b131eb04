import AirlockAudit
import AirlockCore
import AirlockState

/// Which freezes stop which decisions.
enum FreezeMatch {
    /// A freeze applies when its scope covers the action and its level covers what the action
    /// does: `writes` every command that is not a read; `all` everything but Airlock's own
    /// status reads (so the person can still see what is frozen).
    static func applies(_ freeze: Freeze, to decision: Decision, context: Context) -> Bool {
        let inScope: Bool = switch freeze.scope {
        case .all: true
        case .agent(let pattern): Glob.match(pattern, context.agent ?? "unknown")
        case .environment(let name): decision.environment == name || decision.commands.contains { $0.command.environment == name }
        }
        guard inScope else { return false }
        switch freeze.level {
        case .writes:
            // No commands means the action could not be analysed: not known to be a read.
            return decision.commands.isEmpty || decision.commands.contains { $0.command.effect != .read }
        case .all:
            return !(decision.commands.count > 0 && decision.commands.allSatisfy(isStatusRead))
        }
    }

    static func isStatusRead(_ item: CommandDecision) -> Bool {
        ["airlock", "airlock-cli"].contains(item.command.binary) && item.command.effect == .read
    }

    static func deny(_ decision: Decision, by freeze: Freeze) -> Decision {
        decision.denied(by: MatchedRule(
            id: freeze.id, kind: .freeze,
            reason: "Airlock is frozen (\(describe(freeze))): \(freeze.reason)",
            suggestion: freeze.level == .writes
                ? "only reads run until a person lifts the freeze (airlock status shows it); stop and tell the person what you were about to do"
                : "nothing runs until a person lifts the freeze (airlock status shows it); stop and tell the person what you were about to do"))
    }

    /// `writes frozen for all agents by alice since 14:02:11Z until 14:32:11Z`.
    static func describe(_ freeze: Freeze) -> String {
        var text = "\(freeze.whatAndWho) by \(freeze.createdBy) since \(StateTime.text(freeze.createdAt))"
        if let until = freeze.until { text += " until \(StateTime.text(until))" }
        return text + ", freeze \(freeze.id)"
    }
}

extension Freeze {
    /// `writes frozen for agent claude`, `everything frozen for environment production`.
    public var whatAndWho: String {
        let scope: String = switch self.scope {
        case .all: "all agents"
        case .agent(let name): "agent \(name)"
        case .environment(let name): "environment \(name)"
        }
        return "\(level == .writes ? "writes" : "everything") frozen for \(scope)"
    }
}

/// Times as people read them in decisions: RFC 3339 UTC, to the second.
public enum StateTime {
    public static func text(_ millis: Millis) -> String {
        let full = AuditClock.format(seconds: millis / 1000, milliseconds: 0)
        return String(full.prefix(19)) + "Z"
    }
}
