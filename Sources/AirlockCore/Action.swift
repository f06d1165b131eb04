/// What an agent asked to do, as a door received it. Every door (check, hooks, proxy, MCP,
/// sandbox) translates its input into an `Action` and hands it to the same analysis and policy.
public enum Action: Sendable, Hashable {
    /// A command line for a shell (`psql -h prod-db -c "DROP TABLE x" && echo done`).
    case shell(String)
    /// The argv of one program, with no shell in between (`["git", "push", "--force"]`).
    case exec([String])

    /// The action as a person would read it in a message.
    public var displayText: String {
        switch self {
        case .shell(let line): return line
        case .exec(let argv): return argv.map(ShellQuoting.quoteIfNeeded).joined(separator: " ")
        }
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
