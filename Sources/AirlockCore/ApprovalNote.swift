/// An approval request as a decision reports it: the request the gate opened or found for an
/// `ask`, or the approval an allowed action used.
public struct ApprovalNote: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// A new request was opened for this action.
        case requested
        /// A request for this exact action is already waiting.
        case waiting
        /// The action was allowed by an approval; this use was spent from it.
        case used
        /// A person rejected this exact action.
        case rejected
        /// Preview only (explain, --no-audit): nothing would be opened or spent by this.
        case wouldRequest = "would-request"
        case wouldUse = "would-use"
    }

    public var id: String
    public var state: State
    public var approvals: Int
    public var needed: Int
    /// Milliseconds since the epoch: when the request lapses, or the approval stops being usable.
    public var expiresAt: Int64
    public var approvers: [String]
    /// Uses left after this one (nil: unlimited until it expires).
    public var usesLeft: Int?
    public var note: String?

    public init(id: String, state: State, approvals: Int, needed: Int, expiresAt: Int64, approvers: [String] = [], usesLeft: Int? = nil, note: String? = nil) {
        self.id = id
        self.state = state
        self.approvals = approvals
        self.needed = needed
        self.expiresAt = expiresAt
        self.approvers = approvers
        self.usesLeft = usesLeft
        self.note = note
    }
}
