/// The shapes a decision can be exported in, each one line: the log's own canonical JSON, OCSF
/// 1.3 (the primary SIEM shape), Elastic ECS, ArcSight CEF, and a line for people.
public enum AuditFormat: String, Sendable, Hashable, CaseIterable {
    case jsonl, ocsf, ecs, cef, text
}

/// Renders audit records for SIEMs and people. Pure: no I/O, no Foundation, so the same code
/// serves `tail`, `export` and `forward`.
public enum AuditExport {
    /// One line, without a trailing newline.
    public static func render(_ record: AuditRecord, as format: AuditFormat) -> String {
        switch format {
        case .jsonl: record.json.canonicalText
        case .ocsf: OCSF.event(record).canonicalText
        case .ecs: ECS.document(record).canonicalText
        case .cef: CEF.line(record)
        case .text: AuditText.line(record)
        }
    }

    /// Milliseconds since the epoch of a record's RFC 3339 timestamp; 0 when it cannot be read
    /// (a SIEM then shows the entry at the epoch rather than dropping it).
    public static func epochMilliseconds(_ timestamp: String) -> Int64 {
        guard let seconds = AuditClock.parse(timestamp) else { return 0 }
        var milliseconds: Int64 = 0
        let bytes = Array(timestamp.utf8)
        if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            var digits = 0
            for byte in bytes[20...] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
                if digits < 3 { milliseconds = milliseconds * 10 + Int64(byte - UInt8(ascii: "0")) }
                digits += 1
            }
            for _ in min(digits, 3)..<3 { milliseconds *= 10 }
        }
        return seconds * 1000 + milliseconds
    }

    /// The first target of a kind across the record's commands (`host` → `prod-db.internal`).
    static func target(_ kind: String, in record: AuditRecord) -> String? {
        let prefix = kind + ":"
        for command in record.commands {
            for target in command.targets where target.hasPrefix(prefix) {
                return String(target.dropFirst(prefix.count))
            }
        }
        return nil
    }

    /// Whether the decision stopped the action (or has not let it run yet).
    static func isDenial(_ outcome: AuditRecord.Outcome) -> Bool {
        switch outcome {
        case .blocked, .rejected, .expired, .frozen: true
        case .allowed, .approved, .approvalRequired, .freezeStarted, .freezeLifted, .recovered: false
        }
    }

    /// Records that report a change in Airlock itself rather than a decision on an agent's action.
    static func isLifecycle(_ record: AuditRecord) -> Bool {
        switch record.outcome {
        case .freezeStarted, .freezeLifted, .recovered: true
        default: record.door == .audit
        }
    }
}
