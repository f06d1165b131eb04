/// Classifies one MySQL or SQLite statement from its tokens. It names the statement by its
/// leading keywords, then raises the class for everything dangerous it finds anywhere in the
/// code: destructive and writing keywords, functions off the allow-list, files on the server,
/// UPDATE or DELETE without a real WHERE. The class is the maximum over all of it, so a
/// statement can never come out weaker than any part of it.
struct LexicalStatementReader {
    /// What a parenthesis holds, which decides whether `word(` inside it is a call.
    enum ParenKind { case call, columns, group }

    struct Verdict: Sendable {
        var kind: String
        var sqlClass: SQLClass
        var reason: String
        var flags: Set<SQLFlag>
        var tables: [String]
        var functions: [String]
    }

    let tokens: [SQLToken]
    let dialect: SQLDialect
    /// For each `(`, the index of its `)`; -1 for every other token and for unclosed ones.
    private var close: [Int]
    /// Parentheses open before each token (a `(` is outside itself, its `)` too).
    private var depth: [Int]

    private var kind = ""
    private var findings: [(SQLClass, String)] = []
    private var flags: Set<SQLFlag> = []
    private var tables: Set<String> = []
    private var functions: Set<String> = []
    private var cteNames: Set<String> = []
    private var cteColumnParens: Set<Int> = []
    private var nameTokens: Set<Int> = []
    private var parenKinds: [Int: ParenKind] = [:]
    private var main = 0

    static func read(_ tokens: [SQLToken], dialect: SQLDialect) -> Verdict {
        var reader = LexicalStatementReader(tokens: tokens, dialect: dialect)
        return reader.run()
    }

    private init(tokens: [SQLToken], dialect: SQLDialect) {
        self.tokens = tokens
        self.dialect = dialect
        var close = Array(repeating: -1, count: tokens.count)
        var depth = Array(repeating: 0, count: tokens.count)
        var open: [Int] = []
        for (i, token) in tokens.enumerated() {
            if token.isSymbol("(") {
                depth[i] = open.count
                open.append(i)
            } else if token.isSymbol(")") {
                if let start = open.popLast() { close[start] = i }
                depth[i] = open.count
            } else {
                depth[i] = open.count
            }
        }
        self.close = close
        self.depth = depth
    }

    private mutating func run() -> Verdict {
        collectCTENames()
        main = mainIndex()
        dispatch(main)
        scanNames()
        scanCode()
        let top = findings.map(\.0).max() ?? .privileged
        let reason = findings.first { $0.0 == top }?.1 ?? "the statement is not recognised"
        return Verdict(kind: kind, sqlClass: top, reason: reason, flags: flags, tables: tables.sorted(), functions: functions.sorted())
    }

    private mutating func note(_ sqlClass: SQLClass, _ reason: String) {
        findings.append((sqlClass, reason))
    }

    // MARK: Tokens

    private func word(_ i: Int) -> String? {
        i >= 0 && i < tokens.count && tokens[i].kind == .word ? tokens[i].upper : nil
    }

    private func isSymbol(_ i: Int, _ symbol: String) -> Bool {
        i >= 0 && i < tokens.count && tokens[i].isSymbol(symbol)
    }

    /// A token that can name a table, column or alias: a quoted identifier or a word that is
    /// not structural.
    private func isName(_ i: Int) -> Bool {
        guard i >= 0 && i < tokens.count else { return false }
        let token = tokens[i]
        return token.kind == .quotedIdentifier || (token.kind == .word && !SQLWords.structural.contains(token.upper))
    }

    /// A name as recorded: unquoted names lower-cased, quoted ones as written.
    private func normalised(_ i: Int) -> String {
        tokens[i].kind == .word ? SQLLexer.asciiLower(tokens[i].text) : tokens[i].text
    }

    /// A possibly qualified name at `i` (`db.table`, `` `db`.`t` ``, `db.*`) and the index after it.
    private func qualifiedName(at i: Int) -> (String, Int)? {
        guard isName(i) else { return nil }
        var parts = [normalised(i)]
        var j = i + 1
        while isSymbol(j, "."), j + 1 < tokens.count {
            let part = tokens[j + 1]
            if part.kind == .word || part.kind == .quotedIdentifier { parts.append(normalised(j + 1)) }
            else if part.isSymbol("*") { parts.append("*") }
            else { break }
            j += 2
        }
        return (parts.joined(separator: "."), j)
    }

    // MARK: The statement's own keyword

    /// Skips leading parentheses and a WITH clause: the index of the keyword that says what
    /// the statement does.
    private func mainIndex() -> Int {
        var i = 0
        while isSymbol(i, "(") { i += 1 }
        guard word(i) == "WITH" else { return i }
        i += 1
        if word(i) == "RECURSIVE" { i += 1 }
        while i < tokens.count, isName(i) {
            i += 1
            if isSymbol(i, "("), close[i] >= 0 { i = close[i] + 1 }
            guard word(i) == "AS" else { return i }
            i += 1
            if word(i) == "NOT" { i += 1 }
            if word(i) == "MATERIALIZED" { i += 1 }
            guard isSymbol(i, "("), close[i] >= 0 else { return i }
            i = close[i] + 1
            guard isSymbol(i, ",") else { break }
            i += 1
        }
        while isSymbol(i, "(") { i += 1 }
        return i
    }

    private mutating func collectCTENames() {
        for i in tokens.indices where isName(i) && i > 0 {
            guard word(i - 1) == "WITH" || word(i - 1) == "RECURSIVE" || isSymbol(i - 1, ",") else { continue }
            var j = i + 1
            var columns: Int?
            if isSymbol(j, "("), close[j] >= 0 {
                columns = j
                j = close[j] + 1
            }
            guard word(j) == "AS", isSymbol(j + 1, "(") || word(j + 1) == "NOT" || word(j + 1) == "MATERIALIZED" else { continue }
            cteNames.insert(normalised(i))
            if let columns { cteColumnParens.insert(columns) }
        }
    }

    static let sqliteOnly: Set<String> = ["PRAGMA", "ATTACH", "DETACH", "VACUUM", "REINDEX", "END"]
    static let mysqlOnly: Set<String> = [
        "SHOW", "HELP", "DESCRIBE", "DESC", "OPTIMIZE", "REPAIR", "CHECK", "CHECKSUM", "USE", "START", "SET", "GRANT",
        "REVOKE", "CALL", "DO", "PREPARE", "EXECUTE", "DEALLOCATE", "LOAD", "LOCK", "UNLOCK", "HANDLER", "INSTALL",
        "UNINSTALL", "KILL", "SHUTDOWN", "RESTART", "FLUSH", "RESET", "PURGE", "CHANGE", "STOP", "CLONE", "BINLOG",
        "CACHE", "IMPORT", "XA", "TRUNCATE", "RENAME", "TABLE",
    ]
    static let privilegedStatements: [String: String] = [
        "CALL": "CALL runs a stored procedure whose effect is not known here",
        "DO": "DO evaluates expressions for their side effects",
        "PREPARE": "PREPARE makes a statement from text that is not analysed here",
        "HANDLER": "HANDLER reads and changes tables beneath SQL",
        "INSTALL": "INSTALL loads a plugin or component into the server",
        "UNINSTALL": "UNINSTALL removes a plugin or component from the server",
        "KILL": "KILL ends another connection or its query",
        "SHUTDOWN": "SHUTDOWN stops the server",
        "RESTART": "RESTART restarts the server",
        "FLUSH": "FLUSH reloads or resets server state",
        "RESET": "RESET clears server state such as the binary log",
        "PURGE": "PURGE deletes binary logs",
        "CHANGE": "CHANGE MASTER/REPLICATION reconfigures replication",
        "STOP": "STOP halts replication",
        "CLONE": "CLONE copies another server's data over this one",
        "BINLOG": "BINLOG replays binary log events",
        "CACHE": "CACHE INDEX changes the server's key caches",
        "IMPORT": "IMPORT TABLE reads table files on the server",
        "XA": "XA drives a distributed transaction",
    ]
    static let explainable: Set<String> = ["SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "TABLE", "WITH", "VALUES"]

    private mutating func dispatch(_ m: Int) {
        guard let first = word(m) else {
            kind = ""
            note(.privileged, "the statement does not begin with a keyword")
            return
        }
        let sqlite = dialect == .sqlite
        if (sqlite && Self.mysqlOnly.contains(first)) || (!sqlite && Self.sqliteOnly.contains(first)) {
            return unknown(first)
        }
        switch first {
        case "SELECT": kind = "SELECT"; note(.read, "SELECT reads")
        case "VALUES": kind = "VALUES"; note(.read, "VALUES computes rows")
        case "TABLE": kind = "TABLE"; note(.read, "TABLE reads a whole table")
        case "INSERT": kind = "INSERT"; note(.write, "INSERT adds rows")
        case "REPLACE": kind = "REPLACE"; note(.write, "REPLACE adds rows, replacing those with the same key")
        case "UPDATE": kind = "UPDATE"; note(.write, "UPDATE changes the rows its WHERE clause selects")
        case "DELETE": kind = "DELETE"; note(.destructive, "DELETE removes rows")
        case "TRUNCATE": kind = "TRUNCATE TABLE"; note(.destructive, "TRUNCATE removes every row")
        case "DROP": drop(m)
        case "CREATE": create(m)
        case "ALTER": alter(m)
        case "RENAME": rename(m)
        case "SHOW": kind = "SHOW"; note(.read, "SHOW reads the catalog or the server's status")
        case "HELP": kind = "HELP"; note(.read, "HELP reads the server's help text")
        case "EXPLAIN", "DESCRIBE", "DESC": explain(m)
        case "ANALYZE": analyze(m)
        case "OPTIMIZE", "REPAIR": kind = "\(first) TABLE"; note(.ddl, "\(first) TABLE rebuilds tables")
        case "CHECK", "CHECKSUM": kind = "\(first) TABLE"; note(.read, "\(first) TABLE reads tables to verify them")
        case "VACUUM": vacuum(m)
        case "REINDEX": kind = "REINDEX"; note(.ddl, "REINDEX rebuilds indexes")
        case "PRAGMA": pragma(m)
        case "ATTACH", "DETACH":
            kind = "\(first) DATABASE"
            note(.privileged, "\(first) DATABASE opens or closes another database file")
        case "USE": kind = "USE"; note(.session, "USE changes the default database")
        case "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END":
            kind = first
            note(.session, "\(first) controls the transaction")
        case "START":
            if word(m + 1) == "TRANSACTION" {
                kind = "START TRANSACTION"
                note(.session, "START TRANSACTION begins a transaction")
            } else {
                kind = "START" + (word(m + 1).map { " " + $0 } ?? "")
                note(.privileged, "\(kind) starts replication or a server process")
            }
        case "SET": set(m)
        case "GRANT", "REVOKE": kind = first; note(.privileged, "\(first) changes privileges")
        case "EXECUTE":
            kind = "EXECUTE"
            flags.insert(.unknownPrepared)
            note(.privileged, "EXECUTE runs a prepared statement whose text is not known here")
        case "DEALLOCATE": kind = "DEALLOCATE"; note(.session, "DEALLOCATE PREPARE forgets a prepared statement")
        case "LOAD": load(m)
        case "LOCK":
            if word(m + 1) == "TABLES" || word(m + 1) == "TABLE" {
                kind = "LOCK TABLES"
                flags.insert(.locking)
                note(.write, "LOCK TABLES locks tables against other sessions")
            } else {
                kind = "LOCK" + (word(m + 1).map { " " + $0 } ?? "")
                note(.privileged, "\(kind) locks the server")
            }
        case "UNLOCK":
            if word(m + 1) == "TABLES" || word(m + 1) == "TABLE" {
                kind = "UNLOCK TABLES"
                note(.session, "UNLOCK TABLES releases this session's locks")
            } else {
                kind = "UNLOCK" + (word(m + 1).map { " " + $0 } ?? "")
                note(.privileged, "\(kind) unlocks the server")
            }
        case "CHANGE":
            kind = "CHANGE" + (word(m + 1).map { " " + $0 } ?? "")
            note(.privileged, Self.privilegedStatements[first] ?? "")
        default:
            if let reason = Self.privilegedStatements[first] {
                kind = first
                note(.privileged, reason)
            } else {
                unknown(first)
            }
        }
    }

    private mutating func unknown(_ first: String) {
        kind = first
        note(.privileged, "\(first) is not a statement Airlock recognises in \(dialect == .sqlite ? "SQLite" : "MySQL")")
    }

    /// Skips CREATE/ALTER modifiers (`OR REPLACE`, `TEMPORARY`, `DEFINER = …`, `ALGORITHM = …`,
    /// `SQL SECURITY …`) and returns the index of the object word.
    private func objectIndex(after m: Int) -> Int {
        var j = m + 1
        while j < tokens.count {
            switch word(j) {
            case "OR" where word(j + 1) == "REPLACE": j += 2
            case "TEMPORARY", "TEMP", "UNIQUE", "FULLTEXT", "SPATIAL", "AGGREGATE", "ONLINE", "OFFLINE", "IGNORE", "UNDO":
                j += 1
            case "ALGORITHM":
                j += 1
                if isSymbol(j, "=") { j += 1 }
                j += 1
            case "SQL" where word(j + 1) == "SECURITY": j += 3
            case "DEFINER":
                j += 1
                if isSymbol(j, "=") { j += 1 }
                let limit = min(tokens.count, j + 8)
                while j < limit, !Self.objects.contains(word(j) ?? ""), word(j) != "SQL", word(j) != "ALGORITHM" { j += 1 }
            default:
                return j
            }
        }
        return j
    }

    static let objects: Set<String> = [
        "TABLE", "INDEX", "VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "DATABASE", "SCHEMA", "USER", "ROLE",
        "SERVER", "TABLESPACE", "SEQUENCE", "VIRTUAL", "LOGFILE", "RESOURCE",
    ]

    private mutating func drop(_ m: Int) {
        let j = objectIndex(after: m)
        let object = word(j) ?? ""
        kind = object.isEmpty ? "DROP" : "DROP \(object)"
        switch object {
        case "USER", "ROLE": note(.destructive, "DROP \(object) removes accounts")
        case "DATABASE", "SCHEMA": note(.destructive, "DROP \(object) removes a database and every table in it")
        case "": note(.destructive, "DROP removes an object")
        default: note(.destructive, "DROP \(object) removes a \(SQLLexer.asciiLower(object)) and what it holds")
        }
    }

    private mutating func create(_ m: Int) {
        let j = objectIndex(after: m)
        var object = word(j) ?? ""
        if object == "VIRTUAL" && word(j + 1) == "TABLE" { object = "VIRTUAL TABLE" }
        kind = object.isEmpty ? "CREATE" : "CREATE \(object)"
        switch object {
        case "TABLE", "INDEX", "VIEW", "DATABASE", "SCHEMA", "SEQUENCE":
            note(.ddl, "CREATE \(object) adds to the schema")
        case "VIRTUAL TABLE":
            note(.ddl, "CREATE VIRTUAL TABLE adds to the schema")
            if let using = (j..<tokens.count).first(where: { word($0) == "USING" }), using + 1 < tokens.count {
                let module = normalised(using + 1)
                if !SQLWords.safeModules.contains(module) {
                    note(.privileged, "the virtual table module \(module) can reach files or native code")
                }
            }
        case "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT":
            flags.insert(.deferred)
            note(.ddl, "CREATE \(object) defines code that runs later")
        case "USER", "ROLE":
            note(.privileged, "CREATE \(object) creates accounts")
        default:
            note(.privileged, "\(kind) is not a schema change Airlock recognises")
        }
    }

    private mutating func alter(_ m: Int) {
        let j = objectIndex(after: m)
        let object = word(j) ?? ""
        kind = object.isEmpty ? "ALTER" : "ALTER \(object)"
        switch object {
        case "TABLE":
            note(.ddl, "ALTER TABLE changes a table's definition")
            for k in (j + 1)..<max(j + 1, tokens.count) where depth[k] == depth[m] {
                switch word(k) {
                case "MODIFY", "CHANGE":
                    note(.destructive, "ALTER TABLE … \(word(k) ?? "") changes a column's type, which can lose data")
                case "CONVERT":
                    note(.destructive, "ALTER TABLE … CONVERT TO rewrites every text column, which can lose data")
                case "DISCARD":
                    note(.destructive, "ALTER TABLE … DISCARD TABLESPACE deletes the table's data file")
                case "IMPORT":
                    flags.insert(.serverSideCopy)
                    note(.privileged, "ALTER TABLE … IMPORT TABLESPACE reads a data file on the server")
                case "DROP":
                    note(.destructive, "ALTER TABLE … DROP removes a column, index, constraint or partition")
                case "RENAME":
                    flags.insert(.rename)
                default: break
                }
            }
        case "DATABASE", "SCHEMA", "VIEW", "EVENT", "PROCEDURE", "FUNCTION", "SEQUENCE", "INDEX":
            note(.ddl, "ALTER \(object) changes a definition")
        case "USER", "ROLE":
            note(.privileged, "ALTER \(object) changes accounts")
        default:
            note(.privileged, "\(kind) is not a schema change Airlock recognises")
        }
    }

    private mutating func rename(_ m: Int) {
        flags.insert(.rename)
        switch word(m + 1) {
        case "TABLE", "TABLES":
            kind = "RENAME TABLE"
            note(.ddl, "RENAME TABLE renames tables")
        case "USER":
            kind = "RENAME USER"
            note(.privileged, "RENAME USER renames accounts")
        default:
            kind = "RENAME"
            note(.privileged, "RENAME of something other than a table")
        }
    }

    /// The index after EXPLAIN's options, and whether ANALYZE (run the statement) was among them.
    private func explainOptions(from start: Int) -> (Int, Bool) {
        var j = start
        var analyze = false
        while j < tokens.count {
            switch word(j) {
            case "ANALYZE": analyze = true; j += 1
            case "EXTENDED", "PARTITIONS", "VERBOSE": j += 1
            case "FORMAT":
                j += 1
                if isSymbol(j, "=") { j += 1 }
                j += 1
            case "QUERY" where word(j + 1) == "PLAN": j += 2
            default: return (j, analyze)
            }
        }
        return (j, analyze)
    }

    private mutating func explain(_ m: Int) {
        kind = word(m) == "EXPLAIN" ? "EXPLAIN" : "DESCRIBE"
        let (j, analyze) = explainOptions(from: m + 1)
        let statement = j < tokens.count && (Self.explainable.contains(word(j) ?? "") || isSymbol(j, "("))
        if analyze && dialect == .mysql {
            guard statement else {
                note(.privileged, "EXPLAIN ANALYZE of a statement Airlock does not recognise")
                return
            }
            runs(from: j, as: "\(kind) ANALYZE")
        } else if statement || dialect == .sqlite {
            note(.read, "\(kind) shows a plan without running the statement")
        } else {
            note(.read, "\(kind) shows a table's definition or a plan")
        }
    }

    /// EXPLAIN ANALYZE and MariaDB's ANALYZE run the statement they explain: its class is theirs.
    private mutating func runs(from j: Int, as name: String) {
        let inner = Self.read(Array(tokens[j...]), dialect: dialect)
        flags.formUnion(inner.flags)
        flags.insert(.explainAnalyze)
        note(inner.sqlClass, "\(name) runs the statement: \(inner.reason)")
    }

    private mutating func analyze(_ m: Int) {
        let (j, _) = explainOptions(from: m + 1)
        if dialect == .mysql, j < tokens.count, Self.explainable.contains(word(j) ?? "") {
            kind = "ANALYZE"
            runs(from: j, as: "ANALYZE")
        } else {
            kind = dialect == .sqlite ? "ANALYZE" : "ANALYZE TABLE"
            note(.ddl, "ANALYZE rewrites the statistics the planner uses")
        }
    }

    private mutating func vacuum(_ m: Int) {
        kind = "VACUUM"
        if tokens[(m + 1)...].contains(where: { $0.isWord("INTO") }) {
            flags.insert(.serverSideCopy)
            note(.privileged, "VACUUM INTO writes a copy of the database to a file")
        } else {
            note(.ddl, "VACUUM rebuilds the database file")
        }
    }

    private mutating func pragma(_ m: Int) {
        kind = "PRAGMA"
        var j = m + 1
        if isSymbol(j + 1, "."), j + 2 < tokens.count { j += 2 }
        guard j < tokens.count, tokens[j].kind == .word || tokens[j].kind == .quotedIdentifier else {
            note(.privileged, "PRAGMA without a name")
            return
        }
        let name = normalised(j)
        let argument = isSymbol(j + 1, "(")
        if isSymbol(j + 1, "=") {
            note(.privileged, "PRAGMA \(name) = … changes a setting")
        } else if SQLWords.argumentPragmas.contains(name) {
            note(.read, "PRAGMA \(name) reports on the schema")
            if argument, j + 2 < tokens.count, [.word, .quotedIdentifier, .string].contains(tokens[j + 2].kind) {
                tables.insert(tokens[j + 2].kind == .word ? normalised(j + 2) : tokens[j + 2].text)
            }
        } else if SQLWords.readPragmas.contains(name) && !argument {
            note(.read, "PRAGMA \(name) reports a setting")
        } else if SQLWords.readPragmas.contains(name) {
            note(.privileged, "PRAGMA \(name)(…) changes a setting")
        } else {
            note(.privileged, "PRAGMA \(name) is not known to only read")
        }
    }

    private mutating func load(_ m: Int) {
        let what = word(m + 1) ?? ""
        kind = what.isEmpty ? "LOAD" : "LOAD \(what)"
        guard what == "DATA" || what == "XML" else {
            note(.privileged, "\(kind) changes server state")
            return
        }
        var local = false
        var j = m + 2
        while j < tokens.count, word(j) != "INFILE" {
            if word(j) == "LOCAL" { local = true }
            j += 1
        }
        if local {
            note(.write, "LOAD \(what) LOCAL reads a file from the client into a table")
        } else {
            flags.insert(.serverSideCopy)
            note(.privileged, "LOAD \(what) without LOCAL reads a file on the database server")
        }
    }

    // MARK: SET

    private mutating func set(_ m: Int) {
        kind = "SET"
        switch word(m + 1) {
        case "PASSWORD": return note(.privileged, "SET PASSWORD changes an account's password")
        case "ROLE", "DEFAULT": return note(.privileged, "SET ROLE changes the privileges in effect")
        case "RESOURCE": return note(.privileged, "SET RESOURCE GROUP changes how threads are scheduled")
        case "STATEMENT": return note(.privileged, "SET STATEMENT runs a statement with changed settings")
        case "TRANSACTION": return note(.session, "SET TRANSACTION sets the next transaction's characteristics")
        default: break
        }
        // Assignments, separated by commas outside parentheses.
        var starts = [m + 1]
        for k in (m + 1)..<max(m + 1, tokens.count) where isSymbol(k, ",") && depth[k] == depth[m] { starts.append(k + 1) }
        for start in starts { assignment(at: start) }
    }

    private mutating func assignment(at start: Int) {
        var j = start
        var global = false
        switch word(j) {
        case "GLOBAL", "PERSIST", "PERSIST_ONLY": global = true; j += 1
        case "SESSION", "LOCAL": j += 1
        case "NAMES", "CHARSET": return note(.session, "SET NAMES changes this session's character set")
        case "CHARACTER" where word(j + 1) == "SET": return note(.session, "SET CHARACTER SET changes this session's character set")
        default: break
        }
        guard j < tokens.count else { return note(.privileged, "SET without a variable") }
        var name: String
        let token = tokens[j]
        if token.kind == .variable {
            guard token.text.hasPrefix("@@") else { return note(.session, "SET @variable assigns a user variable") }
            let parts = SQLLexer.asciiLower(String(token.text.dropFirst(2))).split(separator: ".").map(String.init)
            if let scope = parts.first, parts.count > 1 {
                if scope == "global" || scope == "persist" || scope == "persist_only" { global = true }
            }
            name = parts.last ?? ""
        } else if token.kind == .word || token.kind == .quotedIdentifier {
            name = normalised(j)
        } else {
            return note(.privileged, "SET of something Airlock cannot name")
        }
        if name == "transaction" {
            return global ? note(.privileged, "SET GLOBAL TRANSACTION changes every new session") : note(.session, "SET TRANSACTION sets the next transaction's characteristics")
        }
        if global {
            note(.privileged, "SET GLOBAL \(name) changes the server for every session")
        } else if SQLWords.sessionVariables.contains(name) {
            note(.session, "SET \(name) changes only this session")
        } else {
            note(.privileged, SQLWords.variableReasons[name] ?? "SET \(name) is not a setting known to be harmless")
        }
    }

    // MARK: Tables and functions

    static let nameIntroducers: Set<String> = [
        "INTO", "TABLE", "REFERENCES", "KEY", "INDEX", "CONSTRAINT", "EXISTS", "PROCEDURE", "FUNCTION", "TRIGGER",
        "VIEW", "CALL", "INSERT", "REPLACE", "EVENT", "TABLES", "UNIQUE", "PRAGMA",
    ]
    static let columnListKeywords: Set<String> = ["KEY", "INDEX", "UNIQUE"]
    static let nameModifiers: Set<String> = [
        "IF", "NOT", "EXISTS", "ONLY", "LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "QUICK", "TEMPORARY",
        "NO_WRITE_TO_BINLOG",
    ]

    private mutating func scanNames() {
        let grants = kind == "GRANT" || kind == "REVOKE"
        let onNamesTable = kind == "CREATE INDEX" || kind == "DROP INDEX" || kind == "CREATE TRIGGER"
        var stack: [ParenKind] = []
        for i in tokens.indices {
            let token = tokens[i]
            if token.isSymbol("(") {
                stack.append(parenKinds[i] ?? .group)
                continue
            }
            if token.isSymbol(")") {
                _ = stack.popLast()
                continue
            }
            let inside = stack.last ?? .group
            if token.kind == .word || token.kind == .quotedIdentifier, isSymbol(i + 1, "(") {
                call(i, inside: inside)
            }
            guard token.kind == .word, inside != .call else { continue }
            switch token.upper {
            case "FROM" where !grants: names(from: i + 1, list: true, functions: true)
            case "JOIN", "STRAIGHT_JOIN": names(from: i + 1, list: false, functions: true)
            case "INTO": names(from: i + 1, list: false)
            case "UPDATE" where isStatementUpdate(i): names(from: i + 1, list: true)
            case "TABLE" where word(i - 1) != "SHOW", "TABLES" where word(i - 1) != "SHOW": names(from: i + 1, list: true)
            case "TRUNCATE" where i == main: names(from: i + 1, list: false)
            case "REFERENCES", "VIEW": names(from: i + 1, list: false)
            case "ON" where onNamesTable: names(from: i + 1, list: false)
            case "ON" where grants: names(from: i + 1, list: false)
            case "INSERT", "REPLACE": names(from: i + 1, list: false)
            case "TO" where kind == "RENAME TABLE" || (kind == "ALTER TABLE" && word(i - 1) == "RENAME"):
                names(from: i + 1, list: false)
            case "DESCRIBE" where i == main, "DESC" where i == main, "EXPLAIN" where i == main:
                if !["FORMAT", "ANALYZE", "EXTENDED", "PARTITIONS", "QUERY", "FOR"].contains(word(i + 1) ?? "") {
                    names(from: i + 1, list: false)
                }
            default: break
            }
        }
    }

    /// Records the names of tables from `start`: one, or a comma-separated list with aliases.
    /// A name followed by `(` after FROM or JOIN is a table function, left to `call`.
    private mutating func names(from start: Int, list: Bool, functions allowsFunctions: Bool = false) {
        var j = start
        while j < tokens.count {
            if let w = word(j), Self.nameModifiers.contains(w) { j += 1 }
            else if word(j) == "OR", j + 1 < tokens.count { j += 2 }  // UPDATE OR REPLACE (SQLite)
            else if grantsObjectType(j) { j += 1 }
            else { break }
        }
        while j < tokens.count {
            if isSymbol(j, "(") {
                guard list, close[j] >= 0 else { return }
                j = close[j] + 1
            } else {
                guard let (name, end) = qualifiedName(at: j) else { return }
                if isSymbol(end, "("), allowsFunctions {
                    guard close[end] >= 0 else { return }
                    j = close[end] + 1
                } else {
                    for k in j..<end { nameTokens.insert(k) }
                    if isSymbol(end, "(") { parenKinds[end] = .columns }
                    if !cteNames.contains(name) && name != "dual" { tables.insert(name) }
                    j = end
                }
            }
            if word(j) == "AS" {
                j += 1
                if isName(j) { j += 1 }
            } else if isName(j) {
                j += 1
            }
            while let w = word(j), ["READ", "WRITE", "LOCAL", "LOW_PRIORITY"].contains(w) { j += 1 }
            guard list, isSymbol(j, ",") else { return }
            j += 1
        }
    }

    private func grantsObjectType(_ j: Int) -> Bool {
        (kind == "GRANT" || kind == "REVOKE") && ["TABLE", "FUNCTION", "PROCEDURE"].contains(word(j) ?? "")
    }

    /// Decides whether `tokens[i]` followed by `(` calls a function, and what the parenthesis
    /// holds. A name in a name position (`INSERT INTO t (…)`, `KEY k (…)`, a CTE's columns)
    /// is not a call; a type's length is not; a prefix length `col(10)` in a key is not.
    private mutating func call(_ i: Int, inside: ParenKind) {
        let paren = i + 1
        if parenKinds[paren] != nil { return }
        var start = i
        while start >= 2, isSymbol(start - 1, "."), tokens[start - 2].kind == .word || tokens[start - 2].kind == .quotedIdentifier {
            start -= 2
        }
        let before = word(start - 1)
        if nameTokens.contains(i) || cteColumnParens.contains(paren) {
            parenKinds[paren] = .columns
            return
        }
        if let before, Self.nameIntroducers.contains(before) || (before == "ON" && kind == "CREATE INDEX") {
            parenKinds[paren] = before == "CALL" ? .group : .columns
            return
        }
        if before == "USING" && kind == "CREATE VIRTUAL TABLE" {
            parenKinds[paren] = .group
            return
        }
        let token = tokens[i]
        if token.kind == .word && start == i {
            if Self.columnListKeywords.contains(token.upper) {
                parenKinds[paren] = .columns
                return
            }
            if SQLWords.notFunctions.contains(token.upper) || SQLWords.typeNames.contains(token.upper) {
                parenKinds[paren] = .group
                return
            }
            if SQLWords.typeOrFunction.contains(token.upper), before == "AS" || kind.hasPrefix("CREATE") || kind.hasPrefix("ALTER") {
                parenKinds[paren] = .group
                return
            }
        }
        if inside == .columns, paren + 2 < tokens.count, tokens[paren + 1].kind == .number, isSymbol(paren + 2, ")") {
            parenKinds[paren] = .group
            return
        }
        parenKinds[paren] = .call
        let name = (start...i).filter { (i - $0) % 2 == 0 }.map { normalised($0) }.joined(separator: ".")
        functions.insert(name)
        if start != i || token.kind == .quotedIdentifier {
            note(.privileged, "\(name)() is a stored or user-defined function whose effect is not known here")
        } else if !SQLWords.pureFunctions.contains(name) {
            if name == "load_file" { flags.insert(.serverSideCopy) }
            note(.privileged, SQLWords.functionReasons[name] ?? "\(name)() is not a built-in known to be free of side effects")
        }
    }

    // MARK: Keywords anywhere in the code

    /// UPDATE that starts an UPDATE statement, not `ON UPDATE`, `FOR UPDATE`, `KEY UPDATE`, a
    /// trigger's event or an upsert's `DO UPDATE SET`.
    private func isStatementUpdate(_ i: Int) -> Bool {
        guard i + 1 < tokens.count, word(i + 1) != "SET", kind != "GRANT", kind != "REVOKE" else { return false }
        return !["KEY", "ON", "FOR", "BEFORE", "AFTER", "OF"].contains(word(i - 1) ?? "")
    }

    /// DELETE, UPDATE or INSERT as grammar rather than as a statement: a privilege being
    /// granted, a foreign key's `ON DELETE`, a trigger's event.
    private func isGrammatical(_ i: Int) -> Bool {
        let before = word(i - 1)
        if kind == "GRANT" || kind == "REVOKE" { return true }
        if (kind == "CREATE TABLE" || kind == "ALTER TABLE") && before == "ON" { return true }
        if kind == "CREATE TRIGGER" && (before == "BEFORE" || before == "AFTER" || (before == "OF" && word(i - 2) == "INSTEAD")) {
            return true
        }
        return false
    }

    private mutating func scanCode() {
        for i in tokens.indices {
            let token = tokens[i]
            if token.kind == .symbol, token.text.hasPrefix("\\"), token.text.utf8.count > 1 {
                note(.privileged, "\(token.text) is a mysql client command")
                continue
            }
            guard token.kind == .word else { continue }
            let w = token.upper
            let before = word(i - 1)
            switch w {
            case "DELETE", "DROP", "TRUNCATE":
                guard !isGrammatical(i) else { continue }
                note(.destructive, "the statement contains \(w)")
                if w == "DELETE" && !["ON", "BEFORE", "AFTER", "OF"].contains(before ?? "") { checkWhere(of: i, verb: "DELETE") }
            case "UPDATE":
                guard !isGrammatical(i) else { continue }
                note(.write, "the statement contains UPDATE")
                if isStatementUpdate(i) { checkWhere(of: i, verb: "UPDATE") }
            case "INSERT", "REPLACE":
                guard !isGrammatical(i) else { continue }
                note(.write, "the statement contains \(w)")
            case "GRANT", "REVOKE":
                note(.privileged, "the statement contains \(w), which changes privileges")
            case "OUTFILE" where before == "INTO", "DUMPFILE" where before == "INTO":
                flags.insert(.serverSideCopy)
                note(.privileged, "INTO \(w) writes a file on the database server")
            case "SONAME":
                note(.privileged, "SONAME loads a shared library into the server")
            case "DIRECTORY" where before == "DATA" || before == "INDEX":
                flags.insert(.serverSideCopy)
                note(.privileged, "\(before ?? "") DIRECTORY puts table files at a path on the server")
            case "FOR" where word(i + 1) == "UPDATE" || word(i + 1) == "SHARE":
                flags.insert(.locking)
                note(.write, "FOR \(word(i + 1) ?? "") locks the rows it reads")
            case "LOCK" where word(i + 1) == "IN" && word(i + 2) == "SHARE":
                flags.insert(.locking)
                note(.write, "LOCK IN SHARE MODE locks the rows it reads")
            case "INTO" where kind == "SELECT" && i + 1 < tokens.count && tokens[i + 1].kind == .variable:
                note(.session, "SELECT … INTO assigns variables")
            case "CASCADE" where kind.hasPrefix("DROP") || kind.hasPrefix("TRUNCATE"):
                flags.insert(.cascade)
            case "PROCEDURE" where kind == "SELECT":
                note(.privileged, "SELECT … PROCEDURE runs a procedure over the result")
            default:
                break
            }
        }
    }

    private mutating func checkWhere(of i: Int, verb: String) {
        let rows = verb == "DELETE" ? "removes every row" : "changes every row"
        guard let condition = whereCondition(after: i) else {
            flags.insert(.noWhere)
            note(.destructive, "\(verb) without a WHERE clause \(rows)")
            return
        }
        if LexicalWhereTruth(tokens: tokens, dialect: dialect).isAlwaysTrue(condition) {
            flags.insert(.tautologicalWhere)
            note(.destructive, "\(verb) with an always-true WHERE clause \(rows)")
        }
    }

    static let clauseEnds: Set<String> = [
        "ORDER", "LIMIT", "RETURNING", "GROUP", "HAVING", "WINDOW", "UNION", "EXCEPT", "INTERSECT", "FOR", "LOCK",
        "INTO", "OFFSET",
    ]

    /// The tokens of the WHERE condition belonging to the UPDATE or DELETE at `i`: at its
    /// parenthesis level, before `;`, the END of a trigger body or the close of its parenthesis.
    private func whereCondition(after i: Int) -> Range<Int>? {
        let base = depth[i]
        var cases = 0
        var j = i + 1
        while j < tokens.count {
            if depth[j] < base { return nil }
            if depth[j] == base {
                if tokens[j].isSymbol(";") { return nil }
                switch word(j) {
                case "CASE": cases += 1
                case "END":
                    if cases > 0 { cases -= 1 } else { return nil }
                case "WHERE":
                    var k = j + 1
                    var inner = 0
                    scan: while k < tokens.count, depth[k] >= base {
                        if depth[k] == base {
                            if tokens[k].isSymbol(";") { break scan }
                            if let w = word(k) {
                                if w == "CASE" { inner += 1 }
                                else if w == "END" {
                                    if inner > 0 { inner -= 1 } else { break scan }
                                } else if inner == 0 && Self.clauseEnds.contains(w) { break scan }
                            }
                        }
                        k += 1
                    }
                    return (j + 1)..<k
                default: break
                }
            }
            j += 1
        }
        return nil
    }
}
