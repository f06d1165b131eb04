/// The one entry point for SQL text: splits it into statements and classifies each, by the
/// PostgreSQL parser for PostgreSQL and by conservative lexers for other dialects.
public enum SQLClassifier {
    /// Every statement in `text`, in order. Never throws: text that cannot be read becomes a
    /// statement of class `unparseable`, which every policy treats as the most dangerous.
    public static func classify(_ text: String, dialect: SQLDialect = .postgres) -> [SQLStatement] {
        switch dialect {
        case .postgres: PostgresClassifier.shared.classify(text)
        case .mysql, .sqlite: LexicalSQL.classify(text, dialect: dialect)
        }
    }

    /// The class of a whole text: its most dangerous statement's (`read` when it is empty).
    public static func strictest(_ statements: [SQLStatement]) -> SQLClass {
        statements.map(\.sqlClass).max() ?? .read
    }
}
