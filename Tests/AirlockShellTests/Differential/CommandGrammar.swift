import Foundation

/// Generates bash command lines from a small grammar: words with mixed quoting, escapes,
/// parameters, substitutions, globs and braces; assignments; redirections and heredocs;
/// pipelines and lists; subshells, groups and every compound command. The output stays inside
/// what bash and shfmt agree on (see `ShfmtDifferentialTests` for the deliberate differences).
struct CommandGrammar {
    var random: SeededGenerator
    /// Heredoc bodies owed by the line being generated, appended after it.
    private var heredocs: [String] = []
    /// Heredocs (and multi-line layouts) are only generated where the line structure allows.
    private var allowHeredocs = true

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    static let commandNames = [
        "git", "ls", "echo", "grep", "cat", "kubectl", "docker", "npm", "find", "sed", "awk", "xargs", "curl", "make",
        "python3", "rm", "cp", "mv", "mkdir", "tar", "ssh", "jq", "head", "tail", "sort", "wc", "env", "sudo", "printf",
        "test", "true", ":", "cd", "node", "go", "cargo", "swift", "psql",
    ]
    static let plainWords = [
        "-la", "--all", "-n", "status", "src/main.swift", "foo.txt", "/tmp/x", "a=b", "--flag=value", "HEAD~1",
        "origin/main", "-rf", "1", "0", "x", "..", ".", "@", "%s", "key:value", "a,b", "{}", "{", "}", "]", "!",
        "a#b", "--", "-", "+x", "=", "==", "é", "日本", "-9", "user@host", "http://example.com/a?b", "50%", "a:b:c",
        "in", "do", "then", "fi", "done", "esac", "time", "{a}", "x}", "a]", "!x",
    ]
    static func usableAsCommandName(_ word: String) -> Bool {
        !word.contains("[") && !["!", "{", "}", "in", "do", "then", "fi", "done", "esac", "time", "function"].contains(word)
    }

    static let variableNames = ["HOME", "x", "PATH", "file", "_v", "a1", "USER", "dir"]

    mutating func line() -> String {
        heredocs = []
        allowHeredocs = random.chance(70)
        let multiLine = !allowHeredocs && random.chance(30)
        var text = list(depth: 0, multiLine: multiLine)
        if random.chance(10) { text += " # " + random.pick(["note", "it's fine", "$(not run)", "a | b"]) }
        if !heredocs.isEmpty { text += "\n" + heredocs.joined(separator: "\n") }
        return text
    }

    // MARK: - Lists and commands

    mutating func list(depth: Int, multiLine: Bool = false) -> String {
        var text = andOr(depth: depth)
        for _ in 0..<(random.chance(depth == 0 ? 35 : 15) ? 1 : 0) {
            let separator = multiLine && random.chance(50) ? "\n" : random.pick(["; ", "; ", " & ", ";"])
            text += separator + andOr(depth: depth)
        }
        if random.chance(10) { text += random.pick([";", " &"]) }
        return text
    }

    mutating func andOr(depth: Int) -> String {
        // A function definition stands alone: shfmt would take `f() { …; } | x` as a function
        // whose body is the pipeline, where bash pipes the definition.
        if depth < 2 && random.chance(5) { return functionDefinition(depth: depth + 1) }
        var text = pipeline(depth: depth)
        for _ in 0..<(random.chance(25) ? 1 : 0) {
            text += random.pick([" && ", " || ", "&&", " ||\n"]).replacingNewline(allowed: !allowHeredocs) + pipeline(depth: depth)
        }
        return text
    }

    mutating func pipeline(depth: Int) -> String {
        var text = random.chance(8) ? "! " : ""
        if random.chance(4) { text += random.pick(["time ", "time -p "]) }
        text += command(depth: depth)
        for _ in 0..<(random.chance(30) ? 1 + random.int(2) : 0) {
            text += random.pick([" | ", " | ", "|", " |& "]) + command(depth: depth)
        }
        return text
    }

    mutating func command(depth: Int) -> String {
        // shfmt mishandles some compound commands after a heredoc on the same line.
        if depth < 2 && heredocs.isEmpty && random.chance(depth == 0 ? 25 : 10) { return compound(depth: depth + 1) }
        return simpleCommand(depth: depth)
    }

    mutating func simpleCommand(depth: Int) -> String {
        var pieces: [String] = []
        for _ in 0..<(random.chance(20) ? 1 + random.int(2) : 0) { pieces.append(assignment(depth: depth)) }
        // shfmt refuses array (and indexed) assignments before a command name, and does not
        // see `declare` after an assignment as a declaration; bash accepts both.
        if pieces.isEmpty || (random.chance(70) && !pieces.contains { $0.contains("=(") || $0.contains("[") }) {
            if pieces.isEmpty && random.chance(6) {
                let declaration = random.pick(["export", "local", "declare", "readonly"])
                pieces.append(declaration)
                for _ in 0..<1 + random.int(2) {
                    pieces.append(random.chance(60) ? assignment(depth: depth, inDeclaration: true) : random.pick(["-a", "-x", "NAME"]))
                }
            } else {
                // Not `a[0-9]` as a command name: shfmt takes it for an assignment.
                // Any word may be a command name, except reserved words (shfmt takes `time`
                // after `|` for the keyword, bash for a command) and `a[…]`, which shfmt takes
                // for an assignment.
                var name = random.pick(Self.commandNames)
                if random.chance(15) {
                    name = word(depth: depth)
                    for _ in 0..<5 where !Self.usableAsCommandName(name) { name = word(depth: depth) }
                    if !Self.usableAsCommandName(name) { name = "cat" }
                }
                pieces.append(name)
                for _ in 0..<random.int(4) { pieces.append(word(depth: depth)) }
            }
        }
        for _ in 0..<(random.chance(30) ? 1 + random.int(2) : 0) { pieces.append(redirection(depth: depth)) }
        return pieces.joined(separator: " ")
    }

    mutating func assignment(depth: Int, inDeclaration: Bool = false) -> String {
        let name = random.pick(Self.variableNames) + (random.chance(10) ? "[\(random.int(3))]" : "")
        let op = random.chance(15) ? "+=" : "="
        switch random.int(8) {
        case 0 where !name.contains("["):
            // shfmt refuses array elements that start like `[key]` without `=`.
            // shfmt refuses array elements with `[` or `=` or extended globs; bash takes them.
            let elements = (0..<random.int(4)).map { _ in word(depth: depth) }.filter {
                !$0.contains("[") && !$0.contains("=") && !$0.contains("(")
            }
            return name + op + "(" + elements.joined(separator: " ") + ")"
        case 1: return name + op
        case 2: return name + op + random.pick(["~/bin", "$PATH:/usr/local/bin", "*", "a*b", "~", "x:~/y"])
        default: return name + op + word(depth: depth, forAssignment: true)
        }
    }

    mutating func redirection(depth: Int) -> String {
        switch random.int(20) {
        case 0: return "2>&1"
        case 1: return "2>/dev/null"
        case 2: return ">" + random.pick(["", " "]) + word(depth: depth)
        case 3: return ">>" + random.pick(["", " "]) + word(depth: depth)
        case 4: return "<" + random.pick(["", " "]) + word(depth: depth)
        case 5: return "&>" + word(depth: depth)
        case 6: return "&>>" + word(depth: depth)
        case 7: return ">|" + word(depth: depth)
        case 8: return "<>" + word(depth: depth)
        case 9: return random.pick(["3<&0", "1>&2", "<&-", ">&-", "0<&3", "2>&-", "4>&1"])
        case 10: return "{fd}>" + word(depth: depth)
        case 11: return "<<<" + random.pick(["", " "]) + word(depth: depth)
        case 12: return "> >(tee log)"
        case 13: return "2>" + word(depth: depth)
        default:
            guard allowHeredocs && depth == 0 else { return ">out.txt" }
            return heredoc(depth: depth)
        }
    }

    mutating func heredoc(depth: Int) -> String {
        let delimiter = random.pick(["EOF", "END", "X1", "_EOF_", "SQL"])
        let quoting = random.int(5)
        let written: String
        switch quoting {
        case 0: written = "'\(delimiter)'"
        case 1: written = "\"\(delimiter)\""
        case 2: written = "\\\(delimiter)"
        default: written = delimiter
        }
        let stripTabs = random.chance(25)
        var body: [String] = []
        for _ in 0..<random.int(4) {
            var line = stripTabs ? String(repeating: "\t", count: random.int(3)) : ""
            line += random.pick([
                "plain text", "hello $USER", "cost: \\$5", "$(date +%s)", "`whoami`", "${HOME:-/root}/x", "\"quoted\" 'single'",
                "a \\\\ b", "SELECT * FROM t WHERE a = 'x';", "  indented", "", "tab\there", "$((1 + 2))", "#!/bin/sh",
                "echo $(echo $(id))", "EOF2", "line with \\` tick",
            ])
            body.append(line)
        }
        body.append((stripTabs ? "\t" : "") + delimiter)
        heredocs.append(body.joined(separator: "\n"))
        return (stripTabs ? "<<-" : "<<") + random.pick(["", " "]) + written
    }

    // MARK: - Compound commands

    mutating func compound(depth: Int) -> String {
        let text: String
        switch random.int(11) {
        case 0: text = "(" + random.pick(["", " "]) + list(depth: depth) + random.pick(["", " "]) + ")"
        case 1: text = "{ " + list(depth: depth) + "; }"
        case 2:
            var clause = "if " + list(depth: depth) + "; then " + list(depth: depth) + "; "
            if random.chance(40) { clause += "elif " + list(depth: depth) + "; then " + list(depth: depth) + "; " }
            if random.chance(50) { clause += "else " + list(depth: depth) + "; " }
            text = clause + "fi"
        case 3: text = random.pick(["while ", "until "]) + list(depth: depth) + "; do " + list(depth: depth) + "; done"
        case 4:
            let items = (0..<random.int(4)).map { _ in word(depth: depth) }.joined(separator: " ")
            let header = random.chance(15) ? "for x" : "for x in " + items
            text = header + random.pick(["; do ", "\ndo ", "; do\n"]).replacingNewline(allowed: !allowHeredocs) + list(depth: depth) + "; done"
        case 5: text = "for ((i = 0; i < " + random.pick(["3", "$n", "${#a[@]}", "$(wc -l < f)"]) + "; i++)); do " + list(depth: depth) + "; done"
        case 6: text = "select x in " + word(depth: depth) + " " + word(depth: depth) + "; do " + list(depth: depth) + "; done"
        case 7:
            var clause = "case " + word(depth: depth) + " in "
            for index in 0..<1 + random.int(3) {
                let patterns = (0..<1 + random.int(2)).map { _ in pattern() }.joined(separator: "|")
                clause += (random.chance(20) ? "(" : "") + patterns + ") "
                if random.chance(80) { clause += list(depth: depth) }
                clause += index == 0 ? random.pick([";; ", ";& ", ";;& "]) : ";; "
            }
            text = clause + "esac"
        case 8: text = "[[ " + testExpression(depth: depth, nesting: 0) + " ]]"
        case 9: text = "(( " + random.pick(["i++", "x = 1 + 2", "a[1] += $(n)", "x > 3 && y < 2", "(a + b) * c", "$x == 0"]) + " ))"
        default: text = "{ " + list(depth: depth) + random.pick(["; }", " & }", "\n}"]).replacingNewline(allowed: !allowHeredocs)
        }
        return random.chance(15) ? text + " " + redirection(depth: depth) : text
    }

    mutating func functionDefinition(depth: Int) -> String {
        let text: String
        if random.chance(50) {
            text = random.pick(["f", "do_it", "my-func"]) + random.pick(["()", " ()", "( )"]) + " { " + list(depth: depth) + "; }"
        } else {
            text = "function " + random.pick(["g", "helper"]) + random.pick(["", "()"]) + " { " + list(depth: depth) + "; }"
        }
        return random.chance(15) ? text + " " + redirection(depth: depth) : text
    }

    mutating func pattern() -> String {
        random.pick(["a", "*", "*.txt", "[yY]*", "\"quoted\"", "'lit'", "x?", "--help", "$v", "@(a|b)", "-*", "{a,b}"])
    }

    mutating func testExpression(depth: Int, nesting: Int) -> String {
        switch random.int(nesting < 2 ? 9 : 6) {
        case 0: return random.pick(["-f", "-d", "-n", "-z", "-e", "-x"]) + " " + word(depth: depth, forTest: true)
        case 1: return word(depth: depth, forTest: true) + " " + random.pick(["==", "!=", "=", "<", ">"]) + " " + word(depth: depth, forTest: true)
        case 2: return word(depth: depth, forTest: true) + " " + random.pick(["-eq", "-lt", "-ge", "-nt"]) + " " + word(depth: depth, forTest: true)
        case 3: return "$x =~ " + random.pick(["^a.*$", "^(a|b)+$", "[0-9]+", "\"lit\"", "^x\\ y$"])
        case 4: return "$x == " + random.pick(["*.txt", "a*", "@(a|b)", "\"a*\""])
        case 5: return word(depth: depth, forTest: true)
        case 6: return "! " + testExpression(depth: depth, nesting: nesting + 1)
        case 7: return "( " + testExpression(depth: depth, nesting: nesting + 1) + " )"
        default:
            return testExpression(depth: depth, nesting: nesting + 1) + random.pick([" && ", " || "]) + testExpression(depth: depth, nesting: nesting + 1)
        }
    }

    // MARK: - Words

    mutating func word(depth: Int, forAssignment: Bool = false, forTest: Bool = false) -> String {
        var text = ""
        let count = 1 + (random.chance(25) ? 1 : 0)
        for index in 0..<count {
            text += segment(depth: depth, first: index == 0, forAssignment: forAssignment, forTest: forTest)
        }
        return text
    }

    mutating func segment(depth: Int, first: Bool, forAssignment: Bool, forTest: Bool) -> String {
        switch random.int(forTest ? 14 : 22) {
        case 0, 1, 2, 3: return random.pick(Self.plainWords.filter { !forTest || !["!", "(", "{"].contains($0) && !$0.hasPrefix("-") && !$0.hasPrefix("=") })
        case 4: return "'" + quotedText(allowNewline: false, forbidden: "'") + "'"
        case 5: return "\"" + doubleQuotedContent(depth: depth) + "\""
        case 6: return parameter(depth: depth)
        case 7: return random.pick(["a\\ b", "\\$HOME", "\\\"q\\\"", "\\\\", "\\*", "\\;", "\\|", "\\&", "\\#", "\\'", "x\\\ny"])
        case 8 where depth < 2: return "$(" + list(depth: depth + 1) + ")"
        case 9: return "$'" + random.pick(["a\\tb", "\\x41\\x4a", "\\101\\102", "it\\'s", "\\u00e9", "line\\nnext", "\\e[0m", "\\\\", "q\"", "\\cA"]) + "'"
        case 10: return random.pick(["$((1 + 2))", "$((x * $y))", "$(( $(wc -l < f) + 1 ))", "$((a[1]))", "$(( (1 + 2) * 3 ))"])
        case 11 where depth < 2: return "`" + random.pick(["id", "date +%s", "echo a b", "ls -1 | wc -l", "echo \\`id\\`", "echo \\$HOME"]) + "`"
        case 12: return random.pick(["$\"localised\"", "\"\"", "''"])
        case 13 where depth < 2: return "$(" + random.pick(["echo $(echo `id`)", "cat <<< x", "case x in a) echo;; esac", "echo \"$(date)\""]) + ")"
        case 14 where !forAssignment: return random.pick(["*.txt", "src/**/*.swift", "file?.log", "[abc]*.c", "[!x]y", "*", "a[0-9]"])
        case 15 where !forAssignment && first: return random.pick(["~", "~/x", "~root/.ssh"])
        case 16 where !forAssignment: return random.pick(["{a,b}", "{1..5}", "x{a,b}y", "{a,{b,c}}", "file.{c,h}", "{a..e}", "{a,\"b c\"}", "{x,$v}"])
        case 17 where !forAssignment && depth < 2: return random.pick(["<(sort a)", ">(tee b)", "<(ls -1 | head)"])
        case 18 where !forAssignment && first: return random.pick(["@(a|b)", "!(x)", "*(y)", "+(z)", "?(w)"])
        default: return random.pick(Self.plainWords)
        }
    }

    mutating func quotedText(allowNewline: Bool, forbidden: Character) -> String {
        let alphabet = Array("abc xyz$\"\\;|&()*#!{}<>`'~=,.-") + (allowNewline ? ["\n"] : [])
        var text = ""
        for _ in 0..<random.int(10) {
            let character = random.pick(alphabet)
            if character != forbidden { text.append(character) }
        }
        return text
    }

    mutating func doubleQuotedContent(depth: Int) -> String {
        var text = ""
        for _ in 0..<random.int(4) {
            switch random.int(10) {
            case 0: text += parameter(depth: depth)
            case 1: text += random.pick(["\\\"", "\\\\", "\\$", "\\`", "\\n", "\\x", "\\\n"])
            case 2 where depth < 2: text += "$(" + simpleCommand(depth: depth + 1) + ")"
            // Not `\"` inside these backticks: bash unescapes it there, shfmt does not.
            case 3: text += "`" + random.pick(["id", "echo 'q'"]) + "`"
            case 4: text += "$((2 * 3))"
            default: text += random.pick(["hello world", "a b", "'single'", "*.txt", "~/x", "{a,b}", "#", "&&", "|", ";", "é", "$", "50%", "!"])
            }
        }
        return text
    }

    mutating func parameter(depth: Int) -> String {
        let name = random.pick(Self.variableNames)
        switch random.int(14) {
        case 0: return "$" + name
        case 1: return "${" + name + "}"
        case 2: return "${#" + name + "}"
        case 3: return "${" + name + ":-" + random.pick(["default", "/tmp", "\"a b\"", "$HOME", "'x'", ""]) + "}"
        case 4 where depth < 2: return "${" + name + ":-$(" + simpleCommand(depth: depth + 1) + ")}"
        case 5: return "${" + name + "//" + random.pick(["a/b", "/", "x"]) + "}"
        case 6: return "${" + name + random.pick(["%.*", "##*/", "#prefix", "%%suffix"]) + "}"
        case 7: return "${" + name + "[@]}"
        case 8: return "${" + name + ":0:2}"
        case 9: return "${" + name + random.pick(["^^", ",,", "@Q"]) + "}"
        case 10: return "${!" + name + "}"
        case 11: return "$" + random.pick(["1", "@", "*", "#", "?", "$", "!", "0", "-"])
        case 12: return "${" + name + ":=" + random.pick(["x", "`id`"]) + "}"
        default: return "$" + name
        }
    }
}

extension String {
    /// Replaces newlines by spaces unless newlines may be used here.
    fileprivate func replacingNewline(allowed: Bool) -> String {
        allowed ? self : String(map { $0 == "\n" ? " " : $0 })
    }
}
