import AirlockJournal
import AirlockPostgresProxy
import AirlockPostgresWire
import Foundation
import NIOPosix
import Testing

/// The undo journal against a real server: Airlock's own connection, table snapshots, and
/// restores of every kind of entry, compared by checksum and by catalog definition with the
/// table as it was.
@Suite(.serialized) struct JournalRestoreTests {
    /// A server, a home with its journal, and the upstream `app` pointing at the server.
    final class Fixture: @unchecked Sendable {
        let server: PostgresServer
        let home: TemporaryAirlockHome
        let journal: Journal
        let upstream: Upstream

        init() async throws {
            server = try await PostgresServer.start()
            home = try TemporaryAirlockHome()
            journal = Journal(home: home.path)
            upstream = Upstream(name: "app", host: server.host, port: server.port, database: "postgres", environment: "production", user: "postgres")
        }

        func connect() async throws -> UpstreamConnection {
            try await UpstreamConnection.connect(to: upstream, password: nil, group: MultiThreadedEventLoopGroup.singleton, settings: ["lock_timeout": "5s"])
        }

        func begin(_ kind: JournalEntry.Kind, statement: String) throws -> JournalEntryWriter {
            try journal.begin(
                id: Journal.newID(), kind: kind, upstream: "app", database: "postgres", environment: "production", statement: statement, agent: "claude",
                session: "pg-1")
        }

        /// The checksum the task compares: every row's text, in key order.
        func checksum(_ table: String = "t") async throws -> String {
            try await server.psql("SELECT coalesce(md5(string_agg(x::text, ',' ORDER BY id)), 'empty') FROM \(table) x")
        }

        /// The table's definition as the catalogs give it: columns, defaults, constraints,
        /// indexes (oids and the order they were made in do not matter).
        func definition(_ table: String = "t") async throws -> String {
            try await server.psql(
                """
                SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
                  SELECT format('column %s %s %s %s %s %s', attname, format_type(atttypid, atttypmod), attnotnull,
                                pg_get_expr(d.adbin, d.adrelid), attidentity, attgenerated) AS x
                  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                  WHERE attrelid = '\(table)'::regclass AND attnum > 0 AND NOT attisdropped
                  UNION ALL SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid)) FROM pg_constraint WHERE conrelid = '\(table)'::regclass
                  UNION ALL SELECT format('index %s', pg_get_indexdef(indexrelid)) FROM pg_index WHERE indrelid = '\(table)'::regclass
                  UNION ALL SELECT format('referenced by %s %s', conrelid::regclass, pg_get_constraintdef(oid)) FROM pg_constraint WHERE confrelid = '\(table)'::regclass AND conrelid <> '\(table)'::regclass
                ) parts
                """)
        }

        /// Pre-images as the proxy takes them: the affected rows, `FOR UPDATE`, in the statement's
        /// transaction, written with the writer; then the statement.
        func capturePreImages(kind: JournalEntry.Kind, where predicate: String, statement: String) async throws -> JournalEntry {
            let connection = try await connect()
            defer { connection.close() }
            try await connection.simpleQuery("BEGIN")
            let selected = try await connection.query("SELECT * FROM t WHERE \(predicate) FOR UPDATE")
            let writer = try begin(kind, statement: statement)
            let table = try writer.addTable(
                schema: "public", name: "t", columns: selected.fields.map { JournalEntry.Column(name: $0.name, typeOID: $0.typeOID, typeModifier: $0.typeModifier) },
                definition: nil, settings: ["DateStyle": connection.parameters["DateStyle"] ?? "ISO", "TimeZone": connection.parameters["TimeZone"] ?? "UTC"])
            for row in selected.values { try writer.append(row: row, table: table) }
            let entry = try writer.commit()
            try await connection.simpleQuery(statement)
            try await connection.simpleQuery("COMMIT")
            return entry
        }

        /// A table with a serial key, a foreign key, a check, a generated column, an index on
        /// an expression, a unique constraint, NULLs and text that needs every COPY escape.
        func makeTable() async throws {
            try await server.psql(
                #"""
                CREATE TABLE parent (id int PRIMARY KEY);
                INSERT INTO parent VALUES (1), (2);
                CREATE TYPE mood AS ENUM ('calm', 'angry');
                CREATE TABLE t (
                  id serial PRIMARY KEY,
                  parent_id int REFERENCES parent (id),
                  code text UNIQUE,
                  note text COLLATE "C",
                  amount numeric(10, 2) CHECK (amount >= 0),
                  feeling mood DEFAULT 'calm',
                  created timestamptz NOT NULL DEFAULT now(),
                  tags text[],
                  raw bytea,
                  doubled numeric GENERATED ALWAYS AS (amount * 2) STORED
                );
                CREATE INDEX t_lower_note ON t (lower(note)) WHERE note IS NOT NULL;
                INSERT INTO t (parent_id, code, note, amount, feeling, created, tags, raw) VALUES
                  (1, 'a', 'plain', 1.50, 'calm', '2024-01-01 10:00+00', '{a,b}', '\x00ff'),
                  (NULL, 'b', E'tab\there\nnew line\r\\ backslash \\N', 0, 'angry', '2024-02-29 23:59:59.123456+00', '{"with space", NULL}', NULL),
                  (2, NULL, NULL, NULL, NULL, '1999-12-31 00:00+00', NULL, '\x'),
                  (1, 'd', 'ünïcödé ✓ 𝄞', 3.25, 'calm', '2024-06-01 12:00+02', '{}', '\x5c6e');
                CREATE TABLE child (id int, t_id int REFERENCES t (id));
                INSERT INTO child VALUES (1, 1);
                """#)
        }
    }

    // MARK: Airlock's connection

    @Test func theConnectionQueriesCopiesBothWaysAndReportsErrorsWithTheServersFields() async throws {
        let fixture = try await Fixture()
        let connection = try await fixture.connect()
        defer { connection.close() }
        #expect(try await connection.simpleQuery("SELECT 1, NULL::text, 'x'") == [["1", nil, "x"]])
        #expect(connection.parameters["client_encoding"] == "UTF8")
        #expect(connection.parameters["DateStyle"] == "ISO, MDY")
        try await connection.simpleQuery("CREATE TABLE c (a int PRIMARY KEY, b text)")
        let inserted = try await connection.copyIn("COPY c FROM STDIN", chunks: [Array("1\tone\n2\t\\N\n".utf8), Array("3\tthr".utf8), Array("ee\n".utf8)])
        #expect(inserted == 3)
        var copied: [UInt8] = []
        let rows = try await connection.copyOut("COPY c TO STDOUT") { copied += Array($0.readableBytesView) }
        #expect(rows == 3)
        #expect(String(decoding: copied, as: UTF8.self) == "1\tone\n2\t\\N\n3\tthree\n")

        await #expect(throws: UpstreamQueryError.self) { try await connection.copyIn("COPY c FROM STDIN", chunks: [Array("1\tagain\n".utf8)]) }
        do {
            try await connection.simpleQuery("SELECT * FROM missing_table")
            Issue.record("expected an error")
        } catch let error as UpstreamQueryError {
            #expect(error.code == "42P01")
            #expect(error.description.contains("upstream 'app'"))
        }
        // A source that fails mid-COPY fails the COPY: nothing of it is kept.
        struct Broken: Error {}
        var sent = 0
        await #expect(throws: Broken.self) {
            try await connection.copyIn("COPY c FROM STDIN", from: {
                sent += 1
                if sent == 2 { throw Broken() }
                return Array("10\tten\n".utf8)
            })
        }
        #expect(try await connection.simpleQuery("SELECT count(*) FROM c") == [["3"]], "the session is usable and the failed COPY left nothing")
        let result = try await connection.query("UPDATE c SET b = 'x' WHERE a < 3")
        #expect(result.rowsAffected == 2)
    }

    @Test func aWrongPasswordOrAnUnreachableServerIsNamed() async throws {
        let fixture = try await Fixture()
        try fixture.server.requirePassword(user: "airlock_app", password: "right")
        var upstream = fixture.upstream
        upstream.user = "airlock_app"
        do {
            _ = try await UpstreamConnection.connect(to: upstream, password: "wrong", group: MultiThreadedEventLoopGroup.singleton)
            Issue.record("logged in with a wrong password")
        } catch {
            #expect("\(error)".contains("upstream 'app' refused Airlock's login as airlock_app"), "\(error)")
        }
        let good = try await UpstreamConnection.connect(to: upstream, password: "right", group: MultiThreadedEventLoopGroup.singleton)
        #expect(try await good.simpleQuery("SELECT current_user") == [["airlock_app"]])
        good.close()
        fixture.server.stop()
        await #expect(throws: UpstreamError.self) { _ = try await fixture.connect() }
    }

    // MARK: Snapshots

    @Test func aDroppedTableComesBackWithItsDefinitionRowsAndSequence() async throws {
        let fixture = try await Fixture()
        try await fixture.makeTable()
        let checksum = try await fixture.checksum(), definition = try await fixture.definition()
        let sequence = try await fixture.server.psql("SELECT last_value FROM t_id_seq")

        let connection = try await fixture.connect()
        defer { connection.close() }
        let writer = try fixture.begin(.dropSnapshot, statement: "DROP TABLE t CASCADE")
        try await TableSnapshot.capture(tables: [(schema: nil, name: "t"), (schema: "public", name: "not_there")], over: connection, into: writer)
        let entry = try writer.commit()
        #expect(entry.tables.count == 1, "a missing table is skipped")
        #expect(entry.tables[0].schema == "public" && entry.tables[0].rows == 4)
        #expect(entry.tables[0].columns.map(\.name) == ["id", "parent_id", "code", "note", "amount", "feeling", "created", "tags", "raw"], "not the generated column")
        #expect(connection.transactionStatus == "I", "the snapshot's transaction ended")

        try await fixture.server.psql("DROP TABLE t CASCADE")
        let report = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false, auditIndex: 7, user: "dba")
        #expect(report.rows == 4)
        #expect(try await fixture.checksum() == checksum)
        #expect(try await fixture.definition() == definition)
        #expect(try await fixture.server.psql("SELECT last_value FROM t_id_seq") == sequence)
        #expect(try await fixture.server.psql("INSERT INTO t (note) VALUES ('after') RETURNING id") == "5", "the sequence goes on where it was")
        #expect(try fixture.journal.restoration(of: entry.id)?.auditIndex == 7)
    }

    /// What a DBA would miss after an undo that brought back only columns, keys and rows:
    /// triggers (and which are disabled), row security and its policies, privileges on the
    /// table, its columns and its sequence, comments, and the owner.
    @Test func aDroppedTableComesBackWithItsTriggersPoliciesGrantsCommentsAndOwner() async throws {
        let fixture = try await Fixture()
        try await fixture.server.psql(
            """
            CREATE ROLE "app$airlock$owner"; CREATE ROLE app_reader; CREATE ROLE "App Writer"; CREATE ROLE app_auditor;
            CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := NEW.v || ' (stamped)'; RETURN NEW; END $$;
            CREATE TABLE t (id serial PRIMARY KEY, v text, secret text);
            INSERT INTO t (v, secret) SELECT 'row ' || g, 'code ' || g FROM generate_series(1, 5) g;
            CREATE TRIGGER t_stamp BEFORE INSERT OR UPDATE OF v ON t FOR EACH ROW WHEN (NEW.v IS NOT NULL) EXECUTE FUNCTION stamp();
            CREATE TRIGGER t_off AFTER DELETE ON t FOR EACH STATEMENT EXECUTE FUNCTION stamp();
            ALTER TABLE t DISABLE TRIGGER t_off;
            ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;
            CREATE POLICY readers ON t FOR SELECT TO app_reader, "App Writer" USING (v NOT LIKE '%hidden%');
            CREATE POLICY no_blank ON t AS RESTRICTIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (v <> '');
            GRANT SELECT ON t TO app_reader;
            GRANT INSERT, UPDATE ON t TO "App Writer" WITH GRANT OPTION;
            GRANT SELECT (id, v) ON t TO app_auditor;
            GRANT USAGE ON SEQUENCE t_id_seq TO "App Writer";
            COMMENT ON TABLE t IS 'the team''s table';
            COMMENT ON COLUMN t.secret IS 'never shown';
            ALTER TABLE t OWNER TO "app$airlock$owner";
            """)
        // Everything the catalogs say about those, by name (oids and grantors aside).
        let surroundings = """
            SELECT string_agg(x, E'\n' ORDER BY x) FROM (
              SELECT format('trigger %s %s', pg_get_triggerdef(oid), tgenabled) AS x FROM pg_trigger WHERE tgrelid = 't'::regclass AND NOT tgisinternal
              UNION ALL SELECT format('security %s %s', relrowsecurity, relforcerowsecurity) FROM pg_class WHERE oid = 't'::regclass
              UNION ALL SELECT format('policy %s %s %s %s %s %s', policyname, permissive, roles, cmd, qual, with_check) FROM pg_policies WHERE tablename = 't'
              UNION ALL SELECT format('grant %s %s %s', grantee::regrole, privilege_type, is_grantable) FROM pg_class, aclexplode(relacl) WHERE oid = 't'::regclass
              UNION ALL SELECT format('column grant %s %s %s %s', attname, grantee::regrole, privilege_type, is_grantable) FROM pg_attribute, aclexplode(attacl) WHERE attrelid = 't'::regclass
              UNION ALL SELECT format('sequence grant %s %s %s', grantee::regrole, privilege_type, is_grantable) FROM pg_class, aclexplode(relacl) WHERE oid = 't_id_seq'::regclass
              UNION ALL SELECT format('comment %s', obj_description('t'::regclass, 'pg_class'))
              UNION ALL SELECT format('column comment %s', col_description('t'::regclass, 3))
              UNION ALL SELECT format('owner %s %s', relowner::regrole, (SELECT relowner::regrole FROM pg_class WHERE oid = 't_id_seq'::regclass)) FROM pg_class WHERE oid = 't'::regclass
            ) parts
            """
        let before = try await fixture.server.psql(surroundings)
        let checksum = try await fixture.server.psql("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM t")
        #expect(before.contains("trigger CREATE TRIGGER t_off") && before.contains("policy readers") && before.contains("column grant v app_auditor"), "\(before)")

        let connection = try await fixture.connect()
        defer { connection.close() }
        let writer = try fixture.begin(.dropSnapshot, statement: "DROP TABLE t")
        try await TableSnapshot.capture(tables: [(schema: "public", name: "t")], over: connection, into: writer)
        let entry = try writer.commit()
        let verified = await JournalRestore.verify(entry, journal: fixture.journal, over: connection)
        #expect(verified.ok, "\(verified.problems)")

        try await fixture.server.psql("DROP TABLE t")
        _ = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false)
        #expect(try await fixture.server.psql(surroundings) == before)
        #expect(try await fixture.server.psql("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM t") == checksum, "the trigger did not fire on the restored rows")
        #expect(try await fixture.server.psql("INSERT INTO t (v) VALUES ('new') RETURNING v") == "new (stamped)", "and fires on new ones")
    }

    @Test func aTruncatedTableIsReloadedAndItsSequenceMovedPastItsRows() async throws {
        let fixture = try await Fixture()
        try await fixture.makeTable()
        try await fixture.server.psql("DELETE FROM child")
        let checksum = try await fixture.checksum()
        let connection = try await fixture.connect()
        defer { connection.close() }
        let writer = try fixture.begin(.truncateSnapshot, statement: "TRUNCATE t RESTART IDENTITY")
        try await TableSnapshot.capture(tables: [(schema: "public", name: "t")], over: connection, into: writer)
        let entry = try writer.commit()

        try await fixture.server.psql("TRUNCATE t RESTART IDENTITY CASCADE")
        // Rows there again: refused unless forced, and nothing changes.
        try await fixture.server.psql("INSERT INTO t (id, note) VALUES (100, 'new')")
        do {
            _ = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false)
            Issue.record("loaded a truncated table's rows into a table with rows")
        } catch {
            #expect("\(error)".contains("the table has rows again"), "\(error)")
        }
        #expect(try await fixture.server.psql("SELECT count(*) FROM t") == "1")
        try await fixture.server.psql("DELETE FROM t")
        let report = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false)
        #expect(report.tables.map(\.action) == ["loaded"] && report.rows == 4)
        #expect(try await fixture.checksum() == checksum)
        #expect(try await fixture.server.psql("INSERT INTO t (note) VALUES ('after') RETURNING id") == "5")
    }

    @Test func snapshotsRefuseWhatTheyCannotRestore() async throws {
        let fixture = try await Fixture()
        try await fixture.server.psql("CREATE TABLE p (a int) PARTITION BY RANGE (a); CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10)")
        let connection = try await fixture.connect()
        defer { connection.close() }
        for table in ["p", "p1"] {
            let writer = try fixture.begin(.dropSnapshot, statement: "DROP TABLE \(table)")
            await #expect(throws: UpstreamError.self) { try await TableSnapshot.capture(tables: [(schema: nil, name: table)], over: connection, into: writer) }
            writer.abandon()
        }
        #expect(connection.transactionStatus == "I")
        #expect(try fixture.journal.list().isEmpty)
    }

    // MARK: Pre-images

    @Test func deletedRowsComeBackAndASecondUndoIsRefused() async throws {
        let fixture = try await Fixture()
        try await fixture.makeTable()
        try await fixture.server.psql("DELETE FROM child")
        let checksum = try await fixture.checksum()
        let entry = try await fixture.capturePreImages(kind: .deletePreImages, where: "id IN (2, 3)", statement: "DELETE FROM t WHERE id IN (2, 3)")
        #expect(entry.tables[0].rows == 2 && entry.tables[0].columns.count == 10)
        let afterDelete = try await fixture.checksum()

        let connection = try await fixture.connect()
        defer { connection.close() }
        let dry = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: true)
        #expect(dry.dryRun && dry.rows == 2 && dry.tables.map(\.action) == ["inserted"])
        #expect(try await fixture.checksum() == afterDelete, "a dry run changes nothing")
        #expect(try fixture.journal.restoration(of: entry.id) == nil)

        let report = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false, user: "dba")
        #expect(report.rows == 2)
        #expect(try await fixture.checksum() == checksum)
        do {
            _ = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false)
            Issue.record("a second undo ran")
        } catch {
            #expect("\(error)".contains("was already restored"), "\(error)")
        }
        // Forced, the rows' keys exist: refused by the server, named, and nothing changes.
        do {
            _ = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false, force: true)
            Issue.record("a forced undo wrote duplicate rows")
        } catch {
            #expect("\(error)".contains("table public.t") && "\(error)".contains("exists again") && "\(error)".contains("rolled back"), "\(error)")
        }
        #expect(try await fixture.checksum() == checksum)
    }

    @Test func updatedRowsGetTheirOldValuesBackByPrimaryKey() async throws {
        let fixture = try await Fixture()
        try await fixture.makeTable()
        let checksum = try await fixture.checksum()
        let entry = try await fixture.capturePreImages(
            kind: .updatePreImages, where: "id IN (1, 2, 4)", statement: "UPDATE t SET note = 'changed', amount = 99, tags = NULL WHERE id IN (1, 2, 4)")
        #expect(try await fixture.checksum() != checksum)
        let connection = try await fixture.connect()
        defer { connection.close() }
        let report = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false)
        #expect(report.tables.map(\.action) == ["updated"] && report.rows == 3)
        #expect(try await fixture.checksum() == checksum)
    }

    @Test func anUpdateThatChangedKeysOrATableWithoutAKeyIsRefusedAndNamed() async throws {
        let fixture = try await Fixture()
        try await fixture.makeTable()
        try await fixture.server.psql("DELETE FROM child")
        let entry = try await fixture.capturePreImages(kind: .updatePreImages, where: "id IN (1, 2)", statement: "UPDATE t SET id = id + 100 WHERE id IN (1, 2)")
        let before = try await fixture.checksum()
        let connection = try await fixture.connect()
        defer { connection.close() }
        do {
            _ = try await JournalRestore.undo(entry, journal: fixture.journal, over: connection, dryRun: false)
            Issue.record("restored rows that are not there")
        } catch {
            #expect("\(error)".contains("2 of the 2 rows to restore were not found by their primary key"), "\(error)")
        }
        #expect(try await fixture.checksum() == before)

        try await fixture.server.psql("CREATE TABLE nokey (id int, v text); INSERT INTO nokey VALUES (1, 'a')")
        let writer = try fixture.begin(.updatePreImages, statement: "UPDATE nokey SET v = 'b'")
        let table = try writer.addTable(schema: nil, name: "nokey", columns: [.init(name: "id", typeOID: 23), .init(name: "v", typeOID: 25)], definition: nil)
        try writer.append(row: [Array("1".utf8), Array("a".utf8)], table: table)
        let keyless = try writer.commit()
        do {
            _ = try await JournalRestore.undo(keyless, journal: fixture.journal, over: connection, dryRun: false)
            Issue.record("restored a table without a key")
        } catch {
            let path = fixture.journal.dataPath(of: keyless, table: 0)
            #expect("\(error)".contains("table nokey: the table has no primary key") && "\(error)".contains("zcat \(path)"), "\(error)")
        }
    }

    // MARK: Verify

    @Test func verifyRestoresIntoAScratchSchemaAndCatchesADamagedFile() async throws {
        let fixture = try await Fixture()
        try await fixture.makeTable()
        let connection = try await fixture.connect()
        defer { connection.close() }
        let writer = try fixture.begin(.dropSnapshot, statement: "DROP TABLE t CASCADE")
        try await TableSnapshot.capture(tables: [(schema: "public", name: "t")], over: connection, into: writer)
        let snapshot = try writer.commit()
        let preImages = try await fixture.capturePreImages(kind: .updatePreImages, where: "true", statement: "UPDATE t SET note = 'x'")

        for entry in [snapshot, preImages] {
            let report = await JournalRestore.verify(entry, journal: fixture.journal, over: connection)
            #expect(report.ok, "\(report.problems)")
            #expect(report.tables.first?.restored == 4)
        }
        #expect(try await fixture.server.psql("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'airlock_verify_%'") == "0", "nothing is left behind")

        // One byte changed in the data file: verify says so, and undo refuses it.
        let path = fixture.journal.dataPath(of: snapshot, table: 0)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count - 12] ^= 0x01
        try data.write(to: URL(fileURLWithPath: path))
        let damaged = await JournalRestore.verify(snapshot, journal: fixture.journal, over: connection)
        #expect(!damaged.ok)
        #expect(damaged.problems.first?.contains("changed or damaged") == true, "\(damaged.problems)")
        try await fixture.server.psql("DROP TABLE t CASCADE")
        await #expect(throws: JournalError.self) { _ = try await JournalRestore.undo(snapshot, journal: fixture.journal, over: connection, dryRun: false) }
        #expect(try await fixture.server.psql("SELECT to_regclass('t') IS NULL") == "t", "the failed undo left nothing")
    }
}
