/// Airlock's shared state — approval requests, freezes, counters — behind one interface, so the
/// embedded SQLite store and a shared PostgreSQL store for a multi-host control plane are
/// interchangeable. Callers never see SQL: they read inside `read` and change inside `write`,
/// which is atomic and serialised against every other writer in every process using the store.
public protocol Store: Sendable {
    /// Runs `body` with a consistent view of the state.
    func read<T>(_ body: (any StateReader) throws -> T) throws -> T
    /// Runs `body` as one transaction holding the store's write lock: all of its changes commit
    /// together or none do. A lock not obtained in time throws a `StateError` with `isLocked`.
    func write<T>(_ body: (any StateWriter) throws -> T) throws -> T
}

/// What the gate and the control verbs read.
public protocol StateReader {
    /// Freezes in force at `now`, oldest first.
    func activeFreezes(at now: Millis) throws -> [Freeze]
    /// Every freeze, newest first, up to `limit`.
    func recentFreezes(limit: Int) throws -> [Freeze]
    func freeze(id: String) throws -> Freeze?
    func request(id: String) throws -> ApprovalRequest?
    /// Requests for one action digest, newest first.
    func requests(digest: String) throws -> [ApprovalRequest]
    /// Requests created at or after `since`, newest first.
    func requests(since: Millis) throws -> [ApprovalRequest]
    /// Requests still pending or approved-and-usable at `now`, oldest first.
    func openRequests(at now: Millis) throws -> [ApprovalRequest]
    /// How many events of a kind and key happened at or after `since`.
    func count(_ kind: CountedEvent.Kind, key: String, since: Millis) throws -> Int
    /// Counts per key of a kind at or after `since` (for `airlock status`).
    func counts(_ kind: CountedEvent.Kind, since: Millis) throws -> [(key: String, count: Int)]
}

/// What the gate and the control verbs change, inside `Store.write`.
public protocol StateWriter: StateReader {
    /// Adds a request; false when its id is taken (the caller draws another).
    func insert(_ request: ApprovalRequest) throws -> Bool
    /// Saves a request's mutable fields: uses, validity and audit index.
    func update(_ request: ApprovalRequest) throws
    func add(_ vote: Vote, to requestID: String) throws
    /// Adds a freeze; false when its id is taken.
    func insert(_ freeze: Freeze) throws -> Bool
    func lift(freezeID: String, by person: String, at: Millis) throws
    func record(_ event: CountedEvent) throws
    /// Forgets one key's events older than `before` (counts only ever look back a window), so
    /// the table holds at most a window's worth per key.
    func pruneEvents(_ kind: CountedEvent.Kind, key: String, before: Millis) throws
}
