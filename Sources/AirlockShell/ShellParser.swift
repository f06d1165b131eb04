/// Parses a command line into a `Script`. Pure and total: every input ends in a script or a
/// `ParseError`, never a crash, however long, deep or binary it is.
///
/// It follows bash (as run by `bash -c`), and where bash leaves room the tree reads as follows:
///
/// - `${…}` is `.parameter(name:expression:substitutions:)`: the text inside the braces, plus
///   every script its operand or subscript can run, in source order (`${X:-$(cmd)}`), so that
///   `Word.substitutions` finds them.
/// - `a |& b` is `a 2>&1 | b`: a `2>&1` redirection is appended to `a`, after its own.
/// - `time [-p]` before a pipeline is dropped (it changes nothing about what runs); alone or
///   after `|` it is an ordinary command word, as in bash.
/// - Brace expansion is a `.brace` part (`{a,b}`, `{1..3}`). When quotes or expansions are inside
///   (`{a,"b c",$(d)}`), the braces become `.brace("{")` and `.brace("}")` around normally parsed
///   parts, so the word is never literal and its substitutions stay visible. A bracket expression
///   interrupted by quotes or expansions starts with `.glob("[")` for the same reason.
/// - Extended globs (`@(…)`, `!(…)`, …) are `.glob` parts, split around any substitution inside.
/// - `NAME=(…)` after `declare`, `local`, `export`, `readonly` or `typeset` is one word:
///   `NAME=(`, the elements' parts separated by spaces, `)`.
/// - Compound commands: `if` bodies are `[condition, then, (elif condition, then)…, else]`;
///   `while`/`until` `[condition, body]`; `for`/`select` have `name`, the `in` words (none without
///   `in`) and `[body]`; `for ((…))` and `((…))` have one `.arithmetic` word; `case` words are the
///   subject then every pattern, its bodies every arm (empty ones included); `[[ ]]` words are its
///   operands (not operators); a function definition has `name` and `[Script(body)]`, the
///   redirections written after the body staying on the body command.
/// - A heredoc's `target` is the delimiter as written (quoted parts kept as quoted parts, so
///   `literalValue` is the delimiter); its `heredocBody` is one `.literal` when the delimiter is
///   quoted, else the parsed expansions. Bodies are read after the line ends, several in order.
///
/// Deliberate differences from bash, all in the direction of refusing: NUL and other C0 control
/// bytes (`invalidCharacters`), an unterminated heredoc (bash warns and reads to the end),
/// nesting past `limits.maxDepth` or the parser's stack budget, and input longer than
/// `limits.maxLength`. `a[1 + 2]=x` (a subscript with blanks) is read as ordinary words, and
/// `coproc` as an ordinary command word, so `coproc { …; }` is refused.
public struct ShellParser: Sendable {
    /// Bounds past which the parser refuses rather than guesses.
    public struct Limits: Sendable, Hashable {
        /// Longest command line analysed, in UTF-8 bytes.
        public var maxLength: Int
        /// Deepest nesting of substitutions, subshells, groups and compound commands.
        public var maxDepth: Int

        public init(maxLength: Int = 256 * 1024, maxDepth: Int = 64) {
            self.maxLength = maxLength
            self.maxDepth = maxDepth
        }

        public static let standard = Limits()
    }

    public var limits: Limits

    public init(limits: Limits = .standard) { self.limits = limits }

    /// Nesting is also capped here whatever `limits.maxDepth` says; the parser additionally
    /// stops at a fixed stack budget (see `Parser.enter`), so no limit can let deep input
    /// exhaust the stack of a thread with a small (512 KiB) stack.
    static let hardMaxDepth = 1_000

    public func parse(_ text: String) throws(ParseError) -> Script {
        // O(1) for native strings, before anything is copied.
        let length = text.utf8.count
        if length > limits.maxLength {
            throw ParseError(.inputTooLong, offset: limits.maxLength, detail: "\(length) bytes, limit \(limits.maxLength)")
        }
        let bytes = Array(text.utf8)
        for (offset, byte) in bytes.enumerated() where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
            throw ParseError(.invalidCharacters, offset: offset, detail: "byte 0x\(String(byte, radix: 16))")
        }
        let maxDepth = max(0, min(limits.maxDepth, Self.hardMaxDepth))
        return try Parser.parseScript(
            bytes: bytes, start: 0, end: bytes.count, depth: 0, maxDepth: maxDepth, errorBase: 0, stackBase: Parser.stackAddress())
    }
}
