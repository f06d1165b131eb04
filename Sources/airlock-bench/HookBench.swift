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
        var byStatus: [Int32: [Double]] = [:]
        for index in 0..<count {
            let (seconds, status) = spawn(binary, ["hook", "claude"], environment, inputs[index])
            hook.append(seconds)
            byStatus[status, default: []].append(seconds)
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
        for (status, samples) in byStatus.sorted(by: { $0.key < $1.key }) {
            let label = switch status {
            case 0: "exit 0 (allow, host ask)"
            case 2: "exit 2 (deny)"
            case let signal where signal >= 128: "killed by signal \(signal - 128)"
            default: "exit \(status) (not a verdict)"
            }
            print(String(format: "  %@ %5d calls, median %.2f ms, p99 %.2f ms", label.padding(toLength: 27, withPad: " ", startingAt: 0), samples.count, stats(samples).median, stats(samples).p99))
        }
        try? FileManager.default.removeItem(atPath: home)
        // A crash or any exit other than 0 or 2 is a hook that failed open in Claude Code.
        if byStatus.keys.contains(where: { $0 != 0 && $0 != 2 }) { exit(1) }
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
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else {
            print("cannot start \(path): \(String(cString: strerror(spawned)))")
            exit(1)
        }
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
        // Killed by a signal: reported as 128 + signal, like a shell, never as an exit status.
        let signal = status & 0x7F
        return (seconds, signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
    }
}
