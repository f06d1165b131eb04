/// Decides whether a WHERE condition is true for every row: `1`, `TRUE`, `1=1`, `'a'='a'`,
/// `1<>0`, `id = id`, `name LIKE '%'`, `NOT 0`, and any of these OR-ed with anything
/// (`id = 3 OR 1=1`). It evaluates constants only; anything it cannot evaluate is not a
/// tautology, so a real condition is never mistaken for one.
struct LexicalWhereTruth {
    let tokens: [SQLToken]
    let dialect: SQLDialect

    /// A constant operand's value; `column` is a bare name, for `x = x`.
    private enum Value: Equatable {
        case number(Double)
        case string(String)
        case null
        case column(String)
    }

    func isAlwaysTrue(_ range: Range<Int>) -> Bool {
        truth(range) == true
    }

    // MARK: Structure

    /// Indices in `range` outside any parenthesis of the range.
    private func topLevel(_ range: Range<Int>) -> [Int] {
        var level = 0
        var result: [Int] = []
        for i in range {
            if tokens[i].isSymbol("(") {
                if level == 0 { result.append(i) }
                level += 1
            } else if tokens[i].isSymbol(")") {
                level = max(0, level - 1)
                if level == 0 { result.append(i) }
            } else if level == 0 {
                result.append(i)
            }
        }
        return result
    }

    /// The range without parentheses that enclose all of it.
    private func unwrapped(_ range: Range<Int>) -> Range<Int> {
        var range = range
        while range.count >= 2, tokens[range.lowerBound].isSymbol("("), tokens[range.upperBound - 1].isSymbol(")") {
            let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
            // Only if the first parenthesis closes at the end: `(a) = (b)` is not wrapped.
            var level = 0
            var closesEarly = false
            for i in range.dropLast() {
                if tokens[i].isSymbol("(") { level += 1 }
                if tokens[i].isSymbol(")") { level -= 1 }
                if level == 0 { closesEarly = true; break }
            }
            if closesEarly { break }
            range = inner
        }
        return range
    }

    /// Splits at top-level occurrences of the given words or symbols. BETWEEN's AND is not a
    /// separator.
    private func split(_ range: Range<Int>, at separators: Set<String>) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        var between = false
        for i in topLevel(range) {
            let token = tokens[i]
            if token.isWord("BETWEEN") { between = true; continue }
            guard (token.kind == .word || token.kind == .symbol) && separators.contains(token.upper) else { continue }
            if between && token.isWord("AND") { between = false; continue }
            parts.append(start..<i)
            start = i + 1
        }
        parts.append(start..<range.upperBound)
        return parts
    }

    // MARK: Evaluation

    /// true or false when the condition is constant, nil when it depends on the row.
    private func truth(_ range: Range<Int>) -> Bool? {
        let range = unwrapped(range)
        guard !range.isEmpty else { return nil }
        let ors = split(range, at: dialect == .mysql ? ["OR", "||", "XOR"] : ["OR"])
        if ors.count > 1 {
            // XOR is rare enough to treat as OR: a tautology either way reads as one.
            var allFalse = true
            for part in ors {
                let value = truth(part)
                if value == true { return true }
                if value != false { allFalse = false }
            }
            return allFalse ? false : nil
        }
        let ands = split(range, at: dialect == .mysql ? ["AND", "&&"] : ["AND"])
        if ands.count > 1 {
            var allTrue = true
            for part in ands {
                let value = truth(part)
                if value == false { return false }
                if value != true { allTrue = false }
            }
            return allTrue ? true : nil
        }
        let first = tokens[range.lowerBound]
        if first.isWord("NOT") || first.isSymbol("!") {
            return truth((range.lowerBound + 1)..<range.upperBound).map { !$0 }
        }
        if let value = comparison(range) { return value }
        guard let value = value(range) else { return nil }
        return truthiness(value)
    }

    private func truthiness(_ value: Value) -> Bool? {
        switch value {
        case .number(let n): n != 0
        case .string(let s): numericPrefix(s) != 0
        case .null, .column: nil
        }
    }

    private func value(_ range: Range<Int>) -> Value? {
        let range = unwrapped(range)
        if range.count == 2, tokens[range.lowerBound].isSymbol("-") || tokens[range.lowerBound].isSymbol("+"),
           case .number(let n)? = value(range.dropFirst()) {
            return .number(tokens[range.lowerBound].isSymbol("-") ? -n : n)
        }
        if range.count >= 3, range.count % 2 == 1,
           stride(from: range.lowerBound + 1, to: range.upperBound, by: 2).allSatisfy({ tokens[$0].isSymbol(".") }),
           stride(from: range.lowerBound, to: range.upperBound, by: 2).allSatisfy({ tokens[$0].kind == .word || tokens[$0].kind == .quotedIdentifier }) {
            return .column(range.map { tokens[$0].kind == .word ? SQLLexer.asciiLower(tokens[$0].text) : tokens[$0].text }.joined())
        }
        guard range.count == 1 else { return nil }
        let token = tokens[range.lowerBound]
        switch token.kind {
        case .number: return number(token.text).map(Value.number)
        case .string: return .string(token.text)
        case .quotedIdentifier:
            // SQLite reads an unknown "name" as a string; either way it is the same on both sides.
            return .column(token.text)
        case .word:
            switch token.upper {
            case "TRUE": return .number(1)
            case "FALSE": return .number(0)
            case "NULL": return .null
            default: return .column(SQLLexer.asciiLower(token.text))
            }
        default: return nil
        }
    }

    private static let comparisons: Set<String> = ["=", "==", "<=>", "!=", "<>", "<", ">", "<=", ">=", "IS", "LIKE", "IN", "BETWEEN", "GLOB"]

    private func comparison(_ range: Range<Int>) -> Bool? {
        let top = topLevel(range)
        guard let at = top.first(where: { (tokens[$0].kind == .symbol || tokens[$0].kind == .word) && Self.comparisons.contains(tokens[$0].upper) }),
              at > range.lowerBound else { return nil }
        var leftEnd = at
        var negated = false
        if tokens[at - 1].isWord("NOT"), at - 1 > range.lowerBound {
            negated = true
            leftEnd = at - 1
        }
        guard let left = value(range.lowerBound..<leftEnd) else { return nil }
        let op = tokens[at].upper
        let rest = (at + 1)..<range.upperBound
        let result: Bool?
        switch op {
        case "IS":
            var rest = rest
            var not = false
            if let first = rest.first, tokens[first].isWord("NOT") { not = true; rest = rest.dropFirst() }
            guard rest.count == 1 else { return nil }
            let right = tokens[rest.lowerBound]
            let isValue: Bool?
            if right.isWord("NULL") { isValue = left == .null ? true : (isColumn(left) ? nil : false) }
            else if right.isWord("TRUE") { isValue = truthiness(left) }
            else if right.isWord("FALSE") { isValue = truthiness(left).map { !$0 } }
            else { return nil }
            result = not ? isValue.map { !$0 } : isValue
        case "IN":
            guard let first = rest.first, tokens[first].isSymbol("("), let last = rest.last, tokens[last].isSymbol(")") else { return nil }
            let items = split((first + 1)..<last, at: [","])
            var any = false
            for item in items {
                guard let right = value(item) else { return nil }
                if compare(left, "=", right) == true { any = true }
            }
            result = any ? true : nil
        case "BETWEEN":
            guard let and = topLevel(rest).first(where: { tokens[$0].isWord("AND") }),
                  let low = value(rest.lowerBound..<and), let high = value((and + 1)..<rest.upperBound) else { return nil }
            result = compare(left, ">=", low).flatMap { a in compare(left, "<=", high).map { a && $0 } }
        case "LIKE", "GLOB":
            guard let right = value(rest) else { return nil }
            if case .string(let pattern) = right, !pattern.isEmpty, pattern.allSatisfy({ $0 == (op == "LIKE" ? "%" : "*") }) {
                result = left == .null ? nil : true
            } else {
                result = nil
            }
        default:
            guard let right = value(rest) else { return nil }
            result = compare(left, op, right)
        }
        return negated ? result.map { !$0 } : result
    }

    private func isColumn(_ value: Value) -> Bool {
        if case .column = value { return true }
        return false
    }

    private func compare(_ left: Value, _ op: String, _ right: Value) -> Bool? {
        if case .column(let a) = left, case .column(let b) = right {
            // `x = x` holds for every row where x is not NULL: as good as every row.
            guard a == b else { return nil }
            return ["=", "==", "<=>", "<=", ">="].contains(op) ? true : false
        }
        if isColumn(left) || isColumn(right) { return nil }
        if left == .null || right == .null {
            return op == "<=>" ? left == right : nil
        }
        let order: Int
        switch (left, right) {
        case (.number(let a), .number(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let a), .string(let b)):
            let (x, y) = dialect == .mysql ? (SQLLexer.asciiLower(a), SQLLexer.asciiLower(b)) : (a, b)
            order = x < y ? -1 : (x > y ? 1 : 0)
        case (.number(let a), .string(let s)):
            if dialect == .sqlite { order = -1 } else { let b = numericPrefix(s); order = a < b ? -1 : (a > b ? 1 : 0) }
        case (.string(let s), .number(let b)):
            if dialect == .sqlite { order = 1 } else { let a = numericPrefix(s); order = a < b ? -1 : (a > b ? 1 : 0) }
        default: return nil
        }
        switch op {
        case "=", "==", "<=>": return order == 0
        case "!=", "<>": return order != 0
        case "<": return order < 0
        case ">": return order > 0
        case "<=": return order <= 0
        case ">=": return order >= 0
        default: return nil
        }
    }

    private func number(_ text: String) -> Double? {
        let lower = SQLLexer.asciiLower(text)
        if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2), radix: 16).map(Double.init) }
        if lower.hasPrefix("0b") { return UInt64(lower.dropFirst(2), radix: 2).map(Double.init) }
        return Double(text)
    }

    /// The number a string converts to: its leading numeric part, 0 when there is none.
    private func numericPrefix(_ s: String) -> Double {
        var prefix = ""
        for c in s.drop(while: { $0 == " " }) {
            if c.isASCII, c.isNumber || c == "." || ((c == "-" || c == "+") && prefix.isEmpty) || ((c == "e" || c == "E") && !prefix.isEmpty) {
                prefix.append(c)
            } else {
                break
            }
        }
        while !prefix.isEmpty, Double(prefix) == nil { prefix.removeLast() }
        return Double(prefix) ?? 0
    }
}
