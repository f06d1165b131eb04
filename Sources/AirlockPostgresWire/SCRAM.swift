import Crypto

// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: SASL mechanism "SCRAM-SHA-256",
// no channel binding, the user name taken from the startup message rather than from the SCRAM
// messages (libpq sends "n=" empty). Both sides are here: the server side authenticates agents
// to the proxy with their Airlock token, the client side logs the proxy in upstream.
//
// Every message is handled as bytes, never decoded to String first: the AuthMessage both sides
// sign is the exact bytes exchanged, and junk that is not UTF-8 must fail as cleanly as any
// other junk.

/// A PostgreSQL SCRAM-SHA-256 secret: what a server keeps instead of the password.
///
/// Its text form is PostgreSQL's own (`pg_authid.rolpassword`),
/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` with base64 fields, so a secret
/// can move between Airlock and PostgreSQL unchanged. Knowing it does not let anyone compute a
/// client proof offline (that needs the ClientKey, of which StoredKey is only the hash), but it
/// does let them pose as the server, and together with a recorded exchange it yields the
/// ClientKey: keep it as private as a password hash.
public struct SCRAMVerifier: Sendable, Hashable {
    /// PBKDF2 iterations the password was salted with.
    public var iterations: Int
    public var salt: [UInt8]
    /// H(ClientKey): checks a client's proof.
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key"): signs the server's final message.
    public var serverKey: [UInt8]

    public init(iterations: Int, salt: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// Reads PostgreSQL's text form; nil unless every part is present and well formed (a
    /// positive iteration count, a non-empty salt, 32-byte keys, canonical base64).
    public init?(parsing text: String) {
        let prefix = "SCRAM-SHA-256$"
        guard text.hasPrefix(prefix) else { return nil }
        let halves = text.dropFirst(prefix.count).split(separator: "$", omittingEmptySubsequences: false)
        guard halves.count == 2 else { return nil }
        let salting = halves[0].split(separator: ":", omittingEmptySubsequences: false)
        let keys = halves[1].split(separator: ":", omittingEmptySubsequences: false)
        guard salting.count == 2, keys.count == 2,
              let iterations = SCRAMText.decimal(Array(salting[0].utf8)), iterations > 0,
              let salt = SCRAMBase64.decode(salting[1].utf8), !salt.isEmpty,
              let storedKey = SCRAMBase64.decode(keys[0].utf8), storedKey.count == SCRAMCrypto.keyLength,
              let serverKey = SCRAMBase64.decode(keys[1].utf8), serverKey.count == SCRAMCrypto.keyLength
        else { return nil }
        self.init(iterations: iterations, salt: salt, storedKey: storedKey, serverKey: serverKey)
    }

    /// PostgreSQL's text form, as `init(parsing:)` reads it.
    public var text: String {
        "SCRAM-SHA-256$\(iterations):\(SCRAMBase64.encode(salt))$\(SCRAMBase64.encode(storedKey)):\(SCRAMBase64.encode(serverKey))"
    }

    /// The verifier for `password`, as PostgreSQL computes it for `CREATE ROLE … PASSWORD`.
    ///
    /// PostgreSQL first normalises the password with SASLprep (RFC 4013), except that it passes
    /// pure ASCII through unchanged (and falls back to the raw bytes when SASLprep refuses a
    /// password). So ASCII passwords, and Airlock's tokens, give PostgreSQL's exact verifier.
    /// Only that case is implemented: other passwords are used as their UTF-8 bytes, so one
    /// that NFKC or SASLprep's mappings would change (full-width letters, soft hyphens,
    /// non-ASCII spaces) gives a verifier, and a client proof, PostgreSQL would not accept.
    public static func make(password: String, salt: [UInt8], iterations: Int = 4096) -> SCRAMVerifier {
        let keys = SCRAMCrypto.keys(password: password, salt: salt, iterations: iterations)
        return SCRAMVerifier(iterations: iterations, salt: salt, storedKey: SCRAMCrypto.hash(keys.clientKey), serverKey: keys.serverKey)
    }
}

/// Why a SCRAM exchange failed, naming the cause.
///
/// The description is for the operator and the audit log. The peer must learn only that
/// authentication failed: an agent told `.unknownUser` rather than `.wrongPassword` could
/// enumerate agent names, so a door answers both with the same text (PostgreSQL's
/// "password authentication failed for user …").
public struct SCRAMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure, for code that reacts differently (e.g. counting bad passwords).
    public enum Kind: Sendable, Hashable {
        /// The message does not follow the grammar (missing or misplaced attribute, bad base64,
        /// unprintable nonce, truncation, junk).
        case malformed
        /// Well formed but asks for something not offered: channel binding, an authorization
        /// identity, a mandatory extension.
        case unsupported
        /// A message arrived when the exchange expected another, or after it ended.
        case outOfOrder
        /// The nonce does not continue the one the exchange began with.
        case nonceMismatch
        /// The client-final's channel binding is not the gs2 header of its client-first.
        case channelBindingMismatch
        /// The client's proof does not match the verifier.
        case wrongPassword
        /// The server had no verifier for this user; the exchange ran on a stand-in so the
        /// client could not tell until now.
        case unknownUser
        /// The server's signature does not match: it does not know the password's secret
        /// (an impostor between the proxy and PostgreSQL, or a wrong password it let through).
        case serverSignatureMismatch
        /// The server ended the exchange with `e=`.
        case serverError
        /// The server asked for an iteration count outside what the client accepts.
        case unacceptableIterations
        /// The exchange was set up with a nonce SCRAM cannot carry (a caller's mistake).
        case invalidSetup
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "SCRAM-SHA-256: \(message)" }
}

/// The server side of one SCRAM-SHA-256 exchange: how the proxy checks an agent's token.
///
/// Call `receiveClientFirst` with the SASLInitialResponse data, send back the returned
/// server-first (AuthenticationSASLContinue), then `receiveClientFinal` with the SASLResponse
/// data and send the returned server-final (AuthenticationSASLFinal). Any error ends the
/// exchange; every later call throws `.outOfOrder`.
///
/// An unknown user (nil verifier) is run to the end on a stand-in verifier whose salt is
/// derived from the server nonce, so the client sees a normal server-first and fails only at
/// the proof, exactly like a wrong password (`.unknownUser` is for the operator).
/// Because that salt changes with every nonce while a real agent's salt does not, a client that
/// connects twice can still tell the two apart; a caller that has a stable secret should pass
/// `unknownUserSalt` (see `SCRAMServerExchange.stableSalt(user:secret:)`), as PostgreSQL does
/// with its mock salt.
public struct SCRAMServerExchange: Sendable {
    private enum Phase: Sendable {
        case awaitingClientFirst
        case awaitingClientFinal(gs2Header: [UInt8], authPrefix: [UInt8], nonce: [UInt8])
        case finished
    }

    private let verifier: SCRAMVerifier
    private let knownUser: Bool
    private let serverNonce: [UInt8]
    private var phase = Phase.awaitingClientFirst

    /// `verifier` nil means no such user. `serverNonce` must be printable ASCII without commas
    /// (`RandomText.nonce()` is); a fresh one for every exchange.
    public init(verifier: SCRAMVerifier?, serverNonce: String, unknownUserSalt: [UInt8]? = nil) {
        self.serverNonce = Array(serverNonce.utf8)
        if let verifier {
            self.verifier = verifier
            knownUser = true
        } else {
            // A stand-in no password matches: random keys, and a salt that looks like any other.
            let salt = unknownUserSalt ?? Array(SCRAMCrypto.hash(Array("airlock scram stand-in salt ".utf8) + Array(serverNonce.utf8)).prefix(16))
            self.verifier = SCRAMVerifier(iterations: 4096, salt: salt, storedKey: RandomText.bytes(SCRAMCrypto.keyLength), serverKey: RandomText.bytes(SCRAMCrypto.keyLength))
            knownUser = false
        }
    }

    /// A salt for an unknown `user` that stays the same across connections (HMAC of the name
    /// under `secret`, a value the proxy keeps for its lifetime), so asking twice shows nothing.
    public static func stableSalt(user: String, secret: [UInt8]) -> [UInt8] {
        Array(SCRAMCrypto.hmac(key: secret, Array(user.utf8)).prefix(16))
    }

    /// Reads client-first (`n,,n=USER,r=NONCE`) and returns server-first (`r=…,s=…,i=…`).
    public mutating func receiveClientFirst(_ message: [UInt8]) throws(SCRAMError) -> [UInt8] {
        guard case .awaitingClientFirst = phase else { throw SCRAMError(.outOfOrder, "client-first-message received twice") }
        phase = .finished
        guard SCRAMText.isNonce(serverNonce[...]) else { throw SCRAMError(.invalidSetup, "the server nonce must be printable ASCII without commas") }
        let first = try SCRAMText.parseClientFirst(message)
        let nonce = first.clientNonce + serverNonce
        let serverFirst = Array("r=".utf8) + nonce + Array(",s=\(SCRAMBase64.encode(verifier.salt)),i=\(verifier.iterations)".utf8)
        phase = .awaitingClientFinal(gs2Header: first.gs2Header, authPrefix: first.bare + [UInt8(ascii: ",")] + serverFirst, nonce: nonce)
        return serverFirst
    }

    /// Reads client-final (`c=biws,r=NONCE,p=PROOF`), checks the channel binding, the nonce and
    /// the proof, and returns server-final (`v=SIGNATURE`).
    public mutating func receiveClientFinal(_ message: [UInt8]) throws(SCRAMError) -> [UInt8] {
        let current = phase
        // Whatever happens next, this exchange is over: a client gets one try.
        phase = .finished
        guard case .awaitingClientFinal(let gs2Header, let authPrefix, let nonce) = current else {
            throw SCRAMError(.outOfOrder, "client-final-message received before client-first or after the exchange ended")
        }
        let final = try SCRAMText.parseClientFinal(message)
        guard final.channelBinding == gs2Header else {
            throw SCRAMError(.channelBindingMismatch, "the channel binding (c=) does not repeat the client-first's gs2 header")
        }
        guard SCRAMCrypto.constantTimeEqual(final.nonce, nonce) else {
            throw SCRAMError(.nonceMismatch, "the nonce (r=) in client-final is not the one from server-first")
        }
        let authMessage = authPrefix + [UInt8(ascii: ",")] + final.withoutProof
        // ClientKey = proof XOR HMAC(StoredKey, AuthMessage); it is right when H(ClientKey) is StoredKey.
        let signature = SCRAMCrypto.hmac(key: verifier.storedKey, authMessage)
        let clientKey = SCRAMCrypto.xor(final.proof, signature)
        let matches = SCRAMCrypto.constantTimeEqual(SCRAMCrypto.hash(clientKey), verifier.storedKey)
        guard knownUser else { throw SCRAMError(.unknownUser, "no verifier for this user (the proof cannot match)") }
        guard matches else { throw SCRAMError(.wrongPassword, "the client's proof does not match the verifier: wrong password or token") }
        return Array("v=".utf8) + Array(SCRAMBase64.encode(SCRAMCrypto.hmac(key: verifier.serverKey, authMessage)).utf8)
    }
}

/// The client side of one SCRAM-SHA-256 exchange: how the proxy logs in to PostgreSQL.
///
/// Send `clientFirst` in a SASLInitialResponse, pass the AuthenticationSASLContinue data to
/// `receiveServerFirst` and send what it returns in a SASLResponse, then pass the
/// AuthenticationSASLFinal data to `receiveServerFinal`. Only when that returns has the
/// server proved it holds the password's secret: do not forward anything before.
public struct SCRAMClientExchange: Sendable {
    /// The iteration counts accepted from a server: PostgreSQL's default and minimum for new
    /// secrets is 4096, and a very large count would let a hostile server burn our CPU.
    public static let acceptedIterations = 4096 ... 1_000_000

    private enum Phase: Sendable {
        case awaitingServerFirst
        case awaitingServerFinal(expectedSignature: [UInt8])
        case failed
    }

    private let password: String
    private let clientNonce: [UInt8]
    private let bare: [UInt8]
    private var phase = Phase.awaitingServerFirst

    /// `clientNonce` must be printable ASCII without commas (`RandomText.nonce()` is); a fresh
    /// one for every exchange.
    public init(password: String, clientNonce: String) {
        self.init(password: password, clientNonce: clientNonce, user: "")
    }

    /// With a user name in client-first: PostgreSQL ignores it (it uses the startup message's),
    /// so the proxy sends none; tests use it to replay RFC 7677's exchange byte for byte.
    init(password: String, clientNonce: String, user: String) {
        self.password = password
        self.clientNonce = Array(clientNonce.utf8)
        var name: [UInt8] = []
        for byte in user.utf8 {
            switch byte {
            case UInt8(ascii: ","): name += Array("=2C".utf8)
            case UInt8(ascii: "="): name += Array("=3D".utf8)
            default: name.append(byte)
            }
        }
        bare = Array("n=".utf8) + name + Array(",r=".utf8) + self.clientNonce
    }

    /// client-first-message: `n,,n=,r=NONCE` (no channel binding, user name left to the
    /// startup message).
    public var clientFirst: [UInt8] { Array("n,,".utf8) + bare }

    /// Reads server-first (`r=…,s=…,i=…`) and returns client-final with the proof. Refuses a
    /// nonce that does not extend ours (a replayed or foreign exchange) and iteration counts
    /// outside `acceptedIterations`.
    public mutating func receiveServerFirst(_ message: [UInt8]) throws(SCRAMError) -> [UInt8] {
        guard case .awaitingServerFirst = phase else { throw SCRAMError(.outOfOrder, "server-first-message received twice or after a failure") }
        // Any error below ends the exchange: a client does not retry with another answer.
        phase = .failed
        guard SCRAMText.isNonce(clientNonce[...]) else { throw SCRAMError(.invalidSetup, "the client nonce must be printable ASCII without commas") }
        let first = try SCRAMText.parseServerFirst(message)
        guard first.nonce.count > clientNonce.count, first.nonce.starts(with: clientNonce) else {
            throw SCRAMError(.nonceMismatch, "the server's nonce does not begin with the client's nonce and add its own")
        }
        guard Self.acceptedIterations.contains(first.iterations) else {
            throw SCRAMError(.unacceptableIterations, "the server asks for \(first.iterations) iterations; accepted: \(Self.acceptedIterations.lowerBound) to \(Self.acceptedIterations.upperBound)")
        }
        let keys = SCRAMCrypto.keys(password: password, salt: first.salt, iterations: first.iterations)
        let withoutProof = Array("c=biws,r=".utf8) + first.nonce
        let authMessage = bare + [UInt8(ascii: ",")] + message + [UInt8(ascii: ",")] + withoutProof
        let proof = SCRAMCrypto.xor(keys.clientKey, SCRAMCrypto.hmac(key: SCRAMCrypto.hash(keys.clientKey), authMessage))
        phase = .awaitingServerFinal(expectedSignature: SCRAMCrypto.hmac(key: keys.serverKey, authMessage))
        return withoutProof + Array(",p=".utf8) + Array(SCRAMBase64.encode(proof).utf8)
    }

    /// Reads server-final (`v=SIGNATURE`) and checks the signature: a server that does not hold
    /// the password's secret (anyone posing as the upstream) fails here.
    public func receiveServerFinal(_ message: [UInt8]) throws(SCRAMError) {
        guard case .awaitingServerFinal(let expected) = phase else {
            throw SCRAMError(.outOfOrder, "server-final-message received before a successful server-first")
        }
        let signature = try SCRAMText.parseServerFinal(message)
        guard SCRAMCrypto.constantTimeEqual(signature, expected) else {
            throw SCRAMError(.serverSignatureMismatch, "the server's signature (v=) does not match: it does not know this password's secret")
        }
    }
}

/// Random text and bytes from the system's generator (getrandom on Linux).
public enum RandomText {
    /// A SCRAM nonce: base64 of 18 random bytes (24 printable characters, no comma, no padding).
    public static func nonce() -> String { SCRAMBase64.encode(bytes(18)) }

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0 ..< max(0, count)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Base64url (RFC 4648 §5) of `byteCount` random bytes, without padding: safe in URLs,
    /// file names, environment variables and connection strings.
    public static func urlSafe(byteCount: Int) -> String { SCRAMBase64.encode(bytes(byteCount), urlSafe: true) }
}

// MARK: - Messages

/// SCRAM message grammar (RFC 5802 §7), on bytes.
enum SCRAMText {
    /// Generous for any real message (PostgreSQL's are under 200 bytes); bounds work on junk.
    static let maximumLength = 8192

    struct ClientFirst {
        var gs2Header: [UInt8]
        var bare: [UInt8]
        var clientNonce: [UInt8]
    }

    struct ClientFinal {
        var channelBinding: [UInt8]
        var nonce: [UInt8]
        var proof: [UInt8]
        var withoutProof: [UInt8]
    }

    struct ServerFirst {
        var nonce: [UInt8]
        var salt: [UInt8]
        var iterations: Int
    }

    static func parseClientFirst(_ message: [UInt8]) throws(SCRAMError) -> ClientFirst {
        try checkLength(message, "client-first-message")
        // gs2-header: cbind-flag "," [authzid] ","
        let parts = message.split(separator: UInt8(ascii: ","), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw SCRAMError(.malformed, "client-first-message has no gs2 header (expected it to start with \"n,,\")") }
        let flag = parts[0]
        if flag.first == UInt8(ascii: "p") {
            throw SCRAMError(.unsupported, "the client requires channel binding (p=), which this server does not offer (mechanism SCRAM-SHA-256, not -PLUS)")
        }
        // "y": the client could bind but believes the server cannot; true here, since only
        // SCRAM-SHA-256 is offered. (A server that offers -PLUS must refuse "y": a downgrade.)
        guard flag.elementsEqual("n".utf8) || flag.elementsEqual("y".utf8) else {
            throw SCRAMError(.malformed, "client-first-message's gs2 header must start with n, y or p=")
        }
        if parts[1].starts(with: "a=".utf8) { throw SCRAMError(.unsupported, "an authorization identity (a=) is not supported") }
        guard parts[1].isEmpty else { throw SCRAMError(.malformed, "client-first-message's gs2 header must be \"n,,\" (the second field is not a=…)") }
        let bare = Array(parts[2])
        let attributes = try split(bare[...], "client-first-message")
        guard let user = attributes.first else { throw SCRAMError(.malformed, "client-first-message has no user name (n=)") }
        if user.name == UInt8(ascii: "m") { throw SCRAMError(.unsupported, "client-first-message asks for a mandatory extension (m=), none is supported") }
        guard user.name == UInt8(ascii: "n") else { throw SCRAMError(.malformed, "client-first-message must carry the user name (n=) after the gs2 header") }
        // PostgreSQL ignores this name (the startup message's counts) but it must still be a
        // valid saslname: "=" only as =2C or =3D.
        guard isSASLName(user.value) else { throw SCRAMError(.malformed, "the user name (n=) has a \"=\" that is not =2C or =3D") }
        guard attributes.count >= 2, attributes[1].name == UInt8(ascii: "r") else { throw SCRAMError(.malformed, "client-first-message has no nonce (r=) after the user name") }
        guard isNonce(attributes[1].value) else { throw SCRAMError(.malformed, "the client nonce (r=) must be printable ASCII without commas") }
        // Further attributes are optional extensions; RFC 5802 has the server ignore them.
        return ClientFirst(gs2Header: Array(message[..<(message.count - bare.count)]), bare: bare, clientNonce: Array(attributes[1].value))
    }

    static func parseClientFinal(_ message: [UInt8]) throws(SCRAMError) -> ClientFinal {
        try checkLength(message, "client-final-message")
        let attributes = try split(message[...], "client-final-message")
        guard attributes.count >= 3 else { throw SCRAMError(.malformed, "client-final-message needs c=, r= and p=") }
        guard attributes[0].name == UInt8(ascii: "c") else { throw SCRAMError(.malformed, "client-final-message must start with the channel binding (c=)") }
        guard let binding = SCRAMBase64.decode(attributes[0].value) else { throw SCRAMError(.malformed, "the channel binding (c=) is not base64") }
        guard attributes[1].name == UInt8(ascii: "r") else { throw SCRAMError(.malformed, "client-final-message must carry the nonce (r=) after c=") }
        guard let last = attributes.last, last.name == UInt8(ascii: "p") else { throw SCRAMError(.malformed, "client-final-message must end with the proof (p=)") }
        guard let proof = SCRAMBase64.decode(last.value) else { throw SCRAMError(.malformed, "the proof (p=) is not base64") }
        guard proof.count == SCRAMCrypto.keyLength else { throw SCRAMError(.malformed, "the proof (p=) is \(proof.count) bytes, not \(SCRAMCrypto.keyLength)") }
        // Everything before ",p=" is signed as client-final-message-without-proof.
        let withoutProof = Array(message[..<(last.value.startIndex - 3)])
        return ClientFinal(channelBinding: binding, nonce: Array(attributes[1].value), proof: proof, withoutProof: withoutProof)
    }

    static func parseServerFirst(_ message: [UInt8]) throws(SCRAMError) -> ServerFirst {
        try checkLength(message, "server-first-message")
        let attributes = try split(message[...], "server-first-message")
        if attributes.first?.name == UInt8(ascii: "m") { throw SCRAMError(.unsupported, "server-first-message asks for a mandatory extension (m=), none is supported") }
        guard attributes.count >= 3, attributes[0].name == UInt8(ascii: "r"), attributes[1].name == UInt8(ascii: "s"), attributes[2].name == UInt8(ascii: "i") else {
            throw SCRAMError(.malformed, "server-first-message must be r=NONCE,s=SALT,i=ITERATIONS")
        }
        guard isNonce(attributes[0].value) else { throw SCRAMError(.malformed, "the server nonce (r=) must be printable ASCII without commas") }
        guard let salt = SCRAMBase64.decode(attributes[1].value), !salt.isEmpty else { throw SCRAMError(.malformed, "the salt (s=) is not non-empty base64") }
        guard let iterations = decimal(Array(attributes[2].value)) else { throw SCRAMError(.malformed, "the iteration count (i=) is not a decimal number") }
        return ServerFirst(nonce: Array(attributes[0].value), salt: salt, iterations: iterations)
    }

    /// The server's signature from server-final (`v=…`), or the server's error (`e=…`) thrown.
    static func parseServerFinal(_ message: [UInt8]) throws(SCRAMError) -> [UInt8] {
        try checkLength(message, "server-final-message")
        let attributes = try split(message[...], "server-final-message")
        guard let first = attributes.first else { throw SCRAMError(.malformed, "server-final-message is empty") }
        if first.name == UInt8(ascii: "e") {
            // Printed for the operator; the bytes are the server's, so only printable ones.
            let text = String(decoding: first.value.filter { (0x20 ... 0x7E).contains($0) }.prefix(200), as: UTF8.self)
            throw SCRAMError(.serverError, "the server refused the exchange: \(text)")
        }
        guard first.name == UInt8(ascii: "v") else { throw SCRAMError(.malformed, "server-final-message must be v=SIGNATURE or e=ERROR") }
        guard let signature = SCRAMBase64.decode(first.value), signature.count == SCRAMCrypto.keyLength else {
            throw SCRAMError(.malformed, "the server signature (v=) is not base64 of \(SCRAMCrypto.keyLength) bytes")
        }
        return signature
    }

    struct Attribute {
        var name: UInt8
        var value: ArraySlice<UInt8>
    }

    /// `a=value,b=value,…`: every attribute a single ASCII letter, "=", then its value.
    static func split(_ bytes: ArraySlice<UInt8>, _ what: String) throws(SCRAMError) -> [Attribute] {
        var attributes: [Attribute] = []
        for part in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard part.count >= 2, let name = part.first, isLetter(name), part[part.startIndex + 1] == UInt8(ascii: "=") else {
                throw SCRAMError(.malformed, "\(what) has an attribute that is not LETTER=VALUE")
            }
            attributes.append(Attribute(name: name, value: part.dropFirst(2)))
        }
        return attributes
    }

    static func checkLength(_ message: [UInt8], _ what: String) throws(SCRAMError) {
        guard !message.isEmpty else { throw SCRAMError(.malformed, "\(what) is empty") }
        guard message.count <= maximumLength else { throw SCRAMError(.malformed, "\(what) is \(message.count) bytes, more than \(maximumLength)") }
    }

    static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a") ... UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A") ... UInt8(ascii: "Z")).contains(byte)
    }

    /// RFC 5802's `printable`: 0x21–0x7E except ",".
    static func isNonce(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { (0x21 ... 0x7E).contains($0) && $0 != UInt8(ascii: ",") }
    }

    static func isSASLName(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "=") {
                let escape = bytes[(index + 1) ..< min(index + 3, bytes.endIndex)]
                guard escape.elementsEqual("2C".utf8) || escape.elementsEqual("3D".utf8) else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// A decimal number of at most nine digits (no sign, no spaces), so it never overflows.
    static func decimal(_ bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

// MARK: - Cryptography

/// The SCRAM-SHA-256 functions of RFC 5802 §3 over swift-crypto's SHA-256 and HMAC.
enum SCRAMCrypto {
    static let keyLength = 32

    static func hash(_ bytes: [UInt8]) -> [UInt8] {
        SHA256.hash(data: bytes).withUnsafeBytes { Array($0) }
    }

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)).withUnsafeBytes { Array($0) }
    }

    /// ClientKey and ServerKey from a password (SaltedPassword = Hi(password, salt, i)).
    static func keys(password: String, salt: [UInt8], iterations: Int) -> (clientKey: [UInt8], serverKey: [UInt8]) {
        let salted = pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        return (hmac(key: salted, Array("Client Key".utf8)), hmac(key: salted, Array("Server Key".utf8)))
    }

    /// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) for one output block, which is SCRAM's Hi().
    /// swift-crypto offers PBKDF2 only in _CryptoExtras; this module keeps to `Crypto`.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        // The HMAC keyed with the password, copied for every round: the key's pads are hashed
        // once instead of 4096 times (HMAC is a value type with copy-on-write state).
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var mac = keyed
        mac.update(data: salt + [0, 0, 0, 1])
        var u = mac.finalize().withUnsafeBytes { Array($0) }
        var result = u
        for _ in 1 ..< max(1, iterations) {
            var round = keyed
            round.update(data: u)
            u = round.finalize().withUnsafeBytes { Array($0) }
            for index in result.indices { result[index] ^= u[index] }
        }
        return result
    }

    static func xor(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        zip(a, b).map { $0 ^ $1 }
    }

    /// Equality whose time does not depend on where the bytes differ (the lengths are public).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

// MARK: - Base64

/// Base64 (RFC 4648): standard alphabet with padding for SCRAM, URL-safe without padding for
/// tokens. Kept here so the wire module depends on nothing of Airlock's.
enum SCRAMBase64 {
    private static let standard: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let url: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8], urlSafe: Bool = false) -> String {
        let symbols = urlSafe ? url : standard
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let rest = bytes.count - index
            let v = UInt32(bytes[index]) << 16 | (rest > 1 ? UInt32(bytes[index + 1]) << 8 : 0) | (rest > 2 ? UInt32(bytes[index + 2]) : 0)
            out.append(symbols[Int(v >> 18 & 63)])
            out.append(symbols[Int(v >> 12 & 63)])
            if rest > 1 { out.append(symbols[Int(v >> 6 & 63)]) } else if !urlSafe { out.append(UInt8(ascii: "=")) }
            if rest > 2 { out.append(symbols[Int(v & 63)]) } else if !urlSafe { out.append(UInt8(ascii: "=")) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of canonical padded standard base64, or nil: a multiple of four characters,
    /// `=` only as final padding, unused bits zero (one text per byte string, as PostgreSQL
    /// and libpq write it).
    static func decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        let input = Array(text)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var padding = 0
            if isLast {
                if input[index + 3] == UInt8(ascii: "=") { padding = input[index + 2] == UInt8(ascii: "=") ? 2 : 1 }
            }
            var v: UInt32 = 0
            for offset in 0 ..< 4 {
                var sextet: UInt32 = 0
                if offset < 4 - padding {
                    guard let value = value(of: input[index + offset]) else { return nil }
                    sextet = value
                }
                v = v << 6 | sextet
            }
            output.append(UInt8(v >> 16 & 0xFF))
            if padding < 2 { output.append(UInt8(v >> 8 & 0xFF)) }
            if padding < 1 { output.append(UInt8(v & 0xFF)) }
            if padding == 1, v & 0xFF != 0 { return nil }
            if padding == 2, v & 0xFFFF != 0 { return nil }
            index += 4
        }
        return output
    }

    private static func value(of c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A") ... UInt8(ascii: "Z"): UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a") ... UInt8(ascii: "z"): UInt32(c - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
