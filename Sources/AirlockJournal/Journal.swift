import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The undo journal: `$AIRLOCK_HOME/journal/<id>/manifest.json` and the entry's data files,
/// outside the database and outside anything an agent can reach.
///
/// Directories are 0700 and files 0600. Entries are written under `<id>.partial/` and renamed
/// when committed, so what `list()` shows is always whole. After a successful undo the entry
/// gets `restored.json`.
public struct Journal: Sendable {
    public let home: String
    /// `home + "/journal"`.
    public let directory: String

    static let manifestName = "manifest.json"
    static let restoredName = "restored.json"
    static let partialSuffix = ".partial"

    public init(home: String) {
        self.home = home
        directory = home + "/journal"
    }

    /// A new entry id: the UTC time to the second and 24 random bits
    /// (`20261121-141503-7f3a9c`), so names sort by time.
    public static func newID() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let date = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        let time = "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))"
        let random = String(UInt32.random(in: 0..<(1 << 24)), radix: 16)
        return "\(date)-\(time)-\(String(repeating: "0", count: 6 - random.count))\(random)"
    }

    /// Now as RFC 3339 UTC with milliseconds (`2026-11-21T14:15:03.123Z`).
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Whether `id` can name an entry: letters, digits, `.`, `_` and `-`, not starting with a
    /// dot, not a partial entry's name. Keeps ids from naming paths outside the journal.
    public static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 128, id.first != ".", !id.hasSuffix(partialSuffix) else { return false }
        return id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".")
        }
    }

    /// Starts an entry: creates the journal directory (0700) if needed and `<id>.partial/`.
    public func begin(
        id: String, kind: JournalEntry.Kind, upstream: String, database: String, environment: String, statement: String, agent: String,
        session: String
    ) throws -> JournalEntryWriter {
        guard Self.isValidID(id) else { throw JournalError("'\(id)' is not a valid journal entry id (use Journal.newID())") }
        try JournalFiles.makeDirectory(home, exclusive: false)
        try JournalFiles.makeDirectory(directory, exclusive: false)
        let entry = JournalEntry(
            id: id, kind: kind, created: Self.timestamp(), upstream: upstream, database: database, environment: environment, statement: statement,
            agent: agent, session: session)
        return try JournalEntryWriter(entry: entry, journalDirectory: directory)
    }

    /// A committed entry's directory.
    public func path(of id: String) -> String { directory + "/" + id }

    /// A table's data file.
    public func dataPath(of entry: JournalEntry, table: Int) -> String { path(of: entry.id) + "/" + entry.tables[table].dataFile }

    /// What the journal holds: committed entries, newest last (by creation time, then id), the
    /// entries that cannot be read (each named with why), and unfinished `.partial` entries
    /// (being written now, or left by a crash).
    public func listing() throws -> JournalListing {
        var listing = JournalListing()
        for name in try JournalFiles.names(in: directory).sorted() {
            let path = directory + "/" + name
            guard JournalFiles.isDirectory(path) else { continue }
            if name.hasSuffix(Self.partialSuffix) {
                listing.unfinished.append(String(name.dropLast(Self.partialSuffix.count)))
                continue
            }
            do {
                listing.entries.append(try entry(name))
            } catch {
                listing.problems.append(JournalProblem(id: name, message: "\(error)"))
            }
        }
        listing.entries.sort { ($0.created, $0.id) < ($1.created, $1.id) }
        return listing
    }

    /// Committed entries, newest last. Throws naming every damaged entry when there is one: a
    /// journal that cannot be read whole is not silently shown in part (`listing()` gives both).
    public func list() throws -> [JournalEntry] {
        let listing = try listing()
        guard listing.problems.isEmpty else {
            throw JournalError("damaged journal entries in \(directory):\n" + listing.problems.map { "  \($0.id): \($0.message)" }.joined(separator: "\n"))
        }
        return listing.entries
    }

    /// One committed entry, read and checked: its manifest parses, names this id, and every data
    /// file it names is a plain file in the entry's directory.
    public func entry(_ id: String) throws -> JournalEntry {
        guard Self.isValidID(id) else { throw JournalError("'\(id)' is not a journal entry id (see `airlock journal list`)") }
        let path = path(of: id)
        guard JournalFiles.isDirectory(path) else {
            throw JournalError("there is no journal entry \(id) in \(directory) (see `airlock journal list`)")
        }
        let manifest = path + "/" + Self.manifestName
        guard JournalFiles.exists(manifest) else { throw JournalError("journal entry \(id) has no \(Self.manifestName): it is damaged") }
        let entry: JournalEntry
        do {
            entry = try JSONDecoder().decode(JournalEntry.self, from: Data(try JournalFiles.read(manifest)))
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError("the manifest of journal entry \(id) (\(manifest)) does not parse: \(error)")
        }
        guard entry.id == id else { throw JournalError("the manifest in \(path) names entry \(entry.id), not \(id)") }
        for table in entry.tables {
            guard Self.isValidID(table.dataFile), !table.dataFile.hasPrefix(Self.manifestName), table.dataFile != Self.restoredName else {
                throw JournalError("the manifest of journal entry \(id) names a data file '\(table.dataFile)' outside its directory")
            }
        }
        return entry
    }

    /// A reader of a table's rows as decompressed COPY text; the end of the data is checked
    /// against the manifest's digest and size.
    public func rows(of entry: JournalEntry, table: Int) throws -> JournalDataReader {
        guard entry.tables.indices.contains(table) else { throw JournalError("journal entry \(entry.id) has no table \(table)") }
        let record = entry.tables[table]
        return try JournalDataReader(path: dataPath(of: entry, table: table), expectedSHA256: record.dataSHA256, expectedBytes: record.dataBytes)
    }

    /// Checks every data file's size and SHA-256 against the manifest; returns the problems
    /// (empty: intact).
    public func checkData(of entry: JournalEntry) -> [String] {
        var problems: [String] = []
        for index in entry.tables.indices {
            let table = entry.tables[index]
            let path = dataPath(of: entry, table: index)
            do {
                let (sha256, bytes) = try JournalFiles.digest(path)
                if bytes != table.dataBytes {
                    problems.append("\(path) is \(bytes) bytes where the manifest says \(table.dataBytes): it was changed or damaged after it was written")
                } else if sha256 != table.dataSHA256 {
                    problems.append("\(path) has SHA-256 \(sha256) where the manifest says \(table.dataSHA256): it was changed or damaged after it was written")
                }
            } catch {
                problems.append("\(error)")
            }
        }
        return problems
    }

    // MARK: Restorations

    /// When the entry was restored, if it was.
    public func restoration(of id: String) throws -> JournalRestoration? {
        let path = path(of: id) + "/" + Self.restoredName
        guard JournalFiles.exists(path) else { return nil }
        do {
            return try JSONDecoder().decode(JournalRestoration.self, from: Data(try JournalFiles.read(path)))
        } catch {
            throw JournalError("\(path) does not parse (\(error)); it records that entry \(id) was restored: check before restoring again")
        }
    }

    /// Records a restoration (`restored.json`, written atomically).
    public func markRestored(_ id: String, _ restoration: JournalRestoration) throws {
        let entryPath = path(of: id)
        guard JournalFiles.isDirectory(entryPath) else { throw JournalError("there is no journal entry \(id) in \(directory)") }
        try JournalFiles.writeAtomically(try Self.encode(restoration), to: entryPath + "/" + Self.restoredName, directory: entryPath)
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")] } catch {
            throw JournalError("cannot encode \(type(of: value)): \(error)")
        }
    }
}

/// What `Journal.listing()` found.
public struct JournalListing: Sendable {
    public var entries: [JournalEntry] = []
    public var problems: [JournalProblem] = []
    /// Ids of `.partial` entries: being written, or left by a crash (never restorable).
    public var unfinished: [String] = []
    public init() {}
}

/// An entry that cannot be read, and why.
public struct JournalProblem: Sendable, Equatable {
    public var id: String
    public var message: String
    public init(id: String, message: String) {
        self.id = id
        self.message = message
    }
}

/// `restored.json`: an entry was put back.
public struct JournalRestoration: Codable, Sendable, Equatable {
    /// RFC 3339 UTC.
    public var restored: String
    /// The audit record of the statement undone, when the undo named one.
    public var auditIndex: UInt64?
    /// The OS user who ran the undo.
    public var user: String
    /// Rows written back.
    public var rows: Int
    /// Whether `--force` restored an entry already restored.
    public var forced: Bool

    public init(restored: String, auditIndex: UInt64?, user: String, rows: Int, forced: Bool = false) {
        self.restored = restored
        self.auditIndex = auditIndex
        self.user = user
        self.rows = rows
        self.forced = forced
    }

    enum CodingKeys: String, CodingKey {
        case restored, user, rows, forced
        case auditIndex = "audit_index"
    }
}
