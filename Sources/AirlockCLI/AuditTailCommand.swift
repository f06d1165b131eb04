import AirlockAudit
import AirlockRuntime
import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AuditFormat: ExpressibleByArgument {}

/// Rendering shared by tail and export: a line that is not a record is reported, not fatal,
/// because reading must keep working on a log `verify` would flag.
enum AuditLines {
    static func record(_ line: [UInt8], reportingTo path: String) -> AuditRecord? {
        do { return try AuditRecord(bytes: line) } catch {
            Console.err("airlock: skipping a line of \(path) that is not a record (\(error)); run `airlock audit verify`")
            return nil
        }
    }
}

/// Followers run until interrupted, so they must be interruptible even when started with
/// SIGINT/SIGTERM blocked or ignored (as children of some supervisors and test runners are).
enum Interruptible {
    static func restoreDefaultSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// `airlock audit tail`: the last decisions, and new ones as they are made.
struct AuditTailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Show the last decisions in the audit log; -f to keep watching.",
        discussion: """
            Examples:
              airlock audit tail                     # the last 10 decisions, one line each
              airlock audit tail -n 50 --format ocsf # the last 50 as OCSF 1.3 JSON
              airlock audit tail -f                  # keep printing new decisions (Ctrl-C to stop)

            Formats: text (default, for people), jsonl (the log's own lines), ocsf, ecs, cef.
            """)

    @Option(name: [.customShort("n"), .customLong("lines")], help: "How many of the last entries to show.")
    var count: Int = 10

    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing entries as they are appended, until interrupted.")
    var follow = false

    @Option(help: "Output format: jsonl, ocsf, ecs, cef or text.")
    var format: AuditFormat = .text

    func validate() throws {
        guard count >= 0 else { throw ValidationError("-n must be 0 or more") }
    }

    func run() throws {
        let store = AuditLocation.store()
        var cursor = AuditLogCursor(path: store.logPath)
        var last: [[UInt8]] = []
        while true {
            let lines = try cursor.read()
            if lines.isEmpty { break }
            last.append(contentsOf: lines.suffix(count))
            if last.count > count { last.removeFirst(last.count - count) }
        }
        for line in last { print(line, store: store) }
        guard follow else { return }
        Interruptible.restoreDefaultSignals()
        while true {
            usleep(200_000)
            for line in try cursor.read() { print(line, store: store) }
        }
    }

    private func print(_ line: [UInt8], store: AuditStore) {
        guard let record = AuditLines.record(line, reportingTo: store.logPath) else { return }
        Console.out(AuditExport.render(record, as: format))
    }
}
