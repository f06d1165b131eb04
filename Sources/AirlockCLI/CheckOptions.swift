import AirlockCore
import ArgumentParser

/// Output formats for commands that report decisions.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// The options `check` and `explain` share: what to decide on and in which context.
struct CheckOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Policy file to use instead of the usual search.", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("The agent's identity, for rules that match on agents.", valueName: "name"))
    var agent: String?

    @Option(name: .long, help: ArgumentHelp("Working directory the command would run in (default: the current one).", valueName: "dir"))
    var cwd: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("Add or override an environment variable the command would see (repeatable).", valueName: "K=V"))
    var environmentOverrides: [String] = []

    @Flag(name: .customLong("clean-env"), help: "Start from an empty environment instead of Airlock's own.")
    var cleanEnvironment = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Argument(parsing: .postTerminator, help: ArgumentHelp("One WORD is a shell command line; several are the argv of one command.", valueName: "word"))
    var words: [String] = []

    func validate() throws {
        if words.isEmpty {
            throw ValidationError("give the command to decide on after '--', e.g. airlock check -- git push --force origin main")
        }
        for entry in environmentOverrides where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("--env takes NAME=VALUE, got '\(entry)'")
        }
    }

    var action: Action {
        words.count == 1 ? .shell(words[0]) : .exec(words)
    }

    /// The context the command would run in: this process's environment unless `--clean-env`,
    /// plus `--env` overrides.
    func context() throws -> Context {
        let processEnvironment = ProcessFacts.environment()
        var environment = cleanEnvironment ? [:] : processEnvironment
        for entry in environmentOverrides {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            environment[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        guard let current = cwd ?? ProcessFacts.currentDirectory() else {
            throw ValidationError("the current directory cannot be read; pass --cwd")
        }
        let home = ProcessFacts.homeDirectory(environment: processEnvironment)
        let base = current.hasPrefix("/") ? current : (ProcessFacts.currentDirectory() ?? "/") + "/" + current
        return Context(
            agent: agent ?? processEnvironment["AIRLOCK_AGENT"],
            user: processEnvironment["USER"] ?? ProcessFacts.userName(),
            workingDirectory: base,
            homeDirectory: home,
            airlockHome: AirlockHome.path(environment: processEnvironment, home: home),
            environment: environment)
    }
}

/// Where Airlock keeps its policy, state and keys: `$AIRLOCK_HOME`, default `~/.airlock`.
enum AirlockHome {
    static func path(environment: [String: String], home: String) -> String {
        if let value = environment["AIRLOCK_HOME"], value.hasPrefix("/") { return value }
        return home + "/.airlock"
    }
}
