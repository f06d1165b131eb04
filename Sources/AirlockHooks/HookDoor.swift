import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockRuntime
import AirlockState
#if canImport(Glibc)
import Glibc
#endif

/// `airlock hook HOST [--deadline 2s]`: the door every agent host calls before a tool call.
///
/// It always answers with a valid verdict in the host's format, and every way of not deciding
/// — input it cannot read, a policy that does not load, a store or log that fails, the internal
/// deadline — is a deny naming the cause, because hosts such as Claude Code run the tool when a
/// hook crashes, prints nothing valid, exits 1 or times out.
public enum HookDoor {
    /// How the door gets its policy: the front door from the compiled cache (or, when a policy
    /// file must be parsed first, by handing the call to airlock-cli), airlock-cli from YAML.
    public enum PolicyOutcome {
        /// The policy, and its digest when the loader knows it without encoding the policy.
        case loaded(Policy, digest: String?)
        case failed([String])
        case needsFullCLI
    }

    public static let defaultDeadlineMilliseconds = 2_000

    /// The door's own options after the verb: the host and the deadline.
    public struct Options: Sendable, Hashable {
        public var host: HookHost
        public var deadlineMilliseconds: Int

        /// nil with a message for a usage problem.
        public static func parse(_ arguments: [String]) -> (Options?, String?) {
            guard let first = arguments.first else { return (nil, "name the agent host: airlock hook claude|cursor|codex|gemini") }
            guard let host = HookHost(rawValue: first) else { return (nil, "unknown agent host '\(first)'; expected claude, cursor, codex or gemini") }
            var options = Options(host: host, deadlineMilliseconds: defaultDeadlineMilliseconds)
            var index = 1
            while index < arguments.count {
                let argument = arguments[index]
                var value: String?
                if argument.hasPrefix("--deadline=") {
                    value = String(argument.dropFirst("--deadline=".count))
                } else if argument == "--deadline", index + 1 < arguments.count {
                    index += 1
                    value = arguments[index]
                } else {
                    return (nil, "unknown option '\(argument)' for airlock hook")
                }
                guard let value, let milliseconds = milliseconds(value), milliseconds > 0 else {
                    return (nil, "--deadline takes a duration such as 500ms, 2s or 1m")
                }
                options.deadlineMilliseconds = milliseconds
                index += 1
            }
            return (options, nil)
        }

        static func milliseconds(_ text: String) -> Int? {
            if text.hasSuffix("ms") { return Int(text.dropLast(2)) }
            return PolicyDuration.parse(text).map { $0 * 1000 }
        }
    }

    /// Runs the hook; never returns.
    public static func run(_ arguments: [String], loadPolicy: (Context) -> PolicyOutcome) -> Never {
        let started = monotonicMilliseconds()
        let (parsed, problem) = Options.parse(arguments)
        guard let options = parsed else {
            // Without a known host the format is unknown: Claude Code's shape, and exit 2,
            // which every host treats as a block.
            finish(HookAnswer.failClosed(problem ?? "bad arguments", host: HookHost(rawValue: arguments.first ?? "") ?? .claude))
        }
        let host = options.host
        Deadline.arm(milliseconds: options.deadlineMilliseconds, answer: HookAnswer.failClosed(
            "Airlock did not decide within its \(options.deadlineMilliseconds) ms deadline (a slow disk or a held lock?)", host: host))

        let input = readStandardInput(limit: HookInput.maxBytes + 1)
        let call: HookCall
        do {
            call = try HookInput.parse(input, host: host)
        } catch {
            let reason = "the hook's input could not be read: \(error.message)"
            recordUnreadable(input, reason: reason, host: host)
            finish(HookAnswer.failClosed(reason, host: host))
        }
        let processEnvironment = ProcessFacts.environment()
        let home = ProcessFacts.homeDirectory(environment: processEnvironment)
        let context = Context(
            agent: call.agent, session: call.session, user: ProcessFacts.userName(), workingDirectory: call.workingDirectory,
            homeDirectory: home, airlockHome: AirlockHome.path(environment: processEnvironment, home: home), environment: processEnvironment)

        switch loadPolicy(context) {
        case .needsFullCLI:
            let elapsed = monotonicMilliseconds() - started
            Deadline.disarm()
            handOver(input, host: host, deadlineMilliseconds: max(1, options.deadlineMilliseconds - elapsed))
        case .failed(let problems):
            let analysis = Analyzer(context: context, files: LocalFiles()).analyze(call.action)
            let denied = DecisionAudit.record(
                Evaluator.failClosed(analysis, problems: problems), context: context, policy: Policy(source: "none (failed to load)"),
                door: .hook, store: AuditStore(directory: context.airlockHome + "/audit"))
            finish(HookAnswer.answer(denied, host: host, event: call.event))
        case .loaded(let policy, let digest):
            let gate = Gate(
                checker: Checker(policy: policy, files: LocalFiles()), store: SQLiteStore(airlockHome: context.airlockHome),
                audit: AuditStore(directory: context.airlockHome + "/audit"), policyDigest: digest)
            let decision = gate.decide(call.action, context: context, door: .hook, hostCanAsk: host.canAsk)
            Deadline.disarm()
            AuditCheckpointer.signIfDue(airlockHome: context.airlockHome)
            finish(HookAnswer.answer(decision, host: host, event: call.event))
        }
    }

    /// Input that could not be read is still an attempt worth a security team's eye: it is
    /// recorded (its first KB, as text) before the deny. A log that fails changes nothing: the
    /// answer is a deny either way.
    static func recordUnreadable(_ input: [UInt8], reason: String, host: HookHost) {
        let environment = ProcessFacts.environment()
        let home = AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
        let shown = input.isEmpty ? "(no input)" : String(decoding: input.prefix(1024), as: UTF8.self) + (input.count > 1024 ? "…" : "")
        let record = AuditRecord(
            timestamp: AuditClock.now(), outcome: .blocked, door: .hook, action: AuditRecord.Action(kind: "hook_input", text: shown),
            environment: EnvironmentResolver.unknown,
            rule: AuditRecord.Rule(id: "airlock-hook-input", type: MatchedRule.Kind.analysis.rawValue, pattern: ""), reason: reason,
            context: AuditRecord.Context(user: ProcessFacts.userName(), agent: host.rawValue, session: nil, workingDirectory: ProcessFacts.currentDirectory() ?? "", host: AuditHost.name),
            policyDigest: "")
        _ = try? AuditStore(directory: home + "/audit").append([record])
    }

    /// Prints the answer and exits with its status; the deadline is disarmed first, so exactly
    /// one answer is ever printed.
    static func finish(_ answer: HookAnswer) -> Never {
        Deadline.disarm()
        writeAll(1, Array(answer.stdout.utf8))
        if !answer.stderr.isEmpty { writeAll(2, Array(answer.stderr.utf8)) }
        exit(answer.status)
    }

    /// Runs `airlock-cli hook HOST` on the same input (a policy file must be parsed, which the
    /// front door does not do): the input goes through an unlinked temporary file as stdin.
    static func handOver(_ input: [UInt8], host: HookHost, deadlineMilliseconds: Int) -> Never {
        var template = Array("/tmp/airlock-hook-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { finish(HookAnswer.failClosed("cannot hand the call to airlock-cli: \(String(cString: strerror(errno)))", host: host)) }
        _ = template.withUnsafeBufferPointer { $0.baseAddress.map { unlink($0) } }
        writeAll(fd, input)
        lseek(fd, 0, SEEK_SET)
        dup2(fd, 0)
        close(fd)
        let cli = ExecutablePaths.sibling("airlock-cli")
        let argv = ["airlock", "hook", host.rawValue, "--deadline", "\(deadlineMilliseconds)ms"]
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        execv(cli, cArguments)
        finish(HookAnswer.failClosed("cannot run \(cli): \(String(cString: strerror(errno)))", host: host))
    }

    static func readStandardInput(limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < limit {
            let count = read(0, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    static func monotonicMilliseconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int(spec.tv_sec) * 1000 + Int(spec.tv_nsec / 1_000_000)
    }
}

/// The internal deadline: a real-time interval timer whose signal handler prints the
/// precomputed deny and exits, whatever the main thread is stuck in.
enum Deadline {
    nonisolated(unsafe) static var stdoutBytes: UnsafeMutableBufferPointer<UInt8>?
    nonisolated(unsafe) static var stderrBytes: UnsafeMutableBufferPointer<UInt8>?

    static func arm(milliseconds: Int, answer: HookAnswer) {
        stdoutBytes = copy(answer.stdout)
        stderrBytes = copy(answer.stderr)
        signal(SIGALRM) { _ in
            if let out = Deadline.stdoutBytes { _ = write(1, out.baseAddress, out.count) }
            if let err = Deadline.stderrBytes { _ = write(2, err.baseAddress, err.count) }
            _exit(2)
        }
        // The parent may have spawned us with SIGALRM blocked (a mask is inherited): unblock it,
        // or the deadline would never fire.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGALRM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        var timer = itimerval()
        timer.it_value.tv_sec = milliseconds / 1000
        timer.it_value.tv_usec = (milliseconds % 1000) * 1000
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }

    static func disarm() {
        var timer = itimerval()
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }

    private static func copy(_ text: String) -> UnsafeMutableBufferPointer<UInt8> {
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
        _ = buffer.initialize(from: bytes)
        return UnsafeMutableBufferPointer(rebasing: buffer[..<bytes.count])
    }
}
