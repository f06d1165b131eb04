import AirlockAudit
import AirlockCore
import AirlockPostgresProxy
import AirlockPostgresWire
import Foundation
import NIOCore
import Testing

/// The proxy in front of a real PostgreSQL server, driven by real clients (psql, pgbench) and a
/// protocol-level client for what real clients do not send on purpose.
@Suite(.serialized) struct ProxyTests {
    // MARK: psql

    @Test func psqlReadsAndListsButDropIsRefusedAndTheSessionGoesOn() throws {
        let fixture = try ProxyFixture()
        try fixture.server.psql("CREATE TABLE users (id int primary key, name text); INSERT INTO users VALUES (1, 'ada'), (2, 'grace')")
        let result = try fixture.psql("""
            \\dt
            SELECT name FROM users ORDER BY id;
            DROP TABLE users;
            SELECT count(*) FROM users;
            """)
        #expect(result.stdout.contains("public|users|table|postgres"), "\\dt lists the table: \(result.stdout)")
        #expect(result.stdout.contains("ada\ngrace"))
        #expect(result.stderr.contains("ERROR:  42501: Airlock denied this statement: destructive operations never run against production"), "\(result.stderr)")
        #expect(result.stderr.contains("rule no-destruction-in-production"))
        #expect(result.stdout.hasSuffix("2\n"), "the session still answers after the refusal: \(result.stdout)")
        #expect(try fixture.server.psql("SELECT count(*) FROM users") == "2", "the table is still there")
    }

    @Test func aRefusalInsideATransactionAbortsItLikeTheServerWould() throws {
        let fixture = try ProxyFixture()
        try fixture.server.psql("CREATE TABLE t (a int)")
        let result = try fixture.psql("""
            BEGIN;
            SELECT 1;
            DROP TABLE t;
            SELECT 2;
            ROLLBACK;
            SELECT 3;
            """)
        #expect(result.stderr.contains("42501: Airlock denied"))
        #expect(result.stderr.contains("25P02: current transaction is aborted"), "\(result.stderr)")
        #expect(result.stdout.contains("1\n") && result.stdout.contains("3\n") && !result.stdout.contains("2\n"), "\(result.stdout)")
    }

    @Test func oneRefusedStatementRefusesTheWholeMessage() throws {
        let fixture = try ProxyFixture(environment: "production")
        try fixture.server.psql("CREATE TABLE t (a int)")
        let client = try fixture.wire()
        let frames = try client.query("INSERT INTO t VALUES (1); SELECT 1; DROP TABLE t")
        #expect(frames.types == "EZ", "nothing ran: \(frames.types)")
        #expect(frames.errors.first?.code == "42501")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "0")
        #expect(try client.query("SELECT 41 + 1").firstColumn == ["42"], "the session is usable")
    }

    // MARK: Approvals

    @Test func aWriteNeedsApprovalAndRunsOnceAPersonApprovesFromAnotherProcess() throws {
        let fixture = try ProxyFixture()
        try fixture.server.psql("CREATE TABLE plans (id int, plan text); INSERT INTO plans VALUES (42, 'free')")
        let update = "UPDATE plans SET plan = 'pro' WHERE id = 42"
        let client = try fixture.wire()
        let first = try client.query(update)
        let error = try #require(first.errors.first)
        #expect(error.code == "42501")
        let message = try #require(error.message)
        let id = try #require(message.firstMatch(of: /request ([A-Z0-9]{4}-[A-Z0-9]{2,})/)?.1).description
        #expect(error["H"]?.contains("airlock approve \(id)") == true)
        #expect(try fixture.server.psql("SELECT plan FROM plans") == "free")

        let approval = try fixture.personRuns("approve \(id) --yes")
        #expect(approval.succeeded, "\(approval)")

        let second = try client.query(update)
        #expect(second.errors.isEmpty, "approved: \(second.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT plan FROM plans") == "pro")
        let third = try client.query(update)
        #expect(third.errors.first?.code == "42501", "an approval is spent by its one run")
    }

    @Test func aHeldStatementRunsTheMomentAPersonApproves() throws {
        let fixture = try ProxyFixture(approvalHold: 300)
        try fixture.server.psql("CREATE TABLE plans (id int, plan text); INSERT INTO plans VALUES (42, 'free')")
        let client = try fixture.wire()
        try client.send([Frontend.queryFrame("UPDATE plans SET plan = 'pro' WHERE id = 42")])
        let id = try fixture.waitForRequest()
        #expect(try fixture.server.psql("SELECT plan FROM plans") == "free", "held, not run")
        #expect(try fixture.personRuns("approve \(id) --yes").succeeded)
        let frames = try client.receiveUntilReady()
        #expect(frames.types == "CNZ", "ran once approved, with the journal's notice: \(frames.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT plan FROM plans") == "pro")
    }

    @Test func messagesPipelinedBehindAHeldStatementWaitInOrder() throws {
        let fixture = try ProxyFixture(approvalHold: 300)
        try fixture.server.psql("CREATE TABLE t (a int)")
        let client = try fixture.wire()
        // More than the proxy queues before it stops reading the client: the rest waits in TCP.
        let selects = (0..<3000).map { Frontend.queryFrame("SELECT \($0)") }
        try client.send([Frontend.queryFrame("INSERT INTO t VALUES (1)")] + selects)
        let id = try fixture.waitForRequest()
        #expect(try fixture.personRuns("approve \(id) --yes").succeeded)
        #expect(try client.receiveUntilReady().types == "CZ")
        var answers: [String] = []
        for _ in 0..<3000 { answers += try client.receiveUntilReady().firstColumn }
        #expect(answers == (0..<3000).map(String.init))
    }

    @Test func aRejectionOrAFreezeEndsAHold() throws {
        let fixture = try ProxyFixture(approvalHold: 300)
        try fixture.server.psql("CREATE TABLE t (a int)")
        let client = try fixture.wire()
        try client.send([Frontend.queryFrame("INSERT INTO t VALUES (1)")])
        let first = try fixture.waitForRequest()
        #expect(try fixture.personRuns("reject \(first) --note 'not now'").succeeded)
        let rejected = try client.receiveUntilReady()
        #expect(rejected.errors.first?.code == "42501", "\(rejected.types)")

        try client.send([Frontend.queryFrame("INSERT INTO t VALUES (2)")])
        _ = try fixture.waitForRequest()
        #expect(try fixture.personRuns("freeze --reason 'incident 12'").succeeded)
        let frozen = try client.receiveUntilReady()
        #expect(frozen.errors.first?.code == "42501")
        #expect(frozen.errors.first?.message?.contains("incident 12") == true, "\(frozen.errors.map(\.message))")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "0")
    }

    @Test func aCancelRequestEndsAHold() throws {
        // A hold far longer than the test, so only the cancel can end it.
        let fixture = try ProxyFixture(approvalHold: 300)
        try fixture.server.psql("CREATE TABLE t (a int)")
        let client = try fixture.wire()
        try client.send([Frontend.queryFrame("INSERT INTO t VALUES (1)")])
        _ = try fixture.waitForRequest()
        try client.cancel(port: fixture.port)
        let cancelled = try client.receiveUntilReady()
        #expect(cancelled.errors.first?.code == "57014", "\(cancelled.errors.map(\.message))")
        #expect(try client.query("SELECT 1").firstColumn == ["1"], "the session goes on")
    }

    @Test func aHoldThatTimesOutNamesTheRequest() throws {
        let fixture = try ProxyFixture(approvalHold: 1)
        try fixture.server.psql("CREATE TABLE t (a int)")
        let client = try fixture.wire()
        let timedOut = try client.query("INSERT INTO t VALUES (2)")
        let error = try #require(timedOut.errors.first)
        #expect(error.code == "42501")
        #expect(error.message?.contains("needs a person's approval (request") == true)
        #expect(try client.query("SELECT 1").firstColumn == ["1"], "the session goes on")
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "0")
    }

    @Test func anApprovalNeverCoversParametersOrANamedStatement() throws {
        let fixture = try ProxyFixture()
        try fixture.server.psql("CREATE TABLE plans (id int, plan text)")
        let client = try fixture.wire()
        try client.send([
            Frontend.Parse(name: "", text: "UPDATE plans SET plan = $1 WHERE id = $2").frame, Frontend.Bind(portal: "", statement: "").frame,
            Frontend.execute(portal: ""), PostgresFrame("S"),
        ])
        let frames = try client.receiveUntilReady()
        #expect(frames.types == "EZ")
        #expect(frames.errors.first?.message?.contains("one exact statement with its values") == true)
        let record = try #require(try fixture.auditRecords().last { $0["action"]?["text"]?.string == "UPDATE plans SET plan = $1 WHERE id = $2" })
        #expect(record["decision"]?.string == "blocked")
        #expect(record["matched_rule"]?["id"]?.string == "proxy-approval-needs-exact-statement")
    }

    // MARK: Extended protocol

    @Test func aPipelineWithARefusalInsideAnswersInOrderAndSkipsToSync() throws {
        let fixture = try ProxyFixture()
        try fixture.server.psql("CREATE TABLE t (a int)")
        let client = try fixture.wire()
        try client.send([
            Frontend.Parse(name: "one", text: "SELECT $1::int + 1").frame, bind(portal: "", statement: "one", "41"), Frontend.execute(portal: ""),
            Frontend.Parse(name: "", text: "DROP TABLE t").frame, Frontend.Bind(portal: "", statement: "").frame, Frontend.execute(portal: ""),
            Frontend.Parse(name: "", text: "SELECT 99").frame, PostgresFrame("S"),
            Frontend.Parse(name: "", text: "SELECT 7").frame, Frontend.Bind(portal: "", statement: "").frame, Frontend.execute(portal: ""), PostgresFrame("S"),
        ])
        let first = try client.receiveUntilReady()
        #expect(first.types == "12DCEZ", "\(first.types)")
        #expect(first.firstColumn == ["42"])
        #expect(first.errors.first?.code == "42501")
        #expect(first.errors.first?.message?.contains("Airlock denied") == true)
        let second = try client.receiveUntilReady()
        #expect(second.types == "12DCZ", "\(second.types)")
        #expect(second.firstColumn == ["7"])
        // The named statement survives the refusal in the same batch.
        try client.send([bind(portal: "", statement: "one", "1"), Frontend.execute(portal: ""), PostgresFrame("S")])
        #expect(try client.receiveUntilReady().firstColumn == ["2"])
        #expect(try fixture.server.psql("SELECT count(*) FROM t") == "0", "the table is still there")
    }

    @Test func functionCallMessagesAreRefused() throws {
        let fixture = try ProxyFixture(environment: "development")
        let client = try fixture.wire()
        var body = ByteBuffer()
        body.writeInteger(Int32(1598))  // pg_catalog.random() … any oid: it is never sent
        body.writeInteger(Int16(0))
        body.writeInteger(Int16(0))
        body.writeInteger(Int16(0))
        try client.send([PostgresFrame(type: Frontend.functionCall, body: body)])
        let frames = try client.receiveUntilReady()
        #expect(frames.types == "EZ")
        #expect(frames.errors.first?.code == "42501")
        #expect(frames.errors.first?.message?.contains("FunctionCall") == true)
        #expect(try client.query("SELECT 1").firstColumn == ["1"])
    }

    // MARK: Start-up

    @Test(arguments: [
        ["PGOPTIONS": "-c default_transaction_read_only=off"],
        ["PGOPTIONS": "-c session_replication_role=replica"],
    ])
    func startupOptionsAreRefused(environment: [String: String]) throws {
        let fixture = try ProxyFixture()
        let result = try fixture.psql("SELECT 1;", extraEnvironment: environment)
        #expect(!result.succeeded)
        #expect(result.stderr.contains("agents may not change server settings"), "\(result.stderr)")
    }

    @Test func replicationConnectionsAreRefused() throws {
        let fixture = try ProxyFixture()
        #expect(throws: (any Error).self) {
            _ = try WireClient.login(port: fixture.port, agent: fixture.agent, token: fixture.token, extra: [StartupParameter(name: "replication", value: "database")])
        }
        let records = try fixture.auditRecords()
        #expect(records.contains { $0["matched_rule"]?["id"]?.string == "proxy-startup" })
    }

    @Test func aWrongTokenOrAnUnknownAgentCannotLogIn() throws {
        let fixture = try ProxyFixture()
        #expect(throws: (any Error).self) { _ = try WireClient.login(port: fixture.port, agent: fixture.agent, token: "alk_wrong") }
        #expect(throws: (any Error).self) { _ = try WireClient.login(port: fixture.port, agent: "mallory", token: fixture.token) }
        _ = try fixture.wire()
    }

    @Test func airlockLogsInUpstreamWithItsOwnPassword() throws {
        let fixture = try ProxyFixture(environment: "development", upstreamPassword: "s3cret-upstream")
        let client = try fixture.wire()
        #expect(try client.query("SELECT current_user").firstColumn == ["airlock_app"])
    }

    @Test func theUpstreamsTimeoutsHoldInEverySession() throws {
        let fixture = try ProxyFixture(environment: "development", timeouts: ["statement_timeout": "1500ms", "lock_timeout": "2s"])
        let client = try fixture.wire()
        #expect(try client.query("SHOW statement_timeout").firstColumn == ["1500ms"])
        #expect(try client.query("SHOW lock_timeout").firstColumn == ["2s"])
        let slow = try client.query("SELECT pg_sleep(5)")
        #expect(slow.errors.first?.code == "57014", "cancelled by statement_timeout: \(slow.errors.map(\.message))")
    }

    @Test func proxyStatusShowsARunningProxysCounters() throws {
        let fixture = try ProxyFixture(environment: "development")
        let port = try freeTCPPort()
        var environment = PostgresClient.hermeticEnvironment()
        environment["AIRLOCK_HOME"] = fixture.home.path
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: Binaries.airlockCLI)
        proxy.arguments = ["proxy", "postgres", "--listen", "127.0.0.1:\(port)", "--upstream", "app"]
        proxy.environment = environment
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        defer { proxy.terminate(); proxy.waitUntilExit() }
        var client: WireClient?
        for _ in 0..<100 where client == nil {
            client = try? WireClient.login(port: port, agent: fixture.agent, token: fixture.token)
            if client == nil { usleep(100_000) }
        }
        let session = try #require(client)
        _ = try session.query("SELECT 1; SELECT 2")
        _ = try session.send([PostgresFrame(type: Frontend.functionCall, body: ByteBuffer(bytes: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]))])
        _ = try session.receiveUntilReady()
        var status: [String: Any] = [:]
        for _ in 0..<50 {
            let result = try ProcessRunner.run(Binaries.airlockCLI, ["proxy", "status", "--format", "json"], environment: environment, stdin: nil, currentDirectory: "/", timeout: .seconds(30))
            if let data = result.stdout.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let proxies = object["proxies"] as? [[String: Any]], let first = proxies.first, (first["denied"] as? Int) == 1 {
                status = first
                break
            }
            usleep(200_000)
        }
        #expect(status["upstream"] as? String == "app")
        #expect(status["connections_open"] as? Int == 1)
        #expect((status["statements"] as? [String: Int])?["read"] == 2)
        #expect(status["denied"] as? Int == 1)
    }

    // MARK: pgbench

    @Test func pgbenchInitialisesThroughADevelopmentUpstreamAndRuns() throws {
        let fixture = try ProxyFixture(environment: "development")
        var environment = PostgresClient.hermeticEnvironment()
        environment["PGPASSWORD"] = fixture.token
        let common = ["-h", "127.0.0.1", "-p", String(fixture.port), "-U", fixture.agent]
        let pgbench = try PostgresClient.tool("pgbench")
        let initialised = try ProcessRunner.run(pgbench, ["-i", "-s", "1"] + common + ["postgres"], environment: environment, stdin: nil, currentDirectory: "/", timeout: .seconds(120))
        #expect(initialised.succeeded, "\(initialised)")
        for mode in ["simple", "extended", "prepared"] {
            for script in [["-S"], []] {
                let run = try ProcessRunner.run(
                    pgbench, ["-n", "-c", "2", "-t", "30", "-M", mode] + script + common + ["postgres"], environment: environment, stdin: nil, currentDirectory: "/",
                    timeout: .seconds(120))
                #expect(run.succeeded, "\(mode) \(script): \(run)")
                #expect(run.stdout.contains("number of failed transactions: 0"), "\(run.stdout)")
            }
        }
        #expect(try fixture.server.psql("SELECT count(*) FROM pgbench_accounts") == "100000")
    }

    // MARK: Audit

    @Test func everyStatementIsInTheAuditLogWithItsClassAndTables() throws {
        let fixture = try ProxyFixture()
        try fixture.server.psql("CREATE TABLE users (id int)")
        let client = try fixture.wire()
        _ = try client.query("SELECT * FROM users")
        _ = try client.query("DROP TABLE users")
        let records = try fixture.auditRecords().filter { $0["door"]?.string == "proxy" }
        let select = try #require(records.first { $0["action"]?["text"]?.string == "SELECT * FROM users" })
        #expect(select["decision"]?.string == "allowed")
        #expect(select["action"]?["kind"]?.string == "sql")
        #expect(select["context"]?["agent"]?.string == "claude")
        let statement = select["parsed"]?.array?.first?["statement"]
        #expect(statement?["class"]?.string == "read")
        #expect(statement?["tables"]?.strings == ["users"])
        let drop = try #require(records.first { $0["action"]?["text"]?.string == "DROP TABLE users" })
        #expect(drop["decision"]?.string == "blocked")
        #expect(drop["environment"]?.string == "production")
    }

    // MARK: Robustness

    @Test func theUpstreamRestartingEndsTheSessionCleanlyAndNewOnesWork() throws {
        let fixture = try ProxyFixture(environment: "development")
        let client = try fixture.wire()
        #expect(try client.query("SELECT 1").firstColumn == ["1"])
        try fixture.server.restart()
        let after = try? client.query("SELECT 2")
        #expect(after == nil || after?.errors.isEmpty == false, "the old session reports the loss")
        let fresh = try fixture.wire()
        #expect(try fresh.query("SELECT 3").firstColumn == ["3"])
    }

    @Test func aClientLeavingMidCopyLeavesNothingBehind() throws {
        let fixture = try ProxyFixture(environment: "development")
        try fixture.server.psql("CREATE TABLE t (a int)")
        do {
            let client = try fixture.wire()
            try client.send([Frontend.queryFrame("COPY t FROM STDIN")])
            #expect(try client.receive().type == Backend.copyInResponse)
            var data = ByteBuffer()
            data.writeString("1\n2\n3\n")
            try client.send([PostgresFrame(type: Frontend.copyData, body: data)])
        }  // closed here, mid-COPY
        let other = try fixture.wire()
        #expect(try other.query("SELECT count(*) FROM t").firstColumn == ["0"])
        try other.send([Frontend.queryFrame("COPY t FROM STDIN")])
        #expect(try other.receive().type == Backend.copyInResponse)
        var data = ByteBuffer()
        data.writeString("1\n2\n")
        try other.send([PostgresFrame(type: Frontend.copyData, body: data), PostgresFrame(type: Frontend.copyDone, body: ByteBuffer())])
        #expect(try other.receiveUntilReady().types == "CZ")
        #expect(try other.query("COPY (SELECT a FROM t ORDER BY a) TO STDOUT").types == "HddcCZ")
    }

    @Test func mutatedAndTruncatedMessagesNeverCrashTheProxy() throws {
        let fixture = try ProxyFixture(environment: "development")
        let bystander = try fixture.wire()
        var generator = SeededGenerator(seed: 7)
        let valid: [PostgresFrame] = [
            Frontend.queryFrame("SELECT 1"), Frontend.Parse(name: "s", text: "SELECT $1::int").frame, bind(portal: "", statement: "s", "5"),
            Frontend.execute(portal: ""), PostgresFrame("S"), PostgresFrame("H"),
        ]
        for round in 0..<150 {
            guard let client = try? fixture.wire() else { continue }
            var buffer = ByteBuffer()
            for frame in valid.shuffled(using: &generator).prefix(Int.random(in: 1...6, using: &generator)) { frame.write(into: &buffer) }
            var bytes = Array(buffer.readableBytesView)
            switch round % 4 {
            case 0: for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            case 1: bytes = Array(bytes.prefix(Int.random(in: 1..<bytes.count, using: &generator)))
            case 2: bytes = (0..<Int.random(in: 1...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            default: bytes.insert(contentsOf: [0x51, 0x7F, 0xFF, 0xFF, 0xFF], at: 0)  // a 2 GB Query
            }
            var junk = ByteBuffer()
            junk.writeBytes(bytes)
            try? client.send(junk)
            // Whatever comes back (an error, or nothing while the proxy waits for the rest of a
            // truncated message), then hang up.
            client.setTimeout(milliseconds: 100)
            _ = client.isClosed()
        }
        #expect(try bystander.query("SELECT 'still here'").firstColumn == ["still here"])
        #expect(try fixture.wire().query("SELECT 1").firstColumn == ["1"])
    }

    @Test func fiveHundredConcurrentConnections() async throws {
        let fixture = try ProxyFixture(environment: "development")
        let port = fixture.port, agent = fixture.agent, token = fixture.token
        let answers = try await withThrowingTaskGroup(of: [String].self) { group in
            for index in 0..<500 {
                group.addTask {
                    try await offCooperativePool {
                        let client = try WireClient.login(port: port, agent: agent, token: token)
                        return try client.query("SELECT \(index)").firstColumn
                    }
                }
            }
            var all: [String] = []
            for try await answer in group { all += answer }
            return all
        }
        #expect(Set(answers) == Set((0..<500).map(String.init)))
    }
}

/// A Bind of text parameters.
func bind(portal: String, statement: String, _ values: String...) -> PostgresFrame {
    var body = ByteBuffer()
    body.writeNullTerminatedString(portal)
    body.writeNullTerminatedString(statement)
    body.writeInteger(Int16(0))
    body.writeInteger(Int16(values.count))
    for value in values {
        body.writeInteger(Int32(value.utf8.count))
        body.writeString(value)
    }
    body.writeInteger(Int16(0))
    return PostgresFrame(type: Frontend.bind, body: body)
}

/// Deterministic randomness for the fuzz test (the same mutations every run).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The binaries built beside the tests.
enum Binaries {
    static var airlockCLI: String {
        var directory = Bundle.main.bundleURL
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("airlock-cli")
            if FileManager.default.isExecutableFile(atPath: candidate.path), !candidate.hasDirectoryPath { return candidate.path }
            directory.deleteLastPathComponent()
        }
        return ".build/debug/airlock-cli"
    }
}
