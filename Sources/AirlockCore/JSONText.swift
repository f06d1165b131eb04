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
        // Byte-wise: every hook answer and audit record goes through here, and almost no text
        // needs escaping, so the common case is one append. UTF-8 bytes at or above 0x20 are
        // copied as they are; only quote, backslash and control characters are rewritten.
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            out += "\""
            out += value
            out += "\""
            return
        }
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.reserveCapacity(value.utf8.count + 16)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: bytes += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        out += String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
