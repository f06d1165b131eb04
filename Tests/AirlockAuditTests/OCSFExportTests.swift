import Foundation
import Testing
@testable import AirlockAudit

/// OCSF 1.3.0 requirements, transcribed from ocsf-schema (events/base_event.json,
/// events/system/system.json, events/system/process_activity.json,
/// events/application/{datastore_activity,api_activity,application_lifecycle}.json and the
/// objects they use). Paths are dotted; `anyOf` lists the schema's at_least_one constraints.
struct OCSFRequirement {
    var required: [String]
    var anyOf: [[String]] = []
    var activities: Set<Int>

    static let base = ["activity_id", "category_uid", "class_uid", "metadata", "metadata.version", "metadata.product",
                       "metadata.product.name", "severity_id", "time", "type_uid"]
    /// actor: at least one of process, user, invoked_by, session, app_name, app_uid.
    static let actorAnyOf = ["actor.process", "actor.user", "actor.invoked_by", "actor.session", "actor.app_name", "actor.app_uid"]

    static let table: [Int: OCSFRequirement] = [
        // System Activity category: actor and device (device.type_id required); the class: process,
        // which needs pid or uid.
        1007: OCSFRequirement(
            required: base + ["actor", "device", "device.type_id", "process"],
            anyOf: [actorAnyOf, ["process.pid", "process.uid"], ["device.hostname", "device.ip", "device.name", "device.uid"]],
            activities: [0, 1, 2, 3, 4, 5, 99]),
        // Datastore Activity: actor and src_endpoint required; at least one of database, databucket, table.
        6005: OCSFRequirement(
            required: base + ["actor", "src_endpoint"],
            anyOf: [actorAnyOf, ["database", "databucket", "table"], ["src_endpoint.hostname", "src_endpoint.ip", "src_endpoint.name", "src_endpoint.uid"]],
            activities: Set(0...10).union([99])),
        // API Activity: actor, api (api.operation) and src_endpoint required.
        6003: OCSFRequirement(
            required: base + ["actor", "api", "api.operation", "src_endpoint"],
            anyOf: [actorAnyOf, ["src_endpoint.hostname", "src_endpoint.ip", "src_endpoint.name", "src_endpoint.uid"]],
            activities: [0, 1, 2, 3, 4, 99]),
        // Application Lifecycle: activity_id and app (a product: name) required.
        6002: OCSFRequirement(required: base + ["app", "app.name"], activities: [0, 1, 2, 3, 4, 99]),
    ]

    static let dispositions: Set<Int> = Set(0...27).union([99])
    static let severities: Set<Int> = Set(0...6).union([99])
}

func lookup(_ object: [String: Any], _ path: String) -> Any? {
    var current: Any? = object
    for key in path.split(separator: ".") {
        guard let dictionary = current as? [String: Any] else { return nil }
        current = dictionary[String(key)]
    }
    if current is NSNull { return nil }
    if let text = current as? String, text.isEmpty { return nil }
    return current
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

@Suite struct OCSFExportTests {
    @Test("every record renders to an OCSF event with its class's required attributes", arguments: ExportFixtures.all)
    func requiredAttributes(_ record: AuditRecord) throws {
        let line = AuditExport.render(record, as: .ocsf)
        #expect(!line.contains("\n"))
        let event = try jsonObject(line)
        let classUID = try #require(event["class_uid"] as? Int)
        let requirement = try #require(OCSFRequirement.table[classUID], "unexpected class \(classUID)")
        for path in requirement.required {
            #expect(lookup(event, path) != nil, "class \(classUID) requires \(path)")
        }
        for group in requirement.anyOf {
            #expect(group.contains { lookup(event, $0) != nil }, "class \(classUID) needs one of \(group)")
        }
        let activity = try #require(event["activity_id"] as? Int)
        #expect(requirement.activities.contains(activity))
        #expect(event["category_uid"] as? Int == classUID / 1000)
        #expect(event["type_uid"] as? Int == classUID * 100 + activity)
        #expect(OCSFRequirement.severities.contains(try #require(event["severity_id"] as? Int)))
        #expect(OCSFRequirement.dispositions.contains(try #require(event["disposition_id"] as? Int)))
        #expect([1, 2].contains(try #require(event["action_id"] as? Int)))
        #expect(event["time"] as? Int == 1_795_247_401_123 || record.outcome == .recovered)
        #expect(lookup(event, "metadata.version") as? String == "1.3.0")
        #expect(lookup(event, "metadata.uid") as? String == String(record.index))
        #expect(lookup(event, "unmapped.airlock.index") as? Int == Int(record.index))
        #expect(lookup(event, "policy.uid") as? String == record.rule.id)
    }

    @Test("the class follows what the record describes")
    func classes() {
        #expect(OCSF.eventClass(for: ExportFixtures.record(.blocked)) == .processActivity)
        #expect(OCSF.eventClass(for: ExportFixtures.record(.blocked, commands: [ExportFixtures.sql])) == .datastoreActivity)
        #expect(OCSF.eventClass(for: ExportFixtures.record(.allowed, door: .proxy, commands: [])) == .datastoreActivity)
        #expect(OCSF.eventClass(for: ExportFixtures.record(.allowed, door: .mcp, commands: [ExportFixtures.mcp])) == .apiActivity)
        #expect(OCSF.eventClass(for: ExportFixtures.record(.freezeStarted)) == .applicationLifecycle)
        #expect(OCSF.eventClass(for: ExportFixtures.record(.freezeLifted)) == .applicationLifecycle)
        #expect(OCSF.eventClass(for: AuditStore.recoveryRecord("x", at: "2026-01-01T00:00:00.000Z")) == .applicationLifecycle)
        #expect(OCSF.eventClass(for: ExportFixtures.record(.frozen)) == .processActivity)
    }

    @Test("decisions map to action_id and disposition_id as OCSF defines them")
    func dispositions() {
        let expected: [AuditRecord.Outcome: (Int, Int)] = [
            .allowed: (1, 1), .blocked: (2, 2), .approvalRequired: (1, 14), .approved: (1, 8), .rejected: (2, 25),
            .expired: (2, 2), .frozen: (2, 2), .freezeStarted: (1, 17), .freezeLifted: (1, 17), .recovered: (1, 17),
        ]
        for outcome in AuditRecord.Outcome.allCases {
            let pair = expected[outcome]
            #expect(OCSF.actionID(outcome) == pair?.0, "\(outcome)")
            #expect(OCSF.dispositionID(outcome) == pair?.1, "\(outcome)")
        }
    }

    @Test("class-specific objects carry the command, the query, the operation")
    func classObjects() throws {
        let process = try jsonObject(AuditExport.render(ExportFixtures.record(.blocked), as: .ocsf))
        #expect(lookup(process, "process.cmd_line") as? String == "git push --force origin main")
        #expect(lookup(process, "process.name") as? String == "git")
        #expect(lookup(process, "type_uid") as? Int == 100701)
        #expect(lookup(process, "actor.app_name") as? String == "claude-code")
        #expect(lookup(process, "actor.user.name") as? String == "alice")
        #expect(lookup(process, "actor.session.uid") as? String == "s-42")
        #expect(lookup(process, "device.hostname") as? String == "dev-1")
        #expect(lookup(process, "policy.desc") as? String == "force pushes rewrite shared history")
        #expect(lookup(process, "unmapped.airlock.environment") as? String == "production")
        #expect(lookup(process, "unmapped.airlock.working_directory") as? String == "/work/app")

        let sql = try jsonObject(AuditExport.render(ExportFixtures.record(.blocked, commands: [ExportFixtures.sql]), as: .ocsf))
        #expect(lookup(sql, "type_uid") as? Int == 600504)
        #expect(lookup(sql, "query_info.query_string") as? String == "DROP TABLE executives")
        #expect(lookup(sql, "table.name") as? String == "executives")
        #expect(lookup(sql, "dst_endpoint.hostname") as? String == "prod-db.internal")

        let api = try jsonObject(AuditExport.render(ExportFixtures.record(.approvalRequired, door: .mcp, commands: [ExportFixtures.mcp]), as: .ocsf))
        #expect(lookup(api, "api.operation") as? String == "delete_repository")
        #expect(lookup(api, "type_uid") as? Int == 600304)

        let freeze = try jsonObject(AuditExport.render(ExportFixtures.record(.freezeStarted, commands: []), as: .ocsf))
        #expect(lookup(freeze, "app.name") as? String == "Airlock")
        #expect(lookup(freeze, "type_uid") as? Int == 600204)
    }

    @Test("jsonl is the record's canonical JSON and reads back")
    func jsonl() throws {
        let record = ExportFixtures.record(.approved)
        let line = AuditExport.render(record, as: .jsonl)
        #expect(Array(line.utf8) == record.canonicalBytes)
        #expect(try AuditRecord(bytes: Array(line.utf8)) == record)
    }

    @Test("epoch milliseconds from RFC 3339")
    func epoch() {
        #expect(AuditExport.epochMilliseconds("1970-01-01T00:00:01.5Z") == 1500)
        #expect(AuditExport.epochMilliseconds("2026-11-21T07:50:01.123Z") == 1_795_247_401_123)
        #expect(AuditExport.epochMilliseconds("2026-11-21T07:50:01Z") == 1_795_247_401_000)
        #expect(AuditExport.epochMilliseconds("garbage") == 0)
    }
}
