import AirlockJournal
import AirlockPostgresProxy
import AirlockRuntime
import ArgumentParser
import Foundation

/// `airlock journal …`: what the undo journal holds, and proof that it restores.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "List the undo journal's entries and prove they restore.",
        discussion: """
            The PostgreSQL proxy writes a journal entry before each approved UPDATE or DELETE \
            (the rows it changes, as they were) and each approved DROP TABLE or TRUNCATE (the \
            whole table: definition and rows), to $AIRLOCK_HOME/journal/<id>/ (manifest.json \
            and gzip'd COPY text data files, readable with zcat). `airlock undo AUDIT_INDEX` \
            restores one.
            """,
        subcommands: [JournalListCommand.self, JournalVerifyCommand.self])
}

struct JournalListCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show the journal's entries: what can be restored, oldest first.",
        discussion: """
            One entry per line: its id, when it was taken, its kind (update, delete, drop, \
            truncate), the upstream and database, each table with its rows, the size of its \
            data, and whether it has been restored. Entries that cannot be read are listed as \
            damaged (never skipped), and entries still being written (or left by a crash while \
            being written) are counted as unfinished.

            Exit codes: 0 listed, 1 some entry is damaged (the others are still listed), 64 \
            usage error.
            """)

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let journal = Journal(home: JournalCLI.home)
        let listing: JournalListing
        do { listing = try journal.listing() } catch { throw CLIError("\(error)") }
        var rows: [(entry: JournalEntry, restored: JournalRestoration?, problem: String?)] = []
        for entry in listing.entries {
            do { rows.append((entry, try journal.restoration(of: entry.id), nil)) } catch { rows.append((entry, nil, "\(error)")) }
        }
        switch format {
        case .json:
            let entries: [JSON] = rows.map { row in
                var object: [String: JSON] = [
                    "id": .string(row.entry.id), "created": .string(row.entry.created), "kind": .string(row.entry.kind.rawValue),
                    "upstream": .string(row.entry.upstream), "database": .string(row.entry.database), "environment": .string(row.entry.environment),
                    "agent": .string(row.entry.agent), "statement": .string(row.entry.statement), "bytes": .int(row.entry.totalBytes),
                    "rows": .int(row.entry.totalRows),
                    "tables": .array(row.entry.tables.map { .object(["name": .string($0.displayName), "rows": .int($0.rows), "bytes": .int($0.dataBytes)]) }),
                    "restored": row.restored.map { .string($0.restored) } ?? .null,
                ]
                if let problem = row.problem { object["problem"] = .string(problem) }
                return .object(object)
            }
            Console.out(JSON.object([
                "entries": .array(entries),
                "damaged": .array(listing.problems.map { .object(["id": .string($0.id), "message": .string($0.message)]) }),
                "unfinished": .strings(listing.unfinished),
            ]).text)
        case .text:
            if rows.isEmpty && listing.problems.isEmpty { Console.out("the journal at \(journal.directory) is empty") }
            for row in rows {
                let tables = row.entry.tables.map { "\($0.displayName) (\($0.rows) rows)" }.joined(separator: ", ")
                let restored = row.restored.map { "  restored \($0.restored) by \($0.user)" } ?? ""
                Console.out(
                    "\(row.entry.id)  \(row.entry.created)  \(row.entry.kind.rawValue)  \(row.entry.upstream)/\(row.entry.database)  "
                        + "\(tables.isEmpty ? "no tables" : tables)  \(JournalCLI.size(row.entry.totalBytes))\(restored)")
                if let problem = row.problem { Console.out("  problem: \(problem)") }
            }
            for problem in listing.problems { Console.out("\(problem.id)  DAMAGED: \(problem.message)") }
            if !listing.unfinished.isEmpty {
                Console.out("\(listing.unfinished.count) unfinished (being written now, or left by a crash): \(listing.unfinished.joined(separator: ", "))")
            }
        }
        if !listing.problems.isEmpty { throw ExitCode(1) }
    }
}

struct JournalVerifyCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove journal entries restore: checksums, then a restore into a scratch schema.",
        discussion: """
            For each entry (all, or the IDs given): checks every data file's SHA-256 and size \
            against its manifest, then connects to the entry's upstream as Airlock and, in a \
            transaction that is always rolled back, restores each table into a new scratch \
            schema (airlock_verify_…) — recreated from its saved definition, or for row \
            pre-images from the saved column types — and checks the row count. Foreign keys to \
            other tables are not checked (that would lock them). Airlock's database user needs \
            the CREATE privilege on the database.

            Exit codes: 0 every entry restores, 1 some entry does not (each failure named), 64 \
            usage error.
            """)

    @Argument(help: ArgumentHelp("Entries to verify (default: all).", valueName: "id"))
    var ids: [String] = []

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "A policy file instead of $AIRLOCK_HOME/policy.yaml (to check upstreams' environments).")
    var policy: String?

    func run() throws {
        let home = JournalCLI.home
        let journal = Journal(home: home)
        var entries: [JournalEntry] = []
        var reports: [VerifyReport] = []
        var failures: [(id: String, message: String)] = []
        if ids.isEmpty {
            let listing: JournalListing
            do { listing = try journal.listing() } catch { throw CLIError("\(error)") }
            entries = listing.entries
            failures += listing.problems.map { ($0.id, "damaged: \($0.message)") }
        } else {
            for id in ids {
                do { entries.append(try journal.entry(id)) } catch { failures.append((id, "\(error)")) }
            }
        }
        if !entries.isEmpty {
            let upstreams = try JournalCLI.upstreams(home: home, policy: policy)
            for name in Set(entries.map(\.upstream)).sorted() {
                let group = entries.filter { $0.upstream == name }
                do {
                    let upstream = try JournalCLI.upstream(named: name, in: upstreams, home: home, entry: group[0].id)
                    reports += try JournalCLI.withConnection(to: upstream) { connection in
                        var reports: [VerifyReport] = []
                        for entry in group { reports.append(await JournalRestore.verify(entry, journal: journal, over: connection)) }
                        return reports
                    }
                } catch {
                    failures += group.map { ($0.id, "\(error)") }
                }
            }
        }
        let order = Dictionary(entries.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        reports.sort { (order[$0.entry] ?? 0) < (order[$1.entry] ?? 0) }
        let ok = failures.isEmpty && reports.allSatisfy(\.ok)
        switch format {
        case .json:
            Console.out(JSON.object([
                "ok": .bool(ok),
                "entries": .array(reports.map { report in
                    .object([
                        "id": .string(report.entry), "kind": .string(report.kind.rawValue), "ok": .bool(report.ok), "problems": .strings(report.problems),
                        "tables": .array(report.tables.map {
                            .object(["name": .string($0.name), "rows": .int($0.rows), "restored": $0.restored.map { .int($0) } ?? .null])
                        }),
                    ])
                }),
                "failures": .array(failures.map { .object(["id": .string($0.id), "message": .string($0.message)]) }),
            ]).text)
        case .text:
            if reports.isEmpty && failures.isEmpty { Console.out("the journal at \(journal.directory) is empty: nothing to verify") }
            for report in reports {
                let tables = report.tables.map { "\($0.name) \($0.restored.map(String.init) ?? "?")/\($0.rows) rows" }.joined(separator: ", ")
                Console.out("\(report.ok ? "ok" : "FAILED")  \(report.entry)  \(report.kind.rawValue)  \(tables)")
                for problem in report.problems { Console.out("  \(problem)") }
            }
            for failure in failures { Console.out("FAILED  \(failure.id)  \(failure.message)") }
        }
        if !ok { throw ExitCode(1) }
    }
}
