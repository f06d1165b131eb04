import AirlockCore
import AirlockGate

/// What the hook prints and how it exits, in each host's exact format. Pure.
///
/// A deny is said three ways at once — the verdict in stdout's JSON, the reason on stderr and
/// exit status 2 — because each host honours at least one of them as a block, and Claude Code
/// runs the tool on anything it cannot read as a verdict.
public struct HookAnswer: Sendable, Hashable {
    public var stdout: String
    public var stderr: String
    public var status: Int32

    /// The host-level verdict for a gate decision: an `ask` that went to an Airlock approval is
    /// a deny for the host (the agent waits and retries; the host's own prompt must not be a
    /// way around the approval), an `ask` for the host's prompt stays an ask.
    public static func verdict(_ decision: Decision, host: HookHost) -> Verdict {
        switch decision.verdict {
        case .allow: .allow
        case .deny: .deny
        case .ask: decision.approval == nil && host.canAsk ? .ask : .deny
        }
    }

    public static func answer(_ decision: Decision, host: HookHost, event: String) -> HookAnswer {
        render(verdict(decision, host: host), reason: reason(decision, host: host), host: host, event: event)
    }

    /// The deny for anything that kept Airlock from deciding: unreadable input, a policy that
    /// does not load, the deadline.
    public static func failClosed(_ cause: String, host: HookHost, event: String? = nil) -> HookAnswer {
        render(.deny, reason: "Airlock could not decide, so this is blocked: \(cause). A person can see why with `airlock doctor`.", host: host, event: event ?? defaultEvent(host))
    }

    static func defaultEvent(_ host: HookHost) -> String {
        switch host {
        case .claude, .codex: "PreToolUse"
        case .cursor: "beforeShellExecution"
        case .gemini: "BeforeTool"
        }
    }

    /// The words the agent (and the person) read.
    public static func reason(_ decision: Decision, host: HookHost) -> String {
        let rule = decision.rule
        let ruleText = "rule \(rule.id): \(rule.reason)"
        if decision.verdict == .allow {
            if decision.mode == .monitor, decision.policyVerdict != .allow {
                return "Airlock (monitor mode, not enforced) would \(decision.policyVerdict == .deny ? "block" : "ask about") this (\(ruleText))"
            }
            if let approval = decision.approval {
                return "Airlock: allowed by approval \(approval.id)" + (approval.approvers.isEmpty ? "" : " from \(approval.approvers.joined(separator: ", "))") + " (\(ruleText))"
            }
            return "Airlock: allowed (\(ruleText))"
        }
        if decision.verdict == .deny {
            var text = rule.kind == .freeze ? "Airlock: stopped by a freeze. \(rule.reason)" : "Airlock blocked this (\(ruleText))."
            if let suggestion = rule.suggestion { text += " Instead: \(suggestion)." }
            if let freeze = decision.breakerFreeze {
                text += " Too many blocked actions: the circuit breaker has frozen this agent's writes (\(freeze)); a person lifts it with `airlock unfreeze \(freeze)`."
            }
            return text
        }
        guard let approval = decision.approval else {
            return "Airlock asks for your approval (\(ruleText))."
        }
        let progress = approval.needed > 1 ? " (\(approval.approvals) of \(approval.needed) approvals so far)" : ""
        let opened = approval.state == .requested ? "Approval request \(approval.id) was opened" : "Approval request \(approval.id) is still waiting"
        return "Airlock: a person must approve this first (\(ruleText)). \(opened) for exactly this command\(progress), "
            + "expiring \(StateTime.text(approval.expiresAt)). You cannot approve it yourself: ask the person you work for to run "
            + "`airlock approve \(approval.id)` in their own terminal, wait until they have, then retry exactly the same command (any change is a new request)."
    }

    static func render(_ verdict: Verdict, reason: String, host: HookHost, event: String) -> HookAnswer {
        let denied = verdict == .deny
        let json: String
        switch host {
        case .claude, .codex:
            json = "{\"hookSpecificOutput\":{\"hookEventName\":\(JSONText.string(event)),\"permissionDecision\":\"\(verdict.rawValue)\",\"permissionDecisionReason\":\(JSONText.string(reason))}}"
        case .cursor:
            // Cursor versions differ in the spelling of the messages; both are sent.
            let text = JSONText.string(reason)
            json = "{\"permission\":\"\(verdict.rawValue)\",\"user_message\":\(text),\"agent_message\":\(text),\"userMessage\":\(text),\"agentMessage\":\(text)}"
        case .gemini:
            json = "{\"decision\":\"\(denied ? "deny" : "allow")\",\"reason\":\(JSONText.string(reason)),\"systemMessage\":\(JSONText.string(reason))}"
        }
        return HookAnswer(stdout: json + "\n", stderr: denied ? reason + "\n" : "", status: denied ? 2 : 0)
    }
}
