/// Conservative lexer-based classification for MySQL/MariaDB and SQLite: it can only err
/// towards danger. Text is split into statements outside quotes and comments; each statement
/// is named by its leading keywords and its class is the most dangerous of everything found in
/// its code (anything not recognised is `privileged`). Where the server's reading depends on
/// settings the text does not show (backslash escapes, ANSI_QUOTES, version-gated `/*!…*/`
/// comments), every reading is classified and each statement keeps the most dangerous.
public enum LexicalSQL {
    /// Every statement in `text`, in order. An unterminated quote or comment makes the rest of
    /// the text one `unparseable` statement whose `error` names the cause. `.postgres` goes to
    /// the PostgreSQL parser.
    public static func classify(_ text: String, dialect: SQLDialect) -> [SQLStatement] {
        if dialect == .postgres { return PostgresClassifier.shared.classify(text) }
        let bytes = Array(text.utf8)
        let readings = Self.readings(dialect, for: bytes)
        guard let primaryOptions = readings.first else { return [] }
        let primaryLexed = SQLLexer(bytes, options: primaryOptions).statements()
        var primary = read(primaryLexed, bytes: bytes, dialect: dialect)
        var seen = [primaryLexed]
        var extra: [Reading] = []
        for options in readings.dropFirst() {
            let lexed = SQLLexer(bytes, options: options).statements()
            // Most text reads the same every way: classify each distinct reading once.
            guard !seen.contains(lexed) else { continue }
            seen.append(lexed)
            let condition = options.difference(from: primaryOptions)
            for other in read(lexed, bytes: bytes, dialect: dialect) {
                let overlapping = overlaps(other, in: primary)
                for k in overlapping { primary[k].raise(to: other, when: condition) }
                guard overlapping.isEmpty else { continue }
                let extras = extra.indices.filter { other.start < extra[$0].end && extra[$0].start < other.end }
                for k in extras { extra[k].raise(to: other, when: condition) }
                if extras.isEmpty && (other.verdictClass > .read || other.statement.error != nil) {
                    // Text the default reading does not see as a statement at all (a comment to
                    // it) that another reading runs, or cannot read.
                    var alone = other
                    alone.statement.reason = "\(other.statement.error == nil ? other.verdictReason : other.statement.reason), if \(condition)"
                    extra.append(alone)
                }
            }
        }
        var all = (primary + extra).sorted { $0.start < $1.start }.map(\.statement)
        for k in all.indices { all[k].index = k }
        return all
    }

    /// Indices of the statements in `readings` (sorted, disjoint) that share bytes with `other`.
    static func overlaps(_ other: Reading, in readings: [Reading]) -> Range<Int> {
        var low = 0
        var high = readings.count
        while low < high {
            let middle = (low + high) / 2
            if readings[middle].end <= other.start { low = middle + 1 } else { high = middle }
        }
        var end = low
        while end < readings.count && readings[end].start < other.end { end += 1 }
        return low..<end
    }

    /// The ways the server may read the text; the first is the default configuration. A
    /// setting is varied only when the text holds what it changes the meaning of: a backslash
    /// (escapes; with a `"`, ANSI_QUOTES), a version-gated `/*!NNNNN` or MariaDB `/*M!`, or
    /// `--` before a control character.
    static func readings(_ dialect: SQLDialect, for bytes: [UInt8]) -> [SQLLexer.Options] {
        guard dialect == .mysql else { return [SQLLexer.Options(dialect: dialect, ansiQuotes: true)] }
        var backslash = false, doubleQuote = false, versioned = false, dashControl = false
        for (i, c) in bytes.enumerated() {
            switch c {
            case UInt8(ascii: "\\"): backslash = true
            case UInt8(ascii: "\""): doubleQuote = true
            case UInt8(ascii: "!") where i >= 2 && bytes[i - 1] == UInt8(ascii: "*") && bytes[i - 2] == UInt8(ascii: "/"):
                if i + 1 < bytes.count && SQLLexer.isDigit(bytes[i + 1]) { versioned = true }
            case UInt8(ascii: "!") where i >= 3 && bytes[i - 1] == UInt8(ascii: "M") && bytes[i - 2] == UInt8(ascii: "*") && bytes[i - 3] == UInt8(ascii: "/"):
                versioned = true
            case UInt8(ascii: "-") where i >= 1 && bytes[i - 1] == UInt8(ascii: "-") && i + 1 < bytes.count:
                let next = bytes[i + 1]
                if (next < 0x20 || next == 0x7F) && !SQLLexer.isASCIISpace(next) { dashControl = true }
            default: break
            }
        }
        let quoting: [(Bool, Bool)] = !backslash ? [(true, false)] : doubleQuote ? [(true, false), (false, false), (true, true)] : [(true, false), (false, false)]
        var result: [SQLLexer.Options] = []
        for (escapes, ansi) in quoting {
            for versionedCode in versioned ? [true, false] : [true] {
                for dashComment in dashControl ? [true, false] : [true] {
                    result.append(SQLLexer.Options(dialect: .mysql, backslashEscapes: escapes, ansiQuotes: ansi, versionedCommentsAreCode: versionedCode, dashDashControlIsComment: dashComment))
                }
            }
        }
        return result
    }

    /// A statement with the bytes it spans and what its tokens said before any failure, for
    /// comparing readings.
    struct Reading {
        var statement: SQLStatement
        var start: Int
        var end: Int
        var verdictClass: SQLClass
        var verdictReason: String
        var verdictFlags: Set<SQLFlag>

        /// Takes another reading's class when it is more dangerous; an unparseable statement
        /// stays so.
        mutating func raise(to other: Reading, when condition: String) {
            guard statement.sqlClass != .unparseable, other.verdictClass > statement.sqlClass else { return }
            statement.sqlClass = other.verdictClass
            statement.reason = "\(other.verdictReason), if \(condition)"
            statement.flags.formUnion(other.verdictFlags)
        }
    }

    static func read(_ statements: [SQLLexer.Statement], bytes: [UInt8], dialect: SQLDialect) -> [Reading] {
        var result: [Reading] = []
        for lexed in statements {
            guard !lexed.tokens.isEmpty || lexed.failure != nil else { continue }
            var low = lexed.start
            var high = lexed.end
            while low < high && SQLLexer.isASCIISpace(bytes[low]) { low += 1 }
            while high > low && SQLLexer.isASCIISpace(bytes[high - 1]) { high -= 1 }
            var text = String(decoding: bytes[low..<high], as: UTF8.self)
            // Other whitespace (a no-break space) is rare: trim it by characters only when there.
            let leading = text.prefix(while: \.isWhitespace).count
            if leading > 0 || text.last?.isWhitespace == true {
                text = String(text.dropFirst(leading).reversed().drop(while: \.isWhitespace).reversed())
            }
            let verdict = lexed.tokens.isEmpty ? nil : LexicalStatementReader.read(lexed.tokens, dialect: dialect)
            var statement: SQLStatement
            if let failure = lexed.failure {
                let position = String(decoding: bytes[low..<max(low, failure.offset)], as: UTF8.self).count - leading + 1
                statement = SQLStatement(
                    index: result.count, text: text, kind: "", sqlClass: .unparseable,
                    tables: verdict?.tables ?? [], flags: verdict?.flags ?? [], functions: verdict?.functions ?? [],
                    reason: "the text cannot be read safely: \(failure.message)",
                    error: SQLParseError(message: failure.message, position: max(1, position))
                )
            } else if let verdict {
                statement = SQLStatement(
                    index: result.count, text: text, kind: verdict.kind, sqlClass: verdict.sqlClass,
                    tables: verdict.tables, flags: verdict.flags, functions: verdict.functions, reason: verdict.reason
                )
            } else {
                continue
            }
            result.append(Reading(
                statement: statement, start: lexed.start, end: max(lexed.end, lexed.start + 1),
                verdictClass: verdict?.sqlClass ?? .read, verdictReason: verdict?.reason ?? "no statement",
                verdictFlags: verdict?.flags ?? []
            ))
        }
        return result
    }
}
