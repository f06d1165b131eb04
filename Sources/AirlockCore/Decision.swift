/// The gate's three answers, ordered by restrictiveness so that combining decisions is `max`.
public enum Verdict: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case allow, ask, deny

    var rank: Int {
        switch self {
        case .allow: 0
        case .ask: 1
        case .deny: 2
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
}

/// What an action does, ordered by danger. `opaque` means the effect cannot be known from the
/// text (`$X args`, `curl … | bash`): it ranks just below `destructive` so that a known
/// destruction is always reported as such.
public enum EffectClass: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case read, write, opaque, destructive

    var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .opaque: 2
        case .destructive: 3
        }
    }

    public static func < (lhs: EffectClass, rhs: EffectClass) -> Bool { lhs.rank < rhs.rank }
}
