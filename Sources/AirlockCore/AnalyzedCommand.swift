import AirlockSQL

/// One command that would run, after unwrapping wrappers and substitutions, with what Airlock
/// concluded about it. The policy decides on each of these separately.
public struct AnalyzedCommand: Sendable, Hashable {
    /// The program's name (`git`, not `/usr/bin/git`); empty when it is computed at run time.
    public var binary: String
    /// Arguments after the program name, quote-removed; expansions shown as written.
    public var args: [String]
    /// The first non-option argument(s) naming the operation (`push`, `db:drop`, `s3 rm`).
    public var subcommand: String?
    public var effect: EffectClass
    /// Why the analysis chose `effect`, in words (`kubectl delete removes resources`).
    public var effectReason: String
    public var targets: [Target]
    public var paths: [PathAccess]
    /// Git branches a push would change.
    public var branches: [String]
    /// An interactive session (a database shell, `ssh host` with no command): its effect
    /// depends on what a person or agent types next.
    public var interactive: Bool
    /// Wrappers this command was found inside, outermost first (`sudo`, `bash -c`, `ssh prod-1`).
    public var via: [String]
    /// SQL or other statements the command carries, for explanations.
    public var statements: [String]
    /// The one SQL statement this command sends, classified. A client given several statements
    /// becomes one command per statement, so each is decided on its own.
    public var sql: SQLStatement?
    /// The agent tool this command came from (`mcp__postgres__query`, `WebFetch`): set on every
    /// command of a `.tool` action, nil for shell, exec and file actions. `tool:` rules match it.
    public var tool: String?
    /// The environment a door's configuration declares for this command's target (the proxy's
    /// upstream), which environment resolution takes instead of reading targets.
    public var declared: DeclaredEnvironment?

    /// Filled by environment resolution: the environment each target maps to and the one the
    /// command acts in (the most sensitive of its targets'), with the reason.
    public var environment: String
    public var environmentReason: String

    public init(
        binary: String,
        args: [String],
        subcommand: String? = nil,
        effect: EffectClass,
        effectReason: String,
        targets: [Target] = [],
        paths: [PathAccess] = [],
        branches: [String] = [],
        interactive: Bool = false,
        via: [String] = [],
        statements: [String] = [],
        sql: SQLStatement? = nil,
        tool: String? = nil
    ) {
        self.binary = binary
        self.args = args
        self.subcommand = subcommand
        self.effect = effect
        self.effectReason = effectReason
        self.targets = targets
        self.paths = paths
        self.branches = branches
        self.interactive = interactive
        self.via = via
        self.statements = statements
        self.sql = sql
        self.tool = tool
        self.environment = ""
        self.environmentReason = ""
    }

    /// The command as a person would type it.
    public var displayText: String {
        ([binary.isEmpty ? "<computed>" : binary] + args.map(ShellQuoting.quoteIfNeeded)).joined(separator: " ")
    }
}

/// An environment given by configuration rather than resolved from a command's targets.
public struct DeclaredEnvironment: Sendable, Hashable {
    public var name: String
    /// Why, for explanations (`upstream 'app' is declared in production`).
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}
