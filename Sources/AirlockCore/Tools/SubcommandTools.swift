import Synchronization
/// Classification of the subcommand-driven CLIs listed in `ToolCatalog`, by the rules of
/// their `ToolSpec`.
enum SubcommandTools {
    /// The handler for a catalogued program. Nothing is built per program until one is met:
    /// a hook is a new process per tool call, and preparing the catalogue (hundreds of rules)
    /// up front cost more than the rest of the decision.
    static func handler(for name: String) -> Tools.Handler? {
        guard let position = positions[name] else { return nil }
        return { invocation, session in classify(invocation, prepared: preparedSpec(position), session: session) }
    }

    /// Program name → its entry in `ToolCatalog.programs` (the first entry naming it).
    private static let positions: [String: Int] = {
        var table: [String: Int] = Dictionary(minimumCapacity: 64)
        for (position, program) in ToolCatalog.programs.enumerated() {
            for name in program.names where table[name] == nil { table[name] = position }
        }
        return table
    }()

    private static let prepared = Mutex<[Int: PreparedSpec]>([:])

    private static func preparedSpec(_ position: Int) -> PreparedSpec {
        prepared.withLock { cache in
            if let ready = cache[position] { return ready }
            let made = PreparedSpec(ToolCatalog.programs[position].spec())
            cache[position] = made
            return made
        }
    }

    /// A spec with its option names hashed and its rules indexed by their first word, built
    /// once: the catalogue's longest specs have over a hundred rules.
    final class PreparedSpec: Sendable {
        let spec: ToolSpec
        let valued: Set<String>
        private let rulesByFirstWord: [String: [Int]]
        private let rulesWithWildcardFirst: [Int]

        init(_ spec: ToolSpec) {
            self.spec = spec
            valued = Set(spec.valued)
            var byFirst: [String: [Int]] = [:]
            var wildcard: [Int] = []
            for (index, rule) in spec.rules.enumerated() {
                if let first = rule.pattern.first, Glob.isLiteral(first) {
                    byFirst[first, default: []].append(index)
                } else {
                    wildcard.append(index)
                }
            }
            rulesByFirstWord = byFirst
            rulesWithWildcardFirst = wildcard
        }

        /// Indices of the rules that can match operations starting with `first`, in order.
        func candidates(first: String?) -> [Int] {
            let literal = first.flatMap { rulesByFirstWord[$0] } ?? []
            if rulesWithWildcardFirst.isEmpty { return literal }
            if literal.isEmpty { return rulesWithWildcardFirst }
            return (literal + rulesWithWildcardFirst).sorted()
        }
    }

    static func classify(_ invocation: Invocation, prepared: PreparedSpec, session: AnalysisSession) {
        let spec = prepared.spec
        var args = invocation.args
        if let inner = spec.innerCommand {
            let scan = OptionScan(args, valued: prepared.valued)
            if scan.operands.first?.arg.text == inner.verb {
                // Only the tool's own options (before the wrapped command) locate the target.
                let start = innerStart(args, scan: scan, inner: inner)
                let own = OptionScan(Array(args[..<(start ?? args.count)]), valued: prepared.valued)
                let targets = resolveTargets(spec.targets, scan: own, invocation: invocation, session: session)
                runInner(invocation, start: start, inner: inner, targets: targets, session: session)
                return
            }
        }
        if let dash = args.firstIndex(where: { $0.text == "--" }) { args = Array(args[..<dash]) }
        let scan = OptionScan(args, valued: prepared.valued)
        let operands = Array(scan.operandTexts.prefix(spec.operandWords))
        let targets = resolveTargets(spec.targets, scan: scan, invocation: invocation, session: session)

        let matched = prepared.candidates(first: operands.first).first { matches(spec.rules[$0], operands: operands, options: scan.options) }.map { spec.rules[$0] }
        let subcommand = operands.prefix(max(matched?.pattern.count ?? 1, 1)).joined(separator: " ")
        var effect = matched?.effect ?? spec.fallback
        var reason: String
        if let matched {
            reason = matched.reason ?? "\(invocation.name) \(subcommand) \(describe(effect))"
        } else {
            reason = "\(invocation.name) \(operands.first ?? "") is not a known read, so it counts as a write"
        }
        if operands.isEmpty && scan.options.allSatisfy({ ["--help", "-h", "--version", "-v", "version", "help"].contains($0.name) }) {
            effect = .read
            reason = "\(invocation.name) prints help or its version"
        } else if let flag = scan.options.first(where: { isDryRunOrHelp($0, spec: spec) }) {
            effect = .read
            reason = "\(flag.name) only shows what would happen"
        }
        Tools.emit(invocation.command(effect, reason, subcommand: subcommand.isEmpty ? nil : subcommand, targets: targets), invocation, session: session)
    }

    /// `--dry-run` (but not `--dry-run=none`), `--dryrun`, and help flags the tool does not
    /// use for something else: the operation only reports.
    static func isDryRunOrHelp(_ option: OptionScan.Option, spec: ToolSpec) -> Bool {
        switch option.name {
        case "--dry-run", "--dryrun", "--dry_run", "--what-if": return option.value?.lowercased() != "none"
        case "--help", "-help": return true
        case "-h": return !spec.valued.contains("-h")
        default: return false
        }
    }

    static func describe(_ effect: EffectClass) -> String {
        switch effect {
        case .read: "only reads"
        case .write: "changes resources"
        case .destructive: "destroys resources or data"
        case .opaque: "has an effect that cannot be known from the command"
        }
    }

    /// A rule matches when its pattern matches the leading operands and, if it names flags,
    /// one of them is present (`NAME=VALUE` requires that value, case-insensitively).
    static func matches(_ rule: VerbRule, operands: [String], options: [OptionScan.Option]) -> Bool {
        guard rule.pattern.count <= operands.count else { return false }
        for (pattern, word) in zip(rule.pattern, operands) where !Glob.match(pattern, word) { return false }
        guard let required = rule.flags else { return true }
        return required.contains { flag in
            if let eq = flag.firstIndex(of: "=") {
                let name = String(flag[..<eq])
                let value = flag[flag.index(after: eq)...].uppercased()
                return options.contains { $0.name == name && $0.value?.uppercased() == value }
            }
            return options.contains { $0.name == flag }
        }
    }

    static func resolveTargets(_ sources: [TargetSource], scan: OptionScan, invocation: Invocation, session: AnalysisSession) -> [Target] {
        for source in sources {
            switch source {
            case .flag(let names, let kind):
                if let value = scan.options.last(where: { names.contains($0.name) })?.value, !value.isEmpty {
                    return [Target(kind, value, source: "\(invocation.name) \(names[0])")]
                }
            case .environment(let names, let kind):
                for name in names {
                    if let (value, origin) = invocation.lookup(name, session: session) { return [Target(kind, value, source: origin)] }
                }
            case .databaseURL(let names):
                for name in names {
                    if let (value, origin) = invocation.lookup(name, session: session) {
                        if let targets = DatabaseClients.connectionTargets(value, source: origin) ?? DatabaseClients.mongoHosts(value, source: origin), !targets.isEmpty {
                            return targets
                        }
                        if value.hasPrefix("file:") || value.hasSuffix(".db") || value.hasSuffix(".sqlite") {
                            return [Target(.socket, value, source: origin)]
                        }
                    }
                }
            case .kubeconfig:
                if let context = Kubeconfig.currentContext(invocation: invocation, session: session) { return [context] }
            case .terraformWorkspace:
                return [TerraformWorkspace.current(scan: scan, invocation: invocation, session: session)]
            case .presence(let names, let kind, let value):
                if scan.options.contains(where: { names.contains($0.name) }) { return [Target(kind, value, source: "\(invocation.name) \(names[0])")] }
            case .all(let sources):
                let found = sources.flatMap { resolveTargets([$0], scan: scan, invocation: invocation, session: session) }
                    .filter { target in !invocation.frame.inheritedTargets.contains(target) }
                if !found.isEmpty { return found }
            case .fixed(let kind, let value):
                if !invocation.frame.inheritedTargets.isEmpty { return invocation.frame.inheritedTargets }
                return [Target(kind, value, source: "\(invocation.name) default")]
            }
        }
        return invocation.frame.inheritedTargets
    }

    /// Where the wrapped command starts: after `--`, or after the container operand.
    static func innerStart(_ args: [Arg], scan: OptionScan, inner: InnerCommand) -> Int? {
        if inner.afterOperand, let verb = scan.operands.first(where: { $0.arg.text == inner.verb }) {
            // `docker exec [opts] CONTAINER CMD…`: rescan with the subcommand's own options.
            let rest = Array(args[(verb.index + 1)...])
            let own = OptionScan(rest, valued: inner.valued, stopAtFirstOperand: true)
            if let dash = own.doubleDashIndex, own.operands.first.map({ $0.index < dash }) ?? false {
                return verb.index + 1 + dash
            }
            if let container = own.operands.first, container.index + 1 < rest.count {
                let next = container.index + 1
                return verb.index + 1 + (rest[next].text == "--" ? next + 1 : next)
            }
            return nil
        }
        if let dash = args.firstIndex(where: { $0.text == "--" }) { return dash + 1 }
        // `railway run CMD`, `heroku run CMD`: the command is the first operand after the verb.
        if let verb = scan.operands.first(where: { $0.arg.text == inner.verb }) {
            let rest = Array(args[(verb.index + 1)...])
            let own = OptionScan(rest, valued: inner.valued, stopAtFirstOperand: true)
            if let command = own.operands.first { return verb.index + 1 + command.index }
        }
        return nil
    }

    static func runInner(_ invocation: Invocation, start: Int?, inner: InnerCommand, targets: [Target], session: AnalysisSession) {
        let args = invocation.args
        let label = "\(invocation.name) \(inner.verb)"
        guard let start, start < args.count else {
            Tools.emit(invocation.command(.opaque, "\(label) opens an interactive shell", subcommand: inner.verb, targets: targets, interactive: true), invocation, session: session)
            return
        }
        let frame = invocation.remoteFrame(label, targets: targets)
        session.run(Array(args[start...]), assignments: [:], stdin: invocation.stdin, redirects: invocation.redirectPaths, frame: frame)
    }
}

/// The current kubeconfig context, read from `KUBECONFIG` (first file) or `~/.kube/config`.
enum Kubeconfig {
    static func currentContext(invocation: Invocation, session: AnalysisSession) -> Target? {
        if let context = invocation.frame.toolState[.kubeContext] {
            return Target(.kubeContext, context, source: "kubectl config use-context earlier in the line")
        }
        guard !invocation.frame.remote else { return nil }
        var files: [(String, String)] = []
        if let paths = invocation.environment["KUBECONFIG"], !paths.isEmpty {
            files = paths.split(separator: ":").map { (String($0), "KUBECONFIG current-context") }
        } else {
            files = [(session.context.homeDirectory + "/.kube/config", "~/.kube/config current-context")]
        }
        for (path, source) in files {
            guard let text = session.readFile(path) else { continue }
            for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("current-context:") {
                let value = line.dropFirst("current-context:".count).trimmingSpaces().trimmingCharacters(in: "\"'")
                if !value.isEmpty { return Target(.kubeContext, value, source: source) }
            }
        }
        return nil
    }
}

/// The Terraform workspace a command acts in.
enum TerraformWorkspace {
    static func current(scan: OptionScan, invocation: Invocation, session: AnalysisSession) -> Target {
        if let (value, source) = invocation.lookup("TF_WORKSPACE", session: session) { return Target(.workspace, value, source: source) }
        if let selected = invocation.frame.toolState[.terraformWorkspace] {
            return Target(.workspace, selected, source: "terraform workspace select earlier in the line")
        }
        var directory = invocation.frame.cwd ?? session.context.workingDirectory
        if let chdir = scan.value("-chdir") { directory = Paths.resolve(chdir, cwd: directory, home: session.context.homeDirectory) }
        if !invocation.frame.remote, let text = session.readFile(directory + "/.terraform/environment") {
            let name = text.trimmingSpaces().trimmingCharacters(in: "\n")
            if !name.isEmpty { return Target(.workspace, name, source: ".terraform/environment") }
        }
        return Target(.workspace, "default", source: "terraform default workspace")
    }
}
