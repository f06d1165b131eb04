/// Where a decision was made: which of Airlock's doors the action came through.
public enum AuditDoor: String, Sendable, Hashable, CaseIterable, Codable {
    case check, hook, proxy, mcp, sandbox, api
    /// The log itself: recovery after a crash, checkpoints.
    case audit
    /// A person's control verbs: approve, reject, freeze, unfreeze (and the circuit breaker).
    case control
}
