import AirlockSQL

/// A declarative policy: named environments that targets map to, and rules that decide
/// allow / ask / deny for commands. A value: loading (YAML) lives in AirlockPolicyFile.
public struct Policy: Sendable, Hashable {
    /// `enforce` blocks; `monitor` decides and reports but never blocks (for rollout).
    public enum Mode: String, Sendable, Hashable, CaseIterable, Codable { case enforce, monitor }

    public var version: Int
    public var mode: Mode
    /// The decision when no rule matches.
    public var defaultDecision: Verdict
    /// In order; a target takes the first environment that claims it.
    public var environments: [EnvironmentDefinition]
    public var rules: [Rule]
    /// Freezes an agent that keeps being denied; nil turns the breaker off.
    public var breaker: Breaker?
    /// Where the policy came from (`built-in`, a file path, or several joined by ` + `).
    public var source: String

    public init(
        version: Int = 1,
        mode: Mode = .enforce,
        defaultDecision: Verdict = .allow,
        environments: [EnvironmentDefinition] = [],
        rules: [Rule] = [],
        breaker: Breaker? = nil,
        source: String = "inline"
    ) {
        self.version = version
        self.mode = mode
        self.defaultDecision = defaultDecision
        self.environments = environments
        self.rules = rules
        self.breaker = breaker
        self.source = source
    }
}

/// An environment (production, staging, development, or any name) and the patterns that
/// claim targets for it.
public struct EnvironmentDefinition: Sendable, Hashable {
    public var name: String
    /// Glob patterns (`*` spans dots) or IPv4 CIDR blocks (`10.0.0.0/8`) for hosts.
    public var hosts: [String]
    public var kubeContexts: [String]
    public var awsProfiles: [String]
    public var workspaces: [String]
    public var projects: [String]
    public var gitRemotes: [String]
    public var dockerHosts: [String]
    /// Words that claim any target whose value contains them as a label, splitting on `.`,
    /// `-`, `_`, `/` and `:` (`prod` claims `prod-db.internal` and `eu_prod`, not `product`).
    public var labels: [String]
    /// Whether Unix sockets and local database files belong here.
    public var localSockets: Bool

    public init(
        name: String,
        hosts: [String] = [],
        kubeContexts: [String] = [],
        awsProfiles: [String] = [],
        workspaces: [String] = [],
        projects: [String] = [],
        gitRemotes: [String] = [],
        dockerHosts: [String] = [],
        labels: [String] = [],
        localSockets: Bool = false
    ) {
        self.name = name
        self.hosts = hosts
        self.kubeContexts = kubeContexts
        self.awsProfiles = awsProfiles
        self.workspaces = workspaces
        self.projects = projects
        self.gitRemotes = gitRemotes
        self.dockerHosts = dockerHosts
        self.labels = labels
        self.localSockets = localSockets
    }

    func patterns(for kind: Target.Kind) -> [String] {
        switch kind {
        case .host: hosts
        case .socket: []
        case .kubeContext: kubeContexts
        case .awsProfile: awsProfiles
        case .workspace: workspaces
        case .project: projects
        case .gitRemote: gitRemotes
        case .dockerHost: dockerHosts
        case .mcpServer: []
        }
    }
}

/// A rule: when its conditions hold for a command (and its `unless` conditions do not), it
/// contributes its decision. Among matching rules deny beats ask beats allow.
public struct Rule: Sendable, Hashable {
    public var id: String
    public var decision: Verdict
    public var reason: String
    public var when: Condition
    public var unless: Condition?
    /// What the agent could do instead, shown with a deny.
    public var suggestion: String?
    public var approval: ApprovalRequirement?
    /// How often the rule may decide before its commands get `limit.then` instead.
    public var limit: RateLimit?
    /// The most rows one statement it decides may change (`max_rows`): a door that can count
    /// (the PostgreSQL proxy) runs such a statement in a transaction and rolls it back past
    /// the cap. Statements that change no rows are not capped.
    public var maxRows: Int?
    public var examples: RuleExamples
    /// The line in the policy file where the rule starts, for messages.
    public var line: Int?

    public init(
        id: String,
        decision: Verdict,
        reason: String,
        when: Condition,
        unless: Condition? = nil,
        suggestion: String? = nil,
        approval: ApprovalRequirement? = nil,
        limit: RateLimit? = nil,
        maxRows: Int? = nil,
        examples: RuleExamples = RuleExamples(),
        line: Int? = nil
    ) {
        self.id = id
        self.decision = decision
        self.reason = reason
        self.when = when
        self.unless = unless
        self.suggestion = suggestion
        self.approval = approval
        self.limit = limit
        self.maxRows = maxRows
        self.examples = examples
        self.line = line
    }
}

/// How many people must approve an `ask`, and how long a request stays open.
public struct ApprovalRequirement: Sendable, Hashable {
    public var approvers: Int
    /// Seconds.
    public var expires: Int
    /// `airlock` (out-of-band approval bound to the action) or `host` (the agent UI's prompt).
    public var via: String?

    public init(approvers: Int = 1, expires: Int = 15 * 60, via: String? = nil) {
        self.approvers = approvers
        self.expires = expires
        self.via = via
    }
}

/// Command lines a rule's author expects to be allowed, asked about or denied by the whole
/// policy. `airlock policy test` proves them.
public struct RuleExamples: Sendable, Hashable {
    public var allow: [String]
    public var ask: [String]
    public var deny: [String]

    public init(allow: [String] = [], ask: [String] = [], deny: [String] = []) {
        self.allow = allow
        self.ask = ask
        self.deny = deny
    }

    public var all: [(expected: Verdict, command: String)] {
        allow.map { (.allow, $0) } + ask.map { (.ask, $0) } + deny.map { (.deny, $0) }
    }
}

/// Conditions on a command; every condition present must hold, and a list holds when any of
/// its entries matches. An empty condition matches every command.
public struct Condition: Sendable, Hashable {
    /// Program names, globs allowed (`mkfs*`).
    public var binaries: [String]?
    /// Subcommands, globs allowed (`db:*`, `delete`).
    public var subcommands: [String]?
    /// Globs of which at least one must match at least one argument (`--force*`).
    public var args: [String]?
    public var environments: [String]?
    public var effects: [EffectClass]?
    /// Agent identities, globs allowed; a command with no known agent matches `unknown`.
    public var agents: [String]?
    public var users: [String]?
    /// Path patterns in gitignore style: `**` spans directories, a leading `!` excludes;
    /// `~`, `$AIRLOCK_HOME` and `{cwd}` expand. Holds when a path the command touches matches.
    public var paths: [String]?
    /// With `paths`: only paths the command accesses this way count (`write` ignores reads).
    public var pathAccess: PathAccess.Mode?
    /// Git branches (globs) a push changes.
    public var branches: [String]?
    public var interactive: Bool?
    /// Conditions on the SQL statement the command carries; a command without one never matches.
    public var sql: SQLCondition?
    /// Tool names, globs allowed, case-sensitive (`WebFetch`, `mcp__github__*`). Holds only for
    /// commands of a tool call (`AnalyzedCommand.tool`); shell commands and file actions never match.
    public var tools: [String]?

    public init(
        binaries: [String]? = nil,
        subcommands: [String]? = nil,
        args: [String]? = nil,
        environments: [String]? = nil,
        effects: [EffectClass]? = nil,
        agents: [String]? = nil,
        users: [String]? = nil,
        paths: [String]? = nil,
        pathAccess: PathAccess.Mode? = nil,
        branches: [String]? = nil,
        interactive: Bool? = nil,
        sql: SQLCondition? = nil,
        tools: [String]? = nil
    ) {
        self.binaries = binaries
        self.subcommands = subcommands
        self.args = args
        self.environments = environments
        self.effects = effects
        self.agents = agents
        self.users = users
        self.paths = paths
        self.pathAccess = pathAccess
        self.branches = branches
        self.interactive = interactive
        self.sql = sql
        self.tools = tools
    }

    /// The list-valued conditions with their policy-file keys, in the order files, the
    /// compiled cache, lint and audit records all write them.
    public var namedLists: [(key: String, values: [String]?)] {
        [
            ("binary", binaries), ("subcommand", subcommands), ("args", args), ("environment", environments),
            ("effect_class", effects?.map(\.rawValue)), ("agent", agents), ("user", users), ("path", paths), ("branch", branches),
            ("tool", tools),
        ]
    }

    /// `namedLists` followed by the `sql:` lists as `sql.class`, `sql.tables`, … (for one-line
    /// summaries and lint).
    public var flatNamedLists: [(key: String, values: [String]?)] {
        namedLists + (sql?.namedLists.map { ("sql." + $0.key, $0.values) } ?? [])
    }

    public var isEmpty: Bool {
        binaries == nil && subcommands == nil && args == nil && environments == nil && effects == nil
            && agents == nil && users == nil && paths == nil && pathAccess == nil && branches == nil && interactive == nil && sql == nil
            && tools == nil
    }
}

/// Conditions on one SQL statement: its class, the tables it touches, its command tag and its
/// flags. Every list present must match.
///
/// Table lists are read in the direction that fails closed: in a rule that denies or asks, a
/// statement matches when **any** table it touches matches; in a rule that allows, and in any
/// `unless`, only when **every** table matches (and it touches at least one), so
/// `WITH d AS (DELETE FROM users …) DELETE FROM sessions` is not excused by an exception for
/// `sessions`.
public struct SQLCondition: Sendable, Hashable {
    public var classes: [SQLClass]?
    /// Globs over table names, case-insensitive. `sessions` matches the table in any schema;
    /// `public.sessions` matches it qualified, or unqualified (the server's search path decides).
    public var tables: [String]?
    /// Command tags, globs allowed, case-insensitive (`DELETE`, `DROP *`, `ALTER TABLE`).
    public var kinds: [String]?
    /// Holds when the statement has any of these flags.
    public var flags: [SQLFlag]?

    public init(classes: [SQLClass]? = nil, tables: [String]? = nil, kinds: [String]? = nil, flags: [SQLFlag]? = nil) {
        self.classes = classes
        self.tables = tables
        self.kinds = kinds
        self.flags = flags
    }

    public var isEmpty: Bool { classes == nil && tables == nil && kinds == nil && flags == nil }

    /// The lists with their keys inside `sql:`, in the order they are written.
    public var namedLists: [(key: String, values: [String]?)] {
        [("class", classes?.map(\.rawValue)), ("tables", tables), ("kinds", kinds), ("flags", flags?.map(\.rawValue))]
    }
}
