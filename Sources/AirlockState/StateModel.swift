import AirlockCore

/// Milliseconds since the Unix epoch: the one time unit the state store keeps.
public typealias Millis = Int64

/// A person who answers approval requests or holds the kill switch: the OS account they ran
/// Airlock as, and the name they gave `airlock init --name`.
public struct Person: Sendable, Hashable {
    public var user: String
    public var name: String?

    public init(user: String, name: String? = nil) {
        self.user = user
        self.name = name
    }

    /// `Ada Lovelace (ada)`, or the user alone.
    public var display: String { name.map { "\($0) (\(user))" } ?? user }
}

/// Who a freeze stops: everyone, one agent (a glob over agent names; `unknown` for actions
/// with no agent), or everything acting on one environment.
public enum FreezeScope: Sendable, Hashable, CustomStringConvertible {
    case all
    case agent(String)
    case environment(String)

    /// `all`, `agent:NAME` or `env:ENV`; nil for anything else.
    public init?(parsing text: String) {
        if text == "all" {
            self = .all
        } else if text.hasPrefix("agent:"), text.count > 6 {
            self = .agent(String(text.dropFirst(6)))
        } else if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .agent(let name): "agent:" + name
        case .environment(let name): "env:" + name
        }
    }
}

/// A kill switch in force (or lifted): set by a person with `airlock freeze` or by the policy's
/// circuit breaker.
public struct Freeze: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable { case person, breaker }

    public var id: String
    public var scope: FreezeScope
    public var level: FreezeLevel
    public var reason: String
    public var source: Source
    /// The person who froze, or `airlock breaker`.
    public var createdBy: String
    public var createdAt: Millis
    /// When it ends on its own; nil holds until a person lifts it.
    public var until: Millis?
    public var liftedAt: Millis?
    public var liftedBy: String?

    public init(id: String, scope: FreezeScope, level: FreezeLevel, reason: String, source: Source, createdBy: String, createdAt: Millis, until: Millis? = nil, liftedAt: Millis? = nil, liftedBy: String? = nil) {
        self.id = id
        self.scope = scope
        self.level = level
        self.reason = reason
        self.source = source
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.until = until
        self.liftedAt = liftedAt
        self.liftedBy = liftedBy
    }

    public func isActive(at now: Millis) -> Bool {
        liftedAt == nil && (until.map { now < $0 } ?? true)
    }
}

/// One person's answer to an approval request.
public struct Vote: Sendable, Hashable {
    public enum Answer: String, Sendable, Hashable { case approve, reject }

    public var person: Person
    public var answer: Answer
    public var at: Millis
    public var note: String?

    public init(person: Person, answer: Answer, at: Millis, note: String? = nil) {
        self.person = person
        self.answer = answer
        self.at = at
        self.note = note
    }
}

/// An `ask` waiting for (or answered by) people, bound to one action by its digest: the exact
/// text, working directory, targets, environment, agent and policy. Only an action with the
/// same digest can use its approval.
public struct ApprovalRequest: Sendable, Hashable {
    /// Where a request stands at a given moment.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Waiting for (more) approvals.
        case pending
        /// Approved and still usable.
        case approved
        case rejected
        /// Approved, and every use spent.
        case consumed
        /// Not answered in time, or approved but not used in time.
        case expired
    }

    public var id: String
    public var digest: String
    public var createdAt: Millis
    /// When an unanswered request lapses.
    public var expiresAt: Millis
    public var ruleID: String
    public var reason: String
    public var approversNeeded: Int
    /// How long an approval stays usable, in milliseconds, unless the approver says otherwise.
    public var validFor: Millis
    /// Set once enough people approved: how many uses remain (nil: unlimited until `validUntil`).
    public var usesLeft: Int?
    public var validUntil: Millis?
    /// The action, as the agent would run it.
    public var actionKind: String
    public var actionText: String
    public var workingDirectory: String
    public var environment: String
    public var targets: [String]
    public var agent: String?
    public var session: String?
    public var user: String
    public var door: String
    public var policyDigest: String
    public var votes: [Vote]
    /// The audit entry that recorded the request, when known.
    public var auditIndex: UInt64?

    public init(
        id: String, digest: String, createdAt: Millis, expiresAt: Millis, ruleID: String, reason: String, approversNeeded: Int,
        validFor: Millis, actionKind: String, actionText: String, workingDirectory: String, environment: String, targets: [String],
        agent: String?, session: String?, user: String, door: String, policyDigest: String,
        usesLeft: Int? = nil, validUntil: Millis? = nil, votes: [Vote] = [], auditIndex: UInt64? = nil
    ) {
        self.id = id
        self.digest = digest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.ruleID = ruleID
        self.reason = reason
        self.approversNeeded = approversNeeded
        self.validFor = validFor
        self.actionKind = actionKind
        self.actionText = actionText
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.targets = targets
        self.agent = agent
        self.session = session
        self.user = user
        self.door = door
        self.policyDigest = policyDigest
        self.usesLeft = usesLeft
        self.validUntil = validUntil
        self.votes = votes
        self.auditIndex = auditIndex
    }

    /// Distinct people who approved, counted by OS account: a name is only a label, so one
    /// account approving twice under two names is still one person.
    public var approvers: [Person] {
        var seen: [Person] = []
        for vote in votes where vote.answer == .approve && !seen.contains(where: { $0.user == vote.person.user }) { seen.append(vote.person) }
        return seen
    }

    public var rejection: Vote? { votes.first { $0.answer == .reject } }

    public func status(at now: Millis) -> Status {
        if rejection != nil { return .rejected }
        if let validUntil {
            if usesLeft == 0 { return .consumed }
            return now < validUntil ? .approved : .expired
        }
        return now < expiresAt ? .pending : .expired
    }
}

/// A counted occurrence for rate limits and the circuit breaker.
public struct CountedEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case limit, denial }
    public var kind: Kind
    /// What the count is kept per (`rule-id|agent:claude`, `agent:claude`).
    public var key: String
    public var at: Millis

    public init(kind: Kind, key: String, at: Millis) {
        self.kind = kind
        self.key = key
        self.at = at
    }
}
