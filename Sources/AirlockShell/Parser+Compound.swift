// Compound commands: subshells, groups, if/while/until/for/select/case, [[ ]], (( )) and
// function definitions.

extension Parser {
    /// A list that must contain at least one command (bash rejects `if then`, `{ }`, `( )`).
    mutating func parseNonEmptyList() throws(ParseError) -> Script {
        let script = try parseList()
        if script.items.isEmpty {
            if pos >= end { throw error(.missingKeyword, at: pos, detail: "a command list was expected") }
            throw unexpected(at: pos)
        }
        return script
    }

    /// `( list )`; `pos` is at `(`.
    mutating func parseSubshell() throws(ParseError) -> Command {
        let open = pos
        pos += 1
        try enter(open)
        defer { leave() }
        let script = try parseNonEmptyList()
        guard current == Byte.rightParen else {
            if pos >= end { throw error(.missingKeyword, at: open, detail: ") expected") }
            throw unexpected(at: pos)
        }
        pos += 1
        return .subshell(script, redirections: [])
    }

    /// `{ list; }`; `pos` is at `{`.
    mutating func parseGroup() throws(ParseError) -> Command {
        let open = pos
        pos += 1
        try enter(open)
        defer { leave() }
        let script = try parseNonEmptyList()
        try expectReserved(.rightBrace, constructStart: open)
        return .group(script, redirections: [])
    }

    mutating func parseIf() throws(ParseError) -> CompoundCommand {
        let open = pos
        pos += 2
        try enter(open)
        defer { leave() }
        var bodies: [Script] = []
        bodies.append(try parseNonEmptyList())
        try expectReserved(.thenWord, constructStart: open)
        bodies.append(try parseNonEmptyList())
        while true {
            guard let reserved = reservedWord(at: pos) else {
                if pos >= end { throw error(.missingKeyword, at: open, detail: "fi expected") }
                throw unexpected(at: pos)
            }
            switch reserved.word {
            case .elifWord:
                pos += reserved.length
                bodies.append(try parseNonEmptyList())
                try expectReserved(.thenWord, constructStart: open)
                bodies.append(try parseNonEmptyList())
            case .elseWord:
                pos += reserved.length
                bodies.append(try parseNonEmptyList())
                try expectReserved(.fiWord, constructStart: open)
                return CompoundCommand(kind: .ifClause, bodies: bodies)
            case .fiWord:
                pos += reserved.length
                return CompoundCommand(kind: .ifClause, bodies: bodies)
            default:
                throw unexpected(at: pos)
            }
        }
    }

    mutating func parseWhile(until: Bool) throws(ParseError) -> CompoundCommand {
        let open = pos
        pos += 5
        try enter(open)
        defer { leave() }
        let condition = try parseNonEmptyList()
        try expectReserved(.doWord, constructStart: open)
        let body = try parseNonEmptyList()
        try expectReserved(.doneWord, constructStart: open)
        return CompoundCommand(kind: until ? .untilLoop : .whileLoop, bodies: [condition, body])
    }

    /// `for NAME [in words]; do …; done`, `for ((…)); do …; done`, and `select` (no C form).
    /// The body may also be a `{ …; }` group, as bash allows.
    mutating func parseFor(select: Bool) throws(ParseError) -> CompoundCommand {
        let open = pos
        pos += select ? 6 : 3
        try enter(open)
        defer { leave() }
        skipBlanks()
        var name: String? = nil
        var words: [Word] = []
        if !select && current == Byte.leftParen && peek(pos + 1) == Byte.leftParen {
            let arithmeticStart = pos
            pos += 2
            let (expression, substitutions, separators) = try scanArithmetic(open: arithmeticStart, closing: .doubleParen, kind: .missingKeyword)
            if separators != 2 {
                throw error(.unexpectedToken, at: arithmeticStart, detail: "for (( )) needs three expressions separated by ;")
            }
            words.append(Word([.arithmetic(expression, substitutions: substitutions)]))
            skipBlanks()
            if current == Byte.semicolon { pos += 1 }
            try skipLinebreaks()
        } else {
            // bash checks the name is an identifier only when the loop runs; a word that is not
            // plain text (`for $x in`) is refused, as shfmt does.
            let nameStart = pos
            guard startsWord(at: pos) else { throw unexpected(at: pos) }
            let word = try parseWord(.normal)
            guard word.isPlainLiteral, let literal = word.literalValue else {
                throw error(.unexpectedToken, at: nameStart, detail: "the loop variable must be a name")
            }
            name = literal
            skipBlanks()
            if current == Byte.semicolon {
                pos += 1
                try skipLinebreaks()
            } else {
                try skipLinebreaks()
                if let reserved = reservedWord(at: pos), reserved.word == .inWord {
                    pos += reserved.length
                    words = try parseWordList(open: open)
                    try skipLinebreaks()
                }
            }
        }
        let body: Script
        if let reserved = reservedWord(at: pos), reserved.word == .leftBrace {
            pos += 1
            body = try parseNonEmptyList()
            try expectReserved(.rightBrace, constructStart: open)
        } else {
            try expectReserved(.doWord, constructStart: open)
            body = try parseNonEmptyList()
            try expectReserved(.doneWord, constructStart: open)
        }
        return CompoundCommand(kind: select ? .selectLoop : .forLoop, name: name, bodies: [body], words: words)
    }

    /// The words after `for x in`, up to `;` or a newline (consumed).
    mutating func parseWordList(open: Int) throws(ParseError) -> [Word] {
        var words: [Word] = []
        while true {
            skipBlanks()
            let c = current
            switch c {
            case Byte.semicolon:
                pos += 1
                return words
            case Byte.newline:
                try consumeNewline()
                return words
            case Byte.hash:
                skipComment()
            case Byte.eof:
                throw error(.missingKeyword, at: open, detail: "do expected")
            default:
                if !startsWord(at: pos) { throw unexpected(at: pos) }
                words.append(try parseWord(.normal))
            }
        }
    }

    /// `case WORD in [(]pat[|pat]…) list ;; … esac`. `words` holds the subject then every
    /// pattern in order; `bodies` holds every arm's list, empty ones included.
    mutating func parseCase() throws(ParseError) -> CompoundCommand {
        let open = pos
        pos += 4
        try enter(open)
        defer { leave() }
        skipBlanks()
        if !startsWord(at: pos) {
            if pos >= end { throw error(.missingKeyword, at: open, detail: "case needs a word") }
            throw unexpected(at: pos)
        }
        var words = [try parseWord(.normal)]
        try skipLinebreaks()
        try expectReserved(.inWord, constructStart: open)
        var bodies: [Script] = []
        while true {
            try skipLinebreaks()
            if let reserved = reservedWord(at: pos), reserved.word == .esacWord {
                pos += reserved.length
                break
            }
            if pos >= end { throw error(.missingKeyword, at: open, detail: "esac expected") }
            if current == Byte.leftParen {
                pos += 1
                skipBlanks()
            }
            while true {
                skipBlanks()
                if !startsWord(at: pos) {
                    if pos >= end { throw error(.missingKeyword, at: open, detail: "esac expected") }
                    throw unexpected(at: pos)
                }
                words.append(try parseWord(.pattern))
                skipBlanks()
                if current == Byte.pipe {
                    pos += 1
                    continue
                }
                if current == Byte.rightParen {
                    pos += 1
                    break
                }
                if pos >= end { throw error(.missingKeyword, at: open, detail: "esac expected") }
                throw unexpected(at: pos)
            }
            bodies.append(try parseList())
            if current == Byte.semicolon && peek(pos + 1) == Byte.semicolon {
                pos += peek(pos + 2) == Byte.ampersand ? 3 : 2
            } else if current == Byte.semicolon && peek(pos + 1) == Byte.ampersand {
                pos += 2
            } else if let reserved = reservedWord(at: pos), reserved.word == .esacWord {
                continue
            } else if pos >= end {
                throw error(.missingKeyword, at: open, detail: "esac expected")
            } else {
                throw unexpected(at: pos)
            }
        }
        return CompoundCommand(kind: .caseClause, bodies: bodies, words: words)
    }

    /// `(( expression ))`; `pos` is at the first `(`.
    mutating func parseArithmeticCommand() throws(ParseError) -> CompoundCommand {
        let open = pos
        pos += 2
        try enter(open)
        defer { leave() }
        let (expression, substitutions, _) = try scanArithmetic(open: open, closing: .doubleParen, kind: .missingKeyword)
        return CompoundCommand(kind: .arithmetic, words: [Word([.arithmetic(expression, substitutions: substitutions)])])
    }

    // MARK: - Functions

    /// `name() body`; `pos` is at `(` and `name` has been read.
    mutating func parseFunctionParens(name: Word) throws(ParseError) -> CompoundCommand {
        pos += 1
        skipBlanks()
        guard current == Byte.rightParen else { throw unexpected(at: pos) }
        pos += 1
        return try parseFunctionBody(name: name.literalValue ?? "")
    }

    /// `function name [()] body`; `pos` is at `function`.
    mutating func parseFunctionKeyword() throws(ParseError) -> CompoundCommand {
        let open = pos
        pos += 8
        skipBlanks()
        if !startsWord(at: pos) {
            if pos >= end { throw error(.missingKeyword, at: open, detail: "function name expected") }
            throw unexpected(at: pos)
        }
        let nameStart = pos
        let word = try parseWord(.normal)
        guard word.isPlainLiteral, let name = word.literalValue else {
            throw error(.unexpectedToken, at: nameStart, detail: "invalid function name")
        }
        skipBlanks()
        if current == Byte.leftParen {
            pos += 1
            skipBlanks()
            guard current == Byte.rightParen else { throw unexpected(at: pos) }
            pos += 1
        }
        return try parseFunctionBody(name: name)
    }

    /// The compound command (with its redirections) that is a function's body.
    mutating func parseFunctionBody(name: String) throws(ParseError) -> CompoundCommand {
        let open = pos
        try enter(open)
        defer { leave() }
        try skipLinebreaks()
        guard atCompoundCommand() else {
            if pos >= end { throw error(.missingKeyword, at: open, detail: "function body expected") }
            throw error(.unexpectedToken, at: pos, detail: "function body must be a compound command, found \(tokenDescription(at: pos))")
        }
        let body = try parseCommand()
        let script = Script(items: [ListItem(andOr: AndOrList(first: Pipeline(commands: [body])))])
        return CompoundCommand(kind: .functionDefinition, name: name, bodies: [script])
    }

    // MARK: - [[ ]]

    enum TestToken {
        case word(Word, offset: Int)
        case and(Int), or(Int), not(Int), open(Int), close(Int)

        var offset: Int {
            switch self {
            case .word(_, let offset): return offset
            case .and(let o), .or(let o), .not(let o), .open(let o), .close(let o): return o
            }
        }
    }

    static let unaryTestOperators: Set<String> = [
        "-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-p", "-r", "-s", "-t", "-u", "-w", "-x",
        "-G", "-L", "-N", "-O", "-S", "-z", "-n", "-o", "-v", "-R",
    ]
    static let binaryTestOperators: Set<String> = [
        "==", "=", "!=", "<", ">", "=~", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef",
    ]

    /// `[[ expression ]]`: `words` holds the operands (not the operators or connectives).
    mutating func parseTestClause() throws(ParseError) -> CompoundCommand {
        let open = pos
        pos += 2
        try enter(open)
        defer { leave() }
        var tokens: [TestToken] = []
        var closeOffset = pos
        while true {
            skipBlanks()
            let c = current
            let next = peek(pos + 1)
            if c == Byte.newline {
                try consumeNewline()
                continue
            }
            if c == Byte.hash {
                skipComment()
                continue
            }
            if c == Byte.eof { throw error(.missingKeyword, at: open, detail: "]] expected") }
            if c == Byte.rightBracket && next == Byte.rightBracket && Byte.isWordEnd(peek(pos + 2)) {
                closeOffset = pos
                pos += 2
                break
            }
            let start = pos
            if case .word(let previous, _)? = tokens.last, previous.isPlainLiteral, previous.literalValue == "=~",
                startsWord(at: pos) || c == Byte.leftParen
            {
                // The right side of `=~` is a regex word, even when it starts with `(`.
                tokens.append(.word(try parseWord(.regex), offset: start))
                continue
            }
            switch c {
            case Byte.ampersand where next == Byte.ampersand:
                tokens.append(.and(start))
                pos += 2
            case Byte.pipe where next == Byte.pipe:
                tokens.append(.or(start))
                pos += 2
            case Byte.leftParen:
                tokens.append(.open(start))
                pos += 1
            case Byte.rightParen:
                tokens.append(.close(start))
                pos += 1
            case Byte.bang where Byte.isWordEnd(next) && next != Byte.leftParen:
                tokens.append(.not(start))
                pos += 1
            case Byte.less, Byte.greater:
                if next == Byte.leftParen {
                    tokens.append(.word(try parseWord(.test), offset: start))
                } else {
                    tokens.append(.word(.literal(c == Byte.less ? "<" : ">"), offset: start))
                    pos += 1
                }
            case Byte.semicolon, Byte.ampersand, Byte.pipe:
                throw unexpected(at: pos)
            default:
                tokens.append(.word(try parseWord(.test), offset: start))
            }
        }
        if tokens.isEmpty { throw error(.unexpectedToken, at: closeOffset, detail: "[[ ]] needs an expression") }
        var index = 0
        var operands: [Word] = []
        try parseTestOr(tokens, &index, &operands, closeOffset: closeOffset)
        if index < tokens.count { throw unexpected(at: tokens[index].offset) }
        return CompoundCommand(kind: .testExpression, words: operands)
    }

    private func operatorName(_ token: TestToken) -> String? {
        guard case .word(let word, _) = token, word.isPlainLiteral else { return nil }
        return word.literalValue
    }

    private mutating func parseTestOr(_ tokens: [TestToken], _ index: inout Int, _ operands: inout [Word], closeOffset: Int) throws(ParseError) {
        try parseTestAnd(tokens, &index, &operands, closeOffset: closeOffset)
        while index < tokens.count, case .or = tokens[index] {
            index += 1
            try parseTestAnd(tokens, &index, &operands, closeOffset: closeOffset)
        }
    }

    private mutating func parseTestAnd(_ tokens: [TestToken], _ index: inout Int, _ operands: inout [Word], closeOffset: Int) throws(ParseError) {
        try parseTestPrimary(tokens, &index, &operands, closeOffset: closeOffset)
        while index < tokens.count, case .and = tokens[index] {
            index += 1
            try parseTestPrimary(tokens, &index, &operands, closeOffset: closeOffset)
        }
    }

    private mutating func parseTestPrimary(_ tokens: [TestToken], _ index: inout Int, _ operands: inout [Word], closeOffset: Int) throws(ParseError) {
        while index < tokens.count, case .not = tokens[index] { index += 1 }
        guard index < tokens.count else {
            throw error(.unexpectedToken, at: closeOffset, detail: "]] before the end of the test expression")
        }
        switch tokens[index] {
        case .open(let offset):
            index += 1
            try enter(offset)
            defer { leave() }
            try parseTestOr(tokens, &index, &operands, closeOffset: closeOffset)
            guard index < tokens.count, case .close = tokens[index] else {
                throw error(.unexpectedToken, at: index < tokens.count ? tokens[index].offset : closeOffset, detail: ") expected in [[ ]]")
            }
            index += 1
        case .word(let word, _):
            let name = operatorName(tokens[index])
            if let name, Self.unaryTestOperators.contains(name), index + 1 < tokens.count, case .word(let operand, _) = tokens[index + 1] {
                // `-f x`, unless `-f` is itself the left operand of a binary test (`-f = x`).
                let binaryFollows = index + 2 < tokens.count && operatorName(tokens[index + 1]).map(Self.binaryTestOperators.contains) == true
                if !binaryFollows {
                    operands.append(operand)
                    index += 2
                    return
                }
            } else if let name, Self.unaryTestOperators.contains(name), index + 1 >= tokens.count || !isWord(tokens[index + 1]) {
                throw error(.unexpectedToken, at: tokens[index].offset, detail: "\(name) needs an operand")
            }
            operands.append(word)
            index += 1
            if index < tokens.count, let op = operatorName(tokens[index]), Self.binaryTestOperators.contains(op) {
                index += 1
                guard index < tokens.count, case .word(let right, _) = tokens[index] else {
                    throw error(.unexpectedToken, at: index < tokens.count ? tokens[index].offset : closeOffset, detail: "\(op) needs a right operand")
                }
                operands.append(right)
                index += 1
            }
        default:
            throw unexpected(at: tokens[index].offset)
        }
    }

    private func isWord(_ token: TestToken) -> Bool {
        if case .word = token { return true }
        return false
    }
}
