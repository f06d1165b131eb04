import AirlockCore
import AirlockSQL
import Testing

/// The agent hosts' own tools: file tools are judged by the same path rules as shell commands,
/// MCP and other tool calls by the SQL or command line in their arguments, their targets and
/// their names.
@Suite("Agent file and tool actions")
struct AgentToolTests {
    static func check(_ action: Action, policy: Policy = DefaultPolicy.policy) -> (analysis: Analysis, decision: Decision) {
        Checker(policy: policy, files: InMemoryFiles(World.files)).check(action, context: World.context())
    }

    static func decide(_ action: Action, policy: Policy = DefaultPolicy.policy) -> Decision {
        check(action, policy: policy).decision
    }

    static func mcp(_ name: String, _ arguments: [String: String], location: String? = nil) -> Action {
        .tool(ToolCall(name: name, arguments: arguments.sorted { $0.key < $1.key }.map { ToolArgument(key: $0.key, value: $0.value) }, serverLocation: location))
    }

    // MARK: File tools

    struct FileCase: CustomTestStringConvertible, Sendable {
        var path: String
        var access: PathAccess.Mode
        var verdict: Verdict
        var rule: String?
        var testDescription: String { "\(verdict.rawValue): \(access.rawValue) \(path)" }
    }

    @Test("file tools meet the path rules", arguments: [
        FileCase(path: "/home/dev/.airlock/policy.yaml", access: .write, verdict: .deny, rule: "airlock-home-is-read-only"),
        FileCase(path: "~/.airlock/policy.yaml", access: .write, verdict: .deny, rule: "airlock-home-is-read-only"),
        FileCase(path: "../.airlock/policy.yaml", access: .write, verdict: .deny, rule: "airlock-home-is-read-only"),
        FileCase(path: "~/.airlock/policy.yaml", access: .read, verdict: .allow),
        FileCase(path: "~/.airlock/keys/audit.key", access: .read, verdict: .deny, rule: "airlock-keys-are-secret"),
        FileCase(path: "~/.airlock/keys/audit.pub", access: .read, verdict: .allow),
        FileCase(path: "~/.aws/credentials", access: .read, verdict: .ask, rule: "credential-stores"),
        FileCase(path: "~/.ssh/id_ed25519", access: .read, verdict: .ask, rule: "credential-stores"),
        FileCase(path: "src/main.swift", access: .read, verdict: .allow),
        FileCase(path: "src/main.swift", access: .write, verdict: .allow),
        FileCase(path: ".env", access: .read, verdict: .allow),
        FileCase(path: "/etc/passwd", access: .read, verdict: .allow),
    ])
    func fileTools(_ c: FileCase) {
        let decision = Self.decide(.file(path: c.path, access: c.access))
        #expect(decision.verdict == c.verdict, "\(decision.rule.id): \(decision.reason)")
        if let rule = c.rule { #expect(decision.rule.id == rule) }
    }

    @Test("a file tool gets the verdict of the same write through the shell", arguments: [
        ("~/.airlock/policy.yaml", "echo x > ~/.airlock/policy.yaml"),
        ("/etc/passwd", "echo x > /etc/passwd"),
        ("~/.ssh/authorized_keys", "echo x | tee ~/.ssh/authorized_keys"),
        ("/dev/sda", "echo x > /dev/sda"),
        ("notes.txt", "echo x > notes.txt"),
        ("/opt/app/config", "echo x | tee /opt/app/config"),
    ])
    func sameAsShell(_ path: String, _ line: String) {
        let file = Self.decide(.file(path: path, access: .write))
        let shell = World.decide(line)
        #expect(file.verdict == shell.verdict, "\(path): file \(file.rule.id), shell \(shell.rule.id)")
        #expect(file.rule.id == shell.rule.id)
    }

    @Test func fileCommandShape() {
        let analysis = Self.check(.file(path: "~/notes/../todo.md", access: .write)).analysis
        #expect(analysis.problems.isEmpty)
        #expect(analysis.commands.count == 1)
        let command = analysis.commands[0]
        #expect(command.binary == "write-file")
        #expect(command.effect == .write)
        #expect(command.paths == [PathAccess("/home/dev/todo.md", .write)])
        #expect(command.tool == nil)
        #expect(Self.check(.file(path: "a.txt", access: .read)).analysis.commands.first?.binary == "read-file")
    }

    // MARK: MCP: SQL in arguments

    @Test func mcpSQLInProduction() {
        let drop = Self.decide(Self.mcp("mcp__postgres-prod__query", ["sql": "DROP TABLE users"]))
        #expect(drop.verdict == .deny)
        #expect(drop.rule.id == "no-destruction-in-production")

        #expect(Self.decide(Self.mcp("mcp__postgres-prod__query", ["sql": "SELECT * FROM users WHERE id = 1"])).verdict == .allow)

        let update = Self.decide(Self.mcp("mcp__postgres-prod__query", ["sql": "UPDATE users SET plan = 'pro' WHERE id = 42"]))
        #expect(update.verdict == .ask)
        #expect(update.rule.id == "production-writes-need-approval")
    }

    @Test func mcpHiddenWritableCTE() {
        let (analysis, decision) = Self.check(Self.mcp("mcp__prod-db__run_query", ["query": "WITH gone AS (DELETE FROM users RETURNING *) SELECT count(*) FROM gone"]))
        #expect(analysis.commands.count == 1)
        #expect(analysis.commands[0].effect != .read)
        #expect(analysis.commands[0].sql != nil)
        #expect(decision.verdict != .allow)
    }

    @Test func mcpSQLCommandShape() {
        let analysis = Self.check(Self.mcp("mcp__supabase__execute_sql", ["query": "SELECT 1; DELETE FROM sessions"])).analysis
        #expect(analysis.problems.isEmpty)
        #expect(analysis.commands.count == 2)
        for command in analysis.commands {
            #expect(command.binary == "mcp__supabase__execute_sql")
            #expect(command.subcommand == "execute_sql")
            #expect(command.tool == "mcp__supabase__execute_sql")
            #expect(command.targets.contains(Target(.mcpServer, "supabase", source: "MCP server name")))
        }
        #expect(analysis.commands[0].sql?.sqlClass == .read)
        #expect(analysis.commands[1].statements == ["DELETE FROM sessions"])
    }

    @Test func mcpSQLDialects() {
        let mysql = Self.check(Self.mcp("mcp__mysql__query", ["sql": "SELECT `name` FROM t"])).analysis
        #expect(mysql.commands.first?.sql?.sqlClass == .read)
        let postgres = Self.check(Self.mcp("mcp__postgres__query", ["sql": "SELECT `name` FROM t"])).analysis
        #expect(postgres.commands.first?.sql?.sqlClass == .unparseable)
        let sqlite = Self.check(Self.mcp("mcp__sqlite__read_query", ["query": "SELECT 1"])).analysis
        #expect(sqlite.commands.first?.sql?.sqlClass == .read)
    }

    @Test func mcpServerLocation() {
        // An unlabelled server placed in production by its URL's host or connection string.
        let viaURL = Self.decide(Self.mcp("mcp__db__query", ["sql": "DROP TABLE users"], location: "https://prod-db.internal/mcp"))
        #expect(viaURL.rule.id == "no-destruction-in-production")
        let viaCommand = Self.decide(Self.mcp("mcp__pg__query", ["sql": "DROP TABLE users"], location: "npx -y @modelcontextprotocol/server-postgres postgresql://admin@prod-db.internal/app"))
        #expect(viaCommand.rule.id == "no-destruction-in-production")
        // A server nothing places is unknown: destruction there is asked about.
        let unknown = Self.decide(Self.mcp("mcp__postgres__query", ["sql": "DROP TABLE users"]))
        #expect(unknown.verdict == .ask)
        #expect(unknown.rule.id == "staging-destruction-needs-approval")
    }

    // MARK: MCP: shell in arguments

    @Test func mcpShell() {
        let rm = Self.decide(Self.mcp("mcp__shell__run_command", ["command": "rm -rf /"]))
        #expect(rm.verdict == .deny)
        #expect(rm.rule.id == "local-destruction")
        let commander = Self.decide(Self.mcp("mcp__desktop-commander__start_process", ["command": "cd / && rm -rf ~"]))
        #expect(commander.verdict == .deny)
        let ls = Self.check(Self.mcp("mcp__shell__run_command", ["command": "ls -la"]))
        #expect(ls.decision.verdict == .allow)
        #expect(ls.analysis.commands.first?.binary == "ls")
        #expect(ls.analysis.commands.first?.tool == "mcp__shell__run_command")
        #expect(ls.analysis.commands.first?.via == ["mcp__shell__run_command"])
        let unparseable = Self.decide(Self.mcp("mcp__terminal__exec", ["cmd": "echo 'unterminated"]))
        #expect(unparseable.verdict == .deny)
    }

    @Test func mcpShellArgv() {
        let call = ToolCall(name: "mcp__exec__run", arguments: [ToolArgument(key: "command", value: #"["rm", "-rf", "/"]"#, isString: false)])
        #expect(Self.decide(.tool(call)).rule.id == "local-destruction")
        let odd = ToolCall(name: "mcp__exec__run", arguments: [ToolArgument(key: "command", value: "42", isString: false)])
        #expect(Self.check(.tool(odd)).analysis.commands.first?.effect == .opaque)
    }

    // MARK: Other tools

    @Test func webFetch() {
        let (analysis, decision) = Self.check(Self.mcp("WebFetch", ["url": "https://docs.example.com/guide", "prompt": "summarise"]))
        #expect(decision.verdict == .allow)
        #expect(analysis.commands.count == 1)
        #expect(analysis.commands[0].binary == "WebFetch")
        #expect(analysis.commands[0].effect == .read)
        #expect(analysis.commands[0].targets.map(\.value) == ["docs.example.com"])
        #expect(Self.decide(Self.mcp("WebSearch", ["query": "swift testing"])).verdict == .allow)
    }

    @Test func searchToolsReadTheirPath() {
        let grep = Self.check(Self.mcp("Grep", ["pattern": "secret", "path": "~/.aws"]))
        #expect(grep.analysis.commands.first?.paths == [PathAccess("/home/dev/.aws", .read)])
        #expect(grep.decision.rule.id == "credential-stores")
        #expect(Self.decide(Self.mcp("Glob", ["pattern": "**/*.swift", "path": "src"])).verdict == .allow)
        #expect(Self.decide(Self.mcp("LS", ["path": "/home/dev/.airlock/keys"])).rule.id == "airlock-keys-are-secret")
        let notebook = Self.check(Self.mcp("NotebookEdit", ["notebook_path": "~/.airlock/x.ipynb", "new_source": "1"]))
        #expect(notebook.analysis.commands.first?.effect == .write)
        #expect(notebook.decision.rule.id == "airlock-home-is-read-only")
    }

    @Test("effects from tool names", arguments: [
        ("mcp__github__get_issue", EffectClass.read), ("mcp__github__list_pull_requests", .read), ("mcp__github__search_code", .read),
        ("mcp__linear__getIssue", .read), ("mcp__github__create_issue", .write), ("mcp__github__merge_pull_request", .write),
        ("mcp__github__get_or_create_label", .write), ("mcp__notion__frobnicate", .write), ("TodoWrite", .write), ("Task", .write),
        ("mcp__postgres__list_tables", .read), ("mcp__postgres__query", .read),
    ])
    func nameHeuristic(_ name: String, _ effect: EffectClass) {
        let (analysis, decision) = Self.check(.tool(ToolCall(name: name)))
        #expect(analysis.commands.first?.effect == effect)
        #expect(decision.verdict == .allow)
    }

    @Test func mcpWritesByEnvironment() {
        // The server's name places it; a write in production is asked about, elsewhere allowed.
        #expect(Self.decide(.tool(ToolCall(name: "mcp__vercel-prod__deploy"))).rule.id == "production-writes-need-approval")
        #expect(Self.decide(.tool(ToolCall(name: "mcp__github__create_issue"))).verdict == .allow)
        let filesystem = Self.decide(Self.mcp("mcp__filesystem__write_file", ["path": "/home/dev/.airlock/policy.yaml", "content": "mode: monitor"]))
        #expect(filesystem.rule.id == "airlock-home-is-read-only")
    }

    @Test func hostGivenServerAndTool() {
        let call = ToolCall(name: "query", server: "analytics-prod", tool: "query", arguments: [ToolArgument(key: "sql", value: "TRUNCATE events")])
        #expect(Self.decide(.tool(call)).rule.id == "no-destruction-in-production")
    }

    // MARK: `tool:` rules

    @Test func toolConditions() {
        let policy = Policy(rules: [
            Rule(id: "no-github-writes", decision: .deny, reason: "r", when: Condition(effects: [.write], tools: ["mcp__github__*"])),
            Rule(id: "ask-fetch", decision: .ask, reason: "r", when: Condition(tools: ["WebFetch"])),
            Rule(id: "no-shell-tool", decision: .deny, reason: "r", when: Condition(tools: ["mcp__shell__*"])),
        ])
        #expect(Self.decide(.tool(ToolCall(name: "mcp__github__create_issue")), policy: policy).rule.id == "no-github-writes")
        #expect(Self.decide(.tool(ToolCall(name: "mcp__github__get_issue")), policy: policy).verdict == .allow)
        #expect(Self.decide(.tool(ToolCall(name: "mcp__gitlab__create_issue")), policy: policy).verdict == .allow)
        #expect(Self.decide(Self.mcp("WebFetch", ["url": "https://x.example"]), policy: policy).rule.id == "ask-fetch")
        // Case-sensitive: `webfetch` is another tool.
        #expect(Self.decide(.tool(ToolCall(name: "webfetch")), policy: policy).verdict == .allow)
        // Commands a shell tool runs are the tool's.
        #expect(Self.decide(Self.mcp("mcp__shell__run_command", ["command": "ls"]), policy: policy).rule.id == "no-shell-tool")
        // Shell commands and file actions never match `tool:`.
        let all = Policy(rules: [Rule(id: "all-tools", decision: .deny, reason: "r", when: Condition(tools: ["*"]))])
        #expect(World.decide("WebFetch https://x.example", policy: all).verdict == .allow)
        #expect(Self.decide(.file(path: "a.txt", access: .write), policy: all).verdict == .allow)
        #expect(Self.decide(.tool(ToolCall(name: "Anything")), policy: all).rule.id == "all-tools")
    }

    @Test func toolMismatchIsExplained() {
        let policy = Policy(rules: [Rule(id: "gh", decision: .deny, reason: "r", when: Condition(tools: ["mcp__github__*"]))])
        let shell = Checker(policy: policy).check(.shell("ls"), context: World.context(), explain: true).decision
        let onShell = shell.commands.first?.trace.first { $0.ruleID == "gh" }?.detail ?? ""
        #expect(onShell.contains("not a tool call"))
        let other = Checker(policy: policy).check(.tool(ToolCall(name: "mcp__gitlab__x")), context: World.context(), explain: true).decision
        let onTool = other.commands.first?.trace.first { $0.ruleID == "gh" }?.detail ?? ""
        #expect(onTool.contains("mcp__gitlab__x"))
    }

    // MARK: Malformed input

    @Test("malformed tool and file actions are denied with a reason", arguments: [
        Action.tool(ToolCall(name: "")), .tool(ToolCall(name: "  ")),
        .tool(ToolCall(name: "mcp__x__y\u{0}")),
        .tool(ToolCall(name: "mcp__pg__query", arguments: [ToolArgument(key: "sql", value: "SELECT 1\u{0}; DROP TABLE t")])),
        .tool(ToolCall(name: "mcp__pg__query", arguments: [ToolArgument(key: "sql", value: String(repeating: "a", count: 1 << 20))])),
        .tool(ToolCall(name: "WebFetch", serverLocation: "\u{0}")),
        .file(path: "", access: .write), .file(path: "   ", access: .read), .file(path: "/etc/\u{0}passwd", access: .write),
        .file(path: "/" + String(repeating: "a/", count: 1 << 19), access: .write),
    ])
    func malformed(_ action: Action) {
        let decision = Self.decide(action)
        #expect(decision.verdict == .deny)
        #expect(decision.rule.id == "airlock-unanalysable")
        #expect(!decision.reason.isEmpty)
    }

    @Test func manyArgumentsAreBounded() {
        let arguments = (0..<5000).map { ToolArgument(key: "k\($0)", value: "v") }
        #expect(Self.decide(.tool(ToolCall(name: "mcp__x__get", arguments: arguments))).verdict == .deny)
    }
}
