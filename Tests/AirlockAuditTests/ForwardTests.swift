import Foundation
import Testing
@testable import AirlockAudit

/// RFC 5424 §6 as a regular expression: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP
/// PROCID SP MSGID SP STRUCTURED-DATA [SP MSG].
nonisolated(unsafe) let syslogPattern = #/^<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)|-) ([\x21-\x7E]{1,255}) ([\x21-\x7E]{1,48}) ([\x21-\x7E]{1,128}) ([\x21-\x7E]{1,32}) ((?:\[[^ =\]"]{1,32}(?: [^ =\]"]{1,32}="(?:[^"\\\]]|\\["\\\]])*")*\])+|-)(?: \x{FEFF}(.*))?$/#

struct ParsedSyslog {
    var priority: Int
    var msgid: String
    var structuredData: String
    var body: String
    var parameters: [String: String]

    init?(_ message: String) {
        guard let match = message.wholeMatch(of: syslogPattern), let priority = Int(match.1) else { return nil }
        self.priority = priority
        msgid = String(match.6)
        structuredData = String(match.7)
        body = match.8.map(String.init) ?? ""
        parameters = [:]
        for parameter in structuredData.matches(of: #/ ([a-z_]+)="((?:[^"\\\]]|\\["\\\]])*)"/#) {
            var value = ""
            var escaped = false
            for character in parameter.2 {
                if !escaped, character == "\\" { escaped = true; continue }
                escaped = false
                value.append(character)
            }
            parameters[String(parameter.1)] = value
        }
    }
}

@Suite struct Syslog5424Tests {
    static let checkpoint = ForwardCheckpoint(note: "example.com/dev-1/audit\n1042\nq2Nv2Fbz0Q4uUyNn9y2Ul3u+fLKw9vSf0rZ4gV1pYzA=\n\n— example.com/dev-1/audit AAAA\n")

    @Test("messages match RFC 5424 and carry index, decision and checkpoint", arguments: ExportFixtures.all)
    func wellFormed(_ record: AuditRecord) throws {
        let message = Syslog5424.format(record: record, checkpoint: Self.checkpoint, hostname: "dev-1", procid: "4242")
        let parsed = try #require(ParsedSyslog(message), "not RFC 5424: \(message)")
        #expect(parsed.priority == 10 * 8 + Syslog5424.severity(record.outcome))
        #expect(parsed.msgid == record.outcome.rawValue)
        #expect(parsed.parameters["index"] == String(record.index))
        #expect(parsed.parameters["checkpoint_size"] == "1042")
        #expect(parsed.parameters["checkpoint_root"] == "q2Nv2Fbz0Q4uUyNn9y2Ul3u+fLKw9vSf0rZ4gV1pYzA=")
        let event = try jsonObject(parsed.body)
        #expect(lookup(event, "unmapped.airlock.index") as? Int == Int(record.index))
    }

    @Test("severity: allowed is informational, blocked a warning")
    func priorities() {
        let blocked = Syslog5424.format(record: ExportFixtures.record(.blocked), checkpoint: nil, hostname: "h")
        #expect(blocked.hasPrefix("<84>1 2026-11-21T07:50:01.123Z h airlock - blocked [airlock@32473 index=\"7\" decision=\"blocked\"] \u{FEFF}{"))
        #expect(Syslog5424.format(record: ExportFixtures.record(.allowed), checkpoint: nil, hostname: "h", facility: 4).hasPrefix("<38>1 "))
    }

    @Test("SD-PARAM values escape quote, backslash and closing bracket")
    func escaping() throws {
        #expect(Syslog5424.escapeParameter(#"a"b\c]d"#) == #"a\"b\\c\]d"#)
        let checkpoint = ForwardCheckpoint(origin: "o", size: 3, root: #"x"]\y"#, note: "")
        let message = Syslog5424.format(record: ExportFixtures.record(.allowed), checkpoint: checkpoint, hostname: "host name é", body: .text)
        let parsed = try #require(ParsedSyslog(message), "not RFC 5424: \(message)")
        #expect(parsed.parameters["checkpoint_root"] == #"x"]\y"#)
        #expect(message.contains(" host_name___ airlock "))
    }

    @Test("TCP frames are octet-counted: the byte length, a space, the message")
    func octetCounting() {
        #expect(Syslog5424.octetCounted("é") == Array("2 é".utf8))
        let message = Syslog5424.format(record: ExportFixtures.record(.blocked), checkpoint: nil, hostname: "h")
        let framed = String(decoding: Syslog5424.octetCounted(message), as: UTF8.self)
        #expect(framed == "\(message.utf8.count) \(message)")
    }

    @Test("destinations parse udp and tcp, IPv4, names and IPv6; bad ones say why")
    func destinations() throws {
        #expect(try SyslogDestination(url: "udp://127.0.0.1:514") == SyslogDestination(transport: .udp, host: "127.0.0.1", port: 514))
        #expect(try SyslogDestination(url: "tcp://siem.internal:6514") == SyslogDestination(transport: .tcp, host: "siem.internal", port: 6514))
        #expect(try SyslogDestination(url: "tcp://[::1]:514").host == "::1")
        #expect(try SyslogDestination(url: "tcp://[::1]:514").description == "tcp://[::1]:514")
        for bad in ["http://x:1", "udp://x", "udp://:5", "udp://x:0", "udp://x:70000", "tcp://[::1]514"] {
            #expect(throws: AuditError.self, "\(bad)") { try SyslogDestination(url: bad) }
        }
    }

    @Test("a refused TCP connection names the host, the port and the errno")
    func refused() throws {
        // Bind a port, then close it, so nothing listens there.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        close(fd)
        let sender = SyslogSender(destination: SyslogDestination(transport: .tcp, host: "127.0.0.1", port: port))
        let error = try #require(throws: AuditError.self) { try sender.send(["x"]) }
        #expect(error.message.contains("127.0.0.1") && error.message.contains("port \(port)") && error.message.contains("errno \(ECONNREFUSED)"))
    }
}

@Suite struct HECPayloadTests {
    @Test("each event has time in seconds with milliseconds, host, source, sourcetype, OCSF event and fields")
    func shape() throws {
        let records = [ExportFixtures.record(.blocked, index: 3), ExportFixtures.record(.allowed, index: 4)]
        let body = HECPayload.batch(records, checkpoint: Syslog5424Tests.checkpoint, host: "dev-1")
        let lines = body.split(separator: "\n")
        #expect(lines.count == 2)
        for (line, record) in zip(lines, records) {
            let object = try jsonObject(String(line))
            #expect((object["time"] as? Double).map { abs($0 - 1_795_247_401.123) < 0.0005 } == true)
            #expect(line.contains("\"time\":1795247401.123}"))
            #expect(object["host"] as? String == "dev-1")
            #expect(object["source"] as? String == "airlock")
            #expect(object["sourcetype"] as? String == "airlock:decision")
            #expect(lookup(object, "event.class_uid") as? Int == 1007)
            #expect(lookup(object, "fields.index") as? String == String(record.index))
            #expect(lookup(object, "fields.checkpoint_size") as? String == "1042")
        }
        #expect(HECPayload.seconds(5) == "0.005")
        #expect(HECPayload.seconds(-5) == "0.000")
    }
}

@Suite struct ForwarderTests {
    func scratch() throws -> AuditStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("airlock-forward-\(UUID().uuidString)").path
        return AuditStore(directory: directory)
    }

    @Test("checkpoint notes parse to size and root; the latest wins")
    func checkpoints() throws {
        let store = try scratch()
        #expect(try ForwardCheckpoint.latest(in: store) == nil)
        try store.saveCheckpoint("log\n2\nq2Nv2Fbz0Q4uUyNn9y2Ul3u+fLKw9vSf0rZ4gV1pYzA=\n\n— log sig\n", size: 2)
        try store.saveCheckpoint("log\n10\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— log sig\n", size: 10)
        let latest = try #require(try ForwardCheckpoint.latest(in: store))
        #expect(latest.size == 10 && latest.root == "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" && latest.origin == "log")
        #expect(ForwardCheckpoint(note: "log\nnot-a-number\nAAAA\n") == nil)
        #expect(ForwardCheckpoint(note: "log\n1\nnot base64!\n") == nil)
    }

    @Test("ships in batches, resumes after the last accepted batch, and does not advance on refusal")
    func resumption() throws {
        let store = try scratch()
        try store.append((0..<5).map { _ in ExportFixtures.record(.allowed) })
        let forwarder = AuditForwarder(store: store, destination: "udp://127.0.0.1:514", batchSize: 2)
        var batches: [[UInt64]] = []
        let first = try forwarder.forwardOnce { batch, _ in batches.append(batch.map(\.index)) }
        #expect(batches == [[0, 1], [2, 3], [4]])
        #expect(first.count == 5 && first.first == 0 && first.last == 4)
        #expect(forwarder.statePath.hasSuffix("/forward/udp___127.0.0.1_514.state"))

        try store.append((0..<3).map { _ in ExportFixtures.record(.blocked) })
        batches = []
        // The second batch is refused: the first stays shipped, the rest is sent next time.
        #expect(throws: AuditError.self) {
            try forwarder.forwardOnce { batch, _ throws(AuditError) in
                if batches.count == 1 { throw AuditError("refused") }
                batches.append(batch.map(\.index))
            }
        }
        #expect(batches == [[5, 6]])
        #expect(try forwarder.state().lastIndex == 6)
        batches = []
        let third = try forwarder.forwardOnce { batch, _ in batches.append(batch.map(\.index)) }
        #expect(batches == [[7]] && third.count == 1)
        #expect(try forwarder.forwardOnce { _, _ in Issue.record("nothing to ship") }.count == 0)
    }

    @Test("a stale offset falls back to a scan by index")
    func staleOffset() throws {
        let store = try scratch()
        try store.append((0..<3).map { _ in ExportFixtures.record(.allowed) })
        let forwarder = AuditForwarder(store: store, destination: "tcp://x:1")
        try forwarder.save(AuditForwarder.State(lastIndex: 0, offset: 5))
        var shipped: [UInt64] = []
        _ = try forwarder.forwardOnce { batch, _ in shipped += batch.map(\.index) }
        #expect(shipped == [1, 2])
    }

    @Test("the cursor returns whole lines only and resumes where it stopped")
    func cursor() throws {
        let store = try scratch()
        try store.append([ExportFixtures.record(.allowed)])
        var cursor = AuditLogCursor(path: store.logPath)
        #expect(try cursor.read().count == 1)
        #expect(try cursor.read().isEmpty)
        let handle = try #require(FileHandle(forWritingAtPath: store.logPath))
        handle.seekToEndOfFile()
        handle.write(Data("{\"partial".utf8))
        try handle.close()
        #expect(try cursor.read().isEmpty)
        var missing = AuditLogCursor(path: store.directory + "/missing")
        #expect(try missing.read().isEmpty)
    }
}
