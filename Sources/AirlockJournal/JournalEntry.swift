/// One undo record: what an approved statement was about to change or remove, written before it
/// ran. Update and delete entries hold the affected rows' pre-images; drop and truncate entries
/// hold a snapshot of each table (its definition and every row).
///
/// Stored as `manifest.json` beside the data files in `$AIRLOCK_HOME/journal/<id>/`. The rows
/// themselves are in the data files (gzip'd COPY text), never in the manifest, so an entry for
/// a large table is as cheap to list as one for a single row.
public struct JournalEntry: Codable, Sendable, Equatable {
    /// What the protected statement does, and so how `airlock undo` puts things back.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Rows an UPDATE changes, as they were: undo writes them back by primary key.
        case updatePreImages = "update"
        /// Rows a DELETE removes: undo inserts them again.
        case deletePreImages = "delete"
        /// A table DROP TABLE removes: undo recreates it and loads its rows.
        case dropSnapshot = "drop"
        /// A table TRUNCATE empties: undo loads its rows into the (still existing) table.
        case truncateSnapshot = "truncate"

        /// Whether the entry holds whole tables rather than some rows.
        public var isSnapshot: Bool { self == .dropSnapshot || self == .truncateSnapshot }
    }

    /// A column as the data files carry it: its name, and its type as the server named it
    /// (`pg_type` OID and type modifier, as a RowDescription reports them), so a restore can
    /// create a table to load the rows into with `format_type(oid, typmod)`.
    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var typeOID: UInt32
        public var typeModifier: Int32

        public init(name: String, typeOID: UInt32, typeModifier: Int32 = -1) {
            self.name = name
            self.typeOID = typeOID
            self.typeModifier = typeModifier
        }

        enum CodingKeys: String, CodingKey {
            case name
            case typeOID = "type_oid"
            case typeModifier = "type_modifier"
        }
    }

    /// One table's share of an entry: where it lives, its columns, and the data file.
    public struct Table: Codable, Sendable, Equatable {
        /// nil: resolved by the restoring connection's search_path.
        public var schema: String?
        public var name: String
        /// The columns of every data line, in order.
        public var columns: [Column]
        /// Snapshots: the statements that recreate the table before its rows are loaded
        /// (sequences, CREATE TABLE with defaults, NOT NULL and CHECK constraints). Written
        /// relative to `schema`: a restore runs them with `search_path` set to the schema it
        /// restores into, which is how `journal verify` recreates the table in a scratch schema.
        public var definition: [String]?
        /// Snapshots: statements run after the rows are loaded (primary key, unique and
        /// exclusion constraints, indexes, foreign keys from the table, sequence positions):
        /// building indexes once over loaded rows is much faster than maintaining them per row.
        public var afterData: [String]?
        /// Snapshots: foreign keys of other tables that point at this one (DROP TABLE … CASCADE
        /// removes them), each re-added by a drop's undo only where it is missing.
        public var referencedBy: [String]?
        /// Snapshots: what hands the recreated table back to its owner, run after everything
        /// else (once it is handed over, the restoring role may no longer grant on it or add
        /// foreign keys that reference it).
        public var ownership: [String]?
        /// The session settings the text values were written under (client_encoding,
        /// DateStyle, IntervalStyle, TimeZone, extra_float_digits): a restore sets the same, so
        /// `21/11/2026` is read back as the date it was. nil or empty: the server's defaults.
        public var settings: [String: String]?
        /// Data lines in the data file.
        public var rows: Int
        /// The data file, relative to the entry's directory: gzip of COPY text-format lines.
        public var dataFile: String
        /// Hex SHA-256 of the data file as written (compressed).
        public var dataSHA256: String
        /// The data file's size in bytes (compressed).
        public var dataBytes: Int

        public init(
            schema: String?, name: String, columns: [Column], definition: [String]? = nil, afterData: [String]? = nil, referencedBy: [String]? = nil,
            ownership: [String]? = nil, settings: [String: String]? = nil, rows: Int = 0, dataFile: String, dataSHA256: String = "", dataBytes: Int = 0
        ) {
            self.schema = schema
            self.name = name
            self.columns = columns
            self.definition = definition
            self.afterData = afterData
            self.referencedBy = referencedBy
            self.ownership = ownership
            self.settings = settings
            self.rows = rows
            self.dataFile = dataFile
            self.dataSHA256 = dataSHA256
            self.dataBytes = dataBytes
        }

        /// `schema.name` as people read it (`name` alone without a schema).
        public var displayName: String { schema.map { "\($0).\(name)" } ?? name }

        enum CodingKeys: String, CodingKey {
            case schema, name, columns, definition, ownership, settings, rows
            case afterData = "after_data"
            case referencedBy = "referenced_by"
            case dataFile = "data_file"
            case dataSHA256 = "data_sha256"
            case dataBytes = "data_bytes"
        }
    }

    /// Unique and sortable by time (`Journal.newID()`); the entry's directory name.
    public var id: String
    public var kind: Kind
    /// RFC 3339, UTC, milliseconds: when the entry was begun.
    public var created: String
    /// The upstream's name in `upstreams.yaml`, its database and policy environment.
    public var upstream: String
    public var database: String
    public var environment: String
    /// The statement the entry protects, as the agent sent it.
    public var statement: String
    public var agent: String
    public var session: String
    public var tables: [Table]

    public init(
        id: String, kind: Kind, created: String, upstream: String, database: String, environment: String, statement: String, agent: String,
        session: String, tables: [Table] = []
    ) {
        self.id = id
        self.kind = kind
        self.created = created
        self.upstream = upstream
        self.database = database
        self.environment = environment
        self.statement = statement
        self.agent = agent
        self.session = session
        self.tables = tables
    }

    /// Rows in all tables.
    public var totalRows: Int { tables.reduce(0) { $0 + $1.rows } }
    /// Compressed bytes in all data files.
    public var totalBytes: Int { tables.reduce(0) { $0 + $1.dataBytes } }
}

/// A journal problem, naming the entry or file and what to do.
public struct JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
