import Synchronization

/// Maps targets to the policy's environments. Pure: the same target and policy always give the
/// same environment.
public struct EnvironmentResolver: Sendable {
    /// The environment of a target no definition claims.
    public static let unknown = "unknown"
    /// The environment of a command that has no target: it acts on the agent's own machine.
    public static let local = "local"

    public let environments: [EnvironmentDefinition]
    /// Patterns compiled once: lower-cased, CIDR blocks parsed, literals told apart from globs.
    private let compiled: [CompiledEnvironment]

    public init(environments: [EnvironmentDefinition]) {
        self.environments = environments
        self.compiled = environments.map(CompiledEnvironment.init)
    }

    /// The environment for one target and, when `explained`, why (the words cost more than
    /// the lookup, so checks skip them).
    public func resolve(_ target: Target, explained: Bool = true) -> (name: String, reason: String) {
        let value = target.value.lowercased()
        let words = Self.labelWords(value)
        for environment in compiled {
            if target.kind == .socket {
                if environment.localSockets { return (environment.name, explained ? "\(target) is a local socket or file" : "") }
                continue
            }
            if let pattern = environment.patterns(for: target.kind).first(where: { $0.matches(value) }) {
                return (environment.name, explained ? "\(target) matches \(target.kind.rawValue) pattern '\(pattern.text)'" : "")
            }
            if let label = environment.labels.first(where: { label in words.contains { $0 == label } }) {
                return (environment.name, explained ? "\(target) has the label '\(label)'" : "")
            }
        }
        return (Self.unknown, explained ? "\(target) matches no environment" : "")
    }

    /// Fills `environment` on a command: the command is judged in every environment its
    /// targets map to; these are returned so the evaluator can take the strictest.
    public func environments(for command: AnalyzedCommand, explained: Bool = true) -> [(name: String, reason: String)] {
        if let declared = command.declared { return [(declared.name, declared.reason)] }
        if command.targets.isEmpty { return Self.localOnly }
        var result: [(name: String, reason: String)] = []
        for target in command.targets {
            let resolved = resolve(target, explained: explained)
            if !result.contains(where: { $0.name == resolved.name }) { result.append(resolved) }
        }
        return result
    }

    private static let localOnly = [(name: local, reason: "no remote target: acts on this machine")]

    /// A target's value split into labels on `.`, `-`, `_`, `/`, `:` and `@` (on UTF-8 bytes:
    /// the separators are ASCII, and Character-level splitting cost more than the lookup).
    static func labelWords(_ value: String) -> [Substring] {
        var words: [Substring] = []
        var start = value.utf8.startIndex
        var index = start
        while index < value.utf8.endIndex {
            switch value.utf8[index] {
            case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"):
                if start < index { words.append(value[start..<index]) }
                start = value.utf8.index(after: index)
            default:
                break
            }
            index = value.utf8.index(after: index)
        }
        if start < value.utf8.endIndex { words.append(value[start...]) }
        return words
    }

}

/// An environment's patterns prepared for matching many targets, one target kind at a time on
/// first use: the built-in environments hold hundreds of patterns, and a hook process that
/// meets one `kubectl` context (or no target at all) should not compile the host patterns.
private final class CompiledEnvironment: Sendable {
    let name: String
    let labels: [String]
    let localSockets: Bool
    private let definition: EnvironmentDefinition
    private let compiled = Mutex<[Target.Kind: [CompiledPattern]]>([:])

    init(_ definition: EnvironmentDefinition) {
        self.definition = definition
        name = definition.name
        labels = definition.labels.map { $0.lowercased() }
        localSockets = definition.localSockets
    }

    func patterns(for kind: Target.Kind) -> [CompiledPattern] {
        compiled.withLock { cache in
            if let ready = cache[kind] { return ready }
            let list = definition.patterns(for: kind).map { CompiledPattern($0, hostKind: kind == .host) }
            cache[kind] = list
            return list
        }
    }
}

/// One environment pattern: a host CIDR block, a literal, or a glob (all lower-case).
private struct CompiledPattern: Sendable {
    enum Form: Sendable { case cidr(IPv4CIDR), literal(String), glob(String) }
    let text: String
    let form: Form

    init(_ text: String, hostKind: Bool) {
        self.text = text
        // Most patterns are already lower-case ASCII; `lowercased()` is Unicode-aware and was a
        // visible share of compiling the built-in environments in every hook process.
        let lowered = text.utf8.allSatisfy({ $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? text : text.lowercased()
        if hostKind, text.utf8.contains(UInt8(ascii: "/")), let cidr = IPv4CIDR(text) {
            form = .cidr(cidr)
        } else if Glob.isLiteral(lowered) {
            form = .literal(lowered)
        } else {
            form = .glob(lowered)
        }
    }

    /// `value` is already lower-case.
    func matches(_ value: String) -> Bool {
        switch form {
        case .cidr(let cidr): return cidr.contains(value)
        case .literal(let literal): return literal == value
        case .glob(let pattern): return Glob.match(pattern, value)
        }
    }
}

/// An IPv4 block such as `127.0.0.0/8`.
struct IPv4CIDR: Sendable, Hashable {
    let network: UInt32
    let mask: UInt32

    // Byte-wise parsing: the built-in environments hold hundreds of host patterns, all compiled
    // in every hook process, and Character-wise splitting was most of that cost.
    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")), let address = Self.parse(bytes[..<slash]),
              let bits = Self.number(bytes[(slash + 1)...], max: 32) else { return nil }
        mask = bits == 0 ? 0 : UInt32.max << (32 - bits)
        network = address & mask
    }

    func contains(_ host: String) -> Bool {
        guard let address = Self.parse(Array(host.utf8)[...]) else { return false }
        return address & mask == network
    }

    /// A dotted quad: four decimal octets, nothing else.
    static func parse(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        for octet in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let byte = number(octet, max: 255) else { return nil }
            value = value << 8 | byte
            octets += 1
        }
        return octets == 4 ? value : nil
    }

    /// Decimal digits only (no sign, no spaces), at most three of them, not above `max`.
    private static func number(_ digits: ArraySlice<UInt8>, max: UInt32) -> UInt32? {
        guard (1...3).contains(digits.count) else { return nil }
        var value: UInt32 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + UInt32(digit - UInt8(ascii: "0"))
        }
        return value <= max ? value : nil
    }
}
