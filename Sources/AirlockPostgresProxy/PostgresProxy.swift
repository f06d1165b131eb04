import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockPostgresWire
import AirlockSQL
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// What every session of one proxy shares: the upstream, the gate, the agents, counters.
final class ProxyContext: Sendable {
    let upstream: Upstream
    let upstreamPassword: String?
    let gate: StreamingGate
    let home: String
    let stats: ProxyStats
    let cancels = CancelRegistry()
    let classifications = ClassificationCache()
    let threads: NIOThreadPool
    /// Snapshots and other async work of the proxy's own, ended before the loops are.
    let background: BackgroundWork
    let group: any EventLoopGroup
    let user: String
    /// How long an `ask` is held for a person's answer (zero: answered at once with the error).
    let approvalHold: TimeAmount
    /// Salts unknown agents' fake SCRAM exchanges for this process's lifetime.
    let unknownAgentSecret = RandomText.bytes(32)
    /// TLS towards agents (nil: SSLRequest is answered `N`), and whether it is required.
    let clientTLS: NIOSSLContext?
    let clientTLSRequired: Bool
    /// TLS towards the upstream (nil: `tls: disable`).
    let upstreamTLS: NIOSSLContext?
    private let registry: Mutex<(stamp: [Int], registry: AgentRegistry)>

    init(
        upstream: Upstream, upstreamPassword: String?, gate: StreamingGate, home: String, stats: ProxyStats, threads: NIOThreadPool, group: any EventLoopGroup, approvalHold: TimeAmount,
        clientTLS: NIOSSLContext? = nil, clientTLSRequired: Bool = false, upstreamTLS: NIOSSLContext? = nil
    ) throws {
        self.clientTLS = clientTLS
        self.clientTLSRequired = clientTLSRequired
        self.upstreamTLS = upstreamTLS
        self.approvalHold = approvalHold
        self.upstream = upstream
        self.upstreamPassword = upstreamPassword
        self.gate = gate
        self.home = home
        self.stats = stats
        self.threads = threads
        self.background = BackgroundWork(pool: threads)
        self.group = group
        self.user = ProcessInfo.processInfo.environment["USER"] ?? "airlock"
        let path = AgentRegistry.path(home: home)
        self.registry = Mutex((StreamingGate.fileStamp(path), try AgentRegistry.load(home: home)))
    }

    /// The agents, re-read when the file changed (a removed token stops working at once). A
    /// registry that no longer loads keeps nobody in: every login fails.
    func agents() -> AgentRegistry {
        let path = AgentRegistry.path(home: home)
        let stamp = StreamingGate.fileStamp(path)
        return registry.withLock { current in
            guard current.stamp != stamp else { return current.registry }
            let loaded = (try? AgentRegistry.load(home: home)) ?? AgentRegistry()
            current = (stamp, loaded)
            return loaded
        }
    }

    /// SQL for the gate, on this proxy's upstream, already classified.
    func request(_ text: String, statements: [SQLStatement]) -> SQLRequest {
        SQLRequest(text: text, database: upstream.name, location: upstream.location, environment: upstream.environment, statements: statements)
    }

    func context(agent: String, session: String) -> Context {
        Context(agent: agent, session: session.isEmpty ? nil : session, user: user, workingDirectory: "/", homeDirectory: home, airlockHome: home)
    }

    /// The decision for a FunctionCall message: refused whatever the policy says, and recorded.
    func refuseFunctionCall(agent: String, session: String) -> ErrorFields {
        let statement = SQLStatement(
            index: 0, text: "<FunctionCall message>", kind: "FunctionCall", sqlClass: .privileged, tables: [], flags: [], functions: [],
            reason: "the legacy FunctionCall message calls a function by its oid")
        let request = request("<FunctionCall message>", statements: [statement])
        let context = context(agent: agent, session: session)
        let policyDecision = gate.gate.checker.check(.sql(request), context: context, explain: false).decision
        let denied = policyDecision.denied(by: MatchedRule(
            id: "proxy-function-call", kind: .analysis, reason: "the legacy FunctionCall message calls a function by oid, which Airlock cannot judge",
            suggestion: "call the function with SELECT in a query"))
        let recorded = gate.finish(denied, context: context)
        stats.statement(classes: ["privileged"], denied: true)
        return StatementDenial.error(for: recorded)
    }

    /// Records a connection refused at start-up (replication, options, settings).
    func recordRefusedStartup(agent: String, reason: String) {
        let request = request("<start-up: \(reason)>", statements: [])
        let context = context(agent: agent, session: "")
        let decision = gate.gate.checker.check(.sql(request), context: context, explain: false).decision
            .denied(by: MatchedRule(id: "proxy-startup", kind: .analysis, reason: reason))
        _ = gate.finish(decision, context: context)
    }

    /// Forwards a client's CancelRequest to the upstream session it belongs to, over TLS when
    /// the upstream is configured for it (the server takes a CancelRequest after SSLRequest as it
    /// takes a StartupMessage, and the key must not cross an untrusted network in the clear).
    func sendCancel(to target: CancelRegistry.Target) {
        let loop = group.next()
        let negotiator = upstreamTLS.map { UpstreamTLSNegotiator(sslContext: $0, upstream: upstream, eventLoop: loop) }
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                guard let negotiator else { return channel.eventLoop.makeSucceededVoidFuture() }
                return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(negotiator) }
            }
            .connect(host: target.host, port: target.port)
            .flatMap { channel in
                (negotiator?.done.futureResult ?? channel.eventLoop.makeSucceededVoidFuture()).map { channel }
            }
            .whenComplete { result in
                negotiator?.abandon()
                guard case .success(let channel) = result else { return }
                var buffer = ByteBuffer()
                StartupMessage.encodeCancel(processID: target.processID, secretKey: target.secretKey, into: &buffer)
                channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
            }
    }
}

/// `airlock proxy postgres`: listens for agents and fronts one upstream.
public final class PostgresProxy: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var upstream: Upstream
        public var home: String
        public var threads: Int
        /// Seconds an `ask` is held open for a person's answer; 0 answers at once.
        public var approvalHoldSeconds: Int
        /// TLS towards agents; nil answers SSLRequest with `N` (the clear only).
        public var tls: ClientTLS?

        public init(host: String, port: Int, upstream: Upstream, home: String, threads: Int = System.coreCount, approvalHoldSeconds: Int = 60, tls: ClientTLS? = nil) {
            self.tls = tls
            self.approvalHoldSeconds = approvalHoldSeconds
            self.host = host
            self.port = port
            self.upstream = upstream
            self.home = home
            self.threads = threads
        }
    }

    public let configuration: Configuration
    public let stats = ProxyStats()
    private let context: ProxyContext
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let server = Mutex<(any Channel)?>(nil)

    /// Checks the upstream's password, the TLS files and the agents file now, so a bad setup
    /// fails at start, not at the first connection.
    public init(configuration: Configuration, gate: Gate, statePath: String?) throws {
        self.configuration = configuration
        let password = try configuration.upstream.resolvePassword()
        let clientTLS = try configuration.tls.map(ProxyTLS.serverContext)
        let upstreamTLS = try ProxyTLS.upstreamContext(configuration.upstream)
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        threadPool = NIOThreadPool(numberOfThreads: 4)
        threadPool.start()
        // The proxy appends an entry per statement: its leaf hashes use the CPU's SHA-256.
        gate.audit?.leafHash = AuditHashing.leafHash
        context = try ProxyContext(
            upstream: configuration.upstream, upstreamPassword: password, gate: StreamingGate(gate: gate, statePath: statePath),
            home: configuration.home, stats: stats, threads: threadPool, group: group, approvalHold: .seconds(Int64(configuration.approvalHoldSeconds)),
            clientTLS: clientTLS, clientTLSRequired: configuration.tls?.required ?? false, upstreamTLS: upstreamTLS)
    }

    /// Binds the listening socket; returns the port (useful with port 0).
    public func start() async throws -> Int {
        try bind()
    }

    /// `start()` for callers without async: binds and returns the port.
    public func bind() throws -> Int {
        let context = self.context
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ClientSession(proxy: context)) }
            }
            .bind(host: configuration.host, port: configuration.port).wait()
        server.withLock { $0 = channel }
        return channel.localAddress?.port ?? configuration.port
    }

    /// Blocks until the listening socket closes.
    public func waitUntilClosed() throws {
        guard let channel = server.withLock({ $0 }) else { return }
        try channel.closeFuture.wait()
    }

    /// Waits until the listening socket closes.
    public func wait() async throws {
        guard let channel = server.withLock({ $0 }) else { return }
        try await channel.closeFuture.get()
    }

    /// Writes queued audit records.
    public func flushAudit() throws {
        try context.gate.flush()
    }

    public func shutdown() async {
        let channel = server.withLock { $0 }
        try? await channel?.close()
        await context.background.shutdown()
        try? await group.shutdownGracefully()
        try? await threadPool.shutdownGracefully()
        context.gate.close()
    }

    /// `shutdown()` for callers without async (not on one of the proxy's event loops).
    public func stop() {
        let channel = server.withLock { $0 }
        try? channel?.close().wait()
        context.background.shutdownAndWait()
        try? group.syncShutdownGracefully()
        try? threadPool.syncShutdownGracefully()
        context.gate.close()
    }
}
