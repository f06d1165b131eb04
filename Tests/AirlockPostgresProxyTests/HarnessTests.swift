import Foundation
import Testing

/// The test harness itself: if these fail, the proxy's tests cannot be believed either way.
/// Without PostgreSQL they fail (naming `make deps`) rather than skip.
@Suite("PostgreSQL test harness")
struct HarnessTests {
    @Test("a server starts and psql talks to it over the socket and over TCP")
    func startsAndAnswers() throws {
        let server = try PostgresServer()
        #expect(server.isRunning)
        #expect(try server.psql("SELECT 1") == "1")
        #expect(try server.psql("SELECT 1", via: .tcp) == "1")
        #expect(try server.psql("SHOW max_connections") == "600")
        #expect(try server.psql("SHOW fsync") == "off")
        // Several statements, several rows, columns joined by |, no command tags.
        #expect(try server.psql("CREATE TABLE t(a int, b text); INSERT INTO t VALUES (1, 'x'), (2, 'y'); SELECT * FROM t ORDER BY a") == "1|x\n2|y")
    }

    @Test("psql failures throw with PostgreSQL's message; runPsql returns them")
    func failuresCarryTheMessage() throws {
        let server = try PostgresServer()
        let failure = #expect(throws: ProcessFailure.self) { try server.psql("SELECT * FROM missing") }
        #expect(failure?.description.contains("relation \"missing\" does not exist") == true)
        // ON_ERROR_STOP: nothing after the failing statement runs.
        let result = try server.runPsql("SELECT 1/0; CREATE TABLE after_error()")
        #expect(!result.succeeded)
        #expect(result.stderr.contains("division by zero"))
        #expect(try server.psql("SELECT count(*) FROM pg_class WHERE relname = 'after_error'") == "0")
    }

    @Test("two servers at once: different ports, separate data")
    func twoServers() async throws {
        async let first = PostgresServer.start()
        async let second = PostgresServer.start()
        let (a, b) = try await (first, second)
        #expect(a.port != b.port)
        #expect(a.directory != b.directory)
        try await a.psql("CREATE TABLE only_in_a()")
        #expect(try await a.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'") == "1")
        #expect(try await b.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'") == "0")
    }

    @Test("restart keeps the port and committed data")
    func restartKeepsData() throws {
        let server = try PostgresServer()
        let port = server.port
        try server.psql("CREATE TABLE kept(v int); INSERT INTO kept VALUES (42)")
        try server.restart()
        #expect(server.port == port)
        #expect(try server.psql("SELECT v FROM kept", via: .tcp) == "42")
    }

    @Test("stop refuses connections until start; the directory goes with the server")
    func stopAndStart() throws {
        var server: PostgresServer? = try PostgresServer()
        let directory = try #require(server?.directory)
        server?.stop()
        #expect(server?.isRunning == false)
        let refused = try #require(try server?.runPsql("SELECT 1", via: .tcp))
        #expect(!refused.succeeded)
        #expect(refused.stderr.contains("Connection refused"))
        server?.stop()  // a second stop is harmless
        try server?.start()
        #expect(try server?.psql("SELECT 1") == "1")
        server = nil
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("requirePassword: TCP logins need the right password, SCRAM-SHA-256; the socket stays open")
    func requirePassword() throws {
        let server = try PostgresServer()
        try server.requirePassword(user: "app", password: "s3cret'pass")
        #expect(try server.psql("SELECT current_user", user: "app", password: "s3cret'pass", via: .tcp) == "app")
        let wrong = try server.runPsql("SELECT 1", user: "app", password: "wrong", via: .tcp)
        #expect(!wrong.succeeded)
        #expect(wrong.stderr.contains("password authentication failed for user \"app\""))
        let none = try server.runPsql("SELECT 1", user: "app", via: .tcp)
        #expect(!none.succeeded)
        #expect(try server.psql("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'app'") == "t")
        #expect(try server.psql("SELECT 1", user: "app") == "1")
        // Survives a restart: the rule lives in the data directory.
        try server.restart()
        #expect(!(try server.runPsql("SELECT 1", user: "app", password: "wrong", via: .tcp).succeeded))
        // Other roles are untouched.
        #expect(try server.psql("SELECT 1", via: .tcp) == "1")
    }

    @Test("requirePassword works for the superuser the proxy usually logs in as")
    func requirePasswordForPostgres() throws {
        let server = try PostgresServer()
        try server.requirePassword(user: "postgres", password: "pw")
        #expect(!(try server.runPsql("SELECT 1", password: "nope", via: .tcp).succeeded))
        #expect(try server.psql("SELECT 1", password: "pw", via: .tcp) == "1")
        #expect(try server.psql("SELECT 1") == "1")
    }

    @Test("extra settings reach the server")
    func settings() throws {
        let server = try PostgresServer(settings: ["application_name": "harness test", "log_statement": "all"])
        #expect(try server.psql("SHOW log_statement") == "all")
        try server.psql("SELECT 'marker-7781'")
        #expect(server.log.contains("marker-7781"))
    }
}

@Suite("Test process limits")
struct LimitTests {
    @Test("the open-file limit can be raised for hundreds of connections")
    func openFiles() throws {
        #expect(try raiseOpenFileLimit(to: 2048) >= 2048)
    }
}

@Suite("Process runner")
struct ProcessRunnerTests {
    @Test("stdout, stderr and status come back; stdin goes in")
    func basics() throws {
        let result = try ProcessRunner.run("/bin/sh", ["-c", "cat; echo oops >&2; exit 3"], stdin: "hello\n")
        #expect(result.stdout == "hello\n")
        #expect(result.stderr == "oops\n")
        #expect(result.status == 3)
        #expect(!result.succeeded)
        #expect(throws: ProcessFailure.self) { try result.check() }
    }

    @Test("megabytes on both pipes and on stdin do not deadlock")
    func bigOutputs() async throws {
        let big = String(repeating: "0123456789abcdef\n", count: 200_000)  // 3.4 MB
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "cat; head -c 3000000 /dev/zero >&2; echo done"], stdin: big)
        #expect(result.succeeded)
        #expect(result.stdout.utf8.count == big.utf8.count + 5)
        #expect(result.stderr.utf8.count == 3_000_000)
    }

    @Test("a child past its timeout is killed")
    func timeout() throws {
        let started = ContinuousClock.now
        #expect(throws: ProcessTimeout.self) { try ProcessRunner.run("/bin/sleep", ["30"], timeout: .milliseconds(200)) }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("names are looked up on PATH; a missing one throws")
    func lookup() throws {
        #expect(try ProcessRunner.run("true").succeeded)
        #expect(throws: ProcessFailure.self) { try ProcessRunner.run("no-such-program-airlock") }
    }
}

@Suite("Temporary AIRLOCK_HOME")
struct TemporaryAirlockHomeTests {
    @Test("upstreams.yaml as docs/postgres-proxy.md describes it, passwords in 0600 files")
    func upstreams() throws {
        var path = ""
        do {
            let home = try TemporaryAirlockHome()
            path = home.path
            try home.writeUpstreams([
                .init(name: "app-prod", host: "10.0.0.5", port: 5432, database: "app", environment: "production", user: "airlock_app", password: "pw\"1"),
                .init(name: "other", port: 6000, passwordEnv: "OTHER_PASSWORD"),
            ])
            #expect(
                home.read("upstreams.yaml") == """
                    upstreams:
                      - name: "app-prod"
                        host: "10.0.0.5"
                        port: 5432
                        database: "app"
                        environment: "production"
                        user: "airlock_app"
                        password_file: "secrets/app-prod.password"
                      - name: "other"
                        host: "127.0.0.1"
                        port: 6000
                        database: "postgres"
                        environment: "development"
                        user: "postgres"
                        password_env: "OTHER_PASSWORD"

                    """)
            #expect(home.read("secrets/app-prod.password") == "pw\"1")
            let mode = try FileManager.default.attributesOfItem(atPath: home.path + "/secrets/app-prod.password")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(home.environment == ["AIRLOCK_HOME": home.path])
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
