import Foundation

/// Runs `shfmt` as a reference bash parser, with as few process launches as possible:
///
/// 1. every case is written to its own file and `shfmt -ln=bash -l FILE…` runs once over all of
///    them: it reports a parse error per file on stderr (`path:line:col: message`), which gives
///    shfmt's accept/reject verdict for every case at once;
/// 2. the accepted cases are joined, separated by newlines, and `shfmt -ln=bash --to-json`
///    parses them in one launch per CPU core (the JSON is large: decoding it dominates the
///    test's time); each top-level statement is mapped back to its case by byte offset. A
///    batch that fails as a whole is bisected, and a case whose statements spill over its
///    boundary (say it ends in a backslash) is re-run alone.
struct Shfmt: Sendable {
    enum Verdict {
        case rejected(String)
        /// The top-level statements (`File.Stmts`) of the case.
        case accepted([Any])
    }

    let executable: String

    /// `shfmt` on PATH, or nil.
    static func locate() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/shfmt"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A scratch directory, in memory when the system has one (/dev/shm): thousands of tiny
    /// files on a slow disk would cost more than the whole comparison.
    static func scratchDirectory() throws -> URL {
        var isDirectory: ObjCBool = false
        let base =
            FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue
            ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        let directory = base.appendingPathComponent("airlock-shfmt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs shfmt with `arguments`, feeding it `input`; returns its exit status, stdout, stderr.
    func run(_ arguments: [String], input: Data = Data(), in directory: URL) throws -> (Int32, Data, Data) {
        let id = UUID().uuidString
        let inURL = directory.appendingPathComponent("in-\(id)")
        let outURL = directory.appendingPathComponent("out-\(id)")
        let errURL = directory.appendingPathComponent("err-\(id)")
        try input.write(to: inURL)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            for url in [inURL, outURL, errURL] { try? FileManager.default.removeItem(at: url) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = try FileHandle(forReadingFrom: inURL)
        let stdout = try FileHandle(forWritingTo: outURL)
        let stderr = try FileHandle(forWritingTo: errURL)
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        try? stdin.close()
        try? stdout.close()
        try? stderr.close()
        return (process.terminationStatus, try Data(contentsOf: outURL), try Data(contentsOf: errURL))
    }

    /// shfmt's verdict on every case; `launches` counts the shfmt processes started.
    func verdicts(for cases: [String], launches: inout Int) throws -> [Verdict] {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        // 1. Accept/reject, one launch for all files.
        var paths: [String] = []
        for (index, text) in cases.enumerated() {
            let url = directory.appendingPathComponent("case\(index).sh")
            try Data(text.utf8).write(to: url)
            paths.append(url.path)
        }
        var rejections: [Int: String] = [:]
        let chunk = 2_000
        for start in stride(from: 0, to: paths.count, by: chunk) {
            let slice = Array(paths[start..<min(start + chunk, paths.count)])
            let (_, _, errors) = try run(["-ln=bash", "-l"] + slice, in: directory)
            launches += 1
            for line in String(decoding: errors, as: UTF8.self).split(separator: "\n") {
                guard let range = line.range(of: ".sh:"),
                    let caseStart = line.range(of: "/case", options: .backwards, range: line.startIndex..<range.lowerBound),
                    let index = Int(line[caseStart.upperBound..<range.lowerBound])
                else { continue }
                rejections[index] = String(line[range.upperBound...])
            }
        }

        // 2. Trees for the accepted cases, one batch per core, in parallel.
        var verdicts = [Verdict](repeating: .rejected("not run"), count: cases.count)
        var accepted: [Int] = []
        for index in cases.indices {
            if let message = rejections[index] { verdicts[index] = .rejected(message) } else { accepted.append(index) }
        }
        let batches = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let size = (accepted.count + batches - 1) / batches
        let results = Results()
        let shfmt = self
        let acceptedIndices = accepted
        DispatchQueue.concurrentPerform(iterations: batches) { batch in
            let slice = Array(acceptedIndices.dropFirst(batch * size).prefix(size))
            var found: [Int: Verdict] = [:]
            var started = 0
            do {
                try shfmt.resolveTrees(slice, cases: cases, into: &found, directory: directory, launches: &started)
                results.add(found, launches: started)
            } catch {
                results.fail(error)
            }
        }
        if let error = results.error { throw error }
        for (index, verdict) in results.verdicts { verdicts[index] = verdict }
        launches += results.launches
        return verdicts
    }

    /// Collects the batches' results across threads.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var verdicts: [Int: Verdict] = [:]
        private(set) var launches = 0
        private(set) var error: Error?

        func add(_ found: [Int: Verdict], launches count: Int) {
            lock.lock()
            defer { lock.unlock() }
            verdicts.merge(found) { first, _ in first }
            launches += count
        }

        func fail(_ failure: Error) {
            lock.lock()
            defer { lock.unlock() }
            error = failure
        }
    }

    /// Parses the cases `indices` in one shfmt launch; bisects when the batch as a whole fails,
    /// and re-runs alone the cases whose statements cross their boundaries.
    private func resolveTrees(_ indices: [Int], cases: [String], into verdicts: inout [Int: Verdict], directory: URL, launches: inout Int) throws {
        guard !indices.isEmpty else { return }
        var batch = Data()
        var ranges: [(index: Int, start: Int, end: Int)] = []
        for index in indices {
            let start = batch.count
            batch.append(contentsOf: Array(cases[index].utf8))
            ranges.append((index, start, batch.count))
            batch.append(0x0A)
        }
        let (status, output, errors) = try run(["-ln=bash", "--to-json"], input: batch, in: directory)
        launches += 1
        if status != 0 {
            if indices.count == 1 {
                verdicts[indices[0]] = .rejected(String(decoding: errors, as: UTF8.self))
                return
            }
            let middle = indices.count / 2
            try resolveTrees(Array(indices[..<middle]), cases: cases, into: &verdicts, directory: directory, launches: &launches)
            try resolveTrees(Array(indices[middle...]), cases: cases, into: &verdicts, directory: directory, launches: &launches)
            return
        }
        guard let file = try JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw Failure(description: "shfmt --to-json printed something that is not a JSON object")
        }
        let statements = file["Stmts"] as? [Any] ?? []
        var perCase: [Int: [Any]] = [:]
        var spilled: Set<Int> = []
        var cursor = 0
        for statement in statements {
            guard let object = statement as? [String: Any] else { continue }
            let start = Self.offset(object["Pos"])
            let end = Self.offset(object["End"])
            while cursor < ranges.count && ranges[cursor].end < start { cursor += 1 }
            guard cursor < ranges.count, ranges[cursor].start <= start else { continue }
            if end > ranges[cursor].end {
                // The statement runs into the following cases: all of them are re-run alone.
                var next = cursor
                while next < ranges.count && ranges[next].start < end {
                    spilled.insert(ranges[next].index)
                    next += 1
                }
            }
            perCase[ranges[cursor].index, default: []].append(statement)
        }
        var again: [Int] = []
        for range in ranges {
            if spilled.contains(range.index) && indices.count > 1 {
                again.append(range.index)
            } else {
                verdicts[range.index] = .accepted(perCase[range.index] ?? [])
            }
        }
        for index in again {
            try resolveTrees([index], cases: cases, into: &verdicts, directory: directory, launches: &launches)
        }
    }

    static func offset(_ position: Any?) -> Int {
        ((position as? [String: Any])?["Offset"] as? Int) ?? -1
    }
}

/// bash itself, to settle the few lines where shfmt and bash disagree on validity.
enum Bash {
    /// `bash -O extglob -n` on the line: true if bash parses it, nil if bash is not available.
    static func accepts(_ line: String) throws -> Bool? {
        let candidates = ["/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash"]
        guard let executable = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else { return nil }
        let directory = try Shfmt.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("line.sh")
        try Data(line.utf8).write(to: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-O", "extglob", "-n", url.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
