import AirlockAudit
import AirlockCore
import AirlockRuntime
import ArgumentParser
import Foundation

/// `airlock audit export`: the log, or a slice of it, in a SIEM's shape on standard output.
struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write audit entries to standard output as JSON lines, OCSF, ECS, CEF or text.",
        discussion: """
            Examples:
              airlock audit export --format ocsf > decisions.ocsf.jsonl
              airlock audit export --format cef --since 2026-11-01 --until 2026-12-01
              airlock audit export --decision blocked,rejected --agent 'claude*'
              airlock audit export --since 2026-11-21T07:00:00Z --format ecs | curl … _bulk

            --since is inclusive and --until exclusive; both take RFC 3339 (2026-11-21T07:50:01Z, \
            offsets allowed) or a date (YYYY-MM-DD, midnight UTC). --decision takes one or more \
            of \(AuditRecord.Outcome.allCases.map(\.rawValue).joined(separator: ", ")), \
            comma-separated. --agent is an exact name or a glob; entries without an agent never match it.
            """)

    @Option(help: "Output format: jsonl (default), ocsf, ecs, cef or text.")
    var format: AuditFormat = .jsonl

    @Option(help: ArgumentHelp("Only entries at or after this time.", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only entries before this time.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Only these decisions (comma-separated).", valueName: "decision"))
    var decision: String?

    @Option(help: ArgumentHelp("Only this agent (exact or glob).", valueName: "agent"))
    var agent: String?

    func validate() throws {
        _ = try Self.time(since, "--since")
        _ = try Self.time(until, "--until")
        _ = try Self.decisions(decision)
    }

    func run() throws {
        let from = try Self.time(since, "--since")
        let to = try Self.time(until, "--until")
        let decisions = try Self.decisions(decision)
        let store = AuditLocation.store()
        var cursor = AuditLogCursor(path: store.logPath)
        var output = ""
        while true {
            let lines = try cursor.read()
            if lines.isEmpty { break }
            for line in lines {
                guard let record = AuditLines.record(line, reportingTo: store.logPath) else { continue }
                let time = AuditExport.epochMilliseconds(record.timestamp)
                if let from, time < from { continue }
                if let to, time >= to { continue }
                if let decisions, !decisions.contains(record.outcome) { continue }
                if let agent {
                    guard let name = record.context.agent, name == agent || Glob.match(agent, name) else { continue }
                }
                output += AuditExport.render(record, as: format) + "\n"
                if output.utf8.count > 1 << 16 { FileHandle.standardOutput.write(Data(output.utf8)); output = "" }
            }
        }
        if !output.isEmpty { FileHandle.standardOutput.write(Data(output.utf8)) }
    }

    /// Milliseconds since the epoch, from RFC 3339 (any offset) or a bare date.
    static func time(_ text: String?, _ option: String) throws -> Int64? {
        guard let text else { return nil }
        if text.utf8.count == 10, let seconds = AuditClock.parse(text), text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) }) {
            return seconds * 1000
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) * 1000 }
        throw ValidationError("\(option) \(text) is not a time: use RFC 3339 (2026-11-21T07:50:01Z) or a date (2026-11-21)")
    }

    static func decisions(_ text: String?) throws -> Set<AuditRecord.Outcome>? {
        guard let text else { return nil }
        var set = Set<AuditRecord.Outcome>()
        for word in text.split(separator: ",") {
            let name = word.trimmingCharacters(in: .whitespaces)
            guard let outcome = AuditRecord.Outcome(rawValue: name) else {
                throw ValidationError("--decision \(name) is not a decision; use one or more of: \(AuditRecord.Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            set.insert(outcome)
        }
        guard !set.isEmpty else { throw ValidationError("--decision needs at least one decision") }
        return set
    }
}
