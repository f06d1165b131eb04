import AirlockJournal
import AirlockPostgresWire
import NIOCore

/// Before an approved DROP TABLE or TRUNCATE: each table's definition, read from the catalogs,
/// and every row, streamed with `COPY … TO STDOUT` into a journal entry — all in one
/// `REPEATABLE READ READ ONLY` transaction on Airlock's own connection, so the definition and
/// the rows are one consistent picture.
///
/// Recreated by a drop's undo: columns with their types, collations, defaults, NOT NULL,
/// identity and generated columns; CHECK, PRIMARY KEY, UNIQUE, EXCLUDE and FOREIGN KEY
/// constraints; indexes; owned sequences (serial) with their position; UNLOGGED; foreign keys
/// of other tables that pointed at it. Not recreated: triggers, row-level security policies,
/// grants and ownership, comments, statistics targets, storage parameters, views or rules
/// that depended on the table (DROP … CASCADE drops those too). Partitioned tables,
/// partitions and tables with inheritance parents or children are refused (`unsupported`):
/// their restore would need the whole hierarchy.
public enum TableSnapshot {
    /// Snapshots `tables` into `writer` (which the caller commits or abandons). A table that
    /// does not exist is skipped (DROP TABLE IF EXISTS). A table without a schema is resolved
    /// with the connection's search_path (the role's default, not an agent session's: pass
    /// the schema when it is known).
    public static func capture(tables: [(schema: String?, name: String)], over connection: UpstreamConnection, into writer: JournalEntryWriter) async throws {
        // Its own transaction: inside a caller's, COMMIT would end the caller's too.
        guard connection.transactionStatus == "I" else {
            throw UpstreamError("upstream '\(connection.upstream.name)': a snapshot needs a connection outside any transaction (this one is inside one)")
        }
        try await connection.simpleQuery("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let settings = try await sessionSettings(connection)
            var seen: Set<UInt32> = []
            for table in tables {
                guard let relation = try await resolve(table, over: connection), seen.insert(relation.oid).inserted else { continue }
                try await capture(relation, settings: settings, over: connection, into: writer)
            }
            try await connection.simpleQuery("COMMIT")
        } catch {
            if !connection.isClosed { _ = try? await connection.simpleQuery("ROLLBACK") }
            throw error
        }
    }

    /// The settings the COPY text is written under, recorded with each table so a restore
    /// reads values back the same way.
    static func sessionSettings(_ connection: UpstreamConnection) async throws -> [String: String] {
        let names = RestoreSettings.names
        let rows = try await connection.simpleQuery("SELECT " + names.map { "pg_catalog.current_setting('\($0)')" }.joined(separator: ", "))
        guard let row = rows.first, row.count == names.count else { throw UpstreamError("upstream '\(connection.upstream.name)': cannot read the session's settings") }
        var settings: [String: String] = [:]
        for (name, value) in zip(names, row) { settings[name] = value }
        return settings
    }

    struct Relation {
        var oid: UInt32
        var schema: String
        var name: String
        var unlogged: Bool
    }

    static func resolve(_ table: (schema: String?, name: String), over connection: UpstreamConnection) async throws -> Relation? {
        let name = try SQLQuoting.literal(SQLQuoting.qualified(table.schema, table.name))
        let rows = try await connection.simpleQuery(
            """
            SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.relispartition,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid),
                   EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = pg_catalog.to_regclass(\(name))
            """)
        guard let row = rows.first else { return nil }
        guard let oidText = row[0], let oid = UInt32(oidText), let schema = row[1], let relname = row[2] else {
            throw UpstreamError("upstream '\(connection.upstream.name)': an unexpected catalog row for \(table.name)")
        }
        let display = "\(schema).\(relname)"
        switch row[3] {
        case "r": break
        case "p": throw unsupported(display, "it is partitioned")
        default: throw unsupported(display, "it is not a table (relkind \(row[3] ?? "?"))")
        }
        if row[4] == "t" { throw unsupported(display, "it is a temporary table of another session") }
        if row[5] == "t" { throw unsupported(display, "it is a partition") }
        if row[6] == "t" { throw unsupported(display, "other tables inherit from it") }
        if row[7] == "t" { throw unsupported(display, "it inherits from another table") }
        return Relation(oid: oid, schema: schema, name: relname, unlogged: row[4] == "u")
    }

    static func unsupported(_ table: String, _ why: String) -> UpstreamError {
        UpstreamError("cannot snapshot \(table) for undo: \(why), and Airlock snapshots plain tables only; back it up another way (pg_dump -t) before running this statement")
    }

    /// One table: its definition (with search_path set to its own schema, so names in it are
    /// written relative to the schema and restore wherever search_path points), then its rows.
    static func capture(_ relation: Relation, settings: [String: String], over connection: UpstreamConnection, into writer: JournalEntryWriter) async throws {
        try await connection.simpleQuery("SELECT pg_catalog.set_config('search_path', \(try SQLQuoting.literal(SQLQuoting.identifier(relation.schema))), true)")
        let definition = try await TableDefinition.read(relation, over: connection)
        let table = try writer.addTable(
            schema: relation.schema, name: relation.name, columns: definition.columns, definition: definition.beforeData, afterData: definition.afterData,
            referencedBy: definition.referencedBy, ownership: definition.ownership.isEmpty ? nil : definition.ownership, settings: settings)
        let columns = SQLQuoting.list(definition.columns.map(\.name))
        try await connection.copyOut("COPY \(SQLQuoting.qualified(relation.schema, relation.name)) (\(columns)) TO STDOUT") { buffer in
            try writer.append(copyData: buffer.readableBytesView, table: table)
        }
    }
}

/// The session settings that change how values are written as text, and so must be the same
/// when they are read back.
enum RestoreSettings {
    static let names = ["client_encoding", "DateStyle", "IntervalStyle", "TimeZone", "extra_float_digits"]

    /// `set_config(…, true)` for each recorded setting Airlock knows (others are refused: a
    /// manifest does not get to change arbitrary settings).
    static func statement(_ settings: [String: String]?) throws -> String? {
        guard let settings, !settings.isEmpty else { return nil }
        var calls: [String] = []
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            guard let known = names.first(where: { $0.lowercased() == name.lowercased() }) else {
                throw JournalError("the entry records setting '\(name)', which undo does not apply (known: \(names.joined(separator: ", ")))")
            }
            calls.append("pg_catalog.set_config(\(try SQLQuoting.literal(known)), \(try SQLQuoting.literal(value)), true)")
        }
        return "SELECT " + calls.joined(separator: ", ")
    }
}
