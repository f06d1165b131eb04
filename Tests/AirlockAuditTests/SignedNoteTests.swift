import Testing
@testable import AirlockAudit

@Suite struct SignedNoteTests {
    // The example in c2sp.org/tlog-checkpoint.
    static let specCheckpoint = """
        example.com/behind-the-sofa
        20852163
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

        — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=

        """
    static let root = SHA256.hash(Array("root".utf8))

    static func signature(_ name: String, _ fill: UInt8, keyID: [UInt8] = [1, 2, 3, 4]) throws -> NoteSignature {
        try #require(NoteSignature(name: name, keyID: keyID, signature: [UInt8](repeating: fill, count: 64)))
    }

    @Test func parsesTheSpecExample() throws {
        let note = try SignedNote(parsing: Self.specCheckpoint)
        #expect(note.checkpoint.origin == "example.com/behind-the-sofa")
        #expect(note.checkpoint.size == 20_852_163)
        #expect(hex(note.checkpoint.rootHash) == "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62")
        #expect(note.signatures.count == 1)
        #expect(note.signatures[0].name == "example.com/behind-the-sofa")
        #expect(hex(note.signatures[0].keyID) == "033de0ae")
        #expect(note.signatures[0].signature.count == 64)
        #expect(note.text == Self.specCheckpoint)
        #expect(note.signedMessage == Array("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n".utf8))
    }

    @Test func checkpointBodyRoundTrips() throws {
        for size: UInt64 in [0, 1, 1042, UInt64.max] {
            let checkpoint = try #require(Checkpoint(origin: "example.com/host-1/audit", size: size, rootHash: Self.root))
            #expect(checkpoint.body == "example.com/host-1/audit\n\(size)\n\(Base64.encode(Self.root))\n")
            #expect(Checkpoint(body: checkpoint.body) == checkpoint)
            #expect(checkpoint.signedMessage == Array(checkpoint.body.utf8))
        }
    }

    @Test func checkpointRejectsInvalidParts() {
        #expect(Checkpoint(origin: "", size: 1, rootHash: Self.root) == nil)
        #expect(Checkpoint(origin: "a\nb", size: 1, rootHash: Self.root) == nil)
        #expect(Checkpoint(origin: "a\rb", size: 1, rootHash: Self.root) == nil)
        #expect(Checkpoint(origin: "log", size: 1, rootHash: Array(Self.root.dropLast())) == nil)
    }

    @Test(arguments: [
        "log\n1\n", // missing root line
        "log\n1\nROOT\nextension\n", // extension lines are refused
        "log\n1\nROOT", // no final newline
        "\n1\nROOT\n", // empty origin
        "log\n01\nROOT\n", "log\n00\nROOT\n", "log\n+1\nROOT\n", "log\n-1\nROOT\n", "log\n 1\nROOT\n",
        "log\n1 \nROOT\n", "log\n\nROOT\n", "log\n0x10\nROOT\n", "log\n18446744073709551616\nROOT\n",
        "log\n1\nSHORT\n", "log\n1\nAAAA\n", "log\n1\n\n",
        "log\r\n1\nROOT\n", "lo\tg\n1\nROOT\n", // control characters
    ])
    func checkpointBodyRejects(template: String) {
        let body = template
            .replacingAll("SHORT", with: Base64.encode(Self.root.dropLast()))
            .replacingAll("ROOT", with: Base64.encode(Self.root))
        #expect(Checkpoint(body: body) == nil, "\(body.debugDescription)")
    }

    @Test func checkpointAcceptsBoundaries() {
        let root = Base64.encode(Self.root)
        #expect(Checkpoint(body: "log\n0\n\(root)\n")?.size == 0)
        #expect(Checkpoint(body: "log\n18446744073709551615\n\(root)\n")?.size == UInt64.max)
        // Origins are opaque: spaces and non-ASCII are allowed (only SHOULD-avoided).
        #expect(Checkpoint(body: "my log — ü\n7\n\(root)\n")?.origin == "my log — ü")
    }

    @Test func signatureLinesRoundTrip() throws {
        let signature = try Self.signature("example.com/host-1/audit", 0xAB)
        #expect(signature.line.hasPrefix("\u{2014} example.com/host-1/audit "))
        #expect(signature.line.hasSuffix("\n"))
        #expect(NoteSignature(line: signature.line) == signature)
        #expect(NoteSignature(line: String(signature.line.dropLast())) == signature)
        // A witness cosignature (key id, 8-byte timestamp, signature) is kept, not refused.
        let cosignature = try #require(NoteSignature(name: "witness", keyID: [9, 9, 9, 9], signature: [UInt8](repeating: 1, count: 72)))
        #expect(NoteSignature(line: cosignature.line)?.signature.count == 72)
    }

    @Test(arguments: [
        "- name AAAAAAAA", // hyphen, not em dash
        "—name AAAAAAAA", "— name", "— name ", "—  AAAAAAAA", "— na me AAAAAAAA", "— na+me AAAAAAAA",
        "— name AAAA", // 3 bytes: no room for a key id and a signature
        "— name AAAAAA==", // 4 bytes: a key id and nothing signed
        "— name AAAAAAA", "— name AAAAAAAA ", "— name AAAA AAAA", "— name AAAAAAA!",
        "", "\n",
    ])
    func malformedSignatureLines(line: String) {
        #expect(NoteSignature(line: line) == nil)
    }

    @Test func signatureFieldsAreValidated() {
        #expect(NoteSignature(name: "", keyID: [1, 2, 3, 4], signature: [1]) == nil)
        #expect(NoteSignature(name: "a b", keyID: [1, 2, 3, 4], signature: [1]) == nil)
        #expect(NoteSignature(name: "a\u{00A0}b", keyID: [1, 2, 3, 4], signature: [1]) == nil)
        #expect(NoteSignature(name: "a+b", keyID: [1, 2, 3, 4], signature: [1]) == nil)
        #expect(NoteSignature(name: "ab", keyID: [1, 2, 3], signature: [1]) == nil)
        #expect(NoteSignature(name: "ab", keyID: [1, 2, 3, 4], signature: []) == nil)
    }

    @Test func noteTextRoundTripsWithSeveralSignatures() throws {
        let checkpoint = try #require(Checkpoint(origin: "example.com/host-1/audit", size: 1042, rootHash: Self.root))
        let note = SignedNote(checkpoint: checkpoint, signatures: [
            try Self.signature("example.com/host-1/audit", 1),
            try Self.signature("witness.example/w1", 2, keyID: [5, 6, 7, 8]),
        ])
        #expect(note.text == checkpoint.body + "\n" + note.signatures[0].line + note.signatures[1].line)
        #expect(try SignedNote(parsing: note.text) == note)
    }

    @Test func noteParsingNamesWhatIsWrong() throws {
        let checkpoint = try #require(Checkpoint(origin: "log", size: 3, rootHash: Self.root))
        let line = try Self.signature("log", 1).line
        let body = checkpoint.body
        func error(_ text: String) -> NoteError? {
            do {
                _ = try SignedNote(parsing: text)
                return nil
            } catch {
                return error
            }
        }
        #expect(error(body + "\n" + line) == nil)
        #expect(error(body + "\n") == .noSignatures)
        #expect(error(body + line) == .missingSignatureBlock)
        #expect(error(body + "\n" + String(line.dropLast())) == .missingFinalNewline)
        #expect(error(body + "\n" + line + "— bad\n") == .malformedSignatureLine(2))
        #expect(error(body + "\n" + line + line + "x\n") == .malformedSignatureLine(3))
        #expect(error(body + "\n" + line + "\n") == .wrongBodyLineCount(5))
        #expect(error("log\n3\n" + Base64.encode(Self.root) + "\nextra\n\n" + line) == .wrongBodyLineCount(4))
        #expect(error("log\n03\n" + Base64.encode(Self.root) + "\n\n" + line) == .invalidTreeSize)
        #expect(error("log\n3\nAAAA\n\n" + line) == .invalidRootHash)
        #expect(error("\n3\n" + Base64.encode(Self.root) + "\n\n" + line) == .emptyOrigin)
        #expect(error(body + "\n" + line.replacingAll("log", with: "l\u{7}g")) == .controlCharacter)
        #expect(error(body + "\n" + String(repeating: line, count: 101)) == .tooManySignatures)
        #expect(error(body + "\n" + String(repeating: line, count: 100)) == nil)
        #expect(error("") == .missingFinalNewline)
        #expect(error("\n") == .missingSignatureBlock)
    }

    @Test func peterNeumannVerifierKey() throws {
        // The example verifier key in c2sp.org/signed-note and golang.org/x/mod/sumdb/note.
        let text = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        let key = try #require(VerifierKey(text: text))
        #expect(key.name == "PeterNeumann")
        #expect(hex(key.keyID) == "c74f20a3")
        #expect(key.publicKey.count == 32)
        #expect(VerifierKey.keyID(name: "PeterNeumann", publicKey: key.publicKey) == bytes(hex: "c74f20a3"))
        #expect(key.text == text)
        #expect(VerifierKey(name: "PeterNeumann", publicKey: key.publicKey) == key)
        #expect(VerifierKey(text: "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")?.text == text)
    }

    @Test(arguments: [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // wrong key id
        "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // name not hashed to that id
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", // algorithm 0x02
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",   // 31-byte key
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",
        "PeterNeumann+c74f20a3", "PeterNeumann", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "",
    ])
    func malformedVerifierKeys(text: String) {
        #expect(VerifierKey(text: text) == nil)
    }

    @Test func verifierKeyRoundTripsWithPlusInTheBase64() throws {
        // A key whose base64 holds '+': only the first two '+' separate fields.
        let publicKey = [UInt8](repeating: 0xFB, count: 32)
        let key = try #require(VerifierKey(name: "example.com/host-1/audit", publicKey: publicKey))
        #expect(key.text.filter { $0 == "+" }.count > 2)
        #expect(VerifierKey(text: key.text) == key)
        #expect(VerifierKey(name: "a b", publicKey: publicKey) == nil)
        #expect(VerifierKey(name: "a+b", publicKey: publicKey) == nil)
        #expect(VerifierKey(name: "ab", publicKey: Array(publicKey.dropLast())) == nil)
    }

    @Test func signaturesForAKeyMatchNameAndID() throws {
        let key = try #require(VerifierKey(name: "log", publicKey: [UInt8](repeating: 7, count: 32)))
        let mine = try Self.signature("log", 1, keyID: key.keyID)
        let sameNameOtherKey = try Self.signature("log", 2, keyID: [0, 0, 0, 0])
        let sameIDOtherName = try Self.signature("other", 3, keyID: key.keyID)
        let checkpoint = try #require(Checkpoint(origin: "log", size: 1, rootHash: Self.root))
        let note = SignedNote(checkpoint: checkpoint, signatures: [sameNameOtherKey, mine, sameIDOtherName, mine])
        #expect(note.signatures(for: key) == [mine, mine])
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
