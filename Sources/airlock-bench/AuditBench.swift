// The audit log's benchmarks and the crash test's writer.
//
//   airlock-bench --audit DIR                 durable appends/s (group commit, one process, against
//                                             raw write+fsync), 8 processes appending one record per
//                                             call, and verification speed; logs are left under DIR
//   airlock-bench --audit-writer DIR TAG [N]  append "TAG-n" records forever (or N in all) from 4
//                                             threads through one AuditAppender, printing
//                                             `acked <index> TAG-n` only once append returned
//   airlock-bench --audit-verify DIR          verify the log in DIR and nothing else, for a profiler
//   airlock-bench --audit-loop DIR COUNT      COUNT appends, one record per AuditStore.append (the
//                                             children of the 8-process benchmark)
import AirlockAudit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum AuditBench {
    static let policyDigest = "sha256:" + String(repeating: "5e", count: 32)

    /// A record shaped like a real `airlock check` decision.
    static func record(_ text: String, timestamp: String = AuditClock.now()) -> AuditRecord {
        AuditRecord(
            timestamp: timestamp, outcome: .allowed, door: .check, action: AuditRecord.Action(kind: "shell", text: text),
            commands: [AuditRecord.Command(binary: "ls", args: ["-la"], effect: "read", environment: "local", decision: "allow")],
            environment: "local", rule: AuditRecord.Rule(id: "default", type: "default", pattern: ""), reason: "read-only command",
            context: AuditRecord.Context(user: "bench", agent: "bench", session: nil, workingDirectory: "/home/dev/app", host: AuditHost.name),
            policyDigest: policyDigest)
    }

    /// One line on stdout in one write(2): whole lines even when the process is killed.
    static func emit(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            done += n
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value - 1
        }
    }

    /// Runs `body(thread)` on `count` threads and waits for all of them.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchSemaphore(value: 0)
        for thread in 0..<count {
            let worker = Thread {
                body(thread)
                done.signal()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        for _ in 0..<count { done.wait() }
    }

    // MARK: The crash test's writer

    static func writer(directory: String, tag: String, limit: Int?) -> Never {
        let appender = AuditAppender(store: AuditStore(directory: directory))
        let counter = Counter()
        onThreads(4) { _ in
            while true {
                let n = counter.next()
                if let limit, n >= limit { return }
                do {
                    let stored = try appender.append(record("\(tag)-\(n)"))
                    emit("acked \(stored.index) \(tag)-\(n)")
                } catch {
                    FileHandle.standardError.write(Data("error \(tag)-\(n): \(error)\n".utf8))
                }
            }
        }
        exit(0)
    }

    static func loop(directory: String, count: Int) -> Never {
        let store = AuditStore(directory: directory)
        store.lockTimeoutMilliseconds = 60_000
        for n in 0..<count {
            do {
                try store.append([record("loop-\(getpid())-\(n)")])
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                exit(1)
            }
        }
        exit(0)
    }

    static func verifyOnly(directory: String) -> Never {
        let verifier = AuditVerifier(keys: [], checkSignature: { _, _, _ in false })
        do {
            let report = try verifier.verify(AuditStore(directory: directory))
            print("\(report.entries) entries, \(report.intact ? "intact" : "NOT INTACT")")
        } catch {
            print("error: \(error)")
            exit(1)
        }
        exit(0)
    }

    // MARK: Benchmarks

    static func seconds(_ from: UInt64, _ to: UInt64) -> Double { Double(to - from) / 1e9 }
    static func rate(_ count: Int, _ seconds: Double) -> String { grouped(Int(Double(count) / seconds)) }
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    static func fresh(_ path: String) {
        _ = try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func run(directory: String) {
        let sample = record("ls -la").canonicalBytes.count + 1
        print("records are ~\(sample) bytes (one `ls -la` decision); every figure below is from this run")
        print("")

        // (a) One process, group commit, 8 and then 64 threads each waiting for its own record;
        // then the same count of raw 300-byte lines written with write(2), fsync'd every 256.
        let total = 40_000
        var groupRuns: [(threads: Int, seconds: Double, batches: Int)] = []
        for threads in [8, 64] {
            let perThread = total / threads
            let groupDirectory = directory + "/group-\(threads)"
            fresh(groupDirectory)
            let appender = AuditAppender(store: AuditStore(directory: groupDirectory))
            let texts = (0..<total).map { "ls -la /srv/app/\($0)" }
            _ = try? appender.append(record("warm-up"))
            let batchesBefore = appender.batchesWritten
            let t0 = now()
            onThreads(threads) { thread in
                for i in 0..<perThread {
                    do { try appender.append(record(texts[thread * perThread + i])) } catch { fatalError("\(error)") }
                }
            }
            let t1 = now()
            groupRuns.append((threads, seconds(t0, t1), appender.batchesWritten - batchesBefore))
        }

        let rawPath = directory + "/raw.jsonl"
        unlink(rawPath)
        let fd = open(rawPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        let line = Array((String(repeating: "x", count: 299) + "\n").utf8)
        var syncs = 0
        let t2 = now()
        for i in 0..<total {
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if i % 256 == 255 { fsync(fd); syncs += 1 }
        }
        fsync(fd)
        syncs += 1
        let t3 = now()
        close(fd)
        let raw = seconds(t2, t3)
        print("durable appends, one process, AuditAppender group commit (each thread waits for its own record):")
        for run in groupRuns {
            print("  \(String(format: "%2d", run.threads)) threads        \(rate(total, run.seconds))/s  (\(grouped(total)) records in \(String(format: "%.2f", run.seconds)) s, \(grouped(run.batches)) batches = fsyncs, \(String(format: "%.1f", Double(total) / Double(max(run.batches, 1)))) records per batch, \(String(format: "%.3f", run.seconds * 1000 / Double(max(run.batches, 1)))) ms per batch)")
        }
        print("  raw write+fsync   \(rate(total, raw))/s  (\(grouped(total)) 300-byte lines, one write(2) each, fsync every 256: \(String(format: "%.3f", raw * 1000 / Double(syncs))) ms per fsync, same run)")
        print("")

        // (b) 8 processes, each appending one record per AuditStore.append call.
        let processes = 8, perProcess = 300
        let processDirectory = directory + "/processes"
        fresh(processDirectory)
        let me = selfPath()
        let t4 = now()
        var children: [Process] = []
        for _ in 0..<processes {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: me)
            child.arguments = ["--audit-loop", processDirectory, String(perProcess)]
            do { try child.run() } catch { fatalError("cannot start \(me): \(error)") }
            children.append(child)
        }
        var failed = 0
        for child in children {
            child.waitUntilExit()
            if child.terminationStatus != 0 { failed += 1 }
        }
        let t5 = now()
        let multi = seconds(t4, t5)
        var written = 0
        _ = try? AuditStore(directory: processDirectory).forEachEntry { _, _ in written += 1; return true }
        print("durable appends, \(processes) processes x \(perProcess), one record per AuditStore.append (flock, pwrite, fsync each):")
        print("  \(rate(written, multi))/s in all  (\(grouped(written)) records in \(String(format: "%.2f", multi)) s including process start-up\(failed > 0 ? ", \(failed) FAILED" : ""))")
        print("")

        // (c) Verification of a log of 262,144 entries written in large batches.
        let entries = 262_144
        let verifyDirectory = directory + "/verify"
        fresh(verifyDirectory)
        let store = AuditStore(directory: verifyDirectory)
        let timestamp = AuditClock.now()
        let t6 = now()
        var batch: [AuditRecord] = []
        for i in 0..<entries {
            batch.append(record("ls -la /srv/app/\(i)", timestamp: timestamp))
            if batch.count == 8192 {
                do { try store.append(batch) } catch { fatalError("\(error)") }
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try? store.append(batch) }
        let t7 = now()
        // Baseline in the same run: read every line and hash it, nothing else.
        var hashed = 0
        let t8 = now()
        _ = try? store.forEachEntry { line, _ in
            hashed &+= Int(Merkle.leafHash(line)[0])
            return true
        }
        let t9 = now()
        let verifier = AuditVerifier(keys: [], checkSignature: { _, _, _ in false })
        var report: AuditVerifier.Report?
        let t10 = now()
        do { report = try verifier.verify(store) } catch { fatalError("\(error)") }
        let t11 = now()
        let verify = seconds(t10, t11)
        print("verification (AuditVerifier over \(grouped(entries)) entries, ~\(sample) bytes each, in the page cache):")
        print("  verify            \(rate(entries, verify))/s  (\(String(format: "%.2f", verify)) s; \(report!.intact ? "intact" : "NOT INTACT"), \(report!.entries) entries)")
        print("  read + leaf hash  \(rate(entries, seconds(t8, t9)))/s  (the SHA-256 of every line and nothing else, same run)")
        print("  (writing it took \(String(format: "%.2f", seconds(t6, t7))) s in batches of 8,192: \(rate(entries, seconds(t6, t7)))/s)")
        if hashed == -1 { print("") }
    }

    static func selfPath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
