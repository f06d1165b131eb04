import AirlockCore
import AirlockSQL

/// What the proxy must do around one allowed simple Query beyond forwarding it: run it under a
/// row cap, capture the pre-images of the rows it changes, or snapshot the tables it drops or
/// empties. Pure: made from the gate's decision and the statements.
///
/// Caps come from the rule that decided each statement (`max_rows`); the journal covers
/// statements a person approved (UPDATE and DELETE get pre-images, DROP TABLE and TRUNCATE a
/// snapshot). A statement that needs either runs alone: a message of several could not be
/// rolled back statement by statement.
struct GuardPlan: Equatable {
    /// The most rows the statement may change.
    var cap: Int?
    /// The SELECT … FOR UPDATE that reads the rows an approved UPDATE or DELETE will change.
    var preImages: PreImageQuery?
    /// Tables an approved DROP TABLE or TRUNCATE removes or empties, to snapshot first.
    var snapshot: [String] = []
    /// The statement's kind, for the journal.
    var kind = ""

    var isEmpty: Bool { cap == nil && preImages == nil && snapshot.isEmpty }

    /// Statements a person's approval journals.
    static let journaled: Set<String> = ["UPDATE", "DELETE", "DROP TABLE", "TRUNCATE"]

    /// Statements whose CommandComplete counts the rows they changed.
    static let countable: Set<String> = ["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"]

    /// The plan, nil when the query needs nothing beyond forwarding, or the refusal's reason.
    static func make(decision: Decision, statements: [SQLStatement], approved: Bool) -> Result<GuardPlan?, GuardRefusal> {
        // Journaled only when the gate allocated an entry for it (an approved UPDATE, DELETE,
        // DROP TABLE or TRUNCATE).
        let approved = approved && decision.journal != nil
        var plan = GuardPlan()
        for item in decision.commands {
            guard let statement = item.command.sql, let cap = item.rule?.maxRows, item.command.effect != .read else { continue }
            guard countable.contains(statement.kind) else {
                return .failure(.uncountable(kind: statement.kind, cap: cap))
            }
            plan.cap = min(plan.cap ?? cap, cap)
            plan.kind = statement.kind
        }
        if approved {
            for statement in statements {
                switch statement.kind {
                case "UPDATE", "DELETE":
                    switch PreImageQuery.make(statement.text) {
                    case .success(let query): plan.preImages = query
                    case .failure(let refusal): return .failure(.preImages(refusal))
                    }
                    plan.kind = statement.kind
                case "DROP TABLE", "TRUNCATE":
                    if statement.kind == "TRUNCATE", cascades(statement.text) { return .failure(.truncateCascade) }
                    plan.snapshot += statement.tables
                    plan.kind = statement.kind
                default:
                    continue
                }
            }
        }
        if plan.isEmpty { return .success(nil) }
        guard statements.count == 1 else { return .failure(.notAlone) }
        return .success(plan)
    }

    /// Whether a rule caps a statement of the decision that can change rows.
    static func capped(_ decision: Decision) -> Bool {
        decision.commands.contains { $0.rule?.maxRows != nil && $0.command.effect != .read && $0.command.sql != nil }
    }

    /// TRUNCATE … CASCADE also empties every table that references these: their rows would be
    /// missing from the snapshot.
    static func cascades(_ text: String) -> Bool {
        guard let tokens = PostgresScanner.tokens(text) else { return true }
        let bytes = Array(text.utf8)
        return tokens.contains { $0.isKeyword && String(decoding: bytes[$0.range], as: UTF8.self).uppercased() == "CASCADE" }
    }
}

/// Why a statement the gate allowed is refused before it runs: the proxy cannot keep the
/// promise its policy makes (a cap it cannot count, a journal it cannot write).
enum GuardRefusal: Error, Equatable, CustomStringConvertible {
    case uncountable(kind: String, cap: Int)
    case preImages(PreImageRefusal)
    case truncateCascade
    case notAlone

    var description: String {
        switch self {
        case .uncountable(let kind, let cap):
            "a rule caps this statement at \(cap) rows, and a \(kind) does not report how many rows it changed"
        case .preImages(let refusal):
            "Airlock journals what an approved statement changes, and \(refusal)"
        case .truncateCascade:
            "Airlock snapshots what an approved TRUNCATE empties, and CASCADE would also empty tables it was not named"
        case .notAlone:
            "a statement under a row cap or the journal must be sent on its own, not with other statements in one query"
        }
    }

    var hint: String {
        switch self {
        case .uncountable: "write it as a plain INSERT, UPDATE, DELETE, MERGE or COPY"
        case .preImages(.withClause): "write it without the WITH clause (run the CTE's part first)"
        case .preImages: "write it as UPDATE/DELETE of one table with a WHERE clause"
        case .truncateCascade: "name every table to empty in the TRUNCATE, without CASCADE"
        case .notAlone: "send each statement as its own query"
        }
    }
}
