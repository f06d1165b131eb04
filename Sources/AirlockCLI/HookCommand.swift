import AirlockCore
import AirlockHooks
import AirlockRuntime
import ArgumentParser

struct HookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Answer an agent host's pre-tool-call hook (Claude Code, Cursor, Codex, Gemini CLI).",
        discussion: """
            Reads the host's JSON from stdin, decides through the gate (policy, freezes, limits, \
            approvals, audit) and prints the verdict in the host's own format. Anything that \
            keeps Airlock from deciding — unreadable input, a policy that does not load, a store \
            or log that fails, the --deadline passing — is a deny with the cause, exit 2. \
            Install it with 'airlock install HOST'; see docs/hooks.md.

            Example:
              echo '{"session_id":"s","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' | airlock hook claude
            """)

    @Argument(help: "claude, cursor, codex or gemini.")
    var host: String

    @Option(help: ArgumentHelp("Deny if no decision is reached within this time (500ms, 2s).", valueName: "duration"))
    var deadline: String = "2s"

    func run() throws {
        HookDoor.run([host, "--deadline", deadline]) { context in
            switch PolicyResolution.load(explicit: nil, context: context, files: LocalFiles()) {
            case .loaded(let policy, _): .loaded(policy, digest: nil)
            case .failed(let problems): .failed(problems)
            }
        }
    }
}
