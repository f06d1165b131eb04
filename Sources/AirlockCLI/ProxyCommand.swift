import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockPostgresProxy
import AirlockRuntime
import AirlockState
import ArgumentParser
import Foundation

/// `airlock proxy …`: the doors that sit on a network path (today PostgreSQL).
struct ProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run a gate on a database's wire protocol.",
        subcommands: [ProxyPostgresCommand.self, ProxyStatusCommand.self])
}

struct ProxyPostgresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Front a PostgreSQL server: every statement an agent sends goes through the gate.",
        discussion: """
            Agents connect here instead of to the database, as themselves: user = the agent's \
            name, password = the token `airlock agents add NAME` printed. Airlock logs in to the \
            upstream with the credentials in $AIRLOCK_HOME/upstreams.yaml, which the agent never \
            sees, and judges each statement of each message (simple and extended protocol, COPY, \
            prepared statements) with the policy, in the environment the upstream is declared in. \
            A refused statement gets a PostgreSQL error (SQLSTATE 42501) with the rule and reason, \
            and the session goes on. A statement that needs approval opens an approval request \
            and is held (--approval-hold, 60 s by default): it runs the moment a person runs \
            `airlock approve ID`, is refused if they reject it or a freeze starts, and ends with \
            an error naming the request when the time is up (approve it, then send the same \
            statement again). A client's cancel (Ctrl-C in psql) ends the hold. Every decision \
            is in the audit log.

            Start-up parameters that change server settings (options=-c …, \
            default_transaction_read_only=…, replication=…) are refused, as is the legacy \
            FunctionCall message.

            TLS towards agents: with --tls-cert and --tls-key (PEM) the proxy answers a \
            client's SSLRequest and encrypts the session (psql sslmode=require, or verify-full \
            with sslrootcert= the CA that issued the certificate); clients that do not ask stay \
            in the clear unless --tls-required refuses them (SQLSTATE 28000). Without a \
            certificate, SSLRequest is answered N: sslmode=prefer goes on in the clear, \
            sslmode=require gives up. TLS towards the upstream is set per upstream in \
            upstreams.yaml (tls: disable, require, verify-ca or verify-full with tls_ca_file).

            Runs until interrupted. Exit codes: 0 stopped, 1 could not start (the message says \
            why: an unknown upstream, an unreadable password or TLS file, a port in use), 64 \
            usage error.

            Examples:
              airlock proxy postgres --upstream app-prod
              airlock proxy postgres --listen 127.0.0.1:6432 --upstream app-prod
              PGPASSWORD=$TOKEN psql -h 127.0.0.1 -p 6432 -U claude app
              airlock proxy postgres --upstream app-prod --tls-required \\
                --tls-cert gate.pem --tls-key gate.key
              PGPASSWORD=$TOKEN PGSSLMODE=verify-full PGSSLROOTCERT=ca.pem \\
                psql -h gate.internal -p 6432 -U claude app
            """)

    @Option(help: "Address to listen on, HOST:PORT.")
    var listen: String = "127.0.0.1:6432"

    @Option(help: "The upstream to front, by its name in $AIRLOCK_HOME/upstreams.yaml.")
    var upstream: String

    @Option(help: "A policy file instead of $AIRLOCK_HOME/policy.yaml.")
    var policy: String?

    @Option(help: "Seconds a statement that needs approval is held open for a person's answer (0: answer at once with the request's id).")
    var approvalHold: Int = 60

    @Option(help: "Event-loop threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Certificate chain (PEM, leaf first) for TLS towards agents; needs --tls-key.", valueName: "path"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("Private key (PEM, not encrypted) of --tls-cert.", valueName: "path"))
    var tlsKey: String?

    @Flag(name: .customLong("tls-required"), help: "Refuse agents that connect without TLS (needs --tls-cert and --tls-key).")
    var tlsRequired = false

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together: give both, or neither") }
        if tlsRequired, tlsCert == nil { throw ValidationError("--tls-required needs --tls-cert and --tls-key: the proxy can only require TLS it can offer") }
    }

    func run() throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen wants HOST:PORT, e.g. 127.0.0.1:6432")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let environment = ProcessFacts.environment()
        let home = AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
        let context = Context(user: environment["USER"] ?? "airlock", workingDirectory: "/", homeDirectory: home, airlockHome: home)
        let loadedPolicy: Policy
        switch PolicyResolution.load(explicit: policy, context: context, files: LocalFiles()) {
        case .loaded(let policy, _): loadedPolicy = policy
        case .failed(let problems):
            throw CLIError("the policy does not load, so the proxy does not start:\n  " + problems.joined(separator: "\n  "))
        }
        let upstreams: [Upstream]
        do {
            upstreams = try UpstreamsFile.load(home: home, knownEnvironments: Set(loadedPolicy.environments.map(\.name) + ["unknown"]))
        } catch {
            throw CLIError("\(error)")
        }
        guard let chosen = upstreams.first(where: { $0.name == upstream }) else {
            throw CLIError("no upstream named '\(upstream)' in \(UpstreamsFile.path(home: home)) (declared: \(upstreams.map(\.name).joined(separator: ", ")))")
        }
        var tls: PostgresProxy.ClientTLS?
        if let tlsCert, let tlsKey {
            tls = PostgresProxy.ClientTLS(certificateFile: absolute(tlsCert), keyFile: absolute(tlsKey), required: tlsRequired)
        }
        let statePath = home + "/state.sqlite"
        let gate = Gate(checker: Checker(policy: loadedPolicy), store: SQLiteStore(path: statePath), audit: AuditStore(directory: home + "/audit"))
        let proxy: PostgresProxy
        let bound: Int
        do {
            proxy = try PostgresProxy(
                configuration: .init(host: host, port: port, upstream: chosen, home: home, threads: threads, approvalHoldSeconds: max(0, approvalHold), tls: tls), gate: gate,
                statePath: statePath)
            bound = try proxy.bind()
        } catch {
            throw CLIError("the proxy could not start: \(error)")
        }
        let status = ProxyStatusFile(home: home, listen: "\(host):\(bound)", upstream: chosen)
        status.startPublishing(proxy.stats)
        let clientSide = tls == nil ? "no TLS" : tlsRequired ? "TLS required" : "TLS offered"
        FileHandle.standardError.write(Data(
            "airlock: proxying \(host):\(bound) (\(clientSide)) → upstream '\(chosen.name)' (\(chosen.location), \(chosen.environment), tls: \(chosen.tls.rawValue))\n".utf8))
        ProxySignals.stopOnInterrupt { try? proxy.flushAudit(); status.remove(); Foundation.exit(0) }
        try proxy.waitUntilClosed()
    }

    /// A path from the command line, relative to where the command runs.
    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// Where a running proxy publishes its counters: `$AIRLOCK_HOME/proxy/<pid>.json`, rewritten
/// every second, removed on exit.
struct ProxyStatusFile: Sendable {
    let home: String
    let listen: String
    let upstream: Upstream

    static func directory(home: String) -> String { home + "/proxy" }
    var path: String { Self.directory(home: home) + "/\(getpid()).json" }

    func startPublishing(_ stats: ProxyStats) {
        try? FileManager.default.createDirectory(atPath: Self.directory(home: home), withIntermediateDirectories: true)
        let started = ISO8601DateFormatter().string(from: Date())
        let thread = Thread {
            while true {
                var snapshot = stats.snapshot
                snapshot["pid"] = Int(getpid())
                snapshot["listen"] = listen
                snapshot["upstream"] = upstream.name
                snapshot["environment"] = upstream.environment
                snapshot["started"] = started
                snapshot["updated"] = ISO8601DateFormatter().string(from: Date())
                if let data = try? JSONSerialization.data(withJSONObject: snapshot, options: [.sortedKeys]) {
                    try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
                }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        thread.start()
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Stops the proxy cleanly on SIGINT and SIGTERM (queued audit records are written first).
enum ProxySignals {
    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    static func stopOnInterrupt(_ stop: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            sources.append(source)
        }
    }
}

struct ProxyStatusCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show running proxies: connections, statements per class, denials.",
        discussion: """
            Reads what each running `airlock proxy` publishes under $AIRLOCK_HOME/proxy (every \
            second). Proxies that are no longer running are skipped (and their files removed).

            Exit codes: 0 at least one proxy is running, 1 none is, 64 usage error.
            """)

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let environment = ProcessFacts.environment()
        let home = AirlockHome.path(environment: environment, home: ProcessFacts.homeDirectory(environment: environment))
        let directory = ProxyStatusFile.directory(home: home)
        var running: [[String: Any]] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() where name.hasSuffix(".json") {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let pid = object["pid"] as? Int
            else { continue }
            guard kill(pid_t(pid), 0) == 0 || errno == EPERM else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            running.append(object)
        }
        switch format {
        case .json:
            let data = try JSONSerialization.data(withJSONObject: ["proxies": running], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .text:
            if running.isEmpty { print("no proxy is running (start one with: airlock proxy postgres --upstream NAME)") }
            for proxy in running {
                let statements = (proxy["statements"] as? [String: Int]) ?? [:]
                print("\(proxy["listen"] ?? "?") → \(proxy["upstream"] ?? "?") (\(proxy["environment"] ?? "?")), pid \(proxy["pid"] ?? "?"), since \(proxy["started"] ?? "?")")
                print("  connections: \(proxy["connections_open"] ?? 0) open, \(proxy["connections_total"] ?? 0) in all, \(proxy["authentication_failures"] ?? 0) failed logins")
                let perClass = statements.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                print("  statements: \(perClass.isEmpty ? "none yet" : perClass)")
                print("  denied: \(proxy["denied"] ?? 0), approvals requested: \(proxy["approvals_requested"] ?? 0), protocol errors: \(proxy["protocol_errors"] ?? 0)")
            }
        }
        if running.isEmpty { throw ExitCode(1) }
    }
}
