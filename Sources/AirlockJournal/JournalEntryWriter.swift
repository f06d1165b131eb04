#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes one journal entry: tables, their rows as they stream in, then `commit()` (or
/// `abandon()`).
///
/// The entry is built in `<id>.partial/` and renamed to `<id>/` only once every data file and
/// the manifest are on disk, so a crash, a failed capture or an abandoned writer never leaves
/// anything `Journal.list()` shows. A writer released without `commit()` removes its partial
/// directory.
///
/// Thread safety: `@unchecked Sendable` so a proxy session can hold it across event-loop
/// callbacks, but it is used from one thread at a time (a session's event loop, or a task that
/// owns it); it takes no lock.
public final class JournalEntryWriter: @unchecked Sendable {
    public let id: String
    /// `<journal>/<id>.partial` while writing.
    public let partialDirectory: String
    /// `<journal>/<id>` once committed.
    public let finalDirectory: String
    let journalDirectory: String
    private var entry: JournalEntry
    private var files: [GzipFileWriter] = []
    private var line: [UInt8] = []

    private enum State { case open, committed, abandoned, failed(String) }
    private var state = State.open
    /// Set once this writer created the partial directory: a writer whose creation failed
    /// (another writer has the id) must not remove the other's directory when it goes.
    private var ownsDirectory = false

    init(entry: JournalEntry, journalDirectory: String) throws {
        self.entry = entry
        self.id = entry.id
        self.journalDirectory = journalDirectory
        partialDirectory = journalDirectory + "/" + entry.id + Journal.partialSuffix
        finalDirectory = journalDirectory + "/" + entry.id
        guard !JournalFiles.exists(finalDirectory) else { throw JournalError("journal entry \(entry.id) already exists in \(journalDirectory)") }
        try JournalFiles.makeDirectory(partialDirectory, exclusive: true)
        ownsDirectory = true
    }

    deinit {
        if case .committed = state { return }
        guard ownsDirectory else { return }
        files.removeAll()
        JournalFiles.removeTree(partialDirectory)
    }

    /// The entry as written so far (tables with their rows counted; digests set at commit).
    public var current: JournalEntry { entry }

    /// Adds a table and its (empty) data file; returns its number for `append`. `definition`
    /// and the other statement lists are for snapshots (see `JournalEntry.Table`); `settings`
    /// are the session settings the rows' text values are written under.
    @discardableResult
    public func addTable(
        schema: String?, name: String, columns: [JournalEntry.Column], definition: [String]?, afterData: [String]? = nil,
        referencedBy: [String]? = nil, ownership: [String]? = nil, settings: [String: String]? = nil
    ) throws -> Int {
        try checkOpen()
        let index = entry.tables.count
        let file = "\(index).copy.gz"
        let writer = try guarded {  try GzipFileWriter(path: partialDirectory + "/" + file) }
        files.append(writer)
        entry.tables.append(JournalEntry.Table(
            schema: schema, name: name, columns: columns, definition: definition, afterData: afterData, referencedBy: referencedBy,
            ownership: ownership, settings: settings, dataFile: file))
        return index
    }

    /// Appends one row: its values in text format as a DataRow carries them (nil is NULL),
    /// encoded as one COPY text line.
    public func append(row values: [[UInt8]?], table: Int) throws {
        try checkOpen()
        let file = try file(table)
        guard values.count == entry.tables[table].columns.count else {
            throw JournalError("a row of \(values.count) values for table \(entry.tables[table].displayName), which has \(entry.tables[table].columns.count) columns in journal entry \(id)")
        }
        line.removeAll(keepingCapacity: true)
        CopyText.appendLine(values, to: &line)
        try guarded {  try file.write(line) }
        entry.tables[table].rows += 1
    }

    /// Appends COPY TO STDOUT text data as the server sent it (whole lines; rows are counted by
    /// their newlines).
    public func append(copyData bytes: some Collection<UInt8>, table: Int) throws {
        try checkOpen()
        let file = try file(table)
        let rows = CopyText.lineCount(bytes)
        let written: Bool? = try bytes.withContiguousStorageIfAvailable { (buffer) throws -> Bool in
            try guarded {  try file.write(UnsafeRawBufferPointer(buffer)) }
            return true
        }
        if written == nil {
            let copy = Array(bytes)
            try guarded {  try file.write(copy) }
        }
        entry.tables[table].rows += rows
    }

    /// Finishes every data file, makes them durable, writes `manifest.json` atomically and
    /// renames the entry into place. Returns the entry as `Journal.entry(id)` will read it.
    public func commit() throws -> JournalEntry {
        try checkOpen()
        try guarded { 
            for (index, file) in files.enumerated() {
                let (sha256, bytes) = try file.finish()
                entry.tables[index].dataSHA256 = sha256
                entry.tables[index].dataBytes = bytes
            }
            files.removeAll()
            let manifest = try Journal.encode(entry)
            try JournalFiles.writeAtomically(manifest, to: partialDirectory + "/" + Journal.manifestName, directory: partialDirectory)
            guard rename(partialDirectory, finalDirectory) == 0 else {
                throw JournalError("cannot rename \(partialDirectory) to \(finalDirectory): \(JournalFiles.reason())")
            }
            try JournalFiles.syncDirectory(journalDirectory)
        }
        state = .committed
        return entry
    }

    /// Removes the partial entry: the statement did not run, or its capture failed.
    public func abandon() {
        if case .committed = state { return }
        state = .abandoned
        guard ownsDirectory else { return }
        files.removeAll()
        JournalFiles.removeTree(partialDirectory)
    }

    private func checkOpen() throws {
        switch state {
        case .open: return
        case .committed: throw JournalError("journal entry \(id) is already committed")
        case .abandoned: throw JournalError("journal entry \(id) was abandoned")
        case .failed(let reason): throw JournalError("journal entry \(id) cannot be completed after an earlier failure (\(reason)); abandon it")
        }
    }

    private func file(_ table: Int) throws -> GzipFileWriter {
        guard files.indices.contains(table) else { throw JournalError("journal entry \(id) has no table \(table)") }
        return files[table]
    }

    /// Runs a write; a failure (disk full, I/O error) leaves the writer failed, since the data
    /// file no longer holds what the manifest would say.
    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            state = .failed("\(error)")
            throw error
        }
    }
}
