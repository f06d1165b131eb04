import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockPostgresProxy
import AirlockPostgresWire
import AirlockState
import Foundation
import NIOCore
import NIOSSL
import PostgresNIO
import Testing

/// TLS between agents and the proxy: real psql (libpq) and postgres-nio clients with every
/// sslmode that matters, certificates made by the openssl CLI.
@Suite(.serialized) struct TLSClientTests {
    let certificates: TestCertificates

    init() throws {
        certificates = try TestCertificates.shared()
    }

    private func offered(required: Bool = false) -> PostgresProxy.ClientTLS {
        PostgresProxy.ClientTLS(certificateFile: certificates.serverCertificate, keyFile: certificates.serverKey, required: required)
    }

    @Test func psqlWithSSLModeRequireAndVerifyFullRunsThroughTLS() throws {
        let fixture = try ProxyFixture(environment: "development", clientTLS: offered())
        let required = try fixture.psql("\\conninfo\nSELECT 40 + 2;", extraEnvironment: ["PGSSLMODE": "require"])
        #expect(required.succeeded, "\(required.stderr)")
        #expect(required.stdout.contains("SSL connection (protocol: TLSv1."), "\(required.stdout)")
        #expect(required.stdout.contains("42"))

        let verified = try fixture.psql("\\conninfo\nSELECT 'verified';", extraEnvironment: ["PGSSLMODE": "verify-full", "PGSSLROOTCERT": certificates.ca])
        #expect(verified.succeeded, "\(verified.stderr)")
        #expect(verified.stdout.contains("SSL connection"), "\(verified.stdout)")
        #expect(verified.stdout.contains("verified"))

        // Not required: a client that does not ask stays in the clear.
        let clear = try fixture.psql("\\conninfo\nSELECT 1;", extraEnvironment: ["PGSSLMODE": "disable"])
        #expect(clear.succeeded, "\(clear.stderr)")
        #expect(!clear.stdout.contains("SSL connection"), "\(clear.stdout)")

        // A client that checks the proxy's certificate against another CA gives up.
        let distrusted = try fixture.psql("SELECT 1;", extraEnvironment: ["PGSSLMODE": "verify-full", "PGSSLROOTCERT": certificates.wrongCA])
        #expect(!distrusted.succeeded)
        #expect(distrusted.stderr.contains("certificate verify failed"), "\(distrusted.stderr)")
    }

    @Test func tlsRequiredRefusesAClientInTheClear() throws {
        let fixture = try ProxyFixture(environment: "development", clientTLS: offered(required: true))
        let clear = try fixture.psql("SELECT 1;", extraEnvironment: ["PGSSLMODE": "disable"])
        #expect(!clear.succeeded)
        #expect(clear.stderr.contains("this proxy requires TLS (sslmode=require)"), "\(clear.stderr)")
        let encrypted = try fixture.psql("SELECT 'in tls';", extraEnvironment: ["PGSSLMODE": "require"])
        #expect(encrypted.succeeded, "\(encrypted.stderr)")
        #expect(encrypted.stdout.contains("in tls"))
        // The refusal is a decision like any other: in the audit log.
        let records = try fixture.auditRecords()
        #expect(records.contains { "\($0)".contains("without TLS") }, "no audit record of the refusal")
    }

    @Test func withoutACertificateSSLRequestIsAnsweredNo() throws {
        let fixture = try ProxyFixture(environment: "development")
        let required = try fixture.psql("SELECT 1;", extraEnvironment: ["PGSSLMODE": "require"])
        #expect(!required.succeeded)
        #expect(required.stderr.contains("server does not support SSL"), "\(required.stderr)")
        let preferred = try fixture.psql("\\conninfo\nSELECT 'in the clear';", extraEnvironment: ["PGSSLMODE": "prefer"])
        #expect(preferred.succeeded, "\(preferred.stderr)")
        #expect(!preferred.stdout.contains("SSL connection"))
        #expect(preferred.stdout.contains("in the clear"))
    }

    /// CVE-2021-23214: a man in the middle appends a message to the client's SSLRequest, in
    /// the clear, hoping the server reads it as if it had come through TLS.
    @Test func bytesStuffedAfterSSLRequestAreRefused() throws {
        let fixture = try ProxyFixture(environment: "development", clientTLS: offered())
        let client = try WireClient(port: fixture.port)
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(8))
        buffer.writeInteger(PostgresWire.sslRequestCode)
        StartupMessage.encodeStartup([StartupParameter(name: "user", value: fixture.agent), StartupParameter(name: "database", value: "postgres")], into: &buffer)
        try client.send(buffer)
        // No `S`: an error in the clear, then the connection ends.
        let answer = try client.receive()
        #expect(answer.type == Backend.errorResponse)
        let error = try ErrorFields(answer.body)
        #expect(error.code == "08P01")
        #expect(error.message?.contains("after SSLRequest") == true, "\(error.message ?? "")")
        #expect(client.isClosed())
    }

    @Test func gssEncRequestIsAnsweredNoAndTheClientMayAskForTLSNext() throws {
        let fixture = try ProxyFixture(environment: "development", clientTLS: offered())
        let result = try fixture.psql("\\conninfo\nSELECT 1;", extraEnvironment: ["PGGSSENCMODE": "prefer", "PGSSLMODE": "require"])
        #expect(result.succeeded, "\(result.stderr)")
        #expect(result.stdout.contains("SSL connection"))
    }

    @Test func postgresNIOConnectsOverTLSAndVerifiesTheProxy() async throws {
        let fixture = try await offCooperativePool { [certificates] in
            try ProxyFixture(
                environment: "development",
                clientTLS: PostgresProxy.ClientTLS(certificateFile: certificates.serverCertificate, keyFile: certificates.serverKey, required: true))
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.ca))
        configuration.certificateVerification = .fullVerification
        let logger = Logger(label: "airlock-tests")
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: "localhost", port: fixture.port, username: fixture.agent, password: fixture.token, database: "postgres",
                tls: .require(try NIOSSLContext(configuration: configuration))),
            id: 1, logger: logger)
        let value = 7
        let rows = try await connection.query("SELECT \(value)::int * 6", logger: logger).collect()
        #expect(try rows.map { try $0.decode(Int.self) } == [42])
        try await connection.close()
    }

    @Test func badCertificateFilesStopTheProxyAtStartNamingTheFile() throws {
        let missing = try startError(PostgresProxy.ClientTLS(certificateFile: "/nonexistent/proxy.pem", keyFile: certificates.serverKey))
        #expect(missing.contains("/nonexistent/proxy.pem") && missing.contains("--tls-cert"), "\(missing)")

        let notACertificate = try startError(PostgresProxy.ClientTLS(certificateFile: certificates.serverKey, keyFile: certificates.serverKey))
        #expect(notACertificate.contains("holds no PEM certificate"), "\(notACertificate)")

        let noKey = try startError(PostgresProxy.ClientTLS(certificateFile: certificates.serverCertificate, keyFile: "/nonexistent/proxy.key"))
        #expect(noKey.contains("/nonexistent/proxy.key") && noKey.contains("--tls-key"), "\(noKey)")

        let notAKey = try startError(PostgresProxy.ClientTLS(certificateFile: certificates.serverCertificate, keyFile: certificates.serverCertificate))
        #expect(notAKey.contains("holds no readable PEM private key"), "\(notAKey)")

        // Refused without asking for a passphrase (there is no terminal to ask on).
        let encrypted = try startError(PostgresProxy.ClientTLS(certificateFile: certificates.serverCertificate, keyFile: certificates.encryptedKey))
        #expect(encrypted.contains("an encrypted key is not supported") && encrypted.contains(certificates.encryptedKey), "\(encrypted)")

        let mismatched = try startError(PostgresProxy.ClientTLS(certificateFile: certificates.serverCertificate, keyFile: certificates.unrelatedKey))
        #expect(mismatched.contains("does not match") && mismatched.contains(certificates.unrelatedKey), "\(mismatched)")
    }

    /// The proxy's start-up error for `tls` (empty when it starts).
    private func startError(_ tls: PostgresProxy.ClientTLS) throws -> String {
        let home = try TemporaryAirlockHome()
        let upstream = Upstream(name: "app", host: "127.0.0.1", port: 5432, database: "postgres", environment: "development", user: "postgres")
        return try proxyStartError(home: home, upstream: upstream, tls: tls)
    }
}

/// The proxy's start-up error (empty when it starts).
func proxyStartError(home: TemporaryAirlockHome, upstream: Upstream, tls: PostgresProxy.ClientTLS? = nil) throws -> String {
    let statePath = home.path + "/state.sqlite"
    let gate = Gate(checker: Checker(policy: DefaultPolicy.policy), store: SQLiteStore(path: statePath), audit: AuditStore(directory: home.path + "/audit"))
    do {
        let proxy = try PostgresProxy(
            configuration: .init(host: "127.0.0.1", port: 0, upstream: upstream, home: home.path, threads: 1, tls: tls), gate: gate, statePath: statePath)
        proxy.stop()
        return ""
    } catch {
        return "\(error)"
    }
}

/// TLS between the proxy and its upstream: real PostgreSQL servers with `ssl=on` that refuse
/// logins in the clear, each `tls:` mode, and the ways it must fail.
@Suite(.serialized) struct TLSUpstreamTests {
    let certificates: TestCertificates

    init() throws {
        certificates = try TestCertificates.shared()
    }

    private func tlsServer(certificate: String? = nil, key: String? = nil) throws -> PostgresServer {
        try PostgresServer(tls: .init(certificateFile: certificate ?? certificates.serverCertificate, keyFile: key ?? certificates.serverKey, required: true))
    }

    @Test func verifyFullWithTheCAEncryptsEverySession() throws {
        // The server refuses logins in the clear (hostnossl … reject): what reaches it is TLS.
        let server = try tlsServer()

        let home = try TemporaryAirlockHome()
        // Relative: resolved under $AIRLOCK_HOME, as password_file is.
        try home.write("tls/ca.pem", try String(contentsOfFile: certificates.ca, encoding: .utf8))
        let fixture = try ProxyFixture(environment: "development", server: server, upstreamTLS: ("verify-full", "tls/ca.pem"), home: home)
        let client = try fixture.wire()
        #expect(try client.query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()").firstColumn == ["true"])
        #expect(try client.query("SELECT 6 * 7").firstColumn == ["42"])
        // psql through the proxy in the clear; the proxy encrypts towards the server.
        let result = try fixture.psql("SELECT 'through'")
        #expect(result.succeeded && result.stdout.contains("through"), "\(result.stderr)")
    }

    @Test func requireEncryptsWithoutCheckingTheCertificate() throws {
        let server = try tlsServer(certificate: certificates.otherNameCertificate, key: certificates.otherNameKey)
        let fixture = try ProxyFixture(environment: "development", server: server, upstreamTLS: ("require", nil))
        let client = try fixture.wire()
        #expect(try client.query("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()").firstColumn == ["true"])
    }

    @Test func verifyCAAcceptsAnyNameAndVerifyFullDoesNot() throws {
        // A certificate from the right CA for db.example, at 127.0.0.1.
        let server = try tlsServer(certificate: certificates.otherNameCertificate, key: certificates.otherNameKey)
        let verifyCA = try ProxyFixture(environment: "development", server: server, upstreamTLS: ("verify-ca", certificates.ca))
        #expect(try verifyCA.wire().query("SELECT 1").firstColumn == ["1"])

        let verifyFull = try ProxyFixture(environment: "development", server: server, upstreamTLS: ("verify-full", certificates.ca))
        let message = loginError(verifyFull)
        #expect(message.contains("TLS to upstream 'app'") && message.contains("does not name 127.0.0.1"), "\(message)")
    }

    @Test func verifyFullWithTheWrongCAFailsNamingTheCAFile() throws {
        let server = try tlsServer()
        let fixture = try ProxyFixture(environment: "development", server: server, upstreamTLS: ("verify-full", certificates.wrongCA))
        let message = loginError(fixture)
        #expect(message.contains("TLS to upstream 'app'") && message.contains("tls_ca_file \(certificates.wrongCA)"), "\(message)")
        // psql shows the agent the same clear error.
        let result = try fixture.psql("SELECT 1")
        #expect(!result.succeeded && result.stderr.contains("TLS to upstream 'app'"), "\(result.stderr)")
    }

    @Test func requireAgainstAServerWithoutTLSFails() throws {
        let fixture = try ProxyFixture(environment: "development", upstreamTLS: ("require", nil))
        let message = loginError(fixture)
        #expect(message.contains("upstream 'app'") && message.contains("server does not support TLS"), "\(message)")
    }

    @Test func aCancelReachesTheServerOverTLS() throws {
        let server = try tlsServer()
        let fixture = try ProxyFixture(environment: "development", server: server, upstreamTLS: ("verify-full", certificates.ca))
        let client = try fixture.wire()
        try client.send([Frontend.queryFrame("SELECT pg_sleep(60)")])
        // Cancel once the server runs it: a cancel that arrives before is ignored by the server.
        let deadline = Date().addingTimeInterval(20)
        while try server.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") != "1" {
            guard Date() < deadline else { throw WireClient.Failure("pg_sleep never started") }
            usleep(20_000)
        }
        try client.cancel(port: fixture.port)
        let cancelled = try client.receiveUntilReady()
        #expect(cancelled.errors.first?.code == "57014", "\(cancelled.errors.map(\.message))")
        #expect(try client.query("SELECT 1").firstColumn == ["1"], "the session goes on")
    }

    @Test func anUnreadableCAFileStopsTheProxyAtStart() throws {
        let home = try TemporaryAirlockHome()
        let upstream = Upstream(
            name: "app", host: "127.0.0.1", database: "postgres", environment: "development", user: "postgres", tls: .verifyFull, tlsCAFile: "/nonexistent/ca.pem")
        let message = try proxyStartError(home: home, upstream: upstream)
        #expect(message.contains("/nonexistent/ca.pem") && message.contains("tls_ca_file of upstream 'app'"), "\(message)")
    }

    /// The login error an agent gets through `fixture` (empty if it logs in).
    private func loginError(_ fixture: ProxyFixture) -> String {
        do {
            _ = try fixture.wire()
            return ""
        } catch {
            return "\(error)"
        }
    }
}

/// `tls:` and `tls_ca_file:` in upstreams.yaml: what loads and what is refused, by name.
@Suite struct UpstreamsFileTLSTests {
    let environments: Set<String> = ["production", "development", "unknown"]
    let head = "upstreams:\n  - name: a\n    host: db.internal\n    database: d\n    environment: production\n    user: u\n"

    @Test func everyModeLoads() throws {
        #expect(try UpstreamsFile.parse(head, source: "upstreams.yaml", home: "/h", knownEnvironments: environments).first?.tls == .disable)
        for (mode, expected) in [("disable", Upstream.TLSMode.disable), ("require", .require)] {
            let upstream = try UpstreamsFile.parse(head + "    tls: \(mode)\n", source: "upstreams.yaml", home: "/h", knownEnvironments: environments).first
            #expect(upstream?.tls == expected)
            #expect(upstream?.tlsCAFile == nil)
        }
        let verifyCA = try UpstreamsFile.parse(head + "    tls: verify-ca\n    tls_ca_file: tls/ca.pem\n", source: "upstreams.yaml", home: "/h", knownEnvironments: environments)
        #expect(verifyCA.first?.tls == .verifyCA)
        #expect(verifyCA.first?.tlsCAFile == "/h/tls/ca.pem", "relative to $AIRLOCK_HOME")
        let verifyFull = try UpstreamsFile.parse(head + "    tls: verify-full\n    tls_ca_file: /etc/ssl/db-ca.pem\n", source: "upstreams.yaml", home: "/h", knownEnvironments: environments)
        #expect(verifyFull == [Upstream(name: "a", host: "db.internal", database: "d", environment: "production", user: "u", tls: .verifyFull, tlsCAFile: "/etc/ssl/db-ca.pem")])
    }

    @Test(arguments: [
        ("    tls: prefer\n", "upstream 'a': tls 'prefer' is not one of disable, require, verify-ca, verify-full"),
        ("    tls: VERIFY-FULL\n", "tls 'VERIFY-FULL' is not one of"),
        ("    tls: verify-full\n", "tls verify-full checks the server's certificate and needs tls_ca_file"),
        ("    tls: verify-ca\n", "tls verify-ca checks the server's certificate and needs tls_ca_file"),
        ("    tls: require\n    tls_ca_file: ca.pem\n", "tls_ca_file is only used with tls: verify-ca or verify-full"),
        ("    tls_ca_file: ca.pem\n", "tls_ca_file is only used with tls: verify-ca or verify-full (tls is disable)"),
        ("    tls: verify-full\n    tls_ca_file: \"\"\n", "'tls_ca_file' must be a non-empty string"),
        ("    tls: verify-full\n    tls_ca_fil: ca.pem\n", "unknown key 'tls_ca_fil'"),
    ])
    func mistakesAreErrorsNamingTheFile(extra: String, expected: String) {
        do {
            _ = try UpstreamsFile.parse(head + extra, source: "/h/upstreams.yaml", home: "/h", knownEnvironments: environments)
            Issue.record("accepted: \(extra)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
            #expect("\(error)".contains("/h/upstreams.yaml"), "\(error)")
        }
    }
}
