/// Elastic Common Schema documents for audit records (ECS 8.x field names), for Elasticsearch,
/// OpenSearch and anything that ingests ECS.
public enum ECS {
    public static let version = "8.11.0"

    /// `event.category`: what kind of thing the decision was about.
    public static func category(_ record: AuditRecord) -> String {
        if AuditExport.isLifecycle(record) { return "configuration" }
        switch OCSF.eventClass(for: record) {
        case .apiActivity: return "api"
        case .datastoreActivity: return "database"
        default: return "process"
        }
    }

    /// `event.type`: the ECS categorisation values that fit each decision.
    public static func types(_ record: AuditRecord) -> [String] {
        if AuditExport.isLifecycle(record) { return record.outcome == .recovered ? ["error"] : ["change"] }
        switch record.outcome {
        case .allowed, .approved: return category(record) == "process" ? ["allowed", "start"] : ["allowed", "access"]
        case .approvalRequired: return ["info"]
        default: return ["denied"]
        }
    }

    /// `event.outcome`: success, failure, or unknown while a person has not decided.
    public static func outcome(_ record: AuditRecord) -> String {
        if record.outcome == .approvalRequired { return "unknown" }
        return AuditExport.isDenial(record.outcome) ? "failure" : "success"
    }

    public static func document(_ record: AuditRecord) -> AuditValue {
        var process: [String: AuditValue] = ["command_line": .string(record.action.text)]
        if !record.context.workingDirectory.isEmpty { process["working_directory"] = .string(record.context.workingDirectory) }
        if let binary = record.commands.first?.binary ?? record.action.argv?.first {
            process["executable"] = .string(binary)
            process["name"] = .string(binary.split(separator: "/").last.map(String.init) ?? binary)
        }
        if let argv = record.action.argv { process["args"] = .strings(argv) }

        var labels: [String: AuditValue] = ["environment": .string(record.environment), "door": .string(record.door.rawValue)]
        if let agent = record.context.agent { labels["agent"] = .string(agent) }

        var airlock: [String: AuditValue] = [
            "index": .int(Int64(record.index)), "prev": .string(record.previous), "decision": .string(record.outcome.rawValue),
            "door": .string(record.door.rawValue), "environment": .string(record.environment), "mode": .string(record.mode),
            "policy_digest": .string(record.policyDigest), "action_kind": .string(record.action.kind),
            "agent": .optional(record.context.agent), "session": .optional(record.context.session),
        ]
        if let approval = record.approval {
            airlock["approval"] = .object(["id": .string(approval.id), "approver": .optional(approval.approver)])
        }
        let statements = record.commands.compactMap(\.statement)
        if !statements.isEmpty {
            airlock["statements"] = .array(statements.map {
                .object(["text": .string($0.text), "kind": .string($0.kind), "class": .string($0.sqlClass), "tables": .strings($0.tables)])
            })
        }

        var document: [String: AuditValue] = [
            "@timestamp": .string(record.timestamp),
            "message": .string(OCSF.message(record)),
            "ecs": .object(["version": .string(version)]),
            "event": .object([
                "kind": .string("event"),
                "category": .strings([category(record)]),
                "type": .strings(types(record)),
                "outcome": .string(outcome(record)),
                "action": .string(record.outcome.rawValue),
                "reason": .string(record.reason),
                "module": .string("airlock"),
                "dataset": .string("airlock.decision"),
                "provider": .string(record.door.rawValue),
                "sequence": .int(Int64(record.index)),
                "severity": .int(Int64(OCSF.severityID(record.outcome))),
            ]),
            "rule": .object([
                "id": .string(record.rule.id), "name": .string(record.rule.id), "ruleset": .string("airlock"),
                "category": .string(record.rule.type), "description": .string(record.rule.pattern),
            ]),
            "user": .object(["name": .string(record.context.user)]),
            "host": .object(["hostname": .string(record.context.host), "name": .string(record.context.host)]),
            "process": .object(process),
            "labels": .object(labels),
            "airlock": .object(airlock),
        ]
        if let host = AuditExport.target("host", in: record) {
            document["destination"] = .object(["address": .string(host), "domain": .string(host)])
        }
        if let session = record.context.session { document["session"] = .object(["id": .string(session)]) }
        return .object(document)
    }
}
