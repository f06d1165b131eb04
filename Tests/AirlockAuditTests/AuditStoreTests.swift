import Foundation
import Testing
@testable import AirlockAudit

/// A fresh audit directory per test.
struct ScratchLog {
    let directory: String
    let store: AuditStore

    init() {
        directory = NSTemporaryDirectory() + "airlock-audit-\(UUID().uuidString)"
        store = AuditStore(directory: directory)
    }

    static func record(_ text: String, outcome: AuditRecord.Outcome = .allowed) -> AuditRecord {
        AuditRecord(
            timestamp: "2026-11-21T08:00:00.000Z", outcome: outcome, door: .check, action: AuditRecord.Action(kind: "shell", text: text),
            environment: "local", rule: AuditRecord.Rule(id: "default", type: "default", pattern: ""), reason: "test",
            context: AuditRecord.Context(user: "tester", agent: "claude", session: nil, workingDirectory: "/tmp", host: "test"),
            policyDigest: "sha256:00")
    }

    var lines: [String] {
        (try? String(contentsOfFile: store.logPath, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    func records() throws -> [AuditRecord] { try lines.map { try AuditRecord(bytes: Array($0.utf8)) } }

    func appendRaw(_ bytes: [UInt8]) throws {
        let handle = try #require(FileHandle(forWritingAtPath: store.logPath))
        handle.seekToEndOfFile()
        handle.write(Data(bytes))
        try handle.close()
    }
}

@Suite struct AuditStoreTests {
    @Test func appendsAreNumberedAndChained() throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("ls"), ScratchLog.record("pwd")])
        try log.store.append([ScratchLog.record("whoami")])
        let records = try log.records()
        #expect(records.map(\.index) == [0, 1, 2])
        #expect(records.map(\.action.text) == ["ls", "pwd", "whoami"])
        #expect(records[0].previous == AuditRecord.noPrevious)
        #expect(records[1].previous == Hex.encode(Merkle.leafHash(Array(log.lines[0].utf8))))
        #expect(records[2].previous == Hex.encode(Merkle.leafHash(Array(log.lines[1].utf8))))
        // Canonical: what is stored is exactly the record's canonical encoding.
        #expect(records.map { String(decoding: $0.canonicalBytes, as: UTF8.self) } == log.lines)
    }

    @Test func aLostHeadIsRebuiltFromTheLog() throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("a"), ScratchLog.record("b")])
        try FileManager.default.removeItem(atPath: log.directory + "/log.head")
        // Another process's store: this one's memory of its last append would not need the head.
        try AuditStore(directory: log.directory).append([ScratchLog.record("c")])
        #expect(try log.records().map(\.index) == [0, 1, 2])
        #expect(try log.records().map(\.outcome) == [.allowed, .allowed, .allowed])
    }

    @Test(arguments: [
        Array("{\"action\":{\"ki".utf8), [UInt8](repeating: 0, count: 700), Array("{\"index\":2".utf8) + [0, 0, 0, 0x0A] + [0, 0],
        // Longer than what the append writes over it: the rest is cut.
        Array("{\"action\":{\"kind\":\"shell\",\"text\":\"".utf8) + [UInt8](repeating: 0x78, count: 9000),
    ])
    func aTornTailIsDiscardedAndTheDiscardRecorded(_ torn: [UInt8]) throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("a"), ScratchLog.record("b")])
        try log.appendRaw(torn)
        try log.store.append([ScratchLog.record("c")])
        let records = try log.records()
        #expect(records.map(\.index) == [0, 1, 2, 3])
        #expect(records[2].outcome == .recovered)
        #expect(records[2].door == .audit)
        #expect(records[2].reason.contains("discarded \(torn.count) bytes after entry 1"))
        #expect(records[3].action.text == "c")
        #expect(try log.store.trailingBytes() == 0)
        let report = try AuditVerifier(keys: [], checkSignature: { _, _, _ in false }).verify(log.store)
        #expect(report.intact && report.entries == 4)
    }

    /// A torn tail after a good head is cut without recounting the log (which a head that
    /// does not end on its entry needs): the check reads back the one entry before the head.
    @Test func aHeadIsCheckedAgainstTheEntryItEndsOn() throws {
        let log = ScratchLog()
        let long = String(repeating: "y", count: 20_000)
        try log.store.append([ScratchLog.record("a"), ScratchLog.record(long)])
        try log.store.append([ScratchLog.record("b")])
        let fd = open(log.store.logPath, O_RDONLY)
        defer { close(fd) }
        let ends = log.lines.map { $0.utf8.count + 1 }.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }
        let leaves = log.lines.map { Hex.encode(Merkle.leafHash(Array($0.utf8))) }
        func head(_ count: UInt64, _ offset: Int, _ leaf: String) -> AuditStore.State {
            AuditStore.State(count: count, offset: offset, lastLeaf: leaf)
        }
        #expect(log.store.headEndsOnItsEntry(head(1, ends[0], leaves[0]), in: fd), "the first entry, from the start of the file")
        #expect(log.store.headEndsOnItsEntry(head(2, ends[1], leaves[1]), in: fd), "an entry longer than one read back")
        #expect(log.store.headEndsOnItsEntry(head(3, ends[2], leaves[2]), in: fd))
        #expect(!log.store.headEndsOnItsEntry(head(3, ends[2], leaves[1]), in: fd), "another entry's leaf")
        #expect(!log.store.headEndsOnItsEntry(head(2, ends[2], leaves[2]), in: fd), "the wrong count")
        #expect(!log.store.headEndsOnItsEntry(head(3, ends[2] - 5, leaves[2]), in: fd), "an offset inside a line")
        #expect(!log.store.headEndsOnItsEntry(head(4, ends[2] + 100, leaves[2]), in: fd), "an offset past the end")
        #expect(!log.store.headEndsOnItsEntry(head(0, 0, AuditRecord.noPrevious), in: fd))
    }

    @Test func damageThatIsNotATornWriteIsRefused() throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("a")])
        // A whole line that is not the next entry, then more text: not an unfinished write.
        try log.appendRaw(Array("{\"forged\":true}\n{\"also\":1}\n".utf8))
        #expect(throws: AuditError.self) { try log.store.append([ScratchLog.record("b")]) }
        do {
            try log.store.append([ScratchLog.record("b")])
        } catch {
            #expect(error.message.contains("damaged"))
        }
        #expect(log.lines.count == 3, "nothing already recorded is lost")
    }

    @Test func aLogShorterThanItsHeadIsRecordedNotHidden() throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("a"), ScratchLog.record("b"), ScratchLog.record("c")])
        let first = log.lines[0] + "\n"
        try first.write(toFile: log.store.logPath, atomically: false, encoding: .utf8)
        try log.store.append([ScratchLog.record("d")])
        let records = try log.records()
        #expect(records.map(\.index) == [0, 1, 2])
        #expect(records[1].outcome == .recovered)
        #expect(records[1].reason.contains("acknowledged entries are missing"))
    }

    @Test func aHeldLockTimesOutWithAClearError() throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("a")])
        let fd = open(log.store.logPath, O_RDWR)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        log.store.lockTimeoutMilliseconds = 100
        do {
            try log.store.append([ScratchLog.record("b")])
            Issue.record("append succeeded while another holder had the lock")
        } catch {
            #expect(error.message.contains("stayed locked"))
        }
    }

    @Test func anUnwritableDirectoryIsAnErrorNamingThePath() throws {
        let file = NSTemporaryDirectory() + "airlock-audit-file-\(UUID().uuidString)"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let store = AuditStore(directory: file + "/audit")
        do {
            try store.append([ScratchLog.record("a")])
            Issue.record("append under a regular file succeeded")
        } catch {
            #expect(error.message.contains(file))
        }
    }

    @Test func groupCommitFromManyThreadsLosesNothing() throws {
        let log = ScratchLog()
        let appender = AuditAppender(store: log.store)
        let threads = 8, each = 50
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for n in 0..<each {
                _ = try? appender.append(ScratchLog.record("t\(thread)-\(n)"))
            }
        }
        let records = try log.records()
        #expect(records.count == threads * each)
        #expect(records.map(\.index) == (0..<UInt64(threads * each)).map { $0 })
        #expect(Set(records.map(\.action.text)).count == threads * each)
        for (position, line) in log.lines.enumerated().dropFirst() {
            #expect(records[position].previous == Hex.encode(Merkle.leafHash(Array(log.lines[position - 1].utf8))), "chain at \(position)")
            _ = line
        }
    }

    @Test func valuesRoundTripCanonically() throws {
        let value: AuditValue = .object(["b": .int(-3), "a": .array([.string("x\n\"\\\u{1}é"), .null, .bool(true)]), "c": .object([:])])
        let bytes = value.canonicalBytes
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a":["x\n\"\\\u0001é",null,true],"b":-3,"c":{}}"#)
        #expect(try AuditValue.parse(bytes) == value)
        #expect(throws: AuditValue.ParseError.self) { try AuditValue.parse(Array("{\"a\":1.5}".utf8)) }
        #expect(throws: AuditValue.ParseError.self) { try AuditValue.parse(Array("{\"a\":1,\"a\":2}".utf8)) }
    }

    @Test func timestampsAreRFC3339() {
        #expect(AuditClock.format(seconds: 0, milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(AuditClock.format(seconds: 1_795_235_401, milliseconds: 123) == "2026-11-21T04:30:01.123Z")
        #expect(AuditClock.format(seconds: 253_402_300_799, milliseconds: 999) == "9999-12-31T23:59:59.999Z")
        #expect(AuditClock.format(seconds: 253_402_300_800, milliseconds: 0) == "10000-01-01T00:00:00.000Z")
    }

    /// The in-place writer against the general one, over seeded times from year 1 to 9999.
    @Test func timestampsWrittenInPlaceMatchTheGeneralFormat() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Int64(state >> 2) % 315_537_897_600 - 62_135_596_800
            let milliseconds = Int(state % 1000)
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let (year, month, day) = AuditClock.civil(fromDays: days)
            let general = AuditClock.formatAnyYear(year: year, month: month, day: day, secondOfDay: seconds - days * 86_400, milliseconds: milliseconds)
            let fast = AuditClock.format(seconds: seconds, milliseconds: milliseconds)
            #expect(fast == general)
            #expect(AuditClock.parse(fast) == seconds)
        }
        #expect(AuditClock.parse("2026-11-21T04:30:01.123Z") == 1_795_235_401)
        #expect(AuditClock.parse("2026-11-21") == 1_795_219_200)
        #expect(AuditClock.parse("yesterday") == nil)
    }
}

@Suite struct AuditHeadTests {
    @Test func aWrongHeadIsOnlyAHint() throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("a"), ScratchLog.record("b")])
        let headPath = log.directory + "/log.head"
        let good = try String(contentsOfFile: headPath, encoding: .utf8)
        // A head that claims a count and offset the log does not have at that place (as a torn
        // or stale head would): the next append recounts instead of calling the log damaged.
        try "airlock-audit-head 2 7 10 \(AuditRecord.noPrevious) \(AuditStore.headCheck(count: 7, offset: 10, leaf: AuditRecord.noPrevious))\n".write(toFile: headPath, atomically: true, encoding: .utf8)
        try AuditStore(directory: log.directory).append([ScratchLog.record("c")])
        #expect(try log.records().map(\.index) == [0, 1, 2])
        #expect(try log.records().map(\.action.text) == ["a", "b", "c"])
        #expect(good.hasPrefix("airlock-audit-head 2 2 "))
    }

    /// A store remembers where its last append left the log; appends by anyone else in
    /// between (another process, another store) must send it back to the head.
    @Test func storesTakingTurnsKeepOneChain() throws {
        let log = ScratchLog()
        let other = AuditStore(directory: log.directory)
        for (turn, text) in ["a", "b", "c", "d", "e", "f"].enumerated() {
            try (turn.isMultiple(of: 2) ? log.store : other).append([ScratchLog.record(text)])
        }
        let records = try log.records()
        #expect(records.map(\.index) == [0, 1, 2, 3, 4, 5])
        #expect(records.map(\.action.text) == ["a", "b", "c", "d", "e", "f"])
        for position in 1..<records.count {
            #expect(records[position].previous == Hex.encode(Merkle.leafHash(Array(log.lines[position - 1].utf8))))
        }
        let report = try AuditVerifier(keys: [], checkSignature: { _, _, _ in false }).verify(log.store)
        #expect(report.intact && report.entries == 6)
    }

    /// A log replaced by another file of exactly the same length (restored from a backup, say)
    /// is not the log the store last appended to: the next entry chains to what is there now.
    @Test func aReplacedLogOfTheSameLengthIsReadAgain() throws {
        let log = ScratchLog()
        try log.store.append([ScratchLog.record("a"), ScratchLog.record("b")])
        let elsewhere = ScratchLog()
        try elsewhere.store.append([ScratchLog.record("x"), ScratchLog.record("y")])
        let manager = FileManager.default
        for name in ["log.jsonl", "log.head"] {
            try manager.removeItem(atPath: log.directory + "/" + name)
            try manager.copyItem(atPath: elsewhere.directory + "/" + name, toPath: log.directory + "/" + name)
        }
        try log.store.append([ScratchLog.record("c")])
        let records = try log.records()
        #expect(records.map(\.action.text) == ["x", "y", "c"])
        #expect(records[2].previous == Hex.encode(Merkle.leafHash(Array(log.lines[1].utf8))))
    }
}
