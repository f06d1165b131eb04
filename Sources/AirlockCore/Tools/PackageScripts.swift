/// `npm|pnpm|yarn|bun run SCRIPT` (and `npm test`, `yarn SCRIPT`): the script is looked up in
/// `package.json` in the working directory and what it would run is analysed, with its `pre`
/// and `post` hooks. Other package-manager commands install or build locally.
enum PackageScripts {
    static let handlers: [String: Tools.Handler] = ["npm": run, "pnpm": run, "yarn": run, "bun": run]

    /// Verbs that name a script directly (`npm test`, `npm start`).
    static let scriptShortcuts: Set<String> = ["test", "start", "stop", "restart", "t", "tst"]
    static let runVerbs: Set<String> = ["run", "run-script", "rum", "urn"]
    static let execVerbs: Set<String> = ["exec", "dlx", "x"]

    static let run: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["--prefix", "-C", "--dir", "--cwd", "--filter", "-F", "--workspace", "-w"], stopAtFirstOperand: true)
        guard let verbOperand = scan.operands.first else {
            Tools.emitWithPaths(invocation, .write, "\(invocation.name) installs dependencies", session: session)
            return
        }
        let verb = verbOperand.arg.text
        let rest = Array(invocation.args[(verbOperand.index + 1)...])
        var frame = invocation.childFrame(invocation.name)
        frame.via.removeLast()
        if let dir = scan.value("--prefix", "-C", "--dir", "--cwd"), let cwd = frame.cwd { frame.cwd = Paths.resolve(dir, cwd: cwd, home: session.context.homeDirectory) }

        if execVerbs.contains(verb) || (invocation.name == "bun" && verb == "x") {
            let inner = OptionScan(rest, valued: ["-p", "--package", "-c", "--call"], stopAtFirstOperand: true)
            if let code = inner.value("-c", "--call") {
                session.interpret(code, frame: frame.entering("\(invocation.name) \(verb) -c"), origin: "\(invocation.name) \(verb) -c")
            } else if let first = inner.operands.first {
                Wrappers.runInner(Array(rest[first.index...]), invocation, session: session, wrapper: "\(invocation.name) \(verb)", frame: frame)
            }
            return
        }

        var scriptName: String? = nil
        var scriptArgs: [Arg] = []
        if runVerbs.contains(verb), let first = rest.first {
            scriptName = first.text
            scriptArgs = Array(rest.dropFirst())
        } else if scriptShortcuts.contains(verb) {
            scriptName = verb == "t" || verb == "tst" ? "test" : verb
            scriptArgs = rest
        } else if invocation.name != "npm", !knownVerbs.contains(verb) {
            // `yarn build`, `pnpm db:reset`, `bun deploy`: a script if package.json has one.
            scriptName = verb
            scriptArgs = rest
        }
        guard let scriptName else {
            Tools.emitWithPaths(invocation, .write, "\(invocation.name) \(verb) manages local packages", session: session)
            return
        }
        if scriptArgs.first?.text == "--" { scriptArgs.removeFirst() }
        guard let cwd = frame.cwd, !frame.remote, let manifest = session.readFile(cwd + "/package.json") else {
            Tools.emit(invocation.command(.opaque, "\(invocation.name) runs the script '\(scriptName)', but package.json could not be read to see what it runs", subcommand: scriptName), invocation, session: session)
            return
        }
        let scripts = PackageJSON.scripts(in: manifest)
        guard let body = scripts[scriptName] else {
            if invocation.name != "npm" && !runVerbs.contains(verb) {
                // `yarn add`-like verbs we do not know, or a binary in node_modules/.bin.
                Wrappers.runInner([Arg(verb)] + scriptArgs, invocation, session: session, wrapper: "\(invocation.name)", frame: frame)
            } else {
                Tools.emit(invocation.command(.read, "package.json has no script '\(scriptName)': \(invocation.name) will fail", subcommand: scriptName), invocation, session: session)
            }
            return
        }
        let extra = scriptArgs.isEmpty ? "" : " " + scriptArgs.map { ShellQuoting.quoteIfNeeded($0.text) }.joined(separator: " ")
        for name in ["pre" + scriptName, scriptName, "post" + scriptName] {
            guard let text = scripts[name] else { continue }
            session.interpret(name == scriptName ? body + extra : text, frame: frame.entering("\(invocation.name) run \(name)"), origin: "package.json script '\(name)'")
        }
    }

    static let knownVerbs: Set<String> = [
        "install", "i", "add", "remove", "rm", "uninstall", "un", "update", "up", "upgrade", "ci", "init", "create", "publish",
        "pack", "link", "unlink", "outdated", "list", "ls", "why", "info", "view", "audit", "cache", "config", "login", "logout",
        "version", "help", "dedupe", "prune", "rebuild", "store", "import", "patch", "set", "workspaces", "workspace", "global",
        "build", "node", "plugin", "dlx", "exec", "x", "run", "test", "start", "pm", "outdated", "env", "licenses", "bin", "root",
    ]
}

/// Reads the `scripts` object of a package.json without Foundation: a small JSON reader
/// that skips everything but top-level `"scripts": { "name": "command" }`.
enum PackageJSON {
    static func scripts(in text: String) -> [String: String] {
        var reader = JSONReader(Array(text.utf8))
        guard let value = reader.parseValue(depth: 0), case .object(let members) = value else { return [:] }
        guard let scriptsValue = members.first(where: { $0.0 == "scripts" })?.1, case .object(let scripts) = scriptsValue else { return [:] }
        var result: [String: String] = [:]
        for (name, value) in scripts {
            if case .string(let command) = value { result[name] = command }
        }
        return result
    }
}

