import AirlockCore
import Yams

/// The outcome of finding and loading the effective policy. A failure carries every error and
/// no policy: callers must then deny everything (fail closed), never fall back to something
/// more permissive.
public enum LoadedPolicy: Sendable, Hashable {
    /// The merged policy and, in order, where it came from (`built-in` or file paths; a
    /// workspace policy comes last).
    case loaded(Policy, sources: [String])
    /// Why no policy could be loaded. Never empty.
    case failed([PolicyError])

    /// The policy, or nil when loading failed.
    public var policy: Policy? {
        if case .loaded(let policy, _) = self { return policy }
        return nil
    }

    /// The files (or `built-in`) the policy came from; empty on failure.
    public var sources: [String] {
        if case .loaded(_, let sources) = self { return sources }
        return []
    }

    /// The problems; empty when the policy loaded.
    public var errors: [PolicyError] {
        if case .failed(let errors) = self { return errors }
        return []
    }
}

/// Reads policy YAML into a `Policy` with strict validation, and finds the effective policy
/// (explicit file, `$AIRLOCK_POLICY`, `$AIRLOCK_HOME/policy.yaml` or the built-in default, plus
/// a workspace policy that may only add restrictions: deny and ask rules, a stricter breaker).
public enum PolicyLoader {
    /// Larger files are refused before parsing: no real policy comes near this, and parsing
    /// cost should stay bounded on the hook path.
    public static let maxFileSize = 1 << 20

    /// Where a project keeps its own policy, relative to the working directory.
    public static let workspacePolicyPath = ".airlock/policy.yaml"

    /// Rules from a workspace policy get this prefix on their ids, so they can never collide
    /// with the user's rules (whose ids cannot contain ':') and decisions show where they came
    /// from.
    public static let workspaceRulePrefix = "workspace:"

    // MARK: Parsing

    /// Parses and validates a policy document. `source` names the file in errors and becomes
    /// `Policy.source`; each rule's `line` is set. Throws every problem found, in file order.
    public static func parse(_ text: String, source: String) throws(PolicyErrors) -> Policy {
        let root = try compose(text, file: source)
        var decoder = PolicyDecoder(file: source, kind: .base)
        let policy = decoder.decodePolicy(root)
        guard let policy, decoder.errors.isEmpty else {
            throw PolicyErrors(decoder.sortedErrors)
        }
        return policy
    }

    /// Parses a workspace policy and layers it on `base`: its rules (which may only deny or
    /// ask, and may only name `base`'s environments) are appended after the base rules with
    /// their ids prefixed `workspace:`, and its breaker, if any, is joined with the base's
    /// (`stricterBreaker`). Everything else comes from `base`.
    public static func parseWorkspace(_ text: String, source: String, base: Policy) throws(PolicyErrors) -> Policy {
        let root = try compose(text, file: source)
        var decoder = PolicyDecoder(file: source, kind: .workspace(baseEnvironments: base.environments))
        let workspace = decoder.decodePolicy(root)
        guard let workspace, decoder.errors.isEmpty else {
            throw PolicyErrors(decoder.sortedErrors)
        }
        var merged = base
        merged.rules += workspace.rules.map { rule in
            var rule = rule
            rule.id = workspaceRulePrefix + rule.id
            return rule
        }
        merged.breaker = stricterBreaker(base.breaker, workspace.breaker)
        merged.source = base.source + " + " + source
        return merged
    }

    /// The breaker of a policy with a workspace layered on it. A workspace may only add
    /// restrictions, and a policy holds one breaker, so the two become one that trips whenever
    /// either would and freezes at least as hard as either: the fewer denials, the longer
    /// window, every effect class either counts, the broader scope and level, and the longer
    /// freeze. That can be stricter than both (3 destructive denials in 10 minutes joined with
    /// 5 write denials in an hour is 3 destructive or write denials in an hour), never looser
    /// than either. With no base breaker the workspace's applies as written; a workspace cannot
    /// turn the base's off (the decoder refuses `breaker: off` there).
    ///
    /// Rate limits need no merging: they belong to rules, and a workspace's rules are its own
    /// (deny or ask only, appended under `workspace:` ids, counted apart from the user's), so a
    /// workspace limit can only make its own ask rule deny sooner, never touch a user rule's.
    static func stricterBreaker(_ base: Breaker?, _ workspace: Breaker?) -> Breaker? {
        guard let base else { return workspace }
        guard let workspace else { return base }
        var effects = base.effects
        for effect in workspace.effects where !effects.contains(effect) { effects.append(effect) }
        return Breaker(
            denials: min(base.denials, workspace.denials),
            within: max(base.within, workspace.within),
            effects: effects,
            scope: base.scope == .all || workspace.scope == .all ? .all : .agent,
            level: base.level == .all || workspace.level == .all ? .all : .writes,
            duration: max(base.duration, workspace.duration))
    }

    // MARK: Finding the effective policy

    /// Finds, reads and merges the effective policy. The base is the first of: `explicit`
    /// (`--policy`), `$AIRLOCK_POLICY`, `<airlockHome>/policy.yaml`, the built-in
    /// `DefaultPolicy.policy`. A named file (the first two) that cannot be read is an error;
    /// a missing `<airlockHome>/policy.yaml` is the normal case and means the built-in policy.
    /// Then `<workingDirectory>/.airlock/policy.yaml`, when present (and not the base file
    /// itself), adds its rules. Relative paths are taken from `workingDirectory`. All I/O goes
    /// through `readFile`, which returns nil for a file that does not exist or cannot be read.
    public static func load(
        explicit: String?,
        environment: [String: String],
        airlockHome: String,
        workingDirectory: String,
        readFile: (String) -> String?
    ) -> LoadedPolicy {
        let named: (path: String, origin: String)?
        if let explicit {
            named = (explicit, "--policy")
        } else if let fromEnvironment = environment["AIRLOCK_POLICY"], !fromEnvironment.isEmpty {
            named = (fromEnvironment, "$AIRLOCK_POLICY")
        } else {
            named = nil
        }

        var base: Policy
        var sources: [String]
        // The base policy file, read once: named (then it must exist) or the one in Airlock's
        // home (whose absence means the built-in policy).
        var basePath: String? = nil
        var baseText: String? = nil
        if let named {
            let path = absolute(named.path, workingDirectory: workingDirectory)
            guard let text = readFile(path) else {
                return .failed([PolicyError(file: path, line: nil, message: "the policy file named by \(named.origin) does not exist or cannot be read")])
            }
            (basePath, baseText) = (path, text)
        } else {
            let path = absolute(airlockHome, workingDirectory: workingDirectory) + "/policy.yaml"
            if let text = readFile(path) { (basePath, baseText) = (path, text) }
        }
        if let basePath, let baseText {
            do {
                base = try parse(baseText, source: basePath)
            } catch {
                return .failed(error.errors)
            }
            sources = [basePath]
        } else {
            base = DefaultPolicy.policy
            sources = [base.source]
        }

        let workspacePath = absolute(workspacePolicyPath, workingDirectory: workingDirectory)
        // Working in the directory that holds Airlock's home (`~` with `~/.airlock`) must not
        // read the user's own policy a second time, as if it were a workspace policy.
        if workspacePath != basePath, let text = readFile(workspacePath) {
            do {
                base = try parseWorkspace(text, source: workspacePath, base: base)
            } catch {
                return .failed(error.errors)
            }
            sources.append(workspacePath)
        }
        return .loaded(base, sources: sources)
    }

    static func absolute(_ path: String, workingDirectory: String) -> String {
        Paths.normalize(path, relativeTo: Paths.normalize(workingDirectory, relativeTo: "/"))
    }

    // MARK: YAML

    /// The document's root node, or nil for an empty document. Refuses what Airlock will not
    /// parse (oversized files, anchors) and turns YAML errors into located policy errors.
    static func compose(_ text: String, file: String) throws(PolicyErrors) -> Node? {
        let size = text.utf8.count
        if size > maxFileSize {
            throw PolicyErrors([PolicyError(file: file, line: nil, message: "the policy file is \(size) bytes; the limit is \(maxFileSize) bytes (1 MiB)")])
        }
        if let anchor = YAMLText.firstAnchor(in: text) {
            throw PolicyErrors([PolicyError(
                file: file, line: anchor.line, column: anchor.column,
                message: "'&\(PolicyValues.display(anchor.name, limit: 40))' is a YAML anchor; policies do not allow anchors and aliases (they hide what a rule says and can expand without bound), so write the values out. If the '&' is part of a text, put a space after it")])
        }
        do {
            return try Yams.compose(yaml: text, .default, .default, .utf8)
        } catch let error as YamlError {
            throw PolicyErrors([YAMLText.policyError(error, file: file, text: text)])
        } catch {
            throw PolicyErrors([PolicyError(file: file, line: nil, message: "the file could not be read as YAML: \(error)")])
        }
    }
}
