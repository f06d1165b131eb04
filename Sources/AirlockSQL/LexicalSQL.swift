/// Conservative lexer-based classification for MySQL/MariaDB and SQLite: it can only err
/// towards danger (anything not recognised is `privileged`).
public enum LexicalSQL {
    public static func classify(_ text: String, dialect: SQLDialect) -> [SQLStatement] {
        [SQLStatement(index: 0, text: text, kind: "", sqlClass: .privileged, reason: "not yet classified")]
    }
}
