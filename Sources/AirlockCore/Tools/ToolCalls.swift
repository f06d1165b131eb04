import AirlockSQL

/// An agent host's tool call (an MCP tool, `WebFetch`, `Grep`, …) analysed into commands:
///
/// - **binary** is the tool's full name (`mcp__postgres-prod__query`, `WebFetch`), **subcommand**
///   the MCP tool (`query`), **args** the arguments as `key=value`;
/// - **SQL in the arguments** of a database server is classified like psql's (one command per
///   statement, `sql` set); **a command line in the arguments** of a shell tool is analysed
///   like any command line;
/// - **targets** are an MCP server's name (`mcp_server`, placed by environment labels), the host
///   of its URL or of a connection string in its command, and the host of a `url` argument;
/// - otherwise the **effect** comes from the tool's name: `read` only when the name clearly
///   reads (`get_issue`, `list_tables`, `search_code`, `Grep`), `write` for everything else, so
///   the policy decides by tool name and environment (the default policy allows local and
///   unknown writes, and asks about production ones).
enum ToolCalls {
    static func analyze(_ call: ToolCall, session: AnalysisSession, frame: Frame) {
        if let problem = problem(call, limits: session.limits) {
            session.problem(problem)
            return
        }
        let mcp = mcpParts(call)
        let verbName = mcp?.tool ?? call.name
        var targets = mcp.map { serverTargets(server: $0.server, location: call.serverLocation) } ?? []
        for argument in call.arguments where argument.isString && urlKeys.contains(argument.key.lowercased()) {
            if let url = URLParts(argument.value), url.scheme != nil, !url.host.isEmpty {
                targets.append(Target(.host, url.host, source: "\(call.name) \(argument.key)"))
            }
        }
        let remote = call.serverLocation.map(isURL) ?? false
        let invocation = Invocation(
            name: call.name, path: call.name, args: call.arguments.map { Arg("\($0.key)=\($0.value)") },
            environment: EnvironmentView(overrides: [:], base: session.context.environment),
            stdin: .inherited, frame: frame, redirectPaths: [])

        if let mcp {
            // `sql` and `statement(s)` arguments are SQL on any server; `query` and `command`
            // only on a server whose name or location says it is a database.
            let keys = isDatabase(server: mcp.server, location: call.serverLocation) ? sqlKeys : unambiguousSQLKeys
            let sql = call.arguments.filter { keys.contains($0.key.lowercased()) }
            if !sql.isEmpty {
                analyzeSQL(sql, dialect: dialect(server: mcp.server, location: call.serverLocation), tool: mcp.tool, invocation: invocation, targets: targets, session: session)
                return
            }
        }
        if isShell(server: mcp?.server, tool: verbName) {
            let lines = call.arguments.filter { shellKeys.contains($0.key.lowercased()) }
            if !lines.isEmpty {
                analyzeShell(lines, call: call, targets: targets, remote: remote, frame: frame, session: session)
                return
            }
        }

        let effect: EffectClass
        let reason: String
        if let known = knownTools[call.name] {
            (effect, reason) = known
        } else if nameReads(verbName) {
            (effect, reason) = (.read, "the tool's name says it only reads ('\(verbName)')")
        } else {
            (effect, reason) = (.write, "Airlock does not know this tool; its name does not say it only reads, so it is taken as a write")
        }
        // Paths named by the arguments are local files unless the server runs elsewhere.
        var paths: [PathAccess] = []
        if !remote {
            for argument in call.arguments where argument.isString && pathKeys.contains(argument.key.lowercased()) && !argument.value.isEmpty && !argument.value.contains("://") {
                if let access = session.pathAccess(Arg(argument.value), mode: effect == .read ? .read : .write, frame: frame) { paths.append(access) }
            }
        }
        Tools.emit(invocation.command(effect, reason, subcommand: mcp?.tool, targets: targets, paths: paths), invocation, session: session)
    }

    // MARK: Input bounds

    /// Why a tool call cannot be analysed (no name, NUL bytes, too large), or nil.
    static func problem(_ call: ToolCall, limits: AnalysisLimits) -> String? {
        if call.name.trimmingSpaces().isEmpty { return "a tool call with no tool name" }
        var texts = [call.name, call.server ?? "", call.tool ?? "", call.serverLocation ?? ""]
        for argument in call.arguments { texts += [argument.key, argument.value] }
        if texts.contains(where: { $0.utf8.contains(0) }) { return "a tool call containing a NUL byte" }
        let size = texts.reduce(0) { $0 + $1.utf8.count }
        if size > limits.maxLength { return "a tool call of \(size) bytes, longer than the \(limits.maxLength) bytes Airlock analyses" }
        if call.arguments.count > limits.maxCommands { return "a tool call with more than \(limits.maxCommands) arguments" }
        return nil
    }

    /// The MCP server and tool: as the host gave them, or split from `mcp__server__tool`.
    static func mcpParts(_ call: ToolCall) -> (server: String, tool: String)? {
        let split = ToolCall.mcpParts(call.name)
        guard let server = call.server, !server.isEmpty else { return split }
        return (server, call.tool.flatMap { $0.isEmpty ? nil : $0 } ?? split?.tool ?? call.name)
    }

    // MARK: Targets

    /// The server's name as a target environments place by label (`postgres-prod` is
    /// production), and the host of its URL or of any URL in its command line.
    static func serverTargets(server: String, location: String?) -> [Target] {
        var targets = [Target(.mcpServer, server.lowercased(), source: "MCP server name")]
        guard let location else { return targets }
        if isURL(location) {
            if let url = URLParts(location), !url.host.isEmpty { targets.append(Target(.host, url.host, source: "MCP server url")) }
            return targets
        }
        for word in location.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" }) where word.contains("://") {
            if let url = URLParts(String(word)) {
                targets.append(ServiceTarget.forHost(URLParts.percentDecoded(url.host), source: "MCP server command"))
            }
        }
        return targets
    }

    /// A server location that is a URL (a remote server), not a command line.
    static func isURL(_ location: String) -> Bool {
        !location.contains(" ") && location.contains("://")
    }

    // MARK: SQL in arguments

    static let sqlKeys: Set<String> = ["query", "sql", "statement", "statements", "command"]
    static let unambiguousSQLKeys: Set<String> = ["sql", "statement", "statements"]

    /// Words of a server's name or location that say it is a SQL database.
    static let databaseWords: Set<String> = [
        "postgres", "postgresql", "pg", "pgsql", "supabase", "neon", "mysql", "mariadb", "sqlite", "sqlite3", "libsql", "turso",
        "db", "database", "databases", "clickhouse", "cockroach", "cockroachdb", "timescale", "timescaledb", "planetscale",
        "redshift", "sql", "mssql", "sqlserver", "duckdb", "d1", "tidb", "yugabyte", "yugabytedb", "snowflake", "bigquery",
    ]

    static func isDatabase(server: String, location: String?) -> Bool {
        !words(server).isDisjoint(with: databaseWords) || !words(location ?? "").isDisjoint(with: databaseWords)
    }

    /// MySQL for MySQL-family names, SQLite for SQLite-family names, else PostgreSQL.
    static func dialect(server: String, location: String?) -> SQLDialect {
        for text in [server, location ?? ""] {
            let names = words(text)
            if !names.isDisjoint(with: ["mysql", "mariadb", "planetscale", "tidb"]) { return .mysql }
            if !names.isDisjoint(with: ["sqlite", "sqlite3", "libsql", "turso", "d1"]) { return .sqlite }
            if !names.isDisjoint(with: ["postgres", "postgresql", "pg", "pgsql", "supabase", "neon"]) { return .postgres }
        }
        return .postgres
    }

    /// Classifies the SQL arguments like psql's `-c`: one command per statement.
    static func analyzeSQL(_ arguments: [ToolArgument], dialect: SQLDialect, tool: String, invocation: Invocation, targets: [Target], session: AnalysisSession) {
        var texts: [String] = []
        for argument in arguments {
            if argument.isString {
                texts.append(argument.value)
            } else if let strings = stringArray(argument.value) {
                texts += strings
            } else {
                Tools.emit(invocation.command(.opaque, "the SQL argument '\(argument.key)' is not text Airlock can classify", subcommand: tool, targets: targets), invocation, session: session)
                return
            }
        }
        let statements = texts.flatMap { SQLClassifier.classify($0, dialect: dialect) }
        DatabaseClients.emitStatements(statements, invocation: invocation, targets: targets, paths: [], session: session, subcommand: tool)
    }

    // MARK: Shell in arguments

    static let shellKeys: Set<String> = ["command", "cmd", "script", "command_line", "commandline"]
    static let shellServerWords: Set<String> = ["shell", "terminal", "exec", "bash", "zsh", "sh", "commander", "powershell", "pwsh", "cmd"]
    static let shellToolNames: Set<String> = [
        "run_command", "execute_command", "shell", "bash", "run_shell_command", "exec", "execute", "run_terminal_cmd",
        "run_in_terminal", "start_process", "shell_exec", "exec_command", "interact_with_process",
    ]

    static func isShell(server: String?, tool: String) -> Bool {
        shellToolNames.contains(tool.lowercased()) || !words(server ?? "").isDisjoint(with: shellServerWords)
    }

    /// Analyses the command line(s) a shell tool runs: on this machine, in the working directory
    /// the call names (or the agent's), or on the server's host when it is reached by URL.
    static func analyzeShell(_ arguments: [ToolArgument], call: ToolCall, targets: [Target], remote: Bool, frame: Frame, session: AnalysisSession) {
        var inner = frame.entering(call.name)
        if remote {
            inner.remote = true
            inner.cwd = nil
            inner.environment = [:]
            inner.inheritedTargets = targets
        } else if let directory = call.arguments.first(where: { $0.isString && directoryKeys.contains($0.key.lowercased()) && !$0.value.isEmpty }) {
            let base = frame.cwd ?? session.context.workingDirectory
            inner.cwd = Paths.resolve(directory.value, cwd: base, home: session.context.homeDirectory)
        }
        for argument in arguments {
            if argument.isString {
                session.interpret(argument.value, frame: inner, origin: call.name)
            } else if let argv = stringArray(argument.value), !argv.isEmpty {
                session.run(argv.map { Arg($0) }, assignments: [:], stdin: .inherited, redirects: [], frame: inner)
            } else {
                session.emit(AnalyzedCommand(
                    binary: call.name, args: call.arguments.map { "\($0.key)=\($0.value)" }, subcommand: mcpParts(call)?.tool, effect: .opaque,
                    effectReason: "the command argument '\(argument.key)' is neither text nor a list of words", targets: targets, via: frame.via))
            }
        }
    }

    static let directoryKeys: Set<String> = ["cwd", "workdir", "working_directory", "workingdirectory", "dir", "directory"]

    // MARK: Other tools

    /// Tools of the agent hosts whose effect is known.
    static let knownTools: [String: (EffectClass, String)] = [
        "WebFetch": (.read, "WebFetch reads a web page"),
        "WebSearch": (.read, "WebSearch searches the web"),
        "Glob": (.read, "Glob lists file names"),
        "Grep": (.read, "Grep searches file contents"),
        "LS": (.read, "LS lists a directory"),
        "Read": (.read, "Read reads a file"),
        "NotebookRead": (.read, "NotebookRead reads a notebook"),
        "NotebookEdit": (.write, "NotebookEdit changes a notebook"),
        "Write": (.write, "Write writes a file"),
        "Edit": (.write, "Edit changes a file"),
        "MultiEdit": (.write, "MultiEdit changes a file"),
        "TodoWrite": (.write, "TodoWrite updates the agent's task list"),
        "Task": (.write, "Task starts a sub-agent, whose own tool calls are checked one by one"),
    ]

    /// Arguments naming a file or directory the tool reads (or writes, when its effect writes).
    static let pathKeys: Set<String> = [
        "path", "file_path", "filepath", "file", "filename", "notebook_path", "absolute_path", "dir_path", "directory",
        "source", "destination", "target_file", "old_path", "new_path",
    ]
    static let urlKeys: Set<String> = ["url", "uri", "href", "endpoint"]

    /// First words of names that only read.
    static let readVerbs: Set<String> = [
        "get", "list", "search", "read", "query", "find", "fetch", "describe", "show", "view", "lookup", "count",
        "inspect", "explain", "glob", "grep", "ls", "cat", "head", "tail", "stat", "status", "info", "retrieve", "browse",
        "diff", "preview", "download", "web", "check", "whoami", "resolve", "summarize", "analyze",
    ]
    /// Words that make any name a write, wherever they appear (`get_or_create`).
    static let changeWords: Set<String> = [
        "create", "delete", "drop", "update", "write", "push", "merge", "exec", "execute", "run", "remove", "set", "put",
        "post", "send", "insert", "upsert", "add", "edit", "modify", "patch", "move", "rename", "copy", "upload", "deploy",
        "apply", "install", "kill", "stop", "start", "restart", "close", "cancel", "approve", "publish", "commit", "reset",
        "truncate", "destroy", "purge", "wipe", "replace", "save", "import", "invite", "assign", "archive", "revoke",
        "grant", "transfer", "trigger", "dispatch",
    ]

    /// True when a tool's name clearly only reads: its first word is a reading verb and no word
    /// changes anything (`list_tables`, `getIssue`, `search_code`; not `get_or_create_user`).
    static func nameReads(_ name: String) -> Bool {
        let parts = orderedWords(name)
        guard let first = parts.first, readVerbs.contains(first) else { return false }
        return !parts.contains(where: changeWords.contains)
    }

    // MARK: Words

    /// Lower-case words of a name: split on anything not a letter or digit and at camelCase
    /// boundaries (`getIssue` → `get`, `issue`; `server-postgres` → `server`, `postgres`).
    static func orderedWords(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var previousLower = false
        for character in text {
            guard character.isLetter || character.isNumber else {
                if !current.isEmpty { result.append(current.lowercased()) }
                current = ""
                previousLower = false
                continue
            }
            if character.isUppercase && previousLower && !current.isEmpty {
                result.append(current.lowercased())
                current = ""
            }
            current.append(character)
            previousLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { result.append(current.lowercased()) }
        return result
    }

    static func words(_ text: String) -> Set<String> { Set(orderedWords(text)) }

    /// A JSON array of strings (`["ls", "-la"]`), or nil.
    static func stringArray(_ json: String) -> [String]? {
        var reader = JSONReader(Array(json.utf8))
        guard case .array(let items)? = reader.parseValue(depth: 0) else { return nil }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item else { return nil }
            strings.append(text)
        }
        return strings
    }
}
