import AirlockJournal
@testable import AirlockPostgresProxy
import Testing

/// The SQL a restore runs, as values: no server needed to see that names are quoted and that
/// each kind of entry is refused where it must be.
@Suite struct RestorePlanTests {
    let columns = [JournalEntry.Column(name: "id", typeOID: 23), JournalEntry.Column(name: "Odd \"Name\"", typeOID: 25), JournalEntry.Column(name: "g", typeOID: 23)]

    func table(schema: String? = "app", definition: [String]? = nil) -> JournalEntry.Table {
        JournalEntry.Table(schema: schema, name: "my\"table", columns: columns, definition: definition, settings: ["DateStyle": "SQL, DMY"], rows: 2, dataFile: "0.copy.gz")
    }

    @Test func quotesEveryNameAndValue() throws {
        #expect(SQLQuoting.identifier("a\"b") == "\"a\"\"b\"")
        // A quote with a combining mark is one Character: still doubled.
        #expect(SQLQuoting.identifier("x\"\u{301}") == "\"x\"\"\u{301}\"")
        #expect(try SQLQuoting.literal("it's") == "'it''s'")
        #expect(throws: UpstreamError.self) { try SQLQuoting.literal("nul\u{0}") }
        #expect(SQLQuoting.dollarQuoted(" SELECT 1 ") == "$airlock$ SELECT 1 $airlock$")
        #expect(SQLQuoting.dollarQuoted("x$airlock$y$airlock1$") == "$airlock2$x$airlock$y$airlock1$$airlock2$", "a tag the body does not hold")
    }

    @Test func deletePreImagesGoThroughATemporaryTableAndSkipGeneratedColumns() throws {
        let facts = TargetFacts(exists: true, generated: ["g"], primaryKey: ["id"])
        let plan = try RestorePlan.undo(.deletePreImages, table: table(), facts: facts, dataPath: "/j/0.copy.gz", temporary: "airlock_undo_0")
        #expect(plan.before == [
            "SELECT pg_catalog.set_config('DateStyle', 'SQL, DMY', true)",
            "CREATE TEMPORARY TABLE \"airlock_undo_0\" ON COMMIT DROP AS SELECT \"id\", \"Odd \"\"Name\"\"\", \"g\" FROM \"app\".\"my\"\"table\" WITH NO DATA",
        ])
        #expect(plan.copy == "COPY \"airlock_undo_0\" (\"id\", \"Odd \"\"Name\"\"\", \"g\") FROM STDIN")
        #expect(plan.apply == "INSERT INTO \"app\".\"my\"\"table\" (\"id\", \"Odd \"\"Name\"\"\") OVERRIDING SYSTEM VALUE SELECT \"id\", \"Odd \"\"Name\"\"\" FROM \"airlock_undo_0\"")
    }

    @Test func updatePreImagesNeedAKeyAndCountWhatTheyFind() throws {
        let plan = try RestorePlan.undo(.updatePreImages, table: table(), facts: TargetFacts(exists: true, primaryKey: ["id"]), dataPath: "/j/0.copy.gz", temporary: "p")
        #expect(plan.expectedCount == "SELECT count(*) FROM (SELECT DISTINCT \"id\" FROM \"p\") AS airlock_d")
        #expect(plan.apply?.hasPrefix("UPDATE \"app\".\"my\"\"table\" AS airlock_t SET \"Odd \"\"Name\"\"\" = airlock_p.\"Odd \"\"Name\"\"\", \"g\" = airlock_p.\"g\" FROM") == true)
        #expect(plan.apply?.hasSuffix("WHERE airlock_t.\"id\" = airlock_p.\"id\"") == true)
        #expect(throws: RestorePlan.Refusal.self) {
            try RestorePlan.undo(.updatePreImages, table: table(), facts: TargetFacts(exists: true), dataPath: "/j/0.copy.gz", temporary: "p")
        }
        #expect(throws: RestorePlan.Refusal.self) {
            try RestorePlan.undo(.updatePreImages, table: table(), facts: TargetFacts(exists: true, primaryKey: ["other"]), dataPath: "/j/0.copy.gz", temporary: "p")
        }
        let keyOnly = JournalEntry.Table(schema: nil, name: "k", columns: [columns[0]], rows: 1, dataFile: "0.copy.gz")
        let counted = try RestorePlan.undo(.updatePreImages, table: keyOnly, facts: TargetFacts(exists: true, primaryKey: ["id"]), dataPath: "/j", temporary: "p")
        #expect(counted.applyCountsInRow)
    }

    @Test func snapshotsNeedTheTableGoneOrThere() throws {
        let definition = ["CREATE TABLE \"my\"\"table\" (id int)"]
        #expect(throws: RestorePlan.Refusal.self) {
            try RestorePlan.undo(.dropSnapshot, table: table(definition: definition), facts: TargetFacts(exists: true), dataPath: "/j", temporary: "p")
        }
        let drop = try RestorePlan.undo(.dropSnapshot, table: table(definition: definition), facts: TargetFacts(), dataPath: "/j", temporary: "p")
        #expect(drop.before.first == "SELECT pg_catalog.set_config('search_path', '\"app\"', true)")
        #expect(drop.before.dropFirst().first == definition[0])
        #expect(throws: RestorePlan.Refusal.self) {
            try RestorePlan.undo(.truncateSnapshot, table: table(definition: definition), facts: TargetFacts(), dataPath: "/j", temporary: "p")
        }
        let truncate = try RestorePlan.undo(
            .truncateSnapshot, table: table(definition: definition), facts: TargetFacts(exists: true, sequences: [("id", "app.t_id_seq")]), dataPath: "/j", temporary: "p")
        #expect(truncate.after.count == 1 && truncate.after[0].contains("setval('app.t_id_seq'"))
    }

    @Test func settingsOutsideTheKnownFewAreRefused() {
        #expect(throws: JournalError.self) { try RestoreSettings.statement(["search_path": "evil"]) }
        #expect(throws: Never.self) { try RestoreSettings.statement(["timezone": "UTC"]) }
    }

    @Test func foreignKeysAreRecognisedForVerifyToSkip() {
        #expect(RestorePlan.isForeignKey("ALTER TABLE ONLY \"t\" ADD CONSTRAINT \"f\" FOREIGN KEY (a) REFERENCES p(id)"))
        #expect(!RestorePlan.isForeignKey("ALTER TABLE ONLY \"t\" ADD CONSTRAINT \"t_pkey\" PRIMARY KEY (id)"))
    }
}
