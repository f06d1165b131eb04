import AirlockShell
import Testing

@Suite("Parameter, command, arithmetic and process substitutions")
struct ExpansionTests {
    @Test(
        "$NAME and special parameters",
        arguments: [
            ("$HOME", "HOME"), ("$_x1", "_x1"), ("$1", "1"), ("$0", "0"), ("$@", "@"), ("$*", "*"), ("$#", "#"),
            ("$?", "?"), ("$$", "$"), ("$!", "!"), ("$-", "-"),
        ])
    func simpleParameters(_ source: String, _ name: String) throws {
        #expect(try argument(source).parts == [.parameter(name: name, expression: nil)])
    }

    @Test("a parameter name stops at the first non-name character; $10 is $1 then 0")
    func parameterBoundaries() throws {
        #expect(try argument("$HOME/bin").parts == [.parameter(name: "HOME", expression: nil), .literal("/bin")])
        #expect(try argument("$10").parts == [.parameter(name: "1", expression: nil), .literal("0")])
        #expect(try argument("$a-b").parts == [.parameter(name: "a", expression: nil), .literal("-b")])
        #expect(try argument("a$").parts == [.literal("a$")])
        #expect(try argument("$/").parts == [.literal("$/")])
    }

    @Test(
        "${…} keeps the expression when it is more than a name",
        arguments: [
            ("${HOME}", "HOME", nil), ("${10}", "10", nil), ("${@}", "@", nil), ("${#}", "#", nil), ("${!}", "!", nil),
            ("${#x}", "x", "#x"), ("${!x}", "x", "!x"), ("${x:-/tmp}", "x", "x:-/tmp"), ("${x-}", "x", "x-"),
            ("${x:=v}", "x", "x:=v"), ("${x:?unset}", "x", "x:?unset"), ("${x:+set}", "x", "x:+set"),
            ("${x#*/}", "x", "x#*/"), ("${x##*/}", "x", "x##*/"), ("${x%.*}", "x", "x%.*"), ("${x%%.*}", "x", "x%%.*"),
            ("${x/a/b}", "x", "x/a/b"), ("${x//a/b}", "x", "x//a/b"), ("${x:1:2}", "x", "x:1:2"), ("${x^^}", "x", "x^^"),
            ("${x,,}", "x", "x,,"), ("${x@Q}", "x", "x@Q"), ("${a[@]}", "a", "a[@]"), ("${#a[@]}", "a", "#a[@]"),
            ("${!a[@]}", "a", "!a[@]"), ("${!pre*}", "pre", "!pre*"), ("${x:-a b  c}", "x", "x:-a b  c"),
        ] as [(String, String, String?)])
    func bracedParameters(_ source: String, _ name: String, _ expression: String?) throws {
        #expect(try argument(source).parts == [.parameter(name: name, expression: expression)])
    }

    @Test("${…} exposes every script nested in its operand or subscript")
    func substitutionsInsideParameterExpansion() throws {
        let word = try argument("${X:-$(rm -rf /)}")
        #expect(word.parts == [.parameter(name: "X", expression: "X:-$(rm -rf /)", substitutions: [try parse("rm -rf /")])])
        #expect(word.substitutions == [try parse("rm -rf /")])
        #expect(word.displayText == "${X:-$(rm -rf /)}")

        #expect(try argument("${a[$(idx)]}").substitutions == [try parse("idx")])
        #expect(try argument("${a:-`one`}${b:-\"$(two)\"}").substitutions == [try parse("one"), try parse("two")])
        #expect(try argument("${a:-${b:-${c:-$(deep)}}}").substitutions == [try parse("deep")])
        #expect(try argument("${a:-$((1 + $(n)))}").substitutions == [try parse("n")])
        #expect(try argument("\"${a:-\"$(quoted) }\"}\"").substitutions == [try parse("quoted")])
        // bash runs a process substitution there too (shfmt keeps it as text).
        #expect(try argument("${a:-<(ps)}").substitutions == [try parse("ps")])
        #expect(try commandLines("echo ${X:-$(rm -rf /)}") == [["echo", "${X:-$(rm -rf /)}"], ["rm", "-rf", "/"]])
    }

    @Test("quotes inside ${…} are matched, so a quoted } does not close it")
    func quotesInsideParameterExpansion() throws {
        #expect(try argument("${x:-'}'}").parts == [.parameter(name: "x", expression: "x:-'}'")])
        #expect(try argument("\"${x:-'}'}\"").parts == [.doubleQuoted([.parameter(name: "x", expression: "x:-'}'")])])
        #expect(try argument(#"${x:-"}"}"#).parts == [.parameter(name: "x", expression: #"x:-"}""#)])
        #expect(try argument(#"${x:-\}}"#).parts == [.parameter(name: "x", expression: #"x:-\}"#)])
        #expect(try argument(#"${x:-{a}}"#).parts == [.parameter(name: "x", expression: "x:-{a"), .literal("}")])
    }

    @Test("command substitution: $(…) parses a full script")
    func commandSubstitution() throws {
        #expect(try argument("$(ls -la | grep x; echo done)").parts == [.commandSubstitution(try parse("ls -la | grep x; echo done"))])
        #expect(try argument("$()").parts == [.commandSubstitution(Script())])
        #expect(try argument("$( )").parts == [.commandSubstitution(Script())])
        #expect(try argument("pre$(a)post").parts == [.literal("pre"), .commandSubstitution(try parse("a")), .literal("post")])
        // Parentheses, quotes and `case` patterns inside do not end it early.
        #expect(try commandLines("echo $(echo ')' \")\" \\); (sub))") == [["echo", "$(…)"], ["echo", ")", ")", ")"], ["sub"]])
        #expect(try commandLines("x=$(case $y in a) echo A;; (b) echo B;; esac)") == [["x=$(…)"], ["echo", "A"], ["echo", "B"]])
        // A comment inside runs to the end of its line, where the substitution can close.
        #expect(try commandLines("echo $(id # not ) this\n)") == [["echo", "$(…)"], ["id"]])
        // A newline inside is a command separator.
        #expect(try commandLines("echo $(a\nb)") == [["echo", "$(…)"], ["a"], ["b"]])
    }

    @Test("substitutions nest several levels deep, in both syntaxes")
    func nestedSubstitutions() throws {
        #expect(try commandLines("echo $(echo $(echo `id`))") == [["echo", "$(…)"], ["echo", "$(…)"], ["echo", "$(…)"], ["id"]])
        #expect(try commandLines(#"echo "$(echo "$(echo "$(whoami)")")""#) == [["echo", "$(…)"], ["echo", "$(…)"], ["echo", "$(…)"], ["whoami"]])
        #expect(try commandLines("a $(b $(c $(d $(e $(f)))))").map(\.first) == ["a", "b", "c", "d", "e", "f"])
    }

    @Test("backticks: \\$, \\` and \\\\ are unescaped inside, so escaped backticks nest")
    func backticks() throws {
        #expect(try argument("`id -u`").parts == [.commandSubstitution(try parse("id -u"))])
        #expect(try argument("``").parts == [.commandSubstitution(Script())])
        #expect(try commandLines(#"echo `echo \`id\``"#) == [["echo", "$(…)"], ["echo", "$(…)"], ["id"]])
        #expect(try commandLines(#"echo `echo \`echo \\\`whoami\\\`\``"#) == [["echo", "$(…)"], ["echo", "$(…)"], ["echo", "$(…)"], ["whoami"]])
        // `\$` and `\\` lose their backslash; `\a` keeps it for the inner parse (`a\\b` → `a\b` → ab).
        #expect(try commandLines(#"echo `echo \$HOME a\\b \a`"#) == [["echo", "$(…)"], ["echo", "$HOME", "ab", "a"]])
        // Inside double quotes, \" is unescaped too.
        #expect(try commandLines(#"echo "`echo \"q\"`""#) == [["echo", "$(…)"], ["echo", "q"]])
        #expect(try commandLines(#"echo `echo \"q\"`"#) == [["echo", "$(…)"], ["echo", #""q""#]])
    }

    @Test("arithmetic expansion keeps its text and parses the substitutions inside")
    func arithmetic() throws {
        #expect(try argument("$((1 + 2))").parts == [.arithmetic("1 + 2", substitutions: [])])
        #expect(try argument("$(( (a + 1) * $b ))").parts == [.arithmetic(" (a + 1) * $b ", substitutions: [])])
        #expect(try argument("$(( $(wc -l < f) + `n` ))").parts == [.arithmetic(" $(wc -l < f) + `n` ", substitutions: [try parse("wc -l < f"), try parse("n")])])
        #expect(try argument("$((${a:-$(x)} + 1))").substitutions == [try parse("x")])
        #expect(try argument("$[1 + $(y)]").parts == [.arithmetic("1 + $(y)", substitutions: [try parse("y")])])
        #expect(try argument("$((1 + 2))").displayText == "$((1 + 2))")
        // Not arithmetic after all: bash reads `$((…) …)` as a command substitution of a subshell.
        #expect(try commandLines("echo $((cd /tmp; ls) | wc -l)") == [["echo", "$(…)"], ["cd", "/tmp"], ["ls"], ["wc", "-l"]])
    }

    @Test("process substitution, alone or inside a word")
    func processSubstitution() throws {
        #expect(try argument("<(sort a)").parts == [.processSubstitution(try parse("sort a"), output: false)])
        #expect(try argument(">(tee log)").parts == [.processSubstitution(try parse("tee log"), output: true)])
        #expect(try argument("x<(y)").parts == [.literal("x"), .processSubstitution(try parse("y"), output: false)])
        #expect(try commandLines("diff <(sort a) <(sort b)") == [["diff", "<(…)", "<(…)"], ["sort", "a"], ["sort", "b"]])
        #expect(try dump("cat < <(ls)") == "[cat <<([ls])]")
        #expect(try dump("exec > >(tee log) 2>&1") == "[exec >>([tee log]) 2>&1]")
    }

    @Test("unquoted glob characters are glob parts")
    func globs() throws {
        #expect(try argument("*.txt").parts == [.glob("*"), .literal(".txt")])
        #expect(try argument("file?.log").parts == [.literal("file"), .glob("?"), .literal(".log")])
        #expect(try argument("[abc]*").parts == [.glob("[abc]"), .glob("*")])
        #expect(try argument("[!a-z]x").parts == [.glob("[!a-z]"), .literal("x")])
        #expect(try argument("[]ab]").parts == [.glob("[]ab]")])
        #expect(try argument("src/**/*.swift").literalValue == nil)
        #expect(try argument("src/**/*.swift").displayText == "src/**/*.swift")
        // A `[` that nothing closes is literal, so `[` the command and `]` are plain words.
        #expect(try simpleCommand("[ -f x ]").words.map(\.literalValue) == ["[", "-f", "x", "]"])
        #expect(try argument("a[").parts == [.literal("a[")])
        // A bracket expression interrupted by quotes may still match: not literal.
        #expect(try argument(#"[a"]"]"#).literalValue == nil)
        // Quoted or escaped glob characters are literal.
        #expect(try argument(#"'*'\?"[x]""#).literalValue == "*?[x]")
    }

    @Test("extended globs are glob parts, with substitutions inside still parsed")
    func extendedGlobs() throws {
        for source in ["@(a|b)", "!(x)", "*(y)", "+(z)", "?(w)", "@(a|@(b|c))"] {
            #expect(try argument(source).parts == [.glob(source)], "\(source)")
        }
        let word = try argument("@(a|$(b))")
        #expect(word.parts == [.glob("@("), .literal("a|"), .commandSubstitution(try parse("b")), .glob(")")])
        #expect(word.displayText == "@(a|$(…))")
    }

    @Test("a leading ~ or ~user is a tilde-expansion glob part")
    func tilde() throws {
        #expect(try argument("~").parts == [.glob("~")])
        #expect(try argument("~/x").parts == [.glob("~"), .literal("/x")])
        #expect(try argument("~root/.ssh").parts == [.glob("~root"), .literal("/.ssh")])
        #expect(try argument("~+").parts == [.glob("~+")])
        #expect(try argument("a~").parts == [.literal("a~")])
        #expect(try argument("~'x'").parts == [.literal("~"), .singleQuoted("x")])
        #expect(try argument("HEAD~1").parts == [.literal("HEAD~1")])
    }

    @Test("brace expansion is a brace part; lone or empty braces are literal")
    func braces() throws {
        #expect(try argument("{a,b}").parts == [.brace("{a,b}")])
        #expect(try argument("{1..3}").parts == [.brace("{1..3}")])
        #expect(try argument("{a..e}").parts == [.brace("{a..e}")])
        #expect(try argument("{1..10..2}").parts == [.brace("{1..10..2}")])
        #expect(try argument("x{a,b}y").parts == [.literal("x"), .brace("{a,b}"), .literal("y")])
        #expect(try argument("file{,.bak}").parts == [.literal("file"), .brace("{,.bak}")])
        #expect(try argument("{a,{b,c}}").parts == [.brace("{a,{b,c}}")])
        #expect(try argument("{{a,b}}").parts == [.literal("{"), .brace("{a,b}"), .literal("}")])
        for literal in ["{}", "{", "}", "{a}", "{a..}", "{1..a}", "}{", "a}b{c"] {
            #expect(try argument(literal).parts == [.literal(literal)], "\(literal)")
        }
        #expect(try simpleCommand(#"find . -exec rm {} \;"#).words.map(\.literalValue) == ["find", ".", "-exec", "rm", "{}", ";"])
    }

    @Test("a brace expansion with quotes or expansions inside keeps them visible")
    func complexBraces() throws {
        let word = try argument(#"{a,"b c",$(d)}"#)
        #expect(
            word.parts == [
                .brace("{"), .literal("a,"), .doubleQuoted([.literal("b c")]), .literal(","), .commandSubstitution(try parse("d")),
                .brace("}"),
            ])
        #expect(word.literalValue == nil)
        #expect(word.substitutions == [try parse("d")])
        // `rm {-rf,"/"}` is `rm -rf /`: never a literal word.
        #expect(try argument(#"{-rf,"/"}"#).literalValue == nil)
    }

    @Test("displayText reads a word back with expansions as written")
    func displayText() throws {
        #expect(try argument(#""$HOME"/'a b'/*.txt"#).displayText == "$HOME/a b/*.txt")
        #expect(try argument("${x:-y}$(id)`id`<(a)>(b)").displayText == "${x:-y}$(…)$(…)<(…)>(…)")
    }
}
