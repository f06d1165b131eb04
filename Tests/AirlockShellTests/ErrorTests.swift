import AirlockShell
import Testing

@Suite("Parse errors")
struct ErrorTests {
    @Test(
        "each error kind, with the offset where the problem starts",
        arguments: [
            ("echo 'abc", ParseError.Kind.unterminatedSingleQuote, 5), ("echo $'abc\\'", .unterminatedSingleQuote, 5),
            ("echo \"abc", .unterminatedDoubleQuote, 5), ("echo \"$(ls)", .unterminatedDoubleQuote, 5),
            ("echo \"a\\\"", .unterminatedDoubleQuote, 5), ("echo `id", .unterminatedBacktick, 5), ("echo `a\\`", .unterminatedBacktick, 5),
            ("echo $(ls", .unterminatedSubstitution, 5), ("echo $(ls; (cd x)", .unterminatedSubstitution, 5),
            ("echo $((1 + 2)", .unterminatedSubstitution, 5), ("echo $[1", .unterminatedSubstitution, 5),
            ("cat <(ls", .unterminatedSubstitution, 4), ("x=$(echo ')'", .unterminatedSubstitution, 2),
            ("echo ${HOME", .unterminatedParameter, 5), ("echo ${x:-$(a)", .unterminatedParameter, 5), ("echo ${", .unterminatedParameter, 5),
            ("cat <<EOF\nbody", .unterminatedHeredoc, 4), ("a; b <<-END", .unterminatedHeredoc, 5),
            ("if true; then echo", .missingKeyword, 0), ("a; while b; do c", .missingKeyword, 3), ("(a", .missingKeyword, 0),
            ("{ a", .missingKeyword, 0), ("case x in a) b", .missingKeyword, 0), ("for x in a b", .missingKeyword, 0),
            ("f() {\n a\n", .missingKeyword, 4), ("(( 1 + 2 )", .missingKeyword, 0),
            (";; a", .unexpectedToken, 0), ("a )", .unexpectedToken, 2), ("&& a", .unexpectedToken, 0), ("a | | b", .unexpectedToken, 4),
            ("echo (", .unexpectedToken, 6), ("echo a (", .unexpectedToken, 7), ("echo ${}", .unexpectedToken, 7), ("echo ${ x}", .unexpectedToken, 7),
            ("echo ${x y}", .unexpectedToken, 8), ("echo ${x!}", .unexpectedToken, 8), ("fi", .unexpectedToken, 0),
            ("echo a > ", .unexpectedToken, 9), ("echo $((1) + 2))", .unexpectedToken, 11), ("a\n)", .unexpectedToken, 2),
            ("echo @(a", .unexpectedToken, 5),
        ])
    func kinds(_ text: String, _ kind: ParseError.Kind, _ offset: Int) {
        let error = parseError(text)
        #expect(error?.kind == kind, "\(text.debugDescription): \(String(describing: error))")
        #expect(error?.offset == offset, "\(text.debugDescription): \(String(describing: error))")
    }

    @Test("unexpected tokens are named in the error")
    func details() {
        #expect(parseError("a ;; b")?.detail == ";;")
        #expect(parseError("a && || b")?.detail == "||")
        #expect(parseError("then x")?.detail == "then")
        #expect(parseError("a &&")?.detail == "end of input")
        #expect(parseError("a |\n\n")?.detail == "end of input")
        #expect(parseError("a ;;")?.description == "unexpected token at offset 2 (;;)")
    }

    @Test("NUL and other C0 control bytes are refused; tab, newline and CR are not")
    func invalidCharacters() throws {
        for (text, offset) in [("echo a\u{0}b", 6), ("\u{1}", 0), ("ls \u{1B}[31m", 3), ("a\u{7}", 1), ("'\u{1F}'", 1), ("x\u{8}", 1)] {
            let error = parseError(text)
            #expect(error?.kind == .invalidCharacters, "\(text.debugDescription)")
            #expect(error?.offset == offset, "\(text.debugDescription)")
        }
        #expect(try simpleCommand("echo\ta\r\n").words.map(\.literalValue) == ["echo", "a\r"])
        #expect(try simpleCommand("echo \u{7F}").words.map(\.literalValue) == ["echo", "\u{7F}"])
    }

    @Test("the length limit is checked first, at exactly maxLength bytes")
    func inputTooLong() throws {
        let limits = ShellParser.Limits(maxLength: 10)
        #expect(try parse("echo 12345", limits: limits).items.count == 1)
        let error = parseError("echo 123456", limits: limits)
        #expect(error?.kind == .inputTooLong)
        #expect(error?.offset == 10)
        // Counted in UTF-8 bytes, and before any other check.
        #expect(parseError("echo éé", limits: limits)?.kind == nil)
        #expect(parseError("echo ééé", limits: limits)?.kind == .inputTooLong)
        #expect(parseError("\u{0}'unterminated", limits: limits)?.kind == .inputTooLong)
        // The default limit is 256 KiB.
        let atLimit = "echo " + String(repeating: "a", count: 256 * 1024 - 5)
        #expect(try parse(atLimit).items.count == 1)
        #expect(parseError(atLimit + "a")?.kind == .inputTooLong)
    }

    @Test("a huge input is refused for its length, before anything else is looked at")
    func hugeInputIsRefusedForItsLength() {
        // 16 MB of openers: any other error (nesting) would mean the input was scanned first.
        let huge = String(repeating: "$(", count: 8_000_000)
        #expect(parseError(huge)?.kind == .inputTooLong)
        #expect(parseError(huge + "\u{0}")?.kind == .inputTooLong)
    }

    @Test("errors inside nested constructs report offsets in the whole input")
    func nestedOffsets() {
        #expect(parseError("echo $(echo 'x)")?.offset == 12)
        #expect(parseError("a; if b; then $(c \"d); fi")?.offset == 18)
        #expect(parseError("cat <<EOF\n$(echo 'x)\nEOF")?.offset == 17)
        #expect(parseError("echo `echo \"x`")?.kind == .unterminatedDoubleQuote)
    }
}
