/// PostgreSQL's COPY text format, one line per row: values separated by tabs, `\N` for NULL,
/// and backslash, newline, carriage return and tab escaped. Bytes are carried as they are (the
/// format has no notion of encoding), so values that are not UTF-8 survive unchanged.
public enum CopyText {
    static let backslash = UInt8(ascii: "\\")
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    /// Appends one row's line (with its newline) to `line`. Values are in text format, as a
    /// DataRow carries them; nil is NULL.
    public static func appendLine(_ values: [[UInt8]?], to line: inout [UInt8]) {
        for (position, value) in values.enumerated() {
            if position > 0 { line.append(tab) }
            guard let value else {
                line.append(backslash)
                line.append(UInt8(ascii: "N"))
                continue
            }
            for byte in value {
                switch byte {
                case backslash: line.append(backslash); line.append(backslash)
                case newline: line.append(backslash); line.append(UInt8(ascii: "n"))
                case carriageReturn: line.append(backslash); line.append(UInt8(ascii: "r"))
                case tab: line.append(backslash); line.append(UInt8(ascii: "t"))
                default: line.append(byte)
                }
            }
        }
        line.append(newline)
    }

    /// One row's line, newline included.
    public static func line(_ values: [[UInt8]?]) -> [UInt8] {
        var line: [UInt8] = []
        appendLine(values, to: &line)
        return line
    }

    /// The values of one line (without its newline), as COPY FROM reads them: every escape
    /// PostgreSQL accepts (`\b \f \n \r \t \v`, octal `\123`, hex `\x7f`, any other character
    /// standing for itself) and `\N` alone as NULL.
    public static func values(of line: some Collection<UInt8>) throws -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        var current: [UInt8] = []
        var isNull = false
        var bytes = Array(line)
        if bytes.last == newline { bytes.removeLast() }
        var index = 0
        func finish() {
            values.append(isNull ? nil : current)
            current = []
            isNull = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == tab {
                finish()
                continue
            }
            guard byte == backslash else {
                current.append(byte)
                continue
            }
            guard index < bytes.count else { throw JournalError("a COPY text line ends in a lone backslash") }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "N"):
                // `\N` is NULL only as a whole value.
                let endsValue = index == bytes.count || bytes[index] == tab
                guard current.isEmpty, endsValue else { current.append(escaped); continue }
                isNull = true
            case UInt8(ascii: "b"): current.append(0x08)
            case UInt8(ascii: "f"): current.append(0x0C)
            case UInt8(ascii: "n"): current.append(newline)
            case UInt8(ascii: "r"): current.append(carriageReturn)
            case UInt8(ascii: "t"): current.append(tab)
            case UInt8(ascii: "v"): current.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escaped - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[index]) {
                    value = value * 8 + Int(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                current.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x") where index < bytes.count && hexValue(bytes[index]) != nil:
                var value = hexValue(bytes[index]) ?? 0
                index += 1
                if index < bytes.count, let low = hexValue(bytes[index]) {
                    value = value * 16 + low
                    index += 1
                }
                current.append(UInt8(value))
            default:
                current.append(escaped)
            }
        }
        finish()
        return values
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Newline bytes in `bytes`: rows in COPY text data (a value's newlines are escaped).
    public static func lineCount(_ bytes: some Collection<UInt8>) -> Int {
        if let count = bytes.withContiguousStorageIfAvailable({ buffer in buffer.reduce(0) { $0 + ($1 == newline ? 1 : 0) } }) {
            return count
        }
        return bytes.reduce(0) { $0 + ($1 == newline ? 1 : 0) }
    }
}
