import AirlockAudit
import Foundation
import Testing

@Suite("airlock audit prove, consistency, checkpoint and key")
struct AuditProofCommandTests {
    func decode(_ text: String) throws -> [UInt8] { try #require(Base64.decode(text)) }

    @Test("an inclusion proof from prove verifies against the root of a signed checkpoint")
    func inclusion() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        for n in 0..<11 { _ = try cli.run(["check", "--", "echo \(n)"]) }
        let checkpoint = try cli.run(["audit", "checkpoint", "--new"])
        #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
        let note = try SignedNote(parsing: checkpoint.stdout)
        #expect(note.checkpoint.size == 11)
        for index in [0, 5, 10] {
            let result = try cli.run(["audit", "prove", "\(index)", "--size", "11"])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try cli.json(result.stdout)
            let proof = try (try #require(json["proof"] as? [String])).map(decode)
            let leaf = try decode(try #require(json["leaf_hash"] as? String))
            #expect(try decode(try #require(json["root_hash"] as? String)) == note.checkpoint.rootHash)
            #expect(Merkle.verifyInclusion(index: index, size: 11, leafHash: leaf, proof: proof, root: note.checkpoint.rootHash))
        }
        #expect(try cli.run(["audit", "prove", "11", "--size", "11"]).status == 64)
    }

    @Test("a consistency proof links an older checkpoint to a newer one")
    func consistency() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        for n in 0..<6 { _ = try cli.run(["check", "--", "echo \(n)"]) }
        let old = try SignedNote(parsing: try cli.run(["audit", "checkpoint", "--new"]).stdout)
        for n in 6..<13 { _ = try cli.run(["check", "--", "echo \(n)"]) }
        let new = try SignedNote(parsing: try cli.run(["audit", "checkpoint", "--new"]).stdout)
        let result = try cli.run(["audit", "consistency", "\(old.checkpoint.size)", "\(new.checkpoint.size)"])
        #expect(result.status == 0, "\(result.stderr)")
        let proof = try (try #require(try cli.json(result.stdout)["proof"] as? [String])).map(decode)
        #expect(Merkle.verifyConsistency(
            oldSize: Int(old.checkpoint.size), newSize: Int(new.checkpoint.size), oldRoot: old.checkpoint.rootHash,
            newRoot: new.checkpoint.rootHash, proof: proof))
        #expect(try cli.run(["audit", "consistency", "14"]).status == 64)
        // The latest checkpoint is what `checkpoint` prints without --new.
        #expect(try cli.run(["audit", "checkpoint"]).stdout == new.text)
    }

    @Test("the verifier key from init is what key prints, and it verifies the checkpoints")
    func key() throws {
        let cli = try CLIHarness()
        let initialised = try cli.run(["init"])
        let printed = try cli.run(["audit", "key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(initialised.stdout.contains(printed))
        let key = try #require(VerifierKey(text: printed))
        let mode = try FileManager.default.attributesOfItem(atPath: cli.home.appendingPathComponent(".airlock/keys/audit.key").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        _ = try cli.run(["check", "--", "ls"])
        let note = try SignedNote(parsing: try cli.run(["audit", "checkpoint", "--new"]).stdout)
        #expect(note.signatures(for: key).count == 1)
        #expect(try cli.run(["audit", "verify", "--key", printed]).status == 0)
        // A second init keeps the key.
        _ = try cli.run(["init", "--force"])
        #expect(try cli.run(["audit", "key"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == printed)
    }
}

@Suite("automatic checkpoints")
struct AuditCheckpointerTests {
    @Test("a check after a quiet minute starts a signer; checks within the minute do not")
    func signsWhenDue() throws {
        let cli = try CLIHarness()
        let checkpoints = cli.home.appendingPathComponent(".airlock/audit/checkpoints")
        // Without a signing key nothing is started.
        _ = try cli.run(["check", "--", "ls"])
        #expect(!FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent(".signing").path))
        #expect(try cli.run(["init"]).status == 0)
        _ = try cli.run(["check", "--", "pwd"])
        _ = try cli.run(["check", "--", "whoami"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).filter { $0.hasSuffix(".note") }.isEmpty)
        // Pretend the last signer started two minutes ago.
        let past = Date(timeIntervalSinceNow: -120)
        for path in [checkpoints.appendingPathComponent(".signing").path, checkpoints.path] {
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
        }
        _ = try cli.run(["check", "--", "date"])
        var notes: [String] = []
        for _ in 0..<100 where notes.isEmpty {
            usleep(50_000)
            notes = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path).filter { $0.hasSuffix(".note") }) ?? []
        }
        #expect(notes.count == 1, "a signer should have written one checkpoint")
        let verify = try cli.run(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("1 checkpoint(s) verified"))
    }
}
