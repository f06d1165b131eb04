import AirlockRuntime
import AirlockSQL
import ArgumentParser
import Foundation

/// `airlock sql …`: SQL understanding on its own, for people checking what Airlock will make of
/// a statement, a migration file or an ORM's output before an agent sends it.
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Classify SQL the way the gate does.",
        subcommands: [SQLClassifyCommand.self])
}

struct SQLClassifyCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Split SQL into statements and classify each: read, session, write, ddl, privileged, destructive or unparseable.",
        discussion: """
            SQL comes from the arguments (each argument is a separate text) or, without any, from \
            standard input. PostgreSQL is read by PostgreSQL 15's own parser (libpg_query); \
            MySQL and SQLite by a conservative lexer that treats anything it does not recognise \
            as privileged.

            One line per statement: its number, class, command tag, tables, flags and functions, \
            then the statement. With --format json, one JSON object per line with the keys \
            index, text, kind, class, tables, flags, functions, reason (and error when it did \
            not parse).

            Exit codes: 0 every statement parsed, 1 at least one is unparseable (it is still \
            printed, with the parser's message and position), 64 usage error.

            Examples:
              airlock sql classify "DELETE FROM users WHERE true"
              airlock sql classify --format json < migrations/0042_drop_legacy.sql
              airlock sql classify --dialect mysql "SELECT * FROM t INTO OUTFILE '/tmp/x'"
            """)

    @Option(help: "The SQL dialect: postgres, mysql or sqlite.")
    var dialect: SQLDialectArgument = .init(.postgres)

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Argument(help: "SQL texts. Without any, SQL is read from standard input.")
    var sql: [String] = []

    func run() throws {
        var texts = sql
        if texts.isEmpty {
            guard isatty(STDIN_FILENO) == 0 else {
                throw ValidationError("give SQL as arguments or on standard input, e.g. airlock sql classify \"SELECT 1\"")
            }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("standard input is not UTF-8 text")
            }
            texts = [text]
        }
        var statements: [SQLStatement] = []
        for text in texts {
            for var statement in SQLClassifier.classify(text, dialect: dialect.value) {
                statement.index = statements.count
                statements.append(statement)
            }
        }
        var out = ""
        for statement in statements {
            switch format {
            case .json:
                out += DecisionReport.sqlJSON(statement).text + "\n"
            case .text:
                out += "\(statement.index + 1)  \(DecisionReport.sqlSummary(statement))\n"
                out += "   \(DecisionReport.preview(statement.text))\n"
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
        if statements.contains(where: { $0.sqlClass == .unparseable }) { throw ExitCode(1) }
    }
}

/// `--dialect` values, with the names people type for them.
struct SQLDialectArgument: ExpressibleByArgument {
    let value: SQLDialect

    init(_ value: SQLDialect) { self.value = value }

    init?(argument: String) {
        switch argument.lowercased() {
        case "postgres", "postgresql", "pg", "psql": value = .postgres
        case "mysql", "mariadb": value = .mysql
        case "sqlite", "sqlite3": value = .sqlite
        default: return nil
        }
    }

    static var allValueStrings: [String] { SQLDialect.allCases.map(\.rawValue) }
    var defaultValueDescription: String { value.rawValue }
}
