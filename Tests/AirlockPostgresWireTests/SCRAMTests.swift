@testable import AirlockPostgresWire
import Testing

/// RFC 7677 §3's example exchange, byte for byte.
enum RFC7677 {
    static let password = "pencil"
    static let clientNonce = "rOprNGfwEbeRWgbNEkqO"
    static let serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    static let salt = "W22ZaJ0SNY7soEsUEjb6gQ=="
    static let clientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    static let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    static let clientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    static let serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    /// The same secret in PostgreSQL's text form (computed with Python's hashlib.pbkdf2_hmac).
    static let verifierText = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="

    /// Computed once: PBKDF2's 4096 rounds are the slow part of every test that uses it.
    static let verifier = SCRAMVerifier.make(password: password, salt: SCRAMBase64.decode(salt.utf8) ?? [], iterations: 4096)
}

/// Made by PostgreSQL 15 in this repository's test machine:
/// `SET password_encryption = 'scram-sha-256'; CREATE ROLE agent LOGIN PASSWORD 'correct horse battery staple';`
/// then `SELECT rolpassword FROM pg_authid WHERE rolname = 'agent'`.
enum PostgresMade {
    static let password = "correct horse battery staple"
    static let verifierText = "SCRAM-SHA-256$4096:LVrQHKdTcUvRDcxzSm05Rg==$NXno24zg+JiH7phUAXTf69AH4n+jVIMPHK0kESCC/2E=:w7+NoQs6RT8M/Vvhmlsr//2w8dBenL3vimOCE0SJVw4="
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Runs a whole exchange; returns the error of the side that failed, nil on success.
func exchange(verifier: SCRAMVerifier?, password: String) -> SCRAMError? {
    var server = SCRAMServerExchange(verifier: verifier, serverNonce: RandomText.nonce())
    var client = SCRAMClientExchange(password: password, clientNonce: RandomText.nonce())
    do throws(SCRAMError) {
        let serverFirst = try server.receiveClientFirst(client.clientFirst)
        let clientFinal = try client.receiveServerFirst(serverFirst)
        let serverFinal = try server.receiveClientFinal(clientFinal)
        try client.receiveServerFinal(serverFinal)
        return nil
    } catch {
        return error
    }
}

/// A seeded generator, so a fuzz failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("SCRAM-SHA-256")
struct SCRAMTests {
    @Test("the server side answers RFC 7677's exchange with its exact messages")
    func rfcServer() throws {
        let verifier = RFC7677.verifier
        #expect(verifier.text == RFC7677.verifierText)
        var server = SCRAMServerExchange(verifier: verifier, serverNonce: RFC7677.serverNonce)
        #expect(text(try server.receiveClientFirst(bytes(RFC7677.clientFirst))) == RFC7677.serverFirst)
        #expect(text(try server.receiveClientFinal(bytes(RFC7677.clientFinal))) == RFC7677.serverFinal)
    }

    @Test("the client side computes RFC 7677's proof and accepts its server signature")
    func rfcClient() throws {
        var client = SCRAMClientExchange(password: RFC7677.password, clientNonce: RFC7677.clientNonce, user: "user")
        #expect(text(client.clientFirst) == RFC7677.clientFirst)
        #expect(text(try client.receiveServerFirst(bytes(RFC7677.serverFirst))) == RFC7677.clientFinal)
        try client.receiveServerFinal(bytes(RFC7677.serverFinal))
    }

    @Test("the proxy's client leaves the user name empty, as libpq does, and the server accepts that")
    func emptyUserName() throws {
        let client = SCRAMClientExchange(password: "x", clientNonce: RFC7677.clientNonce)
        #expect(text(client.clientFirst) == "n,,n=,r=rOprNGfwEbeRWgbNEkqO")
        #expect(exchange(verifier: .make(password: "s3cret", salt: RandomText.bytes(16)), password: "s3cret") == nil)
        // A name with escaped "," and "=" is read and ignored.
        var server = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: "abc")
        #expect(throws: Never.self) { try server.receiveClientFirst(bytes("n,,n=a=2Cb=3Dc,r=xyz")) }
    }

    @Test("a user name escapes , and = in client-first")
    func escapedUserName() {
        let client = SCRAMClientExchange(password: "x", clientNonce: "n0nce", user: "a,b=c")
        #expect(text(client.clientFirst) == "n,,n=a=2Cb=3Dc,r=n0nce")
    }

    @Test("a verifier's text reads back to the same verifier")
    func verifierRoundTrip() throws {
        let made = SCRAMVerifier.make(password: "hunter2", salt: RandomText.bytes(16))
        #expect(made.iterations == 4096)
        let read = try #require(SCRAMVerifier(parsing: made.text))
        #expect(read == made)
        #expect(read.text == made.text)
        let postgres = try #require(SCRAMVerifier(parsing: PostgresMade.verifierText))
        #expect(postgres.text == PostgresMade.verifierText)
        #expect(postgres.iterations == 4096 && postgres.salt.count == 16)
    }

    @Test("malformed verifier texts are refused", arguments: [
        "",
        "SCRAM-SHA-256$",
        "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$-1:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4q==:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=$x",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=:",
        " SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$+4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$99999999999999999999:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "md50098e7fab7b4d8d091067152a80b3f12",
    ])
    func badVerifiers(_ text: String) {
        #expect(SCRAMVerifier(parsing: text) == nil)
    }

    @Test("a verifier PostgreSQL made accepts its password and refuses another")
    func postgresVerifier() throws {
        let verifier = try #require(SCRAMVerifier(parsing: PostgresMade.verifierText))
        #expect(exchange(verifier: verifier, password: PostgresMade.password) == nil)
        #expect(exchange(verifier: verifier, password: "correct horse battery stapl")?.kind == .wrongPassword)
        #expect(exchange(verifier: verifier, password: "")?.kind == .wrongPassword)
        // And ours is PostgreSQL's, given the same salt.
        #expect(SCRAMVerifier.make(password: PostgresMade.password, salt: verifier.salt) == verifier)
    }

    @Test("a wrong password fails at the proof, naming the cause")
    func wrongPassword() {
        let error = exchange(verifier: RFC7677.verifier, password: "pencil2")
        #expect(error?.kind == .wrongPassword)
        #expect(error?.description.contains("proof does not match") == true)
    }

    @Test("an unknown user gets a normal server-first and fails only at the final step")
    func unknownUser() throws {
        var server = SCRAMServerExchange(verifier: nil, serverNonce: "sn0nce")
        var client = SCRAMClientExchange(password: "anything", clientNonce: "cn0nce")
        let serverFirst = try server.receiveClientFirst(client.clientFirst)
        #expect(text(serverFirst).hasPrefix("r=cn0ncesn0nce,s="))
        #expect(text(serverFirst).hasSuffix(",i=4096"))
        let clientFinal = try client.receiveServerFirst(serverFirst)
        #expect(throws: SCRAMError(.unknownUser, "no verifier for this user (the proof cannot match)")) { try server.receiveClientFinal(clientFinal) }

        // The stand-in salt is derived from the nonce: the same nonce gives the same salt.
        var again = SCRAMServerExchange(verifier: nil, serverNonce: "sn0nce")
        #expect(try again.receiveClientFirst(client.clientFirst) == serverFirst)
        // With a stable salt, two exchanges for one unknown name show the same salt.
        let salt = SCRAMServerExchange.stableSalt(user: "ghost", secret: [1, 2, 3])
        #expect(salt.count == 16 && salt == SCRAMServerExchange.stableSalt(user: "ghost", secret: [1, 2, 3]))
        #expect(salt != SCRAMServerExchange.stableSalt(user: "ghosts", secret: [1, 2, 3]))
        var one = SCRAMServerExchange(verifier: nil, serverNonce: "one", unknownUserSalt: salt)
        var two = SCRAMServerExchange(verifier: nil, serverNonce: "two", unknownUserSalt: salt)
        let first = text(try one.receiveClientFirst(bytes("n,,n=,r=c")))
        let second = text(try two.receiveClientFirst(bytes("n,,n=,r=c")))
        #expect(first.split(separator: ",").dropFirst() == second.split(separator: ",").dropFirst())
    }

    /// A server that has just sent RFC 7677's server-first.
    func rfcServerAwaitingFinal() throws -> SCRAMServerExchange {
        var server = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: RFC7677.serverNonce)
        _ = try server.receiveClientFirst(bytes(RFC7677.clientFirst))
        return server
    }

    @Test("client-final is refused for a tampered nonce, channel binding or proof", arguments: [
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", SCRAMError.Kind.nonceMismatch),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .nonceMismatch),
        ("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .channelBindingMismatch),
        ("c=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .channelBindingMismatch),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVA=", .wrongPassword),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,x=ext,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .wrongPassword),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ", .malformed),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ!", .malformed),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ==", .malformed),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA", .malformed),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", .malformed),
        ("c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", .malformed),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .malformed),
        ("c=b!ws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .malformed),
        ("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .malformed),
        ("", .malformed),
    ])
    func tamperedFinal(_ message: String, _ kind: SCRAMError.Kind) throws {
        var server = try rfcServerAwaitingFinal()
        #expect(throws: SCRAMError.self) { try server.receiveClientFinal(bytes(message)) }
        var again = try rfcServerAwaitingFinal()
        do throws(SCRAMError) {
            _ = try again.receiveClientFinal(bytes(message))
        } catch {
            #expect(error.kind == kind, "\(error)")
        }
    }

    @Test("client-first is refused without the plain gs2 header, a nonce or a user name", arguments: [
        ("p=tls-server-end-point,,n=,r=abc", SCRAMError.Kind.unsupported),
        ("n,a=admin,n=,r=abc", .unsupported),
        ("n,,m=ext,n=,r=abc", .unsupported),
        ("x,,n=,r=abc", .malformed),
        ("n,n=,r=abc", .malformed),
        ("n,,r=abc", .malformed),
        ("n,,n=", .malformed),
        ("n,,n=,r=", .malformed),
        ("n,,n=,r=a b", .malformed),
        ("n,,n=,s=abc", .malformed),
        ("n,,n=a=2,r=abc", .malformed),
        ("n,,n=a=41,r=abc", .malformed),
        ("n,,n=,r=abc,", .malformed),
        ("n,,n=,r=abc,garbage", .malformed),
        ("nn,,n=,r=abc", .malformed),
        ("n,,", .malformed),
        ("n", .malformed),
        ("", .malformed),
    ])
    func badClientFirst(_ message: String, _ kind: SCRAMError.Kind) {
        var server = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: RFC7677.serverNonce)
        do throws(SCRAMError) {
            _ = try server.receiveClientFirst(bytes(message))
            Issue.record("accepted \(message)")
        } catch {
            #expect(error.kind == kind, "\(error)")
        }
    }

    @Test("y (client could bind, believes the server cannot) is accepted with c=eSws, as PostgreSQL does without -PLUS")
    func yFlag() throws {
        var server = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: RFC7677.serverNonce)
        _ = try server.receiveClientFirst(bytes("y,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
        // The proof is RFC 7677's for c=biws, so with c=eSws it fails at the proof: the binding was checked first.
        do throws(SCRAMError) {
            _ = try server.receiveClientFinal(bytes(RFC7677.clientFinal.replacing("c=biws", with: "c=eSws", maxReplacements: 1)))
            Issue.record("accepted a proof signed for another message")
        } catch {
            #expect(error.kind == .wrongPassword)
        }
        var mismatch = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: RFC7677.serverNonce)
        _ = try mismatch.receiveClientFirst(bytes("y,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
        #expect(throws: SCRAMError.self) { try mismatch.receiveClientFinal(bytes(RFC7677.clientFinal)) }
    }

    @Test("every truncation of client-final, and of server-first, is refused")
    func truncations() throws {
        let final = bytes(RFC7677.clientFinal)
        for length in 0 ..< final.count {
            var server = try rfcServerAwaitingFinal()
            #expect(throws: SCRAMError.self, "\(length)") { try server.receiveClientFinal(Array(final.prefix(length))) }
        }
        let first = bytes(RFC7677.serverFirst)
        for length in 0 ..< first.count {
            var client = SCRAMClientExchange(password: RFC7677.password, clientNonce: RFC7677.clientNonce, user: "user")
            #expect(throws: SCRAMError.self, "\(length)") { try client.receiveServerFirst(Array(first.prefix(length))) }
        }
        let serverFinal = bytes(RFC7677.serverFinal)
        var client = SCRAMClientExchange(password: RFC7677.password, clientNonce: RFC7677.clientNonce, user: "user")
        _ = try client.receiveServerFirst(first)
        for length in 0 ..< serverFinal.count {
            #expect(throws: SCRAMError.self, "\(length)") { try client.receiveServerFinal(Array(serverFinal.prefix(length))) }
        }
    }

    @Test("messages out of order, or after a failure, are refused")
    func order() throws {
        var server = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: RFC7677.serverNonce)
        #expect(throws: SCRAMError.self) { try server.receiveClientFinal(bytes(RFC7677.clientFinal)) }
        // The failed call ended the exchange: not even a correct client-first is taken now.
        #expect(throws: SCRAMError.self) { try server.receiveClientFirst(bytes(RFC7677.clientFirst)) }

        var twice = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: RFC7677.serverNonce)
        _ = try twice.receiveClientFirst(bytes(RFC7677.clientFirst))
        #expect(throws: SCRAMError.self) { try twice.receiveClientFirst(bytes(RFC7677.clientFirst)) }

        var retry = try rfcServerAwaitingFinal()
        #expect(throws: SCRAMError.self) { try retry.receiveClientFinal(bytes("c=biws")) }
        #expect(throws: SCRAMError.self) { try retry.receiveClientFinal(bytes(RFC7677.clientFinal)) }

        let early = SCRAMClientExchange(password: "x", clientNonce: "abc")
        #expect(throws: SCRAMError.self) { try early.receiveServerFinal(bytes(RFC7677.serverFinal)) }
        var client = SCRAMClientExchange(password: RFC7677.password, clientNonce: RFC7677.clientNonce, user: "user")
        #expect(throws: SCRAMError.self) { try client.receiveServerFirst(bytes("r=x")) }
        #expect(throws: SCRAMError.self) { try client.receiveServerFirst(bytes(RFC7677.serverFirst)) }
    }

    @Test("a nonce SCRAM cannot carry is the caller's mistake, reported rather than sent")
    func badNonces() {
        var server = SCRAMServerExchange(verifier: nil, serverNonce: "has,comma")
        #expect(throws: SCRAMError(.invalidSetup, "the server nonce must be printable ASCII without commas")) { try server.receiveClientFirst(bytes("n,,n=,r=abc")) }
        var client = SCRAMClientExchange(password: "x", clientNonce: "")
        #expect(throws: SCRAMError.self) { try client.receiveServerFirst(bytes("r=abc,s=QUJD,i=4096")) }
    }

    @Test("the client refuses a server-first that does not continue its nonce or asks for odd iteration counts", arguments: [
        ("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", SCRAMError.Kind.nonceMismatch),
        ("r=XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .nonceMismatch),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095", .unacceptableIterations),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1", .unacceptableIterations),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000001", .unacceptableIterations),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999", .malformed),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096", .malformed),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=,i=4096", .malformed),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096", .malformed),
        ("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==", .malformed),
        ("m=x,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", .unsupported),
        ("e=other-error", .malformed),
    ])
    func badServerFirst(_ message: String, _ kind: SCRAMError.Kind) {
        var client = SCRAMClientExchange(password: RFC7677.password, clientNonce: RFC7677.clientNonce, user: "user")
        do throws(SCRAMError) {
            _ = try client.receiveServerFirst(bytes(message))
            Issue.record("accepted \(message)")
        } catch {
            #expect(error.kind == kind, "\(error)")
        }
    }

    @Test("the client detects a server that does not hold the secret, and reports a server's e=")
    func fakeUpstream() throws {
        var client = SCRAMClientExchange(password: RFC7677.password, clientNonce: RFC7677.clientNonce, user: "user")
        _ = try client.receiveServerFirst(bytes(RFC7677.serverFirst))
        #expect(throws: SCRAMError.self) { try client.receiveServerFinal(bytes("v=" + SCRAMBase64.encode(RandomText.bytes(32)))) }
        #expect(throws: SCRAMError.self) { try client.receiveServerFinal(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G5=")) }
        do throws(SCRAMError) {
            try client.receiveServerFinal(bytes("e=invalid-proof"))
            Issue.record("accepted e=")
        } catch {
            #expect(error.kind == .serverError)
            #expect(error.description.contains("invalid-proof"))
        }
        // An impostor who knows only the salt runs the exchange with its own guess of the keys.
        let impostor = SCRAMVerifier(iterations: 4096, salt: RFC7677.verifier.salt, storedKey: RFC7677.verifier.storedKey, serverKey: RandomText.bytes(32))
        var server = SCRAMServerExchange(verifier: impostor, serverNonce: RandomText.nonce())
        var victim = SCRAMClientExchange(password: RFC7677.password, clientNonce: RandomText.nonce())
        let serverFinal = try server.receiveClientFinal(try victim.receiveServerFirst(try server.receiveClientFirst(victim.clientFirst)))
        do throws(SCRAMError) {
            try victim.receiveServerFinal(serverFinal)
            Issue.record("accepted an impostor's signature")
        } catch {
            #expect(error.kind == .serverSignatureMismatch)
        }
    }

    @Test("a few thousand random byte strings are refused at every step, never crash")
    func junk() throws {
        var random = SplitMix64(state: 0x5C4A_3A11)
        let alphabet = bytes("nyp=,rcsivmae2C3D+/AZaz09biws")
        for round in 0 ..< 3000 {
            let length = Int.random(in: 0 ... 96, using: &random)
            let structured = round % 2 == 1
            let junk: [UInt8] = (0 ..< length).map { _ in
                structured ? alphabet[Int.random(in: 0 ..< alphabet.count, using: &random)] : UInt8.random(in: 0 ... 255, using: &random)
            }
            // Structured junk can spell a valid client-first (e.g. "n,,n=,r=x"); it must not crash.
            var server = SCRAMServerExchange(verifier: RFC7677.verifier, serverNonce: RFC7677.serverNonce)
            if structured {
                _ = try? server.receiveClientFirst(junk)
            } else {
                #expect(throws: SCRAMError.self) { try server.receiveClientFirst(junk) }
            }
            var awaiting = try rfcServerAwaitingFinal()
            #expect(throws: SCRAMError.self) { try awaiting.receiveClientFinal(junk) }
            var client = SCRAMClientExchange(password: RFC7677.password, clientNonce: RFC7677.clientNonce, user: "user")
            #expect(throws: SCRAMError.self) { try client.receiveServerFirst(junk) }
        }
        // Every single-byte change of a valid client-final is refused.
        let final = bytes(RFC7677.clientFinal)
        for index in final.indices {
            var changed = final
            changed[index] ^= UInt8.random(in: 1 ... 255, using: &random)
            var server = try rfcServerAwaitingFinal()
            #expect(throws: SCRAMError.self, "byte \(index)") { try server.receiveClientFinal(changed) }
        }
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 100_000)
        var server = SCRAMServerExchange(verifier: nil, serverNonce: "x")
        #expect(throws: SCRAMError.self) { try server.receiveClientFirst(Array("n,,n=,r=".utf8) + long) }
    }

    @Test("client and server agree for many random passwords and nonces, including non-ASCII")
    func roundTrips() {
        for password in ["", "a", "pässwörd", "パスワード", String(repeating: "x", count: 200), "alk_" + RandomText.urlSafe(byteCount: 32)] {
            let verifier = SCRAMVerifier.make(password: password, salt: RandomText.bytes(16))
            #expect(exchange(verifier: verifier, password: password) == nil, "\(password)")
            #expect(exchange(verifier: verifier, password: password + "!")?.kind == .wrongPassword)
        }
    }

    @Test("random text: nonces are printable without commas, tokens are base64url")
    func randomText() {
        let nonce = RandomText.nonce()
        #expect(nonce.utf8.count == 24)
        #expect(SCRAMText.isNonce(Array(nonce.utf8)[...]))
        #expect(RandomText.nonce() != nonce)
        let token = RandomText.urlSafe(byteCount: 32)
        #expect(token.utf8.count == 43)
        #expect(token.utf8.allSatisfy { SCRAMText.isLetter($0) || (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        #expect(RandomText.bytes(0).isEmpty && RandomText.bytes(-1).isEmpty)
    }

    @Test("base64 matches RFC 4648's vectors and refuses non-canonical text")
    func base64() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(SCRAMBase64.encode(bytes(plain)) == encoded)
            #expect(SCRAMBase64.decode(encoded.utf8) == bytes(plain))
        }
        #expect(SCRAMBase64.encode([0xFB, 0xFF], urlSafe: true) == "-_8")
        for bad in ["Zg=", "Zh==", "Zm9=", "Z===", "Zm9v=", "====", "Zg==Zg==", "Zm 9v", "Zm9v\n"] {
            #expect(SCRAMBase64.decode(bad.utf8) == nil, "\(bad)")
        }
    }

    @Test("PBKDF2-HMAC-SHA256 matches RFC 7914's test vectors")
    func pbkdf2() {
        // RFC 7914 §11: P="passwd", S="salt", c=1, first 32 bytes.
        let one = SCRAMCrypto.pbkdf2(password: bytes("passwd"), salt: bytes("salt"), iterations: 1)
        #expect(hex(one) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
        // P="Password", S="NaCl", c=80000, first 32 bytes.
        let many = SCRAMCrypto.pbkdf2(password: bytes("Password"), salt: bytes("NaCl"), iterations: 80000)
        #expect(hex(many) == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56")
    }

    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

@Suite("PostgreSQL MD5 passwords")
struct MD5PasswordTests {
    @Test("the response matches Python's hashlib.md5 and PostgreSQL's stored md5 hash")
    func response() {
        // PostgreSQL stored md5user's password 'pencil' as md5 + md5hex("pencil" + "md5user").
        #expect(PostgresMD5.response(user: "md5user", password: "pencil", salt: [1, 2, 3, 4]) == "md5d8952cad425cbeb4f00aba7f8e35ff33")
        #expect(PostgresMD5.response(user: "postgres", password: "secret", salt: [0xDE, 0xAD, 0xBE, 0xEF]) == "md5c546d0bbed2af888b328536b45c76348")
        #expect(PostgresMD5.response(user: "postgres", password: "secret", salt: [0xDE, 0xAD, 0xBE, 0xEE]) != "md5c546d0bbed2af888b328536b45c76348")
    }
}
