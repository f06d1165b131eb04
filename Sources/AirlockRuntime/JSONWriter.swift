import AirlockCore

/// A small JSON value and writer with sorted keys, so machine output is deterministic and the
/// hook path does not load Foundation's encoders.
public indirect enum JSON: Sendable, Hashable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([String: JSON])

    public var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .string(let value): JSONText.escape(value, into: &out)
        case .int(let value): out += String(value)
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONText.escape(key, into: &out)
                out += ":"
                members[key]?.write(into: &out)
            }
            out += "}"
        }
    }
}

extension JSON {
    public static func strings(_ values: [String]) -> JSON { .array(values.map(JSON.string)) }
    public static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }
}
