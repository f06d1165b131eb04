/// Programs that run another program: `sudo`, `env`, `timeout`, `xargs`, `ssh host CMD`,
/// `kubectl exec … -- CMD`, `npx`, `dotenv --` … The wrapped command is what gets classified;
/// the wrapper is recorded in `via`, and remote wrappers make their host the inner target.
enum Wrappers {
    static let handlers: [String: Tools.Handler] = [
        "sudo": sudo, "doas": doas, "env": env, "command": command, "builtin": plain("builtin"), "exec": exec,
        "nohup": plain("nohup"), "nice": optionsThen(["-n", "--adjustment"], "nice"), "time": optionsThen(["-f", "--format", "-o", "--output"], "time"),
        "timeout": timeout, "xargs": xargs, "watch": watch, "stdbuf": optionsThen(["-i", "-o", "-e"], "stdbuf"),
        "ionice": optionsThen(["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"], "ionice"),
        "chrt": chrt, "taskset": taskset, "setsid": plain("setsid"), "unbuffer": plain("unbuffer"),
        "chronic": plain("chronic"), "flock": flock, "caffeinate": plain("caffeinate"), "strace": optionsThen(["-o", "-e", "-p", "-s", "-u"], "strace"),
        "ltrace": optionsThen(["-o", "-e", "-p", "-s", "-u"], "ltrace"), "firejail": plain("firejail"), "proxychains": plain("proxychains"),
        "proxychains4": plain("proxychains4"), "torsocks": plain("torsocks"), "faketime": optionsThen([], "faketime", skipOperands: 1),
        "ssh": ssh, "kubectl-exec": plain("kubectl exec"), "npx": npx, "bunx": npx, "pnpx": npx,
        "dotenv": dashDash("dotenv"), "op": dashDash("op run"), "doppler": dashDash("doppler run"),
        "aws-vault": dashDash("aws-vault exec"), "direnv": dashDash("direnv exec", skipOperands: 2),
        "poetry": subcommandRunner(["run"], "poetry run"), "pipenv": subcommandRunner(["run"], "pipenv run"),
        "uv": subcommandRunner(["run"], "uv run"), "uvx": npx, "pipx": subcommandRunner(["run"], "pipx run"),
        "bundle": subcommandRunner(["exec"], "bundle exec"), "script": script, "su": su, "runuser": su,
    ]

    /// Classifies `args` as a command run by `wrapper`.
    static func runInner(_ args: [Arg], _ invocation: Invocation, session: AnalysisSession, wrapper: String, extraEnvironment: [String: String] = [:], frame: Frame? = nil) {
        guard !args.isEmpty else {
            Tools.emit(invocation.command(.read, "\(wrapper) with no command"), invocation, session: session)
            return
        }
        var inner = frame ?? invocation.frame
        inner.via.append(wrapper)
        var merged = extraEnvironment
        for (key, value) in invocation.environment.overrides where merged[key] == nil {
            merged[key] = value
        }
        session.run(args, assignments: merged, stdin: invocation.stdin, redirects: invocation.redirectPaths, frame: inner)
    }

    static func plain(_ wrapper: String) -> Tools.Handler {
        optionsThen([], wrapper)
    }

    /// A wrapper whose own options come first; the command starts at the first operand.
    static func optionsThen(_ valued: [String], _ wrapper: String, skipOperands: Int = 0) -> Tools.Handler {
        { invocation, session in
            let scan = OptionScan(invocation.args, valued: valued, stopAtFirstOperand: true)
            guard let first = scan.operands.dropFirst(skipOperands).first else {
                Tools.emit(invocation.command(.read, "\(wrapper) with no command"), invocation, session: session)
                return
            }
            runInner(Array(invocation.args[first.index...]), invocation, session: session, wrapper: wrapper)
        }
    }

    /// `dotenv -e .env.prod -- CMD`, `op run -- CMD`: the command follows `--`.
    static func dashDash(_ wrapper: String, skipOperands: Int = 0) -> Tools.Handler {
        { invocation, session in
            if let dash = invocation.args.firstIndex(where: { $0.text == "--" }) {
                runInner(Array(invocation.args[(dash + 1)...]), invocation, session: session, wrapper: wrapper)
            } else if skipOperands > 0, invocation.args.count > skipOperands {
                runInner(Array(invocation.args.dropFirst(skipOperands)), invocation, session: session, wrapper: wrapper)
            } else {
                Tools.emitWithPaths(invocation, .write, "\(invocation.name) without a wrapped command", session: session)
            }
        }
    }

    /// `poetry run CMD`, `bundle exec CMD`: a subcommand that runs the rest.
    static func subcommandRunner(_ verbs: Set<String>, _ wrapper: String) -> Tools.Handler {
        { invocation, session in
            let scan = OptionScan(invocation.args, valued: ["--directory", "-C", "--project", "--python", "-p", "--with"], stopAtFirstOperand: true)
            if let verb = scan.operands.first, verbs.contains(verb.arg.text), verb.index + 1 < invocation.args.count {
                let rest = Array(invocation.args[(verb.index + 1)...])
                let innerScan = OptionScan(rest, valued: ["--with", "--python", "-p", "--env-file", "--directory"], stopAtFirstOperand: true)
                if let start = innerScan.operands.first {
                    runInner(Array(rest[start.index...]), invocation, session: session, wrapper: wrapper)
                    return
                }
            }
            Tools.emitWithPaths(invocation, .write, "\(invocation.name) manages a local environment", session: session)
        }
    }

    static let sudo: Tools.Handler = { invocation, session in
        let valued = ["-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir", "-h", "--host", "-p", "--prompt", "-r", "--role", "-t", "--type", "-U", "--other-user", "-T", "--command-timeout"]
        let scan = OptionScan(invocation.args, valued: valued, stopAtFirstOperand: true)
        if scan.has("-e", "--edit") {
            let paths = scan.operands.compactMap { session.pathAccess($0.arg, mode: .write, frame: invocation.frame) }
            Tools.emit(invocation.command(.write, "sudoedit edits files as root", paths: paths), invocation, session: session)
            return
        }
        if scan.has("-l", "--list", "-v", "--validate", "-k", "-K", "--reset-timestamp", "--remove-timestamp", "-V", "--version") && scan.operands.isEmpty {
            Tools.emit(invocation.command(.read, "sudo checks credentials or privileges"), invocation, session: session)
            return
        }
        guard let first = scan.operands.first else {
            let shell = scan.has("-i", "--login", "-s", "--shell")
            Tools.emit(invocation.command(.opaque, shell ? "an interactive root shell: what runs next is unknown" : "sudo without a command", interactive: shell), invocation, session: session)
            return
        }
        var frame = invocation.frame
        if let dir = scan.value("-D", "--chdir"), let cwd = frame.cwd { frame.cwd = Paths.resolve(dir, cwd: cwd, home: session.context.homeDirectory) }
        runInner(Array(invocation.args[first.index...]), invocation, session: session, wrapper: "sudo", frame: frame)
    }

    static let doas: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-u", "-C"], stopAtFirstOperand: true)
        guard let first = scan.operands.first else {
            Tools.emit(invocation.command(.opaque, "an interactive root shell: what runs next is unknown", interactive: true), invocation, session: session)
            return
        }
        runInner(Array(invocation.args[first.index...]), invocation, session: session, wrapper: "doas")
    }

    static let su: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-c", "--command", "-s", "--shell", "-g", "--group", "-u", "--user"])
        if let code = scan.value("-c", "--command") {
            session.interpret(code, frame: invocation.childFrame("\(invocation.name) -c"), origin: "\(invocation.name) -c")
            return
        }
        if invocation.name == "runuser", let dash = invocation.args.firstIndex(where: { $0.text == "--" }) {
            runInner(Array(invocation.args[(dash + 1)...]), invocation, session: session, wrapper: "runuser")
            return
        }
        Tools.emit(invocation.command(.opaque, "an interactive shell as another user: what runs next is unknown", interactive: true), invocation, session: session)
    }

    /// `env [-i] [-u NAME] [NAME=value]… [-S 'cmd args'] CMD`: assignments reach the command's
    /// environment, so `env PGHOST=prod psql` is a production session.
    static let env: Tools.Handler = { invocation, session in
        var assignments: [String: String] = [:]
        var index = 0
        let args = invocation.args
        var frame = invocation.frame
        while index < args.count {
            let text = args[index].text
            if text == "-i" || text == "--ignore-environment" || text == "-" || text == "-0" || text == "--null" { index += 1; continue }
            if text == "-u" || text == "--unset" || text == "-C" || text == "--chdir" {
                if (text == "-C" || text == "--chdir"), index + 1 < args.count, let cwd = frame.cwd {
                    frame.cwd = Paths.resolve(args[index + 1].text, cwd: cwd, home: session.context.homeDirectory)
                }
                index += 2
                continue
            }
            if text == "-S" || text == "--split-string" || text.hasPrefix("-S") {
                let code = text == "-S" || text == "--split-string" ? (index + 1 < args.count ? args[index + 1] : Arg("")) : Arg(String(text.dropFirst(2)), known: args[index].known)
                let restStart = text == "-S" || text == "--split-string" ? index + 2 : index + 1
                let rest = args.count > restStart ? " " + args[restStart...].map { ShellQuoting.quoteIfNeeded($0.text) }.joined(separator: " ") : ""
                guard code.known else {
                    Tools.emit(invocation.command(.opaque, "env -S runs a command computed at run time"), invocation, session: session)
                    return
                }
                session.interpret(code.text + rest, frame: frame.entering("env -S"), origin: "env -S")
                return
            }
            if text.hasPrefix("-") { index += 1; continue }
            if let eq = text.firstIndex(of: "="), eq != text.startIndex {
                assignments[String(text[..<eq])] = String(text[text.index(after: eq)...])
                index += 1
                continue
            }
            break
        }
        guard index < args.count else {
            Tools.emit(invocation.command(.read, "env prints the environment"), invocation, session: session)
            return
        }
        runInner(Array(args[index...]), invocation, session: session, wrapper: "env", extraEnvironment: assignments, frame: frame)
    }

    static let command: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: [], stopAtFirstOperand: true)
        if scan.has("-v", "-V") {
            Tools.emit(invocation.command(.read, "command -v looks a program up"), invocation, session: session)
            return
        }
        guard let first = scan.operands.first else { return }
        runInner(Array(invocation.args[first.index...]), invocation, session: session, wrapper: "command")
    }

    static let exec: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-a"], stopAtFirstOperand: true)
        guard let first = scan.operands.first else {
            Tools.emit(invocation.command(.write, "exec changes the shell's descriptors"), invocation, session: session)
            return
        }
        runInner(Array(invocation.args[first.index...]), invocation, session: session, wrapper: "exec")
    }

    /// `timeout [-s SIG] [-k DUR] DURATION CMD`
    static let timeout: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-s", "--signal", "-k", "--kill-after"], stopAtFirstOperand: false)
        guard scan.operands.count >= 2 else {
            Tools.emit(invocation.command(.read, "timeout with no command"), invocation, session: session)
            return
        }
        runInner(Array(invocation.args[scan.operands[1].index...]), invocation, session: session, wrapper: "timeout")
    }

    static let chrt: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-T", "-P", "-D"], stopAtFirstOperand: false)
        guard scan.operands.count >= 2 else { return Tools.emitWithPaths(invocation, .write, "chrt changes scheduling", session: session) }
        runInner(Array(invocation.args[scan.operands[1].index...]), invocation, session: session, wrapper: "chrt")
    }

    static let taskset: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: [], stopAtFirstOperand: false)
        guard scan.operands.count >= 2, !scan.has("-p", "--pid") else { return Tools.emitWithPaths(invocation, .write, "taskset changes CPU affinity", session: session) }
        runInner(Array(invocation.args[scan.operands[1].index...]), invocation, session: session, wrapper: "taskset")
    }

    /// `flock [opts] FILE CMD…` or `flock [opts] FILE -c 'CMD'`.
    static let flock: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-w", "--wait", "--timeout", "-E", "--conflict-exit-code", "-c", "--command"], stopAtFirstOperand: false)
        if let code = scan.value("-c", "--command") {
            session.interpret(code, frame: invocation.childFrame("flock -c"), origin: "flock -c")
            return
        }
        guard scan.operands.count >= 2 else { return Tools.emitWithPaths(invocation, .write, "flock takes a lock", session: session) }
        runInner(Array(invocation.args[scan.operands[1].index...]), invocation, session: session, wrapper: "flock")
    }

    /// `script -c 'CMD' file`
    static let script: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-c", "--command", "-t", "--timing", "-T", "-I", "-O", "-B", "-m", "-E"])
        if let code = scan.value("-c", "--command") {
            session.interpret(code, frame: invocation.childFrame("script -c"), origin: "script -c")
        } else {
            Tools.emit(invocation.command(.opaque, "script starts an interactive shell", interactive: true), invocation, session: session)
        }
    }

    /// `xargs [opts] CMD ARGS…`: the command gets more arguments from its input, which are
    /// unknown unless the input is literal.
    static let xargs: Tools.Handler = { invocation, session in
        let valued = ["-I", "-i", "-n", "--max-args", "-P", "--max-procs", "-L", "--max-lines", "-d", "--delimiter", "-E", "-e", "-s", "--max-chars", "-a", "--arg-file", "--process-slot-var"]
        let scan = OptionScan(invocation.args, valued: valued, stopAtFirstOperand: true)
        let inner: [Arg]
        if let first = scan.operands.first {
            inner = Array(invocation.args[first.index...])
        } else {
            inner = [Arg("echo")]
        }
        var argv = inner
        let replace = scan.value("-I", "-i")
        let supplied: [Arg]
        if case .text(let text) = invocation.stdin {
            supplied = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map { Arg(String($0)) }
        } else {
            supplied = [Arg("<input>", known: false)]
        }
        if let replace {
            argv = argv.map { arg in arg.text.contains(replace) ? (supplied.first.map { Arg(arg.text.replacingAll(replace, with: $0.text), known: $0.known && arg.known) } ?? arg) : arg }
        } else {
            argv.append(contentsOf: supplied)
        }
        var inv = invocation
        inv.stdin = .inherited
        runInner(argv, inv, session: session, wrapper: "xargs")
    }

    /// `watch [opts] CMD…`: watch joins its arguments and runs them with `sh -c`.
    static let watch: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-n", "--interval", "-d", "--differences", "-q", "--equexit"], stopAtFirstOperand: true)
        guard let first = scan.operands.first else { return }
        let words = invocation.args[first.index...]
        guard words.allSatisfy(\.known) else {
            Tools.emit(invocation.command(.opaque, "watch runs a command computed at run time"), invocation, session: session)
            return
        }
        let code = words.map(\.text).joined(separator: " ")
        session.interpret(code, frame: invocation.childFrame("watch"), origin: "watch")
    }

    /// `npx [-y] [-p pkg] CMD ARGS…`: the package binary is the command (`npx prisma migrate reset`).
    static let npx: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-p", "--package", "-c", "--call", "--from", "--with", "--python"], stopAtFirstOperand: true)
        if let code = scan.value("-c", "--call") {
            session.interpret(code, frame: invocation.childFrame("npx -c"), origin: "npx -c")
            return
        }
        guard let first = scan.operands.first else { return Tools.emitWithPaths(invocation, .write, "npx with no command", session: session) }
        var argv = Array(invocation.args[first.index...])
        // `npx prisma@5 …` names a version.
        if let at = argv[0].text.dropFirst().firstIndex(of: "@") {
            argv[0] = Arg(String(argv[0].text[..<at]), known: argv[0].known)
        }
        if argv[0].text.hasPrefix("@"), let slash = argv[0].text.firstIndex(of: "/") {
            // `@scope/name` → `name`
            argv[0] = Arg(String(argv[0].text[argv[0].text.index(after: slash)...]), known: argv[0].known)
        }
        runInner(argv, invocation, session: session, wrapper: invocation.name)
    }

    /// `ssh [opts] [user@]host [CMD…]`: the command runs on the host, which becomes its target.
    static let ssh: Tools.Handler = { invocation, session in
        let valued = ["-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w", "-B", "-P"]
        let scan = OptionScan(invocation.args, valued: valued, stopAtFirstOperand: true)
        guard let destination = scan.operands.first else {
            Tools.emit(invocation.command(.read, "ssh without a destination"), invocation, session: session)
            return
        }
        var host = destination.arg.text
        if host.hasPrefix("ssh://") { host = String(host.dropFirst(6)) }
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
        if let colon = host.firstIndex(of: ":") { host = String(host[..<colon]) }
        let target = Target(.host, host, source: "ssh destination")
        let rest = invocation.args[(destination.index + 1)...]
        if scan.has("-N") || scan.has("-O") || (rest.isEmpty && (scan.has("-L") || scan.has("-R") || scan.has("-D") || scan.has("-W"))) {
            Tools.emit(invocation.command(.read, "ssh forwards ports or controls a connection", targets: [target]), invocation, session: session)
            return
        }
        guard !rest.isEmpty else {
            var script: String? = nil
            if case .text(let text) = invocation.stdin { script = text }
            if case .file(let path) = invocation.stdin { script = session.readFile(path) }
            if let script {
                session.interpret(script, frame: invocation.remoteFrame("ssh \(host)", targets: [target]), origin: "ssh \(host) script")
                return
            }
            let stdinUnknown: Bool = { if case .dynamic = invocation.stdin { return true }; if case .file = invocation.stdin { return true }; return false }()
            Tools.emit(invocation.command(stdinUnknown ? .opaque : .write, stdinUnknown ? "runs a script from its input on \(host)" : "an interactive shell on \(host)", targets: [target], interactive: !stdinUnknown), invocation, session: session)
            return
        }
        guard rest.allSatisfy(\.known) else {
            Tools.emit(invocation.command(.opaque, "runs a command computed at run time on \(host)", targets: [target]), invocation, session: session)
            return
        }
        // The remote shell re-parses the joined words.
        let code = rest.map(\.text).joined(separator: " ")
        session.interpret(code, frame: invocation.remoteFrame("ssh \(host)", targets: [target]), origin: "ssh \(host)")
    }
}
