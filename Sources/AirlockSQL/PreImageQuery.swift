/// The SELECT that reads — and locks — the rows one PostgreSQL UPDATE or DELETE is about to
/// change: the same target, the same FROM or USING list and the same WHERE, cut out of the
/// statement with PostgreSQL's own scanner. Run in the statement's transaction just before it,
/// its rows are the statement's pre-images.
///
/// The select puts `tableoid` and `ctid` first, so rows a join yields twice are told apart,
/// and ends with `FOR UPDATE OF` the target, so no other session changes them in between. A
/// door checks that the statement then reports exactly as many rows as were captured: a cut in
/// the wrong place, a volatile predicate or a trigger that skips rows shows as a mismatch.
public struct PreImageQuery: Sendable, Equatable {
    /// The SELECT … FOR UPDATE.
    public var query: String
    /// The target table as the statement names it, unquoted (`schema` nil: by search_path).
    public var schema: String?
    public var table: String

    /// The query, or why this statement cannot have its pre-images captured.
    public static func make(_ statement: String) -> Result<PreImageQuery, PreImageRefusal> {
        guard let tokens = PostgresScanner.tokens(statement) else { return .failure(.unscannable) }
        let bytes = Array(statement.utf8)
        func text(_ token: PostgresScanner.Token) -> String { String(decoding: bytes[token.range], as: UTF8.self) }
        func upper(_ token: PostgresScanner.Token) -> String { text(token).uppercased() }
        func slice(_ from: Int, _ to: Int) -> String {
            from < to ? String(decoding: bytes[tokens[from].range.lowerBound..<tokens[to - 1].range.upperBound], as: UTF8.self) : ""
        }

        // Top-level tokens only: parentheses and brackets hide subqueries and function calls.
        var depth = 0
        var top: [Int] = []
        var end = tokens.count
        for (i, token) in tokens.enumerated() {
            let word = text(token)
            if word == ";" {
                end = i
                break
            }
            if word == "(" || word == "[" { depth += 1 } else if word == ")" || word == "]" { depth -= 1 } else if depth == 0 { top.append(i) }
        }
        guard let first = top.first else { return .failure(.notUpdateOrDelete) }
        func isKeyword(_ index: Int, _ word: String) -> Bool { tokens[index].isKeyword && upper(tokens[index]) == word }
        func nextTop(after position: Int, _ words: Set<String>) -> Int? {
            top.first { $0 > position && tokens[$0].isKeyword && words.contains(upper(tokens[$0])) && !(upper(tokens[$0]) == "FROM" && $0 > 0 && upper(tokens[$0 - 1]) == "DISTINCT") }
        }

        let isUpdate: Bool
        var targetStart: Int
        if isKeyword(first, "WITH") { return .failure(.withClause) }
        if isKeyword(first, "UPDATE") {
            isUpdate = true
            targetStart = first + 1
        } else if isKeyword(first, "DELETE"), first + 1 < end, isKeyword(first + 1, "FROM") {
            isUpdate = false
            targetStart = first + 2
        } else {
            return .failure(.notUpdateOrDelete)
        }
        // The clauses after the target: UPDATE … SET … [FROM list] [WHERE …] [RETURNING …];
        // DELETE FROM … [USING list] [WHERE …] [RETURNING …].
        let targetEnd: Int
        var listStart: Int?
        if isUpdate {
            guard let set = nextTop(after: targetStart, ["SET"]) else { return .failure(.notUpdateOrDelete) }
            targetEnd = set
            let clauseEnd = nextTop(after: set, ["WHERE", "RETURNING"]) ?? end
            if let from = nextTop(after: set, ["FROM"]), from < clauseEnd { listStart = from }
        } else {
            targetEnd = nextTop(after: targetStart, ["USING", "WHERE", "RETURNING"]) ?? end
            if targetEnd < end, isKeyword(targetEnd, "USING") { listStart = targetEnd }
        }
        let whereIndex = nextTop(after: listStart ?? targetEnd - 1, ["WHERE"])
        let returning = nextTop(after: whereIndex ?? listStart ?? targetEnd - 1, ["RETURNING"]) ?? end
        if let whereIndex, whereIndex + 1 < end, isKeyword(whereIndex + 1, "CURRENT") { return .failure(.currentOf) }

        // The target: [ONLY] name[.name[.name]] [*] [[AS] alias]
        var position = targetStart
        if position < targetEnd, isKeyword(position, "ONLY") { position += 1 }
        guard position < targetEnd else { return .failure(.notUpdateOrDelete) }
        var reference = text(tokens[position])
        var names = [reference]
        position += 1
        while position + 1 < targetEnd, text(tokens[position]) == "." {
            reference = text(tokens[position + 1])
            names.append(reference)
            position += 2
        }
        let parts = names.map(identifier)
        if position < targetEnd, text(tokens[position]) == "*" { position += 1 }
        if position < targetEnd, isKeyword(position, "AS") { position += 1 }
        if position < targetEnd {
            reference = text(tokens[position])
            position += 1
        }
        guard position == targetEnd else { return .failure(.notUpdateOrDelete) }

        var query = "SELECT \(reference).tableoid, \(reference).ctid, \(reference).* FROM " + slice(targetStart, targetEnd)
        if let listStart {
            let listEnd = whereIndex ?? returning
            query += ", " + slice(listStart + 1, listEnd)
        }
        if let whereIndex { query += " WHERE " + slice(whereIndex + 1, returning) }
        query += " FOR UPDATE OF \(reference)"
        return .success(PreImageQuery(query: query, schema: parts.count > 1 ? parts[parts.count - 2] : nil, table: parts[parts.count - 1]))
    }

    /// An identifier as the server reads it: quotes removed (`""` is one quote), or folded to
    /// lower case when bare.
    static func identifier(_ written: String) -> String {
        guard written.hasPrefix("\""), written.hasSuffix("\""), written.count >= 2 else { return written.lowercased() }
        return String(written.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }
}

/// Why a statement's pre-images cannot be captured; a door refuses the statement rather than
/// run it without a way back.
public enum PreImageRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case unscannable
    case notUpdateOrDelete
    case withClause
    case currentOf

    public var description: String {
        switch self {
        case .unscannable: "the statement does not scan as PostgreSQL"
        case .notUpdateOrDelete: "only a single UPDATE or DELETE of one table has its pre-images captured"
        case .withClause: "a statement with a WITH clause cannot have its pre-images captured (its CTEs would run twice)"
        case .currentOf: "WHERE CURRENT OF a cursor cannot have its pre-images captured"
        }
    }
}
