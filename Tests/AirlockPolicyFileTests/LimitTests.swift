import AirlockCore
@testable import AirlockPolicyFile
import Testing

/// `limit:` on rules and the top-level `breaker:`: parsing, every error, rendering, lint and
/// how a workspace policy joins them. `document(rules:)` puts the first rule on line 8;
/// `breakerDocument` puts the breaker's first key on line 3.
@Suite("Rate limits and the breaker")
struct LimitTests {
    /// A document whose `breaker:` mapping is `body` (indented by two), starting on line 3.
    static func breakerDocument(_ body: String) -> String {
        "version: 1\nbreaker:\n" + body
    }

    static let fullBreaker = """
      denials: 3
      within: 10m
      effect_class: [destructive]
      then:
        freeze: { scope: agent, level: writes, for: 30m }

    """

    /// A rule deciding `decision` with `limit` as its last line (line 12).
    static func limitRule(_ limit: String, decision: String = "allow") -> String {
        document(rules: "  - id: x\n    decision: \(decision)\n    reason: r\n    when: {}\n    limit: \(limit)\n")
    }

    // MARK: Parsing limits

    @Test func limitWithEveryField() throws {
        let policy = try PolicyLoader.parse(Self.limitRule("{count: 10, per: 1h, scope: session, then: ask}"), source: "p")
        #expect(policy.rules.first?.limit == RateLimit(count: 10, per: 3600, scope: .session, then: .ask))
    }

    @Test func limitDefaultsToPerAgentThenDeny() throws {
        let policy = try PolicyLoader.parse(Self.limitRule("{count: 5, per: 90s}", decision: "ask"), source: "p")
        #expect(policy.rules.first?.limit == RateLimit(count: 5, per: 90, scope: .agent, then: .deny))
    }

    @Test(arguments: RateLimit.Scope.allCases)
    func everyLimitScope(_ scope: RateLimit.Scope) throws {
        let policy = try PolicyLoader.parse(Self.limitRule("{count: 1, per: 1d, scope: \(scope.rawValue)}"), source: "p")
        #expect(policy.rules.first?.limit?.scope == scope)
    }

    @Test func limitInBlockStyle() throws {
        let text = document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: {}\n    limit:\n      count: 20\n      per: 15m\n      then: deny\n")
        let policy = try PolicyLoader.parse(text, source: "p")
        #expect(policy.rules.first?.limit == RateLimit(count: 20, per: 900))
    }

    @Test func ruleWithoutALimitHasNone() throws {
        let policy = try PolicyLoader.parse(document(rules: "  - {id: x, decision: ask, reason: r, when: {}}\n"), source: "p")
        #expect(policy.rules.first?.limit == nil)
    }

    // MARK: Limit errors

    @Test(arguments: [("rate_limit", "limit"), ("limits", "limit"), ("limt", "limit")])
    func misspelledLimitKey(_ wrong: String, _ right: String) throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: {}\n    \(wrong): {count: 1, per: 1h}\n")))
        #expect(error.line == 12)
        #expect(error.message == "unknown key '\(wrong)' in rule 'x'; did you mean '\(right)'?")
    }

    @Test(arguments: [("scop", "scope"), ("window", "per"), ("max", "count"), ("otherwise", "then"), ("within", "per")])
    func unknownKeyInLimit(_ wrong: String, _ right: String) throws {
        let errors = policyErrors(Self.limitRule("{count: 3, per: 1h, \(wrong): x}"))
        #expect(errors.count == 1)
        #expect(errors.first?.line == 12)
        #expect(errors.first?.message == "unknown key '\(wrong)' in 'limit' of rule 'x'; did you mean '\(right)'?")
    }

    @Test func limitMustBeAMapping() throws {
        let error = try #require(singleError(Self.limitRule("10")))
        #expect(error.line == 12)
        #expect(error.message == "'limit' of rule 'x' must be a mapping such as {count: 10, per: 1h, scope: agent, then: deny}, not '10'")
    }

    @Test func limitNeedsCountAndPer() throws {
        let error = try #require(singleError(Self.limitRule("{scope: rule}")))
        #expect(error.message == "'limit' of rule 'x' has no 'count' and 'per'; a limit needs count and per (scope and then are optional), such as {count: 10, per: 1h}")
        let onlyCount = try #require(singleError(Self.limitRule("{count: 3}")))
        #expect(onlyCount.message.hasPrefix("'limit' of rule 'x' has no 'per';"))
    }

    @Test(arguments: ["0", "-1", "-20"])
    func limitCountBelowOne(_ count: String) throws {
        let error = try #require(singleError(Self.limitRule("{count: \(count), per: 1h}")))
        #expect(error.line == 12)
        #expect(error.message == "'count' in 'limit' of rule 'x' must be at least 1, not \(count)")
    }

    @Test func limitCountThatIsNotANumber() throws {
        let error = try #require(singleError(Self.limitRule("{count: ten, per: 1h}")))
        #expect(error.message == "'count' in 'limit' of rule 'x' must be a whole number, not 'ten'")
    }

    @Test(arguments: ["1 hour", "60", "0s", "-1m", "1w", "1.5h"])
    func invalidLimitDuration(_ text: String) throws {
        let error = try #require(singleError(Self.limitRule("{count: 3, per: \(text)}")))
        #expect(error.line == 12)
        #expect(error.message == "invalid duration '\(text)' for 'per' in 'limit' of rule 'x'; write a whole number followed by s, m, h or d, such as 90s, 15m, 2h or 1d")
    }

    @Test func invalidLimitScope() throws {
        let error = try #require(singleError(Self.limitRule("{count: 3, per: 1h, scope: agents}")))
        #expect(error.message == "invalid scope 'agents' in 'limit' of rule 'x'; expected agent (each agent counted on its own), session (each session of an agent) or rule (every use of the rule together) (did you mean 'agent'?)")
    }

    @Test func limitThenAllowIsAnError() throws {
        let error = try #require(singleError(Self.limitRule("{count: 3, per: 1h, then: allow}")))
        #expect(error.line == 12)
        #expect(error.message == "'then' in 'limit' of rule 'x' cannot be allow: past its limit a rule can only get stricter; use deny or ask")
    }

    @Test func invalidLimitThen() throws {
        let error = try #require(singleError(Self.limitRule("{count: 3, per: 1h, then: block}")))
        #expect(error.message == "invalid decision 'block' for 'then' in 'limit' of rule 'x'; expected deny or ask (did you mean 'deny'?)")
    }

    @Test func limitOnADenyRuleIsAnError() throws {
        let error = try #require(singleError(Self.limitRule("{count: 3, per: 1h}", decision: "deny")))
        #expect(error.line == 12)
        #expect(error.message == "rule 'x' has 'limit' but decides deny; nothing is stricter than deny, so the limit could never change anything (remove 'limit', or let the rule allow or ask)")
    }

    @Test func askLimitOnAnAskRuleIsAnError() throws {
        let error = try #require(singleError(Self.limitRule("{count: 3, per: 1h, then: ask}", decision: "ask")))
        #expect(error.line == 12)
        #expect(error.message == "rule 'x' decides ask and its limit's 'then' is ask too, so the limit could never change anything; use 'then: deny'")
    }

    @Test func limitConditionsBelongInWhen() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: {limit: 3}\n")))
        #expect(error.message == "unknown key 'limit' in 'when' of rule 'x'; 'limit' belongs to the rule itself, not to 'when' (check the indentation)")
    }

    // MARK: Parsing the breaker

    @Test func breakerWithEveryField() throws {
        let policy = try PolicyLoader.parse(Self.breakerDocument("""
          denials: 5
          within: 1h
          effect_class: [destructive, opaque]
          then:
            freeze:
              scope: all
              level: all
              for: 1d

        """), source: "p")
        #expect(policy.breaker == Breaker(denials: 5, within: 3600, effects: [.destructive, .opaque], scope: .all, level: .all, duration: 86400))
    }

    @Test func breakerEffectClassDefaultsToDestructive() throws {
        let policy = try PolicyLoader.parse(Self.breakerDocument("  denials: 2\n  within: 90s\n  then: {freeze: {scope: agent, level: writes, for: 2h}}\n"), source: "p")
        #expect(policy.breaker == Breaker(denials: 2, within: 90, effects: [.destructive], scope: .agent, level: .writes, duration: 7200))
        let single = try PolicyLoader.parse(Self.breakerDocument(Self.fullBreaker.replacing("[destructive]", with: "write")), source: "p")
        #expect(single.breaker?.effects == [.write])
    }

    @Test(arguments: ["version: 1\nbreaker: off\n", "version: 1\nbreaker:\n", "version: 1\nbreaker: ~\n", "version: 1\nbreaker: null\n", "version: 1\n"])
    func noBreaker(_ text: String) throws {
        #expect(try PolicyLoader.parse(text, source: "p").breaker == nil)
    }

    // MARK: Breaker errors

    @Test func unknownBreakerKeySuggestsTheClosest() throws {
        let error = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("effect_class", with: "effect_clas"))))
        #expect(error.line == 5)
        #expect(error.message == "unknown key 'effect_clas' in 'breaker'; did you mean 'effect_class'?")
    }

    @Test func breakerKeyWithASynonym() throws {
        let errors = policyErrors(Self.breakerDocument(Self.fullBreaker.replacing("denials", with: "threshold")))
        #expect(errors.map(\.line) == [3, 3])
        #expect(errors.map(\.message) == [
            "unknown key 'threshold' in 'breaker'; did you mean 'denials'?",
            "'breaker' has no 'denials'; a breaker needs denials, within and then (effect_class is optional), such as {denials: 3, within: 10m, then: {freeze: {scope: agent, level: writes, for: 30m}}}",
        ])
    }

    @Test func misspelledBreakerAtTheTopLevel() throws {
        let error = try #require(singleError("version: 1\nbraker: off\n"))
        #expect(error.message == "unknown key 'braker' at the top level; did you mean 'breaker'?")
        let circuit = try #require(singleError("version: 1\ncircuit-breaker: off\n"))
        #expect(circuit.message == "unknown key 'circuit-breaker' at the top level; did you mean 'breaker'?")
    }

    @Test func breakerMissingThen() throws {
        let error = try #require(singleError(Self.breakerDocument("  denials: 3\n  within: 10m\n")))
        #expect(error.line == 3)
        #expect(error.message == "'breaker' has no 'then'; a breaker needs denials, within and then (effect_class is optional), such as {denials: 3, within: 10m, then: {freeze: {scope: agent, level: writes, for: 30m}}}")
    }

    @Test func emptyBreakerNamesEveryMissingKey() throws {
        let error = try #require(singleError("version: 1\nbreaker: {}\n"))
        #expect(error.message.hasPrefix("'breaker' has no 'denials', 'within' and 'then';"))
    }

    @Test func freezeWrittenOnTheBreakerItself() throws {
        let errors = policyErrors(Self.breakerDocument("  denials: 3\n  within: 10m\n  freeze: {scope: agent, level: writes, for: 30m}\n"))
        #expect(errors.map(\.message) == [
            "'breaker' has no 'then'; a breaker needs denials, within and then (effect_class is optional), such as {denials: 3, within: 10m, then: {freeze: {scope: agent, level: writes, for: 30m}}}",
            "unknown key 'freeze' in 'breaker'; 'freeze' goes under 'then:', as in then: {freeze: {scope: agent, level: writes, for: 30m}}",
        ])
    }

    @Test func thenWithoutFreeze() throws {
        let error = try #require(singleError(Self.breakerDocument("  denials: 3\n  within: 10m\n  then: {}\n")))
        #expect(error.line == 5)
        #expect(error.message == "'then' of 'breaker' has no 'freeze'; write then: {freeze: {scope: agent, level: writes, for: 30m}}")
    }

    @Test func freezeFieldsWrittenUnderThen() throws {
        let errors = policyErrors(Self.breakerDocument("  denials: 3\n  within: 10m\n  then: {scope: agent, freeze: {scope: agent, level: writes, for: 30m}}\n"))
        #expect(errors.map(\.message) == [
            "unknown key 'scope' in 'then' of 'breaker'; 'scope' goes under 'freeze:', as in then: {freeze: {scope: agent, level: writes, for: 30m}}",
        ])
    }

    @Test func unknownKeyInThenAndFreeze() throws {
        let errors = policyErrors(Self.breakerDocument("  denials: 3\n  within: 10m\n  then:\n    frezee: {}\n"))
        #expect(errors.map(\.message) == [
            "unknown key 'frezee' in 'then' of 'breaker'; did you mean 'freeze'?",
            "'then' of 'breaker' has no 'freeze'; write then: {freeze: {scope: agent, level: writes, for: 30m}}",
        ])
        let error = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("for: 30m", with: "for: 30m, levle: all"))))
        #expect(error.message == "unknown key 'levle' in 'freeze' of 'breaker'; did you mean 'level'?")
    }

    @Test func freezeNeedsScopeLevelAndFor() throws {
        let error = try #require(singleError(Self.breakerDocument("  denials: 3\n  within: 10m\n  then:\n    freeze: {scope: agent}\n")))
        #expect(error.line == 6)
        #expect(error.message == "'freeze' of 'breaker' has no 'level' and 'for'; a freeze needs scope, level and for, such as {scope: agent, level: writes, for: 30m}")
    }

    @Test func invalidFreezeScopeAndLevel() throws {
        let scope = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("scope: agent", with: "scope: everyone"))))
        #expect(scope.line == 7)
        #expect(scope.message == "invalid scope 'everyone' in 'freeze' of 'breaker'; expected agent (the agent that kept being denied) or all (every agent)")
        let level = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("level: writes", with: "level: write"))))
        #expect(level.message == "invalid level 'write' in 'freeze' of 'breaker'; expected writes (no writes, destructive or opaque commands) or all (nothing but reading Airlock's status) (did you mean 'writes'?)")
    }

    @Test(arguments: [("within: 10m", "within: 10 minutes", "'within' of 'breaker'", 4), ("for: 30m", "for: 0m", "'for' in 'freeze' of 'breaker'", 7)])
    func invalidBreakerDurations(_ from: String, _ to: String, _ what: String, _ line: Int) throws {
        let error = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing(from, with: to))))
        #expect(error.line == line)
        let text = to.split(separator: ":", maxSplits: 1)[1].dropFirst()
        #expect(error.message == "invalid duration '\(text)' for \(what); write a whole number followed by s, m, h or d, such as 90s, 15m, 2h or 1d")
    }

    @Test(arguments: ["0", "-1"])
    func denialsBelowOne(_ count: String) throws {
        let error = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("denials: 3", with: "denials: \(count)"))))
        #expect(error.line == 3)
        #expect(error.message == "'denials' of 'breaker' must be at least 1, not \(count)")
    }

    @Test func denialsThatIsNotANumber() throws {
        let error = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("denials: 3", with: "denials: three"))))
        #expect(error.message == "'denials' of 'breaker' must be a whole number, not 'three'")
    }

    @Test func breakerEffectClasses() throws {
        let unknown = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("[destructive]", with: "[destructve]"))))
        #expect(unknown.line == 5)
        #expect(unknown.message == "unknown effect class 'destructve' in 'breaker'; expected read, write, opaque or destructive (did you mean 'destructive'?)")
        let empty = try #require(singleError(Self.breakerDocument(Self.fullBreaker.replacing("[destructive]", with: "[]"))))
        #expect(empty.message == "'effect_class' of 'breaker' is an empty list, so no denial would count and the breaker could never trip; remove the key for the default (destructive) or list effect classes")
    }

    @Test(arguments: [("breaker: on", "'on'"), ("breaker: true", "'true'"), ("breaker: [3, 10m]", "a list")])
    func breakerMustBeAMappingOrOff(_ line: String, _ described: String) throws {
        let error = try #require(singleError("version: 1\n\(line)\n"))
        #expect(error.line == 2)
        #expect(error.message == "'breaker' must be a mapping such as {denials: 3, within: 10m, then: {freeze: {scope: agent, level: writes, for: 30m}}}, or off, not \(described)")
    }

    // MARK: Compiled form

    @Test func limitsAndTheBreakerSurviveTheCompiledForm() throws {
        let policy = try PolicyLoader.parse(
            Self.breakerDocument(Self.fullBreaker) + "rules:\n  - {id: a, decision: allow, reason: r, when: {}, limit: {count: 9, per: 2h, scope: rule, then: ask}}\n",
            source: "p")
        #expect(policy.breaker != nil)
        #expect(policy.rules.first?.limit != nil)
        #expect(PolicyCodec.decode(PolicyCodec.encode(policy)) == policy)
    }

    // MARK: Rendering

    static let limited = Policy(
        rules: [
            Rule(id: "a", decision: .allow, reason: "r", when: Condition(binaries: ["curl"]), limit: RateLimit(count: 30, per: 60, scope: .session, then: .ask)),
            Rule(id: "b", decision: .ask, reason: "r", when: Condition(), limit: RateLimit(count: 2, per: 86400)),
        ],
        breaker: Breaker(denials: 4, within: 90, effects: [.destructive, .write], scope: .all, level: .all, duration: 7200))

    @Test func renderedLimitsAndBreaker() {
        let yaml = PolicyRenderer.yaml(Self.limited)
        #expect(yaml.contains("""
        default: allow
        breaker:
          denials: 4
          within: 90s
          effect_class: [destructive, write]
          then:
            freeze: { scope: all, level: all, for: 2h }
        environments: {}
        """))
        #expect(yaml.contains("    limit: { count: 30, per: 1m, scope: session, then: ask }\n"))
        #expect(yaml.contains("    limit: { count: 2, per: 1d, scope: agent, then: deny }\n"))
    }

    @Test func renderedLimitsAndBreakerParseBack() throws {
        for policy in [Self.limited, DefaultPolicy.policy] {
            let yaml = PolicyRenderer.yaml(policy)
            let parsed = try PolicyLoader.parse(yaml, source: "rendered")
            #expect(normalized(parsed) == normalized(policy), "\(yaml)")
        }
    }

    @Test func noBreakerIsRenderedAsOff() throws {
        let yaml = PolicyRenderer.yaml(Policy())
        #expect(yaml.contains("\nbreaker: off\n"))
        #expect(try PolicyLoader.parse(yaml, source: "rendered").breaker == nil)
    }

    // MARK: Lint

    @Test func breakerThatTripsOnOneDenialIsAWarning() {
        let findings = PolicyLinter.lint(Policy(breaker: Breaker(denials: 1, within: 600, duration: 1800)))
        #expect(findings == [LintFinding(
            severity: .warning,
            message: "the breaker trips on a single denial: one refused command freezes the agent's writes for 30m; 'denials: 2' or more leaves room for one honest mistake")])
    }

    @Test func breakerWindowOrFreezeUnderASecondIsAWarning() {
        let findings = PolicyLinter.lint(Policy(breaker: Breaker(denials: 3, within: 0, duration: 0)))
        #expect(findings.map(\.severity) == [.warning, .warning])
        #expect(findings.first?.message.contains("shorter than a second") == true)
        #expect(findings.last?.message == "the breaker's freeze ('for') is shorter than a second, so tripping it changes nothing")
    }

    @Test func limitThatCannotChangeADecisionIsAWarning() {
        let rule = Rule(id: "d", decision: .deny, reason: "r", when: Condition(), limit: RateLimit(count: 1, per: 60), examples: RuleExamples(deny: ["x"]), line: 4)
        #expect(PolicyLinter.lint(Policy(rules: [rule])) == [LintFinding(
            severity: .warning, ruleID: "d", line: 4,
            message: "rule 'd' decides deny and its limit's 'then' is deny, so the limit can never make it stricter")])
        var fine = rule
        fine.decision = .ask
        #expect(PolicyLinter.lint(Policy(rules: [fine])).isEmpty)
    }

    // MARK: Workspace policies

    static let base = Breaker(denials: 3, within: 600, effects: [.destructive], scope: .agent, level: .writes, duration: 1800)

    @Test func workspaceBreakerIsJoinedWithTheStricterOfEachSetting() throws {
        var base = DefaultPolicy.policy
        base.breaker = Self.base
        let merged = try PolicyLoader.parseWorkspace(
            "version: 1\nbreaker:\n  denials: 5\n  within: 1h\n  effect_class: [opaque, destructive]\n  then: {freeze: {scope: agent, level: all, for: 10m}}\n",
            source: "ws.yaml", base: base)
        #expect(merged.breaker == Breaker(denials: 3, within: 3600, effects: [.destructive, .opaque], scope: .agent, level: .all, duration: 1800))
        #expect(merged.rules == base.rules)
    }

    @Test func workspaceBreakerAppliesAsWrittenWhenTheBaseHasNone() throws {
        var base = DefaultPolicy.policy
        base.breaker = nil
        let merged = try PolicyLoader.parseWorkspace(Self.breakerDocument(Self.fullBreaker), source: "ws.yaml", base: base)
        #expect(merged.breaker == Self.base)
    }

    @Test func workspaceWithoutABreakerKeepsTheBase() throws {
        let merged = try PolicyLoader.parseWorkspace("version: 1\nrules: []\n", source: "ws.yaml", base: DefaultPolicy.policy)
        #expect(merged.breaker == DefaultPolicy.policy.breaker)
    }

    @Test(arguments: ["breaker: off", "breaker:", "breaker: null"])
    func workspaceCannotTurnTheBreakerOff(_ line: String) throws {
        do {
            _ = try PolicyLoader.parseWorkspace("version: 1\n\(line)\n", source: "ws.yaml", base: DefaultPolicy.policy)
            Issue.record("a workspace policy turned the breaker off")
        } catch {
            #expect(error.errors.map(\.message) == [
                "a workspace policy cannot turn the breaker off; it may only add one, which applies together with the user's (the stricter of each setting counts)",
            ])
        }
    }

    @Test func workspaceLimitsStayOnTheWorkspaceRules() throws {
        let merged = try PolicyLoader.parseWorkspace(
            "version: 1\nrules:\n  - {id: fetch, decision: ask, reason: r, when: {binary: curl}, limit: {count: 5, per: 1h}}\n",
            source: "ws.yaml", base: DefaultPolicy.policy)
        #expect(merged.rules.last?.id == "workspace:fetch")
        #expect(merged.rules.last?.limit == RateLimit(count: 5, per: 3600))
        #expect(merged.rules.dropLast() == DefaultPolicy.policy.rules[...])
    }

    @Test func workspaceLimitOnADenyRuleIsStillAnError() throws {
        #expect(throws: PolicyErrors.self) {
            _ = try PolicyLoader.parseWorkspace(
                "version: 1\nrules:\n  - {id: x, decision: deny, reason: r, when: {}, limit: {count: 5, per: 1h}}\n", source: "ws.yaml", base: DefaultPolicy.policy)
        }
    }

    /// Every combination of looser and stricter settings: the joined breaker is never looser
    /// than either side in any setting, and is one of the two where they agree.
    @Test func joinedBreakerIsNeverLooserThanEither() {
        let variants = [
            Self.base,
            Breaker(denials: 1, within: 60, effects: [.write], scope: .all, level: .writes, duration: 60),
            Breaker(denials: 10, within: 86400, effects: [.opaque, .destructive], scope: .agent, level: .all, duration: 86400),
        ]
        for a in variants {
            for b in variants {
                guard let joined = PolicyLoader.stricterBreaker(a, b) else {
                    Issue.record("two breakers joined to none")
                    continue
                }
                for side in [a, b] {
                    #expect(joined.denials <= side.denials)
                    #expect(joined.within >= side.within)
                    #expect(joined.duration >= side.duration)
                    #expect(Set(side.effects).isSubset(of: joined.effects))
                    #expect(side.scope == .agent || joined.scope == .all)
                    #expect(side.level == .writes || joined.level == .all)
                }
                #expect(PolicyLoader.stricterBreaker(a, a) == a)
            }
        }
        #expect(PolicyLoader.stricterBreaker(nil, Self.base) == Self.base)
        #expect(PolicyLoader.stricterBreaker(Self.base, nil) == Self.base)
        #expect(PolicyLoader.stricterBreaker(nil, nil) == nil)
    }

    @Test func loadingAProjectFileTightensTheBuiltInBreaker() throws {
        let loaded = PolicyLoader.load(
            explicit: nil, environment: [:], airlockHome: "/h/.airlock", workingDirectory: "/p",
            readFile: { $0 == "/p/.airlock/policy.yaml" ? "version: 1\nbreaker: {denials: 2, within: 5m, then: {freeze: {scope: all, level: writes, for: 1h}}}\n" : nil })
        let policy = try #require(loaded.policy)
        #expect(policy.breaker == Breaker(denials: 2, within: 600, effects: [.destructive], scope: .all, level: .writes, duration: 3600))
    }
}
