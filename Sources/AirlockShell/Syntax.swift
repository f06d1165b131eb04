/// The syntax tree of a POSIX/bash command line, as far as Airlock needs it to know which
/// commands would run. It keeps every place a shell executes code (command and process
/// substitutions, heredoc bodies, compound command bodies) so nothing is hidden from analysis.
///
/// A `Script` is a list of and-or lists separated by `;`, `&` or newlines.
public struct Script: Sendable, Hashable {
    public var items: [ListItem]

    public init(items: [ListItem] = []) { self.items = items }
}

/// One entry of a list: an and-or list, run in the background when terminated by `&`.
public struct ListItem: Sendable, Hashable {
    public var andOr: AndOrList
    public var background: Bool

    public init(andOr: AndOrList, background: Bool = false) {
        self.andOr = andOr
        self.background = background
    }
}

/// Pipelines joined by `&&` and `||`.
public struct AndOrList: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable { case and = "&&", or = "||" }

    public var first: Pipeline
    public var rest: [Link]

    public struct Link: Sendable, Hashable {
        public var op: Operator
        public var pipeline: Pipeline
        public init(op: Operator, pipeline: Pipeline) {
            self.op = op
            self.pipeline = pipeline
        }
    }

    public init(first: Pipeline, rest: [Link] = []) {
        self.first = first
        self.rest = rest
    }

    /// Every pipeline of the list, in order.
    public var pipelines: [Pipeline] { [first] + rest.map(\.pipeline) }
}

/// Commands joined by `|` (or `|&`), optionally negated with `!`.
public struct Pipeline: Sendable, Hashable {
    public var negated: Bool
    public var commands: [Command]

    public init(negated: Bool = false, commands: [Command]) {
        self.negated = negated
        self.commands = commands
    }
}

/// One command of a pipeline.
public indirect enum Command: Sendable, Hashable {
    /// `VAR=x cmd arg… >file`
    case simple(SimpleCommand)
    /// `( … )`
    case subshell(Script, redirections: [Redirection])
    /// `{ …; }`
    case group(Script, redirections: [Redirection])
    /// `if`, `while`, `until`, `for`, `select`, `case`, `[[ … ]]`, `(( … ))` and function
    /// definitions. `bodies` holds every script the construct may run (conditions included);
    /// `words` holds words the construct expands itself (a `for` list, a `case` subject and its
    /// patterns, the operands of `[[ ]]`), whose substitutions run too.
    case compound(CompoundCommand)
}

/// A compound command, kept only as deep as analysis needs.
public struct CompoundCommand: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case ifClause = "if", whileLoop = "while", untilLoop = "until", forLoop = "for"
        case selectLoop = "select", caseClause = "case", testExpression = "[["
        case arithmetic = "(("
        case functionDefinition = "function"
    }

    public var kind: Kind
    /// For a function definition, its name; for `for`/`select`, the loop variable.
    public var name: String?
    public var bodies: [Script]
    public var words: [Word]
    public var redirections: [Redirection]

    public init(kind: Kind, name: String? = nil, bodies: [Script] = [], words: [Word] = [], redirections: [Redirection] = []) {
        self.kind = kind
        self.name = name
        self.bodies = bodies
        self.words = words
        self.redirections = redirections
    }
}

/// `NAME=value cmd …`: assignments, words (the first is the command name) and redirections in
/// the order the shell would apply them.
public struct SimpleCommand: Sendable, Hashable {
    public var assignments: [Assignment]
    public var words: [Word]
    public var redirections: [Redirection]

    public init(assignments: [Assignment] = [], words: [Word] = [], redirections: [Redirection] = []) {
        self.assignments = assignments
        self.words = words
        self.redirections = redirections
    }
}

/// `NAME=value`, `NAME+=value`, or `NAME=(a b c)` (then `value` is nil and `array` holds the words).
public struct Assignment: Sendable, Hashable {
    public var name: String
    public var append: Bool
    public var value: Word?
    public var array: [Word]?

    public init(name: String, append: Bool = false, value: Word?, array: [Word]? = nil) {
        self.name = name
        self.append = append
        self.value = value
        self.array = array
    }
}

/// A redirection such as `2>&1`, `>> log`, `< input`, `<<EOF … EOF` or `<<< "text"`.
public struct Redirection: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable {
        case input = "<", output = ">", append = ">>", clobber = ">|", readWrite = "<>"
        case duplicateInput = "<&", duplicateOutput = ">&"
        case outputAndError = "&>", appendOutputAndError = "&>>"
        case heredoc = "<<", heredocStripTabs = "<<-", hereString = "<<<"
    }

    /// The file descriptor written before the operator (`2>`), or `{var}`-style names kept as text.
    public var fd: String?
    public var op: Operator
    /// The file, descriptor or here-string word; for heredocs, the delimiter word as written.
    public var target: Word
    /// The body of a heredoc. A quoted delimiter makes the body literal (a single `.literal`
    /// part); otherwise it holds the expansions the shell performs, including substitutions.
    public var heredocBody: Word?

    public init(fd: String? = nil, op: Operator, target: Word, heredocBody: Word? = nil) {
        self.fd = fd
        self.op = op
        self.target = target
        self.heredocBody = heredocBody
    }
}

/// A shell word: a sequence of parts whose concatenation the shell computes at run time.
public struct Word: Sendable, Hashable {
    public var parts: [WordPart]

    public init(_ parts: [WordPart]) { self.parts = parts }

    /// A word made of one literal.
    public static func literal(_ text: String) -> Word { Word([.literal(text)]) }
}

/// A piece of a word.
public indirect enum WordPart: Sendable, Hashable {
    /// Unquoted text with backslash escapes already removed.
    case literal(String)
    /// `'text'` or `$'text'` (ANSI-C escapes already decoded).
    case singleQuoted(String)
    /// `"…"` with its inner parts (literals, parameters, substitutions).
    case doubleQuoted([WordPart])
    /// `$NAME`, `${NAME}`, `$1`, `$@`: `name` is the parameter; `expression` is the full text
    /// inside braces when it is more than a name (`${X:-/}`, `${#X}`, `${X//a/b}`), else nil.
    /// `substitutions` holds, in source order, every script the expression can run: command and
    /// process substitutions in its operand or subscript, including those nested in inner
    /// `${…}`, double quotes or `$((…))` (`${X:-$(cmd)}` → `[cmd]`). Empty for plain names.
    case parameter(name: String, expression: String?, substitutions: [Script] = [])
    /// `$(…)` or `` `…` ``: a command substitution; its script runs.
    case commandSubstitution(Script)
    /// `<(…)` or `>(…)`: a process substitution; its script runs.
    case processSubstitution(Script, output: Bool)
    /// `$(( … ))`: arithmetic expansion, kept as text (it may contain substitutions, which
    /// are parsed into `substitutions`).
    case arithmetic(String, substitutions: [Script])
    /// Unquoted glob characters (`*`, `?`, `[…]`) or a leading `~`/`~user`: the shell expands
    /// them, so the word's value is not literally this text.
    case glob(String)
    /// `{a,b}` or `{1..3}` brace expansion, kept as text.
    case brace(String)
}

/// Why a command line could not be parsed. Analysis treats every one of these as a reason to
/// refuse the command: a shell would reject it, or would run something we cannot see.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case unterminatedSingleQuote = "unterminated single quote"
        case unterminatedDoubleQuote = "unterminated double quote"
        case unterminatedBacktick = "unterminated backtick substitution"
        case unterminatedSubstitution = "unterminated $( ) substitution"
        case unterminatedParameter = "unterminated ${ } expansion"
        case unterminatedHeredoc = "heredoc without its terminating delimiter"
        case unexpectedToken = "unexpected token"
        case missingKeyword = "incomplete compound command"
        case nestingTooDeep = "nesting deeper than the analysis bound"
        case inputTooLong = "command line longer than the analysis bound"
        case invalidCharacters = "NUL or other binary bytes in the command line"
    }

    public var kind: Kind
    /// Byte offset in the input where the problem was found.
    public var offset: Int
    /// Extra detail such as the unexpected token.
    public var detail: String?

    public init(_ kind: Kind, offset: Int, detail: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        var text = "\(kind.rawValue) at offset \(offset)"
        if let detail { text += " (\(detail))" }
        return text
    }
}
