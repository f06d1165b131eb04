import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockState
#if canImport(Glibc)
import Glibc
#endif

/// The `airlock` executable's entry: it answers `check` and `explain` itself when it can (the
/// built-in policy, or a compiled policy in the cache) and hands everything else — other verbs,
/// help, usage errors, a policy file not yet compiled — to `airlock-cli` with the same
/// arguments. It links no Foundation and no YAML parser: an agent hook starts it for every
/// command, so its start-up time is part of the product.
public enum FrontDoor {
    public static func main() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if var request = parse(arguments) {
            request.invalidEncoding = ProcessFacts.argumentsHaveInvalidUTF8()
            if let code = decide(request, verb: arguments[0]) { exit(code) }
        }
        delegate(arguments)
    }

    /// A well-formed `check`/`explain` request, or nil for anything the full CLI should handle.
    public static func parse(_ arguments: [String]) -> CheckRequest? {
        guard let verb = arguments.first, verb == "check" || verb == "explain" else { return nil }
        var request = CheckRequest(words: [])
        var index = 1
        func value(_ option: String) -> String? {
            let argument = arguments[index]
            if argument.hasPrefix(option + "=") { return String(argument.dropFirst(option.count + 1)) }
            guard argument == option, index + 1 < arguments.count else { return nil }
            index += 1
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                request.words = Array(arguments[(index + 1)...])
                return request.usageProblem == nil ? request : nil
            }
            if argument == "--clean-env" {
                request.cleanEnvironment = true
            } else if argument == "--no-audit" {
                request.noAudit = true
            } else if argument.hasPrefix("--policy") {
                guard let v = value("--policy") else { return nil }
                request.policy = v
            } else if argument.hasPrefix("--agent") {
                guard let v = value("--agent") else { return nil }
                request.agent = v
            } else if argument.hasPrefix("--session") {
                guard let v = value("--session") else { return nil }
                request.session = v
            } else if argument.hasPrefix("--cwd") {
                guard let v = value("--cwd") else { return nil }
                request.cwd = v
            } else if argument.hasPrefix("--env") {
                guard let v = value("--env") else { return nil }
                request.environmentOverrides.append(v)
            } else if argument.hasPrefix("--format") {
                guard let v = value("--format"), let format = CheckRequest.Format(rawValue: v) else { return nil }
                request.format = format
            } else {
                return nil
            }
            index += 1
        }
        return nil
    }

    /// Decides and prints, returning the exit code; nil when the policy is not available
    /// without parsing YAML (the full CLI then takes over).
    static func decide(_ request: CheckRequest, verb: String) -> Int32? {
        let processEnvironment = ProcessFacts.environment()
        guard let context = request.context(processEnvironment: processEnvironment) else { return nil }
        let files = LocalFiles()
        guard let compiled = compiledPolicy(explicit: request.policy, processEnvironment: processEnvironment, context: context) else { return nil }
        let policy = compiled.policy, policySource = compiled.source
        let explain = verb == "explain"
        let decision = GateRun.decide(request, policy: policy, context: context, files: files, explain: explain, policyDigest: compiled.digest)
        DecisionOutput.print(decision, request: request, explain: explain, policySource: policySource)
        return AirlockExit.code(for: decision.verdict)
    }

    /// The policy for a context without parsing YAML: the built-in one when no file applies,
    /// else the compiled form of exactly the files that apply; nil when only airlock-cli can
    /// load it (a file not compiled yet, or one that cannot be read).
    public static func compiledPolicy(explicit: String?, processEnvironment: [String: String], context: Context) -> CompiledPolicy? {
        let files = LocalFiles()
        let sources = PolicySources.find(explicit: explicit, processEnvironment: processEnvironment, context: context, files: files)
        guard sources.unreadable.isEmpty else { return nil }
        if sources.files.isEmpty { return CompiledPolicy(policy: DefaultPolicy.policy, source: "built-in", digest: DecisionAudit.builtInPolicyDigest) }
        guard let (cached, digest) = PolicyCache.loadWithDigest(airlockHome: context.airlockHome, key: sources.cacheKey, files: files) else { return nil }
        return CompiledPolicy(policy: cached, source: sources.files.map(\.path).joined(separator: " + "), digest: digest)
    }

    /// Runs `airlock-cli`, installed beside this executable, with the same arguments.
    static func delegate(_ arguments: [String]) -> Never {
        let full = ExecutablePaths.sibling("airlock-cli")
        let argv = ["airlock"] + arguments
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        execv(full, cArguments)
        Console.err("airlock: cannot run \(full): \(String(cString: strerror(errno))); reinstall Airlock (make install) so airlock-cli sits beside airlock")
        exit(AirlockExit.internalError)
    }
}

/// `check` and `explain` through the gate: the state store and audit log under the context's
/// Airlock home. `explain` and `--no-audit` preview: they read the state and change nothing.
public enum GateRun {
    public static func decide(_ request: CheckRequest, policy: Policy, context: Context, files: any FileSource, explain: Bool, policyDigest: String? = nil) -> Decision {
        let recording = !explain && !request.noAudit
        let gate = Gate(
            checker: Checker(policy: policy, files: files), store: SQLiteStore(airlockHome: context.airlockHome),
            audit: recording ? AuditStore(directory: context.airlockHome + "/audit") : nil, policyDigest: policyDigest)
        let decision = gate.decide(request.action, context: context, door: .check, explain: explain)
        if recording { AuditCheckpointer.signIfDue(airlockHome: context.airlockHome) }
        return decision
    }
}

/// A policy the front door can use without parsing YAML, with its digest already known.
public struct CompiledPolicy: Sendable {
    public var policy: Policy
    public var source: String
    public var digest: String
}

/// Prints a decision the way `check` and `explain` do, in text or JSON.
public enum DecisionOutput {
    public static func print(_ decision: Decision, request: CheckRequest, explain: Bool, policySource: String) {
        switch (explain, request.format) {
        case (false, .json): Console.out(DecisionReport.json(decision).text)
        case (false, .text):
            let hint = "airlock explain -- " + request.words.map(ShellQuoting.quoteIfNeeded).joined(separator: " ")
            Console.out(DecisionReport.text(decision, explainHint: hint.count > 200 ? "airlock explain with the same arguments" : hint))
        case (true, .json): Console.out(DecisionReport.explanationJSON(decision, policySource: policySource).text)
        case (true, .text): Console.out(DecisionReport.explanation(decision, policySource: policySource))
        }
    }
}
