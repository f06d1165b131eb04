import AirlockAudit
import AirlockCore
import AirlockState

/// What an `ask` becomes: an approval this exact action may use, a rejection of it, the
/// request already waiting for it, or a new request. A request is bound to the action's
/// digest; only an action with the same digest ever finds it.
enum Approvals {
    static func resolve(
        _ decision: Decision, context: Context, policyDigest: String, door: AuditDoor, reader: any StateReader, writer: (any StateWriter)?, now: Millis
    ) throws -> Decision {
        var decision = decision
        let digest = ActionDigest.of(decision, context: context, policyDigest: policyDigest)
        let existing = try reader.requests(digest: digest)

        if var granted = existing.first(where: { $0.status(at: now) == .approved }) {
            if let uses = granted.usesLeft { granted.usesLeft = uses - 1 }
            try writer?.update(granted)
            decision.verdict = .allow
            decision.approval = note(granted, state: writer == nil ? .wouldUse : .used)
            return decision
        }
        if let rejected = existing.first(where: { $0.status(at: now) == .rejected && now < $0.expiresAt }), let vote = rejected.rejection {
            decision.verdict = .deny
            decision.policyVerdict = .deny
            decision.approval = note(rejected, state: .rejected)
            decision.rule = MatchedRule(
                id: rejected.id, kind: .approval,
                reason: "\(vote.person.display) rejected this exact action (request \(rejected.id))" + (vote.note.map { ": " + $0 } ?? ""),
                suggestion: "do not retry it; ask the person what to do instead")
            return decision
        }
        if let waiting = existing.first(where: { $0.status(at: now) == .pending }) {
            decision.approval = note(waiting, state: .waiting)
            return decision
        }

        let requirement = decision.decidingCommand?.rule?.approval ?? ApprovalRequirement()
        let expires = Millis(requirement.expires) * 1000
        let kindAndText: (String, String) = switch decision.action {
        case .shell(let line): ("shell", line)
        case .exec: ("exec", decision.action.displayText)
        case .file(_, let access): ("file_" + access.rawValue, decision.action.displayText)
        case .tool: ("tool", decision.action.displayText)
        case .sql(let request): ("sql", request.text)
        }
        var request = ApprovalRequest(
            id: ShortID.request(), digest: digest, createdAt: now, expiresAt: now + expires, ruleID: decision.rule.id, reason: decision.rule.reason,
            approversNeeded: max(1, requirement.approvers), validFor: expires, actionKind: kindAndText.0, actionText: kindAndText.1,
            workingDirectory: context.workingDirectory, environment: decision.environment,
            targets: Array(Set(decision.commands.flatMap { $0.command.targets.map { "\($0.kind.rawValue):\($0.value)" } })).sorted(),
            agent: context.agent, session: context.session, user: context.user, door: door.rawValue, policyDigest: policyDigest)
        guard let writer else {
            decision.approval = note(request, state: .wouldRequest)
            return decision
        }
        var attempts = 0
        while try !writer.insert(request) {
            attempts += 1
            guard attempts < 8 else { throw StateError("could not draw an unused approval request id") }
            request.id = ShortID.request()
        }
        decision.approval = note(request, state: .requested)
        return decision
    }

    static func note(_ request: ApprovalRequest, state: ApprovalNote.State) -> ApprovalNote {
        ApprovalNote(
            id: request.id, state: state, approvals: request.approvers.count, needed: request.approversNeeded,
            expiresAt: request.validUntil ?? request.expiresAt, approvers: request.approvers.map(\.display), usesLeft: request.usesLeft,
            note: request.votes.last?.note)
    }
}
