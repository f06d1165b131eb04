import AirlockAudit
import AirlockCore
import AirlockState

/// The one pipeline every door calls: freeze → policy → rate limits and breaker → approvals →
/// audit → decision. The policy part is pure (`Checker`); the state part runs inside the audit
/// log's lock and one state transaction, so decisions, approvals spent and freezes set happen
/// in exactly the order the log shows, across every process. Anything that fails — the state
/// store, the log — turns the decision into a deny that names the cause.
public struct Gate: Sendable {
    public let checker: Checker
    public let store: any Store
    /// The log decisions are recorded in; nil for a preview (`explain`, `--no-audit`), which
    /// reads the state but changes nothing.
    public let audit: AuditStore?
    public let clock: @Sendable () -> Millis
    /// Given, or computed once when recording (every record carries it); a preview computes it
    /// only if an `ask` needs the action's digest, so `explain` does not pay for encoding it.
    private let knownDigest: String?

    /// - Parameter policyDigest: the policy's digest when the caller already knows it (the
    ///   compiled cache's, the built-in policy's), saving an encoding of the whole policy.
    public init(checker: Checker, store: any Store, audit: AuditStore?, clock: @escaping @Sendable () -> Millis = StateClock.now, policyDigest: String? = nil) {
        self.checker = checker
        self.store = store
        self.audit = audit
        self.clock = clock
        self.knownDigest = policyDigest ?? (audit == nil ? nil : DecisionAudit.digest(checker.policy))
    }

    /// `sha256:…` of the policy in force.
    public var policyDigest: String { knownDigest ?? DecisionAudit.digest(checker.policy) }

    public var policy: Policy { checker.policy }

    /// Decides on an action and, unless previewing, records it.
    /// - Parameter explain: keep the trace of every rule (for `airlock explain`).
    /// - Parameter hostCanAsk: the door can put an `ask` to the person at the agent's own
    ///   prompt (Claude Code, Cursor, Codex). Rules choose with `approval.via`; by default asks
    ///   about production go to an Airlock approval and the rest to the host's prompt.
    public func decide(_ action: Action, context: Context, door: AuditDoor, explain: Bool = false, hostCanAsk: Bool = false) -> Decision {
        let policyDecision = checker.check(action, context: context, explain: explain).decision
        return decide(policyDecision, context: context, door: door, hostCanAsk: hostCanAsk)
    }

    /// Where an `ask` goes: `airlock` (an approval bound to the action, out of band) or `host`
    /// (the agent's own permission prompt).
    public static func approvalRoute(_ decision: Decision, hostCanAsk: Bool) -> String {
        guard hostCanAsk else { return "airlock" }
        if let via = decision.decidingCommand?.rule?.approval?.via { return via }
        return decision.environment == "production" ? "airlock" : "host"
    }

    /// The state and audit part of the pipeline, for a decision the policy already made.
    public func decide(_ policyDecision: Decision, context: Context, door: AuditDoor, hostCanAsk: Bool = false) -> Decision {
        let apply = { (reader: any StateReader, writer: (any StateWriter)?) throws -> Outcome in
            try self.apply(policyDecision, context: context, reader: reader, writer: writer, door: door, hostCanAsk: hostCanAsk)
        }
        guard let audit else {
            do {
                return try store.read { reader in try apply(reader, nil).decision }
            } catch {
                return Self.stateDenied(policyDecision, cause: error)
            }
        }
        var decided = policyDecision
        do {
            let written = try audit.append(building: {
                let outcome = try store.write { writer in try apply(writer, writer) }
                decided = outcome.decision
                return try [DecisionAudit.makeRecord(outcome.decision, context: context, policyDigest: policyDigest, door: door, store: audit)] + outcome.records
            })
            decided.auditIndex = written.first?.index
            return decided
        } catch let error as AuditError {
            return DecisionAudit.denied(decided, cause: error.message)
        } catch {
            // The state failed: deny, and record that deny (the log still works).
            let denied = Self.stateDenied(policyDecision, cause: error)
            return DecisionAudit.record(denied, context: context, policy: policy, door: door, store: audit)
        }
    }

    /// The deny a door gives when the state store fails.
    public static func stateDenied(_ decision: Decision, cause: any Error) -> Decision {
        decision.denied(by: MatchedRule(
            id: "airlock-state-error", kind: .stateError,
            reason: "Airlock's approval and freeze state could not be used, so the action is denied: \(cause)",
            suggestion: "a person must fix $AIRLOCK_HOME/state.sqlite (airlock status names the problem)"))
    }

    // MARK: The state part

    struct Outcome {
        var decision: Decision
        /// Records beyond the decision's own (a freeze the breaker started).
        var records: [AuditRecord] = []
    }

    func apply(_ policyDecision: Decision, context: Context, reader: any StateReader, writer: (any StateWriter)?, door: AuditDoor, hostCanAsk: Bool) throws -> Outcome {
        let now = clock()
        var decision = policyDecision
        for freeze in try reader.activeFreezes(at: now) where FreezeMatch.applies(freeze, to: decision, context: context) {
            return Outcome(decision: FreezeMatch.deny(decision, by: freeze))
        }
        if decision.mode == .enforce {
            decision = try RateLimits.apply(decision, context: context, reader: reader, writer: writer, now: now)
        }
        if decision.verdict == .ask, Self.approvalRoute(decision, hostCanAsk: hostCanAsk) == "airlock" {
            decision = try Approvals.resolve(decision, context: context, policyDigest: policyDigest, door: door, reader: reader, writer: writer, now: now)
        }
        var outcome = Outcome(decision: decision)
        if decision.verdict == .deny, let breaker = policy.breaker {
            try CircuitBreaker.count(&outcome, breaker: breaker, context: context, reader: reader, writer: writer, now: now)
        }
        return outcome
    }
}
