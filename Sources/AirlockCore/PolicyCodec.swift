import AirlockSQL

/// A compact JSON form of a `Policy`, so a policy parsed from YAML once can be loaded again
/// without a YAML parser: the hook path's binary stays small and starts fast. Decoding is
/// strict: anything missing or mistyped yields nil and the caller parses the YAML again.
public enum PolicyCodec {
    /// Bumped whenever the encoding or the `Policy` model changes.
    public static let formatVersion = 3

    public static func encode(_ policy: Policy) -> String {
        var out = "{\"format\":\(formatVersion),\"version\":\(policy.version),\"mode\":"
        string(policy.mode.rawValue, &out)
        out += ",\"default\":"
        string(policy.defaultDecision.rawValue, &out)
        out += ",\"source\":"
        string(policy.source, &out)
        if let breaker = policy.breaker {
            out += ",\"breaker\":{\"denials\":\(breaker.denials),\"within\":\(breaker.within),\"effects\":"
            strings(breaker.effects.map(\.rawValue), &out)
            out += ",\"scope\":"
            string(breaker.scope.rawValue, &out)
            out += ",\"level\":"
            string(breaker.level.rawValue, &out)
            out += ",\"duration\":\(breaker.duration)}"
        }
        out += ",\"environments\":["
        for (index, environment) in policy.environments.enumerated() {
            if index > 0 { out += "," }
            out += "{\"name\":"
            string(environment.name, &out)
            for (key, values) in [("hosts", environment.hosts), ("kube_contexts", environment.kubeContexts), ("aws_profiles", environment.awsProfiles),
                                  ("workspaces", environment.workspaces), ("projects", environment.projects), ("git_remotes", environment.gitRemotes),
                                  ("docker_hosts", environment.dockerHosts), ("labels", environment.labels)] {
                out += ",\"\(key)\":"
                strings(values, &out)
            }
            out += ",\"local_sockets\":\(environment.localSockets)}"
        }
        out += "],\"rules\":["
        for (index, rule) in policy.rules.enumerated() {
            if index > 0 { out += "," }
            out += "{\"id\":"
            string(rule.id, &out)
            out += ",\"decision\":"
            string(rule.decision.rawValue, &out)
            out += ",\"reason\":"
            string(rule.reason, &out)
            out += ",\"when\":"
            condition(rule.when, &out)
            if let unless = rule.unless {
                out += ",\"unless\":"
                condition(unless, &out)
            }
            if let suggestion = rule.suggestion {
                out += ",\"suggestion\":"
                string(suggestion, &out)
            }
            if let approval = rule.approval {
                out += ",\"approval\":{\"approvers\":\(approval.approvers),\"expires\":\(approval.expires)"
                if let via = approval.via {
                    out += ",\"via\":"
                    string(via, &out)
                }
                out += "}"
            }
            if let limit = rule.limit {
                out += ",\"limit\":{\"count\":\(limit.count),\"per\":\(limit.per),\"scope\":"
                string(limit.scope.rawValue, &out)
                out += ",\"then\":"
                string(limit.then.rawValue, &out)
                out += "}"
            }
            if let maxRows = rule.maxRows { out += ",\"max_rows\":\(maxRows)" }
            out += ",\"examples\":{\"allow\":"
            strings(rule.examples.allow, &out)
            out += ",\"ask\":"
            strings(rule.examples.ask, &out)
            out += ",\"deny\":"
            strings(rule.examples.deny, &out)
            out += "}"
            if let line = rule.line { out += ",\"line\":\(line)" }
            out += "}"
        }
        out += "]}"
        return out
    }

    public static func decode(_ text: String) -> Policy? {
        var reader = JSONReader(Array(text.utf8))
        guard case .object(let top)? = reader.parseValue(depth: 0) else { return nil }
        let fields = Fields(top)
        guard fields.int("format") == formatVersion, let version = fields.int("version"),
              let mode = fields.string("mode").flatMap(Policy.Mode.init(rawValue:)),
              let defaultDecision = fields.string("default").flatMap(Verdict.init(rawValue:)),
              let source = fields.string("source"),
              case .array(let environmentValues)? = fields["environments"],
              case .array(let ruleValues)? = fields["rules"] else { return nil }
        var breaker: Breaker? = nil
        if let value = fields["breaker"] {
            guard let parsed = Self.breaker(value) else { return nil }
            breaker = parsed
        }
        var environments: [EnvironmentDefinition] = []
        for value in environmentValues {
            guard case .object(let members) = value else { return nil }
            let e = Fields(members)
            guard let name = e.string("name"), let hosts = e.strings("hosts"), let kube = e.strings("kube_contexts"),
                  let aws = e.strings("aws_profiles"), let workspaces = e.strings("workspaces"), let projects = e.strings("projects"),
                  let remotes = e.strings("git_remotes"), let docker = e.strings("docker_hosts"), let labels = e.strings("labels"),
                  let sockets = e.bool("local_sockets") else { return nil }
            environments.append(EnvironmentDefinition(
                name: name, hosts: hosts, kubeContexts: kube, awsProfiles: aws, workspaces: workspaces, projects: projects,
                gitRemotes: remotes, dockerHosts: docker, labels: labels, localSockets: sockets))
        }
        var rules: [Rule] = []
        for value in ruleValues {
            guard case .object(let members) = value else { return nil }
            let r = Fields(members)
            guard let id = r.string("id"), let decision = r.string("decision").flatMap(Verdict.init(rawValue:)),
                  let reason = r.string("reason"), let when = r["when"].flatMap(condition),
                  case .object(let exampleMembers)? = r["examples"] else { return nil }
            let examples = Fields(exampleMembers)
            guard let allow = examples.strings("allow"), let ask = examples.strings("ask"), let deny = examples.strings("deny") else { return nil }
            var unless: Condition? = nil
            if let value = r["unless"] {
                guard let parsed = condition(value) else { return nil }
                unless = parsed
            }
            var approval: ApprovalRequirement? = nil
            if case .object(let approvalMembers)? = r["approval"] {
                let a = Fields(approvalMembers)
                guard let approvers = a.int("approvers"), let expires = a.int("expires") else { return nil }
                approval = ApprovalRequirement(approvers: approvers, expires: expires, via: a.string("via"))
            }
            var limit: RateLimit? = nil
            if let value = r["limit"] {
                guard let parsed = rateLimit(value) else { return nil }
                limit = parsed
            }
            rules.append(Rule(
                id: id, decision: decision, reason: reason, when: when, unless: unless, suggestion: r.string("suggestion"),
                approval: approval, limit: limit, maxRows: r.int("max_rows"), examples: RuleExamples(allow: allow, ask: ask, deny: deny),
                line: r.int("line")))
        }
        return Policy(
            version: version, mode: mode, defaultDecision: defaultDecision, environments: environments, rules: rules, breaker: breaker,
            source: source)
    }

    // MARK: Encoding helpers

    private static func condition(_ condition: Condition, _ out: inout String) {
        out += "{"
        var first = true
        func key(_ name: String) {
            if !first { out += "," }
            first = false
            out += "\"\(name)\":"
        }
        for (name, values) in condition.namedLists {
            guard let values else { continue }
            key(name)
            strings(values, &out)
        }
        if let access = condition.pathAccess {
            key("path_access")
            string(access.rawValue, &out)
        }
        if let interactive = condition.interactive {
            key("interactive")
            out += interactive ? "true" : "false"
        }
        if let sql = condition.sql {
            key("sql")
            out += "{"
            var firstSQL = true
            for (name, values) in sql.namedLists {
                guard let values else { continue }
                if !firstSQL { out += "," }
                firstSQL = false
                out += "\"\(name)\":"
                strings(values, &out)
            }
            out += "}"
        }
        out += "}"
    }

    private static func strings(_ values: [String], _ out: inout String) {
        out += "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            string(value, &out)
        }
        out += "]"
    }

    private static func string(_ value: String, _ out: inout String) {
        JSONText.escape(value, into: &out)
    }

    // MARK: Decoding helpers

    private static func sqlCondition(_ value: JSONReader.Value) -> SQLCondition? {
        guard case .object(let members) = value, members.allSatisfy({ ["class", "tables", "kinds", "flags"].contains($0.0) }) else { return nil }
        let c = Fields(members)
        var sql = SQLCondition()
        if c["class"] != nil {
            guard let names = c.strings("class") else { return nil }
            let parsed = names.compactMap(SQLClass.init(rawValue:))
            guard parsed.count == names.count else { return nil }
            sql.classes = parsed
        }
        if c["flags"] != nil {
            guard let names = c.strings("flags") else { return nil }
            let parsed = names.compactMap(SQLFlag.init(rawValue:))
            guard parsed.count == names.count else { return nil }
            sql.flags = parsed
        }
        if c["tables"] != nil {
            guard let tables = c.strings("tables") else { return nil }
            sql.tables = tables
        }
        if c["kinds"] != nil {
            guard let kinds = c.strings("kinds") else { return nil }
            sql.kinds = kinds
        }
        return sql
    }

    /// A rule's `limit`: every field present and valid, or nil.
    private static func rateLimit(_ value: JSONReader.Value) -> RateLimit? {
        guard case .object(let members) = value, members.allSatisfy({ ["count", "per", "scope", "then"].contains($0.0) }) else { return nil }
        let l = Fields(members)
        guard let count = l.int("count"), let per = l.int("per"), let scope = l.string("scope").flatMap(RateLimit.Scope.init(rawValue:)),
              let then = l.string("then").flatMap(Verdict.init(rawValue:)) else { return nil }
        return RateLimit(count: count, per: per, scope: scope, then: then)
    }

    /// The policy's `breaker`: every field present and valid, or nil.
    private static func breaker(_ value: JSONReader.Value) -> Breaker? {
        let known = ["denials", "within", "effects", "scope", "level", "duration"]
        guard case .object(let members) = value, members.allSatisfy({ known.contains($0.0) }) else { return nil }
        let b = Fields(members)
        guard let denials = b.int("denials"), let within = b.int("within"), let names = b.strings("effects"),
              let scope = b.string("scope").flatMap(Breaker.Scope.init(rawValue:)),
              let level = b.string("level").flatMap(FreezeLevel.init(rawValue:)), let duration = b.int("duration") else { return nil }
        let effects = names.compactMap(EffectClass.init(rawValue:))
        guard effects.count == names.count else { return nil }
        return Breaker(denials: denials, within: within, effects: effects, scope: scope, level: level, duration: duration)
    }

    private static func condition(_ value: JSONReader.Value) -> Condition? {
        guard case .object(let members) = value else { return nil }
        let known: Set<String> = ["binary", "subcommand", "args", "environment", "effect_class", "agent", "user", "path", "branch", "path_access", "interactive", "sql", "tool"]
        guard members.allSatisfy({ known.contains($0.0) }) else { return nil }
        let c = Fields(members)
        var condition = Condition()
        func list(_ name: String) -> [String]?? {
            guard c[name] != nil else { return .some(nil) }
            return c.strings(name).map { .some($0) }
        }
        guard let binaries = list("binary"), let subcommands = list("subcommand"), let args = list("args"),
              let environments = list("environment"), let effects = list("effect_class"), let agents = list("agent"),
              let users = list("user"), let paths = list("path"), let branches = list("branch"),
              let tools = list("tool") else { return nil }
        condition.binaries = binaries
        condition.subcommands = subcommands
        condition.args = args
        condition.environments = environments
        if let effects {
            let parsed = effects.compactMap(EffectClass.init(rawValue:))
            guard parsed.count == effects.count else { return nil }
            condition.effects = parsed
        }
        condition.agents = agents
        condition.users = users
        condition.paths = paths
        condition.branches = branches
        condition.tools = tools
        if c["path_access"] != nil {
            guard let access = c.string("path_access").flatMap(PathAccess.Mode.init(rawValue:)) else { return nil }
            condition.pathAccess = access
        }
        if c["interactive"] != nil {
            guard let interactive = c.bool("interactive") else { return nil }
            condition.interactive = interactive
        }
        if let sqlValue = c["sql"] {
            guard let sql = sqlCondition(sqlValue) else { return nil }
            condition.sql = sql
        }
        return condition
    }

    private struct Fields {
        let members: [(String, JSONReader.Value)]
        init(_ members: [(String, JSONReader.Value)]) { self.members = members }

        subscript(name: String) -> JSONReader.Value? { members.first { $0.0 == name }?.1 }

        func string(_ name: String) -> String? {
            if case .string(let value)? = self[name] { return value }
            return nil
        }

        func int(_ name: String) -> Int? {
            if case .number(let value)? = self[name] { return value }
            return nil
        }

        func bool(_ name: String) -> Bool? {
            if case .bool(let value)? = self[name] { return value }
            return nil
        }

        func strings(_ name: String) -> [String]? {
            guard case .array(let items)? = self[name] else { return nil }
            var result: [String] = []
            for item in items {
                guard case .string(let value) = item else { return nil }
                result.append(value)
            }
            return result
        }
    }
}
