import AirlockShell
import Testing

@Suite("Robustness: arbitrary input, large input, linear time")
struct RobustnessTests {
    /// Parses `text` and checks what must hold for any input: it returns or throws (a crash
    /// fails the whole run), an error points inside the input, and the result is deterministic.
    static func check(_ text: String, limits: ShellParser.Limits = .standard) -> Bool {
        let parser = ShellParser(limits: limits)
        do {
            let script = try parser.parse(text)
            return (try? parser.parse(text)) == script
        } catch {
            return error.offset >= 0 && error.offset <= text.utf8.count && (parseError(text, limits: limits) == error)
        }
    }

    @Test("random byte strings return or throw")
    func randomBytes() {
        var random = SeededGenerator(seed: 1)
        var failures: [String] = []
        for _ in 0..<3_000 {
            let length = random.int(80)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let text = String(decoding: bytes, as: UTF8.self)
            if !Self.check(text) { failures.append(text.debugDescription) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    /// Pieces of shell syntax; random sequences of them reach deep into the parser.
    static let tokens: [String] = [
        "'", "\"", "`", "$", "(", ")", "{", "}", "[", "]", ";", "&", "|", "<", ">", "\\", "#", "!", "*", "?", "~", "=", "\n", " ",
        "\t", "a", "1", "-", ",", ".", ":", "@", "%", "^", "/", "+", "if ", "then ", "elif ", "else ", "fi", "case ", " in ", "esac",
        ";;", ";&", ";;&", "do ", "done", "for ", "while ", "until ", "select ", "function ", "()", "{ ", " }", "[[ ", " ]]", "((", "))",
        "$(", "${", "$((", "$[", "<(", ">(", "<<EOF\n", "<<-E\n", "<<'Q'\n", "\nEOF\n", "\n\tE\n", "\nQ\n", "<<<", "&&", "||", "|&",
        "2>&1", ">>", "&>", "{fd}>", "x=", "a[1]=", "=(", "@(", "!(", "$'", "$\"", "\\\n", "${x:-", "${#", "time ", "! ", "=~ ", "-f ",
        "é", "\r",
    ]

    @Test("random mixes of shell metacharacters and keywords return or throw")
    func randomShellSoup() {
        var random = SeededGenerator(seed: 2)
        var failures: [String] = []
        for _ in 0..<5_000 {
            var text = ""
            for _ in 0..<(1 + random.int(40)) { text += random.pick(Self.tokens) }
            if !Self.check(text) { failures.append(text.debugDescription) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test("mutations of real-world commands return or throw, also with tight limits")
    func mutatedRealWorld() {
        var random = SeededGenerator(seed: 3)
        var failures: [String] = []
        let tight = ShellParser.Limits(maxLength: 200, maxDepth: 3)
        for command in RealWorldCommands.all {
            #expect(Self.check(command), "\(command.debugDescription)")
            for _ in 0..<10 {
                var bytes = Array(command.utf8)
                let at = random.int(bytes.count + 1)
                switch random.int(4) {
                case 0: bytes = Array(bytes[..<at])
                case 1: if at < bytes.count { bytes.remove(at: at) }
                case 2: bytes.insert(random.pick(Array("'\"`$(){}[];&|<>\\#! \n".utf8)), at: at)
                default: bytes.insert(contentsOf: Array(random.pick(Self.tokens).utf8), at: at)
                }
                let text = String(decoding: bytes, as: UTF8.self)
                if !Self.check(text) || !Self.check(text, limits: tight) { failures.append(text.debugDescription) }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test("every real-world command parses")
    func realWorldCommandsParse() {
        for command in RealWorldCommands.all {
            #expect(parseError(command) == nil, "\(command.debugDescription): \(String(describing: parseError(command)))")
        }
    }

    @Test("a 1 MB line: refused under the default limits, parsed in linear time with a larger one")
    func oneMegabyteLine() throws {
        let line = "echo " + String(repeating: "a", count: 1_000_000)
        #expect(parseError(line)?.kind == .inputTooLong)
        let limits = ShellParser.Limits(maxLength: 2_000_000)
        var script: Script?
        script = try parse(line, limits: limits)
        guard case .simple(let command)? = script?.items.first?.andOr.first.commands.first else {
            Issue.record("expected a simple command")
            return
        }
        #expect(command.words.count == 2)
        #expect(command.words[1].literalValue?.utf8.count == 1_000_000)
    }

    /// Inputs that would make a careless parser quadratic, each about 200 KB (just under the
    /// default limit). Optimised, each parses in well under 50 ms.
    static let adversarial: [(name: String, text: String)] = [
        ("many words", String(repeating: "a ", count: 100_000)),
        ("many commands", String(repeating: "a;", count: 100_000)),
        ("long pipeline", String(repeating: "a|", count: 100_000) + "a"),
        ("long and-or list", String(repeating: "a&&", count: 66_000) + "a"),
        ("unclosed brackets", "echo " + String(repeating: "[", count: 200_000)),
        ("brackets before a quote", "echo " + String(repeating: "[", count: 200_000) + "'x'"),
        ("unclosed braces", "echo " + String(repeating: "{", count: 200_000)),
        ("braces with commas", "echo " + String(repeating: "{a,", count: 66_000)),
        ("closed braces", "echo " + String(repeating: "{a,b}", count: 40_000)),
        ("extended globs", "echo " + String(repeating: "@(", count: 100_000)),
        ("tildes", "echo " + String(repeating: "~", count: 200_000)),
        ("dollars", "echo " + String(repeating: "$", count: 200_000)),
        ("parameters", "echo " + String(repeating: "$x", count: 100_000)),
        ("escapes", "echo " + String(repeating: "\\a", count: 100_000)),
        ("quotes", "echo " + String(repeating: "'a'\"b\"", count: 32_000)),
        ("long single-quoted", "echo '" + String(repeating: "a", count: 200_000) + "'"),
        ("long double-quoted", "echo \"" + String(repeating: "a$x", count: 66_000) + "\""),
        ("heredocs", String(repeating: "cat <<E\nx\nE\n", count: 16_000)),
        ("unterminated heredocs", String(repeating: "a <<E;", count: 32_000) + "\n"),
        ("assignments", String(repeating: "a=1 ", count: 50_000) + "cmd"),
        ("subscript openers", String(repeating: "a[ ", count: 66_000)),
        ("comments", String(repeating: "# comment\n", count: 20_000)),
        ("arithmetic", "echo $((" + String(repeating: "1+", count: 100_000) + "1))"),
        ("arithmetic openers", String(repeating: "$((a)", count: 40_000)),
        ("double parens", String(repeating: "((a) ;", count: 32_000)),
        ("backticks", "echo " + String(repeating: "`a`", count: 66_000)),
        ("case arms", "case x in " + String(repeating: "a) b;; ", count: 24_000) + "esac"),
        ("test operands", "[[ " + String(repeating: "a && ", count: 40_000) + "a ]]"),
        ("redirections", "cmd" + String(repeating: " >f", count: 66_000)),
        ("continuations", "echo " + String(repeating: "\\\n", count: 100_000)),
        ("blank lines", String(repeating: "\n", count: 200_000)),
    ]

    // No timing assertion (the machine is shared and noisy; speed lives in `make bench`): a
    // quadratic parse of these 200 KB inputs would take minutes and trip the suite's time limit.
    @Test("adversarial inputs at the default limit end in a parse or an error", arguments: 0..<adversarial.count)
    func adversarialInputsEnd(_ index: Int) {
        let (name, text) = Self.adversarial[index]
        #expect(text.utf8.count <= ShellParser.Limits.standard.maxLength, "\(name)")
        _ = parseError(text)
    }
}
