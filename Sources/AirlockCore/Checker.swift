/// The pure pipeline from an action to a decision: analyse, resolve environments, evaluate.
/// Doors and the CLI call this; it performs no I/O of its own (files come through `files`).
public struct Checker: Sendable {
    public let policy: Policy
    public let files: any FileSource
    public let limits: AnalysisLimits
    private let evaluator: Evaluator

    /// Build one per policy and reuse it for many checks.
    public init(policy: Policy, files: any FileSource = InMemoryFiles(), limits: AnalysisLimits = .standard) {
        self.policy = policy
        self.files = files
        self.limits = limits
        self.evaluator = Evaluator(policy: policy)
    }

    /// The analysis and the decision for one action.
    /// - Parameter explain: record why every rule did or did not match (for `airlock explain`);
    ///   off, rules that cannot change the outcome are skipped.
    public func check(_ action: Action, context: Context, explain: Bool = true) -> (analysis: Analysis, decision: Decision) {
        let analysis = Analyzer(context: context, files: files, limits: limits).analyze(action)
        let decision = evaluator.decide(analysis, context: context, tracing: explain)
        return (analysis, decision)
    }
}
