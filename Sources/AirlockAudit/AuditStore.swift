#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The audit log on disk, safe for many processes appending at once.
///
/// Layout under the directory (`$AIRLOCK_HOME/audit`):
/// - `log.jsonl`: the entries, one canonical JSON record per line, append-only;
/// - `log.head`: a hint (entry count, byte length, last leaf hash) so an append is O(1); it is
///   checked against the log every time and rebuilt from the log when it does not match;
/// - `checkpoints/`: signed checkpoints, one file per tree size;
/// - `blobs/`: full texts of long actions, by digest (purgeable: records keep the digest).
///
/// Appends take an exclusive `flock` on the log, write the batch with one `pwrite`, `fsync`,
/// and only then return: an entry is durable before anyone acts on it. A crash mid-write leaves
/// at most an unfinished last line (the batch was never acknowledged). The next append discards
/// it: its batch, led by a record of the discard, is written over those bytes, and what is left
/// of them is cut before the same `fsync`. Anything else that does not read back as the entries
/// the head promises is damage, not a torn write, and is refused rather than repaired.
public final class AuditStore: @unchecked Sendable {
    public let directory: String
    public var logPath: String { directory + "/log.jsonl" }
    var headPath: String { directory + "/log.head" }
    public var checkpointDirectory: String { directory + "/checkpoints" }
    public var blobDirectory: String { directory + "/blobs" }

    /// How long an append waits for another process's lock before giving up (and denying).
    public var lockTimeoutMilliseconds = 2_000

    /// The RFC 6962 leaf hash each appended entry is chained with: `Merkle.leafHash` unless a
    /// door that appends many entries a second sets a faster implementation of the same
    /// function (the proxy uses one with the CPU's SHA instructions; this module stays free of
    /// dependencies for the hook). Set before the first append.
    public var leafHash: @Sendable ([UInt8]) -> [UInt8] = { Merkle.leafHash($0) }

    /// Where this store's own last append left the log. A process that appends many batches
    /// (the proxy's writer) then needn't read the head back each time: see `currentState`.
    private let lastAppend = Mutex<LastAppend?>(nil)

    private struct LastAppend {
        /// The log's file, held open: while it is, no other file can get its inode number, so
        /// a log replaced by another file is never mistaken for the one remembered.
        var pin: Int32
        var device: UInt64
        var inode: UInt64
        var state: State
    }

    deinit {
        if let pin = lastAppend.withLock({ $0?.pin }) { close(pin) }
    }

    public init(directory: String) {
        self.directory = directory
    }

    // MARK: Appending

    /// Appends records (assigning their index and chain link) and returns once they are on
    /// disk. `now` stamps the recovery record when a torn tail is discarded.
    @discardableResult
    public func append(_ records: [AuditRecord], now: () -> String = AuditClock.now) throws(AuditError) -> [AuditRecord] {
        do {
            return try append(building: { records }, now: now)
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError("\(error)")
        }
    }

    /// Appends the records `build` returns, calling it while holding the log's lock, so what
    /// `build` reads and changes elsewhere (the gate's state) happens in the log's order: an
    /// entry after another was decided after it. An error from `build` is rethrown and nothing
    /// of this call is appended.
    @discardableResult
    public func append(building build: () throws -> [AuditRecord], now: () -> String = AuditClock.now) throws -> [AuditRecord] {
        var fd = open(logPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 && errno == ENOENT {
            try makeDirectory(directory)
            fd = open(logPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw AuditError.system("open", logPath) }
        defer { close(fd) }
        try lock(fd)
        defer { flock(fd, LOCK_UN) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AuditError.system("stat", logPath) }
        var state = try currentState(fd, info: info, now: now)
        let records = try build()
        var buffer: [UInt8] = []
        var written: [AuditRecord] = []
        for var record in state.pendingRecovery + records {
            record.index = state.count
            record.previous = state.lastLeaf
            let bytes = record.canonicalBytes
            state.lastLeaf = Hex.encode(leafHash(bytes))
            state.count += 1
            buffer.append(contentsOf: bytes)
            buffer.append(0x0A)
            written.append(record)
        }
        try writeAll(fd, buffer, at: state.offset)
        if Int(info.st_size) > state.offset + buffer.count {
            // The rest of a torn tail this batch (which starts with the recovery record) was
            // written over. Cut only now, so a crash can't lose the tail and its record both.
            guard ftruncate(fd, off_t(state.offset + buffer.count)) == 0 else {
                let code = errno
                _ = ftruncate(fd, off_t(state.offset))
                throw AuditError.system("truncate", logPath, code)
            }
        }
        guard fsync(fd) == 0 else {
            let code = errno
            // Not known to be durable: take it back so nothing unacknowledged stays behind.
            _ = ftruncate(fd, off_t(state.offset))
            _ = fsync(fd)
            throw AuditError.system("sync", logPath, code)
        }
        if state.offset == 0 {
            // A new log: its directory entry must be as durable as its first entry.
            let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                _ = fsync(directoryFD)
                close(directoryFD)
            }
        }
        state.offset += buffer.count
        writeHead(state)
        remember(State(count: state.count, offset: state.offset, lastLeaf: state.lastLeaf), of: fd, info: info)
        return Array(written.dropFirst(state.pendingRecovery.count))
    }

    /// Keeps the state an append left for the next one (see `currentState`).
    private func remember(_ state: State, of fd: Int32, info: stat) {
        let (device, inode) = (UInt64(info.st_dev), UInt64(info.st_ino))
        lastAppend.withLock { last in
            if let known = last, known.device == device, known.inode == inode {
                last?.state = state
                return
            }
            if let known = last { close(known.pin) }
            let pin = dup(fd)
            last = pin < 0 ? nil : LastAppend(pin: pin, device: device, inode: inode, state: state)
        }
    }

    /// The state an append continues from, after checking the log against the head and
    /// recovering from a torn tail.
    struct State {
        var count: UInt64
        var offset: Int
        var lastLeaf: String
        var pendingRecovery: [AuditRecord] = []
    }

    private func currentState(_ fd: Int32, info: stat, now: () -> String) throws(AuditError) -> State {
        let size = Int(info.st_size)
        // The log only grows, and every way it shrinks (a torn tail cut off) is followed by a
        // recovery entry: a log that is still the file this store last appended to, at the
        // length it left, has had nothing appended since, so that append's state is current
        // and the head (which it wrote) needn't be read back. Anything else reads the head.
        if let last = lastAppend.withLock({ $0 }), last.state.offset == size,
           last.device == UInt64(info.st_dev), last.inode == UInt64(info.st_ino) {
            return last.state
        }
        let head = readHead()
        if let head, head.offset == size { return head }
        var notes: [String] = []
        var start = State(count: 0, offset: 0, lastLeaf: AuditRecord.noPrevious)
        if let head, head.offset <= size {
            start = head
        } else if let head {
            notes.append("the log was \(size) bytes but its head recorded \(head.offset) bytes and \(head.count) entries: acknowledged entries are missing")
        }
        var state = try scan(fd, from: start, size: size)
        if state.offset < size, start.offset > 0, state.offset == start.offset, !headEndsOnItsEntry(start, in: fd) {
            // Nothing after the head reads as the next entry, and the head does not end on the
            // entry it names: it may be stale or torn. It is only a hint, so recount from the
            // beginning before judging the log. (A head that does end on its entry is right,
            // and a torn tail after it costs reading the tail, not the whole log.)
            let recounted = try scan(fd, from: State(count: 0, offset: 0, lastLeaf: AuditRecord.noPrevious), size: size)
            if recounted.offset > state.offset { state = recounted }
        }
        if state.offset < size {
            // Bytes past the last whole entry: torn only if they could be an unfinished write.
            let tail = try readBytes(fd, from: state.offset, count: size - state.offset)
            guard tail.contains(0) || !tail.contains(0x0A) else {
                throw AuditError("the audit log is damaged at byte \(state.offset) (after entry \(Int64(state.count) - 1)): it holds text that is not the next entry; run `airlock audit verify`")
            }
            // Not cut here: the append writes its recovery record over it (see `append`).
            notes.append("discarded \(tail.count) bytes after entry \(Int64(state.count) - 1): an unfinished write by a process that stopped before it was acknowledged")
        }
        if !notes.isEmpty {
            state.pendingRecovery = [Self.recoveryRecord(notes.joined(separator: "; "), at: now())]
        }
        return state
    }

    /// Whether the line that ends at `head.offset` is entry `head.count - 1` with leaf hash
    /// `head.lastLeaf`: read backwards from there, so it costs one entry, not the log.
    func headEndsOnItsEntry(_ head: State, in fd: Int32) -> Bool {
        guard head.offset > 0, head.count > 0 else { return false }
        var window = 4096
        while true {
            let from = max(0, head.offset - window)
            guard let bytes = try? readBytes(fd, from: from, count: head.offset - from), bytes.last == 0x0A else { return false }
            let body = bytes.dropLast()
            if let newline = body.lastIndex(of: 0x0A) {
                return isEntry(body[(newline + 1)...], of: head)
            }
            if from == 0 { return isEntry(body, of: head) }
            window *= 4
        }
    }

    private func isEntry(_ line: ArraySlice<UInt8>, of head: State) -> Bool {
        guard Hex.encode(Merkle.leafHash(line)) == head.lastLeaf, let record = try? AuditRecord(bytes: line) else { return false }
        return record.index == head.count - 1
    }

    static func recoveryRecord(_ reason: String, at timestamp: String) -> AuditRecord {
        AuditRecord(
            timestamp: timestamp, outcome: .recovered, door: .audit, action: AuditRecord.Action(kind: "system", text: "recovery"),
            environment: "local", rule: AuditRecord.Rule(id: "audit-recovery", type: "system", pattern: ""), reason: reason,
            context: AuditRecord.Context(user: AuditHost.user, agent: nil, session: nil, workingDirectory: "", host: AuditHost.name),
            policyDigest: "")
    }

    /// Reads whole entries from `start`, checking each is the next one; stops at the first that is not.
    private func scan(_ fd: Int32, from start: State, size: Int) throws(AuditError) -> State {
        var state = start
        var failure: AuditError?
        forEachLine(fd, from: start.offset, to: size) { line, end in
            guard let record = try? AuditRecord(bytes: line), record.index == state.count, record.previous == state.lastLeaf else { return false }
            state.count += 1
            state.lastLeaf = Hex.encode(Merkle.leafHash(line))
            state.offset = end
            return true
        } onError: { failure = $0 }
        if let failure { throw failure }
        return state
    }

    // MARK: Reading

    /// Every whole line of the log in order, with its byte offset; `body` returns false to stop.
    /// Reads the first `limit` bytes when given (see `acknowledgedLength`), else the whole
    /// file as it is when reading starts; returns how many bytes that was.
    @discardableResult
    public func forEachEntry(limit: Int? = nil, _ body: (_ line: ArraySlice<UInt8>, _ offset: Int) -> Bool) throws(AuditError) -> Int {
        let fd = open(logPath, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return 0 }
            throw .system("open", logPath)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system("stat", logPath) }
        let size = min(Int(info.st_size), limit ?? .max)
        var failure: AuditError?
        var start = 0
        forEachLine(fd, from: 0, to: size) { line, end in
            defer { start = end }
            return body(line, start)
        } onError: { failure = $0 }
        if let failure { throw failure }
        return size
    }

    /// How much of the log is known to be durable: appenders record it (in the head) only after
    /// their fsync. A checkpoint signed over more could cover entries a power cut would take
    /// back. Nil when the head is missing or does not fit the log.
    public func acknowledgedLength() -> Int? {
        // A read that races an append's head rewrite fails its check; the next one will not.
        for _ in 0..<3 {
            if let head = readHead() { return head.offset <= logSize() ? head.offset : nil }
            usleep(1_000)
        }
        return nil
    }

    /// How many entries appenders have acknowledged (from the head); nil without a usable head.
    public func acknowledgedEntries() -> UInt64? {
        guard let head = readHead(), head.offset <= logSize() else { return nil }
        return head.count
    }

    /// Bytes at the end of the log that are not a whole line (a torn write).
    public func trailingBytes() throws(AuditError) -> Int {
        var lastEnd = 0
        try forEachEntry { line, offset in
            lastEnd = offset + line.count + 1
            return true
        }
        return logSize() - lastEnd
    }

    /// The log's length in bytes (0 when there is none yet).
    public func logSize() -> Int {
        var info = stat()
        return stat(logPath, &info) == 0 ? Int(info.st_size) : 0
    }

    private func forEachLine(_ fd: Int32, from start: Int, to size: Int, _ body: (ArraySlice<UInt8>, Int) -> Bool, onError: (AuditError) -> Void) {
        let chunk = 1 << 20
        var pending: [UInt8] = []
        var position = start
        var lineStart = start
        while position < size {
            let count = min(chunk, size - position)
            var buffer = [UInt8](repeating: 0, count: count)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(position)) }
            guard got > 0 else {
                onError(.system("read", logPath))
                return
            }
            pending.append(contentsOf: buffer[0..<got])
            position += got
            var cursor = pending.startIndex
            while let newline = pending[cursor...].firstIndex(of: 0x0A) {
                let end = lineStart + (newline - cursor) + 1
                guard body(pending[cursor..<newline], end) else { return }
                lineStart = end
                cursor = newline + 1
            }
            pending.removeSubrange(pending.startIndex..<cursor)
        }
    }

    // MARK: Checkpoints and blobs

    /// Stores a signed checkpoint note for a tree size (`checkpoints/00000000000000001042.note`).
    public func saveCheckpoint(_ note: String, size: UInt64) throws(AuditError) {
        try makeDirectory(checkpointDirectory)
        let digits = String(size)
        let name = String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".note"
        try writeFileAtomically(checkpointDirectory + "/" + name, Array(note.utf8))
    }

    /// Every stored checkpoint note's text, by tree size, smallest first.
    public func checkpointNotes() throws(AuditError) -> [(size: UInt64, text: String)] {
        guard let directory = opendir(checkpointDirectory) else {
            if errno == ENOENT { return [] }
            throw .system("read", checkpointDirectory)
        }
        defer { closedir(directory) }
        var notes: [(UInt64, String)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".note"), let size = UInt64(name.dropLast(5)) else { continue }
            guard let bytes = try? readFile(checkpointDirectory + "/" + name) else { continue }
            notes.append((size, String(decoding: bytes, as: UTF8.self)))
        }
        return notes.sorted { $0.0 < $1.0 }.map { (size: $0.0, text: $0.1) }
    }

    /// Keeps a long text outside the log; returns `sha256:<hex>`.
    public func storeBlob(_ text: String) throws(AuditError) -> String {
        let bytes = Array(text.utf8)
        let digest = Hex.encode(SHA256.hash(bytes))
        try makeDirectory(blobDirectory)
        try writeFileAtomically(blobDirectory + "/" + digest, bytes)
        return "sha256:" + digest
    }

    // MARK: Files

    private func lock(_ fd: Int32) throws(AuditError) {
        var waited = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw .system("lock", logPath) }
            guard waited < lockTimeoutMilliseconds else {
                throw AuditError("the audit log \(logPath) stayed locked by another process for \(lockTimeoutMilliseconds) ms")
            }
            usleep(1_000)
            waited += 1
        }
    }

    /// The head, if it reads whole: it carries a check over its own fields, because it is
    /// rewritten in place and a reader racing a writer could otherwise see half of each.
    private func readHead() -> State? {
        guard let bytes = try? readFile(headPath) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 6, fields[0] == "airlock-audit-head", fields[1] == "2", let count = UInt64(fields[2]),
              let offset = Int(fields[3]), fields[4].utf8.count == 64,
              fields[5] == Self.headCheck(count: count, offset: offset, leaf: String(fields[4])) else { return nil }
        return State(count: count, offset: offset, lastLeaf: String(fields[4]))
    }

    static func headCheck(count: UInt64, offset: Int, leaf: String) -> String {
        String(Hex.encode(SHA256.hash(Array("\(count) \(offset) \(leaf)".utf8))).prefix(16))
    }

    /// The head is a hint checked on every append, so it is rewritten in place (one small
    /// `pwrite` of a fixed-length line, under the log's lock) without an fsync: a head that is
    /// stale or torn only sends the next append back to the log to recount.
    private func writeHead(_ state: State) {
        var text = "airlock-audit-head 2 \(state.count) \(state.offset) \(state.lastLeaf) \(Self.headCheck(count: state.count, offset: state.offset, leaf: state.lastLeaf))"
        text += String(repeating: " ", count: max(0, 191 - text.utf8.count)) + "\n"
        let fd = open(headPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if written == bytes.count { _ = ftruncate(fd, off_t(bytes.count)) }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int) throws(AuditError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                _ = ftruncate(fd, off_t(offset))
                throw .system("write", logPath, code)
            }
            done += n
        }
    }

    private func readBytes(_ fd: Int32, from offset: Int, count: Int) throws(AuditError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard got == count else { throw .system("read", logPath) }
        return buffer
    }

    func readFile(_ path: String) throws(AuditError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open", path) }
        defer { close(fd) }
        var info = stat()
        let expected = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expected)
        var buffer = [UInt8](repeating: 0, count: min(max(expected + 1, 256), 65536))
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .system("read", path) }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return bytes
    }

    func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(AuditError) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("create", temporary) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            guard n > 0 else {
                close(fd)
                unlink(temporary)
                throw .system("write", temporary)
            }
            done += n
        }
        guard fsync(fd) == 0 else {
            close(fd)
            unlink(temporary)
            throw .system("sync", temporary)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw .system("rename", temporary) }
    }

    func makeDirectory(_ path: String) throws(AuditError) {
        var components: [Substring] = []
        for part in path.split(separator: "/") {
            components.append(part)
            let prefix = (path.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST { throw .system("create the directory", prefix) }
        }
    }
}
