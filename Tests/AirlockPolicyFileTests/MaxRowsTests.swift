import AirlockCore
@testable import AirlockPolicyFile
import Testing

/// `max_rows:` on rules: parsing, errors, the compiled form and rendering.
@Suite("Row caps (max_rows)")
struct MaxRowsTests {
    /// A rule deciding `decision` with `max_rows` as its last line (line 12).
    static func cappedRule(_ value: String, decision: String = "allow") -> String {
        document(rules: "  - id: x\n    decision: \(decision)\n    reason: r\n    when: {}\n    max_rows: \(value)\n")
    }

    @Test(arguments: ["allow", "ask"])
    func parsed(_ decision: String) throws {
        let policy = try PolicyLoader.parse(Self.cappedRule("100", decision: decision), source: "p")
        #expect(policy.rules.first?.maxRows == 100)
    }

    @Test func absentMeansUncapped() throws {
        let policy = try PolicyLoader.parse(document(rules: "  - {id: x, decision: allow, reason: r, when: {}}\n"), source: "p")
        #expect(policy.rules.first?.maxRows == nil)
    }

    @Test(arguments: [
        ("0", "'max_rows' of rule 'x' must be at least 1, not 0"),
        ("-5", "'max_rows' of rule 'x' must be at least 1, not -5"),
        ("lots", "'max_rows' of rule 'x' must be a whole number, not 'lots'"),
        ("1.5", "'max_rows' of rule 'x' must be a whole number, not '1.5'"),
    ])
    func invalidValues(_ value: String, _ message: String) throws {
        let error = try #require(singleError(Self.cappedRule(value)))
        #expect(error.line == 12)
        #expect(error.message == message)
    }

    @Test func onADenyRuleIsAnError() throws {
        let error = try #require(singleError(Self.cappedRule("10", decision: "deny")))
        #expect(error.line == 12)
        #expect(error.message.contains("has 'max_rows' but decides deny"))
    }

    @Test(arguments: ["maxrows", "max_row", "max-rows"])
    func misspeltKeySuggestsMaxRows(_ key: String) throws {
        let text = document(rules: "  - id: x\n    decision: allow\n    reason: r\n    when: {}\n    \(key): 10\n")
        let error = try #require(singleError(text))
        #expect(error.message.contains("did you mean 'max_rows'?"), "\(error.message)")
    }

    @Test func survivesTheCompiledFormAndRendering() throws {
        let policy = try PolicyLoader.parse(Self.cappedRule("250", decision: "ask"), source: "p")
        #expect(PolicyCodec.decode(PolicyCodec.encode(policy)) == policy)
        let yaml = PolicyRenderer.yaml(policy)
        #expect(yaml.contains("    max_rows: 250\n"))
        #expect(normalized(try PolicyLoader.parse(yaml, source: "rendered")) == normalized(policy))
    }

    @Test func changesThePolicyDigest() throws {
        let capped = try PolicyLoader.parse(Self.cappedRule("10"), source: "p")
        var uncapped = capped
        uncapped.rules[0].maxRows = nil
        #expect(PolicyCodec.encode(capped) != PolicyCodec.encode(uncapped))
    }
}
