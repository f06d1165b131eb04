/// The agent hosts whose pre-tool-call hooks Airlock answers, each with its own input and
/// output contract (see docs/hooks.md).
public enum HookHost: String, Sendable, Hashable, CaseIterable {
    case claude, cursor, codex, gemini

    /// Whether the host has its own permission prompt an `ask` can go to. Gemini CLI answers
    /// allow or deny only, so every ask there is an Airlock approval.
    public var canAsk: Bool { self != .gemini }

    /// The product name, for messages.
    public var productName: String {
        switch self {
        case .claude: "Claude Code"
        case .cursor: "Cursor"
        case .codex: "OpenAI Codex CLI"
        case .gemini: "Gemini CLI"
        }
    }
}
