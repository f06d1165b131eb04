import AirlockAudit
import AirlockJournal
import AirlockPostgresProxy
import AirlockRuntime
import ArgumentParser
import Foundation

/// `airlock undo AUDIT_INDEX`: puts back what an approved statement changed or removed, from
/// the journal entry its audit record names.
struct UndoCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Restore what an approved statement changed or removed, from the undo journal.",
        discussion: """
            Before the PostgreSQL proxy runs an approved UPDATE or DELETE it saves the rows it \
            is about to change (their pre-images), and before an approved DROP TABLE or \
            TRUNCATE it saves the whole table, in $AIRLOCK_HOME/journal (outside the database, \
            out of the agent's reach). The statement's audit record names that journal entry; \
            `airlock audit tail` shows the records and their indexes, `airlock journal list` \
            the entries.

            undo reads the record at AUDIT_INDEX, connects to the entry's upstream with \
            Airlock's credentials and, in one transaction: inserts deleted rows again, writes \
            updated rows' old values back by primary key, reloads a truncated table, or \
            recreates a dropped table (columns, defaults, constraints, indexes, sequences) and \
            reloads it. Any problem rolls everything back: a deleted row whose key exists again, \
            an updated row no longer found by its key (deleted since, or the UPDATE changed the \
            key), a dropped table whose name is taken again, a data file that no longer matches \
            its checksum. The message names the table and the data file (`zcat FILE` shows the \
            saved rows as COPY text).

            --dry-run does all of it and rolls back, reporting what would be restored. A real \
            undo must be run by a person at a terminal (not an agent), is recorded in the \
            audit log, and marks the entry restored: undoing it again is refused unless \
            --force. Shows a progress bar on stderr when stderr is a terminal.

            Exit codes: 0 restored (or the dry run succeeded), 1 not restored (the message says \
            why and what to do), 64 usage error.

            Examples:
              airlock undo 1234 --dry-run
              airlock undo 1234
              airlock undo 1234 --format json
            """)

    @Argument(help: ArgumentHelp("The audit record of the statement to undo (its index in `airlock audit tail`).", valueName: "audit-index"))
    var auditIndex: UInt64

    @Flag(help: "Do everything in a transaction that is rolled back: report what would be restored, change nothing.")
    var dryRun = false

    @Flag(help: "Restore an entry that was restored before, or load a truncated table's rows into a table that has rows again (rows may then be written twice).")
    var force = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "A policy file instead of $AIRLOCK_HOME/policy.yaml (to check upstreams' environments).")
    var policy: String?

    func run() throws {
        let environment = ProcessFacts.environment()
        // An undo writes to the database with Airlock's credentials, outside the gate: a person
        // must run it, as they must approve.
        if !dryRun { try HumanPresence.require("undo", environment: environment) }
        let home = JournalCLI.home
        let audit = AuditStore(directory: home + "/audit")
        let record = try Self.record(at: auditIndex, in: audit)
        guard let id = record.journal else {
            throw CLIError(
                "audit record \(auditIndex) (\(record.outcome.rawValue): \(record.action.text.prefix(80))) names no journal entry: only UPDATE, "
                    + "DELETE, DROP TABLE and TRUNCATE statements the PostgreSQL proxy ran are journaled. `airlock journal list` shows what can be restored")
        }
        let journal = Journal(home: home)
        let entry: JournalEntry
        do { entry = try journal.entry(id) } catch { throw CLIError("audit record \(auditIndex) names journal entry \(id), which cannot be read: \(error)") }
        let upstream = try JournalCLI.upstream(named: entry.upstream, in: try JournalCLI.upstreams(home: home, policy: policy), home: home, entry: id)

        let progress = ProgressLine(enabled: ProcessFacts.isTerminal(2))
        let user = ProcessFacts.userName()
        let (dryRun, force, auditIndex) = (self.dryRun, self.force, self.auditIndex)
        let report: RestoreReport
        do {
            report = try JournalCLI.withConnection(to: upstream) { connection in
                try await JournalRestore.undo(
                    entry, journal: journal, over: connection, dryRun: dryRun, force: force, auditIndex: auditIndex, user: user,
                    progress: { progress.update($0) })
            }
            progress.finish()
        } catch {
            progress.finish()
            throw CLIError("\(error)")
        }
        var recorded: UInt64?
        if !dryRun {
            do {
                recorded = try audit.append([Self.auditRecord(report, entry: entry, undoing: auditIndex, user: user, environment: upstream.environment)]).first?.index
            } catch {
                Console.err("airlock: the undo was committed, but recording it in the audit log failed: \(error)")
            }
        }
        print(report, entry: entry, recorded: recorded)
    }

    private func print(_ report: RestoreReport, entry: JournalEntry, recorded: UInt64?) {
        switch format {
        case .json:
            Console.out(JSON.object([
                "entry": .string(report.entry), "kind": .string(report.kind.rawValue), "dry_run": .bool(report.dryRun),
                "audit_index": .int(Int(auditIndex)), "upstream": .string(entry.upstream), "database": .string(entry.database),
                "rows": .int(report.rows), "undo_audit_index": recorded.map { .int(Int($0)) } ?? .null,
                "already_restored": .bool(report.alreadyRestored != nil),
                "tables": .array(report.tables.map { .object(["name": .string($0.name), "action": .string($0.action), "rows": .int($0.rows)]) }),
            ]).text)
        case .text:
            let verb = report.dryRun ? "would restore" : "restored"
            Console.out("\(verb) journal entry \(report.entry) (\(report.kind.rawValue) on \(entry.upstream)/\(entry.database)), for audit record \(auditIndex):")
            for table in report.tables { Console.out("  \(table.name): \(table.rows) rows \(report.dryRun ? "to be " : "")\(table.action)") }
            if report.dryRun {
                Console.out("dry run: everything was rolled back; nothing changed. Run without --dry-run to restore.")
            } else if let recorded {
                Console.out("recorded as audit record \(recorded)")
            }
            if let previous = report.alreadyRestored { Console.out("note: this entry was already restored at \(previous.restored) by \(previous.user)") }
        }
    }

    /// The audit record at `index` (records are numbered from 0 in log order).
    static func record(at index: UInt64, in store: AuditStore) throws -> AuditRecord {
        var found: AuditRecord?
        var position: UInt64 = 0
        var unreadable: String?
        do {
            try store.forEachEntry { line, _ in
                defer { position += 1 }
                guard position == index else { return true }
                do { found = try AuditRecord(bytes: line) } catch { unreadable = "\(error)" }
                return false
            }
        } catch {
            throw CLIError("cannot read the audit log \(store.logPath): \(error)")
        }
        if let unreadable { throw CLIError("audit record \(index) is not a readable record (\(unreadable)); run `airlock audit verify`") }
        guard let found else {
            throw CLIError("the audit log \(store.logPath) has \(position) records; there is no record \(index) (see `airlock audit tail`)")
        }
        guard found.index == index else {
            throw CLIError("line \(index) of \(store.logPath) holds record \(found.index): the log is out of order; run `airlock audit verify`")
        }
        return found
    }

    /// The undo in the audit log, as the control verbs record theirs: who restored which entry
    /// for which record.
    static func auditRecord(_ report: RestoreReport, entry: JournalEntry, undoing index: UInt64, user: String, environment: String) -> AuditRecord {
        let tables = report.tables.map { "\($0.name) \($0.rows) rows \($0.action)" }.joined(separator: ", ")
        var record = AuditRecord(
            timestamp: AuditClock.now(), outcome: .allowed, door: .control,
            action: AuditRecord.Action(kind: "control", text: "airlock undo \(index)" + (report.alreadyRestored != nil ? " --force" : "")),
            environment: environment, rule: AuditRecord.Rule(id: "undo", type: "control", pattern: ""),
            reason: "\(user) restored journal entry \(entry.id) (\(entry.kind.rawValue) on \(entry.upstream)/\(entry.database)) for audit record \(index): \(tables)",
            context: AuditRecord.Context(user: user, agent: nil, session: nil, workingDirectory: ProcessFacts.currentDirectory() ?? "/", host: AuditHost.name),
            policyDigest: "")
        record.journal = entry.id
        return record
    }
}
