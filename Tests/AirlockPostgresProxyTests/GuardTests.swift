import AirlockAudit
import AirlockCore
import AirlockJournal
import AirlockPolicyFile
import AirlockPostgresWire
import AirlockState
import Foundation
import Testing

/// Row caps and the journal's pre-images, against a real server: what the client sees, what
/// the table holds afterwards, and what the audit log and the journal keep.
@Suite(.serialized) struct GuardTests {
    /// Staging writes allowed, at most 3 rows per statement.
    static let cappedPolicy = try! PolicyLoader.parse("""
        version: 1
        default: allow
        environments:
          staging:
            labels: [staging]
        rules:
          - id: capped-writes
            decision: allow
            reason: writes in staging change at most 3 rows each
            when: { environment: staging, sql: { kinds: [UPDATE, DELETE, INSERT, COPY] } }
            max_rows: 3
        """, source: "test")

    /// Production changes of any kind, destructive ones too, asked of a person (the default
    /// policy denies destructive statements outright; a DBA may loosen that to an approval).
    static let approvalPolicy = try! PolicyLoader.parse("""
        version: 1
        default: allow
        environments:
          production:
            labels: [production]
        rules:
          - id: changes-need-approval
            decision: ask
            reason: changes to production need a person's approval
            when: { environment: production, sql: { class: [write, ddl, destructive] } }
        """, source: "test")

    static let checksum = "SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY id), '')) FROM t"

    static func cappedFixture() throws -> ProxyFixture {
        let fixture = try ProxyFixture(environment: "staging", policy: cappedPolicy)
        try fixture.server.psql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 10) g")
        return fixture
    }

    @Test func aWriteOverTheCapIsRolledBackWithAClearError() throws {
        let fixture = try Self.cappedFixture()
        let before = try fixture.server.psql(Self.checksum)
        let client = try fixture.wire()
        let over = try client.query("UPDATE t SET v = 'x' WHERE id <= 5")
        let error = try #require(over.errors.first)
        #expect(error.code == "42501")
        #expect(error.message?.contains("would change 5 rows and a rule caps it at 3, so it was rolled back") == true, "\(error.message ?? "")")
        #expect(!over.types.contains("C"), "no CommandComplete for a rolled-back statement: \(over.types)")
        #expect(try fixture.server.psql(Self.checksum) == before)

        let under = try client.query("UPDATE t SET v = 'x' WHERE id <= 3")
        #expect(under.errors.isEmpty && under.types == "CZ", "\(under.types) \(under.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT count(*) FROM t WHERE v = 'x'") == "3")
        #expect(try client.query("SELECT 1").firstColumn == ["1"], "the session goes on")
    }

    @Test func insideTheClientsTransactionTheCapAbortsItAsTheServerWould() throws {
        let fixture = try Self.cappedFixture()
        let before = try fixture.server.psql(Self.checksum)
        let client = try fixture.wire()
        #expect(try client.query("BEGIN").types == "CZ")
        #expect(try client.query("UPDATE t SET v = 'a' WHERE id = 1").types == "CZ")
        let over = try client.query("DELETE FROM t WHERE id > 2")
        #expect(over.errors.first?.code == "42501")
        #expect(over.last.map { Backend.readStatus($0.body) } == UInt8(ascii: "E"), "the transaction is aborted")
        #expect(try client.query("SELECT 1").errors.first?.code == "25P02")
        #expect(try client.query("ROLLBACK").types == "CZ")
        #expect(try fixture.server.psql(Self.checksum) == before, "neither the first UPDATE nor the DELETE stayed")

        // Under the cap inside a block: the savepoint is released, the block goes on.
        #expect(try client.query("BEGIN").types == "CZ")
        #expect(try client.query("DELETE FROM t WHERE id = 10").types == "CZ")
        #expect(try client.query("COMMIT").types == "CZ")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "9")
    }

    @Test func psqlSeesTheCapAndCopyIsCappedToo() throws {
        let fixture = try Self.cappedFixture()
        let result = try fixture.psql("""
            DELETE FROM t;
            \\copy t FROM STDIN
            11\televen
            12\ttwelve
            13\tthirteen
            14\tfourteen
            \\.
            SELECT count(*) FROM t;
            INSERT INTO t VALUES (20, 'twenty');
            """)
        #expect(result.stderr.contains("42501"), "\(result)")
        #expect(result.stderr.contains("caps it at 3"), "\(result)")
        #expect(result.stdout.contains("10\n"), "the DELETE and the COPY were rolled back: \(result)")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "11", "the INSERT under the cap ran")
    }

    @Test func theAuditLogHasRowsAndDurationPerStatement() throws {
        let fixture = try Self.cappedFixture()
        let client = try fixture.wire()
        _ = try client.query("SELECT * FROM t WHERE id <= 4")
        _ = try client.query("UPDATE t SET v = 'y' WHERE id <= 2")
        _ = try client.query("SELECT 1/0")
        let records = try fixture.auditRecords()
        func statement(_ record: AuditValue) -> AuditValue? { record["parsed"]?.array?.first?["statement"] }
        let select = try #require(records.first { $0["action"]?["text"]?.string == "SELECT * FROM t WHERE id <= 4" })
        #expect(statement(select)?["rows"]?.int == 4)
        #expect((select["result"]?["duration_us"]?.int ?? -1) >= 0)
        let update = try #require(records.last { $0["action"]?["text"]?.string == "UPDATE t SET v = 'y' WHERE id <= 2" })
        #expect(statement(update)?["rows"]?.int == 2, "\(update)")
        let failed = try #require(records.first { $0["action"]?["text"]?.string == "SELECT 1/0" })
        #expect(failed["result"]?["error"]?.string == "22012")
    }

    @Test func anApprovedDeleteIsJournaledBeforeItRuns() throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try fixture.server.psql("CREATE TABLE t (id int PRIMARY KEY, v text, n numeric, at timestamptz); INSERT INTO t SELECT g, E'tab\\there ' || g, g / 3.0, '2026-01-01'::timestamptz + g * interval '1 day' FROM generate_series(1, 20) g")
        let (frames, index) = try Self.approve("DELETE FROM t WHERE id % 4 = 0", on: fixture)
        #expect(frames.types == "CNZ", "ran, with a notice naming the journal entry: \(frames.types) \(frames.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "15")

        let records = try fixture.auditRecords()
        let decision = try #require(records.first { $0["index"]?.int == index })
        let entryID = try #require(decision["journal"]?.string)
        let entry = try Journal(home: fixture.home.path).entry(entryID)
        #expect(entry.kind == .deletePreImages)
        #expect(entry.tables.count == 1 && entry.tables[0].name == "t" && entry.tables[0].rows == 5)
        #expect(entry.tables[0].columns.map(\.name) == ["id", "v", "n", "at"])
        let result = try #require(records.first { $0["action"]?["kind"]?.string == "sql_result" })
        #expect(result["result"]?["of"]?.int == index)
        #expect(result["parsed"]?.array?.first?["statement"]?["rows"]?.int == 5)
    }

    @Test func preImagesThatDoNotMatchTheRowsChangedRollTheStatementBack() throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        // A trigger that keeps even rows: the DELETE removes fewer rows than it selects.
        try fixture.server.psql("""
            CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' FROM generate_series(1, 20) g;
            CREATE FUNCTION keep_even() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.id % 2 = 0 THEN RETURN NULL; END IF; RETURN OLD; END $$;
            CREATE TRIGGER keep BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION keep_even();
            """)
        let before = try fixture.server.psql(Self.checksum)
        let frames = try Self.approve("DELETE FROM t WHERE id <= 10", on: fixture).frames
        let error = try #require(frames.errors.first)
        #expect(error.message?.contains("pre-image") == true, "\(error.message ?? "")")
        #expect(try fixture.server.psql(Self.checksum) == before)
        #expect(try Journal(home: fixture.home.path).list().isEmpty, "an abandoned entry is not listed")
    }

    @Test func aStatementThatCannotBeJournaledIsRefusedBeforeItRuns() throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try fixture.server.psql("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)")
        let frames = try Self.approve("WITH gone AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM gone)", on: fixture).frames
        #expect(frames.errors.first?.message?.contains("WITH clause") == true, "\(frames.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "2")
    }
}

extension GuardTests {
    @Test func aCappedStatementThroughTheExtendedProtocolIsRefusedNotLeftUncapped() throws {
        let fixture = try Self.cappedFixture()
        let client = try fixture.wire()
        try client.send([
            Frontend.Parse(name: "", text: "DELETE FROM t WHERE id > 0").frame, Frontend.Bind(portal: "", statement: "").frame,
            Frontend.execute(portal: ""), PostgresFrame("S"),
        ])
        let frames = try client.receiveUntilReady()
        #expect(frames.errors.first?.code == "42501")
        #expect(frames.errors.first?.message?.contains("simple query") == true)
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "10")
        let record = try #require(try fixture.auditRecords().last { $0["action"]?["text"]?.string == "DELETE FROM t WHERE id > 0" })
        #expect(record["decision"]?.string == "blocked")
        #expect(record["matched_rule"]?["id"]?.string == "proxy-cap-needs-simple-query")
    }

    /// An approved UPDATE, DELETE, DROP TABLE or TRUNCATE runs only with its journal entry,
    /// which the proxy writes around a simple Query: over the extended protocol the statement
    /// is refused (and recorded) before anyone is asked, and nothing changes.
    @Test(arguments: ["DELETE FROM t WHERE id <= 10", "UPDATE t SET v = 'x'", "TRUNCATE t", "DROP TABLE t"])
    func anApprovalTheJournalCannotCoverIsRefusedBeforeAnyoneIsAsked(_ statement: String) throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try fixture.server.psql(Self.table)
        let before = try fixture.server.psql(Self.checksum)
        let client = try fixture.wire()
        try client.send([
            Frontend.Parse(name: "", text: statement).frame, Frontend.Bind(portal: "", statement: "").frame,
            Frontend.execute(portal: ""), PostgresFrame("S"),
        ])
        let frames = try client.receiveUntilReady()
        let error = try #require(frames.errors.first)
        #expect(error.code == "42501")
        #expect(error.message?.contains("only when it is sent as a simple query") == true, "\(error.message ?? "")")
        #expect(error["D"]?.contains("rule proxy-approval-needs-simple-query") == true, "\(error["D"] ?? "")")
        #expect(try fixture.server.psql(Self.checksum) == before)
        let store = SQLiteStore(path: fixture.home.path + "/state.sqlite")
        #expect(try store.read { try $0.openRequests(at: StateClock.now()) }.isEmpty, "nobody is asked")
        let record = try #require(try fixture.auditRecords().last { $0["action"]?["text"]?.string == statement })
        #expect(record["decision"]?.string == "blocked")
        // The session goes on.
        #expect(try client.query("SELECT count(*) FROM t").firstColumn == ["52"])
    }
}

/// The issue's end-to-end bar: a change approved through the proxy, then `airlock undo` from
/// another process restores exactly what was there (compared by checksum).
extension GuardTests {
    static let table = """
        CREATE TABLE t (id serial PRIMARY KEY, v text, n numeric, at timestamptz, b bytea);
        INSERT INTO t (v, n, at, b) SELECT E'line\\nbreak\\ttab ' || g, g / 7.0, '2026-03-01'::timestamptz + g * interval '1 hour', decode(md5(g::text), 'hex')
          FROM generate_series(1, 50) g;
        INSERT INTO t (v) VALUES (NULL), ('\\N');
        """

    /// Sends `statement`, approves it from another process, and returns the decision's index.
    static func approve(_ statement: String, on fixture: ProxyFixture) throws -> (frames: [PostgresFrame], index: Int64) {
        let client = try fixture.wire()
        try client.send([Frontend.queryFrame(statement)])
        let id = try fixture.waitForRequest()
        #expect(try fixture.personRuns("approve \(id) --yes").succeeded)
        let frames = try client.receiveUntilReady()
        let decision = try #require(try fixture.auditRecords().last { $0["action"]?["text"]?.string == statement && $0["decision"]?.string == "allowed" && $0["action"]?["kind"]?.string == "sql" })
        return (frames, try #require(decision["index"]?.int))
    }

    @Test func undoRestoresExactlyTheDeletedRows() throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try fixture.server.psql(Self.table)
        let before = try fixture.server.psql(Self.checksum)
        let (frames, index) = try Self.approve("DELETE FROM t WHERE id % 3 = 0 OR v IS NULL", on: fixture)
        #expect(frames.errors.isEmpty, "\(frames.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "35")
        let undo = try fixture.personRuns("undo \(index)")
        #expect(undo.succeeded, "\(undo)")
        #expect(try fixture.server.psql(Self.checksum) == before, "the table is as it was before the DELETE")
    }

    @Test func undoRestoresTheRowsAnUpdateChanged() throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try fixture.server.psql(Self.table)
        let before = try fixture.server.psql(Self.checksum)
        let (frames, index) = try Self.approve("UPDATE t SET v = 'overwritten', n = NULL WHERE id <= 20", on: fixture)
        #expect(frames.errors.isEmpty, "\(frames.errors.map(\.message))")
        #expect(try fixture.server.psql(Self.checksum) != before)
        #expect(try fixture.personRuns("undo \(index)").succeeded)
        #expect(try fixture.server.psql(Self.checksum) == before)
    }

    @Test func undoRestoresADroppedTableFromItsSnapshot() throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try fixture.server.psql(Self.table + "CREATE INDEX t_v ON t (v);")
        let before = try fixture.server.psql(Self.checksum)
        let (frames, index) = try Self.approve("DROP TABLE t", on: fixture)
        #expect(frames.types == "NCZ", "a notice naming the snapshot, then the DROP: \(frames.types) \(frames.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT to_regclass('t') IS NULL") == "t")
        let entries = try Journal(home: fixture.home.path).list()
        #expect(entries.count == 1 && entries.first?.kind == .dropSnapshot && entries.first?.tables.first?.rows == 52)

        let undo = try fixture.personRuns("undo \(index)")
        #expect(undo.succeeded, "\(undo)")
        #expect(try fixture.server.psql(Self.checksum) == before, "the rows are back")
        #expect(try fixture.server.psql("SELECT indexdef FROM pg_indexes WHERE indexname = 't_v'").contains("(v)"), "and its index")
        #expect(try fixture.server.psql("INSERT INTO t (v) VALUES ('next') RETURNING id") == "53", "the sequence goes on where it was")
        #expect(try fixture.personRuns("journal verify").succeeded)
    }

    @Test func aTruncateIsSnapshotAndUndone() throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try fixture.server.psql(Self.table)
        let before = try fixture.server.psql(Self.checksum)
        let (frames, index) = try Self.approve("TRUNCATE t", on: fixture)
        #expect(frames.errors.isEmpty)
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "0")
        #expect(try fixture.personRuns("undo \(index)").succeeded)
        #expect(try fixture.server.psql(Self.checksum) == before)
    }

    @Test func aSnapshotThatCannotTakeItsLockRefusesTheDrop() async throws {
        let fixture = try ProxyFixture(policy: Self.approvalPolicy, approvalHold: 300)
        try await fixture.server.psql("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)")
        // Another session holds the table until the test ends it: Airlock's snapshot
        // connection waits 5 s for its lock, gives up, and the DROP does not run.
        let holder = Task { try await fixture.server.psql("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(50); COMMIT") }
        let lockHolder = "SELECT pid FROM pg_locks WHERE relation = 't'::regclass AND mode = 'AccessExclusiveLock'"
        var held = false
        for _ in 0..<200 where !held {
            held = try await fixture.server.psql(lockHolder) != ""
            if !held { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(held, "the other session never took its lock")
        let client = try fixture.wire()
        client.setTimeout(milliseconds: 60_000)
        try client.send([Frontend.queryFrame("DROP TABLE t")])
        let id = try fixture.waitForRequest()
        #expect(try fixture.personRuns("approve \(id) --yes").succeeded)
        let frames = try client.receiveUntilReady()
        #expect(frames.errors.first?.message?.contains("could not snapshot") == true, "\(frames.errors.map(\.message))")
        _ = try await fixture.server.psql("SELECT pg_terminate_backend(pid) FROM (\(lockHolder)) holders")
        _ = try? await holder.value
        #expect(try await fixture.server.psql("SELECT count(*) FROM t") == "1")
        #expect(try client.query("SELECT 1").firstColumn == ["1"])
    }
}
