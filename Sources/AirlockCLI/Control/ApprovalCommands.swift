import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockRuntime
import AirlockState
import ArgumentParser
import Foundation

struct PendingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List approval requests waiting for a person (and approvals not yet used).",
        discussion: """
            Each request is bound to one exact action: the command text, working directory, \
            targets, environment, agent and policy. Approve with 'airlock approve ID', refuse \
            with 'airlock reject ID'. With --all, also requests answered, used or expired in \
            the last 24 hours.
            """)

    @Flag(help: "Also list requests closed in the last 24 hours.")
    var all = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let session = ControlSession()
        let (requests, now) = try session.read { reader, now in
            (try all ? reader.requests(since: now - 86_400_000).reversed() : reader.openRequests(at: now), now)
        }
        switch format {
        case .json:
            Console.out(JSON.array(requests.map { RequestReport.json($0, now: now) }).text)
        case .text:
            if requests.isEmpty {
                Console.out(all ? "no approval requests in the last 24 hours" : "no approval requests are waiting")
                return
            }
            Console.out(requests.map { RequestReport.text($0, now: now) }.joined(separator: "\n\n"))
        }
    }
}

struct ApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a pending request, for exactly the action it names (a person, at a terminal).",
        discussion: """
            The approval is single-use by default: the next run of exactly the same action \
            (same text, directory, targets, environment, agent and policy) is allowed once, \
            and anything else asks anew. --uses N allows N runs; --for DURATION allows any \
            number within that time. A rule with approval: {approvers: 2} needs two different \
            people (OS users) before anything is allowed.

            Refuses to run without an interactive terminal or inside an agent's environment, \
            and refuses an approver whose identity is the requesting agent's. The approver's \
            OS user (and the name given to 'airlock init --name') is recorded in the audit log.

            It shows the request and asks for confirmation first (--yes skips that).

            Examples:
              airlock approve K7QF-2M
              airlock approve K7QF-2M --uses 3 --note "backfill, three batches"
              airlock approve K7QF-2M --for 30m
            """)

    @Argument(help: "The request id, as 'airlock pending' shows it (case and dash do not matter).")
    var id: String

    @Option(name: .customLong("for"), help: ArgumentHelp("Allow any number of runs of this exact action for this long (e.g. 30m).", valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Allow this many runs of this exact action (default 1).", valueName: "n"))
    var uses: Int?

    @Option(help: "A note for the audit log and the agent (why, conditions).")
    var note: String?

    @Flag(name: .shortAndLong, help: "Do not show the request and ask for confirmation first.")
    var yes = false

    func validate() throws {
        if duration != nil && uses != nil { throw ValidationError("give --for or --uses, not both") }
        if let uses, uses < 1 { throw ValidationError("--uses must be at least 1") }
        if let duration, PolicyDuration.parse(duration) == nil { throw ValidationError("--for takes a duration such as 90s, 15m, 2h or 1d, not '\(duration)'") }
    }

    func run() throws {
        let session = ControlSession()
        try HumanPresence.require("approve", environment: session.environment)
        let person = session.person
        let id = ShortID.normalizeRequest(self.id)
        if !yes {
            // Shown and confirmed before any lock is taken: agents keep deciding meanwhile.
            let (shown, now) = try session.read { reader, now in (try RequestAnswer.open(id, reader: reader, now: now, answering: "approve"), now) }
            Console.out(RequestReport.text(shown, now: now))
            guard Confirmation.ask("Approve exactly this command, in this directory, for this agent? [y/N] ") else {
                throw CLIError("not approved: nothing was changed")
            }
        }
        let request = try session.change { writer, now -> (ApprovalRequest, [AuditRecord]) in
            var request = try RequestAnswer.open(id, reader: writer, now: now, answering: "approve")
            if let agent = request.agent, agent == person.user || agent == person.name || agent == person.display {
                throw CLIError("refusing: your identity (\(person.display)) is the requesting agent's (\(agent)); a different person must approve")
            }
            if request.approvers.contains(where: { $0.user == person.user }) {
                throw CLIError("you (\(person.user)) already approved \(request.id); it needs \(request.approversNeeded - request.approvers.count) more approval(s) from other people")
            }
            let vote = Vote(person: person, answer: .approve, at: now, note: note)
            try writer.add(vote, to: request.id)
            request.votes.append(vote)
            if request.approvers.count >= request.approversNeeded {
                let seconds = duration.flatMap(PolicyDuration.parse)
                request.validUntil = now + (seconds.map { Millis($0) * 1000 } ?? request.validFor)
                request.usesLeft = seconds == nil ? (uses ?? 1) : nil
                try writer.update(request)
            }
            return (request, [ControlAudit.answered(request, vote: vote, workingDirectory: session.workingDirectory)])
        }
        let now = StateClock.now()
        if request.status(at: now) == .approved {
            let scope = request.usesLeft.map { "\($0) run\($0 == 1 ? "" : "s")" } ?? "any number of runs"
            Console.out("approved \(request.id): \(scope) of exactly this action until \(StateTime.text(request.validUntil ?? now))\n" + RequestReport.text(request, now: now))
        } else {
            Console.out("recorded your approval of \(request.id): \(request.approvers.count) of \(request.approversNeeded); it needs another person\n" + RequestReport.text(request, now: now))
        }
    }
}

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a request (or withdraw an approval not yet used): the action stays denied.",
        discussion: """
            The agent retrying exactly this action is told it was rejected, with your note, \
            until the request would have expired. Needs a person at a terminal, as approve does.
            """)

    @Argument(help: "The request id.")
    var id: String

    @Option(help: "Why, for the audit log and the agent.")
    var note: String?

    func run() throws {
        let session = ControlSession()
        try HumanPresence.require("reject", environment: session.environment)
        let person = session.person
        let id = ShortID.normalizeRequest(self.id)
        let request = try session.change { writer, now -> (ApprovalRequest, [AuditRecord]) in
            var request = try RequestAnswer.open(id, reader: writer, now: now, answering: "reject")
            let vote = Vote(person: person, answer: .reject, at: now, note: note)
            try writer.add(vote, to: request.id)
            request.votes.append(vote)
            return (request, [ControlAudit.answered(request, vote: vote, workingDirectory: session.workingDirectory)])
        }
        Console.out("rejected \(request.id)\n" + RequestReport.text(request, now: StateClock.now()))
    }
}

/// A yes/no question to the person at the terminal; anything but `y`/`yes` (or end of input)
/// is no.
enum Confirmation {
    static func ask(_ question: String) -> Bool {
        FileHandle.standardOutput.write(Data(question.utf8))
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmingSpaces().lowercased())
    }
}

/// Finding a request a person can still answer.
enum RequestAnswer {
    static func open(_ id: String, reader: any StateReader, now: Millis, answering verb: String) throws -> ApprovalRequest {
        guard let request = try reader.request(id: id) else {
            throw CLIError("there is no approval request \(id); 'airlock pending' lists the open ones")
        }
        switch request.status(at: now) {
        case .pending: return request
        case .approved:
            if verb == "reject" { return request }
            throw CLIError("\(id) is already approved (usable until \(StateTime.text(request.validUntil ?? now))); nothing to do")
        case .rejected: throw CLIError("\(id) was rejected by \(request.rejection?.person.display ?? "someone"); the agent must ask again")
        case .consumed: throw CLIError("\(id) was approved and used up; the agent must ask again")
        case .expired: throw CLIError("\(id) expired at \(StateTime.text(request.validUntil ?? request.expiresAt)); the agent must ask again")
        }
    }
}

/// How requests are shown to the people answering them.
enum RequestReport {
    static func text(_ request: ApprovalRequest, now: Millis) -> String {
        let status = request.status(at: now)
        var lines = ["\(request.id)  \(status.rawValue)  \(request.approvers.count)/\(request.approversNeeded) approvals  rule \(request.ruleID)"]
        lines.append("  command:     \(request.actionText)")
        lines.append("  directory:   \(request.workingDirectory)")
        lines.append("  environment: \(request.environment)" + (request.targets.isEmpty ? "" : "  targets: " + request.targets.joined(separator: ", ")))
        lines.append("  agent:       \(request.agent ?? "unknown") (user \(request.user)" + (request.session.map { ", session \($0)" } ?? "") + ", via \(request.door))")
        lines.append("  why asked:   \(request.reason)")
        lines.append("  requested:   \(StateTime.text(request.createdAt)); " + (status == .approved
            ? "usable until \(StateTime.text(request.validUntil ?? now))" + (request.usesLeft.map { ", \($0) use(s) left" } ?? "")
            : "expires \(StateTime.text(request.expiresAt))"))
        for vote in request.votes {
            lines.append("  \(vote.answer == .approve ? "approved" : "rejected") by \(vote.person.display) at \(StateTime.text(vote.at))" + (vote.note.map { ": \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ request: ApprovalRequest, now: Millis) -> JSON {
        .object([
            "id": .string(request.id), "status": .string(request.status(at: now).rawValue), "rule": .string(request.ruleID),
            "reason": .string(request.reason), "command": .string(request.actionText), "kind": .string(request.actionKind),
            "working_directory": .string(request.workingDirectory), "environment": .string(request.environment),
            "targets": .strings(request.targets), "agent": .optional(request.agent), "session": .optional(request.session),
            "user": .string(request.user), "door": .string(request.door), "digest": .string(request.digest),
            "approvals": .int(request.approvers.count), "approvers_needed": .int(request.approversNeeded),
            "created_at": .string(StateTime.text(request.createdAt)), "expires_at": .string(StateTime.text(request.expiresAt)),
            "valid_until": .optional(request.validUntil.map(StateTime.text)), "uses_left": request.usesLeft.map { .int($0) } ?? .null,
            "votes": .array(request.votes.map { vote in
                .object(["by": .string(vote.person.display), "user": .string(vote.person.user), "answer": .string(vote.answer.rawValue),
                         "at": .string(StateTime.text(vote.at)), "note": .optional(vote.note)])
            }),
        ])
    }
}
