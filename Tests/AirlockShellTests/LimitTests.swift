import AirlockShell
import Testing

@Suite("Nesting limits")
struct LimitTests {
    /// Nesting `levels` deep of each construct, complete and valid; each level costs one unit
    /// of depth.
    static let nested: [(name: String, build: @Sendable (Int) -> String)] = [
        ("$( )", { "echo " + String(repeating: "$(echo ", count: $0) + "x" + String(repeating: ")", count: $0) }),
        ("( )", { String(repeating: "( ", count: $0) + "x" + String(repeating: " )", count: $0) }),
        ("{ }", { String(repeating: "{ ", count: $0) + "x" + String(repeating: "; }", count: $0) }),
        ("if", { String(repeating: "if ", count: $0) + "a" + String(repeating: "; then b; fi", count: $0) }),
        ("while", { String(repeating: "while ", count: $0) + "a" + String(repeating: "; do b; done", count: $0) }),
        ("for", { String(repeating: "for x in a; do ", count: $0) + "b" + String(repeating: "; done", count: $0) }),
        ("case", { String(repeating: "case x in x) ", count: $0) + "b" + String(repeating: ";; esac", count: $0) }),
        ("${ }", { "echo " + String(repeating: "${x:-", count: $0) + "y" + String(repeating: "}", count: $0) }),
        ("<( )", { "cat " + String(repeating: "<(cat ", count: $0) + "x" + String(repeating: ")", count: $0) }),
        ("$(( ))", { "echo " + String(repeating: "$(( 1 + ", count: $0) + "1" + String(repeating: " ))", count: $0) }),
        ("\"$( )\"", { "echo " + String(repeating: "\"$(echo ", count: $0) + "x" + String(repeating: ")\"", count: $0) }),
        ("` `", { "echo " + nestedBackticks($0) }),
    ]

    /// `levels` of backticks, each level escaping the one inside it.
    static func nestedBackticks(_ levels: Int) -> String {
        var text = "id"
        for _ in 0..<levels {
            text = "`echo " + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "`", with: "\\`") + "`"
        }
        return text
    }

    @Test("maxDepth is exact: that many levels parse, one more is nestingTooDeep", arguments: 0..<nested.count)
    func exactLimit(_ index: Int) throws {
        let (name, build) = Self.nested[index]
        let limits = ShellParser.Limits(maxDepth: 6)
        let atLimit = try parse(build(6), limits: limits)
        #expect(!atLimit.items.isEmpty, "\(name)")
        #expect(parseError(build(7), limits: limits)?.kind == .nestingTooDeep, "\(name)")
        #expect(parseError(build(2), limits: ShellParser.Limits(maxDepth: 1))?.kind == .nestingTooDeep, "\(name)")
    }

    @Test("the innermost command of deep valid nesting is found")
    func deepNestingIsAnalysed() throws {
        #expect(try commandLines(Self.nested[0].build(6)).last == ["echo", "x"])
        #expect(try commandLines("echo " + Self.nestedBackticks(5)).last == ["echo", "id"])
    }

    /// 10,000 levels of every construct: refused quickly, without exhausting the stack.
    static let tenThousand: [(name: String, text: String)] = [
        ("$(", String(repeating: "$(", count: 10_000)),
        ("(", String(repeating: "(", count: 10_000)),
        ("( ", String(repeating: "( ", count: 10_000)),
        ("{ ", String(repeating: "{ ", count: 10_000)),
        ("if ", String(repeating: "if ", count: 10_000)),
        ("while ", String(repeating: "while ", count: 10_000)),
        ("until ", String(repeating: "until ", count: 10_000)),
        ("for ", String(repeating: "for x in a; do ", count: 10_000)),
        ("case ", String(repeating: "case x in x) ", count: 10_000)),
        ("${x:-", "echo " + String(repeating: "${x:-", count: 10_000)),
        ("\"$(", "echo " + String(repeating: "\"$(", count: 10_000)),
        ("<(", "cat " + String(repeating: "<(", count: 10_000)),
        ("$((", "echo " + String(repeating: "$((", count: 10_000)),
        ("$( closed", "echo " + String(repeating: "$(", count: 10_000) + String(repeating: ")", count: 10_000)),
        ("( closed", String(repeating: "( ", count: 10_000) + "a" + String(repeating: " )", count: 10_000)),
        ("{ closed", String(repeating: "{ ", count: 10_000) + "a" + String(repeating: "; }", count: 10_000)),
        ("[[ (", "[[ " + String(repeating: "( ", count: 10_000) + "a" + String(repeating: " )", count: 10_000) + " ]]"),
        ("f() {", String(repeating: "f() { ", count: 10_000)),
        ("mixed", String(repeating: "$( ( { if ${x:-\"$(<(", count: 2_000)),
    ]

    @Test("10,000 levels of nesting fail with nestingTooDeep", arguments: 0..<tenThousand.count)
    func tenThousandLevels(_ index: Int) {
        let (name, text) = Self.tenThousand[index]
        let error = parseError(text)
        #expect(error?.kind == .nestingTooDeep, "\(name): \(String(describing: error))")
    }

    @Test("an unclosed [[ is refused before its parentheses are walked")
    func unclosedTestExpression() {
        #expect(parseError("[[ " + String(repeating: "( ", count: 10_000))?.kind == .missingKeyword)
    }

    @Test("10,000 balanced parentheses after (( are one arithmetic command: no recursion")
    func deepArithmeticParentheses() throws {
        let text = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        let command = try compoundCommand(text)
        #expect(command.kind == .arithmetic)
    }

    @Test("backticks cannot nest 10,000 deep; 10,000 of them in a row are 5,000 empty substitutions")
    func manyBackticks() throws {
        // Real nesting needs its backslashes doubled at every level, so a 256 KiB line holds
        // about 16 levels; the depth limit covers them like any other construct (see above).
        let script = try parse("echo " + String(repeating: "`", count: 10_000))
        guard case .simple(let command)? = script.items.first?.andOr.first.commands.first else {
            Issue.record("expected a simple command")
            return
        }
        #expect(command.words[1].parts.count == 5_000)
        #expect(command.words[1].substitutions.allSatisfy { $0.items.isEmpty })
        #expect(parseError("echo " + String(repeating: "`", count: 10_001))?.kind == .unterminatedBacktick)
    }

    @Test("a huge maxDepth is still bounded by the parser's stack budget")
    func hugeMaxDepth() {
        let limits = ShellParser.Limits(maxLength: 10_000_000, maxDepth: 1_000_000)
        for text in [String(repeating: "$(", count: 100_000), String(repeating: "{ ", count: 100_000), String(repeating: "if ", count: 100_000)] {
            #expect(parseError(text, limits: limits)?.kind == .nestingTooDeep)
        }
    }
}
