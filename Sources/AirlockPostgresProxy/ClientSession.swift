import AirlockAudit
import AirlockCore
import AirlockGate
import AirlockJournal
import AirlockPostgresWire
import AirlockSQL
import NIOCore
import NIOPosix
import NIOSSL

/// One agent's connection: start-up and authentication with its Airlock token, the upstream
/// session Airlock opens with its own credentials, and then every message in both directions,
/// each statement through the gate before it reaches the server.
///
/// Both channels run on the same event loop, so the session's state needs no lock. Messages
/// from the client are handled strictly in order: while the gate decides (off the loop, when it
/// must write), later messages wait in `inbox`.
final class ClientSession: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case startup
        case authenticating(SCRAMServerExchange, finalStep: Bool)
        case connecting
        case ready
        case closed
    }

    let proxy: ProxyContext
    var phase = Phase.startup
    var channel: Channel?
    private var upstream: Channel?
    private var clientBytes = ByteBuffer()
    private var upstreamBytes = ByteBuffer()
    private let clientFrames = FrameSplitter(maximumLength: PostgresWire.maximumFrontendMessage)
    private let serverFrames = FrameSplitter(maximumLength: 1 << 30)

    var agent = ""
    private var startupParameters: [StartupParameter] = []
    private var upstreamLogin: UpstreamLogin?
    var tracker = ResponseTracker()
    /// Client messages not yet handled (the gate is deciding on an earlier one).
    var inbox = CircularBuffer<PostgresFrame>()
    var deciding = false
    /// The statement in front waits only for its record to reach the disk (a moment): what was
    /// gathered for the server before it (an extended query's Parse, Bind and Describe) then
    /// goes with it in one write, instead of waking the server twice.
    private var awaitingRecord = false
    /// Errors to send in place of the server's, for denials in flight, oldest first.
    var denials: [ErrorFields] = []
    /// Prepared statements' classifications, by name (`""` is the unnamed one).
    private var prepared: [String: PreparedStatement] = [:]
    /// What this session tells the client to cancel with, and the upstream's own key.
    private var clientKey: (processID: Int32, secretKey: Int32)?
    var sessionID = ""
    /// The server said the session is inside a transaction block (ReadyForQuery 'T' or 'E'),
    /// and no statement that ends one has been sent since.
    var inTransactionBlock = false
    /// Portals and the statements they were bound from.
    private var portals: [String: String] = [:]
    /// The client's forwarded statements awaiting their end, oldest first from `resultsHead`.
    var results: [PendingResult] = []
    var resultsHead = 0
    /// A statement running under a cap or the journal.
    var guarded: GuardedRun?
    /// The last ReadyForQuery's transaction status ('I', 'T' or 'E').
    var transactionStatus = UInt8(ascii: "I")
    /// The client's bytes come through TLS (it sent SSLRequest and the proxy answered `S`).
    private var clientTLSActive = false

    struct PreparedStatement {
        var statements: [SQLStatement]
        /// The policy's decision at Parse (allow), made again for each Execute's state part.
        var decision: Decision?
        /// Approved by a person for one run: a second Bind of it is refused.
        var approvedOnce: Bool
        var bound = false
    }

    init(proxy: ProxyContext) {
        self.proxy = proxy
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        channel = context.channel
        proxy.stats.opened()
        // PostgreSQL's authentication_timeout: a connection that never logs in is not kept.
        context.eventLoop.scheduleTask(in: Self.loginTimeout) { [self] in
            switch phase {
            case .startup, .authenticating:
                fail(StatementDenial.refusal("no login within \(Self.loginTimeout.nanoseconds / 1_000_000_000) seconds", fatal: true, code: "08006"))
            default:
                break
            }
        }
    }

    static let loginTimeout = TimeAmount.seconds(30)

    func channelInactive(context: ChannelHandlerContext) {
        if case .closed = phase {} else { proxy.stats.closed() }
        abandonResults()
        phase = .closed
        if let key = clientKey { proxy.cancels.remove(processID: key.processID, secretKey: key.secretKey) }
        upstream?.close(promise: nil)
        upstream = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // Back-pressure: a slow reader on one side stops reading on the other, so a large result
    // or a large COPY is never buffered whole in the proxy.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        _ = upstream?.setOption(ChannelOptions.autoRead, value: context.channel.isWritable)
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        upstreamBlocked = !writable
        updateClientReading()
    }

    /// The client is not read while the upstream cannot take more, or while more messages
    /// wait behind a decision (a held statement) than a well-behaved client pipelines.
    private var upstreamBlocked = false
    private var inboxFull = false
    private static let inboxLimit = 1024
    private static let drainBatch = 64

    private func updateClientReading() {
        _ = channel?.setOption(ChannelOptions.autoRead, value: !(upstreamBlocked || inboxFull))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        clientBytes.writeBuffer(&bytes)
        do {
            try readClient()
        } catch {
            proxy.stats.protocolError()
            fail(StatementDenial.refusal("protocol violation: \(error)", fatal: true, code: "08P01"))
        }
    }

    private func readClient() throws {
        while true {
            switch phase {
            case .startup:
                guard let message = try StartupMessage.next(&clientBytes) else { return }
                try handleStartup(message)
            case .authenticating, .connecting, .ready:
                guard let frame = try clientFrames.next(&clientBytes) else {
                    compactClientBytes()
                    // What one read brought is handled together, so its forwarded messages go
                    // upstream in one write (a pipelined Parse/Bind/Execute/Sync is one, not four).
                    if case .ready = phase { drain() }
                    return
                }
                try handleClientFrame(frame)
            case .closed:
                return
            }
        }
    }

    private func compactClientBytes() {
        if clientBytes.readerIndex > 65_536 { clientBytes.discardReadBytes() }
    }

    // MARK: Start-up and authentication

    private func handleStartup(_ message: StartupMessage) throws {
        switch message {
        case .sslRequest:
            try startClientTLS()
        case .gssEncRequest:
            // No GSSAPI encryption: 'N' tells the client to go on (it may send SSLRequest next).
            var answer = ByteBuffer()
            answer.writeInteger(UInt8(ascii: "N"))
            channel?.writeAndFlush(answer, promise: nil)
        case .cancel(let processID, let secretKey):
            if let target = proxy.cancels.target(processID: processID, secretKey: secretKey) {
                target.cancelHold()
                proxy.sendCancel(to: target)
            }
            phase = .closed
            proxy.stats.closed()
            channel?.close(promise: nil)
        case .startup(let version, let parameters):
            guard version == PostgresWire.protocolVersion else {
                return fail(StatementDenial.refusal("protocol version \(version >> 16).\(version & 0xFFFF) is not supported; use 3.0", fatal: true, code: "08P01"))
            }
            startupParameters = parameters
            agent = parameters.first { $0.name == "user" }?.value ?? ""
            if proxy.clientTLSRequired, !clientTLSActive {
                proxy.recordRefusedStartup(agent: agent, reason: "a connection without TLS to a proxy that requires it")
                return fail(StatementDenial.refusal(
                    "this proxy requires TLS (sslmode=require)", hint: "connect with sslmode=require, or verify-full with the proxy's CA as sslrootcert", fatal: true, code: "28000"))
            }
            if let refusal = StartupPolicy.refusal(parameters, upstream: proxy.upstream) {
                proxy.recordRefusedStartup(agent: agent, reason: refusal.message ?? "")
                return fail(refusal)
            }
            let verifier = proxy.agents().verifier(for: agent)
            // An unknown agent gets the same salt on every try, as a known one does: asking
            // twice does not tell who exists.
            let salt = verifier == nil ? SCRAMServerExchange.stableSalt(user: agent, secret: proxy.unknownAgentSecret) : nil
            phase = .authenticating(SCRAMServerExchange(verifier: verifier, serverNonce: RandomText.nonce(), unknownUserSalt: salt), finalStep: false)
            // No SCRAM-SHA-256-PLUS, even over TLS: so a client's gs2 flag `y` (it could bind
            // the channel, believes we cannot) is truthful and accepted, not a downgrade.
            send(Backend.authenticationSASL(["SCRAM-SHA-256"]))
            flush()
        }
    }

    /// Answers an SSLRequest: `N` without a certificate (the client goes on in the clear or
    /// gives up, its sslmode decides), else `S` and TLS from the next byte on.
    private func startClientTLS() throws {
        guard let channel else { return }
        guard let tls = proxy.clientTLS else {
            var answer = channel.allocator.buffer(capacity: 1)
            answer.writeInteger(UInt8(ascii: "N"))
            channel.writeAndFlush(answer, promise: nil)
            return
        }
        guard !clientTLSActive else { throw PostgresProtocolError("SSLRequest inside an encrypted connection") }
        // CVE-2021-23214: bytes that came in the clear with the SSLRequest, before the
        // handshake, must not be read as if they had come through TLS (someone in the middle
        // could have appended a query). A real client sends nothing until it has the answer.
        guard clientBytes.readableBytes == 0 else {
            throw PostgresProtocolError("data sent after SSLRequest before the TLS handshake (refused: it could have been injected by someone in the middle)")
        }
        var answer = channel.allocator.buffer(capacity: 1)
        answer.writeInteger(UInt8(ascii: "S"))
        // The `S` is on its way to the socket before the TLS handler exists (we are on the
        // channel's event loop, so the write has passed the pipeline when this returns), and
        // every byte read from now on goes through the handler first.
        channel.writeAndFlush(answer, promise: nil)
        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
        clientTLSActive = true
    }

    private func handleClientFrame(_ frame: PostgresFrame) throws {
        switch phase {
        case .authenticating(var exchange, let finalStep):
            guard frame.type == Frontend.password else {
                throw PostgresProtocolError("expected a SASL response during authentication, got \(frame.typeCharacter)")
            }
            do {
                if !finalStep {
                    let (mechanism, data) = try Frontend.readSASLInitial(frame.body)
                    guard mechanism == "SCRAM-SHA-256" else { throw PostgresProtocolError("unsupported SASL mechanism \(mechanism)") }
                    let serverFirst = try exchange.receiveClientFirst(data)
                    phase = .authenticating(exchange, finalStep: true)
                    send(Backend.authentication(11, data: serverFirst))
                    flush()
                } else {
                    let serverFinal = try exchange.receiveClientFinal(Array(frame.body.readableBytesView))
                    send(Backend.authentication(12, data: serverFinal))
                    send(Backend.authentication(0))
                    flush()
                    phase = .connecting
                    connectUpstream()
                }
            } catch let error as PostgresProtocolError {
                throw error
            } catch {
                proxy.stats.authenticationFailed()
                fail(StatementDenial.refusal(
                    "password authentication failed for agent \"\(agent)\"", hint: "connect with the agent's name as user and the token `airlock agents add` printed as password",
                    fatal: true, code: "28P01"))
            }
        case .connecting:
            inbox.append(frame)
        case .ready:
            inbox.append(frame)
            if inbox.count > Self.inboxLimit, !inboxFull {
                inboxFull = true
                updateClientReading()
            }
            // A read of many small messages is handled in batches, not split whole first.
            if inbox.count >= Self.drainBatch { drain() }
        case .startup, .closed:
            return
        }
    }

    // MARK: The upstream session

    private func connectUpstream() {
        guard let channel else { return }
        let upstream = proxy.upstream
        let handler = UpstreamHandler(session: self)
        // With `tls:` set, the login starts only once the channel is encrypted.
        let negotiator = proxy.upstreamTLS.map { UpstreamTLSNegotiator(sslContext: $0, upstream: upstream, eventLoop: channel.eventLoop) }
        ClientBootstrap(group: channel.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { upstreamChannel in
                upstreamChannel.eventLoop.makeCompletedFuture {
                    if let negotiator { try upstreamChannel.pipeline.syncOperations.addHandler(negotiator) }
                    try upstreamChannel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: upstream.host, port: upstream.port)
            .flatMap { connected in (negotiator?.done.futureResult ?? connected.eventLoop.makeSucceededVoidFuture()).map { connected } }
            .whenComplete { [self] result in
                negotiator?.abandon()
                switch result {
                case .success(let connected):
                    guard case .connecting = phase else {
                        connected.close(promise: nil)
                        return
                    }
                    self.upstream = connected
                    startUpstreamLogin()
                case .failure(let error as ProxyTLSError):
                    fail(StatementDenial.refusal(error.message, fatal: true, code: "08006"))
                case .failure(let error):
                    fail(StatementDenial.refusal("cannot reach upstream '\(upstream.name)' at \(upstream.location): \(error)", fatal: true, code: "08006"))
                }
            }
    }

    private func startUpstreamLogin() {
        let upstream = proxy.upstream
        var parameters = [
            StartupParameter(name: "user", value: upstream.user), StartupParameter(name: "database", value: upstream.database),
        ]
        for parameter in startupParameters where StartupPolicy.forwarded.contains(parameter.name.lowercased()) {
            parameters.append(parameter)
        }
        for (name, value) in upstream.settings.sorted(by: { $0.key < $1.key }) {
            parameters.append(StartupParameter(name: name, value: value))
        }
        upstreamLogin = UpstreamLogin(user: upstream.user, password: proxy.upstreamPassword)
        var buffer = ByteBuffer()
        StartupMessage.encodeStartup(parameters, into: &buffer)
        self.upstream?.writeAndFlush(buffer, promise: nil)
    }

    func upstreamRead(_ bytes: inout ByteBuffer) {
        upstreamBytes.writeBuffer(&bytes)
        do {
            while let frame = try serverFrames.next(&upstreamBytes) {
                if case .closed = phase { return }
                if upstreamLogin != nil {
                    try handleLoginFrame(frame)
                } else {
                    handleServerFrame(frame)
                }
            }
            if upstreamBytes.readerIndex > 65_536 { upstreamBytes.discardReadBytes() }
        } catch {
            fail(StatementDenial.refusal("upstream '\(proxy.upstream.name)': \(error)", fatal: true, code: "08P01"))
        }
        flush()
    }

    func upstreamClosed() {
        upstream = nil
        if case .closed = phase { return }
        fail(StatementDenial.refusal("the connection to upstream '\(proxy.upstream.name)' was closed", hint: "reconnect; the server may have restarted", fatal: true, code: "57P01"))
    }

    private func handleLoginFrame(_ frame: PostgresFrame) throws {
        guard var login = upstreamLogin else { return }
        switch frame.type {
        case Backend.authentication:
            let (code, data) = try Backend.readAuthentication(frame.body)
            if let reply = try login.respond(code: code, data: data) { upstream?.writeAndFlush(wire(reply), promise: nil) }
            upstreamLogin = login
        case Backend.backendKeyData:
            guard let key = Backend.readBackendKey(frame.body) else { throw PostgresProtocolError("malformed BackendKeyData") }
            let mine = (processID: proxy.cancels.allocateProcessID(), secretKey: Int32.random(in: Int32.min...Int32.max))
            clientKey = mine
            sessionID = "pg-\(mine.processID)"
            let loop = channel?.eventLoop
            proxy.cancels.register(
                processID: mine.processID, secretKey: mine.secretKey,
                target: .init(
                    host: proxy.upstream.host, port: proxy.upstream.port, processID: key.processID, secretKey: key.secretKey,
                    cancelHold: { [weak self] in
                        guard let session = self else { return }
                        loop?.execute { session.cancelHold() }
                    }))
            send(Backend.backendKeyData(processID: mine.processID, secretKey: mine.secretKey))
        case Backend.errorResponse:
            let fields = try ErrorFields(frame.body)
            fail(StatementDenial.refusal(
                "upstream '\(proxy.upstream.name)' refused Airlock's login: \(fields.message ?? "unknown error")",
                hint: "check the user and password Airlock uses for it in $AIRLOCK_HOME/upstreams.yaml", fatal: true, code: fields.code ?? "08006"))
        case Backend.readyForQuery:
            upstreamLogin = nil
            send(frame)
            phase = .ready
            drain()
        case Backend.negotiateProtocolVersion:
            break
        default:
            send(frame)  // ParameterStatus, notices
        }
    }

    // MARK: Server messages

    private func handleServerFrame(_ frame: PostgresFrame) {
        var code: String?
        if frame.type == Backend.errorResponse { code = (try? ErrorFields(frame.body))?.code }
        switch tracker.receive(frame.type, errorCode: code) {
        case .forward:
            send(frame)
            noteResult(frame, errorCode: code)
        case .swallow:
            break
        case .replaceWithDenial:
            send(denials.isEmpty ? frame : denials.removeFirst().frame())
        case .capture:
            guardedReceive(frame, errorCode: code)
        }
        if frame.type == Backend.readyForQuery {
            let status = Backend.readStatus(frame.body)
            inTransactionBlock = status == UInt8(ascii: "T") || status == UInt8(ascii: "E")
            transactionStatus = status ?? UInt8(ascii: "I")
            if tracker.isIdle { denials.removeAll() }
        }
    }

    // MARK: Client messages

    /// Handles queued client messages in order until one needs the gate to block.
    func drain() {
        defer {
            if inboxFull, inbox.count <= Self.inboxLimit / 2 {
                inboxFull = false
                updateClientReading()
            }
        }
        while case .ready = phase, let next = inbox.first, !deciding || guardedWantsCopy(next) {
            let frame = inbox.removeFirst()
            do {
                try handleReadyFrame(frame)
            } catch {
                proxy.stats.protocolError()
                fail(StatementDenial.refusal("protocol violation: \(error)", fatal: true, code: "08P01"))
                return
            }
        }
        flush()
    }

    private func handleReadyFrame(_ frame: PostgresFrame) throws {
        switch frame.type {
        case Frontend.query:
            let text = try Frontend.queryText(frame.body)
            let statements = proxy.classifications.statements(for: text)
            let context = proxy.context(agent: agent, session: sessionID)
            var decision = proxy.gate.policyDecision(.sql(proxy.request(text, statements: statements)), context: context)
            // An approval of a statement the journal covers names the entry it will write.
            if decision.verdict == .ask, statements.contains(where: { GuardPlan.journaled.contains($0.kind) }) { decision.journal = Journal.newID() }
            judge(decision, context: context) { [self] verdict in
                switch verdict {
                case .allow(let approved, let recorded):
                    switch GuardPlan.make(decision: decision, statements: statements, approved: approved) {
                    case .success(nil):
                        forward(frame)
                        tracker.expect(.query(injected: false))
                        results.append(PendingResult(recorded: recorded))
                    case .success(let plan?):
                        runGuarded(frame, plan: plan, recorded: recorded, journalID: decision.journal)
                    case .failure(let refusal):
                        complete(PendingResult(recorded: recorded), error: "42501")
                        denials.append(StatementDenial.refusal(refusal.description, hint: refusal.hint))
                        forward(Frontend.queryFrame(StatementDenial.failingStatement))
                        tracker.expect(.query(injected: true))
                    }
                case .refuse(let error), .hold(_, let error):
                    denials.append(error)
                    forward(Frontend.queryFrame(StatementDenial.failingStatement))
                    tracker.expect(.query(injected: true))
                }
            }
        case Frontend.parse:
            let parse = try Frontend.Parse(frame.body)
            let statements = proxy.classifications.statements(for: parse.text)
            let context = proxy.context(agent: agent, session: sessionID)
            let decision = proxy.gate.policyDecision(.sql(proxy.request(parse.text, statements: statements)), context: context)
            // Row caps hold a statement's end back until it is counted: the simple protocol's
            // one-statement round trip allows it, a pipeline of Executes does not (yet).
            if decision.verdict != .deny, GuardPlan.capped(decision) {
                prepared[parse.name] = nil
                return refuseAndRecord(decision.denied(by: Self.extendedCapRule), context: context) { [self] error in injectRefusal(error) }
            }
            if decision.verdict == .allow {
                // Judged and recorded at each Execute: parsing runs nothing.
                prepared[parse.name] = PreparedStatement(statements: statements, decision: decision, approvedOnce: false)
                forward(frame)
                tracker.expect(.parse(injected: false))
                return
            }
            judge(decision, context: context, parse: parse) { [self] verdict in
                switch verdict {
                case .allow(let approvedOnce, _):
                    // An approved statement's record was written at Parse; Parse runs nothing.
                    prepared[parse.name] = PreparedStatement(statements: statements, decision: nil, approvedOnce: approvedOnce)
                    forward(frame)
                    tracker.expect(.parse(injected: false))
                case .refuse(let error), .hold(_, let error):
                    prepared[parse.name] = nil
                    injectRefusal(error)
                }
            }
        case Frontend.bind:
            let bind = try Frontend.Bind(frame.body)
            if var statement = prepared[bind.statement], statement.approvedOnce {
                guard !statement.bound else {
                    injectRefusal(StatementDenial.refusal(
                        "a person approved this statement for one run, and it has run", hint: "send it again to ask for a new approval"))
                    return
                }
                statement.bound = true
                prepared[bind.statement] = statement
            }
            portals[bind.portal] = bind.statement
            forward(frame)
            tracker.expect(.bind(injected: false))
        case Frontend.execute:
            let portal = try Frontend.executePortal(frame.body)
            // A prepared statement runs here: each run is decided (a freeze set since Parse
            // stops it) and recorded. One approved by a person was recorded at Parse.
            guard let name = portals[portal], let statement = prepared[name], let decision = statement.decision else {
                forward(frame)
                tracker.expect(.execute(injected: false))
                results.append(PendingResult(recorded: .none))
                return
            }
            judge(decision, context: proxy.context(agent: agent, session: sessionID)) { [self] verdict in
                switch verdict {
                case .allow(_, let recorded):
                    forward(frame)
                    tracker.expect(.execute(injected: false))
                    results.append(PendingResult(recorded: recorded))
                case .refuse(let error), .hold(_, let error):
                    injectRefusal(error)
                }
            }
        case Frontend.describe:
            _ = try Frontend.target(frame.body, of: "Describe")
            forward(frame)
            tracker.expect(.describe)
        case Frontend.close:
            let target = try Frontend.target(frame.body, of: "Close")
            if target.kind == UInt8(ascii: "S") { prepared[target.name] = nil } else { portals[target.name] = nil }
            forward(frame)
            tracker.expect(.close)
        case Frontend.sync:
            forward(frame)
            tracker.expect(.sync)
        case Frontend.flush, Frontend.copyData, Frontend.copyDone, Frontend.copyFail:
            forward(frame)
        case Frontend.functionCall:
            // The legacy fast-path call names a function by oid: nothing to judge, so refused.
            let error = proxy.refuseFunctionCall(agent: agent, session: sessionID)
            denials.append(error)
            forward(Frontend.queryFrame(StatementDenial.failingStatement))
            tracker.expect(.query(injected: true))
        case Frontend.terminate:
            forward(frame)
            flush()
            phase = .closed
            proxy.stats.closed()
            channel?.close(promise: nil)
        default:
            throw PostgresProtocolError("unexpected message type \(frame.typeCharacter) after start-up")
        }
    }

    /// Puts a failing statement where a refused one was, in the extended protocol: the server
    /// aborts the batch there and the client gets the denial's error in its place.
    private func injectRefusal(_ error: ErrorFields) {
        denials.append(error)
        // The injection takes the unnamed statement and portal.
        prepared[""] = nil
        portals[""] = nil
        forward(Frontend.Parse(name: "", text: StatementDenial.failingStatement).frame)
        forward(Frontend.Bind(portal: "", statement: "").frame)
        forward(Frontend.execute(portal: ""))
        tracker.expect(.parse(injected: true))
        tracker.expect(.bind(injected: true))
        tracker.expect(.execute(injected: true))
    }

    enum Verdict {
        /// Allowed; `approvedOnce` when by a person's approval for one run.
        case allow(approvedOnce: Bool, recorded: Recorded)
        case refuse(ErrorFields)
        /// Asked: held until a person answers request `id` (the error is for a timeout).
        case hold(id: String, ErrorFields)
        static var allow: Verdict { .allow(approvedOnce: false, recorded: .none) }
    }

    /// The state and audit part for a policy decision (a new statement's, or a prepared one's
    /// at Execute): an allow is recorded — durably first when it can change data — and anything
    /// else runs the full pipeline off the event loop.
    private func judge(_ decision: Decision, context: Context, parse: Frontend.Parse? = nil, then: @escaping (Verdict) -> Void) {
        let outcome = proxy.gate.decide(decision, context: context)
        let classes = outcome.decision.commands.compactMap { $0.command.sql?.sqlClass.rawValue }
        let endsTransaction = outcome.decision.commands.contains { Self.transactionEnds.contains($0.command.sql?.kind ?? "") }
        if endsTransaction { inTransactionBlock = false }
        if !outcome.needsFullPipeline {
            guard let record = outcome.record else {
                proxy.stats.statement(classes: classes, denied: false)
                return then(.allow)
            }
            if !mustBeDurable(outcome.decision, endsTransaction: endsTransaction) {
                // Written once the statement ended, with its rows and duration; unless the
                // log has failed, when the durable path below names the failure.
                if proxy.gate.canDefer {
                    proxy.stats.statement(classes: classes, denied: false)
                    return then(.allow(approvedOnce: false, recorded: .deferred(record)))
                }
                do {
                    try proxy.gate.record(record, durable: false)
                    proxy.stats.statement(classes: classes, denied: false)
                    then(.allow)
                } catch {
                    proxy.stats.statement(classes: classes, denied: true)
                    then(.refuse(StatementDenial.refusal("the audit log cannot be written, so nothing runs: \(error)")))
                }
                return
            }
            guard let channel else { return }
            queueDeferredRecords()
            let promise = channel.eventLoop.makePromise(of: Verdict.self)
            awaitingRecord = true
            proxy.gate.recordDurably(record) { result in
                switch result {
                case .success(let stored):
                    // A statement that commits on its own gets its result in a second record;
                    // a COMMIT's rows and time say nothing.
                    promise.succeed(.allow(approvedOnce: false, recorded: endsTransaction ? .none : .written(stored)))
                case .failure(let error): promise.succeed(.refuse(StatementDenial.refusal("the audit log cannot be written, so nothing runs: \(error)")))
                }
            }
            resume(after: promise.futureResult, classes: classes, then: then)
            return
        }
        if outcome.decision.verdict == .ask, let parse, let rule = Self.unapprovable(parse, outcome.decision) {
            return refuseAndRecord(outcome.decision.denied(by: rule), context: context) { then(.refuse($0)) }
        }
        let holding = proxy.approvalHold > .zero
        queueDeferredRecords()
        blocking({ [proxy] () -> Verdict in
            // The full pipeline appends to the log itself: what the writer has queued goes first.
            try? proxy.gate.flush()
            let decided = proxy.gate.finish(outcome.decision, context: context)
            if decided.verdict == .allow {
                return .allow(approvedOnce: decided.approval != nil, recorded: proxy.recorded(decided, context: context))
            }
            if decided.verdict == .ask { proxy.stats.approvalRequested() }
            if holding, decided.verdict == .ask, let note = decided.approval, note.state == .requested || note.state == .waiting {
                return .hold(id: note.id, StatementDenial.error(for: decided))
            }
            return .refuse(StatementDenial.error(for: decided))
        }, classes: classes, then: { [self] verdict in
            if case .hold(let id, let error) = verdict {
                startHold(id: id, error: error, decision: outcome.decision, context: context, then: then)
            } else {
                then(verdict)
            }
        })
    }

    // MARK: Approval holds

    /// A statement waiting for a person's answer; later messages wait behind it.
    private struct Hold {
        var id: String
        var timeoutError: ErrorFields
        var decision: Decision
        var context: Context
        var deadline: NIODeadline
        var then: (Verdict) -> Void
    }

    private var hold: Hold?

    /// Holds the statement: polls the request until a person answers, a freeze stops it, the
    /// client cancels, or the hold times out (then the error names the request to approve).
    private func startHold(id: String, error: ErrorFields, decision: Decision, context: Context, then: @escaping (Verdict) -> Void) {
        if cancelPending {
            cancelPending = false
            return then(.refuse(Self.cancelled))
        }
        deciding = true
        hold = Hold(id: id, timeoutError: error, decision: decision, context: context, deadline: .now() + proxy.approvalHold, then: then)
        flush()
        pollHold()
    }

    private func pollHold() {
        guard let channel, let id = hold?.id else { return }
        channel.eventLoop.scheduleTask(in: .milliseconds(200)) { [self] in
            guard let current = hold, current.id == id else { return }
            if NIODeadline.now() >= current.deadline {
                var error = current.timeoutError
                error.fields.append((UInt8(ascii: "W"), "held \(proxy.approvalHold.nanoseconds / 1_000_000_000) s for approval \(current.id); nobody answered"))
                return endHold(.refuse(error))
            }
            // The pool gets the request's values, not the hold (which carries the session's
            // continuation); the answers come back on this loop.
            let (decision, context) = (current.decision, current.context)
            proxy.threads.runIfActive(eventLoop: channel.eventLoop) { [proxy] in
                proxy.gate.holdState(requestID: id, decision: decision, context: context)
            }.assumeIsolated().whenComplete { [self] result in
                guard hold?.id == id else { return }
                if case .success(.waiting) = result { return pollHold() }
                // Answered or frozen: the full pipeline decides (and records) now.
                proxy.threads.runIfActive(eventLoop: channel.eventLoop) { [proxy] () -> Verdict in
                    let decided = proxy.gate.finish(decision, context: context)
                    guard decided.verdict == .allow else { return .refuse(StatementDenial.error(for: decided)) }
                    return .allow(approvedOnce: true, recorded: proxy.recorded(decided, context: context))
                }.assumeIsolated().whenComplete { [self] result in
                    guard hold?.id == id else { return }
                    switch result {
                    case .success(let verdict): endHold(verdict)
                    case .failure(let error): endHold(.refuse(StatementDenial.refusal("the gate could not decide: \(error)")))
                    }
                }
            }
        }
    }

    /// A CancelRequest for this session: a held statement ends as a cancelled one does. One
    /// that arrives while the gate is still deciding (the request is being opened) is kept, and
    /// cancels the hold that decision starts.
    func cancelHold() {
        guard hold != nil else {
            if deciding { cancelPending = true }
            return
        }
        endHold(.refuse(Self.cancelled))
    }

    static let cancelled = ErrorFields(code: "57014", message: "canceling statement due to user request (it was held for an Airlock approval)")

    /// A CancelRequest came while the gate decided on the statement in front.
    var cancelPending = false

    private func endHold(_ verdict: Verdict) {
        guard let current = hold else { return }
        hold = nil
        deciding = false
        guard case .ready = phase else { return }
        current.then(verdict)
        drain()
    }

    /// Statements that make a transaction's changes permanent.
    static let transactionEnds: Set<String> = ["COMMIT", "PREPARE TRANSACTION", "COMMIT PREPARED"]

    /// Whether an allowed decision's record must be on disk before the statement goes on. A
    /// record must be durable before what it allows can change data for good: a statement
    /// outside a transaction block (it commits on its own) or one that commits. Inside a block,
    /// changes only last once COMMIT runs, and COMMIT waits for every record queued before it
    /// (the writer writes in order), so those records are queued without waiting; a crash
    /// before COMMIT also ends the server's transaction. Reads change nothing.
    private func mustBeDurable(_ decision: Decision, endsTransaction: Bool) -> Bool {
        if endsTransaction { return true }
        if decision.commands.allSatisfy({ $0.command.effect == .read }) { return false }
        return !inTransactionBlock
    }

    private func blocking(_ work: @escaping @Sendable () -> Verdict, classes: [String], then: @escaping (Verdict) -> Void) {
        guard let channel else { return }
        resume(after: proxy.threads.runIfActive(eventLoop: channel.eventLoop, work), classes: classes, then: then)
    }

    /// Holds later client messages until `future` has the verdict, then goes on with them.
    private func resume(after future: EventLoopFuture<Verdict>, classes: [String], then: @escaping (Verdict) -> Void) {
        deciding = true
        // Called on the channel's loop, where `future` completes: `then` never leaves it.
        future.assumeIsolated().whenComplete { [self] result in
            deciding = false
            awaitingRecord = false
            let verdict: Verdict
            switch result {
            case .success(let decided): verdict = decided
            case .failure(let error): verdict = .refuse(StatementDenial.refusal("the gate could not decide: \(error)"))
            }
            switch verdict {
            case .allow, .hold: proxy.stats.statement(classes: classes, denied: false)
            case .refuse: proxy.stats.statement(classes: classes, denied: true)
            }
            // A cancel during the decision cancels a hold it starts (above), nothing else:
            // the server gets the cancel itself for a statement that runs.
            if case .hold = verdict {} else { cancelPending = false }
            guard case .ready = phase else { return }
            then(verdict)
            drain()
        }
    }

    // MARK: Refusals of the proxy's own

    /// A statement sent over the extended protocol that a rule caps: the rows are counted only
    /// for a simple Query.
    static let extendedCapRule = MatchedRule(
        id: "proxy-cap-needs-simple-query", kind: .analysis,
        reason: "a rule caps how many rows this statement may change, and Airlock counts them only for a statement sent as a simple query",
        suggestion: "send it as a simple query (psql, or your driver's simple-protocol option), or ask for the rule's cap to be lifted")

    /// Why a statement that needs a person's approval cannot have one when it arrives in a
    /// Parse, or nil when it can. Refused before a request is opened: a request nobody can
    /// use is noise in a person's queue.
    static func unapprovable(_ parse: Frontend.Parse, _ decision: Decision) -> MatchedRule? {
        // The person must see the values, and a prepared statement could run many times
        // under one approval.
        if parse.name != "" || hasParameters(parse) {
            return MatchedRule(
                id: "proxy-approval-needs-exact-statement", kind: .analysis,
                reason: "this statement needs a person's approval, and an approval covers one exact statement with its values",
                suggestion: "send it as a simple query with the values written out (no $1 parameters, no named prepared statement); Airlock then opens an approval request for it")
        }
        // The journal's pre-images and snapshots are taken around a simple Query's one round
        // trip; an approved change it cannot journal must not run without its way back.
        if let kind = decision.commands.lazy.compactMap({ $0.command.sql?.kind }).first(where: { GuardPlan.journaled.contains($0) }) {
            return MatchedRule(
                id: "proxy-approval-needs-simple-query", kind: .analysis,
                reason: "this \(kind) needs a person's approval, and Airlock journals an approved \(kind) (so `airlock undo` can restore it) only when it is sent as a simple query",
                suggestion: "send it as a simple query (psql, or your driver's simple-protocol option); Airlock then opens an approval request for it")
        }
        return nil
    }

    /// Records a refusal the proxy makes (not the policy) in the audit log, like any denial,
    /// then answers with it; later messages wait, as behind any decision.
    private func refuseAndRecord(_ denied: Decision, context: Context, then: @escaping (ErrorFields) -> Void) {
        let classes = denied.commands.compactMap { $0.command.sql?.sqlClass.rawValue }
        queueDeferredRecords()
        blocking({ [proxy] () -> Verdict in
            try? proxy.gate.flush()
            return .refuse(StatementDenial.error(for: proxy.gate.finish(denied, context: context)))
        }, classes: classes, then: { verdict in
            if case .refuse(let error) = verdict { then(error) }
        })
    }

    static func hasParameters(_ parse: Frontend.Parse) -> Bool {
        if !parse.parameterTypes.isEmpty { return true }
        var previous: UInt8 = 0
        for byte in parse.text.utf8 {
            if previous == UInt8(ascii: "$"), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { return true }
            previous = byte
        }
        return false
    }

    // MARK: Output

    // Messages are gathered per direction and written once per read: one buffer and one
    // system call for a whole response, not one per message.
    private var toClient = ByteBuffer()
    private var toUpstream = ByteBuffer()

    func send(_ frame: PostgresFrame) {
        frame.write(into: &toClient)
    }

    func forward(_ frame: PostgresFrame) {
        frame.write(into: &toUpstream)
    }

    /// Writes what is gathered (the server's part waits while `awaitingRecord`); returns the
    /// client write's future when there was one.
    @discardableResult
    func flush() -> EventLoopFuture<Void>? {
        var written: EventLoopFuture<Void>?
        if toClient.readableBytes > 0, let channel {
            written = channel.writeAndFlush(toClient)
            toClient = channel.allocator.buffer(capacity: 512)
        }
        if toUpstream.readableBytes > 0, !awaitingRecord, let upstream {
            upstream.writeAndFlush(toUpstream, promise: nil)
            toUpstream = upstream.allocator.buffer(capacity: 512)
        }
        return written
    }

    private func wire(_ frame: PostgresFrame) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(frame.body.readableBytes + 5)
        frame.write(into: &buffer)
        return buffer
    }

    /// Ends the session with an error the client can read.
    func fail(_ error: ErrorFields) {
        if case .closed = phase { return }
        abandonResults()
        var fatal = error
        if let index = fatal.fields.firstIndex(where: { $0.code == UInt8(ascii: "S") }) { fatal.fields[index].value = "FATAL" }
        if let index = fatal.fields.firstIndex(where: { $0.code == UInt8(ascii: "V") }) { fatal.fields[index].value = "FATAL" }
        send(fatal.frame())
        toUpstream.clear()
        let written = flush()
        phase = .closed
        proxy.stats.closed()
        if let written { written.whenComplete { [channel] _ in channel?.close(promise: nil) } } else { channel?.close(promise: nil) }
        upstream?.close(promise: nil)
        upstream = nil
    }
}

/// Reads the upstream channel into its session.
final class UpstreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private weak var session: ClientSession?

    init(session: ClientSession) {
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        session?.upstreamRead(&bytes)
    }

    func channelInactive(context: ChannelHandlerContext) {
        session?.upstreamClosed()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        session?.upstreamWritabilityChanged(context.channel.isWritable)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
