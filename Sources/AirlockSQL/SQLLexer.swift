/// One token of SQL code. Comments and whitespace are gone; quoted text is kept apart from
/// words, so a keyword inside a string or a quoted identifier is never mistaken for code.
struct SQLToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A bare word: a keyword or an unquoted identifier.
        case word
        /// `` `name` ``, `[name]` (SQLite) or `"name"` (SQLite): always a name.
        case quotedIdentifier
        /// `'text'`, and `"text"` in MySQL.
        case string
        case number
        /// `@name`, `@'name'`, `@@global.name`.
        case variable
        /// `?`, `?1`, `:name`, `$name` (SQLite).
        case parameter
        /// Operators and punctuation; a MySQL client command is the symbol `\x`.
        case symbol
    }

    var kind: Kind
    /// Words and symbols as written; quoted text with its quotes removed and doubled quotes
    /// (and, where they apply, backslash escapes) resolved.
    var text: String
    /// `text` with ASCII letters upper-cased: keywords compare on this. Only ASCII is folded,
    /// as the servers do, so `ſelect` is not `SELECT`.
    var upper: String
    /// Byte offset of the token in the whole text.
    var offset: Int

    func isWord(_ word: String) -> Bool { kind == .word && upper == word }
    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}

/// Splits SQL text into statements of tokens. The rules are the dialect's, and where the
/// server's reading depends on its settings (backslash escapes, ANSI_QUOTES, version-gated
/// `/*!…*/` comments) the options choose one reading; `LexicalSQL` reads every combination
/// and keeps the most dangerous.
struct SQLLexer {
    struct Options: Sendable, Hashable {
        var dialect: SQLDialect
        /// A backslash escapes the next character inside quotes (MySQL's default; off under
        /// NO_BACKSLASH_ESCAPES).
        var backslashEscapes = false
        /// `"…"` is an identifier, not a string (MySQL's ANSI_QUOTES; always so in SQLite).
        var ansiQuotes = false
        /// `/*!NNNNN … */` is code; when false it is a comment (a server older than NNNNN).
        /// `/*! … */` without a version is code either way.
        var versionedCommentsAreCode = true
        /// `--` followed by a control character (not a space) starts a comment, as the MySQL
        /// server reads it; the mysql client requires whitespace.
        var dashDashControlIsComment = true

        /// How this reading differs from `primary`, in words, for reasons.
        func difference(from primary: Options) -> String {
            var parts: [String] = []
            if backslashEscapes != primary.backslashEscapes {
                parts.append(backslashEscapes ? "backslashes are escapes" : "backslashes are not escapes (NO_BACKSLASH_ESCAPES)")
            }
            if ansiQuotes != primary.ansiQuotes {
                parts.append(ansiQuotes ? "double quotes delimit identifiers (ANSI_QUOTES)" : "double quotes delimit strings")
            }
            if versionedCommentsAreCode != primary.versionedCommentsAreCode {
                parts.append(versionedCommentsAreCode ? "version-gated /*!…*/ comments run" : "version-gated /*!…*/ comments are skipped")
            }
            if dashDashControlIsComment != primary.dashDashControlIsComment {
                parts.append(dashDashControlIsComment ? "-- before a control character is a comment" : "-- before a control character is not a comment")
            }
            return parts.joined(separator: " and ")
        }
    }

    /// Where the text could not be read: an unterminated quote or comment.
    struct Failure: Sendable, Hashable {
        var message: String
        /// Byte offset in the whole text.
        var offset: Int
    }

    /// One statement: its tokens and the bytes it spans, up to (not including) its terminator.
    struct Statement: Sendable, Equatable {
        var tokens: [SQLToken] = []
        var start: Int
        var end: Int
        var failure: Failure?
    }

    let bytes: [UInt8]
    let options: Options

    init(_ bytes: [UInt8], options: Options) {
        self.bytes = bytes
        self.options = options
    }

    // MARK: Splitting

    func statements() -> [Statement] {
        let b = bytes
        let n = b.count
        let mysql = options.dialect == .mysql
        let sqlite = options.dialect == .sqlite
        var result: [Statement] = []
        var current = Statement(start: 0, end: 0)
        var execComment: Int?  // offset of an open /*! comment
        var i = 0

        func finish(_ end: Int, next: Int) {
            current.end = end
            result.append(current)
            current = Statement(start: next, end: next)
        }
        func add(_ kind: SQLToken.Kind, _ text: String, at offset: Int) {
            current.tokens.append(SQLToken(kind: kind, text: text, upper: kind == .word ? Self.asciiUpper(text) : text, offset: offset))
        }

        while i < n {
            let c = b[i]
            if Self.isASCIISpace(c) { i += 1; continue }
            if c >= 0x80, let width = Self.unicodeSpaceWidth(b, i) { i += width; continue }
            let next: UInt8 = i + 1 < n ? b[i + 1] : 0
            switch c {
            case UInt8(ascii: "'"):
                guard let (text, end) = quoted(from: i, backslash: options.backslashEscapes) else {
                    return result + [failing(current, "unterminated string: a ' quote is never closed", at: i)]
                }
                add(.string, text, at: i)
                i = end
            case UInt8(ascii: "\""):
                let isString = mysql && !options.ansiQuotes
                guard let (text, end) = quoted(from: i, backslash: isString && options.backslashEscapes) else {
                    return result + [failing(current, isString ? "unterminated string: a \" quote is never closed" : "unterminated quoted identifier: a \" quote is never closed", at: i)]
                }
                add(isString ? .string : .quotedIdentifier, text, at: i)
                i = end
            case UInt8(ascii: "`"):
                guard let (text, end) = quoted(from: i, backslash: false) else {
                    return result + [failing(current, "unterminated quoted identifier: a ` quote is never closed", at: i)]
                }
                add(.quotedIdentifier, text, at: i)
                i = end
            case UInt8(ascii: "[") where sqlite:
                guard let close = b[(i + 1)...].firstIndex(of: UInt8(ascii: "]")) else {
                    return result + [failing(current, "unterminated quoted identifier: a [ bracket is never closed", at: i)]
                }
                add(.quotedIdentifier, String(decoding: b[(i + 1)..<close], as: UTF8.self), at: i)
                i = close + 1
            case UInt8(ascii: "-") where next == UInt8(ascii: "-") && startsDashComment(at: i):
                i = lineEnd(from: i)
            case UInt8(ascii: "#") where mysql:
                i = lineEnd(from: i)
            case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                if mysql, let (contentStart, versioned) = executableCommentStart(at: i),
                   !versioned || options.versionedCommentsAreCode {
                    if execComment == nil { execComment = i }
                    i = contentStart
                    continue
                }
                guard let close = find([UInt8(ascii: "*"), UInt8(ascii: "/")], from: i + 2) else {
                    return result + [failing(current, "unterminated comment: a /* comment is never closed", at: i)]
                }
                i = close + 2
            case UInt8(ascii: "*") where execComment != nil && next == UInt8(ascii: "/"):
                execComment = nil
                i += 2
            case UInt8(ascii: ";"):
                if sqlite && Self.insideTriggerBody(current.tokens) {
                    add(.symbol, ";", at: i)
                } else {
                    finish(i, next: i + 1)
                }
                i += 1
            case UInt8(ascii: "\\") where mysql && next != 0:
                // The mysql client reads `\g` and `\G` as "send this statement" and every other
                // `\x` as one of its own commands (`\!` runs a shell).
                if next == UInt8(ascii: "g") || next == UInt8(ascii: "G") {
                    finish(i, next: i + 2)
                } else {
                    add(.symbol, "\\" + String(decoding: [next], as: UTF8.self), at: i)
                }
                i += 2
            case UInt8(ascii: "@"):
                i = variable(from: i, into: &current)
            case UInt8(ascii: "?"):
                var j = i + 1
                while j < n, Self.isDigit(b[j]) { j += 1 }
                add(.parameter, String(decoding: b[i..<j], as: UTF8.self), at: i)
                i = j
            case UInt8(ascii: ":") where !mysql && Self.isIdentifierStart(next):
                let j = identifierEnd(from: i + 1)
                add(.parameter, String(decoding: b[i..<j], as: UTF8.self), at: i)
                i = j
            case UInt8(ascii: "$") where !mysql && (Self.isIdentifierStart(next) || Self.isDigit(next)):
                let j = identifierEnd(from: i + 1)
                add(.parameter, String(decoding: b[i..<j], as: UTF8.self), at: i)
                i = j
            default:
                if Self.isDigit(c) || (c == UInt8(ascii: ".") && Self.isDigit(next)) {
                    let j = numberEnd(from: i)
                    add(.number, String(decoding: b[i..<j], as: UTF8.self), at: i)
                    i = j
                } else if Self.isIdentifierStart(c) || (mysql && c == UInt8(ascii: "$")) {
                    let j = identifierEnd(from: i)
                    add(.word, String(decoding: b[i..<j], as: UTF8.self), at: i)
                    i = j
                } else {
                    let width = symbolWidth(at: i)
                    add(.symbol, String(decoding: b[i..<(i + width)], as: UTF8.self), at: i)
                    i += width
                }
            }
        }
        if let open = execComment {
            return result + [failing(current, "unterminated comment: a /*! comment is never closed", at: open)]
        }
        current.end = n
        result.append(current)
        return result
    }

    private func failing(_ statement: Statement, _ message: String, at offset: Int) -> Statement {
        var statement = statement
        statement.failure = Failure(message: message, offset: offset)
        statement.end = bytes.count
        return statement
    }

    // MARK: Pieces

    /// The content of a quoted string or identifier starting at `start` and the offset after its
    /// closing quote; nil when it is never closed. A doubled quote stands for itself.
    private func quoted(from start: Int, backslash: Bool) -> (String, Int)? {
        let b = bytes
        let quote = b[start]
        var content: [UInt8] = []
        var j = start + 1
        while j < b.count {
            let c = b[j]
            if c == quote {
                if j + 1 < b.count && b[j + 1] == quote {
                    content.append(quote)
                    j += 2
                    continue
                }
                return (String(decoding: content, as: UTF8.self), j + 1)
            }
            if backslash && c == UInt8(ascii: "\\") {
                guard j + 1 < b.count else { return nil }
                content.append(Self.unescaped(b[j + 1]))
                j += 2
                continue
            }
            content.append(c)
            j += 1
        }
        return nil
    }

    private static func unescaped(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "n"): UInt8(ascii: "\n")
        case UInt8(ascii: "t"): UInt8(ascii: "\t")
        case UInt8(ascii: "r"): UInt8(ascii: "\r")
        case UInt8(ascii: "0"): 0
        default: c
        }
    }

    /// Whether `--` at `i` starts a comment: always in SQLite; in MySQL only before whitespace,
    /// a control character (when the option says so) or the end.
    private func startsDashComment(at i: Int) -> Bool {
        guard options.dialect == .mysql else { return true }
        guard i + 2 < bytes.count else { return true }
        let c = bytes[i + 2]
        if Self.isASCIISpace(c) { return true }
        return options.dashDashControlIsComment && (c < 0x20 || c == 0x7F)
    }

    private func lineEnd(from i: Int) -> Int {
        var j = i
        while j < bytes.count && bytes[j] != UInt8(ascii: "\n") { j += 1 }
        return j
    }

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var j = start
        while j + needle.count <= bytes.count {
            if bytes[j] == needle[0] && bytes[j + 1] == needle[1] { return j }
            j += 1
        }
        return nil
    }

    /// `/*!`, `/*!NNNNN`, `/*M!` and `/*M!NNNNNN` (MariaDB): where the code inside starts and
    /// whether a version gates it.
    private func executableCommentStart(at i: Int) -> (Int, Bool)? {
        var j = i + 2
        if j < bytes.count && bytes[j] == UInt8(ascii: "M") { j += 1 }
        guard j < bytes.count && bytes[j] == UInt8(ascii: "!") else { return nil }
        j += 1
        let digits = j
        while j < bytes.count && Self.isDigit(bytes[j]) { j += 1 }
        // `/*M!` only runs on MariaDB: to MySQL it is a comment, as a version gate would be.
        return (j, j > digits || bytes[i + 2] == UInt8(ascii: "M"))
    }

    private func variable(from i: Int, into statement: inout Statement) -> Int {
        let b = bytes
        var j = i + 1
        if j < b.count && b[j] == UInt8(ascii: "@") { j += 1 }
        if j < b.count, b[j] == UInt8(ascii: "'") || b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "`") {
            let escapes = options.backslashEscapes && (b[j] == UInt8(ascii: "'") || (b[j] == UInt8(ascii: "\"") && !options.ansiQuotes))
            if let (name, end) = quoted(from: j, backslash: escapes) {
                statement.tokens.append(SQLToken(kind: .variable, text: "@" + name, upper: "@" + Self.asciiUpper(name), offset: i))
                return end
            }
            statement.tokens.append(SQLToken(kind: .symbol, text: "@", upper: "@", offset: i))
            return i + 1
        }
        while j < b.count, Self.isIdentifierPart(b[j]) || b[j] == UInt8(ascii: ".") { j += 1 }
        let text = String(decoding: b[i..<j], as: UTF8.self)
        statement.tokens.append(SQLToken(kind: j == i + 1 ? .symbol : .variable, text: text, upper: Self.asciiUpper(text), offset: i))
        return j
    }

    private func identifierEnd(from i: Int) -> Int {
        var j = i
        while j < bytes.count {
            let c = bytes[j]
            if c >= 0x80 {
                if Self.unicodeSpaceWidth(bytes, j) != nil { break }
                j += 1
                continue
            }
            guard Self.isIdentifierPart(c) else { break }
            j += 1
        }
        return j
    }

    /// A number ends where its digits do: letters straight after it start a new word, so
    /// `1from` reads as `1 from`, as MySQL's lexer can.
    private func numberEnd(from i: Int) -> Int {
        let b = bytes
        var j = i
        if b[j] == UInt8(ascii: "0"), j + 1 < b.count, b[j + 1] == UInt8(ascii: "x") || b[j + 1] == UInt8(ascii: "X") || b[j + 1] == UInt8(ascii: "b") || b[j + 1] == UInt8(ascii: "B") {
            j += 2
            while j < b.count, Self.isHexDigit(b[j]) { j += 1 }
            return j
        }
        while j < b.count, Self.isDigit(b[j]) { j += 1 }
        if j < b.count, b[j] == UInt8(ascii: ".") {
            j += 1
            while j < b.count, Self.isDigit(b[j]) { j += 1 }
        }
        if j < b.count, b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") {
            var k = j + 1
            if k < b.count, b[k] == UInt8(ascii: "+") || b[k] == UInt8(ascii: "-") { k += 1 }
            if k < b.count, Self.isDigit(b[k]) {
                j = k
                while j < b.count, Self.isDigit(b[j]) { j += 1 }
            }
        }
        return j
    }

    private static let longSymbols: [[UInt8]] = ["<=>", "->>", "<>", "!=", "<=", ">=", "==", ":=", "||", "&&", "<<", ">>", "->"].map { Array($0.utf8) }

    private func symbolWidth(at i: Int) -> Int {
        for symbol in Self.longSymbols where i + symbol.count <= bytes.count {
            var matches = true
            for k in symbol.indices where bytes[i + k] != symbol[k] {
                matches = false
                break
            }
            if matches { return symbol.count }
        }
        // A stray UTF-8 sequence is one symbol, not one per byte.
        var width = 1
        if bytes[i] >= 0xC0 {
            while i + width < bytes.count && bytes[i + width] & 0xC0 == 0x80 { width += 1 }
        }
        return width
    }

    /// SQLite's shell only ends `CREATE TRIGGER … BEGIN … END` at the `;` after `END`.
    static func insideTriggerBody(_ tokens: [SQLToken]) -> Bool {
        var i = 0
        if tokens.first?.isWord("EXPLAIN") == true {
            i = 1
            if i + 1 < tokens.count && tokens[i].isWord("QUERY") && tokens[i + 1].isWord("PLAN") { i += 2 }
        }
        guard i < tokens.count, tokens[i].isWord("CREATE") else { return false }
        i += 1
        if i < tokens.count, tokens[i].isWord("TEMP") || tokens[i].isWord("TEMPORARY") { i += 1 }
        guard i < tokens.count, tokens[i].isWord("TRIGGER") else { return false }
        return tokens.last?.isWord("END") != true
    }

    // MARK: Characters

    static func isASCIISpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isHexDigit(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) }
    static func isIdentifierStart(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80 }
    static func isIdentifierPart(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) || c == UInt8(ascii: "$") }

    /// The width of a non-ASCII whitespace character (no-break space, the U+2000 spaces, the
    /// ideographic space, zero-width space, BOM) at `i`, or nil. The servers may read these
    /// as part of a word; splitting words on them can only show more keywords.
    static func unicodeSpaceWidth(_ b: [UInt8], _ i: Int) -> Int? {
        let c = b[i]
        var scalarValue: UInt32
        var width: Int
        if c & 0xE0 == 0xC0 { scalarValue = UInt32(c & 0x1F); width = 2 }
        else if c & 0xF0 == 0xE0 { scalarValue = UInt32(c & 0x0F); width = 3 }
        else if c & 0xF8 == 0xF0 { scalarValue = UInt32(c & 0x07); width = 4 }
        else { return nil }
        guard i + width <= b.count else { return nil }
        for k in 1..<width {
            let continuation = b[i + k]
            guard continuation & 0xC0 == 0x80 else { return nil }
            scalarValue = scalarValue << 6 | UInt32(continuation & 0x3F)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
        if scalar.properties.isWhitespace || scalarValue == 0x200B || scalarValue == 0xFEFF || scalarValue == 0x2060 { return width }
        return nil
    }

    static func asciiUpper(_ text: String) -> String {
        var utf8 = Array(text.utf8)
        var changed = false
        for k in utf8.indices where utf8[k] >= 0x61 && utf8[k] <= 0x7A {
            utf8[k] -= 0x20
            changed = true
        }
        return changed ? String(decoding: utf8, as: UTF8.self) : text
    }

    static func asciiLower(_ text: String) -> String {
        var utf8 = Array(text.utf8)
        var changed = false
        for k in utf8.indices where utf8[k] >= 0x41 && utf8[k] <= 0x5A {
            utf8[k] += 0x20
            changed = true
        }
        return changed ? String(decoding: utf8, as: UTF8.self) : text
    }
}
