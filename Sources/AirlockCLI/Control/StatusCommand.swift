import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockRuntime
import AirlockState
import ArgumentParser

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What holds right now: freezes, requests waiting for approval, circuit breakers, the audit log's head.",
        discussion: """
            Exit status 0 when the state store and log could be read, 1 when either could not \
            (the problem is printed; every decision is denied until it is fixed).
            """)

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let session = ControlSession()
        let breaker = StatusCommand.breaker(session)
        var problems: [String] = []
        var freezes: [Freeze] = []
        var requests: [ApprovalRequest] = []
        var denials: [(key: String, count: Int)] = []
        let now = StateClock.now()
        do {
            (freezes, requests, denials) = try session.read { reader, now in
                (try reader.activeFreezes(at: now), try reader.openRequests(at: now),
                 try breaker.map { try reader.counts(.denial, since: now - Millis($0.within) * 1000) } ?? [])
            }
        } catch {
            problems.append("\(error)")
        }
        let entries = session.audit.acknowledgedEntries()
        switch format {
        case .json:
            Console.out(JSON.object([
                "airlock_home": .string(session.home),
                "freezes": .array(freezes.map { FreezeReport.json($0, now: now) }),
                "pending": .array(requests.map { RequestReport.json($0, now: now) }),
                "breaker": breaker.map { breaker in
                    .object([
                        "denials": .int(breaker.denials), "within": .string(PolicyDuration.format(breaker.within)),
                        "agents": .array(denials.map { .object(["agent": .string(String($0.key.dropFirst(6))), "denials": .int($0.count)]) }),
                    ])
                } ?? .null,
                "audit": .object(["entries": entries.map { .int(Int($0)) } ?? .null, "bytes": .int(session.audit.logSize())]),
                "problems": .strings(problems),
            ]).text)
        case .text:
            var lines: [String] = []
            lines.append(freezes.isEmpty ? "freezes: none" : "freezes: \(freezes.count) in force")
            lines += freezes.map { "  " + FreezeReport.text($0) }
            lines.append(requests.isEmpty ? "approvals: none waiting" : "approvals: \(requests.count) open (airlock approve ID / airlock reject ID)")
            lines += requests.map { "  \($0.id)  \($0.status(at: now).rawValue)  \($0.approvers.count)/\($0.approversNeeded)  \($0.agent ?? "unknown")  \($0.actionText.count > 80 ? String($0.actionText.prefix(77)) + "..." : $0.actionText)" }
            if let breaker {
                lines.append("circuit breaker: \(breaker.denials) denials of \(breaker.effects.map(\.rawValue).joined(separator: "/")) actions within \(PolicyDuration.format(breaker.within)) freeze \(breaker.scope == .agent ? "that agent's" : "every agent's") \(breaker.level.rawValue) for \(PolicyDuration.format(breaker.duration))")
                lines += denials.map { "  \($0.key.dropFirst(6)): \($0.count) of \(breaker.denials) denials in the window" }
            } else {
                lines.append("circuit breaker: off in this policy")
            }
            lines.append("audit log: " + (entries.map { "\($0) entries" } ?? "no head yet") + ", \(session.audit.logSize()) bytes (airlock audit verify checks it)")
            lines += problems.map { "PROBLEM: \($0)" }
            Console.out(lines.joined(separator: "\n"))
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// The breaker of the policy in force here, if it loads.
    static func breaker(_ session: ControlSession) -> Breaker? {
        guard let directory = ProcessFacts.currentDirectory() else { return nil }
        let context = Context(user: ProcessFacts.userName(), workingDirectory: directory, homeDirectory: ProcessFacts.homeDirectory(environment: session.environment), airlockHome: session.home, environment: session.environment)
        if case .loaded(let policy, _) = PolicyResolution.load(explicit: nil, context: context, files: LocalFiles()) { return policy.breaker }
        return nil
    }
}
