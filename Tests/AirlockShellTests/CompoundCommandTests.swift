import AirlockShell
import Testing

@Suite("Subshells, groups, compound commands and functions")
struct CompoundCommandTests {
    @Test("( list ) is a subshell; { list; } a group; both take redirections")
    func subshellsAndGroups() throws {
        #expect(try parse("(cd /tmp && ls)").items[0].andOr.first.commands == [.subshell(try parse("cd /tmp && ls"), redirections: [])])
        #expect(try parse("{ a; b; }").items[0].andOr.first.commands == [.group(try parse("a; b"), redirections: [])])
        #expect(try dump("( a ) > out 2>&1") == "sub{[a]}>out2>&1")
        #expect(try dump("{ a\nb\n} < in") == "grp{[a] ; [b]}<in")
        #expect(try dump("{ a & }") == "grp{[a] &}")
        #expect(try dump("(a) | { b; } && (c)") == "sub{[a]} | grp{[b]} && sub{[c]}")
        #expect(try dump("((a) ; (b))") == "sub{sub{[a]} ; sub{[b]}}")
        #expect(try dump("( (a) )") == "sub{sub{[a]}}")
    }

    @Test("{ and } are reserved only as whole words in command position")
    func braceWords() throws {
        #expect(try dump("echo { }") == #"[echo \{ \}]"#)
        #expect(try dump("{a,b}") == "[<{a,b}>]")
        #expect(parseError("{ echo a }")?.kind == .missingKeyword)
        #expect(parseError("}")?.kind == .unexpectedToken)
        #expect(parseError("{ a; } b")?.kind == .unexpectedToken)
        #expect(parseError("(a) b")?.kind == .unexpectedToken)
        #expect(try dump("if a; then { b; } fi") == "if{[a]}{grp{[b]}}")
    }

    @Test("if/elif/else: every condition and branch is a body, in order")
    func ifClause() throws {
        let clause = try compoundCommand("if a; then b; elif c; then d; elif e; then f; else g; fi")
        #expect(clause.kind == .ifClause)
        #expect(clause.bodies == (try ["a", "b", "c", "d", "e", "f", "g"].map { try parse($0) }))
        #expect(try dump("if a\nthen\n  b\nfi") == "if{[a]}{[b]}")
        #expect(try dump("if ! a; then b; fi > log") == "if{! [a]}{[b]}>log")
        #expect(try dump("if a; then b; fi && c") == "if{[a]}{[b]} && [c]")
    }

    @Test("while and until: the condition and the body")
    func loops() throws {
        #expect(try compoundCommand("while read -r l; do echo \"$l\"; done < f").bodies == [try parse("read -r l"), try parse("echo \"$l\"")])
        #expect(try dump("while true; do sleep 1; done") == "while{[true]}{[sleep 1]}")
        #expect(try dump("until curl -sf x; do sleep 1; done") == "until{[curl -sf x]}{[sleep 1]}")
        #expect(try dump("while a\ndo\nb\ndone") == "while{[a]}{[b]}")
    }

    @Test("for: the variable, the expanded words, the body")
    func forLoops() throws {
        let loop = try compoundCommand("for f in *.txt $(ls) \"a b\"; do echo \"$f\"; done")
        #expect(loop.kind == .forLoop)
        #expect(loop.name == "f")
        #expect(loop.words.map(\.displayText) == ["*.txt", "$(…)", "a b"])
        #expect(loop.bodies == [try parse("echo \"$f\"")])
        #expect(try commandLines("for f in $(ls); do rm \"$f\"; done") == [["ls"], ["rm", "$f"]])
        #expect(try dump("for x; do a; done") == "for:x{[a]}")
        #expect(try dump("for x do a; done") == "for:x{[a]}")
        #expect(try dump("for x in; do a; done") == "for:x{[a]}")
        #expect(try dump("for x in a b\ndo\n a\ndone") == "for:x[a b]{[a]}")
        #expect(try dump("for x\nin a\ndo a; done") == "for:x[a]{[a]}")
        #expect(try dump("for x in a; { b; }") == "for:x[a]{[b]}")
        #expect(try dump("for x in do done; do a; done") == "for:x[do done]{[a]}")
        #expect(parseError("for $x in a; do b; done")?.kind == .unexpectedToken)
    }

    @Test("for ((…)): the arithmetic header is one word, its substitutions visible")
    func cStyleFor() throws {
        let loop = try compoundCommand("for ((i = 0; i < $(nproc); i++)); do echo $i; done")
        #expect(loop.kind == .forLoop)
        #expect(loop.name == nil)
        #expect(loop.words == [Word([.arithmetic("i = 0; i < $(nproc); i++", substitutions: [try parse("nproc")])])])
        #expect(loop.bodies == [try parse("echo $i")])
        #expect(try dump("for ((;;)); do a; done") == "for[$((;;))]{[a]}")
        #expect(try dump("for ((i=0;i<3;i++))\ndo a; done") == "for[$((i=0;i<3;i++))]{[a]}")
        #expect(parseError("for ((i = 0 i < 3; i++)); do :; done")?.kind == .unexpectedToken)
    }

    @Test("select works like for")
    func select() throws {
        let loop = try compoundCommand("select opt in a b; do echo $opt; break; done")
        #expect(loop.kind == .selectLoop)
        #expect(loop.name == "opt")
        #expect(loop.words.map(\.literalValue) == ["a", "b"])
        #expect(loop.bodies.count == 1)
    }

    @Test("case: the subject then every pattern are words; every arm is a body")
    func caseClause() throws {
        let clause = try compoundCommand("case \"$1\" in start|up) run;; (stop) halt;& *.txt|[yY]*) ;;& *) other ;; esac")
        #expect(clause.kind == .caseClause)
        #expect(clause.words.map(\.displayText) == ["$1", "start", "up", "stop", "*.txt", "[yY]*", "*"])
        #expect(clause.words[4].parts == [.glob("*"), .literal(".txt")])
        #expect(clause.bodies == [try parse("run"), try parse("halt"), Script(), try parse("other")])
        #expect(try dump("case x in\n  a)\n    b\n    ;;\n  c) d\nesac") == "case[x a c]{[b]}{[d]}")
        #expect(try dump("case x in esac") == "case[x]")
        #expect(try dump("case x in a) b; esac") == "case[x a]{[b]}")
        #expect(try dump("case x\nin a) ;; esac") == "case[x a]{}")
        #expect(try dump("case $(a) in $(b)) c;; esac") == "case[$([a]) $([b])]{[c]}")
        // Reserved words are not special as patterns or in the subject.
        #expect(try dump("case in in in) echo fi;; esac") == "case[in in]{[echo fi]}")
        #expect(parseError("case x in a) fi;; esac")?.kind == .unexpectedToken)
    }

    @Test("case errors")
    func caseErrors() {
        #expect(parseError("case x in a) b")?.kind == .missingKeyword)
        #expect(parseError("case x in a b) c;; esac")?.kind == .unexpectedToken)
        #expect(parseError("case x a) b;; esac")?.kind == .unexpectedToken)
        #expect(parseError("case x in a|) b;; esac")?.kind == .unexpectedToken)
        #expect(parseError("case x in a|#b) ;; esac")?.kind == .unexpectedToken)
        #expect(parseError("a;; b")?.kind == .unexpectedToken)
        #expect(parseError("a ;& b")?.kind == .unexpectedToken)
    }

    @Test("[[ ]]: operands are words, operators are not; < and > compare strings")
    func testClause() throws {
        let clause = try compoundCommand(#"[[ -f "$file" && ( $a == x* || ! $b =~ ^v[0-9]+(\.[0-9]+)?$ ) ]]"#)
        #expect(clause.kind == .testExpression)
        #expect(clause.words.map(\.displayText) == ["$file", "$a", "x*", "$b", #"^v[0-9]+(.[0-9]+)?$"#])
        #expect(clause.words[2].parts == [.literal("x"), .glob("*")])
        // A regex is not globbed: its quote-removed text is literal.
        #expect(clause.words[4].literalValue == "^v[0-9]+(.[0-9]+)?$")
        #expect(try compoundCommand("[[ a < b ]]").words.map(\.literalValue) == ["a", "b"])
        #expect(try compoundCommand("[[ $(id -u) -eq 0 ]]").words[0].substitutions == [try parse("id -u")])
        #expect(try compoundCommand("[[ -n x\n && -z y ]]").words.map(\.literalValue) == ["x", "y"])
        #expect(try compoundCommand("[[ x =~ (a|b) ]]").words.map(\.literalValue) == ["x", "(a|b)"])
        #expect(try compoundCommand("[[ -f == x ]]").words.map(\.literalValue) == ["-f", "x"])
        #expect(try dump("[[ a ]] && b") == "[[[a] && [b]")
        #expect(try dump("[[ a ]] > out") == "[[[a]>out")
    }

    @Test("[[ ]] errors")
    func testClauseErrors() {
        for text in [
            "[[ ]]", "[[ a b ]]", "[[ -f ]]", "[[ a == ]]", "[[ ( a ]]", "[[ a ) ]]", "[[ a && ]]", "[[ a ; b ]]", "[[ a | b ]]",
            "[[ ( a =~ ) ]]", "[[ a =~ ]]", "[[ a =~ && b ]]",
        ] {
            #expect(parseError(text)?.kind == .unexpectedToken, "\(text.debugDescription)")
        }
        #expect(parseError("[[ a")?.kind == .missingKeyword)
        #expect(parseError("[[ a == #b ]]")?.kind == .missingKeyword)
        #expect(parseError("]]")?.kind == .unexpectedToken)
    }

    @Test("(( )): arithmetic text as one word, its substitutions visible")
    func arithmeticCommand() throws {
        let command = try compoundCommand("(( count += $(wc -l < f) ))")
        #expect(command.kind == .arithmetic)
        #expect(command.words == [Word([.arithmetic(" count += $(wc -l < f) ", substitutions: [try parse("wc -l < f")])])])
        #expect(try dump("((x++)) && y") == "(([$((x++))] && [y]")
        #expect(try dump("(( (a + b) * c ))") == "(([$(( (a + b) * c ))]")
    }

    @Test("function definitions in all three forms; the body keeps its redirections")
    func functions() throws {
        let definition = try compoundCommand("deploy() { git push && ssh host restart; }")
        #expect(definition.kind == .functionDefinition)
        #expect(definition.name == "deploy")
        #expect(definition.bodies == [try parse("{ git push && ssh host restart; }")])
        #expect(try dump("function f { a; }") == "function:f{grp{[a]}}")
        #expect(try dump("function f() { a; }") == "function:f{grp{[a]}}")
        #expect(try dump("function f ( ) { a; }") == "function:f{grp{[a]}}")
        #expect(try dump("f () ( a )") == "function:f{sub{[a]}}")
        #expect(try dump("f() { a; } > log 2>&1") == "function:f{grp{[a]}>log2>&1}")
        #expect(try dump("f()\n{\n a\n}") == "function:f{grp{[a]}}")
        #expect(try dump("f() if a; then b; fi") == "function:f{if{[a]}{[b]}}")
        #expect(try dump("my-func.sh() { a; }; my-func.sh") == "function:my-func.sh{grp{[a]}} ; [my-func.sh]")
        #expect(try commandLines("f() { rm -rf /; }") == [["rm", "-rf", "/"]])
    }

    @Test("function errors: the body must be a compound command")
    func functionErrors() {
        #expect(parseError("f() echo hi")?.kind == .unexpectedToken)
        #expect(parseError("function f echo hi")?.kind == .unexpectedToken)
        #expect(parseError("f(")?.kind == .unexpectedToken)
        #expect(parseError("f(x) { a; }")?.kind == .unexpectedToken)
        #expect(parseError("a b() { c; }")?.kind == .unexpectedToken)
        #expect(parseError("f()")?.kind == .missingKeyword)
        #expect(parseError("function")?.kind == .missingKeyword)
        #expect(parseError("function $f { a; }")?.kind == .unexpectedToken)
    }

    @Test("reserved words are ordinary words outside command position")
    func reservedWordsAsArguments() throws {
        let words = "if then else elif fi do done case esac while until for select in function time { } ! [[ ]]"
        #expect(try simpleCommand("echo " + words).words.map(\.literalValue) == ["echo"] + words.split(separator: " ").map(String.init))
        #expect(try dump("echo done; done=1") == "[echo done] ; [done=1]")
        #expect(try dump("in") == "[in]")
        #expect(try dump("ifconfig; done_x; fi2") == "[ifconfig] ; [done_x] ; [fi2]")
    }

    @Test("misplaced reserved words and empty bodies are errors")
    func compoundErrors() {
        for text in ["then", "fi", "done", "do", "else", "elif", "esac", "if then fi", "if a; then fi", "while do done", "{ }", "( )", "if a; b; fi", "a; then b"] {
            #expect(parseError(text)?.kind == .unexpectedToken, "\(text.debugDescription)")
        }
        for text in ["if true; then echo", "if a", "while a; do b", "for x in a; do b", "(a", "{ a;", "case x in", "until a; do"] {
            #expect(parseError(text)?.kind == .missingKeyword, "\(text.debugDescription)")
        }
    }

    @Test("compound commands nest, and analysis order follows the source")
    func nesting() throws {
        let text = "if [[ -d $(pwd) ]]; then for f in `ls`; do (cd \"$f\" && { make || echo \"$(date) fail\" >> log; }); done; fi"
        #expect(
            try commandLines(text) == [["pwd"], ["ls"], ["cd", "$f"], ["make"], ["echo", "$(…) fail"], ["date"]])
    }
}
