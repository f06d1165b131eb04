/// JSON string escaping, shared by everything Airlock writes as JSON (decisions, compiled
/// policies), so there is one definition of what a JSON string looks like.
public enum JSONText {
    /// `value` as a quoted JSON string.
    public static func string(_ value: String) -> String {
        var out = ""
        escape(value, into: &out)
        return out
    }

    /// Appends `value` as a quoted JSON string.
    public static func escape(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
