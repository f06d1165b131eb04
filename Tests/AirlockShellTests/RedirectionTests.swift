import AirlockShell
import Testing

@Suite("Redirections, here-strings and heredocs")
struct RedirectionTests {
    @Test(
        "every redirection operator",
        arguments: [
            ("cmd < in", nil, Redirection.Operator.input, "in"), ("cmd > out", nil, .output, "out"), ("cmd >> log", nil, .append, "log"),
            ("cmd >| f", nil, .clobber, "f"), ("cmd <> f", nil, .readWrite, "f"), ("cmd <&3", nil, .duplicateInput, "3"),
            ("cmd >&2", nil, .duplicateOutput, "2"), ("cmd &> all", nil, .outputAndError, "all"),
            ("cmd &>> all", nil, .appendOutputAndError, "all"), ("cmd <<< word", nil, .hereString, "word"),
            ("cmd 2>&1", "2", .duplicateOutput, "1"), ("cmd 2>/dev/null", "2", .output, "/dev/null"), ("cmd 0<in", "0", .input, "in"),
            ("cmd 10>f", "10", .output, "f"), ("cmd 3<&-", "3", .duplicateInput, "-"), ("cmd >&-", nil, .duplicateOutput, "-"),
            ("cmd {fd}>f", "{fd}", .output, "f"), ("cmd {log_fd}>>f", "{log_fd}", .append, "f"), ("cmd 2>>err", "2", .append, "err"),
            ("cmd 1>&2", "1", .duplicateOutput, "2"), ("cmd 5<>rw", "5", .readWrite, "rw"),
        ] as [(String, String?, Redirection.Operator, String)])
    func operators(_ text: String, _ fd: String?, _ op: Redirection.Operator, _ target: String) throws {
        let command = try simpleCommand(text)
        #expect(command.words == [.literal("cmd")])
        #expect(command.redirections == [Redirection(fd: fd, op: op, target: .literal(target))])
    }

    @Test("redirections may appear anywhere and keep their order")
    func placement() throws {
        let command = try simpleCommand("> out A=1 cmd 2>&1 arg < in")
        #expect(command.assignments.map(\.name) == ["A"])
        #expect(command.words.map(\.literalValue) == ["cmd", "arg"])
        #expect(command.redirections.map(\.op) == [.output, .duplicateOutput, .input])
        #expect(try dump(">out") == "[>out]")
        #expect(try dump("2>&1 >/dev/null") == "[2>&1 >/dev/null]")
        #expect(try dump("echo hi>out") == "[echo hi >out]")
    }

    @Test("a number or {name} is an fd only right before the operator")
    func fdPrefixes() throws {
        #expect(try dump("echo 2 >f") == "[echo 2 >f]")
        #expect(try dump("echo a2>f") == "[echo a2 >f]")
        #expect(try simpleCommand("echo {fd} >f").words.map(\.literalValue) == ["echo", "{fd}"])
        #expect(try simpleCommand("echo {1x}>f").words.map(\.literalValue) == ["echo", "{1x}"])
        #expect(try simpleCommand("echo {1x}>f").redirections == [Redirection(op: .output, target: .literal("f"))])
        // `2>(cmd)` is the word 2 followed by a process substitution.
        #expect(try dump("echo 2>(cat)") == "[echo 2>([cat])]")
    }

    @Test("targets are full words: quoted, expanded, substituted")
    func targets() throws {
        let command = try simpleCommand(#"cmd > "$dir/out file" 2> $(mktemp)"#)
        #expect(
            command.redirections[0].target
                == Word([.doubleQuoted([.parameter(name: "dir", expression: nil), .literal("/out file")])]))
        #expect(command.redirections[1].target.substitutions == [try parse("mktemp")])
        #expect(try commandLines("cmd > $(date +%s).log") == [["cmd"], ["date", "+%s"]])
        #expect(try dump("cmd > ~/log") == "[cmd ><~>/log]")
    }

    @Test("a redirection without a target is an error")
    func missingTarget() {
        for text in ["cmd >", "cmd > ;", "cmd 2>", "cmd <", "cmd &>", "cmd > | x", "cmd > #comment", "cmd <<<", "cmd <<"] {
            #expect(parseError(text)?.kind == .unexpectedToken, "\(text.debugDescription)")
        }
    }

    @Test("here-strings take one word, expanded like any other")
    func hereStrings() throws {
        let command = try simpleCommand(#"grep -q x <<< "$text $(id)""#)
        #expect(command.redirections.count == 1)
        #expect(command.redirections[0].op == .hereString)
        #expect(command.redirections[0].target.substitutions == [try parse("id")])
        #expect(command.redirections[0].heredocBody == nil)
    }

    // MARK: - Heredocs

    @Test("an unquoted heredoc body is parsed for expansions and substitutions")
    func unquotedHeredoc() throws {
        let command = try simpleCommand("cat <<EOF\nhello $USER\n$(rm -rf /)\ncost: \\$5 `id`\nEOF")
        #expect(command.redirections.count == 1)
        let heredoc = command.redirections[0]
        #expect(heredoc.op == .heredoc)
        #expect(heredoc.target == .literal("EOF"))
        #expect(
            heredoc.heredocBody
                == Word([
                    .literal("hello "), .parameter(name: "USER", expression: nil), .literal("\n"), .commandSubstitution(try parse("rm -rf /")),
                    .literal("\ncost: $5 "), .commandSubstitution(try parse("id")), .literal("\n"),
                ]))
        #expect(try commandLines("cat <<EOF\n$(rm -rf /)\nEOF") == [["cat"], ["rm", "-rf", "/"]])
    }

    @Test("in an unquoted body only $ ` \\ and newline can be escaped; quotes are plain text")
    func unquotedHeredocEscapes() throws {
        let body = try simpleCommand("cat <<EOF\n\\$x \\` \\\\ \\\" 'q' \"d\" \\a\nEOF").redirections[0].heredocBody
        #expect(body == .literal("$x ` \\ \\\" 'q' \"d\" \\a\n"))
        let joined = try simpleCommand("cat <<EOF\nab\\\ncd\nEOF").redirections[0].heredocBody
        #expect(joined == .literal("abcd\n"))
    }

    @Test(
        "any quoting in the delimiter makes the body one literal",
        arguments: [
            ("cat <<'EOF'", Word([.singleQuoted("EOF")])), ("cat <<\"EOF\"", Word([.doubleQuoted([.literal("EOF")])])),
            ("cat <<\\EOF", Word([.singleQuoted("E"), .literal("OF")])),
            ("cat <<E\"O\"F", Word([.literal("E"), .doubleQuoted([.literal("O")]), .literal("F")])),
            ("cat << 'EOF'", Word([.singleQuoted("EOF")])),
        ])
    func quotedHeredoc(_ head: String, _ delimiter: Word) throws {
        let redirection = try simpleCommand(head + "\n$(not run) `nor this` $HOME \\$\nEOF").redirections[0]
        #expect(redirection.target == delimiter)
        #expect(redirection.target.literalValue == "EOF")
        #expect(redirection.heredocBody == .literal("$(not run) `nor this` $HOME \\$\n"))
        #expect(redirection.heredocBody?.substitutions == [])
    }

    @Test("the delimiter is taken as written, without expansion")
    func delimiterIsNotExpanded() throws {
        let redirection = try simpleCommand("cat <<$END\nbody\n$END").redirections[0]
        #expect(redirection.target == .literal("$END"))
        #expect(redirection.heredocBody == .literal("body\n"))
    }

    @Test("<<- strips leading tabs from body lines and the delimiter line")
    func stripTabs() throws {
        let redirection = try simpleCommand("cat <<-EOF\n\tone\n\t\ttwo $x\n  spaces stay\n\tEOF").redirections[0]
        #expect(redirection.op == .heredocStripTabs)
        #expect(redirection.heredocBody == Word([.literal("one\ntwo "), .parameter(name: "x", expression: nil), .literal("\n  spaces stay\n")]))
        let quoted = try simpleCommand("cat <<-'EOF'\n\tone\n\tEOF").redirections[0]
        #expect(quoted.heredocBody == .literal("one\n"))
    }

    @Test("several heredocs on one line are read in order after the line")
    func multipleHeredocs() throws {
        let script = try parse("cat <<A <<'B' | grep x; cat <<-C\nfirst $a\nA\nsecond $b\nB\n\tthird\n\tC\necho after")
        #expect(
            TreeDump.script(script)
                == #"[cat <<A{first\ $a\n} <<'B'{second\ $b\n}] | [grep x] ; [cat <<-C{third\n}] ; [echo after]"#)
    }

    @Test("heredocs work inside substitutions and compound commands")
    func nestedHeredocs() throws {
        #expect(try commandLines("x=$(cat <<EOF\n$(id)\nEOF\n)") == [["x=$(…)"], ["cat"], ["id"]])
        #expect(try dump("if true; then cat <<EOF\nin if\nEOF\nfi") == #"if{[true]}{[cat <<EOF{in\ if\n}]}"#)
        #expect(try dump("f() {\ncat <<EOF\nbody\nEOF\n}") == #"function:f{grp{[cat <<EOF{body\n}]}}"#)
        // A heredoc body with a heredoc inside its substitution.
        #expect(try commandLines("cat <<A\n$(cat <<B\n$(whoami)\nB\n)\nA") == [["cat"], ["cat"], ["whoami"]])
        #expect(try commandLines("echo `cat <<EOF\n$(id)\nEOF\n`") == [["echo", "$(…)"], ["cat"], ["id"]])
    }

    @Test("the usual agent commit message: a heredoc in a substitution in double quotes")
    func heredocInQuotedSubstitution() throws {
        let text = "git commit -m \"$(cat <<'EOF'\nFix it\n\nCo-Authored-By: Bot <bot@example.com>\nEOF\n)\" && git push"
        #expect(try commandLines(text) == [["git", "commit", "-m", "$(…)"], ["cat"], ["git", "push"]])
        let message = try simpleCommand(text).words[3]
        guard case .doubleQuoted(let inner) = message.parts.first, case .commandSubstitution(let script)? = inner.first,
            case .simple(let cat)? = script.items.first?.andOr.first.commands.first
        else {
            Issue.record("expected \"$(cat <<'EOF' …)\"")
            return
        }
        #expect(cat.redirections.first?.heredocBody == .literal("Fix it\n\nCo-Authored-By: Bot <bot@example.com>\n"))
        // Unquoted, the body's substitutions are found.
        #expect(try commandLines("gh pr create --body \"$(cat <<EOF\n- $(git log -1)\nEOF\n)\"").last == ["git", "log", "-1"])
    }

    @Test("an empty body, a last line without newline, and a body with the delimiter inside lines")
    func heredocEdges() throws {
        #expect(try simpleCommand("cat <<EOF\nEOF").redirections[0].heredocBody == .literal(""))
        #expect(try simpleCommand("cat <<'EOF'\nEOF").redirections[0].heredocBody == .literal(""))
        #expect(try simpleCommand("cat <<EOF\nnot EOF\nEOF \nEOF").redirections[0].heredocBody == .literal("not EOF\nEOF \n"))
        #expect(try simpleCommand("cat <<\"\"\nbody\n\n").redirections[0].heredocBody == .literal("body\n"))
    }

    @Test("a backslash-newline in an unquoted body joins the next line before the delimiter is sought")
    func heredocContinuationJoinsLines() throws {
        // bash: `end\` + `EOF` is the line `endEOF`, so the body goes on to the next EOF.
        #expect(try commandLines("cat <<EOF\nend\\\nEOF\n$(id)\nEOF") == [["cat"], ["id"]])
        #expect(parseError("cat <<EOF\nend\\\nEOF")?.kind == .unterminatedHeredoc)
        // In a quoted body there is no continuation.
        #expect(try simpleCommand("cat <<'EOF'\nend\\\nEOF").redirections[0].heredocBody == .literal("end\\\n"))
    }

    @Test("a heredoc whose delimiter never comes is refused (bash only warns)")
    func unterminatedHeredoc() {
        // The offset is that of the operator whose body is missing.
        let cases = [
            ("cat <<EOF", 4), ("cat <<EOF\nbody", 4), ("cat <<EOF\nbody\nEOFX", 4), ("cat <<-EOF\n body\n EOF", 4),
            ("cat <<A <<B\nA\nbody", 8), ("x=$(cat <<EOF)", 8),
        ]
        for (text, offset) in cases {
            let error = parseError(text)
            #expect(error?.kind == .unterminatedHeredoc, "\(text.debugDescription): \(String(describing: error))")
            #expect(error?.offset == offset, "\(text.debugDescription)")
        }
    }
}
