import Yams

/// Checks on the raw text, and YAML errors made readable.
enum YAMLText {
    /// The first YAML anchor (`&name`) in `text`, found without parsing.
    ///
    /// libyaml anchors are `&` and then `[A-Za-z0-9_-]+`, followed by a blank, the end, or one
    /// of `? : , ] } % @ \``, and start a token, so the character before can never be a
    /// letter or digit. This scan flags every such spelling, inside quotes and comments too:
    /// it may refuse a harmless text (`"a &b"`), never miss an anchor. Without anchors there
    /// are no aliases to expand, so a policy's size bounds the work of reading it.
    static func firstAnchor(in text: String) -> (line: Int, column: Int, name: String)? {
        var line = 1
        var column = 0
        var previous: UInt8 = UInt8(ascii: "\n")
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 0
                previous = byte
                index += 1
                continue
            }
            // Columns count Unicode scalars, as libyaml's do: skip UTF-8 continuation bytes.
            if byte & 0xC0 != 0x80 { column += 1 }
            if byte == UInt8(ascii: "&"), !isAlphanumeric(previous) {
                var end = index + 1
                while end < bytes.count, isAnchorCharacter(bytes[end]) { end += 1 }
                if end > index + 1, end == bytes.count || endsAnchor(bytes[end]) {
                    let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                    return (line, column, name)
                }
            }
            previous = byte
            index += 1
        }
        return nil
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAnchorCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func endsAnchor(_ byte: UInt8) -> Bool {
        // Blanks and line breaks (libyaml's IS_BLANKZ) and the indicators it accepts.
        let enders: [UInt8] = [0x20, 0x09, 0x0A, 0x0D, 0x00] + Array("?:,]}%@`".utf8)
        return enders.contains(byte) || byte >= 0x80
    }

    // MARK: Errors

    /// A Yams error as a policy error with its line and an explanation a person can act on.
    static func policyError(_ error: YamlError, file: String, text: String) -> PolicyError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return PolicyError(file: file, line: mark.line, column: mark.column, message: explain(context: context, problem: problem, mark: mark, text: text))
        case .reader(let problem, let offset, let value, _):
            let position = offset.map { self.position(ofCharacter: $0, in: text) }
            var message = "the file is not valid YAML text: \(problem)"
            if value >= 0 { message += " (character U+\(String(UInt32(bitPattern: value), radix: 16, uppercase: true)))" }
            if problem.contains("control characters") { message += "; is this a binary file?" }
            return PolicyError(file: file, line: position?.line ?? 1, column: position?.column, message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\(PolicyValues.display($0, limit: 40))'" }.joined(separator: ", ")
            let noun = duplicates.count == 1 ? "key" : "keys"
            return PolicyError(file: file, line: context.mark.line, column: context.mark.column, message: "duplicate \(noun) \(keys) in the same mapping; each key may appear only once")
        default:
            return PolicyError(file: file, line: 1, message: "the file could not be read as YAML: \(error)")
        }
    }

    private static func explain(context: YamlError.Context?, problem: String, mark: Mark, text: String) -> String {
        let lineText = self.line(mark.line, of: text)
        if problem.contains("found undefined alias") || context?.text.contains("while scanning an alias") == true {
            return "a value that starts with '*' must be quoted (write \"*.internal\", not *.internal): unquoted, YAML reads '*' as an alias"
        }
        if context?.text.contains("while scanning an anchor") == true {
            return "a value that starts with '&' must be quoted: unquoted, YAML reads '&' as an anchor"
        }
        if problem.contains("found character that cannot start any token"), lineText.contains("\t") {
            return "found a tab character; YAML does not allow tabs for indentation, indent with spaces"
        }
        if problem.contains("found character that cannot start any token"), let character = character(at: mark, in: lineText),
           ["@", "`", "%"].contains(character) {
            return "a value cannot start with '\(character)' unless it is quoted; put the value in quotes"
        }
        if problem.contains("but found another document") {
            return "the file has more than one YAML document ('---'); a policy is a single document"
        }
        if problem.contains("Maximum nesting level") {
            return "the YAML is nested too deeply to be a policy"
        }
        var message = "invalid YAML: \(problem)"
        if let context {
            var what = context.text
            if what.hasPrefix("while ") { what.removeFirst("while ".count) }
            message += " (\(what) that started on line \(context.mark.line))"
        }
        return message
    }

    /// The 1-based line `number` of `text`, or "" when there is none.
    static func line(_ number: Int, of text: String) -> Substring {
        var current = 1
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\n" || text[index] == "\r\n" {
                if current == number { return text[start..<index] }
                current += 1
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return current == number ? text[start...] : ""
    }

    private static func character(at mark: Mark, in line: Substring) -> Character? {
        let scalars = line.unicodeScalars
        guard mark.column >= 1, let index = scalars.index(scalars.startIndex, offsetBy: mark.column - 1, limitedBy: scalars.endIndex),
              index < scalars.endIndex else { return nil }
        return Character(scalars[index])
    }

    /// Line and column of the `offset`-th character (Yams reports reader errors that way).
    static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(max(0, offset)) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
