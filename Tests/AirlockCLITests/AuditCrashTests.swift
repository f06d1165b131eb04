import AirlockAudit
import Foundation
import Testing

/// SplitMix64: a seeded generator, so a failing schedule can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("the audit log survives writers killed at random moments")
struct AuditCrashTests {
    static var bench: URL { CLIHarness.binary.deletingLastPathComponent().appendingPathComponent("airlock-bench") }

    /// `airlock-bench --audit-writer DIR TAG [LIMIT]`, its output going to files.
    struct Writer {
        let process: Process
        let tag: String
        let output: URL
        let errors: URL

        init(directory: URL, tag: String, limit: Int? = nil, scratch: URL) throws {
            self.tag = tag
            output = scratch.appendingPathComponent("\(tag).out")
            errors = scratch.appendingPathComponent("\(tag).err")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process = Process()
            process.executableURL = AuditCrashTests.bench
            process.arguments = ["--audit-writer", directory.path, tag] + (limit.map { [String($0)] } ?? [])
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// `(index, action text)` of every append that returned; a line cut by the kill is not one.
        func acknowledged() throws -> [(index: Int, text: String)] {
            let text = try String(contentsOf: output, encoding: .utf8)
            var acked: [(Int, String)] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let fields = line.split(separator: " ")
                try #require(fields.count == 3 && fields[0] == "acked", "unexpected writer output: \(line)")
                acked.append((try #require(Int(fields[1])), String(fields[2])))
            }
            return acked
        }

        func errorOutput() -> String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "(unreadable)" }
    }

    @Test("writers SIGKILLed over many rounds: every acknowledged append is in the log at its index, and the log verifies")
    func killedWriters() throws {
        let seed: UInt64 = 0xA1_C0C4_2026
        var random = SeededGenerator(state: seed)
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        let directory = cli.home.appendingPathComponent(".airlock/audit")
        let scratch = cli.home.appendingPathComponent("writers")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)

        var acknowledged: [(index: Int, text: String)] = []
        var killedWhileRunning = 0
        var checkpointsSigned = 0
        var signedSizes: Set<UInt64> = []
        var tornWrites = 0
        // The entry each deliberate tear followed (its recovery says "after entry K").
        var tornAfter: Set<Int> = []
        let log = directory.appendingPathComponent("log.jsonl")
        for round in 0..<24 {
            let count = Int.random(in: 3...4, using: &random)
            let window = Int.random(in: 20...200, using: &random)
            if round % 4 == 1 {
                // A SIGKILL seldom tears a write on Linux (it must land inside the write, between
                // two pages), so tear one the way a power cut would: part of a line, no newline.
                // This round's writers must recover it.
                if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
                // Whole entries only: a tail a kill tore is not one (this tear joins it).
                let entries = try Data(contentsOf: log).reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
                tornAfter.insert(entries - 1)
                let handle = try FileHandle(forWritingTo: log)
                try handle.seekToEnd()
                let line = Array(#"{"action":{"kind":"shell","text":"r\#(round)-torn"},"context":{"agent":null}}"#.utf8)
                try handle.write(contentsOf: Data(line[..<Int.random(in: 1..<line.count, using: &random)]))
                try handle.close()
                tornWrites += 1
            }
            let writers = try (0..<count).map { try Writer(directory: directory, tag: "r\(round)w\($0)", scratch: scratch) }
            // Each writer dies at its own moment inside the window.
            let deaths = writers.indices.map { ($0, Int.random(in: 0...window, using: &random)) }.sorted { $0.1 < $1.1 }
            let start = Date()
            if round % 6 == 5 {
                // Sign a checkpoint while the writers append: it covers whole entries only.
                usleep(UInt32(Int.random(in: 0...window, using: &random)) * 1000)
                let signed = try cli.run(["audit", "checkpoint", "--new"])
                #expect(signed.status == 0, "round \(round): \(signed.stderr)")
                checkpointsSigned += 1
                signedSizes.insert(try SignedNote(parsing: signed.stdout).checkpoint.size)
            }
            for (writer, at) in deaths {
                let elapsed = Int(Date().timeIntervalSince(start) * 1000)
                if at > elapsed { usleep(UInt32(at - elapsed) * 1000) }
                if writers[writer].process.isRunning { killedWhileRunning += 1 }
                kill(writers[writer].process.processIdentifier, SIGKILL)
            }
            for writer in writers {
                writer.process.waitUntilExit()
                #expect(writer.process.terminationReason == .uncaughtSignal, "\(writer.tag) exited by itself: \(writer.errorOutput())")
                #expect(writer.errorOutput().isEmpty, "\(writer.tag): \(writer.errorOutput())")
                acknowledged += try writer.acknowledged()
            }
        }
        #expect(killedWhileRunning > 50)
        #expect(checkpointsSigned == 4)

        // One more writer, left to finish: it must get past whatever the last kills left behind.
        let last = try Writer(directory: directory, tag: "final", limit: 16, scratch: scratch)
        last.process.waitUntilExit()
        #expect(last.process.terminationStatus == 0 && last.process.terminationReason == .exit, "final writer: \(last.errorOutput())")
        let finalAcks = try last.acknowledged()
        #expect(finalAcks.count == 16)
        acknowledged += finalAcks

        let signed = try cli.run(["audit", "checkpoint", "--new"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let verify = try cli.run(["audit", "verify", "--format", "json"])
        #expect(verify.status == 0, "\(verify.stdout)")
        let report = try cli.json(verify.stdout)
        #expect(report["intact"] as? Bool == true)
        #expect(report["torn_tail_bytes"] as? Int == 0)
        // Two signings at the same size (a round whose writers died before appending) share one file.
        signedSizes.insert(try SignedNote(parsing: signed.stdout).checkpoint.size)
        #expect(report["checkpoints_verified"] as? Int == signedSizes.count, "\(verify.stdout)")

        // Every acknowledged append, at the index it was told, with its text.
        var texts: [Int: String] = [:]
        var recoveredAfter: [Int] = []
        let logText = try String(contentsOf: log, encoding: .utf8)
        for (position, line) in logText.split(separator: "\n").enumerated() {
            let record = try AuditRecord(bytes: Array(line.utf8))
            #expect(record.index == UInt64(position))
            texts[position] = record.action.text
            if record.outcome == .recovered {
                // Only ever an unfinished write cut off, never acknowledged entries found missing.
                let after = record.reason.firstMatch(of: /^discarded \d+ bytes after entry (-?\d+): an unfinished write/).flatMap { Int($0.1) }
                #expect(after != nil, "entry \(position) recovered from something other than a torn tail: \(record.reason)")
                recoveredAfter.append(after ?? .min)
            }
        }
        // Each deliberate tear is discarded and recorded by the next append (two tears with no
        // append between them are one torn tail, after the same entry).
        // Three rounds of writers between two tears get entries in (all of them dying first is
        // unlikely, twice very much so). If they do not, recovering outlasts their lives: it
        // must not cost reading the whole log.
        #expect(tornAfter.count >= tornWrites - 1, "the log did not grow between two tears: tears after entries \(tornAfter.sorted())")
        #expect(tornAfter.subtracting(recoveredAfter).isEmpty, "tears after entries \(tornAfter.sorted()) but recoveries after \(recoveredAfter)")
        // A SIGKILL can also tear a write: Linux checks for a fatal signal between the pages of
        // one write(2), and a group-committed batch spans pages. That is rare (the kill must land
        // inside the write rather than the fsync), and only a writer killed while running can.
        let recoveries = recoveredAfter.count
        #expect(recoveries - tornAfter.count <= killedWhileRunning, "recoveries after entries \(recoveredAfter), deliberate tears after \(tornAfter.sorted())")
        #expect(acknowledged.count > 200, "too few appends to mean anything: \(acknowledged.count)")
        #expect(Set(acknowledged.map(\.index)).count == acknowledged.count, "two appends acknowledged at one index")
        var lost: [String] = []
        for (index, text) in acknowledged where texts[index] != text {
            lost.append("\(text) acknowledged at \(index), log has \(texts[index] ?? "nothing")")
        }
        #expect(lost.isEmpty, "seed \(seed): \(lost.prefix(5).joined(separator: "; "))")
        print("audit crash test (seed \(seed)): \(acknowledged.count) acknowledged appends, \(texts.count) entries, \(recoveries) recoveries (after entries \(recoveredAfter)) of \(tornWrites) torn writes (after entries \(tornAfter.sorted())), \(killedWhileRunning) kills")
    }
}
