import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockRuntime
import AirlockState
import ArgumentParser

extension FreezeLevel: ExpressibleByArgument {}

struct FreezeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "The kill switch: stop agents' writes (or everything) now, across every door and process.",
        discussion: """
            Takes effect for the very next decision of every agent, hook and process using this \
            Airlock home; when this command returns, the freeze is on disk. It holds until \
            --until or until a person runs 'airlock unfreeze'.

            --level writes (default) denies every write, destructive and opaque action in scope, \
            even one a person approved; reads still run. --level all denies everything except \
            reading Airlock's own status.

            --scope all (default) | agent:NAME (a glob over agent names; 'unknown' for actions \
            with none) | env:ENV (actions on that environment, e.g. env:production).

            Examples:
              airlock freeze --reason "code freeze for the release"
              airlock freeze --scope env:production --until 2026-11-24T09:00:00Z --reason "incident 4711"
              airlock freeze --scope agent:claude* --level all --until 30m --reason "investigating"
            """)

    @Option(help: ArgumentHelp("all, agent:NAME or env:ENV.", valueName: "scope"))
    var scope: String = "all"

    @Option(help: "writes (default) or all.")
    var level: FreezeLevel = .writes

    @Option(help: "Why; shown to every agent that is stopped, and recorded.")
    var reason: String

    @Option(help: ArgumentHelp("When it lifts by itself: a duration (30m, 2h) or a UTC time (2026-11-24T09:00:00Z). Default: until a person lifts it.", valueName: "time"))
    var until: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if FreezeScope(parsing: scope) == nil { throw ValidationError("--scope takes all, agent:NAME or env:ENV, not '\(scope)'") }
        if reason.trimmingSpaces().isEmpty { throw ValidationError("--reason must say why (agents and the audit log show it)") }
        if let until, FreezeTime.parse(until, now: StateClock.now()) == nil {
            throw ValidationError("--until takes a duration (30m, 2h, 1d) or a future UTC time such as 2026-11-24T09:00:00Z, not '\(until)'")
        }
    }

    func run() throws {
        let session = ControlSession()
        let person = session.person
        let scope = FreezeScope(parsing: self.scope) ?? .all
        let freeze = try session.change { writer, now -> (Freeze, [AuditRecord]) in
            var freeze = Freeze(
                id: ShortID.freeze(), scope: scope, level: level, reason: reason, source: .person, createdBy: person.display,
                createdAt: now, until: until.flatMap { FreezeTime.parse($0, now: now) })
            var attempts = 0
            while try !writer.insert(freeze) {
                attempts += 1
                guard attempts < 8 else { throw CLIError("could not draw an unused freeze id") }
                freeze.id = ShortID.freeze()
            }
            return (freeze, [ControlAudit.freezeStarted(freeze, by: person.user, workingDirectory: session.workingDirectory)])
        }
        switch format {
        case .json: Console.out(FreezeReport.json(freeze, now: StateClock.now()).text)
        case .text: Console.out("FROZEN: \(FreezeReport.text(freeze))\nlift it with: airlock unfreeze \(freeze.id)")
        }
    }
}

struct UnfreezeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unfreeze",
        abstract: "Lift a freeze (a person, at a terminal).",
        discussion: """
            Without an ID, lifts the only freeze in force; when several are, name one or pass \
            --all. Lifting a circuit breaker's freeze lets that agent write again at once.
            """)

    @Argument(help: "The freeze id, as 'airlock status' shows it.")
    var id: String?

    @Flag(help: "Lift every freeze in force.")
    var all = false

    @Option(help: "Why, for the audit log.")
    var note: String?

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation first.")
    var yes = false

    func validate() throws {
        if id != nil && all { throw ValidationError("give a freeze id or --all, not both") }
    }

    func run() throws {
        let session = ControlSession()
        try HumanPresence.require("unfreeze", environment: session.environment)
        let person = session.person
        if !yes {
            let active = try session.read { reader, now in try reader.activeFreezes(at: now) }
            // What would be lifted; when that is unclear (none, or several without --all) there is
            // nothing to confirm and `lift` says so.
            let shown: [Freeze] = if let id { active.filter { $0.id == ShortID.normalizeFreeze(id) } } else if all || active.count == 1 { active } else { [] }
            guard !shown.isEmpty else { return try lift(session: session, person: person) }
            Console.out(shown.map { "  " + FreezeReport.text($0) }.joined(separator: "\n"))
            guard Confirmation.ask("Lift \(shown.count == 1 ? "this freeze" : "these \(shown.count) freezes")? Agents can act again at once. [y/N] ") else {
                throw CLIError("nothing was lifted")
            }
        }
        try lift(session: session, person: person)
    }

    func lift(session: ControlSession, person: Person) throws {
        let lifted = try session.change { writer, now -> ([Freeze], [AuditRecord]) in
            let active = try writer.activeFreezes(at: now)
            let chosen: [Freeze]
            if let id {
                let wanted = ShortID.normalizeFreeze(id)
                guard let freeze = active.first(where: { $0.id == wanted }) else {
                    let known = try writer.freeze(id: wanted)
                    throw CLIError(known == nil ? "there is no freeze \(wanted); 'airlock status' lists them" : "freeze \(wanted) is no longer in force")
                }
                chosen = [freeze]
            } else if all || active.count == 1 {
                chosen = active
            } else if active.isEmpty {
                chosen = []
            } else {
                throw CLIError("\(active.count) freezes are in force; name one or pass --all:\n" + active.map { "  " + FreezeReport.text($0) }.joined(separator: "\n"))
            }
            for freeze in chosen { try writer.lift(freezeID: freeze.id, by: person.display, at: now) }
            return (chosen, chosen.map { ControlAudit.freezeLifted($0, by: person, note: note, workingDirectory: session.workingDirectory) })
        }
        Console.out(lifted.isEmpty ? "nothing is frozen" : lifted.map { "lifted \($0.id) (\(FreezeReport.text($0)))" }.joined(separator: "\n"))
    }
}

/// `--until` values: a duration from now, or an RFC 3339 UTC time in the future.
enum FreezeTime {
    static func parse(_ text: String, now: Millis) -> Millis? {
        if let seconds = PolicyDuration.parse(text) { return now + Millis(seconds) * 1000 }
        guard let seconds = AuditClock.parse(text), seconds * 1000 > now else { return nil }
        return seconds * 1000
    }
}

/// How freezes are shown to people.
enum FreezeReport {
    static func text(_ freeze: Freeze) -> String {
        let until = freeze.until.map { "until \(StateTime.text($0))" } ?? "until lifted"
        return "\(freeze.id): \(freeze.whatAndWho), \(until), by \(freeze.createdBy) at \(StateTime.text(freeze.createdAt)): \(freeze.reason)"
    }

    static func json(_ freeze: Freeze, now: Millis) -> JSON {
        .object([
            "id": .string(freeze.id), "scope": .string(freeze.scope.description), "level": .string(freeze.level.rawValue),
            "reason": .string(freeze.reason), "source": .string(freeze.source.rawValue), "created_by": .string(freeze.createdBy),
            "created_at": .string(StateTime.text(freeze.createdAt)), "until": .optional(freeze.until.map(StateTime.text)),
            "lifted_at": .optional(freeze.liftedAt.map(StateTime.text)), "lifted_by": .optional(freeze.liftedBy),
            "active": .bool(freeze.isActive(at: now)),
        ])
    }
}
