/// Checks a rule's conditions against one command in one environment, saying in words which
/// condition failed so `airlock explain` can show it.
enum ConditionMatcher {
    /// nil when the rule applies; otherwise why not.
    static func firstFailure(of rule: Rule, command: AnalyzedCommand, environment: String, context: Context) -> String? {
        if let failure = firstFailure(of: rule.when, command: command, environment: environment, context: context) {
            return failure
        }
        if let unless = rule.unless, firstFailure(of: unless, command: command, environment: environment, context: context) == nil {
            return "its 'unless' conditions hold"
        }
        return nil
    }

    static func firstFailure(of condition: Condition, command: AnalyzedCommand, environment: String, context: Context) -> String? {
        if let binaries = condition.binaries, !binaries.contains(where: { Glob.match($0, command.binary) }) {
            return "binary '\(command.binary)' is not \(list(binaries))"
        }
        if let subcommands = condition.subcommands {
            guard let sub = command.subcommand, subcommands.contains(where: { Glob.match($0, sub) }) else {
                return "subcommand '\(command.subcommand ?? "")' is not \(list(subcommands))"
            }
        }
        if let args = condition.args, !args.contains(where: { pattern in command.args.contains { Glob.match(pattern, $0) } }) {
            return "no argument matches \(list(args))"
        }
        if let environments = condition.environments, !environments.contains(environment) {
            return "environment is \(environment), not \(list(environments))"
        }
        if let effects = condition.effects, !effects.contains(command.effect) {
            return "effect is \(command.effect.rawValue), not \(list(effects.map(\.rawValue)))"
        }
        if let agents = condition.agents {
            let agent = context.agent ?? "unknown"
            if !agents.contains(where: { Glob.match($0, agent) }) { return "agent '\(agent)' is not \(list(agents))" }
        }
        if let users = condition.users, !users.contains(where: { Glob.match($0, context.user) }) {
            return "user '\(context.user)' is not \(list(users))"
        }
        if let paths = condition.paths {
            let expanded = paths.map { expand($0, context: context) }
            let mode = condition.pathAccess
            if !command.paths.contains(where: { (mode == nil || $0.mode == mode) && PathPatternList.matches(expanded, $0.path) }) {
                return "no path it \(mode.map { $0 == .write ? "writes" : "reads" } ?? "touches") matches \(list(paths))"
            }
        } else if let mode = condition.pathAccess, !command.paths.contains(where: { $0.mode == mode }) {
            return "it \(mode == .write ? "writes" : "reads") no file"
        }
        if let branches = condition.branches, !command.branches.contains(where: { branch in branches.contains { Glob.match($0, branch) } }) {
            return command.branches.isEmpty ? "it changes no git branch" : "branches \(list(command.branches)) are not \(list(branches))"
        }
        if let interactive = condition.interactive, interactive != command.interactive {
            return interactive ? "it is not an interactive session" : "it is an interactive session"
        }
        return nil
    }

    /// Expands `~`, `$AIRLOCK_HOME`, `$HOME` and `{cwd}` at the start of a path pattern,
    /// keeping a leading `!`.
    static func expand(_ pattern: String, context: Context) -> String {
        var negated = false
        var body = Substring(pattern)
        if body.hasPrefix("!") {
            negated = true
            body = body.dropFirst()
        }
        let replacements: [(String, String)] = [
            ("$AIRLOCK_HOME", context.airlockHome), ("${AIRLOCK_HOME}", context.airlockHome),
            ("$HOME", context.homeDirectory), ("{cwd}", context.workingDirectory), ("~", context.homeDirectory),
        ]
        var result = String(body)
        for (prefix, value) in replacements where body.hasPrefix(prefix) {
            result = value + body.dropFirst(prefix.count)
            break
        }
        if result.hasPrefix("//") { result.removeFirst() }
        return negated ? "!" + result : result
    }

    static func list(_ items: [String]) -> String {
        items.count == 1 ? "'\(items[0])'" : "any of [" + items.joined(separator: ", ") + "]"
    }
}

/// A gitignore-style list of path globs: the last pattern that matches decides, and a pattern
/// starting with `!` excludes.
enum PathPatternList {
    static func matches(_ patterns: [String], _ path: String) -> Bool {
        var result = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if Glob.match(String(pattern.dropFirst()), path, pathAware: true) { result = false }
            } else if Glob.match(pattern, path, pathAware: true) {
                result = true
            }
        }
        return result
    }
}
