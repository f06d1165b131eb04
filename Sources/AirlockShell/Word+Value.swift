extension Word {
    /// The word's value after quote removal when it contains no expansion at all; nil when the
    /// shell would compute part of it at run time (parameters, substitutions, globs, braces).
    public var literalValue: String? {
        var text = ""
        for part in parts {
            guard let piece = part.literalValue else { return nil }
            text += piece
        }
        return text
    }

    /// True when the word is exactly one glob-free literal, so an unquoted keyword like `do`
    /// or an operator-like word can be recognised.
    public var isPlainLiteral: Bool {
        parts.count == 1 && { if case .literal = parts[0] { true } else { false } }()
    }

    /// Whether expanding the word runs any script; cheaper than `substitutions` when, as for
    /// most words, the answer is no.
    public var hasSubstitutions: Bool {
        parts.contains(where: \.hasSubstitutions)
    }

    /// Every script this word runs when expanded: command and process substitutions, and those
    /// nested inside double quotes, arithmetic or `${…}` parameter expansions, in source order.
    public var substitutions: [Script] {
        parts.flatMap(\.substitutions)
    }

    /// The word as a person would read it back: quotes removed, expansions shown as written
    /// (`$HOME`, `$(…)`, `*`). Used in explanations and for pattern matching against rules.
    public var displayText: String {
        parts.map(\.displayText).joined()
    }
}

extension WordPart {
    var literalValue: String? {
        switch self {
        case .literal(let text), .singleQuoted(let text): return text
        case .doubleQuoted(let inner):
            var text = ""
            for part in inner {
                guard let piece = part.literalValue else { return nil }
                text += piece
            }
            return text
        case .parameter, .commandSubstitution, .processSubstitution, .arithmetic, .glob, .brace:
            return nil
        }
    }

    var hasSubstitutions: Bool {
        switch self {
        case .commandSubstitution, .processSubstitution: return true
        case .arithmetic(_, let scripts): return !scripts.isEmpty
        case .parameter(_, _, let scripts): return !scripts.isEmpty
        case .doubleQuoted(let inner): return inner.contains(where: \.hasSubstitutions)
        case .literal, .singleQuoted, .glob, .brace: return false
        }
    }

    var substitutions: [Script] {
        switch self {
        case .commandSubstitution(let script): return [script]
        case .processSubstitution(let script, _): return [script]
        case .arithmetic(_, let scripts): return scripts
        case .parameter(_, _, let scripts): return scripts
        case .doubleQuoted(let inner): return inner.flatMap(\.substitutions)
        case .literal, .singleQuoted, .glob, .brace: return []
        }
    }

    var displayText: String {
        switch self {
        case .literal(let text), .singleQuoted(let text), .glob(let text), .brace(let text): return text
        case .doubleQuoted(let inner): return inner.map(\.displayText).joined()
        case .parameter(let name, let expression, _):
            if let expression { return "${\(expression)}" }
            return "$\(name)"
        case .commandSubstitution: return "$(…)"
        case .processSubstitution(_, let output): return output ? ">(…)" : "<(…)"
        case .arithmetic(let text, _): return "$((\(text)))"
        }
    }
}
