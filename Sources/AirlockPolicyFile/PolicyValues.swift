/// Checks on individual values that YAML itself cannot make.
enum PolicyValues {
    /// Rule ids and environment names: `[a-z0-9][a-z0-9-_.]*`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isLowerAlnum(first) else { return false }
        return name.unicodeScalars.allSatisfy { isLowerAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("0"..."9").contains(c)
    }

    /// Why a host pattern is unusable, or nil when it is fine. Host names never contain `/`, so a
    /// pattern with one must be an IPv4 CIDR block (the only kind the resolver understands).
    static func hostPatternProblem(_ pattern: String) -> String? {
        guard pattern.contains("/") else { return nil }
        if pattern.contains(":") {
            return "host pattern '\(display(pattern))' looks like an IPv6 CIDR block; only IPv4 blocks such as 10.0.0.0/8 are supported"
        }
        let pieces = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            return "host pattern '\(display(pattern))' is not a valid CIDR block; write an IPv4 block such as 10.0.0.0/8"
        }
        let octets = pieces[0].split(separator: ".", omittingEmptySubsequences: false)
        let octetsValid = octets.count == 4 && octets.allSatisfy { $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
        guard octetsValid else {
            return "host pattern '\(display(pattern))' is not a valid CIDR block: '\(display(String(pieces[0])))' is not an IPv4 address (four numbers 0-255 separated by dots)"
        }
        guard pieces[1].allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(pieces[1]), (0...32).contains(bits) else {
            return "host pattern '\(display(pattern))' is not a valid CIDR block: the prefix length after '/' must be a number from 0 to 32"
        }
        return nil
    }

    /// The prefixes a path pattern may start with (after an optional `!`), each followed by `/`
    /// or the end. Paths are matched in absolute form, so anything else could only match by
    /// accident.
    static let pathRoots = ["~", "$HOME", "$AIRLOCK_HOME", "${AIRLOCK_HOME}", "{cwd}"]

    /// Why a path pattern is unusable, or nil when it is fine.
    static func pathPatternProblem(_ pattern: String) -> String? {
        let body = pattern.hasPrefix("!") ? String(pattern.dropFirst()) : pattern
        if body.isEmpty { return "path pattern '\(display(pattern))' is empty" }
        if body.hasPrefix("/") || body.hasPrefix("**") { return placeholderProblem(pattern, body: body, root: nil) }
        for root in pathRoots where body.hasPrefix(root) {
            let rest = body.dropFirst(root.count)
            if rest.isEmpty || rest.hasPrefix("/") { return placeholderProblem(pattern, body: body, root: root) }
        }
        if body.hasPrefix("~") {
            return "path pattern '\(display(pattern))' uses '~user', which is not supported; write the absolute path"
        }
        if body.hasPrefix("$") {
            return "path pattern '\(display(pattern))' starts with a variable other than $HOME or $AIRLOCK_HOME; only ~, $HOME, $AIRLOCK_HOME and {cwd} expand"
        }
        let anywhere = "**/" + body
        let here = "{cwd}/" + body
        return "path pattern '\(display(pattern))' is relative, but paths are matched in absolute form; write '\(anywhere)' to match it anywhere or '\(here)' for the working directory"
    }

    private static func placeholderProblem(_ pattern: String, body: String, root: String?) -> String? {
        let rest = root.map { String(body.dropFirst($0.count)) } ?? body
        for placeholder in ["{cwd}", "$AIRLOCK_HOME", "${AIRLOCK_HOME}", "$HOME"] where rest.contains(placeholder) {
            return "path pattern '\(display(pattern))' has '\(placeholder)' in the middle; it only expands at the start of a pattern"
        }
        return nil
    }

    /// A value quoted into a message: control characters made visible, long values cut short.
    static func display(_ text: String, limit: Int = 80) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                result += "…"
                break
            }
            if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
                result += scalar.escaped(asASCII: true)
            } else {
                result.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return result
    }
}
