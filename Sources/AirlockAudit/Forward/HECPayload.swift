/// Splunk HTTP Event Collector bodies: one JSON object per record, batched by concatenation
/// (HEC accepts several events in one POST to /services/collector/event).
public enum HECPayload {
    public static let source = "airlock"
    public static let sourcetype = "airlock:decision"

    /// `{"event": <OCSF>, "fields": {index, checkpoint…}, "host", "source", "sourcetype", "time"}`.
    /// `time` is epoch seconds with milliseconds; written by hand because the log's canonical
    /// JSON holds only integers.
    public static func event(_ record: AuditRecord, checkpoint: ForwardCheckpoint?, host: String) -> String {
        var fields: [String: AuditValue] = ["index": .string(String(record.index)), "decision": .string(record.outcome.rawValue)]
        if let checkpoint {
            fields["checkpoint_size"] = .string(String(checkpoint.size))
            fields["checkpoint_root"] = .string(checkpoint.root)
        }
        let object: AuditValue = .object([
            "event": OCSF.event(record), "fields": .object(fields), "host": .string(host),
            "source": .string(source), "sourcetype": .string(sourcetype),
        ])
        var text = object.canonicalText
        text.removeLast()
        return text + ",\"time\":" + seconds(AuditExport.epochMilliseconds(record.timestamp)) + "}"
    }

    /// Several events, newline-separated.
    public static func batch(_ records: [AuditRecord], checkpoint: ForwardCheckpoint?, host: String) -> String {
        records.map { event($0, checkpoint: checkpoint, host: host) }.joined(separator: "\n")
    }

    /// `1763711401.123` from milliseconds.
    static func seconds(_ milliseconds: Int64) -> String {
        let value = max(milliseconds, 0)
        let fraction = String(value % 1000)
        return String(value / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
