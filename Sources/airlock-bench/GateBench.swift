import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockState
import Foundation

/// The gate's cost per decision in one process, against the pure policy decision in the same
/// run: a preview (state read in a transaction), a recorded decision (state write lock,
/// durable audit append), and an `ask` that finds its waiting request.
/// Usage: airlock-bench --gate DIR.
enum GateBench {
    static func run(directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let policy = DefaultPolicy.policy
        let checker = Checker(policy: policy)
        let store = SQLiteStore(airlockHome: directory)
        let context = Context(agent: "bench", user: "bench", workingDirectory: "/srv/app", homeDirectory: "/home/bench", airlockHome: directory)
        let recording = Gate(checker: checker, store: store, audit: AuditStore(directory: directory + "/audit"))
        let preview = Gate(checker: checker, store: store, audit: nil)
        let lines = ["ls -la", "git status", "kubectl get pods -n web", "npm test", "cat README.md", "touch notes.txt", "git commit -m wip", "psql -h localhost -c 'SELECT 1'"]
        let ask = ["psql -h prod-db.internal -c \"UPDATE users SET plan = 'pro' WHERE id = 42\""]

        print("decisions on \(lines.count) everyday commands, built-in policy, state and log under a scratch directory")
        let base = SQLBench.measure(lines, rounds: 200) { line in checker.check(.shell(line), context: context, explain: false).decision.commands.count }
        SQLBench.report("policy only (Checker)                  ", base)
        let read = SQLBench.measure(lines, rounds: 200) { line in preview.decide(.shell(line), context: context, door: .check).commands.count }
        SQLBench.report("gate, preview (state read, no log)     ", read)
        let full = SQLBench.measure(lines, rounds: 40) { line in recording.decide(.shell(line), context: context, door: .check).commands.count }
        SQLBench.report("gate, recorded (state txn + fsync'd log)", full)
        let asked = SQLBench.measure(ask, rounds: 200) { line in recording.decide(.shell(line), context: context, door: .check).commands.count }
        SQLBench.report("gate, ask finding its waiting request  ", asked)
        func ratio(_ a: SQLBench.Samples, _ b: SQLBench.Samples) -> String { String(format: "%.1fx", Double(a.median) / Double(max(1, b.median))) }
        print("state read adds \(String(format: "%.1f", Double(Int64(read.median) - Int64(base.median)) / 1000)) µs per decision (\(ratio(read, base)) the policy alone); recording adds \(String(format: "%.2f", Double(Int64(full.median) - Int64(base.median)) / 1_000_000)) ms (\(ratio(full, base)))")
    }
}
