import AirlockCore

/// Finds and loads the effective policy for a context. The outcome is a policy or the reasons
/// there is none; callers deny everything in the second case.
enum PolicyResolution {
    enum Outcome {
        case loaded(Policy, sources: [String])
        case failed([String])
    }

    static func load(explicit: String?, context: Context, files: any FileSource) -> Outcome {
        // Replaced by AirlockPolicyFile's loader once it lands.
        .loaded(DefaultPolicy.policy, sources: ["built-in"])
    }
}
