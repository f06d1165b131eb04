/// A minimal, bounded JSON reader (objects, arrays, strings, integers, booleans) for small
/// documents: package.json manifests, compiled policies, agent hooks' input. Nesting is
/// bounded; malformed input gives nil, never a crash. Objects keep their members in order
/// (duplicates included: callers that act on a key decide what a duplicate means).
public struct JSONReader {
    public indirect enum Value: Sendable {
        case object([(key: String, value: Value)]), array([Value]), string(String), number(Int), bool(Bool), null
        /// Any other number (fractions, exponents, out of `Int` range), as written.
        case scalar(String)

        /// The JSON text of the value (strings escaped; members in their order).
        public var jsonText: String {
            switch self {
            case .object(let members): "{" + members.map { JSONText.string($0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
            case .array(let items): "[" + items.map(\.jsonText).joined(separator: ",") + "]"
            case .string(let text): JSONText.string(text)
            case .number(let number): String(number)
            case .bool(let flag): flag ? "true" : "false"
            case .null: "null"
            case .scalar(let token): token
            }
        }
    }

    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The whole document as one value; nil when it is not exactly one well-formed value.
    public static func parse(_ bytes: [UInt8]) -> Value? {
        var reader = JSONReader(bytes)
        guard let value = reader.parseValue(depth: 0) else { return nil }
        reader.skipWhitespace()
        return reader.index == bytes.count ? value : nil
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func parseValue(depth: Int) -> Value? {
        guard depth < 64 else { return nil }
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: Value)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard let key = parseString() else { return nil }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let value = parseValue(depth: depth + 1) else { return nil }
                members.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                return nil
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [Value] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                guard let value = parseValue(depth: depth + 1) else { return nil }
                items.append(value)
                skipWhitespace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                return nil
            }
        case UInt8(ascii: "\""):
            return parseString().map(Value.string)
        default:
            let start = index
            while index < bytes.count, !",}] \n\r\t".utf8.contains(bytes[index]) { index += 1 }
            let token = String(decoding: bytes[start..<index], as: UTF8.self)
            switch token {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default:
                // Only JSON's number grammar; anything else is malformed.
                guard let first = token.utf8.first, first == UInt8(ascii: "-") || (0x30...0x39).contains(first),
                      token.utf8.allSatisfy({ (0x30...0x39).contains($0) || "+-.eE".utf8.contains($0) }) else { return nil }
                return Int(token).map(Value.number) ?? .scalar(token)
            }
        }
    }

    mutating func parseString() -> String? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return String(decoding: out, as: UTF8.self) }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else { return nil }
                    index += 4
                    out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(escaped)
                }
                continue
            }
            out.append(byte)
            index += 1
        }
        return nil
    }
}
