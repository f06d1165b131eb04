import AirlockPostgresWire
import NIOCore

/// Airlock's own login to the upstream server: whatever the server asks for (trust, cleartext,
/// MD5, SCRAM-SHA-256), answered with the credentials from the upstream's configuration. The
/// server's SCRAM signature is checked, so a server that does not know the password is caught.
struct UpstreamLogin {
    let user: String
    let password: String?
    private var scram: SCRAMClientExchange?

    init(user: String, password: String?) {
        self.user = user
        self.password = password
    }

    /// The answer to an Authentication request, or nil when none is due.
    mutating func respond(code: Int32, data: ByteBuffer) throws -> PostgresFrame? {
        switch code {
        case 0:
            return nil
        case 3:
            return Frontend.passwordFrame(try needPassword("a cleartext password"))
        case 5:
            guard let salt = data.getBytes(at: data.readerIndex, length: 4) else { throw PostgresProtocolError("an MD5 request without its salt") }
            return Frontend.passwordFrame(PostgresMD5.response(user: user, password: try needPassword("an MD5 password"), salt: salt))
        case 10:
            var data = data
            var mechanisms: [String] = []
            while let mechanism = data.readNullTerminatedString(), !mechanism.isEmpty { mechanisms.append(mechanism) }
            guard mechanisms.contains("SCRAM-SHA-256") else {
                throw PostgresProtocolError("the server offers SASL mechanisms \(mechanisms) and Airlock speaks SCRAM-SHA-256 only")
            }
            let exchange = SCRAMClientExchange(password: try needPassword("SCRAM-SHA-256"), clientNonce: RandomText.nonce())
            scram = exchange
            return Frontend.saslInitialResponse(mechanism: "SCRAM-SHA-256", exchange.clientFirst)
        case 11:
            guard var exchange = scram else { throw PostgresProtocolError("a SASL continuation before SASL started") }
            let reply = try exchange.receiveServerFirst(Array(data.readableBytesView))
            scram = exchange
            return Frontend.saslResponse(reply)
        case 12:
            guard let exchange = scram else { throw PostgresProtocolError("a SASL final message before SASL started") }
            try exchange.receiveServerFinal(Array(data.readableBytesView))
            return nil
        default:
            throw PostgresProtocolError("the server asks for authentication method \(code), which Airlock does not speak (use scram-sha-256, md5 or password)")
        }
    }

    private func needPassword(_ method: String) throws -> String {
        guard let password else {
            throw PostgresProtocolError("the server asks for \(method) and no password is configured for this upstream (password_file or password_env)")
        }
        return password
    }
}
