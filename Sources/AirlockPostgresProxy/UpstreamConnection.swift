import AirlockPostgresWire
import NIOCore
import NIOPosix
import Synchronization

/// Airlock's own connection to an upstream, with Airlock's credentials: what the undo journal
/// snapshots tables and restores entries over. Never an agent's session, never judged by the
/// gate: only Airlock's code sends SQL here.
///
/// A small async client for the simple query protocol and COPY in both directions. Reading is
/// pull-based (the channel does not auto-read; the next frames are read when the caller asks
/// for them), so a COPY of a large table streams through at the caller's pace without being
/// buffered whole.
///
/// One operation at a time: the class is `@unchecked Sendable` so it can be handed between
/// tasks, and an operation started while another runs throws instead of interleaving frames.
public final class UpstreamConnection: @unchecked Sendable {
    public let upstream: Upstream
    private let channel: any Channel
    private let reader: NIOLoopBound<UpstreamFrameReader>
    /// Frames read from the server and not yet handled (touched only inside an operation).
    private var pending: [PostgresFrame] = []
    private var pendingIndex = 0
    private let state = Mutex(State())

    private struct State {
        var busy = false
        var closed = false
        var parameters: [String: String] = [:]
        var transactionStatus: UInt8 = UInt8(ascii: "I")
        var backendKey: (processID: Int32, secretKey: Int32)?
    }

    /// Settings every connection starts with, so text values have one meaning whatever the
    /// server's or role's defaults: UTF-8, ISO dates, PostgreSQL intervals, floats exactly.
    /// `connect(settings:)` adds to and overrides them.
    public static let baseSettings: [String: String] = [
        "application_name": "airlock", "client_encoding": "UTF8", "DateStyle": "ISO, MDY", "IntervalStyle": "postgres", "extra_float_digits": "3",
        "standard_conforming_strings": "on",
    ]

    private init(upstream: Upstream, channel: any Channel, reader: NIOLoopBound<UpstreamFrameReader>) {
        self.upstream = upstream
        self.channel = channel
        self.reader = reader
    }

    /// Connects and logs in as the upstream's user to its database, with `baseSettings` and
    /// `settings` (say `lock_timeout`) as start-up parameters. Throws `UpstreamError` naming
    /// the upstream when it cannot be reached or refuses the login.
    public static func connect(
        to upstream: Upstream, password: String?, group: any EventLoopGroup, settings: [String: String] = [:]
    ) async throws -> UpstreamConnection {
        let loop = group.next()
        let channel: any Channel
        // With `tls:` set, the channel is encrypted (SSLRequest, then the handshake) before
        // the StartupMessage, as the proxy's own upstream sessions do.
        let negotiator = try ProxyTLS.upstreamContext(upstream).map { UpstreamTLSNegotiator(sslContext: $0, upstream: upstream, eventLoop: loop) }
        // Its promise is fulfilled whatever happens (a connect that failed never reached it).
        defer { if let negotiator { loop.execute { negotiator.abandon() } } }
        do {
            channel = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let negotiator { try channel.pipeline.syncOperations.addHandler(negotiator) }
                        try channel.pipeline.syncOperations.addHandler(UpstreamFrameReader())
                    }
                }
                .connect(host: upstream.host, port: upstream.port).get()
            // The TLS handshake needs reads; the frame reader pulls at its own pace after it.
            if let negotiator { try await negotiator.done.futureResult.get() }
            try await channel.setOption(.autoRead, value: false).get()
        } catch let error as ProxyTLSError {
            throw UpstreamError(error.message)
        } catch {
            throw UpstreamError("cannot reach upstream '\(upstream.name)' at \(upstream.location): \(error)")
        }
        let reader = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: UpstreamFrameReader.self), eventLoop: channel.eventLoop)
        }.get()
        let connection = UpstreamConnection(upstream: upstream, channel: channel, reader: reader)
        do {
            try await connection.login(password: password, settings: baseSettings.merging(settings) { $1 })
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// The server's reported parameters (server_version, client_encoding, DateStyle, …).
    public var parameters: [String: String] { state.withLock { $0.parameters } }

    /// `I` idle, `T` in a transaction block, `E` in a failed one, as the last ReadyForQuery said.
    public var transactionStatus: Character { Character(Unicode.Scalar(state.withLock { $0.transactionStatus })) }

    /// The server process's id and cancel key.
    public var backendKey: (processID: Int32, secretKey: Int32)? { state.withLock { $0.backendKey } }

    public var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: Operations

    /// Runs `sql` (one or more statements) with the simple query protocol; returns every row
    /// of every statement as text (nil for NULL). A server error throws `UpstreamQueryError`.
    @discardableResult
    public func simpleQuery(_ sql: String) async throws -> [[String?]] {
        try await query(sql).rows
    }

    /// `simpleQuery` with the command tags (`UPDATE 3`) and the last statement's fields.
    @discardableResult
    public func query(_ sql: String) async throws -> UpstreamQueryResult {
        try await exclusive {
            try await send([Frontend.queryFrame(sql)])
            var result = UpstreamQueryResult()
            var failure: ErrorFields?
            while true {
                let frame = try await nextFrame()
                switch frame.type {
                case Backend.rowDescription:
                    result.fields = try Backend.readRowDescription(frame.body)
                case Backend.dataRow:
                    result.values.append(try Backend.readDataRow(frame.body))
                case Backend.commandComplete:
                    result.commandTags.append(Backend.readCommandTag(frame.body) ?? "")
                case Backend.errorResponse:
                    failure = try ErrorFields(frame.body)
                case Backend.copyInResponse:
                    try await send([Frontend.copyFailFrame("Airlock's query sends no COPY data; use copyIn")])
                case Backend.readyForQuery:
                    if let failure { throw UpstreamQueryError(upstream: upstream.name, fields: failure, statement: sql) }
                    return result
                default:
                    try handleOther(frame)
                }
            }
        }
    }

    /// Runs `COPY … TO STDOUT` and hands each CopyData's bytes to `body` as they arrive;
    /// returns the rows the server counted. If `body` throws, the connection is closed (a COPY
    /// out cannot be stopped mid-stream otherwise) and its error rethrown.
    @discardableResult
    public func copyOut(_ sql: String, into body: (ByteBuffer) throws -> Void) async throws -> Int {
        try await exclusive {
            try await send([Frontend.queryFrame(sql)])
            var failure: ErrorFields?
            var rows = 0
            while true {
                let frame = try await nextFrame()
                switch frame.type {
                case Backend.copyData:
                    do { try body(frame.body) } catch {
                        close()
                        throw error
                    }
                case Backend.copyOutResponse, Backend.copyDone:
                    break
                case Backend.commandComplete:
                    rows = Backend.rows(inTag: Backend.readCommandTag(frame.body) ?? "") ?? 0
                case Backend.errorResponse:
                    failure = try ErrorFields(frame.body)
                case Backend.copyInResponse:
                    try await send([Frontend.copyFailFrame("copyOut expects COPY … TO STDOUT")])
                case Backend.readyForQuery:
                    if let failure { throw UpstreamQueryError(upstream: upstream.name, fields: failure, statement: sql) }
                    return rows
                default:
                    try handleOther(frame)
                }
            }
        }
    }

    /// Runs `COPY … FROM STDIN`, sending the chunks `next` returns until it returns nil, then
    /// CopyDone; returns the rows the server counted. If `next` throws, the COPY is failed
    /// (CopyFail, so nothing of it is kept) and the error rethrown. `progress` gets the bytes
    /// sent so far after each chunk.
    @discardableResult
    public func copyIn(_ sql: String, from next: () throws -> [UInt8]?, progress: (Int) -> Void = { _ in }) async throws -> Int {
        try await exclusive {
            try await send([Frontend.queryFrame(sql)])
            var failure: ErrorFields?
            var sourceError: (any Error)?
            var rows = 0
            while true {
                let frame = try await nextFrame()
                switch frame.type {
                case Backend.copyInResponse:
                    sourceError = try await sendCopyData(next, progress: progress)
                case Backend.commandComplete:
                    rows = Backend.rows(inTag: Backend.readCommandTag(frame.body) ?? "") ?? 0
                case Backend.errorResponse:
                    failure = try ErrorFields(frame.body)
                case Backend.copyOutResponse, Backend.copyData, Backend.copyDone:
                    break
                case Backend.readyForQuery:
                    if let sourceError { throw sourceError }
                    if let failure { throw UpstreamQueryError(upstream: upstream.name, fields: failure, statement: sql) }
                    return rows
                default:
                    try handleOther(frame)
                }
            }
        }
    }

    /// `copyIn` from a sequence of chunks.
    @discardableResult
    public func copyIn(_ sql: String, chunks: some Sequence<[UInt8]>, progress: (Int) -> Void = { _ in }) async throws -> Int {
        var iterator = chunks.makeIterator()
        return try await copyIn(sql, from: { iterator.next() }, progress: progress)
    }

    /// Ends the session (Terminate) and closes the connection. Safe to call more than once.
    public func close() {
        let wasClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !wasClosed else { return }
        var buffer = channel.allocator.buffer(capacity: 5)
        Frontend.terminateFrame.write(into: &buffer)
        let channel = self.channel
        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: Private

    private func login(password: String?, settings: [String: String]) async throws {
        var parameters = [StartupParameter(name: "user", value: upstream.user), StartupParameter(name: "database", value: upstream.database)]
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) { parameters.append(StartupParameter(name: name, value: value)) }
        var buffer = channel.allocator.buffer(capacity: 256)
        StartupMessage.encodeStartup(parameters, into: &buffer)
        try await channel.writeAndFlush(buffer).get()
        var login = UpstreamLogin(user: upstream.user, password: password)
        while true {
            let frame = try await nextFrame()
            switch frame.type {
            case Backend.authentication:
                let (code, data) = try Backend.readAuthentication(frame.body)
                do {
                    if let reply = try login.respond(code: code, data: data) { try await send([reply]) }
                } catch {
                    throw UpstreamError("upstream '\(upstream.name)': Airlock cannot log in: \(error)")
                }
            case Backend.errorResponse:
                let fields = try ErrorFields(frame.body)
                throw UpstreamError(
                    "upstream '\(upstream.name)' refused Airlock's login as \(upstream.user): \(fields.message ?? "unknown error")"
                        + " (SQLSTATE \(fields.code ?? "?")); check its user, database and password in upstreams.yaml")
            case Backend.readyForQuery:
                state.withLock { $0.transactionStatus = Backend.readStatus(frame.body) ?? UInt8(ascii: "I") }
                return
            case Backend.backendKeyData:
                let key = Backend.readBackendKey(frame.body)
                state.withLock { $0.backendKey = key }
            default:
                try handleOther(frame)
            }
        }
    }

    /// Sends CopyData messages of up to 256 KiB, flushing as they fill; then CopyDone, or
    /// CopyFail with the error `next` threw (returned, to rethrow after the server's answer).
    private func sendCopyData(_ next: () throws -> [UInt8]?, progress: (Int) -> Void) async throws -> (any Error)? {
        var buffer = channel.allocator.buffer(capacity: 1 << 18)
        var sent = 0
        while true {
            let chunk: [UInt8]?
            do { chunk = try next() } catch {
                if buffer.readableBytes > 0 { try await channel.writeAndFlush(buffer).get() }
                try await send([Frontend.copyFailFrame("Airlock stopped the restore: \(error)")])
                return error
            }
            guard let chunk else { break }
            var offset = 0
            while offset < chunk.count {
                let piece = chunk[offset..<min(chunk.count, offset + (1 << 18))]
                buffer.writeInteger(Frontend.copyData)
                buffer.writeInteger(Int32(piece.count + 4))
                buffer.writeBytes(piece)
                offset += piece.count
                if buffer.readableBytes >= 1 << 18 {
                    try await channel.writeAndFlush(buffer).get()
                    buffer = channel.allocator.buffer(capacity: 1 << 18)
                }
            }
            sent += chunk.count
            progress(sent)
        }
        Frontend.copyDoneFrame.write(into: &buffer)
        try await channel.writeAndFlush(buffer).get()
        return nil
    }

    /// ParameterStatus, notices and the like, which may come at any time.
    private func handleOther(_ frame: PostgresFrame) throws {
        switch frame.type {
        case Backend.parameterStatus:
            var body = frame.body
            if let name = body.readNullTerminatedString(), let value = body.readNullTerminatedString() {
                state.withLock { $0.parameters[name] = value }
            }
        case Backend.readyForQuery:
            state.withLock { $0.transactionStatus = Backend.readStatus(frame.body) ?? UInt8(ascii: "I") }
        default:
            break  // notices, NegotiateProtocolVersion, EmptyQueryResponse, CommandComplete
        }
    }

    private func send(_ frames: [PostgresFrame]) async throws {
        var buffer = channel.allocator.buffer(capacity: 256)
        for frame in frames { frame.write(into: &buffer) }
        do { try await channel.writeAndFlush(buffer).get() } catch {
            throw UpstreamError("upstream '\(upstream.name)': cannot send to the server: \(error)")
        }
    }

    private func nextFrame() async throws -> PostgresFrame {
        if pendingIndex < pending.count {
            defer { pendingIndex += 1 }
            return pending[pendingIndex]
        }
        let reader = self.reader
        let frames: [PostgresFrame]
        do {
            let (loop, channel) = (channel.eventLoop, self.channel)
            // A cancelled task (the proxy shutting down) closes the connection, which ends
            // the wait with an error instead of leaving it parked on a server that is slow
            // or silent.
            frames = try await withTaskCancellationHandler {
                try await loop.flatSubmit { reader.value.take(on: loop) }.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            state.withLock { $0.closed = true }
            throw UpstreamError("upstream '\(upstream.name)': \(error)")
        }
        pending = frames
        pendingIndex = 1
        return frames[0]
    }

    private func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        guard !Task.isCancelled else { throw UpstreamError("the operation on upstream '\(upstream.name)' was cancelled") }
        try state.withLock { state in
            guard !state.closed else { throw UpstreamError("the connection to upstream '\(upstream.name)' is closed") }
            guard !state.busy else { throw UpstreamError("the connection to upstream '\(upstream.name)' is busy with another operation") }
            state.busy = true
        }
        defer { state.withLock { $0.busy = false } }
        return try await body()
    }
}

/// What `UpstreamConnection.query` returns.
public struct UpstreamQueryResult: Sendable {
    /// Every row of every statement: each value's bytes as the server sent them in text
    /// format (nil for NULL), ready for `JournalEntryWriter.append(row:table:)`.
    public var values: [[[UInt8]?]] = []
    /// `values` as strings (UTF-8, which Airlock's connections ask for).
    public var rows: [[String?]] { values.map { $0.map { $0.map { String(decoding: $0, as: UTF8.self) } } } }
    /// The last result's fields.
    public var fields: [Backend.Field] = []
    /// One tag per statement that completed (`UPDATE 3`, `BEGIN`).
    public var commandTags: [String] = []

    /// The row count of the last command tag that has one.
    public var rowsAffected: Int? { commandTags.reversed().lazy.compactMap { Backend.rows(inTag: $0) }.first }
}

/// An error the server reported, with its fields, naming the upstream.
public struct UpstreamQueryError: Error, Sendable, CustomStringConvertible {
    public var upstream: String
    public var fields: ErrorFields
    /// The SQL that failed (for messages; may be long).
    public var statement: String

    public init(upstream: String, fields: ErrorFields, statement: String) {
        self.upstream = upstream
        self.fields = fields
        self.statement = statement
    }

    /// The SQLSTATE.
    public var code: String? { fields.code }

    public var description: String {
        var text = "upstream '\(upstream)': \(fields["S"] ?? "ERROR"): \(fields.message ?? "unknown error") (SQLSTATE \(fields.code ?? "?"))"
        if let detail = fields["D"] { text += "; \(detail)" }
        if let hint = fields["H"] { text += "; hint: \(hint)" }
        return text
    }
}

/// Splits the server's bytes into frames and hands them out in batches, reading only when
/// asked: `take()` returns what is queued, or reads and waits for at least one frame. Lives on
/// its channel's event loop.
final class UpstreamFrameReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var context: ChannelHandlerContext?
    private var bytes = ByteBuffer()
    private var queue: [PostgresFrame] = []
    private var waiting: EventLoopPromise<[PostgresFrame]>?
    private var failure: (any Error)?
    private let splitter = FrameSplitter(maximumLength: 1 << 30)

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Called on `loop`, the channel's event loop.
    func take(on loop: any EventLoop) -> EventLoopFuture<[PostgresFrame]> {
        if !queue.isEmpty {
            let frames = queue
            queue = []
            return loop.makeSucceededFuture(frames)
        }
        if let failure { return loop.makeFailedFuture(failure) }
        guard let context else { return loop.makeFailedFuture(UpstreamClosed()) }
        let promise = loop.makePromise(of: [PostgresFrame].self)
        waiting = promise
        context.read()
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        bytes.writeBuffer(&incoming)
        do {
            while let frame = try splitter.next(&bytes) { queue.append(frame) }
            if bytes.readerIndex > 1 << 16 { bytes.discardReadBytes() }
        } catch {
            fail(error, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let promise = waiting else { return }
        if queue.isEmpty {
            context.read()  // a frame is still incomplete
        } else {
            waiting = nil
            let frames = queue
            queue = []
            promise.succeed(frames)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if failure == nil { failure = UpstreamClosed() }
        guard let promise = waiting else { return }
        waiting = nil
        if queue.isEmpty {
            promise.fail(failure ?? UpstreamClosed())
        } else {
            let frames = queue
            queue = []
            promise.succeed(frames)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        if failure == nil { failure = error }
        if let promise = waiting {
            waiting = nil
            promise.fail(error)
        }
        context.close(promise: nil)
    }
}

/// The server closed the connection (or it broke).
struct UpstreamClosed: Error, CustomStringConvertible {
    var description: String { "the server closed the connection" }
}
