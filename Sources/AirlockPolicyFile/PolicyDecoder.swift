import AirlockSQL
import AirlockCore
import Yams

/// Turns a composed YAML tree into a `Policy`, collecting every problem it finds (with its line)
/// instead of stopping at the first. The result is only used when there are no errors.
struct PolicyDecoder {
    enum Kind {
        /// The user's policy: every key allowed.
        case base
        /// A project's `.airlock/policy.yaml`: only `version`, a `breaker` and deny/ask `rules`,
        /// naming the environments of the base policy it is layered on.
        case workspace(baseEnvironments: [EnvironmentDefinition])
    }

    /// More than this many errors means something else is wrong (wrong file, broken
    /// indentation); the rest would only bury the first ones.
    static let maxErrors = 100

    let file: String
    let kind: Kind
    private(set) var errors: [PolicyError] = []
    private var environmentReferences: [(name: String, node: Node, rule: String)] = []
    /// Every environment name written, valid or not: a rule naming one that was refused
    /// (`local`, `Production`) gets no second error for it.
    private var writtenEnvironmentNames: Set<String> = []

    init(file: String, kind: Kind) {
        self.file = file
        self.kind = kind
    }

    private var isWorkspace: Bool {
        if case .workspace = kind { return true }
        return false
    }

    // MARK: Errors

    mutating func error(_ node: Node?, _ message: String) {
        error(line: node?.mark?.line, column: node?.mark?.column, message)
    }

    mutating func error(line: Int?, column: Int? = nil, _ message: String) {
        errors.append(PolicyError(file: file, line: line, column: column, message: message))
    }

    /// Errors in file order, capped.
    var sortedErrors: [PolicyError] {
        let sorted = errors.enumerated().sorted { a, b in
            let la = a.element.line ?? 0, lb = b.element.line ?? 0
            if la != lb { return la < lb }
            let ca = a.element.column ?? 0, cb = b.element.column ?? 0
            if ca != cb { return ca < cb }
            return a.offset < b.offset
        }.map(\.element)
        guard sorted.count > Self.maxErrors else { return sorted }
        var capped = Array(sorted.prefix(Self.maxErrors))
        let last = capped.last?.line
        capped.append(PolicyError(file: file, line: last, message: "\(sorted.count - Self.maxErrors) more problems not shown; fix these first"))
        return capped
    }

    // MARK: The document

    mutating func decodePolicy(_ root: Node?) -> Policy? {
        guard let root, !Self.isNull(root) else {
            error(line: 1, "the policy file is empty; it needs at least 'version: 1'")
            return nil
        }
        guard case .mapping(let mapping) = root else {
            error(root, "a policy must be a mapping with the keys version, mode, default, environments and rules, not \(Self.describe(root))")
            return nil
        }

        var policy = Policy(source: file)
        var version: Int? = nil
        var sawVersion = false
        var environmentsNode: Node? = nil
        var rulesNode: Node? = nil
        let known = isWorkspace ? PolicyKeys.workspaceTopLevel : PolicyKeys.topLevel

        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: "at the top level") else { continue }
            if isWorkspace, ["mode", "default", "environments"].contains(key) {
                error(keyNode, "a workspace policy may only add restrictions (rules that deny or ask, a breaker); '\(key)' can only be set in the user's policy ($AIRLOCK_HOME/policy.yaml or --policy)")
                continue
            }
            switch key {
            case "version":
                sawVersion = true
                version = decodeVersion(value)
            case "mode":
                if let text = text(value, "'mode'") {
                    if let mode = Policy.Mode(rawValue: text) {
                        policy.mode = mode
                    } else {
                        error(value, "invalid mode '\(Self.display(text))'; expected enforce or monitor" + didYouMean(text, Policy.Mode.allCases.map(\.rawValue)))
                    }
                }
            case "default":
                if let verdict = decodeVerdict(value, what: "'default'") { policy.defaultDecision = verdict }
            case "breaker":
                policy.breaker = decodeBreaker(value)
            case "environments":
                environmentsNode = value
            case "rules":
                rulesNode = value
            default:
                unknownKey(keyNode, key, known: known, place: "at the top level")
            }
        }

        if !sawVersion {
            error(root, "the policy has no 'version'; add 'version: 1' at the top")
        }
        policy.version = version ?? 1

        if let environmentsNode { policy.environments = decodeEnvironments(environmentsNode) }
        if let rulesNode { policy.rules = decodeRules(rulesNode) }
        checkEnvironmentReferences(declared: declaredEnvironments(policy))
        return errors.isEmpty ? policy : nil
    }

    private func declaredEnvironments(_ policy: Policy) -> [EnvironmentDefinition] {
        switch kind {
        case .base: policy.environments
        case .workspace(let environments): environments
        }
    }

    private mutating func decodeVersion(_ node: Node) -> Int? {
        guard let text = text(node, "'version'") else { return nil }
        guard let number = Int(text) else {
            error(node, "'version' must be the number 1, not '\(Self.display(text))'")
            return nil
        }
        guard number == 1 else {
            error(node, "unsupported policy version \(number); this version of Airlock reads version 1")
            return nil
        }
        return number
    }

    private mutating func decodeVerdict(_ node: Node, what: String, rule: String? = nil) -> Verdict? {
        guard let text = text(node, what + (rule.map { " of \($0)" } ?? "")) else { return nil }
        if let verdict = Verdict(rawValue: text) { return verdict }
        let owner = rule.map { " in \($0)" } ?? ""
        error(node, "invalid decision '\(Self.display(text))'\(owner); expected allow, ask or deny" + didYouMean(text, Verdict.allCases.map(\.rawValue)))
        return nil
    }

    // MARK: Environments

    private mutating func decodeEnvironments(_ node: Node) -> [EnvironmentDefinition] {
        if Self.isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            error(node, "'environments' must be a mapping from environment names to their patterns (production: {hosts: [...]}), not \(Self.describe(node))")
            return []
        }
        var result: [EnvironmentDefinition] = []
        for (keyNode, value) in mapping {
            guard let name = keyName(keyNode, place: "in 'environments'") else { continue }
            writtenEnvironmentNames.insert(name)
            if name == EnvironmentResolver.local || name == EnvironmentResolver.unknown {
                error(keyNode, "'\(name)' is a built-in environment and cannot be declared: 'local' means a command with no remote target, 'unknown' a target no environment claims")
                continue
            }
            guard PolicyValues.isValidName(name) else {
                error(keyNode, "invalid environment name '\(Self.display(name))'; names use lowercase letters, digits, '-', '_' and '.', starting with a letter or digit")
                continue
            }
            result.append(decodeEnvironment(name, value))
        }
        return result
    }

    private mutating func decodeEnvironment(_ name: String, _ node: Node) -> EnvironmentDefinition {
        var environment = EnvironmentDefinition(name: name)
        if Self.isNull(node) { return environment }
        guard case .mapping(let mapping) = node else {
            error(node, "environment '\(name)' must be a mapping of patterns (hosts, kube_contexts, labels, …), not \(Self.describe(node))")
            return environment
        }
        let place = "in environment '\(name)'"
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            let what = "'\(key)' of environment '\(name)'"
            switch key {
            case "hosts":
                let hosts = textList(value, what, allowEmpty: true)
                for (host, hostNode) in hosts {
                    if let problem = PolicyValues.hostPatternProblem(host) { error(hostNode, problem + " (environment '\(name)')") }
                }
                environment.hosts = hosts.map(\.text)
            case "kube_contexts": environment.kubeContexts = textList(value, what, allowEmpty: true).map(\.text)
            case "aws_profiles": environment.awsProfiles = textList(value, what, allowEmpty: true).map(\.text)
            case "workspaces": environment.workspaces = textList(value, what, allowEmpty: true).map(\.text)
            case "projects": environment.projects = textList(value, what, allowEmpty: true).map(\.text)
            case "git_remotes": environment.gitRemotes = textList(value, what, allowEmpty: true).map(\.text)
            case "docker_hosts": environment.dockerHosts = textList(value, what, allowEmpty: true).map(\.text)
            case "labels":
                let labels = textList(value, what, allowEmpty: true)
                for (label, labelNode) in labels {
                    if let separator = label.first(where: { Self.labelSeparators.contains($0) }) {
                        error(labelNode, "label '\(Self.display(label))' of environment '\(name)' contains '\(separator)', but labels are matched against the words of a name split at . - _ / : @, so it could never match; use single words, or a pattern such as hosts: ['*\(Self.display(label))*']")
                    } else if !Glob.isLiteral(label) {
                        error(labelNode, "label '\(Self.display(label))' of environment '\(name)' contains a wildcard, but labels are whole words compared exactly; use a word, or put the pattern under hosts, kube_contexts, …")
                    }
                }
                environment.labels = labels.map(\.text)
            case "local_sockets":
                if let flag = bool(value, what) { environment.localSockets = flag }
            default:
                unknownKey(keyNode, key, known: PolicyKeys.environment, place: place)
            }
        }
        return environment
    }

    static let labelSeparators: Set<Character> = [".", "-", "_", "/", ":", "@"]

    // MARK: Rules

    private mutating func decodeRules(_ node: Node) -> [Rule] {
        if Self.isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            error(node, "'rules' must be a list, each rule starting with '- id: …', not \(Self.describe(node))")
            return []
        }
        var rules: [Rule] = []
        var firstLine: [String: Int] = [:]
        for (index, item) in sequence.enumerated() {
            guard case .mapping(let mapping) = item else {
                error(item, "rule \(index + 1) must be a mapping with id, decision, reason and when, not \(Self.describe(item))")
                continue
            }
            let rule = decodeRule(mapping, node: item, index: index)
            if let id = Self.ruleID(mapping) {
                if let line = firstLine[id] {
                    error(item, "duplicate rule id '\(id)' (first used on line \(line)); rule ids must be unique")
                    continue
                }
                firstLine[id] = item.mark?.line ?? 0
            }
            if let rule { rules.append(rule) }
        }
        return rules
    }

    private mutating func decodeRule(_ mapping: Node.Mapping, node: Node, index: Int) -> Rule? {
        // Name the rule in messages by its id when it has a usable one.
        let label = Self.ruleID(mapping).map { "rule '\($0)'" } ?? "rule \(index + 1)"
        let place = "in \(label)"

        var id: String? = nil
        var decision: Verdict? = nil
        var reason: String? = nil
        var when: Condition? = nil
        var unless: Condition? = nil
        var suggestion: String? = nil
        var approval: ApprovalRequirement? = nil
        var approvalNode: Node? = nil
        var limit: RateLimit? = nil
        var limitNode: Node? = nil
        var maxRows: Int? = nil
        var maxRowsNode: Node? = nil
        var examples = RuleExamples()
        var present: Set<String> = []

        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            present.insert(key)
            switch key {
            case "id":
                guard let text = text(value, "'id' of \(label)") else { break }
                if text.hasPrefix("workspace:") {
                    error(value, "rule id '\(Self.display(text))' starts with 'workspace:', which is reserved for rules from a workspace policy")
                } else if PolicyValues.isValidName(text) {
                    id = text
                } else {
                    error(value, "invalid rule id '\(Self.display(text))'; ids use lowercase letters, digits, '-', '_' and '.', starting with a letter or digit")
                }
            case "decision":
                decision = decodeVerdict(value, what: "'decision'", rule: label)
            case "reason":
                guard let text = text(value, "'reason' of \(label)") else { break }
                if text.allSatisfy(\.isWhitespace) {
                    error(value, "'reason' of \(label) is empty; say why the rule exists, it is shown with every decision it makes")
                } else {
                    reason = text
                }
            case "when":
                when = decodeCondition(value, role: "when", rule: label)
            case "unless":
                unless = decodeCondition(value, role: "unless", rule: label)
                if let condition = unless, condition.isEmpty, !Self.isNull(value) {
                    error(value, "'unless' of \(label) is empty, so it holds for every command and the rule could never apply; remove 'unless' or give it conditions")
                }
            case "suggestion":
                suggestion = text(value, "'suggestion' of \(label)")
            case "approval":
                approvalNode = keyNode
                approval = decodeApproval(value, rule: label)
            case "limit":
                limitNode = keyNode
                limit = decodeLimit(value, rule: label)
            case "max_rows":
                maxRowsNode = keyNode
                maxRows = positiveCount(value, "'max_rows' of \(label)")
            case "examples":
                examples = decodeExamples(value, rule: label)
            default:
                unknownKey(keyNode, key, known: PolicyKeys.rule, place: place)
            }
        }

        let missing = ["id", "decision", "reason", "when"].filter { !present.contains($0) }
        if !missing.isEmpty {
            let names = PolicyKeys.alternatives(missing.map { "'\($0)'" }).replacing(" or ", with: " and ")
            let hint = missing == ["when"] ? " (write 'when: {}' to match every command)" : ""
            error(node, "\(label) has no \(names); every rule needs id, decision, reason and when\(hint)")
        }
        if let decision, let approvalNode, decision != .ask {
            error(approvalNode, "\(label) has 'approval' but decides \(decision.rawValue); approval only applies to rules that decide ask")
        }
        // A limit replaces the rule's decision with a stricter one once the count is passed;
        // where nothing is stricter it could never change anything, which is surely a mistake.
        if let decision, let limitNode {
            if decision == .deny {
                error(limitNode, "\(label) has 'limit' but decides deny; nothing is stricter than deny, so the limit could never change anything (remove 'limit', or let the rule allow or ask)")
            } else if decision == .ask, limit?.then == .ask {
                error(limitNode, "\(label) decides ask and its limit's 'then' is ask too, so the limit could never change anything; use 'then: deny'")
            }
        }
        if let decision, let maxRowsNode, decision == .deny {
            error(maxRowsNode, "\(label) has 'max_rows' but decides deny; a denied statement changes no rows, so the cap could never apply (remove 'max_rows', or let the rule allow or ask)")
        }
        if isWorkspace, decision == .allow {
            error(node, "a workspace policy may only add rules that deny or ask; \(label) decides allow")
        }

        guard let id, let decision, let reason, let when else { return nil }
        return Rule(
            id: id, decision: decision, reason: reason, when: when, unless: unless, suggestion: suggestion,
            approval: approval, limit: limit, maxRows: maxRows, examples: examples, line: node.mark?.line)
    }

    /// The rule's id when it has a usable one.
    static func ruleID(_ mapping: Node.Mapping) -> String? {
        for (keyNode, value) in mapping where keyNode.string == "id" {
            if case .scalar(let scalar) = value, !isNull(value), PolicyValues.isValidName(scalar.string) {
                return scalar.string
            }
        }
        return nil
    }

    private mutating func decodeCondition(_ node: Node, role: String, rule: String) -> Condition? {
        if Self.isNull(node) {
            let hint = role == "when" ? "write 'when: {}' to match every command" : "remove 'unless' or give it conditions"
            error(node, "'\(role)' of \(rule) has no value; \(hint)")
            return nil
        }
        guard case .mapping(let mapping) = node else {
            error(node, "'\(role)' of \(rule) must be a mapping of conditions (binary, environment, effect_class, …), not \(Self.describe(node))")
            return nil
        }
        var condition = Condition()
        let place = "in '\(role)' of \(rule)"
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            let what = "'\(key)' in '\(role)' of \(rule)"
            switch key {
            case "binary": condition.binaries = patterns(value, what)
            case "subcommand": condition.subcommands = patterns(value, what)
            case "args": condition.args = patterns(value, what)
            case "agent": condition.agents = patterns(value, what)
            case "user": condition.users = patterns(value, what)
            case "branch": condition.branches = patterns(value, what)
            case "tool": condition.tools = patterns(value, what)
            case "environment":
                let names = textList(value, what, allowEmpty: false)
                for (name, nameNode) in names { environmentReferences.append((name, nameNode, rule)) }
                if !names.isEmpty { condition.environments = names.map(\.text) }
            case "effect_class":
                let effects = effectClasses(textList(value, what, allowEmpty: false), place: place)
                if !effects.isEmpty { condition.effects = effects }
            case "path":
                let paths = textList(value, what, allowEmpty: false)
                for (path, pathNode) in paths {
                    if let problem = PolicyValues.pathPatternProblem(path) { error(pathNode, problem + " (\(rule))") }
                }
                if !paths.isEmpty { condition.paths = paths.map(\.text) }
            case "path_access":
                if let (text, textNode) = textList(value, what, allowEmpty: false).first {
                    if let mode = PathAccess.Mode(rawValue: text) {
                        condition.pathAccess = mode
                    } else {
                        error(textNode, "unknown path access '\(Self.display(text))' \(place); expected read or write")
                    }
                }
            case "interactive":
                condition.interactive = bool(value, what)
            case "sql":
                condition.sql = decodeSQL(value, place: "in 'sql' of '\(role)' of \(rule)")
            default:
                var message = "unknown key '\(Self.display(key))' \(place)"
                if PolicyKeys.rule.contains(key) {
                    message += "; '\(key)' belongs to the rule itself, not to '\(role)' (check the indentation)"
                } else {
                    message += suggestionText(key, known: PolicyKeys.condition)
                }
                error(keyNode, message)
            }
        }
        return condition
    }

    /// `sql: {class: [...], tables: [...], kinds: [...], flags: [...]}`.
    private mutating func decodeSQL(_ node: Node, place: String) -> SQLCondition? {
        guard case .mapping(let mapping) = node else {
            error(node, "'sql' \(place.dropFirst(9)) must be a mapping such as {class: [destructive], tables: [sessions]}, not \(Self.describe(node))")
            return nil
        }
        var sql = SQLCondition()
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            let what = "'\(key)' \(place)"
            switch key {
            case "class":
                var classes: [SQLClass] = []
                for (name, nameNode) in textList(value, what, allowEmpty: false) {
                    if let sqlClass = SQLClass(rawValue: name) {
                        classes.append(sqlClass)
                    } else {
                        error(nameNode, "unknown SQL class '\(Self.display(name))' \(place); expected one of \(SQLClass.allCases.map(\.rawValue).joined(separator: ", "))" + didYouMean(name, SQLClass.allCases.map(\.rawValue)))
                    }
                }
                if !classes.isEmpty { sql.classes = classes }
            case "tables": sql.tables = patterns(value, what)
            case "kinds": sql.kinds = patterns(value, what)?.map { $0.uppercased() }
            case "flags":
                var flags: [SQLFlag] = []
                for (name, nameNode) in textList(value, what, allowEmpty: false) {
                    if let flag = SQLFlag(rawValue: name) {
                        flags.append(flag)
                    } else {
                        error(nameNode, "unknown SQL flag '\(Self.display(name))' \(place); expected one of \(SQLFlag.allCases.map(\.rawValue).joined(separator: ", "))" + didYouMean(name, SQLFlag.allCases.map(\.rawValue)))
                    }
                }
                if !flags.isEmpty { sql.flags = flags }
            default:
                error(keyNode, "unknown key '\(Self.display(key))' \(place)" + suggestionText(key, known: PolicyKeys.sql))
            }
        }
        if sql.isEmpty {
            error(node, "'sql' \(place.dropFirst(9)) has no conditions; give class, tables, kinds or flags")
            return nil
        }
        return sql
    }

    /// A condition's glob list; nil (with an error) when unusable.
    private mutating func patterns(_ node: Node, _ what: String) -> [String]? {
        let items = textList(node, what, allowEmpty: false)
        return items.isEmpty ? nil : items.map(\.text)
    }

    private mutating func decodeApproval(_ node: Node, rule: String) -> ApprovalRequirement? {
        guard case .mapping(let mapping) = node else {
            error(node, "'approval' of \(rule) must be a mapping such as {approvers: 1, expires: 15m}, not \(Self.describe(node))")
            return nil
        }
        var approval = ApprovalRequirement()
        let place = "in 'approval' of \(rule)"
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            switch key {
            case "approvers":
                if let count = positiveCount(value, "'approvers' of \(rule)") { approval.approvers = count }
            case "expires":
                if let seconds = duration(value, "'expires' of \(rule)") { approval.expires = seconds }
            case "via":
                guard let text = text(value, "'via' of \(rule)") else { break }
                if ["airlock", "host"].contains(text) {
                    approval.via = text
                } else {
                    error(value, "invalid 'via' '\(Self.display(text))' in \(rule); expected airlock (out-of-band approval) or host (the agent's own prompt)")
                }
            default:
                unknownKey(keyNode, key, known: PolicyKeys.approval, place: place)
            }
        }
        return approval
    }

    /// `limit: {count: 10, per: 1h, scope: agent, then: deny}`; `count` and `per` are required.
    private mutating func decodeLimit(_ node: Node, rule: String) -> RateLimit? {
        guard case .mapping(let mapping) = node else {
            error(node, "'limit' of \(rule) must be a mapping such as {count: 10, per: 1h, scope: agent, then: deny}, not \(Self.describe(node))")
            return nil
        }
        let place = "in 'limit' of \(rule)"
        var count: Int? = nil
        var per: Int? = nil
        var scope = RateLimit.Scope.agent
        var then = Verdict.deny
        var present: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            present.insert(key)
            let what = "'\(key)' \(place)"
            switch key {
            case "count":
                count = positiveCount(value, what)
            case "per":
                per = duration(value, what)
            case "scope":
                guard let text = text(value, what) else { break }
                if let parsed = RateLimit.Scope(rawValue: text) {
                    scope = parsed
                } else {
                    error(value, "invalid scope '\(Self.display(text))' \(place); expected agent (each agent counted on its own), session (each session of an agent) or rule (every use of the rule together)" + didYouMean(text, RateLimit.Scope.allCases.map(\.rawValue)))
                }
            case "then":
                guard let text = text(value, what) else { break }
                if let verdict = Verdict(rawValue: text), verdict != .allow {
                    then = verdict
                } else if text == Verdict.allow.rawValue {
                    error(value, "'then' \(place) cannot be allow: past its limit a rule can only get stricter; use deny or ask")
                } else {
                    error(value, "invalid decision '\(Self.display(text))' for 'then' \(place); expected deny or ask" + didYouMean(text, ["deny", "ask"]))
                }
            default:
                unknownKey(keyNode, key, known: PolicyKeys.limit, place: place)
            }
        }
        if let missing = missingKeys(["count", "per"], present: present) {
            error(node, "'limit' of \(rule) has no \(missing); a limit needs count and per (scope and then are optional), such as {count: 10, per: 1h}")
        }
        guard let count, let per else { return nil }
        return RateLimit(count: count, per: per, scope: scope, then: then)
    }

    /// The top-level `breaker:`: `{denials: 3, within: 10m, effect_class: [destructive], then:
    /// {freeze: {scope: agent, level: writes, for: 30m}}}`, or `off` (or no value) for none.
    /// Only `effect_class` is optional. A workspace policy may add a breaker but not turn one off.
    private mutating func decodeBreaker(_ node: Node) -> Breaker? {
        if Self.isNull(node) || node.string == "off" {
            if isWorkspace {
                error(node, "a workspace policy cannot turn the breaker off; it may only add one, which applies together with the user's (the stricter of each setting counts)")
            }
            return nil
        }
        let example = "{denials: 3, within: 10m, then: {freeze: {scope: agent, level: writes, for: 30m}}}"
        guard case .mapping(let mapping) = node else {
            error(node, "'breaker' must be a mapping such as \(example), or off, not \(Self.describe(node))")
            return nil
        }
        let place = "in 'breaker'"
        var denials: Int? = nil
        var within: Int? = nil
        var effects: [EffectClass] = [.destructive]
        var freeze: (scope: Breaker.Scope, level: FreezeLevel, duration: Int)? = nil
        var present: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            present.insert(key)
            let what = "'\(key)' of 'breaker'"
            switch key {
            case "denials":
                denials = positiveCount(value, what)
            case "within":
                within = duration(value, what)
            case "effect_class":
                let names = textList(value, what, allowEmpty: true)
                if case .sequence(let sequence) = value, sequence.isEmpty {
                    error(value, "\(what) is an empty list, so no denial would count and the breaker could never trip; remove the key for the default (destructive) or list effect classes")
                }
                let parsed = effectClasses(names, place: place)
                if !parsed.isEmpty { effects = parsed }
            case "then":
                freeze = decodeBreakerThen(value)
            default:
                if key == "freeze" || PolicyKeys.freeze.contains(key) {
                    error(keyNode, "unknown key '\(Self.display(key))' \(place); '\(key)' goes under 'then:', as in then: {freeze: {scope: agent, level: writes, for: 30m}}")
                } else {
                    unknownKey(keyNode, key, known: PolicyKeys.breaker, place: place)
                }
            }
        }
        if let missing = missingKeys(["denials", "within", "then"], present: present) {
            error(node, "'breaker' has no \(missing); a breaker needs denials, within and then (effect_class is optional), such as \(example)")
        }
        guard let denials, let within, let freeze else { return nil }
        return Breaker(denials: denials, within: within, effects: effects, scope: freeze.scope, level: freeze.level, duration: freeze.duration)
    }

    /// The breaker's `then: {freeze: {scope: agent, level: writes, for: 30m}}`, all required.
    private mutating func decodeBreakerThen(_ node: Node) -> (scope: Breaker.Scope, level: FreezeLevel, duration: Int)? {
        let example = "{freeze: {scope: agent, level: writes, for: 30m}}"
        guard case .mapping(let mapping) = node else {
            error(node, "'then' of 'breaker' must be a mapping such as \(example), not \(Self.describe(node))")
            return nil
        }
        var freezeNode: Node? = nil
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: "in 'then' of 'breaker'") else { continue }
            if key == "freeze" {
                freezeNode = value
            } else if PolicyKeys.freeze.contains(key) {
                error(keyNode, "unknown key '\(Self.display(key))' in 'then' of 'breaker'; '\(key)' goes under 'freeze:', as in then: \(example)")
            } else {
                unknownKey(keyNode, key, known: PolicyKeys.breakerThen, place: "in 'then' of 'breaker'")
            }
        }
        guard let freezeNode else {
            error(node, "'then' of 'breaker' has no 'freeze'; write then: \(example)")
            return nil
        }
        guard case .mapping(let freezeMapping) = freezeNode else {
            error(freezeNode, "'freeze' of 'breaker' must be a mapping such as {scope: agent, level: writes, for: 30m}, not \(Self.describe(freezeNode))")
            return nil
        }
        let place = "in 'freeze' of 'breaker'"
        var scope: Breaker.Scope? = nil
        var level: FreezeLevel? = nil
        var duration: Int? = nil
        var present: Set<String> = []
        for (keyNode, value) in freezeMapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            present.insert(key)
            let what = "'\(key)' \(place)"
            switch key {
            case "scope":
                guard let text = text(value, what) else { break }
                scope = Breaker.Scope(rawValue: text)
                if scope == nil {
                    error(value, "invalid scope '\(Self.display(text))' \(place); expected agent (the agent that kept being denied) or all (every agent)" + didYouMean(text, Breaker.Scope.allCases.map(\.rawValue)))
                }
            case "level":
                guard let text = text(value, what) else { break }
                level = FreezeLevel(rawValue: text)
                if level == nil {
                    error(value, "invalid level '\(Self.display(text))' \(place); expected writes (no writes, destructive or opaque commands) or all (nothing but reading Airlock's status)" + didYouMean(text, FreezeLevel.allCases.map(\.rawValue)))
                }
            case "for":
                duration = self.duration(value, what)
            default:
                unknownKey(keyNode, key, known: PolicyKeys.freeze, place: place)
            }
        }
        if let missing = missingKeys(PolicyKeys.freeze, present: present) {
            error(freezeNode, "'freeze' of 'breaker' has no \(missing); a freeze needs scope, level and for, such as {scope: agent, level: writes, for: 30m}")
        }
        guard let scope, let level, let duration else { return nil }
        return (scope, level, duration)
    }

    private mutating func decodeExamples(_ node: Node, rule: String) -> RuleExamples {
        var examples = RuleExamples()
        guard case .mapping(let mapping) = node else {
            error(node, "'examples' of \(rule) must be a mapping with allow, ask and deny lists of commands, not \(Self.describe(node))")
            return examples
        }
        let place = "in 'examples' of \(rule)"
        for (keyNode, value) in mapping {
            guard let key = keyName(keyNode, place: place) else { continue }
            let commands = textList(value, "'\(key)' examples of \(rule)", allowEmpty: true).map(\.text)
            switch key {
            case "allow": examples.allow = commands
            case "ask": examples.ask = commands
            case "deny": examples.deny = commands
            default: unknownKey(keyNode, key, known: PolicyKeys.examples, place: place)
            }
        }
        return examples
    }

    private mutating func checkEnvironmentReferences(declared environments: [EnvironmentDefinition]) {
        let declared = environments.map(\.name)
        let builtIn = [EnvironmentResolver.local, EnvironmentResolver.unknown]
        let valid = Set(declared + builtIn)
        for reference in environmentReferences where !valid.contains(reference.name) && !writtenEnvironmentNames.contains(reference.name) {
            let whose = isWorkspace ? "the user's policy does not declare it" : "it is not declared under 'environments'"
            let listed = declared.isEmpty ? "none are declared" : "declared: " + declared.joined(separator: ", ")
            var hint = ""
            let lowered = reference.name.lowercased()
            if let owner = environments.first(where: { $0.labels.contains { $0.lowercased() == lowered } }) {
                hint = " (did you mean '\(owner.name)'? '\(Self.display(reference.name))' is one of its labels)"
            } else if let match = PolicyKeys.suggestion(for: reference.name, among: declared + builtIn)
                        ?? declared.first(where: { $0.hasPrefix(lowered) && !lowered.isEmpty }) {
                hint = " (did you mean '\(match)'?)"
            }
            error(reference.node, "\(reference.rule) names environment '\(Self.display(reference.name))', but \(whose)\(hint) (\(listed); 'local' and 'unknown' are built in)")
        }
    }

    // MARK: Values

    /// A mapping key as text; keys must be plain words.
    private mutating func keyName(_ node: Node, place: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            error(node, "unexpected \(Self.describe(node)) used as a key \(place); keys are words such as 'id' or 'hosts'")
            return nil
        }
        return scalar.string
    }

    private mutating func unknownKey(_ node: Node, _ key: String, known: [String], place: String) {
        var message = "unknown key '\(Self.display(key))' \(place)"
        if known == PolicyKeys.rule, PolicyKeys.condition.contains(key) {
            message += "; conditions such as '\(key)' go under 'when:'"
        } else if known == PolicyKeys.topLevel || known == PolicyKeys.workspaceTopLevel, PolicyKeys.rule.contains(key) {
            message += "; rule keys such as '\(key)' go in a list under 'rules:'"
        } else if known == PolicyKeys.topLevel, PolicyKeys.environment.contains(key) {
            message += "; patterns such as '\(key)' go under 'environments:' and an environment name"
        } else {
            message += suggestionText(key, known: known)
        }
        error(node, message)
    }

    private func suggestionText(_ key: String, known: [String]) -> String {
        if let match = PolicyKeys.suggestion(for: key, among: known) { return "; did you mean '\(match)'?" }
        return "; expected one of: " + known.joined(separator: ", ")
    }

    private func didYouMean(_ value: String, _ candidates: [String]) -> String {
        guard let match = PolicyKeys.suggestion(for: value, among: candidates), match != value else { return "" }
        return " (did you mean '\(match)'?)"
    }

    private mutating func text(_ node: Node, _ what: String) -> String? {
        if Self.isNull(node) {
            error(node, "\(what) has no value")
            return nil
        }
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be text, not \(Self.describe(node))")
            return nil
        }
        return scalar.string
    }

    /// A whole number of at least 1 (`approvers`, `count`, `denials`).
    private mutating func positiveCount(_ node: Node, _ what: String) -> Int? {
        guard let text = text(node, what) else { return nil }
        guard let count = Int(text) else {
            error(node, "\(what) must be a whole number, not '\(Self.display(text))'")
            return nil
        }
        guard count >= 1 else {
            error(node, "\(what) must be at least 1, not \(count)")
            return nil
        }
        return count
    }

    /// Seconds, from a duration such as `90s`, `15m`, `2h` or `1d` (`PolicyDuration`).
    private mutating func duration(_ node: Node, _ what: String) -> Int? {
        guard let text = text(node, what) else { return nil }
        guard let seconds = PolicyDuration.parse(text) else {
            error(node, "invalid duration '\(Self.display(text))' for \(what); write a whole number followed by s, m, h or d, such as 90s, 15m, 2h or 1d")
            return nil
        }
        return seconds
    }

    /// Effect class names, each unknown one an error.
    private mutating func effectClasses(_ names: [(text: String, node: Node)], place: String) -> [EffectClass] {
        var effects: [EffectClass] = []
        for (name, nameNode) in names {
            if let effect = EffectClass(rawValue: name) {
                effects.append(effect)
            } else {
                error(nameNode, "unknown effect class '\(Self.display(name))' \(place); expected read, write, opaque or destructive" + didYouMean(name, EffectClass.allCases.map(\.rawValue)))
            }
        }
        return effects
    }

    /// `'a'`, `'a' and 'b'`, … for the keys in `required` not in `present`; nil when none is missing.
    private func missingKeys(_ required: [String], present: Set<String>) -> String? {
        let missing = required.filter { !present.contains($0) }
        guard !missing.isEmpty else { return nil }
        return PolicyKeys.alternatives(missing.map { "'\($0)'" }).replacing(" or ", with: " and ")
    }

    private mutating func bool(_ node: Node, _ what: String) -> Bool? {
        guard let text = text(node, what) else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            error(node, "\(what) must be true or false, not '\(Self.display(text))'")
            return nil
        }
    }

    /// Text or a list of text (a scalar is a one-element list), with the node of each entry.
    /// Errors leave the bad entries out.
    private mutating func textList(_ node: Node, _ what: String, allowEmpty: Bool) -> [(text: String, node: Node)] {
        switch node {
        case .scalar(let scalar):
            if Self.isNull(node) {
                error(node, "\(what) has no value; give it a value or remove the key")
                return []
            }
            if scalar.string.isEmpty {
                error(node, "\(what) is empty text; give it a value or remove the key")
                return []
            }
            return [(scalar.string, node)]
        case .sequence(let sequence):
            if sequence.isEmpty && !allowEmpty {
                error(node, "\(what) is an empty list, which matches nothing, so the rule could never apply; remove the key to match anything, or list values")
                return []
            }
            var result: [(String, Node)] = []
            for (index, item) in sequence.enumerated() {
                if case .scalar(let scalar) = item, !Self.isNull(item), !scalar.string.isEmpty {
                    result.append((scalar.string, item))
                } else {
                    error(item, "entry \(index + 1) of \(what) must be non-empty text, not \(Self.describe(item))")
                }
            }
            return result
        case .mapping, .alias:
            error(node, "\(what) must be text or a list of text, not \(Self.describe(node))")
            return []
        }
    }

    // MARK: Node helpers

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(node) ? "nothing" : "'\(display(scalar.string, limit: 40))'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    static func display(_ text: String, limit: Int = 80) -> String { PolicyValues.display(text, limit: limit) }
}
