import AirlockCore
import AirlockRuntime
import ArgumentParser

/// Output formats for commands that report decisions.
typealias OutputFormat = CheckRequest.Format

extension CheckRequest.Format: ExpressibleByArgument {}

/// The options `check` and `explain` share: what to decide on and in which context.
struct CheckOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Policy file to use instead of the usual search.", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("The agent's identity, for rules that match on agents (default: $AIRLOCK_AGENT).", valueName: "name"))
    var agent: String?

    @Option(name: .long, help: ArgumentHelp("The agent's session or conversation id, for limits kept per session (default: $AIRLOCK_SESSION).", valueName: "id"))
    var session: String?

    @Option(name: .long, help: ArgumentHelp("Working directory the command would run in (default: the current one).", valueName: "dir"))
    var cwd: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("Add or override an environment variable the command would see (repeatable).", valueName: "K=V"))
    var environmentOverrides: [String] = []

    @Flag(name: .customLong("clean-env"), help: "Start from an empty environment instead of Airlock's own.")
    var cleanEnvironment = false

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .customLong("no-audit"), help: "Do not write the decision to the audit log (for dry experiments; check only).")
    var noAudit = false

    @Argument(parsing: .postTerminator, help: ArgumentHelp("One WORD is a shell command line; several are the argv of one command.", valueName: "word"))
    var words: [String] = []

    func validate() throws {
        if let problem = request.usageProblem { throw ValidationError(problem) }
    }

    var request: CheckRequest {
        var request = CheckRequest(policy: policy, agent: agent, cwd: cwd, environmentOverrides: environmentOverrides, cleanEnvironment: cleanEnvironment, format: format, words: words)
        request.invalidEncoding = ProcessFacts.argumentsHaveInvalidUTF8()
        request.noAudit = noAudit
        request.session = session
        return request
    }

    /// The context the command would run in.
    func context() throws -> Context {
        guard let context = request.context(processEnvironment: ProcessFacts.environment()) else {
            throw ValidationError("the current directory cannot be read; pass --cwd")
        }
        return context
    }
}
