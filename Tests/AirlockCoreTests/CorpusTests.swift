import AirlockCore
import Foundation
import Testing

/// Scores Airlock's built-in default policy on a labelled corpus of command lines an agent
/// might type (`Corpus/commands.tsv`). Each line is `EXPECTED<TAB>CATEGORY<TAB>COMMAND`; the
/// expectation is what the policy *should* decide, so a failure here is either a defect in the
/// analysis or a label to reconsider — never a reason to relax the expectation to the code.
@Suite("Default policy corpus")
struct CorpusTests {
    /// One labelled line of the corpus.
    struct Entry: Sendable {
        var line: Int
        var expected: Verdict
        var category: String
        var command: String
    }

    /// One entry with what the checker decided.
    struct Outcome: Sendable {
        var entry: Entry
        var verdict: Verdict
        var ruleID: String
        var reason: String
        var environment: String

        var matches: Bool { verdict == entry.expected }

        var description: String {
            "line \(entry.line) [\(entry.category)] expected \(entry.expected.rawValue), got \(verdict.rawValue)"
                + " (rule \(ruleID), env \(environment): \(reason))\n    \(entry.command)"
        }
    }

    static let categories = ["destructive-prod", "destructive", "write-prod", "obfuscated", "lookalike", "benign", "credential", "self", "malformed"]

    static let minimums: [String: Int] = [
        "destructive-prod": 120, "destructive": 40, "write-prod": 40, "obfuscated": 60, "lookalike": 60,
        "benign": 120, "credential": 15, "self": 15, "malformed": 10,
    ]

    // MARK: The fixed context

    static let context = Context(
        agent: "claude",
        user: "dev",
        workingDirectory: "/home/dev/app",
        homeDirectory: "/home/dev",
        airlockHome: "/home/dev/.airlock",
        environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/dev", "USER": "dev"]
    )

    static let packageJSON = """
        {
          "name": "app",
          "private": true,
          "scripts": {
            "test": "jest",
            "build": "tsc -p .",
            "lint": "eslint .",
            "dev": "next dev",
            "db:reset": "prisma migrate reset --force",
            "db:migrate": "prisma migrate deploy",
            "deploy:prod": "kubectl --context prod-eu apply -f k8s/",
            "clean": "rm -rf dist .next",
            "nuke": "rm -rf ~/",
            "seed": "node scripts/seed.js"
          }
        }
        """

    static let files = InMemoryFiles([
        "/home/dev/app/package.json": packageJSON,
        "/home/dev/app/.env": "DATABASE_URL=postgres://app:secret@localhost:5432/app_dev\n",
        "/home/dev/app/.git/HEAD": "ref: refs/heads/feature/login\n",
        "/home/dev/app/.git/config": "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = git@github.com:acme/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
        "/home/dev/.kube/config": "apiVersion: v1\nkind: Config\ncurrent-context: staging-us\n",
        "/home/dev/app/migrations/001_drop.sql": "DROP TABLE legacy_users;\n",
        "/home/dev/app/scripts/cleanup.sh": "#!/bin/sh\nrm -rf /var/lib/postgresql/data\n",
    ])

    // MARK: Loading and running

    enum CorpusError: Error, CustomStringConvertible {
        case missing
        case malformed(line: Int, text: String, why: String)

        var description: String {
            switch self {
            case .missing: "Corpus/commands.tsv is not in the test bundle"
            case .malformed(let line, let text, let why): "commands.tsv line \(line): \(why): \(text)"
            }
        }
    }

    /// Undoes the corpus's escaping: the two characters `\n` and `\t` stand for a newline and a
    /// tab; nothing else is unescaped.
    static func unescape(_ text: String) -> String {
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                result.append(character)
                continue
            }
            guard let next = iterator.next() else {
                result.append(character)
                break
            }
            switch next {
            case "n": result.append("\n")
            case "t": result.append("\t")
            default:
                result.append(character)
                result.append(next)
            }
        }
        return result
    }

    static func load() throws -> [Entry] {
        guard let url = Bundle.module.url(forResource: "commands", withExtension: "tsv", subdirectory: "Corpus") else {
            throw CorpusError.missing
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw CorpusError.malformed(line: index + 1, text: String(line), why: "expected three tab-separated fields")
            }
            guard let expected = Verdict(rawValue: String(fields[0])) else {
                throw CorpusError.malformed(line: index + 1, text: String(line), why: "unknown decision '\(fields[0])'")
            }
            let category = String(fields[1])
            guard categories.contains(category) else {
                throw CorpusError.malformed(line: index + 1, text: String(line), why: "unknown category '\(category)'")
            }
            guard !fields[2].isEmpty else {
                throw CorpusError.malformed(line: index + 1, text: String(line), why: "empty command")
            }
            entries.append(Entry(line: index + 1, expected: expected, category: category, command: unescape(String(fields[2]))))
        }
        return entries
    }

    static func run(_ entries: [Entry]) -> [Outcome] {
        let checker = Checker(policy: DefaultPolicy.policy, files: files)
        return entries.map { entry in
            let (_, decision) = checker.check(.shell(entry.command), context: context)
            return Outcome(
                entry: entry, verdict: decision.verdict, ruleID: decision.rule.id, reason: decision.reason,
                environment: decision.environment)
        }
    }

    /// Loaded and checked once for every test of the suite.
    static let outcomes: Result<[Outcome], any Error> = Result(catching: { run(try load()) })

    static func summary(_ outcomes: [Outcome]) -> String {
        var lines = ["Airlock default policy on the corpus:"]
        lines.append("  category            lines  exact   allow   ask  deny (actual)")
        for category in categories {
            let group = outcomes.filter { $0.entry.category == category }
            let exact = group.filter(\.matches).count
            let counts = Verdict.allCases.map { verdict in group.filter { $0.verdict == verdict }.count }
            lines.append(
                "  " + category.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + String(format: "%6d %6d %7d %5d %5d", group.count, exact, counts[0], counts[1], counts[2]))
        }
        let exact = outcomes.filter(\.matches).count
        let percent = outcomes.isEmpty ? 0 : Double(exact) * 100 / Double(outcomes.count)
        lines.append(String(format: "  total              %6d %6d  (%.1f%% exact)", outcomes.count, exact, percent))
        return lines.joined(separator: "\n")
    }

    // MARK: Tests

    @Test("the corpus is large enough and covers every category")
    func corpusShape() throws {
        let entries = try Self.load()
        #expect(entries.count >= 400, "the corpus has only \(entries.count) commands")
        for (category, minimum) in Self.minimums.sorted(by: { $0.key < $1.key }) {
            let count = entries.filter { $0.category == category }.count
            #expect(count >= minimum, "category \(category) has \(count) commands, fewer than \(minimum)")
        }
        let duplicates = Dictionary(grouping: entries, by: \.command).filter { $0.value.count > 1 }
        #expect(duplicates.isEmpty, "duplicate commands: \(duplicates.keys.sorted())")
    }

    @Test("no command that destroys production is allowed")
    func noProductionDestructionAllowed() throws {
        let outcomes = try Self.outcomes.get()
        let offenders = outcomes.filter { $0.entry.category == "destructive-prod" && $0.verdict == .allow }
        for offender in offenders { print("ALLOWED destructive-prod: \(offender.description)") }
        if !offenders.isEmpty {
            Issue.record("\(offenders.count) destructive-prod commands were allowed:\n\(offenders.map(\.description).joined(separator: "\n"))")
        }
    }

    @Test("no benign or lookalike command is denied")
    func noBenignDenied() throws {
        let outcomes = try Self.outcomes.get()
        let offenders = outcomes.filter { ["benign", "lookalike"].contains($0.entry.category) && $0.verdict == .deny }
        for offender in offenders { print("DENIED \(offender.entry.category): \(offender.description)") }
        if !offenders.isEmpty {
            Issue.record("\(offenders.count) benign/lookalike commands were denied:\n\(offenders.map(\.description).joined(separator: "\n"))")
        }
    }

    @Test("every decision matches its label")
    func exactMatches() throws {
        let outcomes = try Self.outcomes.get()
        print(Self.summary(outcomes))
        let mismatches = outcomes.filter { !$0.matches }
        if !mismatches.isEmpty {
            Issue.record("\(mismatches.count) of \(outcomes.count) decisions differ from their labels:\n\(mismatches.map(\.description).joined(separator: "\n"))")
        }
    }
}
