/// OCSF 1.3 events for audit records: the class is chosen from what the record describes, the
/// decision goes in `action_id`/`disposition_id`, the rule in `policy`, and whatever OCSF has
/// no attribute for (environment, door, digest, chain link) under `unmapped.airlock`.
public enum OCSF {
    public static let schemaVersion = "1.3.0"

    /// The event classes Airlock emits.
    public enum EventClass: Int, Sendable, Hashable, CaseIterable {
        case processActivity = 1007
        case applicationLifecycle = 6002
        case apiActivity = 6003
        case datastoreActivity = 6005

        public var categoryUID: Int { rawValue / 1000 }

        public var name: String {
            switch self {
            case .processActivity: "Process Activity"
            case .applicationLifecycle: "Application Lifecycle"
            case .apiActivity: "API Activity"
            case .datastoreActivity: "Datastore Activity"
            }
        }

        var categoryName: String { categoryUID == 1 ? "System Activity" : "Application Activity" }
    }

    /// Freezes and recoveries are Airlock's own lifecycle; MCP calls are API calls; anything
    /// that carried a statement (or came through the database proxy) touched a datastore;
    /// everything else is a process an agent wanted to launch.
    public static func eventClass(for record: AuditRecord) -> EventClass {
        if AuditExport.isLifecycle(record) { return .applicationLifecycle }
        if record.door == .mcp { return .apiActivity }
        if record.door == .proxy || record.commands.contains(where: { $0.statement != nil }) { return .datastoreActivity }
        return .processActivity
    }

    /// `action_id`: 1 Allowed, 2 Denied. OCSF pairs Delayed (pending approval) with Allowed, and
    /// a freeze or recovery is not a denial of anything, so those are Allowed too; the
    /// disposition says what actually happened.
    public static func actionID(_ outcome: AuditRecord.Outcome) -> Int {
        AuditExport.isDenial(outcome) ? 2 : 1
    }

    /// `disposition_id` from the OCSF 1.3 enum: 1 Allowed, 2 Blocked, 8 Approved, 14 Delayed,
    /// 17 Logged, 25 Rejected. An expired approval and a frozen request were stopped by Airlock,
    /// not turned down by a person, so they are Blocked.
    public static func dispositionID(_ outcome: AuditRecord.Outcome) -> Int {
        switch outcome {
        case .allowed: 1
        case .blocked, .expired, .frozen: 2
        case .approved: 8
        case .approvalRequired: 14
        case .rejected: 25
        case .freezeStarted, .freezeLifted, .recovered: 17
        }
    }

    static func dispositionName(_ id: Int) -> String {
        switch id {
        case 1: "Allowed"
        case 2: "Blocked"
        case 8: "Approved"
        case 14: "Delayed"
        case 17: "Logged"
        case 25: "Rejected"
        default: "Other"
        }
    }

    /// `severity_id`: 1 Informational … 5 Critical. A freeze is an incident being handled; a
    /// recovery means the log lost an unacknowledged write.
    public static func severityID(_ outcome: AuditRecord.Outcome) -> Int {
        switch outcome {
        case .allowed, .approved: 1
        case .approvalRequired, .expired, .freezeLifted: 2
        case .blocked, .rejected, .frozen: 3
        case .freezeStarted, .recovered: 4
        }
    }

    static func severityName(_ id: Int) -> String {
        ["Unknown", "Informational", "Low", "Medium", "High", "Critical"][min(max(id, 0), 5)]
    }

    /// `status_id`: 1 Success, 2 Failure, 99 Other (pending approval: neither yet).
    static func status(_ outcome: AuditRecord.Outcome) -> (Int, String) {
        if outcome == .approvalRequired { return (99, "Pending approval") }
        return AuditExport.isDenial(outcome) ? (2, "Failure") : (1, "Success")
    }

    static func activity(_ record: AuditRecord, _ eventClass: EventClass) -> (Int, String) {
        switch eventClass {
        case .processActivity: return (1, "Launch")
        case .datastoreActivity: return (4, "Query")
        case .apiActivity:
            switch record.commands.first?.effect {
            case "read": return (2, "Read")
            case "write": return (3, "Update")
            case "destructive": return (4, "Delete")
            default: return (99, "Call")
            }
        case .applicationLifecycle:
            switch record.outcome {
            case .freezeStarted: return (4, "Stop")
            case .freezeLifted: return (3, "Start")
            default: return (99, "Recover")
            }
        }
    }

    /// The whole event as a JSON object.
    public static func event(_ record: AuditRecord) -> AuditValue {
        let eventClass = eventClass(for: record)
        let (activityID, activityName) = activity(record, eventClass)
        let severity = severityID(record.outcome)
        let disposition = dispositionID(record.outcome)
        let (statusID, statusName) = status(record.outcome)
        let action = actionID(record.outcome)
        let time = AuditExport.epochMilliseconds(record.timestamp)

        var user: [String: AuditValue] = ["name": .string(record.context.user)]
        if !record.context.user.isEmpty { user["type_id"] = .int(1) }
        var actor: [String: AuditValue] = ["user": .object(user)]
        if let agent = record.context.agent { actor["app_name"] = .string(agent) }
        if let session = record.context.session { actor["session"] = .object(["uid": .string(session)]) }

        var policy: [String: AuditValue] = ["uid": .string(record.rule.id), "name": .string(record.rule.id), "desc": .string(record.reason)]
        if !record.rule.pattern.isEmpty { policy["data"] = .string(record.rule.pattern) }

        var airlock: [String: AuditValue] = [
            "index": .int(Int64(record.index)), "prev": .string(record.previous), "door": .string(record.door.rawValue),
            "environment": .string(record.environment), "policy_digest": .string(record.policyDigest), "mode": .string(record.mode),
            "decision": .string(record.outcome.rawValue), "rule_type": .string(record.rule.type),
        ]
        if let approval = record.approval {
            airlock["approval"] = .object(["id": .string(approval.id), "approver": .optional(approval.approver)])
        }
        if let digest = record.action.fullTextDigest { airlock["full_text_digest"] = .string(digest) }
        // OCSF 1.3's process object has no working directory.
        if !record.context.workingDirectory.isEmpty { airlock["working_directory"] = .string(record.context.workingDirectory) }

        var object: [String: AuditValue] = [
            "category_uid": .int(Int64(eventClass.categoryUID)),
            "category_name": .string(eventClass.categoryName),
            "class_uid": .int(Int64(eventClass.rawValue)),
            "class_name": .string(eventClass.name),
            "activity_id": .int(Int64(activityID)),
            "activity_name": .string(activityName),
            "type_uid": .int(Int64(eventClass.rawValue * 100 + activityID)),
            "type_name": .string("\(eventClass.name): \(activityName)"),
            "severity_id": .int(Int64(severity)),
            "severity": .string(severityName(severity)),
            "time": .int(time),
            "status_id": .int(Int64(statusID)),
            "status": .string(statusName),
            "action_id": .int(Int64(action)),
            "action": .string(action == 1 ? "Allowed" : "Denied"),
            "disposition_id": .int(Int64(disposition)),
            "disposition": .string(dispositionName(disposition)),
            "message": .string(message(record)),
            "metadata": .object([
                "version": .string(schemaVersion),
                "product": .object(["name": .string("Airlock"), "vendor_name": .string("Airlock")]),
                "uid": .string(String(record.index)),
                "log_name": .string("airlock-audit"),
                "original_time": .string(record.timestamp),
                "profiles": .strings(["host", "security_control"]),
            ]),
            "actor": .object(actor),
            "device": .object(["hostname": .string(record.context.host), "type_id": .int(0)]),
            "policy": .object(policy),
            "unmapped": .object(["airlock": .object(airlock)]),
        ]
        if eventClass != .processActivity, eventClass != .applicationLifecycle {
            object["src_endpoint"] = .object(["hostname": .string(record.context.host)])
        }
        if let host = AuditExport.target("host", in: record) {
            object["dst_endpoint"] = .object(["hostname": .string(host)])
        }
        switch eventClass {
        case .processActivity:
            object["process"] = process(record)
        case .datastoreActivity:
            let statements = record.commands.compactMap(\.statement)
            let query = statements.isEmpty ? record.action.text : statements.map(\.text).joined(separator: "; ")
            object["query_info"] = .object(["query_string": .string(query)])
            let name = AuditExport.target("database", in: record) ?? AuditExport.target("host", in: record) ?? record.environment
            object["database"] = .object(["name": .string(name), "type_id": .int(0), "type": .string("Unknown")])
            let tables = Array(Set(statements.flatMap(\.tables))).sorted()
            if let table = tables.first { object["table"] = .object(["name": .string(table)]) }
            object["process"] = process(record)
        case .apiActivity:
            let operation = record.commands.first.map { $0.subcommand ?? $0.binary } ?? record.action.text
            object["api"] = .object([
                "operation": .string(operation.isEmpty ? record.action.text : operation),
                "service": .object(["name": .string(record.commands.first?.binary ?? "mcp")]),
                "request": .object(["uid": .string(String(record.index))]),
            ])
        case .applicationLifecycle:
            object["app"] = .object(["name": .string("Airlock"), "vendor_name": .string("Airlock"), "feature": .object(["name": .string(record.action.text)])])
        }
        return .object(object)
    }

    static func process(_ record: AuditRecord) -> AuditValue {
        let binary = record.commands.first?.binary ?? record.action.argv?.first ?? record.action.text.split(separator: " ").first.map(String.init) ?? ""
        let name = binary.split(separator: "/").last.map(String.init) ?? binary
        // The process has not started when Airlock decides, so it has no pid: OCSF then wants a
        // producer-assigned uid, and the log index is exactly that.
        var process: [String: AuditValue] = [
            "cmd_line": .string(record.action.text), "name": .string(name), "uid": .string("airlock-\(record.index)"),
        ]
        if !binary.isEmpty { process["file"] = .object(["name": .string(name), "path": .string(binary), "type_id": .int(1)]) }
        if let session = record.context.session { process["session"] = .object(["uid": .string(session)]) }
        process["user"] = .object(["name": .string(record.context.user)])
        return .object(process)
    }

    /// `BLOCKED psql -h prod … (no-destruction-in-production: destructive operations …)`.
    static func message(_ record: AuditRecord) -> String {
        let reason = record.reason.isEmpty ? "" : ": \(record.reason)"
        return "\(record.outcome.rawValue.uppercased()) \(record.action.text) (rule \(record.rule.id)\(reason))"
    }
}
