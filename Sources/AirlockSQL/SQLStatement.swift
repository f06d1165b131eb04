/// What a statement does to a database, ordered by danger so combining classes is `max`.
///
/// `privileged` covers both statements that need or grant privilege (`SET ROLE`, `GRANT`,
/// `COPY … TO PROGRAM`) and statements whose effect cannot be known from their text (`DO`
/// blocks, unknown functions, `CALL`). It ranks below `destructive` so a known destruction is
/// reported as such; `unparseable` ranks above everything: text the parser cannot read fails
/// closed.
public enum SQLClass: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case read, session, write, ddl, privileged, destructive, unparseable

    var rank: Int {
        switch self {
        case .read: 0
        case .session: 1
        case .write: 2
        case .ddl: 3
        case .privileged: 4
        case .destructive: 5
        case .unparseable: 6
        }
    }

    public static func < (lhs: SQLClass, rhs: SQLClass) -> Bool { lhs.rank < rhs.rank }
}

/// A property of a statement that a policy may care about beyond its class.
public enum SQLFlag: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    /// UPDATE or DELETE without a WHERE clause: every row.
    case noWhere = "no_where"
    /// A WHERE clause that is constantly true (`WHERE true`, `1=1`, `1<>0`, `id = id`).
    case tautologicalWhere = "tautological_where"
    /// A data-modifying statement inside a WITH clause.
    case writableCTE = "writable_cte"
    /// DROP or TRUNCATE … CASCADE: more goes than was named.
    case cascade
    /// `SELECT … INTO new_table`.
    case selectInto = "select_into"
    /// `EXPLAIN ANALYZE`: the explained statement really runs.
    case explainAnalyze = "explain_analyze"
    /// Renames a table, column or other object: running code that uses the old name breaks.
    case rename
    /// `SELECT … FOR UPDATE/SHARE`: takes row locks.
    case locking
    /// `COPY … TO/FROM PROGRAM` or a server-side file: runs a program or touches the server's disk.
    case serverSideCopy = "server_side_copy"
    /// Defines code that runs later (a rule's actions, a function body, a trigger): its harm is
    /// deferred to statements that will not show it.
    case deferred
    /// `EXECUTE` of a statement prepared elsewhere: its class is not known here.
    case unknownPrepared = "unknown_prepared"

    public static func < (lhs: SQLFlag, rhs: SQLFlag) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where a statement failed to parse, relative to the statement's own text.
public struct SQLParseError: Sendable, Hashable, Error {
    public var message: String
    /// 1-based character offset in the statement's text; 0 when unknown.
    public var position: Int

    public init(message: String, position: Int) {
        self.message = message
        self.position = position
    }
}

/// One statement and everything Airlock concluded about it: what kind of command it is, what
/// it does, which tables and functions it touches, and why.
public struct SQLStatement: Sendable, Hashable {
    /// 0-based position in the text it was split from.
    public var index: Int
    /// The statement as written, trimmed of surrounding whitespace and the final `;`.
    public var text: String
    /// The command tag, as PostgreSQL reports it (`SELECT`, `DELETE`, `DROP TABLE`,
    /// `ALTER TABLE`); empty when the text did not parse.
    public var kind: String
    public var sqlClass: SQLClass
    /// Tables and other relations touched, lower-cased unless quoted, schema-qualified when
    /// written so (`public.users`), sorted, without CTE names.
    public var tables: [String]
    public var flags: Set<SQLFlag>
    /// Functions called, as written (`pg_catalog.now`), lower-cased, sorted.
    public var functions: [String]
    /// Why the statement has its class, in words.
    public var reason: String
    /// Set when the class is `unparseable`.
    public var error: SQLParseError?

    public init(
        index: Int,
        text: String,
        kind: String,
        sqlClass: SQLClass,
        tables: [String] = [],
        flags: Set<SQLFlag> = [],
        functions: [String] = [],
        reason: String,
        error: SQLParseError? = nil
    ) {
        self.index = index
        self.text = text
        self.kind = kind
        self.sqlClass = sqlClass
        self.tables = tables
        self.flags = flags
        self.functions = functions
        self.reason = reason
        self.error = error
    }

    /// Flags in a stable order, for output.
    public var sortedFlags: [SQLFlag] { flags.sorted() }
}

/// The SQL dialects Airlock reads. PostgreSQL goes through its real parser; the others through
/// conservative lexers that can only err towards danger.
public enum SQLDialect: String, Sendable, Hashable, CaseIterable, Codable {
    case postgres, mysql, sqlite
}
