/// Standard base64 (RFC 4648 §4, with padding), the encoding of root hashes, signatures and
/// keys in checkpoints.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The padded base64 text of `bytes`.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let input = Array(bytes)
        let outputCount = (input.count + 2) / 3 * 4
        guard outputCount > 0 else { return "" }
        let symbols = alphabet
        return String(unsafeUninitializedCapacity: outputCount) { out in
            var o = 0
            var i = 0
            while i + 3 <= input.count {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                out[o] = symbols[Int(v >> 18 & 63)]
                out[o + 1] = symbols[Int(v >> 12 & 63)]
                out[o + 2] = symbols[Int(v >> 6 & 63)]
                out[o + 3] = symbols[Int(v & 63)]
                i += 3
                o += 4
            }
            let rest = input.count - i
            if rest > 0 {
                let v = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                out[o] = symbols[Int(v >> 18 & 63)]
                out[o + 1] = symbols[Int(v >> 12 & 63)]
                out[o + 2] = rest == 2 ? symbols[Int(v >> 6 & 63)] : UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
                o += 4
            }
            return o
        }
    }

    /// The bytes `text` encodes, or nil unless it is canonical padded base64: a multiple of four
    /// characters from the standard alphabet, `=` only as final padding, and zero unused bits.
    /// Canonical only, so one byte string has exactly one accepted text and a signed body cannot
    /// be re-spelled.
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        guard !input.isEmpty else { return [] }
        var padding = 0
        if input[input.count - 1] == UInt8(ascii: "=") {
            padding = input[input.count - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var i = 0
        while i < input.count {
            let isLast = i + 4 == input.count
            let significant = isLast ? 4 - padding : 4
            var v: UInt32 = 0
            for j in 0 ..< 4 {
                let value: UInt32
                if j < significant {
                    guard let decoded = sextet(input[i + j]) else { return nil }
                    value = decoded
                } else {
                    value = 0
                }
                v = v << 6 | value
            }
            output.append(UInt8(v >> 16 & 0xFF))
            if significant >= 3 { output.append(UInt8(v >> 8 & 0xFF)) }
            if significant == 4 { output.append(UInt8(v & 0xFF)) }
            // Bits the padding leaves unused must be zero, or two texts would decode alike.
            if significant == 3, v & 0xFF != 0 { return nil }
            if significant == 2, v & 0xFFFF != 0 { return nil }
            i += 4
        }
        return output
    }

    private static func sextet(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A") ... UInt8(ascii: "Z"): UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a") ... UInt8(ascii: "z"): UInt32(c - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
