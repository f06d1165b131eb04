import AirlockSQL
import Testing

/// The pre-image SELECT cut out of an UPDATE or DELETE with PostgreSQL's scanner.
@Suite struct PreImageQueryTests {
    @Test(arguments: [
        ("DELETE FROM t WHERE id < 10", "SELECT t.tableoid, t.ctid, t.* FROM t WHERE id < 10 FOR UPDATE OF t"),
        ("delete from t", "SELECT t.tableoid, t.ctid, t.* FROM t FOR UPDATE OF t"),
        (
            "UPDATE public.accounts a SET balance = balance - 1 WHERE a.id = 3 RETURNING *",
            "SELECT a.tableoid, a.ctid, a.* FROM public.accounts a WHERE a.id = 3 FOR UPDATE OF a"
        ),
        (
            "UPDATE t SET x = (SELECT max(y) FROM u WHERE u.id = t.id) FROM v WHERE v.id = t.id",
            "SELECT t.tableoid, t.ctid, t.* FROM t, v WHERE v.id = t.id FOR UPDATE OF t"
        ),
        (
            "UPDATE t SET flag = a IS DISTINCT FROM b WHERE id = 1",
            "SELECT t.tableoid, t.ctid, t.* FROM t WHERE id = 1 FOR UPDATE OF t"
        ),
        (
            #"DELETE FROM "Odd Name" AS x USING u JOIN w USING (k) WHERE x.id = u.id RETURNING x.id"#,
            #"SELECT x.tableoid, x.ctid, x.* FROM "Odd Name" AS x, u JOIN w USING (k) WHERE x.id = u.id FOR UPDATE OF x"#
        ),
        (
            "UPDATE t SET body = $$ WHERE FROM ; RETURNING $$ WHERE id = 2;",
            "SELECT t.tableoid, t.ctid, t.* FROM t WHERE id = 2 FOR UPDATE OF t"
        ),
        (
            "DELETE /* WHERE 1=1 */ FROM ONLY s.\"T\" -- a comment\n WHERE note = 'WHERE x' -- trailing",
            "SELECT \"T\".tableoid, \"T\".ctid, \"T\".* FROM ONLY s.\"T\" WHERE note = 'WHERE x' FOR UPDATE OF \"T\""
        ),
        (
            "UPDATE t SET a = ARRAY[1, 2], b = E'it''s \\' FROM' WHERE c IN (SELECT c FROM d WHERE e)",
            "SELECT t.tableoid, t.ctid, t.* FROM t WHERE c IN (SELECT c FROM d WHERE e) FOR UPDATE OF t"
        ),
    ])
    func cutsTheSameTargetListAndPredicate(_ statement: String, _ expected: String) throws {
        let query = try PreImageQuery.make(statement).get().query
        #expect(query == expected)
        // What it cut must itself be PostgreSQL.
        let classified = SQLClassifier.classify(query, dialect: .postgres)
        #expect(classified.count == 1 && classified.first?.error == nil, "\(classified)")
    }

    @Test(arguments: [
        ("WITH d AS (DELETE FROM a RETURNING *) DELETE FROM t WHERE id IN (SELECT id FROM d)", PreImageRefusal.withClause),
        ("DELETE FROM t WHERE CURRENT OF c", .currentOf),
        ("SELECT * FROM t", .notUpdateOrDelete),
        ("INSERT INTO t VALUES (1)", .notUpdateOrDelete),
        ("UPDATE t WHERE id = 1", .notUpdateOrDelete),
        ("DELETE FROM t x y WHERE true", .notUpdateOrDelete),
        ("DELETE FROM t WHERE note = 'unterminated", .unscannable),
    ])
    func refusesWhatItCannotCut(_ statement: String, _ refusal: PreImageRefusal) {
        #expect(throws: refusal) { try PreImageQuery.make(statement).get() }
    }

    @Test func namesTheTargetAsTheServerReadsIt() throws {
        let quoted = try PreImageQuery.make(#"DELETE FROM "My Schema"."Odd""Name" WHERE true"#).get()
        #expect(quoted.schema == "My Schema" && quoted.table == #"Odd"Name"#)
        let bare = try PreImageQuery.make("UPDATE Accounts SET x = 1").get()
        #expect(bare.schema == nil && bare.table == "accounts")
    }

    @Test func scannerTokensCoverDollarQuotesAndComments() throws {
        let tokens = try #require(PostgresScanner.tokens("SELECT $a$ x $a$ /* c */ FROM t"))
        #expect(tokens.count == 4)
        #expect(tokens.map(\.isKeyword) == [true, false, true, false])
        #expect(PostgresScanner.tokens("SELECT 'open") == nil)
    }
}
