import AirlockShell

/// Turns an action into the commands that would actually run and classifies each: effect,
/// targets, paths, branches. Pure: files are read only through the injected `FileSource`.
public struct Analyzer: Sendable {
    public var context: Context
    public var files: any FileSource
    public var limits: AnalysisLimits

    public init(context: Context, files: any FileSource = InMemoryFiles(), limits: AnalysisLimits = .standard) {
        self.context = context
        self.files = files
        self.limits = limits
    }

    public func analyze(_ action: Action) -> Analysis {
        let session = AnalysisSession(context: context, files: files, limits: limits)
        var frame = Frame()
        frame.cwd = context.workingDirectory
        switch action {
        case .shell(let line):
            session.interpret(line, frame: frame, origin: nil)
        case .exec(let argv):
            if argv.isEmpty {
                session.problem("an empty command")
            } else if argv.contains(where: { $0.utf8.contains(0) }) {
                session.problem(ParseError.Kind.invalidCharacters.rawValue)
            } else {
                session.run(argv.map { Arg($0) }, assignments: [:], stdin: .inherited, redirects: [], frame: frame)
            }
        case .file(let path, let access):
            FileActions.analyze(path: path, access: access, session: session, frame: frame)
        case .tool(let call):
            ToolCalls.analyze(call, session: session, frame: frame)
        case .sql(let request):
            SQLRequests.analyze(request, session: session, frame: frame)
        }
        var commands = session.commands
        if case .tool(let call) = action {
            // Everything a tool call runs (its SQL statements, its command line's programs) is
            // that tool's, so a `tool:` rule reaches all of it.
            for index in commands.indices { commands[index].tool = call.name }
        }
        return Analysis(action: action, commands: commands, problems: session.problems)
    }
}

/// The mutable accumulator of one analysis. Local to `Analyzer.analyze`, never shared.
final class AnalysisSession {
    let context: Context
    let files: any FileSource
    let limits: AnalysisLimits
    private(set) var commands: [AnalyzedCommand] = []
    private(set) var problems: [String] = []
    /// Repository lookups already made in this analysis, by working directory.
    var gitDirectories: [String: String?] = [:]

    init(context: Context, files: any FileSource, limits: AnalysisLimits) {
        self.context = context
        self.files = files
        self.limits = limits
    }

    func problem(_ text: String) {
        if !problems.contains(text) { problems.append(text) }
    }

    func emit(_ command: AnalyzedCommand) {
        guard commands.count < limits.maxCommands else {
            problem("more than \(limits.maxCommands) commands in one action")
            return
        }
        commands.append(command)
    }

    /// Reads a file the analysis may follow, bounded in size.
    func readFile(_ path: String) -> String? {
        guard let text = files.contents(of: path), text.utf8.count <= limits.maxFileSize else { return nil }
        return text
    }

    // MARK: Interpreting shell text

    /// Parses and walks shell text: the action itself, or code handed to `bash -c`, `eval`,
    /// `ssh host …`, a heredoc fed to a shell, a package.json script.
    func interpret(_ text: String, frame: Frame, origin: String?) {
        guard frame.interpretationDepth <= limits.maxInterpretationDepth else {
            problem("commands nested more than \(limits.maxInterpretationDepth) interpreters deep")
            return
        }
        let parser = ShellParser(limits: .init(maxLength: limits.maxLength, maxDepth: limits.maxSyntaxDepth))
        do {
            let script = try parser.parse(text)
            var inner = frame
            if origin != nil { inner.interpretationDepth += 1 }
            walk(script, frame: &inner)
        } catch {
            if let origin {
                problem("\(origin): \(error)")
            } else {
                problem("\(error)")
            }
        }
    }

    // MARK: Walking the syntax tree

    func walk(_ script: Script, frame: inout Frame) {
        for item in script.items {
            for pipeline in item.andOr.pipelines {
                walk(pipeline, frame: &frame)
            }
        }
    }

    private func walk(_ pipeline: Pipeline, frame: inout Frame) {
        var stdin: Stdin = .inherited
        for (index, command) in pipeline.commands.enumerated() {
            // Each element of a multi-command pipeline runs in a subshell: `cd` and `export`
            // inside it do not reach the rest of the line.
            if pipeline.commands.count == 1 {
                _ = walk(command, stdin: .inherited, frame: &frame, needsOutput: false)
            } else {
                var scoped = frame
                stdin = walk(command, stdin: index == 0 ? .inherited : stdin, frame: &scoped, needsOutput: index < pipeline.commands.count - 1)
            }
        }
    }

    /// Walks one command and returns what it writes to standard output, for the next stage.
    private func walk(_ command: Command, stdin: Stdin, frame: inout Frame, needsOutput: Bool) -> Stdin {
        switch command {
        case .simple(let simple):
            return walk(simple, stdin: stdin, frame: &frame, needsOutput: needsOutput)
        case .subshell(let script, let redirections):
            var inner = frame
            let (_, paths) = redirect(redirections, frame: frame)
            walk(script, frame: &inner)
            emitRedirectionsOnly(paths, frame: frame)
            return .dynamic("a subshell's output")
        case .group(let script, let redirections):
            let (_, paths) = redirect(redirections, frame: frame)
            walk(script, frame: &frame)
            emitRedirectionsOnly(paths, frame: frame)
            return .dynamic("a group's output")
        case .compound(let compound):
            for word in compound.words { walkSubstitutions(in: word, frame: frame) }
            let (_, paths) = redirect(compound.redirections, frame: frame)
            for body in compound.bodies {
                var inner = frame
                walk(body, frame: &inner)
            }
            emitRedirectionsOnly(paths, frame: frame)
            return .dynamic("a compound command's output")
        }
    }

    private func walk(_ simple: SimpleCommand, stdin pipedStdin: Stdin, frame: inout Frame, needsOutput: Bool) -> Stdin {
        // Substitutions run before the command: analyse them first, in order.
        for assignment in simple.assignments {
            if let value = assignment.value { walkSubstitutions(in: value, frame: frame) }
            for word in assignment.array ?? [] { walkSubstitutions(in: word, frame: frame) }
        }
        for word in simple.words { walkSubstitutions(in: word, frame: frame) }

        let (redirectedStdin, paths) = redirect(simple.redirections, frame: frame)
        let stdin = redirectedStdin ?? pipedStdin

        var assignments: [String: String] = [:]
        for assignment in simple.assignments {
            if let value = assignment.value {
                let expanded = expand(value, frame: frame)
                assignments[assignment.name] = expanded.known ? expanded.text : computedValue
            } else {
                assignments[assignment.name] = computedValue
            }
        }

        guard !simple.words.isEmpty else {
            // `X=1` alone sets a shell variable for the rest of the line.
            for assignment in simple.assignments {
                if let value = assignment.value {
                    let expanded = expand(value, frame: frame)
                    frame.environment[assignment.name] = expanded.known ? expanded.text : computedValue
                }
            }
            emitRedirectionsOnly(paths, frame: frame)
            return .text("")
        }

        let args = simple.words.map { expand($0, frame: frame) }
        trackBuiltins(args, frame: &frame)
        run(args, assignments: assignments, stdin: stdin, redirects: paths, frame: frame)
        return needsOutput ? output(of: args, stdin: stdin, frame: frame) : .inherited
    }

    /// Programs that change the state later commands of the line run in.
    private static let stateChanging: Set<String> = [
        "cd", "pushd", "export", "declare", "typeset", "readonly", "local", "unset", "kubectl", "oc", "kubectx", "terraform", "tofu",
    ]

    /// Shell builtins that change the state later commands run in.
    private func trackBuiltins(_ args: [Arg], frame: inout Frame) {
        guard let name = args.first, name.known, Self.stateChanging.contains(name.text) else { return }
        switch name.text {
        case "cd", "pushd":
            let target = args.dropFirst().first { !$0.text.hasPrefix("-") || $0.text == "-" }
            guard let target else {
                frame.cwd = frame.remote ? nil : context.homeDirectory
                return
            }
            if target.known && target.text != "-", let cwd = frame.cwd {
                frame.cwd = Paths.resolve(target.text, cwd: cwd, home: context.homeDirectory)
            } else {
                frame.cwd = nil
            }
        case "export", "declare", "typeset", "readonly", "local":
            for arg in args.dropFirst() where !arg.text.hasPrefix("-") {
                guard let eq = arg.text.firstIndex(of: "=") else { continue }
                let name = String(arg.text[..<eq])
                frame.environment[name] = arg.known ? String(arg.text[arg.text.index(after: eq)...]) : computedValue
            }
        case "unset":
            for arg in args.dropFirst() { frame.environment.removeValue(forKey: arg.text) }
        case "kubectl", "oc":
            let words = args.dropFirst().filter { !$0.text.hasPrefix("-") }.map(\.text)
            if words.count >= 3, words[0] == "config", words[1] == "use-context" || words[1] == "use" {
                frame.toolState[.kubeContext] = args.dropFirst().first { $0.text == words[2] }?.known == false ? computedValue : words[2]
            }
        case "kubectx":
            if let context = args.dropFirst().first(where: { !$0.text.hasPrefix("-") }), context.text != "-" {
                frame.toolState[.kubeContext] = context.known ? context.text : computedValue
            }
        case "terraform", "tofu":
            let words = args.dropFirst().filter { !$0.text.hasPrefix("-") }
            if words.count >= 3, words[0].text == "workspace", words[1].text == "select" || words[1].text == "new" {
                frame.toolState[.terraformWorkspace] = words[2].known ? words[2].text : computedValue
            }
        default:
            break
        }
    }

    /// What a command prints, when the analysis can know it (`echo`/`printf` of literals,
    /// `cat` of a file), so a shell or SQL client fed by a pipe can be followed.
    private func output(of args: [Arg], stdin: Stdin, frame: Frame) -> Stdin {
        guard let name = args.first, name.known else { return .dynamic("a computed command's output") }
        let rest = Array(args.dropFirst())
        switch Paths.basename(name.text) {
        case "echo":
            var words = rest
            var newline = true
            while let first = words.first, first.known, ["-n", "-e", "-E", "-ne", "-en"].contains(first.text) {
                if first.text.contains("n") { newline = false }
                words.removeFirst()
            }
            guard words.allSatisfy(\.known) else { return .dynamic("echo of a computed value") }
            return .text(words.map(\.text).joined(separator: " ") + (newline ? "\n" : ""))
        case "printf":
            guard !rest.isEmpty, rest.allSatisfy(\.known) else { return .dynamic("printf of a computed value") }
            // Format directives are not interpreted; the literal text is what matters for analysis.
            return .text(rest.map(\.text).joined(separator: " ").replacingAll("\\n", with: "\n"))
        case "cat", "tee":
            let operands = rest.filter { !$0.text.hasPrefix("-") }
            if operands.isEmpty || Paths.basename(name.text) == "tee" { return stdin }
            if operands.count == 1, operands[0].known, let cwd = frame.cwd, !frame.remote {
                return .file(Paths.resolve(operands[0].text, cwd: cwd, home: context.homeDirectory))
            }
            return .dynamic("cat output")
        default:
            return .dynamic("the output of \(Paths.basename(name.text))")
        }
    }

    private func walkSubstitutions(in word: Word, frame: Frame) {
        guard word.hasSubstitutions else { return }
        for script in word.substitutions {
            var inner = frame.entering("$(…)")
            walk(script, frame: &inner)
        }
    }

    /// Standard input from redirections, and the paths redirections read or write.
    private func redirect(_ redirections: [Redirection], frame: Frame) -> (Stdin?, [PathAccess]) {
        var stdin: Stdin? = nil
        var paths: [PathAccess] = []
        for redirection in redirections {
            walkSubstitutions(in: redirection.target, frame: frame)
            if let body = redirection.heredocBody { walkSubstitutions(in: body, frame: frame) }
            switch redirection.op {
            case .heredoc, .heredocStripTabs:
                let body = redirection.heredocBody.map { expand($0, frame: frame) }
                if let body, body.known { stdin = .text(body.text) } else { stdin = .dynamic("a heredoc with expansions") }
            case .hereString:
                let word = expand(redirection.target, frame: frame)
                stdin = word.known ? .text(word.text + "\n") : .dynamic("a here-string with expansions")
            case .input, .readWrite:
                let target = expand(redirection.target, frame: frame)
                if let access = pathAccess(target, mode: redirection.op == .input ? .read : .write, frame: frame) {
                    paths.append(access)
                    if redirection.fd == nil || redirection.fd == "0" {
                        stdin = access.dynamic ? .dynamic("a computed file") : .file(access.path)
                    }
                }
            case .output, .append, .clobber, .outputAndError, .appendOutputAndError:
                let target = expand(redirection.target, frame: frame)
                if let access = pathAccess(target, mode: .write, frame: frame) { paths.append(access) }
            case .duplicateInput, .duplicateOutput:
                // `2>&1`, `>&2`: descriptors, not files, unless the word is a file name (`>& file`).
                let target = expand(redirection.target, frame: frame)
                let isDescriptor = target.text == "-" || target.text.allSatisfy(\.isNumber)
                if !isDescriptor, let access = pathAccess(target, mode: .write, frame: frame) { paths.append(access) }
            }
        }
        return (stdin, paths)
    }

    /// A redirection with no command (`> file`) still truncates or creates the file.
    private func emitRedirectionsOnly(_ paths: [PathAccess], frame: Frame) {
        guard !paths.isEmpty else { return }
        var command = AnalyzedCommand(
            binary: "redirection", args: paths.map(\.path), effect: paths.contains { $0.mode == .write } ? .write : .read,
            effectReason: "a redirection with no command creates or truncates the file", paths: paths, via: frame.via)
        FileSystemTools.escalateForPaths(&command, session: self, frame: frame)
        emit(command)
    }

    // MARK: Words

    /// A word's value: literal parts as written, `$NAME` from the line's own assignments or the
    /// environment, anything else unknown.
    func expand(_ word: Word, frame: Frame) -> Arg {
        var text = ""
        var known = true
        var glob = false
        func add(_ part: WordPart, quoted: Bool) {
            switch part {
            case .literal(let value), .singleQuoted(let value):
                text += value
            case .doubleQuoted(let inner):
                for piece in inner { add(piece, quoted: true) }
            case .parameter(let name, let expression, _):
                if expression == nil, let value = variable(name, frame: frame) {
                    text += value
                } else {
                    text += expression.map { "${\($0)}" } ?? "$\(name)"
                    known = false
                }
            case .glob(let value):
                if value == "~" || value.hasPrefix("~/") || (value.hasPrefix("~") && !value.contains("*")) {
                    text += value
                } else {
                    text += value
                    if !quoted { glob = true }
                }
            case .brace(let value):
                text += value
                known = false
            case .commandSubstitution(let script) where script.items.isEmpty:
                break // `$()` and ``` `` ``` expand to nothing
            case .commandSubstitution:
                text += "$(…)"
                known = false
            case .processSubstitution(_, let output):
                text += output ? ">(…)" : "<(…)"
                known = false
            case .arithmetic(let expression, _):
                text += "$((\(expression)))"
                known = false
            }
        }
        for part in word.parts { add(part, quoted: false) }
        return Arg(text, known: known, glob: glob)
    }

    func variable(_ name: String, frame: Frame) -> String? {
        if let value = frame.environment[name] { return value == computedValue ? nil : value }
        if frame.remote { return nil }
        switch name {
        case "HOME": return context.homeDirectory
        case "PWD": return frame.cwd
        default: return context.environment[name]
        }
    }

    /// A path argument resolved against the frame's directory; nil for descriptors and
    /// pseudo-files that cannot be harmed (`/dev/null`, `/dev/stdout`).
    func pathAccess(_ arg: Arg, mode: PathAccess.Mode, frame: Frame) -> PathAccess? {
        let harmless = ["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty", "-"]
        if harmless.contains(arg.text) || arg.text.hasPrefix("/dev/fd/") { return nil }
        if frame.remote {
            // Remote paths: absolute ones as written; `~/x` and relative ones are in the remote
            // home (their exact location is unknown here, but it is not a working directory).
            if arg.text.hasPrefix("/") { return PathAccess(Paths.normalize(arg.text, relativeTo: "/"), mode, dynamic: !arg.known) }
            let homeRelative = arg.text == "~" || arg.text.hasPrefix("~/") ? arg.text : "~/" + arg.text
            return PathAccess(homeRelative, mode, dynamic: !arg.known)
        }
        guard let cwd = frame.cwd else {
            if arg.text.hasPrefix("/") { return PathAccess(Paths.normalize(arg.text, relativeTo: "/"), mode, dynamic: !arg.known) }
            return PathAccess(arg.text, mode, dynamic: true)
        }
        if !arg.known {
            // `$HOME/x` and `~/x` style prefixes are resolved by `expand`; what is left is unknown.
            return PathAccess(arg.text, mode, dynamic: true)
        }
        return PathAccess(Paths.resolve(arg.text, cwd: cwd, home: context.homeDirectory), mode)
    }

    // MARK: Running a command

    /// Classifies one command (and, through wrappers, the commands it runs).
    func run(_ args: [Arg], assignments: [String: String], stdin: Stdin, redirects: [PathAccess], frame: Frame) {
        guard let first = args.first else { return }
        guard frame.via.count <= limits.maxSyntaxDepth else {
            problem("commands wrapped more than \(limits.maxSyntaxDepth) levels deep")
            return
        }
        var overrides = frame.environment
        for (key, value) in assignments { overrides[key] = value }
        let environment = EnvironmentView(overrides: overrides, base: frame.remote ? [:] : context.environment)

        guard first.known, !first.glob else {
            var command = AnalyzedCommand(
                binary: "", args: args.dropFirst().map(\.text), effect: .opaque,
                effectReason: "the program to run is computed at run time ('\(first.text)')",
                targets: frame.inheritedTargets, paths: redirects, via: frame.via)
            command.binary = first.text
            emit(command)
            return
        }
        let invocation = Invocation(
            name: Paths.basename(first.text), path: first.text, args: Array(args.dropFirst()), environment: environment,
            stdin: stdin, frame: frame, redirectPaths: redirects)
        Tools.classify(invocation, session: self)
    }
}
