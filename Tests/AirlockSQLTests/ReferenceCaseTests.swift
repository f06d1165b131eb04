import Testing
@testable import AirlockSQL

/// The 41 cases of ../shared/reference/sql-cases.md, each as listed: the class of the whole
/// text is its most dangerous statement's.
@Suite struct ReferenceCaseTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let number: Int
        let sql: String
        let expected: SQLClass
        var flags: Set<SQLFlag> = []
        var testDescription: String { "#\(number) \(sql.prefix(60))" }
    }

    static let cases: [Case] = [
        Case(number: 1, sql: "select/**/1; DROP TABLE users", expected: .destructive),
        Case(number: 2, sql: "-- x\nDELETE FROM users", expected: .destructive, flags: [.noWhere]),
        Case(number: 3, sql: "/* a /* nested */ b */ DROP TABLE users", expected: .destructive),
        Case(number: 4, sql: "SELECT $$; DROP TABLE users; $$", expected: .read),
        Case(number: 5, sql: "SELECT $a$ $b$ $a$; DROP TABLE users", expected: .destructive),
        Case(number: 6, sql: "SELECT E'\\'; DROP TABLE users; --'", expected: .read),
        Case(number: 7, sql: "SELECT '\\'; DROP TABLE users; --'", expected: .destructive),
        Case(number: 8, sql: "WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d", expected: .destructive, flags: [.writableCTE, .noWhere]),
        Case(number: 9, sql: "SELECT * FROM (WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d) s", expected: .destructive, flags: [.writableCTE]),
        Case(number: 10, sql: "INSERT INTO log WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d", expected: .destructive, flags: [.writableCTE]),
        Case(number: 11, sql: "WITH x AS (SELECT 1) UPDATE users SET admin = true", expected: .destructive, flags: [.noWhere]),
        Case(number: 12, sql: "DELETE FROM users WHERE true", expected: .destructive, flags: [.tautologicalWhere]),
        Case(number: 12, sql: "DELETE FROM users WHERE 1=1", expected: .destructive, flags: [.tautologicalWhere]),
        Case(number: 13, sql: "SELECT * INTO copy FROM users", expected: .ddl, flags: [.selectInto]),
        Case(number: 14, sql: "EXPLAIN ANALYZE DELETE FROM users", expected: .destructive, flags: [.explainAnalyze]),
        Case(number: 14, sql: "EXPLAIN DELETE FROM users", expected: .read),
        Case(number: 15, sql: "DO $$BEGIN EXECUTE 'DR' || 'OP TABLE users'; END$$", expected: .privileged),
        Case(number: 16, sql: "SELECT my_cleanup_fn()", expected: .privileged),
        Case(number: 16, sql: "CALL purge()", expected: .privileged),
        Case(number: 17, sql: "SELECT dblink_exec('dbname=prod', 'DROP TABLE users')", expected: .privileged),
        Case(number: 18, sql: "SELECT nextval('s')", expected: .write),
        Case(number: 18, sql: "SELECT setval('s', 42)", expected: .write),
        Case(number: 18, sql: "SELECT pg_advisory_lock(1)", expected: .write),
        Case(number: 19, sql: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity", expected: .privileged),
        Case(number: 20, sql: "SELECT set_config('default_transaction_read_only', 'off', false)", expected: .privileged),
        Case(number: 21, sql: "SELECT lo_unlink(1)", expected: .privileged),
        Case(number: 21, sql: "SELECT lo_export(16384, '/tmp/x')", expected: .privileged),
        Case(number: 21, sql: "SELECT pg_read_file('/etc/passwd')", expected: .privileged),
        Case(number: 22, sql: "COPY users TO PROGRAM 'rm -rf /'", expected: .privileged, flags: [.serverSideCopy]),
        Case(number: 23, sql: "COPY users FROM STDIN", expected: .write),
        Case(number: 23, sql: "COPY (SELECT * FROM users) TO STDOUT", expected: .read),
        Case(number: 24, sql: "PREPARE p AS DELETE FROM users; EXECUTE p", expected: .destructive),
        Case(number: 25, sql: "SET ROLE postgres", expected: .privileged),
        Case(number: 25, sql: "SET SESSION AUTHORIZATION admin", expected: .privileged),
        Case(number: 25, sql: "RESET ROLE", expected: .privileged),
        Case(number: 26, sql: "SET default_transaction_read_only = off", expected: .privileged),
        Case(number: 26, sql: "SET TRANSACTION READ WRITE", expected: .privileged),
        Case(number: 27, sql: "SELECT 1; COMMIT; DROP TABLE users; SELECT 1", expected: .destructive),
        Case(number: 28, sql: "ALTER TABLE users RENAME TO old", expected: .ddl, flags: [.rename]),
        Case(number: 29, sql: "ALTER TABLE users DROP COLUMN email", expected: .destructive),
        Case(number: 29, sql: "ALTER TABLE users ALTER COLUMN id TYPE int USING 0", expected: .destructive),
        Case(number: 30, sql: "TRUNCATE ONLY users RESTART IDENTITY CASCADE", expected: .destructive, flags: [.cascade]),
        Case(number: 31, sql: "DROP SCHEMA public CASCADE", expected: .destructive, flags: [.cascade]),
        Case(number: 31, sql: "DROP DATABASE prod", expected: .destructive),
        Case(number: 31, sql: "DROP OWNED BY app", expected: .destructive),
        Case(number: 32, sql: "MERGE INTO users u USING staging s ON u.id = s.id WHEN MATCHED THEN DELETE", expected: .destructive),
        Case(number: 33, sql: "INSERT INTO users (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = excluded.name", expected: .write),
        Case(number: 33, sql: "SELECT * FROM users WHERE id = 1 FOR UPDATE", expected: .write, flags: [.locking]),
        Case(number: 34, sql: "CREATE RULE r AS ON INSERT TO users DO INSTEAD DELETE FROM users", expected: .ddl, flags: [.deferred]),
        Case(number: 34, sql: "CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS 'DELETE FROM users'", expected: .ddl, flags: [.deferred]),
        Case(number: 34, sql: "CREATE TRIGGER t AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION purge()", expected: .ddl, flags: [.deferred]),
        Case(number: 35, sql: "ALTER TABLE users DISABLE TRIGGER ALL", expected: .privileged),
        Case(number: 35, sql: "SET session_replication_role = replica", expected: .privileged),
        Case(number: 36, sql: "GRANT ALL ON users TO public", expected: .privileged),
        Case(number: 36, sql: "ALTER ROLE app SUPERUSER", expected: .privileged),
        Case(number: 36, sql: "ALTER SYSTEM SET fsync = off", expected: .privileged),
        Case(number: 37, sql: "DeLeTe/**/FrOm \"users\"", expected: .destructive),
        Case(number: 37, sql: "DELETE FROM U&\"\\0075sers\"", expected: .destructive),
        Case(number: 38, sql: "SELECT '{}' IS JSON", expected: .unparseable),
        Case(number: 38, sql: "MERGE INTO users u USING staging s ON u.id = s.id WHEN MATCHED THEN DELETE RETURNING *", expected: .unparseable),
        Case(number: 39, sql: "SELECT 1; /* unterminated", expected: .unparseable),
        Case(number: 40, sql: "VACUUM FULL", expected: .ddl),
        Case(number: 40, sql: "CLUSTER users USING users_pkey", expected: .ddl),
        Case(number: 40, sql: "LOCK users IN ACCESS EXCLUSIVE MODE", expected: .ddl),
        Case(number: 40, sql: "CREATE INDEX CONCURRENTLY users_email ON users (email)", expected: .ddl),
        Case(number: 41, sql: "LISTEN jobs", expected: .session),
        Case(number: 41, sql: "NOTIFY jobs, 'x'", expected: .session),
        Case(number: 41, sql: "DISCARD ALL", expected: .session),
        Case(number: 41, sql: "DEALLOCATE ALL", expected: .session),
    ]

    @Test(arguments: cases)
    func referenceCase(_ c: Case) {
        let statements = SQLClassifier.classify(c.sql)
        let strictest = SQLClassifier.strictest(statements)
        #expect(strictest == c.expected, "\(statements.map { "\($0.kind) \($0.sqlClass): \($0.reason)" })")
        let flags = statements.reduce(into: Set<SQLFlag>()) { $0.formUnion($1.flags) }
        #expect(c.flags.isSubset(of: flags), "flags \(flags.sorted())")
    }

    @Test func everyStatementCountsNotOnlyTheFirst() {
        let statements = SQLClassifier.classify("select/**/1; DROP TABLE users")
        #expect(statements.map(\.kind) == ["SELECT", "DROP TABLE"])
        #expect(statements.map(\.sqlClass) == [.read, .destructive])
        #expect(statements[1].tables == ["users"])
        #expect(statements.map(\.index) == [0, 1])
    }

    @Test func identifiersAreNormalised() {
        #expect(SQLClassifier.classify("DELETE FROM U&\"\\0075sers\"").first?.tables == ["users"])
        #expect(SQLClassifier.classify("DeLeTe/**/FrOm Public.USERS").first?.tables == ["public.users"])
        #expect(SQLClassifier.classify("SELECT * FROM \"User\"").first?.tables == ["User"])
    }

    @Test func cteNamesAreNotTables() {
        let statement = SQLClassifier.classify("WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d")[0]
        #expect(statement.tables == ["users"])
        #expect(statement.functions == ["count"])
        #expect(statement.kind == "SELECT")
    }

    @Test func unparseableCarriesTheParsersMessageAndPosition() {
        let statements = SQLClassifier.classify("SELECT 1; SELECT '{}' IS JSON")
        #expect(statements.map(\.sqlClass) == [.read, .unparseable])
        let error = statements[1].error
        #expect(error?.message.contains("syntax error") == true)
        #expect((error?.position ?? 0) > 0)
    }

    @Test func executeFindsAStatementPreparedInAnEarlierCall() {
        var prepared: [String: SQLStatement] = [:]
        _ = PostgresClassifier.shared.classify("PREPARE wipe AS DELETE FROM users", prepared: &prepared)
        let later = PostgresClassifier.shared.classify("EXECUTE wipe", prepared: &prepared)
        #expect(later.first?.sqlClass == .destructive)
        #expect(SQLClassifier.classify("EXECUTE wipe").first?.sqlClass == .privileged)
        #expect(SQLClassifier.classify("EXECUTE wipe").first?.flags.contains(.unknownPrepared) == true)
    }

    @Test func commandTags() {
        let tags = SQLClassifier.classify("""
            SELECT 1; DROP MATERIALIZED VIEW v; ALTER TABLE t ADD COLUMN c int; CREATE UNIQUE INDEX i ON t (c);
            BEGIN; COMMIT; GRANT SELECT ON t TO r; REVOKE SELECT ON t FROM r; SET search_path = app; RESET ALL;
            ALTER TABLE t RENAME COLUMN a TO b; CREATE TABLE x (id int); TRUNCATE t
            """).map(\.kind)
        #expect(tags == [
            "SELECT", "DROP MATERIALIZED VIEW", "ALTER TABLE", "CREATE INDEX", "BEGIN", "COMMIT", "GRANT", "REVOKE", "SET",
            "RESET", "ALTER TABLE", "CREATE TABLE", "TRUNCATE",
        ])
    }

    @Test func emptyAndCommentOnlyTextHasNoStatements() {
        #expect(SQLClassifier.classify("").isEmpty)
        #expect(SQLClassifier.classify("  -- nothing\n/* at all */ ").isEmpty)
        #expect(SQLClassifier.strictest([]) == .read)
    }

    @Test func nulBytesAreRefused() {
        #expect(SQLClassifier.classify("SELECT 1\u{0}; DROP TABLE users").first?.sqlClass == .unparseable)
    }

    @Test func functionBodiesAreReadForTables() {
        let statement = SQLClassifier.classify("CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS 'DELETE FROM audit_log'")[0]
        #expect(statement.tables == ["audit_log"])
        #expect(statement.flags.contains(.deferred))
    }

    @Test func searchPathCannotShadowBuiltins() {
        #expect(SQLClassifier.classify("SET search_path = app, public").first?.sqlClass == .session)
        #expect(SQLClassifier.classify("SET search_path = evil, pg_catalog").first?.sqlClass == .privileged)
        #expect(SQLClassifier.classify("SET standard_conforming_strings = off").first?.sqlClass == .privileged)
    }

    @Test func tautologiesAreFoundAndRealConditionsAreNot() {
        for sql in ["UPDATE t SET a = 1 WHERE 1 <> 0", "UPDATE t SET a = 1 WHERE 'a' = 'a'", "UPDATE t SET a = 1 WHERE NOT false",
                    "UPDATE t SET a = 1 WHERE id = id", "UPDATE t SET a = 1 WHERE id = 5 OR 1 = 1", "UPDATE t SET a = 1 WHERE 't'::boolean",
                    "UPDATE t SET a = 1 WHERE 2 > 1 AND true", "UPDATE t SET a = 1 WHERE t.id >= t.id", "DELETE FROM t WHERE (id) = id"] {
            let statement = SQLClassifier.classify(sql)[0]
            #expect(statement.sqlClass == .destructive, "\(sql)")
            #expect(statement.flags.contains(.tautologicalWhere), "\(sql)")
        }
        for sql in ["UPDATE t SET a = 1 WHERE id = 5", "UPDATE t SET a = 1 WHERE 1 = 1 AND id = 5", "UPDATE t SET a = 1 WHERE 1 = 2 OR id = 5",
                    "UPDATE t SET a = 1 WHERE id = idx", "UPDATE t SET a = 1 WHERE t.id = u.id", "UPDATE t SET a = 1 WHERE id < id"] {
            let statement = SQLClassifier.classify(sql)[0]
            #expect(statement.sqlClass == .write, "\(sql)")
            #expect(!statement.flags.contains(.tautologicalWhere), "\(sql)")
        }
    }

    @Test func repeatsComeFromTheCache() {
        let first = SQLClassifier.classify("SELECT id FROM cache_probe WHERE id = 1")
        let second = SQLClassifier.classify("SELECT id FROM cache_probe WHERE id = 1")
        #expect(first == second)
    }
}

/// Cases found by the differential test, the fuzzer and a real PostgreSQL 15 server.
@Suite struct FoundCaseTests {
    @Test(arguments: [
        ("SET client_encoding = 'SJIS'", SQLClass.privileged),
        ("SET NAMES 'BIG5'", .privileged),
        ("SET client_encoding = 'UTF8'", .session),
        ("SET NAMES 'utf-8'", .session),
        ("RESET client_encoding", .session),
        ("EXPLAIN SELECT my_fn(1)", .privileged),
        ("EXPLAIN SELECT lower('A')", .read),
        ("EXPLAIN DELETE FROM users", .read),
        ("EXPLAIN SELECT nextval('s')", .write),
        ("PREPARE p1 AS SELECT $2147483648", .unparseable),
        ("PREPARE p1 AS SELECT $1", .read),
    ] as [(String, SQLClass)])
    func found(_ sql: String, _ expected: SQLClass) {
        #expect(SQLClassifier.strictest(SQLClassifier.classify(sql)) == expected)
    }

    @Test func operatorChainsTooLongForAnOrdinaryStackAreUnparseableNotACrash() {
        let chain = "SELECT " + Array(repeating: "1", count: 300_000).joined(separator: "+")
        let statements = SQLClassifier.classify(chain)
        #expect(statements.map(\.sqlClass) == [.unparseable])
        let moderate = "SELECT " + Array(repeating: "1", count: 1_000).joined(separator: "+") + "; DELETE FROM t"
        #expect(SQLClassifier.classify(moderate).map(\.sqlClass) == [.read, .destructive])
    }

    @Test func textsBeyondTheLimitAreRefused() {
        let huge = "SELECT '" + String(repeating: "x", count: PostgresClassifier.maximumText) + "'"
        let statements = SQLClassifier.classify(huge)
        #expect(statements.map(\.sqlClass) == [.unparseable])
        #expect(statements[0].error?.message.contains("bytes") == true)
    }
}
