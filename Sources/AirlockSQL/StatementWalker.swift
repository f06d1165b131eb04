/// Walks one statement's whole parse tree and concludes what it does: the most dangerous thing
/// found anywhere in it (a DELETE inside a CTE inside a subquery counts as much as one at the
/// top), the flags, the tables and the functions. The top node alone is never trusted.
struct StatementWalker {
    /// How the part of the tree being walked runs.
    enum Mode {
        /// Executed now.
        case executes
        /// Planned, not executed (`EXPLAIN` without `ANALYZE`). The planner still runs immutable
        /// and stable functions with constant arguments, so functions keep counting.
        case planned
        /// Stored to run later (a rule's actions, a function's body): at most `ddl` now, flagged.
        case deferred
    }

    let tree: ParseTree
    /// Statements prepared earlier in the same text or session, for `EXECUTE`.
    let prepared: [String: SQLStatement]
    /// Classifies an SQL function body; nil once nesting is deep enough to stop.
    let classifyBody: ((String) -> [SQLStatement])?

    private(set) var sqlClass: SQLClass = .read
    private(set) var reason = "only reads"
    private(set) var flags: Set<SQLFlag> = []
    private var tables: Set<String> = []
    private var cteNames: Set<String> = []
    private var functions: Set<String> = []
    /// The name a `PREPARE` gives its statement.
    private(set) var preparedName: String?

    init(tree: ParseTree, prepared: [String: SQLStatement], classifyBody: ((String) -> [SQLStatement])?) {
        self.tree = tree
        self.prepared = prepared
        self.classifyBody = classifyBody
    }

    var sortedTables: [String] {
        tables.filter { !cteNames.contains($0) }.sorted()
    }

    var sortedFunctions: [String] { functions.sorted() }

    // MARK: Contributions

    private mutating func contribute(_ contribution: SQLClass, _ why: String, mode: Mode, function: Bool = false) {
        var effective = contribution
        switch mode {
        case .executes: break
        case .planned: if !function { return }
        case .deferred:
            if contribution > .ddl { flags.insert(.deferred) }
            effective = min(contribution, .ddl)
        }
        if effective > sqlClass {
            sqlClass = effective
            reason = why
        }
    }

    // MARK: Walking

    /// Walks a statement node (`{"DeleteStmt": {…}}`).
    mutating func walkStatement(_ node: Int32) {
        walk(node, mode: .executes)
    }

    mutating func walk(_ node: Int32, mode: Mode) {
        switch tree.kind(node) {
        case .object:
            if tree.member(node, "relname") != nil { recordTable(node) }
            for child in tree.children(node) {
                if tree.keyIsTypeName(child) {
                    visit(tree.key(child), child, mode: mode)
                } else {
                    walk(child, mode: mode)
                }
            }
        case .array:
            for child in tree.children(node) { walk(child, mode: mode) }
        case .string, .number, .literal:
            break
        }
    }

    private mutating func walkMembers(_ body: Int32, mode: Mode, skipping skipped: StaticString? = nil) {
        if tree.kind(body) == .object, tree.member(body, "relname") != nil { recordTable(body) }
        for child in tree.children(body) {
            if let skipped, tree.keyIs(child, skipped) { continue }
            if tree.keyIsTypeName(child) { visit(tree.key(child), child, mode: mode) } else { walk(child, mode: mode) }
        }
    }

    /// One typed node: what it contributes by itself, then everything inside it.
    private mutating func visit(_ name: String, _ body: Int32, mode: Mode) {
        switch name {
        case "SelectStmt":
            if tree.member(body, "intoClause") != nil {
                flags.insert(.selectInto)
                contribute(.ddl, "SELECT INTO creates a table", mode: mode)
            }
            if tree.member(body, "lockingClause") != nil {
                flags.insert(.locking)
                contribute(.write, "SELECT … FOR UPDATE/SHARE locks rows", mode: mode)
            }
            walkMembers(body, mode: mode)
        case "InsertStmt":
            contribute(.write, "INSERT adds rows", mode: mode)
            walkMembers(body, mode: mode)
        case "UpdateStmt":
            rowChange(body, verb: "UPDATE", changes: "changes", restricted: .write, mode: mode)
            walkMembers(body, mode: mode)
        case "DeleteStmt":
            // Every DELETE destroys data; the flags say how much.
            rowChange(body, verb: "DELETE", changes: "deletes", restricted: .destructive, mode: mode)
            walkMembers(body, mode: mode)
        case "MergeStmt":
            if mergeDeletes(body) {
                contribute(.destructive, "MERGE … THEN DELETE deletes rows", mode: mode)
            } else {
                contribute(.write, "MERGE changes rows", mode: mode)
            }
            walkMembers(body, mode: mode)
        case "CommonTableExpr":
            if let cte = tree.member(body, "ctename"), let cteName = tree.string(cte) { cteNames.insert(cteName) }
            if let query = tree.member(body, "ctequery"), let (queryType, _) = tree.typed(query),
               ["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"].contains(queryType) {
                flags.insert(.writableCTE)
            }
            walkMembers(body, mode: mode)
        case "FuncCall":
            if let function = qualifiedName(tree.member(body, "funcname")) {
                functions.insert(function)
                let (contribution, why) = PostgresFunctions.classify(function)
                contribute(contribution, why, mode: mode, function: true)
            }
            walkMembers(body, mode: mode)
        case "ExplainStmt":
            let analyzes = options(body).contains { $0.name == "analyze" && $0.enabled }
            if analyzes {
                flags.insert(.explainAnalyze)
                walkMembers(body, mode: mode)
            } else {
                walkMembers(body, mode: .planned)
            }
        case "CopyStmt":
            let isFrom = tree.member(body, "is_from").map(tree.isTrue) ?? false
            if tree.member(body, "is_program").map(tree.isTrue) ?? false {
                flags.insert(.serverSideCopy)
                contribute(.privileged, "COPY … PROGRAM runs a program on the database server", mode: mode)
            } else if tree.member(body, "filename") != nil {
                flags.insert(.serverSideCopy)
                contribute(.privileged, "COPY with a file name reads or writes the database server's disk", mode: mode)
            } else if isFrom {
                contribute(.write, "COPY FROM STDIN loads rows", mode: mode)
            }
            walkMembers(body, mode: mode)
        case "PrepareStmt":
            if let n = tree.member(body, "name") { preparedName = tree.string(n) }
            walkMembers(body, mode: mode)
        case "ExecuteStmt":
            let name = tree.member(body, "name").flatMap(tree.string) ?? ""
            if let statement = prepared[name] {
                contribute(statement.sqlClass, "EXECUTE runs \(name): \(statement.reason)", mode: mode)
                flags.formUnion(statement.flags)
                tables.formUnion(statement.tables)
                functions.formUnion(statement.functions)
            } else {
                flags.insert(.unknownPrepared)
                contribute(.privileged, "EXECUTE \(name) runs a statement prepared elsewhere, whose text is not known here", mode: mode)
            }
            walkMembers(body, mode: mode)
        case "VariableSetStmt":
            let (contribution, why) = PostgresSettings.classify(tree, body)
            contribute(contribution, why, mode: mode)
        case "TransactionStmt":
            if options(body).contains(where: { $0.name == "transaction_read_only" && !$0.enabled }) {
                contribute(.privileged, "starts a READ WRITE transaction, overriding a read-only default", mode: mode)
            } else {
                contribute(.session, "transaction control", mode: mode)
            }
        case "AlterTableStmt":
            alterTable(body, mode: mode)
            walkMembers(body, mode: mode)
        case "RenameStmt":
            flags.insert(.rename)
            contribute(.ddl, "renames an object: code using the old name breaks", mode: mode)
            walkMembers(body, mode: mode)
        case "DropStmt", "TruncateStmt":
            if let behavior = tree.member(body, "behavior"), tree.stringIs(behavior, "DROP_CASCADE") { flags.insert(.cascade) }
            if name == "DropStmt" { recordDropped(body) }
            let (contribution, why) = PostgresNodes.fixed[name] ?? (.destructive, "deletes")
            contribute(contribution, name == "DropStmt" ? "DROP deletes \(dropObjectName(body))" : why, mode: mode)
            walkMembers(body, mode: mode)
        case "RuleStmt", "CreateTrigStmt":
            contribute(.ddl, name == "RuleStmt" ? "CREATE RULE rewrites later statements" : "CREATE TRIGGER runs code on later changes", mode: mode)
            flags.insert(.deferred)
            walkMembers(body, mode: .deferred)
        case "CreateFunctionStmt":
            contribute(.ddl, "defines a function that runs later", mode: mode)
            flags.insert(.deferred)
            functionBody(body)
            walkMembers(body, mode: .deferred)
        case "ParamRef":
            // PostgreSQL 15 accepts `$2147483648`; newer servers reject it. Say so rather than guess.
            if let number = tree.member(body, "number").flatMap({ Int(tree.literal($0)) }), number < 1 || number > 65_535 {
                contribute(.unparseable, "parameter $\(number) is beyond what PostgreSQL accepts", mode: .executes)
            }
        case "CallStmt":
            if let call = tree.member(body, "funccall"), let function = qualifiedName(tree.member(call, "funcname")) {
                functions.insert(function)
            }
            contribute(.privileged, "CALL runs a procedure whose effect cannot be known from the text", mode: mode)
            walkMembers(body, mode: mode)
        default:
            if let (contribution, why) = PostgresNodes.fixed[name] {
                contribute(contribution, why, mode: mode)
            } else if name.hasSuffix("Stmt") {
                contribute(.privileged, "\(name) is not a statement Airlock knows; it fails closed", mode: mode)
            }
            walkMembers(body, mode: mode)
        }
    }

    // MARK: Details

    private mutating func recordTable(_ rangeVar: Int32) {
        guard let relation = tree.member(rangeVar, "relname").flatMap(tree.string) else { return }
        var parts: [String] = []
        if let catalog = tree.member(rangeVar, "catalogname").flatMap(tree.string) { parts.append(catalog) }
        if let schema = tree.member(rangeVar, "schemaname").flatMap(tree.string) { parts.append(schema) }
        parts.append(relation)
        tables.insert(parts.joined(separator: "."))
    }

    /// DROP names its objects as lists of strings, not relations.
    private mutating func recordDropped(_ body: Int32) {
        guard let type = tree.member(body, "removeType"),
              ["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE", "OBJECT_FOREIGN_TABLE", "OBJECT_INDEX"].contains(where: { tree.string(type) == $0 }),
              let objects = tree.member(body, "objects") else { return }
        for object in tree.children(objects) {
            guard let (listType, list) = tree.typed(object), listType == "List", let items = tree.member(list, "items") else { continue }
            let name = tree.children(items).compactMap { item -> String? in
                guard let (itemType, string) = tree.typed(item), itemType == "String" else { return nil }
                return tree.member(string, "sval").flatMap(tree.string)
            }
            if !name.isEmpty { tables.insert(name.joined(separator: ".")) }
        }
    }

    private func dropObjectName(_ body: Int32) -> String {
        guard let type = tree.member(body, "removeType").flatMap(tree.string) else { return "objects" }
        return "a " + PostgresNodes.objectName(type).lowercased()
    }

    /// `["pg_catalog", "now"]` → `pg_catalog.now`.
    func qualifiedName(_ list: Int32?) -> String? {
        guard let list else { return nil }
        let parts = tree.children(list).compactMap { item -> String? in
            guard let (itemType, string) = tree.typed(item), itemType == "String" else { return nil }
            return tree.member(string, "sval").flatMap(tree.string)
        }
        return parts.isEmpty ? nil : parts.joined(separator: ".")
    }

    /// A `DefElem` option list (`EXPLAIN (ANALYZE)`, `BEGIN READ WRITE`): name and whether it is on.
    private func options(_ body: Int32) -> [(name: String, enabled: Bool)] {
        guard let list = tree.member(body, "options") else { return [] }
        return tree.children(list).compactMap { item in
            guard let (type, element) = tree.typed(item), type == "DefElem",
                  let name = tree.member(element, "defname").flatMap(tree.string) else { return nil }
            guard let argument = tree.member(element, "arg") else { return (name, true) }
            return (name, Self.isOn(tree, argument))
        }
    }

    /// Whether an option's argument turns it on: absent, true, a non-zero integer, or 'on'/'true'.
    static func isOn(_ tree: ParseTree, _ argument: Int32) -> Bool {
        guard let (type, value) = tree.typed(argument) else { return true }
        switch type {
        case "A_Const":
            if let boolean = tree.member(value, "boolval") { return tree.member(boolean, "boolval").map(tree.isTrue) ?? false }
            if let integer = tree.member(value, "ival") { return tree.member(integer, "ival").map { tree.literal($0) != "0" } ?? false }
            if let string = tree.member(value, "sval"), let text = tree.member(string, "sval").flatMap(tree.string) {
                return !["off", "false", "0", "no"].contains(text.lowercased())
            }
            return true
        case "String":
            let text = tree.member(value, "sval").flatMap(tree.string)?.lowercased() ?? ""
            return !["off", "false", "0", "no"].contains(text)
        case "Boolean":
            return tree.member(value, "boolval").map(tree.isTrue) ?? false
        case "Integer":
            return tree.member(value, "ival").map { tree.literal($0) != "0" } ?? false
        default:
            return true
        }
    }

    private enum WhereReading { case missing, tautological, restricting }

    /// UPDATE and DELETE: every row when the WHERE is missing or always true.
    private mutating func rowChange(_ body: Int32, verb: String, changes: String, restricted: SQLClass, mode: Mode) {
        switch whereReading(body) {
        case .missing:
            flags.insert(.noWhere)
            contribute(.destructive, "\(verb) without WHERE \(changes) every row", mode: mode)
        case .tautological:
            flags.insert(.tautologicalWhere)
            contribute(.destructive, "\(verb) with an always-true WHERE \(changes) every row", mode: mode)
        case .restricting:
            contribute(restricted, "\(verb) \(changes) rows", mode: mode)
        }
    }

    private func whereReading(_ body: Int32) -> WhereReading {
        guard let clause = tree.member(body, "whereClause") else { return .missing }
        if let (type, _) = tree.typed(clause), type == "CurrentOfExpr" { return .restricting }
        return ConstantTruth(tree: tree).value(clause) == true ? .tautological : .restricting
    }

    private func mergeDeletes(_ body: Int32) -> Bool {
        guard let clauses = tree.member(body, "mergeWhenClauses") else { return false }
        return tree.children(clauses).contains { item in
            guard let (_, clause) = tree.typed(item), let command = tree.member(clause, "commandType") else { return false }
            return tree.stringIs(command, "CMD_DELETE")
        }
    }

    private mutating func alterTable(_ body: Int32, mode: Mode) {
        contribute(.ddl, "ALTER TABLE changes the schema", mode: mode)
        guard let commands = tree.member(body, "cmds") else { return }
        for item in tree.children(commands) {
            guard let (_, command) = tree.typed(item), let subtype = tree.member(command, "subtype").flatMap(tree.string) else { continue }
            switch subtype {
            case "AT_DropColumn":
                if let behavior = tree.member(command, "behavior"), tree.stringIs(behavior, "DROP_CASCADE") { flags.insert(.cascade) }
                contribute(.destructive, "ALTER TABLE … DROP COLUMN deletes a column's data", mode: mode)
            case "AT_AlterColumnType":
                contribute(.destructive, "ALTER COLUMN … TYPE rewrites a column's data and can lose it", mode: mode)
            case "AT_DisableTrig", "AT_DisableTrigAll", "AT_DisableTrigUser", "AT_DisableRule":
                contribute(.privileged, "disabling triggers or rules switches off integrity and audit checks", mode: mode)
            case "AT_DisableRowSecurity", "AT_NoForceRowSecurity":
                contribute(.privileged, "disabling row-level security exposes every row", mode: mode)
            case "AT_ChangeOwner":
                contribute(.privileged, "changes a table's owner", mode: mode)
            case "AT_DropConstraint", "AT_DetachPartition", "AT_DropInherit", "AT_DropIdentity", "AT_DropExpression":
                if let behavior = tree.member(command, "behavior"), tree.stringIs(behavior, "DROP_CASCADE") { flags.insert(.cascade) }
            default:
                break
            }
        }
    }

    /// A function whose body is SQL: its statements are read for tables and functions (their
    /// harm is deferred, so they do not raise the class beyond `ddl`).
    private mutating func functionBody(_ body: Int32) {
        guard let classifyBody, let options = tree.member(body, "options") else { return }
        var language = ""
        var source: String?
        for item in tree.children(options) {
            guard let (_, element) = tree.typed(item), let name = tree.member(element, "defname").flatMap(tree.string),
                  let argument = tree.member(element, "arg") else { continue }
            if name == "language", let (_, value) = tree.typed(argument) {
                language = tree.member(value, "sval").flatMap(tree.string)?.lowercased() ?? ""
            }
            if name == "as", let (_, list) = tree.typed(argument), let items = tree.member(list, "items"),
               let first = tree.children(items).first(where: { _ in true }), let (_, string) = tree.typed(first) {
                source = tree.member(string, "sval").flatMap(tree.string)
            }
        }
        guard language == "sql", let source else { return }
        for statement in classifyBody(source) {
            tables.formUnion(statement.tables)
            functions.formUnion(statement.functions)
            if statement.sqlClass > .ddl { flags.insert(.deferred) }
        }
    }
}
