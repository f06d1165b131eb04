/// Recomputes the log's Merkle tree and checks it against every signed checkpoint, stored or
/// held elsewhere: what a security team runs to prove the log was not edited, reordered,
/// truncated or rewritten. Signature checking is injected (the CLI brings Ed25519), so this
/// stays free of Foundation and of any one crypto library.
public struct AuditVerifier {
    /// Checks an Ed25519 signature: key, message, signature.
    public typealias SignatureCheck = (_ publicKey: [UInt8], _ message: [UInt8], _ signature: [UInt8]) -> Bool

    public var keys: [VerifierKey]
    public var checkSignature: SignatureCheck
    /// Called with the number of entries read so far, every 65,536 entries.
    public var progress: ((UInt64) -> Void)?

    public init(keys: [VerifierKey], checkSignature: @escaping SignatureCheck, progress: ((UInt64) -> Void)? = nil) {
        self.keys = keys
        self.checkSignature = checkSignature
        self.progress = progress
    }

    /// One thing wrong with the log, with the first entry it concerns.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            case modified, missing, inserted, reordered, truncated
            case badSignature = "bad_signature"
            case inconsistentCheckpoints = "inconsistent_checkpoints"
            case malformedCheckpoint = "malformed_checkpoint"
        }
        public var kind: Kind
        public var index: UInt64?
        public var message: String
        public var description: String { "\(kind.rawValue)\(index.map { " at index \($0)" } ?? ""): \(message)" }
    }

    /// What verification found.
    public struct Report: Sendable, Hashable {
        public var entries: UInt64
        public var rootHash: [UInt8]
        public var checkpointsVerified: Int
        /// Bytes after the last whole entry: an unfinished write that was never acknowledged.
        public var tornTailBytes: Int
        public var findings: [Finding]
        public var intact: Bool { findings.isEmpty }
    }

    /// A checkpoint to check the log against, with where it came from for messages.
    public struct HeldCheckpoint {
        public var note: SignedNote
        public var source: String

        public init(note: SignedNote, source: String) {
            self.note = note
            self.source = source
        }
    }

    /// Verifies the whole log against its stored checkpoints and any held ones.
    public func verify(_ store: AuditStore, held: [HeldCheckpoint] = []) throws(AuditError) -> Report {
        var findings: [Finding] = []
        var checkpoints: [HeldCheckpoint] = []
        for (size, text) in try store.checkpointNotes() {
            do {
                checkpoints.append(HeldCheckpoint(note: try SignedNote(parsing: text), source: "stored checkpoint \(size)"))
            } catch {
                findings.append(Finding(kind: .malformedCheckpoint, index: nil, message: "stored checkpoint \(size) cannot be read: \(error)"))
            }
        }
        checkpoints += held
        let sizes = Set(checkpoints.map(\.note.checkpoint.size))

        // One pass over the entries: leaf hashes, the chain, the index sequence, and the root at
        // every size a checkpoint names.
        var leaves: [[UInt8]] = []
        var accumulator = MerkleAccumulator()
        var rootsAtSize: [UInt64: [UInt8]] = [:]
        if sizes.contains(0) { rootsAtSize[0] = accumulator.root }
        var recordedIndices: [UInt64?] = []
        var firstChainBreak: UInt64?
        var firstMalformed: (UInt64, String)?
        var lastEnd = 0
        let scanned = try store.forEachEntry { line, offset in
            lastEnd = offset + line.count + 1
            let position = UInt64(leaves.count)
            let leaf = Merkle.leafHash(line)
            // Only the two chain fields are read: any other edit changes the leaf hash, which
            // the next entry's chain link and every later checkpoint catch.
            if let fields = EntryFields(line) {
                recordedIndices.append(fields.index)
                let expectedPrevious = leaves.last.map { Hex.encode($0) } ?? AuditRecord.noPrevious
                if fields.previous != expectedPrevious, firstChainBreak == nil { firstChainBreak = position }
            } else {
                recordedIndices.append(nil)
                if firstMalformed == nil { firstMalformed = (position, "entry \(position) is not a well-formed record") }
            }
            leaves.append(leaf)
            accumulator.append(leafHash: leaf)
            if sizes.contains(UInt64(accumulator.size)) { rootsAtSize[UInt64(accumulator.size)] = accumulator.root }
            if accumulator.size % 65_536 == 0 { progress?(UInt64(accumulator.size)) }
            return true
        }
        let count = UInt64(leaves.count)

        if let sequence = Self.sequenceFinding(recordedIndices) { findings.append(sequence) }
        if let (position, message) = firstMalformed, !findings.contains(where: { $0.index.map { $0 <= position } ?? false }) {
            findings.append(Finding(kind: .modified, index: position, message: message))
        }
        if let position = firstChainBreak, position > 0, !findings.contains(where: { $0.index.map { $0 <= position } ?? false }) {
            findings.append(Finding(kind: .modified, index: position - 1, message: "entry \(position - 1) no longer matches the hash entry \(position) recorded for it when it was written"))
        }

        // Checkpoints: signed by a trusted key, within the log, and matching its root.
        var matching: [(HeldCheckpoint, Bool)] = []
        var verified = 0
        for held in checkpoints {
            let checkpoint = held.note.checkpoint
            let trusted = keys.contains { key in
                held.note.signatures(for: key).contains { $0.signature.count == 64 && checkSignature(key.publicKey, checkpoint.signedMessage, $0.signature) }
            }
            guard trusted else {
                let names = held.note.signatures.map(\.name).joined(separator: ", ")
                findings.append(Finding(kind: .badSignature, index: nil, message: "\(held.source) (size \(checkpoint.size)) carries no valid signature by a trusted key (signed by: \(names.isEmpty ? "nobody" : names))"))
                continue
            }
            guard checkpoint.size <= count else {
                findings.append(Finding(kind: .truncated, index: count, message: "\(held.source) was signed at \(checkpoint.size) entries but the log has \(count): entries \(count)…\(checkpoint.size - 1) are gone"))
                continue
            }
            let matches = rootsAtSize[checkpoint.size] == checkpoint.rootHash
            matching.append((held, matches))
            if matches { verified += 1 }
        }
        // A checkpoint the log does not match: either the log was changed, or (when a later
        // checkpoint does match) two inconsistent checkpoints were signed: a fork.
        for (held, matches) in matching where !matches {
            let size = held.note.checkpoint.size
            if let later = matching.first(where: { $0.1 && $0.0.note.checkpoint.size >= size }) {
                findings.append(Finding(
                    kind: .inconsistentCheckpoints, index: nil,
                    message: "\(held.source) (size \(size)) and \(later.0.source) (size \(later.0.note.checkpoint.size)) cannot both describe one log: the log was rewritten and signed again"))
            } else {
                let lastGood = matching.filter { $0.1 && $0.0.note.checkpoint.size < size }.map(\.0.note.checkpoint.size).max() ?? 0
                // When an entry-level finding already names the place, this one only confirms it.
                // (A bad signature or a truncation elsewhere names no place in these entries.)
                let located = findings.contains { [.modified, .missing, .inserted, .reordered].contains($0.kind) }
                findings.append(Finding(
                    kind: .modified, index: located ? nil : lastGood,
                    message: "the first \(size) entries no longer match \(held.source): an entry between index \(lastGood) and \(size - 1) was modified, inserted or removed\(firstChainBreak == nil && firstMalformed == nil ? ", and the chain was recomputed to hide it" : "")"))
            }
        }
        findings.sort { ($0.index ?? .max, $0.kind.rawValue) < ($1.index ?? .max, $1.kind.rawValue) }
        return Report(entries: count, rootHash: accumulator.root, checkpointsVerified: verified, tornTailBytes: max(0, scanned - lastEnd), findings: findings)
    }

    /// The first place the recorded indices stop counting 0, 1, 2, …, named for what happened.
    static func sequenceFinding(_ indices: [UInt64?]) -> Finding? {
        guard let position = indices.indices.first(where: { indices[$0] != UInt64($0) }) else { return nil }
        let at = UInt64(position)
        guard let found = indices[position] else { return nil }
        if found > at {
            // Entries were taken out here; were they moved later (reordered) or removed?
            if indices[(position + 1)...].contains(at) {
                return Finding(kind: .reordered, index: at, message: "entry \(found) stands where entry \(at) should be: entries were moved")
            }
            return Finding(kind: .missing, index: at, message: "entries \(at)…\(found - 1) are missing: entry \(found) follows entry \(Int64(at) - 1)")
        }
        if indices[..<position].contains(found) {
            return Finding(kind: .inserted, index: at, message: "an entry claiming index \(found) was inserted after entry \(at - 1)")
        }
        return Finding(kind: .reordered, index: at, message: "entry \(found) stands where entry \(at) should be: entries were moved")
    }
}

/// The `index` and `prev` members of a stored entry, read without decoding the rest: a
/// top-level scan that skips nested values. Verification reads millions of entries.
struct EntryFields {
    var index: UInt64
    var previous: String

    init?(_ line: ArraySlice<UInt8>) {
        var index: UInt64?
        var previous: String?
        var i = line.startIndex
        let end = line.endIndex
        func skipString(_ j: inout Int) -> Bool {
            j += 1
            while j < end {
                if line[j] == UInt8(ascii: "\\") { j += 2; continue }
                if line[j] == UInt8(ascii: "\"") { j += 1; return true }
                j += 1
            }
            return false
        }
        guard i < end, line[i] == UInt8(ascii: "{") else { return nil }
        i += 1
        while i < end {
            guard line[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i + 1
            guard skipString(&i) else { return nil }
            let key = line[keyStart..<(i - 1)]
            guard i < end, line[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            let valueStart = i
            // Skip the value, tracking nesting outside strings.
            var depth = 0
            while i < end {
                let c = line[i]
                if c == UInt8(ascii: "\"") { guard skipString(&i) else { return nil }; if depth == 0 { break }; continue }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    if depth == 0 { break }
                    depth -= 1
                    i += 1
                    if depth == 0 { break }
                    continue
                }
                if c == UInt8(ascii: ","), depth == 0 { break }
                i += 1
            }
            let value = line[valueStart..<i]
            if key.elementsEqual("index".utf8) { index = UInt64(String(decoding: value, as: UTF8.self)) }
            if key.elementsEqual("prev".utf8), value.count == 66 { previous = String(decoding: value.dropFirst().dropLast(), as: UTF8.self) }
            guard i < end else { return nil }
            if line[i] == UInt8(ascii: ",") { i += 1; continue }
            if line[i] == UInt8(ascii: "}") { break }
            return nil
        }
        guard let index, let previous else { return nil }
        self.index = index
        self.previous = previous
    }
}
