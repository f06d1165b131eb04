import AirlockPostgresWire
import Foundation
import NIOCore
import NIOSSL
import NIOTLS

// TLS on both sides of the proxy. PostgreSQL negotiates it inside its own protocol: the client
// sends an 8-byte SSLRequest in the clear, the server answers one byte (`S` or `N`), and on `S`
// the TLS handshake starts on the same connection. Both directions share the same trap: bytes
// that arrive in the clear after the request or its answer, before the handshake, must never be
// read as if they had come through TLS (CVE-2021-23214 on the server side, CVE-2021-23222 on the
// client side): someone in the middle could have put them there.

extension PostgresProxy {
    /// TLS towards agents: the proxy's certificate and key (PEM files), and whether a client
    /// that does not ask for TLS is refused.
    public struct ClientTLS: Sendable, Equatable {
        /// The certificate chain, leaf first (PEM).
        public var certificateFile: String
        /// The leaf certificate's private key (PEM, not encrypted).
        public var keyFile: String
        /// Refuse a StartupMessage sent in the clear (SQLSTATE 28000). When false, clients
        /// choose: TLS if they send SSLRequest, the clear otherwise.
        public var required: Bool

        public init(certificateFile: String, keyFile: String, required: Bool = false) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.required = required
        }
    }
}

/// A TLS file or setting that does not work, in words naming the file and what to do.
public struct ProxyTLSError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Builds the TLS contexts once, at start, so a bad certificate, key or CA file stops the proxy
/// before any agent connects rather than failing each connection.
enum ProxyTLS {
    /// PostgreSQL's own default floor (ssl_min_protocol_version): nothing older than TLS 1.2.
    static let minimumVersion = TLSVersion.tlsv12

    /// The server side, for agents.
    static func serverContext(_ settings: PostgresProxy.ClientTLS) throws -> NIOSSLContext {
        let chain = try certificates(settings.certificateFile, what: "TLS certificate file (--tls-cert)")
        let keyBytes = try read(settings.keyFile, what: "TLS key file (--tls-key)")
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw ProxyTLSError(
                "the TLS key file (--tls-key) \(settings.keyFile) holds no readable PEM private key (an encrypted key is not supported: decrypt it with `openssl pkey -in KEY -out KEY.plain`): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = minimumVersion
        do {
            // BoringSSL checks here that the key belongs to the leaf certificate.
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ProxyTLSError(
                "the TLS key file (--tls-key) \(settings.keyFile) does not match the certificate in \(settings.certificateFile) (or one of them is unusable): give the key the certificate was issued for (\(error))")
        }
    }

    /// The client side, towards an upstream; nil for `tls: disable`.
    static func upstreamContext(_ upstream: Upstream) throws -> NIOSSLContext? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = minimumVersion
        switch upstream.tls {
        case .disable:
            return nil
        case .require:
            // libpq's require: encrypted against a passive listener, the peer not authenticated.
            configuration.certificateVerification = .none
        case .verifyCA, .verifyFull:
            guard let caFile = upstream.tlsCAFile else {
                throw ProxyTLSError("upstream '\(upstream.name)': tls \(upstream.tls.rawValue) needs tls_ca_file in upstreams.yaml")
            }
            let roots = try certificates(caFile, what: "tls_ca_file of upstream '\(upstream.name)'")
            configuration.trustRoots = .certificates(roots)
            configuration.certificateVerification = upstream.tls == .verifyFull ? .fullVerification : .noHostnameVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ProxyTLSError("upstream '\(upstream.name)': cannot set up TLS (tls: \(upstream.tls.rawValue)): \(error)")
        }
    }

    /// The name the server's certificate must carry, for SNI and verify-full. NIOSSL refuses an
    /// IP address as SNI and, given none, checks the certificate against the peer's address: so
    /// an IP address upstream is verified by its IP subject alternative name.
    static func serverHostname(_ upstream: Upstream) -> String? {
        var v4 = in_addr(), v6 = in6_addr()
        let isAddress = upstream.host.withCString { inet_pton(AF_INET, $0, &v4) == 1 || inet_pton(AF_INET6, $0, &v6) == 1 }
        return isAddress ? nil : upstream.host
    }

    private static func read(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProxyTLSError("cannot read the \(what) \(path): check that it exists and that the proxy's user may read it")
        }
        return Array(data)
    }

    private static func certificates(_ path: String, what: String) throws -> [NIOSSLCertificate] {
        let bytes = try read(path, what: what)
        let parsed = try? NIOSSLCertificate.fromPEMBytes(bytes)
        guard let parsed, !parsed.isEmpty else {
            throw ProxyTLSError("the \(what) \(path) holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)")
        }
        return parsed
    }

    /// What the proxy tells an agent when TLS to its upstream fails, with what to check.
    static func describe(_ error: any Error, upstream: Upstream) -> String {
        let prefix = "TLS to upstream '\(upstream.name)' at \(upstream.location) failed"
        switch error {
        case let error as ProxyTLSError:
            return error.message
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "\(prefix): the server's certificate does not name \(upstream.host) (tls: verify-full); connect by a name the certificate carries, or fix the certificate"
        case NIOSSLError.handshakeFailed(let reason):
            if upstream.tls.verifiesCertificate, "\(reason)".contains("CERTIFICATE_VERIFY_FAILED") {
                return "\(prefix): the server's certificate does not verify against tls_ca_file \(upstream.tlsCAFile ?? ""); check that this file holds the CA that signed the server's certificate, and that the certificate has not expired"
            }
            return "\(prefix) during the handshake: \(reason)"
        default:
            return "\(prefix): \(error)"
        }
    }
}

/// Asks an upstream server for TLS as libpq does, on a freshly connected channel: sends
/// SSLRequest, reads the one-byte answer, puts `NIOSSLClientHandler` in front and waits for the
/// handshake. `done` succeeds once the channel is encrypted (the StartupMessage or the
/// CancelRequest may be written then) and fails with a `ProxyTLSError` otherwise, after which
/// the channel is closed. Removes itself when done.
final class UpstreamTLSNegotiator: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle, awaitingAnswer, handshaking, finished
    }

    // Confined to the channel's event loop: every method below runs there.
    private var state = State.idle
    private var deadline: Scheduled<Void>?
    private let sslContext: NIOSSLContext
    private let upstream: Upstream
    let done: EventLoopPromise<Void>

    init(sslContext: NIOSSLContext, upstream: Upstream, eventLoop: any EventLoop) {
        self.sslContext = sslContext
        self.upstream = upstream
        done = eventLoop.makePromise()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendRequest(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendRequest(context: context)
        context.fireChannelActive()
    }

    /// A server that accepts the connection and never answers or never finishes the
    /// handshake must not hold a session (or a cancel) forever.
    static let timeout = TimeAmount.seconds(10)

    private func sendRequest(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        state = .awaitingAnswer
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: Self.timeout) {
            let (negotiator, context) = loopBound.value
            negotiator.fail(context: context, "upstream '\(negotiator.upstream.name)' at \(negotiator.upstream.location) did not complete TLS negotiation within \(Self.timeout.nanoseconds / 1_000_000_000) seconds")
        }
        var request = context.channel.allocator.buffer(capacity: 8)
        request.writeInteger(Int32(8))
        request.writeInteger(PostgresWire.sslRequestCode)
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .awaitingAnswer = state else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        guard let answer = bytes.readInteger(as: UInt8.self) else { return }
        let location = "upstream '\(upstream.name)' at \(upstream.location)"
        guard bytes.readableBytes == 0 else {
            // CVE-2021-23222: bytes after the `S`, sent before any handshake, are not the
            // server's over TLS; reading them later as if they were would let a man in the
            // middle answer for the server.
            return fail(context: context, "\(location) sent data in the clear after answering SSLRequest, before the TLS handshake: refused, since someone in the middle may have injected it")
        }
        switch answer {
        case UInt8(ascii: "S"):
            state = .handshaking
            do {
                let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: ProxyTLS.serverHostname(upstream))
                try context.pipeline.syncOperations.addHandler(handler, position: .first)
            } catch {
                fail(context: context, "\(location): cannot start TLS: \(error)")
            }
        case UInt8(ascii: "N"):
            fail(context: context, "\(location): server does not support TLS, and upstreams.yaml asks for tls: \(upstream.tls.rawValue); turn ssl on in the server's postgresql.conf, or set tls: disable if the network is trusted")
        case UInt8(ascii: "E"):
            fail(context: context, "\(location) answered SSLRequest with an error: it is not a PostgreSQL server that speaks TLS")
        default:
            fail(context: context, "\(location) answered SSLRequest with byte \(answer), not S or N: it is not a PostgreSQL server")
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshaking = state, let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            state = .finished
            deadline?.cancel()
            context.fireUserInboundEventTriggered(event)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            done.succeed(())
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .awaitingAnswer, .handshaking, .idle:
            fail(context: context, ProxyTLS.describe(error, upstream: upstream))
        case .finished:
            context.fireErrorCaught(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .finished = state {} else {
            state = .finished
            done.fail(ProxyTLSError("upstream '\(upstream.name)' at \(upstream.location) closed the connection during TLS negotiation"))
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .finished = state { return }
        state = .finished
        done.fail(ProxyTLSError("upstream '\(upstream.name)' at \(upstream.location): the connection ended before TLS was set up"))
    }

    /// Fulfils `done` if nothing else has (the connection failed before this handler saw it),
    /// so no promise is left pending.
    func abandon() {
        guard state != .finished else { return }
        state = .finished
        done.fail(ProxyTLSError("upstream '\(upstream.name)' at \(upstream.location): no connection to negotiate TLS on"))
    }

    /// Fails `done` first (its callbacks then end the session with this message), then closes.
    private func fail(context: ChannelHandlerContext, _ message: String) {
        guard state != .finished else { return }
        state = .finished
        deadline?.cancel()
        done.fail(ProxyTLSError(message))
        context.close(promise: nil)
    }
}
