import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockRuntime
import AirlockState
#if canImport(Glibc)
import Glibc
#endif

/// What the control verbs (pending, approve, reject, freeze, unfreeze, status) work on: the
/// Airlock home, its state store and audit log, and the person at the terminal.
struct ControlSession {
    let home: String
    let workingDirectory: String
    let environment: [String: String]
    let store: SQLiteStore
    let audit: AuditStore

    init() {
        environment = ProcessFacts.environment()
        home = AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
        workingDirectory = ProcessFacts.currentDirectory() ?? "/"
        store = SQLiteStore(airlockHome: home)
        audit = AuditStore(directory: home + "/audit")
    }

    /// The person running this command: the OS account (from the kernel, not `$USER`, which
    /// any process can set) and the name `airlock init --name` recorded for it.
    var person: Person {
        let user = ProcessFacts.userName()
        let name = LocalFiles().contents(of: PeopleFile.path(home: home, user: user)).flatMap { text -> String? in
            let line = text.split(whereSeparator: \.isNewline).first?.trimmingSpaces() ?? ""
            return line.isEmpty ? nil : line
        }
        return Person(user: user, name: name)
    }

    /// Changes state and records what changed, in the audit log's order (the log's lock is
    /// held across both, as the gate holds it across a decision).
    func change<T>(_ body: (any StateWriter, Millis) throws -> (T, [AuditRecord])) throws -> T {
        var result: T?
        do {
            try audit.append(building: {
                let (value, records) = try store.write { writer in try body(writer, StateClock.now()) }
                result = value
                return records
            })
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        guard let result else { throw CLIError("internal error: the change produced no result") }
        return result
    }

    func read<T>(_ body: (any StateReader, Millis) throws -> T) throws -> T {
        do {
            return try store.read { reader in try body(reader, StateClock.now()) }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// Where `airlock init --name` keeps the display name of each OS user who approves.
enum PeopleFile {
    static func path(home: String, user: String) -> String { home + "/people/" + user }
}

/// The checks that a control verb is run by a person at a terminal, not by an agent.
///
/// An agent's shell tool has no terminal (it captures output through pipes), so requiring
/// one stops the common case; the variables agents set in their tools' environments stop an
/// agent that allocates a terminal (`script`, `expect`) without scrubbing them. Neither is a
/// boundary against a determined process running as the same user — docs/approvals.md says
/// what is, and what closes the gap (`airlock run`).
enum HumanPresence {
    /// Variables the agents Airlock gates set for the commands they run.
    static let agentMarkers = ["AIRLOCK_AGENT", "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CURSOR_AGENT", "GEMINI_CLI", "CODEX_SANDBOX", "CODEX_MANAGED_BY_NPM"]

    static func require(_ verb: String, environment: [String: String]) throws {
        if let marker = agentMarkers.first(where: { environment[$0].map { !$0.isEmpty } ?? false }) {
            throw CLIError("refusing to \(verb): this shell belongs to an agent (\(marker) is set). A person must run 'airlock \(verb)' in their own terminal")
        }
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        let hasControllingTerminal = tty >= 0
        if tty >= 0 { close(tty) }
        guard ProcessFacts.isTerminal(0), hasControllingTerminal else {
            throw CLIError("refusing to \(verb): standard input is not an interactive terminal. Approving, unfreezing and undoing need a person at a terminal (agents and scripts cannot), so run 'airlock \(verb)' yourself in a terminal")
        }
    }
}
