import AirlockPostgresWire
import Foundation
import NIOCore
import NIOSSL

// TLS towards agents. PostgreSQL negotiates it inside its own protocol: the client sends an
// 8-byte SSLRequest in the clear, the server answers one byte (`S` or `N`), and on `S` the TLS
// handshake starts on the same connection. Bytes that arrive in the clear after the request,
// before the handshake, must never be read as if they had come through TLS (CVE-2021-23214):
// someone in the middle could have put them there.

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

/// Builds the TLS context once, at start, so a bad certificate or key stops the proxy before any
/// agent connects rather than failing each connection.
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

}
