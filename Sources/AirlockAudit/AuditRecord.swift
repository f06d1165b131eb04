/// One decision as the audit log keeps it: what was asked, how Airlock read it, what it
/// decided and why, for whom, under which policy. Stored as one line of canonical JSON; its
/// RFC 6962 leaf hash is what checkpoints commit to.
public struct AuditRecord: Sendable, Hashable {
    /// What happened, in the words a responder searches for.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case allowed, blocked
        case approvalRequired = "approval_required"
        case approved, rejected, expired
        /// Denied because a freeze (kill switch) was in force.
        case frozen
        case freezeStarted = "freeze_started"
        case freezeLifted = "freeze_lifted"
        /// The log recovered from a crash (a torn, never-acknowledged tail was discarded).
        case recovered
    }

    /// The action as the door received it. Long texts keep a digest and a preview here and the
    /// whole text in the side store, which can be purged without breaking verification.
    public struct Action: Sendable, Hashable {
        /// `shell`, `exec`, `sql`, `mcp`, `file`, `system`.
        public var kind: String
        public var text: String
        public var argv: [String]?
        /// `sha256:<hex>` of the full text when `text` is only a preview.
        public var fullTextDigest: String?

        public init(kind: String, text: String, argv: [String]? = nil, fullTextDigest: String? = nil) {
            self.kind = kind
            self.text = text
            self.argv = argv
            self.fullTextDigest = fullTextDigest
        }
    }

    /// A SQL (or Redis/MongoDB) statement a command carried, with its class.
    public struct Statement: Sendable, Hashable {
        public var text: String
        public var kind: String
        public var sqlClass: String
        public var tables: [String]
        public var flags: [String]
        /// Rows the statement affected or returned, from the server's CommandComplete, when the
        /// record was written after it ran.
        public var rows: Int?

        public init(text: String, kind: String, sqlClass: String, tables: [String] = [], flags: [String] = [], rows: Int? = nil) {
            self.rows = rows
            self.text = text
            self.kind = kind
            self.sqlClass = sqlClass
            self.tables = tables
            self.flags = flags
        }
    }

    /// One command that would run, as analysed.
    public struct Command: Sendable, Hashable {
        public var binary: String
        public var args: [String]
        public var subcommand: String?
        public var effect: String
        public var environment: String
        /// `kind:value` (`host:prod-db.internal`).
        public var targets: [String]
        public var statement: Statement?
        public var decision: String
        public var rule: String?

        public init(binary: String, args: [String], subcommand: String? = nil, effect: String, environment: String, targets: [String] = [], statement: Statement? = nil, decision: String, rule: String? = nil) {
            self.binary = binary
            self.args = args
            self.subcommand = subcommand
            self.effect = effect
            self.environment = environment
            self.targets = targets
            self.statement = statement
            self.decision = decision
            self.rule = rule
        }
    }

    /// The rule that decided: its id, its type (`rule`, `default`, `policy_error`, `analysis`,
    /// `freeze`), and its conditions in one line.
    public struct Rule: Sendable, Hashable {
        public var id: String
        public var type: String
        public var pattern: String

        public init(id: String, type: String, pattern: String) {
            self.id = id
            self.type = type
            self.pattern = pattern
        }
    }

    /// Who and where.
    public struct Context: Sendable, Hashable {
        public var user: String
        public var agent: String?
        public var session: String?
        public var workingDirectory: String
        public var host: String

        public init(user: String, agent: String?, session: String?, workingDirectory: String, host: String) {
            self.user = user
            self.agent = agent
            self.session = session
            self.workingDirectory = workingDirectory
            self.host = host
        }
    }

    public struct Approval: Sendable, Hashable {
        public var id: String
        public var approver: String?

        public init(id: String, approver: String?) {
            self.id = id
            self.approver = approver
        }
    }

    /// Position in the log, from 0; assigned when the record is appended.
    public var index: UInt64
    /// RFC 3339, UTC, milliseconds.
    public var timestamp: String
    public var outcome: Outcome
    public var door: AuditDoor
    public var action: Action
    public var commands: [Command]
    public var environment: String
    public var rule: Rule
    public var reason: String
    public var context: Context
    public var approval: Approval?
    /// `sha256:<hex>` of the policy that decided.
    public var policyDigest: String
    /// `enforce` or `monitor`.
    public var mode: String
    /// The journal entry (`airlock journal list`) holding what this statement changed or
    /// removed, so `airlock undo INDEX` can restore it.
    public var journal: String?
    /// How a statement that ran ended, when known at the time of writing.
    public var result: Result?

    /// How a database statement ended: its duration, and the server's error code if it failed.
    /// `of` names the decision record this one completes (a record that had to reach disk
    /// before the statement ran gets its result in a second record).
    public struct Result: Sendable, Hashable {
        /// Microseconds (the log's JSON has integers only, so it stays canonical).
        public var durationMicroseconds: Int64
        public var error: String?
        public var of: UInt64?

        public init(durationMicroseconds: Int64, error: String? = nil, of: UInt64? = nil) {
            self.durationMicroseconds = durationMicroseconds
            self.error = error
            self.of = of
        }
    }

    /// Hex leaf hash of the previous entry (zeros for the first): a chain that lets `verify`
    /// name exactly which entry was changed. Set when the record is appended.
    public var previous: String

    public init(
        timestamp: String, outcome: Outcome, door: AuditDoor, action: Action, commands: [Command] = [], environment: String,
        rule: Rule, reason: String, context: Context, approval: Approval? = nil, policyDigest: String, mode: String = "enforce"
    ) {
        self.index = 0
        self.timestamp = timestamp
        self.outcome = outcome
        self.door = door
        self.action = action
        self.commands = commands
        self.environment = environment
        self.rule = rule
        self.reason = reason
        self.context = context
        self.approval = approval
        self.policyDigest = policyDigest
        self.mode = mode
        self.previous = Self.noPrevious
    }

    public static let noPrevious = String(repeating: "0", count: 64)

    // MARK: JSON

    public var json: AuditValue {
        var action: [String: AuditValue] = ["kind": .string(self.action.kind), "text": .string(self.action.text)]
        if let argv = self.action.argv { action["argv"] = .strings(argv) }
        if let digest = self.action.fullTextDigest { action["full_text_digest"] = .string(digest) }
        let context: [String: AuditValue] = [
            "user": .string(self.context.user), "working_dir": .string(self.context.workingDirectory), "host": .string(self.context.host),
            "agent": .optional(self.context.agent), "session": .optional(self.context.session),
        ]
        var object: [String: AuditValue] = [
            "index": .int(Int64(index)),
            "timestamp": .string(timestamp),
            "decision": .string(outcome.rawValue),
            "door": .string(door.rawValue),
            "action": .object(action),
            "parsed": .array(commands.map(Self.json)),
            "environment": .string(environment),
            "matched_rule": .object(["id": .string(rule.id), "type": .string(rule.type), "pattern": .string(rule.pattern)]),
            "reason": .string(reason),
            "context": .object(context),
            "policy_digest": .string(policyDigest),
            "mode": .string(mode),
            "prev": .string(previous),
        ]
        if let approval {
            object["approval"] = .object(["id": .string(approval.id), "approver": .optional(approval.approver)])
        }
        if let journal { object["journal"] = .string(journal) }
        if let result {
            var fields: [String: AuditValue] = ["duration_us": .int(result.durationMicroseconds)]
            if let error = result.error { fields["error"] = .string(error) }
            if let of = result.of { fields["of"] = .int(Int64(of)) }
            object["result"] = .object(fields)
        }
        return .object(object)
    }

    static func json(_ command: Command) -> AuditValue {
        var object: [String: AuditValue] = [
            "binary": .string(command.binary), "args": .strings(command.args), "effect": .string(command.effect),
            "environment": .string(command.environment), "targets": .strings(command.targets), "decision": .string(command.decision),
            "subcommand": .optional(command.subcommand), "rule": .optional(command.rule),
        ]
        if let statement = command.statement {
            var fields: [String: AuditValue] = [
                "text": .string(statement.text), "kind": .string(statement.kind), "class": .string(statement.sqlClass),
                "tables": .strings(statement.tables), "flags": .strings(statement.flags),
            ]
            if let rows = statement.rows { fields["rows"] = .int(Int64(rows)) }
            object["statement"] = .object(fields)
        }
        return .object(object)
    }

    /// Why a stored line is not a record.
    public struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
        public var problem: String
        public var description: String { problem }
    }

    /// Reads a record back from its JSON.
    public init(json value: AuditValue) throws(FormatError) {
        func field(_ key: String) throws(FormatError) -> AuditValue {
            guard let found = value[key] else { throw FormatError(problem: "missing \(key)") }
            return found
        }
        func text(_ key: String, in object: AuditValue? = nil) throws(FormatError) -> String {
            guard let found = (object ?? value)[key]?.string else { throw FormatError(problem: "\(key) is not a string") }
            return found
        }
        guard let index = try field("index").int, index >= 0 else { throw FormatError(problem: "index is not a non-negative integer") }
        guard let outcome = Outcome(rawValue: try text("decision")) else { throw FormatError(problem: "unknown decision") }
        guard let door = AuditDoor(rawValue: try text("door")) else { throw FormatError(problem: "unknown door") }
        let actionValue = try field("action")
        let action = Action(
            kind: try text("kind", in: actionValue), text: try text("text", in: actionValue), argv: actionValue["argv"]?.strings,
            fullTextDigest: actionValue["full_text_digest"]?.string)
        let ruleValue = try field("matched_rule")
        let contextValue = try field("context")
        var commands: [Command] = []
        for item in try field("parsed").array ?? [] {
            var statement: Statement?
            if let s = item["statement"] {
                statement = Statement(
                    text: s["text"]?.string ?? "", kind: s["kind"]?.string ?? "", sqlClass: s["class"]?.string ?? "",
                    tables: s["tables"]?.strings ?? [], flags: s["flags"]?.strings ?? [], rows: s["rows"]?.int.map(Int.init))
            }
            commands.append(Command(
                binary: item["binary"]?.string ?? "", args: item["args"]?.strings ?? [], subcommand: item["subcommand"]?.string,
                effect: item["effect"]?.string ?? "", environment: item["environment"]?.string ?? "", targets: item["targets"]?.strings ?? [],
                statement: statement, decision: item["decision"]?.string ?? "", rule: item["rule"]?.string))
        }
        self.init(
            timestamp: try text("timestamp"), outcome: outcome, door: door, action: action, commands: commands,
            environment: try text("environment"),
            rule: Rule(id: try text("id", in: ruleValue), type: try text("type", in: ruleValue), pattern: try text("pattern", in: ruleValue)),
            reason: try text("reason"),
            context: Context(
                user: try text("user", in: contextValue), agent: contextValue["agent"]?.string, session: contextValue["session"]?.string,
                workingDirectory: try text("working_dir", in: contextValue), host: try text("host", in: contextValue)),
            approval: value["approval"].flatMap { approval in approval["id"]?.string.map { Approval(id: $0, approver: approval["approver"]?.string) } },
            policyDigest: try text("policy_digest"), mode: try text("mode"))
        self.index = UInt64(index)
        self.previous = try text("prev")
        self.journal = value["journal"]?.string
        if let result = value["result"] {
            guard let duration = result["duration_us"]?.int else { throw FormatError(problem: "result.duration_us is not an integer") }
            self.result = Result(durationMicroseconds: duration, error: result["error"]?.string, of: result["of"]?.int.flatMap { $0 >= 0 ? UInt64($0) : nil })
        }
    }

    public init<C: Collection>(bytes: C) throws(FormatError) where C.Element == UInt8 {
        let value: AuditValue
        do { value = try AuditValue.parse(bytes) } catch { throw FormatError(problem: "not JSON: \(error)") }
        try self.init(json: value)
    }
}
