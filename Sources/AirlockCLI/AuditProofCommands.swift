import AirlockAudit
import AirlockRuntime
import ArgumentParser
import Foundation

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the log's Merkle tree and check it against every signed checkpoint.",
        discussion: """
            Checks that the entries count 0, 1, 2, … with nothing missing, inserted or moved; that \
            each entry still hashes to what the next one recorded; that every stored checkpoint \
            is signed by the trusted key and matches the tree at its size; and that no two \
            checkpoints contradict each other. With --checkpoint, also proves the log extends a \
            checkpoint you kept elsewhere: the only defence against a log truncated or rewritten \
            together with its stored checkpoints.

            Exit codes: 0 intact, 1 tampered (the first bad index and what is wrong are named), \
            64 usage error.

            Examples:
              airlock audit verify
              airlock audit verify --key "$(cat verifier.pub)" --checkpoint /mnt/offsite/checkpoint-1042
            """)

    @Option(help: ArgumentHelp("The verifier key to trust (name+keyid+base64, or a file holding it). Default: $AIRLOCK_HOME/keys/audit.pub.", valueName: "verifier"))
    var key: String?

    @Option(help: ArgumentHelp("A checkpoint held outside this machine that the log must extend (repeatable).", valueName: "file"))
    var checkpoint: [String] = []

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let keys = try AuditKeys(home: AuditLocation.home).trustedKeys(explicit: key)
        var held: [AuditVerifier.HeldCheckpoint] = []
        for path in checkpoint {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read checkpoint \(path)") }
            do {
                held.append(AuditVerifier.HeldCheckpoint(note: try SignedNote(parsing: text), source: "held checkpoint \(path)"))
            } catch {
                throw ValidationError("\(path) is not a signed checkpoint: \(error)")
            }
        }
        let interactive = isatty(STDERR_FILENO) == 1
        let started = Date()
        let verifier = AuditVerifier(keys: keys, checkSignature: AuditKeys.checkSignature) { done in
            if interactive { FileHandle.standardError.write(Data("\rverifying: \(done) entries…".utf8)) }
        }
        let report: AuditVerifier.Report
        do {
            report = try verifier.verify(AuditLocation.store(), held: held)
        } catch {
            throw CLIError("\(error)")
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let seconds = Date().timeIntervalSince(started)
        switch format {
        case .json:
            let object: JSON = .object([
                "intact": .bool(report.intact), "entries": .int(Int(report.entries)), "root": .string(Data(report.rootHash).base64EncodedString()),
                "checkpoints_verified": .int(report.checkpointsVerified), "torn_tail_bytes": .int(report.tornTailBytes),
                "findings": .array(report.findings.map { finding in
                    .object(["kind": .string(finding.kind.rawValue), "index": finding.index.map { .int(Int($0)) } ?? .null, "message": .string(finding.message)])
                }),
            ])
            Console.out(object.text)
        case .text:
            if report.intact {
                Console.out("intact: \(report.entries) entries, root \(Data(report.rootHash).base64EncodedString()), \(report.checkpointsVerified) checkpoint(s) verified (\(String(format: "%.2f", seconds)) s)")
            } else {
                Console.out("TAMPERED: \(report.findings.count) problem(s) in \(report.entries) entries")
                for finding in report.findings { Console.out("  \(finding)") }
            }
            if report.tornTailBytes > 0 {
                Console.out("note: \(report.tornTailBytes) bytes after the last entry are an unfinished write that was never acknowledged; the next append discards and records it")
            }
            if report.checkpointsVerified == 0 && report.intact {
                Console.out("note: no checkpoint covers this log yet; a person runs 'airlock audit checkpoint --new' and keeps a copy elsewhere")
            }
        }
        if !report.intact { throw ExitCode(1) }
    }
}

struct AuditCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the latest signed checkpoint, or sign a new one with --new.",
        discussion: """
            A checkpoint (C2SP signed-note format) names the log, its size and its Merkle root, \
            signed with the log's Ed25519 key. Keep copies off this machine (or let 'airlock audit \
            forward' ship them): 'airlock audit verify --checkpoint FILE' then proves the log was \
            neither truncated nor rewritten since.
            """)

    @Flag(help: "Sign a checkpoint of the log as it is now (refused if the log contradicts the latest checkpoint).")
    var new = false

    func run() throws {
        let store = AuditLocation.store()
        if new {
            let note = try AuditKeys(home: AuditLocation.home).signCheckpoint(store)
            Console.out(note.text)
            return
        }
        guard let latest = try store.checkpointNotes().last else {
            throw CLIError("no checkpoint yet; run 'airlock audit checkpoint --new'")
        }
        Console.out(latest.text)
    }
}

struct AuditProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print an RFC 6962 inclusion proof that entry INDEX is in the tree of SIZE entries, as JSON.")

    @Argument(help: "The entry's index.")
    var index: Int

    @Option(help: "The tree size to prove against (default: the whole log).")
    var size: Int?

    func run() throws {
        let leaves = try AuditLeaves.read()
        let treeSize = size ?? leaves.count
        guard treeSize <= leaves.count, treeSize > 0 else { throw ValidationError("--size must be between 1 and \(leaves.count)") }
        guard index >= 0, index < treeSize else { throw ValidationError("INDEX must be below the tree size \(treeSize)") }
        let proof = Merkle.inclusionProof(index: index, leafHashes: leaves[..<treeSize])
        let object: JSON = .object([
            "index": .int(index), "tree_size": .int(treeSize),
            "leaf_hash": .string(Data(leaves[index]).base64EncodedString()),
            "root_hash": .string(Data(Merkle.root(leaves[..<treeSize])).base64EncodedString()),
            "proof": .array(proof.map { .string(Data($0).base64EncodedString()) }),
        ])
        Console.out(object.text)
    }
}

struct AuditConsistencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency",
        abstract: "Print an RFC 6962 consistency proof that the first OLD_SIZE entries are a prefix of the first NEW_SIZE, as JSON.")

    @Argument(help: "The older tree size.")
    var oldSize: Int

    @Argument(help: "The newer tree size (default: the whole log).")
    var newSize: Int?

    func run() throws {
        let leaves = try AuditLeaves.read()
        let new = newSize ?? leaves.count
        guard new <= leaves.count else { throw ValidationError("NEW_SIZE \(new) is more than the log's \(leaves.count) entries") }
        guard oldSize >= 1, oldSize <= new else { throw ValidationError("OLD_SIZE must be between 1 and NEW_SIZE (\(new))") }
        let proof = Merkle.consistencyProof(oldSize: oldSize, leafHashes: leaves[..<new])
        let object: JSON = .object([
            "old_size": .int(oldSize), "new_size": .int(new),
            "old_root": .string(Data(Merkle.root(leaves[..<oldSize])).base64EncodedString()),
            "new_root": .string(Data(Merkle.root(leaves[..<new])).base64EncodedString()),
            "proof": .array(proof.map { .string(Data($0).base64EncodedString()) }),
        ])
        Console.out(object.text)
    }
}

struct AuditKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print the log's verifier key (name+keyid+base64), to keep with the people who verify it.")

    func run() throws {
        let keys = try AuditKeys(home: AuditLocation.home).trustedKeys(explicit: nil)
        for key in keys { Console.out(key.text) }
    }
}

/// Every entry's leaf hash, for proofs.
enum AuditLeaves {
    static func read() throws -> [[UInt8]] {
        var leaves: [[UInt8]] = []
        do {
            try AuditLocation.store().forEachEntry { line, _ in
                leaves.append(Merkle.leafHash(line))
                return true
            }
        } catch {
            throw CLIError("\(error)")
        }
        guard !leaves.isEmpty else { throw CLIError("the audit log is empty") }
        return leaves
    }
}
