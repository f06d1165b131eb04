/// A cap on how often a rule may decide within a sliding window (`limit:` on a rule). Beyond
/// it the rule's commands get `then` instead of the rule's own decision.
public struct RateLimit: Sendable, Hashable {
    /// What the count is kept per: the deciding agent, its session, or the rule as a whole.
    public enum Scope: String, Sendable, Hashable, CaseIterable, Codable { case agent, session, rule }

    public var count: Int
    /// Seconds.
    public var per: Int
    public var scope: Scope
    /// `deny` or `ask`.
    public var then: Verdict

    public init(count: Int, per: Int, scope: Scope = .agent, then: Verdict = .deny) {
        self.count = count
        self.per = per
        self.scope = scope
        self.then = then
    }
}

/// How far a freeze reaches: `writes` stops every write, destructive and opaque action (even an
/// approved one); `all` stops everything except reading Airlock's own status.
public enum FreezeLevel: String, Sendable, Hashable, CaseIterable, Codable { case writes, all }

/// The policy's circuit breaker: an agent denied `denials` times within `within` seconds (for
/// actions of the listed effects) is frozen at `level` for `duration` seconds.
public struct Breaker: Sendable, Hashable {
    /// Who the tripped breaker freezes: the agent that kept being denied, or every agent.
    public enum Scope: String, Sendable, Hashable, CaseIterable, Codable { case agent, all }

    public var denials: Int
    /// Seconds.
    public var within: Int
    /// Which denials count (by the effect of the denied action).
    public var effects: [EffectClass]
    public var scope: Scope
    public var level: FreezeLevel
    /// Seconds the freeze lasts.
    public var duration: Int

    public init(denials: Int, within: Int, effects: [EffectClass] = [.destructive], scope: Scope = .agent, level: FreezeLevel = .writes, duration: Int) {
        self.denials = denials
        self.within = within
        self.effects = effects
        self.scope = scope
        self.level = level
        self.duration = duration
    }
}
