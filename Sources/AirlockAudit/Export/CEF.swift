/// ArcSight Common Event Format lines: `CEF:0|Airlock|Airlock|0.1.0|rule|decision|severity|k=v …`.
public enum CEF {
    public static let productVersion = "0.1.0"

    /// CEF severity, 0 (lowest) to 10.
    public static func severity(_ outcome: AuditRecord.Outcome) -> Int {
        switch outcome {
        case .allowed: 1
        case .approved: 2
        case .approvalRequired, .expired, .freezeLifted: 5
        case .rejected: 6
        case .blocked: 7
        case .frozen, .recovered: 8
        case .freezeStarted: 9
        }
    }

    /// Header fields escape `\` and `|`. CEF has no newline escape in the header, and a newline
    /// would split the event, so line breaks become spaces.
    public static func escapeHeader(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "|": out += "\\|"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Extension values escape `\`, `=`, and line breaks as `\n` / `\r`.
    public static func escapeExtension(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "=": out += "\\="
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    public static func line(_ record: AuditRecord) -> String {
        let header = [
            "CEF:0", escapeHeader("Airlock"), escapeHeader("Airlock"), escapeHeader(productVersion), escapeHeader(record.rule.id),
            escapeHeader(record.outcome.rawValue), String(severity(record.outcome)),
        ].joined(separator: "|")
        var pairs: [(String, String)] = [
            ("rt", String(AuditExport.epochMilliseconds(record.timestamp))),
            ("act", record.outcome.rawValue),
            ("suser", record.context.user),
            ("shost", record.context.host),
        ]
        if let host = AuditExport.target("host", in: record) { pairs.append(("dhost", host)) }
        pairs += [
            ("cs1Label", "rule"), ("cs1", record.rule.id),
            ("cs2Label", "environment"), ("cs2", record.environment),
            ("cs3Label", "agent"), ("cs3", record.context.agent ?? ""),
            ("cs4Label", "door"), ("cs4", record.door.rawValue),
            ("cs5Label", "policyDigest"), ("cs5", record.policyDigest),
            ("cs6Label", "action"), ("cs6", record.action.text),
            ("cn1Label", "index"), ("cn1", String(record.index)),
            ("externalId", String(record.index)),
        ]
        pairs.append(("msg", record.reason))
        return header + "|" + pairs.map { "\($0.0)=\(escapeExtension($0.1))" }.joined(separator: " ")
    }
}
