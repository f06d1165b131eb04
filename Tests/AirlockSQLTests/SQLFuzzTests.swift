import Testing
@testable import AirlockSQL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic random generator (SplitMix64): a failing mutant is reproduced by its seed.
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

/// Mutation fuzzing of the splitter and classifier, seeded so every run is the same: no input
/// crashes or hangs it, a mutant that still reads as a destroying statement is never `read`,
/// and mutations that keep the meaning (case, comments, whitespace, a harmless statement in
/// front) keep the class.
@Suite struct SQLFuzzTests {
    /// Destructive statements to mutate. Those without quotes or dollar signs also take the
    /// meaning-preserving mutations, whose result must stay exactly `destructive`.
    static let seeds: [String] = [
        "DROP TABLE users",
        "DROP TABLE IF EXISTS public.users CASCADE",
        "DROP SCHEMA public CASCADE",
        "DROP DATABASE prod",
        "DROP OWNED BY app",
        "DROP INDEX CONCURRENTLY users_email_idx",
        "DROP VIEW active_users, recent_orders",
        "DROP FUNCTION wipe(integer)",
        "DELETE FROM users",
        "DELETE FROM users WHERE id = 1",
        "DELETE FROM ONLY users USING banned WHERE users.id = banned.id RETURNING *",
        "TRUNCATE users",
        "TRUNCATE ONLY users, orders RESTART IDENTITY CASCADE",
        "UPDATE users SET admin = true",
        "UPDATE users SET admin = true WHERE 1 = 1",
        "UPDATE users SET admin = true WHERE true",
        "WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d",
        "SELECT * FROM (WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d) s",
        "INSERT INTO log WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d",
        "WITH x AS (SELECT 1) UPDATE users SET admin = true",
        "EXPLAIN ANALYZE DELETE FROM users",
        "EXPLAIN (ANALYZE, BUFFERS) UPDATE users SET admin = true",
        "ALTER TABLE users DROP COLUMN email",
        "ALTER TABLE users ALTER COLUMN id TYPE bigint",
        "MERGE INTO users u USING stale s ON u.id = s.id WHEN MATCHED THEN DELETE",
        "PREPARE p AS DELETE FROM users; EXECUTE p",
        "SELECT 1; COMMIT; DROP TABLE users; SELECT 1",
        "BEGIN; DELETE FROM orders WHERE created_at < now() - interval '1 year'; COMMIT",
        "DELETE FROM \"users\" WHERE \"id\" = $1",
        "DROP TABLE U&\"\\0075sers\"",
        "SELECT $a$ $b$ $a$; DROP TABLE users",
        "SELECT E'\\\\'; TRUNCATE users",
    ]

    static let destructiveKinds = ["DELETE", "TRUNCATE", "TRUNCATE TABLE"]

    static func isDestructiveKind(_ kind: String) -> Bool {
        destructiveKinds.contains(kind) || kind.hasPrefix("DROP")
    }

    /// What any statement of any input must satisfy: one that reads as destroying something is
    /// destructive (or unparseable), and one with a writable CTE or an unkeyed UPDATE or
    /// DELETE is not `read`. Returns the problems found.
    static func violations(_ statements: [SQLStatement]) -> [String] {
        var problems: [String] = []
        for statement in statements {
            let text = String(statement.text.prefix(120))
            if isDestructiveKind(statement.kind), statement.sqlClass != .destructive, statement.sqlClass != .unparseable {
                problems.append("\(statement.kind) classified \(statement.sqlClass.rawValue): \(text)")
            }
            // A plain EXPLAIN only plans: it may carry the explained statement's flags and be read.
            let plansOnly = statement.kind == "EXPLAIN" && !statement.flags.contains(.explainAnalyze)
            let unsafe: Set<SQLFlag> = [.writableCTE, .noWhere, .tautologicalWhere]
            if statement.sqlClass == .read, !plansOnly, !statement.flags.isDisjoint(with: unsafe) {
                problems.append("read with flags \(statement.sortedFlags.map(\.rawValue)): \(text)")
            }
        }
        return problems
    }

    // MARK: Mutations

    enum Mutation: CaseIterable {
        // Meaning-preserving when applied to a seed without quotes.
        case caseFlip, blockComment, lineComment, whitespace, nestedComment, harmlessPrefix, emptyStatements
        // Anything goes.
        case parentheses, cteWrap, randomByte, deleteRange, duplicateRange, quote, dollarWrap, truncate,
            semicolon, keywordSplice

        static let preserving: [Mutation] = [.caseFlip, .blockComment, .lineComment, .whitespace, .nestedComment, .harmlessPrefix, .emptyStatements]
    }

    /// Positions of spaces (outside any quote in a quote-free seed: between tokens).
    static func spaces(_ bytes: [UInt8]) -> [Int] {
        bytes.indices.filter { bytes[$0] == UInt8(ascii: " ") }
    }

    static func mutate(_ input: [UInt8], _ mutation: Mutation, _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        func at<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
        func position() -> Int { Int(rng.next() % UInt64(bytes.count + 1)) }
        func insertAtSpace(_ text: String) {
            let candidates = spaces(bytes)
            guard !candidates.isEmpty else { return }
            let index = at(candidates)
            bytes.insert(contentsOf: Array(text.utf8), at: index + Int(rng.next() % 2))
        }
        switch mutation {
        case .caseFlip:
            for index in bytes.indices where rng.next() % 3 == 0 {
                let byte = bytes[index]
                if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) { bytes[index] = byte - 32 }
                else if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) { bytes[index] = byte + 32 }
            }
        case .blockComment:
            insertAtSpace(at(["/**/", "/*x*/", "/*;DROP*/", "/***/", "/*'*/", "/*$$*/"]))
        case .lineComment:
            insertAtSpace(at(["--x\n", "--\n", "--;DROP\n", "--'\n", "--\"\n"]))
        case .whitespace:
            let candidates = spaces(bytes)
            guard !candidates.isEmpty else { break }
            let index = at(candidates)
            bytes.replaceSubrange(index...index, with: Array(at([" ", "  ", "\t", "\n", "\r\n", "\u{0C}", " \n\t "]).utf8))
        case .nestedComment:
            insertAtSpace(at(["/*a/*b*/c*/", "/*/**/*/", "/*/*/*x*/*/*/", "/*--*/"]))
        case .harmlessPrefix:
            bytes.insert(contentsOf: Array(at(["SELECT 1;", "BEGIN; ", "SET search_path = public;\n", "/* x */ SELECT $$;$$; ", "SHOW ALL;"]).utf8), at: 0)
        case .emptyStatements:
            bytes.insert(contentsOf: Array(at([";", ";;", " ; ;\n"]).utf8), at: 0)
            bytes.append(contentsOf: Array(at([";", ";;", " ;\n;"]).utf8))
        case .parentheses:
            bytes = Array("(".utf8) + bytes + Array(")".utf8)
        case .cteWrap:
            bytes = Array(at(["WITH x AS (SELECT 1) ", "WITH d AS (", "SELECT * FROM (", "EXPLAIN ANALYZE ", "PREPARE q AS "]).utf8) + bytes
            if rng.next() % 2 == 0 { bytes += Array(at([" RETURNING *) SELECT * FROM d", ") s", "; EXECUTE q", ")"]).utf8) }
        case .randomByte:
            let alphabet = Array("';\"$\\/*-()\n \0EUX&!".utf8) + [0xC3, 0xA9, 0xFF, 0x80, 0xE2]
            let byte = rng.next() % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : at(alphabet)
            bytes.insert(byte, at: position())
        case .deleteRange:
            guard !bytes.isEmpty else { break }
            let start = Int(rng.next() % UInt64(bytes.count))
            let length = 1 + Int(rng.next() % 8)
            bytes.removeSubrange(start..<min(bytes.count, start + length))
        case .duplicateRange:
            guard !bytes.isEmpty else { break }
            let start = Int(rng.next() % UInt64(bytes.count))
            let end = min(bytes.count, start + 1 + Int(rng.next() % 24))
            bytes.insert(contentsOf: bytes[start..<end], at: position())
        case .quote:
            bytes.insert(contentsOf: Array(at(["'", "\"", "$$", "E'", "U&'", "U&\"", "$a$", "\\", "''"]).utf8), at: position())
        case .dollarWrap:
            let tag = at(["", "a", "x_1"])
            bytes = Array(at(["SELECT ", "DO ", ""]).utf8) + Array("$\(tag)$".utf8) + bytes + Array("$\(tag)$".utf8)
        case .truncate:
            bytes = Array(bytes.prefix(position()))
        case .semicolon:
            bytes.insert(UInt8(ascii: ";"), at: position())
        case .keywordSplice:
            bytes.insert(contentsOf: Array(at([" DROP TABLE t ", "DELETE FROM ", " WHERE ", " RETURNING * ", " CASCADE"]).utf8), at: position())
        }
        return bytes
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Tests

    @Test func seedsAreDestructive() {
        for seed in Self.seeds {
            let sqlClass = SQLClassifier.strictest(SQLClassifier.classify(seed))
            #expect(sqlClass == .destructive, "seed classified \(sqlClass.rawValue): \(seed)")
        }
    }

    /// 200 mutants per seed, half of them from meaning-preserving mutations only.
    @Test(.timeLimit(.minutes(1)))
    func mutatedDestructionIsNeverRead() {
        var mutants = 0
        var preserved = 0
        var problems: [String] = []
        var slowest: (Duration, String) = (.zero, "")
        let clock = ContinuousClock()
        for (seedIndex, seed) in Self.seeds.enumerated() {
            let seedBytes = Array(seed.utf8)
            let quoteFree = !seed.contains(where: { "'\"$".contains($0) })
            for round in 0..<200 {
                var rng = SplitMix64(seed: UInt64(seedIndex) << 32 | UInt64(round))
                let preserving = quoteFree && round % 2 == 0
                var bytes = seedBytes
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let pool = preserving ? Mutation.preserving : Mutation.allCases
                    bytes = Self.mutate(bytes, pool[Int(rng.next() % UInt64(pool.count))], &rng)
                }
                let mutant = Self.text(bytes)
                var statements: [SQLStatement] = []
                let elapsed = clock.measure { statements = SQLClassifier.classify(mutant) }
                if elapsed > slowest.0 { slowest = (elapsed, mutant) }
                mutants += 1
                let label = "seed \(seedIndex) round \(round)"
                for problem in Self.violations(statements) {
                    problems.append("\(label): \(problem)   mutant: \(mutant.debugDescription)")
                }
                if preserving {
                    preserved += 1
                    let sqlClass = SQLClassifier.strictest(statements)
                    if sqlClass != .destructive {
                        problems.append("\(label): meaning-preserving mutant classified \(sqlClass.rawValue): \(mutant.debugDescription)")
                    }
                }
            }
        }
        print("SQL fuzz: \(mutants) mutants (\(preserved) meaning-preserving), \(problems.count) problems, slowest \(slowest.0)")
        #expect(mutants >= 5000)
        #expect(slowest.0 < .seconds(2), "slowest mutant took \(slowest.0): \(String(slowest.1.prefix(200)).debugDescription)")
        for problem in problems.prefix(30) {
            Issue.record(Comment(rawValue: problem))
        }
        #expect(problems.isEmpty, "\(problems.count) problems")
    }

    /// Random bytes and random SQL-ish token soup: no crash, no hang, the invariants hold.
    @Test(.timeLimit(.minutes(1)))
    func junkNeverCrashes() {
        var rng = SplitMix64(seed: 0x5EED)
        let tokens = ["SELECT", "DELETE", "FROM", "users", "DROP", "TABLE", "WHERE", "WITH", "AS", "(", ")", ";", "'", "\"",
                      "$$", "$a$", "/*", "*/", "--", "\n", "E'\\'", "U&", "1", "=", "*", ",", "RETURNING", "INTO", "UPDATE", "SET"]
        var problems: [String] = []
        for round in 0..<1000 {
            var bytes: [UInt8] = []
            if round % 2 == 0 {
                let length = Int(rng.next() % 2048)
                bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                for _ in 0..<Int(rng.next() % 40) {
                    bytes += Array(tokens[Int(rng.next() % UInt64(tokens.count))].utf8)
                    if rng.next() % 2 == 0 { bytes.append(UInt8(ascii: " ")) }
                }
            }
            let input = Self.text(bytes)
            let statements = SQLClassifier.classify(input)
            problems += Self.violations(statements).map { "junk round \(round): \($0)" }
        }
        for problem in problems.prefix(20) { Issue.record(Comment(rawValue: problem)) }
        #expect(problems.isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func hugeInputs() {
        // A megabyte of IN list: still one DELETE.
        let list = (0..<160_000).map(String.init).joined(separator: ",")
        let delete = "DELETE FROM users WHERE id IN (\(list))"
        #expect(delete.utf8.count > 1_000_000)
        #expect(SQLClassifier.strictest(SQLClassifier.classify(delete)) == .destructive)

        // A megabyte of string literal, then a DROP.
        let literal = "SELECT '" + String(repeating: "x", count: 1_000_000) + "'; DROP TABLE users"
        #expect(SQLClassifier.strictest(SQLClassifier.classify(literal)) == .destructive)

        // 10,000 semicolons, alone and before a DROP.
        let semicolons = String(repeating: ";", count: 10_000)
        #expect(SQLClassifier.strictest(SQLClassifier.classify(semicolons)) == .read)
        #expect(SQLClassifier.strictest(SQLClassifier.classify(semicolons + "DROP TABLE users")) == .destructive)

        // 10,000 statements.
        let many = String(repeating: "SELECT 1;", count: 10_000) + "DELETE FROM users"
        let statements = SQLClassifier.classify(many)
        #expect(statements.count == 10_001)
        #expect(SQLClassifier.strictest(statements) == .destructive)
    }

    @Test(.timeLimit(.minutes(1)))
    func deepNesting() {
        // Beyond the parser's stack: unparseable, not a crash.
        let deep = 10_000
        let parens = "SELECT " + String(repeating: "(", count: deep) + "1" + String(repeating: ")", count: deep)
        #expect(SQLClassifier.strictest(SQLClassifier.classify(parens)) == .unparseable)
        let deleteParens = "DELETE FROM users WHERE " + String(repeating: "(", count: deep) + "true" + String(repeating: ")", count: deep)
        #expect(SQLClassifier.strictest(SQLClassifier.classify(deleteParens)) == .unparseable)
        let subqueries = String(repeating: "SELECT * FROM (", count: deep) + "SELECT 1" + String(repeating: ") s", count: deep)
        #expect(SQLClassifier.strictest(SQLClassifier.classify(subqueries)) == .unparseable)

        // Deep but within the parser's reach: whatever the class, the walk must survive it and
        // a buried DELETE must count.
        for depth in [100, 500, 1000] {
            let nested = "SELECT " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
            let nestedClass = SQLClassifier.strictest(SQLClassifier.classify(nested))
            #expect(nestedClass == .read || nestedClass == .unparseable, "depth \(depth): \(nestedClass)")
            let buried = String(repeating: "SELECT * FROM (", count: depth)
                + "WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d"
                + String(repeating: ") s", count: depth)
            let buriedClass = SQLClassifier.strictest(SQLClassifier.classify(buried))
            #expect(buriedClass == .destructive || buriedClass == .unparseable, "depth \(depth): \(buriedClass)")
        }

        // Nested comments 10,000 deep are still one comment.
        let comments = String(repeating: "/*", count: deep) + String(repeating: "*/", count: deep) + " DROP TABLE users"
        #expect(SQLClassifier.strictest(SQLClassifier.classify(comments)) == .destructive)
        let unclosed = String(repeating: "/*", count: deep) + String(repeating: "*/", count: deep - 1) + " DROP TABLE users"
        #expect(SQLClassifier.strictest(SQLClassifier.classify(unclosed)) == .unparseable)
    }

    /// A long chain of operators nests the parse tree as deep as the chain is long (the
    /// grammar is left-recursive, so the parser's own stack does not grow, and a 1 MB statement
    /// can nest 500,000 deep): everything after the parser (libpg_query's tree output, the
    /// classifier's walk) must survive it. Each input runs in a child process, so a crash is
    /// reported as this test's failure instead of ending the whole test run.
    @Test(.timeLimit(.minutes(2)))
    func longOperatorChains() {
        let shapes: [(String, String, String, Bool)] = [
            ("SELECT 1", "+1", "additions", false),
            ("SELECT 'a'", "||'a'", "concatenations", false),
            ("SELECT 1", "::int", "casts", false),
            ("DELETE FROM users WHERE id = 0", "+1", "additions in a DELETE", true),
        ]
        for (head, link, name, destroys) in shapes {
            for count in [10_000, 100_000, 300_000] {
                let text = head + String(repeating: link, count: count)
                let outcome = Self.isolated {
                    let sqlClass = SQLClassifier.strictest(PostgresClassifier().classify(text))
                    return destroys ? sqlClass == .destructive || sqlClass == .unparseable
                        : sqlClass == .read || sqlClass == .unparseable
                }
                #expect(outcome == nil, "\(count) \(name) (\(text.utf8.count) bytes): \(outcome ?? "")")
            }
        }
    }

    /// Runs `body` in a forked child and says what went wrong: nil when it returned true,
    /// otherwise its failure, the signal that killed it, or that it hung.
    static func isolated(timeout: Duration = .seconds(60), _ body: () -> Bool) -> String? {
        _ = PostgresClassifier().classify("SELECT 1+1")  // initialise lazily built state before forking
        let child = fork()
        if child == 0 { _exit(body() ? 0 : 1) }
        guard child > 0 else { return "fork failed" }
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while waitpid(child, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(child, SIGKILL)
                waitpid(child, &status, 0)
                return "did not finish in \(timeout)"
            }
            usleep(5_000)
        }
        let signal = status & 0x7F
        if signal != 0 { return "crashed with signal \(signal)" }
        return (status >> 8) & 0xFF == 0 ? nil : "classified wrongly"
    }
}
