import AirlockCore
import AirlockPolicyFile
import Testing

/// The compiled form keeps every field of a rule's limit and of the breaker: the front door
/// loads policies only through it, so a dropped field would silently drop the limit.
@Suite("Compiled limits and breaker")
struct PolicyCodecLimitTests {
    static let policy = Policy(
        rules: [
            Rule(id: "fetch", decision: .allow, reason: "r", when: Condition(binaries: ["curl"]), limit: RateLimit(count: 30, per: 60, scope: .session, then: .ask)),
            Rule(
                id: "deploy", decision: .ask, reason: "r", when: Condition(binaries: ["kubectl"]),
                approval: ApprovalRequirement(approvers: 2, expires: 900, via: "airlock"), limit: RateLimit(count: 2, per: 86400, scope: .rule, then: .deny)),
            Rule(id: "plain", decision: .deny, reason: "r", when: Condition()),
        ],
        breaker: Breaker(denials: 4, within: 90, effects: [.write, .opaque, .destructive], scope: .all, level: .all, duration: 7200),
        source: "test")

    @Test func toolConditionsRoundTrip() {
        let policy = Policy(rules: [
            Rule(id: "gh", decision: .deny, reason: "r", when: Condition(effects: [.write], tools: ["mcp__github__*"]), unless: Condition(tools: ["mcp__github__get_*"])),
        ])
        let decoded = PolicyCodec.decode(PolicyCodec.encode(policy))
        #expect(decoded == policy)
        #expect(decoded?.rules[0].when.tools == ["mcp__github__*"])
    }

    @Test func limitsAndTheBreakerRoundTrip() {
        #expect(PolicyCodec.decode(PolicyCodec.encode(Self.policy)) == Self.policy)
    }

    @Test("every scope, then, level and effect survives", arguments: RateLimit.Scope.allCases, [Verdict.ask, .deny])
    func everyLimitValue(_ scope: RateLimit.Scope, _ then: Verdict) {
        var policy = Self.policy
        policy.rules[0].limit = RateLimit(count: 1, per: 1, scope: scope, then: then)
        #expect(PolicyCodec.decode(PolicyCodec.encode(policy))?.rules[0].limit == RateLimit(count: 1, per: 1, scope: scope, then: then))
    }

    @Test(arguments: Breaker.Scope.allCases, FreezeLevel.allCases)
    func everyBreakerValue(_ scope: Breaker.Scope, _ level: FreezeLevel) {
        for effects in [[EffectClass.destructive], EffectClass.allCases] {
            var policy = Self.policy
            policy.breaker = Breaker(denials: 1, within: 1, effects: effects, scope: scope, level: level, duration: 1)
            #expect(PolicyCodec.decode(PolicyCodec.encode(policy))?.breaker == policy.breaker)
        }
    }

    @Test func noBreakerAndNoLimitsStayNone() {
        let policy = Policy(rules: [Rule(id: "a", decision: .ask, reason: "r", when: Condition())], source: "s")
        let decoded = PolicyCodec.decode(PolicyCodec.encode(policy))
        #expect(decoded == policy)
        #expect(decoded?.breaker == nil)
        #expect(decoded?.rules.first?.limit == nil)
    }

    @Test func theBuiltInPolicyKeepsItsBreaker() throws {
        #expect(DefaultPolicy.policy.breaker == Breaker(denials: 3, within: 600, effects: [.destructive], scope: .agent, level: .writes, duration: 1800))
        let decoded = try #require(PolicyCodec.decode(PolicyCodec.encode(DefaultPolicy.policy)))
        #expect(decoded == DefaultPolicy.policy)
        #expect(decoded.breaker == DefaultPolicy.policy.breaker)
        let parsed = try PolicyLoader.parse(DefaultPolicyFile.yaml, source: "/x/policy.yaml")
        #expect(PolicyCodec.decode(PolicyCodec.encode(parsed)) == parsed)
    }

    /// A damaged or unknown limit or breaker is no policy at all (the YAML is parsed again),
    /// never a policy without them.
    @Test(arguments: [
        ("\"scope\":\"session\"", "\"scope\":\"sesion\""),
        ("\"then\":\"ask\"", "\"then\":\"maybe\""),
        ("\"count\":30", "\"count\":\"30\""),
        ("\"per\":60,", ""),
        ("\"count\":30", "\"count\":30,\"extra\":1"),
        ("\"limit\":{", "\"limit\":[],\"x\":{"),
        ("\"denials\":4", "\"denials\":true"),
        ("\"level\":\"all\"", "\"level\":\"everything\""),
        ("\"effects\":[\"write\"", "\"effects\":[\"wrote\""),
        ("\"duration\":7200", "\"duration\":7200,\"more\":1"),
        (",\"within\":90", ""),
        ("\"breaker\":{", "\"breaker\":null,\"x\":{"),
    ])
    func damagedLimitsAndBreakersDecodeToNothing(_ from: String, _ to: String) {
        let text = PolicyCodec.encode(Self.policy)
        #expect(text.contains(from), "\(text)")
        #expect(PolicyCodec.decode(text.replacing(from, with: to)) == nil, "\(from) → \(to)")
    }

    @Test func theFormatIsNamedFirst() {
        #expect(PolicyCodec.encode(Self.policy).hasPrefix("{\"format\":\(PolicyCodec.formatVersion),"))
    }
}
