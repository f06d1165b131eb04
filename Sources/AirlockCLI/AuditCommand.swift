import AirlockAudit
import AirlockRuntime
import ArgumentParser

/// `airlock audit …`: prove, read and ship the tamper-evident log of every decision.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, prove, read and forward the tamper-evident decision log.",
        discussion: """
            Every decision Airlock makes is appended to $AIRLOCK_HOME/audit/log.jsonl before the \
            action it permits runs. The entries form an RFC 6962 Merkle tree; signed checkpoints \
            (C2SP signed-note format, Ed25519) commit to its size and root, so anyone holding the \
            verifier key and an earlier checkpoint can prove the log was not edited, reordered, \
            truncated or rewritten. See docs/audit.md.
            """,
        subcommands: [
            AuditVerifyCommand.self, AuditCheckpointCommand.self, AuditProveCommand.self, AuditConsistencyCommand.self, AuditKeyCommand.self,
            AuditTailCommand.self, AuditExportCommand.self, AuditForwardCommand.self,
        ])
}

/// Where the log lives: `$AIRLOCK_HOME/audit`.
enum AuditLocation {
    static var home: String {
        let environment = ProcessFacts.environment()
        return AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
    }

    static var directory: String { home + "/audit" }

    static func store() -> AuditStore { AuditStore(directory: directory) }
}
