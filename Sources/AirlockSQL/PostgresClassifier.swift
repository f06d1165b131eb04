import CPgQuery

/// PostgreSQL statements classified by walking libpg_query's parse tree.
public final class PostgresClassifier: Sendable {
    public static let shared = PostgresClassifier()

    public init() {}

    public func classify(_ text: String) -> [SQLStatement] {
        var prepared: [String: SQLStatement] = [:]
        return classify(text, prepared: &prepared)
    }

    public func classify(_ text: String, prepared: inout [String: SQLStatement]) -> [SQLStatement] {
        let result = pg_query_parse(text)
        defer { pg_query_free_parse_result(result) }
        return [SQLStatement(index: 0, text: text, kind: "", sqlClass: .unparseable, reason: "not yet")]
    }
}
