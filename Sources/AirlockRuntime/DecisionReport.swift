import AirlockCore
import AirlockGate
import AirlockSQL

/// Renders decisions for people (text) and machines (JSON).
public enum DecisionReport {
    /// Options whose value is a statement rather than part of where the command goes; shown
    /// separately so the headline names the command and its target.
    public static let payloadFlags: Set<String> = ["-c", "--command", "-e", "--execute", "-q", "--query", "--eval", "-d", "--data", "--data-raw", "--json"]

    /// The deciding command as a headline: its program and options, without statement payloads.
    public static func headline(_ command: AnalyzedCommand) -> String {
        var shown: [String] = []
        var skipNext = false
        for arg in command.args {
            if skipNext { skipNext = false; continue }
            if !command.statements.isEmpty && payloadFlags.contains(arg) { skipNext = true; continue }
            // A positional statement (`sqlite3 app.db "DROP TABLE t"`) is shown on its own line.
            if !command.statements.isEmpty && command.statements.contains(where: { arg.contains($0) && $0.count > 0 }) && arg.contains(" ") { continue }
            shown.append(ShellQuoting.quoteIfNeeded(arg))
        }
        let text = ([command.binary.isEmpty ? "<computed>" : command.binary] + shown).joined(separator: " ")
        return text.count > 160 ? String(text.prefix(157)) + "…" : text
    }

    public static func deciding(_ decision: Decision) -> CommandDecision? { decision.decidingCommand }

    public static func text(_ decision: Decision, explainHint: String) -> String {
        let subject = deciding(decision).map { headline($0.command) } ?? decision.action.displayText
        let rule = "rule \(decision.rule.id): \(decision.rule.reason)"
        var lines: [String] = []
        let verdict = decision.policyVerdict
        let prefix = decision.mode == .monitor && verdict != .allow ? "MONITOR (not enforced): " : ""
        switch verdict {
        case .deny where decision.rule.kind == .freeze:
            lines.append("FROZEN: '\(subject)' is stopped: \(decision.rule.reason)")
        case .deny:
            lines.append("\(prefix)BLOCKED: policy prevents '\(subject)' (\(rule))")
        case .ask where decision.approval?.state == .used || decision.approval?.state == .wouldUse:
            let approval = decision.approval.map { "approval \($0.id)" + ($0.approvers.isEmpty ? "" : " by " + $0.approvers.joined(separator: ", ")) } ?? "approval"
            lines.append("ALLOWED by \(approval): '\(subject)' (\(rule))")
        case .ask:
            lines.append("\(prefix)APPROVAL REQUIRED: '\(subject)' needs a person's approval (\(rule))")
        case .allow:
            lines.append("ALLOWED: '\(subject)' (\(rule))")
        }
        if let command = deciding(decision)?.command, verdict != .allow {
            if let sql = command.sql {
                lines.append("  statement: " + preview(sql.text) + " [" + sqlSummary(sql) + "]")
            } else if !command.statements.isEmpty {
                lines.append("  statement: " + command.statements.prefix(3).joined(separator: "; ") + (command.statements.count > 3 ? " …" : ""))
            }
            lines.append("  environment: \(command.environment)" + (command.targets.isEmpty ? "" : " (\(command.targets.map(\.description).joined(separator: ", ")))") + "; effect: \(command.effect.rawValue): \(command.effectReason)")
        }
        if verdict == .deny, let suggestion = decision.rule.suggestion {
            lines.append("  instead: \(suggestion)")
        }
        if verdict == .ask { lines += approvalLines(decision) }
        if let freeze = decision.breakerFreeze {
            lines.append("  circuit breaker: too many denials, so this agent is now frozen (\(freeze)); a person lifts it with airlock unfreeze \(freeze)")
        }
        if decision.verdict != .allow {
            lines.append("  details: \(explainHint)")
        }
        return lines.joined(separator: "\n")
    }

    /// What an agent is told about an `ask`: the request, that a person must answer it, and
    /// to wait and retry the same command. Nothing in it lets the agent approve.
    static func approvalLines(_ decision: Decision) -> [String] {
        guard let approval = decision.approval else {
            return ["  a person must approve this before it runs: show them the command, or let them run it themselves"]
        }
        let expires = StateTime.text(approval.expiresAt)
        let progress = "\(approval.approvals) of \(approval.needed) approval\(approval.needed == 1 ? "" : "s")"
        switch approval.state {
        case .used, .wouldUse:
            let uses = approval.usesLeft.map { "\($0) use\($0 == 1 ? "" : "s") left" } ?? "usable until \(expires)"
            return ["  approval \(approval.id): \(approval.state == .used ? "used" : "would be used") (\(uses))"]
        case .rejected:
            return []
        case .requested, .waiting, .wouldRequest:
            let opened = switch approval.state {
            case .requested: "opened approval request \(approval.id)"
            case .waiting: "approval request \(approval.id) is still waiting"
            default: "an approval request would be opened (preview: nothing was recorded)"
            }
            return [
                "  \(opened) for exactly this command, here, as this agent (\(progress); expires \(expires))",
                "  a person must approve it from their own terminal (airlock pending lists it); you cannot approve it yourself",
                "  wait for them, then retry exactly the same command: any change makes it a new request",
            ]
        }
    }

    public static func json(_ decision: Decision) -> JSON {
        .object([
            "approval": decision.approval.map(approvalJSON) ?? .null,
            "breaker_freeze": .optional(decision.breakerFreeze),
            "audit_index": decision.auditIndex.map { .int(Int($0)) } ?? .null,
            "decision": .string(decision.verdict.rawValue),
            "policy_decision": .string(decision.policyVerdict.rawValue),
            "mode": .string(decision.mode.rawValue),
            "rule": .object(["id": .string(decision.rule.id), "type": .string(decision.rule.kind.rawValue)]),
            "reason": .string(decision.reason),
            "suggestion": .optional(decision.rule.suggestion),
            "environment": .string(decision.environment),
            "problems": .strings(decision.problems),
            "commands": .array(decision.commands.map(commandJSON)),
        ])
    }

    static func approvalJSON(_ approval: ApprovalNote) -> JSON {
        .object([
            "id": .string(approval.id), "state": .string(approval.state.rawValue), "approvals": .int(approval.approvals),
            "needed": .int(approval.needed), "expires_at": .string(StateTime.text(approval.expiresAt)), "approvers": .strings(approval.approvers),
            "uses_left": approval.usesLeft.map { .int($0) } ?? .null,
        ])
    }

    public static func commandJSON(_ decision: CommandDecision) -> JSON {
        let command = decision.command
        return .object([
            "binary": .string(command.binary),
            "args": .strings(command.args),
            "subcommand": .optional(command.subcommand),
            "tool": .optional(command.tool),
            "target": .optional(command.targets.first?.value),
            "targets": .array(command.targets.map { .object(["kind": .string($0.kind.rawValue), "value": .string($0.value), "source": .string($0.source)]) }),
            "environment": .string(command.environment),
            "effect": .string(command.effect.rawValue),
            "effect_reason": .string(command.effectReason),
            "decision": .string(decision.verdict.rawValue),
            "rule": .optional(decision.rule?.id),
            "via": .strings(command.via),
            "statements": .strings(command.statements),
            "branches": .strings(command.branches),
            "interactive": .bool(command.interactive),
            "paths": .array(command.paths.map { .object(["path": .string($0.path), "mode": .string($0.mode.rawValue), "dynamic": .bool($0.dynamic)]) }),
            "sql": command.sql.map(sqlJSON) ?? .null,
        ])
    }

    /// One classified statement, in the shape `airlock sql classify --format json` prints.
    public static func sqlJSON(_ statement: SQLStatement) -> JSON {
        var fields: [String: JSON] = [
            "index": .int(statement.index),
            "text": .string(statement.text),
            "kind": .string(statement.kind),
            "class": .string(statement.sqlClass.rawValue),
            "tables": .strings(statement.tables),
            "flags": .strings(statement.sortedFlags.map(\.rawValue)),
            "functions": .strings(statement.functions),
            "reason": .string(statement.reason),
        ]
        if let error = statement.error {
            fields["error"] = .object(["message": .string(error.message), "position": .int(error.position)])
        }
        return .object(fields)
    }

    /// `destructive DELETE on users; flags no_where`.
    public static func sqlSummary(_ statement: SQLStatement) -> String {
        var text = statement.sqlClass.rawValue
        if !statement.kind.isEmpty { text += " " + statement.kind }
        if !statement.tables.isEmpty { text += " on " + statement.tables.joined(separator: ", ") }
        if !statement.flags.isEmpty { text += "; flags " + statement.sortedFlags.map(\.rawValue).joined(separator: ", ") }
        if !statement.functions.isEmpty { text += "; calls " + statement.functions.joined(separator: ", ") }
        if let error = statement.error { text += "; \(error.message) at character \(error.position)" }
        return text
    }

    /// Long statements are cut for one-line display; the full text is in the JSON.
    public static func preview(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(while: { $0 == " " || $0 == "\t" }) }.joined(separator: " ")
        return flat.count > 200 ? String(flat.prefix(197)) + "…" : flat
    }

    /// `airlock explain`: what was parsed, what each target resolved to, every rule and why.
    public static func explanation(_ decision: Decision, policySource: String) -> String {
        var lines: [String] = []
        lines.append("action: \(decision.action.displayText)")
        lines.append("policy: \(policySource) (mode \(decision.mode.rawValue))")
        if !decision.problems.isEmpty {
            lines.append("analysis problems (each one denies):")
            for problem in decision.problems { lines.append("  - \(problem)") }
        }
        lines.append("commands that would run: \(decision.commands.count)")
        for (index, item) in decision.commands.enumerated() {
            let command = item.command
            lines.append("")
            lines.append("[\(index + 1)] \(command.displayText)")
            if !command.via.isEmpty { lines.append("    via: \(command.via.joined(separator: " → "))") }
            if let sub = command.subcommand { lines.append("    operation: \(sub)") }
            lines.append("    effect: \(command.effect.rawValue) — \(command.effectReason)")
            if command.interactive { lines.append("    interactive session: yes") }
            if let sql = command.sql {
                lines.append("    statement: \(preview(sql.text))")
                lines.append("    sql: \(sqlSummary(sql))")
            } else {
                for statement in command.statements.prefix(10) { lines.append("    statement: \(statement)") }
            }
            if command.targets.isEmpty {
                lines.append("    targets: none (acts on this machine)")
            }
            for target in command.targets { lines.append("    target: \(target) (from \(target.source))") }
            if !command.branches.isEmpty { lines.append("    branches: \(command.branches.joined(separator: ", "))") }
            for path in command.paths.prefix(10) { lines.append("    path: \(path.mode.rawValue) \(path.path)\(path.dynamic ? " (known only at run time)" : "")") }
            lines.append("    environment: \(command.environment) — \(command.environmentReason)")
            lines.append("    rules:")
            for trace in item.trace {
                let mark = trace.matched ? "✔ matched" : "· skipped"
                let env = item.trace.contains { $0.environment != trace.environment } ? " [as \(trace.environment)]" : ""
                lines.append("      \(mark) \(trace.ruleID) (\(trace.decision.rawValue))\(env)\(trace.matched ? "" : ": \(trace.detail)")")
            }
            lines.append("    verdict: \(item.verdict.rawValue)" + (item.rule.map { " by rule \($0.id)" } ?? " by the policy default"))
        }
        lines.append("")
        lines.append("decision: \(decision.policyVerdict.rawValue.uppercased()) (rule \(decision.rule.id): \(decision.rule.reason))")
        if decision.mode == .monitor && decision.policyVerdict != .allow {
            lines.append("monitor mode: the decision is reported but not enforced; the exit code is 0")
        }
        return lines.joined(separator: "\n")
    }

    public static func explanationJSON(_ decision: Decision, policySource: String) -> JSON {
        guard case .object(var members) = json(decision) else { return json(decision) }
        members["policy"] = .string(policySource)
        members["trace"] = .array(decision.commands.map { item in
            .array(item.trace.map { trace in
                .object(["rule": .string(trace.ruleID), "decision": .string(trace.decision.rawValue), "environment": .string(trace.environment), "matched": .bool(trace.matched), "detail": .string(trace.detail)])
            })
        })
        return .object(members)
    }
}
