/// Maps targets to the policy's environments. Pure: the same target and policy always give the
/// same environment.
public struct EnvironmentResolver: Sendable {
    /// The environment of a target no definition claims.
    public static let unknown = "unknown"
    /// The environment of a command that has no target: it acts on the agent's own machine.
    public static let local = "local"

    public let environments: [EnvironmentDefinition]

    public init(environments: [EnvironmentDefinition]) { self.environments = environments }

    /// The environment for one target and why.
    public func resolve(_ target: Target) -> (name: String, reason: String) {
        for environment in environments {
            if target.kind == .socket {
                if environment.localSockets { return (environment.name, "\(target) is a local socket or file") }
                continue
            }
            for pattern in environment.patterns(for: target.kind) where Self.matches(pattern, target) {
                return (environment.name, "\(target) matches \(target.kind.rawValue) pattern '\(pattern)'")
            }
            if let label = Self.matchingLabel(environment.labels, in: target.value) {
                return (environment.name, "\(target) has the label '\(label)'")
            }
        }
        return (Self.unknown, "\(target) matches no environment")
    }

    /// Fills `environment` on a command: the command is judged in every environment its
    /// targets map to; these are returned so the evaluator can take the strictest.
    public func environments(for command: AnalyzedCommand) -> [(name: String, reason: String)] {
        if command.targets.isEmpty { return [(Self.local, "no remote target: acts on this machine")] }
        var seen: Set<String> = []
        var result: [(String, String)] = []
        for target in command.targets {
            let resolved = resolve(target)
            if seen.insert(resolved.name).inserted { result.append(resolved) }
        }
        return result
    }

    static func matches(_ pattern: String, _ target: Target) -> Bool {
        if target.kind == .host, let cidr = IPv4CIDR(pattern) {
            return cidr.contains(target.value)
        }
        return Glob.match(pattern, target.value, caseInsensitive: true)
    }

    static func matchingLabel(_ labels: [String], in value: String) -> String? {
        guard !labels.isEmpty else { return nil }
        let words = value.lowercased().split { $0 == "." || $0 == "-" || $0 == "_" || $0 == "/" || $0 == ":" || $0 == "@" }
        for label in labels where words.contains(where: { $0 == label.lowercased() }) {
            return label
        }
        return nil
    }
}

/// An IPv4 block such as `127.0.0.0/8`.
struct IPv4CIDR: Sendable, Hashable {
    let network: UInt32
    let mask: UInt32

    init?(_ text: String) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, let bits = Int(pieces[1]), (0...32).contains(bits),
              let address = Self.parse(pieces[0]) else { return nil }
        mask = bits == 0 ? 0 : UInt32.max << (32 - UInt32(bits))
        network = address & mask
    }

    func contains(_ host: String) -> Bool {
        guard let address = Self.parse(host[...]) else { return false }
        return address & mask == network
    }

    static func parse(_ text: Substring) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}
