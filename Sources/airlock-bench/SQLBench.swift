// `airlock-bench --sql CORPUS.tsv`: SQL classification speed. Short statements are the corpus's
// (≤ 200 characters); long ones (≥ 5 KB) are generated the way ORMs and migrations write them.
// Each is measured against libpg_query's parse alone in the same run, so the figure that
// matters is the ratio, not the machine's speed today.
import AirlockSQL
import CPgQuery
import Foundation

enum SQLBench {
    static func run(corpusPath: String) {
        guard let corpus = try? String(contentsOfFile: corpusPath, encoding: .utf8) else {
            print("cannot read \(corpusPath)")
            exit(66)
        }
        var short: [String] = []
        for line in corpus.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { continue }
            let sql = String(fields[1]).replacing("\\n", with: "\n")
            if sql.utf8.count <= 200 { short.append(sql) }
        }
        let long = longStatements()
        print("short statements: \(short.count) (≤ 200 characters); long statements: \(long.count) (\(long.map(\.utf8.count).min() ?? 0)–\(long.map(\.utf8.count).max() ?? 0) bytes)")
        for (label, texts, rounds) in [("short", short, 50), ("long", long, 50)] {
            let parse = measure(texts, rounds: rounds) { text in
                let result = pg_query_parse(text)
                defer { pg_query_free_parse_result(result) }
                return result.error == nil ? 1 : 0
            }
            let foundation = measure(texts, rounds: rounds) { text in
                let result = pg_query_parse(text)
                defer { pg_query_free_parse_result(result) }
                guard let tree = result.parse_tree else { return 0 }
                let data = Data(bytes: tree, count: strlen(tree))
                return (try? JSONSerialization.jsonObject(with: data)) == nil ? 0 : 1
            }
            let classify = measure(texts, rounds: rounds) { text in
                var prepared: [String: SQLStatement] = [:]
                return PostgresClassifier.shared.classify(text, prepared: &prepared).count
            }
            for text in texts { _ = PostgresClassifier.shared.classify(text) }
            let cached = measure(texts, rounds: rounds) { PostgresClassifier.shared.classify($0).count }
            print("")
            print("\(label) statements, \(texts.count * rounds) samples each:")
            report("  libpg_query parse only (baseline)      ", parse)
            report("  parse + JSONSerialization (for scale)  ", foundation)
            let full = report("  classify, uncached (parse+tree+walk)  ", classify)
            report("  classify, repeat (cache by text)       ", cached)
            print(String(format: "  classification costs %.2fx the parse alone (median)", Double(full.median) / Double(max(parse.median, 1))))
        }
    }

    /// A 200-row INSERT, a 160-column CREATE TABLE, an 80-way join report, a long migration.
    static func longStatements() -> [String] {
        let rows = (0..<200).map { "(\($0), 'user\($0)@example.com', 'User \($0)', now(), \($0 % 3 == 0))" }
        let insert = "INSERT INTO users (id, email, name, created_at, active) VALUES " + rows.joined(separator: ", ")
        let columns = (0..<160).map { "\"column_\($0)\" \($0 % 2 == 0 ? "text" : "integer") NOT NULL DEFAULT \($0 % 2 == 0 ? "''" : "0")" }
        let create = "CREATE TABLE \"Wide\" (\"id\" SERIAL PRIMARY KEY, " + columns.joined(separator: ", ") + ")"
        let joins = (0..<80).map { "LEFT JOIN t\($0) ON t\($0).id = base.t\($0)_id AND t\($0).deleted_at IS NULL" }
        let report = "SELECT base.id, count(*), max(base.updated_at) FROM base " + joins.joined(separator: " ") + " WHERE base.tenant_id = 42 GROUP BY base.id ORDER BY 2 DESC LIMIT 100"
        let cases = (0..<200).map { "WHEN status = \($0) THEN 'state \($0)'" }
        let update = "UPDATE orders SET label = CASE " + cases.joined(separator: " ") + " ELSE 'unknown' END WHERE created_at > now() - interval '30 days'"
        return [insert, create, report, update]
    }

    struct Samples { var median: UInt64; var p99: UInt64; var perSecond: Int }

    static func measure(_ texts: [String], rounds: Int, _ body: (String) -> Int) -> Samples {
        var sink = 0
        for text in texts { sink &+= body(text) }
        var samples: [UInt64] = []
        samples.reserveCapacity(texts.count * rounds)
        for _ in 0..<rounds {
            for text in texts {
                let t0 = DispatchTime.now().uptimeNanoseconds
                sink &+= body(text)
                samples.append(DispatchTime.now().uptimeNanoseconds - t0)
            }
        }
        if sink == -1 { print("") }
        samples.sort()
        let total = samples.reduce(0, +)
        return Samples(
            median: samples[samples.count / 2], p99: samples[min(samples.count - 1, samples.count * 99 / 100)],
            perSecond: Int(Double(samples.count) / (Double(total) / 1e9)))
    }

    @discardableResult
    static func report(_ label: String, _ samples: Samples) -> Samples {
        print("\(label) median \(String(format: "%.2f", Double(samples.median) / 1000)) µs, p99 \(String(format: "%.2f", Double(samples.p99) / 1000)) µs, \(samples.perSecond) per second")
        return samples
    }
}
