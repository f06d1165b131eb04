import AirlockSQL

/// What an agent asked to do, as a door received it. Every door (check, hooks, proxy, MCP,
/// sandbox) translates its input into an `Action` and hands it to the same analysis and policy.
public enum Action: Sendable, Hashable {
    /// A command line for a shell (`psql -h prod-db -c "DROP TABLE x" && echo done`).
    case shell(String)
    /// The argv of one program, with no shell in between (`["git", "push", "--force"]`).
    case exec([String])
    /// An agent's file tool reading or writing one path (Claude Code's `Read`, `Write`, `Edit`,
    /// `MultiEdit`; Cursor's `beforeReadFile`). The path is absolute or relative to the
    /// context's working directory.
    case file(path: String, access: PathAccess.Mode)
    /// Any other tool call of an agent host: an MCP tool (`mcp__postgres__query`), `WebFetch`,
    /// or a tool Airlock has no knowledge of, with its arguments.
    case tool(ToolCall)
    /// SQL a database door received on the wire (the PostgreSQL proxy), for one database whose
    /// environment the door's configuration declares.
    case sql(SQLRequest)

    /// The action as a person would read it in a message.
    public var displayText: String {
        switch self {
        case .shell(let line): return line
        case .exec(let argv): return argv.map(ShellQuoting.quoteIfNeeded).joined(separator: " ")
        case .file(let path, let access): return "\(access == .write ? "write" : "read") \(path)"
        case .tool(let call): return call.displayText
        case .sql(let request): return request.text
        }
    }
}

/// SQL sent to a database through a door that knows which database it is: the proxy's upstream,
/// whose environment comes from configuration, not from guessing at its host name.
public struct SQLRequest: Sendable, Hashable {
    /// The SQL as the client sent it (one message: several statements for a simple query).
    public var text: String
    public var dialect: SQLDialect
    /// The database's name in Airlock's configuration (the upstream, `app-prod`).
    public var database: String
    /// Where it runs (`10.0.0.5:5432`), for explanations and approvals.
    public var location: String
    /// The environment the configuration places the database in.
    public var environment: String
    /// The statements already classified, when the door caches classifications (the proxy
    /// classifies a prepared statement once); nil to classify `text` here.
    public var statements: [SQLStatement]?

    public init(text: String, dialect: SQLDialect = .postgres, database: String, location: String, environment: String, statements: [SQLStatement]? = nil) {
        self.text = text
        self.dialect = dialect
        self.database = database
        self.location = location
        self.environment = environment
        self.statements = statements
    }
}

/// A tool call as an agent host reports it: the tool's name, the MCP server and tool when it is
/// one, and its arguments as the host sent them (a JSON object's top-level members, values as
/// JSON text; strings are kept unquoted so SQL and command lines inside them can be analysed).
public struct ToolCall: Sendable, Hashable {
    /// The host's name for the tool (`mcp__postgres__query`, `WebFetch`, `run_shell_command`).
    public var name: String
    /// For an MCP tool: the server's name (`postgres`) and the tool's (`query`).
    public var server: String?
    public var tool: String?
    /// Top-level arguments in the order sent; string values unquoted, anything else as JSON text.
    public var arguments: [ToolArgument]
    /// Where the server runs, when the host says (an MCP server's `url`, or its `command`).
    public var serverLocation: String?

    public init(name: String, server: String? = nil, tool: String? = nil, arguments: [ToolArgument] = [], serverLocation: String? = nil) {
        self.name = name
        self.server = server
        self.tool = tool
        self.arguments = arguments
        self.serverLocation = serverLocation
    }

    /// `mcp__postgres__query {"sql": "DELETE …"}`, shortened.
    public var displayText: String {
        let shown = arguments.map { "\($0.key)=\($0.value.count > 200 ? String($0.value.prefix(200)) + "…" : $0.value)" }
        return ([name] + shown).joined(separator: " ")
    }

    /// The agent hosts' own tools Airlock knows by name (`WebFetch`, `Grep`, `NotebookEdit`, …).
    public static let knownHostTools: [String] = ToolCalls.knownTools.keys.sorted()

    /// `mcp__server__tool` split into server and tool; nil for other names.
    public static func mcpParts(_ name: String) -> (server: String, tool: String)? {
        guard name.hasPrefix("mcp__") else { return nil }
        let rest = Array(name.dropFirst(5))
        guard let index = rest.indices.dropLast().first(where: { rest[$0] == "_" && rest[$0 + 1] == "_" }) else { return nil }
        let server = String(rest[..<index]), tool = String(rest[(index + 2)...])
        return server.isEmpty || tool.isEmpty ? nil : (server, tool)
    }
}

/// One top-level argument of a tool call.
public struct ToolArgument: Sendable, Hashable {
    public var key: String
    /// A string argument's text, or any other value as JSON text.
    public var value: String
    public var isString: Bool

    public init(key: String, value: String, isString: Bool = true) {
        self.key = key
        self.value = value
        self.isString = isString
    }
}

/// Who asked, from where, with what environment. Doors fill it from what they know; nothing in
/// it can loosen policy (environment variables only help locate targets).
public struct Context: Sendable, Hashable {
    /// The agent's identity (`claude`, `cursor:session-42`), if the door knows it.
    public var agent: String?
    /// The agent's session or conversation, if the door knows it (for `limit` by session).
    public var session: String?
    /// The OS user the agent runs as.
    public var user: String
    /// The directory the command runs in (absolute).
    public var workingDirectory: String
    /// The home directory `~` refers to.
    public var homeDirectory: String
    /// Airlock's own directory (policy, state, keys), which agents must not write.
    public var airlockHome: String
    /// Directories whose contents are disposable (`/tmp`, `$TMPDIR`).
    public var temporaryDirectories: [String]
    /// The environment the command would run with.
    public var environment: [String: String]

    public init(
        agent: String? = nil,
        session: String? = nil,
        user: String,
        workingDirectory: String,
        homeDirectory: String,
        airlockHome: String? = nil,
        temporaryDirectories: [String] = ["/tmp", "/var/tmp", "/dev/shm"],
        environment: [String: String] = [:]
    ) {
        self.agent = agent
        self.session = session
        self.user = user
        self.workingDirectory = Paths.normalize(workingDirectory, relativeTo: "/")
        self.homeDirectory = Paths.normalize(homeDirectory, relativeTo: "/")
        self.airlockHome = Paths.normalize(airlockHome ?? (homeDirectory + "/.airlock"), relativeTo: "/")
        var temps = temporaryDirectories
        if let tmp = environment["TMPDIR"], tmp.hasPrefix("/") { temps.append(Paths.normalize(tmp, relativeTo: "/")) }
        self.temporaryDirectories = temps
        self.environment = environment
    }
}

/// Read-only access to files the analysis may consult (`package.json`, `.env`, kubeconfig,
/// `.terraform/environment`, `.git/HEAD`, SQL files). Injected so analysis stays pure: the CLI
/// passes the real file system, tests pass a dictionary.
public protocol FileSource: Sendable {
    /// The file's text, or nil when it does not exist, is unreadable or too large.
    func contents(of absolutePath: String) -> String?
}

/// A `FileSource` over a fixed set of files, for tests and for callers that have no disk.
public struct InMemoryFiles: FileSource {
    public var files: [String: String]
    public init(_ files: [String: String] = [:]) { self.files = files }
    public func contents(of absolutePath: String) -> String? { files[absolutePath] }
}
