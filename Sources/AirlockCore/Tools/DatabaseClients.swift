import AirlockSQL

/// Database clients: where they connect (flags, URIs, conninfo, `PGHOST`/`DATABASE_URL`/
/// `MYSQL_HOST`, `.env`) and what they send (`-c`, `-e`, `-f FILE`, heredocs, pipes). No
/// statement at all is an interactive session.
enum DatabaseClients {
    static let handlers: [String: Tools.Handler] = [
        "psql": psql, "pgcli": psql, "mysql": mysql, "mariadb": mysql, "mycli": mysql, "sqlite3": sqlite, "sqlite": sqlite,
        "redis-cli": redis, "valkey-cli": redis, "keydb-cli": redis, "mongosh": mongo, "mongo": mongo,
        "dropdb": pgUtility(.destructive, "dropdb deletes a whole database"),
        "createdb": pgUtility(.write, "createdb creates a database"),
        "dropuser": pgUtility(.destructive, "dropuser deletes a role"),
        "createuser": pgUtility(.write, "createuser creates a role"),
        "pg_dump": pgUtility(.read, "pg_dump reads a database"), "pg_dumpall": pgUtility(.read, "pg_dumpall reads every database"),
        "pg_restore": pgRestore, "vacuumdb": pgUtility(.write, "vacuumdb vacuums a database"),
        "reindexdb": pgUtility(.write, "reindexdb rebuilds indexes"), "clusterdb": pgUtility(.write, "clusterdb reorders tables"),
        "pg_isready": pgUtility(.read, "pg_isready checks a server"), "mysqldump": mysqlDump, "mysqladmin": mysqlAdmin,
        "clickhouse-client": clickhouse, "cockroach": cockroach, "mongodump": mongoUtility(.read, "mongodump reads a database"),
        "mongorestore": mongoRestore, "mongoexport": mongoUtility(.read, "mongoexport reads a collection"),
        "mongoimport": mongoImport,
    ]

    // MARK: PostgreSQL

    /// psql's options that take a value (others, like `-t` and `-l`, are flags).
    static let pgValued: [String] = [
        "-h", "--host", "-p", "--port", "-U", "--username", "-d", "--dbname", "-c", "--command", "-f", "--file",
        "-v", "--set", "--variable", "-o", "--output", "-L", "--log-file", "-P", "--pset", "-F", "--field-separator",
        "-R", "--record-separator", "-T", "--table-attr", "--role", "--maintenance-db", "--section", "--table",
        "--schema", "--exclude-schema", "--exclude-table", "--jobs", "--compress", "--encoding", "--superuser",
        "--use-list", "--template", "--tablespace", "--locale", "--lock-wait-timeout",
    ]

    /// The servers a libpq client connects to: `-h`, a URI or conninfo in `-d` or the first
    /// operand, `PGHOST`, `DATABASE_URL`, else the local socket.
    static func pgTargets(_ scan: OptionScan, operands: [String], invocation: Invocation, session: AnalysisSession) -> [Target] {
        var candidates = scan.values("-d", "--dbname", "--maintenance-db") + operands
        candidates = candidates.filter { $0.contains("://") || $0.contains("=") }
        for candidate in candidates {
            if let targets = connectionTargets(candidate, source: "connection string"), !targets.isEmpty { return targets }
        }
        if let host = scan.value("-h", "--host") { return ServiceTarget.forHosts(host, source: "\(invocation.name) -h") }
        if let (host, source) = invocation.lookup("PGHOST", session: session) { return ServiceTarget.forHosts(host, source: source) }
        for variable in ["DATABASE_URL", "POSTGRES_URL", "POSTGRESQL_URL", "PG_URL"] {
            if let (url, source) = invocation.lookup(variable, session: session), let targets = connectionTargets(url, source: source) { return targets }
        }
        if !invocation.frame.inheritedTargets.isEmpty { return invocation.frame.inheritedTargets }
        return [ServiceTarget.forHost("", source: "no host given: the local socket")]
    }

    /// Hosts of a URI (`postgres://u@h1,h2/db`) or a conninfo string (`host=h dbname=d`).
    static func connectionTargets(_ text: String, source: String) -> [Target]? {
        if text.contains("://") {
            guard let url = URLParts(text) else { return nil }
            // libpq allows `postgres://u@h1:5432,h2:5432/db`.
            if let schemeEnd = text.firstRange(of: "://") {
                var authority = text[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" }
                if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
                if authority.contains(",") {
                    return authority.split(separator: ",").map { hostPort in
                        let host = hostPort.split(separator: ":").first.map(String.init) ?? ""
                        return ServiceTarget.forHost(URLParts.percentDecoded(host), source: source)
                    }
                }
            }
            return [ServiceTarget.forHost(URLParts.percentDecoded(url.host), source: source)]
        }
        if text.contains("=") {
            for pair in text.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == "host" || parts[0] == "hostaddr" {
                    return ServiceTarget.forHosts(String(parts[1]).trimmingCharacters(in: "'\""), source: source)
                }
            }
            return [ServiceTarget.forHost("", source: source)]
        }
        return nil
    }

    static let psql: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: pgValued)
        let operands = scan.operandTexts
        let targets = pgTargets(scan, operands: operands, invocation: invocation, session: session)
        if scan.has("-l", "--list", "-V", "--version", "-?", "--help") && scan.values("-c", "--command").isEmpty {
            Tools.emit(invocation.command(.read, "\(invocation.name) lists databases or prints its version", targets: targets), invocation, session: session)
            return
        }
        var texts: [String] = scan.values("-c", "--command")
        var paths: [PathAccess] = []
        for file in scan.values("-f", "--file") {
            if file == "-" {
                if let text = stdinText(invocation, session: session) { texts.append(text) } else { return opaqueInput(invocation, targets: targets, session: session) }
                continue
            }
            guard let access = session.pathAccess(Arg(file), mode: .read, frame: invocation.frame) else { continue }
            paths.append(access)
            if let text = session.readFile(access.path) {
                texts.append(text)
            } else {
                Tools.emit(invocation.command(.opaque, "\(invocation.name) -f \(file): the file could not be read to analyse", targets: targets, paths: paths), invocation, session: session)
                return
            }
        }
        if texts.isEmpty && scan.values("-f", "--file").isEmpty {
            switch invocation.stdin {
            case .inherited:
                Tools.emit(invocation.command(.write, "an interactive database session: its statements are not known in advance", targets: targets, interactive: true), invocation, session: session)
                return
            default:
                guard let text = stdinText(invocation, session: session) else { return opaqueInput(invocation, targets: targets, session: session) }
                texts.append(text)
            }
        }
        emitSQL(texts, dialect: .postgres, invocation: invocation, targets: targets, paths: paths, session: session, metaCommands: true)
    }

    /// The statements given on the command line or, failing those, on standard input. With
    /// neither, the command is an interactive session (reported, and nil returned); unknown
    /// input is opaque (reported, nil).
    static func statements(_ given: [String], invocation: Invocation, targets: [Target], session: AnalysisSession, interactive description: String) -> [String]? {
        if !given.isEmpty { return given }
        if case .inherited = invocation.stdin {
            Tools.emit(invocation.command(.write, description, targets: targets, interactive: true), invocation, session: session)
            return nil
        }
        guard let text = stdinText(invocation, session: session) else {
            opaqueInput(invocation, targets: targets, session: session)
            return nil
        }
        return [text]
    }

    /// Text on standard input, when known.
    static func stdinText(_ invocation: Invocation, session: AnalysisSession) -> String? {
        switch invocation.stdin {
        case .text(let text): return text
        case .file(let path): return session.readFile(path)
        case .dynamic, .inherited: return nil
        }
    }

    static func opaqueInput(_ invocation: Invocation, targets: [Target], session: AnalysisSession) {
        let what: String
        if case .dynamic(let source) = invocation.stdin { what = source } else { what = "its input" }
        Tools.emit(invocation.command(.opaque, "\(invocation.name) runs statements from \(what), which are only known at run time", targets: targets), invocation, session: session)
    }

    /// Classifies SQL texts and reports one command per statement, so each is decided on its
    /// own and the command's verdict is its most dangerous statement's. For psql, meta-commands
    /// come first: `\!` runs a shell, `\i` includes a file, `\gexec` runs query results.
    static func emitSQL(_ texts: [String], dialect: SQLDialect, invocation: Invocation, targets: [Target], paths: [PathAccess], session: AnalysisSession, metaCommands: Bool) {
        var sql: [String] = []
        var paths = paths
        var pending = texts.map { ($0, 0) }
        while !pending.isEmpty {
            let (text, depth) = pending.removeFirst()
            guard metaCommands else { sql.append(text); continue }
            let script = PsqlScript(text)
            sql.append(script.sql)
            for meta in script.metaCommands {
                let command = meta.command
                let argument = meta.argument
                switch command {
                case "\\!":
                    session.interpret(argument, frame: invocation.childFrame("psql \\!"), origin: "psql \\!")
                case "\\i", "\\ir", "\\include", "\\include_relative":
                    guard depth < 8, let access = session.pathAccess(Arg(argument), mode: .read, frame: invocation.frame), let included = session.readFile(access.path) else {
                        Tools.emit(invocation.command(.opaque, "psql \(command) \(argument): the file could not be read to analyse", targets: targets), invocation, session: session)
                        continue
                    }
                    paths.append(access)
                    pending.append((included, depth + 1))
                case "\\gexec":
                    Tools.emit(invocation.command(.opaque, "psql \\gexec runs query results as statements", targets: targets), invocation, session: session)
                case "\\copy":
                    // Client-side COPY: the server sees COPY … FROM STDIN / TO STDOUT; the file is local.
                    let lowered = argument.lowercased()
                    if lowered.contains(" program ") {
                        Tools.emit(invocation.command(.opaque, "psql \\copy … program runs a local program", targets: targets), invocation, session: session)
                    } else if lowered.contains(" from ") {
                        Tools.emit(invocation.command(.write, "psql \\copy … from loads rows into a table", targets: targets), invocation, session: session)
                    } else {
                        Tools.emit(invocation.command(.read, "psql \\copy … to reads rows", targets: targets), invocation, session: session)
                    }
                case "\\o", "\\out", "\\w", "\\write":
                    if !argument.isEmpty, !argument.hasPrefix("|"), let access = session.pathAccess(Arg(argument), mode: .write, frame: invocation.frame) {
                        Tools.emit(invocation.command(.write, "psql \(command) writes query output to a file", paths: [access]), invocation, session: session)
                    } else if argument.hasPrefix("|") {
                        session.interpret(String(argument.dropFirst()), frame: invocation.childFrame("psql \(command) |"), origin: "psql \(command) |")
                    }
                case "\\c", "\\connect":
                    // Reconnecting elsewhere: the new host is a target too.
                    let words = argument.split(separator: " ")
                    if words.count >= 3 {
                        Tools.emit(invocation.command(.opaque, "psql \\connect switches servers mid-script", targets: targets + [ServiceTarget.forHost(String(words[2]), source: "psql \\connect")]), invocation, session: session)
                    }
                case "\\e", "\\edit", "\\ef", "\\ev":
                    Tools.emit(invocation.command(.opaque, "psql \(command) runs whatever is typed in an editor", targets: targets, interactive: true), invocation, session: session)
                default:
                    break // \dt, \d, \l, \x, \timing, \set, \gset … only read or change display
                }
            }
        }
        emitStatements(sql.flatMap { SQLClassifier.classify($0, dialect: dialect) }, invocation: invocation, targets: targets, paths: paths, session: session)
    }

    /// One analysed command per classified statement (SQL, Redis or MongoDB), so the policy
    /// decides each on its own; with none, one read command.
    static func emitStatements(_ statements: [SQLStatement], invocation: Invocation, targets: [Target], paths: [PathAccess], session: AnalysisSession, subcommand: String? = nil) {
        if statements.isEmpty {
            Tools.emit(invocation.command(.read, "no statements", subcommand: subcommand, targets: targets, paths: paths), invocation, session: session)
            return
        }
        for (index, var statement) in statements.enumerated() {
            statement.index = index
            let reason = "\(statement.sqlClass.rawValue): \(statement.reason)"
            Tools.emit(invocation.command(statement.sqlClass.effect, reason, subcommand: subcommand, targets: targets, paths: index == 0 ? paths : [], statements: [statement.text], sql: statement), invocation, session: session)
        }
    }

    static func pgUtility(_ effect: EffectClass, _ reason: String) -> Tools.Handler {
        { invocation, session in
            let scan = OptionScan(invocation.args, valued: pgValued + ["-f", "--file"])
            let targets = pgTargets(scan, operands: scan.operandTexts, invocation: invocation, session: session)
            Tools.emit(invocation.command(effect, reason, targets: targets), invocation, session: session)
        }
    }

    static let pgRestore: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: pgValued + ["-f", "--file"])
        let restoresIntoServer = scan.has("-d", "--dbname")
        let targets = restoresIntoServer ? pgTargets(scan, operands: [], invocation: invocation, session: session) : []
        if scan.has("-c", "--clean") && restoresIntoServer {
            Tools.emit(invocation.command(.destructive, "pg_restore --clean drops objects before recreating them", targets: targets), invocation, session: session)
        } else if restoresIntoServer {
            Tools.emit(invocation.command(.write, "pg_restore loads data into a database", targets: targets), invocation, session: session)
        } else {
            Tools.emitWithPaths(invocation, .read, "pg_restore without -d prints a script", session: session)
        }
    }

    // MARK: MySQL

    static let mysqlValued: [String] = ["-h", "--host", "-P", "--port", "-u", "--user", "-e", "--execute", "-D", "--database", "-S", "--socket", "--defaults-file", "--defaults-extra-file", "--login-path", "--protocol", "--default-character-set", "--ssl-mode", "--init-command"]

    /// MySQL's `-pSECRET` attaches the password; drop it before scanning other flags.
    static func mysqlArgs(_ args: [Arg]) -> [Arg] {
        args.filter { !($0.text.hasPrefix("-p") && !$0.text.hasPrefix("--")) && !$0.text.hasPrefix("--password") }
    }

    static func mysqlTargets(_ scan: OptionScan, invocation: Invocation, session: AnalysisSession) -> [Target] {
        if let host = scan.value("-h", "--host") { return [ServiceTarget.forHost(host, source: "\(invocation.name) -h")] }
        if let socket = scan.value("-S", "--socket") { return [ServiceTarget.forHost(socket, source: "\(invocation.name) --socket")] }
        if let (host, source) = invocation.lookup("MYSQL_HOST", session: session) { return [ServiceTarget.forHost(host, source: source)] }
        for variable in ["DATABASE_URL", "MYSQL_URL"] {
            if let (url, source) = invocation.lookup(variable, session: session), let parts = URLParts(url) {
                return [ServiceTarget.forHost(parts.host, source: source)]
            }
        }
        if !invocation.frame.inheritedTargets.isEmpty { return invocation.frame.inheritedTargets }
        return [ServiceTarget.forHost("", source: "no host given: the local socket")]
    }

    static let mysql: Tools.Handler = { invocation, session in
        let scan = OptionScan(mysqlArgs(invocation.args), valued: mysqlValued)
        let targets = mysqlTargets(scan, invocation: invocation, session: session)
        guard let texts = statements(scan.values("-e", "--execute"), invocation: invocation, targets: targets, session: session, interactive: "an interactive database session: its statements are not known in advance") else { return }
        emitSQL(texts, dialect: .mysql, invocation: invocation, targets: targets, paths: [], session: session, metaCommands: false)
    }

    static let mysqlDump: Tools.Handler = { invocation, session in
        let scan = OptionScan(mysqlArgs(invocation.args), valued: mysqlValued)
        Tools.emit(invocation.command(.read, "mysqldump reads a database", targets: mysqlTargets(scan, invocation: invocation, session: session)), invocation, session: session)
    }

    static let mysqlAdmin: Tools.Handler = { invocation, session in
        let scan = OptionScan(mysqlArgs(invocation.args), valued: mysqlValued)
        let verbs = scan.operandTexts.map { $0.lowercased() }
        let targets = mysqlTargets(scan, invocation: invocation, session: session)
        let effect: EffectClass = verbs.contains { ["drop", "shutdown", "kill", "purge"].contains($0) } ? .destructive
            : verbs.allSatisfy { ["status", "ping", "version", "variables", "processlist", "extended-status"].contains($0) } ? .read : .write
        Tools.emit(invocation.command(effect, "mysqladmin \(verbs.joined(separator: " "))", subcommand: verbs.first, targets: targets), invocation, session: session)
    }

    // MARK: SQLite, ClickHouse, CockroachDB

    static let sqlite: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-cmd", "-separator", "-newline", "-nullvalue", "-init", "-vfs", "-maxsize", "-mmap", "-pagecache", "-lookaside"])
        let operands = scan.operands.map(\.arg)
        guard let database = operands.first else {
            Tools.emit(invocation.command(.write, "an interactive SQLite session on an in-memory database", targets: [Target(.socket, ":memory:", source: "sqlite3")], interactive: true), invocation, session: session)
            return
        }
        let access = session.pathAccess(database, mode: .write, frame: invocation.frame)
        let targets = [Target(.socket, access?.path ?? database.text, source: "sqlite3 database file")]
        var texts = operands.dropFirst().map(\.text) + scan.values("-cmd")
        if texts.isEmpty {
            if case .inherited = invocation.stdin {
                Tools.emit(invocation.command(.write, "an interactive SQLite session", targets: targets, paths: access.map { [$0] } ?? [], interactive: true), invocation, session: session)
                return
            }
            guard let text = stdinText(invocation, session: session) else { return opaqueInput(invocation, targets: targets, session: session) }
            texts.append(text)
        }
        // Dot-commands: `.shell`/`.system` run a shell; `.read` follows a file; the rest are
        // classified like statements (`.restore` destroys, `.import` writes).
        var sql: [String] = []
        var dotCommands: [SQLStatement] = []
        var pending = texts.map { ($0, 0) }
        while !pending.isEmpty {
            let (text, depth) = pending.removeFirst()
            var plain: [Substring] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                guard trimmed.hasPrefix(".") else { plain.append(line); continue }
                let argument = String(trimmed.drop { $0 != " " && $0 != "\t" }).trimmingSpaces()
                if trimmed.hasPrefix(".shell") || trimmed.hasPrefix(".system") {
                    session.interpret(argument, frame: invocation.childFrame("sqlite3 .shell"), origin: "sqlite3 .shell")
                } else if trimmed.hasPrefix(".read ") {
                    let file = argument.trimmingCharacters(in: "'\"")
                    if depth < 8, let a = session.pathAccess(Arg(file), mode: .read, frame: invocation.frame), let included = session.readFile(a.path) {
                        pending.append((included, depth + 1))
                    } else {
                        Tools.emit(invocation.command(.opaque, "sqlite3 .read \(file): the file could not be read to analyse", targets: targets), invocation, session: session)
                    }
                } else {
                    dotCommands.append(LexicalSQL.sqliteDotCommand(String(trimmed)))
                }
            }
            sql.append(plain.joined(separator: "\n"))
        }
        let statements = dotCommands + sql.flatMap { SQLClassifier.classify($0, dialect: .sqlite) }
        emitStatements(statements, invocation: invocation, targets: targets, paths: access.map { [$0] } ?? [], session: session)
    }

    static let clickhouse: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-h", "--host", "--port", "-u", "--user", "--password", "-d", "--database", "-q", "--query", "--config-file", "-C"])
        let targets = [ServiceTarget.forHost(scan.value("-h", "--host") ?? invocation.lookup("CLICKHOUSE_HOST", session: session)?.value ?? "", source: "clickhouse-client --host")]
        guard let texts = statements(scan.values("-q", "--query"), invocation: invocation, targets: targets, session: session, interactive: "an interactive database session") else { return }
        // ClickHouse SQL is closest to MySQL's lexically; the lexer errs towards danger.
        emitSQL(texts, dialect: .mysql, invocation: invocation, targets: targets, paths: [], session: session, metaCommands: false)
    }

    static let cockroach: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["--url", "--host", "-e", "--execute", "-d", "--database", "-u", "--user", "--certs-dir", "-f", "--file", "--port"])
        guard scan.operandTexts.first == "sql" else {
            Tools.emitWithPaths(invocation, .write, "cockroach \(scan.operandTexts.first ?? "")", session: session)
            return
        }
        var targets: [Target] = []
        if let url = scan.value("--url"), let parsed = connectionTargets(url, source: "cockroach --url") { targets = parsed }
        else if let host = scan.value("--host") { targets = [ServiceTarget.forHost(host.split(separator: ":").first.map(String.init) ?? host, source: "cockroach --host")] }
        else if let (url, source) = invocation.lookup("COCKROACH_URL", session: session), let parsed = connectionTargets(url, source: source) { targets = parsed }
        else { targets = [ServiceTarget.forHost("", source: "no host given")] }
        guard let texts = statements(scan.values("-e", "--execute"), invocation: invocation, targets: targets, session: session, interactive: "an interactive database session") else { return }
        // CockroachDB speaks PostgreSQL's grammar; its own extensions do not parse and fail closed.
        emitSQL(texts, dialect: .postgres, invocation: invocation, targets: targets, paths: [], session: session, metaCommands: false)
    }

    // MARK: Redis

    static let redis: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["-h", "-p", "-s", "-a", "-u", "-n", "-r", "-i", "-d", "--user", "--pass", "--askpass", "--tls-cert", "--cert", "--key", "--cacert", "--sni", "--eval", "--pattern", "--count", "--rdb", "--functions-rdb", "--memkeys-samples", "-3"])
        var targets: [Target] = []
        if let uri = scan.value("-u"), let url = URLParts(uri) { targets = [ServiceTarget.forHost(url.host, source: "redis-cli -u")] }
        else if let host = scan.value("-h") { targets = [ServiceTarget.forHost(host, source: "redis-cli -h")] }
        else if let socket = scan.value("-s") { targets = [ServiceTarget.forHost(socket, source: "redis-cli -s")] }
        else if let (url, source) = invocation.lookup("REDIS_URL", session: session), let parsed = URLParts(url) { targets = [ServiceTarget.forHost(parsed.host, source: source)] }
        else if let (host, source) = invocation.lookup("REDIS_HOST", session: session) { targets = [ServiceTarget.forHost(host, source: source)] }
        else if !invocation.frame.inheritedTargets.isEmpty { targets = invocation.frame.inheritedTargets }
        else { targets = [Target(.host, "127.0.0.1", source: "redis-cli default host")] }
        if scan.has("--scan", "--bigkeys", "--memkeys", "--hotkeys", "--stat", "--latency", "--latency-history", "--latency-dist", "--intrinsic-latency", "--rdb", "--version", "-v") {
            Tools.emit(invocation.command(.read, "redis-cli inspection mode", targets: targets), invocation, session: session)
            return
        }
        if scan.value("--eval") != nil {
            Tools.emit(invocation.command(.opaque, "redis-cli --eval runs a Lua script on the server", targets: targets), invocation, session: session)
            return
        }
        var commands: [[String]] = []
        if !scan.operands.isEmpty {
            commands.append(scan.operandTexts)
        } else if case .inherited = invocation.stdin {
            Tools.emit(invocation.command(.write, "an interactive Redis session", targets: targets, interactive: true), invocation, session: session)
            return
        } else if let text = stdinText(invocation, session: session) {
            commands = text.split(whereSeparator: \.isNewline).map { $0.split(separator: " ").map(String.init) }
        } else {
            return opaqueInput(invocation, targets: targets, session: session)
        }
        let statements = commands.filter { !$0.isEmpty }.map(RedisCommands.classify)
        emitStatements(statements, invocation: invocation, targets: targets, paths: [], session: session)
    }

    // MARK: MongoDB

    static func mongoTargets(_ scan: OptionScan, invocation: Invocation, session: AnalysisSession) -> [Target] {
        for candidate in scan.operandTexts + scan.values("--uri") where candidate.hasPrefix("mongodb") {
            if let targets = mongoHosts(candidate, source: "connection string") { return targets }
        }
        if let host = scan.value("--host", "-h") { return [ServiceTarget.forHost(host.split(separator: ":").first.map(String.init) ?? host, source: "--host")] }
        for variable in ["MONGODB_URI", "MONGO_URL", "MONGO_URI", "DATABASE_URL"] {
            if let (url, source) = invocation.lookup(variable, session: session), let targets = mongoHosts(url, source: source) { return targets }
        }
        if !invocation.frame.inheritedTargets.isEmpty { return invocation.frame.inheritedTargets }
        return [Target(.host, "127.0.0.1", source: "mongosh default host")]
    }

    static func mongoHosts(_ uri: String, source: String) -> [Target]? {
        guard let schemeEnd = uri.firstRange(of: "://") else { return nil }
        var authority = uri[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return authority.split(separator: ",").map { ServiceTarget.forHost(String($0.split(separator: ":").first ?? ""), source: source) }
    }

    static let mongo: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["--eval", "--host", "-h", "--port", "-u", "--username", "-p", "--password", "--authenticationDatabase", "--uri", "-f", "--file", "--tlsCAFile", "--tlsCertificateKeyFile"])
        let targets = mongoTargets(scan, invocation: invocation, session: session)
        var code = scan.values("--eval")
        let files = scan.values("-f", "--file") + scan.operandTexts.filter({ $0.hasSuffix(".js") || $0.hasSuffix(".mongodb") })
        for file in files {
            if let access = session.pathAccess(Arg(file), mode: .read, frame: invocation.frame), let text = session.readFile(access.path) { code.append(text) }
            else { Tools.emit(invocation.command(.opaque, "\(invocation.name) \(file): the script could not be read to analyse", targets: targets), invocation, session: session) }
        }
        if code.isEmpty && files.isEmpty {
            if case .inherited = invocation.stdin {
                Tools.emit(invocation.command(.write, "an interactive MongoDB session", targets: targets, interactive: true), invocation, session: session)
                return
            }
            guard let text = stdinText(invocation, session: session) else { return opaqueInput(invocation, targets: targets, session: session) }
            code.append(text)
        }
        emitStatements(code.map(MongoCode.classify), invocation: invocation, targets: targets, paths: [], session: session)
    }

    static func mongoUtility(_ effect: EffectClass, _ reason: String) -> Tools.Handler {
        { invocation, session in
            let scan = OptionScan(invocation.args, valued: ["--uri", "--host", "-h", "--port", "-d", "--db", "-c", "--collection", "-u", "-p", "--out", "-o", "--archive", "--file"])
            Tools.emit(invocation.command(effect, reason, targets: mongoTargets(scan, invocation: invocation, session: session)), invocation, session: session)
        }
    }

    static let mongoRestore: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["--uri", "--host", "-h", "--port", "-d", "--db", "-c", "--collection", "-u", "-p", "--archive", "--dir", "--nsInclude", "--nsExclude"])
        let targets = mongoTargets(scan, invocation: invocation, session: session)
        let drops = scan.has("--drop")
        Tools.emit(invocation.command(drops ? .destructive : .write, drops ? "mongorestore --drop drops collections first" : "mongorestore loads data", targets: targets), invocation, session: session)
    }

    static let mongoImport: Tools.Handler = { invocation, session in
        let scan = OptionScan(invocation.args, valued: ["--uri", "--host", "-h", "--port", "-d", "--db", "-c", "--collection", "-u", "-p", "--file", "--type", "--mode"])
        let targets = mongoTargets(scan, invocation: invocation, session: session)
        let drops = scan.has("--drop")
        Tools.emit(invocation.command(drops ? .destructive : .write, drops ? "mongoimport --drop drops the collection first" : "mongoimport loads data", targets: targets), invocation, session: session)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = self[...]
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
