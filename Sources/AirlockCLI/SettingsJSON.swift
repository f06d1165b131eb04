import AirlockCore

/// A JSON document as an agent host's settings file holds it: objects keep their key order and
/// numbers keep their literal text, so a file Airlock edits comes back with everything it did
/// not touch unchanged. Rendering follows `JSON.stringify(value, null, indent)`, the form the
/// hosts write themselves, so a file in that form is reproduced byte for byte.
indirect enum SettingsJSON: Equatable, Sendable {
    /// One `"key": value` pair of an object, in file order.
    struct Member: Equatable, Sendable {
        var key: String
        var value: SettingsJSON
    }

    case object([Member])
    case array([SettingsJSON])
    case string(String)
    /// A number as written in the file (`10`, `1.5e3`), never reformatted.
    case number(String)
    case bool(Bool)
    case null

    /// Why a text is not JSON, with the line and column where reading stopped.
    struct ParseError: Error, CustomStringConvertible, Equatable {
        var line: Int
        var column: Int
        var problem: String
        var description: String { "line \(line), column \(column): \(problem)" }
    }

    // MARK: Object access

    var members: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var items: [SettingsJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of the first member named `key`, when this is an object.
    subscript(key: String) -> SettingsJSON? {
        members?.first { $0.key == key }?.value
    }

    /// Sets `key` (in place if present, else appended); nil removes it. No effect on non-objects.
    mutating func set(_ key: String, _ value: SettingsJSON?) {
        guard var members else { return }
        if let index = members.firstIndex(where: { $0.key == key }) {
            if let value { members[index].value = value } else { members.remove(at: index) }
        } else if let value {
            members.append(Member(key: key, value: value))
        }
        self = .object(members)
    }

    static func keyed(_ pairs: KeyValuePairs<String, SettingsJSON>) -> SettingsJSON {
        .object(pairs.map { Member(key: $0.key, value: $0.value) })
    }

    // MARK: Rendering

    /// The document as text: `indent` per level (two spaces unless the file used another),
    /// empty containers as `{}` and `[]`, a final newline.
    func rendered(indent: String = "  ") -> String {
        var out = ""
        write(into: &out, indent: indent, level: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: String, level: Int) {
        let inner = String(repeating: indent, count: level + 1)
        let outer = String(repeating: indent, count: level)
        switch self {
        case .string(let value): JSONText.escape(value, into: &out)
        case .number(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                item.write(into: &out, indent: indent, level: level + 1)
                out += index < items.count - 1 ? ",\n" : "\n"
            }
            out += outer + "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, member) in members.enumerated() {
                out += inner
                JSONText.escape(member.key, into: &out)
                out += ": "
                member.value.write(into: &out, indent: indent, level: level + 1)
                out += index < members.count - 1 ? ",\n" : "\n"
            }
            out += outer + "}"
        }
    }

    /// The indentation unit a file uses (the leading whitespace of its first indented line),
    /// so a file indented with tabs or four spaces keeps its style; two spaces otherwise.
    static func indentUnit(of text: String) -> String {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).dropFirst() {
            let lead = line.prefix { $0 == " " || $0 == "\t" }
            if !lead.isEmpty { return String(lead) }
        }
        return "  "
    }

    // MARK: Parsing

    /// Reads a whole document (RFC 8259; nesting bounded at 256 levels).
    static func parse(_ text: String) throws(ParseError) -> SettingsJSON {
        var reader = Reader(bytes: Array(text.utf8))
        // A byte-order mark is not JSON, but editors write one; accept it.
        if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw reader.error("unexpected text after the end of the document") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        func error(_ problem: String) -> ParseError {
            var line = 1, column = 1
            for byte in bytes[..<min(index, bytes.count)] {
                if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
            }
            return ParseError(line: line, column: column, problem: problem)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(ParseError) {
            skipWhitespace()
            guard current == byte else { throw error(current == nil ? "the document ends early; expected \(what)" : "expected \(what)") }
            index += 1
        }

        mutating func value(depth: Int) throws(ParseError) -> SettingsJSON {
            guard depth < 256 else { throw error("nested too deeply") }
            skipWhitespace()
            guard let byte = current else { throw error("the document ends early; expected a value") }
            switch byte {
            case UInt8(ascii: "{"):
                index += 1
                var members: [Member] = []
                skipWhitespace()
                if current == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard current == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                    let key = try string()
                    try expect(UInt8(ascii: ":"), "':' after the key")
                    members.append(Member(key: key, value: try value(depth: depth + 1)))
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    if current == UInt8(ascii: "}") { index += 1; return .object(members) }
                    throw error(current == nil ? "the document ends early; expected ',' or '}'" : "expected ',' or '}' (a trailing comma or a comment is not JSON)")
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [SettingsJSON] = []
                skipWhitespace()
                if current == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    if current == UInt8(ascii: "]") { index += 1; return .array(items) }
                    throw error(current == nil ? "the document ends early; expected ',' or ']'" : "expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): return try word("true", .bool(true))
            case UInt8(ascii: "f"): return try word("false", .bool(false))
            case UInt8(ascii: "n"): return try word("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try number()
            default:
                throw error(byte == UInt8(ascii: "/") ? "comments are not JSON" : "expected a value")
            }
        }

        mutating func word(_ text: String, _ value: SettingsJSON) throws(ParseError) -> SettingsJSON {
            let expected = Array(text.utf8)
            guard bytes[index...].starts(with: expected) else { throw error("expected a value") }
            index += expected.count
            return value
        }

        mutating func number() throws(ParseError) -> SettingsJSON {
            let start = index
            func digits() -> Int {
                let from = index
                while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
                return index - from
            }
            if current == UInt8(ascii: "-") { index += 1 }
            let leading = current
            guard digits() > 0 else { throw error("expected digits") }
            if leading == UInt8(ascii: "0"), index - start > (bytes[start] == UInt8(ascii: "-") ? 2 : 1) {
                throw error("a number may not start with 0")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw error("expected digits after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw error("expected digits in the exponent") }
            }
            return .number(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        mutating func string() throws(ParseError) -> String {
            index += 1  // the opening quote
            var scalars = String.UnicodeScalarView()
            var run = index
            func flush(_ upTo: Int) { scalars.append(contentsOf: String(decoding: bytes[run..<upTo], as: UTF8.self).unicodeScalars) }
            while true {
                guard let byte = current else { throw error("a string is not closed") }
                if byte == UInt8(ascii: "\"") {
                    flush(index)
                    index += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw error("a control character inside a string must be escaped") }
                if byte != UInt8(ascii: "\\") { index += 1; continue }
                flush(index)
                index += 1
                guard let escape = current else { throw error("a string is not closed") }
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), bytes[index...].starts(with: Array("\\u".utf8)) {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("a \\u escape is not a valid surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    // A lone surrogate cannot be kept in a Swift string; it becomes U+FFFD.
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default:
                    index -= 1
                    throw error("unknown escape in a string")
                }
                run = index
            }
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard index + 4 <= bytes.count,
                  let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw error("a \\u escape needs four hex digits") }
            index += 4
            return code
        }
    }
}
