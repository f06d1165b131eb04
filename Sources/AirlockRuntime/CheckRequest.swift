import AirlockCore

/// What `airlock check` and `airlock explain` are asked: the command and the context it would
/// run in. Built by the fast front door and by the full command line alike.
public struct CheckRequest: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable, CaseIterable { case text, json }

    public var policy: String?
    public var agent: String?
    /// The agent's session or conversation id (`--session`, else `$AIRLOCK_SESSION`).
    public var session: String?
    public var cwd: String?
    public var environmentOverrides: [String]
    public var cleanEnvironment: Bool
    public var format: Format
    public var words: [String]
    /// Some word arrived as bytes that are not UTF-8 (Swift repairs them on the way in, so
    /// the words alone would not show it). Such a request is refused, never analysed as text.
    public var invalidEncoding: Bool = false
    /// `--no-audit`: a dry experiment, not written to the audit log.
    public var noAudit: Bool = false

    public init(policy: String? = nil, agent: String? = nil, cwd: String? = nil, environmentOverrides: [String] = [], cleanEnvironment: Bool = false, format: Format = .text, words: [String]) {
        self.policy = policy
        self.agent = agent
        self.cwd = cwd
        self.environmentOverrides = environmentOverrides
        self.cleanEnvironment = cleanEnvironment
        self.format = format
        self.words = words
    }

    /// One word is a shell command line; several are the argv of one command.
    public var action: Action {
        var words = self.words
        // A NUL can never come through argv, so it marks the words as binary: the parser
        // refuses a line with one and the analyzer refuses an argv with one.
        if invalidEncoding, !words.isEmpty { words[0] += "\u{0}" }
        return words.count == 1 ? .shell(words[0]) : .exec(words)
    }

    /// The problem with the request, if any, in words for a usage error.
    public var usageProblem: String? {
        if words.isEmpty { return "give the command to decide on after '--', e.g. airlock check -- git push --force origin main" }
        if let bad = environmentOverrides.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) { return "--env takes NAME=VALUE, got '\(bad)'" }
        return nil
    }

    /// The context the command would run in: this process's environment unless `--clean-env`,
    /// plus `--env` overrides. Nil when the working directory cannot be known.
    public func context(processEnvironment: [String: String]) -> Context? {
        var environment = cleanEnvironment ? [:] : processEnvironment
        for entry in environmentOverrides {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            environment[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        guard let current = cwd ?? ProcessFacts.currentDirectory() else { return nil }
        let home = ProcessFacts.homeDirectory(environment: processEnvironment)
        let base = current.hasPrefix("/") ? current : (ProcessFacts.currentDirectory() ?? "/") + "/" + current
        return Context(
            agent: agent ?? processEnvironment["AIRLOCK_AGENT"].flatMap { $0.isEmpty ? nil : $0 },
            session: session ?? processEnvironment["AIRLOCK_SESSION"].flatMap { $0.isEmpty ? nil : $0 },
            // The kernel's account, not $USER: rules and limits match on it, and an agent can
            // set any variable it likes.
            user: ProcessFacts.userName(),
            workingDirectory: base,
            homeDirectory: home,
            airlockHome: AirlockHome.path(environment: processEnvironment, home: home),
            environment: environment)
    }
}

/// Where Airlock keeps its policy, state and keys: `$AIRLOCK_HOME`, default `~/.airlock`.
public enum AirlockHome {
    public static func path(environment: [String: String], home: String) -> String {
        if let value = environment["AIRLOCK_HOME"], value.hasPrefix("/") { return value }
        return home + "/.airlock"
    }
}
