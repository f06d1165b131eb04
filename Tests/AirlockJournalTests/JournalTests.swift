import AirlockJournal
import Foundation
import Testing

/// A journal in a scratch home of the test's own, removed with it.
final class ScratchHome {
    let path: String
    var journal: Journal { Journal(home: path) }

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func begin(_ kind: JournalEntry.Kind = .deletePreImages, id: String = Journal.newID()) throws -> JournalEntryWriter {
        try journal.begin(
            id: id, kind: kind, upstream: "app", database: "postgres", environment: "production", statement: "DELETE FROM t WHERE id < 3",
            agent: "claude", session: "s1")
    }
}

private let columns = [
    JournalEntry.Column(name: "id", typeOID: 23), JournalEntry.Column(name: "note", typeOID: 25),
]

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite struct CopyTextTests {
    @Test func nullsEscapesAndRawBytes() throws {
        let values: [[UInt8]?] = [nil, bytes("a\\b"), bytes("tab\there"), bytes("line\nbreak\r"), [], bytes("\\N"), [0xFF, 0xFE, 0x00, 0x80]]
        let line = CopyText.line(values)
        #expect(line == bytes("\\N\ta\\\\b\ttab\\there\tline\\nbreak\\r\t\t\\\\N\t") + [0xFF, 0xFE, 0x00, 0x80] + bytes("\n"))
        #expect(try CopyText.values(of: line) == values)
    }

    @Test func decodesEveryEscapePostgresAccepts() throws {
        #expect(try CopyText.values(of: bytes("\\101\\x41\\b\\f\\v\\q\tx")) == [bytes("AA\u{8}\u{c}\u{b}q"), bytes("x")])
        #expect(try CopyText.values(of: bytes("")) == [[]])
        #expect(throws: JournalError.self) { try CopyText.values(of: bytes("a\\")) }
    }

    @Test func countsRowsByNewline() {
        #expect(CopyText.lineCount(bytes("1\ta\n2\tb\\nc\n")) == 2)
    }
}

@Suite struct JournalWriterTests {
    @Test func commitsAnEntryWithPrivateFilesAndReadsItBack() throws {
        let home = try ScratchHome()
        let writer = try home.begin()
        let table = try writer.addTable(schema: "public", name: "t", columns: columns, definition: nil, settings: ["DateStyle": "ISO, MDY"])
        try writer.append(row: [bytes("1"), bytes("one\ttab")], table: table)
        try writer.append(row: [bytes("2"), nil], table: table)
        try writer.append(copyData: bytes("3\tthree\n4\tfour\n"), table: table)
        let entry = try writer.commit()
        #expect(entry.tables[0].rows == 4)
        #expect(entry.tables[0].dataSHA256.count == 64)

        let listed = try home.journal.list()
        #expect(listed == [entry])
        #expect(try home.journal.entry(entry.id) == entry)
        let directory = home.journal.path(of: entry.id)
        #expect(try mode(home.journal.directory) == 0o700)
        #expect(try mode(directory) == 0o700)
        #expect(try mode(directory + "/manifest.json") == 0o600)
        #expect(try mode(directory + "/0.copy.gz") == 0o600)

        var lines: [[UInt8]] = []
        try home.journal.rows(of: entry, table: 0).forEachLine { lines.append($0) }
        #expect(lines == [bytes("1\tone\\ttab\n"), bytes("2\t\\N\n"), bytes("3\tthree\n"), bytes("4\tfour\n")])
    }

    @Test func dataFilesAreGzipThatZcatReads() throws {
        let home = try ScratchHome()
        let writer = try home.begin(.truncateSnapshot)
        let table = try writer.addTable(schema: "public", name: "big", columns: columns, definition: ["CREATE TABLE big (id int, note text)"])
        var expected = ""
        // Enough rows for several deflate output buffers and reader chunks.
        for row in 0..<50_000 {
            let note = "row \(row) \(String(repeating: "x", count: row % 17)) é"
            try writer.append(row: [bytes(String(row)), bytes(note)], table: table)
            expected += "\(row)\t\(note)\n"
        }
        let entry = try writer.commit()
        #expect(entry.tables[0].rows == 50_000)

        let zcat = Process()
        zcat.executableURL = URL(fileURLWithPath: "/bin/sh")
        zcat.arguments = ["-c", "zcat \"$0\"", home.journal.dataPath(of: entry, table: 0)]
        let output = Pipe()
        zcat.standardOutput = output
        try zcat.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        zcat.waitUntilExit()
        #expect(zcat.terminationStatus == 0)
        #expect(String(decoding: text, as: UTF8.self) == expected)

        let reader = try home.journal.rows(of: entry, table: 0)
        var read: [UInt8] = []
        while let chunk = try reader.next() { read += chunk }
        #expect(read == bytes(expected))
        #expect(reader.compressedBytesRead == entry.tables[0].dataBytes)
    }

    @Test func abandonedAndUncommittedEntriesAreNotListed() throws {
        let home = try ScratchHome()
        let abandoned = try home.begin()
        _ = try abandoned.addTable(schema: nil, name: "t", columns: columns, definition: nil)
        try abandoned.append(row: [bytes("1"), nil], table: 0)
        abandoned.abandon()
        #expect(!FileManager.default.fileExists(atPath: abandoned.partialDirectory))

        // One still being written (a proxy mid-capture, or a crash): not an entry, and named as
        // unfinished.
        let writing = try home.begin()
        _ = try writing.addTable(schema: nil, name: "t", columns: columns, definition: nil)
        try writing.append(row: [bytes("1"), nil], table: 0)
        #expect(try home.journal.list().isEmpty)
        #expect(try home.journal.listing().unfinished == [writing.id])
        #expect(throws: JournalError.self) { try home.journal.entry(writing.id) }
        #expect(throws: JournalError.self) { try home.journal.entry(writing.id + ".partial") }

        // Released without commit: gone.
        do {
            let dropped = try home.begin()
            _ = try dropped.addTable(schema: nil, name: "t", columns: columns, definition: nil)
        }
        #expect(try home.journal.listing().unfinished == [writing.id])
        _ = try writing.commit()
        #expect(try home.journal.list().map(\.id) == [writing.id])
        #expect(try home.journal.listing().unfinished.isEmpty)
    }

    @Test func aDamagedEntryIsReportedNotSkipped() throws {
        let home = try ScratchHome()
        let good = try home.begin(id: "20260101-000000-000001")
        _ = try good.commit()
        let bad = try home.begin(id: "20260101-000000-000002")
        _ = try bad.commit()
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: home.journal.path(of: bad.id) + "/manifest.json"))
        let listing = try home.journal.listing()
        #expect(listing.entries.map(\.id) == [good.id])
        #expect(listing.problems.map(\.id) == [bad.id])
        #expect(throws: JournalError.self) { try home.journal.list() }
    }

    @Test func aChangedDataFileIsDetected() throws {
        let home = try ScratchHome()
        let writer = try home.begin()
        _ = try writer.addTable(schema: nil, name: "t", columns: columns, definition: nil)
        for row in 0..<100 { try writer.append(row: [bytes(String(row)), bytes("note")], table: 0) }
        let entry = try writer.commit()
        #expect(home.journal.checkData(of: entry).isEmpty)

        let path = home.journal.dataPath(of: entry, table: 0)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count / 2] ^= 0x55
        try data.write(to: URL(fileURLWithPath: path))
        #expect(home.journal.checkData(of: entry).count == 1)
        // Reading it fails before its end is reported (or earlier, if zlib notices).
        let reader = try home.journal.rows(of: entry, table: 0)
        #expect(throws: JournalError.self) { while try reader.next() != nil {} }

        // Truncated: caught too.
        try data.prefix(data.count - 9).write(to: URL(fileURLWithPath: path))
        let truncated = try home.journal.rows(of: entry, table: 0)
        #expect(throws: JournalError.self) { while try truncated.next() != nil {} }
    }

    @Test func refusesBadIdsAndMisuse() throws {
        let home = try ScratchHome()
        #expect(throws: JournalError.self) { try home.begin(id: "../escape") }
        #expect(throws: JournalError.self) { try home.journal.entry("../../etc") }
        let writer = try home.begin(id: "20260101-000000-aaaaaa")
        #expect(throws: JournalError.self) { try home.begin(id: "20260101-000000-aaaaaa") }
        // The refused second writer leaves the first one's directory alone.
        #expect(FileManager.default.fileExists(atPath: writer.partialDirectory))
        _ = try writer.addTable(schema: nil, name: "t", columns: columns, definition: nil)
        #expect(throws: JournalError.self) { try writer.append(row: [nil], table: 0) }
        #expect(throws: JournalError.self) { try writer.append(row: [nil, nil], table: 1) }
        _ = try writer.commit()
        #expect(throws: JournalError.self) { try writer.commit() }
        #expect(throws: JournalError.self) { try home.begin(id: "20260101-000000-aaaaaa") }
    }

    @Test func idsSortByTimeAndRestorationsAreRecorded() throws {
        let id = Journal.newID()
        #expect(id.range(of: #"^\d{8}-\d{6}-[0-9a-f]{6}$"#, options: .regularExpression) != nil)
        let home = try ScratchHome()
        let entry = try home.begin(id: id).commit()
        #expect(try home.journal.restoration(of: entry.id) == nil)
        let restoration = JournalRestoration(restored: Journal.timestamp(), auditIndex: 7, user: "dba", rows: 3)
        try home.journal.markRestored(entry.id, restoration)
        #expect(try home.journal.restoration(of: entry.id) == restoration)
    }
}

private func mode(_ path: String) throws -> Int {
    ((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
}
