import AirlockJournal
import AirlockPostgresWire
import Foundation

/// Puts a journal entry back (`airlock undo`) or proves it could be (`airlock journal
/// verify`), over Airlock's own connection to the entry's upstream.
///
/// An undo runs in one transaction: every table of the entry is restored, or none is (a dry
/// run always rolls back, after doing everything else, so what it reports is what a real undo
/// would do). The SQL it runs is written by `RestorePlan`, a pure function of the entry and
/// of what the catalogs say about the target tables now.
public enum JournalRestore {
    /// Restores `entry`. Refuses an entry already restored (its `restored.json`) unless
    /// `force`; records the restoration after a real undo commits. `progress` is called as
    /// compressed data is sent.
    public static func undo(
        _ entry: JournalEntry, journal: Journal, over connection: UpstreamConnection, dryRun: Bool, force: Bool = false, auditIndex: UInt64? = nil,
        user: String = "", progress: (RestoreProgress) -> Void = { _ in }
    ) async throws -> RestoreReport {
        try checkTarget(entry, connection)
        try checkIdle(connection)
        let previous = try journal.restoration(of: entry.id)
        if let previous, !dryRun, !force {
            throw JournalError(
                "journal entry \(entry.id) was already restored at \(previous.restored) by \(previous.user)"
                    + (previous.auditIndex.map { " (undo of audit record \($0))" } ?? "")
                    + "; restoring it again would write its rows twice. Check the table first; use --force if you are sure")
        }
        var report = RestoreReport(entry: entry.id, kind: entry.kind, dryRun: dryRun, alreadyRestored: previous)
        let total = entry.totalBytes
        var done = 0
        try await connection.simpleQuery("BEGIN ISOLATION LEVEL READ COMMITTED")
        do {
            for index in entry.tables.indices {
                let table = entry.tables[index]
                let rows = try await explained(entry, table) {
                    try await restore(entry, table: index, journal: journal, over: connection, force: force) { sent in
                        progress(RestoreProgress(bytesDone: done + sent, bytesTotal: total, table: table.displayName))
                    }
                }
                done += table.dataBytes
                progress(RestoreProgress(bytesDone: done, bytesTotal: total, table: table.displayName))
                report.tables.append(RestoreReport.Table(name: table.displayName, action: RestorePlan.action(entry.kind), rows: rows))
            }
            try await connection.simpleQuery(dryRun ? "ROLLBACK" : "COMMIT")
        } catch {
            if !connection.isClosed { _ = try? await connection.simpleQuery("ROLLBACK") }
            throw JournalError("undo of journal entry \(entry.id) failed and changed nothing (rolled back): \(error)")
        }
        if !dryRun {
            let restoration = JournalRestoration(restored: Journal.timestamp(), auditIndex: auditIndex, user: user, rows: report.rows, forced: previous != nil)
            do { try journal.markRestored(entry.id, restoration) } catch {
                throw JournalError("journal entry \(entry.id) WAS restored (committed), but recording that failed: \(error). Do not undo it again")
            }
        }
        return report
    }

    /// Checks an entry restores: its data files match the manifest, and each table restores
    /// into a scratch schema (`airlock_verify_…`) with the manifest's row count. Everything runs
    /// in a transaction that is rolled back, so nothing is left behind. Problems are reported,
    /// not thrown.
    public static func verify(_ entry: JournalEntry, journal: Journal, over connection: UpstreamConnection) async -> VerifyReport {
        var report = VerifyReport(entry: entry.id, kind: entry.kind)
        report.problems = journal.checkData(of: entry)
        guard report.problems.isEmpty else { return report }
        do { try checkIdle(connection) } catch {
            report.problems.append("\(error)")
            return report
        }
        do {
            try await connection.simpleQuery("BEGIN ISOLATION LEVEL READ COMMITTED")
            for index in entry.tables.indices {
                let table = entry.tables[index]
                do {
                    let rows = try await verifyTable(entry, table: index, journal: journal, over: connection)
                    report.tables.append(VerifyReport.Table(name: table.displayName, rows: table.rows, restored: rows))
                    if rows != table.rows { report.problems.append("\(table.displayName): \(rows) rows restored where the manifest says \(table.rows)") }
                } catch {
                    report.tables.append(VerifyReport.Table(name: table.displayName, rows: table.rows, restored: nil))
                    report.problems.append("\(table.displayName): \(error)")
                    break  // the transaction is aborted: later tables cannot be tried in it
                }
            }
        } catch {
            report.problems.append("\(error)")
        }
        if !connection.isClosed { _ = try? await connection.simpleQuery("ROLLBACK") }
        return report
    }

    // MARK: Undo, per table

    static func checkTarget(_ entry: JournalEntry, _ connection: UpstreamConnection) throws {
        guard entry.upstream == connection.upstream.name, entry.database == connection.upstream.database else {
            throw JournalError(
                "journal entry \(entry.id) was taken on upstream '\(entry.upstream)' (database \(entry.database)); this connection is to '\(connection.upstream.name)' (database \(connection.upstream.database))")
        }
    }

    /// Undo and verify run their own transaction: on a connection inside someone else's, their
    /// COMMIT or ROLLBACK would end that one too.
    static func checkIdle(_ connection: UpstreamConnection) throws {
        guard connection.transactionStatus == "I" else {
            throw JournalError("the connection to upstream '\(connection.upstream.name)' is inside a transaction; undo and verify need one of their own")
        }
    }

    /// Wraps a table's failure with the table, the data file, and what to do next.
    static func explained<T>(_ entry: JournalEntry, _ table: JournalEntry.Table, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as UpstreamQueryError where error.code == "23505" {
            throw JournalError(
                "table \(table.displayName): \(error). A row with the same key exists again (inserted since the statement ran?): delete or change it, then undo again")
        } catch let error as RestorePlan.Refusal {
            throw JournalError("table \(table.displayName): \(error.message)")
        } catch {
            throw JournalError("table \(table.displayName): \(error)")
        }
    }

    static func restore(
        _ entry: JournalEntry, table index: Int, journal: Journal, over connection: UpstreamConnection, force: Bool, progress: (Int) -> Void
    ) async throws -> Int {
        let table = entry.tables[index]
        let facts = try await TargetFacts.read(table, over: connection)
        let plan = try RestorePlan.undo(
            entry.kind, table: table, facts: facts, dataPath: journal.dataPath(of: entry, table: index), temporary: "airlock_undo_\(index)", force: force)
        for statement in plan.before { try await connection.simpleQuery(statement) }
        let copied = try await copy(entry, table: index, journal: journal, sql: plan.copy, over: connection, progress: progress)
        guard copied == table.rows else {
            throw JournalError("\(copied) rows were read from \(journal.dataPath(of: entry, table: index)) where the manifest says \(table.rows)")
        }
        var rows = copied
        if let apply = plan.apply {
            var expected = copied
            if let count = plan.expectedCount { expected = try await number(count, over: connection) }
            if plan.applyCountsInRow {
                rows = try await number(apply, over: connection)
            } else {
                rows = try await connection.query(apply).rowsAffected ?? 0
            }
            if rows != expected {
                throw RestorePlan.Refusal(message: RestorePlan.mismatch(entry.kind, table: table, found: rows, expected: expected))
            }
        }
        for statement in plan.after { try await connection.simpleQuery(statement) }
        return rows
    }

    /// The one number a query answers.
    static func number(_ sql: String, over connection: UpstreamConnection) async throws -> Int {
        let rows = try await connection.simpleQuery(sql)
        guard let text = rows.first?.first ?? nil, let value = Int(text) else { throw JournalError("expected a number from: \(sql)") }
        return value
    }

    /// Streams a data file into `COPY … FROM STDIN`; the reader checks the file's digest before
    /// reporting its end, so a damaged file fails the COPY instead of committing part of it.
    static func copy(
        _ entry: JournalEntry, table index: Int, journal: Journal, sql: String, over connection: UpstreamConnection, progress: (Int) -> Void
    ) async throws -> Int {
        let reader = try journal.rows(of: entry, table: index)
        defer { reader.close() }
        return try await connection.copyIn(sql, from: { try reader.next() }, progress: { _ in progress(reader.compressedBytesRead) })
    }

    // MARK: Verify, per table

    static func verifyTable(_ entry: JournalEntry, table index: Int, journal: Journal, over connection: UpstreamConnection) async throws -> Int {
        let table = entry.tables[index]
        let scratch = "airlock_verify_" + String(UInt64.random(in: 0...UInt64.max), radix: 16) + "_\(index)"
        try await connection.simpleQuery("CREATE SCHEMA \(SQLQuoting.identifier(scratch))")
        var statements: [String] = []
        if let definition = table.definition {
            // The table's own objects are created in the scratch schema (first on the path);
            // names of the original schema's other objects still resolve (second).
            var path = SQLQuoting.identifier(scratch)
            if let schema = table.schema { path += ", " + SQLQuoting.identifier(schema) }
            statements.append("SELECT pg_catalog.set_config('search_path', \(try SQLQuoting.literal(path)), true)")
            statements += definition
        } else {
            // Types named with the scratch schema alone on the path, so format_type qualifies
            // every one that lives elsewhere.
            try await connection.simpleQuery("SELECT pg_catalog.set_config('search_path', \(try SQLQuoting.literal(SQLQuoting.identifier(scratch))), true)")
            let types = try await columnTypes(table.columns, over: connection)
            let columns = zip(table.columns, types).map { "\(SQLQuoting.identifier($0.name)) \($1)" }
            statements.append("CREATE TABLE \(SQLQuoting.identifier(table.name)) (\(columns.joined(separator: ", ")))")
        }
        if let settings = try RestoreSettings.statement(table.settings) { statements.append(settings) }
        for statement in statements { try await connection.simpleQuery(statement) }
        let target = SQLQuoting.qualified(scratch, table.name)
        let rows = try await copy(entry, table: index, journal: journal, sql: "COPY \(target) (\(SQLQuoting.list(table.columns.map(\.name)))) FROM STDIN", over: connection) { _ in }
        // Keys, indexes and positions prove the rows fit them; foreign keys to other tables
        // are left out: checking them would lock those production tables.
        for statement in table.afterData ?? [] where !RestorePlan.isForeignKey(statement) {
            try await connection.simpleQuery(statement)
        }
        return rows
    }

    /// `format_type(oid, typmod)` of each column, in order.
    static func columnTypes(_ columns: [JournalEntry.Column], over connection: UpstreamConnection) async throws -> [String] {
        guard !columns.isEmpty else { return [] }
        let oids = columns.map { String($0.typeOID) }.joined(separator: ",")
        let modifiers = columns.map { String($0.typeModifier) }.joined(separator: ",")
        let rows = try await connection.simpleQuery(
            "SELECT pg_catalog.format_type(u.o, u.m) FROM unnest(ARRAY[\(oids)]::pg_catalog.oid[], ARRAY[\(modifiers)]::pg_catalog.int4[]) WITH ORDINALITY AS u(o, m, n) ORDER BY u.n")
        let types = rows.compactMap { $0.first ?? nil }
        guard types.count == columns.count, !types.contains("???") else {
            throw JournalError("the server does not know every column type the entry records (OIDs \(oids)): was a type dropped or is this another server?")
        }
        return types
    }
}

/// What an undo did (or, dry, would do).
public struct RestoreReport: Codable, Sendable, Equatable {
    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        /// `inserted` (delete pre-images), `updated` (update pre-images), `loaded` (truncate),
        /// `recreated` (drop).
        public var action: String
        public var rows: Int
    }

    public var entry: String
    public var kind: JournalEntry.Kind
    public var dryRun: Bool
    /// Set when the entry had been restored before (a forced or dry run).
    public var alreadyRestored: JournalRestoration?
    public var tables: [Table] = []

    public var rows: Int { tables.reduce(0) { $0 + $1.rows } }

    enum CodingKeys: String, CodingKey {
        case entry, kind, tables
        case dryRun = "dry_run"
        case alreadyRestored = "already_restored"
    }
}

/// How far an undo is: compressed bytes of the entry's data files sent so far.
public struct RestoreProgress: Sendable, Equatable {
    public var bytesDone: Int
    public var bytesTotal: Int
    public var table: String
}

/// What `journal verify` found for one entry.
public struct VerifyReport: Codable, Sendable, Equatable {
    public struct Table: Codable, Sendable, Equatable {
        public var name: String
        /// The manifest's count, and how many the scratch restore loaded (nil: it failed).
        public var rows: Int
        public var restored: Int?
    }

    public var entry: String
    public var kind: JournalEntry.Kind
    public var tables: [Table] = []
    public var problems: [String] = []
    public var ok: Bool { problems.isEmpty }

    enum CodingKeys: String, CodingKey {
        case entry, kind, tables, problems
    }
}
