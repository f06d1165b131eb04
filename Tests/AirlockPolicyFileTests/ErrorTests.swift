import AirlockCore
@testable import AirlockPolicyFile
import Testing

/// One test per kind of error, each asserting the line and the words of the message.
/// `document(rules:)` puts the first rule on line 8.
@Suite("Policy errors")
struct ErrorTests {
    // MARK: The error value

    @Test func descriptionNamesFileLineAndProblem() {
        let error = PolicyError(file: "policy.yaml", line: 12, column: 7, message: "unknown key 'efect_class' in rule 'x'; did you mean 'effect_class'?")
        #expect(error.description == "policy.yaml:12: unknown key 'efect_class' in rule 'x'; did you mean 'effect_class'?")
        #expect(PolicyError(file: "/p.yaml", line: nil, message: "gone").description == "/p.yaml: gone")
        let errors = PolicyErrors([error, PolicyError(file: "b", line: 1, message: "m")])
        #expect(errors.description == "policy.yaml:12: unknown key 'efect_class' in rule 'x'; did you mean 'effect_class'?\nb:1: m")
        #expect(errors.count == 2)
    }

    @Test func theFileNameIsTheSourceArgument() throws {
        let error = try #require(policyErrors("version: 2\n", file: "/home/me/.airlock/policy.yaml").first)
        #expect(error.file == "/home/me/.airlock/policy.yaml")
        #expect(error.description.hasPrefix("/home/me/.airlock/policy.yaml:1: "))
    }

    // MARK: YAML syntax

    @Test func yamlSyntaxErrorHasLineAndColumn() throws {
        let error = try #require(singleError("version: 1\nrules:\n  - id: x\n    decision: [deny\n    reason: r\n"))
        #expect(error.line == 6 || error.line == 5)
        #expect(error.column != nil)
        #expect(error.message.hasPrefix("invalid YAML: "))
    }

    @Test func unbalancedQuoteIsASyntaxError() throws {
        let error = try #require(singleError("version: 1\nrules:\n  - id: \"x\n"))
        #expect(error.message.contains("invalid YAML"))
        #expect(error.line == 4 || error.line == 3)
    }

    @Test func mappingValueInsideAPlainScalar() throws {
        let error = try #require(singleError("version: 1\nrules:\n  - id: x\n    reason: a: b\n"))
        #expect(error.line == 4)
        #expect(error.message.contains("mapping values are not allowed"))
    }

    @Test func tabsForIndentationAreExplained() throws {
        let error = try #require(singleError("version: 1\nenvironments:\n\tproduction:\n\t\tlabels: [prod]\n"))
        #expect(error.line == 3)
        #expect(error.message.contains("tab"))
        #expect(error.message.contains("indent with spaces"))
    }

    @Test func unquotedStarGlobIsExplained() throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  production:\n    hosts: [*.internal]\n"))
        #expect(error.line == 4)
        #expect(error.message.contains("must be quoted"))
        let alias = try #require(singleError("version: 1\nenvironments:\n  production:\n    hosts:\n      - *prod\n"))
        #expect(alias.line == 5)
        #expect(alias.message.contains("must be quoted"))
    }

    @Test func anchorsAreRefused() throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  production:\n    labels: &p [prod]\n  prod2:\n    labels: *p\n"))
        #expect(error.line == 4)
        #expect(error.column == 13)
        #expect(error.message.contains("'&p' is a YAML anchor"))
    }

    @Test func duplicateYAMLKeys() throws {
        let error = try #require(singleError("version: 1\nmode: enforce\nmode: monitor\n"))
        #expect(error.line == 2 || error.line == 3)
        #expect(error.message.contains("duplicate key 'mode'"))
    }

    @Test func moreThanOneDocument() throws {
        let error = try #require(singleError("version: 1\n---\nversion: 1\n"))
        #expect(error.line == 2)
        #expect(error.message.contains("more than one YAML document"))
    }

    // MARK: The document

    @Test(arguments: ["", "\n\n", "   \n", "# only a comment\n# and another\n", "---\n", "~\n", "null"])
    func emptyFile(_ text: String) throws {
        let error = try #require(singleError(text))
        #expect(error.line == 1)
        #expect(error.message == "the policy file is empty; it needs at least 'version: 1'")
    }

    @Test(arguments: [("- a\n- b\n", "a list"), ("just text\n", "'just text'"), ("42", "'42'")])
    func documentThatIsNotAMapping(_ text: String, _ found: String) throws {
        let error = try #require(singleError(text))
        #expect(error.line == 1)
        #expect(error.message == "a policy must be a mapping with the keys version, mode, default, environments and rules, not \(found)")
    }

    @Test func unsupportedVersion() throws {
        let error = try #require(singleError("mode: enforce\nversion: 2\n"))
        #expect(error.line == 2)
        #expect(error.message == "unsupported policy version 2; this version of Airlock reads version 1")
    }

    @Test func versionThatIsNotANumber() throws {
        let error = try #require(singleError("version: one\n"))
        #expect(error.line == 1)
        #expect(error.message == "'version' must be the number 1, not 'one'")
    }

    @Test func missingVersion() throws {
        let error = try #require(singleError("\n\nmode: enforce\n"))
        #expect(error.line == 3)
        #expect(error.message == "the policy has no 'version'; add 'version: 1' at the top")
    }

    @Test func invalidMode() throws {
        let error = try #require(singleError("version: 1\nmode: enforcing\n"))
        #expect(error.line == 2)
        #expect(error.message == "invalid mode 'enforcing'; expected enforce or monitor (did you mean 'enforce'?)")
    }

    @Test func invalidDefault() throws {
        let error = try #require(singleError("version: 1\ndefault: block\n"))
        #expect(error.line == 2)
        #expect(error.message == "invalid decision 'block'; expected allow, ask or deny (did you mean 'deny'?)")
    }

    // MARK: Unknown keys

    @Test func unknownTopLevelKeySuggestsTheClosest() throws {
        let error = try #require(singleError("version: 1\nrule:\n  - {}\n"))
        #expect(error.line == 2)
        #expect(error.column == 1)
        #expect(error.message == "unknown key 'rule' at the top level; did you mean 'rules'?")
    }

    @Test func unknownTopLevelKeyWithNothingCloseListsTheKeys() throws {
        let error = try #require(singleError("version: 1\nflavour: vanilla\n"))
        #expect(error.message == "unknown key 'flavour' at the top level; expected one of: version, mode, default, breaker, environments, rules")
    }

    @Test func unknownRuleKey() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decison: deny\n    decision: deny\n    reason: r\n    when: {}\n")))
        #expect(error.line == 9)
        #expect(error.message == "unknown key 'decison' in rule 'x'; did you mean 'decision'?")
    }

    @Test func unknownConditionKey() throws {
        let error = try #require(singleError(document(rules: """
          - id: x
            decision: deny
            reason: r
            when:
              environment: production
              efect_class: destructive
        """)))
        #expect(error.line == 13)
        #expect(error.column == 7)
        #expect(error.description == "policy.yaml:13: unknown key 'efect_class' in 'when' of rule 'x'; did you mean 'effect_class'?")
    }

    @Test(arguments: [
        ("binaries", "binary"), ("effects", "effect_class"), ("environments", "environment"), ("branches", "branch"),
        ("paths", "path"), ("agents", "agent"), ("users", "user"), ("subcommands", "subcommand"), ("binray", "binary"),
        ("arguments", "args"), ("Effect-Class", "effect_class"), ("interactve", "interactive"), ("tools", "tool"),
        ("mcp", "tool"), ("tol", "tool"),
    ])
    func conditionKeySuggestions(_ wrong: String, _ right: String) throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when:\n      \(wrong): x\n")))
        #expect(error.line == 12)
        #expect(error.message == "unknown key '\(wrong)' in 'when' of rule 'x'; did you mean '\(right)'?")
    }

    @Test func conditionWrittenOnTheRuleItself() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    binary: git\n    when: {}\n")))
        #expect(error.line == 11)
        #expect(error.message == "unknown key 'binary' in rule 'x'; conditions such as 'binary' go under 'when:'")
    }

    @Test func ruleKeyIndentedIntoWhen() throws {
        // Two problems: 'reason' is in the wrong place, so the rule also has no reason.
        let errors = policyErrors(document(rules: "  - id: x\n    decision: deny\n    when:\n      binary: git\n      reason: r\n"))
        #expect(errors.count == 2)
        #expect(errors.map(\.line) == [8, 12])
        #expect(errors[0].message == "rule 'x' has no 'reason'; every rule needs id, decision, reason and when")
        #expect(errors[1].message == "unknown key 'reason' in 'when' of rule 'x'; 'reason' belongs to the rule itself, not to 'when' (check the indentation)")
    }

    @Test func unknownEnvironmentKey() throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  production:\n    host: [db.prod]\n"))
        #expect(error.line == 4)
        #expect(error.message == "unknown key 'host' in environment 'production'; did you mean 'hosts'?")
    }

    @Test func environmentPatternsAtTheTopLevel() throws {
        let error = try #require(singleError("version: 1\nhosts: [a]\n"))
        #expect(error.message == "unknown key 'hosts' at the top level; patterns such as 'hosts' go under 'environments:' and an environment name")
    }

    @Test func unknownApprovalAndExamplesKeys() throws {
        let errors = policyErrors(document(rules: """
          - id: x
            decision: ask
            reason: r
            when: {}
            approval: { approver: 2 }
            examples: { denied: [a] }
        """))
        #expect(errors.map(\.line) == [12, 13])
        #expect(errors.map(\.message) == [
            "unknown key 'approver' in 'approval' of rule 'x'; did you mean 'approvers'?",
            "unknown key 'denied' in 'examples' of rule 'x'; did you mean 'deny'?",
        ])
    }

    @Test func nonTextKey() throws {
        let error = try #require(singleError("version: 1\n[a, b]: c\n"))
        #expect(error.line == 2)
        #expect(error.message == "unexpected a list used as a key at the top level; keys are words such as 'id' or 'hosts'")
    }

    // MARK: Wrong types

    @Test func rulesMustBeAList() throws {
        let error = try #require(singleError("version: 1\nrules:\n  id: x\n"))
        #expect(error.line == 3)
        #expect(error.message == "'rules' must be a list, each rule starting with '- id: …', not a mapping")
    }

    @Test func ruleMustBeAMapping() throws {
        let error = try #require(singleError("version: 1\nrules:\n  - deny everything\n"))
        #expect(error.line == 3)
        #expect(error.message == "rule 1 must be a mapping with id, decision, reason and when, not 'deny everything'")
    }

    @Test func environmentsMustBeAMapping() throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  - production\n"))
        #expect(error.line == 3)
        #expect(error.message.hasPrefix("'environments' must be a mapping from environment names to their patterns"))
    }

    @Test func environmentMustBeAMapping() throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  production: [prod]\n"))
        #expect(error.line == 3)
        #expect(error.message == "environment 'production' must be a mapping of patterns (hosts, kube_contexts, labels, …), not a list")
    }

    @Test func whenMustBeAMapping() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when: [binary, git]\n")))
        #expect(error.line == 11)
        #expect(error.message == "'when' of rule 'x' must be a mapping of conditions (binary, environment, effect_class, …), not a list")
    }

    @Test func whenWithNoValue() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when:\n")))
        #expect(error.line == 11)
        #expect(error.message == "'when' of rule 'x' has no value; write 'when: {}' to match every command")
    }

    @Test func patternListMustBeTextOrAList() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when:\n      binary: {name: git}\n")))
        #expect(error.line == 12)
        #expect(error.message == "'binary' in 'when' of rule 'x' must be text or a list of text, not a mapping")
    }

    @Test func listEntriesMustBeText() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when:\n      binary:\n        - git\n        - [docker]\n")))
        #expect(error.line == 14)
        #expect(error.message == "entry 2 of 'binary' in 'when' of rule 'x' must be non-empty text, not a list")
    }

    @Test func emptyConditionListCouldNeverMatch() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when: { binary: [] }\n")))
        #expect(error.line == 11)
        #expect(error.message.hasPrefix("'binary' in 'when' of rule 'x' is an empty list, which matches nothing"))
    }

    @Test func conditionWithNoValue() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when:\n      user:\n")))
        #expect(error.line == 12)
        #expect(error.message == "'user' in 'when' of rule 'x' has no value; give it a value or remove the key")
    }

    @Test func reasonMustBeText() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: [a, b]\n    when: {}\n")))
        #expect(error.line == 10)
        #expect(error.message == "'reason' of rule 'x' must be text, not a list")
    }

    @Test func emptyReason() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: '  '\n    when: {}\n")))
        #expect(error.line == 10)
        #expect(error.message.hasPrefix("'reason' of rule 'x' is empty"))
    }

    @Test(arguments: ["maybe", "yes", "1", "\"\""])
    func booleansMustBeTrueOrFalse(_ value: String) throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  dev:\n    local_sockets: \(value)\n"))
        #expect(error.line == 4)
        #expect(error.message.hasPrefix("'local_sockets' of environment 'dev' must be true or false, not "))
    }

    @Test func interactiveMustBeABoolean() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: { interactive: sometimes }\n")))
        #expect(error.line == 11)
        #expect(error.message == "'interactive' in 'when' of rule 'x' must be true or false, not 'sometimes'")
    }

    // MARK: Rules

    @Test func missingId() throws {
        let error = try #require(singleError(document(rules: "  - decision: deny\n    reason: r\n    when: {}\n")))
        #expect(error.line == 8)
        #expect(error.message == "rule 1 has no 'id'; every rule needs id, decision, reason and when")
    }

    @Test func missingDecision() throws {
        let error = try #require(singleError(document(rules: "  - id: a\n    decision: ask\n    reason: r\n    when: {}\n  - id: b\n    reason: r\n    when: {}\n")))
        #expect(error.line == 12)
        #expect(error.message == "rule 'b' has no 'decision'; every rule needs id, decision, reason and when")
    }

    @Test func missingReason() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    when: {}\n")))
        #expect(error.line == 8)
        #expect(error.message == "rule 'x' has no 'reason'; every rule needs id, decision, reason and when")
    }

    @Test func missingWhen() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n")))
        #expect(error.line == 8)
        #expect(error.message == "rule 'x' has no 'when'; every rule needs id, decision, reason and when (write 'when: {}' to match every command)")
    }

    @Test func severalMissingKeysAreOneError() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n")))
        #expect(error.message == "rule 'x' has no 'decision', 'reason' and 'when'; every rule needs id, decision, reason and when")
    }

    @Test func duplicateRuleIds() throws {
        let error = try #require(singleError(document(rules: """
          - { id: same, decision: deny, reason: r, when: {} }
          - { id: other, decision: deny, reason: r, when: {} }
          - { id: same, decision: ask, reason: r, when: {} }
        """)))
        #expect(error.line == 10)
        #expect(error.message == "duplicate rule id 'same' (first used on line 8); rule ids must be unique")
    }

    @Test(arguments: ["No-Capitals", "has space", "-leading-dash", "ünïcode", "semi;colon"])
    func invalidRuleId(_ id: String) throws {
        let error = try #require(singleError(document(rules: "  - { id: \"\(id)\", decision: deny, reason: r, when: {} }\n")))
        #expect(error.line == 8)
        #expect(error.message == "invalid rule id '\(id)'; ids use lowercase letters, digits, '-', '_' and '.', starting with a letter or digit")
    }

    @Test func workspacePrefixIsReserved() throws {
        let error = try #require(singleError(document(rules: "  - { id: \"workspace:x\", decision: deny, reason: r, when: {} }\n")))
        #expect(error.message == "rule id 'workspace:x' starts with 'workspace:', which is reserved for rules from a workspace policy")
    }

    @Test func invalidDecision() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: alow\n    reason: r\n    when: {}\n")))
        #expect(error.line == 9)
        #expect(error.column == 15)
        #expect(error.message == "invalid decision 'alow' in rule 'x'; expected allow, ask or deny (did you mean 'allow'?)")
    }

    @Test func invalidEffectClass() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when:\n      effect_class: [write, destroy]\n")))
        #expect(error.line == 12)
        #expect(error.message == "unknown effect class 'destroy' in 'when' of rule 'x'; expected read, write, opaque or destructive")
        let typo = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when: { effect_class: destructve }\n")))
        #expect(typo.message.hasSuffix("(did you mean 'destructive'?)"))
    }

    @Test func emptyUnlessWouldDisableTheRule() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when: {}\n    unless: {}\n")))
        #expect(error.line == 12)
        #expect(error.message.hasPrefix("'unless' of rule 'x' is empty, so it holds for every command"))
    }

    // MARK: Approval

    @Test(arguments: ["15 minutes", "15", "0m", "-5m", "1w", "m", "1.5h", "99999999999999999999d", "9999999999999999d"])
    func invalidDuration(_ text: String) throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: {}\n    approval:\n      expires: \(text)\n")))
        #expect(error.line == 13)
        #expect(error.message == "invalid duration '\(text)' for 'expires' of rule 'x'; write a whole number followed by s, m, h or d, such as 90s, 15m, 2h or 1d")
    }

    @Test(arguments: ["0", "-1"])
    func approversBelowOne(_ count: String) throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: {}\n    approval: { approvers: \(count) }\n")))
        #expect(error.line == 12)
        #expect(error.message == "'approvers' of rule 'x' must be at least 1, not \(count)")
    }

    @Test func approversThatIsNotANumber() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: {}\n    approval: { approvers: two }\n")))
        #expect(error.message == "'approvers' of rule 'x' must be a whole number, not 'two'")
    }

    @Test func approvalOnARuleThatDoesNotAsk() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when: {}\n    approval: { approvers: 2 }\n")))
        #expect(error.line == 12)
        #expect(error.message == "rule 'x' has 'approval' but decides deny; approval only applies to rules that decide ask")
    }

    @Test func invalidVia() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when: {}\n    approval: { via: slack }\n")))
        #expect(error.message == "invalid 'via' 'slack' in rule 'x'; expected airlock (out-of-band approval) or host (the agent's own prompt)")
    }

    // MARK: Environments

    @Test func undeclaredEnvironment() throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: deny\n    reason: r\n    when:\n      environment: [staging, prodution]\n")))
        #expect(error.line == 12)
        #expect(error.column == 30)
        #expect(error.message == "rule 'x' names environment 'prodution', but it is not declared under 'environments' (did you mean 'production'?) (declared: production, staging; 'local' and 'unknown' are built in)")
    }

    @Test func undeclaredEnvironmentThatIsALabel() throws {
        let error = try #require(singleError(document(rules: "  - { id: x, decision: deny, reason: r, when: { environment: prod } }\n")))
        #expect(error.message == "rule 'x' names environment 'prod', but it is not declared under 'environments' (did you mean 'production'? 'prod' is one of its labels) (declared: production, staging; 'local' and 'unknown' are built in)")
    }

    @Test func undeclaredEnvironmentInUnless() throws {
        let error = try #require(singleError("version: 1\nrules:\n  - id: x\n    decision: deny\n    reason: r\n    when: {}\n    unless: { environment: dev }\n"))
        #expect(error.line == 7)
        #expect(error.message == "rule 'x' names environment 'dev', but it is not declared under 'environments' (none are declared; 'local' and 'unknown' are built in)")
    }

    @Test(arguments: ["local", "unknown"])
    func builtInEnvironmentsCannotBeDeclared(_ name: String) throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  \(name):\n    labels: [x]\n"))
        #expect(error.line == 3)
        #expect(error.message.hasPrefix("'\(name)' is a built-in environment and cannot be declared"))
    }

    @Test func invalidEnvironmentName() throws {
        // One error: the rule naming the refused environment is not blamed as well.
        let error = try #require(singleError("version: 1\nenvironments:\n  Production:\n    labels: [x]\nrules: [{id: r, decision: deny, reason: r, when: {environment: Production}}]\n"))
        #expect(error.line == 3)
        #expect(error.message.hasPrefix("invalid environment name 'Production'"))
    }

    @Test(arguments: [
        ("10.0.0.0/33", "the prefix length after '/' must be a number from 0 to 32"),
        ("10.0.0.0/", "the prefix length after '/' must be a number from 0 to 32"),
        ("10.0.0.0/x", "the prefix length after '/' must be a number from 0 to 32"),
        ("300.1.1.1/8", "'300.1.1.1' is not an IPv4 address (four numbers 0-255 separated by dots)"),
        ("10.0.0/8", "'10.0.0' is not an IPv4 address (four numbers 0-255 separated by dots)"),
        ("db.prod/8", "'db.prod' is not an IPv4 address (four numbers 0-255 separated by dots)"),
    ])
    func invalidCIDRHostPatterns(_ pattern: String, _ problem: String) throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  production:\n    hosts:\n      - \"*.prod\"\n      - \"\(pattern)\"\n"))
        #expect(error.line == 6)
        #expect(error.message == "host pattern '\(pattern)' is not a valid CIDR block: \(problem) (environment 'production')")
    }

    @Test func ipv6CIDRIsNotSupported() throws {
        let error = try #require(singleError("version: 1\nenvironments:\n  production:\n    hosts: [\"fd00::/8\"]\n"))
        #expect(error.line == 4)
        #expect(error.message.contains("looks like an IPv6 CIDR block"))
    }

    @Test func labelsAreWords() throws {
        let errors = policyErrors("version: 1\nenvironments:\n  production:\n    labels: [prod, prod-eu, \"prod*\"]\n")
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.line == 4 })
        #expect(errors.first?.message.hasPrefix("label 'prod-eu' of environment 'production' contains '-'") == true)
        #expect(errors.last?.message.hasPrefix("label 'prod*' of environment 'production' contains a wildcard") == true)
    }

    // MARK: Paths

    @Test(arguments: [
        (".env", "is relative, but paths are matched in absolute form; write '**/.env' to match it anywhere or '{cwd}/.env' for the working directory"),
        ("*.pem", "is relative"),
        ("~root/.ssh", "uses '~user', which is not supported"),
        ("$SECRETS/x", "starts with a variable other than $HOME or $AIRLOCK_HOME"),
        ("/srv/{cwd}/x", "has '{cwd}' in the middle; it only expands at the start of a pattern"),
        ("!", "is empty"),
    ])
    func invalidPathPatterns(_ pattern: String, _ problem: String) throws {
        let error = try #require(singleError(document(rules: "  - id: x\n    decision: ask\n    reason: r\n    when:\n      path: [\"/ok/**\", \"\(pattern)\"]\n")))
        #expect(error.line == 12)
        #expect(error.message.hasPrefix("path pattern '\(pattern)' \(problem)"))
        #expect(error.message.hasSuffix("(rule 'x')"))
    }

    // MARK: Collecting

    @Test func allErrorsAreCollectedInFileOrder() throws {
        let errors = policyErrors("""
        version: 1
        mode: enforcing
        environments:
          production:
            hosts: ["10.0.0.0/40"]
        rules:
          - id: a
            decision: deny
            reason: r
            when: { environment: prod }
          - id: b
            decision: maybe
            reason: r
            when: { efect_class: destructive }
          - id: a
            decision: deny
            reason: r
            when: {}
        """)
        #expect(errors.map(\.line) == [2, 5, 10, 12, 14, 15])
        #expect(errors.map(\.message) == [
            "invalid mode 'enforcing'; expected enforce or monitor (did you mean 'enforce'?)",
            "host pattern '10.0.0.0/40' is not a valid CIDR block: the prefix length after '/' must be a number from 0 to 32 (environment 'production')",
            "rule 'a' names environment 'prod', but it is not declared under 'environments' (did you mean 'production'?) (declared: production; 'local' and 'unknown' are built in)",
            "invalid decision 'maybe' in rule 'b'; expected allow, ask or deny",
            "unknown key 'efect_class' in 'when' of rule 'b'; did you mean 'effect_class'?",
            "duplicate rule id 'a' (first used on line 7); rule ids must be unique",
        ])
    }

    @Test func errorsAreCapped() throws {
        var text = "version: 1\nrules:\n"
        for index in 0..<150 { text += "  - { id: r\(index), decision: nope, reason: r, when: {} }\n" }
        let errors = policyErrors(text)
        #expect(errors.count == PolicyDecoder.maxErrors + 1)
        #expect(errors.last?.message == "50 more problems not shown; fix these first")
    }
}
