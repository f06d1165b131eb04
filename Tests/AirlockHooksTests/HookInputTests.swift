import Foundation
import AirlockCore
import AirlockHooks
import Testing

/// Fixtures built from each host's documented contract (../shared/reference/agent-hooks.md).
@Suite("Hook input: each host's contract")
struct HookInputTests {
    func parse(_ json: String, _ host: HookHost) throws(HookInputError) -> HookCall {
        try HookInput.parse(Array(json.utf8), host: host)
    }

    func refused(_ json: String, _ host: HookHost, containing text: String) {
        do {
            _ = try parse(json, host)
            Issue.record("expected \(host) input to be refused: \(json.prefix(120))")
        } catch {
            #expect(error.message.contains(text), "\(error.message)")
        }
    }

    static let claudeBash = #"{"session_id":"abc123","prompt_id":"p1","transcript_path":"/home/ada/.claude/t.jsonl","cwd":"/home/ada/app","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git push --force origin main","description":"push","timeout":120000,"run_in_background":false},"tool_use_id":"toolu_1"}"#

    @Test("Claude Code: Bash, file tools, MCP tools, anything else")
    func claude() throws {
        let bash = try parse(Self.claudeBash, .claude)
        #expect(bash.action == .shell("git push --force origin main"))
        #expect(bash.agent == "claude:abc123" && bash.session == "abc123")
        #expect(bash.workingDirectory == "/home/ada/app")

        let read = try parse(#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"/home/ada/.aws/credentials"}}"#, .claude)
        #expect(read.action == .file(path: "/home/ada/.aws/credentials", access: .read))
        for tool in ["Write", "Edit", "MultiEdit"] {
            let call = try parse(#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"\#(tool)","tool_input":{"file_path":"/w/a.txt","content":"x"}}"#, .claude)
            #expect(call.action == .file(path: "/w/a.txt", access: .write))
        }
        let mcp = try parse(#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"mcp__postgres__query","tool_input":{"sql":"DROP TABLE users","limit":10,"options":{"x":1.5}}}"#, .claude)
        guard case .tool(let call) = mcp.action else { Issue.record("not a tool"); return }
        #expect(call.server == "postgres" && call.tool == "query")
        #expect(call.arguments == [
            ToolArgument(key: "sql", value: "DROP TABLE users"), ToolArgument(key: "limit", value: "10", isString: false),
            ToolArgument(key: "options", value: #"{"x":1.5}"#, isString: false),
        ])
        let fetch = try parse(#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"WebFetch","tool_input":{"url":"https://example.com","prompt":"p"}}"#, .claude)
        guard case .tool(let web) = fetch.action else { Issue.record("not a tool"); return }
        #expect(web.name == "WebFetch" && web.server == nil)
    }

    @Test("unknown extra fields are ignored; agent_id inside a subagent too")
    func extraFields() throws {
        let json = Self.claudeBash.replacingOccurrences(of: #""tool_use_id""#, with: #""agent_id":"sub-1","agent_type":"general","future_field":{"a":[1,2,{"b":null}]},"tool_use_id""#)
        #expect(try parse(json, .claude).action == .shell("git push --force origin main"))
    }

    @Test("missing, mistyped or duplicated fields fail closed", arguments: [
        (#"{"cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#, "'session_id' is missing"),
        (#"{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#, "'cwd' is missing"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_input":{"command":"ls"}}"#, "'tool_name' is missing"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash"}"#, "'tool_input' is missing"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{}}"#, "'command' is missing"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":""}}"#, "is empty"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":42}}"#, "must be a string"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":"ls"}"#, "must be a JSON object"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{}}"#, "'file_path' is missing"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}"#, "PreToolUse hook"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls","command":"rm -rf /"}}"#, "twice"),
        (#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls\u0000rm"}}"#, "NUL"),
        (#"[1,2]"#, "must be a JSON object"),
    ])
    func missingFields(json: String, message: String) {
        refused(json, .claude, containing: message)
    }

    @Test("malformed, truncated, empty and oversized input is refused")
    func malformed() {
        refused("", .claude, containing: "no input")
        refused(String(Self.claudeBash.dropLast(7)), .claude, containing: "not valid JSON")
        refused(#"{"session_id": s}"#, .claude, containing: "not valid JSON")
        refused(Self.claudeBash + "{}", .claude, containing: "not valid JSON")
        refused("\u{1}\u{2}binary\u{FF}", .cursor, containing: "not valid JSON")
        let huge = #"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":""# + String(repeating: "a", count: HookInput.maxBytes) + #""}}"#
        refused(huge, .claude, containing: "more than Airlock reads")
    }

    @Test("a 1 MB command is read whole")
    func largeCommand() throws {
        let command = "echo " + String(repeating: "x", count: 1 << 20)
        let call = try parse(#"{"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"\#(command)"}}"#, .claude)
        #expect(call.action == .shell(command))
    }

    @Test("Codex: PreToolUse with an argv or a bash -lc command line")
    func codex() throws {
        let argv = try parse(#"{"session_id":"x","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["git","push","--force"]}}"#, .codex)
        #expect(argv.action == .exec(["git", "push", "--force"]))
        #expect(argv.agent == "codex:x")
        let line = try parse(#"{"session_id":"x","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["bash","-lc","rm -rf build && make"]}}"#, .codex)
        #expect(line.action == .shell("rm -rf build && make"))
        refused(#"{"session_id":"x","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"shell","tool_input":{"command":["git",1]}}"#, .codex, containing: "array of strings")
    }

    @Test("Cursor: shell, MCP (arguments as an object or a JSON string) and file reads")
    func cursor() throws {
        let shell = try parse(#"{"conversation_id":"c1","generation_id":"g1","hook_event_name":"beforeShellExecution","workspace_roots":["/w"],"user_email":"a@b.c","command":"npm test","cwd":"/w/pkg"}"#, .cursor)
        #expect(shell.action == .shell("npm test") && shell.workingDirectory == "/w/pkg" && shell.agent == "cursor:c1")
        let mcp = try parse(#"{"conversation_id":"c1","hook_event_name":"beforeMCPExecution","workspace_roots":["/w"],"tool_name":"query","tool_input":"{\"sql\":\"SELECT 1\"}","url":"https://db.prod.example.com/mcp","server_name":"pg"}"#, .cursor)
        guard case .tool(let call) = mcp.action else { Issue.record("not a tool"); return }
        #expect(call.name == "mcp__pg__query" && call.serverLocation == "https://db.prod.example.com/mcp")
        #expect(call.arguments.first == ToolArgument(key: "sql", value: "SELECT 1"))
        #expect(mcp.workingDirectory == "/w")
        let read = try parse(#"{"conversation_id":"c1","hook_event_name":"beforeReadFile","workspace_roots":["/w"],"file_path":"/w/.env","content":"SECRET=1"}"#, .cursor)
        #expect(read.action == .file(path: "/w/.env", access: .read))
        refused(#"{"conversation_id":"c1","hook_event_name":"beforeShellExecution","command":"ls"}"#, .cursor, containing: "where the command runs")
        refused(#"{"conversation_id":"c1","hook_event_name":"afterFileEdit","workspace_roots":["/w"]}"#, .cursor, containing: "not one Airlock answers")
    }

    @Test("Gemini CLI: run_shell_command, file tools, others")
    func gemini() throws {
        let shell = try parse(#"{"session_id":"g","cwd":"/w","hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"terraform destroy","description":"d"}}"#, .gemini)
        #expect(shell.action == .shell("terraform destroy") && shell.agent == "gemini:g")
        let write = try parse(#"{"session_id":"g","cwd":"/w","hook_event_name":"BeforeTool","tool_name":"write_file","tool_input":{"file_path":"/w/x","content":"y"}}"#, .gemini)
        #expect(write.action == .file(path: "/w/x", access: .write))
        let read = try parse(#"{"session_id":"g","cwd":"/w","hook_event_name":"BeforeTool","tool_name":"read_file","tool_input":{"absolute_path":"/w/x"}}"#, .gemini)
        #expect(read.action == .file(path: "/w/x", access: .read))
    }
}
