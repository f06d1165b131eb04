import AirlockCore
import AirlockSQL
import Testing

/// `sql:` conditions: one statement per analysed command, and table lists read in the direction
/// that fails closed.
@Suite("SQL conditions")
struct SQLConditionTests {
    let environments = [EnvironmentDefinition(name: "production", labels: ["prod"])]

    func decide(_ sql: String, _ rules: [Rule], default fallback: Verdict = .allow) -> Decision {
        let policy = Policy(defaultDecision: fallback, environments: environments, rules: rules)
        let line = "psql -h prod-db -c \"\(sql)\""
        return Checker(policy: policy, files: InMemoryFiles(World.files)).check(.shell(line), context: World.context()).decision
    }

    func rule(_ id: String, _ decision: Verdict, _ when: Condition, unless: Condition? = nil) -> Rule {
        Rule(id: id, decision: decision, reason: id, when: when, unless: unless)
    }

    @Test("class, kinds (globs, any case) and flags")
    func classKindsFlags() {
        let rules = [
            rule("no-drops", .deny, Condition(sql: SQLCondition(kinds: ["drop *"]))),
            rule("every-row", .ask, Condition(sql: SQLCondition(flags: [.noWhere, .tautologicalWhere]))),
            rule("privileged", .deny, Condition(sql: SQLCondition(classes: [.privileged]))),
        ]
        #expect(decide("DROP MATERIALIZED VIEW v", rules).rule.id == "no-drops")
        #expect(decide("UPDATE t SET a = 1 WHERE 1 = 1", rules).rule.id == "every-row")
        #expect(decide("UPDATE t SET a = 1 WHERE id = 3", rules).verdict == .allow)
        #expect(decide("SELECT pg_terminate_backend(42)", rules).rule.id == "privileged")
        // A command that sends no SQL never matches an sql condition.
        let policy = Policy(environments: environments, rules: [rule("any-sql", .deny, Condition(sql: SQLCondition(classes: SQLClass.allCases)))])
        #expect(Checker(policy: policy).check(.shell("ls"), context: World.context()).decision.verdict == .allow)
    }

    @Test("tables: any in deny and ask, every (and at least one) in allow and unless")
    func tablesFailClosed() {
        let rules = [
            rule("destruction", .deny, Condition(effects: [.destructive]), unless: Condition(sql: SQLCondition(tables: ["sessions"], kinds: ["DELETE"]))),
            rule("touches-payments", .ask, Condition(sql: SQLCondition(tables: ["payments"]))),
        ]
        #expect(decide("DELETE FROM sessions WHERE expires_at < now()", rules).verdict == .allow)
        #expect(decide("DELETE FROM app.sessions WHERE id = 1", rules).verdict == .allow)
        #expect(decide("DELETE FROM users WHERE id = 1", rules).verdict == .deny)
        // A writable CTE reaching another table is not excused by the exception for sessions.
        #expect(decide("WITH d AS (DELETE FROM users RETURNING id) DELETE FROM sessions WHERE user_id IN (SELECT id FROM d)", rules).verdict == .deny)
        // One table of several is enough to restrict.
        #expect(decide("SELECT * FROM orders JOIN payments ON payments.order_id = orders.id", rules).rule.id == "touches-payments")
        // An unless over tables needs a table: DROP SCHEMA names none.
        #expect(decide("DROP SCHEMA public CASCADE", [rule("d", .deny, Condition(effects: [.destructive]), unless: Condition(sql: SQLCondition(tables: ["*"])))]).verdict == .deny)
    }

    @Test("qualified table patterns")
    func qualifiedPatterns() {
        let rules = [rule("audit-schema", .deny, Condition(sql: SQLCondition(tables: ["audit.*"])))]
        #expect(decide("DELETE FROM audit.events WHERE id = 1", rules).rule.id == "audit-schema")
        #expect(decide("SELECT * FROM public.events", rules).verdict == .allow)
    }
}
