import AirlockCore

/// What a host's hook call asks about, in Airlock's terms.
public struct HookCall: Sendable, Hashable {
    public var action: Action
    /// `claude:<session id>`, `cursor:<conversation id>`: host and session, so freezes, limits
    /// and approvals are kept per agent session and rules can match `claude*`.
    public var agent: String
    public var session: String?
    public var workingDirectory: String
    /// The host's event (`PreToolUse`, `beforeShellExecution`, …), echoed in the answer.
    public var event: String
}

/// Why a hook's input could not be read. Every one of these is a deny naming the cause.
public struct HookInputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads each host's documented input into a `HookCall`. Pure: bytes in, call or error out.
/// Unknown extra fields are ignored; a field the contract requires that is missing, of the
/// wrong type, or given twice is an error (the host's own parser would have taken one of the
/// two copies, and Airlock cannot know which).
public enum HookInput {
    /// The largest input read (a 1 MB command is legitimate; beyond this it is refused).
    public static let maxBytes = 8 << 20

    public static func parse(_ bytes: [UInt8], host: HookHost) throws(HookInputError) -> HookCall {
        guard !bytes.isEmpty else { throw HookInputError("no input on stdin: \(host.productName) sends the tool call as JSON") }
        guard bytes.count <= maxBytes else { throw HookInputError("the input is \(bytes.count) bytes, more than Airlock reads (\(maxBytes))") }
        guard let root = JSONReader.parse(bytes) else { throw HookInputError("the input is not valid JSON (\(bytes.count) bytes, truncated or malformed)") }
        let object = try Fields(root, place: "the input")
        switch host {
        case .claude, .codex: return try preToolUse(object, host: host)
        case .cursor: return try cursor(object)
        case .gemini: return try gemini(object)
        }
    }

    // MARK: Claude Code and Codex CLI: PreToolUse

    static func preToolUse(_ input: Fields, host: HookHost) throws(HookInputError) -> HookCall {
        let session = try input.string("session_id")
        let cwd = try input.string("cwd")
        let event = try input.optionalString("hook_event_name") ?? "PreToolUse"
        guard event == "PreToolUse" else { throw HookInputError("hook_event_name is '\(event)'; install Airlock as a PreToolUse hook") }
        let name = try input.string("tool_name")
        let toolInput = try input.object("tool_input")
        let action: Action
        switch name {
        case "Bash", "shell", "local_shell", "exec_command", "container.exec":
            action = try shellAction(toolInput, key: "command")
        case "Read":
            action = .file(path: try toolInput.string("file_path"), access: .read)
        case "Write", "Edit", "MultiEdit":
            action = .file(path: try toolInput.string("file_path"), access: .write)
        case "NotebookEdit":
            action = .file(path: try toolInput.string("notebook_path"), access: .write)
        case "apply_patch":
            action = try patchAction(toolInput)
        default:
            action = .tool(toolCall(name: name, input: toolInput, location: nil))
        }
        return HookCall(action: action, agent: "\(host.rawValue):\(session)", session: session, workingDirectory: cwd, event: event)
    }

    // MARK: Cursor

    static func cursor(_ input: Fields) throws(HookInputError) -> HookCall {
        let conversation = try input.string("conversation_id")
        let event = try input.string("hook_event_name")
        let roots = try input.optionalStrings("workspace_roots") ?? []
        let action: Action
        var cwd = roots.first
        switch event {
        case "beforeShellExecution":
            let command = try input.string("command")
            guard !command.isEmpty else { throw HookInputError("'command' is empty") }
            action = .shell(command)
            if let given = try input.optionalString("cwd") { cwd = given }
        case "beforeMCPExecution":
            let name = try input.string("tool_name")
            // An object, or (some versions) a JSON string holding one.
            let arguments: Fields
            if case .string? = input["tool_input"], let text = try input.optionalString("tool_input") {
                guard let parsed = JSONReader.parse(Array(text.utf8)) else { throw HookInputError("'tool_input' is a string that is not JSON") }
                arguments = try Fields(parsed, place: "tool_input")
            } else {
                arguments = try input.object("tool_input")
            }
            var location = try input.optionalString("url")
            if location == nil { location = try input.optionalString("command") }
            let server = try input.optionalString("server_name")
            var call = toolCall(name: name.hasPrefix("mcp__") ? name : mcpName(server: server, tool: name), input: arguments, location: location)
            if call.server == nil {
                // Cursor names the tool alone; the server is known only by where it runs (its
                // `url` or `command`). It is still an MCP call: SQL in its arguments is classified
                // and its location placed in an environment, as for a named server.
                call.server = location ?? EnvironmentResolver.unknown
                call.tool = name
            }
            action = .tool(call)
        case "beforeReadFile":
            action = .file(path: try input.string("file_path"), access: .read)
        default:
            throw HookInputError("hook_event_name '\(event)' is not one Airlock answers (beforeShellExecution, beforeMCPExecution, beforeReadFile)")
        }
        guard let cwd, !cwd.isEmpty else { throw HookInputError("neither 'cwd' nor 'workspace_roots' says where the command runs") }
        return HookCall(action: action, agent: "cursor:\(conversation)", session: conversation, workingDirectory: cwd, event: event)
    }

    static func mcpName(server: String?, tool: String) -> String {
        guard let server, !server.isEmpty else { return tool }
        return "mcp__\(server)__\(tool)"
    }

    // MARK: Gemini CLI: BeforeTool

    static func gemini(_ input: Fields) throws(HookInputError) -> HookCall {
        let session = try input.string("session_id")
        let cwd = try input.string("cwd")
        let event = try input.optionalString("hook_event_name") ?? "BeforeTool"
        guard event == "BeforeTool" else { throw HookInputError("hook_event_name is '\(event)'; install Airlock as a BeforeTool hook") }
        let name = try input.string("tool_name")
        let toolInput = try input.object("tool_input")
        let action: Action
        switch name {
        case "run_shell_command":
            action = try shellAction(toolInput, key: "command")
        case "read_file":
            action = .file(path: try either(toolInput, "absolute_path", "file_path"), access: .read)
        case "write_file", "replace", "edit":
            action = .file(path: try either(toolInput, "file_path", "absolute_path"), access: .write)
        default:
            action = .tool(toolCall(name: name, input: toolInput, location: nil))
        }
        return HookCall(action: action, agent: "gemini:\(session)", session: session, workingDirectory: cwd, event: event)
    }

    // MARK: Codex's apply_patch

    /// Codex's `apply_patch` as the file writes it makes. Its patch (in `input`, `patch` or
    /// `command`) names each file on a header line (`*** Add File: P`, `*** Update File: P`,
    /// `*** Delete File: P`, `*** Move to: P`; unified diffs: `--- a/P`, `+++ b/P`). One file is a file
    /// write like `Edit`; several are judged as the equivalent `tee` and `rm`, so the same path
    /// rules decide. A patch naming no file is refused: it cannot be judged.
    static func patchAction(_ input: Fields) throws(HookInputError) -> Action {
        var text: String?
        for key in ["input", "patch", "command"] where text == nil {
            switch input[key] {
            case .string(let value)?: text = value
            case .array(let items)?: text = items.compactMap { if case .string(let item) = $0 { item } else { nil } }.joined(separator: "\n")
            default: break
            }
        }
        guard let text else { throw HookInputError("apply_patch carries no patch in 'input', 'patch' or 'command'") }
        let (written, deleted) = patchedFiles(text)
        if written.count == 1, deleted.isEmpty, let path = written.first { return .file(path: path, access: .write) }
        guard !written.isEmpty || !deleted.isEmpty else { throw HookInputError("apply_patch names no file Airlock can read from its patch") }
        var parts: [String] = []
        if !written.isEmpty { parts.append((["tee", "--"] + written.map(ShellQuoting.quoteIfNeeded)).joined(separator: " ") + " </dev/null >/dev/null") }
        if !deleted.isEmpty { parts.append((["rm", "-f", "--"] + deleted.map(ShellQuoting.quoteIfNeeded)).joined(separator: " ")) }
        return .shell(parts.joined(separator: "; "))
    }

    /// The files a patch writes and deletes, in order, each once.
    static func patchedFiles(_ patch: String) -> (written: [String], deleted: [String]) {
        var written: [String] = [], deleted: [String] = []
        for line in patch.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            // A unified diff names the old file (`--- a/P`) and the new (`+++ b/P`); either may be
            // /dev/null. Both count: a diff that deletes P names it only on its `---` line.
            for (prefix, isDelete) in [("*** Add File: ", false), ("*** Update File: ", false), ("*** Move to: ", false), ("*** Delete File: ", true), ("+++ ", false), ("--- ", false)] where line.hasPrefix(prefix) {
                var path = String(line.dropFirst(prefix.count)).trimmingSpaces()
                if prefix == "+++ " || prefix == "--- " {
                    if path == "/dev/null" { break }
                    if path.hasPrefix("a/") || path.hasPrefix("b/") { path = String(path.dropFirst(2)) }
                    if let tab = path.firstIndex(of: "\t") { path = String(path[..<tab]) }
                }
                guard !path.isEmpty else { break }
                if isDelete { if !deleted.contains(path) { deleted.append(path) } } else if !written.contains(path) { written.append(path) }
                break
            }
        }
        return (written, deleted)
    }

    // MARK: Shared

    /// The first of two spellings a host uses for one field.
    static func either(_ input: Fields, _ first: String, _ second: String) throws(HookInputError) -> String {
        if let value = try input.optionalString(first) { return value }
        return try input.string(second)
    }

    /// A shell tool's command: a command line, or (Codex) an argv array.
    static func shellAction(_ input: Fields, key: String) throws(HookInputError) -> Action {
        switch input[key] {
        case .string(let line)?:
            guard !line.isEmpty else { throw HookInputError("'\(key)' is empty") }
            guard !line.utf8.contains(0) else { throw HookInputError("'\(key)' contains a NUL byte") }
            return .shell(line)
        case .array(let items)?:
            var argv: [String] = []
            for item in items {
                guard case .string(let word) = item else { throw HookInputError("'\(key)' must be a string or an array of strings") }
                guard !word.utf8.contains(0) else { throw HookInputError("'\(key)' contains a NUL byte") }
                argv.append(word)
            }
            guard !argv.isEmpty else { throw HookInputError("'\(key)' is an empty array") }
            // `["bash", "-lc", "LINE"]` is how Codex runs a command line.
            if argv.count == 3, ["bash", "sh", "zsh"].contains(argv[0]), argv[1] == "-lc" || argv[1] == "-c" { return .shell(argv[2]) }
            return .exec(argv)
        case nil: throw HookInputError("'\(key)' is missing from tool_input")
        default: throw HookInputError("'\(key)' must be a string or an array of strings")
        }
    }

    static func toolCall(name: String, input: Fields, location: String?) -> ToolCall {
        let parts = ToolCall.mcpParts(name)
        let arguments = input.members.map { key, value -> ToolArgument in
            if case .string(let text) = value { return ToolArgument(key: key, value: text) }
            return ToolArgument(key: key, value: value.jsonText, isString: false)
        }
        return ToolCall(name: name, server: parts?.server, tool: parts?.tool, arguments: arguments, serverLocation: location)
    }
}

/// A JSON object's members with the checks the hook contracts need.
struct Fields {
    let members: [(key: String, value: JSONReader.Value)]
    let place: String

    init(_ value: JSONReader.Value, place: String) throws(HookInputError) {
        guard case .object(let members) = value else { throw HookInputError("\(place) must be a JSON object") }
        // Hosts send a handful of keys: compare them pairwise. Only an object with many keys
        // (an MCP tool's arguments can be anything) pays for a hash set.
        if members.count <= 16 {
            for (index, member) in members.enumerated() where members[..<index].contains(where: { $0.key == member.key }) {
                throw HookInputError("\(place) has '\(member.key)' twice; Airlock cannot know which one the host used")
            }
        } else {
            var seen: Set<String> = []
            for member in members where !seen.insert(member.key).inserted {
                throw HookInputError("\(place) has '\(member.key)' twice; Airlock cannot know which one the host used")
            }
        }
        self.members = members
        self.place = place
    }

    subscript(key: String) -> JSONReader.Value? { members.first { $0.key == key }?.value }

    func string(_ key: String) throws(HookInputError) -> String {
        guard let value = try optionalString(key) else { throw HookInputError("'\(key)' is missing from \(place)") }
        return value
    }

    func optionalString(_ key: String) throws(HookInputError) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard !text.utf8.contains(0) else { throw HookInputError("'\(key)' contains a NUL byte") }
            return text
        default: throw HookInputError("'\(key)' in \(place) must be a string")
        }
    }

    func optionalStrings(_ key: String) throws(HookInputError) -> [String]? {
        switch self[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw HookInputError("'\(key)' in \(place) must be an array of strings") }
                strings.append(text)
            }
            return strings
        default: throw HookInputError("'\(key)' in \(place) must be an array of strings")
        }
    }

    func object(_ key: String) throws(HookInputError) -> Fields {
        guard let value = self[key] else { throw HookInputError("'\(key)' is missing from \(place)") }
        return try Fields(value, place: key)
    }
}
