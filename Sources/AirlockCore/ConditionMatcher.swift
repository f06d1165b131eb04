import AirlockSQL

/// Checks a rule's conditions against one command in one environment. The check itself
/// allocates nothing; the words explaining a mismatch are built only for `airlock explain`.
enum ConditionMatcher {
    /// Which condition failed.
    enum Mismatch: Sendable, Hashable {
        case tool, binary, subcommand, args, environment, effect, agent, user, paths, pathAccess, branches, interactive, sql, unless
    }

    /// nil when the rule applies; otherwise the first condition that failed.
    /// - Parameter paths: the rule's compiled path patterns (compiled here when not given).
    static func firstMismatch(of rule: Rule, command: AnalyzedCommand, environment: String, context: Context, paths: CompiledRulePaths? = nil) -> Mismatch? {
        let compiled = paths ?? CompiledRulePaths(rule)
        if let mismatch = firstMismatch(of: rule.when, command: command, environment: environment, context: context, paths: compiled.when, loosening: rule.decision == .allow) {
            return mismatch
        }
        if let unless = rule.unless, firstMismatch(of: unless, command: command, environment: environment, context: context, paths: compiled.unless, loosening: true) == nil {
            return .unless
        }
        return nil
    }

    /// - Parameter loosening: the condition excuses a command (an `allow` rule, an `unless`)
    ///   rather than restricting it; lists over a statement's tables then need every entry to match.
    static func firstMismatch(of condition: Condition, command: AnalyzedCommand, environment: String, context: Context, paths compiledPaths: PathPatternList?, loosening: Bool = false) -> Mismatch? {
        if let tools = condition.tools {
            guard let tool = command.tool, tools.contains(where: { Glob.match($0, tool) }) else { return .tool }
        }
        if let binaries = condition.binaries, !binaries.contains(where: { Glob.match($0, command.binary) }) { return .binary }
        if let subcommands = condition.subcommands {
            guard let sub = command.subcommand, subcommands.contains(where: { Glob.match($0, sub) }) else { return .subcommand }
        }
        if let args = condition.args, !args.contains(where: { pattern in command.args.contains { Glob.match(pattern, $0) } }) { return .args }
        if let environments = condition.environments, !environments.contains(environment) { return .environment }
        if let effects = condition.effects, !effects.contains(command.effect) { return .effect }
        if let agents = condition.agents, !agents.contains(where: { Glob.match($0, context.agent ?? "unknown") }) { return .agent }
        if let users = condition.users, !users.contains(where: { Glob.match($0, context.user) }) { return .user }
        if let patterns = compiledPaths {
            let mode = condition.pathAccess
            if !command.paths.contains(where: { (mode == nil || $0.mode == mode) && patterns.matches($0.path, context: context) }) { return .paths }
        } else if let mode = condition.pathAccess, !command.paths.contains(where: { $0.mode == mode }) {
            return .pathAccess
        }
        if let branches = condition.branches, !command.branches.contains(where: { branch in branches.contains { Glob.match($0, branch) } }) {
            return .branches
        }
        if let interactive = condition.interactive, interactive != command.interactive { return .interactive }
        if let sql = condition.sql, !SQLMatcher.matches(sql, command.sql, loosening: loosening) { return .sql }
        return nil
    }

    /// The mismatch in words, for explanations.
    static func describe(_ mismatch: Mismatch, rule: Rule, command: AnalyzedCommand, environment: String, context: Context) -> String {
        let condition = rule.when
        switch mismatch {
        case .tool:
            guard let tool = command.tool else { return "it is not a tool call (tool is \(list(condition.tools ?? [])))" }
            return "tool '\(tool)' is not \(list(condition.tools ?? []))"
        case .binary: return "binary '\(command.binary)' is not \(list(condition.binaries ?? []))"
        case .subcommand: return "subcommand '\(command.subcommand ?? "")' is not \(list(condition.subcommands ?? []))"
        case .args: return "no argument matches \(list(condition.args ?? []))"
        case .environment: return "environment is \(environment), not \(list(condition.environments ?? []))"
        case .effect: return "effect is \(command.effect.rawValue), not \(list((condition.effects ?? []).map(\.rawValue)))"
        case .agent: return "agent '\(context.agent ?? "unknown")' is not \(list(condition.agents ?? []))"
        case .user: return "user '\(context.user)' is not \(list(condition.users ?? []))"
        case .paths:
            let verb = condition.pathAccess.map { $0 == .write ? "writes" : "reads" } ?? "touches"
            return "no path it \(verb) matches \(list(condition.paths ?? []))"
        case .pathAccess: return "it \(condition.pathAccess == .write ? "writes" : "reads") no file"
        case .branches:
            return command.branches.isEmpty ? "it changes no git branch" : "branches \(list(command.branches)) are not \(list(condition.branches ?? []))"
        case .interactive: return condition.interactive == true ? "it is not an interactive session" : "it is an interactive session"
        case .sql: return SQLMatcher.describe(condition.sql ?? SQLCondition(), command.sql)
        case .unless: return "its 'unless' conditions hold"
        }
    }

    /// A rule's list in words; long lists (credential paths) are cut so an explanation stays
    /// readable, with the count of what was left out.
    static func list(_ items: [String]) -> String {
        if items.count == 1 { return "'\(items[0])'" }
        let shown = items.count > 8 ? items.prefix(6).joined(separator: ", ") + ", … (\(items.count - 6) more)" : items.joined(separator: ", ")
        return "any of [" + shown + "]"
    }
}

/// A rule's `when` and `unless` path patterns, compiled.
struct CompiledRulePaths: Sendable {
    let when: PathPatternList?
    let unless: PathPatternList?

    init(_ rule: Rule) {
        when = rule.when.paths.map(PathPatternList.init)
        unless = rule.unless?.paths.map(PathPatternList.init)
    }
}

/// A gitignore-style list of path globs: the last pattern that matches decides, and a pattern
/// starting with `!` excludes. `~`, `$HOME`, `$AIRLOCK_HOME` and `{cwd}` anchor a pattern to a
/// directory of the context; the path is matched relative to it, so nothing is rebuilt per check.
struct PathPatternList: Sendable {
    enum Anchor: Sendable { case root, home, airlockHome, workingDirectory }

    struct Pattern: Sendable {
        let negated: Bool
        let anchor: Anchor
        /// The rest of the pattern after the anchor (`/.aws/**`), or the whole pattern.
        let rest: String
    }

    let patterns: [Pattern]

    private static let anchors: [(prefix: String, anchor: Anchor)] = [
        ("$AIRLOCK_HOME", .airlockHome), ("${AIRLOCK_HOME}", .airlockHome), ("$HOME", .home), ("{cwd}", .workingDirectory), ("~", .home),
    ]

    // Byte-wise throughout: every hook process compiles the policy's path lists, and
    // Character-wise prefix tests were a tenth of its work. Anchors are ASCII, so byte offsets
    // after them are Character boundaries.
    init(_ texts: [String]) {
        patterns = texts.map { text in
            var body = Substring(text)
            let negated = body.utf8.first == UInt8(ascii: "!")
            if negated { body = body.dropFirst() }
            for (prefix, anchor) in Self.anchors where body.utf8.starts(with: prefix.utf8) {
                return Pattern(negated: negated, anchor: anchor, rest: String(Substring(body.utf8.dropFirst(prefix.utf8.count))))
            }
            return Pattern(negated: negated, anchor: .root, rest: String(body))
        }
    }

    func matches(_ path: String, context: Context) -> Bool {
        var result = false
        for pattern in patterns where pattern.negated == result {
            if Self.matches(pattern, path, context: context) { result = !pattern.negated }
        }
        return result
    }

    static func matches(_ pattern: Pattern, _ path: String, context: Context) -> Bool {
        let directory: String
        switch pattern.anchor {
        case .root: return Glob.match(pattern.rest, path, pathAware: true)
        case .home: directory = context.homeDirectory
        case .airlockHome: directory = context.airlockHome
        case .workingDirectory: directory = context.workingDirectory
        }
        guard path.utf8.starts(with: directory.utf8) else { return false }
        let remainder = path.utf8.dropFirst(directory.utf8.count)
        // `~` must end at a path boundary: `/home/dev` does not anchor `/home/devops`.
        guard remainder.isEmpty || remainder.first == UInt8(ascii: "/") || directory == "/" else { return false }
        let relative = directory == "/" ? "/" + String(decoding: remainder, as: UTF8.self) : String(decoding: remainder, as: UTF8.self)
        return Glob.match(pattern.rest, relative, pathAware: true)
    }
}
