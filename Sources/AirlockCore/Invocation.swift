/// One argument after expansion as far as it can be known without running anything.
struct Arg: Sendable, Hashable {
    /// The value when `known`; otherwise the text as written (`$DIR/x`, `$(…)`).
    var text: String
    /// Fully known: no unresolved parameter, no substitution.
    var known: Bool
    /// Contains unquoted glob characters that the shell would expand.
    var glob: Bool

    init(_ text: String, known: Bool = true, glob: Bool = false) {
        self.text = text
        self.known = known
        self.glob = glob
    }
}

/// Where a command's standard input comes from, as far as the analysis can tell.
enum Stdin: Sendable, Hashable {
    /// The terminal or whatever the caller provides: nothing known.
    case inherited
    /// Known text (a heredoc, a here-string, `echo '…' |`).
    case text(String)
    /// A file (`< file`, `cat file |`).
    case file(String)
    /// Something only known at run time (`curl … |`, `base64 -d |`).
    case dynamic(String)
}

/// A program about to run: its argv, environment, standard input and where it sits.
struct Invocation: Sendable {
    var name: String
    /// The program as written (`./deploy.sh`, `/usr/bin/git`), before taking its basename.
    var path: String = ""
    var args: [Arg]
    /// The environment it would see, including `VAR=x` prefixes and `export`s earlier in the line.
    var environment: EnvironmentView
    var stdin: Stdin
    var frame: Frame
    /// Paths its redirections read or write.
    var redirectPaths: [PathAccess]

    var argTexts: [String] { args.map(\.text) }
}

/// An environment seen in layers: what the line set (`VAR=x`, `export`) over the context's
/// environment, which is shared rather than copied for every command.
struct EnvironmentView: Sendable {
    /// Variables the line itself set, winning over `base`.
    var overrides: [String: String]
    /// The context's environment; empty on a remote host.
    var base: [String: String]

    subscript(name: String) -> String? { overrides[name] ?? base[name] }
}

/// The value recorded for a variable set from something only known at run time
/// (`DATABASE_URL=$PROD_URL`, `X=$(cmd)`). It reads as a URL and a host in the reserved
/// `.invalid` domain, so whatever it locates maps to the `unknown` environment, never to
/// development by falling back to `.env`.
let computedValue = "computed://value.known.at.runtime.invalid"

/// What wrappers and interpreters pass down to the commands they run.
struct Frame: Sendable {
    var via: [String] = []
    var interpretationDepth: Int = 0
    /// Targets inherited from a wrapper that runs commands elsewhere (`ssh host`, `kubectl exec`).
    var inheritedTargets: [Target] = []
    /// Commands run on another machine: local paths and local environment do not apply.
    var remote: Bool = false
    /// The directory commands run in; nil once a `cd` went somewhere not known.
    var cwd: String?
    /// Variables set earlier in the line (`X=1; export Y=2`), over the context environment.
    var environment: [String: String] = [:]
    /// Tool state changed earlier in the line (`kubectl config use-context prod`,
    /// `terraform workspace select prod`) that later commands act under.
    var toolState: [ToolStateKey: String] = [:]

    func entering(_ wrapper: String) -> Frame {
        var next = self
        next.via.append(wrapper)
        return next
    }
}

/// Tool state a command line can change for the commands after it.
enum ToolStateKey: Sendable, Hashable {
    case kubeContext, terraformWorkspace
}

/// Splits arguments into options and operands given which options take a value. Handles
/// `--opt=value`, `--opt value`, `-xVALUE`, `-x value`, clustered short flags (`-rf`) and `--`.
struct OptionScan: Sendable {
    struct Option: Sendable, Hashable {
        var name: String
        var value: String?
    }

    var options: [Option] = []
    /// Non-option arguments, with their index in the original list.
    var operands: [(index: Int, arg: Arg)] = []
    /// Index of the first argument after `--`, if present.
    var doubleDashIndex: Int?

    /// - Parameters:
    ///   - valued: options that take a value (`-h`, `--host`): an array literal at call sites
    ///     (hashing a set's members on every call costs more than a short scan), or a set
    ///     built once for the long lists of subcommand tools.
    ///   - stopAtFirstOperand: POSIX style (`sudo`, `ssh`): options end at the first operand.
    init<Names: Collection<String>>(_ args: [Arg], valued: Names, stopAtFirstOperand: Bool = false) {
        // Works on UTF-8 bytes: option syntax is ASCII, and Character-level string operations
        // (grapheme counting and searching) cost more than the rest of the scan.
        let dash = UInt8(ascii: "-")
        let equals = UInt8(ascii: "=")
        var i = 0
        var onlyOperands = false
        while i < args.count {
            let arg = args[i]
            let text = arg.text
            let bytes = text.utf8
            let count = bytes.count
            if onlyOperands || !arg.known || count < 2 || bytes.first != dash {
                operands.append((i, arg))
                if stopAtFirstOperand { onlyOperands = true }
                i += 1
                continue
            }
            let second = bytes[bytes.index(after: bytes.startIndex)]
            if second == dash && count == 2 {
                doubleDashIndex = i + 1
                onlyOperands = true
                i += 1
                continue
            }
            let eq = bytes.firstIndex(of: equals)
            if second == dash {
                if let eq {
                    options.append(Option(name: String(text[..<eq]), value: String(text[text.index(after: eq)...])))
                } else if valued.contains(text) {
                    options.append(Option(name: text, value: i + 1 < args.count ? args[i + 1].text : nil))
                    i += 1
                } else {
                    options.append(Option(name: text, value: nil))
                }
                i += 1
                continue
            }
            // Single-dash: a valued long-ish option (`-chdir=x`, `-var-file`) or a cluster.
            if let eq {
                let name = String(text[..<eq])
                if valued.contains(name) || count > 3 {
                    options.append(Option(name: name, value: String(text[text.index(after: eq)...])))
                    i += 1
                    continue
                }
            }
            if valued.contains(text) {
                options.append(Option(name: text, value: i + 1 < args.count ? args[i + 1].text : nil))
                i += 2
                continue
            }
            // Single-dash long options (`-destroy`, `-auto-approve`) are recorded whole as
            // well as letter by letter, so either reading can be matched.
            if count > 2 { options.append(Option(name: text, value: nil)) }
            var consumedNext = false
            var position = text.index(after: text.startIndex)
            while position < text.endIndex {
                let next = text.index(after: position)
                let flag = "-" + text[position..<next]
                if valued.contains(flag) {
                    if next < text.endIndex {
                        options.append(Option(name: flag, value: String(text[next...])))
                    } else {
                        options.append(Option(name: flag, value: i + 1 < args.count ? args[i + 1].text : nil))
                        consumedNext = true
                    }
                    break
                }
                options.append(Option(name: flag, value: nil))
                position = next
            }
            i += consumedNext ? 2 : 1
        }
    }

    func has(_ names: String...) -> Bool { options.contains { names.contains($0.name) } }

    /// The last value given for any of the names (later options override earlier ones).
    func value(_ names: String...) -> String? {
        options.last { names.contains($0.name) }?.value
    }

    func values(_ names: String...) -> [String] {
        options.filter { names.contains($0.name) }.compactMap(\.value)
    }

    var operandTexts: [String] { operands.map(\.arg.text) }
}
