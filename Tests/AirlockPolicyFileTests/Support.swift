import AirlockCore
@testable import AirlockPolicyFile
import Testing

/// The errors `text` produces, or [] when it parses.
func policyErrors(_ text: String, file: String = "policy.yaml") -> [PolicyError] {
    do {
        _ = try PolicyLoader.parse(text, source: file)
        return []
    } catch {
        return error.errors
    }
}

/// The single error `text` produces; records an issue when there is not exactly one.
func singleError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> PolicyError? {
    let errors = policyErrors(text)
    #expect(errors.count == 1, "expected one error, got: \(errors.map(\.description))", sourceLocation: sourceLocation)
    return errors.first
}

/// A policy without what parsing adds (source, rule lines), for comparing with values.
func normalized(_ policy: Policy) -> Policy {
    var copy = policy
    copy.source = ""
    copy.rules = copy.rules.map { rule in
        var rule = rule
        rule.line = nil
        return rule
    }
    return copy
}

/// A minimal valid document with `rules` appended, environments production/staging declared.
func document(rules: String, environments: String = "  production:\n    labels: [prod]\n  staging:\n    labels: [staging]\n") -> String {
    "version: 1\nenvironments:\n" + environments + "rules:\n" + rules
}
