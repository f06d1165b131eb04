/// A conservative lexical reading of SQL and other database command text, used until (and
/// beside) a real parser: it can only err towards danger. Quotes, dollar quotes and comments
/// are skipped so `SELECT 'drop table'` is not mistaken for a drop, but any DROP, TRUNCATE,
/// DELETE or similar keyword in code marks the text destructive.
public enum SQLText {
    /// The verdict on a piece of SQL text.
    public struct Reading: Sendable, Hashable {
        public var effect: EffectClass
        public var reason: String
        /// The statements, split on top-level semicolons, for explanations.
        public var statements: [String]
    }

    static let destructiveKeywords: Set<String> = ["DROP", "TRUNCATE", "DELETE", "DROPDB"]

    /// Classifies SQL sent to a server. The effect is `destructive` when a destructive keyword
    /// appears in code, otherwise `opaque`: without the SQL parser, nothing weaker is claimed.
    public static func read(_ sql: String) -> Reading {
        // Whether a backslash escapes a quote depends on the server's settings; reading the
        // text both ways and taking every keyword either way sees can only find more danger.
        let standard = scan(sql, backslashEscapes: false)
        let escaped = scan(sql, backslashEscapes: true)
        let words = standard.words + escaped.words
        let statements = standard.statements
        let unterminated = standard.unterminated || escaped.unterminated
        if unterminated {
            return Reading(effect: .opaque, reason: "the SQL has an unterminated quote or comment", statements: statements)
        }
        if let word = words.first(where: { destructiveKeywords.contains($0) }) {
            return Reading(effect: .destructive, reason: "the SQL contains \(word)", statements: statements)
        }
        if words.contains("ALTER"), words.contains("DROP") || words.contains("RENAME") {
            return Reading(effect: .destructive, reason: "the SQL alters a table destructively", statements: statements)
        }
        if statements.isEmpty {
            return Reading(effect: .read, reason: "no SQL statements", statements: [])
        }
        return Reading(effect: .opaque, reason: "SQL to a server: its effect is not judged from text until the SQL parser lands", statements: statements)
    }

    /// Upper-cased keywords and identifiers outside quotes and comments, and the statements.
    static func scan(_ sql: String, backslashEscapes: Bool = true) -> (words: [String], statements: [String], unterminated: Bool) {
        let bytes = Array(sql.utf8)
        var words: [String] = []
        var statements: [String] = []
        var statementStart = 0
        var i = 0
        var unterminated = false
        func flushStatement(_ end: Int) {
            let text = String(decoding: bytes[statementStart..<end], as: UTF8.self).trimmingSpaces()
            let cleaned = text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }.joined(separator: " ")
            if !cleaned.isEmpty { statements.append(cleaned) }
        }
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                var j = i + 1
                while j < bytes.count {
                    if bytes[j] == c {
                        if j + 1 < bytes.count && bytes[j + 1] == c { j += 2; continue }
                        break
                    }
                    // Backslash escapes (E'' strings, MySQL): skipping one more byte can only
                    // make us see more code, never less.
                    if backslashEscapes && bytes[j] == UInt8(ascii: "\\") && c != UInt8(ascii: "\"") { j += 1 }
                    j += 1
                }
                if j >= bytes.count { unterminated = true }
                i = j + 1
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                var depth = 1
                var j = i + 2
                while j < bytes.count && depth > 0 {
                    if bytes[j] == UInt8(ascii: "/") && j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "*") { depth += 1; j += 2; continue }
                    if bytes[j] == UInt8(ascii: "*") && j + 1 < bytes.count && bytes[j + 1] == UInt8(ascii: "/") { depth -= 1; j += 2; continue }
                    j += 1
                }
                if depth > 0 { unterminated = true }
                i = j
            case UInt8(ascii: "$"):
                // Dollar quoting: $$…$$ or $tag$…$tag$. Its body is code in DO blocks and
                // function definitions, so keywords inside still count.
                var j = i + 1
                while j < bytes.count, isIdentifier(bytes[j]) { j += 1 }
                if j < bytes.count && bytes[j] == UInt8(ascii: "$") {
                    let tag = Array(bytes[i...j])
                    i = j + 1
                    var k = i
                    var closed = false
                    while k + tag.count <= bytes.count {
                        if Array(bytes[k..<(k + tag.count)]) == tag { closed = true; break }
                        k += 1
                    }
                    let body = String(decoding: bytes[i..<min(k, bytes.count)], as: UTF8.self)
                    words.append(contentsOf: scan(body, backslashEscapes: backslashEscapes).words)
                    if !closed { unterminated = true; i = bytes.count } else { i = k + tag.count }
                } else {
                    i += 1
                }
            case UInt8(ascii: ";"):
                flushStatement(i)
                statementStart = i + 1
                i += 1
            default:
                if isIdentifier(c) {
                    var j = i
                    while j < bytes.count, isIdentifier(bytes[j]) { j += 1 }
                    words.append(String(decoding: bytes[i..<j], as: UTF8.self).uppercased())
                    i = j
                } else {
                    i += 1
                }
            }
        }
        if statementStart < bytes.count { flushStatement(bytes.count) }
        return (words, statements, unterminated)
    }

    static func isIdentifier(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 95 || byte >= 128
    }
}
