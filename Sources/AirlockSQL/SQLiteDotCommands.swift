extension LexicalSQL {
    /// The sqlite3 shell's dot-commands that only show things.
    static let dotReads: Set<String> = [
        ".tables", ".schema", ".indexes", ".indices", ".dump", ".show", ".databases", ".help", ".fullschema", ".dbinfo",
        ".print", ".version",
    ]
    /// Dot-commands that change only how this shell session displays or behaves.
    static let dotSession: Set<String> = [
        ".headers", ".header", ".mode", ".width", ".timer", ".eqp", ".explain", ".nullvalue", ".separator", ".echo",
        ".bail", ".changes", ".prompt", ".stats", ".parameter",
    ]

    /// Classifies one sqlite3 shell dot-command line (`.tables`, `.import f.csv t`). Only exact
    /// command names are recognised: the shell's abbreviations and anything unknown are
    /// `privileged`. `.shell`/`.system` and `.read` are `privileged` here; the caller analyses
    /// the shell command or follows the file.
    public static func sqliteDotCommand(_ line: String) -> SQLStatement {
        let text = String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let command = words.first.map { SQLLexer.asciiLower($0) } ?? ""
        let arguments = Array(words.dropFirst())
        // A `|` argument pipes through a shell command (`.output '|cmd'`, `.import '|cmd' t`);
        // `-e`/`-x` open an editor or viewer.
        let runsProgram = arguments.contains { $0.hasPrefix("|") || $0.hasPrefix("'|") || $0.hasPrefix("\"|") || $0 == "-e" || $0 == "-x" }
        func statement(_ sqlClass: SQLClass, _ reason: String, tables: [String] = []) -> SQLStatement {
            SQLStatement(index: 0, text: text, kind: command, sqlClass: sqlClass, tables: tables, reason: reason)
        }
        guard command.hasPrefix(".") else {
            return statement(.privileged, "not a dot-command")
        }
        if dotReads.contains(command) {
            let tables = [".schema", ".indexes", ".indices", ".dump"].contains(command) ? arguments.filter { !$0.hasPrefix("-") }.map { SQLLexer.asciiLower(unquoted($0)) } : []
            return statement(.read, "\(command) shows the database or the shell's settings", tables: tables.sorted())
        }
        if dotSession.contains(command) {
            return statement(.session, "\(command) changes how this shell session behaves")
        }
        switch command {
        case ".import":
            if runsProgram { return statement(.privileged, ".import from a pipe runs a shell command") }
            let table = arguments.filter { !$0.hasPrefix("-") }.dropFirst().first.map { SQLLexer.asciiLower(unquoted($0)) }
            return statement(.write, ".import loads a file into a table", tables: table.map { [$0] } ?? [])
        case ".output", ".once":
            if runsProgram { return statement(.privileged, "\(command) through a pipe or viewer runs a program") }
            return statement(.write, "\(command) writes results to a file")
        case ".save", ".backup":
            return statement(.write, "\(command) writes a copy of the database to a file")
        case ".restore":
            return statement(.destructive, ".restore replaces the database with a backup")
        case ".shell", ".system":
            return statement(.privileged, "\(command) runs a shell command")
        case ".read":
            return statement(.privileged, ".read runs the SQL in another file")
        case ".load":
            return statement(.privileged, ".load loads a native extension")
        default:
            return statement(.privileged, "\(command) is not a dot-command Airlock recognises")
        }
    }

    private static func unquoted(_ word: String) -> String {
        guard word.count >= 2, let first = word.first, first == "'" || first == "\"", word.last == first else { return word }
        return String(word.dropFirst().dropLast())
    }
}
