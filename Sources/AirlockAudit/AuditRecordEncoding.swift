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

    mutating func openObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atStart = true
    }

    mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        atStart = false
    }

    mutating func openArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        atStart = true
    }

    mutating func closeArray() {
        bytes.append(UInt8(ascii: "]"))
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
            out.key("argv")
            out.strings(argv)
        }
        if let digest = action.fullTextDigest {
            out.key("full_text_digest")
            out.string(digest)
        }
        out.key("kind")
        out.string(action.kind)
        out.key("text")
        out.string(action.text)
        out.closeObject()
        if let approval {
            out.key("approval")
            out.openObject()
            out.key("approver")
            out.optional(approval.approver)
            out.key("id")
            out.string(approval.id)
            out.closeObject()
        }
        out.key("context")
        out.openObject()
        out.key("agent")
        out.optional(context.agent)
        out.key("host")
        out.string(context.host)
        out.key("session")
        out.optional(context.session)
        out.key("user")
        out.string(context.user)
        out.key("working_dir")
        out.string(context.workingDirectory)
        out.closeObject()
        out.key("decision")
        out.string(outcome.rawValue)
        out.key("door")
        out.string(door.rawValue)
        out.key("environment")
        out.string(environment)
        out.key("index")
        out.int(Int64(index))
        if let journal {
            out.key("journal")
            out.string(journal)
        }
        out.key("matched_rule")
        out.openObject()
        out.key("id")
        out.string(rule.id)
        out.key("pattern")
        out.string(rule.pattern)
        out.key("type")
        out.string(rule.type)
        out.closeObject()
        out.key("mode")
        out.string(mode)
        out.key("parsed")
        out.openArray()
        for command in commands { Self.write(command, into: &out) }
        out.closeArray()
        out.key("policy_digest")
        out.string(policyDigest)
        out.key("prev")
        out.string(previous)
        out.key("reason")
        out.string(reason)
        if let result {
            out.key("result")
            out.openObject()
            out.key("duration_us")
            out.int(result.durationMicroseconds)
            if let error = result.error {
                out.key("error")
                out.string(error)
            }
            if let of = result.of {
                out.key("of")
                out.int(Int64(of))
            }
            out.closeObject()
        }
        out.key("timestamp")
        out.string(timestamp)
        out.closeObject()
        return out.bytes
    }

    private static func write(_ command: Command, into out: inout CanonicalJSONWriter) {
        out.openObject()
        out.key("args")
        out.strings(command.args)
        out.key("binary")
        out.string(command.binary)
        out.key("decision")
        out.string(command.decision)
        out.key("effect")
        out.string(command.effect)
        out.key("environment")
        out.string(command.environment)
        out.key("rule")
        out.optional(command.rule)
        if let statement = command.statement {
            out.key("statement")
            out.openObject()
            out.key("class")
            out.string(statement.sqlClass)
            out.key("flags")
            out.strings(statement.flags)
            out.key("kind")
            out.string(statement.kind)
            if let rows = statement.rows {
                out.key("rows")
                out.int(Int64(rows))
            }
            out.key("tables")
            out.strings(statement.tables)
            out.key("text")
            out.string(statement.text)
            out.closeObject()
        }
        out.key("subcommand")
        out.optional(command.subcommand)
        out.key("targets")
        out.strings(command.targets)
        out.closeObject()
    }
}
