import AirlockSQL

/// Matches a rule's `sql:` conditions against the statement a command carries.
enum SQLMatcher {
    static func matches(_ condition: SQLCondition, _ statement: SQLStatement?, loosening: Bool) -> Bool {
        guard let statement else { return false }
        if let classes = condition.classes, !classes.contains(statement.sqlClass) { return false }
        if let kinds = condition.kinds, !kinds.contains(where: { Glob.match($0.uppercased(), statement.kind) }) { return false }
        if let flags = condition.flags, !flags.contains(where: statement.flags.contains) { return false }
        if let patterns = condition.tables {
            let matchesOne = { (table: String) in patterns.contains { tableMatches($0, table) } }
            if loosening {
                guard !statement.tables.isEmpty, statement.tables.allSatisfy(matchesOne) else { return false }
            } else if !statement.tables.contains(where: matchesOne) {
                return false
            }
        }
        return true
    }

    /// `sessions` matches `sessions` and `app.sessions`; `app.sessions` matches `app.sessions`
    /// and unqualified `sessions`, which the server resolves through its search path.
    static func tableMatches(_ pattern: String, _ table: String) -> Bool {
        let pattern = pattern.lowercased()
        let table = table.lowercased()
        let patternIsQualified = pattern.contains(".")
        let tableName = table.split(separator: ".").last.map(String.init) ?? table
        if patternIsQualified {
            if table.contains(".") { return Glob.match(pattern, table) }
            let patternName = pattern.split(separator: ".").last.map(String.init) ?? pattern
            return Glob.match(patternName, table)
        }
        return Glob.match(pattern, tableName)
    }

    static func describe(_ condition: SQLCondition, _ statement: SQLStatement?) -> String {
        guard let statement else { return "it sends no SQL statement" }
        var wanted: [String] = []
        if let classes = condition.classes { wanted.append("class " + ConditionMatcher.list(classes.map(\.rawValue))) }
        if let kinds = condition.kinds { wanted.append("kind " + ConditionMatcher.list(kinds)) }
        if let tables = condition.tables { wanted.append("tables " + ConditionMatcher.list(tables)) }
        if let flags = condition.flags { wanted.append("flags " + ConditionMatcher.list(flags.map(\.rawValue))) }
        let tables = statement.tables.isEmpty ? "no table" : statement.tables.joined(separator: ", ")
        return "the statement is \(statement.sqlClass.rawValue) \(statement.kind.isEmpty ? "(unparsed)" : statement.kind) on \(tables), not \(wanted.joined(separator: " and "))"
    }
}

extension SQLClass {
    /// The effect class a statement of this class gives the command that sends it. Privileged
    /// statements cannot be judged from their text (opaque); unparseable text is treated as the
    /// worst case.
    public var effect: EffectClass {
        switch self {
        case .read, .session: .read
        case .write, .ddl: .write
        case .privileged: .opaque
        case .destructive, .unparseable: .destructive
        }
    }
}
