import AirlockAudit
import Foundation
import Testing

/// Reads what a syslog receiver got: the RFC 5424 header, the SD params, the OCSF body.
func parseSyslog(_ message: String) throws -> (priority: Int, msgid: String, params: [String: String], body: [String: Any]) {
    let pattern = #/^<(\d{1,3})>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [\x21-\x7E]{1,255} airlock - ([a-z_]{1,32}) \[airlock@32473((?: [a-z_]+="(?:[^"\\\]]|\\["\\\]])*")+)\] \x{FEFF}(\{.*\})$/#
    let match = try #require(message.wholeMatch(of: pattern), "not RFC 5424: \(message)")
    var params: [String: String] = [:]
    for parameter in match.3.matches(of: #/ ([a-z_]+)="((?:[^"\\\]]|\\["\\\]])*)"/#) { params[String(parameter.1)] = String(parameter.2) }
    let body = try #require(try JSONSerialization.jsonObject(with: Data(match.4.utf8)) as? [String: Any])
    return (try #require(Int(match.1)), String(match.2), params, body)
}

@Suite("airlock audit forward", .serialized)
struct AuditForwardCommandTests {
    @Test("usage errors exit 64 and say what to pass")
    func usage() throws {
        let cli = try CLIHarness()
        let none = try cli.run(["audit", "forward"])
        #expect(none.status == 64 && none.stderr.contains("--syslog"))
        #expect(try cli.run(["audit", "forward", "--syslog", "udp://a:1", "--hec", "http://a/", "--token", "t"]).status == 64)
        #expect(try cli.run(["audit", "forward", "--hec", "http://127.0.0.1:1/"]).status == 64)
        #expect(try cli.run(["audit", "forward", "--hec", "ftp://x/", "--token", "t"]).status == 64)
        let bad = try cli.run(["audit", "forward", "--syslog", "udp://host-without-port"])
        #expect(bad.status == 64 && bad.stderr.contains("no port"))
        #expect(try cli.run(["audit", "forward", "--syslog", "udp://a:1", "--token", "t"]).status == 64)
        #expect(try cli.run(["audit", "forward", "--help"]).stdout.contains("--syslog tcp://"))
    }

    @Test("UDP: one RFC 5424 message per entry with index and checkpoint; a second run ships only new entries")
    func udp() throws {
        let cli = try CLIHarness()
        let listener = try UDPListener()
        try cli.seedDays()
        try cli.auditStore.saveCheckpoint("test/audit\n5\nq2Nv2Fbz0Q4uUyNn9y2Ul3u+fLKw9vSf0rZ4gV1pYzA=\n\n— test/audit AAAA\n", size: 5)
        let url = "udp://127.0.0.1:\(listener.port)"
        let first = try cli.run(["audit", "forward", "--syslog", url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("shipped 5 entries (index 0…4) to \(url)"))
        let messages = try listener.messages(limit: 5).map(parseSyslog)
        #expect(messages.map { $0.params["index"] } == ["0", "1", "2", "3", "4"])
        #expect(messages.allSatisfy { $0.params["checkpoint_size"] == "5" && $0.params["checkpoint_root"] == "q2Nv2Fbz0Q4uUyNn9y2Ul3u+fLKw9vSf0rZ4gV1pYzA=" })
        #expect(messages.map(\.msgid) == ["allowed", "blocked", "approval_required", "approved", "rejected"])
        #expect(messages.map(\.priority) == [86, 84, 85, 85, 84])
        #expect(messages.map { $0.body["class_uid"] as? Int } == Array(repeating: 1007, count: 5))
        #expect(FileManager.default.fileExists(atPath: cli.home.path + "/.airlock/audit/forward/udp___127.0.0.1_\(listener.port).state"))

        let nothing = try cli.run(["audit", "forward", "--syslog", url])
        #expect(nothing.status == 0 && nothing.stderr.contains("nothing new") && nothing.stderr.contains("last index shipped: 4"))
        try cli.seed([(.blocked, "a", "2026-11-24T00:00:00.000Z"), (.allowed, "a", "2026-11-24T00:00:01.000Z")])
        let second = try cli.run(["audit", "forward", "--syslog", url])
        #expect(second.stderr.contains("shipped 2 entries (index 5…6)"))
        #expect(try listener.messages(limit: 10).map(parseSyslog).map { $0.params["index"] } == ["5", "6"])
    }

    @Test("TCP: octet-counted frames, batches over connections, resumable")
    func tcp() throws {
        let cli = try CLIHarness()
        let listener = try TCPListener()
        try cli.seedDays()
        let url = "tcp://127.0.0.1:\(listener.port)"
        let run = try cli.run(["audit", "forward", "--syslog", url, "--batch", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let frames = try listener.frames().map(parseSyslog)
        #expect(frames.map { $0.params["index"] } == ["0", "1", "2", "3", "4"])
        #expect(frames.allSatisfy { $0.params["checkpoint_size"] == nil })
        try cli.seed([(.frozen, "a", "2026-11-24T00:00:00.000Z")])
        #expect(try cli.run(["audit", "forward", "--syslog", url]).status == 0)
        let next = try listener.frames().map(parseSyslog)
        #expect(next.map { $0.params["index"] } == ["5"])
        #expect(next.first?.msgid == "frozen")
    }

    @Test("with the signing key here, forward signs a checkpoint covering what it ships")
    func signsBeforeShipping() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["init"]).status == 0)
        for command in ["ls", "pwd", "git status"] { _ = try cli.run(["check", "--", command]) }
        let listener = try TCPListener()
        let run = try cli.run(["audit", "forward", "--syslog", "tcp://127.0.0.1:\(listener.port)"])
        #expect(run.status == 0, "\(run.stderr)")
        let frames = try listener.frames().map(parseSyslog)
        #expect(frames.map { $0.params["index"] } == ["0", "1", "2"])
        #expect(frames.allSatisfy { $0.params["checkpoint_size"] == "3" })
        let verify = try cli.run(["audit", "verify"])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("1 checkpoint(s) verified"), "\(verify.stdout)")
    }

    @Test("a receiver that refuses the connection fails the run, names it, and keeps the state")
    func refused() throws {
        let cli = try CLIHarness()
        try cli.seedDays()
        let port: UInt16
        do { let listener = try TCPListener(); port = listener.port }
        let run = try cli.run(["audit", "forward", "--syslog", "tcp://127.0.0.1:\(port)"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("127.0.0.1") && run.stderr.contains("port \(port)") && run.stderr.contains("Connection refused"))
    }

    @Test("HEC: POSTs batches with the Splunk token; non-2xx fails with the body and ships again next time")
    func hec() throws {
        let cli = try CLIHarness()
        let server = try HTTPListener()
        defer { server.stop() }
        try cli.seedDays()
        try cli.auditStore.saveCheckpoint("test/audit\n3\nq2Nv2Fbz0Q4uUyNn9y2Ul3u+fLKw9vSf0rZ4gV1pYzA=\n\n— test/audit AAAA\n", size: 3)
        let url = "http://127.0.0.1:\(server.port)/services/collector/event"

        server.respond(status: 403, body: #"{"text":"Invalid token","code":4}"#)
        let refused = try cli.run(["audit", "forward", "--hec", url, "--token", "wrong"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("HTTP 403") && refused.stderr.contains("Invalid token"))

        server.respond(status: 200, body: #"{"text":"Success","code":0}"#)
        let run = try cli.run(["audit", "forward", "--hec", url, "--batch", "3"], environment: ["AIRLOCK_HEC_TOKEN": "0000-secret"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("shipped 5 entries (index 0…4)"))
        let accepted = Array(server.requests.dropFirst())
        #expect(accepted.count == 2)
        #expect(accepted.allSatisfy { $0.line == "POST /services/collector/event HTTP/1.1" })
        #expect(accepted.allSatisfy { $0.headers["authorization"] == "Splunk 0000-secret" })
        let events = try accepted.flatMap { $0.body.split(separator: "\n") }.map { try cli.json(String($0)) }
        #expect(events.count == 5)
        #expect(events.map { ($0["fields"] as? [String: Any])?["index"] as? String } == ["0", "1", "2", "3", "4"])
        #expect(events.allSatisfy { ($0["fields"] as? [String: Any])?["checkpoint_size"] as? String == "3" })
        #expect(events.allSatisfy { $0["sourcetype"] as? String == "airlock:decision" && ($0["event"] as? [String: Any])?["class_uid"] as? Int == 1007 })
        #expect((events.first?["time"] as? Double).map { abs($0 - 1_795_168_800) < 0.001 } == true)
    }
}
