import AirlockShell
import Testing

/// Parses with the standard limits (or `limits`); a parse error fails the calling test.
func parse(_ text: String, limits: ShellParser.Limits = .standard) throws -> Script {
    try ShellParser(limits: limits).parse(text)
}

/// The tree of `text` in `TreeDump` form.
func dump(_ text: String) throws -> String {
    TreeDump.script(try parse(text))
}

/// The error parsing `text` throws, or nil when it parses.
func parseError(_ text: String, limits: ShellParser.Limits = .standard) -> ParseError? {
    do {
        _ = try ShellParser(limits: limits).parse(text)
        return nil
    } catch {
        return error
    }
}

/// The words (as `displayText`) of every simple command `text` runs, in execution-analysis
/// order: a command, then the commands in its substitutions (assignments, words, redirection
/// targets, heredoc bodies), then, for compound commands, their words' substitutions and their
/// bodies. Assignment-only commands appear as `NAME=value` entries.
func commandLines(_ text: String) throws -> [[String]] {
    var lines: [[String]] = []
    collect(try parse(text), into: &lines)
    return lines
}

/// The first command of `text`, which must be a simple command.
func simpleCommand(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> SimpleCommand {
    let script = try parse(text)
    guard case .simple(let command)? = script.items.first?.andOr.first.commands.first else {
        Issue.record("\(text.debugDescription) does not start with a simple command", sourceLocation: sourceLocation)
        return SimpleCommand()
    }
    return command
}

/// The first command of `text`, which must be a compound command.
func compoundCommand(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> CompoundCommand {
    let script = try parse(text)
    guard case .compound(let command)? = script.items.first?.andOr.first.commands.first else {
        Issue.record("\(text.debugDescription) does not start with a compound command", sourceLocation: sourceLocation)
        return CompoundCommand(kind: .ifClause)
    }
    return command
}

/// The word after `echo ` in `echo <text>` (the single argument).
func argument(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Word {
    let command = try simpleCommand("echo " + text, sourceLocation: sourceLocation)
    guard command.words.count == 2 else {
        Issue.record("\("echo " + text) has \(command.words.count) words, expected 2", sourceLocation: sourceLocation)
        return Word([])
    }
    return command.words[1]
}

private func collect(_ script: Script, into lines: inout [[String]]) {
    for item in script.items {
        for pipeline in item.andOr.pipelines {
            for command in pipeline.commands { collect(command, into: &lines) }
        }
    }
}

private func collect(_ command: Command, into lines: inout [[String]]) {
    switch command {
    case .simple(let simple):
        var words: [Word] = []
        var line: [String] = []
        for assignment in simple.assignments {
            if let value = assignment.value {
                words.append(value)
                if simple.words.isEmpty { line.append(assignment.name + "=" + value.displayText) }
            }
            words += assignment.array ?? []
        }
        line += simple.words.map(\.displayText)
        lines.append(line)
        words += simple.words
        for redirection in simple.redirections {
            words.append(redirection.target)
            if let body = redirection.heredocBody { words.append(body) }
        }
        for word in words {
            for script in word.substitutions { collect(script, into: &lines) }
        }
    case .subshell(let body, let redirections), .group(let body, let redirections):
        collect(body, into: &lines)
        collectRedirections(redirections, into: &lines)
    case .compound(let compound):
        for word in compound.words {
            for script in word.substitutions { collect(script, into: &lines) }
        }
        for body in compound.bodies { collect(body, into: &lines) }
        collectRedirections(compound.redirections, into: &lines)
    }
}

private func collectRedirections(_ redirections: [Redirection], into lines: inout [[String]]) {
    for redirection in redirections {
        for script in redirection.target.substitutions { collect(script, into: &lines) }
        for script in redirection.heredocBody?.substitutions ?? [] { collect(script, into: &lines) }
    }
}
