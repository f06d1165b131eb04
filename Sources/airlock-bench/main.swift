// In-process benchmark: decisions per second and per-decision latency of the full pure
// pipeline (parse, analyse, resolve, evaluate) with the built-in policy, over the labelled
// corpus. Usage: airlock-bench CORPUS.tsv [ROUNDS]; airlock-bench --sql SQL-CORPUS.tsv for SQL;
// airlock-bench --audit DIR for the audit log (AuditBench.swift); airlock-bench --gate DIR for
// the gate with state (GateBench.swift).
import AirlockCore
import AirlockShell
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func readText(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "--sql" {
    SQLBench.run(corpusPath: arguments[2])
    exit(0)
}
// Whole-process hook time on 1,000 Claude Code calls: see HookBench.swift.
if arguments.count >= 4, arguments[1] == "--hook" {
    HookBench.run(binary: arguments[2], corpusPath: arguments[3], count: arguments.count > 4 ? Int(arguments[4]) ?? 1000 : 1000)
    exit(0)
}
// The gate with its state store and log: see GateBench.swift.
if arguments.count == 3, arguments[1] == "--gate" {
    GateBench.run(directory: arguments[2])
    exit(0)
}
// The audit log: see AuditBench.swift.
if arguments.count == 3, arguments[1] == "--audit" {
    AuditBench.run(directory: arguments[2])
    exit(0)
}
if arguments.count == 4 || arguments.count == 5, arguments[1] == "--audit-writer" {
    AuditBench.writer(directory: arguments[2], tag: arguments[3], limit: arguments.count == 5 ? Int(arguments[4]) : nil)
}
if arguments.count == 3, arguments[1] == "--audit-verify" {
    AuditBench.verifyOnly(directory: arguments[2])
}
if arguments.count == 4, arguments[1] == "--audit-loop", let count = Int(arguments[3]) {
    AuditBench.loop(directory: arguments[2], count: count)
}
// `airlock-bench --profile LINE`: decide LINE many times and nothing else, for a profiler.
if arguments.count == 3, arguments[1] == "--profile" {
    let profileContext = Context(agent: "bench", user: "dev", workingDirectory: "/home/dev/app", homeDirectory: "/home/dev", environment: ["HOME": "/home/dev"])
    let profileChecker = Checker(policy: DefaultPolicy.policy)
    var sink = 0
    for _ in 0..<20_000 { sink &+= profileChecker.check(.shell(arguments[2]), context: profileContext, explain: false).decision.commands.count }
    print(sink)
    exit(0)
}
guard arguments.count >= 2, let corpus = readText(arguments[1]) else {
    print("usage: airlock-bench CORPUS.tsv [ROUNDS]")
    exit(64)
}
let rounds = arguments.count >= 3 ? Int(arguments[2]) ?? 20 : 20
// `airlock-bench CORPUS --decide-only`: decide every corpus line once and nothing else.
let decideOnly = arguments.count >= 3 && arguments[2] == "--decide-only"

var commands: [String] = []
for line in corpus.split(separator: "\n") where !line.hasPrefix("#") {
    let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
    guard fields.count == 3 else { continue }
    commands.append(String(fields[2]).replacingOccurrencesOfEscapes())
}

extension String {
    func replacingOccurrencesOfEscapes() -> String {
        var out = ""
        var iterator = makeIterator()
        while let c = iterator.next() {
            if c == "\\" {
                switch iterator.next() {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case let other?: out.append("\\"); out.append(other)
                case nil: out.append("\\")
                }
            } else {
                out.append(c)
            }
        }
        return out
    }
}

let context = Context(agent: "bench", user: "dev", workingDirectory: "/home/dev/app", homeDirectory: "/home/dev",
                      environment: ["PATH": "/usr/bin:/bin", "HOME": "/home/dev", "USER": "dev"])
let files = InMemoryFiles([
    "/home/dev/app/package.json": #"{"scripts": {"test": "jest", "build": "tsc -p .", "db:reset": "prisma migrate reset --force"}}"#,
    "/home/dev/app/.git/HEAD": "ref: refs/heads/feature/login\n",
])
let checker = Checker(policy: DefaultPolicy.policy, files: files)

/// Times `body` on every command for `rounds` rounds: per-call samples in nanoseconds.
@MainActor func measure(_ label: String, _ body: (String) -> Int) -> [UInt64] {
    var sink = 0
    for command in commands { sink &+= body(command) }  // warm up
    var samples: [UInt64] = []
    samples.reserveCapacity(commands.count * rounds)
    for _ in 0..<rounds {
        for command in commands {
            let t0 = now()
            sink &+= body(command)
            samples.append(now() - t0)
        }
    }
    if sink == 42 { print(label) }
    return samples.sorted()
}

func micros(_ ns: UInt64) -> String { String(format: "%.2f", Double(ns) / 1000) }
func report(_ label: String, _ samples: [UInt64]) -> UInt64 {
    let median = samples[samples.count / 2]
    let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
    let total = samples.reduce(0, +)
    print("\(label): median \(micros(median)) µs, p99 \(micros(p99)) µs, \(Int(Double(samples.count) / (Double(total) / 1e9))) per second")
    return median
}

if decideOnly {
    var sink = 0
    for command in commands { sink &+= checker.check(.shell(command), context: context, explain: false).decision.commands.count }
    print("decided \(commands.count) lines (\(sink) commands)")
    exit(0)
}

let analyzer = Analyzer(context: context, files: files)
print("commands: \(commands.count), rounds: \(rounds), samples per phase: \(commands.count * rounds)")
let parseOnly = report("parse only (AirlockShell)      ", measure("parse") { (try? ShellParser().parse($0).items.count) ?? 0 })
_ = report("parse + analyse                ", measure("analyse") { analyzer.analyze(.shell($0)).commands.count })
let full = report("full decision (airlock check)  ", measure("decide") { checker.check(.shell($0), context: context, explain: false).decision.commands.count })
_ = report("full decision with explanation ", measure("explain") { checker.check(.shell($0), context: context, explain: true).decision.commands.count })
print("a full decision costs \(String(format: "%.1f", Double(full) / Double(max(parseOnly, 1))))x parsing alone")

// Representative single commands, many iterations each: the cost an agent hook pays.
print("")
print("single commands (mean of 20,000 iterations):")
for line in ["ls -la", "git push --force origin main", "psql -h prod-db.internal -U admin -c 'DROP TABLE executives;'",
             "kubectl --context prod-eu get pods", "sudo bash -c 'rm -rf /var/lib/postgresql'"] {
    let iterations = 20_000
    var sink = 0
    let t0 = now()
    for _ in 0..<iterations { sink &+= (try? ShellParser().parse(line).items.count) ?? 0 }
    let t1 = now()
    for _ in 0..<iterations { sink &+= analyzer.analyze(.shell(line)).commands.count }
    let t2 = now()
    for _ in 0..<iterations { sink &+= checker.check(.shell(line), context: context, explain: false).decision.commands.count }
    let t3 = now()
    let per = { (ns: UInt64) in String(format: "%.2f", Double(ns) / Double(iterations) / 1000) }
    print("  parse \(per(t1 - t0)) µs, analyse \(per(t2 - t1)) µs, decide \(per(t3 - t2)) µs  \(line)")
    if sink == 42 { print("") }
}
