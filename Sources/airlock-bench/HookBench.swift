import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-process hook time: `airlock hook claude` started for each of 1,000 commands (the
/// labelled corpus, repeated) with Claude Code's PreToolUse JSON on stdin, exactly as the host
/// starts it, against `/bin/true` started the same way in the same run.
/// Usage: airlock-bench --hook AIRLOCK-BINARY CORPUS.tsv [COUNT].
enum HookBench {
    static func run(binary: String, corpusPath: String, count: Int) {
        // /bin/true exits without reading its input.
        signal(SIGPIPE, SIG_IGN)
        guard let corpus = readText(corpusPath) else {
            print("cannot read \(corpusPath)")
            exit(64)
        }
        let commands = corpus.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> String? in
            let fields = line.split(separator: "\t", maxSplits: 2)
            guard fields.count == 3 else { return nil }
            return fields[2].replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t")
        }
        guard !commands.isEmpty else { exit(64) }
        let home = NSTemporaryDirectory() + "airlock-hook-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let environment = ["HOME=\(home)", "AIRLOCK_HOME=\(home)/.airlock", "PATH=/usr/bin:/bin"]
        // A session per call: the circuit breaker would otherwise freeze the one agent after
        // the corpus's first destructive denials and every later call would take that path.
        func input(_ command: String, session: Int) -> [UInt8] {
            let object: [String: Any] = [
                "session_id": "bench-\(session)", "cwd": "/home/dev/app", "hook_event_name": "PreToolUse", "permission_mode": "default",
                "tool_name": "Bash", "tool_input": ["command": command, "description": "bench"],
            ]
            return Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data())
        }
        // Spread over the corpus (it is grouped by category) by a stride coprime to its size.
        let inputs = (0..<count).map { input(commands[($0 * 7) % commands.count], session: $0) }
        // Warm the page cache and the state store.
        for index in 0..<20 { _ = spawn(binary, ["hook", "claude"], environment, inputs[index]) }
        var hook: [Double] = [], baseline: [Double] = []
        var verdicts: [Int32: Int] = [:]
        for index in 0..<count {
            let (seconds, status) = spawn(binary, ["hook", "claude"], environment, inputs[index])
            hook.append(seconds)
            verdicts[status, default: 0] += 1
            baseline.append(spawn("/bin/true", [], environment, inputs[index]).seconds)
        }
        func stats(_ samples: [Double]) -> (median: Double, p99: Double) {
            let sorted = samples.sorted()
            return (sorted[sorted.count / 2] * 1000, sorted[min(sorted.count - 1, sorted.count * 99 / 100)] * 1000)
        }
        let h = stats(hook), t = stats(baseline)
        print("\(count) Claude Code PreToolUse calls (\(commands.count) distinct corpus commands), built-in policy, state and audit on")
        print(String(format: "/bin/true (same spawn, same input)    median %.2f ms, p99 %.2f ms", t.median, t.p99))
        print(String(format: "airlock hook claude                   median %.2f ms, p99 %.2f ms (%.1fx /bin/true)", h.median, h.p99, h.median / t.median))
        print("exit statuses: " + verdicts.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "0 (allow/ask)" : "\($0.key) (deny)"): \($0.value)" }.joined(separator: ", "))
        try? FileManager.default.removeItem(atPath: home)
    }

    /// posix_spawn with the input on a pipe; wall time from spawn to reaped exit.
    static func spawn(_ path: String, _ arguments: [String], _ environment: [String], _ input: [UInt8]) -> (seconds: Double, status: Int32) {
        var pipeIn: [Int32] = [0, 0]
        pipe(&pipeIn)
        let devNull = open("/dev/null", O_WRONLY)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipeIn[0], 0)
        posix_spawn_file_actions_adddup2(&actions, devNull, 1)
        posix_spawn_file_actions_adddup2(&actions, devNull, 2)
        posix_spawn_file_actions_addclose(&actions, pipeIn[1])
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let t0 = now()
        posix_spawn(&pid, path, &actions, nil, argv, envp)
        close(pipeIn[0])
        input.withUnsafeBytes { _ = write(pipeIn[1], $0.baseAddress, $0.count) }
        close(pipeIn[1])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let seconds = Double(now() - t0) / 1e9
        close(devNull)
        posix_spawn_file_actions_destroy(&actions)
        argv.forEach { free($0) }
        envp.forEach { free($0) }
        return (seconds, (status >> 8) & 0xFF)
    }
}
