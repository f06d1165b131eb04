import AirlockAudit
import AirlockRuntime
import ArgumentParser
import Crypto
import Foundation

/// The log's Ed25519 signing key under `$AIRLOCK_HOME/keys/` (the private key mode 0600, the
/// verifier key beside it), and signing checkpoints with it.
struct AuditKeys {
    let home: String
    var directory: String { home + "/keys" }
    var privateKeyPath: String { directory + "/audit.key" }
    var verifierPath: String { directory + "/audit.pub" }

    /// The log's name: the checkpoint's origin line and the key's name.
    static var origin: String { "airlock/\(AuditHost.name)/audit" }

    /// Creates the key unless it exists; returns the verifier key and whether it is new.
    func ensure() throws -> (verifier: VerifierKey, created: Bool) {
        if let existing = try? loadPrivateKey() { return (try Self.verifier(for: existing.publicKey), false) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let key = Curve25519.Signing.PrivateKey()
        let encoded = Data(key.rawRepresentation).base64EncodedString() + "\n"
        guard FileManager.default.createFile(atPath: privateKeyPath, contents: Data(encoded.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(privateKeyPath)")
        }
        let verifier = try Self.verifier(for: key.publicKey)
        try (verifier.text + "\n").write(toFile: verifierPath, atomically: true, encoding: .utf8)
        return (verifier, true)
    }

    func loadPrivateKey() throws -> Curve25519.Signing.PrivateKey {
        guard let text = try? String(contentsOfFile: privateKeyPath, encoding: .utf8) else {
            throw CLIError("no audit signing key at \(privateKeyPath); a person runs 'airlock init' to create one")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIError("\(privateKeyPath) is not a base64 Ed25519 key")
        }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// The verifier key the log's checkpoints are checked with: from `--key`, else this
    /// machine's `audit.pub`.
    func trustedKeys(explicit: String?) throws -> [VerifierKey] {
        if let explicit {
            let text = FileManager.default.fileExists(atPath: explicit) ? try String(contentsOfFile: explicit, encoding: .utf8) : explicit
            guard let key = VerifierKey(text: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw ValidationError("--key must be a verifier key (name+keyid+base64) or a file holding one")
            }
            return [key]
        }
        guard let text = try? String(contentsOfFile: verifierPath, encoding: .utf8), let key = VerifierKey(text: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CLIError("no verifier key: pass --key VERIFIER, or run 'airlock init' to create the log's key")
        }
        return [key]
    }

    static func verifier(for publicKey: Curve25519.Signing.PublicKey) throws -> VerifierKey {
        guard let key = VerifierKey(name: origin, publicKey: Array(publicKey.rawRepresentation)) else {
            throw CLIError("the host name \(AuditHost.name) cannot name an audit key (it holds '+' or spaces)")
        }
        return key
    }

    static func checkSignature(_ publicKey: [UInt8], _ message: [UInt8], _ signature: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }

    /// Signs a checkpoint of the log as it is now, after checking it still matches the latest
    /// stored checkpoint: a log must never sign two checkpoints that contradict each other.
    func signCheckpoint(_ store: AuditStore) throws -> SignedNote {
        let key = try loadPrivateKey()
        let verifier = try Self.verifier(for: key.publicKey)
        var leaves: [[UInt8]] = []
        // Only what appenders have acknowledged: a checkpoint must never cover an append that
        // is not yet durable. Without a head (a new or damaged log), only whole lines.
        try store.forEachEntry(limit: store.acknowledgedLength()) { line, _ in
            leaves.append(Merkle.leafHash(line))
            return true
        }
        if let (size, text) = try store.checkpointNotes().last, let latest = try? SignedNote(parsing: text) {
            guard size <= UInt64(leaves.count), Merkle.root(leaves[..<Int(size)]) == latest.checkpoint.rootHash else {
                throw CLIError("the log no longer matches its checkpoint at \(size) entries; refusing to sign a contradicting one (run 'airlock audit verify')")
            }
        }
        guard let checkpoint = Checkpoint(origin: Self.origin, size: UInt64(leaves.count), rootHash: Merkle.root(leaves[...])) else {
            throw CLIError("cannot form a checkpoint named \(Self.origin)")
        }
        let signature = try key.signature(for: checkpoint.signedMessage)
        guard let line = NoteSignature(name: verifier.name, keyID: verifier.keyID, signature: Array(signature)) else {
            throw CLIError("cannot form a signature line for \(verifier.name)")
        }
        let note = SignedNote(checkpoint: checkpoint, signatures: [line])
        try store.saveCheckpoint(note.text, size: checkpoint.size)
        return note
    }
}
