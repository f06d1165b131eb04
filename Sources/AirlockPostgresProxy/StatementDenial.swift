import AirlockCore
import AirlockPostgresWire

/// How a statement the gate refused is answered: with the error a PostgreSQL server gives when
/// it refuses one (SQLSTATE 42501, insufficient privilege), so every client and driver handles it
/// as it would a permission error, and the session goes on.
///
/// The refusal is made by the server itself: the proxy sends, in place of the refused
/// statement, one that fails (`DO … RAISE`), and replaces the server's error with its own. The
/// server's state is then exactly what a refusal leaves: a transaction block is aborted until
/// ROLLBACK, an extended-protocol batch is skipped to its Sync, and responses stay in order
/// with everything pipelined before and after.
public enum StatementDenial {
    /// The statement sent in place of a refused one. Its text shows in the server's log.
    public static let failingStatement = "DO $airlock$BEGIN RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'statement refused by Airlock'; END$airlock$"

    /// The client's error for a decision that is not an allow.
    public static func error(for decision: Decision) -> ErrorFields {
        let rule = decision.rule
        var message: String
        var hint = rule.suggestion
        if decision.verdict == .ask, let approval = decision.approval {
            message = "Airlock: this statement needs a person's approval (request \(approval.id)): \(rule.reason)"
            hint = "a person approves it with `airlock approve \(approval.id)`; then send exactly the same statement again"
        } else if decision.verdict == .ask {
            message = "Airlock: this statement needs a person's approval: \(rule.reason)"
        } else {
            message = "Airlock denied this statement: \(rule.reason)"
        }
        if message.utf8.count > 2000 { message = String(message.prefix(2000)) + "…" }
        var detail = "rule \(rule.id), environment \(decision.environment)"
        if let deciding = decision.decidingCommand, let sql = deciding.command.sql {
            detail += ", statement \(sql.index + 1): \(sql.sqlClass.rawValue) (\(sql.reason))"
        }
        if let index = decision.auditIndex { detail += ", audit entry \(index)" }
        return ErrorFields(code: "42501", message: message, detail: detail, hint: hint)
    }

    /// An error the proxy gives for a protocol-level refusal (not a statement's policy decision).
    public static func refusal(_ message: String, hint: String? = nil, fatal: Bool = false, code: String = "42501") -> ErrorFields {
        ErrorFields(severity: fatal ? "FATAL" : "ERROR", code: code, message: "Airlock: " + message, hint: hint)
    }
}
