import AirlockShell
import Foundation

// A trace flattens a parse into tokens that both our tree and shfmt's can produce, in one
// traversal order:
//
// - a list: each statement, then `;` (or `&` when backgrounded);
// - an and-or list / pipeline, in source order: `!` for a negated pipeline, the commands, and
//   `&&` `||` `|` between them (`a |& b` is `a 2>&1 | b` on both sides);
// - a simple command: `cmd`, then `a:NAME=VALUE` per assignment (arrays as `a:NAME=(`,
//   `e:ELEMENT`…, `)`), `w:WORD` per word, `r:FD OP:TARGET` per redirection (+ `h:BODY` for a
//   heredoc), then the traces of every substitution in those, in the same order;
// - a compound command: its kind, `name:NAME`, `w:WORD` per word, the traces of the words'
//   substitutions, each body as `{` … `}`, then its redirections;
// - subshells and groups: `sub{` / `grp{` … `}` then redirections; a substitution: `sub{` … `}`.
//
// WORD is the value after quote removal when the word has no parameter, command, arithmetic or
// process substitution (globs, tildes and braces are kept as written, as shfmt keeps them), else
// `?`. shfmt keeps escapes and `$'…'` raw, so its side unescapes and decodes them.

enum OurTrace {
    static func of(_ script: Script) -> [String] {
        var tokens: [String] = []
        append(script, to: &tokens)
        return tokens
    }

    static func append(_ script: Script, to tokens: inout [String]) {
        for item in script.items {
            append(item.andOr.first, to: &tokens)
            for link in item.andOr.rest {
                tokens.append(link.op.rawValue)
                append(link.pipeline, to: &tokens)
            }
            tokens.append(item.background ? "&" : ";")
        }
    }

    static func append(_ pipeline: Pipeline, to tokens: inout [String]) {
        if pipeline.negated { tokens.append("!") }
        for (index, command) in pipeline.commands.enumerated() {
            if index > 0 { tokens.append("|") }
            append(command, to: &tokens)
        }
    }

    static func append(_ command: Command, to tokens: inout [String]) {
        switch command {
        case .simple(let simple):
            tokens.append("cmd")
            var words: [Word] = []
            for assignment in simple.assignments {
                let head = "a:" + assignment.name + (assignment.append ? "+=" : "=")
                if let array = assignment.array {
                    tokens.append(head + "(")
                    for element in array { tokens.append("e:" + literal(element)) }
                    tokens.append(")")
                    words += array
                } else {
                    tokens.append(head + (assignment.value.map(literal) ?? ""))
                    if let value = assignment.value { words.append(value) }
                }
            }
            for word in simple.words { tokens.append("w:" + literal(word)) }
            words += simple.words
            appendRedirectionTokens(simple.redirections, to: &tokens)
            for word in words { appendSubstitutions(word, to: &tokens) }
            appendRedirectionSubstitutions(simple.redirections, to: &tokens)
        case .subshell(let body, let redirections):
            tokens.append("sub{")
            append(body, to: &tokens)
            tokens.append("}")
            appendRedirections(redirections, to: &tokens)
        case .group(let body, let redirections):
            tokens.append("grp{")
            append(body, to: &tokens)
            tokens.append("}")
            appendRedirections(redirections, to: &tokens)
        case .compound(let compound):
            tokens.append(compound.kind.rawValue)
            if let name = compound.name { tokens.append("name:" + name) }
            for word in compound.words { tokens.append("w:" + literal(word)) }
            for word in compound.words { appendSubstitutions(word, to: &tokens) }
            for body in compound.bodies {
                tokens.append("{")
                append(body, to: &tokens)
                tokens.append("}")
            }
            appendRedirections(compound.redirections, to: &tokens)
        }
    }

    static func appendRedirections(_ redirections: [Redirection], to tokens: inout [String]) {
        appendRedirectionTokens(redirections, to: &tokens)
        appendRedirectionSubstitutions(redirections, to: &tokens)
    }

    static func appendRedirectionTokens(_ redirections: [Redirection], to tokens: inout [String]) {
        for redirection in redirections {
            tokens.append("r:" + (redirection.fd ?? "") + redirection.op.rawValue + ":" + literal(redirection.target))
            if let body = redirection.heredocBody { tokens.append("h:" + literal(body)) }
        }
    }

    static func appendRedirectionSubstitutions(_ redirections: [Redirection], to tokens: inout [String]) {
        for redirection in redirections {
            appendSubstitutions(redirection.target, to: &tokens)
            if let body = redirection.heredocBody { appendSubstitutions(body, to: &tokens) }
        }
    }

    static func appendSubstitutions(_ word: Word, to tokens: inout [String]) {
        for script in word.substitutions {
            tokens.append("sub{")
            append(script, to: &tokens)
            tokens.append("}")
        }
    }

    /// The word's text as shfmt would have it as literals, or `?`.
    static func literal(_ word: Word) -> String {
        var text = ""
        for part in word.parts {
            guard let piece = literal(part) else { return "?" }
            text += piece
        }
        return text
    }

    static func literal(_ part: WordPart) -> String? {
        switch part {
        case .literal(let text), .singleQuoted(let text), .glob(let text), .brace(let text): return text
        case .doubleQuoted(let inner):
            var text = ""
            for part in inner {
                guard let piece = literal(part) else { return nil }
                text += piece
            }
            return text
        case .parameter, .commandSubstitution, .processSubstitution, .arithmetic: return nil
        }
    }
}

/// The same trace from shfmt's JSON (`--to-json`, shfmt 3.6 field names and operator codes).
struct ShfmtTrace {
    typealias Node = [String: Any]

    /// shfmt's operator codes, which differ between versions (see `ShfmtOperators`).
    let operators: ShfmtOperators

    var binaryOperators: [Int: String] { operators.binary }
    var redirectionOperators: [Int: String] { operators.redirection }
    var extglobOperators: [Int: String] { operators.extglob }

    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    func of(_ statements: [Any]) throws -> [String] {
        var tokens: [String] = []
        try appendList(statements, to: &tokens)
        return tokens
    }

    func appendList(_ statements: [Any], to tokens: inout [String]) throws {
        for case let statement as Node in statements {
            try appendStatement(statement, stderrToPipe: false, to: &tokens)
            tokens.append(bool(statement["Background"]) ? "&" : ";")
        }
    }

    /// `stderrToPipe`: the statement is the left side of `|&`, so its last command gets the
    /// implicit `2>&1` after its own redirections.
    func appendStatement(_ statement: Node, stderrToPipe: Bool, to tokens: inout [String]) throws {
        if bool(statement["Negated"]) { tokens.append("!") }
        var redirections = array(statement["Redirs"]).compactMap { $0 as? Node }
        guard let command = statement["Cmd"] as? Node else {
            if stderrToPipe { redirections.append(stderrDuplicate) }
            tokens.append("cmd")
            appendRedirectionTokens(redirections, to: &tokens)
            try appendRedirectionSubstitutions(redirections, to: &tokens)
            return
        }
        let type = command["Type"] as? String ?? ""
        if stderrToPipe && type != "BinaryCmd" && type != "TimeClause" { redirections.append(stderrDuplicate) }
        switch type {
        case "CallExpr":
            tokens.append("cmd")
            var words: [Node] = []
            for case let assignment as Node in array(command["Assigns"]) {
                let name = string((assignment["Name"] as? Node)?["Value"]) + indexSuffix(assignment)
                let head = "a:" + name + (bool(assignment["Append"]) ? "+=" : "=")
                if let arrayNode = assignment["Array"] as? Node {
                    tokens.append(head + "(")
                    for case let element as Node in array(arrayNode["Elems"]) {
                        let value = element["Value"] as? Node ?? [:]
                        tokens.append("e:" + literal(value))
                        words.append(value)
                    }
                    tokens.append(")")
                } else if let value = assignment["Value"] as? Node {
                    tokens.append(head + literal(value))
                    words.append(value)
                } else {
                    tokens.append(head)
                }
                if let index = assignment["Index"] as? Node { words.append(index) }
            }
            for case let word as Node in array(command["Args"]) {
                tokens.append("w:" + literal(word))
                words.append(word)
            }
            appendRedirectionTokens(redirections, to: &tokens)
            for word in words { try appendSubstitutions(in: word, to: &tokens) }
            try appendRedirectionSubstitutions(redirections, to: &tokens)
        case "DeclClause":
            tokens.append("cmd")
            tokens.append("w:" + string((command["Variant"] as? Node)?["Value"]))
            let arguments = array(command["Args"]).compactMap { $0 as? Node }
            for assignment in arguments { tokens.append("w:" + declarationLiteral(assignment)) }
            appendRedirectionTokens(redirections, to: &tokens)
            for assignment in arguments { try appendSubstitutions(in: assignment, to: &tokens) }
            try appendRedirectionSubstitutions(redirections, to: &tokens)
        case "LetClause":
            tokens.append("cmd")
            tokens.append("w:let")
            let expressions = array(command["Exprs"])
            for _ in expressions { tokens.append("w:*") }
            appendRedirectionTokens(redirections, to: &tokens)
            for case let expression as Node in expressions { try appendSubstitutions(in: expression, to: &tokens) }
            try appendRedirectionSubstitutions(redirections, to: &tokens)
        case "BinaryCmd":
            let op = int(command["Op"])
            guard let name = binaryOperators[op], let left = command["X"] as? Node, let right = command["Y"] as? Node else {
                throw Unsupported(description: "binary command \(op)")
            }
            try appendStatement(left, stderrToPipe: name == "|&", to: &tokens)
            tokens.append(name == "|&" ? "|" : name)
            try appendStatement(right, stderrToPipe: stderrToPipe, to: &tokens)
            appendRedirections(redirections, to: &tokens)
        case "TimeClause":
            if let inner = command["Stmt"] as? Node {
                try appendStatement(inner, stderrToPipe: stderrToPipe, to: &tokens)
            } else {
                tokens.append("cmd")
                tokens.append("w:time")
                if bool(command["PosixFormat"]) { tokens.append("w:-p") }
                if stderrToPipe { redirections.append(stderrDuplicate) }
            }
            appendRedirections(redirections, to: &tokens)
        case "Subshell", "Block":
            tokens.append(type == "Subshell" ? "sub{" : "grp{")
            try appendList(array(command["Stmts"]), to: &tokens)
            tokens.append("}")
            try appendRedirectionsThrowing(redirections, to: &tokens)
        case "IfClause":
            tokens.append("if")
            var clause: Node? = command
            while let current = clause {
                let condition = array(current["Cond"])
                if !condition.isEmpty { try appendBody(condition, to: &tokens) }
                try appendBody(array(current["Then"]), to: &tokens)
                clause = current["Else"] as? Node
            }
            try appendRedirectionsThrowing(redirections, to: &tokens)
        case "WhileClause":
            tokens.append(bool(command["Until"]) ? "until" : "while")
            try appendBody(array(command["Cond"]), to: &tokens)
            try appendBody(array(command["Do"]), to: &tokens)
            try appendRedirectionsThrowing(redirections, to: &tokens)
        case "ForClause":
            tokens.append(bool(command["Select"]) ? "select" : "for")
            let loop = command["Loop"] as? Node ?? [:]
            if loop["Type"] as? String == "CStyleLoop" {
                tokens.append("w:?")
                try appendSubstitutions(in: loop, to: &tokens)
            } else {
                tokens.append("name:" + string((loop["Name"] as? Node)?["Value"]))
                let items = array(loop["Items"]).compactMap { $0 as? Node }
                for item in items { tokens.append("w:" + literal(item)) }
                for item in items { try appendSubstitutions(in: item, to: &tokens) }
            }
            try appendBody(array(command["Do"]), to: &tokens)
            try appendRedirectionsThrowing(redirections, to: &tokens)
        case "CaseClause":
            tokens.append("case")
            var words: [Node] = []
            if let subject = command["Word"] as? Node { words.append(subject) }
            let items = array(command["Items"]).compactMap { $0 as? Node }
            for item in items { words += array(item["Patterns"]).compactMap { $0 as? Node } }
            for word in words { tokens.append("w:" + literal(word)) }
            for word in words { try appendSubstitutions(in: word, to: &tokens) }
            for item in items { try appendBody(array(item["Stmts"]), to: &tokens) }
            try appendRedirectionsThrowing(redirections, to: &tokens)
        case "TestClause":
            tokens.append("[[")
            var operands: [Node] = []
            collectWords(command["X"], into: &operands)
            operands.sort { Shfmt.offset($0["Pos"]) < Shfmt.offset($1["Pos"]) }
            for operand in operands { tokens.append("w:" + literal(operand)) }
            for operand in operands { try appendSubstitutions(in: operand, to: &tokens) }
            try appendRedirectionsThrowing(redirections, to: &tokens)
        case "ArithmCmd":
            tokens.append("((")
            tokens.append("w:?")
            try appendSubstitutions(in: command, to: &tokens)
            try appendRedirectionsThrowing(redirections, to: &tokens)
        case "FuncDecl":
            tokens.append("function")
            tokens.append("name:" + string((command["Name"] as? Node)?["Value"]))
            tokens.append("{")
            if let body = command["Body"] as? Node {
                try appendStatement(body, stderrToPipe: false, to: &tokens)
                tokens.append(";")
            }
            tokens.append("}")
            try appendRedirectionsThrowing(redirections, to: &tokens)
        default:
            throw Unsupported(description: "command type \(type)")
        }
    }

    var stderrDuplicate: Node {
        [
            "Op": redirectionOperators.first { $0.value == ">&" }?.key ?? -1, "N": ["Value": "2"] as Node, "Word": ["Parts": [["Type": "Lit", "Value": "1"] as Node]] as Node,
        ]
    }

    func appendBody(_ statements: [Any], to tokens: inout [String]) throws {
        tokens.append("{")
        try appendList(statements, to: &tokens)
        tokens.append("}")
    }

    func appendRedirections(_ redirections: [Node], to tokens: inout [String]) {
        appendRedirectionTokens(redirections, to: &tokens)
        try? appendRedirectionSubstitutions(redirections, to: &tokens)
    }

    func appendRedirectionsThrowing(_ redirections: [Node], to tokens: inout [String]) throws {
        appendRedirectionTokens(redirections, to: &tokens)
        try appendRedirectionSubstitutions(redirections, to: &tokens)
    }

    func appendRedirectionTokens(_ redirections: [Node], to tokens: inout [String]) {
        for redirection in redirections {
            let op = int(redirection["Op"])
            let fd = string((redirection["N"] as? Node)?["Value"])
            let target = redirection["Word"] as? Node ?? [:]
            tokens.append("r:" + fd + (redirectionOperators[op] ?? "?\(op)") + ":" + literal(target))
            let spelling = redirectionOperators[op]
            if spelling == "<<" || spelling == "<<-" {
                let body = redirection["Hdoc"] as? Node ?? [:]
                tokens.append("h:" + heredocLiteral(body, delimiter: target, stripTabs: spelling == "<<-"))
            }
        }
    }

    func appendRedirectionSubstitutions(_ redirections: [Node], to tokens: inout [String]) throws {
        for redirection in redirections {
            if let target = redirection["Word"] as? Node { try appendSubstitutions(in: target, to: &tokens) }
            if let body = redirection["Hdoc"] as? Node { try appendSubstitutions(in: body, to: &tokens) }
        }
    }

    /// The traces of the command and process substitutions anywhere inside `node`, in source
    /// order (not descending into the substitutions themselves).
    func appendSubstitutions(in node: Node, to tokens: inout [String]) throws {
        var found: [Node] = []
        collectSubstitutions(node, into: &found)
        found.sort { Shfmt.offset($0["Pos"]) < Shfmt.offset($1["Pos"]) }
        for substitution in found {
            tokens.append("sub{")
            try appendList(array(substitution["Stmts"]), to: &tokens)
            tokens.append("}")
        }
    }

    func collectSubstitutions(_ value: Any?, into found: inout [Node]) {
        if let node = value as? Node {
            let type = node["Type"] as? String
            if type == "CmdSubst" || type == "ProcSubst" {
                found.append(node)
                return
            }
            for (_, child) in node { collectSubstitutions(child, into: &found) }
        } else if let list = value as? [Any] {
            for child in list { collectSubstitutions(child, into: &found) }
        }
    }

    func collectWords(_ value: Any?, into found: inout [Node]) {
        if let node = value as? Node {
            if node["Type"] as? String == "Word" {
                found.append(node)
                return
            }
            for (_, child) in node { collectWords(child, into: &found) }
        } else if let list = value as? [Any] {
            for child in list { collectWords(child, into: &found) }
        }
    }

    // MARK: - Literal values

    func indexSuffix(_ assignment: Node) -> String {
        guard let index = assignment["Index"] as? Node else { return "" }
        return "[" + literal(index) + "]"
    }

    /// An argument of `declare`/`export`/…, as the word it was written as.
    func declarationLiteral(_ assignment: Node) -> String {
        if bool(assignment["Naked"]) {
            if let value = assignment["Value"] as? Node { return literal(value) }
            return string((assignment["Name"] as? Node)?["Value"]) + indexSuffix(assignment)
        }
        let head = string((assignment["Name"] as? Node)?["Value"]) + indexSuffix(assignment) + (bool(assignment["Append"]) ? "+=" : "=")
        if let arrayNode = assignment["Array"] as? Node {
            var elements: [String] = []
            for case let element as Node in array(arrayNode["Elems"]) {
                var value = literal(element["Value"] as? Node ?? [:])
                if let index = element["Index"] as? Node {
                    let key = literal(index)
                    value = key == "?" || value == "?" ? "?" : "[" + key + "]=" + value
                }
                if value == "?" { return "?" }
                elements.append(value)
            }
            return head + "(" + elements.joined(separator: " ") + ")"
        }
        guard let value = assignment["Value"] as? Node else { return head }
        let text = literal(value)
        return text == "?" ? "?" : head + text
    }

    func literal(_ word: Node) -> String {
        var text = ""
        for case let part as Node in array(word["Parts"]) {
            switch part["Type"] as? String {
            case "Lit":
                text += unescapeUnquoted(string(part["Value"]))
            case "SglQuoted":
                let value = string(part["Value"])
                text += bool(part["Dollar"]) ? decodeAnsiC(value) : value
            case "DblQuoted":
                for case let inner as Node in array(part["Parts"]) {
                    guard inner["Type"] as? String == "Lit" else { return "?" }
                    text += unescapeDoubleQuoted(string(inner["Value"]))
                }
            case "ExtGlob":
                // shfmt keeps the pattern as raw text; bash expands `$x`, quotes and backticks
                // in it (and so do we), so such a pattern is not literal.
                let pattern = string((part["Pattern"] as? Node)?["Value"])
                if pattern.contains(where: { "$`'\"\\".contains($0) }) { return "?" }
                text += (extglobOperators[int(part["Op"])] ?? "?(") + pattern + ")"
            default:
                return "?"
            }
        }
        return text
    }

    func heredocLiteral(_ body: Node, delimiter: Node, stripTabs: Bool) -> String {
        // Any quoting in the delimiter makes the body literal text (bash); shfmt keeps it raw.
        let delimiterParts = array(delimiter["Parts"]).compactMap { $0 as? Node }
        let quoted = delimiterParts.contains { part in
            part["Type"] as? String != "Lit" || string(part["Value"]).contains("\\")
        }
        var raw = ""
        for case let part as Node in array(body["Parts"]) {
            guard part["Type"] as? String == "Lit" else { return "?" }
            raw += string(part["Value"])
        }
        if stripTabs {
            raw = raw.split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0.drop { $0 == "\t" }) }
                .joined(separator: "\n")
        }
        return quoted ? raw : unescapeHeredoc(raw)
    }

    func unescapeUnquoted(_ text: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x5C {
                if i + 1 >= bytes.count {
                    out.append(0x5C)
                } else if bytes[i + 1] != 0x0A {
                    out.append(bytes[i + 1])
                }
                i += 2
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func unescapeDoubleQuoted(_ text: String) -> String {
        unescape(text, escapable: Array("$`\"\\".utf8))
    }

    func unescapeHeredoc(_ text: String) -> String {
        unescape(text, escapable: Array("$`\\".utf8))
    }

    func unescape(_ text: String, escapable: [UInt8]) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x5C && i + 1 < bytes.count {
                let next = bytes[i + 1]
                if next == 0x0A {
                    i += 2
                    continue
                }
                if escapable.contains(next) {
                    out.append(next)
                    i += 2
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes the raw text of `$'…'` (bash rules, written independently of the parser's).
    func decodeAnsiC(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        func hex(_ c: UInt8) -> UInt32? {
            switch c {
            case 0x30...0x39: return UInt32(c) - 0x30
            case 0x41...0x46: return UInt32(c) - 0x41 + 10
            case 0x61...0x66: return UInt32(c) - 0x61 + 10
            default: return nil
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x5C, i + 1 < bytes.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = Character(UnicodeScalar(bytes[i + 1]))
            i += 2
            switch e {
            case "a": out.append(7)
            case "b": out.append(8)
            case "e", "E": out.append(27)
            case "f": out.append(12)
            case "n": out.append(10)
            case "r": out.append(13)
            case "t": out.append(9)
            case "v": out.append(11)
            case "\\", "'", "\"", "?": out.append(bytes[i - 1])
            case "0"..."7":
                var value = UInt32(bytes[i - 1] - 0x30)
                var count = 1
                while count < 3, i < bytes.count, (0x30...0x37).contains(bytes[i]) {
                    value = value * 8 + UInt32(bytes[i] - 0x30)
                    i += 1
                    count += 1
                }
                out.append(UInt8(value & 0xFF))
            case "x", "u", "U":
                let limit = e == "x" ? 2 : (e == "u" ? 4 : 8)
                var value: UInt32 = 0
                var count = 0
                while count < limit, i < bytes.count, let digit = hex(bytes[i]) {
                    value = value * 16 + digit
                    i += 1
                    count += 1
                }
                if count == 0 {
                    out += [0x5C, bytes[i - 1]]
                } else if e == "x" {
                    out.append(UInt8(value & 0xFF))
                } else {
                    out += Array(String(UnicodeScalar(value).map(Character.init) ?? "\u{FFFD}").utf8)
                }
            case "c":
                if i < bytes.count {
                    out.append(bytes[i] == 0x3F ? 0x7F : bytes[i] & 0x1F)
                    i += 1
                } else {
                    out += [0x5C, 0x63]  // `$'\c'` stays `\c`
                }
            default:
                out += [0x5C, bytes[i - 1]]
            }
        }
        if let nul = out.firstIndex(of: 0) { out.removeSubrange(nul...) }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - JSON access

    func array(_ value: Any?) -> [Any] { value as? [Any] ?? [] }
    func string(_ value: Any?) -> String { value as? String ?? "" }
    func int(_ value: Any?) -> Int { value as? Int ?? -1 }
    func bool(_ value: Any?) -> Bool { value as? Bool ?? false }
}

/// shfmt's numeric operator codes in `--to-json` output. They are internal to mvdan/sh and have
/// changed between releases, so they are read from shfmt itself on a calibration script.
struct ShfmtOperators: Sendable {
    var binary: [Int: String] = [:]
    var redirection: [Int: String] = [:]
    var extglob: [Int: String] = [:]

    static let calibrationScript = """
        a && b
        a || b
        a | b
        a |& b
        a > b
        a >> b
        a < b
        a <> b
        a <& b
        a >& b
        a >| b
        a << E
        E
        a <<- E
        E
        a <<< b
        a &> b
        a &>> b
        a ?(x) *(x) +(x) @(x) !(x)
        """
    static let binarySpellings = ["&&", "||", "|", "|&"]
    static let redirectionSpellings = [">", ">>", "<", "<>", "<&", ">&", ">|", "<<", "<<-", "<<<", "&>", "&>>"]
    static let extglobSpellings = ["?(", "*(", "+(", "@(", "!("]

    static func calibrate(_ shfmt: Shfmt) throws -> ShfmtOperators {
        let directory = try Shfmt.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, output, errors) = try shfmt.run(["-ln=bash", "--to-json"], input: Data(calibrationScript.utf8), in: directory)
        guard status == 0, let file = try JSONSerialization.jsonObject(with: output) as? [String: Any],
            let statements = file["Stmts"] as? [[String: Any]],
            statements.count == binarySpellings.count + redirectionSpellings.count + 1
        else {
            throw Shfmt.Failure(description: "shfmt calibration failed: \(String(decoding: errors, as: UTF8.self))")
        }
        var operators = ShfmtOperators()
        for (index, spelling) in binarySpellings.enumerated() {
            guard let op = (statements[index]["Cmd"] as? [String: Any])?["Op"] as? Int else {
                throw Shfmt.Failure(description: "shfmt calibration: no code for \(spelling)")
            }
            operators.binary[op] = spelling
        }
        for (index, spelling) in redirectionSpellings.enumerated() {
            let redirections = statements[binarySpellings.count + index]["Redirs"] as? [[String: Any]]
            guard let op = redirections?.first?["Op"] as? Int else {
                throw Shfmt.Failure(description: "shfmt calibration: no code for \(spelling)")
            }
            operators.redirection[op] = spelling
        }
        let words = ((statements.last?["Cmd"] as? [String: Any])?["Args"] as? [[String: Any]]) ?? []
        for (index, spelling) in extglobSpellings.enumerated() where index + 1 < words.count {
            if let op = ((words[index + 1]["Parts"] as? [[String: Any]])?.first)?["Op"] as? Int { operators.extglob[op] = spelling }
        }
        guard operators.binary.count == 4, operators.redirection.count == 12, operators.extglob.count == 5 else {
            throw Shfmt.Failure(description: "shfmt calibration: operator codes are not distinct")
        }
        return operators
    }
}
