// In-process benchmark: decisions per second and per-decision latency of the full pure
// pipeline (parse, analyse, resolve, evaluate) with the built-in policy, over the labelled
// corpus. Usage: airlock-bench CORPUS.tsv [ROUNDS]
import AirlockCore
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
guard arguments.count >= 2, let corpus = readText(arguments[1]) else {
    print("usage: airlock-bench CORPUS.tsv [ROUNDS]")
    exit(64)
}
let rounds = arguments.count >= 3 ? Int(arguments[2]) ?? 20 : 20

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

// Warm up, then time every decision individually.
var sink = 0
for command in commands { sink &+= checker.check(.shell(command), context: context).decision.commands.count }
var samples: [UInt64] = []
samples.reserveCapacity(commands.count * rounds)
let start = now()
for _ in 0..<rounds {
    for command in commands {
        let t0 = now()
        let result = checker.check(.shell(command), context: context)
        let t1 = now()
        sink &+= result.decision.commands.count
        samples.append(t1 - t0)
    }
}
let total = now() - start
samples.sort()
let median = Double(samples[samples.count / 2]) / 1000
let p99 = Double(samples[min(samples.count - 1, samples.count * 99 / 100)]) / 1000
let perSecond = Double(samples.count) / (Double(total) / 1e9)
print("commands: \(commands.count), rounds: \(rounds), decisions: \(samples.count)")
print("decisions per second: \(Int(perSecond))")
print(String(format: "median: %.2f µs, p99: %.2f µs, mean: %.2f µs", median, p99, Double(total) / Double(samples.count) / 1000))
if sink == 42 { print("") }
