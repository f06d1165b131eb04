import AirlockCore
import AirlockHooks
import ArgumentParser

/// Where each agent host keeps its settings and what Airlock's entry in them looks like.
extension HookHost: ExpressibleByArgument {
    var displayName: String { productName }

    /// The host's settings file, relative to the home directory or a project root.
    var relativeFile: String {
        switch self {
        case .claude: ".claude/settings.json"
        case .cursor: ".cursor/hooks.json"
        case .codex: ".codex/hooks.json"
        case .gemini: ".gemini/settings.json"
        }
    }

    func userFile(home: String) -> String { home + "/" + relativeFile }
    func projectFile(root: String) -> String { (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/" + relativeFile }

    /// The events Airlock's hook answers, each a key under the file's `hooks` object.
    var events: [String] {
        switch self {
        case .claude, .codex: ["PreToolUse"]
        case .gemini: ["BeforeTool"]
        case .cursor: ["beforeShellExecution", "beforeMCPExecution", "beforeReadFile"]
        }
    }

    /// The tools Airlock's entry matches (a regular expression over tool names), for the hosts
    /// whose entries carry a matcher: shell, file reads and writes, web fetches, every MCP tool.
    var matcher: String? {
        switch self {
        case .claude: "Bash|Read|Write|Edit|MultiEdit|NotebookEdit|WebFetch|mcp__.*"
        case .codex: "Bash|apply_patch|Edit|Write|mcp__.*"
        case .gemini: "run_shell_command|write_file|replace|read_file|read_many_files|web_fetch|mcp__.*"
        case .cursor: nil
        }
    }
}

/// Airlock's entries in an agent host's settings: building them, recognising them, and merging
/// them into (or out of) a settings document without touching anything else in it. Pure: the
/// install command does the reading and writing.
struct HookSettings {
    /// A settings document whose shape Airlock cannot edit safely (e.g. `hooks` is a string).
    struct Problem: Error, CustomStringConvertible, Equatable {
        var description: String
    }

    let host: HookHost
    /// The shell command the host runs, e.g. `AIRLOCK_HOME=/home/ada/.airlock /usr/local/bin/airlock hook claude`.
    let command: String

    /// Seconds a Claude Code or Codex hook may take: a timeout fails open there, so it is
    /// generous enough that a loaded machine does not let a command through.
    static let timeoutSeconds = 30

    init(host: HookHost, command: String) {
        self.host = host
        self.command = command
    }

    /// The hook command for `host`: the `airlock` executable, with `$AIRLOCK_HOME` pinned so an
    /// agent's environment cannot point the hook at another (empty) policy.
    init(host: HookHost, airlockExecutable: String, airlockHome: String) {
        let command = "AIRLOCK_HOME=\(ShellQuoting.quoteIfNeeded(airlockHome)) \(ShellQuoting.quoteIfNeeded(airlockExecutable)) hook \(host.rawValue)"
        self.init(host: host, command: command)
    }

    /// One entry under each of the host's events.
    var entry: SettingsJSON {
        switch host {
        case .claude, .codex:
            return .keyed([
                "matcher": .string(host.matcher ?? ".*"),
                "hooks": .array([.keyed(["type": .string("command"), "command": .string(command), "timeout": .number(String(Self.timeoutSeconds))])]),
            ])
        case .gemini:
            return .keyed([
                "matcher": .string(host.matcher ?? ".*"),
                "hooks": .array([.keyed([
                    "name": .string("airlock"), "type": .string("command"), "command": .string(command),
                    // Gemini counts milliseconds.
                    "timeout": .number(String(Self.timeoutSeconds * 1000)),
                ])]),
            ])
        case .cursor:
            return .keyed(["command": .string(command), "failClosed": .bool(true)])
        }
    }

    // MARK: Merging

    /// `document` with Airlock's entry under each event: an earlier Airlock entry (another path,
    /// another home) is replaced where it stood, everything else is kept as it was.
    func installing(into document: SettingsJSON) throws(Problem) -> SettingsJSON {
        guard var root = document.members.map(SettingsJSON.object) else { throw Problem(description: "the top level is not a JSON object") }
        if host == .cursor, root["version"] == nil {
            root = .object([SettingsJSON.Member(key: "version", value: .number("1"))] + (root.members ?? []))
        }
        var hooks = try Self.hooksObject(in: root) ?? .object([])
        for event in host.events {
            let (kept, first) = Self.strip(try Self.entries(hooks, event), host: host)
            var entries = kept
            entries.insert(entry, at: first ?? entries.count)
            hooks.set(event, .array(entries))
        }
        root.set("hooks", hooks)
        return root
    }

    /// `document` without Airlock's entries for `host`; groups, event lists and a `hooks`
    /// object left empty by that are removed too. Everything else is kept.
    static func uninstalling(from document: SettingsJSON, host: HookHost) throws(Problem) -> SettingsJSON {
        guard var root = document.members.map(SettingsJSON.object) else { throw Problem(description: "the top level is not a JSON object") }
        guard var hooks = try hooksObject(in: root) else { return root }
        for event in host.events where hooks[event] != nil {
            let (kept, first) = strip(try entries(hooks, event), host: host)
            guard first != nil else { continue }
            hooks.set(event, kept.isEmpty ? nil : .array(kept))
        }
        root.set("hooks", hooks.members?.isEmpty == true ? nil : hooks)
        return root
    }

    /// The commands of Airlock's entries for `host` in `document`, in file order.
    static func airlockCommands(in document: SettingsJSON, host: HookHost) -> [String] {
        guard let hooks = document["hooks"] else { return [] }
        var found: [String] = []
        for event in host.events {
            for entry in hooks[event]?.items ?? [] {
                for handler in handlers(of: entry, host: host) {
                    if let command = handler["command"]?.stringValue, isAirlockCommand(command, host: host), !found.contains(command) {
                        found.append(command)
                    }
                }
            }
        }
        return found
    }

    /// Whether a hook command is Airlock's for `host`: after any `NAME=value` assignments (and
    /// an optional `env` or `exec`), it runs an executable named `airlock` with `hook HOST`.
    static func isAirlockCommand(_ command: String, host: HookHost) -> Bool {
        executable(in: command, host: host) != nil
    }

    /// The `airlock` executable an Airlock hook command runs (as written: absolute or a bare name).
    static func executable(in command: String, host: HookHost) -> String? {
        guard var words = shellWords(command)?[...] else { return nil }
        while let first = words.first, isAssignment(first) || first == "env" || first == "exec" { words = words.dropFirst() }
        guard words.count >= 3, let program = words.first, program == "airlock" || program.hasSuffix("/airlock") else { return nil }
        let rest = Array(words.dropFirst())
        return rest[0] == "hook" && rest[1] == host.rawValue ? program : nil
    }

    private static func isAssignment(_ word: String) -> Bool {
        guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return false }
        return word[..<equals].allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    // MARK: Helpers

    private static func hooksObject(in root: SettingsJSON) throws(Problem) -> SettingsJSON? {
        guard let hooks = root["hooks"] else { return nil }
        guard hooks.members != nil else { throw Problem(description: "\"hooks\" is \(kind(hooks)), not an object; fix it by hand, then run install again") }
        return hooks
    }

    private static func entries(_ hooks: SettingsJSON, _ event: String) throws(Problem) -> [SettingsJSON] {
        guard let value = hooks[event] else { return [] }
        guard let items = value.items else {
            throw Problem(description: "\"hooks\".\"\(event)\" is \(kind(value)), not a list; fix it by hand, then run install again")
        }
        return items
    }

    /// The handler objects an event entry holds: the entry itself (Cursor) or its `hooks` list.
    private static func handlers(of entry: SettingsJSON, host: HookHost) -> [SettingsJSON] {
        host == .cursor ? [entry] : entry["hooks"]?.items ?? []
    }

    private static func isAirlockHandler(_ handler: SettingsJSON, host: HookHost) -> Bool {
        handler["command"]?.stringValue.map { isAirlockCommand($0, host: host) } ?? false
    }

    /// Entries without Airlock's handlers, and the position of the first entry that had one.
    private static func strip(_ entries: [SettingsJSON], host: HookHost) -> (kept: [SettingsJSON], first: Int?) {
        var kept: [SettingsJSON] = []
        var first: Int?
        for entry in entries {
            if host == .cursor {
                if isAirlockHandler(entry, host: host) { first = first ?? kept.count } else { kept.append(entry) }
                continue
            }
            guard let handlers = entry["hooks"]?.items else { kept.append(entry); continue }
            let others = handlers.filter { !isAirlockHandler($0, host: host) }
            if others.count == handlers.count { kept.append(entry); continue }
            first = first ?? kept.count
            if !others.isEmpty {
                var trimmed = entry
                trimmed.set("hooks", .array(others))
                kept.append(trimmed)
            }
        }
        return (kept, first)
    }

    private static func kind(_ value: SettingsJSON) -> String {
        switch value {
        case .object: "an object"
        case .array: "a list"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// Splits a command line into words the way sh would for plain words, '…', "…" and \x;
    /// nil when a quote is not closed.
    static func shellWords(_ text: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(word); word = ""; inWord = false }
            case "'":
                inWord = true
                while true {
                    guard let next = iterator.next() else { return nil }
                    if next == "'" { break }
                    word.append(next)
                }
            case "\"":
                inWord = true
                while true {
                    guard let next = iterator.next() else { return nil }
                    if next == "\"" { break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { return nil }
                        if !"\"\\$`".contains(escaped) { word.append("\\") }
                        word.append(escaped)
                    } else {
                        word.append(next)
                    }
                }
            case "\\":
                inWord = true
                if let next = iterator.next() { word.append(next) }
            default:
                inWord = true
                word.append(character)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
