// The recursive-descent parser behind `ShellParser`. Lexing is done on the fly because the shell's
// tokens depend on context (reserved words only count in command position, `)` ends a case
// pattern but not a word inside `[[ ]]`, and so on).
//
// Safety rules, relied on throughout:
// - every byte read goes through `peek`, which returns `Byte.eof` (0) outside `0..<end`; NUL is
//   rejected before parsing starts, so 0 always means "end of input";
// - every construct that recurses calls `enter` first, so the stack depth is bounded by
//   `maxDepth` whatever the input;
// - every loop either advances `pos` or exits.
//
// Heredocs: a body starts after the newline that ends the line its operator is on, which is
// only known after the commands of that line have been built. Rather than patching the finished
// tree, a parse that met any heredoc runs a second time with the bodies collected by the first
// run (`replay`), so the redirections are built complete. Heredoc bodies and backtick contents
// are parsed by their own `Parser` instances (over a sub-range of the same bytes, or over an
// unescaped copy), each with its own heredoc bookkeeping.

struct Parser {
    struct PendingHeredoc {
        var id: Int
        var delimiter: [UInt8]
        var quoted: Bool
        var stripTabs: Bool
        var offset: Int
    }

    struct HeredocBody {
        var word: Word
        /// Where parsing resumes after the body and its delimiter line.
        var resume: Int
    }

    let bytes: [UInt8]
    var pos: Int
    let end: Int
    var depth: Int
    let maxDepth: Int
    /// Added to positions in errors: non-zero when `bytes` is an unescaped copy of part of the
    /// input (backtick contents), so offsets stay close to the original text.
    let errorBase: Int
    /// The stack address where the outermost parse started (see `enter`).
    let stackBase: UInt

    var pendingHeredocs: [PendingHeredoc] = []
    var heredocBodies: [HeredocBody?] = []
    var replay: [HeredocBody?]? = nil
    var heredocCount = 0
    /// Position of the last `]` in the range, computed on first use.
    var lastRightBracket: Int? = nil

    init(bytes: [UInt8], start: Int, end: Int, depth: Int, maxDepth: Int, errorBase: Int, stackBase: UInt) {
        self.bytes = bytes
        self.pos = max(0, start)
        self.end = min(max(end, 0), bytes.count)
        self.depth = depth
        self.maxDepth = maxDepth
        self.errorBase = errorBase
        self.stackBase = stackBase
    }

    // MARK: - Entry points (each runs the two-pass heredoc scheme)

    /// Parses `bytes[start..<end]` as a complete script.
    static func parseScript(
        bytes: [UInt8], start: Int, end: Int, depth: Int, maxDepth: Int, errorBase: Int, stackBase: UInt
    ) throws(ParseError) -> Script {
        var first = Parser(
            bytes: bytes, start: start, end: end, depth: depth, maxDepth: maxDepth, errorBase: errorBase, stackBase: stackBase)
        let script = try first.parseCompleteScript()
        if first.heredocCount == 0 { return script }
        var second = Parser(
            bytes: bytes, start: start, end: end, depth: depth, maxDepth: maxDepth, errorBase: errorBase, stackBase: stackBase)
        second.replay = first.heredocBodies
        return try second.parseCompleteScript()
    }

    /// Parses `bytes[start..<end]` as the body of an unquoted heredoc.
    static func parseHeredocBody(
        bytes: [UInt8], start: Int, end: Int, stripTabs: Bool, depth: Int, maxDepth: Int, errorBase: Int, stackBase: UInt
    ) throws(ParseError) -> Word {
        var first = Parser(
            bytes: bytes, start: start, end: end, depth: depth, maxDepth: maxDepth, errorBase: errorBase, stackBase: stackBase)
        let word = try first.parseCompleteHeredocBody(stripTabs: stripTabs)
        if first.heredocCount == 0 { return word }
        var second = Parser(
            bytes: bytes, start: start, end: end, depth: depth, maxDepth: maxDepth, errorBase: errorBase, stackBase: stackBase)
        second.replay = first.heredocBodies
        return try second.parseCompleteHeredocBody(stripTabs: stripTabs)
    }

    mutating func parseCompleteScript() throws(ParseError) -> Script {
        let script = try parseList()
        if pos < end { throw unexpected(at: pos) }
        try checkNoPendingHeredoc()
        return script
    }

    mutating func parseCompleteHeredocBody(stripTabs: Bool) throws(ParseError) -> Word {
        let word = try parseHeredocWord(stripTabs: stripTabs)
        try checkNoPendingHeredoc()
        return word
    }

    func checkNoPendingHeredoc() throws(ParseError) {
        if let heredoc = pendingHeredocs.first {
            throw error(.unterminatedHeredoc, at: heredoc.offset, detail: String(decoding: heredoc.delimiter, as: UTF8.self))
        }
    }

    // MARK: - Low-level helpers

    @inline(__always) func peek(_ index: Int) -> UInt8 {
        index >= 0 && index < end ? bytes[index] : Byte.eof
    }

    @inline(__always) var current: UInt8 { peek(pos) }

    /// The text of `bytes[from..<to]`, clamped to the parsed range.
    func text(_ from: Int, _ to: Int) -> String {
        let lower = min(max(from, 0), end)
        let upper = min(max(to, lower), end)
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    func error(_ kind: ParseError.Kind, at offset: Int, detail: String? = nil) -> ParseError {
        ParseError(kind, offset: errorBase + max(0, offset), detail: detail)
    }

    /// An `unexpectedToken` error naming the token at `offset`.
    func unexpected(at offset: Int) -> ParseError {
        error(.unexpectedToken, at: offset, detail: tokenDescription(at: offset))
    }

    func tokenDescription(at offset: Int) -> String {
        let c = peek(offset)
        switch c {
        case Byte.eof: return "end of input"
        case Byte.newline: return "newline"
        case Byte.semicolon, Byte.ampersand, Byte.pipe, Byte.less, Byte.greater, Byte.leftParen, Byte.rightParen:
            var stop = offset + 1
            while stop < offset + 3, "&|;<>-".utf8.contains(peek(stop)) { stop += 1 }
            return text(offset, stop)
        default:
            var stop = offset
            while stop < offset + 40, !Byte.isWordEnd(peek(stop)) { stop += 1 }
            return text(offset, max(stop, offset + 1))
        }
    }

    mutating func enter(_ offset: Int) throws(ParseError) {
        depth += 1
        if depth > maxDepth { throw error(.nestingTooDeep, at: offset) }
        // Second line of defence: whatever `maxDepth` allows, the parse never uses more than
        // `stackBudget` bytes of stack (stacks grow down on every supported platform; were one
        // to grow up, this check would never fire and `maxDepth` alone would bound recursion).
        let here = Self.stackAddress()
        if stackBase > here && stackBase - here > Self.stackBudget {
            throw error(.nestingTooDeep, at: offset, detail: "stack budget exhausted at depth \(depth)")
        }
    }

    /// Stack the parser may use: small enough for a 512 KiB thread (the size of secondary and
    /// Swift concurrency threads on macOS) with room left for the caller. About 100 levels of
    /// the costliest nesting (`$(`) in an optimised build, fewer in a debug build.
    static let stackBudget: UInt = 320 * 1024

    /// An address in the caller's stack frame.
    @inline(never)
    static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    @inline(__always) mutating func leave() { depth -= 1 }

    /// Skips spaces, tabs and backslash-newline line continuations.
    mutating func skipBlanks() {
        while true {
            let c = current
            if Byte.isBlank(c) {
                pos += 1
            } else if c == Byte.backslash && peek(pos + 1) == Byte.newline {
                pos += 2
            } else {
                return
            }
        }
    }

    /// Skips a `#` comment up to (not including) the newline.
    mutating func skipComment() {
        while pos < end && bytes[pos] != Byte.newline { pos += 1 }
    }

    mutating func skipBlanksAndComment() {
        skipBlanks()
        if current == Byte.hash { skipComment() }
    }

    /// Skips blanks, comments and newlines (reading any heredoc bodies due at those newlines).
    mutating func skipLinebreaks() throws(ParseError) {
        while true {
            skipBlanks()
            let c = current
            if c == Byte.hash {
                skipComment()
            } else if c == Byte.newline {
                try consumeNewline()
            } else {
                return
            }
        }
    }

    /// Consumes the newline at `pos`, then the bodies of the heredocs opened on the line it ends.
    mutating func consumeNewline() throws(ParseError) {
        pos += 1
        if pendingHeredocs.isEmpty { return }
        let due = pendingHeredocs
        pendingHeredocs.removeAll()
        for heredoc in due {
            try readHeredocBody(heredoc)
        }
    }

    // MARK: - Reserved words

    enum Reserved {
        case ifWord, thenWord, elifWord, elseWord, fiWord, doWord, doneWord, caseWord, esacWord
        case whileWord, untilWord, forWord, selectWord, functionWord, inWord, timeWord
        case leftBrace, rightBrace, bang, doubleLeftBracket, doubleRightBracket

        /// Words that end a list: they close the construct the list belongs to.
        var endsList: Bool {
            switch self {
            case .thenWord, .elifWord, .elseWord, .fiWord, .doWord, .doneWord, .esacWord, .rightBrace: return true
            default: return false
            }
        }
    }

    /// The reserved word spelled at `offset` (unquoted and followed by a word end), if any, and
    /// its length. Whether it counts as reserved depends on the caller's position.
    func reservedWord(at offset: Int) -> (word: Reserved, length: Int)? {
        let c0 = peek(offset)
        // Single-character words.
        switch c0 {
        case Byte.leftBrace, Byte.rightBrace:
            guard Byte.isWordEnd(peek(offset + 1)) else { return nil }
            return (c0 == Byte.leftBrace ? .leftBrace : .rightBrace, 1)
        case Byte.bang:
            let next = peek(offset + 1)
            guard Byte.isWordEnd(next), next != Byte.leftParen else { return nil }
            return (.bang, 1)
        case Byte.leftBracket, Byte.rightBracket:
            guard peek(offset + 1) == c0, Byte.isWordEnd(peek(offset + 2)) else { return nil }
            return (c0 == Byte.leftBracket ? .doubleLeftBracket : .doubleRightBracket, 2)
        default:
            break
        }
        guard c0 >= 0x61 && c0 <= 0x7A else { return nil }
        var length = 1
        while length <= 8 && Byte.isLetter(peek(offset + length)) { length += 1 }
        guard Byte.isWordEnd(peek(offset + length)) else { return nil }
        let word: Reserved?
        switch length {
        case 2: word = matches(offset, "if", .ifWord) ?? matches(offset, "fi", .fiWord) ?? matches(offset, "do", .doWord) ?? matches(offset, "in", .inWord)
        case 4:
            word = matches(offset, "then", .thenWord) ?? matches(offset, "elif", .elifWord) ?? matches(offset, "else", .elseWord)
                ?? matches(offset, "done", .doneWord) ?? matches(offset, "case", .caseWord) ?? matches(offset, "esac", .esacWord)
                ?? matches(offset, "time", .timeWord)
        case 3: word = matches(offset, "for", .forWord)
        case 5: word = matches(offset, "while", .whileWord) ?? matches(offset, "until", .untilWord)
        case 6: word = matches(offset, "select", .selectWord)
        case 8: word = matches(offset, "function", .functionWord)
        default: word = nil
        }
        guard let word else { return nil }
        return (word, length)
    }

    @inline(__always) private func matches(_ offset: Int, _ spelling: StaticString, _ word: Reserved) -> Reserved? {
        let count = spelling.utf8CodeUnitCount
        let base = spelling.utf8Start
        for index in 0..<count where peek(offset + index) != base[index] { return nil }
        return word
    }

    /// Consumes the reserved word `expected` (after skipping linebreaks), or throws: an
    /// incomplete construct at end of input, an unexpected token otherwise.
    mutating func expectReserved(_ expected: Reserved, constructStart: Int) throws(ParseError) {
        if let found = reservedWord(at: pos), found.word == expected {
            pos += found.length
            return
        }
        if pos >= end { throw error(.missingKeyword, at: constructStart, detail: "\(expected) expected") }
        throw unexpected(at: pos)
    }

    // MARK: - Lists

    /// True at the end of a list: end of input, `)`, a case terminator, or a reserved word that
    /// closes a construct. The caller decides whether that ending is the one it expects.
    func atListEnd() -> Bool {
        let c = current
        switch c {
        case Byte.eof, Byte.rightParen:
            return true
        case Byte.semicolon:
            let next = peek(pos + 1)
            return next == Byte.semicolon || next == Byte.ampersand
        default:
            if let reserved = reservedWord(at: pos) { return reserved.word.endsList }
            return false
        }
    }

    /// A list of and-or lists separated by `;`, `&` or newlines, up to (not including) whatever
    /// ends it.
    mutating func parseList() throws(ParseError) -> Script {
        var items: [ListItem] = []
        while true {
            try skipLinebreaks()
            if atListEnd() { break }
            let andOr = try parseAndOr()
            skipBlanksAndComment()
            let c = current
            if c == Byte.semicolon {
                let next = peek(pos + 1)
                items.append(ListItem(andOr: andOr))
                if next == Byte.semicolon || next == Byte.ampersand { break }
                pos += 1
            } else if c == Byte.ampersand {
                pos += 1
                items.append(ListItem(andOr: andOr, background: true))
            } else if c == Byte.newline {
                items.append(ListItem(andOr: andOr))
            } else {
                items.append(ListItem(andOr: andOr))
                break
            }
        }
        return Script(items: items)
    }

    mutating func parseAndOr() throws(ParseError) -> AndOrList {
        let first = try parsePipeline()
        var rest: [AndOrList.Link] = []
        while true {
            skipBlanks()
            let c = current
            guard (c == Byte.ampersand || c == Byte.pipe) && peek(pos + 1) == c else { break }
            pos += 2
            try skipLinebreaks()
            let pipeline = try parsePipeline()
            rest.append(AndOrList.Link(op: c == Byte.ampersand ? .and : .or, pipeline: pipeline))
        }
        return AndOrList(first: first, rest: rest)
    }

    mutating func parsePipeline() throws(ParseError) -> Pipeline {
        skipBlanks()
        var negated = false
        if let reserved = reservedWord(at: pos), reserved.word == .bang {
            pos += 1
            skipBlanks()
            negated = true
            if let again = reservedWord(at: pos), again.word == .bang {
                throw error(.unexpectedToken, at: pos, detail: "! cannot be repeated")
            }
        }
        var first: Command? = nil
        if let reserved = reservedWord(at: pos), reserved.word == .timeWord { first = try parseTimePrefix() }
        if first == nil { first = try parseCommand() }
        var commands: [Command] = []
        if let first { commands.append(first) }
        while true {
            skipBlanks()
            guard current == Byte.pipe, peek(pos + 1) != Byte.pipe else { break }
            if peek(pos + 1) == Byte.ampersand {
                // `a |& b` is `a 2>&1 | b`: the implicit redirection comes after a's own.
                pos += 2
                if let last = commands.popLast() { commands.append(Self.redirectingStderr(last)) }
            } else {
                pos += 1
            }
            try skipLinebreaks()
            commands.append(try parseCommand())
        }
        return Pipeline(negated: negated, commands: commands)
    }

    /// `time [-p]` before a pipeline: the timing changes nothing about what runs, so the keyword
    /// is dropped and the pipeline kept. Returns the command when `time` stands alone (then it
    /// is an ordinary command), nil when a pipeline follows.
    @inline(never)
    mutating func parseTimePrefix() throws(ParseError) -> Command? {
        pos += 4
        skipBlanks()
        var words: [Word] = [.literal("time")]
        if current == Byte.minus && peek(pos + 1) == 0x70 /* p */ && Byte.isWordEnd(peek(pos + 2)) {
            pos += 2
            words.append(.literal("-p"))
            skipBlanks()
        }
        if atPipelineEnd() { return .simple(SimpleCommand(words: words)) }
        if let bang = reservedWord(at: pos), bang.word == .bang {
            throw error(.unexpectedToken, at: pos, detail: "! must come before time")
        }
        return nil
    }

    /// True where a pipeline could end: a separator, a closing token or end of input.
    func atPipelineEnd() -> Bool {
        let c = current
        switch c {
        case Byte.eof, Byte.newline, Byte.semicolon, Byte.ampersand, Byte.pipe, Byte.rightParen, Byte.hash:
            return true
        default:
            return atListEnd()
        }
    }

    @inline(never)
    static func redirectingStderr(_ command: Command) -> Command {
        let redirection = Redirection(fd: "2", op: .duplicateOutput, target: .literal("1"))
        switch command {
        case .simple(var simple):
            simple.redirections.append(redirection)
            return .simple(simple)
        case .subshell(let script, var redirections):
            redirections.append(redirection)
            return .subshell(script, redirections: redirections)
        case .group(let script, var redirections):
            redirections.append(redirection)
            return .group(script, redirections: redirections)
        case .compound(var compound):
            compound.redirections.append(redirection)
            return .compound(compound)
        }
    }

    // MARK: - Commands

    mutating func parseCommand() throws(ParseError) -> Command {
        skipBlanks()
        if current == Byte.leftParen { return try parseCompoundCommand(nil) }
        if let reserved = reservedWord(at: pos), reserved.word != .inWord, reserved.word != .timeWord {
            return try parseCompoundCommand(reserved.word)
        }
        return try parseSimpleCommand()
    }

    /// A compound command at `pos` (`word` is its reserved word, nil for `(`), with its
    /// redirections. Kept out of line so the frames of the common, recursive path stay small.
    @inline(never)
    mutating func parseCompoundCommand(_ word: Reserved?) throws(ParseError) -> Command {
        let start = pos
        let command: Command
        switch word {
        case nil:
            if peek(pos + 1) == Byte.leftParen && closesAsArithmetic(from: pos + 2) {
                command = .compound(try parseArithmeticCommand())
            } else {
                command = try parseSubshell()
            }
        case .leftBrace?: command = try parseGroup()
        case .ifWord?: command = .compound(try parseIf())
        case .whileWord?: command = .compound(try parseWhile(until: false))
        case .untilWord?: command = .compound(try parseWhile(until: true))
        case .forWord?: command = .compound(try parseFor(select: false))
        case .selectWord?: command = .compound(try parseFor(select: true))
        case .caseWord?: command = .compound(try parseCase())
        case .doubleLeftBracket?: command = .compound(try parseTestClause())
        case .functionWord?: return .compound(try parseFunctionKeyword())
        case .inWord?, .timeWord?, .thenWord?, .elifWord?, .elseWord?, .fiWord?, .doWord?, .doneWord?, .esacWord?,
            .rightBrace?, .bang?, .doubleRightBracket?:
            throw unexpected(at: start)
        }
        return try finishCompound(command)
    }

    /// True when a compound command (a valid function body) starts at `pos`.
    func atCompoundCommand() -> Bool {
        if current == Byte.leftParen { return true }
        guard let reserved = reservedWord(at: pos) else { return false }
        switch reserved.word {
        case .leftBrace, .ifWord, .whileWord, .untilWord, .forWord, .selectWord, .caseWord, .doubleLeftBracket:
            return true
        default:
            return false
        }
    }

    /// Reads the redirections after a compound command and checks nothing else follows it.
    @inline(never)
    mutating func finishCompound(_ command: Command) throws(ParseError) -> Command {
        var redirections: [Redirection] = []
        while true {
            skipBlanks()
            guard let redirection = try parseRedirectionIfPresent() else { break }
            redirections.append(redirection)
        }
        skipBlanks()
        if !atPipelineEnd() { throw unexpected(at: pos) }
        if redirections.isEmpty { return command }
        switch command {
        case .simple(var simple):
            simple.redirections += redirections
            return .simple(simple)
        case .subshell(let script, let existing):
            return .subshell(script, redirections: existing + redirections)
        case .group(let script, let existing):
            return .group(script, redirections: existing + redirections)
        case .compound(var compound):
            compound.redirections += redirections
            return .compound(compound)
        }
    }

    /// Commands whose `NAME=(…)` arguments are array assignments.
    static func isDeclarationCommand(_ name: String) -> Bool {
        switch name {
        case "declare", "local", "export", "readonly", "typeset": return true
        default: return false
        }
    }

    mutating func parseSimpleCommand() throws(ParseError) -> Command {
        let start = pos
        var assignments: [Assignment] = []
        var words: [Word] = []
        var redirections: [Redirection] = []
        var declaration = false
        while true {
            skipBlanks()
            if let redirection = try parseRedirectionIfPresent() {
                redirections.append(redirection)
                continue
            }
            let c = current
            if c == Byte.leftParen {
                if words.count == 1 && assignments.isEmpty && redirections.isEmpty && words[0].isPlainLiteral {
                    return .compound(try parseFunctionParens(name: words[0]))
                }
                throw unexpected(at: pos)
            }
            if !startsWord(at: pos) { break }
            if words.isEmpty {
                if let assignment = try parseAssignmentIfPresent() {
                    assignments.append(assignment)
                    continue
                }
                try checkSubscriptCloses()
            }
            if declaration, let word = try parseDeclarationArrayIfPresent() {
                words.append(word)
                continue
            }
            let word = try parseWord(.normal)
            if words.isEmpty, word.isPlainLiteral, let name = word.literalValue, Self.isDeclarationCommand(name) {
                declaration = true
            }
            words.append(word)
        }
        if assignments.isEmpty && words.isEmpty && redirections.isEmpty { throw unexpected(at: start) }
        return .simple(SimpleCommand(assignments: assignments, words: words, redirections: redirections))
    }

    /// True when a word starts at `offset`: not at a word end or a `#` (which starts a comment
    /// wherever a word would start), or at `<(`/`>(`.
    func startsWord(at offset: Int) -> Bool {
        let c = peek(offset)
        if c == Byte.hash { return false }
        if !Byte.isWordEnd(c) { return true }
        return (c == Byte.less || c == Byte.greater) && peek(offset + 1) == Byte.leftParen
    }

    // MARK: - Assignments

    /// The length of `NAME=`, `NAME+=`, `NAME[sub]=` at `offset` (with whether it appends and
    /// where the name ends), or nil when the word there is not an assignment.
    func assignmentPrefix(at offset: Int) -> (nameEnd: Int, valueStart: Int, append: Bool)? {
        guard Byte.isNameStart(peek(offset)) else { return nil }
        var i = offset + 1
        while Byte.isNameChar(peek(i)) { i += 1 }
        if peek(i) == Byte.leftBracket {
            i += 1
            while true {
                let c = peek(i)
                if c == Byte.rightBracket { break }
                if Byte.isWordEnd(c) || c == Byte.singleQuote || c == Byte.doubleQuote || c == Byte.backslash
                    || c == Byte.dollar || c == Byte.backtick || c == Byte.leftBracket
                {
                    return nil
                }
                i += 1
            }
            i += 1
        }
        let nameEnd = i
        if peek(i) == Byte.plus && peek(i + 1) == Byte.equals { return (nameEnd, i + 2, true) }
        if peek(i) == Byte.equals { return (nameEnd, i + 1, false) }
        return nil
    }

    /// Where an assignment may start, bash reads `NAME[` up to the matching `]` whatever lies
    /// between, and fails at end of input without one. (A subscript with blanks, `a[1 + 2]=3`,
    /// is not recognised here and becomes ordinary words: a known gap.)
    @inline(never)
    mutating func checkSubscriptCloses() throws(ParseError) {
        var i = pos
        guard Byte.isNameStart(peek(i)) else { return }
        while Byte.isNameChar(peek(i)) { i += 1 }
        guard peek(i) == Byte.leftBracket else { return }
        if lastRightBracket == nil {
            var last = -1
            var j = end - 1
            while j >= 0 {
                if bytes[j] == Byte.rightBracket {
                    last = j
                    break
                }
                j -= 1
            }
            lastRightBracket = last
        }
        if let last = lastRightBracket, last < i {
            throw error(.unexpectedToken, at: i, detail: "[ without a matching ]")
        }
    }

    @inline(never)
    mutating func parseAssignmentIfPresent() throws(ParseError) -> Assignment? {
        guard let prefix = assignmentPrefix(at: pos) else { return nil }
        let name = text(pos, prefix.nameEnd)
        pos = prefix.valueStart
        if current == Byte.leftParen {
            let elements = try parseArrayElements()
            return Assignment(name: name, append: prefix.append, value: nil, array: elements)
        }
        let value = try parseWord(.assignment)
        return Assignment(name: name, append: prefix.append, value: value)
    }

    /// `( word… )` after `NAME=`; `pos` is at `(`.
    mutating func parseArrayElements() throws(ParseError) -> [Word] {
        let open = pos
        pos += 1
        var elements: [Word] = []
        while true {
            try skipLinebreaks()
            let c = current
            if c == Byte.rightParen {
                pos += 1
                return elements
            }
            if c == Byte.eof { throw error(.missingKeyword, at: open, detail: "array without )") }
            if !startsWord(at: pos) { throw unexpected(at: pos) }
            elements.append(try parseWord(.normal))
        }
    }

    /// After `declare`/`local`/`export`/`readonly`/`typeset`, `NAME=(…)` is an array assignment
    /// passed as an argument. It is kept as one word: `NAME=(`, the elements' parts separated by
    /// spaces, and `)`, so every substitution in the elements stays visible.
    @inline(never)
    mutating func parseDeclarationArrayIfPresent() throws(ParseError) -> Word? {
        guard let prefix = assignmentPrefix(at: pos), peek(prefix.valueStart) == Byte.leftParen else { return nil }
        let head = text(pos, prefix.valueStart) + "("
        pos = prefix.valueStart
        let elements = try parseArrayElements()
        var parts: [WordPart] = [.literal(head)]
        for (index, element) in elements.enumerated() {
            if index > 0 { parts.append(.literal(" ")) }
            parts += element.parts
        }
        parts.append(.literal(")"))
        return Word(parts)
    }

    // MARK: - Redirections

    /// Parses a redirection at `pos` if one starts there (`[n|{var}]op target`).
    mutating func parseRedirectionIfPresent() throws(ParseError) -> Redirection? {
        let start = pos
        var i = pos
        var fd: String? = nil
        let c = current
        if Byte.isDigit(c) {
            while Byte.isDigit(peek(i)) { i += 1 }
            let op = peek(i)
            guard (op == Byte.less || op == Byte.greater) && peek(i + 1) != Byte.leftParen else { return nil }
            fd = text(pos, i)
        } else if c == Byte.leftBrace {
            i += 1
            guard Byte.isNameStart(peek(i)) else { return nil }
            while Byte.isNameChar(peek(i)) { i += 1 }
            guard peek(i) == Byte.rightBrace else { return nil }
            i += 1
            let op = peek(i)
            guard (op == Byte.less || op == Byte.greater) && peek(i + 1) != Byte.leftParen else { return nil }
            fd = text(pos, i)
        } else if c == Byte.less || c == Byte.greater {
            guard peek(i + 1) != Byte.leftParen else { return nil }
        } else if c == Byte.ampersand {
            guard peek(i + 1) == Byte.greater else { return nil }
        } else {
            return nil
        }

        let op: Redirection.Operator
        let c0 = peek(i), c1 = peek(i + 1), c2 = peek(i + 2)
        if c0 == Byte.ampersand {
            if fd != nil { return nil }
            if c2 == Byte.greater { op = .appendOutputAndError; i += 3 } else { op = .outputAndError; i += 2 }
        } else if c0 == Byte.less {
            if c1 == Byte.less {
                if c2 == Byte.less { op = .hereString; i += 3 }
                else if c2 == Byte.minus { op = .heredocStripTabs; i += 3 }
                else { op = .heredoc; i += 2 }
            } else if c1 == Byte.ampersand { op = .duplicateInput; i += 2 }
            else if c1 == Byte.greater { op = .readWrite; i += 2 }
            else { op = .input; i += 1 }
        } else {
            if c1 == Byte.greater { op = .append; i += 2 }
            else if c1 == Byte.ampersand { op = .duplicateOutput; i += 2 }
            else if c1 == Byte.pipe { op = .clobber; i += 2 }
            else { op = .output; i += 1 }
        }
        pos = i
        skipBlanks()

        if op == .heredoc || op == .heredocStripTabs {
            return try parseHeredocOperand(fd: fd, op: op, operatorStart: start)
        }
        if !startsWord(at: pos) {
            throw error(.unexpectedToken, at: pos, detail: "\(op.rawValue) needs a target, found \(tokenDescription(at: pos))")
        }
        let target = try parseWord(.normal)
        return Redirection(fd: fd, op: op, target: target)
    }

    // MARK: - Heredocs

    /// Reads the delimiter word after `<<`/`<<-` and registers the heredoc, whose body is read
    /// after the next newline.
    @inline(never)
    mutating func parseHeredocOperand(fd: String?, op: Redirection.Operator, operatorStart: Int) throws(ParseError) -> Redirection {
        var parts: [WordPart] = []
        var delimiter: [UInt8] = []
        var quoted = false
        if current == Byte.hash {
            throw error(.unexpectedToken, at: pos, detail: "\(op.rawValue) needs a delimiter, found a comment")
        }
        var run: [UInt8] = []
        func flushRun() {
            if !run.isEmpty {
                parts.append(.literal(String(decoding: run, as: UTF8.self)))
                run.removeAll()
            }
        }
        loop: while true {
            let c = current
            switch c {
            case _ where Byte.isWordEnd(c):
                break loop
            case Byte.backslash:
                let next = peek(pos + 1)
                if next == Byte.eof {
                    run.append(c)
                    delimiter.append(c)
                    pos += 1
                } else if next == Byte.newline {
                    pos += 2
                } else {
                    quoted = true
                    flushRun()
                    let length = utf8Length(at: pos + 1)
                    parts.append(.singleQuoted(text(pos + 1, pos + 1 + length)))
                    for index in 0..<length { delimiter.append(peek(pos + 1 + index)) }
                    pos += 1 + length
                }
            case Byte.singleQuote:
                quoted = true
                flushRun()
                let open = pos
                pos += 1
                let contentStart = pos
                while pos < end && bytes[pos] != Byte.singleQuote { pos += 1 }
                if pos >= end { throw error(.unterminatedSingleQuote, at: open) }
                parts.append(.singleQuoted(text(contentStart, pos)))
                delimiter += bytes[contentStart..<pos]
                pos += 1
            case Byte.doubleQuote:
                quoted = true
                flushRun()
                let open = pos
                pos += 1
                var content: [UInt8] = []
                while true {
                    let d = current
                    if d == Byte.eof { throw error(.unterminatedDoubleQuote, at: open) }
                    if d == Byte.doubleQuote { pos += 1; break }
                    if d == Byte.backslash {
                        let next = peek(pos + 1)
                        if next == Byte.doubleQuote || next == Byte.backslash || next == Byte.dollar || next == Byte.backtick {
                            content.append(next)
                            pos += 2
                            continue
                        }
                    }
                    content.append(d)
                    pos += 1
                }
                parts.append(.doubleQuoted([.literal(String(decoding: content, as: UTF8.self))]))
                delimiter += content
            default:
                run.append(c)
                delimiter.append(c)
                pos += 1
            }
        }
        flushRun()
        if parts.isEmpty {
            throw error(.unexpectedToken, at: pos, detail: "\(op.rawValue) needs a delimiter, found \(tokenDescription(at: pos))")
        }
        let id = heredocCount
        heredocCount += 1
        heredocBodies.append(nil)
        pendingHeredocs.append(
            PendingHeredoc(id: id, delimiter: delimiter, quoted: quoted, stripTabs: op == .heredocStripTabs, offset: operatorStart))
        var body: Word? = nil
        if let replay {
            guard id < replay.count, let stored = replay[id] else {
                throw error(.unterminatedHeredoc, at: operatorStart, detail: "inconsistent heredoc replay")
            }
            body = stored.word
        }
        return Redirection(fd: fd, op: op, target: Word(parts), heredocBody: body)
    }

    /// The number of bytes of the UTF-8 sequence starting at `offset` (at least 1, within range).
    func utf8Length(at offset: Int) -> Int {
        let lead = peek(offset)
        let length: Int
        if lead < 0xC0 { length = 1 } else if lead < 0xE0 { length = 2 } else if lead < 0xF0 { length = 3 } else { length = 4 }
        var actual = 1
        while actual < length && offset + actual < end && (bytes[offset + actual] & 0xC0) == 0x80 { actual += 1 }
        return actual
    }

    /// Reads one heredoc body starting at `pos` (just after a newline).
    @inline(never)
    mutating func readHeredocBody(_ heredoc: PendingHeredoc) throws(ParseError) {
        if let replay {
            guard heredoc.id < replay.count, let stored = replay[heredoc.id] else {
                throw error(.unterminatedHeredoc, at: heredoc.offset, detail: "inconsistent heredoc replay")
            }
            pos = stored.resume
            return
        }
        let bodyStart = pos
        var bodyEnd = -1
        var lineStart = pos
        var logical: [UInt8] = []
        while lineStart < end {
            // One logical line: in an unquoted body, a backslash-newline joins the next line
            // before the delimiter is looked for (bash: `end\` + `EOF` is the line `endEOF`).
            var segmentStart = lineStart
            var lineEnd = lineStart
            logical.removeAll(keepingCapacity: true)
            while true {
                lineEnd = segmentStart
                while lineEnd < end && bytes[lineEnd] != Byte.newline { lineEnd += 1 }
                var contentStart = segmentStart
                if heredoc.stripTabs && segmentStart == lineStart {
                    // `<<-` strips the tabs of a line, not of the lines joined to it.
                    while contentStart < lineEnd && bytes[contentStart] == Byte.tab { contentStart += 1 }
                }
                var backslashes = 0
                while lineEnd - backslashes > contentStart && bytes[lineEnd - backslashes - 1] == Byte.backslash { backslashes += 1 }
                if !heredoc.quoted && backslashes % 2 == 1 && lineEnd < end {
                    logical += bytes[contentStart..<(lineEnd - 1)]
                    segmentStart = lineEnd + 1
                    continue
                }
                logical += bytes[contentStart..<lineEnd]
                break
            }
            if logical.count == heredoc.delimiter.count && logical == heredoc.delimiter {
                bodyEnd = lineStart
                pos = min(lineEnd + 1, end)
                break
            }
            lineStart = lineEnd + 1
        }
        if bodyEnd < 0 {
            throw error(.unterminatedHeredoc, at: heredoc.offset, detail: String(decoding: heredoc.delimiter, as: UTF8.self))
        }
        let word: Word
        if heredoc.quoted {
            word = Word([.literal(literalHeredocText(bodyStart, bodyEnd, stripTabs: heredoc.stripTabs))])
        } else {
            try enter(bodyStart)
            defer { leave() }
            word = try Parser.parseHeredocBody(
                bytes: bytes, start: bodyStart, end: bodyEnd, stripTabs: heredoc.stripTabs, depth: depth, maxDepth: maxDepth,
                errorBase: errorBase, stackBase: stackBase)
        }
        if heredoc.id < heredocBodies.count {
            heredocBodies[heredoc.id] = HeredocBody(word: word, resume: pos)
        }
    }

    /// The text of a quoted heredoc's body, with leading tabs removed from each line for `<<-`.
    func literalHeredocText(_ start: Int, _ stop: Int, stripTabs: Bool) -> String {
        guard stripTabs else { return text(start, stop) }
        var out: [UInt8] = []
        out.reserveCapacity(stop - start)
        var atLineStart = true
        var i = start
        while i < stop {
            let c = bytes[i]
            if !(atLineStart && c == Byte.tab) {
                out.append(c)
                atLineStart = c == Byte.newline
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
