/// Programs that run code: shells (`bash -c`, `sh script`, `curl … | sh`), `eval`, `source`,
/// and language runtimes given literal code (`python -c`, `node -e`) that call a shell.
enum Interpreters {
    static let shells: Set<String> = ["bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "busybox-sh", "fish", "csh", "tcsh", "rbash"]

    static let handlers: [String: Tools.Handler] = {
        var table: [String: Tools.Handler] = ["eval": eval, "source": source, ".": source]
        for name in shells { table[name] = shell }
        for runtime in ["python", "python2", "python3", "pypy", "pypy3"] { table[runtime] = code(.python) }
        for runtime in ["node", "nodejs", "deno", "bun-e"] { table[runtime] = code(.javascript) }
        table["perl"] = code(.perl)
        table["ruby"] = code(.ruby)
        table["php"] = code(.php)
        // Tcl runs programs with `exec` and drives terminals with `spawn` (an agent's way to
        // give `airlock approve` the terminal it demands): never known to be harmless.
        for runtime in ["expect", "tclsh", "wish"] { table[runtime] = tcl }
        return table
    }()

    static let tcl: Tools.Handler = { invocation, session in
        Tools.emit(invocation.command(.opaque, "\(invocation.name) runs a Tcl script, which can spawn and drive any program"), invocation, session: session)
    }

    /// `python3.12`, `python3.11` …
    static func versionedHandler(for name: String) -> Tools.Handler? {
        if name.hasPrefix("python") && name.dropFirst(6).allSatisfy({ $0.isNumber || $0 == "." }) { return code(.python) }
        return nil
    }

    static let shell: Tools.Handler = { invocation, session in
        let name = invocation.name
        var index = 0
        var code: Arg? = nil
        let args = invocation.args
        // Shell options come first; `-c` takes the next operand as the script.
        var wantsCode = false
        while index < args.count {
            let text = args[index].text
            if text == "--" { index += 1; break }
            if text.hasPrefix("-") && text.count > 1 || text.hasPrefix("+") && text.count > 1 {
                if text == "-o" || text == "+o" || text == "-O" || text == "+O" || text == "--rcfile" || text == "--init-file" { index += 2; continue }
                if !text.hasPrefix("--") && text.contains("c") { wantsCode = true }
                if text == "--command" { wantsCode = true }
                index += 1
                continue
            }
            break
        }
        if args.prefix(index).contains(where: { $0.text == "-n" || (!$0.text.hasPrefix("--") && $0.text.hasPrefix("-") && $0.text.contains("n") && !$0.text.contains("c")) }) {
            Tools.emit(invocation.command(.read, "\(name) -n only checks syntax; nothing runs"), invocation, session: session)
            return
        }
        if wantsCode {
            guard index < args.count else {
                Tools.emit(invocation.command(.read, "\(name) -c with no script"), invocation, session: session)
                return
            }
            code = args[index]
        }
        if let code {
            guard code.known else {
                Tools.emit(invocation.command(.opaque, "\(name) -c runs a script computed at run time (\(code.text))"), invocation, session: session)
                return
            }
            session.interpret(code.text, frame: invocation.childFrame("\(name) -c"), origin: "\(name) -c")
            return
        }
        if index < args.count, !args[index].text.isEmpty, args[index].text != "-s" {
            // `bash script.sh args`: follow the script when it can be read.
            let scriptArg = args[index]
            if let access = session.pathAccess(scriptArg, mode: .read, frame: invocation.frame), !access.dynamic,
               let text = session.readFile(access.path) {
                session.interpret(text, frame: invocation.childFrame("\(name) \(scriptArg.text)"), origin: "\(name) \(scriptArg.text)")
            } else if !scriptArg.known {
                Tools.emit(invocation.command(.opaque, "\(name) runs a script whose name is computed at run time"), invocation, session: session)
            } else {
                let paths = session.pathAccess(scriptArg, mode: .read, frame: invocation.frame).map { [$0] } ?? []
                Tools.emit(invocation.command(.write, "\(name) runs the script \(scriptArg.text), which could not be read to analyse", paths: paths), invocation, session: session)
            }
            return
        }
        // The script comes from standard input.
        fromStdin(invocation, session: session, runner: name)
    }

    /// `./deploy.sh`: a script run by path whose `#!` line names a shell is followed like
    /// `sh deploy.sh`. Returns false when it is not such a script (or cannot be read).
    static func runShellScript(_ invocation: Invocation, session: AnalysisSession) -> Bool {
        guard let access = session.pathAccess(Arg(invocation.path), mode: .read, frame: invocation.frame), !access.dynamic,
              let text = session.readFile(access.path), text.hasPrefix("#!") else { return false }
        let shebang = text.dropFirst(2).prefix { $0 != "\n" }.split(separator: " ").map { Paths.basename(String($0)) }
        let interpreter = shebang.first == "env" ? shebang.dropFirst().first { !$0.hasPrefix("-") } : shebang.first
        guard let interpreter, shells.contains(interpreter) else { return false }
        session.interpret(text, frame: invocation.childFrame(invocation.path), origin: invocation.path)
        return true
    }

    /// A shell or interpreter reading its program from standard input: a literal heredoc or
    /// `echo '…' |` is analysed; a download or a decoder is opaque.
    static func fromStdin(_ invocation: Invocation, session: AnalysisSession, runner: String) {
        switch invocation.stdin {
        case .text(let text):
            session.interpret(text, frame: invocation.childFrame("\(runner) <<script"), origin: "\(runner) input")
        case .file(let path):
            if let text = session.readFile(path) {
                session.interpret(text, frame: invocation.childFrame("\(runner) < \(path)"), origin: "\(runner) < \(path)")
            } else {
                Tools.emit(invocation.command(.opaque, "\(runner) runs \(path), which could not be read to analyse"), invocation, session: session)
            }
        case .dynamic(let what):
            Tools.emit(invocation.command(.opaque, "\(runner) runs code from \(what), which is only known at run time"), invocation, session: session)
        case .inherited:
            Tools.emit(invocation.command(.opaque, "an interactive \(runner): what runs next is unknown", interactive: true), invocation, session: session)
        }
    }

    static let eval: Tools.Handler = { invocation, session in
        guard invocation.args.allSatisfy(\.known) else {
            Tools.emit(invocation.command(.opaque, "eval runs text computed at run time"), invocation, session: session)
            return
        }
        session.interpret(invocation.argTexts.joined(separator: " "), frame: invocation.childFrame("eval"), origin: "eval")
    }

    static let source: Tools.Handler = { invocation, session in
        guard let file = invocation.args.first else { return }
        guard let access = session.pathAccess(file, mode: .read, frame: invocation.frame), !access.dynamic else {
            Tools.emit(invocation.command(.opaque, "sources a file whose name is computed at run time"), invocation, session: session)
            return
        }
        if let text = session.readFile(access.path) {
            session.interpret(text, frame: invocation.childFrame("source \(file.text)"), origin: "source \(file.text)")
        } else {
            Tools.emit(invocation.command(.write, "sources \(file.text), which could not be read to analyse", paths: [access]), invocation, session: session)
        }
    }

    // MARK: Language runtimes

    enum Language { case python, javascript, perl, ruby, php }

    /// `python -c CODE`, `node -e CODE`, `perl -e CODE`, `ruby -e CODE`, `php -r CODE`.
    static func code(_ language: Language) -> Tools.Handler {
        { invocation, session in
            let codeFlags: [String]
            switch language {
            case .python: codeFlags = ["-c"]
            case .javascript: codeFlags = ["-e", "--eval", "-p", "--print"]
            case .perl: codeFlags = ["-e", "-E"]
            case .ruby: codeFlags = ["-e"]
            case .php: codeFlags = ["-r"]
            }
            let valued = codeFlags + (["-m", "-W", "-X", "-r", "--require", "-I", "--import", "--loader"])
            let scan = OptionScan(invocation.args, valued: valued, stopAtFirstOperand: true)
            let snippets = scan.options.filter { codeFlags.contains($0.name) }
            guard !snippets.isEmpty else {
                // `python manage.py flush`, `python -m alembic downgrade`: delegate to the tool.
                if let module = scan.value("-m"), let first = scan.operands.first.map({ $0.index }) ?? Optional(invocation.args.count) {
                    let rest = Array(invocation.args[min(first, invocation.args.count)...])
                    session.run([Arg(module)] + rest, assignments: [:], stdin: invocation.stdin, redirects: invocation.redirectPaths, frame: invocation.childFrame("\(invocation.name) -m"))
                    return
                }
                if let script = scan.operands.first, script.arg.text == "-" {
                    fromStdinCode(invocation, language: language, session: session)
                    return
                }
                if let script = scan.operands.first {
                    let scriptName = Paths.basename(script.arg.text)
                    if scriptName == "manage.py" {
                        session.run([Arg("django-manage")] + invocation.args[(script.index + 1)...], assignments: [:], stdin: invocation.stdin, redirects: invocation.redirectPaths, frame: invocation.childFrame("\(invocation.name) manage.py"))
                        return
                    }
                    Tools.emitWithPaths(invocation, .write, "\(invocation.name) runs the program \(script.arg.text)", session: session)
                    return
                }
                if case .inherited = invocation.stdin {
                    Tools.emit(invocation.command(.write, "an interactive \(invocation.name) session", interactive: false), invocation, session: session)
                } else {
                    fromStdinCode(invocation, language: language, session: session)
                }
                return
            }
            for snippet in snippets {
                guard let codeText = snippet.value else { continue }
                let known = invocation.args.first { $0.text == codeText }?.known ?? true
                guard known else {
                    Tools.emit(invocation.command(.opaque, "\(invocation.name) runs code computed at run time"), invocation, session: session)
                    continue
                }
                analyseCode(codeText, language: language, invocation: invocation, session: session)
            }
        }
    }

    static func fromStdinCode(_ invocation: Invocation, language: Language, session: AnalysisSession) {
        switch invocation.stdin {
        case .text(let text): analyseCode(text, language: language, invocation: invocation, session: session)
        case .file(let path):
            if let text = session.readFile(path) {
                analyseCode(text, language: language, invocation: invocation, session: session)
            } else {
                Tools.emitWithPaths(invocation, .write, "\(invocation.name) runs \(path)", session: session)
            }
        case .dynamic(let what):
            Tools.emit(invocation.command(.opaque, "\(invocation.name) runs code from \(what), which is only known at run time"), invocation, session: session)
        case .inherited:
            Tools.emit(invocation.command(.write, "an interactive \(invocation.name) session"), invocation, session: session)
        }
    }

    /// Finds shell calls in literal code and analyses the strings they pass. A shell call with
    /// a computed argument is opaque; recursive deletions name their path.
    static func analyseCode(_ code: String, language: Language, invocation: Invocation, session: AnalysisSession) {
        let calls = CodeScanner.shellCalls(in: code, language: language)
        var sawDynamic = false
        for call in calls {
            switch call {
            case .shell(let command):
                session.interpret(command, frame: invocation.childFrame("\(invocation.name) code"), origin: "\(invocation.name) shell call")
            case .argv(let argv):
                session.run(argv.map { Arg($0) }, assignments: [:], stdin: .inherited, redirects: [], frame: invocation.childFrame("\(invocation.name) code"))
            case .removeTree(let path):
                session.run([Arg("rm"), Arg("-r"), Arg(path)], assignments: [:], stdin: .inherited, redirects: [], frame: invocation.childFrame("\(invocation.name) code"))
            case .dynamic(let what):
                sawDynamic = true
                Tools.emit(invocation.command(.opaque, "\(invocation.name) code calls \(what) with a value computed at run time"), invocation, session: session)
            }
        }
        if !sawDynamic {
            let paths = CodeScanner.pathLiterals(in: code).compactMap { session.pathAccess(Arg($0), mode: .read, frame: invocation.frame) }
            Tools.emit(invocation.command(.write, "\(invocation.name) runs inline code", paths: paths, statements: [code.count > 200 ? String(code.prefix(200)) + "…" : code]), invocation, session: session)
        }
    }
}

/// A lexical scan of inline code for the calls that reach a shell or delete trees. It reads
/// string literals only; anything else passed to such a call makes the call dynamic.
enum CodeScanner {
    enum Call: Equatable {
        case shell(String)
        case argv([String])
        case removeTree(String)
        case dynamic(String)
    }

    static func shellCalls(in code: String, language: Interpreters.Language) -> [Call] {
        let shellFunctions: [String]
        let argvFunctions: [String]
        let treeRemovers: [String]
        switch language {
        case .python:
            shellFunctions = ["os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput", "commands.getoutput"]
            argvFunctions = ["subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen", "os.execvp", "os.execv", "os.spawnvp", "pty.spawn"]
            treeRemovers = ["shutil.rmtree"]
        case .javascript:
            shellFunctions = ["execSync", "exec", "child_process.exec", "child_process.execSync", "Bun.$", "$`"]
            argvFunctions = ["spawnSync", "spawn", "execFileSync", "execFile", "Deno.Command", "Bun.spawn"]
            treeRemovers = ["rmSync", "rmdirSync", "fs.rm", "rimraf", "fs.promises.rm", "Deno.remove"]
        case .perl:
            shellFunctions = ["system", "exec", "qx", "`"]
            argvFunctions = []
            treeRemovers = ["rmtree", "remove_tree"]
        case .ruby:
            shellFunctions = ["system", "exec", "`", "%x", "IO.popen", "Open3.capture2", "Open3.capture3", "Open3.popen3", "spawn"]
            argvFunctions = []
            treeRemovers = ["FileUtils.rm_rf", "FileUtils.rm_r", "FileUtils.remove_dir", "FileUtils.rmtree"]
        case .php:
            shellFunctions = ["shell_exec", "system", "exec", "passthru", "popen", "proc_open", "`"]
            argvFunctions = []
            treeRemovers = []
        }
        var calls: [Call] = []
        let bytes = Array(code.utf8)
        // Backtick command strings (perl, ruby, php, JS tagged `$`).
        if shellFunctions.contains("`") && language != .javascript {
            var i = 0
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "`") {
                    var j = i + 1
                    while j < bytes.count && bytes[j] != UInt8(ascii: "`") { j += 1 }
                    let inner = String(decoding: bytes[(i + 1)..<min(j, bytes.count)], as: UTF8.self)
                    calls.append(inner.contains("#{") || inner.contains("$") && language == .perl ? .dynamic("a backtick command") : .shell(inner))
                    i = j + 1
                } else { i += 1 }
            }
        }
        for function in shellFunctions where function != "`" {
            for argument in arguments(after: function, in: code) {
                if let literal = argument.literal { calls.append(.shell(literal)) } else { calls.append(.dynamic(function)) }
            }
        }
        for function in argvFunctions {
            for argument in arguments(after: function, in: code) {
                if let list = argument.list { calls.append(.argv(list)) }
                else if let literal = argument.literal {
                    if argument.shellTrue { calls.append(.shell(literal)) } else { calls.append(.argv(literal.split(separator: " ").map(String.init))) }
                } else { calls.append(.dynamic(function)) }
            }
        }
        for function in treeRemovers {
            for argument in arguments(after: function, in: code) {
                if let literal = argument.literal ?? argument.list?.first { calls.append(.removeTree(literal)) } else { calls.append(.dynamic(function)) }
            }
        }
        return calls
    }

    /// String literals in code that name absolute or home paths: what the code may open.
    static func pathLiterals(in code: String) -> [String] {
        var results: [String] = []
        var rest = Substring(code)
        while let quote = rest.firstIndex(where: { $0 == "\"" || $0 == "'" }) {
            guard let (literal, after) = stringLiteral(at: rest[quote...]) else {
                rest = rest[rest.index(after: quote)...]
                continue
            }
            if (literal.hasPrefix("/") || literal.hasPrefix("~/")) && !literal.contains(" ") && literal.count > 1 { results.append(literal) }
            rest = after
        }
        return results
    }

    struct Argument {
        var literal: String?
        var list: [String]?
        var shellTrue: Bool
    }

    /// The first argument of every call `name(…)` (or `name "…"` for perl/ruby) in the code.
    static func arguments(after name: String, in code: String) -> [Argument] {
        var results: [Argument] = []
        var searchStart = code.startIndex
        while let range = code[searchStart...].firstRange(of: name) {
            searchStart = range.upperBound
            // Must not be part of a longer identifier (`exec` in `execSync`, `myexec`).
            if range.lowerBound > code.startIndex {
                let before = code[code.index(before: range.lowerBound)]
                if before.isLetter || before.isNumber || before == "_" { continue }
            }
            var cursor = range.upperBound
            if cursor < code.endIndex, code[cursor].isLetter || code[cursor].isNumber || code[cursor] == "_" { continue }
            while cursor < code.endIndex, code[cursor] == " " { cursor = code.index(after: cursor) }
            guard cursor < code.endIndex else { continue }
            if code[cursor] == "(" || code[cursor] == "`" && name == "$`" { cursor = code.index(after: cursor) }
            else if code[cursor] == "{" || code[cursor] == "[" && name == "%x" {
                cursor = code.index(after: cursor)
            } else if !(code[cursor] == "\"" || code[cursor] == "'") { continue }
            while cursor < code.endIndex, code[cursor] == " " { cursor = code.index(after: cursor) }
            let rest = code[cursor...]
            let shellTrue = rest.prefix(400).contains("shell=True") || rest.prefix(400).contains("shell: true")
            if let (literal, _) = stringLiteral(at: rest) {
                results.append(Argument(literal: literal, list: nil, shellTrue: shellTrue))
            } else if rest.first == "[" {
                var items: [String] = []
                var inner = rest.dropFirst()
                var ok = true
                while true {
                    inner = inner.drop { $0 == " " || $0 == "," }
                    if inner.first == "]" { break }
                    guard let (item, after) = stringLiteral(at: inner) else { ok = false; break }
                    items.append(item)
                    inner = after
                }
                results.append(ok ? Argument(literal: nil, list: items, shellTrue: shellTrue) : Argument(literal: nil, list: nil, shellTrue: shellTrue))
            } else {
                results.append(Argument(literal: nil, list: nil, shellTrue: shellTrue))
            }
        }
        return results
    }

    /// A quoted literal with no interpolation (`"…"`, `'…'`); nil for f-strings, template
    /// literals with `${`, or ruby/perl interpolation.
    static func stringLiteral(at text: Substring) -> (String, Substring)? {
        guard let quote = text.first, quote == "\"" || quote == "'" else { return nil }
        var value = ""
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let c = text[index]
            if c == "\\" {
                let next = text.index(after: index)
                guard next < text.endIndex else { return nil }
                switch text[next] {
                case "n": value.append("\n")
                case "t": value.append("\t")
                default: value.append(text[next])
                }
                index = text.index(after: next)
                continue
            }
            if c == quote {
                if quote == "\"" && (value.contains("#{") || value.contains("${")) { return nil }
                return (value, text[text.index(after: index)...])
            }
            value.append(c)
            index = text.index(after: index)
        }
        return nil
    }
}
