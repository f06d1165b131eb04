import AirlockSQL
/// The registry of what Airlock knows about programs. Each family of tools lives in its own
/// file; this maps program names to them and classifies everything else generically.
enum Tools {
    typealias Handler = @Sendable (Invocation, AnalysisSession) -> Void

    /// The handler for a program name: the first family, in this order, that knows it. Looked
    /// up family by family rather than merged into one table, which cost a hook process more
    /// than classifying its command.
    static func handler(for name: String) -> Handler? {
        Wrappers.handlers[name] ?? Interpreters.handlers[name] ?? FileSystemTools.handlers[name] ?? GitTool.handlers[name]
            ?? DatabaseClients.handlers[name] ?? HTTPClients.handlers[name] ?? SubcommandTools.handler(for: name)
            ?? PackageScripts.handlers[name] ?? AirlockSelf.handlers[name]
    }

    static func classify(_ invocation: Invocation, session: AnalysisSession) {
        if let handler = handler(for: invocation.name) {
            handler(invocation, session)
        } else if let handler = FileSystemTools.prefixHandler(for: invocation.name) ?? Interpreters.versionedHandler(for: invocation.name) {
            handler(invocation, session)
        } else if invocation.path.utf8.contains(UInt8(ascii: "/")), Interpreters.runShellScript(invocation, session: session) {
            return
        } else if namesOnly.contains(invocation.name) {
            emit(invocation.command(.read, "\(invocation.name) only looks at names and metadata"), invocation, session: session)
        } else if readOnly.contains(invocation.name) {
            emitWithPaths(invocation, .read, "\(invocation.name) only reads", session: session)
        } else {
            emitWithPaths(invocation, .write, "\(invocation.name) is a local program; its effect is taken as a local write", session: session)
        }
    }

    /// Emits a command whose path-like operands are read, escalating for redirections.
    static func emitWithPaths(_ invocation: Invocation, _ effect: EffectClass, _ reason: String, session: AnalysisSession, mode: PathAccess.Mode = .read) {
        var paths: [PathAccess] = []
        for arg in invocation.args where looksLikePath(arg) {
            if let access = session.pathAccess(Arg(optionValue(arg.text), known: arg.known, glob: arg.glob), mode: mode, frame: invocation.frame) {
                paths.append(access)
            }
        }
        emit(invocation.command(effect, reason, paths: paths), invocation, session: session)
    }

    /// Emits after raising the effect for what redirections write (`> /dev/sda`).
    static func emit(_ command: AnalyzedCommand, _ invocation: Invocation, session: AnalysisSession) {
        var command = command
        FileSystemTools.escalateForPaths(&command, session: session, frame: invocation.frame)
        session.emit(command)
        let remoteTargets = !command.targets.isEmpty && !invocation.frame.remote
        if remoteTargets, !invocation.redirectPaths.isEmpty, !command.paths.contains(invocation.redirectPaths[0]) {
            var local = AnalyzedCommand(
                binary: "redirection", args: invocation.redirectPaths.map(\.path),
                effect: invocation.redirectPaths.contains { $0.mode == .write } ? .write : .read,
                effectReason: "the shell redirects \(invocation.name)'s input or output here", paths: invocation.redirectPaths, via: invocation.frame.via)
            FileSystemTools.escalateForPaths(&local, session: session, frame: invocation.frame)
            session.emit(local)
        }
    }

    /// `--file=~/.netrc` → `~/.netrc`; other arguments unchanged.
    static func optionValue(_ text: String) -> String {
        if text.hasPrefix("-"), let eq = text.firstIndex(of: "=") { return String(text[text.index(after: eq)...]) }
        return text
    }

    static func looksLikePath(_ arg: Arg) -> Bool {
        let text = optionValue(arg.text)
        if text.hasPrefix("-") || text.contains("://") { return false }
        return text.hasPrefix("/") || text.hasPrefix("~") || text.hasPrefix("./") || text.hasPrefix("../")
            || text.contains("/") || text.hasPrefix(".") || text == "*" || arg.glob
    }

    /// Programs that print or inspect names and metadata, never file contents: their path
    /// arguments are not reads (`ls ~/.ssh` does not read a key).
    static let namesOnly: Set<String> = [
        "ls", "ll", "la", "echo", "printf", "stat", "file", "du", "tree", "test", "[", "realpath", "readlink", "dirname",
        "basename", "which", "type", "whereis", "pwd", "true", "false", ":", "exa", "eza", "lsd",
    ]

    /// Programs that only read or print: their effect is `read` unless a redirection writes.
    static let readOnly: Set<String> = [
        "ls", "ll", "la", "cat", "bat", "less", "more", "head", "tail", "grep", "egrep", "fgrep", "rg", "ag", "ack",
        "wc", "stat", "file", "du", "df", "ps", "top", "htop", "pwd", "whoami", "id", "groups", "date", "echo",
        "printf", "which", "type", "whereis", "true", "false", "test", "[", "diff", "cmp", "comm", "sort", "uniq",
        "cut", "tr", "jq", "yq", "tree", "realpath", "readlink", "dirname", "basename", "uname", "hostname",
        "sleep", "nl", "od", "hexdump", "xxd", "strings", "md5sum", "sha1sum", "sha256sum", "sha512sum", "cksum",
        "base64", "base32", "column", "fold", "fmt", "paste", "join", "expand", "unexpand", "rev", "tac", "seq",
        "yes", "man", "info", "help", "history", "alias", "locale", "tty", "uptime", "free", "lsof", "netstat",
        "ss", "ip", "ifconfig", "ping", "dig", "nslookup", "host", "traceroute", "whois", "lsblk", "blkid",
        "mount", "findmnt", "printenv", "set", "getent", "nproc", "lscpu", "vmstat", "iostat", "journalctl",
        "dmesg", "cal", "bc", "expr", "awk", "gawk", "mawk", "zcat", "zless", "zgrep", "tar",
        "diff3", "fd", "fzf", "watchman", "pgrep", "tldr",
        "shellcheck", "shfmt", "clear", "reset", "exit", "return", "wait", "jobs", "fg", "bg", "cd", "pushd",
        "popd", "dirs", "export", "unset", "declare", "typeset", "readonly", "local", "shift", "read",
        "getopts", "trap", "umask", "ulimit", "hash", "let", ":", "break", "continue", "sha224sum", "sha384sum",
    ]
}

extension Invocation {
    /// A classified command carrying this invocation's place: its wrappers, the targets it
    /// inherits from a remote wrapper when it names none itself, and its redirections.
    func command(
        _ effect: EffectClass,
        _ reason: String,
        subcommand: String? = nil,
        targets: [Target] = [],
        paths: [PathAccess] = [],
        branches: [String] = [],
        interactive: Bool = false,
        statements: [String] = [],
        sql: SQLStatement? = nil
    ) -> AnalyzedCommand {
        // A command that acts elsewhere (`pg_dump -h prod > backup.sql`) does not write the local
        // file itself: the local shell does. `Tools.emit` reports that write separately.
        let redirectsHere = targets.isEmpty || frame.remote
        var command = AnalyzedCommand(
            binary: name, args: argTexts, subcommand: subcommand, effect: effect, effectReason: reason,
            targets: targets.isEmpty ? frame.inheritedTargets : targets,
            paths: paths + (redirectsHere ? redirectPaths : []), branches: branches, interactive: interactive,
            via: frame.via, statements: statements, sql: sql)
        if redirectsHere && effect == .read && redirectPaths.contains(where: { $0.mode == .write }) {
            command.effect = .write
            command.effectReason = reason + "; its output is redirected into a file"
        }
        return command
    }

    /// The frame for commands this one runs (`bash -c`, package scripts, `python manage.py`):
    /// they inherit its environment, including `VAR=x` prefixes.
    func childFrame(_ wrapper: String) -> Frame {
        var child = frame.entering(wrapper)
        if !frame.remote { child.environment = environment.overrides }
        return child
    }

    /// The frame for commands this one runs on another machine (`ssh host CMD`, `kubectl exec`):
    /// they act on `targets`, and this machine's directory and environment no longer apply.
    func remoteFrame(_ wrapper: String, targets: [Target]) -> Frame {
        var remote = frame.entering(wrapper)
        remote.inheritedTargets = targets
        remote.remote = true
        remote.cwd = nil
        remote.environment = [:]
        return remote
    }

    /// The value of an environment variable, also looking in a `.env` file in the working
    /// directory (which tools like Prisma, Rails and Django load), and where it came from.
    func lookup(_ name: String, session: AnalysisSession) -> (value: String, source: String)? {
        if let value = environment[name], !value.isEmpty {
            return (value, value == computedValue ? "$\(name), computed at run time" : "$\(name)")
        }
        guard !frame.remote, let cwd = frame.cwd, let text = session.readFile(cwd + "/.env") else { return nil }
        guard let value = DotEnv.value(of: name, in: text) else { return nil }
        return (value, "\(name) in .env")
    }
}

/// Reads `KEY=value` lines of a `.env` file (quotes, `export ` prefixes, comments).
enum DotEnv {
    static func value(of key: String, in text: String) -> String? {
        var found: String? = nil
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingSpaces()
            guard name == key else { continue }
            var value = line[line.index(after: eq)...].trimmingSpaces()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.firstIndex(of: "#") {
                value = String(value[..<hash]).trimmingSpaces()
            }
            found = value
        }
        return found
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (and a trailing CR).
    public func trimmingSpaces() -> String {
        let trimmed = self.drop { $0 == " " || $0 == "\t" }
        var end = trimmed.endIndex
        while end > trimmed.startIndex, trimmed[trimmed.index(before: end)] == " " || trimmed[trimmed.index(before: end)] == "\t" || trimmed[trimmed.index(before: end)] == "\r" {
            end = trimmed.index(before: end)
        }
        return String(trimmed[trimmed.startIndex..<end])
    }
}
