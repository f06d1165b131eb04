import AirlockCore
import AirlockSQL
import Testing

/// SQL from a database door (the proxy) is judged per statement in the environment the door's
/// configuration declares, whatever its host name would suggest.
@Suite struct SQLRequestTests {
    static func decide(_ sql: String, environment: String = "production", statements: [SQLStatement]? = nil) -> Decision {
        let request = SQLRequest(text: sql, database: "app", location: "127.0.0.1:5432", environment: environment, statements: statements)
        return Checker(policy: DefaultPolicy.policy).check(.sql(request), context: World.context()).decision
    }

    @Test(arguments: [
        ("SELECT * FROM users WHERE id = 1", Verdict.allow, "production"),
        ("UPDATE users SET plan = 'pro' WHERE id = 42", .ask, "production"),
        ("DROP TABLE users", .deny, "production"),
        ("select/**/1; DROP TABLE users", .deny, "production"),
        ("SET ROLE postgres", .deny, "production"),
        ("SELECT '{}' IS JSON", .deny, "production"),
        ("DROP TABLE users", .ask, "staging"),
        ("DROP TABLE users", .allow, "development"),
        ("", .allow, "production"),
    ])
    func declaredEnvironmentDecides(sql: String, verdict: Verdict, environment: String) {
        let decision = Self.decide(sql, environment: environment)
        #expect(decision.verdict == verdict, "\(sql) in \(environment): \(decision.rule.id)")
        #expect(decision.environment == environment)
    }

    @Test func eachStatementIsItsOwnCommand() {
        let decision = Self.decide("SELECT 1; UPDATE users SET a = 1 WHERE id = 1; DROP TABLE t")
        #expect(decision.commands.map(\.command.sql?.sqlClass) == [.read, .write, .destructive])
        #expect(decision.commands.allSatisfy { $0.command.environmentReason == "upstream 'app' is declared in production" })
        #expect(decision.rule.id == "no-destruction-in-production")
    }

    @Test func cachedClassificationIsUsed() {
        // A door that classified the text before (a prepared statement) passes its result on.
        let cached = SQLClassifier.classify("DROP TABLE users")
        let decision = Self.decide("DROP TABLE users", statements: cached)
        #expect(decision.verdict == .deny)
        #expect(decision.commands.first?.command.sql == cached.first.map { var s = $0; s.index = 0; return s })
    }

    @Test func nulBytesAndHugeTextAreRefused() {
        #expect(Self.decide("SELECT 1\u{0}; DROP TABLE users").verdict == .deny)
        #expect(Self.decide("SELECT " + String(repeating: "1+", count: 200_000) + "1").verdict == .deny)
    }
}
