import AirlockAudit
import AirlockCore
import AirlockState

/// Audit records for what people (and the circuit breaker) do to the gate itself: freezes set
/// and lifted, requests approved and rejected.
public enum ControlAudit {
    public static func freezeStarted(_ freeze: Freeze, by user: String, workingDirectory: String, door: AuditDoor = .control) -> AuditRecord {
        var text = "freeze --scope \(freeze.scope) --level \(freeze.level.rawValue)"
        if let until = freeze.until { text += " --until \(StateTime.text(until))" }
        return record(
            .freezeStarted, text: text, ruleID: freeze.id, environment: environment(of: freeze), reason: freeze.reason,
            user: user, workingDirectory: workingDirectory, door: door)
    }

    public static func freezeLifted(_ freeze: Freeze, by person: Person, note: String?, workingDirectory: String) -> AuditRecord {
        record(
            .freezeLifted, text: "unfreeze \(freeze.id)", ruleID: freeze.id, environment: environment(of: freeze),
            reason: "lifted by \(person.display)" + (note.map { ": " + $0 } ?? "") + " (was: \(freeze.reason))",
            user: person.user, workingDirectory: workingDirectory)
    }

    public static func answered(_ request: ApprovalRequest, vote: Vote, workingDirectory: String) -> AuditRecord {
        let approved = vote.answer == .approve
        var reason = "\(vote.person.display) \(approved ? "approved" : "rejected") \(request.id) for rule \(request.ruleID): \(request.actionText)"
        if approved { reason += " (\(request.approvers.count) of \(request.approversNeeded) approvals)" }
        if let note = vote.note { reason += "; note: \(note)" }
        var entry = record(
            approved ? .approved : .rejected, text: "\(vote.answer.rawValue) \(request.id)", ruleID: request.ruleID,
            environment: request.environment, reason: reason, user: vote.person.user, workingDirectory: workingDirectory)
        entry.approval = AuditRecord.Approval(id: request.id, approver: vote.person.display)
        return entry
    }

    static func environment(of freeze: Freeze) -> String {
        if case .environment(let name) = freeze.scope { return name }
        return "all"
    }

    static func record(
        _ outcome: AuditRecord.Outcome, text: String, ruleID: String, environment: String, reason: String, user: String,
        workingDirectory: String, door: AuditDoor = .control
    ) -> AuditRecord {
        AuditRecord(
            timestamp: AuditClock.now(), outcome: outcome, door: door, action: AuditRecord.Action(kind: "control", text: "airlock " + text),
            environment: environment, rule: AuditRecord.Rule(id: ruleID, type: "control", pattern: ""), reason: reason,
            context: AuditRecord.Context(user: user, agent: nil, session: nil, workingDirectory: workingDirectory, host: AuditHost.name),
            policyDigest: "")
    }
}
