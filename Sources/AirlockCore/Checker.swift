/// The pure pipeline from an action to a decision: analyse, resolve environments, evaluate.
/// Doors and the CLI call this; it performs no I/O of its own (files come through `files`).
public struct Checker: Sendable {
    public var policy: Policy
    public var files: any FileSource
    public var limits: AnalysisLimits

    public init(policy: Policy, files: any FileSource = InMemoryFiles(), limits: AnalysisLimits = .standard) {
        self.policy = policy
        self.files = files
        self.limits = limits
    }

    /// The analysis and the decision for one action.
    public func check(_ action: Action, context: Context) -> (analysis: Analysis, decision: Decision) {
        let analysis = Analyzer(context: context, files: files, limits: limits).analyze(action)
        let decision = Evaluator(policy: policy).decide(analysis, context: context)
        return (analysis, decision)
    }
}
