import AirlockHooks
import AirlockRuntime
import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check each agent host's settings: is Airlock's hook installed, and does it answer?",
        discussion: """
            For Claude Code, Cursor, Codex and Gemini CLI, looks at the user settings file and, \
            when the current directory has one, the project's. For every Airlock hook found it \
            checks that the command's executable exists, then runs the command exactly as the \
            host would (through /bin/sh -c, with your environment and a sample request for a \
            harmless `ls` on standard input, 5 s timeout) and checks that it exits 0 with the \
            host's verdict JSON. It reports the median time of five runs. Each run is a real \
            decision and is recorded in the audit log.

            Exits 0 when every installed hook answered, 1 otherwise.

            Examples:
              airlock doctor
              cd ~/src/app && airlock doctor --format json
            """)

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let environment = ProcessFacts.environment()
        let home = ProcessFacts.homeDirectory(environment: environment)
        let cwd = FileManager.default.currentDirectoryPath
        var reports: [HookFileReport] = []
        for host in HookHost.allCases {
            let user = host.userFile(home: home)
            reports.append(HookFileReport.inspect(host: host, scope: "user", path: user, cwd: cwd))
            let project = host.projectFile(root: cwd)
            if project != user, FileManager.default.fileExists(atPath: project) {
                reports.append(HookFileReport.inspect(host: host, scope: "project", path: project, cwd: cwd))
            }
        }
        let healthy = reports.allSatisfy(\.healthy)
        if format == .json {
            Console.out(JSON.object(["ok": .bool(healthy), "files": .array(reports.map(\.json))]).text)
        } else {
            Console.out(text(reports, healthy: healthy))
        }
        if !healthy { throw ExitCode(1) }
    }

    private func text(_ reports: [HookFileReport], healthy: Bool) -> String {
        var lines: [String] = []
        for host in HookHost.allCases {
            lines.append(host.displayName)
            for report in reports where report.host == host {
                lines.append(contentsOf: report.lines.map { "  " + $0 })
            }
        }
        let installed = reports.flatMap(\.hooks)
        if installed.isEmpty {
            lines.append("no Airlock hook is installed; run 'airlock install claude' (or cursor, codex, gemini)")
        } else if healthy {
            lines.append("every installed hook answered")
        } else {
            lines.append("some hooks did not answer: a host lets a command run when its hook fails (Cursor only with failClosed); fix them before relying on Airlock")
        }
        return lines.joined(separator: "\n")
    }
}

/// What doctor found in one settings file.
struct HookFileReport {
    let host: HookHost
    let scope: String
    let path: String
    let exists: Bool
    /// Why the file could not be read as JSON.
    let problem: String?
    let hooks: [HookProbe.Report]

    var healthy: Bool { problem == nil && hooks.allSatisfy(\.answered) }

    static func inspect(host: HookHost, scope: String, path: String, cwd: String) -> HookFileReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return HookFileReport(host: host, scope: scope, path: path, exists: exists, problem: exists ? "cannot read it" : nil, hooks: [])
        }
        let text = String(decoding: data, as: UTF8.self)
        if text.allSatisfy(\.isWhitespace) {
            return HookFileReport(host: host, scope: scope, path: path, exists: true, problem: nil, hooks: [])
        }
        let document: SettingsJSON
        do {
            document = try SettingsJSON.parse(text)
        } catch {
            return HookFileReport(host: host, scope: scope, path: path, exists: true, problem: "not valid JSON (\(error))", hooks: [])
        }
        let hooks = HookSettings.airlockCommands(in: document, host: host).map { HookProbe.check(command: $0, host: host, cwd: cwd) }
        return HookFileReport(host: host, scope: scope, path: path, exists: true, problem: nil, hooks: hooks)
    }

    var lines: [String] {
        let head = "\(scope.padding(toLength: 8, withPad: " ", startingAt: 0)) \(path)"
        guard exists else { return [head + ": no such file"] }
        if let problem { return [head + ": " + problem + " (the host may ignore it; fix it, then run install)"] }
        guard !hooks.isEmpty else { return [head + ": Airlock's hook is not installed"] }
        var lines = [head + ": Airlock's hook is installed"]
        for hook in hooks {
            lines.append("         command: \(hook.command)")
            if let problem = hook.problem {
                lines.append("         hook did not answer: \(problem)")
            } else {
                lines.append("         answered \(hook.verdict ?? "?") in \(hook.medianMilliseconds.map(String.init) ?? "?") ms (median of \(hook.runs))")
            }
        }
        return lines
    }

    var json: JSON {
        .object([
            "host": .string(host.rawValue), "scope": .string(scope), "file": .string(path), "exists": .bool(exists),
            "problem": .optional(problem), "installed": .bool(!hooks.isEmpty), "hooks": .array(hooks.map(\.json)),
        ])
    }
}

/// Runs an installed hook command the way its host would and checks the answer.
enum HookProbe {
    struct Report {
        let command: String
        let executable: String?
        let executableExists: Bool
        let verdict: String?
        let medianMilliseconds: Int?
        let runs: Int
        /// Why the hook did not answer; nil when it did.
        let problem: String?

        var answered: Bool { problem == nil }

        var json: JSON {
            .object([
                "command": .string(command), "executable": .optional(executable), "executableExists": .bool(executableExists),
                "answered": .bool(answered), "verdict": .optional(verdict),
                "medianMilliseconds": medianMilliseconds.map(JSON.int) ?? .null, "problem": .optional(problem),
            ])
        }
    }

    static let timeout: Double = 5
    static let runs = 5

    static func check(command: String, host: HookHost, cwd: String) -> Report {
        let executable = HookSettings.executable(in: command, host: host)
        let exists = executable.map { $0.hasPrefix("/") && FileManager.default.isExecutableFile(atPath: $0) } ?? false
        guard exists else {
            let problem = executable.map { $0.hasPrefix("/") ? "\($0) does not exist or is not executable; run 'airlock install \(host.rawValue)' again" : "\($0) is not an absolute path; run 'airlock install \(host.rawValue)' again" }
            return Report(command: command, executable: executable, executableExists: false, verdict: nil, medianMilliseconds: nil, runs: 0, problem: problem ?? "cannot find the airlock executable in the command")
        }
        var times: [Int] = []
        var verdict: String?
        for _ in 0..<runs {
            switch run(command, input: sample(for: host, cwd: cwd), host: host) {
            case .success(let answer):
                times.append(answer.milliseconds)
                verdict = answer.verdict
            case .failure(let failure):
                return Report(command: command, executable: executable, executableExists: true, verdict: nil, medianMilliseconds: nil, runs: times.count, problem: failure.description)
            }
        }
        let median = times.sorted()[times.count / 2]
        return Report(command: command, executable: executable, executableExists: true, verdict: verdict, medianMilliseconds: median, runs: times.count, problem: nil)
    }

    struct Answer { let verdict: String; let milliseconds: Int }
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// One run through `/bin/sh -c`, in its own process group (so a timeout kills the hook and
    /// everything it started), stdin from a file, stdout and stderr to files.
    static func run(_ command: String, input: String, host: HookHost) -> Result<Answer, Failure> {
        let manager = FileManager.default
        let scratch = manager.temporaryDirectory.appendingPathComponent("airlock-doctor-\(UUID().uuidString)")
        do {
            try manager.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            return .failure(Failure(description: "cannot create \(scratch.path): \(error.localizedDescription)"))
        }
        defer { try? manager.removeItem(at: scratch) }
        let inPath = scratch.appendingPathComponent("in").path
        let outPath = scratch.appendingPathComponent("out").path
        let errPath = scratch.appendingPathComponent("err").path
        guard manager.createFile(atPath: inPath, contents: Data(input.utf8)) else {
            return .failure(Failure(description: "cannot write \(inPath)"))
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let environment = ProcessFacts.environment().map { "\($0.key)=\($0.value)" }
        let argv: [String] = ["/bin/sh", "-c", command]
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnvironment: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = DispatchTime.now()
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &cArguments, &cEnvironment)
        guard spawned == 0 else {
            return .failure(Failure(description: "cannot run /bin/sh: \(String(cString: strerror(spawned)))"))
        }
        let deadline = start.uptimeNanoseconds + UInt64(timeout * 1_000_000_000)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                return .failure(Failure(description: "lost the hook process: \(String(cString: strerror(errno)))"))
            }
            if DispatchTime.now().uptimeNanoseconds > deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return .failure(Failure(description: "no answer within \(Int(timeout)) s (the host would let the command run)"))
            }
            usleep(200)
        }
        let milliseconds = Int((DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000)
        let out = String(decoding: manager.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        let err = String(decoding: manager.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        guard status & 0x7F == 0 else {
            return .failure(Failure(description: "killed by signal \(status & 0x7F)"))
        }
        let code = (status >> 8) & 0xFF
        guard code == 0 else {
            let detail = err.split(separator: "\n").first.map { ": " + $0 } ?? ""
            return .failure(Failure(description: "exit status \(code)\(detail)"))
        }
        guard let verdict = verdict(in: out, host: host) else {
            let shown = out.trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(Failure(description: "its output is not \(host.displayName)'s verdict JSON: \(shown.isEmpty ? "(nothing)" : String(shown.prefix(200)))"))
        }
        return .success(Answer(verdict: verdict, milliseconds: milliseconds))
    }

    /// The verdict in a hook's standard output, in the shape `host` reads.
    static func verdict(in output: String, host: HookHost) -> String? {
        guard let document = try? SettingsJSON.parse(output.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        let value: String?
        switch host {
        case .claude, .codex: value = document["hookSpecificOutput"]?["permissionDecision"]?.stringValue
        case .cursor: value = document["permission"]?.stringValue
        case .gemini: value = document["decision"]?.stringValue
        }
        guard let value, ["allow", "deny", "ask", "block"].contains(value) else { return nil }
        return value
    }

    /// A request for `ls` in the shape `host` sends before a shell command.
    static func sample(for host: HookHost, cwd: String) -> String {
        let request: JSON
        switch host {
        case .claude, .codex:
            request = .object([
                "session_id": .string("airlock-doctor"), "transcript_path": .string("/dev/null"), "cwd": .string(cwd),
                "permission_mode": .string("default"), "hook_event_name": .string("PreToolUse"), "tool_name": .string("Bash"),
                "tool_input": .object(["command": .string("ls"), "description": .string("List files")]),
                "tool_use_id": .string("airlock-doctor"),
            ])
        case .cursor:
            request = .object([
                "conversation_id": .string("airlock-doctor"), "generation_id": .string("airlock-doctor"),
                "hook_event_name": .string("beforeShellExecution"), "workspace_roots": .strings([cwd]),
                "command": .string("ls"), "cwd": .string(cwd),
            ])
        case .gemini:
            request = .object([
                "session_id": .string("airlock-doctor"), "transcript_path": .string("/dev/null"), "cwd": .string(cwd),
                "hook_event_name": .string("BeforeTool"), "timestamp": .string(ISO8601DateFormatter().string(from: Date())),
                "tool_name": .string("run_shell_command"), "tool_input": .object(["command": .string("ls")]),
            ])
        }
        return request.text + "\n"
    }
}
