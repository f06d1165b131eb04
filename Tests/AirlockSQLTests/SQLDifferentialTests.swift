import Foundation
import Testing
@testable import AirlockSQL

/// Airlock against the real parser on PostgreSQL's own regression SQL (~50,000 statements).
///
/// `make test` builds the oracle (scripts/sql-oracle.sh: pglast, libpg_query with the
/// PostgreSQL 18 grammar) and points `AIRLOCK_SQL_ORACLE` at it; without the variable this
/// suite is skipped. For every statement:
/// - when the oracle's parse tree holds a node that changes something (InsertStmt, DropStmt,
///   VariableSetStmt, ...) or a call to a function outside Airlock's allow-list, Airlock must
///   not say `read`;
/// - when the oracle cannot parse it, Airlock must not say `read` either (it says
///   `unparseable` unless its PostgreSQL 15 grammar reads it, and then it judges what it read).
/// Two exceptions to the node list follow the reference cases: `COPY ... TO STDOUT` of a read
/// is `read` like the query it prints (ref 23), and a write inside `EXPLAIN` without `ANALYZE`
/// is only planned, never run (ref 14). Functions count even there: the planner runs immutable
/// and stable functions with constant arguments while it plans.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AIRLOCK_SQL_ORACLE"] != nil))
struct SQLDifferentialTests {
    struct Record: Decodable, Sendable {
        var file: String
        var line: Int
        var sql: String
        var parses: Bool
        var nodes: [String]
        var functions: [String]
        var copy_to_stdout: Bool
        var plan_only_nodes: [String]
    }

    struct Verdict: Sendable {
        var sqlClass: SQLClass
        var parsed: Bool
    }

    static func loadOracle() throws -> [Record] {
        let path = ProcessInfo.processInfo.environment["AIRLOCK_SQL_ORACLE"] ?? ""
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        var records: [Record] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            records.append(try decoder.decode(Record.self, from: Data(line)))
        }
        return records
    }

    /// Airlock's verdicts, in the records' order, classified on every core.
    static func classify(_ records: [Record]) async -> [Verdict] {
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (records.count + workers - 1) / workers
        return await withTaskGroup(of: (Int, [Verdict]).self) { group in
            for start in stride(from: 0, to: records.count, by: max(chunk, 1)) {
                let slice = Array(records[start..<min(start + chunk, records.count)])
                group.addTask {
                    (start, slice.map { record in
                        let statements = SQLClassifier.classify(record.sql)
                        return Verdict(
                            sqlClass: SQLClassifier.strictest(statements),
                            parsed: statements.allSatisfy { $0.error == nil && $0.sqlClass != .unparseable }
                        )
                    })
                }
            }
            var verdicts = [Verdict?](repeating: nil, count: records.count)
            for await (start, part) in group {
                for (offset, verdict) in part.enumerated() { verdicts[start + offset] = verdict }
            }
            return verdicts.map { $0! }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func regressionSuiteAgainstPglast() async throws {
        let records: [Record]
        do {
            records = try Self.loadOracle()
        } catch {
            Issue.record("AIRLOCK_SQL_ORACLE is set but the oracle cannot be read (run `make sql-oracle`): \(error)")
            return
        }
        guard !records.isEmpty else {
            Issue.record("AIRLOCK_SQL_ORACLE points at an empty oracle (run `make sql-oracle`)")
            return
        }
        let verdicts = await Self.classify(records)

        var agree = 0
        var dangerous = 0
        var parseDisagreements = 0
        var copyToStdout = 0
        var planOnly = 0
        var readWhenDangerous: [String] = []
        var readWhenUnparseable: [String] = []
        var overByClass: [SQLClass: Int] = [:]
        var oracleOnlyParses = 0
        var onlyAirlockParses: [String] = []
        var airlockOnlyParses = 0
        var unknownFunctions: [String: Int] = [:]

        for (record, verdict) in zip(records, verdicts) {
            let location = "\(record.file):\(record.line)"
            let sql = record.sql.count > 160 ? String(record.sql.prefix(160)) + "…" : record.sql
            var nodes = record.nodes.filter { !record.plan_only_nodes.contains($0) }
            if nodes.count < record.nodes.count, nodes.isEmpty { planOnly += 1 }
            if record.copy_to_stdout, let copy = nodes.firstIndex(of: "CopyStmt") {
                nodes.remove(at: copy)
                if nodes.isEmpty { copyToStdout += 1 }
            }
            let outside = record.functions.filter { !PostgresFunctions.isSideEffectFree($0) }
            let oracleDangerous = !nodes.isEmpty || !outside.isEmpty
            let airlockRead = verdict.sqlClass == .read

            if record.parses != verdict.parsed {
                parseDisagreements += 1
                if record.parses {
                    oracleOnlyParses += 1
                } else {
                    airlockOnlyParses += 1
                    onlyAirlockParses.append("\(location) (\(verdict.sqlClass.rawValue)): \(sql)")
                }
            }
            if oracleDangerous {
                dangerous += 1
                if airlockRead {
                    readWhenDangerous.append("\(location) [\((nodes + outside).joined(separator: ", "))]: \(sql)")
                    for name in outside { unknownFunctions[name, default: 0] += 1 }
                }
            }
            if !record.parses && airlockRead {
                readWhenUnparseable.append("\(location): \(sql)")
            }
            let oracleNonRead = oracleDangerous || !record.parses
            if oracleNonRead == !airlockRead {
                agree += 1
            } else if !airlockRead {
                overByClass[verdict.sqlClass, default: 0] += 1
            }
        }

        let total = records.count
        let percent = (Double(agree) * 1000 / Double(total)).rounded() / 10
        let violations = readWhenDangerous.count + readWhenUnparseable.count
        print(
            "SQL differential: \(total) statements, \(agree) agree (\(percent)%), \(dangerous) dangerous-per-oracle "
                + (readWhenDangerous.isEmpty ? "all non-read" : "(\(readWhenDangerous.count) classified read)")
                + ", \(parseDisagreements) parse disagreements"
        )
        let over = SQLClass.allCases.compactMap { sqlClass in overByClass[sqlClass].map { "\($0) \(sqlClass.rawValue)" } }
        print(
            "SQL differential: where they differ, Airlock is stricter: \(over.joined(separator: ", "))"
                + " (the oracle's list has no CREATE, VACUUM, LOCK or SELECT ... FOR UPDATE);"
                + " parses only in PostgreSQL 18: \(oracleOnlyParses), only in Airlock's PostgreSQL 15: \(airlockOnlyParses);"
                + " taken as read like the reference cases: \(copyToStdout) COPY ... TO STDOUT of a read (ref 23),"
                + " \(planOnly) EXPLAIN without ANALYZE of a write (ref 14)"
        )
        if !unknownFunctions.isEmpty {
            let top = unknownFunctions.sorted { $0.value > $1.value }.prefix(20).map { "\($0.key) (\($0.value))" }
            print("SQL differential: functions outside the allow-list in statements classified read: \(top.joined(separator: ", "))")
        }
        // AIRLOCK_SQL_DIFF_REPORT=path writes every violation, not just the first 20.
        if let report = ProcessInfo.processInfo.environment["AIRLOCK_SQL_DIFF_REPORT"] {
            let lines = readWhenDangerous.map { "dangerous\t\($0)" } + readWhenUnparseable.map { "unparseable\t\($0)" }
                + onlyAirlockParses.map { "parses-only-in-15\t\($0)" }
            try lines.joined(separator: "\n").write(toFile: report, atomically: true, encoding: .utf8)
        }
        if !readWhenDangerous.isEmpty {
            Issue.record(Comment(rawValue:
                "\(readWhenDangerous.count) statements the oracle finds dangerous are classified read, e.g.:\n"
                    + readWhenDangerous.prefix(20).joined(separator: "\n")))
        }
        if !readWhenUnparseable.isEmpty {
            Issue.record(Comment(rawValue:
                "\(readWhenUnparseable.count) statements PostgreSQL 18 cannot parse are classified read, e.g.:\n"
                    + readWhenUnparseable.prefix(20).joined(separator: "\n")))
        }
        #expect(violations == 0)
    }
}
