import AirlockShell
import Foundation
import Testing

/// Compares the parser with shfmt (mvdan/sh), an independent bash parser, on thousands of
/// generated command lines, a corpus of real-world agent commands, and mutations of both.
///
/// For every line the verdicts must agree (both parse, or both reject), and when both parse, the
/// traces must be equal (see `Trace.swift`: the sequence of simple and compound commands
/// including those in substitutions and bodies, literal words, assignments, redirections and
/// heredoc bodies, and the list/pipeline operators).
///
/// Deliberate differences (the parser follows bash, or refuses where shfmt guesses) are listed
/// in `deliberateDifferences` and checked on both sides; the generator avoids them.
@Suite("Differential test against shfmt", .serialized)
struct ShfmtDifferentialTests {
    static let generatedCount = 2_000
    static let mutationCount = 700

    struct Mismatch: CustomStringConvertible {
        var line: String
        var reason: String
        var description: String { "\(line.debugDescription)\n    \(reason)" }
    }

    static func cases() -> [(text: String, origin: String)] {
        var cases: [(String, String)] = RealWorldCommands.all.map { ($0, "real-world") }
        var grammar = CommandGrammar(seed: 0xA11C_0C4E)
        var generated: [String] = []
        for _ in 0..<generatedCount { generated.append(grammar.line()) }
        cases += generated.map { ($0, "generated") }
        var random = SeededGenerator(seed: 42)
        let sources = generated + RealWorldCommands.all
        for _ in 0..<mutationCount {
            cases.append((mutate(random.pick(sources), &random), "mutated"))
        }
        return cases
    }

    /// Truncates the line, deletes a byte, or inserts a metacharacter: mostly-invalid input
    /// near valid input, where parsers tend to disagree.
    static func mutate(_ line: String, _ random: inout SeededGenerator) -> String {
        for _ in 0..<10 {
            var bytes = Array(line.utf8)
            guard !bytes.isEmpty else { return line }
            let at = random.int(bytes.count)
            switch random.int(3) {
            case 0: bytes = Array(bytes[..<at])
            case 1: bytes.remove(at: at)
            default: bytes.insert(random.pick(Array("'\"`$(){}[];&|<>\\#! \n".utf8)), at: at)
            }
            // Whole UTF-8 sequences only.
            let mutated = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\u{FFFD}", with: "")
            // shfmt starts a comment at a `#` right after a quote or expansion (`'a'#b`); bash
            // only at the start of a word. Such lines would only show that shfmt bug.
            // A trailing backslash is kept by `bash -c` (what runs agent commands) and dropped
            // by shfmt (as bash does at the end of a file): see `trailingBackslash`.
            let hashAfterQuote = ["'#", "\"#", "`#", "}#", ")#"].contains(where: mutated.contains)
                && !["'#", "\"#", "`#", "}#", ")#"].contains(where: line.contains)
            if !hashAfterQuote && !mutated.hasSuffix("\\") && !hasExtglobWithSubstitution(mutated) { return mutated }
        }
        return line
    }

    /// shfmt keeps extended glob patterns as text, so it misses `$(…)` in `!(…$(x)…)`; bash
    /// (and the parser) see it. Mutations that create one only show that.
    static func hasExtglobWithSubstitution(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        for index in bytes.indices.dropLast() where "@*+?!".utf8.contains(bytes[index]) && bytes[index + 1] == 0x28 {
            var nesting = 0
            for j in (index + 1)..<bytes.count {
                if bytes[j] == 0x28 { nesting += 1 }
                if bytes[j] == 0x29 { nesting -= 1 }
                if bytes[j] == 0x60 || (bytes[j] == 0x24 && j + 1 < bytes.count && bytes[j + 1] == 0x28) { return true }
                if nesting == 0 { break }
            }
        }
        return false
    }

    @Test("parser and shfmt agree on generated, real-world and mutated command lines")
    func agreesWithShfmt() throws {
        guard let executable = Shfmt.locate() else {
            Issue.record("shfmt is not on PATH: run scripts/install-deps.sh (the differential test needs it)")
            return
        }
        let cases = Self.cases()
        let texts = cases.map(\.text)
        let shfmt = Shfmt(executable: executable)
        let trace = ShfmtTrace(operators: try ShfmtOperators.calibrate(shfmt))
        var launches = 1
        let verdicts = try shfmt.verdicts(for: texts, launches: &launches)
        let parser = ShellParser()

        var mismatches: [Mismatch] = []
        var agreedAccept = 0
        var agreedReject = 0
        var byOrigin: [String: Int] = [:]
        var bashArbitrated: [String] = []
        var agreedTexts: [String] = []
        for (index, testCase) in cases.enumerated() {
            let ours = Result { () throws(ParseError) -> Script in try parser.parse(testCase.text) }
            switch (ours, verdicts[index]) {
            case (.failure, .rejected):
                agreedReject += 1
            case (.failure(let error), .accepted):
                if Self.shfmtIsLaxer(testCase.text), try Bash.accepts(testCase.text) == false {
                    bashArbitrated.append("\(testCase.text.debugDescription): bash and we reject (\(error)), shfmt accepts")
                    continue
                }
                mismatches.append(Mismatch(line: testCase.text, reason: "[\(testCase.origin)] we reject (\(error)), shfmt accepts"))
            case (.success, .rejected(let message)):
                if Self.shfmtIsStricter(message), try Bash.accepts(testCase.text) == true {
                    bashArbitrated.append("\(testCase.text.debugDescription): bash and we accept, shfmt rejects (\(message))")
                    continue
                }
                mismatches.append(Mismatch(line: testCase.text, reason: "[\(testCase.origin)] we accept, shfmt rejects: \(message)"))
            case (.success(let script), .accepted(let statements)):
                let mine = OurTrace.of(script)
                let theirs: [String]
                do {
                    theirs = try trace.of(statements)
                } catch {
                    mismatches.append(Mismatch(line: testCase.text, reason: "[\(testCase.origin)] shfmt tree not understood: \(error)"))
                    continue
                }
                if let difference = Self.firstDifference(mine, theirs) {
                    mismatches.append(
                        Mismatch(
                            line: testCase.text,
                            reason: "[\(testCase.origin)] trees differ at token \(difference):\n    ours:  \(mine)\n    shfmt: \(theirs)"))
                } else {
                    agreedAccept += 1
                    agreedTexts.append(testCase.text)
                }
            }
            byOrigin[testCase.origin, default: 0] += 1
        }
        // Disagreements settled by bash must stay exceptions (mutated lines only, in practice).
        #expect(bashArbitrated.count < cases.count / 50, "\(bashArbitrated.count) lines needed bash to settle:\n\(bashArbitrated.prefix(20).joined(separator: "\n"))")
        // The corpus must mostly be valid shell, or the comparison of trees means little.
        #expect(agreedAccept > cases.count / 2, "only \(agreedAccept) of \(cases.count) lines parsed by both")
        #expect(agreedReject > 50, "mutations should produce invalid lines both reject")
        #expect(launches < 20, "shfmt was launched \(launches) times")
        let markers = [
            "<<", "<<-", "<<<", "case ", "[[ ", "((", "for ", "while ", "until ", "if ", "select ", "function ", "() {", "$(", "`", "${",
            "$((", "<(", "|&", "&&", "||", "'", "\"", "$'", "\\", "*", "{a,", "~", "=(", "2>&1", "&>",
        ]
        let coverage = markers.map { marker in "\(marker) \(agreedTexts.filter { $0.contains(marker) }.count)" }
        print("shfmt differential coverage (identical trees containing…): " + coverage.joined(separator: ", "))
        print("shfmt differential: \(cases.count) lines, \(agreedAccept) identical trees, \(agreedReject) rejected by both, \(bashArbitrated.count) settled by bash, \(mismatches.count) mismatches, \(launches) shfmt launches")
        if let path = ProcessInfo.processInfo.environment["AIRLOCK_SHFMT_REPORT"] {
            // Every mismatch, for working through them: AIRLOCK_SHFMT_REPORT=/tmp/report swift test …
            try mismatches.map(\.description).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        if !mismatches.isEmpty {
            let shown = mismatches.prefix(40).map(\.description).joined(separator: "\n")
            Issue.record(
                "\(mismatches.count) of \(cases.count) lines differ from shfmt (\(agreedAccept) agreed parses, \(agreedReject) agreed rejections, \(launches) shfmt launches):\n\(shown)"
            )
        }
    }

    /// Index of the first token where the traces differ (`w:*` matches any word), or nil.
    static func firstDifference(_ mine: [String], _ theirs: [String]) -> Int? {
        for index in 0..<max(mine.count, theirs.count) {
            guard index < mine.count, index < theirs.count else { return index }
            if mine[index] == theirs[index] { continue }
            if theirs[index] == "w:*" && mine[index].hasPrefix("w:") { continue }
            return index
        }
        return nil
    }

    // MARK: - Deliberate differences

    /// shfmt rejects at parse time what bash only checks when it runs, or what bash accepts:
    /// arithmetic syntax (`$(( 1 + ))`), array and index forms (`a[0]=1 cmd`, `x=(a[b])`,
    /// `${x@Z}`), `$((…) )` / `((…) )` that are really subshells, and a heredoc followed by
    /// `[[` on its line. When shfmt rejects with one of these and bash (`bash -n`) accepts, we
    /// follow bash.
    static func shfmtIsStricter(_ message: String) -> Bool {
        [
            "arithmetic operator", "must follow an expression", "must be followed by an expression", "ternary operator",
            "without matching $(( with ))", "without matching (( with ))", "inline variables cannot be arrays",
            "must be followed by =", "[ must follow a name", "arrays cannot be nested", "array element values must be words",
            "cannot index a special parameter", "invalid @ expansion operator", "unclosed here-document",
            "without matching [ with ]", "without matching ( with )", "a command can only contain words and redirects; encountered (",
            "must follow a name", "statements must be separated by &, ; or a newline", "must be followed by ;",
            "without matching ${ with }",
        ].contains { message.contains($0) }
    }

    /// shfmt accepts what bash refuses: empty `{ }` and `( )`, and function bodies that are not
    /// compound commands (`f() echo`). We refuse them, with bash.
    /// Also: shfmt does not join a backslash-newline in an unquoted heredoc body before looking
    /// for the delimiter, which bash does.
    static func shfmtIsLaxer(_ line: String) -> Bool {
        line.contains("{") || line.contains("(") || line.contains("function") || line.contains("<<")
    }

    struct Difference: Sendable, CustomTestStringConvertible {
        var line: String
        var weAccept: Bool
        var shfmtAccepts: Bool
        var why: String
        var testDescription: String { line.debugDescription }
    }

    /// Where the parser deliberately differs from shfmt, each checked on both sides so the list
    /// stays true.
    static let deliberateDifferences: [Difference] = [
        // bash rejects these; shfmt accepts them.
        Difference(line: "{ }", weAccept: false, shfmtAccepts: true, why: "bash: a group needs a command"),
        Difference(line: "( )", weAccept: false, shfmtAccepts: true, why: "bash: a subshell needs a command"),
        Difference(line: "if true; then fi", weAccept: false, shfmtAccepts: false, why: "agreement, for contrast"),
        Difference(line: "f() echo hi", weAccept: false, shfmtAccepts: true, why: "bash: a function body must be a compound command"),
        Difference(line: "function f echo hi", weAccept: false, shfmtAccepts: true, why: "bash: a function body must be a compound command"),
        // bash accepts these; shfmt rejects them. They are what bash runs, so we follow bash.
        Difference(line: "((a) ; (b))", weAccept: true, shfmtAccepts: false, why: "bash: not arithmetic, so nested subshells"),
        Difference(line: "echo $((cd /; ls) )", weAccept: true, shfmtAccepts: false, why: "bash: not arithmetic, so $( (…) )"),
        Difference(line: "a=(1 2) env", weAccept: true, shfmtAccepts: false, why: "bash accepts an array assignment prefix"),
        Difference(line: "[[ -f ]]", weAccept: false, shfmtAccepts: false, why: "agreement: an operator without operand"),
        // We refuse what we cannot analyse faithfully.
        Difference(line: "echo a\u{0}b", weAccept: false, shfmtAccepts: true, why: "NUL and other control bytes are refused"),
        Difference(line: "echo \u{1B}[31m", weAccept: false, shfmtAccepts: true, why: "NUL and other control bytes are refused"),
        Difference(line: "! ! true", weAccept: false, shfmtAccepts: false, why: "agreement (bash would accept)"),
    ]

    @Test("deliberate differences from shfmt hold on both sides", arguments: deliberateDifferences)
    func deliberateDifference(_ difference: Difference) throws {
        let ours = (try? ShellParser().parse(difference.line)) != nil
        #expect(ours == difference.weAccept, "parser: \(difference.why)")
        guard let executable = Shfmt.locate() else {
            Issue.record("shfmt is not on PATH: run scripts/install-deps.sh")
            return
        }
        var launches = 0
        let verdict = try Shfmt(executable: executable).verdicts(for: [difference.line], launches: &launches)[0]
        let shfmtAccepts: Bool
        if case .accepted = verdict { shfmtAccepts = true } else { shfmtAccepts = false }
        #expect(shfmtAccepts == difference.shfmtAccepts, "shfmt: \(difference.why)")
    }

    @Test("a trailing backslash stays a backslash, as with bash -c")
    func trailingBackslash() throws {
        // `bash -c 'printf "[%s]" a \'` prints [a][\]; shfmt (like bash reading a file) drops it.
        let script = try ShellParser().parse(#"printf "[%s]" a \"#)
        guard case .simple(let command) = script.items.first?.andOr.first.commands.first else {
            Issue.record("expected a simple command")
            return
        }
        #expect(command.words.map(\.literalValue) == ["printf", "[%s]", "a", "\\"])
    }

    @Test("substitutions inside ${…} operands that shfmt keeps as text are found")
    func processSubstitutionInParameterOperand() throws {
        // bash runs `<(w)` here (echo ${z:-<(w)} prints /dev/fd/63); shfmt keeps it as a literal.
        let script = try ShellParser().parse("echo ${z:-<(w)}")
        guard case .simple(let command) = script.items.first?.andOr.first.commands.first else {
            Issue.record("expected a simple command")
            return
        }
        #expect(command.words[1].substitutions.count == 1)
    }
}
