import CPgQuery
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PostgreSQL text split and parsed by PostgreSQL's own grammar (libpg_query, PostgreSQL 15),
/// each statement classified by walking its whole parse tree. Text the parser rejects, including
/// grammar newer than PostgreSQL 15, is `unparseable`.
///
/// Results are cached by text (bounded): agents and ORMs repeat the same statements, and a repeat
/// costs a hash lookup instead of a parse.
public final class PostgresClassifier: Sendable {
    public static let shared = PostgresClassifier()

    /// Texts longer than this are classified but not cached.
    static let cacheableLength = 16 * 1024
    static let cacheCapacity = 4096
    private let cache = Mutex<[String: [SQLStatement]]>([:])

    public init() {}

    /// Every statement in `text`; `EXECUTE` finds only statements `PREPARE`d earlier in it.
    public func classify(_ text: String) -> [SQLStatement] {
        let cacheable = text.utf8.count <= Self.cacheableLength
        if cacheable, let hit = cache.withLock({ $0[text] }) { return hit }
        var prepared: [String: SQLStatement] = [:]
        let result = Self.classify(text, prepared: &prepared, depth: 0)
        if cacheable {
            cache.withLock { entries in
                if entries.count >= Self.cacheCapacity { entries.removeAll(keepingCapacity: true) }
                entries[text] = result
            }
        }
        return result
    }

    /// Every statement in `text`, with the statements a session has prepared so far (a proxy's
    /// connection state); `PREPARE`s in the text are added to it.
    public func classify(_ text: String, prepared: inout [String: SQLStatement]) -> [SQLStatement] {
        Self.classify(text, prepared: &prepared, depth: 0)
    }

    /// SQL function bodies are classified too, to this depth.
    static let maximumBodyDepth = 2

    /// Texts longer than this are parsed on a large-stack thread: shorter ones cannot nest
    /// deeply enough to matter on any thread's stack.
    static let smallText = 1024
    /// Larger texts are refused rather than parsed: no real statement needs this much, and the
    /// parser's recursion grows with it.
    static let maximumText = 4 * 1024 * 1024

    static func classify(_ text: String, prepared: inout [String: SQLStatement], depth: Int) -> [SQLStatement] {
        let size = text.utf8.count
        if size > maximumText {
            return [unparseable(0, String(text.prefix(200)) + "…", SQLParseError(message: "the text is \(size) bytes, more than the \(maximumText) Airlock parses", position: 0))]
        }
        if depth == 0, size > smallText {
            let before = prepared
            let outcome = LargeStack.run(textSize: size) { () -> ([SQLStatement], [String: SQLStatement]) in
                var scratch = before
                let statements = classifyHere(text, prepared: &scratch, depth: depth)
                return (statements, scratch)
            }
            guard let (statements, after) = outcome else {
                return [unparseable(0, String(text.prefix(200)), SQLParseError(message: "no thread could be started to parse it", position: 0))]
            }
            prepared = after
            return statements
        }
        return classifyHere(text, prepared: &prepared, depth: depth)
    }

    private static func classifyHere(_ text: String, prepared: inout [String: SQLStatement], depth: Int) -> [SQLStatement] {
        let bytes = Array(text.utf8)
        if bytes.contains(0) {
            return [unparseable(0, text, SQLParseError(message: "the text contains a NUL byte, which PostgreSQL never accepts in a statement", position: 0))]
        }
        switch parse(text) {
        case .success(let json):
            return statements(json: json, bytes: bytes, prepared: &prepared, depth: depth)
        case .failure:
            return splitAndParse(text, bytes: bytes, prepared: &prepared, depth: depth)
        }
    }

    // MARK: libpg_query

    /// The parse tree as JSON bytes, or the parser's error.
    static func parse(_ text: String) -> Result<[UInt8], SQLParseError> {
        let result = pg_query_parse(text)
        defer { pg_query_free_parse_result(result) }
        if let error = result.error {
            let message = error.pointee.message.map { String(cString: $0) } ?? "syntax error"
            return .failure(SQLParseError(message: message, position: Int(error.pointee.cursorpos)))
        }
        guard let tree = result.parse_tree else {
            return .failure(SQLParseError(message: "the parser returned no tree", position: 0))
        }
        let length = strlen(tree)
        return .success(Array(UnsafeBufferPointer(start: UnsafeRawPointer(tree).assumingMemoryBound(to: UInt8.self), count: length)))
    }

    /// Statement boundaries from PostgreSQL's scanner, for text that does not parse as a whole.
    static func split(_ text: String) -> Result<[Range<Int>], SQLParseError> {
        let result = pg_query_split_with_scanner(text)
        defer { pg_query_free_split_result(result) }
        if let error = result.error {
            let message = error.pointee.message.map { String(cString: $0) } ?? "the statements could not be split"
            return .failure(SQLParseError(message: message, position: Int(error.pointee.cursorpos)))
        }
        var ranges: [Range<Int>] = []
        guard let list = result.stmts else { return .success([]) }
        for i in 0..<Int(result.n_stmts) {
            guard let statement = list[i]?.pointee else { continue }
            let start = Int(statement.stmt_location)
            ranges.append(start..<(start + Int(statement.stmt_len)))
        }
        return .success(ranges)
    }

    // MARK: Statements

    private static func statements(json: [UInt8], bytes: [UInt8], prepared: inout [String: SQLStatement], depth: Int) -> [SQLStatement] {
        let tree: ParseTree
        do {
            tree = try ParseTree(json)
        } catch {
            return [unparseable(0, String(decoding: bytes, as: UTF8.self), SQLParseError(message: "the parse tree is too deep to walk", position: 0))]
        }
        guard let list = tree.member(tree.root, "stmts") else { return [] }
        var result: [SQLStatement] = []
        for raw in tree.children(list) {
            let location = tree.member(raw, "stmt_location").flatMap { Int(tree.literal($0)) } ?? 0
            let length = tree.member(raw, "stmt_len").flatMap { Int(tree.literal($0)) } ?? 0
            let start = min(max(location, 0), bytes.count)
            let end = length > 0 ? min(start + length, bytes.count) : bytes.count
            let text = trimmed(bytes[start..<end])
            guard let statement = tree.member(raw, "stmt") else { continue }
            result.append(classifyStatement(tree, statement, index: result.count, text: text, prepared: &prepared, depth: depth))
        }
        return result
    }

    /// The text did not parse as a whole: find the statements that do not.
    private static func splitAndParse(_ text: String, bytes: [UInt8], prepared: inout [String: SQLStatement], depth: Int) -> [SQLStatement] {
        let ranges: [Range<Int>]
        switch split(text) {
        case .success(let found): ranges = found
        case .failure(let error): return [unparseable(0, trimmed(bytes[...]), error)]
        }
        var result: [SQLStatement] = []
        for range in ranges {
            let clamped = min(range.lowerBound, bytes.count)..<min(range.upperBound, bytes.count)
            let piece = String(decoding: bytes[clamped], as: UTF8.self)
            let pieceText = trimmed(bytes[clamped])
            switch parse(piece) {
            case .failure(let error):
                result.append(unparseable(result.count, pieceText, error))
            case .success(let json):
                for var statement in statements(json: json, bytes: Array(piece.utf8), prepared: &prepared, depth: depth) {
                    statement.index = result.count
                    result.append(statement)
                }
            }
        }
        if result.isEmpty {
            // The scanner found nothing to split yet the parser failed: the whole text is the problem.
            if case .failure(let error) = parse(text) { return [unparseable(0, trimmed(bytes[...]), error)] }
        }
        return result
    }

    private static func classifyStatement(_ tree: ParseTree, _ node: Int32, index: Int, text: String, prepared: inout [String: SQLStatement], depth: Int) -> SQLStatement {
        let body: ((String) -> [SQLStatement])? = depth < maximumBodyDepth ? { source in
            var scratch: [String: SQLStatement] = [:]
            return classify(source, prepared: &scratch, depth: depth + 1)
        } : nil
        var walker = StatementWalker(tree: tree, prepared: prepared, classifyBody: body)
        walker.walkStatement(node)
        let statement = SQLStatement(
            index: index, text: text, kind: commandTag(tree, node), sqlClass: walker.sqlClass,
            tables: walker.sortedTables, flags: walker.flags, functions: walker.sortedFunctions, reason: walker.reason,
            error: walker.sqlClass == .unparseable ? SQLParseError(message: walker.reason, position: 0) : nil)
        if let name = walker.preparedName { prepared[name] = statement }
        return statement
    }

    static func unparseable(_ index: Int, _ text: String, _ error: SQLParseError) -> SQLStatement {
        SQLStatement(
            index: index, text: text, kind: "", sqlClass: .unparseable, reason: "PostgreSQL 15's parser rejects it (\(error.message)); Airlock fails closed",
            error: error)
    }

    /// The statement as written, without surrounding whitespace or its final `;`.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x0A || first == 0x0D || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 || last == UInt8(ascii: ";") { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    // MARK: Command tags

    static func commandTag(_ tree: ParseTree, _ node: Int32) -> String {
        guard let (name, body) = tree.typed(node) else { return "" }
        func field(_ key: StaticString) -> String? { tree.member(body, key).flatMap(tree.string) }
        switch name {
        case "SelectStmt": return tree.member(body, "intoClause") != nil ? "SELECT INTO" : "SELECT"
        case "DropStmt": return "DROP " + PostgresNodes.objectName(field("removeType") ?? "")
        case "AlterTableStmt": return "ALTER " + PostgresNodes.objectName(field("objtype") ?? "OBJECT_TABLE")
        case "RenameStmt":
            let type = field("renameType") ?? ""
            let target = ["OBJECT_COLUMN", "OBJECT_TABCONSTRAINT"].contains(type) ? (field("relationType") ?? "OBJECT_TABLE") : type
            return "ALTER " + PostgresNodes.objectName(target)
        case "AlterObjectSchemaStmt", "AlterOwnerStmt": return "ALTER " + PostgresNodes.objectName(field("objectType") ?? "")
        case "DefineStmt": return "CREATE " + PostgresNodes.objectName(field("kind") ?? "")
        case "GrantStmt": return tree.member(body, "is_grant").map(tree.isTrue) == true ? "GRANT" : "REVOKE"
        case "VariableSetStmt": return (field("kind") ?? "").hasPrefix("VAR_RESET") ? "RESET" : "SET"
        case "TransactionStmt":
            switch field("kind") ?? "" {
            case "TRANS_STMT_BEGIN": return "BEGIN"
            case "TRANS_STMT_START": return "START TRANSACTION"
            case "TRANS_STMT_COMMIT": return "COMMIT"
            case "TRANS_STMT_ROLLBACK", "TRANS_STMT_ROLLBACK_TO": return "ROLLBACK"
            case "TRANS_STMT_SAVEPOINT": return "SAVEPOINT"
            case "TRANS_STMT_RELEASE": return "RELEASE"
            case "TRANS_STMT_PREPARE": return "PREPARE TRANSACTION"
            case "TRANS_STMT_COMMIT_PREPARED": return "COMMIT PREPARED"
            case "TRANS_STMT_ROLLBACK_PREPARED": return "ROLLBACK PREPARED"
            default: return "TRANSACTION"
            }
        default:
            return PostgresNodes.tags[name] ?? PostgresNodes.spelledOut(name)
        }
    }
}
