import AirlockShell
import Testing

@Suite("Quoting and escapes")
struct QuotingTests {
    @Test("single quotes keep everything literal")
    func singleQuotes() throws {
        let word = try argument(#"'a $b `c` \d "e" ; | & ( ) # *'"#)
        #expect(word.parts == [.singleQuoted(#"a $b `c` \d "e" ; | & ( ) # *"#)])
        #expect(word.literalValue == #"a $b `c` \d "e" ; | & ( ) # *"#)
        #expect(word.substitutions.isEmpty)
        #expect(try argument("''").parts == [.singleQuoted("")])
        #expect(try argument("'line1\nline2'").literalValue == "line1\nline2")
    }

    @Test("double quotes: literal text, expansions, and backslash only before $ ` \" \\ newline")
    func doubleQuotes() throws {
        #expect(try argument(#""a b""#).parts == [.doubleQuoted([.literal("a b")])])
        #expect(try argument(#""""#).parts == [.doubleQuoted([])])
        #expect(try argument(#""\$ \` \" \\""#).literalValue == #"$ ` " \"#)
        #expect(try argument(#""\a \n \' \*""#).literalValue == #"\a \n \' \*"#)
        #expect(try argument("\"a\\\nb\"").literalValue == "ab")
        #expect(try argument(#""'single' * ~ {a,b} ; # |""#).literalValue == "'single' * ~ {a,b} ; # |")
        let word = try argument(#""user: $USER, dir: ${PWD}, id: $(id -u), old: `id -g`""#)
        #expect(
            word.parts == [
                .doubleQuoted([
                    .literal("user: "), .parameter(name: "USER", expression: nil), .literal(", dir: "),
                    .parameter(name: "PWD", expression: nil), .literal(", id: "), .commandSubstitution(try parse("id -u")),
                    .literal(", old: "), .commandSubstitution(try parse("id -g")),
                ])
            ])
        #expect(word.literalValue == nil)
        #expect(word.substitutions.count == 2)
    }

    @Test("inside double quotes $' and $\" are not special")
    func dollarQuotesInsideDoubleQuotes() throws {
        #expect(try argument(#""$'x'""#).literalValue == "$'x'")
        #expect(try argument(#""a$""#).literalValue == "a$")
        #expect(try argument(#""$ $/ $%""#).literalValue == "$ $/ $%")
    }

    @Test(
        "ANSI-C quoting decodes escapes",
        arguments: [
            (#"$'a\nb'"#, "a\nb"), (#"$'\t'"#, "\t"), (#"$'\\'"#, "\\"), (#"$'it\'s'"#, "it's"), (#"$'\"'"#, "\""),
            (#"$'\x41\x4a'"#, "AJ"), (#"$'\x4'"#, "\u{4}"), (#"$'\101\102'"#, "AB"), (#"$'\0101'"#, "\u{8}1"),
            (#"$'\u00e9'"#, "é"), (#"$'\U0001F600'"#, "😀"), (#"$'\e[0m'"#, "\u{1B}[0m"), (#"$'\E'"#, "\u{1B}"),
            (#"$'\a\b\f\v\r'"#, "\u{7}\u{8}\u{C}\u{B}\r"), (#"$'\cA\c?'"#, "\u{1}\u{7F}"), (#"$'\?'"#, "?"),
            (#"$'\q'"#, #"\q"#), (#"$'\x'"#, #"\x"#), (#"$'\c'"#, #"\c"#), (#"$'a\0b'"#, "a"), (#"$'a\x00b'"#, "a"),
            (#"$''"#, ""), (#"$'$HOME `id`'"#, "$HOME `id`"),
        ])
    func ansiC(_ source: String, _ decoded: String) throws {
        let word = try argument(source)
        #expect(word.parts == [.singleQuoted(decoded)])
    }

    @Test("$\"…\" is treated as double quotes")
    func localeQuotes() throws {
        #expect(try argument(#"$"hello $USER""#).parts == [.doubleQuoted([.literal("hello "), .parameter(name: "USER", expression: nil)])])
    }

    @Test("backslash outside quotes escapes the next character")
    func backslashEscapes() throws {
        #expect(try argument(#"a\ b"#).parts == [.literal("a b")])
        #expect(try argument(#"\$HOME"#).parts == [.literal("$HOME")])
        #expect(try argument(#"\*\?\[a\]"#).parts == [.literal("*?[a]")])
        #expect(try argument(#"\'\"\\"#).parts == [.literal(#"'"\"#)])
        #expect(try argument(#"\;\|\&\<\>\(\)"#).parts == [.literal(";|&<>()")])
        #expect(try argument(##"\#not-a-comment"##).parts == [.literal("#not-a-comment")])
        #expect(try argument(#"\~"#).parts == [.literal("~")])
        #expect(try argument(#"\{a,b\}"#).parts == [.literal("{a,b}")])
        #expect(try argument(#"\é"#).literalValue == "é")
        // At the very end of the line the backslash stays (as with `bash -c`).
        #expect(try simpleCommand(#"echo a \"#).words.map(\.literalValue) == ["echo", "a", #"\"#])
    }

    @Test("backslash-newline is removed entirely, inside and between words")
    func lineContinuation() throws {
        #expect(try simpleCommand("ec\\\nho hel\\\nlo").words.map(\.literalValue) == ["echo", "hello"])
        #expect(try simpleCommand("echo a \\\n  b").words.map(\.literalValue) == ["echo", "a", "b"])
        #expect(try dump("a \\\n| b") == "[a] | [b]")
        #expect(try argument("'a\\\nb'").literalValue == "a\\\nb")
    }

    @Test("quoted and unquoted pieces concatenate into one word")
    func concatenation() throws {
        let word = try argument(#"pre'single'"double"\ post$'\t'"#)
        #expect(word.parts == [.literal("pre"), .singleQuoted("single"), .doubleQuoted([.literal("double")]), .literal(" post"), .singleQuoted("\t")])
        #expect(word.literalValue == "presingledouble post\t")
        #expect(try argument(#"'it'"'"'s'"#).literalValue == "it's")
    }

    @Test("quoted words are never reserved words, globs or assignments")
    func quotingDisablesSpecialMeaning() throws {
        #expect(try dump(#""if" true"#) == #"["if" true]"#)
        #expect(try dump(#"'{' a"#) == "['{' a]")
        #expect(try argument(#""*.txt""#).literalValue == "*.txt")
        #expect(try argument(#""~/x""#).literalValue == "~/x")
        #expect(try argument(#"'{a,b}'"#).literalValue == "{a,b}")
        let command = try simpleCommand(#""A=1" cmd"#)
        #expect(command.assignments.isEmpty)
        #expect(command.words.map(\.literalValue) == ["A=1", "cmd"])
    }

    @Test("multi-byte UTF-8 passes through words unchanged")
    func unicode() throws {
        #expect(try simpleCommand("echo héllo 日本 'ça' \"ü\" 😀").words.map(\.literalValue) == ["echo", "héllo", "日本", "ça", "ü", "😀"])
    }

    @Test("carriage returns are ordinary word characters")
    func carriageReturn() throws {
        #expect(try simpleCommand("echo a\r\n").words.map(\.literalValue) == ["echo", "a\r"])
    }
}
