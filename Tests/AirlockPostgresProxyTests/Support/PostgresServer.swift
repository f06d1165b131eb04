import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real PostgreSQL server of a test's own: a fresh cluster on a free TCP port of 127.0.0.1,
/// with a Unix socket, its data and its log in a temporary directory under /dev/shm.
///
/// The cluster is a copy of a template initialised once per test process (initdb takes ~0.4 s,
/// a copy ~45 ms). Every role logs in without a password (`trust`) until `requirePassword`
/// says otherwise for one. Settings: fsync off (nothing here must survive a power cut),
/// max_connections 600 (a test opens 500 connections through the proxy), and dynamic shared
/// memory in files under the data directory rather than /dev/shm itself, where an immediate
/// stop could leave segments behind.
///
/// initdb, pg_ctl and postgres refuse to run as root: when the tests run as root they run as
/// the `postgres` OS user (`make deps` installs the server, which creates it).
///
/// The server stops and its directory goes when the object goes; servers still running when
/// the test process exits are stopped then, and directories left by a crashed test process are
/// swept by the next one.
final class PostgresServer: Sendable {
    /// How `psql` reaches the server.
    enum Route: Sendable {
        /// The Unix socket: always `trust`, so the harness can administer a server whose TCP
        /// logins `requirePassword` has locked.
        case socket
        /// TCP to `host`:`port`, the way the proxy connects.
        case tcp
    }

    let host = "127.0.0.1"
    let port: Int
    /// The temporary directory: `data/`, `log`, and the socket `.s.PGSQL.<port>`.
    let directory: String
    var dataDirectory: String { directory + "/data" }
    var socketDirectory: String { directory }
    var logFile: String { directory + "/log" }

    private let installation: PostgresInstallation
    private let settings: [String: String]
    private let running = Mutex(false)

    /// TLS for a server: its certificate and key (PEM files anywhere; copied into the data
    /// directory, owned by the server's account, mode 0600 as the server insists), and whether
    /// TCP logins without TLS are refused (`hostnossl … reject` in pg_hba.conf).
    struct TLS: Sendable {
        var certificateFile: String
        var keyFile: String
        var required: Bool
    }

    /// Starts a server. `settings` are extra `-c name=value` server settings (say
    /// `["log_statement": "all"]` to see in `log` what reached the server); `tls` turns
    /// `ssl` on with the given certificate.
    init(settings: [String: String] = [:], tls: TLS? = nil) throws {
        let installation = try PostgresInstallation.shared()
        self.installation = installation
        var settings = settings
        if tls != nil {
            // Relative to the data directory, where the files are copied below.
            settings["ssl"] = "on"
            settings["ssl_cert_file"] = "server.crt"
            settings["ssl_key_file"] = "server.key"
        }
        self.settings = settings
        directory = try installation.makeServerDirectory()
        do {
            try installation.copyTemplate(to: directory + "/data")
            if let tls {
                try installation.installServerFile(from: tls.certificateFile, to: directory + "/data/server.crt")
                try installation.installServerFile(from: tls.keyFile, to: directory + "/data/server.key")
                if tls.required {
                    // The first matching line wins: these go before initdb's `trust` lines.
                    let hba = directory + "/data/pg_hba.conf"
                    let existing = try String(contentsOfFile: hba, encoding: .utf8)
                    try Self.rewriteKeepingOwner(hba, "hostnossl all all 0.0.0.0/0 reject\nhostnossl all all ::/0 reject\n" + existing)
                }
            }
            port = try Self.launchOnFreePort(installation, directory: directory, settings: settings)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        running.withLock { $0 = true }
        PostgresInstallation.register(directory)
    }

    /// `init` without occupying a cooperative thread while the server starts.
    static func start(settings: [String: String] = [:], tls: TLS? = nil) async throws -> PostgresServer {
        try await offCooperativePool { try PostgresServer(settings: settings, tls: tls) }
    }

    deinit {
        stop()
        PostgresInstallation.unregister(directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Life cycle

    /// Stops the server at once (`pg_ctl stop -m immediate`: no checkpoint, as if it crashed;
    /// committed data survives). Does nothing if it is not running.
    func stop() {
        let wasRunning = running.withLock { state in
            defer { state = false }
            return state
        }
        guard wasRunning else { return }
        let stopped = try? installation.run(
            "pg_ctl", ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-s", "-t", "30"], timeout: .seconds(40))
        if stopped?.succeeded != true { PostgresInstallation.killPostmaster(dataDirectory: dataDirectory) }
    }

    /// Starts the stopped server again: same port, same data. Throws if the port was taken
    /// meanwhile.
    func start() throws {
        guard !running.withLock({ $0 }) else { return }
        try Self.launch(installation, directory: directory, port: port, settings: settings)
        running.withLock { $0 = true }
    }

    /// `start` without occupying a cooperative thread.
    func start() async throws {
        try await offCooperativePool { try self.start() }
    }

    /// Stops the server (immediately, as `stop`) and starts it again on the same port with the
    /// same data: connections open to it break.
    func restart() throws {
        stop()
        try start()
    }

    /// `restart` without occupying a cooperative thread.
    func restart() async throws {
        try await offCooperativePool { try self.restart() }
    }

    var isRunning: Bool { running.withLock { $0 } }

    /// The server's log so far (empty if unreadable).
    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    // MARK: SQL

    /// Runs `sql` (one or more statements) with the real psql client (`-X -A -t -q -v
    /// ON_ERROR_STOP=1`): unaligned rows, `|` between columns, no headers, no command tags.
    /// Returns stdout without its final newline; throws with psql's stderr if it fails.
    /// The default route is the socket, which `requirePassword` leaves open; pass `.tcp` (and
    /// `password`) to log in as the proxy does.
    @discardableResult
    func psql(_ sql: String, user: String = "postgres", database: String = "postgres", password: String? = nil, via route: Route = .socket) throws -> String {
        try runPsql(sql, user: user, database: database, password: password, via: route).check().stdout.trimmingSuffix("\n")
    }

    /// `psql` without occupying a cooperative thread while it runs.
    @discardableResult
    func psql(_ sql: String, user: String = "postgres", database: String = "postgres", password: String? = nil, via route: Route = .socket) async throws -> String {
        try await offCooperativePool { try self.psql(sql, user: user, database: database, password: password, via: route) }
    }

    /// psql's whole result, successful or not: for tests that expect a failure and read why.
    func runPsql(_ sql: String, user: String = "postgres", database: String = "postgres", password: String? = nil, via route: Route = .socket) throws -> ProcessResult {
        let host = route == .socket ? socketDirectory : host
        return try PostgresClient.runPsql(sql, host: host, port: port, user: user, database: database, password: password)
    }

    // MARK: Authentication

    /// From now on TCP logins as `user` (created if missing) need `password`, checked with
    /// SCRAM-SHA-256; the socket stays `trust`. Returns once new connections obey it.
    func requirePassword(user: String, password: String) throws {
        let role = sqlIdentifier(user)
        _ = try psql(
            """
            SET password_encryption = 'scram-sha-256';
            DO $airlock$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = \(sqlLiteral(user))) THEN CREATE ROLE \(role); END IF;
            END $airlock$;
            ALTER ROLE \(role) LOGIN PASSWORD \(sqlLiteral(password));
            """)
        // The first matching line wins: these go before initdb's `trust` lines.
        let hba = dataDirectory + "/pg_hba.conf"
        let rules = "host all \(hbaQuoted(user)) 127.0.0.1/32 scram-sha-256\nhost all \(hbaQuoted(user)) ::1/128 scram-sha-256\n"
        let existing = try String(contentsOfFile: hba, encoding: .utf8)
        try Self.rewriteKeepingOwner(hba, rules + existing)
        try installation.run("pg_ctl", ["reload", "-D", dataDirectory, "-s"]).check()
        // The postmaster rereads pg_hba.conf when it gets to the signal; wait until a login
        // without a password is refused.
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let probe = try runPsql("SELECT 1", user: user, via: .tcp)
            if !probe.succeeded, probe.stderr.contains("password") { return }
            guard ContinuousClock.now < deadline else {
                throw PostgresServerError("pg_hba.conf reloaded but \(user) still logs in without a password; server log:\n\(log.suffixLines(20))")
            }
            usleep(10_000)
        }
    }

    // MARK: Private

    /// Starts the server on a free port and returns it. Another process can take the port
    /// between our probe and the server's bind: then another port.
    private static func launchOnFreePort(_ installation: PostgresInstallation, directory: String, settings: [String: String]) throws -> Int {
        for attempt in 1... {
            let port = try freeTCPPort()
            do {
                try launch(installation, directory: directory, port: port, settings: settings)
                return port
            } catch let error as PostgresServerError where error.portInUse && attempt < 5 {
                continue
            }
        }
        fatalError("unreachable")
    }

    /// `pg_ctl start`, waiting until the server accepts connections.
    private static func launch(_ installation: PostgresInstallation, directory: String, port: Int, settings: [String: String]) throws {
        var options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(directory) -c fsync=off -c max_connections=600 -c dynamic_shared_memory_type=mmap"
        // pg_ctl hands the options to /bin/sh: quote the values.
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) { options += " -c \(name)=\(shellQuoted(value))" }
        let log = directory + "/log"
        let before = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        let result = try installation.run(
            "pg_ctl", ["start", "-D", directory + "/data", "-l", log, "-w", "-s", "-t", "60", "-o", options], timeout: .seconds(90))
        guard !result.succeeded else { return }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let fresh = String(text.utf8.dropFirst(before)) ?? text
        // pg_ctl may time out or fail after starting the postmaster: leave nothing behind.
        killPostmasterIfAny(directory + "/data")
        throw PostgresServerError(
            "PostgreSQL did not start on port \(port) (\(result.description)); server log:\n\(fresh.suffixLines(20))",
            portInUse: fresh.contains("Address already in use"))
    }

    private static func killPostmasterIfAny(_ dataDirectory: String) {
        PostgresInstallation.killPostmaster(dataDirectory: dataDirectory)
    }

    /// Replaces a file's contents in place: writing a new file would make it root's when the
    /// tests run as root, and the server could no longer read it.
    private static func rewriteKeepingOwner(_ path: String, _ text: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw PostgresServerError("cannot open \(path) for writing") }
        defer { try? handle.close() }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
    }
}

/// psql against any PostgreSQL server or proxy (the proxy under test, say), hermetic: no
/// ~/.psqlrc, no ~/.pgpass, no PG* variables from the environment.
enum PostgresClient {
    /// The path of a PostgreSQL client tool (`psql`, `pgbench`) matching the harness's server.
    static func tool(_ name: String) throws -> String {
        try PostgresInstallation.shared().tool(name)
    }

    /// Runs `sql` through psql (`-X -A -t -q -v ON_ERROR_STOP=1`), fed on stdin, and returns its
    /// whole result without judging it. `host` is an address or a socket directory.
    static func runPsql(
        _ sql: String, host: String, port: Int, user: String, database: String, password: String? = nil, timeout: Duration = .seconds(60)
    ) throws -> ProcessResult {
        var environment = hermeticEnvironment()
        if let password { environment["PGPASSWORD"] = password }
        return try ProcessRunner.run(
            try tool("psql"),
            ["-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-w", "-h", host, "-p", String(port), "-U", user, "-d", database, "-f", "-"],
            environment: environment, stdin: sql, currentDirectory: "/", timeout: timeout)
    }

    /// `runPsql` that returns stdout (without its final newline) and throws with stderr when
    /// psql fails.
    static func psql(_ sql: String, host: String, port: Int, user: String, database: String, password: String? = nil) throws -> String {
        try runPsql(sql, host: host, port: port, user: user, database: database, password: password).check().stdout.trimmingSuffix("\n")
    }

    /// `psql` without occupying a cooperative thread.
    static func psql(_ sql: String, host: String, port: Int, user: String, database: String, password: String? = nil) async throws -> String {
        try await offCooperativePool { try psql(sql, host: host, port: port, user: user, database: database, password: password) }
    }

    /// `runPsql` without occupying a cooperative thread.
    static func runPsql(
        _ sql: String, host: String, port: Int, user: String, database: String, password: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        try await offCooperativePool { try runPsql(sql, host: host, port: port, user: user, database: database, password: password, timeout: timeout) }
    }

    /// This process's environment without PG* variables, with English messages (tests match
    /// them), UTF-8 and no password file.
    static func hermeticEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["LC_ALL"] = "C"
        environment["PGCLIENTENCODING"] = "UTF8"
        environment["PGPASSFILE"] = "/nonexistent/airlock-test-no-pgpass"  // /dev/null draws a warning
        environment["PGCONNECT_TIMEOUT"] = "10"
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        return environment
    }
}

struct PostgresServerError: Error, CustomStringConvertible {
    var description: String
    var portInUse = false
    init(_ description: String, portInUse: Bool = false) {
        self.description = description
        self.portInUse = portInUse
    }
}

/// The PostgreSQL binaries, the account the server runs as, and the template cluster: found
/// and made once per test process.
private struct PostgresInstallation: Sendable {
    let binDirectory: String
    /// `runuser -u postgres --` when running as root, else nothing.
    let prefix: [String]
    /// Owner to give new server directories (root only).
    let owner: (uid: uid_t, gid: gid_t)?
    let template: String

    static let base: String = {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue ? "/dev/shm" : "/tmp"
    }()
    static let prefixName = "airlock-pg-"

    private static let once: Result<PostgresInstallation, PostgresServerError> = Result { try make() }.mapError {
        $0 as? PostgresServerError ?? PostgresServerError("\($0)")
    }

    static func shared() throws -> PostgresInstallation { try once.get() }

    private static func make() throws -> PostgresInstallation {
        let binDirectory = try findBinaries()
        var prefix: [String] = []
        var owner: (uid_t, gid_t)?
        if geteuid() == 0 {
            guard let entry = getpwnam("postgres") else {
                throw PostgresServerError(
                    "the tests run as root, and initdb and pg_ctl refuse to: they run PostgreSQL as the `postgres` OS user, which does not exist. Run `make deps` (it installs postgresql-15 and creates the user).")
            }
            guard let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
                throw PostgresServerError("runuser (util-linux) not found: it runs PostgreSQL as `postgres` when the tests run as root")
            }
            prefix = [runuser, "-u", "postgres", "--"]
            owner = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        sweepStaleDirectories()
        let directory = base + "/" + prefixName + "\(getpid())-template"
        try? FileManager.default.removeItem(atPath: directory)
        let installation = PostgresInstallation(binDirectory: binDirectory, prefix: prefix, owner: owner, template: directory + "/data")
        try installation.makeDirectory(directory)
        atexit { PostgresInstallation.cleanUpAtExit() }
        let initdb = try installation.run(
            "initdb", ["-D", directory + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            timeout: .seconds(120))
        guard initdb.succeeded else {
            throw PostgresServerError("initdb of the template cluster failed: \(initdb.description)")
        }
        return installation
    }

    /// /usr/lib/postgresql/15/bin (what `make deps` installs), else the newest other version
    /// there; AIRLOCK_POSTGRES_BIN overrides both (a Homebrew install, say).
    private static func findBinaries() throws -> String {
        let needed = ["initdb", "pg_ctl", "postgres", "psql"]
        func complete(_ directory: String) -> Bool { needed.allSatisfy { FileManager.default.isExecutableFile(atPath: directory + "/" + $0) } }
        if let override = ProcessInfo.processInfo.environment["AIRLOCK_POSTGRES_BIN"] {
            guard complete(override) else {
                throw PostgresServerError("AIRLOCK_POSTGRES_BIN=\(override) lacks one of \(needed.joined(separator: ", "))")
            }
            return override
        }
        var candidates = ["/usr/lib/postgresql/15/bin"]
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        guard let found = candidates.first(where: complete) else {
            throw PostgresServerError(
                "PostgreSQL is not installed: these tests start a real server and found no \(needed.joined(separator: ", ")) in /usr/lib/postgresql/15/bin or /usr/lib/postgresql/*/bin. Run `make deps` (it installs postgresql-15), or point AIRLOCK_POSTGRES_BIN at a bin directory holding them.")
        }
        return found
    }

    func tool(_ name: String) throws -> String {
        let path = binDirectory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PostgresServerError("\(path) not found: run `make deps` (postgresql-15 and postgresql-client-15)")
        }
        return path
    }

    /// Runs a PostgreSQL server tool as the server's account.
    @discardableResult
    func run(_ name: String, _ arguments: [String], timeout: Duration = .seconds(60)) throws -> ProcessResult {
        let command = prefix + [try tool(name)] + arguments
        // The server's account may not be able to enter our working directory.
        return try ProcessRunner.run(
            command[0], Array(command.dropFirst()), environment: PostgresClient.hermeticEnvironment(), currentDirectory: "/", timeout: timeout)
    }

    func makeServerDirectory() throws -> String {
        let directory = Self.base + "/" + Self.prefixName + "\(getpid())-" + String(UUID().uuidString.prefix(8))
        // The socket's path (`<directory>/.s.PGSQL.<port>`) must fit a sockaddr_un.
        guard directory.utf8.count + 16 < 107 else { throw PostgresServerError("\(directory) is too long for a Unix socket path") }
        try makeDirectory(directory)
        return directory
    }

    /// A directory the server's account owns, mode 0700 (the server insists on it for data).
    private func makeDirectory(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if let owner, chown(directory, owner.uid, owner.gid) != 0 {
            throw PostgresServerError("chown \(directory) to postgres failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Copies a file the server reads (a TLS certificate or key) where it reads it: owned by the
    /// server's account, mode 0600 (the server refuses a key others may read).
    func installServerFile(from source: String, to destination: String) throws {
        guard let data = FileManager.default.contents(atPath: source) else { throw PostgresServerError("cannot read \(source)") }
        guard FileManager.default.createFile(atPath: destination, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw PostgresServerError("cannot write \(destination)")
        }
        if let owner, chown(destination, owner.uid, owner.gid) != 0 {
            throw PostgresServerError("chown \(destination) to postgres failed: \(String(cString: strerror(errno)))")
        }
    }

    /// A copy of the template cluster; `cp -a` keeps its owner and modes.
    func copyTemplate(to data: String) throws {
        try ProcessRunner.run("/bin/cp", ["-a", template, data], currentDirectory: "/").check()
    }

    // MARK: Clean-up

    private static let live = Mutex<Set<String>>([])

    static func register(_ directory: String) { _ = live.withLock { $0.insert(directory) } }
    static func unregister(_ directory: String) { _ = live.withLock { $0.remove(directory) } }

    /// At exit: servers whose objects were never released (a test that leaked one, a
    /// failed expectation holding it) are stopped, and their directories and the template go.
    private static func cleanUpAtExit() {
        for directory in live.withLock({ $0 }) {
            killPostmaster(dataDirectory: directory + "/data")
            try? FileManager.default.removeItem(atPath: directory)
        }
        try? FileManager.default.removeItem(atPath: base + "/" + prefixName + "\(getpid())-template")
    }

    /// SIGQUIT to the postmaster in `postmaster.pid` (an immediate shutdown; its children
    /// follow), then SIGKILL if it lingers.
    static func killPostmaster(dataDirectory: String) {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = pid_t(first.trimmingCharacters(in: .whitespaces)), pid > 1
        else { return }
        guard kill(pid, SIGQUIT) == 0 else { return }
        for _ in 0..<100 {
            if kill(pid, 0) != 0 { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
    }

    /// Removes directories left by test processes that no longer exist (killed, crashed),
    /// stopping any server still running in them.
    private static func sweepStaleDirectories() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for entry in entries where entry.hasPrefix(prefixName) {
            let fields = entry.dropFirst(prefixName.count).split(separator: "-")
            guard let owner = fields.first.flatMap({ pid_t($0) }), kill(owner, 0) != 0, errno == ESRCH else { continue }
            let directory = base + "/" + entry
            killPostmaster(dataDirectory: directory + "/data")
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

/// A free TCP port on 127.0.0.1: bound to port 0, read back and released. Another process may
/// take it before the caller binds it; callers retry.
func freeTCPPort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw PostgresServerError("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { throw PostgresServerError("bind: \(String(cString: strerror(errno)))") }
    let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    guard named == 0 else { throw PostgresServerError("getsockname: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Raises this process's soft limit on open files to at least `wanted` (within the hard
/// limit): a test holding hundreds of connections through the proxy holds two descriptors for
/// each, and a soft limit of 1,024 is common. Returns the limit now in force.
@discardableResult
func raiseOpenFileLimit(to wanted: Int = 4096) throws -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw PostgresServerError("getrlimit: \(String(cString: strerror(errno)))") }
    if limit.rlim_cur < rlim_t(wanted) {
        limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw PostgresServerError("setrlimit: \(String(cString: strerror(errno)))") }
    }
    guard limit.rlim_cur >= rlim_t(wanted) else {
        throw PostgresServerError("the hard limit on open files is \(limit.rlim_max), below the \(wanted) this test needs: raise it (ulimit -Hn)")
    }
    return Int(limit.rlim_cur)
}

func sqlIdentifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
func sqlLiteral(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
private func hbaQuoted(_ name: String) -> String { "\"" + name + "\"" }
private func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
    func suffixLines(_ count: Int) -> String { split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n") }
}
