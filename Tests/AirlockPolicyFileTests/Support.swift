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

/// A small deterministic generator, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
