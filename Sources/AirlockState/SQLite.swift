import CSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few SQLite calls the state store makes, with errors that say what went wrong in words a
/// person can act on. Not thread-safe on its own: `SQLiteStore` serialises access.
final class SQLiteConnection {
    let path: String
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// - Parameter create: make the file (only ever a private temporary, see `SQLiteStore`).
    init(path: String, busyTimeoutMilliseconds: Int32, create: Bool) throws(StateError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0)
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StateError.sqlite(code, message, path: path, doing: "open")
        }
        handle = db
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs SQL without results (DDL, pragmas, BEGIN/COMMIT).
    func execute(_ sql: String) throws(StateError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code, doing: sql) }
    }

    /// Runs a cached statement with bound values, calling `row` for each result row.
    func query(_ sql: String, _ values: [SQLiteValue] = [], row: (SQLiteRow) throws(StateError) -> Void = { _ in }) throws(StateError) {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(statement, index)
            case .integer(let number): code = sqlite3_bind_int64(statement, index, number)
            case .text(let text): code = sqlite3_bind_text(statement, index, text, -1, SQLiteConnection.transient)
            }
            guard code == SQLITE_OK else { throw error(code, doing: sql) }
        }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code, doing: sql) }
            try row(SQLiteRow(statement: statement))
        }
    }

    var changes: Int { Int(sqlite3_changes(handle)) }

    private func prepared(_ sql: String) throws(StateError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code, doing: sql) }
        statements[sql] = statement
        return statement
    }

    private func error(_ code: Int32, doing: String) -> StateError {
        StateError.sqlite(code, String(cString: sqlite3_errmsg(handle)), path: path, doing: doing)
    }

    /// SQLITE_TRANSIENT: SQLite copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case null
    case integer(Int64)
    case text(String)

    static func optional(_ text: String?) -> SQLiteValue { text.map(SQLiteValue.text) ?? .null }
    static func optional(_ number: Int64?) -> SQLiteValue { number.map(SQLiteValue.integer) ?? .null }
}

/// The current row of a running statement; valid only inside the `row` callback.
struct SQLiteRow {
    let statement: OpaquePointer

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func optionalInteger(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }
    func text(_ column: Int32) -> String { optionalText(column) ?? "" }
    func optionalText(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: bytes)
    }
}

/// Why the state store could not answer. Every door turns this into a deny naming the cause.
public struct StateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// The store is held by another process (a lock it waited for and did not get).
    public var isLocked: Bool

    public init(_ message: String, isLocked: Bool = false) {
        self.message = message
        self.isLocked = isLocked
    }

    public var description: String { message }

    static func sqlite(_ code: Int32, _ detail: String, path: String, doing: String) -> StateError {
        let primary = code & 0xFF
        let action = doing.count > 60 ? String(doing.prefix(57)) + "..." : doing
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return StateError("the state store \(path) is locked by another process and did not come free in time (\(detail)); if nothing else is running Airlock, a stuck process holds it", isLocked: true)
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return StateError("the state store \(path) is damaged (\(detail)); Airlock denies until a person restores it from a backup or moves it aside (approvals and freezes in it are then lost)")
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_AUTH:
            return StateError("the state store \(path) cannot be written (\(detail)); check that the user running Airlock owns $AIRLOCK_HOME")
        case SQLITE_FULL, SQLITE_IOERR:
            return StateError("the state store \(path) could not be written (\(detail)); check free space and the disk")
        default:
            return StateError("the state store \(path) failed (\(detail), code \(code)) during: \(action)")
        }
    }
}
