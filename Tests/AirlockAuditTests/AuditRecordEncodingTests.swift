import Testing
@testable import AirlockAudit

/// The record's direct encoder must write exactly the bytes of the generic canonical encoding
/// of its `json` (the bytes every existing log line and its hash were made from).
@Suite struct AuditRecordEncodingTests {
    /// Texts that exercise every escape, a run around each, multi-byte UTF-8 and the empty one.
    static let texts = [
        "", "ls -la", "a\"b", "back\\slash", "line\nbreak\r\ttab", "\u{0}\u{1}\u{1F}\u{7F}\u{8}\u{C}", "é ✓ 𝄞", "end\"", "\"start",
        "SELECT * FROM t WHERE name = 'x' -- \u{7}",
    ]

    static func text(_ random: inout SeededGenerator) -> String {
        if Bool.random(using: &random) { return texts.randomElement(using: &random) ?? "" }
        let pool = Array(texts.joined().unicodeScalars) + Array("abcxyz019 ".unicodeScalars)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...24, using: &random) { scalars.append(pool.randomElement(using: &random) ?? "a") }
        return String(scalars)
    }

    static func maybe<T>(_ random: inout SeededGenerator, _ make: (inout SeededGenerator) -> T) -> T? {
        Bool.random(using: &random) ? make(&random) : nil
    }

    static func integer(_ random: inout SeededGenerator) -> Int64 {
        [0, 1, -1, 9, 10, Int64.max, Int64.min, Int64.random(in: Int64.min...Int64.max, using: &random)].randomElement(using: &random) ?? 0
    }

    static func record(_ random: inout SeededGenerator) -> AuditRecord {
        let commands = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            AuditRecord.Command(
                binary: text(&random), args: (0..<Int.random(in: 0...3, using: &random)).map { _ in text(&random) },
                subcommand: maybe(&random, text), effect: text(&random), environment: text(&random),
                targets: (0..<Int.random(in: 0...2, using: &random)).map { _ in text(&random) },
                statement: maybe(&random) { random in
                    AuditRecord.Statement(
                        text: text(&random), kind: text(&random), sqlClass: text(&random), tables: [text(&random)], flags: [],
                        rows: maybe(&random) { Int(integer(&$0)) })
                },
                decision: text(&random), rule: maybe(&random, text))
        }
        var record = AuditRecord(
            timestamp: text(&random), outcome: AuditRecord.Outcome.allCases.randomElement(using: &random) ?? .allowed,
            door: AuditDoor.allCases.randomElement(using: &random) ?? .check,
            action: AuditRecord.Action(
                kind: text(&random), text: text(&random), argv: maybe(&random) { random in [text(&random), text(&random)] },
                fullTextDigest: maybe(&random, text)),
            commands: commands, environment: text(&random), rule: AuditRecord.Rule(id: text(&random), type: text(&random), pattern: text(&random)),
            reason: text(&random),
            context: AuditRecord.Context(
                user: text(&random), agent: maybe(&random, text), session: maybe(&random, text), workingDirectory: text(&random), host: text(&random)),
            approval: maybe(&random) { random in AuditRecord.Approval(id: text(&random), approver: maybe(&random, text)) },
            policyDigest: text(&random), mode: text(&random))
        record.index = UInt64.random(in: 0...UInt64(Int64.max), using: &random)
        record.previous = text(&random)
        record.journal = maybe(&random, text)
        record.result = maybe(&random) { random in
            AuditRecord.Result(durationMicroseconds: integer(&random), error: maybe(&random, text), of: maybe(&random) { UInt64(integer(&$0).magnitude >> 1) })
        }
        return record
    }

    @Test func directEncodingIsTheCanonicalEncodingOfTheJSON() throws {
        var random = SeededGenerator(seed: 0xA1_4C)
        for round in 0..<2_000 {
            let record = Self.record(&random)
            let direct = record.canonicalBytes
            #expect(direct == record.json.canonicalBytes, "round \(round): \(String(decoding: direct, as: UTF8.self))")
            // And it reads back as the same record.
            #expect(try AuditRecord(bytes: direct) == record, "round \(round)")
        }
    }

    @Test func integersAreWrittenAsJSONDigits() {
        for value: Int64 in [0, 7, -7, 10, 100, -1_000_000, Int64.max, Int64.min] {
            var out: [UInt8] = []
            AuditValue.encode(int: value, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
    }
}
