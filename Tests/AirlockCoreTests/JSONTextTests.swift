import AirlockCore
import Testing

/// JSON string escaping: the exact bytes matter, since compiled policies are digested.
@Suite("JSON text")
struct JSONTextTests {
    /// The escaping rules spelled out scalar by scalar, as the reference.
    static func reference(_ value: String) -> String {
        var out = "\""
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
        return out + "\""
    }

    @Test("every ASCII character is escaped as the reference says")
    func ascii() {
        for value in 0..<0x80 {
            let text = String(UnicodeScalar(UInt8(value)))
            #expect(JSONText.string(text) == Self.reference(text), "U+\(String(value, radix: 16))")
        }
    }

    @Test("mixed text", arguments: [
        "", "plain", "say \"hi\"", "C:\\path\\to", "line\nbreak\ttab\r", "\u{1B}[31mred\u{7F}", "naïve café ✓ 🚀",
        "DROP TABLE \"users\"; -- \u{0}", "e\u{301} combining", String(repeating: "a\"b", count: 1000),
    ])
    func mixed(_ text: String) {
        #expect(JSONText.string(text) == Self.reference(text))
    }

    @Test("escape appends to what is there")
    func appends() {
        var out = "prefix:"
        JSONText.escape("a\"b", into: &out)
        #expect(out == "prefix:\"a\\\"b\"")
    }
}
