import Foundation
import Testing
@testable import AirlockSQL

/// The labelled PostgreSQL corpus (Corpus/postgres.tsv): the 41 reference cases, ORM
/// migrations, administration queries and obfuscations, each with the class it must get.
/// The hard bar: nothing that writes, changes schema, needs privilege, destroys or cannot be
/// parsed is ever classified `read`. Beyond that every label must match exactly.
@Suite struct SQLCorpusTests {
    struct Entry: Sendable {
        var line: Int
        var expected: SQLClass
        var sql: String
        var note: String
    }

    struct Outcome: Sendable {
        var entry: Entry
        var statements: [SQLStatement]
        var actual: SQLClass

        var description: String {
            let detail = statements.map { statement in
                "[\(statement.kind.isEmpty ? "?" : statement.kind) \(statement.sqlClass.rawValue): \(statement.reason)]"
            }.joined(separator: " ")
            let sql = entry.sql.replacingOccurrences(of: "\n", with: "\\n")
            return "line \(entry.line): expected \(entry.expected.rawValue), got \(actual.rawValue): \(sql) \(detail)"
        }
    }

    static let corpus = load()

    /// Every entry of the corpus, classified once for all the tests below.
    static let outcomes: [Outcome] = corpus.entries.map { entry in
        let statements = SQLClassifier.classify(entry.sql)
        return Outcome(entry: entry, statements: statements, actual: SQLClassifier.strictest(statements))
    }

    /// The entries, and the lines that could not be read.
    static func load() -> (entries: [Entry], problems: [String]) {
        guard let url = Bundle.module.url(forResource: "postgres", withExtension: "tsv", subdirectory: "Corpus"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            return ([], ["Corpus/postgres.tsv is missing from the test bundle"])
        }
        var entries: [Entry] = []
        var problems: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, let expected = SQLClass(rawValue: fields[0]) else {
                problems.append("Corpus/postgres.tsv line \(index + 1) is not `class<TAB>sql<TAB>note`: \(line)")
                continue
            }
            // `\n` is the only escape: SQL itself keeps its backslashes.
            let sql = fields[1].replacingOccurrences(of: "\\n", with: "\n")
            entries.append(Entry(line: index + 1, expected: expected, sql: sql, note: fields[2]))
        }
        return (entries, problems)
    }

    @Test func corpusIsComplete() {
        for problem in Self.corpus.problems {
            Issue.record(Comment(rawValue: problem))
        }
        let entries = Self.corpus.entries
        #expect(entries.count >= 330, "the corpus must hold at least 330 statements, it has \(entries.count)")
        for sqlClass in SQLClass.allCases {
            #expect(entries.contains { $0.expected == sqlClass }, "no statement is labelled \(sqlClass.rawValue)")
        }
        let references = Set(entries.compactMap { entry -> Int? in
            guard entry.note.hasPrefix("ref ") else { return nil }
            return Int(entry.note.dropFirst(4).prefix { $0.isNumber })
        })
        let missing = (1...41).filter { !references.contains($0) }
        #expect(missing.isEmpty, "reference cases missing from the corpus: \(missing)")
    }

    /// The hard bar: a write, schema change, privileged, destructive or unparseable statement
    /// is never `read`.
    @Test func nothingDangerousReadsAsRead() {
        let dangerous: Set<SQLClass> = [.write, .ddl, .privileged, .destructive, .unparseable]
        let failures = Self.outcomes.filter { dangerous.contains($0.entry.expected) && $0.actual == .read }
        for failure in failures {
            Issue.record("classified read: \(failure.description)")
        }
    }

    /// Every label, exactly. Prints the score line.
    @Test func everyLabelMatches() {
        let outcomes = Self.outcomes
        let mismatches = outcomes.filter { $0.actual != $0.entry.expected }
        let under = mismatches.filter { $0.actual < $0.entry.expected }
        print("SQL corpus: \(outcomes.count - mismatches.count)/\(outcomes.count) exact, \(under.count) under-classified")
        for mismatch in mismatches {
            Issue.record("\(mismatch.actual < mismatch.entry.expected ? "under" : "over")-classified: \(mismatch.description)")
        }
    }

    /// Splitting and text: each statement's text is a piece of the input, and a statement that
    /// did not parse says why.
    @Test func statementsAreWellFormed() {
        for outcome in Self.outcomes {
            for (index, statement) in outcome.statements.enumerated() {
                #expect(statement.index == index, "line \(outcome.entry.line): statement \(index) has index \(statement.index)")
                if statement.sqlClass == .unparseable {
                    #expect(statement.error != nil, "line \(outcome.entry.line): unparseable without an error")
                }
            }
        }
    }
}
