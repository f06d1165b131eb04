import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished process left behind.
struct ProcessResult: Sendable, CustomStringConvertible {
    /// The executable and its arguments, for messages.
    var command: [String]
    /// The exit status, or the signal's number when `signalled`.
    var status: Int32
    var signalled: Bool
    var stdout: String
    var stderr: String

    var succeeded: Bool { !signalled && status == 0 }

    /// Self when the process succeeded; otherwise throws a `ProcessFailure` carrying its stderr.
    @discardableResult
    func check() throws -> ProcessResult {
        guard succeeded else { throw ProcessFailure(result: self) }
        return self
    }

    var description: String {
        let how = signalled ? "was killed by signal \(status)" : "exited with status \(status)"
        let output = stderr.isEmpty ? stdout : stderr
        return "`\(command.joined(separator: " "))` \(how)" + (output.isEmpty ? "" : ":\n" + output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var result: ProcessResult
    var description: String { result.description }
}

struct ProcessTimeout: Error, CustomStringConvertible {
    var command: [String]
    var timeout: Duration
    var stdout: String
    var stderr: String
    var description: String {
        "`\(command.joined(separator: " "))` did not finish within \(timeout) and was killed"
            + (stderr.isEmpty && stdout.isEmpty ? "" : "; its output so far:\n\(stderr)\(stdout)")
    }
}

/// Runs programs for tests: arguments, environment, stdin, and stdout, stderr and status back.
///
/// stdout and stderr are drained by their own threads while stdin is fed by a third: a child
/// that fills one pipe while we wait on another would otherwise deadlock both. The async
/// overloads wait on a dedicated thread: blocking one of the (few, on a 2-core machine)
/// cooperative threads could starve the very code under test, such as a proxy whose gate
/// awaits, that the process is talking to.
///
/// posix_spawn, not Foundation's Process: on Linux, Process learns that a child exited when a
/// socket the child inherits reaches end of file, so a child that leaves a daemon behind
/// (`pg_ctl start` leaves the postmaster, which inherits every descriptor) never "exits". Here
/// the child gets stdin, stdout and stderr and nothing else, and waitpid says when it is done.
enum ProcessRunner {
    /// Runs `executable` (a path, or a name looked up on PATH) and waits for it.
    /// `environment` nil inherits this process's; `stdin` nil gives the child /dev/null.
    /// A child still running after `timeout` is killed with its process group and
    /// `ProcessTimeout` thrown.
    static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        stdin: String? = nil, currentDirectory: String? = nil, timeout: Duration = .seconds(120)
    ) throws -> ProcessResult {
        ignoreSIGPIPE
        let path = try resolve(executable, environment: environment)
        let command = [executable] + arguments
        let output = try makePipe(), errors = try makePipe()
        let input = try stdin.map { _ in try makePipe() }
        var parentEnds = [output.read, errors.read] + (input.map { [$0.write] } ?? [])
        let childEnds = [output.write, errors.write] + (input.map { [$0.read] } ?? [])
        defer { for fd in parentEnds { close(fd) } }

        let pid: pid_t
        do {
            defer { for fd in childEnds { close(fd) } }
            pid = try spawn(path, [path] + arguments, environment: environment, stdin: input?.read, stdout: output.write, stderr: errors.write, currentDirectory: currentDirectory)
        }

        let stdoutData = OutputBuffer(), stderrData = OutputBuffer()
        let drained = DispatchGroup()
        drain(output.read, into: stdoutData, group: drained)
        drain(errors.read, into: stderrData, group: drained)
        if let input, let stdin {
            let fd = input.write
            parentEnds.removeLast()  // the writer closes it: the child sees end of input
            Thread {
                // A child that exits without reading all of stdin breaks the pipe: not our error.
                let bytes = Array(stdin.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if written < 0 { if errno == EINTR { continue } else { break } }
                    offset += written
                }
                close(fd)
            }.start()
        }

        let exit = ExitStatus()
        let exited = DispatchSemaphore(value: 0)
        Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exit.set(status)
            exited.signal()
        }.start()

        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            kill(-pid, SIGKILL)  // its process group: runuser, pg_ctl and the like go too
            kill(pid, SIGKILL)
            exited.wait()
            // Something outside the group (a daemon that called setsid) may hold the pipes.
            _ = drained.wait(timeout: .now() + 1)
            throw ProcessTimeout(command: command, timeout: timeout, stdout: stdoutData.text, stderr: stderrData.text)
        }
        // The child is gone; its pipes close unless it left a daemon holding them (pg_ctl
        // start does not: the server's output goes to its log file).
        if drained.wait(timeout: .now() + 30) == .timedOut {
            throw ProcessTimeout(
                command: command, timeout: timeout, stdout: "(a process it started still holds its stdout or stderr open)", stderr: stderrData.text)
        }
        let status = exit.status
        let signalled = status & 0x7f != 0
        return ProcessResult(
            command: command, status: signalled ? status & 0x7f : (status >> 8) & 0xff, signalled: signalled,
            stdout: stdoutData.text, stderr: stderrData.text)
    }

    /// `run` without occupying a cooperative thread while the child runs.
    static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        stdin: String? = nil, currentDirectory: String? = nil, timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        try await offCooperativePool {
            try run(executable, arguments, environment: environment, stdin: stdin, currentDirectory: currentDirectory, timeout: timeout)
        }
    }

    /// The absolute path of `executable`: itself when it contains a slash, else the first match
    /// on the PATH of `environment` (or of this process).
    static func resolve(_ executable: String, environment: [String: String]? = nil) throws -> String {
        if executable.contains("/") { return executable }
        let path = (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ProcessFailure(
            result: ProcessResult(command: [executable], status: 127, signalled: false, stdout: "", stderr: "\(executable): not found on PATH (\(path))"))
    }

    // MARK: Spawning

    /// Writing to a child that has exited must fail with EPIPE, not kill the test process.
    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    private struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// glibc's *_np spawn actions (2.29, 2.34) and pipe2 are not in Swift's Glibc module.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private static func libc(_ name: String) -> UnsafeMutableRawPointer? { dlsym(dlopen(nil, RTLD_NOW), name) }
    private static let addCloseFrom = libc("posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let addChangeDirectory = libc("posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: ChangeDirectory.self) }
    private static let pipe2 = libc("pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    /// A pipe whose ends close on exec: no other child, ours or anyone's, inherits them.
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnError(description: "pipe2: \(String(cString: strerror(errno)))") }
        } else {
            guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        return (fds[0], fds[1])
    }

    /// posix_spawn with the given descriptors as 0, 1 and 2 and no others, default signal
    /// handling and an empty signal mask (the test process blocks and ignores some), in a
    /// process group of its own so a timeout can kill what it started.
    private static func spawn(
        _ path: String, _ argv: [String], environment: [String: String]?, stdin: Int32?, stdout: Int32, stderr: Int32, currentDirectory: String?
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) } else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        guard let addCloseFrom else {
            throw SpawnError(description: "posix_spawn_file_actions_addclosefrom_np is missing (glibc older than 2.34)")
        }
        _ = addCloseFrom(&actions, 3)
        if let currentDirectory {
            guard let addChangeDirectory else { throw SpawnError(description: "posix_spawn_file_actions_addchdir_np is missing (glibc older than 2.29)") }
            _ = addChangeDirectory(&actions, currentDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let arguments = argv.map { strdup($0) } + [nil]
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in environmentStrings ?? [] { free(pointer) }
        }
        var pid: pid_t = 0
        let result =
            if let environmentStrings {
                posix_spawn(&pid, path, &actions, &attributes, arguments, environmentStrings)
            } else {
                posix_spawn(&pid, path, &actions, &attributes, arguments, environ)
            }
        guard result == 0 else { throw SpawnError(description: "cannot start \(path): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Reads `fd` to its end on a thread of its own, appending as data arrives so a timeout can
    /// still report partial output.
    private static func drain(_ fd: Int32, into buffer: OutputBuffer, group: DispatchGroup) {
        group.enter()
        Thread {
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                buffer.append(Data(chunk[..<count]))
            }
            group.leave()
        }.start()
    }
}

/// The wait status waitpid reported, handed from the waiting thread.
private final class ExitStatus: Sendable {
    private let value = Mutex<Int32>(0)
    func set(_ status: Int32) { value.withLock { $0 = status } }
    var status: Int32 { value.withLock { $0 } }
}

/// Bytes from one of a child's pipes, appended by its reader thread and read by the waiter.
private final class OutputBuffer: Sendable {
    private let data = Mutex(Data())
    func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }
    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}

/// Runs `body` on a thread of its own and resumes with its result: for blocking work (waiting
/// on a child process) called from async code.
func offCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
