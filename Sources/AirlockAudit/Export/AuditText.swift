/// A decision as one readable line, for `airlock audit tail` in a terminal.
public enum AuditText {
    /// `2026-11-21T07:50:01.123Z #42 BLOCKED hook agent=claude env=production rule=… psql …`.
    public static func line(_ record: AuditRecord) -> String {
        var parts = [record.timestamp, "#\(record.index)", record.outcome.rawValue.uppercased(), record.door.rawValue]
        if let agent = record.context.agent { parts.append("agent=\(agent)") }
        parts.append("env=\(record.environment)")
        parts.append("rule=\(record.rule.id)")
        if let approval = record.approval {
            parts.append("approval=\(approval.id)" + (approval.approver.map { " by \($0)" } ?? ""))
        }
        parts.append(flatten(record.action.text))
        if !record.reason.isEmpty, AuditExport.isDenial(record.outcome) || AuditExport.isLifecycle(record) {
            parts.append("— " + flatten(record.reason))
        }
        return parts.joined(separator: " ")
    }

    /// A terminal line must stay one line: control characters become visible escapes.
    static func flatten(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
