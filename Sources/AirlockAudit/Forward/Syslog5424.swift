/// RFC 5424 syslog messages for audit records, one record per message, with the entry's index
/// and the latest checkpoint in structured data so a receiver can anchor the log off the
/// machine without parsing the body.
public enum Syslog5424 {
    /// The SD-ID: RFC 5612's documentation enterprise number, until Airlock has its own.
    public static let structuredDataID = "airlock@32473"
    /// authpriv: the messages carry command lines, which may hold secrets, and syslog daemons
    /// keep authpriv in a file only administrators read.
    public static let defaultFacility = 10
    /// RFC 5424 §6.4: a MSG in UTF-8 starts with the BOM. Always sent, because command lines
    /// and reasons may hold any Unicode text; receivers that know RFC 5424 strip it.
    public static let byteOrderMark = "\u{FEFF}"

    /// Syslog severity: 6 informational for what ran, 4 warning for what was stopped, 2
    /// critical for a freeze, 3 error for a log recovery, 5 notice for the rest.
    public static func severity(_ outcome: AuditRecord.Outcome) -> Int {
        switch outcome {
        case .allowed: 6
        case .approvalRequired, .approved, .expired, .freezeLifted: 5
        case .blocked, .rejected, .frozen: 4
        case .recovered: 3
        case .freezeStarted: 2
        }
    }

    /// `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [airlock@32473 index="…" …] BOM MSG`.
    public static func format(
        record: AuditRecord, checkpoint: ForwardCheckpoint?, hostname: String, appName: String = "airlock", procid: String? = nil,
        facility: Int = defaultFacility, body: AuditFormat = .ocsf
    ) -> String {
        let priority = facility * 8 + severity(record.outcome)
        var parameters: [(String, String)] = [("index", String(record.index)), ("decision", record.outcome.rawValue)]
        if let checkpoint {
            parameters.append(("checkpoint_size", String(checkpoint.size)))
            parameters.append(("checkpoint_root", checkpoint.root))
        }
        let data = "[" + structuredDataID + parameters.map { " \($0.0)=\"\(escapeParameter($0.1))\"" }.joined() + "]"
        let header = [
            "<\(priority)>1", timestamp(record.timestamp), headerField(hostname, limit: 255), headerField(appName, limit: 48),
            headerField(procid ?? "", limit: 128), headerField(record.outcome.rawValue, limit: 32),
        ].joined(separator: " ")
        return header + " " + data + " " + byteOrderMark + AuditExport.render(record, as: body)
    }

    /// RFC 6587 octet counting for TCP: `LEN SP MSG`, LEN the byte count of MSG.
    public static func octetCounted(_ message: String) -> [UInt8] {
        let bytes = Array(message.utf8)
        return Array("\(bytes.count) ".utf8) + bytes
    }

    /// PARAM-VALUE escaping (§6.3.3): `"`, `\` and `]` take a backslash.
    public static func escapeParameter(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" || scalar == "]" { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// Header fields are PRINTUSASCII (33…126) with a length limit; anything else is replaced,
    /// and an empty field is the NILVALUE `-`.
    static func headerField(_ text: String, limit: Int) -> String {
        var out = ""
        for byte in text.utf8.prefix(limit) {
            out.unicodeScalars.append((33...126).contains(byte) ? Unicode.Scalar(byte) : "_")
        }
        return out.isEmpty ? "-" : out
    }

    /// The record's RFC 3339 time is already a valid RFC 5424 TIMESTAMP; anything else is `-`.
    static func timestamp(_ text: String) -> String {
        AuditClock.parse(text) != nil && text.hasSuffix("Z") && text.utf8.allSatisfy({ (33...126).contains($0) }) ? text : "-"
    }
}
