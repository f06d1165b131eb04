import AirlockPostgresProxy
import AirlockPostgresWire
import NIOCore
import Testing

/// The pure parts of the proxy: response tracking, start-up rules, the upstreams file.
@Suite struct ResponseTrackerTests {
    @Test func injectedAnswersAreSwallowedAndTheErrorReplaced() {
        var tracker = ResponseTracker()
        for expectation: ResponseTracker.Expectation in [.parse(injected: false), .bind(injected: false), .execute(injected: false), .parse(injected: true), .bind(injected: true), .execute(injected: true), .sync] {
            tracker.expect(expectation)
        }
        let answers = [Backend.parseComplete, Backend.bindComplete, Backend.dataRow, Backend.commandComplete, Backend.parseComplete, Backend.bindComplete].map { tracker.receive($0) }
        #expect(answers == [.forward, .forward, .forward, .forward, .swallow, .swallow])
        #expect(tracker.receive(Backend.errorResponse, errorCode: "42501") == .replaceWithDenial)
        #expect(tracker.receive(Backend.readyForQuery) == .forward)
        #expect(tracker.isIdle)
    }

    @Test func anEarlierErrorSkipsTheInjectionAndIsTheClients() {
        var tracker = ResponseTracker()
        for expectation: ResponseTracker.Expectation in [.parse(injected: false), .parse(injected: true), .bind(injected: true), .execute(injected: true), .sync] {
            tracker.expect(expectation)
        }
        #expect(tracker.receive(Backend.errorResponse, errorCode: "42601") == .forward)
        #expect(tracker.receive(Backend.readyForQuery) == .forward)
        #expect(tracker.isIdle)
    }

    @Test func anAbortedTransactionsOwnErrorPassesThrough() {
        var tracker = ResponseTracker()
        tracker.expect(.query(injected: true))
        #expect(tracker.receive(Backend.errorResponse, errorCode: "25P02") == .forward)
        #expect(tracker.receive(Backend.readyForQuery) == .forward)
        tracker.expect(.query(injected: true))
        #expect(tracker.receive(Backend.errorResponse, errorCode: "42501") == .replaceWithDenial)
    }

    @Test func describesAndClosesAreCounted() {
        var tracker = ResponseTracker()
        for expectation: ResponseTracker.Expectation in [.describe, .describe, .close, .sync] { tracker.expect(expectation) }
        for type in [Backend.parameterDescription, Backend.rowDescription, Backend.noData, Backend.closeComplete, Backend.readyForQuery] {
            #expect(tracker.receive(type) == .forward)
        }
        #expect(tracker.isIdle)
    }
}

extension ResponseTrackerTests {
    @Test func ownAndGuardedQueriesAreCapturedUpToTheirReadyForQuery() {
        var tracker = ResponseTracker()
        for expectation: ResponseTracker.Expectation in [.own, .guarded, .query(injected: false)] { tracker.expect(expectation) }
        let own = [Backend.commandComplete, Backend.noticeResponse, Backend.readyForQuery].map { tracker.receive($0) }
        #expect(own == [.capture, .capture, .capture])
        let guarded = [Backend.rowDescription, Backend.dataRow, Backend.errorResponse, Backend.readyForQuery].map { tracker.receive($0, errorCode: "23505") }
        #expect(guarded == [.capture, .capture, .capture, .capture])
        #expect(tracker.ended == .none)
        #expect(tracker.receive(Backend.commandComplete) == .forward)
        #expect(tracker.receive(Backend.readyForQuery) == .forward)
        #expect(tracker.ended == .query)
        #expect(tracker.isIdle)
    }

    @Test func theClientsStatementsEndingAreReported() {
        var tracker = ResponseTracker()
        for expectation: ResponseTracker.Expectation in [.bind(injected: false), .execute(injected: false), .execute(injected: true), .sync] {
            tracker.expect(expectation)
        }
        _ = tracker.receive(Backend.bindComplete)
        #expect(tracker.ended == .none)
        _ = tracker.receive(Backend.commandComplete)
        #expect(tracker.ended == .execute)
        _ = tracker.receive(Backend.commandComplete)
        #expect(tracker.ended == .none, "an injected Execute is not the client's")
        _ = tracker.receive(Backend.readyForQuery)
        #expect(tracker.ended == .none)
    }

    @Test func anErrorEndsTheFailingExecuteAndTheSkippedOnes() {
        var tracker = ResponseTracker()
        for expectation: ResponseTracker.Expectation in [.execute(injected: false), .bind(injected: false), .execute(injected: false), .execute(injected: false), .sync] {
            tracker.expect(expectation)
        }
        #expect(tracker.receive(Backend.errorResponse, errorCode: "22012") == .forward)
        #expect(tracker.ended == .failedExecutes(count: 3, firstFailed: true))
        for expectation: ResponseTracker.Expectation in [.parse(injected: false), .bind(injected: false), .execute(injected: false), .sync] {
            tracker.expect(expectation)
        }
        _ = tracker.receive(Backend.readyForQuery)
        #expect(tracker.receive(Backend.errorResponse, errorCode: "42601") == .forward)
        #expect(tracker.ended == .failedExecutes(count: 1, firstFailed: false), "a Parse failed: its Execute never ran")
    }
}

@Suite struct WireFramingTests {
    @Test func framesNeedTheirWholeBody() throws {
        var buffer = ByteBuffer()
        Frontend.queryFrame("SELECT 1").write(into: &buffer)
        let whole = buffer
        var partial = ByteBuffer(bytes: Array(whole.readableBytesView.prefix(7)))
        let splitter = FrameSplitter(maximumLength: 1024)
        #expect(try splitter.next(&partial) == nil)
        var complete = whole
        let frame = try #require(try splitter.next(&complete))
        #expect(try Frontend.queryText(frame.body) == "SELECT 1")
    }

    @Test func impossibleLengthsAreRefused() {
        let splitter = FrameSplitter(maximumLength: 1024)
        var negative = ByteBuffer(bytes: [0x51, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: PostgresProtocolError.self) { try splitter.next(&negative) }
        var short = ByteBuffer(bytes: [0x51, 0, 0, 0, 3])
        #expect(throws: PostgresProtocolError.self) { try splitter.next(&short) }
        var huge = ByteBuffer(bytes: [0x51, 0, 0, 0x10, 0])
        #expect(throws: PostgresProtocolError.self) { try splitter.next(&huge) }
    }

    @Test func malformedBodiesAreRefused() {
        #expect(throws: PostgresProtocolError.self) { try Frontend.queryText(ByteBuffer(bytes: [0x53, 0x45])) }
        #expect(throws: PostgresProtocolError.self) { try Frontend.Parse(ByteBuffer(bytes: [0x00, 0x53, 0x00, 0x00])) }
        #expect(throws: PostgresProtocolError.self) { try Frontend.target(ByteBuffer(bytes: [0x58, 0x00]), of: "Describe") }
    }

    @Test func startupMessagesRoundTrip() throws {
        var buffer = ByteBuffer()
        StartupMessage.encodeStartup([StartupParameter(name: "user", value: "claude"), StartupParameter(name: "database", value: "app")], into: &buffer)
        #expect(try StartupMessage.next(&buffer) == .startup(version: PostgresWire.protocolVersion, parameters: [
            StartupParameter(name: "user", value: "claude"), StartupParameter(name: "database", value: "app"),
        ]))
        var cancel = ByteBuffer()
        StartupMessage.encodeCancel(processID: 7, secretKey: -3, into: &cancel)
        #expect(try StartupMessage.next(&cancel) == .cancel(processID: 7, secretKey: -3))
        var oldProtocol = ByteBuffer()
        oldProtocol.writeInteger(Int32(8))
        oldProtocol.writeInteger(Int32(2 << 16))
        #expect(throws: PostgresProtocolError.self) { try StartupMessage.next(&oldProtocol) }
    }

    @Test func commandTagsGiveRows() {
        #expect(Backend.rows(inTag: "UPDATE 3") == 3)
        #expect(Backend.rows(inTag: "INSERT 0 12") == 12)
        #expect(Backend.rows(inTag: "CREATE TABLE") == nil)
        #expect(Backend.rows(inTag: "SELECT  7 ") == 7)
        for tag in ["", " ", "5", " 5", "5 ", "COMMIT", "SELECT x", "UPDATE 3x", "FETCH 9223372036854775808"] {
            #expect(Backend.rows(inTag: tag) == nil, "\(tag)")
        }
    }
}

@Suite struct UpstreamsFileTests {
    let environments: Set<String> = ["production", "staging", "development", "unknown"]

    @Test func aCompleteUpstreamLoads() throws {
        let upstreams = try UpstreamsFile.parse("""
            upstreams:
              - name: app-prod
                host: 10.0.0.5
                database: app
                environment: production
                user: airlock_app
                password_file: secrets/app.password
                statement_timeout: 30s
                lock_timeout: 500ms
            """, source: "upstreams.yaml", home: "/home/a/.airlock", knownEnvironments: environments)
        #expect(upstreams == [Upstream(
            name: "app-prod", host: "10.0.0.5", port: 5432, database: "app", environment: "production", user: "airlock_app",
            password: .file("/home/a/.airlock/secrets/app.password"), settings: ["statement_timeout": "30s", "lock_timeout": "500ms"])])
    }

    @Test(arguments: [
        ("upstreams:\n  - name: a\n    host: h\n    database: d\n    environment: prodution\n    user: u\n", "environment 'prodution' is not one the policy defines"),
        ("upstreams:\n  - name: a\n    host: h\n    database: d\n    environment: production\n    user: u\n    passwrd_file: x\n", "unknown key 'passwrd_file'"),
        ("upstreams:\n  - name: a\n    host: h\n    database: d\n    environment: production\n", "'user' is missing"),
        ("upstreams:\n  - name: a\n    host: h\n    port: 99999\n    database: d\n    environment: production\n    user: u\n", "is not a TCP port"),
        ("upstreams:\n  - name: a\n    host: h\n    database: d\n    environment: production\n    user: u\n    tls: allow\n", "tls 'allow' is not one of"),
        ("upstreams:\n  - name: a\n    host: h\n    database: d\n    environment: production\n    user: u\n    statement_timeout: forever\n", "is not a duration"),
        ("upstreams: [", "not valid YAML"),
    ])
    func mistakesAreErrorsThatNameThem(yaml: String, expected: String) {
        do {
            _ = try UpstreamsFile.parse(yaml, source: "upstreams.yaml", home: "/h", knownEnvironments: environments)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test func passwordsComeFromTheEnvironmentOrFail() throws {
        let upstream = Upstream(name: "a", host: "h", database: "d", environment: "production", user: "u", password: .environment("APP_PW"))
        #expect(try upstream.resolvePassword(environment: ["APP_PW": "x"]) == "x")
        #expect(throws: UpstreamError.self) { try upstream.resolvePassword(environment: [:]) }
        let missing = Upstream(name: "a", host: "h", database: "d", environment: "production", user: "u", password: .file("/nonexistent/pw"))
        #expect(throws: UpstreamError.self) { try missing.resolvePassword(environment: [:]) }
    }
}
