import AirlockCore

/// Writes a policy as YAML that `PolicyLoader.parse` reads back to the same policy (apart from
/// `source` and rule lines). `airlock policy show` uses it for the effective, merged policy.
///
/// Lists are written in flow style (`[a, b]`) when they fit on a line and one entry per line
/// otherwise; text is left plain when that is unambiguous and double-quoted otherwise.
/// Environment pattern lists that are empty are left out (empty is their default).
/// A merged policy's workspace rules keep their `workspace:` ids, which a policy file may not
/// use: the output shows the effective policy, it is not meant to be loaded as the user's.
public enum PolicyRenderer {
    /// Lines longer than this switch lists to one entry per line.
    static let width = 100

    public static func yaml(_ policy: Policy) -> String {
        var out: [String] = []
        out.append("# Airlock policy, from: \(comment(policy.source))")
        out.append("version: \(policy.version)")
        out.append("mode: \(policy.mode.rawValue)")
        out.append("default: \(policy.defaultDecision.rawValue)")
        breaker(policy.breaker, into: &out)

        if policy.environments.isEmpty {
            out.append("environments: {}")
        } else {
            out.append("environments:")
            for environment in policy.environments {
                let fields: [(String, [String])] = [
                    ("hosts", environment.hosts), ("kube_contexts", environment.kubeContexts),
                    ("aws_profiles", environment.awsProfiles), ("workspaces", environment.workspaces),
                    ("projects", environment.projects), ("git_remotes", environment.gitRemotes),
                    ("docker_hosts", environment.dockerHosts), ("labels", environment.labels),
                ]
                let present = fields.filter { !$0.1.isEmpty }
                if present.isEmpty && !environment.localSockets {
                    out.append("  \(scalar(environment.name)): {}")
                    continue
                }
                out.append("  \(scalar(environment.name)):")
                for (key, values) in present { list(key, values, indent: 4, into: &out) }
                if environment.localSockets { out.append("    local_sockets: true") }
            }
        }

        if policy.rules.isEmpty {
            out.append("rules: []")
        } else {
            out.append("rules:")
            for rule in policy.rules {
                out.append("")
                out.append("  - id: \(scalar(rule.id))")
                out.append("    decision: \(rule.decision.rawValue)")
                out.append("    reason: \(scalar(rule.reason))")
                condition("when", rule.when, into: &out)
                if let unless = rule.unless { condition("unless", unless, into: &out) }
                if let suggestion = rule.suggestion { out.append("    suggestion: \(scalar(suggestion))") }
                if let approval = rule.approval {
                    var parts = ["approvers: \(approval.approvers)", "expires: \(PolicyDuration.format(approval.expires))"]
                    if let via = approval.via { parts.append("via: \(scalar(via))") }
                    out.append("    approval: { " + parts.joined(separator: ", ") + " }")
                }
                if let limit = rule.limit {
                    let parts = [
                        "count: \(limit.count)", "per: \(PolicyDuration.format(limit.per))", "scope: \(limit.scope.rawValue)",
                        "then: \(limit.then.rawValue)",
                    ]
                    out.append("    limit: { " + parts.joined(separator: ", ") + " }")
                }
                if let maxRows = rule.maxRows { out.append("    max_rows: \(maxRows)") }
                let examples = [("allow", rule.examples.allow), ("ask", rule.examples.ask), ("deny", rule.examples.deny)]
                    .filter { !$0.1.isEmpty }
                if !examples.isEmpty {
                    out.append("    examples:")
                    for (key, commands) in examples { list(key, commands, indent: 6, into: &out) }
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Every field written out, the optional `effect_class` too; `breaker: off` when there is none.
    private static func breaker(_ breaker: Breaker?, into out: inout [String]) {
        guard let breaker else {
            out.append("breaker: off")
            return
        }
        out.append("breaker:")
        out.append("  denials: \(breaker.denials)")
        out.append("  within: \(PolicyDuration.format(breaker.within))")
        list("effect_class", breaker.effects.map(\.rawValue), indent: 2, into: &out)
        out.append("  then:")
        out.append("    freeze: { scope: \(breaker.scope.rawValue), level: \(breaker.level.rawValue), for: \(PolicyDuration.format(breaker.duration)) }")
    }

    private static func condition(_ key: String, _ condition: Condition, into out: inout [String]) {
        if condition.isEmpty {
            out.append("    \(key): {}")
            return
        }
        out.append("    \(key):")
        for (name, values) in condition.namedLists {
            if let values { list(name, values, indent: 6, into: &out) }
        }
        if let access = condition.pathAccess { out.append("      path_access: \(access.rawValue)") }
        if let interactive = condition.interactive { out.append("      interactive: \(interactive)") }
        if let sql = condition.sql {
            out.append("      sql:")
            for (name, values) in sql.namedLists {
                if let values { list(name, values, indent: 8, into: &out) }
            }
        }
    }

    private static func list(_ key: String, _ values: [String], indent: Int, into out: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        let flow = pad + key + ": [" + values.map(scalar).joined(separator: ", ") + "]"
        if flow.count <= width || values.count <= 1 {
            out.append(flow)
        } else {
            out.append(pad + key + ":")
            for value in values { out.append(pad + "  - " + scalar(value)) }
        }
    }

    /// Text made safe for a one-line comment (no line breaks; no `&`, which the loader's
    /// anchor check would see).
    private static func comment(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{85}" {
                out += " "
            } else if scalar == "&" {
                out += "%26"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    // MARK: Scalars

    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", "+.inf", ".nan",
    ]

    /// `text` as a YAML scalar that reads back as exactly `text`: plain when that is
    /// unambiguous in block and flow context, double-quoted otherwise.
    static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if first == " " || last == " " || last == ":" { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if reservedWords.contains(text.lowercased()) { return false }
        // Anything that starts like a number (or a date, a time, a version) is quoted, so no
        // reader takes it for one.
        if ("0"..."9").contains(first) || first == "." || first == "+" { return false }
        if text.contains("  ") { return false }
        // `&` could read as an anchor to the loader's anchor check, `:` and `#` as YAML syntax.
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x20 && scalar.value < 0x7F && !",[]{}#:&\"\\".unicodeScalars.contains(scalar)
        }
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            // `&name` after a non-alphanumeric would read as an anchor to the loader's anchor
            // check (which does not look inside quotes); the escape keeps the text the same.
            if scalar == "&", index == 0 || !isASCIIAlphanumeric(scalars[index - 1]),
               index + 1 < scalars.count, isASCIIAlphanumeric(scalars[index + 1]) || scalars[index + 1] == "_" || scalars[index + 1] == "-" {
                out += "\\x26"
                continue
            }
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default:
                let value = scalar.value
                let printable = (value >= 0x20 && value < 0x7F) || (value >= 0xA0 && value <= 0xD7FF && value != 0x2028 && value != 0x2029)
                    || (value >= 0xE000 && value <= 0xFFFD && value != 0xFEFF) || value >= 0x10000
                if printable {
                    out.unicodeScalars.append(scalar)
                } else if value <= 0xFF {
                    out += "\\x" + hex(value, width: 2)
                } else {
                    out += "\\u" + hex(value, width: 4)
                }
            }
        }
        return out + "\""
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
