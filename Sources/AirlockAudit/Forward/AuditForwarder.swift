#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ships the log to a destination in batches, resumably: a state file per destination records
/// the last index shipped and is advanced only after a batch was accepted, so a crash or a
/// refused batch means entries are sent again, never skipped.
public final class AuditForwarder {
    /// What one `forward` pass shipped.
    public struct Summary: Sendable, Hashable {
        public var count = 0
        public var first: UInt64?
        public var last: UInt64?
    }

    /// Where shipping stands: the last index accepted by the destination and the byte offset
    /// just after it in the log (a hint; checked before use).
    public struct State: Sendable, Hashable {
        public var lastIndex: UInt64?
        public var offset: Int

        public init(lastIndex: UInt64?, offset: Int) {
            self.lastIndex = lastIndex
            self.offset = offset
        }
    }

    public let store: AuditStore
    /// `udp://127.0.0.1:514`, `https://splunk:8088/services/collector/event`: names the state file.
    public let destination: String
    public var batchSize: Int

    public init(store: AuditStore, destination: String, batchSize: Int = 200) {
        self.store = store
        self.destination = destination
        self.batchSize = max(1, batchSize)
    }

    public var stateDirectory: String { store.directory + "/forward" }
    public var statePath: String { stateDirectory + "/" + Self.sanitise(destination) + ".state" }

    /// A destination as a file name: letters, digits, `.`, `-`; everything else `_`.
    public static func sanitise(_ destination: String) -> String {
        var out = ""
        for scalar in destination.unicodeScalars {
            let keep = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-")
            out.unicodeScalars.append(keep ? scalar : "_")
        }
        return out.isEmpty ? "_" : out
    }

    /// The saved state; a fresh start when there is none.
    public func state() throws(AuditError) -> State {
        guard fileSize(statePath) != nil else { return State(lastIndex: nil, offset: 0) }
        let bytes = try store.readFile(statePath)
        let text = String(decoding: bytes, as: UTF8.self)
        let words = text.split(separator: "\n").first?.split(separator: " ") ?? []
        guard words.count == 4, words[0] == "airlock-forward", words[1] == "1", let offset = Int(words[3]) else {
            throw AuditError("the forwarding state \(statePath) is not in the expected form; delete it to ship the whole log again")
        }
        return State(lastIndex: words[2] == "-" ? nil : UInt64(words[2]), offset: offset)
    }

    func save(_ state: State) throws(AuditError) {
        try store.makeDirectory(stateDirectory)
        let last = state.lastIndex.map { String($0) } ?? "-"
        try store.writeFileAtomically(statePath, Array("airlock-forward 1 \(last) \(state.offset)\n\(destination)\n".utf8))
    }

    /// Ships every entry after the saved state, `batchSize` at a time, each batch with the
    /// latest checkpoint; `ship` throws to refuse a batch, which stops the pass with the state
    /// at the last accepted batch.
    public func forwardOnce(
        _ ship: (_ batch: [AuditRecord], _ checkpoint: ForwardCheckpoint?) throws(AuditError) -> Void
    ) throws(AuditError) -> Summary {
        var state = try state()
        var cursor = try resumeCursor(state)
        let checkpoint = try ForwardCheckpoint.latest(in: store)
        var summary = Summary()
        var batch: [AuditRecord] = []
        var batchEnd = cursor.offset

        func flush() throws(AuditError) {
            guard let last = batch.last else { return }
            try ship(batch, checkpoint)
            state = State(lastIndex: last.index, offset: batchEnd)
            try save(state)
            summary.count += batch.count
            if summary.first == nil { summary.first = batch.first?.index }
            summary.last = last.index
            batch = []
        }

        while true {
            let start = cursor.offset
            let lines = try cursor.read()
            if lines.isEmpty { break }
            var end = start
            for line in lines {
                end += line.count + 1
                let record: AuditRecord
                do { record = try AuditRecord(bytes: line) } catch {
                    throw AuditError("entry at byte \(end - line.count - 1) of \(store.logPath) is not a record (\(error)); run `airlock audit verify`")
                }
                if let last = state.lastIndex, record.index <= last { continue }
                batch.append(record)
                batchEnd = end
                if batch.count >= batchSize { try flush() }
            }
        }
        try flush()
        return summary
    }

    /// A cursor after the last shipped entry: at the saved offset when the entry just before it
    /// is the one recorded, otherwise from the start (entries up to the saved index are skipped).
    private func resumeCursor(_ state: State) throws(AuditError) -> AuditLogCursor {
        guard let last = state.lastIndex, state.offset > 0 else { return AuditLogCursor(path: store.logPath) }
        var trusted = false
        var probe = AuditLogCursor(path: store.logPath, offset: state.offset)
        if let next = try? probe.read(maximumBytes: 1).first, let record = try? AuditRecord(bytes: next) {
            trusted = record.index == last + 1
        } else if let size = fileSize(store.logPath), size == state.offset {
            trusted = true
        }
        return AuditLogCursor(path: store.logPath, offset: trusted ? state.offset : 0)
    }

    private func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }
}
