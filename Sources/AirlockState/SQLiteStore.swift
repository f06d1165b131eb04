import AirlockCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded state store: one SQLite file (`$AIRLOCK_HOME/state.sqlite`) with a rollback
/// journal, safe for many processes at once. Writers take SQLite's write lock (`BEGIN
/// IMMEDIATE`) and commit with a full sync, so a freeze is durable before `airlock freeze`
/// returns.
///
/// Not WAL: every hook is a new process with one short connection, and in WAL mode each such
/// first connection rebuilds the WAL index by reading the whole log (up to SQLite's 4 MB
/// checkpoint threshold: 8 ms a call was measured). A rollback journal costs two more fsyncs
/// per write, which only denials, approvals and freezes make, and nothing per read.
///
/// It fails closed: a file that exists but is empty, truncated or not an Airlock store is an
/// error, never silently replaced by a fresh (freeze-free) one. Only a missing file is
/// created, and atomically, so no process ever sees a half-made store.
public final class SQLiteStore: Store, @unchecked Sendable {
    public static let schemaVersion = 1
    public let path: String
    /// How long a writer waits for another process's lock before giving up.
    public let busyTimeoutMilliseconds: Int32
    /// Opened on first use and kept; guarded by `lock` (SQLite connections are single-threaded).
    private var connection: SQLiteConnection?
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init(path: String, busyTimeoutMilliseconds: Int32 = 1_000) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// The store under an Airlock home directory.
    public convenience init(airlockHome: String) {
        self.init(path: airlockHome + "/state.sqlite")
    }

    public func read<T>(_ body: (any StateReader) throws -> T) throws -> T {
        try transaction("BEGIN DEFERRED", body)
    }

    public func write<T>(_ body: (any StateWriter) throws -> T) throws -> T {
        try transaction("BEGIN IMMEDIATE", body)
    }

    private func transaction<T>(_ begin: String, _ body: (SQLiteStateTransaction) throws -> T) throws -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let db: SQLiteConnection
        if let open = connection {
            db = open
        } else {
            db = try openStore()
            connection = db
        }
        try db.execute(begin)
        do {
            let result = try body(SQLiteStateTransaction(db: db))
            try db.execute("COMMIT")
            return result
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    // MARK: Opening

    private func openStore() throws(StateError) -> SQLiteConnection {
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw StateError("cannot read the state store \(path): \(String(cString: strerror(errno)))") }
            try create()
        } else if info.st_size == 0 {
            throw StateError("the state store \(path) is empty (truncated, or created by something other than Airlock); Airlock denies until a person restores it from a backup or moves it aside")
        }
        let db = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, create: false)
        var version: Int64 = -1
        try db.query("PRAGMA user_version") { row in version = row.integer(0) }
        guard version == Int64(Self.schemaVersion) else {
            if version > Int64(Self.schemaVersion) {
                throw StateError("the state store \(path) was written by a newer Airlock (schema \(version), this one knows \(Self.schemaVersion)); upgrade Airlock")
            }
            throw StateError("\(path) is not an Airlock state store (schema version \(version)); Airlock denies until a person moves it aside")
        }
        // Rollback journal modes are per connection. A store left in WAL mode by an earlier
        // Airlock is converted here; while another process holds it open the conversion waits
        // for a later opener, and the store keeps working in WAL mode meanwhile.
        // PERSIST: a committed journal's header is zeroed rather than the file truncated, which
        // on this machine's file system is the slower call.
        try? db.execute("PRAGMA journal_mode = PERSIST")
        try db.execute("PRAGMA synchronous = FULL")
        return db
    }

    /// Makes a new store beside the final path and links it into place, so a concurrent opener
    /// sees either no file or a complete one.
    private func create() throws(StateError) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty, mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw StateError("cannot create \(directory) for the state store: \(String(cString: strerror(errno)))")
        }
        // Unique per creator, threads of one process included.
        var generator = SystemRandomNumberGenerator()
        let temporary = path + ".new-\(getpid())-\(String(generator.next() as UInt64, radix: 16))"
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) } }
        do {
            let db = try SQLiteConnection(path: temporary, busyTimeoutMilliseconds: busyTimeoutMilliseconds, create: true)
            try db.execute("BEGIN IMMEDIATE")
            try db.execute(Self.schema)
            try db.execute("PRAGMA user_version = \(Self.schemaVersion)")
            try db.execute("COMMIT")
        }
        chmod(temporary, 0o600)
        if link(temporary, path) != 0, errno != EEXIST {
            throw StateError("cannot create the state store \(path): \(String(cString: strerror(errno)))")
        }
        let directoryFD = Glibc.open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    static let schema = """
        CREATE TABLE requests (
            id TEXT PRIMARY KEY, digest TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
            rule_id TEXT NOT NULL, reason TEXT NOT NULL, approvers_needed INTEGER NOT NULL, valid_for INTEGER NOT NULL,
            uses_left INTEGER, valid_until INTEGER, action_kind TEXT NOT NULL, action_text TEXT NOT NULL,
            working_directory TEXT NOT NULL, environment TEXT NOT NULL, targets TEXT NOT NULL, agent TEXT, session TEXT,
            user TEXT NOT NULL, door TEXT NOT NULL, policy_digest TEXT NOT NULL, audit_index INTEGER);
        CREATE INDEX requests_by_digest ON requests (digest, created_at);
        CREATE INDEX requests_by_time ON requests (created_at);
        CREATE TABLE votes (
            request_id TEXT NOT NULL REFERENCES requests (id), user TEXT NOT NULL, name TEXT, answer TEXT NOT NULL,
            at INTEGER NOT NULL, note TEXT);
        CREATE INDEX votes_by_request ON votes (request_id);
        CREATE TABLE freezes (
            id TEXT PRIMARY KEY, scope TEXT NOT NULL, level TEXT NOT NULL, reason TEXT NOT NULL, source TEXT NOT NULL,
            created_by TEXT NOT NULL, created_at INTEGER NOT NULL, until INTEGER, lifted_at INTEGER, lifted_by TEXT);
        CREATE INDEX freezes_by_lifted ON freezes (lifted_at);
        CREATE TABLE events (kind TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL);
        CREATE INDEX events_by_key ON events (kind, key, at);
        """
}

/// One transaction's view of the SQLite store.
struct SQLiteStateTransaction: StateWriter {
    let db: SQLiteConnection

    // MARK: Freezes

    private static let freezeColumns = "id, scope, level, reason, source, created_by, created_at, until, lifted_at, lifted_by"

    func activeFreezes(at now: Millis) throws -> [Freeze] {
        try freezes("SELECT \(Self.freezeColumns) FROM freezes WHERE lifted_at IS NULL AND (until IS NULL OR until > ?) ORDER BY created_at, id", [.integer(now)])
    }

    func recentFreezes(limit: Int) throws -> [Freeze] {
        try freezes("SELECT \(Self.freezeColumns) FROM freezes ORDER BY created_at DESC, id LIMIT ?", [.integer(Int64(limit))])
    }

    func freeze(id: String) throws -> Freeze? {
        try freezes("SELECT \(Self.freezeColumns) FROM freezes WHERE id = ?", [.text(id)]).first
    }

    private func freezes(_ sql: String, _ values: [SQLiteValue]) throws(StateError) -> [Freeze] {
        var found: [Freeze] = []
        try db.query(sql, values) { row throws(StateError) in
            guard let scope = FreezeScope(parsing: row.text(1)), let level = FreezeLevel(rawValue: row.text(2)),
                  let source = Freeze.Source(rawValue: row.text(4)) else {
                throw StateError("the state store \(db.path) holds a freeze (\(row.text(0))) Airlock cannot read; it is damaged")
            }
            found.append(Freeze(
                id: row.text(0), scope: scope, level: level, reason: row.text(3), source: source, createdBy: row.text(5),
                createdAt: row.integer(6), until: row.optionalInteger(7), liftedAt: row.optionalInteger(8), liftedBy: row.optionalText(9)))
        }
        return found
    }

    func insert(_ freeze: Freeze) throws -> Bool {
        guard try self.freeze(id: freeze.id) == nil else { return false }
        try db.query("INSERT INTO freezes (\(Self.freezeColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            .text(freeze.id), .text(freeze.scope.description), .text(freeze.level.rawValue), .text(freeze.reason),
            .text(freeze.source.rawValue), .text(freeze.createdBy), .integer(freeze.createdAt), .optional(freeze.until),
            .optional(freeze.liftedAt), .optional(freeze.liftedBy),
        ])
        return true
    }

    func lift(freezeID: String, by person: String, at: Millis) throws {
        try db.query("UPDATE freezes SET lifted_at = ?, lifted_by = ? WHERE id = ? AND lifted_at IS NULL", [.integer(at), .text(person), .text(freezeID)])
    }

    // MARK: Requests

    private static let requestColumns = """
        id, digest, created_at, expires_at, rule_id, reason, approvers_needed, valid_for, uses_left, valid_until, action_kind, \
        action_text, working_directory, environment, targets, agent, session, user, door, policy_digest, audit_index
        """
    /// Targets are stored one per line after this separator, which no target contains.
    private static let targetSeparator: Character = "\u{1F}"

    func request(id: String) throws -> ApprovalRequest? {
        try requests("SELECT \(Self.requestColumns) FROM requests WHERE id = ?", [.text(id)]).first
    }

    func requests(digest: String) throws -> [ApprovalRequest] {
        try requests("SELECT \(Self.requestColumns) FROM requests WHERE digest = ? ORDER BY created_at DESC, id", [.text(digest)])
    }

    func requests(since: Millis) throws -> [ApprovalRequest] {
        try requests("SELECT \(Self.requestColumns) FROM requests WHERE created_at >= ? ORDER BY created_at DESC, id", [.integer(since)])
    }

    func openRequests(at now: Millis) throws -> [ApprovalRequest] {
        // Candidates by time; the status rules (votes, uses) live in ApprovalRequest alone.
        try requests(
            "SELECT \(Self.requestColumns) FROM requests WHERE (valid_until IS NULL AND expires_at > ?) OR (valid_until > ? AND (uses_left IS NULL OR uses_left > 0)) ORDER BY created_at, id",
            [.integer(now), .integer(now)]
        ).filter { [.pending, .approved].contains($0.status(at: now)) }
    }

    private func requests(_ sql: String, _ values: [SQLiteValue]) throws(StateError) -> [ApprovalRequest] {
        var found: [ApprovalRequest] = []
        try db.query(sql, values) { row in
            found.append(ApprovalRequest(
                id: row.text(0), digest: row.text(1), createdAt: row.integer(2), expiresAt: row.integer(3), ruleID: row.text(4),
                reason: row.text(5), approversNeeded: Int(row.integer(6)), validFor: row.integer(7), actionKind: row.text(10),
                actionText: row.text(11), workingDirectory: row.text(12), environment: row.text(13),
                targets: row.text(14).split(separator: Self.targetSeparator).map(String.init), agent: row.optionalText(15),
                session: row.optionalText(16), user: row.text(17), door: row.text(18), policyDigest: row.text(19),
                usesLeft: row.optionalInteger(8).map(Int.init), validUntil: row.optionalInteger(9),
                auditIndex: row.optionalInteger(20).map { UInt64(bitPattern: $0) }))
        }
        for index in found.indices {
            found[index].votes = try votes(found[index].id)
        }
        return found
    }

    private func votes(_ requestID: String) throws(StateError) -> [Vote] {
        var votes: [Vote] = []
        try db.query("SELECT user, name, answer, at, note FROM votes WHERE request_id = ? ORDER BY at, rowid", [.text(requestID)]) { row throws(StateError) in
            guard let answer = Vote.Answer(rawValue: row.text(2)) else {
                throw StateError("the state store \(db.path) holds a vote on \(requestID) Airlock cannot read; it is damaged")
            }
            votes.append(Vote(person: Person(user: row.text(0), name: row.optionalText(1)), answer: answer, at: row.integer(3), note: row.optionalText(4)))
        }
        return votes
    }

    func insert(_ request: ApprovalRequest) throws -> Bool {
        guard try self.request(id: request.id) == nil else { return false }
        try db.query("INSERT INTO requests (\(Self.requestColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            .text(request.id), .text(request.digest), .integer(request.createdAt), .integer(request.expiresAt), .text(request.ruleID),
            .text(request.reason), .integer(Int64(request.approversNeeded)), .integer(request.validFor),
            .optional(request.usesLeft.map(Int64.init)), .optional(request.validUntil), .text(request.actionKind),
            .text(request.actionText), .text(request.workingDirectory), .text(request.environment),
            .text(request.targets.joined(separator: String(Self.targetSeparator))), .optional(request.agent), .optional(request.session),
            .text(request.user), .text(request.door), .text(request.policyDigest), .optional(request.auditIndex.map { Int64(bitPattern: $0) }),
        ])
        for vote in request.votes { try add(vote, to: request.id) }
        return true
    }

    func update(_ request: ApprovalRequest) throws {
        try db.query("UPDATE requests SET uses_left = ?, valid_until = ?, audit_index = ? WHERE id = ?", [
            .optional(request.usesLeft.map(Int64.init)), .optional(request.validUntil),
            .optional(request.auditIndex.map { Int64(bitPattern: $0) }), .text(request.id),
        ])
        guard db.changes == 1 else { throw StateError("approval request \(request.id) is not in the state store \(db.path)") }
    }

    func add(_ vote: Vote, to requestID: String) throws {
        try db.query("INSERT INTO votes (request_id, user, name, answer, at, note) VALUES (?, ?, ?, ?, ?, ?)", [
            .text(requestID), .text(vote.person.user), .optional(vote.person.name), .text(vote.answer.rawValue), .integer(vote.at), .optional(vote.note),
        ])
    }

    // MARK: Counters

    func count(_ kind: CountedEvent.Kind, key: String, since: Millis) throws -> Int {
        var total = 0
        try db.query("SELECT count(*) FROM events WHERE kind = ? AND key = ? AND at >= ?", [.text(kind.rawValue), .text(key), .integer(since)]) { row in
            total = Int(row.integer(0))
        }
        return total
    }

    func counts(_ kind: CountedEvent.Kind, since: Millis) throws -> [(key: String, count: Int)] {
        var found: [(key: String, count: Int)] = []
        try db.query("SELECT key, count(*) FROM events WHERE kind = ? AND at >= ? GROUP BY key ORDER BY key", [.text(kind.rawValue), .integer(since)]) { row in
            found.append((row.text(0), Int(row.integer(1))))
        }
        return found
    }

    func record(_ event: CountedEvent) throws {
        try db.query("INSERT INTO events (kind, key, at) VALUES (?, ?, ?)", [.text(event.kind.rawValue), .text(event.key), .integer(event.at)])
    }

    func pruneEvents(_ kind: CountedEvent.Kind, key: String, before: Millis) throws {
        try db.query("DELETE FROM events WHERE kind = ? AND key = ? AND at < ?", [.text(kind.rawValue), .text(key), .integer(before)])
    }
}
