import AirlockCore
import AirlockState
import Foundation
import Testing

func scratchDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-state-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func sampleRequest(id: String = "K7QF-2M", digest: String = "sha256:aa", at now: Millis = 1_000_000, approvers: Int = 1) -> ApprovalRequest {
    ApprovalRequest(
        id: id, digest: digest, createdAt: now, expiresAt: now + 900_000, ruleID: "prod-writes", reason: "needs a person",
        approversNeeded: approvers, validFor: 900_000, actionKind: "shell", actionText: "psql -c 'UPDATE t SET a = 1'",
        workingDirectory: "/srv/app", environment: "production", targets: ["host:db.prod", "host:db2.prod"], agent: "claude",
        session: "s-1", user: "ada", door: "check", policyDigest: "sha256:pp")
}

@Suite("SQLite state store")
struct StateStoreTests {
    @Test("requests, votes, freezes and counters round-trip through the file")
    func roundTrip() throws {
        let path = try scratchDirectory() + "/state.sqlite"
        let store = SQLiteStore(path: path)
        var request = sampleRequest()
        let freeze = Freeze(id: "FZ-AB12", scope: .environment("production"), level: .all, reason: "incident", source: .person, createdBy: "Ada (ada)", createdAt: 1_000_000, until: 2_000_000)
        try store.write { (writer) throws in
            #expect(try writer.insert(request))
            #expect(try !writer.insert(request), "an id in use is refused, so the caller draws another")
            try writer.add(Vote(person: Person(user: "ada", name: "Ada"), answer: .approve, at: 1_000_100, note: "ok"), to: request.id)
            #expect(try writer.insert(freeze))
            for at in [Millis(10), 20, 30] { try writer.record(CountedEvent(kind: .denial, key: "agent:claude", at: at)) }
        }
        // A second connection (another process's view) sees the same.
        let reopened = SQLiteStore(path: path)
        try reopened.read { (reader) throws in
            let found = try #require(try reader.request(id: request.id))
            request.votes = [Vote(person: Person(user: "ada", name: "Ada"), answer: .approve, at: 1_000_100, note: "ok")]
            #expect(found == request)
            #expect(try reader.requests(digest: "sha256:aa").map(\.id) == [request.id])
            #expect(try reader.activeFreezes(at: 1_500_000) == [freeze])
            #expect(try reader.activeFreezes(at: 2_000_000).isEmpty, "a freeze ends at its until")
            #expect(try reader.count(.denial, key: "agent:claude", since: 20) == 2)
            #expect(try reader.counts(.denial, since: 0).map(\.count) == [3])
        }
        try reopened.write { (writer) throws in
            try writer.lift(freezeID: freeze.id, by: "Bob (bob)", at: 1_200_000)
            try writer.pruneEvents(.denial, key: "agent:claude", before: 25)
            try writer.pruneEvents(.denial, key: "agent:other", before: 1_000)
        }
        try store.read { (reader) throws in
            #expect(try reader.activeFreezes(at: 1_300_000).isEmpty)
            #expect(try reader.freeze(id: freeze.id)?.liftedBy == "Bob (bob)")
            #expect(try reader.count(.denial, key: "agent:claude", since: 0) == 1)
        }
    }

    @Test("a failed write transaction leaves nothing behind")
    func rollback() throws {
        let store = SQLiteStore(path: try scratchDirectory() + "/state.sqlite")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try store.write { (writer) throws in
                _ = try writer.insert(sampleRequest())
                throw Stop()
            }
        }
        try store.read { (reader) throws in #expect(try reader.request(id: "K7QF-2M") == nil) }
    }

    @Test("request status: pending, approved, consumed, rejected, expired")
    func status() {
        var request = sampleRequest(approvers: 2)
        #expect(request.status(at: 1_000_001) == .pending)
        #expect(request.status(at: 1_900_000) == .expired)
        request.votes = [Vote(person: Person(user: "ada"), answer: .approve, at: 1), Vote(person: Person(user: "ada", name: "Also Ada"), answer: .approve, at: 2)]
        #expect(request.approvers.count == 1, "one OS account is one person, whatever names it uses")
        request.validUntil = 1_500_000
        request.usesLeft = 1
        #expect(request.status(at: 1_100_000) == .approved)
        #expect(request.status(at: 1_500_000) == .expired)
        request.usesLeft = 0
        #expect(request.status(at: 1_100_000) == .consumed)
        request.usesLeft = 1
        request.votes.append(Vote(person: Person(user: "bob"), answer: .reject, at: 3))
        #expect(request.status(at: 1_100_000) == .rejected, "a rejection withdraws an approval")
    }

    @Test("an empty, foreign or newer file is refused, never replaced")
    func refusesForeignFiles() throws {
        let directory = try scratchDirectory()
        let empty = directory + "/empty.sqlite"
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(throws: StateError.self) { try SQLiteStore(path: empty).read { try $0.activeFreezes(at: 0) } }
        #expect((try? Data(contentsOf: URL(fileURLWithPath: empty)))?.count == 0, "the file is left as found")

        let foreign = directory + "/foreign.sqlite"
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        made.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()", foreign]
        try made.run()
        made.waitUntilExit()
        do {
            _ = try SQLiteStore(path: foreign).read { try $0.activeFreezes(at: 0) }
            Issue.record("a foreign database must be refused")
        } catch let error as StateError {
            #expect(error.message.contains("is not an Airlock state store"))
        }
    }

    /// Runs python3's sqlite3 on the store, outside this process, and returns what it prints.
    func python(_ script: String, _ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); " + script, path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a store an earlier Airlock left in WAL mode is taken over with its freezes; no write-ahead log is kept")
    func convertsWriteAheadLog() throws {
        let path = try scratchDirectory() + "/state.sqlite"
        let freeze = Freeze(id: "FZ-AB12", scope: .all, level: .writes, reason: "incident", source: .person, createdBy: "Ada (ada)", createdAt: 1_000, until: nil)
        try SQLiteStore(path: path).write { (writer) throws in #expect(try writer.insert(freeze)) }
        #expect(try python("print(c.execute('pragma journal_mode=wal').fetchone()[0])", path) == "wal")

        let store = SQLiteStore(path: path)
        #expect(try store.read { try $0.activeFreezes(at: 2_000) } == [freeze])
        try store.write { (writer) throws in try writer.record(CountedEvent(kind: .denial, key: "agent:a", at: 2_000)) }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "the log is checkpointed into the file and gone")
        #expect(try python("print(c.execute('pragma journal_mode').fetchone()[0])", path) != "wal")
        #expect(try python("print(c.execute('select count(*) from events').fetchone()[0])", path) == "1")
    }

    @Test("many stores created at once on one path agree on one file")
    func concurrentCreation() async throws {
        let path = try scratchDirectory() + "/state.sqlite"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<32 {
                group.addTask {
                    try SQLiteStore(path: path).write { (writer) throws in
                        try writer.record(CountedEvent(kind: .limit, key: "k", at: Millis(index)))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try SQLiteStore(path: path).read { try $0.count(.limit, key: "k", since: 0) } == 32)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent).filter { $0.contains(".new-") }
        #expect(leftovers.isEmpty, "no creator's temporary file is left behind: \(leftovers)")
    }

    @Test("ids people read: Crockford base32, forgiving of case, dashes and look-alikes")
    func shortIDs() {
        for _ in 0..<100 {
            #expect(ShortID.request().range(of: #"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$"#, options: .regularExpression) != nil)
            #expect(ShortID.freeze().range(of: #"^FZ-[0-9A-HJKMNP-TV-Z]{4}$"#, options: .regularExpression) != nil)
        }
        #expect(ShortID.normalizeRequest("k7qf2m") == "K7QF-2M")
        #expect(ShortID.normalizeRequest("K7QF-2M") == "K7QF-2M")
        #expect(ShortID.normalizeRequest("o1lI-aa") == "0111-AA")
        // A request id may contain F and Z; only the freeze normaliser adds the freeze prefix.
        #expect(ShortID.normalizeRequest("FZ9X-D4") == "FZ9X-D4")
        #expect(ShortID.normalizeFreeze("fz-ab12") == "FZ-AB12")
        #expect(ShortID.normalizeFreeze("FZAB12") == "FZ-AB12")
        #expect(ShortID.normalizeFreeze("ab12") == "FZ-AB12")
        #expect((0..<2000).allSatisfy { _ in !ShortID.request().hasPrefix("FZ") })
    }
}
