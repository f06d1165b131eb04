/// The latest signed checkpoint as it travels with forwarded entries: the tree size and root a
/// receiver keeps off the machine, so a later rewrite or truncation of the log is detectable
/// even if this host is compromised.
public struct ForwardCheckpoint: Sendable, Hashable {
    /// The origin line (the log's name).
    public var origin: String
    public var size: UInt64
    /// Base64 RFC 6962 root hash, as in the note.
    public var root: String
    /// The whole signed note, for receivers that verify the signature.
    public var note: String

    public init(origin: String, size: UInt64, root: String, note: String) {
        self.origin = origin
        self.size = size
        self.root = root
        self.note = note
    }

    /// Reads a C2SP signed note's body (origin, size, root on the first three lines) with the
    /// log's own checkpoint parser; the signature is left to receivers that hold the key.
    public init?(note: String) {
        let lines = note.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false)
        guard lines.count >= 3, let checkpoint = Checkpoint(body: lines[0..<3].joined(separator: "\n") + "\n") else { return nil }
        self.init(origin: checkpoint.origin, size: checkpoint.size, root: Base64.encode(checkpoint.rootHash), note: note)
    }

    /// The newest checkpoint the store holds that reads as one, or nil when none was signed yet.
    public static func latest(in store: AuditStore) throws(AuditError) -> ForwardCheckpoint? {
        for note in try store.checkpointNotes().reversed() {
            if let checkpoint = ForwardCheckpoint(note: note.text) { return checkpoint }
        }
        return nil
    }
}
