// Checkpoints in the C2SP signed-note format (c2sp.org/signed-note, c2sp.org/tlog-checkpoint),
// so that witnesses, monitors and Go's golang.org/x/mod/sumdb/note can read what this log
// signs. Only the text format lives here; Ed25519 itself is injected by the CLI.

/// What is wrong with a signed note or checkpoint that failed to parse.
public enum NoteError: Error, Sendable, Hashable {
    /// An ASCII control character other than newline, which the format forbids anywhere.
    case controlCharacter
    /// The text does not end in a newline.
    case missingFinalNewline
    /// No blank line separates the body from the signatures.
    case missingSignatureBlock
    /// The body is not exactly origin, size and root hash lines; extension lines are refused
    /// because nothing here writes them and monitors cannot audit them.
    case wrongBodyLineCount(Int)
    /// The origin line is empty.
    case emptyOrigin
    /// The size line is not a decimal number without leading zeros that fits in 64 bits.
    case invalidTreeSize
    /// The root hash line is not canonical base64 of 32 bytes.
    case invalidRootHash
    /// The signature block holds no signature lines.
    case noSignatures
    /// More signature lines than `SignedNote.maximumSignatures`.
    case tooManySignatures
    /// Signature line `n` (1-based, within the signature block) is not
    /// `— name base64(keyID ‖ signature)`.
    case malformedSignatureLine(Int)
}

/// A log's signed statement of its size and Merkle root: the body of a checkpoint note.
public struct Checkpoint: Sendable, Hashable {
    /// Names the log; by convention a schema-less URL such as `example.com/host-1/audit`.
    public let origin: String
    /// How many entries the tree holds.
    public let size: UInt64
    /// The RFC 6962 root over the first `size` entries (32 bytes).
    public let rootHash: [UInt8]

    /// A checkpoint, or nil when the origin is empty or holds a control character (including
    /// newline), or the root is not 32 bytes: values whose body would not parse back.
    public init?(origin: String, size: UInt64, rootHash: [UInt8]) {
        guard !origin.isEmpty, !containsControlCharacter(origin.utf8), rootHash.count == 32 else { return nil }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
    }

    /// Parses a body of exactly `origin\nsize\nbase64(root)\n`.
    public init?(body: String) {
        guard case .success(let checkpoint) = Checkpoint.parse(body: body) else { return nil }
        self = checkpoint
    }

    /// The note text the log signs: `origin\nsize\nbase64(root)\n`.
    public var body: String {
        "\(origin)\n\(size)\n\(Base64.encode(rootHash))\n"
    }

    /// The exact bytes a signature covers: the body in UTF-8.
    public var signedMessage: [UInt8] { Array(body.utf8) }

    static func parse(body: String) -> Result<Checkpoint, NoteError> {
        let bytes = Array(body.utf8)
        if containsControlCharacter(bytes, allowingNewline: true) { return .failure(.controlCharacter) }
        guard bytes.last == newline else { return .failure(.missingFinalNewline) }
        let lines = bytes.dropLast().split(separator: newline, omittingEmptySubsequences: false)
        guard lines.count == 3 else { return .failure(.wrongBodyLineCount(lines.count)) }
        let originLine = lines[0], sizeLine = lines[1], rootLine = lines[2]
        guard !originLine.isEmpty else { return .failure(.emptyOrigin) }
        guard let size = parseTreeSize(sizeLine) else { return .failure(.invalidTreeSize) }
        guard let root = Base64.decode(String(decoding: rootLine, as: UTF8.self)), root.count == 32 else {
            return .failure(.invalidRootHash)
        }
        guard let checkpoint = Checkpoint(origin: String(decoding: originLine, as: UTF8.self), size: size, rootHash: root) else {
            return .failure(.emptyOrigin)
        }
        return .success(checkpoint)
    }

    private static func parseTreeSize(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard let first = digits.first, first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}

/// One signature line of a note: who signed (key name and id) and the signature bytes.
public struct NoteSignature: Sendable, Hashable {
    /// The signing key's name; non-empty, without spaces or `+`.
    public let name: String
    /// The first four bytes of the key's id hash (see `VerifierKey.keyID(name:publicKey:)`).
    public let keyID: [UInt8]
    /// The signature proper: 64 bytes for Ed25519. Other lengths are kept (a witness
    /// cosignature carries a timestamp too) so that notes cosigned by others still parse.
    public let signature: [UInt8]

    /// A signature, or nil when the name is not a valid key name, the key id is not 4 bytes or
    /// the signature is empty.
    public init?(name: String, keyID: [UInt8], signature: [UInt8]) {
        guard isValidKeyName(name), keyID.count == 4, !signature.isEmpty else { return nil }
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// Parses `— name base64(keyID ‖ signature)`, with or without the final newline.
    public init?(line: String) {
        var text = Substring(line)
        if text.utf8.last == newline { text = text.dropLast() }
        guard text.hasPrefix(signaturePrefix) else { return nil }
        let rest = text.dropFirst(signaturePrefix.count)
        guard let space = rest.firstIndex(of: " ") else { return nil }
        let name = String(rest[..<space])
        guard let decoded = Base64.decode(rest[rest.index(after: space)...]), decoded.count > 4 else { return nil }
        self.init(name: name, keyID: Array(decoded[0 ..< 4]), signature: Array(decoded[4...]))
    }

    /// `— name base64(keyID ‖ signature)\n`.
    public var line: String {
        "\(signaturePrefix)\(name) \(Base64.encode(keyID + signature))\n"
    }
}

/// A checkpoint with its signature lines: the text a log publishes and a witness cosigns.
public struct SignedNote: Sendable, Hashable {
    /// Signature lines accepted in one note; the spec asks for at least 16.
    public static let maximumSignatures = 100

    /// The signed body.
    public var checkpoint: Checkpoint
    /// The signature lines, in order.
    public var signatures: [NoteSignature]

    /// A note from its parts; it needs at least one signature before its text parses back.
    public init(checkpoint: Checkpoint, signatures: [NoteSignature]) {
        self.checkpoint = checkpoint
        self.signatures = signatures
    }

    /// Parses a note: the body, a blank line, then one or more signature lines. The body ends
    /// at the last blank line, as the signed-note spec says.
    public init(parsing text: String) throws(NoteError) {
        let bytes = Array(text.utf8)
        if containsControlCharacter(bytes, allowingNewline: true) { throw .controlCharacter }
        guard bytes.last == newline else { throw .missingFinalNewline }
        // The separator is "\n\n": the body's own final newline, then the blank line.
        var separator: Int?
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == newline, i + 1 < bytes.count, bytes[i + 1] == newline {
                separator = i
                break
            }
            i -= 1
        }
        guard let split = separator else { throw .missingSignatureBlock }
        let body = String(decoding: bytes[...split], as: UTF8.self)
        let block = bytes[(split + 2)...]
        switch Checkpoint.parse(body: body) {
        case .success(let checkpoint): self.checkpoint = checkpoint
        case .failure(let error): throw error
        }
        guard !block.isEmpty else { throw .noSignatures }
        let lines = block.dropLast().split(separator: newline, omittingEmptySubsequences: false)
        guard lines.count <= SignedNote.maximumSignatures else { throw .tooManySignatures }
        var signatures: [NoteSignature] = []
        for (number, line) in lines.enumerated() {
            guard let signature = NoteSignature(line: String(decoding: line, as: UTF8.self)) else {
                throw .malformedSignatureLine(number + 1)
            }
            signatures.append(signature)
        }
        self.signatures = signatures
    }

    /// The note as published: body, blank line, signature lines.
    public var text: String {
        checkpoint.body + "\n" + signatures.map(\.line).joined()
    }

    /// The exact bytes every signature covers: the body in UTF-8.
    public var signedMessage: [UInt8] { checkpoint.signedMessage }

    /// The signatures claiming to be from `key` (same name and key id); the caller must verify
    /// every one of them, and ignore all the others, as the spec requires.
    public func signatures(for key: VerifierKey) -> [NoteSignature] {
        signatures.filter { $0.name == key.name && $0.keyID == key.keyID }
    }
}

/// An Ed25519 note verifier key, written `name+hex(keyID)+base64(0x01 ‖ publicKey)` as in
/// Go's sumdb and the C2SP specs.
public struct VerifierKey: Sendable, Hashable {
    /// The key's name, which its signature lines carry.
    public let name: String
    /// `keyID(name:publicKey:)`, cached.
    public let keyID: [UInt8]
    /// The 32-byte Ed25519 public key.
    public let publicKey: [UInt8]

    /// The signed-note algorithm byte for Ed25519.
    public static let ed25519: UInt8 = 0x01

    /// A key, or nil when the name is empty, holds whitespace, a control character or `+`, or
    /// the public key is not 32 bytes.
    public init?(name: String, publicKey: [UInt8]) {
        guard isValidKeyName(name), publicKey.count == 32 else { return nil }
        self.name = name
        self.publicKey = publicKey
        self.keyID = VerifierKey.keyID(name: name, publicKey: publicKey)
    }

    /// Parses `name+hex(keyID)+base64(0x01 ‖ publicKey)`; nil unless the algorithm is Ed25519
    /// and the written key id is the one the name and key hash to.
    public init?(text: String) {
        guard let firstPlus = text.firstIndex(of: "+") else { return nil }
        let name = String(text[..<firstPlus])
        let afterName = text[text.index(after: firstPlus)...]
        // The base64 part may itself contain '+', so only the first two separate fields.
        guard let secondPlus = afterName.firstIndex(of: "+") else { return nil }
        let hex = afterName[..<secondPlus]
        guard let writtenID = Hex.decode(String(hex)), writtenID.count == 4 else { return nil }
        guard let keyBytes = Base64.decode(afterName[afterName.index(after: secondPlus)...]),
              keyBytes.count == 33, keyBytes[0] == VerifierKey.ed25519
        else { return nil }
        guard let key = VerifierKey(name: name, publicKey: Array(keyBytes[1...])), key.keyID == writtenID else { return nil }
        self = key
    }

    /// `name+hex(keyID)+base64(0x01 ‖ publicKey)`.
    public var text: String {
        "\(name)+\(Hex.encode(keyID))+\(Base64.encode([VerifierKey.ed25519] + publicKey))"
    }

    /// `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ publicKey)[0..<4]`: binds the short id to name, algorithm
    /// and key together.
    public static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        var hasher = SHA256.Hasher()
        hasher.update(name.utf8)
        hasher.update(byte: newline)
        hasher.update(byte: ed25519)
        hasher.update(publicKey)
        return Array(hasher.finalize().prefix(4))
    }
}

private let newline = UInt8(ascii: "\n")
private let signaturePrefix = "\u{2014} "

private func containsControlCharacter<C: Collection>(_ bytes: C, allowingNewline: Bool = false) -> Bool where C.Element == UInt8 {
    bytes.contains { $0 < 0x20 && !(allowingNewline && $0 == newline) }
}

private func isValidKeyName(_ name: String) -> Bool {
    !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
}

