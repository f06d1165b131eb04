/// Every command an action would run, with what Airlock concluded about each, plus the problems
/// that stopped analysis (a parse error, a bound exceeded). Problems always decide on their own.
public struct Analysis: Sendable, Hashable {
    public var action: Action
    public var commands: [AnalyzedCommand]
    public var problems: [String]

    public init(action: Action, commands: [AnalyzedCommand], problems: [String]) {
        self.action = action
        self.commands = commands
        self.problems = problems
    }
}

/// Bounds on analysis, past which Airlock refuses instead of guessing.
public struct AnalysisLimits: Sendable, Hashable {
    /// Longest command line, in bytes (also the parser's bound).
    public var maxLength: Int
    /// Deepest syntactic nesting inside one line.
    public var maxSyntaxDepth: Int
    /// Deepest chain of interpreters (`bash -c "sh -c '…'"`, `ssh h "sudo bash -c …"`).
    public var maxInterpretationDepth: Int
    /// Most commands analysed for one action.
    public var maxCommands: Int
    /// Largest file read to follow a script (package.json, a SQL file, a sourced script).
    public var maxFileSize: Int

    public init(maxLength: Int = 256 * 1024, maxSyntaxDepth: Int = 64, maxInterpretationDepth: Int = 16, maxCommands: Int = 4096, maxFileSize: Int = 1 << 20) {
        self.maxLength = maxLength
        self.maxSyntaxDepth = maxSyntaxDepth
        self.maxInterpretationDepth = maxInterpretationDepth
        self.maxCommands = maxCommands
        self.maxFileSize = maxFileSize
    }

    public static let standard = AnalysisLimits()
}
