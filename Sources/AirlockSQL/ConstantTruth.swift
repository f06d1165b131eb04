/// Evaluates a WHERE clause made only of constants (`true`, `1=1`, `'a'<>'b'`, `NOT false`,
/// `x = x`, `1=1 OR id=5`) to find the ones that hold for every row. Anything it cannot decide
/// is unknown, and unknown never counts as a tautology: this only ever adds the flag.
struct ConstantTruth {
    let tree: ParseTree

    private enum Constant: Equatable {
        case number(Double)
        case string(String)
        case boolean(Bool)
    }

    /// True or false when the expression is constant, nil when it depends on the row.
    func value(_ node: Int32) -> Bool? {
        guard let (type, body) = tree.typed(node) else { return nil }
        switch type {
        case "A_Const", "TypeCast":
            if case .boolean(let value)? = constant(node) { return value }
            if case .string(let text)? = constant(node), type == "TypeCast" { return Self.booleanText(text) }
            return nil
        case "BoolExpr":
            guard let op = tree.member(body, "boolop"), let args = tree.member(body, "args") else { return nil }
            let values = tree.children(args).map { value($0) }
            if tree.stringIs(op, "AND_EXPR") {
                if values.contains(false) { return false }
                return values.allSatisfy { $0 == true } ? true : nil
            }
            if tree.stringIs(op, "OR_EXPR") {
                if values.contains(true) { return true }
                return values.allSatisfy { $0 == false } ? false : nil
            }
            if tree.stringIs(op, "NOT_EXPR"), values.count == 1, let inner = values[0] { return !inner }
            return nil
        case "A_Expr":
            guard let kind = tree.member(body, "kind"), tree.stringIs(kind, "AEXPR_OP"),
                  let op = operatorName(body), let left = tree.member(body, "lexpr"), let right = tree.member(body, "rexpr") else { return nil }
            if let l = constant(left), let r = constant(right) { return compare(l, r, op) }
            // `x = x` holds for every row where x is not null: as good as a tautology for a guard.
            if ["=", "<=", ">="].contains(op), let l = columnReference(left), let r = columnReference(right), l == r { return true }
            return nil
        case "NullTest":
            guard let argument = tree.member(body, "arg"), let testType = tree.member(body, "nulltesttype"), constant(argument) != nil else { return nil }
            return tree.stringIs(testType, "IS_NOT_NULL")
        default:
            return nil
        }
    }

    private func operatorName(_ body: Int32) -> String? {
        guard let names = tree.member(body, "name") else { return nil }
        var last: String?
        for item in tree.children(names) {
            if let (_, string) = tree.typed(item) { last = tree.member(string, "sval").flatMap(tree.string) }
        }
        return last
    }

    private func constant(_ node: Int32) -> Constant? {
        guard let (type, body) = tree.typed(node) else { return nil }
        switch type {
        case "A_Const":
            if tree.member(body, "isnull").map(tree.isTrue) == true { return nil }
            if let boolean = tree.member(body, "boolval") { return .boolean(tree.member(boolean, "boolval").map(tree.isTrue) ?? false) }
            if let integer = tree.member(body, "ival") { return .number(tree.member(integer, "ival").flatMap { Double(tree.literal($0)) } ?? 0) }
            if let float = tree.member(body, "fval") { return tree.member(float, "fval").flatMap(tree.string).flatMap(Double.init).map(Constant.number) }
            if let string = tree.member(body, "sval") { return .string(tree.member(string, "sval").flatMap(tree.string) ?? "") }
            return nil
        case "TypeCast":
            guard let argument = tree.member(body, "arg"), let inner = constant(argument) else { return nil }
            if let typeName = tree.member(body, "typeName"), let names = tree.member(typeName, "names"),
               tree.children(names).contains(where: { item in
                   guard let (_, string) = tree.typed(item), let value = tree.member(string, "sval") else { return false }
                   return tree.stringIs(value, "bool")
               }), case .string(let text) = inner, let truth = Self.booleanText(text) {
                return .boolean(truth)
            }
            return inner
        default:
            return nil
        }
    }

    private func compare(_ l: Constant, _ r: Constant, _ op: String) -> Bool? {
        switch (l, r) {
        case (.number(let a), .number(let b)): return Self.apply(op, a, b)
        case (.string(let a), .string(let b)): return Self.apply(op, a, b)
        case (.boolean(let a), .boolean(let b)):
            switch op {
            case "=": return a == b
            case "<>", "!=": return a != b
            default: return nil
            }
        case (.string(let a), .number(let b)): return Double(a).flatMap { Self.apply(op, $0, b) }
        case (.number(let a), .string(let b)): return Double(b).flatMap { Self.apply(op, a, $0) }
        default: return nil
        }
    }

    private static func apply<T: Comparable>(_ op: String, _ a: T, _ b: T) -> Bool? {
        switch op {
        case "=": a == b
        case "<>", "!=": a != b
        case "<": a < b
        case ">": a > b
        case "<=": a <= b
        case ">=": a >= b
        default: nil
        }
    }

    static func booleanText(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "t", "true", "y", "yes", "on", "1": true
        case "f", "false", "n", "no", "off", "0": false
        default: nil
        }
    }

    /// A column reference's names as their JSON (its `fields`, without the source location),
    /// so `x = x` compares equal; nil for anything else (most comparisons, `id = 5`, stop at
    /// the type).
    private func columnReference(_ node: Int32) -> ArraySlice<UInt8>? {
        guard let (type, body) = tree.typed(node), type == "ColumnRef", let fields = tree.member(body, "fields") else { return nil }
        let n = tree.nodes[Int(fields)]
        return tree.bytes[Int(n.start)..<Int(n.end)]
    }
}
