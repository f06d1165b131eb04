import AirlockShell

/// A compact, unambiguous-enough rendering of a syntax tree, used to assert exact tree shapes
/// in a readable way.
///
/// - script: items joined by ` ; `, a background item followed by ` &`
/// - and-or: pipelines joined by ` && ` / ` || `; pipeline: optional `! `, commands joined by ` | `
/// - simple command: `[A=1 B=(x y) word… 2>&1 >file <<EOF{body}]`
/// - subshell `sub{…}`, group `grp{…}`, compound `kind:name[words]{body}{body}`
/// - word parts: literal as is (space, `\` and `(){}[]<>|;&` escaped with `\`), `'…'`, `"…"`,
///   `$name` / `${expr}` (+ `|$(…)` for nested substitutions), `$(…)`, `<(…)`, `>(…)`,
///   `$((text))` (+ `|$(…)`), glob `<*>`, brace `<{a,b}>`
enum TreeDump {
    static func script(_ script: Script) -> String {
        script.items.map { item in
            andOr(item.andOr) + (item.background ? " &" : "")
        }.joined(separator: " ; ")
    }

    static func andOr(_ list: AndOrList) -> String {
        var text = pipeline(list.first)
        for link in list.rest {
            text += " \(link.op.rawValue) " + pipeline(link.pipeline)
        }
        return text
    }

    static func pipeline(_ pipeline: Pipeline) -> String {
        (pipeline.negated ? "! " : "") + pipeline.commands.map(command).joined(separator: " | ")
    }

    static func command(_ command: Command) -> String {
        switch command {
        case .simple(let simple):
            var pieces: [String] = []
            for assignment in simple.assignments {
                let op = assignment.append ? "+=" : "="
                if let array = assignment.array {
                    pieces.append(assignment.name + op + "(" + array.map(word).joined(separator: " ") + ")")
                } else {
                    pieces.append(assignment.name + op + (assignment.value.map(word) ?? ""))
                }
            }
            pieces += simple.words.map(word)
            pieces += simple.redirections.map(redirection)
            return "[" + pieces.joined(separator: " ") + "]"
        case .subshell(let body, let redirections):
            return "sub{" + script(body) + "}" + redirections.map(redirection).joined()
        case .group(let body, let redirections):
            return "grp{" + script(body) + "}" + redirections.map(redirection).joined()
        case .compound(let compound):
            var text = compound.kind.rawValue
            if let name = compound.name { text += ":" + name }
            if !compound.words.isEmpty { text += "[" + compound.words.map(word).joined(separator: " ") + "]" }
            for body in compound.bodies { text += "{" + script(body) + "}" }
            text += compound.redirections.map(redirection).joined()
            return text
        }
    }

    static func redirection(_ redirection: Redirection) -> String {
        var text = (redirection.fd ?? "") + redirection.op.rawValue + word(redirection.target)
        if let body = redirection.heredocBody { text += "{" + word(body) + "}" }
        return text
    }

    static func word(_ word: Word) -> String {
        word.parts.map(part).joined()
    }

    static func part(_ part: WordPart) -> String {
        switch part {
        case .literal(let text): return escape(text)
        case .singleQuoted(let text): return "'" + text + "'"
        case .doubleQuoted(let parts): return "\"" + parts.map(Self.part).joined() + "\""
        case .parameter(let name, let expression, let substitutions):
            let base = expression.map { "${" + $0 + "}" } ?? "$" + name
            return base + substitutions.map { "|$(" + script($0) + ")" }.joined()
        case .commandSubstitution(let body): return "$(" + script(body) + ")"
        case .processSubstitution(let body, let output): return (output ? ">(" : "<(") + script(body) + ")"
        case .arithmetic(let text, let substitutions):
            return "$((" + text + substitutions.map { "|$(" + script($0) + ")" }.joined() + "))"
        case .glob(let text): return "<" + text + ">"
        case .brace(let text): return "<" + text + ">"
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if " \\(){}[]<>|;&".contains(character) { out.append("\\") }
            if character == "\n" { out += "\\n"; continue }
            if character == "\t" { out += "\\t"; continue }
            out.append(character)
        }
        return out
    }
}
