/// Quoting for the SQL Airlock writes itself (journal captures and restores): every name and
/// value it puts into a statement goes through here, never raw.
enum SQLQuoting {
    /// A double-quoted identifier (`"Order ""Items"""`).
    static func identifier(_ name: String) -> String {
        "\"" + name.doubling("\"") + "\""
    }

    /// `"schema"."name"`, or `"name"` without a schema.
    static func qualified(_ schema: String?, _ name: String) -> String {
        (schema.map { identifier($0) + "." } ?? "") + identifier(name)
    }

    /// A string literal. Airlock's connections run with standard_conforming_strings on (the
    /// default, and set at start-up), so only single quotes need doubling; a NUL cannot be in
    /// a PostgreSQL string and is refused.
    static func literal(_ value: String) throws -> String {
        guard !value.utf8.contains(0) else { throw UpstreamError("a name or value with a NUL character cannot be written as SQL") }
        return "'" + value.doubling("'") + "'"
    }

    /// `body` between dollar quotes whose tag it does not contain, so nothing in it (a role
    /// or constraint name read from the catalogs) can end the quoting early.
    static func dollarQuoted(_ body: String) -> String {
        var tag = "$airlock$"
        var counter = 0
        while body.contains(tag) {
            counter += 1
            tag = "$airlock\(counter)$"
        }
        return tag + body + tag
    }

    /// A comma-separated list of quoted identifiers.
    static func list(_ names: [String]) -> String {
        names.map(identifier).joined(separator: ", ")
    }
}

extension String {
    /// Doubles every `quote` scalar. By Unicode scalar, not Character: a quote followed by a
    /// combining mark is one Character, and must still be doubled.
    fileprivate func doubling(_ quote: Unicode.Scalar) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            scalars.append(scalar)
            if scalar == quote { scalars.append(scalar) }
        }
        return String(scalars)
    }
}
