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

/// A minimal, bounded JSON reader (objects, arrays, strings, scalars) for small manifests.
struct JSONReader {
    indirect enum Value { case object([(String, Value)]), array([Value]), string(String), scalar }

    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func parseValue(depth: Int) -> Value? {
        guard depth < 64 else { return nil }
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, Value)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard let key = parseString() else { return nil }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let value = parseValue(depth: depth + 1) else { return nil }
                members.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                return nil
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [Value] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                guard let value = parseValue(depth: depth + 1) else { return nil }
                items.append(value)
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                return nil
            }
        case UInt8(ascii: "\""):
            return parseString().map(Value.string)
        default:
            while index < bytes.count, !",}] \n\r\t".utf8.contains(bytes[index]) { index += 1 }
            return .scalar
        }
    }

    mutating func parseString() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return String(decoding: out, as: UTF8.self) }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else { return nil }
                    index += 4
                    out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(escaped)
                }
                continue
            }
            out.append(byte)
            index += 1
        }
        return nil
    }
}
