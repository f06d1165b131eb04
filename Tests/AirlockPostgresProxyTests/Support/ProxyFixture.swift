import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockPostgresProxy
import AirlockPostgresWire
import AirlockState
import Foundation
import Testing

/// A real PostgreSQL server, an Airlock home with the server declared as upstream `app`, an
/// agent `claude` with its token, and the proxy in front of it on a free port.
final class ProxyFixture: @unchecked Sendable {
    let server: PostgresServer
    let home: TemporaryAirlockHome
    let proxy: PostgresProxy
    let port: Int
    let agent = "claude"
    let token: String

    /// - Parameters:
    ///   - approvalHold: seconds an `ask` is held (0: the error at once).
    ///   - server: a server started by the test (one with TLS, say); else a fresh one.
    ///   - upstreamTLS: the upstream's `tls:` and `tls_ca_file:` in upstreams.yaml.
    ///   - clientTLS: the proxy's certificate towards agents.
    ///   - home: an Airlock home the test prepared (files the upstream names); else a fresh one.
    init(
        environment: String = "production", upstreamPassword: String? = nil, policy: Policy = DefaultPolicy.policy, settings: [String: String] = [:], approvalHold: Int = 0,
        timeouts: [String: String] = [:], server: PostgresServer? = nil, upstreamTLS: (mode: String, caFile: String?)? = nil, clientTLS: PostgresProxy.ClientTLS? = nil,
        home: TemporaryAirlockHome? = nil
    ) throws {
        self.server = try server ?? PostgresServer(settings: settings)
        let server = self.server
        self.home = try home ?? TemporaryAirlockHome()
        let home = self.home
        if let upstreamPassword { try server.requirePassword(user: "airlock_app", password: upstreamPassword) }
        var declared = TemporaryAirlockHome.Upstream(
            name: "app", server: server, environment: environment, user: upstreamPassword == nil ? "postgres" : "airlock_app", password: upstreamPassword)
        declared.tls = upstreamTLS?.mode
        declared.tlsCAFile = upstreamTLS?.caFile
        try home.writeUpstreams([declared])
        let upstreams = try UpstreamsFile.load(home: home.path, knownEnvironments: Set(policy.environments.map(\.name) + ["unknown"]))
        guard var upstream = upstreams.first else { throw WireClient.Failure("no upstream loaded") }
        upstream.settings = timeouts
        token = try AgentRegistry.modify(home: home.path) { registry throws(AgentRegistry.Failure) in try registry.add(name: "claude") }
        let statePath = home.path + "/state.sqlite"
        let gate = Gate(checker: Checker(policy: policy), store: SQLiteStore(path: statePath), audit: AuditStore(directory: home.path + "/audit"))
        proxy = try PostgresProxy(
            configuration: .init(host: "127.0.0.1", port: 0, upstream: upstream, home: home.path, threads: 2, approvalHoldSeconds: approvalHold, tls: clientTLS), gate: gate,
            statePath: statePath)
        port = try proxy.bind()
    }

    deinit {
        proxy.stop()
    }

    /// psql through the proxy as the agent; `ON_ERROR_STOP` off so a session goes on after a
    /// refusal, verbose errors so SQLSTATEs show.
    func psql(_ script: String, extraEnvironment: [String: String] = [:]) throws -> ProcessResult {
        var environment = PostgresClient.hermeticEnvironment()
        environment["PGPASSWORD"] = token
        for (key, value) in extraEnvironment { environment[key] = value }
        return try ProcessRunner.run(
            try PostgresClient.tool("psql"),
            ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-v", "VERBOSITY=verbose", "-w", "-h", "127.0.0.1", "-p", String(port), "-U", agent, "-d", "postgres", "-f", "-"],
            environment: environment, stdin: "\\set VERBOSITY verbose\n" + script, currentDirectory: "/", timeout: .seconds(60))
    }

    /// A raw protocol client logged in as the agent.
    func wire() throws -> WireClient {
        try WireClient.login(port: port, agent: agent, token: token)
    }

    /// Runs `airlock-cli` as another process, in a terminal (approve and freeze insist on one),
    /// as the person `dba`.
    @discardableResult
    func personRuns(_ arguments: String) throws -> ProcessResult {
        try ProcessRunner.run(
            "/usr/bin/script", ["-qec", "\(Binaries.airlockCLI) \(arguments)", "/dev/null"],
            environment: ["AIRLOCK_HOME": home.path, "PATH": "/usr/bin:/bin", "HOME": home.path, "USER": "dba", "TERM": "dumb"],
            stdin: nil, currentDirectory: "/", timeout: .seconds(30))
    }

    /// Waits (up to 20 s) for an approval request to be open and returns its id.
    func waitForRequest() throws -> String {
        let store = SQLiteStore(path: home.path + "/state.sqlite")
        for _ in 0..<200 {
            let now = StateClock.now()
            if let open = try? store.read({ try $0.openRequests(at: now) }), let request = open.first { return request.id }
            usleep(100_000)
        }
        throw WireClient.Failure("no approval request appeared")
    }

    /// The audit log's records, oldest first.
    /// The log's entries, after checking the proxy's chain with the verifier's own hashing.
    func auditRecords() throws -> [AuditValue] {
        try proxy.flushAudit()
        let store = AuditStore(directory: home.path + "/audit")
        let report = try AuditVerifier(keys: [], checkSignature: { _, _, _ in false }).verify(store)
        #expect(report.intact, "\(report.findings)")
        var records: [AuditValue] = []
        _ = try store.forEachEntry { line, _ in
            if let value = try? AuditValue.parse(Array(line)) { records.append(value) }
            return true
        }
        return records
    }
}
