import AirlockJournal

/// The SQL that restores one table of a journal entry: a pure function of the entry and of what
/// the catalogs say about the target table now (`TargetFacts`). `JournalRestore` runs it:
/// `before`, then the data file into `copy`, then `apply` (whose row count must equal
/// `expectedCount`'s answer, or the copied rows), then `after`.
struct RestorePlan: Equatable {
    var before: [String] = []
    /// `COPY … FROM STDIN` the data file is streamed into.
    var copy: String
    /// One number: the rows `apply` must reach (nil: as many as were copied).
    var expectedCount: String?
    /// Moves the copied rows into place; its command tag counts them (or, with
    /// `applyCountsInRow`, its one row does).
    var apply: String?
    var applyCountsInRow = false
    var after: [String] = []

    /// Why a table cannot be restored, in words that say what to do.
    struct Refusal: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// `force` loads a truncated table's rows even into a table that has rows again.
    static func undo(
        _ kind: JournalEntry.Kind, table: JournalEntry.Table, facts: TargetFacts, dataPath: String, temporary: String, force: Bool = false
    ) throws -> RestorePlan {
        let target = SQLQuoting.qualified(table.schema, table.name)
        let columns = table.columns.map(\.name)
        let settings = try RestoreSettings.statement(table.settings).map { [$0] } ?? []
        let manual = "The rows as they were are in \(dataPath) (COPY text: zcat \(dataPath))."
        switch kind {
        case .deletePreImages, .updatePreImages:
            guard facts.exists else {
                throw Refusal(message: "the table does not exist now (dropped or renamed since?); if a later DROP has a journal entry, undo that first. \(manual)")
            }
            let scratch = SQLQuoting.identifier(temporary)
            var plan = RestorePlan(copy: "COPY \(scratch) (\(SQLQuoting.list(columns))) FROM STDIN")
            // The pre-images land in a temporary table shaped like the target's columns now,
            // and move from there: generated columns are left to be computed, identity
            // columns keep their recorded values.
            plan.before = settings + ["CREATE TEMPORARY TABLE \(scratch) ON COMMIT DROP AS SELECT \(SQLQuoting.list(columns)) FROM \(target) WITH NO DATA"]
            let writable = columns.filter { !facts.generated.contains($0) }
            if kind == .deletePreImages {
                plan.apply = "INSERT INTO \(target) (\(SQLQuoting.list(writable))) OVERRIDING SYSTEM VALUE SELECT \(SQLQuoting.list(writable)) FROM \(scratch)"
                return plan
            }
            guard !facts.primaryKey.isEmpty else {
                throw Refusal(message: "the table has no primary key, so Airlock cannot tell which rows to put the old values back into. \(manual)")
            }
            if let missing = facts.primaryKey.first(where: { !columns.contains($0) }) {
                throw Refusal(message: "the pre-images lack key column \(missing), so they cannot be matched to rows. \(manual)")
            }
            let key = SQLQuoting.list(facts.primaryKey)
            let match = facts.primaryKey.map { "airlock_t.\(SQLQuoting.identifier($0)) = airlock_p.\(SQLQuoting.identifier($0))" }.joined(separator: " AND ")
            let preImages = "(SELECT DISTINCT ON (\(key)) * FROM \(scratch)) AS airlock_p"
            plan.expectedCount = "SELECT count(*) FROM (SELECT DISTINCT \(key) FROM \(scratch)) AS airlock_d"
            let settable = writable.filter { !facts.primaryKey.contains($0) }
            if settable.isEmpty {
                // Nothing but the key: the rows only have to be there.
                plan.apply = "SELECT count(*) FROM \(target) AS airlock_t JOIN \(preImages) ON \(match)"
                plan.applyCountsInRow = true
            } else {
                let assignments = settable.map { "\(SQLQuoting.identifier($0)) = airlock_p.\(SQLQuoting.identifier($0))" }.joined(separator: ", ")
                plan.apply = "UPDATE \(target) AS airlock_t SET \(assignments) FROM \(preImages) WHERE \(match)"
            }
            return plan

        case .truncateSnapshot:
            guard facts.exists else {
                throw Refusal(message: "the table does not exist now (dropped since?); if the DROP has a journal entry, undo that first. \(manual)")
            }
            // Rows there again: loading the saved ones as well could double them (or the
            // TRUNCATE never ran). A person decides.
            if facts.hasRows && !force {
                throw Refusal(message: "the table has rows again (added since the TRUNCATE, or the TRUNCATE did not run); loading the saved rows too could duplicate them. Check it, then undo with --force to load them anyway. \(manual)")
            }
            var plan = RestorePlan(copy: "COPY \(target) (\(SQLQuoting.list(columns))) FROM STDIN")
            plan.before = settings
            // TRUNCATE … RESTART IDENTITY rewinds the table's sequences: move each past the
            // largest value restored, never back.
            for (column, sequence) in facts.sequences {
                let sequenceLiteral = try SQLQuoting.literal(sequence)
                plan.after.append(
                    "SELECT pg_catalog.setval(\(sequenceLiteral), airlock_m) FROM (SELECT max(\(SQLQuoting.identifier(column)))::bigint AS airlock_m FROM \(target)) AS airlock_x "
                        + "WHERE airlock_m IS NOT NULL AND airlock_m > (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM \(sequence))")
            }
            return plan

        case .dropSnapshot:
            guard !facts.exists else {
                throw Refusal(message: "a table of that name exists again; undoing the DROP recreates it, so rename or drop the one there now (after saving what it holds), then undo again. \(manual)")
            }
            guard let definition = table.definition, !definition.isEmpty else {
                throw Refusal(message: "the entry holds no definition to recreate the table from. \(manual)")
            }
            var plan = RestorePlan(copy: "COPY \(target) (\(SQLQuoting.list(columns))) FROM STDIN")
            if let schema = table.schema {
                plan.before.append("SELECT pg_catalog.set_config('search_path', \(try SQLQuoting.literal(SQLQuoting.identifier(schema))), true)")
            }
            plan.before += definition + settings
            plan.after = (table.afterData ?? []) + (table.referencedBy ?? []) + (table.ownership ?? [])
            return plan
        }
    }

    /// The report's word for what an undo does to a table.
    static func action(_ kind: JournalEntry.Kind) -> String {
        switch kind {
        case .deletePreImages: "inserted"
        case .updatePreImages: "updated"
        case .truncateSnapshot: "loaded"
        case .dropSnapshot: "recreated"
        }
    }

    static func mismatch(_ kind: JournalEntry.Kind, table: JournalEntry.Table, found: Int, expected: Int) -> String {
        switch kind {
        case .updatePreImages:
            "\(expected - found) of the \(expected) rows to restore were not found by their primary key (deleted since, or the UPDATE changed key columns); nothing was restored"
        default:
            "\(found) rows were written where \(expected) were expected; nothing was restored"
        }
    }

    /// A foreign key as `TableDefinition` writes them (`ALTER TABLE ONLY … ADD CONSTRAINT …
    /// FOREIGN KEY (…`).
    static func isForeignKey(_ statement: String) -> Bool {
        statement.hasPrefix("ALTER TABLE ONLY ") && statement.contains(" FOREIGN KEY (")
    }
}

/// What the catalogs say now about a table an entry restores into.
struct TargetFacts: Equatable {
    var exists = false
    /// Whether the table has any row now.
    var hasRows = false
    var generated: Set<String> = []
    /// The primary key's columns, in key order.
    var primaryKey: [String] = []
    /// Columns with a sequence of their own (serial, identity): column and sequence name as
    /// `pg_get_serial_sequence` gives it (quoted where needed).
    var sequences: [(column: String, sequence: String)] = []

    static func == (lhs: TargetFacts, rhs: TargetFacts) -> Bool {
        lhs.exists == rhs.exists && lhs.hasRows == rhs.hasRows && lhs.generated == rhs.generated && lhs.primaryKey == rhs.primaryKey
            && lhs.sequences.map(\.column) == rhs.sequences.map(\.column) && lhs.sequences.map(\.sequence) == rhs.sequences.map(\.sequence)
    }

    static func read(_ table: JournalEntry.Table, over connection: UpstreamConnection) async throws -> TargetFacts {
        let qualified = SQLQuoting.qualified(table.schema, table.name)
        let literal = try SQLQuoting.literal(qualified)
        let found = try await connection.simpleQuery("SELECT pg_catalog.to_regclass(\(literal))::pg_catalog.oid")
        guard let oidText = found.first?.first ?? nil, let oid = UInt32(oidText) else { return TargetFacts() }
        var facts = TargetFacts(exists: true)
        facts.hasRows = try await connection.simpleQuery("SELECT EXISTS (SELECT 1 FROM \(qualified))").first?.first == "t"
        let columns = try await connection.simpleQuery(
            """
            SELECT a.attname, a.attgenerated <> '', pg_catalog.pg_get_serial_sequence(\(literal), a.attname)
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = \(oid) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """)
        for row in columns {
            guard let name = row[0] else { continue }
            if row[1] == "t" { facts.generated.insert(name) }
            if let sequence = row[2] { facts.sequences.append((name, sequence)) }
        }
        facts.primaryKey = try await connection.simpleQuery(
            """
            SELECT a.attname FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = \(oid) AND i.indisprimary
            ORDER BY pg_catalog.array_position(i.indkey::pg_catalog.int2[], a.attnum)
            """
        ).compactMap { $0.first ?? nil }
        return facts
    }
}
