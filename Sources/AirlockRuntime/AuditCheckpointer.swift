#if canImport(Glibc)
import Glibc
#endif

/// Keeps signed checkpoints coming without a person remembering to: after a check is recorded,
/// if this machine holds the signing key and the newest checkpoint (or the log, when there is
/// none) is over a minute old, a detached `airlock-cli audit checkpoint --new` signs one. The
/// hook path itself links no crypto and does not wait: it costs two `stat` calls per check and a
/// process start once a minute.
public enum AuditCheckpointer {
    public static let interval: Int = 60

    /// Starts a signer when one is due; never fails the decision that triggered it.
    public static func signIfDue(airlockHome: String, now: Int = Int(time(nil))) {
        let keys = airlockHome + "/keys/audit.key"
        let audit = airlockHome + "/audit"
        guard exists(keys) else { return }
        // The newer of the checkpoints directory (a new note changes it) and the marker the
        // last signer's starter left. Neither yet: start the clock now.
        let marker = audit + "/checkpoints/.signing"
        let last = [modified(audit + "/checkpoints"), modified(marker)].compactMap { $0 }.max()
        if let last, now - last <= interval { return }
        // Claim this minute before starting, so a burst of checks starts one signer, not many.
        _ = mkdir(audit + "/checkpoints", 0o700)
        let fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        close(fd)
        guard last != nil else { return }
        spawnDetached([ExecutablePaths.sibling("airlock-cli"), "audit", "checkpoint", "--new"], environment: ["AIRLOCK_HOME=" + airlockHome])
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func modified(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mtim.tv_sec)
    }

    /// Starts a program with no standard streams and does not wait for it.
    static func spawnDetached(_ argv: [String], environment extra: [String]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc, 0x80): the signer outlives a host that kills the hook's process group.
        posix_spawnattr_setflags(&attributes, 0x80)
        let inherited = ProcessFacts.environment().filter { $0.key != "AIRLOCK_HOME" }.map { "\($0.key)=\($0.value)" }
        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = (inherited + extra).map { strdup($0) } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var pid: pid_t = 0
        _ = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment)
    }
}

/// Where Airlock's own executables are: beside the running one.
public enum ExecutablePaths {
    public static func sibling(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let own = length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        let directory = own.contains("/") ? String(own[..<(own.lastIndex(of: "/") ?? own.endIndex)]) : "."
        return directory + "/" + name
    }
}
