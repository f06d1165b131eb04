// Words: quoting, escapes, parameter/command/arithmetic/process substitutions, globs, brace
// expansion and tilde prefixes.

/// Accumulates a word's parts. Literal text is gathered as a contiguous range of the input for as
/// long as possible and copied into a buffer only when escapes or quotes interrupt it, so a plain
/// word costs one `String` and nothing else.
struct PartsBuilder {
    let bytes: [UInt8]
    var parts: [WordPart] = []
    var buffer: [UInt8] = []
    var runStart = 0
    var runEnd = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Appends the literal bytes `bytes[start..<stop]`.
    mutating func addRun(_ start: Int, _ stop: Int) {
        let start = max(start, 0)
        let stop = min(stop, bytes.count)
        guard start < stop else { return }
        if !buffer.isEmpty {
            buffer.append(contentsOf: bytes[start..<stop])
        } else if runStart == runEnd {
            runStart = start
            runEnd = stop
        } else if runEnd == start {
            runEnd = stop
        } else {
            buffer.append(contentsOf: bytes[runStart..<runEnd])
            buffer.append(contentsOf: bytes[start..<stop])
            runStart = 0
            runEnd = 0
        }
    }

    mutating func flush() {
        if runStart != runEnd {
            parts.append(.literal(String(decoding: bytes[runStart..<runEnd], as: UTF8.self)))
            runStart = 0
            runEnd = 0
        } else if !buffer.isEmpty {
            parts.append(.literal(String(decoding: buffer, as: UTF8.self)))
            buffer.removeAll(keepingCapacity: true)
        }
    }

    mutating func append(_ part: WordPart) {
        flush()
        parts.append(part)
    }

    mutating func finish() -> [WordPart] {
        flush()
        return parts
    }
}

extension Parser {
    enum WordMode {
        /// A command argument, redirection target, `for` item or array element: globs, brace
        /// expansion and a leading tilde are recognised.
        case normal
        /// The value of `NAME=value`: no globbing or brace expansion; tilde after `=` and `:`.
        case assignment
        /// A `case` pattern: globs, no brace expansion.
        case pattern
        /// An operand of `[[ ]]`: globs (for pattern matching), no brace expansion.
        case test
        /// The right side of `=~` in `[[ ]]`: `( ) |` and blanks inside parentheses belong to it.
        case regex
    }

    enum ArithmeticClosing { case doubleParen, bracket }

    struct BraceInfo {
        var end: Int
        var valid: Bool
        var complex: Bool
    }

    // MARK: - Words

    /// Glob and brace bookkeeping for one word, kept apart so the word loop's frame stays small.
    struct WordState {
        var braces: [Int: BraceInfo]? = nil
        var openComplexBraces: [Int] = []
        var bracketWithoutCloseBefore = -1
        var bracketComplexBefore = -1
    }

    /// Parses one word at `pos` (which is not at a word end).
    mutating func parseWord(_ mode: WordMode) throws(ParseError) -> Word {
        var builder = PartsBuilder(bytes: bytes)
        let globbing = mode == .normal || mode == .pattern || mode == .test
        var state = WordState()
        var regexParens = 0

        if mode != .regex && current == Byte.tilde { parseTildePrefix(&builder, assignment: mode == .assignment) }
        var runStart = pos
        loop: while true {
            let c = current
            switch c {
            case Byte.eof, Byte.newline, Byte.semicolon, Byte.ampersand:
                break loop
            case Byte.space, Byte.tab, Byte.pipe, Byte.leftParen, Byte.rightParen:
                guard mode == .regex else { break loop }
                // In a regex, `( ) |` are part of the word, and so are blanks inside parentheses.
                if c == Byte.leftParen {
                    regexParens += 1
                } else if c == Byte.rightParen {
                    if regexParens == 0 { break loop }
                    regexParens -= 1
                } else if c != Byte.pipe && regexParens == 0 {
                    break loop
                }
                pos += 1
            case Byte.less, Byte.greater:
                if mode != .regex && peek(pos + 1) == Byte.leftParen {
                    builder.addRun(runStart, pos)
                    builder.append(try parseProcessSubstitution())
                    runStart = pos
                    continue
                }
                if mode == .regex && regexParens > 0 {
                    pos += 1
                    continue
                }
                break loop
            case Byte.backslash, Byte.singleQuote, Byte.doubleQuote, Byte.dollar, Byte.backtick:
                try parseQuoteOrExpansion(&builder, &runStart, inDoubleQuotes: false)
            case Byte.star, Byte.question, Byte.at, Byte.plus, Byte.bang:
                if peek(pos + 1) == Byte.leftParen && (globbing || mode == .assignment) {
                    // Extended globs are lexed in assignment values too (bash reads the
                    // parentheses as part of the word there, though it does not expand them).
                    builder.addRun(runStart, pos)
                    try parseExtendedGlob(&builder)
                    runStart = pos
                } else if globbing && (c == Byte.star || c == Byte.question) {
                    builder.addRun(runStart, pos)
                    builder.append(.glob(c == Byte.star ? "*" : "?"))
                    pos += 1
                    runStart = pos
                } else {
                    pos += 1
                }
            case Byte.leftBracket:
                if globbing {
                    parseBracket(&builder, &runStart, &state)
                } else {
                    pos += 1
                }
            case Byte.leftBrace, Byte.rightBrace:
                if mode == .normal {
                    parseBrace(&builder, &runStart, &state)
                } else {
                    pos += 1
                }
            case Byte.colon:
                pos += 1
                if mode == .assignment && current == Byte.tilde {
                    // `PATH=~/a:~/b`: a tilde after `:` in an assignment value expands too.
                    builder.addRun(runStart, pos)
                    parseTildePrefix(&builder, assignment: true)
                    runStart = pos
                }
            default:
                pos += 1
            }
        }
        builder.addRun(runStart, pos)
        return Word(builder.finish())
    }

    /// A `~` or `~user` prefix at `pos`, as a glob part when the shell would expand it.
    @inline(never)
    mutating func parseTildePrefix(_ builder: inout PartsBuilder, assignment: Bool) {
        guard let length = tildePrefixLength(at: pos, assignment: assignment) else { return }
        builder.append(.glob(text(pos, pos + length)))
        pos += length
    }

    /// An unquoted `[` in a globbing word: a bracket expression when a `]` closes it.
    @inline(never)
    mutating func parseBracket(_ builder: inout PartsBuilder, _ runStart: inout Int, _ state: inout WordState) {
        if pos < state.bracketWithoutCloseBefore {
            pos += 1
            return
        }
        if pos < state.bracketComplexBefore {
            builder.addRun(runStart, pos)
            builder.append(.glob("["))
            pos += 1
            runStart = pos
            return
        }
        var j = pos + 1
        if peek(j) == Byte.bang || peek(j) == Byte.caret { j += 1 }
        if peek(j) == Byte.rightBracket { j += 1 }
        while true {
            let d = peek(j)
            if d == Byte.rightBracket {
                builder.addRun(runStart, pos)
                builder.append(.glob(text(pos, j + 1)))
                pos = j + 1
                runStart = pos
                return
            }
            if Byte.isWordEnd(d) {
                // No `]` in this word: a literal `[`, and so is any other `[` before `j`.
                state.bracketWithoutCloseBefore = j
                pos += 1
                return
            }
            if d == Byte.singleQuote || d == Byte.doubleQuote || d == Byte.backslash || d == Byte.dollar || d == Byte.backtick {
                // Quotes or expansions before any `]`: bash may still treat this as a bracket
                // expression, so the word is not literal (and so for every `[` before `j`).
                state.bracketComplexBefore = j
                builder.addRun(runStart, pos)
                builder.append(.glob("["))
                pos += 1
                runStart = pos
                return
            }
            j += 1
        }
    }

    /// An unquoted `{` or `}` in a word where brace expansion applies.
    @inline(never)
    mutating func parseBrace(_ builder: inout PartsBuilder, _ runStart: inout Int, _ state: inout WordState) {
        if current == Byte.rightBrace {
            if let last = state.openComplexBraces.last, last == pos {
                state.openComplexBraces.removeLast()
                builder.addRun(runStart, pos)
                builder.append(.brace("}"))
                pos += 1
                runStart = pos
            } else {
                pos += 1
            }
            return
        }
        if state.braces == nil { state.braces = scanBraces(from: pos) }
        guard let info = state.braces?[pos], info.valid else {
            pos += 1
            return
        }
        builder.addRun(runStart, pos)
        if info.complex {
            // Quotes or expansions inside: keep the braces as markers and parse the inside
            // normally, so its substitutions stay visible.
            builder.append(.brace("{"))
            state.openComplexBraces.append(info.end)
            pos += 1
        } else {
            builder.append(.brace(text(pos, info.end + 1)))
            pos = info.end + 1
        }
        runStart = pos
    }

    /// Handles a backslash, quote, `$` or backtick at `pos` in unquoted text (words, extended
    /// globs): appends what it produces to `builder` and moves `runStart` past it.
    mutating func parseQuoteOrExpansion(_ builder: inout PartsBuilder, _ runStart: inout Int, inDoubleQuotes: Bool) throws(ParseError) {
        builder.addRun(runStart, pos)
        switch current {
        case Byte.backslash:
            let next = peek(pos + 1)
            if next == Byte.newline {
                pos += 2
            } else if next == Byte.eof {
                // A trailing backslash at the very end stays a backslash.
                builder.addRun(pos, pos + 1)
                pos += 1
            } else {
                builder.addRun(pos + 1, pos + 2)
                pos += 2
            }
        case Byte.singleQuote:
            builder.append(try parseSingleQuoted())
        case Byte.doubleQuote:
            builder.append(try parseDoubleQuoted())
        case Byte.dollar:
            if let part = try parseDollar(inDoubleQuotes: inDoubleQuotes) {
                builder.append(part)
            } else {
                builder.addRun(pos, pos + 1)
                pos += 1
            }
        default:
            builder.append(try parseBacktick(inDoubleQuotes: inDoubleQuotes))
        }
        runStart = pos
    }

    /// The length of a `~` or `~user` prefix at `offset` that the shell would expand, or nil.
    func tildePrefixLength(at offset: Int, assignment: Bool) -> Int? {
        var i = offset + 1
        while Byte.isTildeUserChar(peek(i)) { i += 1 }
        let next = peek(i)
        if Byte.isWordEnd(next) || next == Byte.slash || (assignment && next == Byte.colon) { return i - offset }
        return nil
    }

    /// `@(…)`, `*(…)`, `+(…)`, `?(…)`, `!(…)`; `pos` is at the operator character.
    @inline(never)
    mutating func parseExtendedGlob(_ builder: inout PartsBuilder) throws(ParseError) {
        let open = pos
        var j = pos + 2
        var nesting = 1
        var simple = true
        while true {
            let c = peek(j)
            if c == Byte.eof || c == Byte.singleQuote || c == Byte.doubleQuote || c == Byte.backslash || c == Byte.dollar
                || c == Byte.backtick
            {
                simple = false
                break
            }
            if c == Byte.leftParen { nesting += 1 }
            if c == Byte.rightParen {
                nesting -= 1
                if nesting == 0 { break }
            }
            j += 1
        }
        if simple {
            builder.append(.glob(text(open, j + 1)))
            pos = j + 1
            return
        }
        builder.append(.glob(text(open, open + 2)))
        pos = open + 2
        var runStart = pos
        nesting = 1
        while true {
            let c = current
            switch c {
            case Byte.eof:
                throw error(.unexpectedToken, at: open, detail: "unterminated extended glob")
            case Byte.leftParen:
                nesting += 1
                pos += 1
            case Byte.rightParen:
                nesting -= 1
                if nesting == 0 {
                    builder.addRun(runStart, pos)
                    builder.append(.glob(")"))
                    pos += 1
                    return
                }
                pos += 1
            case Byte.backslash, Byte.singleQuote, Byte.doubleQuote, Byte.dollar, Byte.backtick:
                try parseQuoteOrExpansion(&builder, &runStart, inDoubleQuotes: false)
            default:
                pos += 1
            }
        }
    }

    // MARK: - Brace expansion

    /// Finds the brace expansions of the word continuing at `start`: for each `{` at this word's
    /// level, its matching `}` and whether it expands (a top-level comma or a `x..y` sequence).
    /// One linear pass; quoted text and substitutions are skipped approximately (a mistake only
    /// changes whether braces are marked as expanding).
    @inline(never)
    func scanBraces(from start: Int) -> [Int: BraceInfo] {
        var result: [Int: BraceInfo] = [:]
        var stack: [(start: Int, comma: Bool)] = []
        var lastComplex = -1
        var i = start
        scan: while true {
            let c = peek(i)
            switch c {
            case Byte.leftBrace:
                stack.append((i, false))
                i += 1
            case Byte.comma:
                if !stack.isEmpty { stack[stack.count - 1].comma = true }
                i += 1
            case Byte.rightBrace:
                if let top = stack.popLast() {
                    let complex = lastComplex > top.start
                    let valid = top.comma || (!complex && isBraceSequence(top.start + 1, i))
                    result[top.start] = BraceInfo(end: i, valid: valid, complex: complex)
                }
                i += 1
            case Byte.backslash:
                lastComplex = i
                i += 2
            case Byte.singleQuote:
                lastComplex = i
                i += 1
                while i < end && bytes[i] != Byte.singleQuote { i += 1 }
                i += 1
            case Byte.doubleQuote:
                lastComplex = i
                i = skipDoubleQuoted(from: i)
            case Byte.backtick:
                lastComplex = i
                i += 1
                while i < end && bytes[i] != Byte.backtick {
                    i += bytes[i] == Byte.backslash ? 2 : 1
                }
                i += 1
            case Byte.dollar:
                lastComplex = i
                let next = peek(i + 1)
                if next == Byte.leftParen {
                    i = skipBalanced(from: i + 1, open: Byte.leftParen, close: Byte.rightParen)
                } else if next == Byte.leftBrace {
                    i = skipBalanced(from: i + 1, open: Byte.leftBrace, close: Byte.rightBrace)
                } else {
                    i += 1
                }
            case Byte.less, Byte.greater:
                guard peek(i + 1) == Byte.leftParen else { break scan }
                lastComplex = i
                i = skipBalanced(from: i + 1, open: Byte.leftParen, close: Byte.rightParen)
            default:
                if Byte.isWordEnd(c) { break scan }
                i += 1
            }
        }
        return result
    }

    /// Index just past the double-quoted string starting at `from`.
    func skipDoubleQuoted(from: Int) -> Int {
        var i = from + 1
        while i < end {
            let c = bytes[i]
            if c == Byte.backslash {
                i += 2
            } else if c == Byte.doubleQuote {
                return i + 1
            } else {
                i += 1
            }
        }
        return end
    }

    /// Index just past the bracket pair opening at `from`, skipping quoted text.
    func skipBalanced(from: Int, open: UInt8, close: UInt8) -> Int {
        var nesting = 0
        var i = from
        while i < end {
            let c = bytes[i]
            if c == open {
                nesting += 1
            } else if c == close {
                nesting -= 1
                if nesting == 0 { return i + 1 }
            } else if c == Byte.backslash {
                i += 1
            } else if c == Byte.singleQuote {
                i += 1
                while i < end && bytes[i] != Byte.singleQuote { i += 1 }
            } else if c == Byte.doubleQuote {
                i = skipDoubleQuoted(from: i) - 1
            }
            i += 1
        }
        return end
    }

    /// True when `bytes[from..<to]` is a brace sequence `x..y` or `x..y..step`.
    func isBraceSequence(_ from: Int, _ to: Int) -> Bool {
        var i = from
        func item(_ i: inout Int) -> Int? {
            if Byte.isLetter(peek(i)) && !Byte.isDigit(peek(i + 1)) && !Byte.isLetter(peek(i + 1)) {
                i += 1
                return 2
            }
            if peek(i) == Byte.minus || peek(i) == Byte.plus { i += 1 }
            let digits = i
            while Byte.isDigit(peek(i)) { i += 1 }
            return i > digits ? 1 : nil
        }
        guard let first = item(&i), peek(i) == Byte.dot, peek(i + 1) == Byte.dot else { return false }
        i += 2
        guard let second = item(&i), second == first else { return false }
        if i == to { return true }
        guard peek(i) == Byte.dot, peek(i + 1) == Byte.dot else { return false }
        i += 2
        if peek(i) == Byte.minus || peek(i) == Byte.plus { i += 1 }
        let digits = i
        while Byte.isDigit(peek(i)) { i += 1 }
        return i > digits && i == to
    }

    // MARK: - Quotes

    mutating func parseSingleQuoted() throws(ParseError) -> WordPart {
        let open = pos
        var i = pos + 1
        while i < end && bytes[i] != Byte.singleQuote { i += 1 }
        if i >= end { throw error(.unterminatedSingleQuote, at: open) }
        pos = i + 1
        return .singleQuoted(text(open + 1, i))
    }

    /// `"…"`; `pos` is at the quote.
    mutating func parseDoubleQuoted() throws(ParseError) -> WordPart {
        let open = pos
        pos += 1
        var builder = PartsBuilder(bytes: bytes)
        var runStart = pos
        while true {
            let c = current
            switch c {
            case Byte.eof:
                throw error(.unterminatedDoubleQuote, at: open)
            case Byte.doubleQuote:
                builder.addRun(runStart, pos)
                pos += 1
                return .doubleQuoted(builder.finish())
            case Byte.backslash:
                consumeBackslash(escapesDoubleQuote: true, into: &builder, runStart: &runStart)
            case Byte.dollar:
                try consumeDollar(into: &builder, runStart: &runStart)
            case Byte.backtick:
                builder.addRun(runStart, pos)
                builder.append(try parseBacktick(inDoubleQuotes: true))
                runStart = pos
            default:
                pos += 1
            }
        }
    }

    /// A backslash where expansions happen (double quotes, unquoted heredoc bodies): it escapes
    /// `$`, `` ` ``, `\\` (and `"` inside double quotes), joins lines before a newline, and is
    /// kept literally before anything else.
    mutating func consumeBackslash(escapesDoubleQuote: Bool, into builder: inout PartsBuilder, runStart: inout Int) {
        let next = peek(pos + 1)
        if next == Byte.dollar || next == Byte.backtick || next == Byte.backslash || (escapesDoubleQuote && next == Byte.doubleQuote) {
            builder.addRun(runStart, pos)
            builder.addRun(pos + 1, pos + 2)
            pos += 2
            runStart = pos
        } else if next == Byte.newline {
            builder.addRun(runStart, pos)
            pos += 2
            runStart = pos
        } else {
            pos += 1
        }
    }

    /// A `$` where expansions happen: the expansion it starts, or a literal `$`.
    mutating func consumeDollar(into builder: inout PartsBuilder, runStart: inout Int) throws(ParseError) {
        builder.addRun(runStart, pos)
        if let part = try parseDollar(inDoubleQuotes: true) {
            builder.append(part)
            runStart = pos
        } else {
            runStart = pos
            pos += 1
        }
    }

    /// `$'…'` with ANSI-C escapes decoded (bash stops the string at a decoded NUL).
    @inline(never)
    mutating func parseAnsiCQuoted() throws(ParseError) -> WordPart {
        let open = pos
        var i = pos + 2
        var out: [UInt8] = []
        while true {
            let c = peek(i)
            if c == Byte.eof { throw error(.unterminatedSingleQuote, at: open) }
            if c == Byte.singleQuote {
                i += 1
                break
            }
            if c != Byte.backslash {
                out.append(c)
                i += 1
                continue
            }
            let e = peek(i + 1)
            i += 2
            switch e {
            case Byte.eof:
                throw error(.unterminatedSingleQuote, at: open)
            case 0x61: out.append(0x07)  // \a
            case 0x62: out.append(0x08)  // \b
            case 0x65, 0x45: out.append(0x1B)  // \e \E
            case 0x66: out.append(0x0C)  // \f
            case 0x6E: out.append(0x0A)  // \n
            case 0x72: out.append(0x0D)  // \r
            case 0x74: out.append(0x09)  // \t
            case 0x76: out.append(0x0B)  // \v
            case Byte.backslash, Byte.singleQuote, Byte.doubleQuote, Byte.question:
                out.append(e)
            case Byte.zero...Byte.seven:
                var value = UInt32(e - Byte.zero)
                var digits = 1
                while digits < 3, peek(i) >= Byte.zero && peek(i) <= Byte.seven {
                    value = value * 8 + UInt32(peek(i) - Byte.zero)
                    i += 1
                    digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case 0x78, 0x75, 0x55:  // \xHH \uHHHH \UHHHHHHHH
                let maxDigits = e == 0x78 ? 2 : (e == 0x75 ? 4 : 8)
                var value: UInt32 = 0
                var digits = 0
                while digits < maxDigits, let digit = Byte.hexValue(peek(i)) {
                    value = value &* 16 &+ digit
                    i += 1
                    digits += 1
                }
                if digits == 0 {
                    out.append(Byte.backslash)
                    out.append(e)
                } else if e == 0x78 {
                    out.append(UInt8(truncatingIfNeeded: value))
                } else {
                    Byte.appendScalar(value, to: &out)
                }
            case 0x63:  // \cX: control character
                let x = peek(i)
                if x == Byte.eof { throw error(.unterminatedSingleQuote, at: open) }
                if x == Byte.singleQuote {
                    out.append(Byte.backslash)
                    out.append(e)
                } else {
                    out.append(x == Byte.question ? 0x7F : x & 0x1F)
                    i += 1
                }
            default:
                out.append(Byte.backslash)
                out.append(e)
            }
        }
        pos = i
        if let nul = out.firstIndex(of: 0) { out.removeSubrange(nul...) }
        return .singleQuoted(String(decoding: out, as: UTF8.self))
    }

    // MARK: - Expansions

    /// `$…` at `pos`. Returns nil when the `$` is literal (`$` before a blank, `/`, end…).
    mutating func parseDollar(inDoubleQuotes: Bool) throws(ParseError) -> WordPart? {
        let next = peek(pos + 1)
        if next == Byte.leftParen {
            if peek(pos + 2) == Byte.leftParen && closesAsArithmetic(from: pos + 3) { return try parseArithmeticExpansion() }
            let open = pos
            pos += 2
            return .commandSubstitution(try parseSubstitutionScript(open: open))
        }
        if next == Byte.leftBrace { return try parseParameterExpansion(inDoubleQuotes: inDoubleQuotes) }
        return try parseOtherDollar(inDoubleQuotes: inDoubleQuotes)
    }

    /// `$name`, `$1`, `$@`, `$[…]`, `$'…'`, `$"…"`, or nil for a literal `$`.
    @inline(never)
    mutating func parseOtherDollar(inDoubleQuotes: Bool) throws(ParseError) -> WordPart? {
        let next = peek(pos + 1)
        switch next {
        case Byte.leftBracket:
            let open = pos
            pos += 2
            try enter(open)
            defer { leave() }
            let (expression, substitutions, _) = try scanArithmetic(open: open, closing: .bracket, kind: .unterminatedSubstitution)
            return .arithmetic(expression, substitutions: substitutions)
        case Byte.singleQuote:
            if inDoubleQuotes { return nil }
            return try parseAnsiCQuoted()
        case Byte.doubleQuote:
            if inDoubleQuotes { return nil }
            pos += 1
            return try parseDoubleQuoted()
        default:
            if Byte.isNameStart(next) {
                var i = pos + 2
                while Byte.isNameChar(peek(i)) { i += 1 }
                let name = text(pos + 1, i)
                pos = i
                return .parameter(name: name, expression: nil)
            }
            if Byte.isDigit(next) || Byte.isSpecialParameter(next) {
                let name = text(pos + 1, pos + 2)
                pos += 2
                return .parameter(name: name, expression: nil)
            }
            return nil
        }
    }

    /// The script of `$(…)`, `<(…)` or `>(…)`; `pos` is just past the `(`.
    mutating func parseSubstitutionScript(open: Int) throws(ParseError) -> Script {
        try enter(open)
        defer { leave() }
        let script = try parseList()
        guard current == Byte.rightParen else {
            if pos >= end { throw error(.unterminatedSubstitution, at: open) }
            throw unexpected(at: pos)
        }
        pos += 1
        return script
    }

    /// `<(…)` or `>(…)`; `pos` is at `<` or `>`.
    @inline(never)
    mutating func parseProcessSubstitution() throws(ParseError) -> WordPart {
        let open = pos
        let output = current == Byte.greater
        pos += 2
        return .processSubstitution(try parseSubstitutionScript(open: open), output: output)
    }

    /// `` `…` ``: the contents are unescaped (`\$`, `` \` ``, `\\`, and `\"` inside double
    /// quotes) and parsed as a script of their own.
    @inline(never)
    mutating func parseBacktick(inDoubleQuotes: Bool) throws(ParseError) -> WordPart {
        let open = pos
        let contentStart = pos + 1
        var i = contentStart
        var unescaped: [UInt8] = []
        var escaped = false
        var copiedUpTo = contentStart
        while true {
            let c = peek(i)
            if c == Byte.eof { throw error(.unterminatedBacktick, at: open) }
            if c == Byte.backtick { break }
            if c == Byte.backslash {
                let next = peek(i + 1)
                if next == Byte.eof { throw error(.unterminatedBacktick, at: open) }
                if next == Byte.dollar || next == Byte.backtick || next == Byte.backslash || (inDoubleQuotes && next == Byte.doubleQuote) {
                    escaped = true
                    unescaped.append(contentsOf: bytes[copiedUpTo..<i])
                    unescaped.append(next)
                    i += 2
                    copiedUpTo = i
                    continue
                }
                i += 2
                continue
            }
            i += 1
        }
        let contentEnd = i
        pos = i + 1
        try enter(open)
        defer { leave() }
        let script: Script
        if escaped {
            unescaped.append(contentsOf: bytes[copiedUpTo..<contentEnd])
            script = try Parser.parseScript(
                bytes: unescaped, start: 0, end: unescaped.count, depth: depth, maxDepth: maxDepth, errorBase: errorBase + contentStart,
                stackBase: stackBase)
        } else {
            script = try Parser.parseScript(
                bytes: bytes, start: contentStart, end: contentEnd, depth: depth, maxDepth: maxDepth, errorBase: errorBase,
                stackBase: stackBase)
        }
        return .commandSubstitution(script)
    }

    /// `${…}`; `pos` is at `$`.
    @inline(never)
    mutating func parseParameterExpansion(inDoubleQuotes: Bool) throws(ParseError) -> WordPart {
        let open = pos
        try enter(open)
        defer { leave() }
        var i = pos + 2
        var prefixed = false
        let first = peek(i)
        if first == Byte.hash || first == Byte.bang {
            let next = peek(i + 1)
            if next == Byte.rightBrace {
                pos = i + 2
                return .parameter(name: text(i, i + 1), expression: nil)
            }
            if Byte.isNameStart(next) || Byte.isDigit(next) || Byte.isSpecialParameter(next) {
                prefixed = true
                i += 1
            }
        }
        let nameStart = i
        let c = peek(i)
        if Byte.isNameStart(c) {
            i += 1
            while Byte.isNameChar(peek(i)) { i += 1 }
        } else if Byte.isDigit(c) {
            i += 1
            while Byte.isDigit(peek(i)) { i += 1 }
        } else if Byte.isSpecialParameter(c) {
            i += 1
        } else if c == Byte.eof {
            throw error(.unterminatedParameter, at: open)
        } else {
            throw error(.unexpectedToken, at: i, detail: "bad substitution: \(tokenDescription(at: i))")
        }
        let name = text(nameStart, i)
        let op = peek(i)
        if op == Byte.rightBrace {
            pos = i + 1
            return .parameter(name: name, expression: prefixed ? text(open + 2, i) : nil)
        }
        switch op {
        case Byte.colon, Byte.minus, Byte.equals, Byte.question, Byte.plus, Byte.hash, 0x25 /* % */, Byte.slash, Byte.caret,
            Byte.comma, Byte.at, Byte.leftBracket:
            break
        case Byte.star where prefixed:
            break
        case Byte.eof:
            throw error(.unterminatedParameter, at: open)
        default:
            throw error(.unexpectedToken, at: i, detail: "bad substitution: \(tokenDescription(at: i))")
        }
        pos = i
        var substitutions: [Script] = []
        try scanParameterOperand(open: open, inDoubleQuotes: inDoubleQuotes, into: &substitutions)
        let expression = text(open + 2, pos)
        pos += 1
        return .parameter(name: name, expression: expression, substitutions: substitutions)
    }

    /// Moves `pos` to the `}` closing a `${…}`, collecting the scripts of every substitution
    /// inside (nested `${…}`, `$(…)`, backticks, `$((…))`, quotes and, outside double quotes,
    /// `<(…)` which bash runs there too).
    mutating func scanParameterOperand(open: Int, inDoubleQuotes: Bool, into substitutions: inout [Script]) throws(ParseError) {
        while true {
            let c = current
            switch c {
            case Byte.eof:
                throw error(.unterminatedParameter, at: open)
            case Byte.rightBrace:
                return
            case Byte.backslash:
                if peek(pos + 1) == Byte.eof { throw error(.unterminatedParameter, at: open) }
                pos += 2
            case Byte.singleQuote:
                _ = try parseSingleQuoted()
            case Byte.doubleQuote:
                substitutions += try parseDoubleQuoted().substitutions
            case Byte.dollar:
                if let part = try parseDollar(inDoubleQuotes: inDoubleQuotes) {
                    substitutions += part.substitutions
                } else {
                    pos += 1
                }
            case Byte.backtick:
                substitutions += try parseBacktick(inDoubleQuotes: inDoubleQuotes).substitutions
            case Byte.less, Byte.greater:
                if !inDoubleQuotes && peek(pos + 1) == Byte.leftParen {
                    substitutions += try parseProcessSubstitution().substitutions
                } else {
                    pos += 1
                }
            default:
                pos += 1
            }
        }
    }

    /// Whether the text from `from` (just past `((`) closes with `))` at the top nesting level,
    /// as bash checks before deciding between arithmetic and nested subshells
    /// (`$((cd a; ls) )` is a command substitution). A linear raw scan, never recursive, so
    /// the decision cannot cost more than the text it looks at; quotes are skipped.
    func closesAsArithmetic(from: Int) -> Bool {
        var nesting = 0
        var i = from
        while i < end {
            let c = bytes[i]
            switch c {
            case Byte.leftParen:
                nesting += 1
            case Byte.rightParen:
                if nesting == 0 { return peek(i + 1) == Byte.rightParen }
                nesting -= 1
            case Byte.backslash:
                i += 1
            case Byte.singleQuote:
                i += 1
                while i < end && bytes[i] != Byte.singleQuote { i += 1 }
            case Byte.doubleQuote:
                i = skipDoubleQuoted(from: i) - 1
            default:
                break
            }
            i += 1
        }
        return false
    }

    /// `$((…))`; `pos` is at `$`.
    @inline(never)
    mutating func parseArithmeticExpansion() throws(ParseError) -> WordPart {
        let open = pos
        pos += 3
        try enter(open)
        defer { leave() }
        let (expression, substitutions, _) = try scanArithmetic(open: open, closing: .doubleParen, kind: .unterminatedSubstitution)
        return .arithmetic(expression, substitutions: substitutions)
    }

    /// Scans an arithmetic expression up to `))` (or `]` for `$[…]`) balancing parentheses,
    /// and returns its text, the scripts of the substitutions inside, and how many `;` it has
    /// outside parentheses (`for ((a; b; c))` needs two). `pos` is just past the opening.
    mutating func scanArithmetic(open: Int, closing: ArithmeticClosing, kind: ParseError.Kind) throws(ParseError) -> (String, [Script], Int) {
        let start = pos
        var nesting = 0
        var separators = 0
        var substitutions: [Script] = []
        while true {
            let c = current
            switch c {
            case Byte.eof:
                throw error(kind, at: open)
            case Byte.leftParen, Byte.leftBracket:
                if (c == Byte.leftParen) == (closing == .doubleParen) { nesting += 1 }
                pos += 1
            case Byte.rightParen where closing == .doubleParen:
                if nesting == 0 {
                    guard peek(pos + 1) == Byte.rightParen else {
                        throw error(.unexpectedToken, at: pos, detail: ") inside arithmetic: use $( (…) ) for a subshell")
                    }
                    let expression = text(start, pos)
                    pos += 2
                    return (expression, substitutions, separators)
                }
                nesting -= 1
                pos += 1
            case Byte.rightBracket where closing == .bracket:
                if nesting == 0 {
                    let expression = text(start, pos)
                    pos += 1
                    return (expression, substitutions, separators)
                }
                nesting -= 1
                pos += 1
            case Byte.dollar:
                if let part = try parseDollar(inDoubleQuotes: false) {
                    substitutions += part.substitutions
                } else {
                    pos += 1
                }
            case Byte.backtick:
                substitutions += try parseBacktick(inDoubleQuotes: false).substitutions
            case Byte.doubleQuote:
                substitutions += try parseDoubleQuoted().substitutions
            case Byte.singleQuote:
                _ = try parseSingleQuoted()
            case Byte.backslash:
                if peek(pos + 1) == Byte.eof { throw error(kind, at: open) }
                pos += 2
            case Byte.semicolon:
                if nesting == 0 { separators += 1 }
                pos += 1
            default:
                pos += 1
            }
        }
    }

    // MARK: - Heredoc bodies

    /// The body of an unquoted heredoc (the whole parsed range): `$…` expansions, backticks and
    /// the `\$`, `` \` ``, `\\`, backslash-newline escapes; everything else is literal text.
    mutating func parseHeredocWord(stripTabs: Bool) throws(ParseError) -> Word {
        var builder = PartsBuilder(bytes: bytes)
        var runStart = pos
        var atLineStart = true
        while true {
            let c = current
            if atLineStart && stripTabs && c == Byte.tab {
                builder.addRun(runStart, pos)
                while current == Byte.tab { pos += 1 }
                runStart = pos
                atLineStart = false
                continue
            }
            atLineStart = false
            switch c {
            case Byte.eof:
                builder.addRun(runStart, pos)
                let parts = builder.finish()
                return Word(parts.isEmpty ? [.literal("")] : parts)
            case Byte.newline:
                pos += 1
                atLineStart = true
            case Byte.backslash:
                consumeBackslash(escapesDoubleQuote: false, into: &builder, runStart: &runStart)
            case Byte.dollar:
                try consumeDollar(into: &builder, runStart: &runStart)
            case Byte.backtick:
                builder.addRun(runStart, pos)
                builder.append(try parseBacktick(inDoubleQuotes: false))
                runStart = pos
            default:
                pos += 1
            }
        }
    }
}
