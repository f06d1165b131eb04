import AirlockPostgresWire

/// Which start-up parameters an agent may send. PostgreSQL takes any server setting as a
/// start-up parameter (`default_transaction_read_only=off`, `session_replication_role=replica`,
/// `options=-c …`), so only client conventions are passed on; a setting, a replication
/// connection or a database other than the upstream's is refused before anything reaches the
/// server.
enum StartupPolicy {
    /// Passed to the upstream as the client sent them (lowercased names).
    static let forwarded: Set<String> = ["application_name", "client_encoding", "datestyle", "timezone", "extra_float_digits", "intervalstyle"]
    /// Read by the proxy itself.
    static let consumed: Set<String> = ["user", "database"]

    static func refusal(_ parameters: [StartupParameter], upstream: Upstream) -> ErrorFields? {
        guard let user = parameters.first(where: { $0.name == "user" })?.value, !user.isEmpty else {
            return StatementDenial.refusal("no user in the start-up message", hint: "connect with the agent's name as user", fatal: true, code: "28000")
        }
        for parameter in parameters {
            let name = parameter.name.lowercased()
            if name == "replication" {
                return StatementDenial.refusal(
                    "replication connections are refused: a replication stream can copy or change every table", fatal: true)
            }
            if name == "options" {
                if parameter.value.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
                return StatementDenial.refusal(
                    "start-up option '\(parameter.value)' is refused: agents may not change server settings when connecting",
                    hint: "remove PGOPTIONS / options= from the connection; limits are set by Airlock's upstream configuration", fatal: true)
            }
            if name == "database", parameter.value != upstream.database, parameter.value != upstream.name, parameter.value != user {
                return StatementDenial.refusal(
                    "database \"\(parameter.value)\" is not served here: this proxy fronts upstream '\(upstream.name)' (database \"\(upstream.database)\")",
                    fatal: true, code: "3D000")
            }
            if !forwarded.contains(name) && !consumed.contains(name) {
                return StatementDenial.refusal(
                    "start-up parameter '\(parameter.name)' is refused: agents may not change server settings when connecting", fatal: true)
            }
        }
        return nil
    }
}
