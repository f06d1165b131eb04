import AirlockShell
import Testing

@Suite("Lists, and-or lists, pipelines and comments")
struct ListAndPipelineTests {
    @Test("a simple command is one item with one pipeline of one command")
    func simpleCommandShape() throws {
        let script = try parse("git status --short")
        #expect(
            script
                == Script(items: [
                    ListItem(
                        andOr: AndOrList(first: Pipeline(commands: [.simple(SimpleCommand(words: [.literal("git"), .literal("status"), .literal("--short")]))])))
                ]))
    }

    @Test("empty input, blanks and comments give an empty script")
    func emptyScripts() throws {
        for text in ["", "   ", "\n\n", "\t", "# only a comment", "  # comment\n# another\n"] {
            #expect(try parse(text).items.isEmpty, "\(text.debugDescription)")
        }
    }

    @Test("; & and newlines separate list items; & marks the item background")
    func listSeparators() throws {
        #expect(try dump("a; b") == "[a] ; [b]")
        #expect(try dump("a;b;") == "[a] ; [b]")
        #expect(try dump("a & b &") == "[a] & ; [b] &")
        #expect(try dump("a&b") == "[a] & ; [b]")
        #expect(try dump("a\nb\n\nc") == "[a] ; [b] ; [c]")
        #expect(try dump("a &\nb") == "[a] & ; [b]")
        let script = try parse("sleep 1 & wait")
        #expect(script.items.map(\.background) == [true, false])
    }

    @Test("&& and || chain pipelines left to right; a newline may follow the operator")
    func andOrLists() throws {
        let list = try parse("a && b || c && d").items[0].andOr
        #expect(list.first == Pipeline(commands: [.simple(SimpleCommand(words: [.literal("a")]))]))
        #expect(list.rest.map(\.op) == [.and, .or, .and])
        #expect(list.pipelines.count == 4)
        #expect(try dump("a &&\n  b ||\n\n c") == "[a] && [b] || [c]")
        #expect(try dump("a && # comment\n b") == "[a] && [b]")
    }

    @Test("| joins commands; |& also sends stderr down the pipe, as an explicit 2>&1")
    func pipelines() throws {
        #expect(try dump("a | b | c") == "[a] | [b] | [c]")
        #expect(try dump("a|b") == "[a] | [b]")
        #expect(try dump("a |\n b") == "[a] | [b]")
        #expect(try dump("a |& b") == "[a 2>&1] | [b]")
        #expect(try dump("a >out |& b") == "[a >out 2>&1] | [b]")
        #expect(try dump("{ a; } |& b") == "grp{[a]}2>&1 | [b]")
        #expect(try dump("a | b |& c") == "[a] | [b 2>&1] | [c]")
        let pipeline = try parse("a |& b").items[0].andOr.first
        guard case .simple(let first) = pipeline.commands[0] else {
            Issue.record("expected a simple command")
            return
        }
        #expect(first.redirections == [Redirection(fd: "2", op: .duplicateOutput, target: .literal("1"))])
    }

    @Test("pipelines bind tighter than && and ||, which bind tighter than ; and &")
    func precedence() throws {
        let script = try parse("a | b && c | d; e & f || g")
        #expect(script.items.count == 3)
        #expect(script.items[0].andOr.pipelines.map(\.commands.count) == [2, 2])
        #expect(script.items[1].background)
        #expect(script.items[2].andOr.rest.map(\.op) == [.or])
    }

    @Test("! negates a pipeline, once, and only at its start")
    func negation() throws {
        let pipeline = try parse("! a | b").items[0].andOr.first
        #expect(pipeline.negated)
        #expect(pipeline.commands.count == 2)
        #expect(try dump("a && ! b") == "[a] && ! [b]")
        #expect(try dump("!a") == "[!a]")
        #expect(try dump("echo !") == "[echo !]")
        #expect(parseError("! ! a")?.kind == .unexpectedToken)
        #expect(parseError("a | ! b")?.kind == .unexpectedToken)
        #expect(parseError("!")?.kind == .unexpectedToken)
    }

    @Test("time [-p] before a pipeline is dropped; alone, or after |, it is a command")
    func time() throws {
        #expect(try dump("time make -j4") == "[make -j4]")
        #expect(try dump("time -p a | b") == "[a] | [b]")
        #expect(try dump("! time a") == "! [a]")
        #expect(try dump("time") == "[time]")
        #expect(try dump("time -p; x") == "[time -p] ; [x]")
        #expect(try dump("time | x && time") == "[time] | [x] && [time]")
        #expect(try dump("a | time b") == "[a] | [time b]")
        #expect(try dump("time { a; b; }") == "grp{[a] ; [b]}")
        #expect(parseError("time ! a")?.kind == .unexpectedToken)
    }

    @Test("# starts a comment only at the start of a word")
    func comments() throws {
        #expect(try dump("echo a # b c") == "[echo a]")
        #expect(try dump("echo a#b") == "[echo a#b]")
        #expect(try dump("echo a;#b\nc") == "[echo a] ; [c]")
        #expect(try dump("echo '#' \"#\" \\#") == "[echo '#' \"#\" #]")
        #expect(try dump("echo ${#x} $#") == "[echo ${#x} $#]")
        #expect(try dump("a | # c\n b") == "[a] | [b]")
        #expect(try dump("# c1\na # c2\n# c3") == "[a]")
    }

    @Test("operators need commands on both sides")
    func misplacedOperators() {
        for text in ["&& a", "|| a", "| a", "a | | b", "a && && b", "a ||", "a |", "a &&", "; a", "a ;; b", "a & & b", "a &;", "a;;", "a ;&", ")", "a )", "a; ;"] {
            #expect(parseError(text)?.kind == .unexpectedToken, "\(text.debugDescription)")
        }
    }

    @Test("the traversal helper sees every command in order")
    func commandOrder() throws {
        #expect(
            try commandLines("a 1 && b 2 | c 3; d 4 &\ne 5")
                == [["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"], ["e", "5"]])
    }
}
