/// Writes canonical JSON straight into bytes, for the one shape written many times a second
/// (an audit record): the same bytes `AuditValue.canonicalBytes` gives for the record's `json`,
/// without building and sorting a tree of dictionaries first. Callers write object members in
/// byte order of their keys; the tests hold the two encodings equal.
struct CanonicalJSONWriter {
    var bytes: [UInt8] = []
    /// Nothing written yet in the innermost open object or array (no comma before the next).
    private var atStart = true

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func openObject() { open(UInt8(ascii: "{")) }
    mutating func closeObject() { close(UInt8(ascii: "}")) }
    mutating func openArray() { open(UInt8(ascii: "[")) }
    mutating func closeArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        atStart = true
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        atStart = false
    }

    /// A member's key; its value follows.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        atStart = true
    }

    mutating func string(_ value: String) {
        separate()
        AuditValue.encode(string: value, into: &bytes)
        atStart = false
    }

    mutating func optional(_ value: String?) {
        if let value { return string(value) }
        separate()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        atStart = false
    }

    mutating func int(_ value: Int64) {
        separate()
        AuditValue.encode(int: value, into: &bytes)
        atStart = false
    }

    mutating func strings(_ values: [String]) {
        openArray()
        for value in values { string(value) }
        closeArray()
    }

    /// `"name":value` for the common member shapes.
    mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, optional value: String?) {
        key(name)
        optional(value)
    }

    mutating func member(_ name: StaticString, int value: Int64) {
        key(name)
        int(value)
    }

    mutating func member(_ name: StaticString, strings values: [String]) {
        key(name)
        strings(values)
    }

    private mutating func separate() {
        if !atStart { bytes.append(UInt8(ascii: ",")) }
    }
}

extension AuditRecord {
    /// The entry's bytes in the log (without the line's newline): `json.canonicalBytes`,
    /// written directly (the proxy's audit writer encodes one per statement).
    public var canonicalBytes: [UInt8] {
        var out = CanonicalJSONWriter(capacity: 1024)
        out.openObject()
        out.key("action")
        out.openObject()
        if let argv = action.argv {
            out.member("argv", strings: argv)
        }
        if let digest = action.fullTextDigest {
            out.member("full_text_digest", digest)
        }
        out.member("kind", action.kind)
        out.member("text", action.text)
        out.closeObject()
        if let approval {
            out.key("approval")
            out.openObject()
            out.member("approver", optional: approval.approver)
            out.member("id", approval.id)
            out.closeObject()
        }
        out.key("context")
        out.openObject()
        out.member("agent", optional: context.agent)
        out.member("host", context.host)
        out.member("session", optional: context.session)
        out.member("user", context.user)
        out.member("working_dir", context.workingDirectory)
        out.closeObject()
        out.member("decision", outcome.rawValue)
        out.member("door", door.rawValue)
        out.member("environment", environment)
        out.member("index", int: Int64(index))
        if let journal {
            out.member("journal", journal)
        }
        out.key("matched_rule")
        out.openObject()
        out.member("id", rule.id)
        out.member("pattern", rule.pattern)
        out.member("type", rule.type)
        out.closeObject()
        out.member("mode", mode)
        out.key("parsed")
        out.openArray()
        for command in commands { Self.write(command, into: &out) }
        out.closeArray()
        out.member("policy_digest", policyDigest)
        out.member("prev", previous)
        out.member("reason", reason)
        if let result {
            out.key("result")
            out.openObject()
            out.member("duration_us", int: result.durationMicroseconds)
            if let error = result.error {
                out.member("error", error)
            }
            if let of = result.of {
                out.member("of", int: Int64(of))
            }
            out.closeObject()
        }
        out.member("timestamp", timestamp)
        out.closeObject()
        return out.bytes
    }

    private static func write(_ command: Command, into out: inout CanonicalJSONWriter) {
        out.openObject()
        out.member("args", strings: command.args)
        out.member("binary", command.binary)
        out.member("decision", command.decision)
        out.member("effect", command.effect)
        out.member("environment", command.environment)
        out.member("rule", optional: command.rule)
        if let statement = command.statement {
            out.key("statement")
            out.openObject()
            out.member("class", statement.sqlClass)
            out.member("flags", strings: statement.flags)
            out.member("kind", statement.kind)
            if let rows = statement.rows {
                out.member("rows", int: Int64(rows))
            }
            out.member("tables", strings: statement.tables)
            out.member("text", statement.text)
            out.closeObject()
        }
        out.member("subcommand", optional: command.subcommand)
        out.member("targets", strings: command.targets)
        out.closeObject()
    }
}
