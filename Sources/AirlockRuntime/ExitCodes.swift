import AirlockCore


/// Exit codes scripts can rely on: the verdict, or why there is none.
public enum AirlockExit {
    public static let allow: Int32 = 0
    public static let deny: Int32 = 1
    public static let ask: Int32 = 2
    /// Bad command-line usage (EX_USAGE).
    public static let usage: Int32 = 64
    /// Airlock itself failed (EX_SOFTWARE); the action must be treated as denied.
    public static let internalError: Int32 = 70

    public static func code(for verdict: Verdict) -> Int32 {
        switch verdict {
        case .allow: allow
        case .deny: deny
        case .ask: ask
        }
    }
}
